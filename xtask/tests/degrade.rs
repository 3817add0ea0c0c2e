//! A valid document with constructs that progenitor (or OpenAPI 3.0) cannot take: the converter
//! and the generator degrade each to the nearest faithful form, with a note at its JSON pointer,
//! and never stop. (Malformed documents are still errors: see errors.rs.)

use serde_json::{Value, json};
use xtask::Problem;
use xtask::api::{Api, Response};
use xtask::workspace::{Derived, derive_progenitor_json};

fn base() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "fixture", "version": "1"},
        "paths": {},
        "components": {"schemas": {}}
    })
}

/// Converted, generated (with what progenitor cannot take left out), and rendered.
fn derive(doc: &Value) -> (Derived, Value) {
    let derived = derive_progenitor_json(doc).unwrap_or_else(|p| panic!("derive: {p}"));
    let json: Value = serde_json::from_str(&derived.json).unwrap();
    (derived, json)
}

#[track_caller]
fn note<'a>(notes: &'a [Problem], pointer: &str, words: &str) -> &'a Problem {
    notes
        .iter()
        .find(|n| n.pointer == pointer && n.message.contains(words))
        .unwrap_or_else(|| panic!("no note at {pointer} saying `{words}` in {notes:#?}"))
}

fn ok(schema_ref: &str) -> Value {
    json!({"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": schema_ref}}}}})
}

#[test]
fn schema_keywords_without_a_3_0_form_are_dropped_or_loosened_with_notes() {
    let mut doc = base();
    doc["components"]["schemas"] = json!({
        "Conditional": {
            "type": "object",
            "properties": {"kind": {"type": "string"}, "a": {"type": "string"}},
            "if": {"properties": {"kind": {"const": "a"}}},
            "then": {"required": ["a"]}
        },
        "Labels": {"type": "object", "patternProperties": {"^x-": {"type": "string"}}},
        "Dynamic": {"$dynamicRef": "#node"},
        "Never": {"type": "object", "properties": {"gone": false, "nothing": {"type": "null"}}},
        "External": {"$ref": "other.yaml#/components/schemas/Elsewhere"}
    });
    let (derived, json) = derive(&doc);
    let schemas = &json["components"]["schemas"];
    let notes = &derived.notes;

    note(
        notes,
        "/components/schemas/Conditional/if",
        "dropped the JSON Schema keyword `if`",
    );
    note(notes, "/components/schemas/Conditional/then", "`then`");
    assert!(schemas["Conditional"].get("if").is_none());
    assert_eq!(
        schemas["Conditional"]["properties"]["kind"]["type"],
        "string"
    );

    note(
        notes,
        "/components/schemas/Labels/patternProperties",
        "additionalProperties",
    );
    assert_eq!(schemas["Labels"]["additionalProperties"]["type"], "string");
    assert!(
        derived.rust.contains("pub struct Labels"),
        "{}",
        derived.rust
    );

    note(
        notes,
        "/components/schemas/Dynamic/$dynamicRef",
        "any JSON value",
    );
    note(
        notes,
        "/components/schemas/Never/properties/gone",
        "`false`",
    );
    note(
        notes,
        "/components/schemas/Never/properties/nothing",
        "only `null`",
    );
    assert_eq!(schemas["Never"]["properties"]["gone"], json!({}));

    note(
        notes,
        "/components/schemas/External/$ref",
        "cannot be followed",
    );
    assert!(schemas["External"].get("$ref").is_none());
}

#[test]
fn references_inside_components_become_components_of_their_own() {
    let mut doc = base();
    doc["components"]["schemas"] = json!({
        "Tree": {
            "type": "object",
            "$defs": {"Leaf": {"type": "object", "properties": {"value": {"type": "string"}}}},
            "properties": {"leaves": {"type": "array", "items": {"$ref": "#/components/schemas/Tree/$defs/Leaf"}}}
        },
        "Pair": {"type": "object", "properties": {
            "left": {"type": "object", "properties": {"n": {"type": "integer"}}},
            "right": {"$ref": "#/components/schemas/Pair/properties/left"}
        }}
    });
    let (derived, json) = derive(&doc);
    let schemas = &json["components"]["schemas"];
    note(
        &derived.notes,
        "/components/schemas/TreeLeaf",
        "points inside a component",
    );
    assert_eq!(
        schemas["Tree"]["properties"]["leaves"]["items"]["$ref"],
        "#/components/schemas/TreeLeaf"
    );
    assert!(schemas["Tree"].get("$defs").is_none());
    assert_eq!(schemas["TreeLeaf"]["properties"]["value"]["type"], "string");
    assert_eq!(
        schemas["Pair"]["properties"]["right"]["$ref"],
        "#/components/schemas/PairLeft"
    );
    assert!(
        derived.rust.contains("pub struct TreeLeaf"),
        "{}",
        derived.rust
    );
}

