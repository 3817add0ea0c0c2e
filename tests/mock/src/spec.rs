//! The operations of the OpenAPI document and the route table built from them at startup.
//!
//! Nothing here is written per operation: every path key and method of the document becomes an
//! [`Operation`], and every HTTP path a route. A path key with a fragment (`…#stream`) is the
//! event-stream twin of the operation on the same HTTP path: the fragment is never sent, and the
//! request's `"stream": true` (or form field `stream=true`) selects the twin.

use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::generate::Generator;
use crate::schema::{self, Violation, document, resolve};

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterLocation {
    /// A `{name}` segment of the path.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
}

impl ParameterLocation {
    /// The name FastAPI-style errors use in `loc` (`path`, `query`, `header`, `cookie`).
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterLocation::Path => "path",
            ParameterLocation::Query => "query",
            ParameterLocation::Header => "header",
            ParameterLocation::Cookie => "cookie",
        }
    }
}

/// A parameter of an operation.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// Where it goes.
    pub location: ParameterLocation,
    /// Whether it must be given.
    pub required: bool,
    /// Its schema (references resolve against the document).
    pub schema: Value,
}

/// How a request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEncoding {
    /// `application/json`.
    Json,
    /// `multipart/form-data`.
    Multipart,
}

/// The request body of an operation.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RequestBody {
    /// Whether a body is required.
    pub required: bool,
    /// JSON or multipart.
    pub encoding: BodyEncoding,
    /// The schema of the body (for multipart: of the form, one property per part).
    pub schema: Value,
    /// Multipart parts whose content is JSON (the document's `encoding: {part: {contentType:
    /// application/json}}`), e.g. `chunking_strategy`.
    pub json_parts: Vec<String>,
}

/// How an event stream ends, as its media type object in the document says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEnd {
    /// A final `data:` line with this payload (`x-speakeasy-sse-sentinel`, e.g. `[DONE]`).
    Sentinel(String),
    /// The stream ends after one of these named events (`x-friendli-end-events`).
    Events(Vec<String>),
    /// The stream just ends (end of the body).
    Eof,
}

/// One kind of event an event stream carries.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EventKind {
    /// The `event:` name on the wire (`None`: the event has no name).
    pub event: Option<String>,
    /// The name the document gives the kind: the discriminator value of its variant.
    pub tag: Option<String>,
    /// The data payload's property holding `tag` (e.g. `type`), when the data is tagged.
    pub tag_property: Option<String>,
    /// The schema of the `data:` payload.
    pub data: Value,
}

/// The successful answer of an operation.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ResponseSpec {
    /// A JSON body.
    Json {
        /// The status code.
        status: u16,
        /// The schema of the body.
        schema: Value,
    },
    /// A `text/event-stream` body.
    EventStream {
        /// The status code.
        status: u16,
        /// The envelope schema of one event (`{data: T}`, or a union of such envelopes told
        /// apart by `event`).
        envelope: Value,
        /// The kinds of events, in the document's order.
        kinds: Vec<EventKind>,
        /// How the stream ends.
        end: StreamEnd,
        /// When the envelope is told apart by `event`: the event name meant when an event comes
        /// without one (`x-friendli-default-event`).
        default_event: Option<String>,
        /// Whether the envelope carries the event name in its `event` property.
        event_in_envelope: bool,
    },
    /// No body.
    Empty {
        /// The status code.
        status: u16,
    },
}

/// One operation of the document.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Operation {
    /// The `operationId`, e.g. `serverlessChatComplete`.
    pub operation_id: String,
    /// The HTTP method, upper-case.
    pub method: String,
    /// The HTTP path template, e.g. `/beta/dataset/{dataset_id}` (never with a fragment).
    pub path: String,
    /// The path key in the document (with its fragment, e.g. `/v1/messages#stream`).
    pub document_path: String,
    /// Whether the operation needs `Authorization: Bearer …` (it declares `security`).
    pub requires_auth: bool,
    /// `false` when the document marks it `x-friendli-idempotent: false`.
    pub idempotent: bool,
    /// Its parameters (path, query, header).
    pub parameters: Vec<Parameter>,
    /// Its request body, if it takes one.
    pub request_body: Option<RequestBody>,
    /// Its successful answer.
    pub response: ResponseSpec,
    /// The schema of its `422` answer, if the document declares one.
    pub validation_error: Option<Value>,
}

