//! The operation table: every operation of the converted document, with everything the generated
//! code of the SDK needs to know about it, and the partition of the schemas into the feature
//! groups of `friendli-gen`.
//!
//! It is read from the progenitor form of the document (after [`crate::convert`]), in which every
//! request and response body is a named component, so that the names here are the names typify
//! gives the generated types.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToPascalCase, ToSnakeCase};
use serde_json::Value;

use crate::document::{
    METHODS, Problem, escape, join, reachable_schemas, referenced_schemas, schema_ref_name,
};

/// The feature groups of the SDK, in order. Every operation belongs to one; `shared` holds the
/// schemas of more than one group (and those of none).
pub const GROUPS: [&str; 4] = ["serverless", "dedicated", "container", "platform"];

/// The name of the group of schemas used by more than one feature group.
pub const SHARED: &str = "shared";

/// The whole table.
#[derive(Debug, Clone)]
pub struct Api {
    /// Every operation, in the order of the document's paths.
    pub operations: Vec<Operation>,
    /// Event types of event streams, by name.
    pub events: BTreeMap<String, EventEnum>,
    /// The group whose module generates each component schema (`shared` or a feature group).
    pub home: BTreeMap<String, String>,
    /// The Rust name typify gives each component schema.
    pub type_names: BTreeMap<String, String>,
    /// The names of the document that are another component's (`x-friendli-aliases` of the
    /// converted document: alias → target).
    pub aliases: BTreeMap<String, String>,
    /// Where the table degrades what the document says (an event stream read as raw events, an
    /// event type renamed), each at its JSON pointer in the converted document.
    pub notes: Vec<Problem>,
}

/// One operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `operationId`.
    pub id: String,
    /// The name of its type in `friendli::operations` (`ServerlessChatComplete`).
    pub type_name: String,
    /// Lower-case HTTP method.
    pub method: String,
    /// The path template, without a `#fragment`.
    pub path: String,
    /// The feature group.
    pub group: String,
    /// The namespace path from the client (`["serverless", "chat"]`).
    pub namespace: Vec<String>,
    /// The method name in its namespace (snake case).
    pub method_name: String,
    /// Path parameters, in the order of the template.
    pub path_params: Vec<Param>,
    /// Query parameters.
    pub query_params: Vec<Param>,
    /// Whether it takes `X-Friendli-Team`.
    pub team: bool,
    /// Whether it needs the token.
    pub auth: bool,
    /// The default server of the operation when it is not the API's (`http://localhost:8000`
    /// for container operations).
    pub server: Option<String>,
    /// The request body.
    pub body: Body,
    /// The success response.
    pub response: Response,
    /// `Some(false)`/`Some(true)`: the call sets the body's `stream` field to this.
    pub stream_flag: Option<bool>,
    /// False for operations that create, delete or upload.
    pub idempotent: bool,
    /// How the operation pages, for a paged list (see [`Pagination`]).
    pub pagination: Option<Pagination>,
    /// Marked ignored by the provider's SDKs.
    pub ignored: bool,
    /// The body fields the operation requires that its (merged) body type leaves optional (see
    /// [`crate::merge`]).
    pub required_fields: Vec<String>,
    /// Our summary and description.
    pub summary: Option<String>,
    /// Our description.
    pub description: Option<String>,
}

/// How a paged list operation pages: a `GET` with an optional string query parameter `cursor`
/// whose JSON answer has `data` (an array, or an object of id → item) and `nextCursor` (a string,
/// `null` on the last page). Detected from the document, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagination {
    /// The Rust field of the cursor query parameter.
    pub cursor: String,
    /// The layout of `data`, and so what an item is.
    pub shape: PageShape,
    /// The Rust type of an item of the array, or of a value of the object.
    pub item: String,
    /// Whether the page schema lists `data` as required (a page without it is then an error, not
    /// an empty page).
    pub data_required: bool,
}

/// The layout of the `data` of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageShape {
    /// An array: each element is an item.
    List,
    /// An object: each member is an item, `(key, value)`, in the server's order.
    Map,
}

/// The query parameter that carries a page's cursor.
pub const CURSOR_PARAM: &str = "cursor";
/// The property of a page that holds its items.
pub const PAGE_DATA: &str = "data";
/// The property of a page that holds the cursor of the next page.
pub const PAGE_NEXT: &str = "nextCursor";

/// A path or query parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// The wire name.
    pub name: String,
    /// The Rust identifier.
    pub ident: String,
    /// The Rust type of the value.
    pub rust_type: String,
    /// Whether it must be given.
    pub required: bool,
    /// A list (sent as repeated keys).
    pub list: bool,
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// No body.
    None,
    /// A JSON body of this component schema.
    Json(String),
    /// A `multipart/form-data` body: the component schema of its fields (file fields left out),
    /// the file fields, and the fields sent as JSON parts.
    Multipart {
        /// The component schema.
        schema: String,
        /// The file fields.
        files: Vec<String>,
        /// Fields sent as `application/json` parts.
        json_parts: Vec<String>,
    },
}

