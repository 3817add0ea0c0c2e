//! One test per construct of the provider's 2026 document (issue 14, item 2), each on a small
//! fixture of our own run through the converter and through progenitor's generator: what the
//! progenitor form says, what Rust comes out of it, and, where the SDK reads it, what the
//! operation table makes of it.

mod common;

use common::{Generated, generate};
use serde_json::{Value, json};
use xtask::api::{Api, Body, Response, StreamEnd};

/// A 3.1 document with these paths and component schemas.
fn document(paths: Value, schemas: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "fixture", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas}
    })
}

/// A JSON response of a component schema.
fn json_response(schema: &str) -> Value {
    json!({"200": {"description": "ok", "content": {"application/json": {
        "schema": {"$ref": format!("#/components/schemas/{schema}")}
    }}}})
}

/// A JSON request body of a component schema.
fn json_body(schema: &str) -> Value {
    json!({"required": true, "content": {"application/json": {
        "schema": {"$ref": format!("#/components/schemas/{schema}")}
    }}})
}

fn table(generated: &Generated) -> Api {
    Api::from_converted(&generated.doc).unwrap()
}

fn operation<'a>(api: &'a Api, id: &str) -> &'a xtask::api::Operation {
    api.operations
        .iter()
        .find(|o| o.id == id)
        .unwrap_or_else(|| panic!("no operation `{id}` in {:#?}", api.operations))
}

/// `GET /items` answering `Item`, with these component schemas.
fn read_item(schemas: Value) -> Value {
    document(
        json!({"/items": {"get": {"operationId": "readItem", "responses": json_response("Item")}}}),
        schemas,
    )
}

#[test]
fn any_of_x_or_null_becomes_a_nullable_x_with_no_variant_names() {
    let out = generate(&read_item(json!({
        "Item": {"type": "object", "required": ["name"], "properties": {
            "name": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "count": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": null},
            "target": {"anyOf": [{"$ref": "#/components/schemas/Target"}, {"type": "null"}]},
            "meta": {"anyOf": [
                {"type": "object", "title": "Meta", "properties": {"a": {"type": "string"}}},
                {"type": "null"}
            ]},
            "mode": {"anyOf": [{"type": "string", "enum": ["fast", "slow"]}, {"type": "null"}]}
        }},
        "Target": {"type": "object", "properties": {"x": {"type": "string"}}}
    })));
    let props = &out.schema("Item")["properties"];
    assert_eq!(props["name"], json!({"type": "string", "nullable": true}));
    assert_eq!(props["count"]["type"], "integer");
    assert_eq!(props["count"]["nullable"], true);
    assert_eq!(
        props["target"],
        json!({"allOf": [{"$ref": "#/components/schemas/Target"}], "nullable": true})
    );
    // The one branch of the union is the property itself: no `anyOf`, no `oneOf`, and no title
    // that would name a type after a branch.
    let meta = props["meta"].as_object().unwrap();
    assert_eq!(meta["nullable"], true);
    assert_eq!(meta["type"], "object");
    assert!(!meta.contains_key("anyOf") && !meta.contains_key("oneOf"));
    assert!(!meta.contains_key("title"), "{meta:?}");
    // An open enum inside a nullable union is named after the property, not `…Variant0Known`.
    assert_eq!(props["mode"]["nullable"], true);
    assert_eq!(props["mode"]["oneOf"][0]["title"], "ItemModeKnown");
    assert_eq!(props["mode"]["oneOf"][1]["title"], "ItemModeUnknown");
    // `X | null` with one X is not an `anyOf` → `oneOf` rewrite, so it is not noted as one.
    assert!(
        !out.notes.iter().any(|n| n.message.contains("`anyOf`")),
        "{:#?}",
        out.notes
    );

    out.assert_rust("pub name: ::std::option::Option<::std::string::String>,");
    out.assert_rust("pub count: ::std::option::Option<i64>,");
    out.assert_rust("pub target: ::std::option::Option<Target>,");
    out.assert_rust("pub meta: ::std::option::Option<ItemMeta>,");
    out.assert_rust("pub struct ItemMeta {");
    out.assert_rust("pub mode: ::std::option::Option<ItemMode>,");
    out.assert_rust("pub enum ItemMode { Known(ItemModeKnown), Unknown(::std::string::String), }");
    out.assert_no_rust("Variant0");
    out.assert_no_rust("Variant1");
}

