//! `cargo xtask generate --check` and `cargo xtask diff`.

use std::path::PathBuf;

use serde_json::json;
use xtask::diff::{diff, report};
use xtask::workspace::{self, Freshness};

/// A scratch copy of the files `generate` reads and writes.
fn scratch_workspace(tag: &str) -> PathBuf {
    let root = workspace::root();
    let dir = std::env::temp_dir().join(format!("xtask-ws-{tag}-{}", std::process::id()));
    for path in [workspace::SPEC, workspace::DERIVED_SPEC] {
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
    for file in &files {
        if let Freshness::Stale(diff) = workspace::check(&root, file) {
            panic!(
                "{} is stale; run `cargo xtask generate`:\n{diff}",
                file.path
            );
        }
    }
}

#[test]
fn editing_the_document_without_regenerating_is_caught_with_a_readable_diff() {
    let dir = scratch_workspace("stale");
    let spec = dir.join(workspace::SPEC);
    let text = std::fs::read_to_string(&spec).unwrap();
    let edited = text.replacen(
        "        resume_generation:\n",
        "        brand_new_knob:\n          type: [integer, 'null']\n          description: Added upstream.\n        resume_generation:\n",
        1,
    );
    assert_ne!(text, edited, "the fixture edit must apply");
    std::fs::write(&spec, edited).unwrap();

    let (files, _) = workspace::derived_files(&dir).unwrap();
    let Freshness::Stale(diff) = workspace::check(&dir, &files[0]) else {
        panic!("the derived spec should be stale");
    };
    assert!(diff.contains("+          \"brand_new_knob\": {"), "{diff}");
    assert!(diff.contains("(checked in)"), "{diff}");

    // Regenerating makes it fresh again.
    assert!(workspace::write(&dir, &files[0]).unwrap());
    assert!(matches!(
        workspace::check(&dir, &files[0]),
        Freshness::Fresh
    ));
    std::fs::remove_dir_all(&dir).ok();
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