/// A success response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// No body.
    Empty,
    /// A JSON body of this component schema.
    Json(String),
    /// An event stream of this event type, ending so.
    Events {
        /// The event enum's name.
        event: String,
        /// How the stream ends.
        end: StreamEnd,
    },
    /// An event stream whose events do not fit a shape the SDK generates an event type for:
    /// read as raw events (the event name and the data as JSON), ending so.
    RawEvents {
        /// How the stream ends.
        end: StreamEnd,
    },
}

/// The name of the event type of raw event streams (see [`Response::RawEvents`]), in
/// `friendli::events`.
pub const RAW_EVENT: &str = "RawEvent";

/// How an event stream ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEnd {
    /// At a `data:` payload equal to this.
    Sentinel(String),
    /// After an event of one of these names.
    Events(Vec<String>),
    /// When the body ends.
    Eof,
}

/// The type of the events of an event stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventEnum {
    /// The enum's name.
    pub name: String,
    /// The schema it is generated from (for its documentation).
    pub schema: String,
    /// Its kinds of events.
    pub variants: Vec<EventVariant>,
    /// The kind of an event without a name, if any.
    pub default: Option<String>,
    /// The property of the data that names the kind, when the SSE event name may be missing.
    pub tag: Option<String>,
}

/// One kind of event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventVariant {
    /// The SSE event name (or tag value).
    pub event: String,
    /// The variant's name.
    pub name: String,
    /// The component schema of its data.
    pub data: String,
    /// Boxed in the enum.
    pub boxed: bool,
}

/// The Rust name typify gives a component schema.
pub fn type_name(schema: &str) -> String {
    let cleaned: String = schema
        .replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    cleaned.to_pascal_case()
}

/// A snake-case Rust identifier for a wire name, keywords escaped with a trailing `_`.
pub fn ident(name: &str) -> String {
    let snake = name.to_snake_case();
    let snake = if snake.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        format!("_{snake}")
    } else {
        snake
    };
    if KEYWORDS.contains(&snake.as_str()) {
        format!("{snake}_")
    } else {
        snake
    }
}

const KEYWORDS: [&str; 39] = [
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "gen", "try",
];

/// The group of a tag (`Serverless.Chat` → `serverless`, `Cost` → `platform`).
fn group_of_tag(tag: &str) -> &'static str {
    match tag.split('.').next().unwrap_or_default() {
        "Serverless" => "serverless",
        "Dedicated" => "dedicated",
        "Container" => "container",
        _ => "platform",
    }
}

/// The namespace path of a tag (`Serverless.ChatRender` → `serverless`, `chat_render`).
fn namespace_of_tag(tag: &str) -> Vec<String> {
    tag.split('.').map(|s| s.to_snake_case()).collect()
}

/// What reading the operations needs from the whole document.
struct Reader<'d> {
    doc: &'d Value,
    schemas: serde_json::Map<String, Value>,
    type_names: BTreeMap<String, String>,
    /// Whether the document requires a token unless an operation says otherwise.
    root_security: bool,
    /// The event types read so far, by name.
    events: BTreeMap<String, EventEnum>,
    notes: Vec<Problem>,
}

impl Api {
    /// Builds the table from a converted (progenitor-form) document.
    pub fn from_converted(doc: &Value) -> Result<Api, Problem> {
        let schemas = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut reader = Reader {
            doc,
            type_names: schemas.keys().map(|n| (n.clone(), type_name(n))).collect(),
            schemas,
            root_security: doc
                .get("security")
                .and_then(Value::as_array)
                .is_some_and(|s| !s.is_empty()),
            events: BTreeMap::new(),
            notes: Vec::new(),
        };
        let mut operations = Vec::new();
        for (key, item) in doc
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    operations.push(reader.operation(key, item, method, op)?);
                }
            }
        }
        unique_names(&mut operations, &mut reader.notes);
        pair_stream_twins(&reader.schemas, &mut operations);
        find_file_fields(doc, &mut operations);
        let home = partition(doc, &reader.schemas, &operations);
        let aliases = doc
            .get("x-friendli-aliases")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
            .collect();
        Ok(Api {
            operations,
            events: reader.events,
            home,
            type_names: reader.type_names,
            aliases,
            notes: reader.notes,
        })
    }

    /// The Rust path of a component's type from inside the `friendli` crate.
    pub fn rust_type(&self, schema: &str) -> String {
        format!(
            "crate::types::{}",
            self.type_names
                .get(schema)
                .cloned()
                .unwrap_or_else(|| type_name(schema))
        )
    }
}

