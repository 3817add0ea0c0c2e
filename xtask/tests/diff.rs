//! `cargo xtask diff OLD NEW`: the API changes between two documents, breaking ones flagged.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{PROVIDER_2024, PROVIDER_2026, fixture, fixture_path, reference};
use serde_json::json;
use xtask::diff::{diff, report};

fn run_diff(old: &Path, new: &Path, deny_breaking: bool) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.arg("diff").arg(old).arg(new);
    if deny_breaking {
        command.arg("--deny-breaking");
    }
    command.output().unwrap()
}

#[test]
fn diff_flags_breaking_changes() {
    let old = json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {"post": {"operationId": "a", "responses": {"200": {"description": "ok"}}}},
            "/b": {"get": {"operationId": "b", "responses": {"200": {"description": "ok"}}}}
        },
        "components": {"schemas": {
            "Req": {"type": "object", "required": ["model"], "properties": {
                "model": {"type": "string"},
                "temperature": {"type": ["number", "null"]},
                "gone": {"type": "string"}
            }},
            "Reason": {"type": "string", "enum": ["stop", "length", "tool_calls"]}
        }}
    });
    let new = json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "2"},
        "paths": {
            "/a": {"post": {"operationId": "a", "responses": {"200": {"description": "ok"}}}},
            "/c": {"get": {"operationId": "c", "responses": {"200": {"description": "ok"}}}}
        },
        "components": {"schemas": {
            "Req": {"type": "object", "required": ["model"], "properties": {
                "model": {"type": "string"},
                "temperature": {"type": ["string", "null"]},
                "added": {"type": "boolean"}
            }},
            "Reason": {"type": "string", "enum": ["stop", "length", "content_filter"]}
        }}
    });
    let changes = diff(&old, &new);
    let has = |breaking: bool, location: &str, words: &str| {
        changes.iter().any(|c| {
            c.breaking == breaking && c.location == location && c.description.contains(words)
        })
    };
    assert!(has(true, "GET /b", "operation removed"), "{changes:#?}");
    assert!(has(false, "GET /c", "operation added"));
    assert!(has(true, "Req.gone", "field removed"));
    assert!(has(
        true,
        "Req.temperature",
        "retyped from number | null to string | null"
    ));
    assert!(has(false, "Req.added", "field added (optional"));
    assert!(has(true, "Reason", "enum value \"tool_calls\" removed"));
    assert!(has(false, "Reason", "enum value \"content_filter\" added"));

    let text = report(&changes);
    assert!(
        text.contains("BREAKING  GET /b: operation removed"),
        "{text}"
    );
    assert!(text.ends_with("7 changes, 4 breaking.\n"), "{text}");
    assert_eq!(report(&diff(&old, &old)), "No API changes.\n");
}

#[test]
fn diff_treats_both_nullable_styles_as_the_same_type() {
    let v31 = json!({"openapi": "3.1.0", "info": {}, "paths": {}, "components": {"schemas": {
        "A": {"type": "object", "properties": {"x": {"type": ["integer", "null"]}}}
    }}});
    let v30 = json!({"openapi": "3.0.3", "info": {}, "paths": {}, "components": {"schemas": {
        "A": {"type": "object", "properties": {"x": {"type": "integer", "nullable": true}}}
    }}});
    assert!(diff(&v31, &v30).is_empty());
}

/// `anyOf: [X, null]` (how the 2026 document writes most nullable fields) and `type: [X, null]`
/// are the same type too; today the diff reports the branches of the `anyOf` as removed (or, the
/// other way round, added), and flags the removal as breaking.
#[test]
fn diff_treats_any_of_with_null_as_the_same_type_as_a_type_array() {
    let any_of = json!({"openapi": "3.1.0", "info": {}, "paths": {}, "components": {"schemas": {
        "A": {"type": "object", "properties": {"x": {"anyOf": [{"type": "number"}, {"type": "null"}]}}}
    }}});
    let type_array = json!({"openapi": "3.1.0", "info": {}, "paths": {}, "components": {"schemas": {
        "A": {"type": "object", "properties": {"x": {"type": ["number", "null"]}}}
    }}});
    assert_eq!(diff(&any_of, &type_array), []);
    assert_eq!(diff(&type_array, &any_of), []);
}