/// A request an operation accepts, as bytes to send.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ExampleRequest {
    /// The HTTP method.
    pub method: String,
    /// The path with its parameters filled in, and the query string.
    pub path_and_query: String,
    /// The `content-type`, when there is a body.
    pub content_type: Option<String>,
    /// The body (empty when there is none).
    pub body: Vec<u8>,
}

impl Operation {
    /// Whether the answer is an event stream.
    pub fn is_stream(&self) -> bool {
        matches!(self.response, ResponseSpec::EventStream { .. })
    }

    /// How its event stream ends (`None` for other operations).
    pub fn stream_end(&self) -> Option<&StreamEnd> {
        match &self.response {
            ResponseSpec::EventStream { end, .. } => Some(end),
            _ => None,
        }
    }

    /// The kinds of events of its event stream (empty for other operations).
    pub fn event_kinds(&self) -> &[EventKind] {
        match &self.response {
            ResponseSpec::EventStream { kinds, .. } => kinds,
            _ => &[],
        }
    }

    /// Checks a JSON answer against the document, as clients read answers (see
    /// [`schema::validate_answer`]).
    pub fn validate_response(&self, body: &Value) -> Vec<Violation> {
        match &self.response {
            ResponseSpec::Json { schema, .. } => schema::validate_answer(schema, body),
            ResponseSpec::EventStream { .. } => vec![violation(
                "",
                "the operation answers an event stream, not a JSON document",
            )],
            ResponseSpec::Empty { .. } => Vec::new(),
        }
    }

    /// Checks one event of its stream (its `event:` name and its `data:` payload, parsed)
    /// against the document, as clients read answers (see [`schema::validate_answer`]): the
    /// envelope schema, and the agreement of the event name with the data's tag.
    pub fn validate_event(&self, event: Option<&str>, data: &Value) -> Vec<Violation> {
        let ResponseSpec::EventStream {
            envelope,
            kinds,
            default_event,
            event_in_envelope,
            ..
        } = &self.response
        else {
            return vec![violation(
                "",
                "the operation does not answer an event stream",
            )];
        };
        let mut instance = json!({"data": data});
        let name = event.or(default_event.as_deref());
        if *event_in_envelope && let Some(name) = name {
            instance["event"] = json!(name);
        }
        let mut violations = schema::validate_answer(envelope, &instance);
        if !*event_in_envelope {
            let tagged = kinds.iter().find_map(|k| k.tag_property.as_deref());
            if let Some(property) = tagged
                && kinds.iter().any(|k| k.event.is_some())
            {
                let tag = data.get(property).and_then(Value::as_str);
                if tag != event {
                    violations.push(violation(
                        &format!("/data/{property}"),
                        &format!("the event is named {event:?} but its {property} is {tag:?}"),
                    ));
                }
            }
        }
        violations
    }