impl Reader<'_> {
    /// One operation of the document: `op`, the `method` of the path item `item` at `key`.
    fn operation(
        &mut self,
        key: &str,
        item: &Value,
        method: &str,
        op: &Value,
    ) -> Result<Operation, Problem> {
        let (path, fragment) = match key.split_once('#') {
            Some((p, f)) => (p.to_owned(), Some(f.to_owned())),
            None => (key.to_owned(), None),
        };
        let op_ptr = join(&join("/paths", key), method);
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .ok_or_else(|| Problem::new(&op_ptr, "the operation has no operationId"))?
            .to_owned();
        let tag = op
            .pointer("/tags/0")
            .and_then(Value::as_str)
            .unwrap_or("Misc");
        let method_name = op
            .get("x-speakeasy-name-override")
            .and_then(Value::as_str)
            .map_or_else(|| id.to_snake_case(), |n| n.to_snake_case());
        let auth = match op.get("security") {
            Some(Value::Array(list)) => !list.is_empty(),
            _ => self.root_security,
        };
        let server = [op, item]
            .into_iter()
            .find_map(|o| o.pointer("/servers/0/url").and_then(Value::as_str))
            .map(str::to_owned);
        let params = self.parameters(&path, item, op);
        let response = self.response(&id, &op_ptr, op);
        let pagination = pagination(
            &self.schemas,
            &self.type_names,
            method,
            &params.query,
            &response,
        );
        Ok(Operation {
            type_name: id.to_pascal_case(),
            method: method.to_owned(),
            path,
            group: group_of_tag(tag).to_owned(),
            namespace: namespace_of_tag(tag),
            method_name,
            path_params: params.path,
            query_params: params.query,
            team: params.team,
            auth,
            server,
            body: body(op),
            response,
            stream_flag: fragment.as_deref().map(|_| true),
            idempotent: op.get("x-friendli-idempotent").and_then(Value::as_bool) != Some(false),
            pagination,
            ignored: op.get("x-speakeasy-ignore").and_then(Value::as_bool) == Some(true),
            required_fields: op
                .get(crate::merge::REQUIRED_FIELDS)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            summary: op.get("summary").and_then(Value::as_str).map(str::to_owned),
            description: op
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
            id,
        })
    }

    /// The path and query parameters of an operation (those of its path item, then its own), and
    /// whether it takes `X-Friendli-Team`.
    fn parameters(&self, path: &str, item: &Value, op: &Value) -> Parameters {
        let mut out = Parameters::default();
        let parameters = [item, op].into_iter().flat_map(|o| {
            o.get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        });
        for parameter in parameters {
            let parameter = resolve_parameter(self.doc, parameter);
            let name = parameter
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let location = parameter
                .get("in")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let required = parameter
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            match location {
                "header" if name.eq_ignore_ascii_case("x-friendli-team") => out.team = true,
                "path" | "query" => {
                    let schema = parameter.get("schema").unwrap_or(&Value::Null);
                    let (rust_type, list) = param_type(schema, &self.type_names);
                    let param = Param {
                        ident: ident(&name),
                        name,
                        rust_type,
                        required: required || location == "path",
                        list,
                    };
                    if location == "path" {
                        out.path.push(param);
                    } else {
                        out.query.push(param);
                    }
                }
                _ => {}
            }
        }
        // Path parameters in the order of the template.
        out.path
            .sort_by_key(|p| path.find(&format!("{{{}}}", p.name)).unwrap_or(usize::MAX));
        out
    }

    /// The success response of an operation: nothing, JSON, or an event stream (whose event type
    /// is recorded, or which is read as raw events, with a note saying why).
    fn response(&mut self, id: &str, op_ptr: &str, op: &Value) -> Response {
        let (code, success) = op
            .get("responses")
            .and_then(Value::as_object)
            .and_then(|r| r.iter().find(|(c, _)| c.starts_with('2')))
            .map(|(c, v)| (c.clone(), v.clone()))
            .unwrap_or_default();
        let content = success.get("content").and_then(Value::as_object);
        if let Some(media) = content.and_then(|c| c.get("text/event-stream")) {
            let schema_ptr = format!(
                "{}/content/text~1event-stream/schema",
                join(&join(op_ptr, "responses"), &code)
            );
            return self.event_stream(id, &schema_ptr, media);
        }
        match content
            .and_then(|c| c.iter().find(|(k, _)| k.contains("json")))
            .and_then(|(_, m)| m.pointer("/schema/$ref"))
            .and_then(Value::as_str)
            .and_then(schema_ref_name)
        {
            Some(name) => Response::Json(name.to_owned()),
            None => Response::Empty,
        }
    }

    /// An event-stream response: its event type (named after the operation when another stream's
    /// events have the name), or raw events when its shape or its name does not fit.
    fn event_stream(&mut self, id: &str, schema_ptr: &str, media: &Value) -> Response {
        let end = stream_end(media);
        let mut event = match event_enum(self.doc, media.get("schema").unwrap_or(&Value::Null)) {
            Ok(event) => event,
            Err(why) => {
                self.notes.push(raw_stream_note(schema_ptr, &why));
                return Response::RawEvents { end };
            }
        };
        let name = event.name.clone();
        if self
            .events
            .get(&name)
            .is_some_and(|existing| existing != &event)
        {
            // Another stream's events already have the name: this one's are named after the
            // operation.
            let own = format!("{}Event", id.to_pascal_case());
            self.notes.push(Problem::new(
                schema_ptr,
                format!(
                    "another event stream's events are called `{name}`; this one's are `{own}`"
                ),
            ));
            event.name = own;
        }
        let name = event.name.clone();
        if self
            .events
            .get(&name)
            .is_some_and(|existing| existing != &event)
        {
            self.notes.push(raw_stream_note(
                schema_ptr,
                &format!("its event type `{name}` is taken"),
            ));
            return Response::RawEvents { end };
        }
        self.events.insert(name.clone(), event);
        Response::Events { event: name, end }
    }
}