#[test]
fn const_becomes_a_one_value_enum_open_in_responses_closed_in_requests() {
    let out = generate(&document(
        json!({"/things": {"post": {
            "operationId": "makeThing",
            "requestBody": json_body("ThingBody"),
            "responses": json_response("Thing")
        }}}),
        json!({
            "ThingBody": {"type": "object", "required": ["kind"], "properties": {
                "kind": {"type": "string", "const": "fixed"},
                "version": {"const": 2}
            }},
            "Thing": {"type": "object", "required": ["object"], "properties": {
                "object": {"type": "string", "const": "thing"}
            }}
        }),
    ));
    let body = &out.schema("ThingBody")["properties"];
    assert_eq!(body["kind"], json!({"type": "string", "enum": ["fixed"]}));
    // Without a `type`, the type of the value is written out.
    assert_eq!(body["version"], json!({"type": "integer", "enum": [2]}));
    // In a response, the server may send another value one day: the enum is open.
    let object = &out.schema("Thing")["properties"]["object"];
    assert_eq!(object["oneOf"][0]["enum"], json!(["thing"]));
    assert_eq!(object["oneOf"][1]["type"], "string");

    out.assert_rust("pub kind: ThingBodyKind,");
    out.assert_rust("pub enum ThingBodyKind { #[serde(rename = \"fixed\")] Fixed, }");
    out.assert_rust("pub version: ::std::option::Option<ThingBodyVersion>,");
    out.assert_rust("pub struct ThingBodyVersion(i64);");
    out.assert_rust("pub object: ThingObject,");
    out.assert_rust(
        "pub enum ThingObject { Known(ThingObjectKnown), Unknown(::std::string::String), }",
    );
    out.assert_rust("pub enum ThingObjectKnown { #[serde(rename = \"thing\")] Thing, }");
}

#[test]
fn one_of_with_a_discriminator_becomes_an_internally_tagged_enum() {
    // The layout of the provider's `ToolAssistedChatTool`: titled `$ref` branches, `const` and
    // multi-value `enum` tags, an explicit mapping.
    let out = generate(&document(
        json!({"/chat": {"post": {
            "operationId": "chat",
            "requestBody": json_body("ChatBody"),
            "responses": {"204": {"description": "ok"}}
        }}}),
        json!({
            "ChatBody": {"type": "object", "properties": {
                "tools": {"anyOf": [
                    {"type": "array", "items": {"$ref": "#/components/schemas/ChatTool"}},
                    {"type": "null"}
                ]}
            }},
            "ChatTool": {
                "oneOf": [
                    {"$ref": "#/components/schemas/FunctionTool", "title": "Function"},
                    {"$ref": "#/components/schemas/BuiltInTool", "title": "Friendli"}
                ],
                "discriminator": {"propertyName": "type", "mapping": {
                    "function": "#/components/schemas/FunctionTool",
                    "math:calculator": "#/components/schemas/BuiltInTool",
                    "web:search": "#/components/schemas/BuiltInTool"
                }}
            },
            "FunctionTool": {"type": "object", "required": ["type", "name"], "properties": {
                "type": {"type": "string", "const": "function"},
                "name": {"type": "string"},
                "strict": {"anyOf": [{"type": "boolean"}, {"type": "null"}]}
            }},
            "BuiltInTool": {"type": "object", "required": ["type"], "properties": {
                "type": {"type": "string", "enum": ["math:calculator", "web:search"]}
            }}
        }),
    ));
    let tool = out.schema("ChatTool");
    assert!(tool.get("discriminator").is_none());
    let branches = tool["oneOf"].as_array().unwrap();
    // One branch per tag value: the built-in tool's two values are two branches.
    assert_eq!(branches.len(), 3, "{tool:#}");
    let tags: Vec<&Value> = branches
        .iter()
        .map(|b| &b["properties"]["type"]["enum"][0])
        .collect();
    assert_eq!(
        tags,
        [
            &json!("function"),
            &json!("math:calculator"),
            &json!("web:search")
        ]
    );
    assert!(branches.iter().all(|b| b.get("$ref").is_none()));
    // The branch components were copied in and are referenced nowhere else: they are gone.
    let schemas = out.doc["components"]["schemas"].as_object().unwrap();
    assert!(!schemas.contains_key("FunctionTool") && !schemas.contains_key("BuiltInTool"));
    assert!(
        out.note_at("/components/schemas/ChatTool")
            .is_some_and(|n| n.message.contains("tagged enum")),
        "{:#?}",
        out.notes
    );

    out.assert_rust("#[serde(tag = \"type\")] pub enum ChatTool {");
    out.assert_rust("#[serde(rename = \"function\")] Function { name: ::std::string::String,");
    out.assert_rust("#[serde(rename = \"math:calculator\")] MathCalculator,");
    out.assert_rust("#[serde(rename = \"web:search\")] WebSearch,");
    out.assert_rust("pub tools: ::std::option::Option<::std::vec::Vec<ChatTool>>,");
    out.assert_no_rust("#[serde(untagged)] pub enum ChatTool");
}