    /// A minimal request the operation accepts: required parameters and a body generated from
    /// its schemas (with `stream` set for an event-stream operation).
    pub fn example_request(&self) -> ExampleRequest {
        let generator = Generator::document();
        let mut path = String::new();
        for segment in self.path.split('/').skip(1) {
            path.push('/');
            let mut rest = segment;
            while let Some(open) = rest.find('{') {
                let Some(close) = rest[open..].find('}') else {
                    break;
                };
                path.push_str(&rest[..open]);
                let name = &rest[open + 1..open + close];
                let value = self
                    .parameters
                    .iter()
                    .find(|p| p.location == ParameterLocation::Path && p.name == name)
                    .map(|p| generator.generate_named(&p.schema, name))
                    .unwrap_or_else(|| json!(format!("mock-{name}")));
                path.push_str(&encode_component(&text_of(&value)));
                rest = &rest[open + close + 1..];
            }
            path.push_str(rest);
        }
        let mut query = Vec::new();
        for parameter in &self.parameters {
            if parameter.location == ParameterLocation::Query && parameter.required {
                let value = generator.generate_named(&parameter.schema, &parameter.name);
                let values = match value {
                    Value::Array(items) => items,
                    other => vec![other],
                };
                for value in values {
                    query.push(format!(
                        "{}={}",
                        encode_component(&parameter.name),
                        encode_component(&text_of(&value))
                    ));
                }
            }
        }
        if !query.is_empty() {
            path.push('?');
            path.push_str(&query.join("&"));
        }
        let (content_type, body) = match &self.request_body {
            None => (None, Vec::new()),
            Some(body) => {
                let mut instance = generator.generate(&body.schema);
                if self.is_stream()
                    && let Some(object) = instance.as_object_mut()
                {
                    object.insert("stream".into(), json!(true));
                }
                match body.encoding {
                    BodyEncoding::Json => (
                        Some("application/json".to_owned()),
                        instance.to_string().into_bytes(),
                    ),
                    BodyEncoding::Multipart => {
                        let parts = form_parts(body, &instance);
                        let (content_type, bytes) = crate::multipart::encode(&parts);
                        (Some(content_type), bytes)
                    }
                }
            }
        };
        ExampleRequest {
            method: self.method.clone(),
            path_and_query: path,
            content_type,
            body,
        }
    }
}

/// A JSON value as a query, path or form text: strings as they are, the rest as JSON.
pub(crate) fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The parts of a form for a generated instance of a multipart body schema.
fn form_parts(body: &RequestBody, instance: &Value) -> Vec<crate::multipart::Part> {
    let mut parts = Vec::new();
    let Some(fields) = instance.as_object() else {
        return parts;
    };
    for (name, value) in fields {
        if value.is_null() {
            continue;
        }
        if is_binary(property_schema(&body.schema, name)) {
            parts.push(crate::multipart::Part::file(
                name,
                "mock.wav",
                "audio/wav",
                b"RIFF\x24\x00\x00\x00WAVEfmt friendli-mock".to_vec(),
            ));
        } else if body.json_parts.iter().any(|p| p == name) {
            parts.push(crate::multipart::Part::json(name, value));
        } else if let Value::Array(items) = value {
            for item in items {
                parts.push(crate::multipart::Part::text(name, &text_of(item)));
            }
        } else {
            parts.push(crate::multipart::Part::text(name, &text_of(value)));
        }
    }
    parts
}

/// The schema of property `name` of an object schema (references followed).
pub(crate) fn property_schema<'a>(schema: &'a Value, name: &str) -> Option<&'a Value> {
    resolve(schema).get("properties").and_then(|p| p.get(name))
}

/// Whether a schema is (or may be, through a union) a `format: binary` string.
pub(crate) fn is_binary(schema: Option<&Value>) -> bool {
    let Some(schema) = schema.map(resolve) else {
        return false;
    };
    if schema.get("format").and_then(Value::as_str) == Some("binary") {
        return true;
    }
    ["anyOf", "oneOf"].iter().any(|key| {
        schema
            .get(*key)
            .and_then(Value::as_array)
            .is_some_and(|branches| branches.iter().any(|b| is_binary(Some(b))))
    })
}

fn violation(pointer: &str, message: &str) -> Violation {
    Violation {
        pointer: pointer.to_owned(),
        message: message.to_owned(),
        missing: None,
    }
}

/// Percent-encodes a path segment or query component (unreserved characters stay).
pub(crate) fn encode_component(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Percent-decodes text (`+` as a space too when `plus` is set). Invalid escapes stay as they
/// are; invalid UTF-8 becomes U+FFFD.
pub(crate) fn decode_component(text: &str, plus: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b'+' if plus => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `(name, value)` pairs of a query string, decoded.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_component(name, true), decode_component(value, true))
        })
        .collect()
}

// ------------------------------------------------------------------------------------------------
// Building the operations from the document
// ------------------------------------------------------------------------------------------------

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// Every operation of the document, sorted by path and method.
pub fn operations() -> &'static [Operation] {
    static OPERATIONS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPERATIONS.get_or_init(|| build_operations(document()))
}

/// The operation with this `operationId`.
pub fn operation(operation_id: &str) -> Option<&'static Operation> {
    operations().iter().find(|o| o.operation_id == operation_id)
}

