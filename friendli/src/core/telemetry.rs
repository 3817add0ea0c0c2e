//! The span of a call, in the OpenTelemetry GenAI semantic conventions (the fields are listed
//! in [`crate::observe`]).
//!
//! Nothing here costs anything when no subscriber wants the span: the span is created disabled
//! (one check of the callsite's cached interest), and every fact is read only when it is
//! enabled ([`CallTrace::is_on`]). The facts of an answer (its id, model, finish reasons, token
//! usage) are read from its bytes by a second, small parse that keeps only them; a stream's
//! events are parsed again only when they may hold one (their first event, and events that
//! mention `usage` or a `…_reason`), unless content is recorded.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use serde::Deserialize;
use tracing::Span;
use tracing::field::Empty;

use crate::core::error::Error;
use crate::core::operation::{Encoded, OperationInfo};
use crate::core::response::ResponseMeta;

/// The value of `gen_ai.system`.
const SYSTEM: &str = "friendli";

/// The target of the events that carry prompts and answers (only with `trace_content`).
pub(crate) const CONTENT_TARGET: &str = "friendli::content";

/// The span of one call, from its first attempt to its answer (for a stream: to its end).
pub(crate) struct CallTrace {
    span: Span,
    /// Whether a subscriber wants the span: nothing is read or recorded otherwise.
    on: bool,
    /// Whether the answer's facts are read: the span is on and the operation is an inference
    /// operation (`gen_ai.operation.name`).
    facts: bool,
    /// Whether prompts and answers are recorded (the client's `trace_content`, and `facts`).
    content: bool,
    started: Instant,
}

impl CallTrace {
    /// Opens the span of a call and records what the request says (when the span is enabled).
    pub(crate) fn start(
        info: &'static OperationInfo,
        url: &reqwest::Url,
        body: &Encoded,
        content: bool,
    ) -> CallTrace {
        let span = tracing::info_span!(
            target: "friendli",
            "friendli.call",
            otel.name = Empty,
            otel.kind = "client",
            otel.status_code = Empty,
            gen_ai.system = SYSTEM,
            gen_ai.operation.name = Empty,
            gen_ai.request.model = Empty,
            gen_ai.request.temperature = Empty,
            gen_ai.request.top_p = Empty,
            gen_ai.request.top_k = Empty,
            gen_ai.request.max_tokens = Empty,
            gen_ai.request.frequency_penalty = Empty,
            gen_ai.request.presence_penalty = Empty,
            gen_ai.request.seed = Empty,
            gen_ai.request.stop_sequences = Empty,
            gen_ai.request.choice.count = Empty,
            gen_ai.response.id = Empty,
            gen_ai.response.model = Empty,
            gen_ai.response.finish_reasons = Empty,
            gen_ai.usage.input_tokens = Empty,
            gen_ai.usage.output_tokens = Empty,
            server.address = Empty,
            server.port = Empty,
            http.request.method = Empty,
            http.response.status_code = Empty,
            error.type = Empty,
            friendli.operation = info.id,
            friendli.attempts = Empty,
            friendli.failed_attempts = Empty,
            friendli.request_id = Empty,
            friendli.stream.time_to_first_event_ms = Empty,
            friendli.stream.events = Empty,
            friendli.stream.end = Empty,
        );
        let on = !span.is_disabled();
        let facts = on && info.gen_ai_operation.is_some();
        let trace = CallTrace {
            span,
            on,
            facts,
            content: content && facts,
            started: Instant::now(),
        };
        if on {
            trace.record_request(info, url, body);
        }
        trace
    }

    /// Whether a subscriber wants the span.
    pub(crate) fn is_on(&self) -> bool {
        self.on
    }

    /// The span, to instrument the attempts with.
    pub(crate) fn span(&self) -> &Span {
        &self.span
    }

    /// When the call started.
    pub(crate) fn started(&self) -> Instant {
        self.started
    }