/// Request bodies and responses written as references to `components/requestBodies` and
/// `components/responses` (as the 2024 document does) are compared by what they reference.
#[test]
fn diff_follows_references_to_request_bodies_and_responses() {
    let by_reference = json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"post": {
            "operationId": "a",
            "requestBody": {"$ref": "#/components/requestBodies/A"},
            "responses": {"200": {"$ref": "#/components/responses/A"}}
        }}},
        "components": {
            "requestBodies": {"A": {"content": {"application/json": {"schema": {"type": "object"}}}}},
            "responses": {"A": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}}}
        }
    });
    let inline = json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "2"},
        "paths": {"/a": {"post": {
            "operationId": "a",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}}}
        }}}
    });
    assert_eq!(diff(&by_reference, &inline), []);
}

#[test]
fn a_removed_field_and_removed_enum_values_are_flagged_breaking() {
    let (old, new) = (fixture_path("diff-old.yaml"), fixture_path("diff-new.yaml"));
    let changes = diff(&fixture("diff-old.yaml"), &fixture("diff-new.yaml"));
    let lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "          GET /v1/models/{model_id}: operation added (operationId `getModel`)",
            "BREAKING  ChatBody.logit_bias: field removed",
            "BREAKING  ChatBody.reasoning_effort: enum value \"high\" removed",
            "          ChatBody.seed: field added (optional, integer | null)",
            "BREAKING  Choice.finish_reason: enum value \"tool_calls\" removed",
            "          Choice.finish_reason: enum value \"content_filter\" added",
        ]
    );

    // Through the command: a report, success by default, failure with --deny-breaking.
    let output = run_diff(&old, &new, false);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("API changes from "), "{stdout}");
    assert!(
        stdout.contains("BREAKING  ChatBody.logit_bias: field removed\n"),
        "{stdout}"
    );
    assert!(stdout.ends_with("6 changes, 3 breaking.\n"), "{stdout}");
    assert_eq!(run_diff(&old, &new, true).status.code(), Some(1));
    // Additions alone are not breaking.
    assert_eq!(run_diff(&old, &old, true).status.code(), Some(0));
    let same = run_diff(&new, &new, true);
    assert!(String::from_utf8_lossy(&same.stdout).ends_with("No API changes.\n"));
}

#[test]
fn the_provider_documents_of_2024_and_2026_differ_by_the_operations_added_since() {
    let (Some(old), Some(new)) = (reference(PROVIDER_2024), reference(PROVIDER_2026)) else {
        return;
    };
    let output = run_diff(&old, &new, false);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let added: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains(": operation added (operationId `"))
        .collect();
    // 5 operations then, 84 now; the container's 4 are at the same paths (renamed), and the
    // tool-assisted chat moved under /serverless.
    assert_eq!(added.len(), 84 - 4, "{stdout}");
    for expected in [
        "          GET /beta/dataset: operation added (operationId `list_datasets`)",
        "          POST /serverless/v1/chat/completions: operation added (operationId `serverlessChatComplete`)",
        "          POST /serverless/v1/chat/completions#stream: operation added (operationId `serverlessChatStream`)",
        "          POST /serverless/v1/messages#stream: operation added (operationId `serverlessMessagesStream`)",
        "          POST /v1/chat/completions#stream: operation added (operationId `containerChatStream`)",
        "          PUT /dedicated/beta/endpoint/{endpoint_id}: operation added (operationId `dedicatedUpdateEndpoint`)",
        "          DELETE /dedicated/beta/endpoint/{endpoint_id}: operation added (operationId `dedicatedDeleteEndpoint`)",
        "          PATCH /beta/file/{file_id}: operation added (operationId `complete_upload`)",
    ] {
        assert!(
            stdout.lines().any(|l| l == expected),
            "missing `{expected}`:\n{stdout}"
        );
    }
    // What went away is breaking.
    assert!(
        stdout.contains(
            "BREAKING  POST /tools/v1/chat/completions: operation removed (operationId `ToolAssistedChatCompletion`)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "BREAKING  POST /v1/chat/completions: operationId renamed from `ChatCompletion` to `containerChatComplete`"
        ),
        "{stdout}"
    );
    let summary = stdout.lines().last().unwrap();
    assert!(summary.ends_with(" breaking."), "{summary}");
    assert_eq!(run_diff(&old, &new, true).status.code(), Some(1));
}