fn build_operations(document: &Value) -> Vec<Operation> {
    let mut operations = Vec::new();
    let global_security = document.get("security");
    let Some(paths) = document["paths"].as_object() else {
        return operations;
    };
    for (key, item) in paths {
        let path = key.split('#').next().unwrap_or(key).to_owned();
        let shared: Vec<Value> = item["parameters"].as_array().cloned().unwrap_or_default();
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let mut parameters: Vec<Parameter> = Vec::new();
            for raw in shared
                .iter()
                .chain(op["parameters"].as_array().into_iter().flatten())
            {
                let raw = resolve(raw);
                let Some(name) = raw["name"].as_str() else {
                    continue;
                };
                let location = match raw["in"].as_str() {
                    Some("path") => ParameterLocation::Path,
                    Some("query") => ParameterLocation::Query,
                    Some("header") => ParameterLocation::Header,
                    Some("cookie") => ParameterLocation::Cookie,
                    _ => continue,
                };
                parameters.retain(|p| !(p.name == name && p.location == location));
                parameters.push(Parameter {
                    name: name.to_owned(),
                    location,
                    required: raw["required"]
                        .as_bool()
                        .unwrap_or(location == ParameterLocation::Path),
                    schema: raw.get("schema").cloned().unwrap_or(json!({})),
                });
            }
            let security = op.get("security").or(global_security);
            let requires_auth = security
                .and_then(Value::as_array)
                .is_some_and(|alternatives| {
                    !alternatives.is_empty()
                        && alternatives
                            .iter()
                            .all(|r| r.as_object().is_some_and(|r| !r.is_empty()))
                });
            operations.push(Operation {
                operation_id: op["operationId"]
                    .as_str()
                    .map_or_else(|| format!("{method} {key}"), str::to_owned),
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                document_path: key.clone(),
                requires_auth,
                idempotent: op["x-friendli-idempotent"].as_bool().unwrap_or(true),
                parameters,
                request_body: request_body(op),
                response: response_spec(op),
                validation_error: op
                    .pointer("/responses/422/content/application~1json/schema")
                    .cloned(),
            });
        }
    }
    operations.sort_by(|a, b| {
        (a.path.as_str(), a.method.as_str(), a.is_stream()).cmp(&(
            b.path.as_str(),
            b.method.as_str(),
            b.is_stream(),
        ))
    });
    operations
}

fn request_body(op: &Value) -> Option<RequestBody> {
    let body = resolve(op.get("requestBody")?);
    let content = body["content"].as_object()?;
    let required = body["required"].as_bool().unwrap_or(false);
    if let Some(media) = content.get("multipart/form-data") {
        let json_parts = media["encoding"]
            .as_object()
            .map(|encoding| {
                encoding
                    .iter()
                    .filter(|(_, e)| {
                        e["contentType"]
                            .as_str()
                            .is_some_and(|t| t.contains("json"))
                    })
                    .map(|(name, _)| name.clone())
                    .collect()
            })
            .unwrap_or_default();
        return Some(RequestBody {
            required,
            encoding: BodyEncoding::Multipart,
            schema: media.get("schema").cloned().unwrap_or(json!({})),
            json_parts,
        });
    }
    let media = content
        .get("application/json")
        .or_else(|| content.values().next())?;
    Some(RequestBody {
        required,
        encoding: BodyEncoding::Json,
        schema: media.get("schema").cloned().unwrap_or(json!({})),
        json_parts: Vec::new(),
    })
}

