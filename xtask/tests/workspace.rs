//! `cargo xtask generate [--check]`: the files derived from `openapi/friendli.yaml`, and how a
//! stale one is caught.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use xtask::workspace::{self, Freshness};

/// Every file `cargo xtask generate` writes.
const DERIVED: [&str; 12] = [
    "friendli-gen/spec/shared.json",
    "friendli-gen/spec/serverless.json",
    "friendli-gen/spec/dedicated.json",
    "friendli-gen/spec/container.json",
    "friendli-gen/spec/platform.json",
    "friendli-gen/src/generated.rs",
    "tests/mock/openapi/friendli.yaml",
    "friendli/src/generated/operations.rs",
    "friendli/src/generated/events.rs",
    "friendli/src/generated/namespaces.rs",
    "friendli/src/generated/blocking.rs",
    "friendli/src/generated/capabilities.txt",
];

/// A scratch copy of the files `generate` reads and writes.
fn scratch_workspace(tag: &str) -> PathBuf {
    let root = workspace::root();
    let dir = std::env::temp_dir().join(format!("xtask-ws-{tag}-{}", std::process::id()));
    for path in std::iter::once(workspace::SPEC).chain(DERIVED) {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(root.join(path), target).unwrap();
    }
    dir
}

#[test]
fn the_checked_in_files_are_fresh() {
    let root = workspace::root();
    let (files, _) = workspace::derived_files(&root).unwrap();
    let paths: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, BTreeSet::from(DERIVED));
    for file in &files {
        if let Freshness::Stale(diff) = workspace::check(&root, file) {
            panic!(
                "{} is stale; run `cargo xtask generate`:\n{diff}",
                file.path
            );
        }
    }
    // The mock server's copy is the document itself.
    let mock = files
        .iter()
        .find(|f| f.path == "tests/mock/openapi/friendli.yaml")
        .unwrap();
    assert_eq!(
        mock.contents,
        std::fs::read_to_string(root.join(workspace::SPEC)).unwrap()
    );
}

