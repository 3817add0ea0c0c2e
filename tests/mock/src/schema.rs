//! Validation against the JSON Schemas of the project's OpenAPI 3.1 document, which is the
//! document the SDK is generated from (embedded at build time).
//!
//! The document is a copy of the workspace's `openapi/friendli.yaml` kept inside this crate
//! (`tests/mock/openapi/friendli.yaml`) so that the published crate carries it; a test checks that
//! the copy matches the workspace's document whenever that one is present.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::{Map, Value, json};

/// The OpenAPI document, as written in the repository.
pub const OPENAPI_YAML: &str = include_str!("../openapi/friendli.yaml");

/// One failed check: where in the instance, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The JSON pointer of the offending value in the validated document. For a missing
    /// required property it is the pointer of the object that lacks it.
    pub pointer: String,
    /// What is wrong with it.
    pub message: String,
    /// The name of the missing property, when the violation is a missing required property.
    pub missing: Option<String>,
}

impl Violation {
    /// The path of the offending value as `loc` items (after the location, e.g. `body`):
    /// object keys as strings, array indices as numbers, and the missing property last when one
    /// is missing.
    pub fn loc(&self) -> Vec<Value> {
        let mut loc: Vec<Value> = self
            .pointer
            .split('/')
            .skip(1)
            .map(|token| {
                let token = token.replace("~1", "/").replace("~0", "~");
                match token.parse::<u64>() {
                    Ok(index) => json!(index),
                    Err(_) => json!(token),
                }
            })
            .collect();
        if let Some(missing) = &self.missing {
            loc.push(json!(missing));
        }
        loc
    }
}

/// The parsed OpenAPI document.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        serde_saphyr::from_str(OPENAPI_YAML)
            .unwrap_or_else(|e| panic!("openapi/friendli.yaml does not parse: {e}"))
    })
}

/// The names of the component schemas of the document.
pub fn schema_names() -> Vec<String> {
    document()["components"]["schemas"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// The component schema `name`, if the document has it.
pub fn component(name: &str) -> Option<&'static Value> {
    document()["components"]["schemas"].get(name)
}

/// Follows `$ref`s (within the document) until a schema that is not a bare reference.
/// An unresolvable reference resolves to itself.
pub fn resolve(schema: &Value) -> &Value {
    resolve_in(document(), schema)
}

/// Follows `$ref`s within `root` (JSON pointers such as `#/components/schemas/X` or
/// `#/$defs/X`) until a schema without `$ref`, at most 32 steps.
pub fn resolve_in<'a>(root: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => match lookup(root, reference) {
                Some(target) => schema = target,
                None => return schema,
            },
            None => return schema,
        }
    }
    schema
}

/// The schema a local reference (`#/…`) points to in `root`.
pub fn lookup<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some(root);
    }
    root.pointer(pointer)
}

fn validator(
    key: String,
    build: impl FnOnce() -> Value,
    formats: bool,
) -> &'static jsonschema::Validator {
    static VALIDATORS: OnceLock<Mutex<HashMap<(String, bool), &'static jsonschema::Validator>>> =
        OnceLock::new();
    let mut map = VALIDATORS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    map.entry((key.clone(), formats)).or_insert_with(|| {
        let schema = build();
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(formats)
            .build(&schema)
            .unwrap_or_else(|e| {
                panic!("the schema {key} of openapi/friendli.yaml does not compile: {e}")
            });
        // A validator per schema of the document, built once: the set is bounded by the
        // document, so leaking them keeps the validators `'static` at a fixed cost.
        Box::leak(Box::new(validator))
    })
}

fn violations(validator: &jsonschema::Validator, instance: &Value) -> Vec<Violation> {
    validator
        .iter_errors(instance)
        .map(|error| Violation {
            pointer: error.instance_path().to_string(),
            message: error.to_string(),
            missing: match error.kind() {
                jsonschema::error::ValidationErrorKind::Required { property } => Some(
                    property
                        .as_str()
                        .map_or_else(|| property.to_string(), str::to_owned),
                ),
                _ => None,
            },
        })
        .collect()
}

