//! Paged lists are detected from the document (a `GET` with a `cursor` query parameter whose JSON
//! answer has `data` and `nextCursor`), and each gets a generated `Paginated` impl: the layout of
//! its `data` and its cursor, nothing written per operation.

mod common;

use common::{generate, has};
use serde_json::{Value, json};
use xtask::api::{Api, PageShape, Pagination};
use xtask::workspace;

fn cursor_param() -> Value {
    json!({"name": "cursor", "in": "query", "required": false,
           "schema": {"anyOf": [{"type": "string", "format": "binary"}, {"type": "null"}]}})
}

fn list_op(id: &str, response: &str, cursor: bool) -> Value {
    let parameters = if cursor {
        vec![
            cursor_param(),
            json!({"name": "limit", "in": "query", "schema": {"type": "integer"}}),
        ]
    } else {
        vec![]
    };
    json!({"operationId": id, "parameters": parameters, "responses": {"200": {
        "description": "ok",
        "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{response}")}}}
    }}})
}

fn page_schema(data: Value) -> Value {
    json!({"type": "object", "properties": {
        "data": data,
        "nextCursor": {"anyOf": [{"type": "string", "format": "binary"}, {"type": "null"}]}
    }})
}

/// A page schema that requires its `data`.
fn required_page_schema(data: Value) -> Value {
    let mut schema = page_schema(data);
    schema["required"] = json!(["data"]);
    schema
}

fn table() -> (Api, String) {
    let document = json!({
        "openapi": "3.1.0",
        "info": {"title": "fixture", "version": "1"},
        "paths": {
            "/things": {
                "get": list_op("listThings", "ThingPage", true),
                "post": list_op("postThings", "ThingPage", true)
            },
            "/things/by-id": {"get": list_op("listThingsById", "ThingMap", true)},
            "/pairs": {"get": list_op("listPairs", "PairPage", true)},
            "/no-cursor": {"get": list_op("listWithoutCursor", "ThingPage", false)},
            "/no-next": {"get": list_op("listWithoutNext", "NoNext", true)}
        },
        "components": {"schemas": {
            "Thing": {"type": "object", "properties": {"id": {"type": "string"}}},
            "ThingPage": required_page_schema(json!({"type": "array", "items": {"$ref": "#/components/schemas/Thing"}})),
            "ThingMap": page_schema(json!({"type": "object", "default": {},
                "additionalProperties": {"$ref": "#/components/schemas/Thing"}})),
            "PairPage": page_schema(json!({"type": "array", "items": {
                "type": "array", "minItems": 2, "maxItems": 2,
                "prefixItems": [{"type": "string"}, {"type": "string"}]
            }})),
            "NoNext": {"type": "object", "properties": {
                "data": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}
            }}
        }}
    });
    let generated = generate(&document);
    let api = Api::from_converted(&generated.doc).unwrap();
    let code = xtask::emit::operations(&api);
    (api, code)
}

fn pagination<'a>(api: &'a Api, id: &str) -> Option<&'a Pagination> {
    api.operations
        .iter()
        .find(|o| o.id == id)
        .unwrap_or_else(|| panic!("no operation {id}"))
        .pagination
        .as_ref()
}

#[test]
fn a_get_with_a_cursor_answering_data_and_next_cursor_is_a_paged_list() {
    let (api, code) = table();
    assert_eq!(
        pagination(&api, "listThings"),
        Some(&Pagination {
            cursor: "cursor".into(),
            shape: PageShape::List,
            item: "crate::types::Thing".into(),
            data_required: true,
        })
    );
    assert!(
        has(
            &code,
            "impl crate::pagination::Paginated for ListThings {
                type Data = crate::pagination::List<crate::types::Thing>;
                #[inline]
                fn cursor(&self) -> Option<&str> { self.cursor.as_deref() }
                #[inline]
                fn set_cursor(&mut self, cursor: Option<String>) { self.cursor = cursor; }
            }"
        ),
        "{code}"
    );
}

#[test]
fn object_data_pages_pairs_and_inline_items_get_their_own_types() {
    let (api, code) = table();
    let by_id = pagination(&api, "listThingsById").unwrap();
    assert_eq!(by_id.shape, PageShape::Map);
    assert_eq!(by_id.item, "crate::types::Thing");
    // Its `data` is optional (default `{}`): a page without it is an empty page.
    assert!(!by_id.data_required);
    assert!(has(
        &code,
        "type Data = crate::pagination::Map<crate::types::Thing>;
        const DATA_REQUIRED: bool = false;"
    ));
    // A fixed-size array of two strings.
    let pairs = pagination(&api, "listPairs").unwrap();
    assert_eq!(pairs.item, "[String; 2]");
}

#[test]
fn lookalikes_are_not_paged() {
    let (api, code) = table();
    for id in ["postThings", "listWithoutCursor", "listWithoutNext"] {
        assert_eq!(pagination(&api, id), None, "{id}");
    }
    assert_eq!(code.matches("impl crate::pagination::Paginated").count(), 3);
}

#[test]
fn the_api_document_has_five_paged_lists() {
    let source = xtask::document::load(&workspace::root().join(workspace::SPEC)).unwrap();
    let converted = xtask::convert::convert(&source).unwrap();
    let api = Api::from_converted(&converted.document).unwrap();
    let mut paged: Vec<(&str, PageShape, &str, bool)> = api
        .operations
        .iter()
        .filter_map(|o| {
            let p = o.pagination.as_ref()?;
            Some((o.id.as_str(), p.shape, p.item.as_str(), p.data_required))
        })
        .collect();
    paged.sort_by_key(|p| p.0);
    assert_eq!(
        paged,
        [
            (
                "dedicatedGetEndpointVersionHistory",
                PageShape::Map,
                "crate::types::DedicatedEndpointSpec",
                false
            ),
            (
                "dedicatedListEndpoints",
                PageShape::Map,
                "crate::types::DedicatedEndpointStatus",
                false
            ),
            (
                "list_datasets",
                PageShape::List,
                "crate::types::DatasetInfo",
                true
            ),
            ("list_samples", PageShape::List, "[String; 2]", true),
            (
                "list_splits",
                PageShape::List,
                "crate::types::SplitInfo",
                true
            ),
        ]
    );
}