    fn record_request(&self, info: &'static OperationInfo, url: &reqwest::Url, body: &Encoded) {
        let span = &self.span;
        span.record("http.request.method", info.method.method().as_str());
        if let Some(host) = url.host_str() {
            span.record("server.address", host);
        }
        if let Some(port) = url.port_or_known_default() {
            span.record("server.port", port);
        }
        if let Some(operation) = info.gen_ai_operation {
            span.record("gen_ai.operation.name", operation);
        }
        let request = match body {
            Encoded::Json(bytes) => serde_json::from_slice::<RequestFacts<'_>>(bytes).ok(),
            Encoded::Multipart(parts) => Some(RequestFacts {
                model: parts
                    .text
                    .iter()
                    .find(|part| part.name == "model")
                    .map(|part| Cow::Borrowed(part.value.as_str())),
                ..RequestFacts::default()
            }),
            Encoded::None => None,
        };
        let model = request.as_ref().and_then(|r| r.model.as_deref());
        span.record(
            "otel.name",
            match (info.gen_ai_operation, model) {
                (Some(operation), Some(model)) => format!("{operation} {model}"),
                (Some(operation), None) => operation.to_owned(),
                (None, _) => info.id.to_owned(),
            },
        );
        if let Some(request) = &request {
            request.record(span);
        }
        if self.content
            && let Encoded::Json(bytes) = body
            && let Ok(input) = serde_json::from_slice::<InputContent>(bytes)
            && let Some(messages) = input.messages.or(input.prompt).or(input.input)
        {
            tracing::info!(
                target: CONTENT_TARGET,
                parent: span,
                { gen_ai.input.messages = %messages },
                "the request's input"
            );
        }
    }

    /// Records the response that ended the attempts: status, attempts, request id.
    pub(crate) fn record_response(&self, meta: &ResponseMeta) {
        if !self.on {
            return;
        }
        let span = &self.span;
        span.record("http.response.status_code", meta.status().as_u16());
        span.record("friendli.attempts", meta.attempts() as u64);
        if !meta.failed_attempts().is_empty() {
            span.record(
                "friendli.failed_attempts",
                join(meta.failed_attempts().iter()),
            );
        }
        if let Some(id) = meta.request_id() {
            span.record("friendli.request_id", id);
        }
    }

    /// Records a failed call.
    pub(crate) fn record_error(&self, error: &Error) {
        if !self.on {
            return;
        }
        let span = &self.span;
        span.record("otel.status_code", "error");
        span.record("error.type", error_type(error).as_ref());
        span.record("friendli.attempts", error.attempts() as u64);
        if let Some(status) = error.status() {
            span.record("http.response.status_code", status.as_u16());
        }
        if let Error::RetriesExhausted(exhausted) = error {
            span.record("friendli.failed_attempts", join(exhausted.attempts.iter()));
        }
        if let Some(id) = error.request_id() {
            span.record("friendli.request_id", id);
        }
    }

    /// Records the facts of a JSON answer (its id, model, finish reasons, token usage), and the
    /// answer itself with `trace_content`.
    pub(crate) fn record_json(&self, body: &[u8]) {
        if !self.facts {
            return;
        }
        if let Ok(facts) = serde_json::from_slice::<Facts>(body) {
            let mut summary = Summary::default();
            summary.add(facts);
            summary.record(&self.span);
        }
        if self.content
            && let Ok(output) = serde_json::from_slice::<OutputContent>(body)
            && let Some(output) = output.choices.or(output.content).or(output.output)
        {
            tracing::info!(
                target: CONTENT_TARGET,
                parent: &self.span,
                { gen_ai.output.messages = %output },
                "the answer"
            );
        }
    }

    /// The span's part that follows a stream to its end, or `None` when no subscriber wants
    /// the span (the span then closes here).
    pub(crate) fn into_stream(self) -> Option<Box<StreamTrace>> {
        self.on.then(|| {
            Box::new(StreamTrace {
                facts: self.facts,
                span: self.span,
                started: self.started,
                first: None,
                summary: Summary::default(),
                text: self.content.then(BTreeMap::new),
            })
        })
    }
}

/// How a stream ended, for `friendli.stream.end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamEnding {
    /// At its end: the sentinel, its end event, or the end of a stream that ends at EOF.
    Completed,
    /// With an error (the error says which: a truncation, a read timeout, an API error, …).
    Failed,
    /// Dropped before its end.
    Dropped,
}

/// The span of a streamed call, carried by the stream until it ends.
pub(crate) struct StreamTrace {
    span: Span,
    /// Whether the events' facts are read (an inference operation).
    facts: bool,
    started: Instant,
    /// When the first event arrived, in milliseconds from the start of the call.
    first: Option<f64>,
    summary: Summary,
    /// The text of each choice, with `trace_content`.
    text: Option<BTreeMap<i64, String>>,
}

