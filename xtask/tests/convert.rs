//! The converter, one transformation at a time, on small OpenAPI 3.1 fixtures; then edits of the
//! whole document reaching the generated code. (The constructs of the provider's 2026 document
//! are in `constructs.rs`, the whole document's operations in `operations.rs`.)

mod common;

use common::{PROVIDER_2026, has, reference};
use serde_json::{Value, json};
use xtask::convert::convert;
use xtask::generate::generate_rust;

/// A minimal 3.1 document with the given component schemas and no operations.
fn with_schemas(schemas: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "fixture", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas}
    })
}

/// A 3.1 document with one `POST /things` operation.
fn with_operation(responses: Value, schemas: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "fixture", "version": "1"},
        "paths": {"/things": {"post": {
            "operationId": "makeThing",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/In"}}}},
            "responses": responses
        }}},
        "components": {"schemas": schemas}
    })
}

fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    &doc["components"]["schemas"][name]
}

#[test]
fn type_arrays_with_null_become_nullable() {
    let out = convert(&with_schemas(json!({
        "A": {"type": "object", "properties": {"n": {"type": ["integer", "null"]}}}
    })))
    .unwrap()
    .document;
    assert_eq!(out["openapi"], "3.0.3");
    assert_eq!(
        schema(&out, "A")["properties"]["n"],
        json!({"type": "integer", "nullable": true})
    );
}

#[test]
fn type_arrays_with_several_types_become_a_union_of_one_branch_per_type() {
    let out = convert(&with_schemas(json!({
        "Id": {"type": ["string", "integer", "null"], "minLength": 2, "minimum": 5, "description": "d"}
    })))
    .unwrap()
    .document;
    let id = schema(&out, "Id");
    assert_eq!(id["nullable"], true);
    assert_eq!(id["description"], "d");
    let branches = id["oneOf"].as_array().unwrap();
    assert_eq!(branches.len(), 2);
    assert_eq!(branches[0]["type"], "string");
    assert_eq!(branches[0]["minLength"], 2);
    assert!(branches[0].get("minimum").is_none());
    assert_eq!(branches[1]["type"], "integer");
    assert_eq!(branches[1]["minimum"], 5);
    generate_rust(&out).unwrap();
}

#[test]
fn const_becomes_a_one_value_enum_with_its_type() {
    let out = convert(&with_schemas(json!({
        "A": {"type": "object", "properties": {"kind": {"const": "thing"}, "version": {"const": 2}}}
    })))
    .unwrap()
    .document;
    let props = &schema(&out, "A")["properties"];
    assert_eq!(props["kind"], json!({"type": "string", "enum": ["thing"]}));
    assert_eq!(props["version"], json!({"type": "integer", "enum": [2]}));
}

#[test]
fn null_inside_enum_becomes_nullable() {
    let out = convert(&with_schemas(json!({
        "Effort": {"type": ["string", "null"], "enum": ["low", "high", null]}
    })))
    .unwrap()
    .document;
    assert_eq!(
        schema(&out, "Effort"),
        &json!({"type": "string", "enum": ["low", "high"], "nullable": true})
    );
}

#[test]
fn examples_become_example() {
    let out = convert(&with_schemas(
        json!({"M": {"type": "string", "examples": ["first", "second"]}}),
    ))
    .unwrap()
    .document;
    assert_eq!(
        schema(&out, "M"),
        &json!({"type": "string", "example": "first"})
    );
}

#[test]
fn numeric_exclusive_bounds_become_boolean_flags() {
    let out = convert(&with_schemas(json!({
        "P": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "Q": {"type": "number", "minimum": 3, "exclusiveMinimum": 1}
    })))
    .unwrap()
    .document;
    assert_eq!(
        schema(&out, "P"),
        &json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1})
    );
    // The inclusive bound is the stricter one here.
    assert_eq!(schema(&out, "Q"), &json!({"type": "number", "minimum": 3}));
}