#[test]
fn prefix_items_tuples_degrade_to_arrays_with_a_note_naming_the_pointer() {
    // The provider's `AddSamplesResponse.samples` (pairs of strings), and a mixed tuple.
    let out = generate(&read_item(json!({
        "Item": {"type": "object", "required": ["samples"], "properties": {
            "samples": {"type": "array", "items": {
                "type": "array",
                "prefixItems": [{"type": "string"}, {"type": "string"}],
                "minItems": 2,
                "maxItems": 2
            }},
            "mixed": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false}
        }}
    })));
    let props = &out.schema("Item")["properties"];
    // Same element schema everywhere: an array of it.
    assert_eq!(
        props["samples"]["items"],
        json!({"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2})
    );
    // Different element schemas: an array of any JSON values; `items: false` (no more elements)
    // has no array form and goes too.
    assert_eq!(props["mixed"], json!({"type": "array", "items": {}}));
    assert!(!out.doc.to_string().contains("prefixItems"));

    let same = out
        .note_at("/components/schemas/Item/properties/samples/items/prefixItems")
        .unwrap_or_else(|| panic!("no note for `samples`: {:#?}", out.notes));
    assert!(
        same.message
            .contains("tuple of 2 elements degraded to an array of its element schema"),
        "{same}"
    );
    let mixed = out
        .note_at("/components/schemas/Item/properties/mixed/prefixItems")
        .unwrap_or_else(|| panic!("no note for `mixed`: {:#?}", out.notes));
    assert!(
        mixed.message.contains("an array of any JSON values"),
        "{mixed}"
    );

    out.assert_rust("pub samples: ::std::vec::Vec<[::std::string::String; 2usize]>,");
    out.assert_rust("pub mixed: ::std::vec::Vec<::serde_json::Value>,");
}

#[test]
fn additional_properties_true_a_schema_and_false() {
    let out = generate(&read_item(json!({
        "Item": {"type": "object", "properties": {
            "extra": {"type": "object", "additionalProperties": true},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "targets": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Target"}},
            "strict": {"type": "object", "additionalProperties": false, "properties": {"b": {"type": "string"}}}
        }},
        "Target": {"type": "object", "properties": {"x": {"type": "string"}}}
    })));
    let props = &out.schema("Item")["properties"];
    assert_eq!(props["extra"]["additionalProperties"], true);
    assert_eq!(
        props["counts"]["additionalProperties"],
        json!({"type": "integer"})
    );
    assert_eq!(
        props["targets"]["additionalProperties"],
        json!({"$ref": "#/components/schemas/Target"})
    );
    // `false` is dropped; as `strict` is only ever answered, it keeps unknown fields instead.
    assert_eq!(props["strict"]["additionalProperties"], json!({}));
    let note = out
        .note_at("/components/schemas/Item/properties/strict/additionalProperties")
        .unwrap_or_else(|| panic!("no note for `strict`: {:#?}", out.notes));
    assert!(note.message.contains("deny_unknown_fields"), "{note}");

    out.assert_rust("pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,");
    out.assert_rust("pub counts: ::std::collections::HashMap<::std::string::String, i64>,");
    out.assert_rust("pub targets: ::std::collections::HashMap<::std::string::String, Target>,");
    out.assert_rust("pub struct ItemStrict {");
    // A field the server adds later must not fail decoding.
    out.assert_no_rust("deny_unknown_fields");
    // `Item` has a property called `extra`: no map of unknown fields beside it.
    assert!(out.schema("Item").get("additionalProperties").is_none());
}

#[test]
fn answer_only_objects_keep_unknown_fields_and_request_objects_do_not() {
    let out = generate(&document(
        json!({"/items": {"post": {
            "operationId": "createItem",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Draft"}}}},
            "responses": json_response("Item"),
        }}}),
        json!({
            "Draft": {"type": "object", "properties": {"name": {"type": "string"}, "tag": {"$ref": "#/components/schemas/Tag"}}},
            "Item": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"},
                "tag": {"$ref": "#/components/schemas/Tag"},
                "owner": {"type": "object", "properties": {"login": {"type": "string"}}},
                "shape": {"oneOf": [
                    {"type": "object", "title": "Square", "required": ["side"], "properties": {"side": {"type": "number"}}},
                    {"type": "object", "title": "Circle", "required": ["radius"], "properties": {"radius": {"type": "number"}}}
                ]}
            }},
            "Tag": {"type": "object", "properties": {"label": {"type": "string"}}}
        }),
    ));
    assert_eq!(out.schema("Item")["additionalProperties"], json!({}));
    assert_eq!(
        out.schema("Item")["properties"]["owner"]["additionalProperties"],
        json!({})
    );
    // Union branches stay plain (typify makes enum variants of them).
    for branch in out.schema("Item")["properties"]["shape"]["oneOf"]
        .as_array()
        .unwrap()
    {
        assert!(branch.get("additionalProperties").is_none(), "{branch}");
    }
    // Reachable from a request: no map (its builder would have to be given one).
    assert!(out.schema("Draft").get("additionalProperties").is_none());
    assert!(out.schema("Tag").get("additionalProperties").is_none());
    let note = out
        .note_at("/components/schemas")
        .unwrap_or_else(|| panic!("no note: {:#?}", out.notes));
    assert!(note.message.contains("keep unknown fields"), "{note}");
    out.assert_rust("pub struct Item {");
    out.assert_rust("#[serde(flatten)]");
    out.assert_rust("pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,");
}