/// The path and query parameters of an operation.
#[derive(Default)]
struct Parameters {
    path: Vec<Param>,
    query: Vec<Param>,
    team: bool,
}

/// The request body of an operation: a multipart form (from its marker), a JSON component, or
/// none.
fn body(op: &Value) -> Body {
    if let Some(marker) = op.get("x-friendli-multipart") {
        let schema = marker
            .get("schema")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let json_parts = marker
            .get("encoding")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(_, e)| {
                e.get("contentType").and_then(Value::as_str) == Some("application/json")
            })
            .map(|(k, _)| k.clone())
            .collect();
        return Body::Multipart {
            files: Vec::new(),
            schema,
            json_parts,
        };
    }
    match op
        .pointer("/requestBody/content/application~1json/schema/$ref")
        .and_then(Value::as_str)
        .and_then(schema_ref_name)
    {
        Some(name) => Body::Json(name.to_owned()),
        None => Body::None,
    }
}

/// How an event stream ends: at the document's sentinel, after one of its end events, or at the
/// end of the body.
fn stream_end(media: &Value) -> StreamEnd {
    if let Some(sentinel) = media
        .get("x-speakeasy-sse-sentinel")
        .and_then(Value::as_str)
    {
        StreamEnd::Sentinel(sentinel.to_owned())
    } else if let Some(Value::Array(names)) = media.get("x-friendli-end-events") {
        StreamEnd::Events(
            names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        )
    } else {
        StreamEnd::Eof
    }
}

/// Twins: a `#stream` operation and the operation at the same path and method. The call sets the
/// `stream` field of the body of each (when the body has one), and the stream twin takes its
/// twin's body when the two differ only in `stream`.
fn pair_stream_twins(schemas: &serde_json::Map<String, Value>, operations: &mut [Operation]) {
    let twins: Vec<(usize, usize)> = operations
        .iter()
        .enumerate()
        .filter(|(_, o)| o.stream_flag == Some(true))
        .filter_map(|(i, stream)| {
            operations
                .iter()
                .position(|o| {
                    o.stream_flag.is_none() && o.path == stream.path && o.method == stream.method
                })
                .map(|j| (i, j))
        })
        .collect();
    for (stream, complete) in twins {
        if has_stream_field(schemas, &operations[complete].body) {
            operations[complete].stream_flag = Some(false);
        }
        if same_but_stream(
            schemas,
            &operations[stream].body,
            &operations[complete].body,
        ) {
            operations[stream].body = operations[complete].body.clone();
        }
        if !has_stream_field(schemas, &operations[stream].body) {
            operations[stream].stream_flag = None;
        }
    }
}

/// Whether a body has a `stream` field (a union of bodies: in every branch).
fn has_stream_field(schemas: &serde_json::Map<String, Value>, body: &Body) -> bool {
    let name = match body {
        Body::Json(name) => name,
        Body::Multipart { schema, .. } => schema,
        Body::None => return false,
    };
    let has = |n: &str| {
        schemas
            .get(n)
            .and_then(|s| s.pointer("/properties/stream"))
            .is_some()
    };
    match schemas
        .get(name)
        .and_then(|s| s.get("oneOf"))
        .and_then(Value::as_array)
    {
        Some(branches) => branches.iter().all(|b| {
            b.get("$ref")
                .and_then(Value::as_str)
                .and_then(schema_ref_name)
                .is_some_and(has)
        }),
        None => has(name),
    }
}