#[test]
fn integer_lower_bound_of_one_is_lowered_so_literals_convert() {
    let converted = convert(&with_schemas(
        json!({"N": {"type": ["integer", "null"], "minimum": 1}}),
    ))
    .unwrap();
    assert_eq!(
        schema(&converted.document, "N"),
        &json!({"type": "integer", "minimum": 0, "nullable": true})
    );
    assert!(
        converted
            .notes
            .iter()
            .any(|n| n.pointer == "/components/schemas/N" && n.message.contains("NonZeroU64"))
    );
}

#[test]
fn null_branches_make_the_union_nullable() {
    let out = convert(&with_schemas(json!({
        "Seed": {"oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}, {"type": "null"}]},
        "Maybe": {"anyOf": [{"$ref": "#/components/schemas/Target"}, {"type": "null"}], "description": "maybe a target"},
        "Inline": {"oneOf": [{"type": "string", "maxLength": 3}, {"type": "null"}]},
        "Target": {"type": "object", "properties": {"x": {"type": "string"}}}
    })))
    .unwrap()
    .document;
    let seed = schema(&out, "Seed");
    assert_eq!(seed["nullable"], true);
    assert_eq!(seed["oneOf"].as_array().unwrap().len(), 2);
    assert_eq!(
        schema(&out, "Maybe"),
        &json!({"allOf": [{"$ref": "#/components/schemas/Target"}], "nullable": true, "description": "maybe a target"})
    );
    assert_eq!(
        schema(&out, "Inline"),
        &json!({"type": "string", "maxLength": 3, "nullable": true})
    );
    let code = generate_rust(&out).unwrap();
    assert!(
        has(&code, "pub struct Maybe(pub ::std::option::Option<Target>)"),
        "{code}"
    );
}

#[test]
fn ref_siblings_are_dropped_when_documentation_and_wrapped_otherwise() {
    let out = convert(&with_schemas(json!({
        "A": {"type": "object", "properties": {
            "documented": {"$ref": "#/components/schemas/B", "description": "just words"},
            "constrained": {"$ref": "#/components/schemas/B", "default": {"x": "y"}}
        }},
        "B": {"type": "object", "properties": {"x": {"type": "string"}}}
    })))
    .unwrap()
    .document;
    let props = &schema(&out, "A")["properties"];
    assert_eq!(
        props["documented"],
        json!({"$ref": "#/components/schemas/B"})
    );
    assert_eq!(
        props["constrained"]["allOf"],
        json!([{"$ref": "#/components/schemas/B"}])
    );
    assert_eq!(props["constrained"]["default"], json!({"x": "y"}));
}

#[test]
fn additional_properties_false_is_dropped_with_a_note() {
    let converted = convert(&with_schemas(json!({
        "Strict": {"type": "object", "additionalProperties": false, "properties": {"a": {"type": "string"}}}
    })))
    .unwrap();
    assert!(
        schema(&converted.document, "Strict")
            .get("additionalProperties")
            .is_none()
    );
    assert!(
        converted
            .notes
            .iter()
            .any(|n| n.message.contains("deny_unknown_fields"))
    );
}

#[test]
fn any_of_becomes_one_of() {
    let out = convert(&with_schemas(
        json!({"R": {"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "string"}]}}),
    ))
    .unwrap()
    .document;
    assert!(schema(&out, "R").get("anyOf").is_none());
    assert_eq!(schema(&out, "R")["oneOf"].as_array().unwrap().len(), 2);
}

#[test]
fn a_response_with_json_and_event_stream_is_split_into_two_operations() {
    let doc = with_operation(
        json!({
            "200": {"description": "ok", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Out"}},
                "text/event-stream": {"schema": {"$ref": "#/components/schemas/Event"}}
            }},
            "4XX": {"description": "bad", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Err"}}}}
        }),
        json!({
            "In": {"type": "object", "properties": {"stream": {"type": "boolean"}}},
            "Out": {"type": "object", "properties": {"id": {"type": "string"}}},
            "Event": {"type": "object", "properties": {"data": {"type": "string"}}},
            "Err": {"type": "object", "properties": {"message": {"type": "string"}}}
        }),
    );
    let out = convert(&doc).unwrap().document;
    let json_op = &out["paths"]["/things"]["post"];
    let stream_op = &out["paths"]["/things#stream"]["post"];
    assert_eq!(json_op["operationId"], "makeThing");
    assert_eq!(stream_op["operationId"], "makeThingStream");
    let json_media: Vec<&String> = json_op["responses"]["200"]["content"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    let stream_media: Vec<&String> = stream_op["responses"]["200"]["content"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(json_media, ["application/json"]);
    assert_eq!(stream_media, ["text/event-stream"]);
    // Both halves keep the error responses.
    assert_eq!(stream_op["responses"]["4XX"], json_op["responses"]["4XX"]);

    let code = generate_rust(&out).unwrap();
    assert!(has(&code, "pub async fn make_thing<'a>(&'a self"), "{code}");
    assert!(
        has(&code, "pub async fn make_thing_stream<'a>(&'a self"),
        "{code}"
    );
    assert!(has(&code, "ResponseValue<ByteStream>"), "{code}");
    assert!(has(&code, "\"{}/things#stream\""), "{code}");
}

#[test]
fn error_responses_share_one_schema_and_default_becomes_4xx_and_5xx() {
    let doc = with_operation(
        json!({
            "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Out"}}}},
            "422": {"description": "invalid"},
            "default": {"description": "other", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Err"}}}}
        }),
        json!({
            "In": {"type": "object"},
            "Out": {"type": "object", "properties": {"id": {"type": "string"}}},
            "Err": {"type": "object", "properties": {"message": {"type": "string"}}}
        }),
    );
    let converted = convert(&doc).unwrap();
    let responses = &converted.document["paths"]["/things"]["post"]["responses"];
    assert!(responses.get("default").is_none());
    let err = json!({"$ref": "#/components/schemas/Err"});
    for code in ["422", "4XX", "5XX"] {
        assert_eq!(
            responses[code]["content"]["application/json"]["schema"], err,
            "{code}"
        );
    }
    assert!(
        converted
            .notes
            .iter()
            .any(|n| n.pointer.ends_with("/responses/default"))
    );
    // Without the rewrite progenitor panics on 200 + default; with it, it generates.
    let code = generate_rust(&converted.document).unwrap();
    assert!(has(&code, "Error<types::Err>"), "{code}");
}

#[test]
fn inline_response_schemas_are_moved_to_components() {
    let doc = with_operation(
        json!({
            "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}},
            "400": {"description": "bad", "content": {"application/json": {"schema": {"type": "object", "properties": {"why": {"type": "string"}}}}}}
        }),
        json!({"In": {"type": "object"}}),
    );
    let out = convert(&doc).unwrap().document;
    assert!(schema(&out, "MakeThingResponse")["properties"]["id"].is_object());
    assert!(schema(&out, "MakeThingError")["properties"]["why"].is_object());
    let code = generate_rust(&out).unwrap();
    assert!(
        has(
            &code,
            "Result<ResponseValue<types::MakeThingResponse>, Error<types::MakeThingError>>"
        ),
        "{code}"
    );
}

#[test]
fn enums_reachable_from_responses_are_open_and_request_enums_only_when_marked() {
    let doc = with_operation(
        json!({"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Out"}}}}}),
        json!({
            "In": {"type": "object", "properties": {
                "mode": {"type": "string", "enum": ["a", "b"]},
                "effort": {"type": ["string", "null"], "enum": ["low", "high", null], "x-open-enum": true}
            }},
            "Out": {"type": "object", "required": ["reason"], "properties": {
                "reason": {"$ref": "#/components/schemas/Reason"},
                "object": {"const": "thing"}
            }},
            "Reason": {"type": "string", "enum": ["stop", "length"]}
        }),
    );
    let out = convert(&doc).unwrap().document;
    assert_eq!(
        schema(&out, "In")["properties"]["mode"],
        json!({"type": "string", "enum": ["a", "b"]})
    );
    let effort = &schema(&out, "In")["properties"]["effort"];
    assert_eq!(effort["nullable"], true);
    assert_eq!(effort["oneOf"][0]["enum"], json!(["low", "high"]));
    assert_eq!(
        effort["oneOf"][1],
        json!({"title": "InEffortUnknown", "type": "string", "description": "A value this version of the SDK does not know, kept as sent."})
    );
    assert_eq!(schema(&out, "Reason")["oneOf"][0]["title"], "ReasonKnown");
    assert_eq!(
        schema(&out, "Out")["properties"]["object"]["oneOf"][0]["enum"],
        json!(["thing"])
    );

    let code = generate_rust(&out).unwrap();
    assert!(
        has(
            &code,
            "pub enum Reason {\n        Known(ReasonKnown),\n        Unknown(::std::string::String),"
        ),
        "{code}"
    );
}

