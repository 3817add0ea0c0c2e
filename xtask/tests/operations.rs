//! Every operation of the imported document reaches the generated code: the low-level client of
//! progenitor, the operation table, the per-module documents of `friendli-gen` and the operation
//! types of `friendli`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use common::{has, squash};
use heck::ToSnakeCase;
use serde_json::Value;
use xtask::api::Api;
use xtask::workspace;

/// The number of operations of the provider's 2026 document, and so of `openapi/friendli.yaml`.
const OPERATIONS: usize = 84;

/// The committed document, converted once, and the Rust progenitor generates from all of it.
struct Whole {
    source: Value,
    converted: Value,
    notes: Vec<xtask::Problem>,
    rust: String,
}

fn whole() -> &'static Whole {
    static WHOLE: OnceLock<Whole> = OnceLock::new();
    WHOLE.get_or_init(|| {
        let source = xtask::document::load(&workspace::root().join(workspace::SPEC)).unwrap();
        let converted = xtask::convert::convert(&source).unwrap();
        let rust = xtask::generate::generate_rust(&converted.document).unwrap();
        Whole {
            source,
            converted: converted.document,
            notes: converted.notes,
            rust: squash(&rust),
        }
    })
}

/// `(method, path, operationId)` of every operation of a document.
fn operations_of(doc: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in xtask::document::METHODS {
            if let Some(op) = item.get(method) {
                let id = op["operationId"].as_str().unwrap_or_else(|| {
                    panic!("{method} {path} has no operationId");
                });
                out.push((method.to_owned(), path.clone(), id.to_owned()));
            }
        }
    }
    out
}

#[test]
fn the_imported_document_has_every_operation_of_the_provider() {
    let imported = operations_of(&whole().source);
    assert_eq!(imported.len(), OPERATIONS);
    let ids: BTreeSet<&str> = imported.iter().map(|(_, _, id)| id.as_str()).collect();
    assert_eq!(ids.len(), OPERATIONS, "operationIds are not unique");
    if let Some(path) = common::reference(common::PROVIDER_2026) {
        let provider = xtask::document::load(&path).unwrap();
        assert_eq!(operations_of(&provider), imported);
    }
}

