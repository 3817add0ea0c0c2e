//! Bad input: every malformed document is reported with the place of the problem, never with a
//! panic. (A valid document with constructs progenitor cannot take degrades instead, with a note
//! at the same place: see degrade.rs.)

use std::process::Command;

use serde_json::{Value, json};
use xtask::workspace::derive_progenitor_json;

fn base() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "fixture", "version": "1"},
        "paths": {},
        "components": {"schemas": {}}
    })
}

fn problem(doc: &Value) -> xtask::Problem {
    match derive_progenitor_json(doc) {
        Ok(_) => panic!("expected a problem"),
        Err(problem) => problem,
    }
}

#[test]
fn non_documents_and_unsupported_versions_are_rejected_at_the_root() {
    assert!(problem(&json!([1, 2])).message.contains("JSON object"));
    let swagger = problem(&json!({"swagger": "2.0", "info": {}}));
    assert_eq!(swagger.pointer, "/swagger");
    let four = problem(&json!({"openapi": "4.0.0", "info": {}, "paths": {}}));
    assert_eq!(four.pointer, "/openapi");
    assert!(four.message.contains("4.0.0"));
    let no_info = problem(&json!({"openapi": "3.1.0", "paths": {}}));
    assert_eq!(no_info.pointer, "/info");
}

#[test]
fn dangling_references_name_the_reference() {
    let mut doc = base();
    doc["components"]["schemas"]["A"] =
        json!({"type": "object", "properties": {"b": {"$ref": "#/components/schemas/Missing"}}});
    let p = problem(&doc);
    assert_eq!(p.pointer, "/components/schemas/A/properties/b/$ref");
    assert!(p.message.contains("points at nothing"));
}

#[test]
fn malformed_schemas_and_misplaced_markers_are_located() {
    // Tuples degrade to arrays (see constructs.rs); a malformed one is an error.
    let mut doc = base();
    doc["components"]["schemas"]["T"] = json!({"type": "array", "prefixItems": {"type": "string"}});
    let p = problem(&doc);
    assert_eq!(p.pointer, "/components/schemas/T/prefixItems");
    assert!(p.message.contains("must be an array"), "{p}");

    // Our own marker on something that is not a string enum: a mistake of the overlay.
    let mut doc = base();
    doc["components"]["schemas"]["T"] = json!({"type": "integer", "x-open-enum": true});
    assert_eq!(problem(&doc).pointer, "/components/schemas/T/x-open-enum");
}

#[test]
fn the_cli_reports_bad_documents_without_a_backtrace() {
    let dir = std::env::temp_dir().join(format!("xtask-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            "broken.yaml",
            "openapi: 3.1.0\ninfo: [unclosed\n",
            "not valid YAML",
        ),
        (
            "swagger.yaml",
            "swagger: '2.0'\ninfo: {title: x, version: '1'}\n",
            "Swagger 2.0",
        ),
        (
            "dangling.json",
            r##"{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},
               "components":{"schemas":{"A":{"$ref":"#/components/schemas/Gone"}}}}"##,
            "/components/schemas/A/$ref",
        ),
    ];
    for (name, text, expected) in cases {
        let input = dir.join(name);
        std::fs::write(&input, text).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("convert")
            .arg(&input)
            .arg(dir.join("out.json"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(!stderr.contains("panicked at"), "{name}: {stderr}");
        assert!(!stderr.contains("RUST_BACKTRACE"), "{name}: {stderr}");
    }
    // A document progenitor panics on (a path parameter the path does not have): converted all
    // the same, the panic named in a note, no backtrace.
    let input = dir.join("panics.json");
    std::fs::write(
        &input,
        r##"{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/u/{a}":{"post":{"operationId":"u",
           "parameters":[{"name":"a","in":"path","required":true,"schema":{"type":"string"}},
                         {"name":"b","in":"path","required":true,"schema":{"type":"string"}}],
           "responses":{"200":{"description":"a"}}}}}}"##,
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["convert", "--notes"])
        .arg(&input)
        .arg(dir.join("out.json"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("note: at /paths/~1u~1{a}/post: left out of the low-level client"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked at"), "{stderr}");
    assert!(!stderr.contains("RUST_BACKTRACE"), "{stderr}");

    let usage = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("frobnicate")
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}
