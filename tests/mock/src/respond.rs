//! What the server answers to a request of an operation: request validation (parameters and
//! body, against the document), the hand-written responders (chat, completions, tokenize,
//! detokenize) and the answers generated from the document for every other operation.

use serde_json::{Map, Value, json};

use crate::generate::Generator;
use crate::multipart::{self, Part};
use crate::scenario::{StreamStyle, error_payload};
use crate::schema;
#[cfg(test)]
use crate::schema::Violation;
use crate::spec::{
    BodyEncoding, Operation, ParameterLocation, ResponseSpec, StreamEnd, coerce, is_binary,
    property_schema, schema_allows,
};
use crate::wire::{self, Completion, CompletionChoice, SseEvent};
use crate::{assistant, tokenizer};

/// A request body as it arrived, parsed as far as its operation's encoding says.
#[derive(Debug)]
pub(crate) enum Parsed {
    /// No body.
    Empty,
    /// A JSON document.
    Json(Value),
    /// Not JSON.
    BadJson(String),
    /// A multipart form.
    Form(Vec<Part>),
    /// A multipart body that does not parse.
    BadForm(String),
}

impl Parsed {
    /// Parses `body` as the operations of a route expect it (they share their encoding).
    pub(crate) fn new(operation: &Operation, content_type: Option<&str>, body: &[u8]) -> Parsed {
        let encoding = operation.request_body.as_ref().map(|b| b.encoding);
        if body.is_empty() {
            return Parsed::Empty;
        }
        match encoding {
            Some(BodyEncoding::Multipart) => match content_type {
                Some(content_type) if multipart::boundary(content_type).is_some() => {
                    match multipart::parse(content_type, body) {
                        Ok(parts) => Parsed::Form(parts),
                        Err(error) => Parsed::BadForm(error),
                    }
                }
                // Not a form at all: as if no part were sent.
                _ => Parsed::Form(Vec::new()),
            },
            _ => match serde_json::from_slice(body) {
                Ok(value) => Parsed::Json(value),
                Err(error) => Parsed::BadJson(error.to_string()),
            },
        }
    }

    /// Whether the request asks for the event-stream twin (`"stream": true`, or a form field
    /// `stream=true`).
    pub(crate) fn wants_stream(&self) -> bool {
        match self {
            Parsed::Json(value) => value.get("stream") == Some(&Value::Bool(true)),
            Parsed::Form(parts) => parts
                .iter()
                .any(|p| p.name == "stream" && p.text_value().trim() == "true"),
            _ => false,
        }
    }
}

/// Picks the operation of a route's candidates (one, or a JSON operation and its event-stream
/// twin) that the request selects.
pub(crate) fn select<'a>(candidates: &[&'a Operation], parsed: &Parsed) -> Option<&'a Operation> {
    if candidates.len() > 1 {
        let stream = parsed.wants_stream();
        if let Some(operation) = candidates.iter().find(|o| o.is_stream() == stream) {
            return Some(operation);
        }
    }
    candidates.first().copied()
}

/// A refusal: status and JSON body.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub status: u16,
    pub body: Value,
}

/// What the parts of a request that the document describes hold.
pub(crate) struct Inputs<'a> {
    pub path: &'a [(String, String)],
    pub query: &'a [(String, String)],
    pub headers: &'a hyper::HeaderMap,
    pub parsed: &'a Parsed,
}

