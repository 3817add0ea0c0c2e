//! Bad input: every malformed or unsupported document is reported with the place of the problem,
//! never with a panic.

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
fn dangling_and_external_references_name_the_reference() {
    let mut doc = base();
    doc["components"]["schemas"]["A"] =
        json!({"type": "object", "properties": {"b": {"$ref": "#/components/schemas/Missing"}}});
    let p = problem(&doc);
    assert_eq!(p.pointer, "/components/schemas/A/properties/b/$ref");
    assert!(p.message.contains("points at nothing"));

    doc["components"]["schemas"]["A"] = json!({"$ref": "other.yaml#/components/schemas/B"});
    let p = problem(&doc);
    assert_eq!(p.pointer, "/components/schemas/A/$ref");
    assert!(p.message.contains("external reference"));
}

#[test]
fn unsupported_keywords_and_null_only_schemas_are_located() {
    let mut doc = base();
    doc["components"]["schemas"]["T"] = json!({
        "type": "object",
        "properties": {"kind": {"type": "string"}},
        "if": {"properties": {"kind": {"const": "a"}}},
        "then": {"required": ["a"]}
    });
    let p = problem(&doc);
    assert_eq!(p.pointer, "/components/schemas/T/if");
    assert!(p.message.contains("not supported"), "{p}");

    // Tuples degrade to arrays (see constructs.rs); a malformed one is still an error.
    let mut doc = base();
    doc["components"]["schemas"]["T"] = json!({"type": "array", "prefixItems": {"type": "string"}});
    let p = problem(&doc);
    assert_eq!(p.pointer, "/components/schemas/T/prefixItems");
    assert!(p.message.contains("must be an array"), "{p}");

    let mut doc = base();
    doc["components"]["schemas"]["T"] =
        json!({"type": "object", "properties": {"x": {"type": "null"}}});
    assert_eq!(problem(&doc).pointer, "/components/schemas/T/properties/x");

    let mut doc = base();
    doc["components"]["schemas"]["T"] = json!({"type": "integer", "x-open-enum": true});
    assert_eq!(problem(&doc).pointer, "/components/schemas/T/x-open-enum");
}

#[test]
fn operation_problems_name_the_operation() {
    let mut doc = base();
    doc["paths"]["/a"] = json!({"get": {"responses": {"200": {"description": "ok"}}}});
    let p = problem(&doc);
    assert_eq!(p.pointer, "/paths/~1a/get");
    assert!(p.message.contains("operationId"));

    let mut doc = base();
    doc["paths"]["/a"] = json!({"get": {
        "operationId": "a",
        "parameters": [{"name": "session", "in": "cookie", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok"}}
    }});
    assert_eq!(problem(&doc).pointer, "/paths/~1a/get/parameters/0/in");

    let mut doc = base();
    doc["paths"]["/a"] = json!({"get": {
        "operationId": "a",
        "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}},
            "204": {"description": "nothing"}
        }
    }});
    let p = problem(&doc);
    assert_eq!(p.pointer, "/paths/~1a/get/responses");
    assert!(p.message.contains("different kinds of body"));
}

/// A layout the converter leaves alone and progenitor's generator panics on: the panic is caught
/// and the offending operation is named.
#[test]
fn a_generator_panic_is_reported_with_the_operation_that_causes_it() {
    let mut doc = base();
    doc["paths"]["/fine"] =
        json!({"post": {"operationId": "fine", "responses": {"204": {"description": "ok"}}}});
    // A query parameter whose value is an object: valid OpenAPI (deepObject), but progenitor's
    // generator asserts that only a body may be an object, and panics.
    doc["paths"]["/create"] = json!({"post": {
        "operationId": "create",
        "parameters": [{"name": "filter", "in": "query", "required": true,
                        "schema": {"type": "object", "properties": {"a": {"type": "string"}}}}],
        "responses": {"200": {"description": "found"}}
    }});
    let p = problem(&doc);
    assert_eq!(p.pointer, "/paths/~1create/post");
    assert!(p.message.contains("panicked"), "{p}");
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
            "panics.json",
            r##"{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/u":{"post":{"operationId":"u",
               "parameters":[{"name":"q","in":"query","required":true,"schema":{"type":"object","properties":{"a":{"type":"string"}}}}],
               "responses":{"200":{"description":"a"}}}}}}"##,
            "/paths/~1u/post",
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
    let usage = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("frobnicate")
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}