#[test]
fn operations_without_an_id_with_a_repeated_id_or_with_cookies_are_kept() {
    let mut doc = base();
    doc["components"]["schemas"]["Item"] =
        json!({"type": "object", "properties": {"id": {"type": "string"}}});
    doc["paths"] = json!({
        "/v1/items/{item_id}": {
            "parameters": [{"name": "item_id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "get": {
                "parameters": [{"name": "session", "in": "cookie", "schema": {"type": "string"}}],
                "responses": ok("#/components/schemas/Item")
            },
            "delete": {"operationId": "remove", "responses": {"204": {"description": "gone"}}}
        },
        "/v1/other": {"delete": {"operationId": "remove", "responses": {"204": {"description": "gone"}}}}
    });
    let (derived, json) = derive(&doc);
    let notes = &derived.notes;
    let item = "/paths/~1v1~1items~1{item_id}";
    note(notes, &format!("{item}/get"), "no operationId");
    assert_eq!(
        json["paths"]["/v1/items/{item_id}"]["get"]["operationId"],
        "getV1ItemsItemId"
    );
    note(
        notes,
        "/paths/~1v1~1other/delete",
        "`remove` is the operationId of an earlier operation",
    );
    assert_eq!(
        json["paths"]["/v1/other"]["delete"]["operationId"],
        "removeDelete"
    );
    note(notes, &format!("{item}/get/parameters/0"), "cookie");
    assert!(
        json["paths"]["/v1/items/{item_id}"]["get"]
            .get("parameters")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty)
    );
    for method in ["get_v1_items_item_id", "remove", "remove_delete"] {
        assert!(
            derived
                .rust
                .contains(&format!("pub async fn {method}<'a>(")),
            "{method}"
        );
    }
}

#[test]
fn answers_of_several_kinds_no_answers_and_a_taken_stream_path_are_kept() {
    let mut doc = base();
    doc["components"]["schemas"]["Thing"] =
        json!({"type": "object", "properties": {"id": {"type": "string"}}});
    let both = json!({"description": "ok", "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}},
        "text/event-stream": {"schema": {"type": "object", "properties": {"data": {"$ref": "#/components/schemas/Thing"}}}}
    }});
    doc["paths"] = json!({
        "/mixed": {"post": {"operationId": "mixed", "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
            "204": {"description": "nothing"}
        }}},
        "/silent": {"post": {"operationId": "silent"}},
        "/things": {"post": {"operationId": "things", "responses": {"200": both}}},
        "/things#stream": {"post": {"operationId": "thingsOwnStream", "responses": {"204": {"description": "x"}}}}
    });
    let (derived, json) = derive(&doc);
    let notes = &derived.notes;
    note(notes, "/paths/~1mixed/post/responses", "`204` left out");
    assert!(
        json["paths"]["/mixed"]["post"]["responses"]
            .get("204")
            .is_none()
    );
    note(
        notes,
        "/paths/~1silent/post/responses",
        "declares no responses",
    );
    note(notes, "/paths/~1things/post", "`/things#stream2`");
    assert_eq!(
        json["paths"]["/things#stream2"]["post"]["operationId"],
        "thingsStream"
    );
    assert_eq!(
        json["paths"]["/things#stream"]["post"]["operationId"],
        "thingsOwnStream"
    );
    for method in [
        "mixed",
        "silent",
        "things",
        "things_stream",
        "things_own_stream",
    ] {
        assert!(
            derived
                .rust
                .contains(&format!("pub async fn {method}<'a>(")),
            "{method}"
        );
    }
}

#[test]
fn path_items_by_reference_are_written_out_and_survive_the_import() {
    let provider = json!({
        "openapi": "3.1.0",
        "info": {"title": "fixture", "version": "1"},
        "paths": {"/ping": {"$ref": "#/components/pathItems/Ping"}},
        "components": {"pathItems": {"Ping": {"get": {
            "operationId": "ping", "description": "PROSE", "responses": {"204": {"description": "PROSE"}}
        }}}}
    });
    let overlay = json!({"overlay": "1.0.0", "actions": []});
    let imported = xtask::import::import(&provider, &overlay).unwrap();
    assert!(!imported.document.to_string().contains("PROSE"));
    let (derived, json) = derive(&imported.document);
    note(&derived.notes, "/paths/~1ping/$ref", "written out");
    assert_eq!(json["paths"]["/ping"]["get"]["operationId"], "ping");
    assert!(derived.rust.contains("pub async fn ping<'a>("));
}

#[test]
fn a_tag_value_of_two_branches_leaves_the_union_untagged() {
    let mut doc = base();
    doc["components"]["schemas"] = json!({
        "A": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["x"]}, "a": {"type": "string"}}},
        "B": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["x"]}, "b": {"type": "string"}}},
        "Either": {"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}],
                   "discriminator": {"propertyName": "kind"}}
    });
    let (derived, _) = derive(&doc);
    note(
        &derived.notes,
        "/components/schemas/Either",
        "used by two branches",
    );
    assert!(derived.rust.contains("pub enum Either"), "{}", derived.rust);
}