#[test]
fn multipart_bodies_are_left_out_of_the_progenitor_form_and_their_file_fields_listed() {
    let out = generate(&document(
        json!({"/samples/{split_id}": {"put": {
            "operationId": "upload_raw_samples",
            "tags": ["Dataset"],
            "parameters": [{"name": "split_id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "requestBody": {"required": true, "content": {"multipart/form-data": {
                "schema": {"$ref": "#/components/schemas/UploadBody"},
                "encoding": {"options": {"contentType": "application/json"}}
            }}},
            "responses": json_response("Uploaded")
        }}}),
        json!({
            "UploadBody": {"type": "object", "required": ["file", "purpose"], "properties": {
                "file": {"type": "string", "format": "binary"},
                "purpose": {"type": "string"},
                "options": {"type": "object", "properties": {"lang": {"type": "string"}}}
            }},
            "Uploaded": {"type": "object", "properties": {"ids": {"type": "array", "items": {"type": "string"}}}}
        }),
    ));
    let op = &out.doc["paths"]["/samples/{split_id}"]["put"];
    // The operation stays; progenitor cannot send the body, so it is not in its form...
    assert_eq!(op["operationId"], "upload_raw_samples");
    assert!(op.get("requestBody").is_none(), "{op:#}");
    // ...and the SDK learns where it went from a marker.
    assert_eq!(
        op["x-friendli-multipart"],
        json!({"schema": "UploadBody", "encoding": {"options": {"contentType": "application/json"}}})
    );
    let note = out
        .note_at("/paths/~1samples~1{split_id}/put/requestBody")
        .unwrap_or_else(|| panic!("no note for the body: {:#?}", out.notes));
    assert!(note.message.contains("multipart/form-data"), "{note}");
    // The file field is sent as a file part; the generated type has the other fields.
    let body = out.schema("UploadBody");
    assert!(body["properties"].get("file").is_none());
    assert_eq!(body["required"], json!(["purpose"]));
    assert_eq!(body["x-friendli-files"], json!(["file"]));
    assert!(
        out.note_at("/components/schemas/UploadBody")
            .is_some_and(|n| n.message.contains("file fields file")),
        "{:#?}",
        out.notes
    );

    out.assert_rust("pub async fn upload_raw_samples<'a>(");
    out.assert_rust("pub struct UploadBody {");
    out.assert_rust("pub purpose: ::std::string::String,");
    out.assert_rust("pub options: ::std::option::Option<UploadBodyOptions>,");
    out.assert_no_rust("pub file:");
    // The low-level method sends no body.
    out.assert_no_rust(".json(&body)");

    let api = table(&out);
    let upload = operation(&api, "upload_raw_samples");
    assert_eq!(upload.method, "put");
    assert_eq!(
        upload.body,
        Body::Multipart {
            schema: "UploadBody".into(),
            files: vec!["file".into()],
            json_parts: vec!["options".into()],
        }
    );
}

/// A chat operation as the provider writes it: the JSON answer at `/chat`, the event stream at
/// `/chat#stream`, two bodies that differ only in `stream`.
fn chat_with_stream_path(sentinel: bool) -> Value {
    let mut stream_media = json!({"schema": {"$ref": "#/components/schemas/ChatStreamSuccess"}});
    if sentinel {
        stream_media["x-speakeasy-sse-sentinel"] = json!("[DONE]");
    }
    document(
        json!({
            "/chat": {"post": {
                "operationId": "chatComplete",
                "tags": ["Serverless.Chat"],
                "x-speakeasy-name-override": "complete",
                "requestBody": json_body("ChatBody"),
                "responses": json_response("ChatResult")
            }},
            "/chat#stream": {"post": {
                "operationId": "chatStream",
                "tags": ["Serverless.Chat"],
                "x-speakeasy-name-override": "stream",
                "requestBody": json_body("ChatStreamBody"),
                "responses": {"200": {"description": "ok", "content": {"text/event-stream": stream_media}}}
            }}
        }),
        json!({
            "ChatBody": {"type": "object", "required": ["model"], "properties": {
                "model": {"type": "string"},
                "stream": {"anyOf": [{"type": "boolean", "const": false}, {"type": "null"}]}
            }},
            "ChatStreamBody": {"type": "object", "required": ["model", "stream"], "properties": {
                "model": {"type": "string"},
                "stream": {"type": "boolean", "const": true}
            }},
            "ChatResult": {"type": "object", "properties": {"id": {"type": "string"}}},
            "ChatStreamSuccess": {"type": "object", "required": ["data"], "properties": {
                "data": {"$ref": "#/components/schemas/ChatChunk"}
            }},
            "ChatChunk": {"type": "object", "properties": {"id": {"type": "string"}}}
        }),
    )
}

#[test]
fn an_sse_sentinel_is_kept_on_the_media_type_and_ends_the_stream() {
    let out = generate(&chat_with_stream_path(true));
    let media = &out.doc["paths"]["/chat#stream"]["post"]["responses"]["200"]["content"]["text/event-stream"];
    assert_eq!(media["x-speakeasy-sse-sentinel"], "[DONE]");
    assert_eq!(
        media["schema"],
        json!({"$ref": "#/components/schemas/ChatStreamSuccess"})
    );
    // progenitor hands the stream over as bytes; the SDK decodes the events.
    out.assert_rust(") -> Result<ResponseValue<ByteStream>, Error<()>> {");

    let api = table(&out);
    assert_eq!(
        operation(&api, "chatStream").response,
        Response::Events {
            event: "ChatChunkEvent".into(),
            end: StreamEnd::Sentinel("[DONE]".into()),
        }
    );
    // Without the sentinel, the stream ends with the body.
    let without = generate(&chat_with_stream_path(false));
    assert!(matches!(
        &operation(&table(&without), "chatStream").response,
        Response::Events {
            end: StreamEnd::Eof,
            ..
        }
    ));
}