#[test]
fn discriminated_unions_are_inlined_into_tagged_enums_and_multi_value_tags_split() {
    let doc = with_schemas(json!({
        "Tool": {
            "oneOf": [
                {"$ref": "#/components/schemas/FunctionTool"},
                {"$ref": "#/components/schemas/BuiltIn"}
            ],
            "discriminator": {"propertyName": "type", "mapping": {
                "function": "#/components/schemas/FunctionTool",
                "math:calculator": "#/components/schemas/BuiltIn",
                "web:search": "#/components/schemas/BuiltIn"
            }}
        },
        "FunctionTool": {"type": "object", "required": ["type", "name"], "properties": {
            "type": {"const": "function"}, "name": {"type": "string"}, "strict": {"type": "boolean"}
        }},
        "BuiltIn": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string", "enum": ["math:calculator", "web:search"]}}}
    }));
    let out = convert(&doc).unwrap().document;
    let branches = schema(&out, "Tool")["oneOf"].as_array().unwrap();
    assert_eq!(branches.len(), 3);
    assert_eq!(
        branches[2]["properties"]["type"],
        json!({"type": "string", "enum": ["web:search"]})
    );
    assert!(schema(&out, "Tool").get("discriminator").is_none());
    // The inlined components are no longer referenced, so they are gone.
    assert!(out["components"]["schemas"].get("FunctionTool").is_none());
    assert!(out["components"]["schemas"].get("BuiltIn").is_none());

    let code = generate_rust(&out).unwrap();
    assert!(
        has(&code, "#[serde(tag = \"type\")]\n    pub enum Tool {"),
        "{code}"
    );
    assert!(
        has(
            &code,
            "#[serde(rename = \"math:calculator\")]\n        MathCalculator,"
        ),
        "{code}"
    );
    assert!(
        has(&code, "Function { name: ::std::string::String,"),
        "{code}"
    );
}