/// The file fields of multipart bodies (left out of the progenitor form, listed there).
fn find_file_fields(doc: &Value, operations: &mut [Operation]) {
    for operation in operations {
        if let Body::Multipart { schema, files, .. } = &mut operation.body {
            *files = doc
                .pointer(&format!(
                    "/components/schemas/{}/x-friendli-files",
                    escape(schema)
                ))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
        }
    }
}

/// Names that would collide in the generated code are made unique, each with a note: two
/// operations whose ids give the same type name (`list_models`, `listModels`), two methods of the
/// same name in one namespace, and a method named like a namespace under its own (or like the
/// handle's `client()`).
fn unique_names(operations: &mut [Operation], notes: &mut Vec<Problem>) {
    let note = |op: &Operation, what: &str, old: &str, new: &str| {
        Problem::new(
            join(&join("/paths", &op.path), &op.method),
            format!(
                "the {what} `{old}` of `{}` is taken by another operation; it is `{new}`",
                op.id
            ),
        )
    };
    let mut types = BTreeSet::new();
    for op in operations.iter_mut() {
        if types.insert(op.type_name.clone()) {
            continue;
        }
        let base = format!("{}{}", op.type_name, op.method.to_pascal_case());
        let mut unique = base.clone();
        let mut n = 2;
        while types.contains(&unique) {
            unique = format!("{base}{n}");
            n += 1;
        }
        notes.push(note(op, "type name", &op.type_name, &unique));
        types.insert(unique.clone());
        op.type_name = unique;
    }
    // Method names per namespace: the child namespaces and `client` are taken first.
    let mut taken: BTreeMap<Vec<String>, BTreeSet<String>> = BTreeMap::new();
    for op in operations.iter() {
        for depth in 1..op.namespace.len() {
            taken
                .entry(op.namespace[..depth].to_vec())
                .or_default()
                .insert(op.namespace[depth].clone());
        }
    }
    for op in operations.iter_mut() {
        let names = taken
            .entry(op.namespace.clone())
            .or_insert_with(|| BTreeSet::from(["client".to_owned()]));
        names.insert("client".to_owned());
        if names.insert(op.method_name.clone()) {
            continue;
        }
        let base = op.id.to_snake_case();
        let base = if names.contains(&base) {
            format!("{}_{}", op.method_name, op.method)
        } else {
            base
        };
        let mut unique = base.clone();
        let mut n = 2;
        while names.contains(&unique) {
            unique = format!("{base}_{n}");
            n += 1;
        }
        notes.push(note(op, "method name", &op.method_name, &unique));
        names.insert(unique.clone());
        op.method_name = unique;
    }
}

/// How an operation pages, if it is a paged list (see [`Pagination`]).
fn pagination(
    schemas: &serde_json::Map<String, Value>,
    names: &BTreeMap<String, String>,
    method: &str,
    query_params: &[Param],
    response: &Response,
) -> Option<Pagination> {
    if method != "get" {
        return None;
    }
    let cursor = query_params
        .iter()
        .find(|p| p.name == CURSOR_PARAM && !p.required && !p.list && p.rust_type == "String")?;
    let Response::Json(name) = response else {
        return None;
    };
    let resolve = |schema: &Value| -> Value {
        match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(schema_ref_name)
        {
            Some(name) => schemas.get(name).cloned().unwrap_or(Value::Null),
            None => schema.clone(),
        }
    };
    let page = schemas.get(name)?;
    let properties = page.get("properties")?;
    let next = resolve(properties.get(PAGE_NEXT)?);
    if next.get("type").and_then(Value::as_str) != Some("string") {
        return None;
    }
    let data = resolve(properties.get(PAGE_DATA)?);
    let (shape, item) = match data.get("type").and_then(Value::as_str) {
        Some("array") => (PageShape::List, data.get("items")?),
        Some("object")
            if data
                .get("properties")
                .and_then(Value::as_object)
                .is_none_or(|p| p.is_empty()) =>
        {
            (
                PageShape::Map,
                data.get("additionalProperties").filter(|v| v.is_object())?,
            )
        }
        _ => return None,
    };
    let data_required = page
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|required| required.iter().any(|r| r.as_str() == Some(PAGE_DATA)));
    Some(Pagination {
        cursor: cursor.ident.clone(),
        shape,
        item: value_type(item, names),
        data_required,
    })
}