/// progenitor's generator panics on path parameters that the path does not have (with its
/// positional interface, an object in a query parameter generates): the operation is left out of
/// the low-level client with a note, the rest generates, and the SDK's operation table (built
/// from the whole document) still has it.
#[test]
fn an_operation_progenitor_cannot_generate_is_left_out_of_the_low_level_client_only() {
    let mut doc = base();
    doc["paths"]["/fine"] =
        json!({"post": {"operationId": "fine", "responses": {"204": {"description": "ok"}}}});
    doc["paths"]["/create"] = json!({"post": {
        "operationId": "create",
        "parameters": [{"name": "filter", "in": "query", "required": true,
                        "schema": {"type": "object", "properties": {"a": {"type": "string"}}}},
                       {"name": "ghost", "in": "path", "required": true, "schema": {"type": "string"}},
                       {"name": "phantom", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "found"}}
    }});
    let (derived, json) = derive(&doc);
    let left_out = note(
        &derived.notes,
        "/paths/~1create/post",
        "left out of the low-level client",
    );
    assert!(left_out.message.contains("`create`"), "{left_out}");
    assert!(left_out.message.contains("panicked"), "{left_out}");
    assert!(json["paths"].get("/create").is_none());
    assert!(derived.rust.contains("pub async fn fine<'a>("));

    let converted = xtask::convert::convert(&doc).unwrap();
    let api = Api::from_converted(&converted.document).unwrap();
    let create = api.operations.iter().find(|o| o.id == "create").unwrap();
    assert_eq!(create.query_params[0].name, "filter");
}

#[test]
fn inline_event_data_becomes_a_component_and_the_stream_is_typed() {
    let mut doc = base();
    doc["components"]["schemas"]["Streamed"] = json!({
        "type": "object", "required": ["data"],
        "properties": {"data": {"type": "object", "properties": {"text": {"type": "string"}}}}
    });
    doc["paths"]["/talk#stream"] = json!({"post": {"operationId": "talkStream", "responses": {
        "200": {"description": "ok", "content": {"text/event-stream": {
            "x-speakeasy-sse-sentinel": "[DONE]",
            "schema": {"$ref": "#/components/schemas/Streamed"}
        }}}
    }}});
    let converted = xtask::convert::convert(&doc).unwrap();
    note(
        &converted.notes,
        "/components/schemas/Streamed/properties/data",
        "became the component `StreamedData`",
    );
    let api = Api::from_converted(&converted.document).unwrap();
    assert!(api.notes.is_empty(), "{:#?}", api.notes);
    let talk = api
        .operations
        .iter()
        .find(|o| o.id == "talkStream")
        .unwrap();
    let Response::Events { event, .. } = &talk.response else {
        panic!("{:?}", talk.response);
    };
    assert_eq!(event, "StreamedDataEvent");
    assert_eq!(api.events[event].variants[0].data, "StreamedData");
}

/// Names that would collide in the generated code of `friendli` are made unique, with notes.
#[test]
fn operation_names_that_would_collide_in_the_sdk_are_made_unique() {
    let mut doc = base();
    let get = |id: &str, tag: &str| json!({"get": {"operationId": id, "tags": [tag], "responses": {"204": {"description": "ok"}}}});
    doc["paths"] = json!({
        "/a": get("list_models", "Serverless.Model"),
        "/b": get("listModels", "Serverless.Model"),
        "/c": get("serverlessChat", "Serverless"),
        "/d": get("serverlessChatList", "Serverless.Chat"),
        "/e": get("client", "Serverless.Model"),
    });
    doc["paths"]["/c"]["get"]["x-speakeasy-name-override"] = json!("chat");
    let converted = xtask::convert::convert(&doc).unwrap();
    let api = Api::from_converted(&converted.document).unwrap();
    let names: Vec<(&str, &str, &str)> = api
        .operations
        .iter()
        .map(|o| (o.id.as_str(), o.type_name.as_str(), o.method_name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("list_models", "ListModels", "list_models"),
            ("listModels", "ListModelsGet", "list_models_get"),
            ("serverlessChat", "ServerlessChat", "serverless_chat"),
            (
                "serverlessChatList",
                "ServerlessChatList",
                "serverless_chat_list"
            ),
            ("client", "Client", "client_get"),
        ]
    );
    note(
        &api.notes,
        "/paths/~1b/get",
        "the type name `ListModels` of `listModels`",
    );
    note(
        &api.notes,
        "/paths/~1c/get",
        "the method name `chat` of `serverlessChat`",
    );
    note(
        &api.notes,
        "/paths/~1e/get",
        "the method name `client` of `client`",
    );
    let namespaces = xtask::emit::namespaces(&api);
    assert!(
        namespaces.contains("pub fn list_models_get("),
        "{namespaces}"
    );
    assert!(
        namespaces.contains("pub fn serverless_chat("),
        "{namespaces}"
    );
}