/// Validates a request against its operation. Returns the body as JSON (a form as an object)
/// or the refusal: 400 for a body that does not parse, 422 for anything the schemas reject.
pub(crate) fn validate(operation: &Operation, inputs: &Inputs<'_>) -> Result<Value, Refusal> {
    let mut problems: Vec<(Vec<Value>, String, &'static str)> = Vec::new();
    for parameter in &operation.parameters {
        let texts: Vec<String> = match parameter.location {
            ParameterLocation::Path => inputs
                .path
                .iter()
                .filter(|(n, _)| *n == parameter.name)
                .map(|(_, v)| v.clone())
                .collect(),
            ParameterLocation::Query => inputs
                .query
                .iter()
                .filter(|(n, _)| *n == parameter.name)
                .map(|(_, v)| v.clone())
                .collect(),
            ParameterLocation::Header => inputs
                .headers
                .get_all(parameter.name.as_str())
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect(),
            ParameterLocation::Cookie => Vec::new(),
        };
        let location = json!(parameter.location.as_str());
        let loc = vec![location, json!(parameter.name)];
        if texts.is_empty() {
            if parameter.required {
                problems.push((loc, "Field required".into(), "missing"));
            }
            continue;
        }
        let value = if schema_allows(&parameter.schema, "array") {
            let items = schema::resolve(&parameter.schema);
            let item_schema = array_items(items).unwrap_or(json!({}));
            Value::Array(texts.iter().map(|t| coerce(t, &item_schema)).collect())
        } else {
            coerce(&texts[texts.len() - 1], &parameter.schema)
        };
        for violation in schema::validate_schema_with(&parameter.schema, &value, true) {
            let mut loc = loc.clone();
            loc.extend(violation.loc());
            problems.push((loc, violation.message, "value_error"));
        }
    }
    let body = match &operation.request_body {
        None => Value::Null,
        Some(spec) => {
            let instance = match (spec.encoding, inputs.parsed) {
                (_, Parsed::BadJson(error)) => {
                    return Err(Refusal {
                        status: 400,
                        body: json!({"message": format!("friendli-mock: the body is not valid JSON: {error}")}),
                    });
                }
                (_, Parsed::BadForm(error)) => {
                    return Err(Refusal {
                        status: 400,
                        body: json!({"message": format!("friendli-mock: the multipart body does not parse: {error}")}),
                    });
                }
                (BodyEncoding::Multipart, Parsed::Form(parts)) => Some(form_object(
                    &spec.schema,
                    &spec.json_parts,
                    parts,
                    &mut problems,
                )),
                (BodyEncoding::Multipart, _) => Some(Value::Object(Map::new())),
                (BodyEncoding::Json, Parsed::Json(value)) => Some(value.clone()),
                (BodyEncoding::Json, _) => None,
            };
            match instance {
                None if spec.required => {
                    problems.push((vec![json!("body")], "Field required".into(), "missing"));
                    Value::Null
                }
                None => Value::Null,
                Some(instance) => {
                    for violation in schema::validate_schema(&spec.schema, &instance) {
                        let mut loc = vec![json!("body")];
                        loc.extend(violation.loc());
                        let kind = if violation.missing.is_some() {
                            "missing"
                        } else {
                            "value_error"
                        };
                        problems.push((loc, violation.message, kind));
                    }
                    instance
                }
            }
        }
    };
    if problems.is_empty() {
        return Ok(body);
    }
    Err(Refusal {
        status: 422,
        body: validation_error(operation, &problems),
    })
}

fn array_items(schema: &Value) -> Option<Value> {
    if let Some(items) = schema.get("items") {
        return Some(items.clone());
    }
    ["anyOf", "oneOf"].iter().find_map(|key| {
        schema
            .get(*key)?
            .as_array()?
            .iter()
            .find_map(|b| array_items(schema::resolve(b)))
    })
}

/// The parts of a form as a JSON object to validate: files as a description string, JSON parts
/// parsed, text fields typed as their schema wants.
fn form_object(
    schema: &Value,
    json_parts: &[String],
    parts: &[Part],
    problems: &mut Vec<(Vec<Value>, String, &'static str)>,
) -> Value {
    let mut object = Map::new();
    for part in parts {
        let property = property_schema(schema, &part.name);
        let loc = vec![json!("body"), json!(part.name)];
        let value = if is_binary(property) || (part.filename.is_some() && property.is_none()) {
            json!(format!(
                "<file {} of {} bytes>",
                part.filename.as_deref().unwrap_or("(unnamed)"),
                part.data.len()
            ))
        } else if json_parts.contains(&part.name)
            || part
                .content_type
                .as_deref()
                .is_some_and(|t| t.contains("json"))
        {
            match serde_json::from_slice(&part.data) {
                Ok(value) => value,
                Err(error) => {
                    problems.push((
                        loc,
                        format!("the part is not valid JSON: {error}"),
                        "json_invalid",
                    ));
                    continue;
                }
            }
        } else {
            let text = part.text_value();
            match property {
                Some(property) => coerce(&text, property),
                None => json!(text),
            }
        };
        match object.get_mut(&part.name) {
            Some(Value::Array(values)) if property.is_some_and(|p| schema_allows(p, "array")) => {
                values.push(value)
            }
            _ => {
                let value = match property {
                    Some(p) if schema_allows(p, "array") && !value.is_array() => json!([value]),
                    _ => value,
                };
                object.insert(part.name.clone(), value);
            }
        }
    }
    Value::Object(object)
}

/// The 422 body: `{"message", "detail": [{"loc", "msg", "type"}]}`, or, when the operation
/// declares another 422 schema (messages: `MessagesErrorResponse`), an instance of that schema
/// carrying the message (and `detail` as an extra field).
fn validation_error(
    operation: &Operation,
    problems: &[(Vec<Value>, String, &'static str)],
) -> Value {
    let detail: Vec<Value> = problems
        .iter()
        .map(|(loc, msg, kind)| json!({"loc": loc, "msg": msg, "type": kind}))
        .collect();
    let (loc, msg, _) = &problems[0];
    let field = loc
        .iter()
        .map(|l| match l {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/");
    let message = format!("invalid request: {field}: {msg}");
    let body = json!({"message": message, "detail": detail});
    let Some(schema) = &operation.validation_error else {
        return body;
    };
    if schema::validate_schema(schema, &body).is_empty() {
        return body;
    }
    let mut declared = Generator::document().generate(schema);
    if let Some(object) = declared.as_object_mut() {
        if let Some(Value::Object(error)) = object.get_mut("error") {
            error.insert("message".into(), json!(message));
            if error.contains_key("type") {
                error.insert("type".into(), json!("invalid_request_error"));
            }
        } else if object.contains_key("message") {
            object.insert("message".into(), json!(message));
        }
        let mut with_detail = object.clone();
        with_detail.insert("detail".into(), Value::Array(detail));
        let with_detail = Value::Object(with_detail);
        if schema::validate_schema(schema, &with_detail).is_empty() {
            return with_detail;
        }
    }
    declared
}

/// The answer to a valid request.
pub(crate) enum Answer {
    /// A JSON body.
    Json(u16, Value),
    /// No body.
    Empty(u16),
    /// An event stream: its events, ending as the document says.
    Events(Vec<SseEvent>),
}

/// The hand-written responders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Responder {
    /// Chat completions and tool-assisted chat: the scripted assistant.
    Chat,
    /// Text completions.
    Completions,
    /// Tokenize.
    Tokenize,
    /// Detokenize.
    Detokenize,
    /// Dedicated embeddings: one vector per input.
    Embeddings,
    /// Messages (Anthropic-style): the scripted assistant's turn as a message.
    Messages,
    /// Responses (OpenAI-style): the scripted assistant's turn as a response.
    Responses,
}

/// The hand-written responder of an operation, if it has one.
pub(crate) fn responder(operation_id: &str) -> Option<Responder> {
    match operation_id {
        "serverlessChatComplete"
        | "serverlessChatStream"
        | "dedicatedChatComplete"
        | "dedicatedChatStream"
        | "containerChatComplete"
        | "containerChatStream"
        | "serverlessToolAssistedChatComplete"
        | "serverlessToolAssistedChatStream" => Some(Responder::Chat),
        "serverlessCompletionsComplete"
        | "serverlessCompletionsStream"
        | "dedicatedCompletionsComplete"
        | "dedicatedCompletionsStream"
        | "containerCompletionsComplete"
        | "containerCompletionsStream" => Some(Responder::Completions),
        "serverlessTokenization" | "dedicatedTokenization" | "containerTokenization" => {
            Some(Responder::Tokenize)
        }
        "serverlessDetokenization" | "dedicatedDetokenization" | "containerDetokenization" => {
            Some(Responder::Detokenize)
        }
        "dedicatedEmbeddings" => Some(Responder::Embeddings),
        "serverlessMessages"
        | "serverlessMessagesStream"
        | "dedicatedMessages"
        | "dedicatedMessagesStream"
        | "containerMessages"
        | "containerMessagesStream" => Some(Responder::Messages),
        "serverlessResponses"
        | "serverlessResponsesStream"
        | "dedicatedResponses"
        | "dedicatedResponsesStream"
        | "containerResponses"
        | "containerResponsesStream" => Some(Responder::Responses),
        _ => None,
    }
}

/// The operation's own answer to a valid request (`generated_only`: the generated one even
/// where a hand-written responder exists).
pub(crate) fn answer(
    operation: &Operation,
    request: &Value,
    number: u64,
    generated_only: bool,
    config: &crate::MockConfig,
) -> Answer {
    let hand_written = if generated_only {
        None
    } else {
        responder(&operation.operation_id)
    };
    let include_usage = request.pointer("/stream_options/include_usage") == Some(&json!(true));
    match hand_written {
        Some(Responder::Chat) => {
            let turn = assistant::respond(request, number);
            let id = format!("chatcmpl-mock-{number}");
            if operation.is_stream() {
                Answer::Events(wire::stream_data_events(&turn, &id, include_usage))
            } else {
                Answer::Json(status(operation), wire::completion_body(&turn, &id))
            }
        }
        Some(Responder::Completions) => {
            let completion = complete(request);
            let id = format!("cmpl-mock-{number}");
            if operation.is_stream() {
                Answer::Events(wire::completions_stream_events(
                    &completion,
                    &id,
                    include_usage,
                ))
            } else {
                Answer::Json(status(operation), wire::completions_body(&completion, &id))
            }
        }
        Some(Responder::Tokenize) => {
            let prompt = request["prompt"].as_str().unwrap_or_default();
            Answer::Json(
                status(operation),
                json!({"tokens": tokenizer::encode(prompt)}),
            )
        }
        Some(Responder::Detokenize) => Answer::Json(
            status(operation),
            json!({"text": tokenizer::decode(&token_ids(&request["tokens"]))}),
        ),
        Some(Responder::Embeddings) => Answer::Json(
            status(operation),
            crate::embeddings::answer(
                request,
                config.embedding_dimension,
                &format!("embd-mock-{number}"),
                wire::now_seconds() as i64,
            ),
        ),
        Some(Responder::Messages) => {
            let turn = assistant::respond(&crate::messages::as_chat(request), number);
            let id = format!("msg_mock_{number}");
            if operation.is_stream() {
                Answer::Events(crate::messages::stream_events(&turn, &id))
            } else {
                Answer::Json(status(operation), crate::messages::body(&turn, &id))
            }
        }
        Some(Responder::Responses) => {
            let turn = assistant::respond(&crate::responses::as_chat(request), number);
            let id = format!("resp_mock_{number}");
            if operation.is_stream() {
                Answer::Events(crate::responses::stream_events(&turn, &id, request))
            } else {
                Answer::Json(
                    status(operation),
                    crate::responses::body(&turn, &id, request),
                )
            }
        }
        None => generated(operation),
    }
}

fn status(operation: &Operation) -> u16 {
    match &operation.response {
        ResponseSpec::Json { status, .. }
        | ResponseSpec::EventStream { status, .. }
        | ResponseSpec::Empty { status } => *status,
    }
}

fn token_ids(value: &Value) -> Vec<i64> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_i64)
        .collect()
}

/// A text completion of a (validated) request: for every prompt (`prompt` text or list, or
/// `tokens` decoded) and `n`, the scripted assistant's answer to the prompt (with the calculator
/// at hand), after a space, cut at a `stop` phrase and at `max_tokens` tokens.
pub(crate) fn complete(request: &Value) -> Completion {
    let prompts: Vec<String> = match (&request["prompt"], &request["tokens"]) {
        (Value::String(prompt), _) => vec![prompt.clone()],
        (Value::Array(prompts), _) => prompts
            .iter()
            .map(|p| p.as_str().unwrap_or_default().to_owned())
            .collect(),
        (_, tokens) => vec![tokenizer::decode(&token_ids(tokens))],
    };
    let n = request["n"].as_u64().unwrap_or(1).clamp(1, 8) as usize;
    let max_tokens = request["max_tokens"].as_u64();
    let mut choices = Vec::new();
    for prompt in &prompts {
        let chat = json!({
            "model": request["model"],
            "messages": [{"role": "user", "content": prompt}],
            "tools": [{"type": "math:calculator"}],
            "stop": request["stop"],
        });
        let turn = assistant::respond(&chat, 0);
        let answer = turn.text().unwrap_or_default();
        let mut text = format!(" {answer}");
        let mut finish_reason = "stop";
        if let Some(max) = max_tokens
            && tokenizer::count(&text) > max
        {
            text = text.chars().take(max as usize).collect();
            finish_reason = "length";
        }
        for _ in 0..n {
            choices.push(CompletionChoice {
                text: text.clone(),
                finish_reason,
            });
        }
    }
    Completion {
        model: request["model"].as_str().map(str::to_owned),
        choices,
        seed: request["seed"]
            .as_i64()
            .or_else(|| request["seed"][0].as_i64())
            .unwrap_or(0),
        prompt_tokens: prompts.iter().map(|p| tokenizer::count(p)).sum(),
    }
}

/// An answer generated from the operation's response schema: JSON, nothing, or a short event
/// stream (two events of every kind that carries content deltas and of single-kind streams,
/// one of every other kind, no error events, and one end event last where the stream ends with
/// one).
pub(crate) fn generated(operation: &Operation) -> Answer {
    let generator = Generator::document().optional_properties(true);
    match &operation.response {
        ResponseSpec::Json { status, schema } => {
            let mut body = generator.generate(schema);
            end_pages(&mut body);
            Answer::Json(*status, body)
        }
        ResponseSpec::Empty { status } => Answer::Empty(*status),
        ResponseSpec::EventStream { kinds, end, .. } => {
            let end_events: &[String] = match end {
                StreamEnd::Events(events) => events,
                _ => &[],
            };
            let is_end = |tag: Option<&String>| tag.is_some_and(|t| end_events.contains(t));
            let mut events: Vec<(Option<String>, Value)> = Vec::new();
            let event_of = |kind: &crate::spec::EventKind| {
                let data = match (&kind.tag_property, &kind.tag) {
                    (Some(property), Some(tag)) => {
                        generator.generate_with(&kind.data, property, &json!(tag))
                    }
                    _ => generator.generate(&kind.data),
                };
                (kind.event.clone(), data)
            };
            for kind in kinds {
                if is_end(kind.tag.as_ref()) || kind.tag.as_deref() == Some("error") {
                    continue;
                }
                let repeated = kinds.len() == 1
                    || kind.event.is_none() && kind.tag.is_some() && kind.tag_property.is_none()
                    || kind.tag.as_deref().is_some_and(is_content_delta);
                for _ in 0..if repeated { 2 } else { 1 } {
                    events.push(event_of(kind));
                }
            }
            if let Some(first) = end_events.first()
                && let Some(kind) = kinds.iter().find(|k| k.tag.as_ref() == Some(first))
            {
                events.push(event_of(kind));
            }
            Answer::Events(
                events
                    .into_iter()
                    .enumerate()
                    .map(|(sequence, (event, mut data))| {
                        if let Some(number) = data.get_mut("sequence_number") {
                            *number = json!(sequence);
                        }
                        SseEvent {
                            event,
                            data: data.to_string(),
                        }
                    })
                    .collect(),
            )
        }
    }
}

/// Makes a generated page the last one: no `nextCursor` (cursor-paged lists), no `has_more`
/// and no `next_page` (cost and usage), so that a client following the pages ends.
fn end_pages(body: &mut Value) {
    let Some(object) = body.as_object_mut() else {
        return;
    };
    for (key, last) in [
        ("nextCursor", Value::Null),
        ("next_page", Value::Null),
        ("has_more", Value::Bool(false)),
    ] {
        if let Some(value) = object.get_mut(key) {
            *value = last;
        }
    }
}

/// Whether an event kind carries a piece of content (`content_block_delta`,
/// `response.output_text.delta`, `transcript.text.delta`, …), which streams repeat; a
/// `message_delta` is a one-off summary.
fn is_content_delta(tag: &str) -> bool {
    tag.ends_with(".delta") || tag.ends_with("block_delta")
}

/// The events of an answer with the stream's end the document declares: the sentinel appended,
/// or an end event when the events do not already end with one.
pub(crate) fn finish_stream(operation: &Operation, mut events: Vec<SseEvent>) -> Vec<SseEvent> {
    match operation.stream_end() {
        Some(StreamEnd::Sentinel(sentinel)) => events.push(SseEvent::data(sentinel.clone())),
        Some(StreamEnd::Events(ends)) => {
            let ended = events
                .last()
                .and_then(|e| e.event.as_ref())
                .is_some_and(|name| ends.contains(name));
            if !ended
                && let Answer::Events(generated) = generated(operation)
                && let Some(last) = generated.into_iter().last()
            {
                events.push(last);
            }
        }
        _ => {}
    }
    events
}

/// How the operation's streams end and report errors.
pub(crate) fn stream_style(operation: &Operation) -> StreamStyle {
    let terminal = !matches!(operation.stream_end(), Some(StreamEnd::Eof) | None);
    let error_kind = operation
        .event_kinds()
        .iter()
        .find(|k| k.tag.as_deref() == Some("error") && k.event.is_some());
    let error = match error_kind {
        Some(kind) => {
            let mut data = Generator::document().generate(&kind.data);
            if let (Some(property), Some(object)) = (&kind.tag_property, data.as_object_mut()) {
                object.insert(property.clone(), json!("error"));
            }
            if let Some(Value::Object(error)) = data.get_mut("error") {
                error.insert("type".into(), json!("api_error"));
                error.insert(
                    "message".into(),
                    error_payload()["error"]["message"].clone(),
                );
            }
            SseEvent::named("error", data.to_string())
        }
        None => SseEvent::data(error_payload().to_string()),
    };
    StreamStyle { terminal, error }
}

/// Every violation of an answer against the document, for tests of the responders.
#[cfg(test)]
pub(crate) fn check(operation: &Operation, answer: &Answer) -> Vec<Violation> {
    match answer {
        Answer::Json(_, body) => operation.validate_response(body),
        Answer::Empty(_) => Vec::new(),
        Answer::Events(events) => events
            .iter()
            .flat_map(|e| match serde_json::from_str::<Value>(&e.data) {
                Ok(data) => operation.validate_event(e.event.as_deref(), &data),
                Err(error) => vec![Violation {
                    pointer: String::new(),
                    message: format!("not JSON: {error}: {}", e.data),
                    missing: None,
                }],
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{operation, operations};

    #[test]
    fn every_hand_written_responder_names_an_operation_of_the_document() {
        let mut families = 0;
        for operation in operations() {
            if responder(&operation.operation_id).is_some() {
                families += 1;
            }
        }
        assert_eq!(families, 8 + 6 + 3 + 3 + 1 + 6 + 6);
    }

    #[test]
    fn every_generated_answer_validates() {
        let mut failures = Vec::new();
        for operation in operations() {
            let answer = generated(operation);
            let answer = match answer {
                Answer::Events(events) => Answer::Events(
                    finish_stream(operation, events)
                        .into_iter()
                        .filter(|e| {
                            Some(&StreamEnd::Sentinel(e.data.clone())) != operation.stream_end()
                        })
                        .collect(),
                ),
                other => other,
            };
            let violations = check(operation, &answer);
            if !violations.is_empty() {
                failures.push(format!("{}: {violations:?}", operation.operation_id));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn generated_pages_are_the_last_ones() {
        for (id, key, last) in [
            ("list_datasets", "nextCursor", Value::Null),
            ("dedicatedListEndpoints", "nextCursor", Value::Null),
            (
                "dedicatedGetEndpointVersionHistory",
                "nextCursor",
                Value::Null,
            ),
            ("getCost", "has_more", json!(false)),
            ("getUsage", "next_page", Value::Null),
        ] {
            let Answer::Json(_, body) = generated(operation(id).unwrap()) else {
                panic!("{id}: JSON")
            };
            assert!(body.get(key).is_some(), "{id}: {body}");
            assert_eq!(body[key], last, "{id}: {body}");
        }
    }

    #[test]
    fn generated_streams_end_as_the_document_says() {
        let messages = operation("serverlessMessagesStream").unwrap();
        let Answer::Events(events) = generated(messages) else {
            panic!("a stream")
        };
        let names: Vec<&str> = events.iter().filter_map(|e| e.event.as_deref()).collect();
        assert_eq!(names.first(), Some(&"message_start"));
        assert_eq!(names.last(), Some(&"message_stop"));
        assert_eq!(
            names
                .iter()
                .filter(|n| **n == "content_block_delta")
                .count(),
            2
        );
        assert!(!names.contains(&"error"));
        let responses = operation("dedicatedResponsesStream").unwrap();
        let Answer::Events(events) = generated(responses) else {
            panic!("a stream")
        };
        assert_eq!(
            events.last().unwrap().event.as_deref(),
            Some("response.completed")
        );
        for (i, event) in events.iter().enumerate() {
            let data: Value = serde_json::from_str(&event.data).unwrap();
            assert_eq!(data["sequence_number"], json!(i));
            assert_eq!(data["type"].as_str(), event.event.as_deref());
        }
        let style = stream_style(messages);
        assert!(style.terminal);
        assert_eq!(style.error.event.as_deref(), Some("error"));
        let error: Value = serde_json::from_str(&style.error.data).unwrap();
        assert!(messages.validate_event(Some("error"), &error).is_empty());
        assert_eq!(
            stream_style(operation("serverlessChatStream").unwrap())
                .error
                .event,
            None
        );
    }

    #[test]
    fn completions_answer_the_prompt_and_honour_max_tokens_stop_and_n() {
        let completion = complete(&json!({"model": "m", "prompt": "What is 3 + 6?"}));
        assert_eq!(
            completion.choices[0].text,
            " The math:calculator says 3 + 6 is 9."
        );
        assert_eq!(completion.prompt_tokens, 14);
        let cut = complete(&json!({"model": "m", "prompt": "hi", "max_tokens": 4, "n": 2}));
        assert_eq!(cut.choices.len(), 2);
        assert_eq!(
            cut.choices[1],
            CompletionChoice {
                text: " You".into(),
                finish_reason: "length"
            }
        );
        let stopped = complete(&json!({"model": "m", "prompt": "hello there", "stop": ["there"]}));
        assert_eq!(stopped.choices[0].text, " You said: hello ");
        let tokens = complete(&json!({"model": "m", "tokens": tokenizer::encode("2 * 4")}));
        assert_eq!(
            tokens.choices[0].text,
            " The math:calculator says 2 * 4 is 8."
        );
        let prompts = complete(&json!({"model": "m", "prompt": ["a", "b"], "seed": [5]}));
        assert_eq!((prompts.choices.len(), prompts.seed), (2, 5));
    }
}