/// The Rust type of an inline schema, from inside the `friendli` crate: a component's type, a
/// scalar, a fixed-size array (`minItems` = `maxItems`, at most 32) or a `Vec`; anything else is a
/// `serde_json::Value`.
fn value_type(schema: &Value, names: &BTreeMap<String, String>) -> String {
    if let Some(rust_type) = named_or_scalar_type(schema, names) {
        return rust_type;
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => {
            let inner = value_type(schema.get("items").unwrap_or(&Value::Null), names);
            let min = schema.get("minItems").and_then(Value::as_u64);
            let max = schema.get("maxItems").and_then(Value::as_u64);
            match (min, max) {
                (Some(min), Some(max)) if min == max && (1..=32).contains(&min) => {
                    format!("[{inner}; {min}]")
                }
                _ => format!("Vec<{inner}>"),
            }
        }
        _ => "serde_json::Value".into(),
    }
}

/// The Rust type of a component (`$ref`, or an `allOf` of one) or of a scalar (integer, number,
/// boolean, string, `date-time` string), from inside the `friendli` crate; `None` for anything
/// else.
fn named_or_scalar_type(schema: &Value, names: &BTreeMap<String, String>) -> Option<String> {
    let reference = schema
        .get("$ref")
        .or_else(|| schema.pointer("/allOf/0/$ref"))
        .and_then(Value::as_str)
        .and_then(schema_ref_name);
    if let Some(name) = reference {
        return Some(format!(
            "crate::types::{}",
            names.get(name).cloned().unwrap_or_else(|| type_name(name))
        ));
    }
    let rust_type = match (
        schema.get("type").and_then(Value::as_str),
        schema.get("format").and_then(Value::as_str),
    ) {
        (Some("integer"), _) => "i64",
        (Some("number"), _) => "f64",
        (Some("boolean"), _) => "bool",
        (Some("string"), Some("date-time")) => "crate::types::DateTime",
        (Some("string"), _) => "String",
        _ => return None,
    };
    Some(rust_type.into())
}

fn resolve_parameter(doc: &Value, parameter: &Value) -> Value {
    match parameter.get("$ref").and_then(Value::as_str) {
        Some(reference) => doc
            .pointer(reference.trim_start_matches('#'))
            .cloned()
            .unwrap_or(Value::Null),
        None => parameter.clone(),
    }
}

/// The Rust type of a parameter's value, and whether it is a list.
fn param_type(schema: &Value, names: &BTreeMap<String, String>) -> (String, bool) {
    let list = schema.get("type").and_then(Value::as_str) == Some("array");
    let value = if list {
        schema.get("items").unwrap_or(&Value::Null)
    } else {
        schema
    };
    // Anything that is not a component or a scalar goes out as text.
    let rust_type = named_or_scalar_type(value, names).unwrap_or_else(|| "String".into());
    (rust_type, list)
}

/// Whether two bodies are the same but for their `stream` field (unions of bodies: branch by
/// branch).
fn same_but_stream(schemas: &serde_json::Map<String, Value>, a: &Body, b: &Body) -> bool {
    let name = |body: &Body| match body {
        Body::Json(n) => Some(n.clone()),
        Body::Multipart { schema, .. } => Some(schema.clone()),
        Body::None => None,
    };
    let (Some(a_name), Some(b_name)) = (name(a), name(b)) else {
        return false;
    };
    if std::mem::discriminant(a) != std::mem::discriminant(b) {
        return false;
    }
    let left = normalized(schemas, &a_name, 0);
    left.is_some() && left == normalized(schemas, &b_name, 0)
}

/// A schema's facts without its `stream` field and with its own name taken out of the titles of
/// its inline types; a union of references becomes the list of its branches, normalised.
fn normalized(schemas: &serde_json::Map<String, Value>, name: &str, depth: usize) -> Option<Value> {
    let mut schema = schemas.get(name)?.clone();
    if depth < 4
        && let Some(Value::Array(branches)) = schema.get("oneOf")
        && branches.iter().all(|b| b.get("$ref").is_some())
    {
        let resolved: Option<Vec<Value>> = branches
            .iter()
            .map(|b| {
                let branch = b
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(schema_ref_name)?;
                normalized(schemas, branch, depth + 1)
            })
            .collect();
        return resolved.map(Value::Array);
    }
    strip_docs(&mut schema);
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        properties.remove("stream");
    }
    if let Some(Value::Array(required)) = schema.get_mut("required") {
        required.retain(|r| r != "stream");
    }
    let text = schema.to_string().replace(&type_name(name), "@");
    serde_json::from_str(&text).ok()
}

fn strip_docs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("description");
            map.remove("example");
            map.values_mut().for_each(strip_docs);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_docs),
        _ => {}
    }
}

/// The note of an event stream read as raw events.
fn raw_stream_note(schema_ptr: &str, why: &str) -> Problem {
    Problem::new(
        schema_ptr,
        format!(
            "an event stream read as raw events (`friendli::events::{RAW_EVENT}`: the event name and its data as JSON): {why}"
        ),
    )
}