#[test]
fn stream_paths_are_a_second_operation_at_the_same_url() {
    let out = generate(&chat_with_stream_path(true));
    let paths: Vec<&String> = out.doc["paths"].as_object().unwrap().keys().collect();
    assert_eq!(paths, ["/chat", "/chat#stream"]);
    out.assert_rust("pub async fn chat_complete<'a>(&'a self, body: &'a types::ChatBody,)");
    out.assert_rust("pub async fn chat_stream<'a>(&'a self, body: &'a types::ChatStreamBody,)");
    out.assert_rust(") -> Result<ResponseValue<types::ChatResult>, Error<()>> {");
    // The fragment is part of the URL progenitor formats; HTTP clients never send a fragment.
    out.assert_rust("let url = format!(\"{}/chat#stream\", self.baseurl,);");
    out.assert_rust("let url = format!(\"{}/chat\", self.baseurl,);");

    let api = table(&out);
    let complete = operation(&api, "chatComplete");
    let stream = operation(&api, "chatStream");
    assert_eq!(
        (complete.path.as_str(), stream.path.as_str()),
        ("/chat", "/chat")
    );
    assert_eq!(
        (complete.method.as_str(), stream.method.as_str()),
        ("post", "post")
    );
    assert_eq!(
        (complete.namespace.as_slice(), complete.method_name.as_str()),
        (
            ["serverless".to_owned(), "chat".to_owned()].as_slice(),
            "complete"
        )
    );
    assert_eq!(stream.method_name, "stream");
    // The two calls set `stream` to false and true; they share one body type, as the bodies
    // differ only in `stream`.
    assert_eq!(complete.stream_flag, Some(false));
    assert_eq!(stream.stream_flag, Some(true));
    assert_eq!(complete.body, Body::Json("ChatBody".into()));
    assert_eq!(stream.body, Body::Json("ChatBody".into()));
    assert_ne!(complete.type_name, stream.type_name);
}

/// A Messages-style stream: named events whose data is a discriminated union of components, and
/// no `[DONE]` at the end.
fn messages_stream(end_events: Option<Value>) -> Value {
    let mut media = json!({"schema": {"$ref": "#/components/schemas/MessagesStreamSuccess"}});
    if let Some(end) = end_events {
        media["x-friendli-end-events"] = end;
    }
    document(
        json!({
            "/messages#stream": {"post": {
                "operationId": "messagesStream",
                "requestBody": json_body("MessagesBody"),
                "responses": {"200": {"description": "ok", "content": {"text/event-stream": media}}}
            }},
            "/blocks": {"get": {
                "operationId": "listBlocks",
                "responses": json_response("Block")
            }}
        }),
        json!({
            "MessagesBody": {"type": "object", "properties": {"model": {"type": "string"}}},
            "MessagesStreamSuccess": {"type": "object", "required": ["data"], "properties": {
                "data": {"$ref": "#/components/schemas/MessagesStreamEvent"}
            }},
            "MessagesStreamEvent": {
                "oneOf": [
                    {"$ref": "#/components/schemas/MessageStart", "title": "Message Start"},
                    {"$ref": "#/components/schemas/MessageStop", "title": "Message Stop"}
                ],
                "discriminator": {"propertyName": "type", "mapping": {
                    "message_start": "#/components/schemas/MessageStart",
                    "message_stop": "#/components/schemas/MessageStop"
                }}
            },
            "MessageStart": {"type": "object", "required": ["type", "id"], "properties": {
                "type": {"type": "string", "const": "message_start"},
                "id": {"type": "string"}
            }},
            "MessageStop": {"type": "object", "required": ["type"], "properties": {
                "type": {"type": "string", "const": "message_stop"}
            }},
            // The same layout, not the events of a stream: inlined as usual.
            "Block": {
                "oneOf": [
                    {"$ref": "#/components/schemas/TextBlock"},
                    {"$ref": "#/components/schemas/ImageBlock"}
                ],
                "discriminator": {"propertyName": "type"}
            },
            "TextBlock": {"type": "object", "required": ["type"], "properties": {
                "type": {"type": "string", "const": "text"}, "text": {"type": "string"}
            }},
            "ImageBlock": {"type": "object", "required": ["type"], "properties": {
                "type": {"type": "string", "const": "image"}, "url": {"type": "string"}
            }}
        }),
    )
}