fn response_spec(op: &Value) -> ResponseSpec {
    let Some(responses) = op["responses"].as_object() else {
        return ResponseSpec::Empty { status: 200 };
    };
    let mut successes: Vec<(u16, &Value)> = responses
        .iter()
        .filter_map(|(code, r)| Some((code.parse::<u16>().ok()?, resolve(r))))
        .filter(|(code, _)| (200..300).contains(code))
        .collect();
    successes.sort_by_key(|(code, r)| (r.get("content").is_none(), *code));
    let Some((status, response)) = successes.first().copied() else {
        return ResponseSpec::Empty { status: 200 };
    };
    let Some(content) = response["content"].as_object() else {
        return ResponseSpec::Empty { status };
    };
    if let Some(media) = content.get("text/event-stream") {
        let envelope = media.get("schema").cloned().unwrap_or(json!({}));
        let end = if let Some(sentinel) = media["x-speakeasy-sse-sentinel"].as_str() {
            StreamEnd::Sentinel(sentinel.to_owned())
        } else if let Some(events) = media["x-friendli-end-events"].as_array() {
            StreamEnd::Events(
                events
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
            )
        } else {
            StreamEnd::Eof
        };
        let resolved = resolve(&envelope);
        let default_event = resolved["x-friendli-default-event"]
            .as_str()
            .map(str::to_owned);
        let (kinds, event_in_envelope) = event_kinds(resolved, default_event.as_deref());
        return ResponseSpec::EventStream {
            status,
            envelope,
            kinds,
            end,
            default_event,
            event_in_envelope,
        };
    }
    let media = content
        .get("application/json")
        .or_else(|| content.values().next());
    ResponseSpec::Json {
        status,
        schema: media
            .and_then(|m| m.get("schema"))
            .cloned()
            .unwrap_or(json!({})),
    }
}

/// The variants of a discriminated union: `(tag, branch schema)`, in the order of its `oneOf`
/// (then `anyOf`), each branch with every mapping key that points to it.
pub(crate) fn variants(schema: &Value) -> Option<(String, Vec<(String, Value)>)> {
    let discriminator = schema.get("discriminator")?;
    let property = discriminator["propertyName"].as_str()?.to_owned();
    let mapping = discriminator["mapping"].as_object();
    let branches = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))?
        .as_array()?;
    let mut out = Vec::new();
    for branch in branches {
        let reference = branch["$ref"].as_str();
        let mut tags: Vec<String> = mapping
            .into_iter()
            .flatten()
            .filter(|(_, target)| reference.is_some() && target.as_str() == reference)
            .map(|(tag, _)| tag.clone())
            .collect();
        if tags.is_empty() {
            // No mapping entry: the branch's own constant, or its name after the last `/`.
            let own = resolve(branch)["properties"][&property]["const"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| {
                    reference
                        .and_then(|r| r.rsplit('/').next())
                        .map(str::to_owned)
                });
            tags.extend(own);
        }
        for tag in tags {
            out.push((tag, branch.clone()));
        }
    }
    Some((property, out))
}

fn event_kinds(envelope: &Value, default_event: Option<&str>) -> (Vec<EventKind>, bool) {
    // A union of envelopes told apart by `event` (tool-assisted chat).
    if let Some((property, variants)) = variants(envelope)
        && property == "event"
    {
        let kinds = variants
            .into_iter()
            .map(|(tag, branch)| EventKind {
                event: (Some(tag.as_str()) != default_event).then(|| tag.clone()),
                tag: Some(tag),
                tag_property: None,
                data: resolve(&branch)["properties"]["data"].clone(),
            })
            .collect();
        return (kinds, true);
    }
    let data = envelope["properties"]["data"].clone();
    let resolved = resolve(&data);
    // Data told apart by a discriminator (messages, responses): the event name is the tag.
    if let Some((property, variants)) = variants(resolved) {
        let kinds = variants
            .into_iter()
            .map(|(tag, branch)| EventKind {
                event: Some(tag.clone()),
                tag: Some(tag),
                tag_property: Some(property.clone()),
                data: branch,
            })
            .collect();
        return (kinds, false);
    }
    // Data with a `type` enum but no discriminator (audio): one kind per value, unnamed.
    let type_enum = resolved["properties"]["type"]["enum"].as_array();
    let required_type = resolved["required"]
        .as_array()
        .is_some_and(|r| r.iter().any(|n| n == "type"));
    if let (Some(values), true) = (type_enum, required_type)
        && values.len() > 1
    {
        let kinds = values
            .iter()
            .filter_map(Value::as_str)
            .map(|tag| EventKind {
                event: None,
                tag: Some(tag.to_owned()),
                tag_property: Some("type".to_owned()),
                data: data.clone(),
            })
            .collect();
        return (kinds, false);
    }
    (
        vec![EventKind {
            event: None,
            tag: None,
            tag_property: None,
            data,
        }],
        false,
    )
}