/// The event enum of an event stream's schema, or why the schema fits none of the shapes the
/// SDK generates event types for: a `{data}` envelope whose data is a component (a
/// discriminated union of kinds, or one kind), or a union of `{event, data}` envelopes
/// discriminated by `event`.
fn event_enum(doc: &Value, schema: &Value) -> Result<EventEnum, String> {
    let event = event_enum_shape(doc, schema)?;
    if event.variants.iter().all(|v| v.event == "error") {
        return Err("its schema names no kind of event".to_owned());
    }
    let mut seen = BTreeSet::new();
    for variant in &event.variants {
        let valid = variant
            .name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && variant
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid || variant.name == "Unknown" || !seen.insert(variant.name.clone()) {
            return Err(format!(
                "its kind `{}` has no variant name of its own (`{}`)",
                variant.event, variant.name
            ));
        }
        if doc
            .pointer(&format!("/components/schemas/{}", escape(&variant.data)))
            .is_none()
        {
            return Err(format!(
                "the data of its kind `{}` names no component schema",
                variant.event
            ));
        }
    }
    Ok(event)
}

/// The event enum of an event stream's schema as its shape says, unchecked (see [`event_enum`]).
fn event_enum_shape(doc: &Value, schema: &Value) -> Result<EventEnum, String> {
    let shapes = Shapes { doc };
    let (envelope_name, envelope) = shapes.follow(schema.clone());
    if envelope.get("discriminator").is_some() {
        let name = envelope_name.ok_or("its events are an inline union, not a component")?;
        return shapes.envelope_union(name, &envelope);
    }
    let data = envelope
        .pointer("/properties/data")
        .cloned()
        .ok_or("the schema of its events is not an envelope with `data`")?;
    let (data_name, data_schema) = shapes.follow(data);
    let data_name = data_name.ok_or("the data of its events is not a component schema")?;
    if data_schema.get("discriminator").is_some() {
        return Ok(shapes.data_union(data_name, &data_schema));
    }
    Ok(EventEnum {
        name: shapes.enum_name(&data_name, &data_schema),
        schema: data_name.clone(),
        variants: vec![EventVariant {
            event: String::new(),
            name: data_schema
                .get("x-friendli-event-variant")
                .and_then(Value::as_str)
                .unwrap_or("Data")
                .to_owned(),
            data: data_name,
            boxed: false,
        }],
        default: Some(String::new()),
        tag: None,
    })
}

/// Reading the shapes of event streams' schemas.
struct Shapes<'d> {
    doc: &'d Value,
}