#[test]
fn a_named_event_stream_keeps_its_event_union_and_the_branch_components() {
    let out = generate(&messages_stream(Some(json!(["message_stop"]))));
    assert_eq!(
        xtask::convert::event_unions(&out.doc)
            .into_iter()
            .collect::<Vec<_>>(),
        ["MessagesStreamEvent"]
    );
    // The union of events is not inlined: one component per kind of event.
    let events = out.schema("MessagesStreamEvent");
    assert_eq!(events["discriminator"]["propertyName"], "type");
    assert_eq!(
        events["oneOf"],
        json!([
            {"$ref": "#/components/schemas/MessageStart"},
            {"$ref": "#/components/schemas/MessageStop"}
        ])
    );
    assert_eq!(
        out.schema("MessageStart")["required"],
        json!(["type", "id"])
    );
    out.schema("MessageStop");
    // The other union is.
    let schemas = out.doc["components"]["schemas"].as_object().unwrap();
    assert!(!schemas.contains_key("TextBlock") && !schemas.contains_key("ImageBlock"));
    // Only answered, it is opened: the tagged union is `BlockKnown`, beside an unknown kind.
    assert_eq!(
        out.schema("BlockKnown")["oneOf"].as_array().unwrap().len(),
        2
    );

    out.assert_rust("pub struct MessageStart { pub id: ::std::string::String,");
    out.assert_rust("pub struct MessageStop {");
    out.assert_rust("pub enum MessagesStreamEvent { Start(MessageStart), Stop(MessageStop), }");
    out.assert_rust("#[serde(tag = \"type\")] pub enum BlockKnown {");

    // The operation table: one variant per SSE event name, ending after `message_stop`.
    let api = table(&out);
    let Response::Events { event, end } = &operation(&api, "messagesStream").response else {
        panic!("not an event stream")
    };
    assert_eq!(end, &StreamEnd::Events(vec!["message_stop".into()]));
    let enum_ = &api.events[event];
    let variants: Vec<(&str, &str, &str)> = enum_
        .variants
        .iter()
        .map(|v| (v.event.as_str(), v.name.as_str(), v.data.as_str()))
        .collect();
    assert_eq!(
        variants,
        [
            ("message_start", "MessageStart", "MessageStart"),
            ("message_stop", "MessageStop", "MessageStop")
        ]
    );
    assert_eq!(enum_.tag.as_deref(), Some("type"));

    // Without our marker of the last event, the stream ends with the body (no `[DONE]`).
    let without = generate(&messages_stream(None));
    assert!(matches!(
        &operation(&table(&without), "messagesStream").response,
        Response::Events {
            end: StreamEnd::Eof,
            ..
        }
    ));
}

/// `GET`, `PUT`, `PATCH` and `DELETE` at one path with a path parameter, and query parameters.
fn item_methods() -> Value {
    let item_id =
        json!({"name": "item_id", "in": "path", "required": true, "schema": {"type": "string"}});
    document(
        json!({"/items/{item_id}": {
            "parameters": [item_id],
            "get": {
                "operationId": "getItem",
                "tags": ["Dedicated.Item"],
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}},
                    {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
                    {"name": "ids", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}}
                ],
                "responses": json_response("Item")
            },
            "put": {
                "operationId": "replaceItem",
                "tags": ["Dedicated.Item"],
                "requestBody": json_body("Item"),
                "responses": json_response("Item")
            },
            "patch": {
                "operationId": "patchItem",
                "tags": ["Dedicated.Item"],
                "requestBody": json_body("ItemPatch"),
                "responses": json_response("Item")
            },
            "delete": {
                "operationId": "deleteItem",
                "tags": ["Dedicated.Item"],
                "parameters": [{"name": "force", "in": "query", "required": true, "schema": {"type": "boolean"}}],
                "responses": {"204": {"description": "deleted"}}
            }
        }}),
        json!({
            "Item": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
            "ItemPatch": {"type": "object", "properties": {"name": {"type": "string"}}}
        }),
    )
}

#[test]
fn get_put_patch_delete_with_path_and_query_parameters() {
    let out = generate(&item_methods());
    for (method, name) in [
        ("get", "get_item"),
        ("put", "replace_item"),
        ("patch", "patch_item"),
        ("delete", "delete_item"),
    ] {
        out.assert_rust(&format!(
            "pub async fn {name}<'a>(&'a self, item_id: &'a str,"
        ));
        out.assert_rust(&format!(
            "Sends a `{}` request to `/items/{{item_id}}`",
            method.to_uppercase()
        ));
        out.assert_rust(&format!(".client.{method}(url)"));
    }
    // The path parameter: an argument of each method, encoded into the URL.
    out.assert_rust("\"{}/items/{}\", self.baseurl, encode_path(&item_id.to_string()),");
    // Query parameters: optional ones are `Option`s, the required one is not.
    out.assert_rust("limit: Option<i64>,");
    out.assert_rust("order: Option<types::GetItemOrder>,");
    out.assert_rust("ids: Option<&'a ::std::vec::Vec<::std::string::String>>,");
    out.assert_rust(".query(&progenitor_client::QueryParam::new(\"limit\", &limit))");
    out.assert_rust("force: bool,");
    out.assert_rust(".query(&progenitor_client::QueryParam::new(\"force\", &force))");
    out.assert_rust("pub enum GetItemOrder {");
    // Bodies of PUT and PATCH.
    out.assert_rust("body: &'a types::Item,");
    out.assert_rust("body: &'a types::ItemPatch,");

    let api = table(&out);
    let get = operation(&api, "getItem");
    assert_eq!(get.method, "get");
    assert_eq!(get.group, "dedicated");
    assert_eq!(get.namespace, ["dedicated", "item"]);
    assert_eq!(get.method_name, "get_item");
    assert_eq!(get.path_params.len(), 1);
    assert_eq!(
        (
            get.path_params[0].name.as_str(),
            get.path_params[0].required
        ),
        ("item_id", true)
    );
    let query: Vec<(&str, &str, bool, bool)> = get
        .query_params
        .iter()
        .map(|p| (p.name.as_str(), p.rust_type.as_str(), p.required, p.list))
        .collect();
    assert_eq!(
        query,
        [
            ("limit", "i64", false, false),
            ("order", "String", false, false),
            ("ids", "String", false, true)
        ]
    );
    let delete = operation(&api, "deleteItem");
    assert_eq!(delete.response, Response::Empty);
    assert!(delete.query_params[0].required);
    assert_eq!(
        operation(&api, "patchItem").body,
        Body::Json("ItemPatch".into())
    );
    assert_eq!(operation(&api, "replaceItem").method, "put");
}