impl StreamTrace {
    /// Notes one delivered event, from its raw data; `number` counts the stream's events from 1.
    pub(crate) fn event(&mut self, data: &[u8], number: u64) {
        if self.first.is_none() {
            let ms = self.started.elapsed().as_secs_f64() * 1000.0;
            self.first = Some(ms);
            self.span
                .record("friendli.stream.time_to_first_event_ms", ms);
        }
        if !self.facts {
            return;
        }
        // Parse again only the events that may hold a fact, unless the text is kept: the first
        // few (until one gives the answer's id), and those with a usage object, a finish reason
        // that is not null, or a status.
        let wanted = self.text.is_some()
            || (self.summary.id.is_none() && number <= ID_EVENTS)
            || may_hold_a_fact(data);
        if !wanted {
            return;
        }
        let Ok(facts) = serde_json::from_slice::<Facts>(data) else {
            return;
        };
        if let Some(text) = &mut self.text {
            facts.collect_text(text);
        }
        self.summary.add(facts);
    }

    /// Records the totals of the stream and closes its span.
    pub(crate) fn end(self, ending: StreamEnding, error: Option<&Error>, events: u64) {
        let span = &self.span;
        self.summary.record(span);
        span.record("friendli.stream.events", events);
        span.record(
            "friendli.stream.end",
            match (ending, error) {
                (StreamEnding::Completed, _) => "completed",
                (StreamEnding::Dropped, _) => "dropped",
                (StreamEnding::Failed, Some(Error::StreamTruncated(_))) => "truncated",
                (StreamEnding::Failed, _) => "error",
            },
        );
        if let Some(error) = error {
            span.record("otel.status_code", "error");
            span.record("error.type", error_type(error).as_ref());
        }
        if let Some(text) = &self.text
            && !text.is_empty()
        {
            let choices: Vec<serde_json::Value> = text
                .iter()
                .map(|(index, text)| {
                    serde_json::json!({"index": index, "role": "assistant", "content": text})
                })
                .collect();
            tracing::info!(
                target: CONTENT_TARGET,
                parent: span,
                { gen_ai.output.messages = %serde_json::Value::Array(choices) },
                "the answer"
            );
        }
    }
}

/// How many of a stream's first events are parsed for the answer's id, at most.
const ID_EVENTS: u64 = 8;

/// The searchers of the keys [`StreamTrace::event`] tests for, built once.
struct Keys {
    usage: memchr::memmem::Finder<'static>,
    reason: memchr::memmem::Finder<'static>,
    status: memchr::memmem::Finder<'static>,
}

static KEYS: std::sync::LazyLock<Keys> = std::sync::LazyLock::new(|| Keys {
    usage: memchr::memmem::Finder::new(b"usage\""),
    reason: memchr::memmem::Finder::new(b"_reason\""),
    status: memchr::memmem::Finder::new(b"\"status\""),
});

/// Whether an event may hold a fact: a usage object, a finish reason that is not null (
/// `"finish_reason":null` does not, `"finish_reason":"stop"` does), or a status.
fn may_hold_a_fact(data: &[u8]) -> bool {
    let keys = &*KEYS;
    has_value(data, &keys.usage, b"{")
        || has_value(data, &keys.reason, b"\"")
        || has_value(data, &keys.status, b"\"")
}

/// Whether `data` has the key `finder` looks for (the end of a JSON key, with its closing
/// quote) followed by a colon and a value that starts with one of `starts`.
fn has_value(data: &[u8], finder: &memchr::memmem::Finder<'_>, starts: &[u8]) -> bool {
    fn skip_space(bytes: &[u8]) -> &[u8] {
        let n = bytes
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .count();
        &bytes[n..]
    }
    let key = finder.needle().len();
    finder.find_iter(data).any(|at| {
        let rest = skip_space(&data[at + key..]);
        match rest.split_first() {
            Some((b':', rest)) => skip_space(rest).first().is_some_and(|b| starts.contains(b)),
            _ => false,
        }
    })
}