// ------------------------------------------------------------------------------------------------
// Routes
// ------------------------------------------------------------------------------------------------

/// The outcome of routing a request.
#[derive(Debug)]
pub(crate) enum Routed {
    /// No path template matches.
    NotFound,
    /// A path matches, but not with this method; these methods would.
    MethodNotAllowed(Vec<String>),
    /// The operations of the matching path and method (one, or a JSON operation and its
    /// event-stream twin), with the path parameters.
    Found(Vec<&'static Operation>, Vec<(String, String)>),
}

struct Route {
    /// `(prefix, parameter name, suffix)` or a literal per segment.
    segments: Vec<Segment>,
    operations: Vec<&'static Operation>,
}

enum Segment {
    Literal(String),
    Parameter {
        prefix: String,
        name: String,
        suffix: String,
    },
}

impl Route {
    fn literal_count(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count()
    }

    fn matches(&self, segments: &[&str]) -> Option<Vec<(String, String)>> {
        if segments.len() != self.segments.len() {
            return None;
        }
        let mut parameters = Vec::new();
        for (template, actual) in self.segments.iter().zip(segments) {
            match template {
                Segment::Literal(literal) => {
                    if decode_component(actual, false) != *literal {
                        return None;
                    }
                }
                Segment::Parameter {
                    prefix,
                    name,
                    suffix,
                } => {
                    let value = actual
                        .strip_prefix(prefix.as_str())
                        .and_then(|v| v.strip_suffix(suffix.as_str()))
                        .filter(|v| !v.is_empty())?;
                    parameters.push((name.clone(), decode_component(value, false)));
                }
            }
        }
        Some(parameters)
    }
}

fn routes() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let mut routes: Vec<Route> = Vec::new();
        for operation in operations() {
            if let Some(route) = routes.iter_mut().find(|r| {
                r.operations
                    .first()
                    .is_some_and(|o| o.path == operation.path)
            }) {
                route.operations.push(operation);
                continue;
            }
            let segments = operation
                .path
                .split('/')
                .skip(1)
                .map(|segment| match (segment.find('{'), segment.find('}')) {
                    (Some(open), Some(close)) if open < close => Segment::Parameter {
                        prefix: segment[..open].to_owned(),
                        name: segment[open + 1..close].to_owned(),
                        suffix: segment[close + 1..].to_owned(),
                    },
                    _ => Segment::Literal(segment.to_owned()),
                })
                .collect();
            routes.push(Route {
                segments,
                operations: vec![operation],
            });
        }
        // The most specific template first: `/a/b` before `/a/{x}`.
        routes.sort_by_key(|r| std::cmp::Reverse(r.literal_count()));
        routes
    })
}

/// Builds the operations and the route table (parsing the document) if not done yet.
pub(crate) fn warm_up() {
    let _ = routes();
}

/// Routes a request by method and path (without the query).
pub(crate) fn route(method: &str, path: &str) -> Routed {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let mut allowed: Option<Vec<String>> = None;
    for route in routes() {
        let Some(parameters) = route.matches(&segments) else {
            continue;
        };
        let operations: Vec<&'static Operation> = route
            .operations
            .iter()
            .copied()
            .filter(|o| o.method.eq_ignore_ascii_case(method))
            .collect();
        if !operations.is_empty() {
            return Routed::Found(operations, parameters);
        }
        if allowed.is_none() {
            let mut methods: Vec<String> =
                route.operations.iter().map(|o| o.method.clone()).collect();
            methods.dedup();
            allowed = Some(methods);
        }
    }
    match allowed {
        Some(methods) => Routed::MethodNotAllowed(methods),
        None => Routed::NotFound,
    }
}