#[test]
fn every_operation_is_a_method_of_the_generated_low_level_client() {
    let whole = whole();
    let imported = operations_of(&whole.source);
    let converted = operations_of(&whole.converted);
    // The converter drops no operation (and, the provider writing its streams at `#stream`
    // paths, splits none).
    assert_eq!(converted, imported);
    let mut missing = Vec::new();
    for (method, path, id) in &imported {
        let name = id.to_snake_case();
        let signature = format!("pubasyncfn{name}<'a>(&'aself");
        let found = whole.rust.contains(&signature)
            && whole.rust.contains(&format!(
                "Sendsa`{}`requestto`{}`",
                method.to_uppercase(),
                squash(path)
            ));
        if !found {
            missing.push(format!("{method} {path} ({id} → {name})"));
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {} operations have no method in the generated client: {missing:#?}",
        missing.len(),
        imported.len()
    );
    // And no more methods than operations: one each.
    let methods = whole.rust.matches("(&'aself").count();
    assert_eq!(methods, OPERATIONS);
}

/// What progenitor cannot express is degraded with a note naming the place, never dropped
/// silently: the provider's tuple, and its multipart bodies (their operations stay).
#[test]
fn the_degradations_of_the_whole_document_are_noted() {
    let whole = whole();
    let tuple = "/components/schemas/AddSamplesResponse/properties/samples/items/prefixItems";
    assert!(
        whole
            .notes
            .iter()
            .any(|n| n.pointer == tuple && n.message.contains("tuple")),
        "no note at {tuple}"
    );
    let mut multipart = Vec::new();
    for (method, path, id) in operations_of(&whole.source) {
        let media = whole.source["paths"][&path][&method]
            .pointer("/requestBody/content")
            .and_then(Value::as_object)
            .map(|c| c.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default();
        if media != ["multipart/form-data"] {
            continue;
        }
        let pointer = format!(
            "/paths/{}/{method}/requestBody",
            xtask::document::escape(&path)
        );
        assert!(
            whole
                .notes
                .iter()
                .any(|n| n.pointer == pointer && n.message.contains("multipart/form-data")),
            "no note at {pointer}"
        );
        let op = &whole.converted["paths"][&path][&method];
        assert_eq!(op["operationId"], id.as_str());
        assert!(op.get("x-friendli-multipart").is_some(), "{id}");
        multipart.push(id);
    }
    assert_eq!(multipart.len(), 7, "{multipart:?}");
}

#[test]
fn the_operation_table_lists_every_operation_with_its_own_type_name() {
    let whole = whole();
    let api = Api::from_converted(&whole.converted).unwrap();
    assert_eq!(api.operations.len(), OPERATIONS);
    let imported = operations_of(&whole.source);
    for (method, path, id) in &imported {
        let op = api
            .operations
            .iter()
            .find(|o| &o.id == id)
            .unwrap_or_else(|| panic!("`{id}` is not in the operation table"));
        assert_eq!(&op.method, method, "{id}");
        assert_eq!(op.path, path.split('#').next().unwrap(), "{id}");
        assert!(
            xtask::api::GROUPS.contains(&op.group.as_str()),
            "{id}: group {}",
            op.group
        );
    }
    let mut names: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for op in &api.operations {
        names.entry(&op.type_name).or_default().push(&op.id);
    }
    let clashes: Vec<_> = names.iter().filter(|(_, ids)| ids.len() > 1).collect();
    assert!(
        clashes.is_empty(),
        "type names shared by operations: {clashes:?}"
    );
    // Every method name is unique within its namespace.
    let mut seen = BTreeSet::new();
    for op in &api.operations {
        assert!(
            seen.insert((op.namespace.clone(), op.method_name.clone())),
            "two operations are {}.{}",
            op.namespace.join("."),
            op.method_name
        );
    }
    // Every group has operations.
    for group in xtask::api::GROUPS {
        assert!(api.operations.iter().any(|o| o.group == group), "{group}");
    }
}

#[test]
fn friendli_declares_a_type_for_every_operation() {
    let whole = whole();
    let api = Api::from_converted(&whole.converted).unwrap();
    let path = workspace::root().join("friendli/src/generated/operations.rs");
    let code = std::fs::read_to_string(&path).unwrap();
    let missing: Vec<&str> = api
        .operations
        .iter()
        .filter(|op| {
            !code.contains(&format!("pub struct {};", op.type_name))
                && !code.contains(&format!("pub struct {} {{", op.type_name))
        })
        .map(|op| op.type_name.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "no type in {}: {missing:?}",
        path.display()
    );
}

/// The low-level clients users get are the per-group modules of `friendli-gen`: together their
/// documents hold every operation, each once.
#[test]
fn the_modules_of_friendli_gen_hold_every_operation_once() {
    let whole = whole();
    let api = Api::from_converted(&whole.converted).unwrap();
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for module in std::iter::once(xtask::api::SHARED).chain(xtask::api::GROUPS) {
        let path = workspace::root().join(format!("friendli-gen/spec/{module}.json"));
        let doc = xtask::document::load(&path).unwrap();
        for (_, _, id) in operations_of(&doc) {
            found.entry(id).or_default().push(module.to_owned());
        }
    }
    for op in &api.operations {
        assert_eq!(
            found.get(&op.id).map(Vec::as_slice),
            Some([op.group.clone()].as_slice()),
            "{}",
            op.id
        );
    }
    assert_eq!(found.len(), OPERATIONS);
}

/// Names users write today keep working: as types of the generated code or as aliases.
#[test]
fn the_public_names_of_the_sdk_are_generated() {
    let whole = whole();
    for expected in [
        "pub struct ChatResult {",
        "pub struct StreamedChatData {",
        "pub struct ToolStatusData {",
        "pub struct ServerlessToolAssistedChatCompletionBody {",
        "#[serde(tag = \"role\")] pub enum Message {",
        "#[serde(tag = \"type\")] pub enum ToolAssistedChatTool {",
        "#[serde(rename = \"math:calculator\")] MathCalculator,",
        "pub enum ChatChoiceFinishReason { Known(ChatChoiceFinishReasonKnown), Unknown(::std::string::String), }",
        "pub async fn serverless_tool_assisted_chat_complete<'a>(&'a self,",
        "pub async fn serverless_tool_assisted_chat_stream<'a>(&'a self,",
    ] {
        assert!(has(&whole.rust, expected), "missing `{expected}`");
    }
    let aliases = whole.converted["x-friendli-aliases"].as_object().unwrap();
    assert_eq!(aliases["ServerlessChatCompleteSuccess"], "ChatResult");
}