#[test]
fn optional_nullable_parameters_become_plain_optional_parameters() {
    let out = generate(&document(
        json!({"/v1/models": {"get": {
            "operationId": "listModels",
            "parameters": [
                {"name": "after", "in": "query", "required": false, "schema": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
                {"name": "limit", "in": "query", "schema": {"type": ["integer", "null"]}},
                {"name": "X-Friendli-Team", "in": "header", "schema": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
                {"name": "region", "in": "query", "required": true, "schema": {"anyOf": [{"type": "string"}, {"type": "null"}]}}
            ],
            "responses": json_response("Models")
        }}}),
        json!({"Models": {"type": "object", "properties": {"ids": {"type": "array", "items": {"type": "string"}}}}}),
    ));
    let parameters = out.doc["paths"]["/v1/models"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let schemas: Vec<&Value> = parameters.iter().map(|p| &p["schema"]).collect();
    assert_eq!(
        schemas,
        [
            &json!({"type": "string"}),
            &json!({"type": "integer"}),
            &json!({"type": "string"}),
            &json!({"type": "string"})
        ]
    );
    // Leaving an optional parameter out is how it says null: nothing is lost, nothing noted.
    // A required one that may be null cannot be sent as null: noted.
    let parameter_notes: Vec<&str> = out
        .notes
        .iter()
        .filter(|n| n.pointer.contains("/parameters/"))
        .map(|n| n.pointer.as_str())
        .collect();
    assert_eq!(
        parameter_notes,
        ["/paths/~1v1~1models/get/parameters/3/schema"]
    );

    // progenitor formats an optional parameter's value with `to_string()`; it must be the
    // value's, not an `Option`'s.
    out.assert_rust("after: Option<&'a str>,");
    out.assert_rust("limit: Option<i64>,");
    out.assert_rust("x_friendli_team: Option<&'a str>,");
    out.assert_rust("region: &'a str,");
    out.assert_rust(
        "if let Some(value) = x_friendli_team { header_map.append(\"X-Friendli-Team\", value.to_string().try_into()?); }",
    );
    out.assert_no_rust("Option<::std::option::Option");
    out.assert_no_rust("Option<Option");

    let api = table(&out);
    let list = operation(&api, "listModels");
    assert!(list.team);
    let query: Vec<(&str, &str, bool)> = list
        .query_params
        .iter()
        .map(|p| (p.name.as_str(), p.rust_type.as_str(), p.required))
        .collect();
    assert_eq!(
        query,
        [
            ("after", "String", false),
            ("limit", "i64", false),
            ("region", "String", true)
        ]
    );
}

#[test]
fn inline_request_bodies_are_hoisted_to_op_id_body() {
    let out = generate(&document(
        json!({"/v1/tokenize": {"post": {
            "operationId": "serverlessTokenization",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object", "required": ["prompt"], "properties": {"prompt": {"type": "string"}}
            }}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"tokens": {"type": "array", "items": {"type": "integer"}}}
            }}}}}
        }}}),
        json!({}),
    ));
    let op = &out.doc["paths"]["/v1/tokenize"]["post"];
    assert_eq!(
        op["requestBody"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/ServerlessTokenizationBody"})
    );
    assert_eq!(
        out.schema("ServerlessTokenizationBody")["required"],
        json!(["prompt"])
    );
    out.schema("ServerlessTokenizationResponse");
    out.assert_rust("pub struct ServerlessTokenizationBody { pub prompt: ::std::string::String, }");
    out.assert_rust("body: &'a types::ServerlessTokenizationBody,");
    assert_eq!(
        operation(&table(&out), "serverlessTokenization").body,
        Body::Json("ServerlessTokenizationBody".into())
    );
}