/// Makes the value of a query, path, header or form text a JSON value of the schema's type: the
/// first of integer, number, boolean, `null` and string that the text parses as and the schema
/// accepts; when none is accepted, the most specific parse (so that the error says why).
pub(crate) fn coerce(text: &str, schema: &Value) -> Value {
    let mut candidates = Vec::new();
    if let Ok(integer) = text.parse::<i64>() {
        candidates.push(json!(integer));
    }
    if let Ok(number) = text.parse::<f64>()
        && number.is_finite()
        && let Some(number) = serde_json::Number::from_f64(number)
    {
        candidates.push(Value::Number(number));
    }
    if text == "true" || text == "false" {
        candidates.push(json!(text == "true"));
    }
    if text == "null" {
        candidates.push(Value::Null);
    }
    candidates.push(json!(text));
    let chosen = candidates
        .iter()
        .find(|c| schema::validate_schema(schema, c).is_empty());
    match chosen {
        Some(value) => value.clone(),
        None => {
            // Report against the type the schema wants when the text parses as it.
            let wants = |t: &str| schema_allows(schema, t);
            candidates
                .iter()
                .find(|c| match c {
                    Value::Number(n) if n.is_i64() => wants("integer") || wants("number"),
                    Value::Number(_) => wants("number"),
                    Value::Bool(_) => wants("boolean"),
                    _ => false,
                })
                .unwrap_or(&json!(text))
                .clone()
        }
    }
}