#[test]
fn titles_inside_unions_are_qualified_so_generated_names_do_not_collide() {
    let out = convert(&with_schemas(json!({
        "Choice": {"oneOf": [{"title": "Mode", "type": "string", "enum": ["a", "b"]}, {"type": "integer"}]},
        "Other": {"oneOf": [{"title": "Mode", "type": "string", "enum": ["x", "y"]}, {"type": "boolean"}]}
    })))
    .unwrap()
    .document;
    assert_eq!(schema(&out, "Choice")["oneOf"][0]["title"], "ChoiceMode");
    assert_eq!(schema(&out, "Other")["oneOf"][0]["title"], "OtherMode");
    // Unqualified, both enums would be named `Mode` and one would silently replace the other.
    let code = generate_rust(&out).unwrap();
    assert!(has(&code, "pub enum ChoiceMode {"), "{code}");
    assert!(has(&code, "pub enum OtherMode {"), "{code}");
    assert!(
        has(
            &code,
            "pub enum Choice { ChoiceMode(ChoiceMode), Integer(i64), }"
        ),
        "{code}"
    );
}

/// Inline schemas are moved to components named after the operation; a component of the
/// provider that already has that name must not be replaced (the operations that use it would
/// silently answer another type).
#[test]
fn a_hoisted_schema_never_replaces_a_component_of_the_same_name() {
    let doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "fixture", "version": "1"},
        "paths": {
            "/create": {"post": {
                "operationId": "create",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"x": {"type": "integer"}}}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}}}}}
            }},
            "/other": {"post": {
                "operationId": "other",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateBody"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateResponse"}}}}}
            }}
        },
        "components": {"schemas": {
            "CreateBody": {"type": "object", "properties": {"mine": {"type": "boolean"}}},
            "CreateResponse": {"type": "object", "properties": {"keep": {"type": "boolean"}}}
        }}
    });
    match convert(&doc) {
        Err(problem) => assert!(
            problem.pointer.starts_with("/paths/~1create/post"),
            "{problem}"
        ),
        Ok(converted) => {
            let out = converted.document;
            assert_eq!(
                schema(&out, "CreateBody")["properties"]["mine"]["type"],
                "boolean"
            );
            assert_eq!(
                schema(&out, "CreateResponse")["properties"]["keep"]["type"],
                "boolean"
            );
            let text = out.to_string();
            assert!(text.contains("\"x\"") && text.contains("\"a\""), "{out:#}");
        }
    }
}