/// Validates `instance` against the component schema `name`. Returns every violation, or an
/// empty list. A `name` the document lacks is one violation saying so.
pub fn validate(name: &str, instance: &Value) -> Vec<Violation> {
    if component(name).is_none() {
        return vec![Violation {
            pointer: String::new(),
            message: format!("the API document has no schema {name:?}"),
            missing: None,
        }];
    }
    let validator = validator(
        name.to_owned(),
        || {
            json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": format!("#/components/schemas/{name}"),
                "components": document()["components"],
            })
        },
        false,
    );
    violations(validator, instance)
}

/// Validates `instance` against a schema taken from the document (a component, a parameter's or
/// a media type's schema): its `$ref`s resolve against the document. Formats are not checked,
/// as by the server the document describes.
pub fn validate_schema(schema: &Value, instance: &Value) -> Vec<Violation> {
    validate_schema_with(schema, instance, false)
}

/// [`validate_schema`], checking `format`s (`date-time`, …) too when `formats` is set.
pub(crate) fn validate_schema_with(
    schema: &Value,
    instance: &Value,
    formats: bool,
) -> Vec<Violation> {
    let key = schema.to_string();
    let validator = validator(key, || root_of(schema, &document()["components"]), formats);
    violations(validator, instance)
}

/// Validates an answer of the server (a response body, or an event's envelope) against a schema
/// of the document, read as clients read answers: a required property whose schema pins its
/// value (`const`) or gives a `default` may be absent, since a client knows its value anyway.
/// Real servers leave such properties out (the `type: "function"` of every streamed tool-call
/// fragment after the first, as OpenAI-style servers send them), and the SDK is generated to
/// accept that; requests are still checked against the document as written.
pub fn validate_answer(schema: &Value, instance: &Value) -> Vec<Violation> {
    let key = format!("answer {schema}");
    let validator = validator(key, || root_of(schema, answer_components()), false);
    violations(validator, instance)
}

/// A schema of the document as a validator root, its references resolving in `components`.
fn root_of(schema: &Value, components: &Value) -> Value {
    let mut root = Map::new();
    root.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    match schema {
        Value::Object(fields) => {
            for (k, v) in fields {
                root.insert(k.clone(), v.clone());
            }
        }
        Value::Bool(false) => {
            root.insert("not".into(), json!({}));
        }
        _ => {}
    }
    root.insert("components".into(), components.clone());
    Value::Object(root)
}

/// The document's components as answers are read (see [`validate_answer`]).
fn answer_components() -> &'static Value {
    static COMPONENTS: OnceLock<Value> = OnceLock::new();
    COMPONENTS.get_or_init(|| {
        let mut components = document()["components"].clone();
        relax_pinned(&mut components);
        components
    })
}