/// Whether a schema (through references and unions) allows the JSON type `kind`.
pub(crate) fn schema_allows(schema: &Value, kind: &str) -> bool {
    let schema = resolve(schema);
    match schema.get("type") {
        Some(Value::String(t)) => return t == kind,
        Some(Value::Array(types)) => return types.iter().any(|t| t == kind),
        _ => {}
    }
    ["anyOf", "oneOf", "allOf"].iter().any(|key| {
        schema
            .get(*key)
            .and_then(Value::as_array)
            .is_some_and(|branches| branches.iter().any(|b| schema_allows(b, kind)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_key_and_method_of_the_document_is_an_operation() {
        let count: usize = document()["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|item| METHODS.iter().filter(|m| item.get(**m).is_some()).count())
            .sum();
        assert_eq!(operations().len(), count);
        assert!(count >= 84, "{count}");
        let mut ids: Vec<&str> = operations()
            .iter()
            .map(|o| o.operation_id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count, "operation ids are unique");
        let stream = operation("serverlessChatStream").unwrap();
        assert_eq!(stream.path, "/serverless/v1/chat/completions");
        assert_eq!(
            stream.document_path,
            "/serverless/v1/chat/completions#stream"
        );
        assert_eq!(
            stream.stream_end(),
            Some(&StreamEnd::Sentinel("[DONE]".into()))
        );
        assert!(stream.requires_auth);
        let messages = operation("containerMessagesStream").unwrap();
        assert_eq!(
            messages.stream_end(),
            Some(&StreamEnd::Events(vec!["message_stop".into()]))
        );
        assert!(!messages.requires_auth);
        assert!(messages.validation_error.is_some());
        assert!(!operation("serverlessModelList").unwrap().requires_auth);
        assert!(!operation("create_dataset").unwrap().idempotent);
        assert!(operation("get_dataset").unwrap().idempotent);
        let upload = operation("upload_raw_samples").unwrap();
        assert_eq!(upload.method, "PUT");
        assert_eq!(
            upload.request_body.as_ref().unwrap().encoding,
            BodyEncoding::Multipart
        );
        let audio = operation("serverlessAudioTranscriptions").unwrap();
        assert_eq!(
            audio.request_body.as_ref().unwrap().json_parts,
            ["chunking_strategy"]
        );
    }

    #[test]
    fn event_kinds_follow_the_envelopes() {
        let tool = operation("serverlessToolAssistedChatStream").unwrap();
        let kinds: Vec<(Option<&str>, Option<&str>)> = tool
            .event_kinds()
            .iter()
            .map(|k| (k.event.as_deref(), k.tag.as_deref()))
            .collect();
        assert_eq!(
            kinds,
            [
                (None, Some("token")),
                (Some("tool_status"), Some("tool_status"))
            ]
        );
        let responses = operation("serverlessResponsesStream").unwrap();
        let names: Vec<&str> = responses
            .event_kinds()
            .iter()
            .filter_map(|k| k.event.as_deref())
            .collect();
        assert!(names.contains(&"response.created") && names.contains(&"response.completed"));
        let audio = operation("serverlessAudioTranscriptionsStream").unwrap();
        let tags: Vec<&str> = audio
            .event_kinds()
            .iter()
            .filter_map(|k| k.tag.as_deref())
            .collect();
        assert_eq!(tags, ["transcript.text.delta", "transcript.text.done"]);
        assert!(audio.event_kinds().iter().all(|k| k.event.is_none()));
        let chat = operation("dedicatedChatStream").unwrap();
        assert_eq!(chat.event_kinds().len(), 1);
    }

    #[test]
    fn routes_match_templates_methods_and_parameters() {
        match route("GET", "/beta/dataset/ds%201/split/sp-2") {
            Routed::Found(ops, parameters) => {
                assert_eq!(ops[0].operation_id, "get_split");
                assert_eq!(
                    parameters,
                    [
                        ("dataset_id".to_owned(), "ds 1".to_owned()),
                        ("split_id".to_owned(), "sp-2".to_owned())
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
        match route("POST", "/beta/dataset/d/split/s/sample/delete") {
            Routed::Found(ops, _) => assert_eq!(ops[0].operation_id, "delete_samples"),
            other => panic!("{other:?}"),
        }
        match route("POST", "/serverless/v1/chat/completions") {
            Routed::Found(ops, _) => assert_eq!(ops.len(), 2),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            route("PATCH", "/beta/dataset/d"),
            Routed::MethodNotAllowed(methods) if methods == ["DELETE", "GET"]
        ));
        assert!(matches!(route("GET", "/nowhere"), Routed::NotFound));
        assert!(matches!(
            route("GET", "/beta/dataset//split"),
            Routed::NotFound
        ));
    }

    #[test]
    fn query_strings_and_coercion() {
        assert_eq!(
            parse_query("a=1&b=x+y&c=%E2%9C%93&d&a=2&bad=%zz"),
            [
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "x y".to_owned()),
                ("c".to_owned(), "✓".to_owned()),
                ("d".to_owned(), String::new()),
                ("a".to_owned(), "2".to_owned()),
                ("bad".to_owned(), "%zz".to_owned()),
            ]
        );
        assert_eq!(decode_component("%", false), "%");
        assert_eq!(decode_component("%4", false), "%4");
        let limit = json!({"anyOf": [{"type": "integer", "maximum": 100}, {"type": "null"}]});
        assert_eq!(coerce("20", &limit), json!(20));
        assert_eq!(coerce("abc", &limit), json!("abc"));
        assert_eq!(coerce("500", &limit), json!(500));
        assert_eq!(coerce("007", &json!({"type": "string"})), json!("007"));
        assert_eq!(coerce("true", &json!({"type": "boolean"})), json!(true));
        assert_eq!(coerce("0.5", &json!({"type": "number"})), json!(0.5));
    }

    #[test]
    fn example_requests_fill_parameters_and_bodies() {
        let cost = operation("getCost").unwrap().example_request();
        assert_eq!(cost.method, "GET");
        assert!(
            cost.path_and_query
                .starts_with("/v1/team/cost?start_time=2026-01-01T00%3A00%3A00Z"),
            "{}",
            cost.path_and_query
        );
        assert!(cost.body.is_empty() && cost.content_type.is_none());
        let split = operation("get_split").unwrap().example_request();
        assert_eq!(
            split.path_and_query,
            "/beta/dataset/mock-dataset_id/split/mock-split_id"
        );
        let stream = operation("serverlessCompletionsStream")
            .unwrap()
            .example_request();
        let body: Value = serde_json::from_slice(&stream.body).unwrap();
        assert_eq!(body["stream"], true);
        let audio = operation("dedicatedAudioTranscriptionsStream")
            .unwrap()
            .example_request();
        assert!(
            audio
                .content_type
                .as_deref()
                .unwrap()
                .starts_with("multipart/form-data; boundary=")
        );
        let text = String::from_utf8_lossy(&audio.body);
        assert!(
            text.contains("name=\"file\"; filename=\"mock.wav\""),
            "{text}"
        );
        assert!(text.contains("name=\"stream\"\r\n\r\ntrue\r\n"), "{text}");
    }
}