/// Two success responses with different inline schemas are hoisted under one name
/// (`{OpId}Response`): the last one replaces the first, and the first is lost without a note.
#[test]
fn different_inline_success_schemas_are_not_merged_silently() {
    let doc = with_operation(
        json!({
            "200": {"description": "found", "content": {"application/json": {"schema": {"type": "object", "properties": {"found_id": {"type": "string"}}}}}},
            "201": {"description": "made", "content": {"application/json": {"schema": {"type": "object", "properties": {"made_count": {"type": "integer"}}}}}}
        }),
        json!({"In": {"type": "object"}}),
    );
    match convert(&doc) {
        Err(problem) => assert!(
            problem.pointer.starts_with("/paths/~1things/post"),
            "{problem}"
        ),
        Ok(converted) => {
            let text = converted.document.to_string();
            assert!(
                text.contains("\"found_id\"") && text.contains("\"made_count\""),
                "{text}"
            );
        }
    }
}

/// The regeneration path of a maintainer: a new optional field and a new built-in tool in the
/// document reach the generated code with no other change.
#[test]
fn a_new_field_and_a_new_built_in_tool_reach_the_generated_code() {
    let root = xtask::workspace::root();
    let mut source = xtask::document::load(&root.join(xtask::workspace::SPEC)).unwrap();
    add_field_and_tool(&mut source);
    let derived = xtask::workspace::derive_progenitor_json(&source).unwrap();
    assert_new_field_and_tool(&derived);
}

/// The same from the provider's side: the provider's document changes, `cargo xtask import`
/// brings the change in (our overlay still applies), and it reaches the generated code.
#[test]
fn a_change_of_the_provider_reaches_the_generated_code_through_import() {
    let Some(provider_path) = reference(PROVIDER_2026) else {
        return;
    };
    let mut provider = xtask::document::load(&provider_path).unwrap();
    add_field_and_tool(&mut provider);
    let overlay =
        xtask::document::load(&xtask::workspace::root().join(xtask::workspace::OVERLAY)).unwrap();
    let imported = xtask::import::import(&provider, &overlay).unwrap();
    let derived = xtask::workspace::derive_progenitor_json(&imported.document).unwrap();
    assert_new_field_and_tool(&derived);
}