#[test]
fn editing_the_document_without_regenerating_is_caught_with_a_readable_diff() {
    let dir = scratch_workspace("stale");
    let spec = dir.join(workspace::SPEC);
    let text = std::fs::read_to_string(&spec).unwrap();
    // A new optional field of the chat result, which every group's chat operations answer.
    let anchor = "    ChatResult:\n";
    let at = text.find(anchor).expect("ChatResult is in the document");
    let properties =
        at + text[at..].find("\n      properties:\n").unwrap() + "\n      properties:\n".len();
    let mut edited = text.clone();
    edited.insert_str(
        properties,
        "        brand_new_knob:\n          type: [integer, 'null']\n          description: Added upstream.\n",
    );
    std::fs::write(&spec, &edited).unwrap();

    let (files, _) = workspace::derived_files(&dir).unwrap();
    let mut stale = BTreeSet::new();
    for file in &files {
        if let Freshness::Stale(diff) = workspace::check(&dir, file) {
            assert!(diff.contains("(checked in)"), "{diff}");
            assert!(
                diff.contains(&format!("(from {})", workspace::SPEC)),
                "{diff}"
            );
            if file.path == "friendli-gen/spec/shared.json" {
                assert!(diff.contains("\n+          \"brand_new_knob\": {\n+            \"description\": \"Added upstream.\",\n+            \"nullable\": true,\n+            \"type\": \"integer\"\n+          },\n"), "{diff}");
                // With context, to see where it goes.
                assert!(
                    diff.contains("\n         \"description\": \"A finished chat completion"),
                    "{diff}"
                );
            }
            stale.insert(file.path.as_str());
        }
    }
    // The documents of the modules that reach the type (the shared module generates it, the
    // others carry it for `replace`) and the mock server's copy; not the platform module, which
    // has no chat, nor the code generated from the operations, which did not change.
    assert_eq!(
        stale,
        BTreeSet::from([
            "friendli-gen/spec/container.json",
            "friendli-gen/spec/dedicated.json",
            "friendli-gen/spec/serverless.json",
            "friendli-gen/spec/shared.json",
            "tests/mock/openapi/friendli.yaml"
        ])
    );

    // Regenerating makes them fresh again.
    for file in &files {
        let written = workspace::write(&dir, file).unwrap();
        assert_eq!(written, stale.contains(file.path.as_str()), "{}", file.path);
        assert!(matches!(workspace::check(&dir, file), Freshness::Fresh));
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_new_operation_reaches_every_generated_file() {
    let dir = scratch_workspace("new-op");
    let spec = dir.join(workspace::SPEC);
    let text = std::fs::read_to_string(&spec).unwrap();
    // A new dedicated operation, written as the import writes one.
    let edited = text.replacen(
        "\npaths:\n",
        "\npaths:\n  /dedicated/beta/endpoint/{endpoint_id}/pause:\n    put:\n      operationId: dedicatedPauseEndpoint\n      description: Pauses an endpoint.\n      x-speakeasy-name-override: pause\n      tags:\n      - Dedicated.Endpoint\n      parameters:\n      - name: endpoint_id\n        in: path\n        required: true\n        schema:\n          type: string\n      responses:\n        \"204\":\n          description: HTTP 204.\n",
        1,
    );
    assert_ne!(text, edited);
    std::fs::write(&spec, &edited).unwrap();

    let (files, _) = workspace::derived_files(&dir).unwrap();
    let contents = |path: &str| {
        files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.contents.as_str())
            .unwrap()
    };
    assert!(
        contents("friendli-gen/spec/dedicated.json")
            .contains("\"operationId\": \"dedicatedPauseEndpoint\"")
    );
    for module in ["shared", "serverless", "container", "platform"] {
        assert!(
            !contents(&format!("friendli-gen/spec/{module}.json"))
                .contains("dedicatedPauseEndpoint")
        );
    }
    assert!(
        contents("friendli/src/generated/operations.rs")
            .contains("pub struct DedicatedPauseEndpoint {")
    );
    assert!(contents("friendli/src/generated/namespaces.rs").contains("pub fn pause("));
    std::fs::remove_dir_all(&dir).ok();
}

/// The builders of `friendli-gen` are written for the types a request reaches, and only those:
/// `builder()` names the required fields, the setter of an optional field takes
/// `IntoOptional`, and the namespace methods say what a call gives.
#[test]
fn request_types_have_builders_that_document_what_is_required() {
    let root = workspace::root();
    let (files, _) = workspace::derived_files(&root).unwrap();
    let contents = |path: &str| {
        files
            .iter()
            .find(|f| f.path == path)
            .map(|f| common::squash(&f.contents))
            .unwrap()
    };
    let generated = contents("friendli-gen/src/generated.rs");
    for expected in [
        "impltypes::DedicatedEmbeddingsBody{",
        "pubfnbuilder()->builder::DedicatedEmbeddingsBody{",
        "Required:`model`.",
        "pubfninput<T,Via>(mutself,value:T)->SelfwhereT:crate::IntoOptional<crate::types::DedicatedEmbeddingsBodyInput,Via>,",
        "pubfnmodel<T>(mutself,value:T)->SelfwhereT:::std::convert::TryInto<::std::string::String>,",
    ] {
        assert!(
            generated.contains(expected),
            "friendli-gen lacks `{expected}`"
        );
    }
    // Answers are decoded, never built: no builders for them.
    assert!(!generated.contains("builder::ChatResult{"));
    assert!(!generated.contains("interface=Builder"));

    let namespaces = contents("friendli/src/generated/namespaces.rs");
    assert!(
        namespaces.contains("**Gives**[`Response`](crate::Response)`<`[`ChatResult`](crate::types::ChatResult)`>`(whichderefstotheanswer)whenawaited."),
        "the chat namespace says what complete() gives"
    );
    assert!(namespaces.contains(
        "**Gives**an[`EventStream`](crate::EventStream)of[`ChatStreamEvent`](crate::events::ChatStreamEvent)whenawaited."
    ));
}