/// Removes from every `required` list the properties whose schema has a `const` or a `default`.
fn relax_pinned(schema: &mut Value) {
    match schema {
        Value::Object(fields) => {
            let pinned: Vec<String> = fields
                .get("properties")
                .and_then(Value::as_object)
                .map(|properties| {
                    properties
                        .iter()
                        .filter(|(_, p)| p.get("const").is_some() || p.get("default").is_some())
                        .map(|(name, _)| name.clone())
                        .collect()
                })
                .unwrap_or_default();
            if let Some(Value::Array(required)) = fields.get_mut("required") {
                required
                    .retain(|name| !name.as_str().is_some_and(|n| pinned.iter().any(|p| p == n)));
            }
            for value in fields.values_mut() {
                relax_pinned(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(relax_pinned),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_has_the_schemas_the_mock_uses() {
        let names = schema_names();
        for name in [
            "ServerlessToolAssistedChatCompletionBody",
            "ChatResult",
            "StreamedChatData",
            "ToolStatusData",
            "HTTPValidationError",
        ] {
            assert!(names.iter().any(|n| n == name), "{name}");
        }
        assert!(component("ChatResult").is_some());
        assert!(component("NoSuchSchema").is_none());
        let unknown = validate("NoSuchSchema", &json!({}));
        assert_eq!(unknown.len(), 1);
        assert!(unknown[0].message.contains("NoSuchSchema"));
    }

    #[test]
    fn answers_may_leave_out_what_the_document_pins() {
        let later_fragment = json!({"index": 0, "function": {"arguments": "{\"ci"}});
        let schema = json!({"$ref": "#/components/schemas/StreamedToolCallResult"});
        assert!(validate_answer(&schema, &later_fragment).is_empty());
        assert!(
            !validate_schema(&schema, &later_fragment).is_empty(),
            "as written"
        );
        // What is not pinned stays required, and pinned values are still checked when sent.
        assert!(!validate_answer(&schema, &json!({"function": {"arguments": ""}})).is_empty());
        let wrong = json!({"index": 0, "type": "code", "function": {"arguments": ""}});
        assert!(!validate_answer(&schema, &wrong).is_empty());
    }

    #[test]
    fn the_embedded_copy_is_the_workspace_document() {
        // In the workspace the crate's copy must equal `openapi/friendli.yaml`; a published crate
        // has no workspace around it, and then there is nothing to compare.
        let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/friendli.yaml");
        if let Ok(original) = std::fs::read_to_string(workspace) {
            assert!(
                original == OPENAPI_YAML,
                "tests/mock/openapi/friendli.yaml is stale: copy openapi/friendli.yaml over it"
            );
        }
    }

    #[test]
    fn violations_name_the_offending_value() {
        let name = "ServerlessToolAssistedChatCompletionBody";
        let ok = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
        assert!(validate(name, &ok).is_empty());
        let bad = json!({"model": "m", "messages": [{"role": "robot", "content": "hi"}], "top_p": "high"});
        let violations = validate(name, &bad);
        assert!(
            violations.iter().any(|v| v.pointer == "/top_p"),
            "{violations:?}"
        );
        assert!(
            violations
                .iter()
                .any(|v| v.pointer.starts_with("/messages/0")),
            "{violations:?}"
        );
        let missing = json!({"messages": []});
        let violations = validate(name, &missing);
        let model = violations
            .iter()
            .find(|v| v.message.contains("model"))
            .expect("a violation for the missing model");
        assert_eq!(model.missing.as_deref(), Some("model"));
        assert_eq!(model.loc(), [json!("model")]);
    }

    #[test]
    fn inline_schemas_resolve_their_references_in_the_document() {
        let schema =
            json!({"anyOf": [{"$ref": "#/components/schemas/CostBucketWidth"}, {"type": "null"}]});
        assert!(validate_schema(&schema, &json!("1d")).is_empty());
        assert!(validate_schema(&schema, &Value::Null).is_empty());
        assert!(!validate_schema(&schema, &json!("2w")).is_empty());
        let date = json!({"type": "string", "format": "date-time"});
        assert!(validate_schema(&date, &json!("yesterday")).is_empty());
        assert!(!validate_schema_with(&date, &json!("yesterday"), true).is_empty());
        assert!(validate_schema_with(&date, &json!("2026-01-01T00:00:00Z"), true).is_empty());
        let pointer = Violation {
            pointer: "/a~1b/3".into(),
            message: String::new(),
            missing: None,
        };
        assert_eq!(pointer.loc(), [json!("a/b"), json!(3)]);
    }

    #[test]
    fn references_resolve_through_chains() {
        let success = component("ServerlessChatCompleteSuccess").unwrap();
        assert_eq!(
            resolve(success)["properties"]["object"]["const"],
            "chat.completion"
        );
        let local = json!({"$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"type": "integer"}}});
        assert_eq!(
            resolve_in(&local, &json!({"$ref": "#/$defs/A"})),
            &json!({"type": "integer"})
        );
        let dangling = json!({"$ref": "#/nowhere"});
        assert_eq!(resolve_in(&local, &dangling), &dangling);
    }
}