/// The value of `error.type`: the status code of an API error (as the HTTP conventions say),
/// the kind of failure otherwise.
fn error_type(error: &Error) -> Cow<'static, str> {
    match error.last() {
        Error::Api(api) if api.in_stream => Cow::Borrowed("api_error"),
        Error::Api(api) => Cow::Owned(api.status.as_u16().to_string()),
        Error::Transport(_) => Cow::Borrowed("transport"),
        Error::Timeout(_) => Cow::Borrowed("timeout"),
        Error::Decode(_) => Cow::Borrowed("decode"),
        Error::StreamTruncated(_) => Cow::Borrowed("truncated"),
        Error::StreamProtocol(_) => Cow::Borrowed("protocol"),
        Error::InvalidRequest(_) => Cow::Borrowed("invalid_request"),
        Error::InvalidConfig(_) => Cow::Borrowed("invalid_config"),
        Error::ResponseTooLarge(_) => Cow::Borrowed("response_too_large"),
        Error::Hook(_) => Cow::Borrowed("hook"),
        _ => Cow::Borrowed("_OTHER"),
    }
}

/// `a,b,c`.
fn join<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    let mut out = String::new();
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{item}");
    }
    out
}

/// What a request body says that the conventions record (never its messages).
#[derive(Deserialize, Default)]
struct RequestFacts<'a> {
    #[serde(borrow, default)]
    model: Option<Cow<'a, str>>,
    #[serde(default)]
    temperature: Option<f64>,
    #[serde(default)]
    top_p: Option<f64>,
    #[serde(default)]
    top_k: Option<i64>,
    #[serde(default)]
    max_tokens: Option<i64>,
    #[serde(default)]
    max_completion_tokens: Option<i64>,
    #[serde(default)]
    max_output_tokens: Option<i64>,
    #[serde(default)]
    frequency_penalty: Option<f64>,
    #[serde(default)]
    presence_penalty: Option<f64>,
    /// An integer, or a list of them (one per choice): recorded when it is one integer.
    #[serde(default)]
    seed: Option<serde_json::Value>,
    #[serde(default)]
    stop: Option<serde_json::Value>,
    #[serde(default)]
    n: Option<i64>,
}

impl RequestFacts<'_> {
    fn record(&self, span: &Span) {
        if let Some(model) = &self.model {
            span.record("gen_ai.request.model", model.as_ref());
        }
        if let Some(v) = self.temperature {
            span.record("gen_ai.request.temperature", v);
        }
        if let Some(v) = self.top_p {
            span.record("gen_ai.request.top_p", v);
        }
        if let Some(v) = self.top_k {
            span.record("gen_ai.request.top_k", v);
        }
        if let Some(v) = self
            .max_tokens
            .or(self.max_completion_tokens)
            .or(self.max_output_tokens)
        {
            span.record("gen_ai.request.max_tokens", v);
        }
        if let Some(v) = self.frequency_penalty {
            span.record("gen_ai.request.frequency_penalty", v);
        }
        if let Some(v) = self.presence_penalty {
            span.record("gen_ai.request.presence_penalty", v);
        }
        if let Some(v) = self.seed.as_ref().and_then(serde_json::Value::as_i64) {
            span.record("gen_ai.request.seed", v);
        }
        match &self.stop {
            Some(stop @ serde_json::Value::Array(_)) => {
                span.record("gen_ai.request.stop_sequences", stop.to_string());
            }
            Some(stop @ serde_json::Value::String(_)) => {
                span.record("gen_ai.request.stop_sequences", format!("[{stop}]"));
            }
            _ => {}
        }
        if let Some(v) = self.n {
            span.record("gen_ai.request.choice.count", v);
        }
    }
}

/// The input of a request, recorded only with `trace_content`.
#[derive(Deserialize)]
struct InputContent {
    #[serde(default)]
    messages: Option<serde_json::Value>,
    #[serde(default)]
    prompt: Option<serde_json::Value>,
    #[serde(default)]
    input: Option<serde_json::Value>,
}

/// The output of a JSON answer, recorded only with `trace_content`.
#[derive(Deserialize)]
struct OutputContent {
    #[serde(default)]
    choices: Option<serde_json::Value>,
    #[serde(default)]
    content: Option<serde_json::Value>,
    #[serde(default)]
    output: Option<serde_json::Value>,
}

/// The facts of an answer or of one event, in the shapes the API uses: chat and completions
/// (`choices[].finish_reason`, `usage.prompt_tokens`), messages (`stop_reason`, the
/// `message_start` event's `message`, `usage.input_tokens`), responses (the `response` of its
/// events, `status`). Everything else is skipped; no text is kept unless asked for.
#[derive(Deserialize, Default)]
struct Facts {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    choices: Option<Vec<ChoiceFacts>>,
    #[serde(default)]
    usage: Option<UsageFacts>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    delta: Option<DeltaFacts>,
    #[serde(default)]
    message: Option<Box<Facts>>,
    #[serde(default)]
    response: Option<Box<Facts>>,
}