impl Shapes<'_> {
    fn component(&self, name: &str) -> Option<&Value> {
        self.doc
            .pointer(&format!("/components/schemas/{}", escape(name)))
    }

    /// Follows references (`$ref`, or an `allOf` of one) to the schema they name: its name (of
    /// the last reference) and the schema.
    fn follow(&self, mut schema: Value) -> (Option<String>, Value) {
        let mut name = None;
        for _ in 0..8 {
            let Some(n) = schema
                .get("$ref")
                .or_else(|| schema.pointer("/allOf/0/$ref"))
                .and_then(Value::as_str)
                .and_then(schema_ref_name)
                .map(str::to_owned)
            else {
                break;
            };
            schema = self.component(&n).cloned().unwrap_or(Value::Null);
            name = Some(n);
        }
        (name, schema)
    }

    /// A union of `{event, data}` envelopes discriminated by `event`: a variant per envelope.
    fn envelope_union(&self, name: String, envelope: &Value) -> Result<EventEnum, String> {
        let tag = envelope
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str)
            .unwrap_or("event");
        if tag != "event" {
            return Err(format!(
                "its union of event envelopes is discriminated by `{tag}`, not by `event`"
            ));
        }
        let mapping = mapping_of(envelope);
        let prefix = common_prefix(&mapping);
        let mut variants = Vec::new();
        for (key, branch) in &mapping {
            let data = self
                .component(branch)
                .and_then(|b| b.pointer("/properties/data"))
                .cloned()
                .ok_or("an event envelope of the union has no `data`")?;
            let data = self
                .follow(data)
                .0
                .ok_or("the data of its events is not a component schema")?;
            variants.push(EventVariant {
                event: key.clone(),
                name: self.variant_name(branch, key, &prefix),
                data,
                boxed: self.boxed(branch),
            });
        }
        Ok(EventEnum {
            name: self.enum_name(&name, envelope),
            schema: name,
            variants,
            default: envelope
                .get("x-friendli-default-event")
                .and_then(Value::as_str)
                .map(str::to_owned),
            tag: None,
        })
    }

    /// A `{data}` envelope whose data is a discriminated union of kinds: a variant per kind, told
    /// apart by the tag when the event has no name.
    fn data_union(&self, data_name: String, data_schema: &Value) -> EventEnum {
        let tag = data_schema
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str)
            .unwrap_or("type")
            .to_owned();
        let mapping = mapping_of(data_schema);
        let prefix = common_prefix(&mapping);
        let variants = mapping
            .iter()
            .map(|(key, branch)| EventVariant {
                event: key.clone(),
                name: self.variant_name(branch, key, &prefix),
                data: branch.clone(),
                boxed: self.boxed(branch),
            })
            .collect();
        EventEnum {
            name: self.enum_name(&data_name, data_schema),
            schema: data_name,
            variants,
            default: None,
            tag: Some(tag),
        }
    }

    /// The variant of a kind: the schema's `x-friendli-event-variant`, or the kind without the
    /// common prefix, in Pascal case.
    fn variant_name(&self, schema_name: &str, key: &str, prefix: &str) -> String {
        self.component(schema_name)
            .and_then(|s| s.get("x-friendli-event-variant"))
            .and_then(Value::as_str)
            .map_or_else(
                || key.strip_prefix(prefix).unwrap_or(key).to_pascal_case(),
                str::to_owned,
            )
    }

    /// Whether the schema asks to be boxed in the enum (`x-friendli-boxed`).
    fn boxed(&self, schema_name: &str) -> bool {
        self.component(schema_name)
            .and_then(|s| s.get("x-friendli-boxed"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// The enum's name: `x-friendli-event-enum`, or the schema's type name and `Event`.
    fn enum_name(&self, schema_name: &str, node: &Value) -> String {
        node.get("x-friendli-event-enum")
            .and_then(Value::as_str)
            .map_or_else(|| format!("{}Event", type_name(schema_name)), str::to_owned)
    }
}

/// The kinds of a discriminated union and their schemas: its mapping, or (without one) each
/// branch's schema name as its own tag value (OpenAPI's implicit mapping).
fn mapping_of(union: &Value) -> Vec<(String, String)> {
    let explicit: Vec<(String, String)> = union
        .pointer("/discriminator/mapping")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), schema_ref_name(v.as_str()?)?.to_owned())))
        .collect();
    if !explicit.is_empty() {
        return explicit;
    }
    ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| union.get(*k).and_then(Value::as_array))
        .flatten()
        .filter_map(|b| {
            b.get("$ref")
                .and_then(Value::as_str)
                .and_then(schema_ref_name)
        })
        .map(|n| (n.to_owned(), n.to_owned()))
        .collect()
}

/// A dotted prefix such as `response.` that every kind has (empty when they do not share one).
fn common_prefix(mapping: &[(String, String)]) -> String {
    let first = mapping.first().map(|(k, _)| k.as_str()).unwrap_or_default();
    match first.split_once('.') {
        Some((head, _))
            if mapping
                .iter()
                .all(|(k, _)| k.starts_with(&format!("{head}."))) =>
        {
            format!("{head}.")
        }
        _ => String::new(),
    }
}

/// The home of every component schema: the one feature group that uses it, or `shared`.
fn partition(
    doc: &Value,
    schemas: &serde_json::Map<String, Value>,
    operations: &[Operation],
) -> BTreeMap<String, String> {
    let mut users: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for group in GROUPS {
        let mut roots = Vec::new();
        for item in doc
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.values())
        {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let Some(operation) = operations.iter().find(|o| o.id == id) else {
                    continue;
                };
                if operation.group != group {
                    continue;
                }
                roots.extend(referenced_schemas(op));
                if let Some(name) = op
                    .pointer("/x-friendli-multipart/schema")
                    .and_then(Value::as_str)
                {
                    roots.push(name.to_owned());
                }
            }
        }
        for name in reachable_schemas(schemas, roots) {
            users.entry(name).or_default().insert(group.to_owned());
        }
    }
    let mut home: BTreeMap<String, String> = schemas
        .keys()
        .map(|name| {
            let home = match users.get(name) {
                Some(groups) if groups.len() == 1 => {
                    groups.iter().next().cloned().unwrap_or_default()
                }
                _ => SHARED.to_owned(),
            };
            (name.clone(), home)
        })
        .collect();
    // What a shared schema refers to is shared too: the shared module generates it (a schema no
    // operation uses any more, say, that refers to one of a single group), and the group's module
    // must then take it from there rather than generate it a second time.
    let shared_roots: Vec<String> = home
        .iter()
        .filter(|(_, group)| *group == SHARED)
        .map(|(name, _)| name.clone())
        .collect();
    for name in reachable_schemas(schemas, shared_roots) {
        if let Some(group) = home.get_mut(&name) {
            *group = SHARED.to_owned();
        }
    }
    home
}