fn add_field_and_tool(document: &mut Value) {
    let schemas = &mut document["components"]["schemas"];
    let body = &mut schemas["ServerlessToolAssistedChatCompletionBody"]["properties"];
    assert!(
        body.is_object(),
        "the tool-assisted chat body has properties"
    );
    body["speculative_decoding"] = json!({
        "anyOf": [{"type": "boolean"}, {"type": "null"}],
        "description": "A field added upstream."
    });
    let tools = schemas["FriendliBuiltInTool"]["properties"]["type"]["enum"]
        .as_array_mut()
        .expect("the built-in tools are an enum");
    tools.push(json!("math:geometry"));
    let mapping = &mut schemas["ToolAssistedChatTool"]["discriminator"]["mapping"];
    assert!(mapping.is_object(), "the tools are a discriminated union");
    mapping["math:geometry"] = json!("#/components/schemas/FriendliBuiltInTool");
}

fn assert_new_field_and_tool(derived: &xtask::workspace::Derived) {
    assert!(has(
        &derived.rust,
        "pub speculative_decoding: ::std::option::Option<bool>"
    ));
    assert!(has(
        &derived.rust,
        "#[serde(rename = \"math:geometry\")] MathGeometry,"
    ));
    // And the progenitor form would change accordingly.
    assert!(derived.json.contains("\"speculative_decoding\""));
    assert!(derived.json.contains("\"math:geometry\""));
}

#[test]
fn required_answer_fields_with_a_const_a_default_or_a_null_may_be_left_out() {
    let doc = with_operation(
        json!({"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Out"}}}}}),
        json!({
            "In": {"type": "object", "required": ["kind"], "properties": {
                "kind": {"const": "thing"}
            }},
            "Out": {"type": "object", "required": ["id", "object", "count", "note", "part"], "properties": {
                "id": {"type": "string"},
                "object": {"const": "thing"},
                "count": {"type": "integer", "default": 1},
                "note": {"type": ["string", "null"]},
                "part": {"type": "object", "required": ["type", "text"], "properties": {
                    "type": {"const": "text"},
                    "text": {"type": "string"}
                }}
            }}
        }),
    );
    let out = convert(&doc).unwrap().document;
    let answer = schema(&out, "Out");
    // Only what the document does not pin stays required.
    assert_eq!(answer["required"], json!(["id", "part"]));
    assert_eq!(answer["properties"]["object"]["default"], "thing");
    assert_eq!(answer["properties"]["part"]["required"], json!(["text"]));
    assert_eq!(
        answer["properties"]["part"]["properties"]["type"]["default"],
        "text"
    );
    // The request side is left as the document says.
    assert_eq!(schema(&out, "In")["required"], json!(["kind"]));

    // The Rust type stays what it was; a missing value takes the pinned one.
    let code = generate_rust(&out).unwrap();
    assert!(
        has(
            &code,
            "#[serde(default = \"defaults::out_object\")]\n        pub object: OutObject,"
        ),
        "{code}"
    );
    assert!(
        has(
            &code,
            "super::OutObject::Known(super::OutObjectKnown::Thing)"
        ),
        "{code}"
    );
    assert!(has(&code, "pub count: i64,"), "{code}");
}