#[derive(Deserialize, Default)]
struct ChoiceFacts {
    #[serde(default)]
    index: Option<i64>,
    #[serde(default)]
    finish_reason: Option<String>,
    #[serde(default)]
    delta: Option<ChoiceDelta>,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize, Default)]
struct ChoiceDelta {
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize, Default)]
struct UsageFacts {
    #[serde(default)]
    prompt_tokens: Option<u64>,
    #[serde(default)]
    completion_tokens: Option<u64>,
    #[serde(default)]
    input_tokens: Option<u64>,
    #[serde(default)]
    output_tokens: Option<u64>,
}

/// A top-level `delta`: an object in the messages stream (`stop_reason`, `text`), a string in
/// the responses stream.
#[derive(Deserialize)]
#[serde(untagged)]
enum DeltaFacts {
    Text(String),
    Object {
        #[serde(default)]
        stop_reason: Option<String>,
        #[serde(default)]
        text: Option<String>,
    },
}

impl Facts {
    /// Adds the text this event carries to the text of its choices.
    fn collect_text(&self, text: &mut BTreeMap<i64, String>) {
        for choice in self.choices.iter().flatten() {
            let piece = choice
                .delta
                .as_ref()
                .and_then(|d| d.content.as_deref())
                .or(choice.text.as_deref());
            if let Some(piece) = piece {
                text.entry(choice.index.unwrap_or(0))
                    .or_default()
                    .push_str(piece);
            }
        }
        match &self.delta {
            Some(DeltaFacts::Object {
                text: Some(piece), ..
            }) => text.entry(0).or_default().push_str(piece),
            Some(DeltaFacts::Text(piece))
                if self
                    .kind
                    .as_deref()
                    .is_some_and(|k| k.ends_with("output_text.delta")) =>
            {
                text.entry(0).or_default().push_str(piece)
            }
            _ => {}
        }
    }
}

/// The facts of an answer, gathered from one JSON body or from the events of a stream.
#[derive(Default)]
struct Summary {
    id: Option<String>,
    model: Option<String>,
    finish_reasons: Vec<String>,
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
}

impl Summary {
    fn add(&mut self, facts: Facts) {
        let Facts {
            id,
            model,
            choices,
            usage,
            stop_reason,
            status,
            delta,
            message,
            response,
            kind: _,
        } = facts;
        if self.id.is_none() {
            self.id = id;
        }
        if self.model.is_none() {
            self.model = model;
        }
        for reason in choices
            .into_iter()
            .flatten()
            .filter_map(|c| c.finish_reason)
            .chain(stop_reason)
            .chain(match delta {
                Some(DeltaFacts::Object { stop_reason, .. }) => stop_reason,
                _ => None,
            })
            .filter(|r| !r.is_empty() && r != "null")
        {
            self.finish_reasons.push(reason);
        }
        if let Some(usage) = usage {
            // A later report (the last chunk, `message_delta`) completes or replaces an earlier
            // one.
            if let Some(n) = usage.prompt_tokens.or(usage.input_tokens) {
                self.input_tokens = Some(n);
            }
            if let Some(n) = usage.completion_tokens.or(usage.output_tokens) {
                self.output_tokens = Some(n);
            }
        }
        // The nested answer of `message_start` (messages) and of the `response.*` events.
        let nested_response = response.is_some();
        for nested in message.into_iter().chain(response) {
            self.add(*nested);
        }
        // The status of a finished response (`completed`, `incomplete`, `failed`) is its
        // finish reason, once.
        if !nested_response
            && let Some(status) = status
            && matches!(status.as_str(), "completed" | "incomplete" | "failed")
            && self.finish_reasons.is_empty()
        {
            self.finish_reasons.push(status);
        }
    }