#[test]
fn answers_the_document_does_not_describe_share_one_neutral_name() {
    let untyped =
        json!({"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}});
    let out = generate(&document(
        json!({
            "/datasets/{id}": {"delete": {"operationId": "deleteDataset",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": untyped.clone()}},
            "/endpoints/{id}": {"delete": {"operationId": "deleteEndpoint",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": untyped}}
        }),
        json!({}),
    ));
    let named = json!({"$ref": "#/components/schemas/UntypedResponse"});
    for path in ["/datasets/{id}", "/endpoints/{id}"] {
        assert_eq!(
            out.doc["paths"][path]["delete"]["responses"]["200"]["content"]["application/json"]["schema"],
            named,
            "{path}"
        );
    }
    assert!(
        out.doc["components"]["schemas"]
            .get("DeleteDatasetResponse")
            .is_none()
    );
    assert_eq!(
        operation(&table(&out), "deleteEndpoint").response,
        Response::Json("UntypedResponse".into())
    );
}

#[test]
fn identical_inline_property_types_of_request_bodies_share_one_component() {
    let tool_choice = json!({"anyOf": [
        {"type": "string", "enum": ["none", "auto", "required"]},
        {"type": "null"}
    ]});
    let out = generate(&document(
        json!({
            "/a": {"post": {"operationId": "a", "requestBody": json_body("ABody"), "responses": {"204": {"description": "ok"}}}},
            "/b": {"post": {"operationId": "b", "requestBody": json_body("BBody"), "responses": {"204": {"description": "ok"}}}}
        }),
        json!({
            "ABody": {"type": "object", "properties": {"tool_choice": tool_choice, "x": {"type": "string"}}},
            "BBody": {"type": "object", "properties": {"tool_choice": tool_choice}}
        }),
    ));
    let shared = json!({"allOf": [{"$ref": "#/components/schemas/ToolChoice"}], "nullable": true});
    assert_eq!(out.schema("ABody")["properties"]["tool_choice"], shared);
    assert_eq!(out.schema("BBody")["properties"]["tool_choice"], shared);
    assert_eq!(
        out.schema("ToolChoice")["enum"],
        json!(["none", "auto", "required"])
    );
    assert!(
        out.note_at("/components/schemas/ToolChoice")
            .is_some_and(|n| n.message.contains("ABody, BBody")),
        "{:#?}",
        out.notes
    );
    out.assert_rust("pub enum ToolChoice {");
    out.assert_no_rust("pub enum ABodyToolChoice");
    out.assert_no_rust("pub enum BBodyToolChoice");
    out.assert_rust("pub tool_choice: ::std::option::Option<ToolChoice>,");
}

#[test]
fn a_component_that_only_references_another_becomes_an_alias() {
    let out = generate(&document(
        json!({"/chat": {"post": {
            "operationId": "chatComplete",
            "responses": json_response("ChatCompleteSuccess")
        }}}),
        json!({
            "ChatCompleteSuccess": {"$ref": "#/components/schemas/ChatResult", "title": "ChatCompleteSuccess"},
            "ChatResult": {"type": "object", "properties": {"id": {"type": "string"}}}
        }),
    ));
    assert!(
        out.doc["components"]["schemas"]
            .get("ChatCompleteSuccess")
            .is_none()
    );
    assert_eq!(
        out.doc["x-friendli-aliases"],
        json!({"ChatCompleteSuccess": "ChatResult"})
    );
    assert_eq!(
        out.doc["paths"]["/chat"]["post"]["responses"]["200"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/ChatResult"})
    );
    out.assert_rust("Result<ResponseValue<types::ChatResult>, Error<()>>");
    out.assert_no_rust("pub struct ChatCompleteSuccess");
}

#[test]
fn tagged_unions_only_answered_are_opened_and_keep_an_unknown_kind() {
    let out = generate(&read_item(json!({
        "Item": {"type": "object", "required": ["block"], "properties": {
            "block": {"$ref": "#/components/schemas/Block"}
        }},
        "Block": {"discriminator": {"propertyName": "type"}, "oneOf": [
            {"$ref": "#/components/schemas/TextBlock"},
            {"$ref": "#/components/schemas/ImageBlock"}
        ]},
        "TextBlock": {"type": "object", "required": ["type", "text"], "properties": {
            "type": {"const": "text"}, "text": {"type": "string"}}},
        "ImageBlock": {"type": "object", "required": ["type", "url"], "properties": {
            "type": {"const": "image"}, "url": {"type": "string"}}}
    })));
    let open = out.schema("Block");
    assert_eq!(
        open["oneOf"][0],
        json!({"$ref": "#/components/schemas/BlockKnown"})
    );
    assert_eq!(open["oneOf"][1]["title"], "BlockUnknown");
    assert_eq!(open["oneOf"][1]["additionalProperties"], json!({}));
    assert_eq!(
        out.schema("BlockKnown")["oneOf"].as_array().unwrap().len(),
        2
    );
    assert!(
        out.notes
            .iter()
            .any(|n| n.pointer == "/components/schemas/Block"
                && n.message.contains("unknown `type` is kept")),
        "{:#?}",
        out.notes
    );
    out.assert_rust("pub enum Block {");
    out.assert_rust("Known(BlockKnown)");
    out.assert_rust("#[serde(tag = \"type\")]");
}