/// A document with the same chat request for three APIs (`model` required by two of them,
/// `null` allowed by the third), and an image request whose values differ between two.
fn one_request_for_several_apis() -> Value {
    let op = |id: &str, tag: &str, body: &str| {
        json!({"post": {
            "operationId": id, "tags": [tag],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{body}")}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
        }})
    };
    let chat = |required: Value, model: Value, description: &str| {
        json!({"type": "object", "description": description, "required": required, "properties": {
            "model": model,
            "messages": {"type": "array", "items": {"type": "string"}},
            "mode": {"type": "string", "enum": ["fast", "slow"]}
        }})
    };
    let image = |formats: Value| {
        json!({"type": "object", "required": ["prompt"], "properties": {
            "prompt": {"type": "string"},
            "format": {"type": "string", "enum": formats}
        }})
    };
    json!({
        "openapi": "3.1.0",
        "info": {"title": "fixture", "version": "1"},
        "paths": {
            "/serverless/chat": op("serverlessChat", "Serverless.Chat", "ServerlessChatBody"),
            "/dedicated/chat": op("dedicatedChat", "Dedicated.Chat", "DedicatedChatBody"),
            "/chat": op("containerChat", "Container.Chat", "ContainerChatBody"),
            "/dedicated/image": op("dedicatedImage", "Dedicated.Image", "DedicatedImageBody"),
            "/image": op("containerImage", "Container.Image", "ContainerImageBody")
        },
        "components": {"schemas": {
            "ServerlessChatBody": chat(json!(["model", "messages"]), json!({"type": "string", "description": "A model."}), "Serverless chat."),
            "DedicatedChatBody": chat(json!(["model", "messages"]), json!({"type": "string", "description": "An endpoint."}), "Dedicated chat."),
            "ContainerChatBody": chat(json!(["messages"]), json!({"type": ["string", "null"], "description": "An adapter."}), "Container chat."),
            "DedicatedImageBody": image(json!(["png", "jpeg"])),
            "ContainerImageBody": image(json!(["jpeg"]))
        }}
    })
}

#[test]
fn request_bodies_that_are_one_request_for_several_apis_are_one_type() {
    let converted = convert(&one_request_for_several_apis()).unwrap();
    let out = &converted.document;
    // One type, the loosest: `model` optional (and nullable), every member's words.
    let chat = schema(out, "ChatBody");
    assert_eq!(chat["required"], json!(["messages"]));
    assert_eq!(chat["properties"]["model"]["nullable"], true);
    let description = chat["description"].as_str().unwrap();
    for words in [
        "Serverless chat.",
        "Dedicated chat.",
        "Container chat.",
        "`model` (serverless, dedicated)",
    ] {
        assert!(description.contains(words), "{description}");
    }
    let model = chat["properties"]["model"]["description"].as_str().unwrap();
    assert!(
        model.contains("- serverless: A model.") && model.contains("- container: An adapter."),
        "{model}"
    );
    // The document's names are aliases of it.
    for name in [
        "ServerlessChatBody",
        "DedicatedChatBody",
        "ContainerChatBody",
    ] {
        assert!(out["components"]["schemas"].get(name).is_none(), "{name}");
        assert_eq!(out["x-friendli-aliases"][name], "ChatBody");
    }
    // The APIs that require `model` say so on their operations, for the call to check.
    let required = |path: &str| out["paths"][path]["post"]["x-friendli-required-fields"].clone();
    assert_eq!(required("/serverless/chat"), json!(["model"]));
    assert_eq!(required("/dedicated/chat"), json!(["model"]));
    assert_eq!(required("/chat"), Value::Null);
    let api = xtask::api::Api::from_converted(out).unwrap();
    let serverless = api
        .operations
        .iter()
        .find(|o| o.id == "serverlessChat")
        .unwrap();
    assert_eq!(serverless.required_fields, ["model"]);
    assert_eq!(serverless.body, xtask::api::Body::Json("ChatBody".into()));

    // Requests that differ in what they accept stay two types.
    assert!(schema(out, "DedicatedImageBody").is_object());
    assert!(schema(out, "ContainerImageBody").is_object());
    assert!(out["components"]["schemas"].get("ImageBody").is_none());
    let code = generate_rust(out).unwrap();
    assert!(has(&code, "pub struct ChatBody {"), "{code}");
    assert!(
        has(
            &code,
            "pub model: ::std::option::Option<::std::string::String>,"
        ),
        "{code}"
    );
}