    fn record(&self, span: &Span) {
        if let Some(id) = &self.id {
            span.record("gen_ai.response.id", id.as_str());
        }
        if let Some(model) = &self.model {
            span.record("gen_ai.response.model", model.as_str());
        }
        if !self.finish_reasons.is_empty() {
            let reasons = serde_json::to_string(&self.finish_reasons).unwrap_or_default();
            span.record("gen_ai.response.finish_reasons", reasons);
        }
        if let Some(n) = self.input_tokens {
            span.record("gen_ai.usage.input_tokens", n);
        }
        if let Some(n) = self.output_tokens {
            span.record("gen_ai.usage.output_tokens", n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(bodies: &[&str]) -> Summary {
        let mut summary = Summary::default();
        for body in bodies {
            summary.add(serde_json::from_str::<Facts>(body).expect(body));
        }
        summary
    }

    #[test]
    fn chat_answers_give_id_model_reasons_and_usage() {
        let s = summary(&[
            r#"{"id":"chatcmpl-1","model":"m","object":"chat.completion",
            "choices":[{"index":0,"message":{"role":"assistant","content":"secret answer"},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17}}"#,
        ]);
        assert_eq!(s.id.as_deref(), Some("chatcmpl-1"));
        assert_eq!(s.model.as_deref(), Some("m"));
        assert_eq!(s.finish_reasons, ["stop"]);
        assert_eq!((s.input_tokens, s.output_tokens), (Some(12), Some(5)));
    }

    #[test]
    fn chat_chunks_add_up() {
        let s = summary(&[
            r#"{"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}"#,
            r#"{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}"#,
            r#"{"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}"#,
        ]);
        assert_eq!(s.finish_reasons, ["length"]);
        assert_eq!((s.input_tokens, s.output_tokens), (Some(3), Some(2)));
    }

    #[test]
    fn messages_and_responses_events_are_read() {
        let s = summary(&[
            r#"{"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":9,"output_tokens":1}}}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#,
            r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":4}}"#,
        ]);
        assert_eq!(s.id.as_deref(), Some("msg_1"));
        assert_eq!(s.finish_reasons, ["end_turn"]);
        assert_eq!((s.input_tokens, s.output_tokens), (Some(9), Some(4)));

        let s = summary(&[
            r#"{"type":"response.output_text.delta","delta":"Hi","item_id":"x"}"#,
            r#"{"type":"response.completed","response":{"id":"resp_1","model":"m","status":"completed","usage":{"input_tokens":7,"output_tokens":3}}}"#,
        ]);
        assert_eq!(s.id.as_deref(), Some("resp_1"));
        assert_eq!(s.finish_reasons, ["completed"]);
        assert_eq!((s.input_tokens, s.output_tokens), (Some(7), Some(3)));
    }

    #[test]
    fn text_is_collected_per_choice() {
        let mut text = BTreeMap::new();
        for body in [
            r#"{"choices":[{"index":0,"delta":{"content":"Hel"}},{"index":1,"delta":{"content":"Bon"}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":"lo"}}]}"#,
            r#"{"type":"response.function_call_arguments.delta","delta":"{\"a\":1}"}"#,
        ] {
            serde_json::from_str::<Facts>(body)
                .unwrap()
                .collect_text(&mut text);
        }
        assert_eq!(text.get(&0).map(String::as_str), Some("Hello"));
        assert_eq!(text.get(&1).map(String::as_str), Some("Bon"));
    }

    #[test]
    fn only_events_that_may_hold_a_fact_pass_the_test() {
        let passes = |data: &str| may_hold_a_fact(data.as_bytes());
        assert!(!passes(
            r#"{"id":"c","choices":[{"index":0,"delta":{"content":"finish_reason"},"finish_reason":null}]}"#
        ));
        assert!(!passes(r#"{"id":"c","choices":[],"usage":null}"#));
        assert!(passes(
            r#"{"choices":[{"index":0,"delta":{},"finish_reason" : "stop"}]}"#
        ));
        assert!(passes(r#"{"choices":[],"usage": {"prompt_tokens":3}}"#));
        assert!(passes(
            r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"}}"#
        ));
        assert!(passes(
            r#"{"type":"response.completed","response":{"status":"completed"}}"#
        ));
    }

    #[test]
    fn request_facts_never_keep_the_messages() {
        let body = br#"{"model":"m","messages":[{"role":"user","content":"my secret"}],
            "temperature":0.5,"stop":"\n","max_tokens":16,"n":2,"seed":[1,2]}"#;
        let facts: RequestFacts<'_> = serde_json::from_slice(body).unwrap();
        assert_eq!(facts.model.as_deref(), Some("m"));
        assert_eq!(facts.temperature, Some(0.5));
        assert_eq!(facts.max_tokens, Some(16));
        assert_eq!(facts.n, Some(2));
    }
}
