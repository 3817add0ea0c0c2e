//! Seeing what the SDK does (issue 25): the spans of calls in the OpenTelemetry GenAI
//! conventions, captured by a test subscriber; the metadata of every result; hooks around every
//! attempt. No test finds the token, the prompt or the answer in any recorded field.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use friendli::Error;
use friendli::events::ChatStreamEvent;
use friendli::observe::{AttemptOutcome, AttemptRequest, Hook, HookFuture, after_attempt};
use friendli::prelude::*;
use friendli::types::{ServerlessChatCompletionBody, StreamOptions};
use friendli_mock::{Fault, MockServer, Scenario, StreamShape};
use friendli_tests::{TOKEN, builder, client, fast_retries};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// A prompt no answer and no field should ever contain.
const PROMPT: &str = "Tell me the secret word zebra-quartz-17 and what is 3 + 6?";

// ---- a subscriber that keeps every span's fields and every event ----

/// One span as recorded: its name and the last value of each field.
#[derive(Debug, Clone, Default)]
struct SpanRecord {
    name: String,
    fields: BTreeMap<String, String>,
    closed: bool,
}

impl SpanRecord {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    #[track_caller]
    fn expect(&self, name: &str) -> &str {
        self.field(name)
            .unwrap_or_else(|| panic!("no field {name} in {:#?}", self.fields))
    }
}

/// One event as recorded: its target, the span it is in, its fields (`message` included).
#[derive(Debug, Clone)]
struct EventRecord {
    target: String,
    span: Option<String>,
    fields: BTreeMap<String, String>,
}

#[derive(Default)]
struct Recorded {
    spans: Vec<SpanRecord>,
    /// Where each open span is in `spans`, by id.
    open: BTreeMap<u64, usize>,
    events: Vec<EventRecord>,
}

/// The capturing layer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Recorded>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _ctx: Context<'_, S>) {
        let mut record = SpanRecord {
            name: attrs.metadata().name().to_owned(),
            ..SpanRecord::default()
        };
        attrs.record(&mut Fields(&mut record.fields));
        let mut recorded = self.0.lock().unwrap();
        let index = recorded.spans.len();
        recorded.spans.push(record);
        recorded.open.insert(id.into_u64(), index);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        let mut recorded = self.0.lock().unwrap();
        if let Some(&index) = recorded.open.get(&id.into_u64()) {
            values.record(&mut Fields(&mut recorded.spans[index].fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let span = ctx.event_span(event).map(|s| s.name().to_owned());
        self.0.lock().unwrap().events.push(EventRecord {
            target: event.metadata().target().to_owned(),
            span,
            fields,
        });
    }

    fn on_close(&self, id: Id, _ctx: Context<'_, S>) {
        let mut recorded = self.0.lock().unwrap();
        if let Some(index) = recorded.open.remove(&id.into_u64()) {
            recorded.spans[index].closed = true;
        }
    }
}

impl Capture {
    /// The `friendli.call` spans, in the order they opened.
    fn calls(&self) -> Vec<SpanRecord> {
        let recorded = self.0.lock().unwrap();
        recorded
            .spans
            .iter()
            .filter(|s| s.name == "friendli.call")
            .cloned()
            .collect()
    }

    /// The only `friendli.call` span.
    #[track_caller]
    fn call(&self) -> SpanRecord {
        let calls = self.calls();
        assert_eq!(calls.len(), 1, "{calls:#?}");
        calls.into_iter().next().unwrap()
    }

    fn events(&self) -> Vec<EventRecord> {
        self.0.lock().unwrap().events.clone()
    }

    /// Every recorded value: span fields and event fields.
    fn all_values(&self) -> Vec<String> {
        let recorded = self.0.lock().unwrap();
        let spans = recorded.spans.iter().flat_map(|s| s.fields.values());
        let events = recorded.events.iter().flat_map(|e| e.fields.values());
        spans.chain(events).cloned().collect()
    }

    /// Fails if a recorded value contains any of `secrets`.
    #[track_caller]
    fn assert_none_contains(&self, secrets: &[&str]) {
        for value in self.all_values() {
            for secret in secrets.iter().filter(|s| !s.is_empty()) {
                assert!(
                    !value.contains(secret),
                    "a recorded value contains {secret:?}: {value}"
                );
            }
        }
    }
}

/// The tests of this file each install their own subscriber; they run one at a time, so that
/// no test sees another's spans through the callsites' shared interest.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Captures what the SDK traces on this thread until the guard is dropped.
async fn capture() -> (
    Capture,
    tracing::subscriber::DefaultGuard,
    tokio::sync::MutexGuard<'static, ()>,
) {
    let serial = ONE_AT_A_TIME.lock().await;
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    let guard = tracing::subscriber::set_default(subscriber);
    (capture, guard, serial)
}

fn chat_request(include_usage: bool) -> ServerlessChatCompletionBody {
    let mut builder = ServerlessChatCompletionBody::builder()
        .model("mock-model")
        .messages(vec![Message::user(PROMPT)])
        .temperature(0.25)
        .top_p(0.5)
        .max_tokens(64)
        .stop(vec!["STOP-HERE".to_owned()]);
    if include_usage {
        builder = builder.stream_options(StreamOptions {
            include_usage: Some(true),
        });
    }
    builder.try_into().expect("a complete request")
}

// ---- spans ----

#[tokio::test(flavor = "current_thread")]
async fn a_unary_chat_span_has_the_genai_fields() {
    let (capture, _guard, _serial) = capture().await;
    let server = MockServer::start();
    let answer = client(&server)
        .serverless()
        .chat()
        .complete(chat_request(false))
        .await
        .unwrap();

    let span = capture.call();
    assert!(span.closed, "a unary call's span closes with the call");
    assert_eq!(span.expect("gen_ai.system"), "friendli");
    assert_eq!(span.expect("gen_ai.operation.name"), "chat");
    assert_eq!(span.expect("otel.name"), "chat mock-model");
    assert_eq!(span.expect("otel.kind"), "client");
    assert_eq!(span.expect("friendli.operation"), "serverlessChatComplete");
    assert_eq!(span.expect("gen_ai.request.model"), "mock-model");
    assert_eq!(span.expect("gen_ai.request.temperature"), "0.25");
    assert_eq!(span.expect("gen_ai.request.top_p"), "0.5");
    assert_eq!(span.expect("gen_ai.request.max_tokens"), "64");
    assert_eq!(
        span.expect("gen_ai.request.stop_sequences"),
        r#"["STOP-HERE"]"#
    );
    assert_eq!(
        span.field("gen_ai.request.top_k"),
        None,
        "not set, not recorded"
    );
    assert_eq!(span.expect("gen_ai.response.id"), answer.id);
    assert_eq!(
        span.expect("gen_ai.response.finish_reasons"),
        serde_json::to_string(&[answer.finish_reason().unwrap().wire_name()]).unwrap()
    );
    assert_eq!(
        span.expect("gen_ai.usage.input_tokens"),
        answer.usage.prompt_tokens.to_string()
    );
    assert_eq!(
        span.expect("gen_ai.usage.output_tokens"),
        answer.usage.completion_tokens.to_string()
    );
    assert_eq!(span.expect("http.response.status_code"), "200");
    assert_eq!(span.expect("http.request.method"), "POST");
    assert_eq!(span.expect("server.address"), "127.0.0.1");
    assert!(span.field("server.port").is_some());
    assert_eq!(span.expect("friendli.attempts"), "1");
    assert_eq!(span.expect("friendli.request_id"), "mock-req-1");
    assert_eq!(span.field("otel.status_code"), None);
    assert_eq!(span.field("error.type"), None);

    let content = answer.content().unwrap().to_owned();
    capture.assert_none_contains(&[TOKEN, PROMPT, "zebra-quartz-17", &content]);
}

/// Reads a chat stream to its end; gives the text it carried.
async fn drain(mut stream: EventStream<ChatStreamEvent>) -> (String, Option<Error>, u64) {
    let mut text = String::new();
    let mut count = 0;
    while let Some(event) = stream.next().await {
        match event {
            Ok(event) => {
                count += 1;
                text.push_str(event.content(0).unwrap_or_default());
            }
            Err(error) => return (text, Some(error), count),
        }
    }
    (text, None, count)
}

#[tokio::test(flavor = "current_thread")]
async fn a_stream_that_ends_records_its_totals() {
    let (capture, _guard, _serial) = capture().await;
    let server = MockServer::start();
    let stream = client(&server)
        .serverless()
        .chat()
        .stream(chat_request(true))
        .await
        .unwrap();
    assert_eq!(stream.meta().attempts(), 1);
    assert!(
        !capture.call().closed,
        "the span lives as long as the stream"
    );
    let (text, error, events) = drain(stream).await;
    assert!(error.is_none(), "{error:?}");
    assert!(!text.is_empty());

    let span = capture.call();
    assert!(span.closed, "the span closes at the end of the stream");
    assert_eq!(span.expect("friendli.operation"), "serverlessChatStream");
    assert_eq!(span.expect("gen_ai.operation.name"), "chat");
    assert_eq!(span.expect("friendli.stream.end"), "completed");
    assert_eq!(span.expect("friendli.stream.events"), events.to_string());
    let first: f64 = span
        .expect("friendli.stream.time_to_first_event_ms")
        .parse()
        .unwrap();
    assert!(first >= 0.0);
    assert!(span.expect("gen_ai.response.id").starts_with("chatcmpl"));
    assert!(
        span.expect("gen_ai.response.finish_reasons")
            .contains("stop")
    );
    let input: u64 = span.expect("gen_ai.usage.input_tokens").parse().unwrap();
    let output: u64 = span.expect("gen_ai.usage.output_tokens").parse().unwrap();
    assert!(input > 0 && output > 0, "{input} {output}");
    assert_eq!(span.expect("http.response.status_code"), "200");
    assert_eq!(span.field("otel.status_code"), None);
    capture.assert_none_contains(&[TOKEN, PROMPT, "zebra-quartz-17", &text]);
}

#[tokio::test(flavor = "current_thread")]
async fn a_truncated_stream_records_the_truncation() {
    let (capture, _guard, _serial) = capture().await;
    let server = MockServer::start();
    server.push(Scenario::assistant().shape(StreamShape::default().fault(Fault::OmitDone)));
    let stream = client(&server)
        .serverless()
        .chat()
        .stream(chat_request(true))
        .await
        .unwrap();
    let (text, error, events) = drain(stream).await;
    assert!(
        matches!(error, Some(Error::StreamTruncated(_))),
        "{error:?}"
    );

    let span = capture.call();
    assert!(span.closed);
    assert_eq!(span.expect("friendli.stream.end"), "truncated");
    assert_eq!(span.expect("error.type"), "truncated");
    assert_eq!(span.expect("otel.status_code"), "error");
    assert_eq!(span.expect("friendli.stream.events"), events.to_string());
    assert!(
        span.field("friendli.stream.time_to_first_event_ms")
            .is_some()
    );
    // The usage chunk came before the missing end: it is recorded.
    assert!(span.field("gen_ai.usage.output_tokens").is_some());
    capture.assert_none_contains(&[TOKEN, PROMPT, &text]);
}

#[tokio::test(flavor = "current_thread")]
async fn a_dropped_stream_records_how_far_it_got() {
    let (capture, _guard, _serial) = capture().await;
    let server = MockServer::start();
    let mut stream = client(&server)
        .serverless()
        .chat()
        .stream(chat_request(true))
        .await
        .unwrap();
    let first = stream.next().await.unwrap().unwrap();
    assert!(!capture.call().closed);
    drop(stream);

    let span = capture.call();
    assert!(span.closed, "dropping the stream closes its span");
    assert_eq!(span.expect("friendli.stream.end"), "dropped");
    assert_eq!(span.expect("friendli.stream.events"), "1");
    assert!(
        span.field("friendli.stream.time_to_first_event_ms")
            .is_some()
    );
    assert_eq!(
        span.expect("gen_ai.response.id"),
        first.chunk().unwrap().id.as_str()
    );
    assert_eq!(span.field("otel.status_code"), None, "dropping is no error");
    // What the dropped stream would have said: the same request, read whole (its own span is
    // checked too; neither records the text).
    let (said, _, _) = drain(
        client(&server)
            .serverless()
            .chat()
            .stream(chat_request(true))
            .await
            .unwrap(),
    )
    .await;
    assert!(said.len() > 8, "{said:?}");
    capture.assert_none_contains(&[TOKEN, PROMPT, &said]);
}

#[tokio::test(flavor = "current_thread")]
async fn a_retried_call_records_its_attempts_and_their_statuses() {
    let (capture, _guard, _serial) = capture().await;
    let server = MockServer::start();
    server.push(Scenario::fail(503).times(2));
    let answer = client(&server)
        .serverless()
        .chat()
        .complete(chat_request(false))
        .await
        .unwrap();
    assert_eq!(answer.attempts(), 3);

    let span = capture.call();
    assert_eq!(span.expect("friendli.attempts"), "3");
    assert_eq!(span.expect("friendli.failed_attempts"), "503,503");
    assert_eq!(span.expect("http.response.status_code"), "200");
    assert_eq!(span.expect("friendli.request_id"), "mock-req-3");
    // Each retry is an event inside the call's span, with the status that caused it.
    let retries: Vec<EventRecord> = capture
        .events()
        .into_iter()
        .filter(|e| e.fields.get("message").map(String::as_str) == Some("attempt failed; retrying"))
        .collect();
    assert_eq!(retries.len(), 2, "{retries:#?}");
    for (number, retry) in retries.iter().enumerate() {
        assert_eq!(retry.span.as_deref(), Some("friendli.call"));
        assert_eq!(retry.fields["status"], "503");
        assert_eq!(retry.fields["attempt"], (number + 1).to_string());
    }
    capture.assert_none_contains(&[TOKEN, PROMPT, answer.content().unwrap()]);
}

#[tokio::test(flavor = "current_thread")]
async fn a_call_that_gives_up_records_the_error() {
    let (capture, _guard, _serial) = capture().await;
    let server = MockServer::start();
    server.push(Scenario::fail(503).times(3));
    let error = client(&server)
        .serverless()
        .chat()
        .complete(chat_request(false))
        .retries(fast_retries().max_attempts(3))
        .await
        .unwrap_err();
    assert_eq!(error.attempts(), 3);

    let span = capture.call();
    assert!(span.closed);
    assert_eq!(span.expect("otel.status_code"), "error");
    assert_eq!(span.expect("error.type"), "503");
    assert_eq!(span.expect("http.response.status_code"), "503");
    assert_eq!(span.expect("friendli.attempts"), "3");
    assert_eq!(span.expect("friendli.failed_attempts"), "503,503,503");
    assert_eq!(span.expect("friendli.request_id"), "mock-req-3");
    assert_eq!(span.expect("gen_ai.request.model"), "mock-model");
    capture.assert_none_contains(&[TOKEN, PROMPT]);
}

#[tokio::test(flavor = "current_thread")]
async fn a_platform_call_has_a_span_without_genai_facts() {
    let (capture, _guard, _serial) = capture().await;
    let server = MockServer::start();
    client(&server).serverless().model().list().await.unwrap();
    let span = capture.call();
    assert_eq!(span.expect("friendli.operation"), "serverlessModelList");
    assert_eq!(span.expect("otel.name"), "serverlessModelList");
    assert_eq!(span.expect("http.request.method"), "GET");
    assert_eq!(span.expect("http.response.status_code"), "200");
    assert_eq!(span.field("gen_ai.operation.name"), None);
    assert_eq!(span.field("gen_ai.response.id"), None);
}

#[tokio::test(flavor = "current_thread")]
async fn content_is_recorded_only_when_asked_for() {
    let (capture, _guard, _serial) = capture().await;
    let server = MockServer::start();
    let client = builder(&server).trace_content(true).build().unwrap();
    let answer = client
        .serverless()
        .chat()
        .complete(chat_request(false))
        .await
        .unwrap();
    let stream = client
        .serverless()
        .chat()
        .stream(chat_request(true))
        .await
        .unwrap();
    let (streamed, _, _) = drain(stream).await;

    let content: Vec<EventRecord> = capture
        .events()
        .into_iter()
        .filter(|e| e.target == "friendli::content")
        .collect();
    let inputs: Vec<&str> = content
        .iter()
        .filter_map(|e| e.fields.get("gen_ai.input.messages").map(String::as_str))
        .collect();
    let outputs: Vec<&str> = content
        .iter()
        .filter_map(|e| e.fields.get("gen_ai.output.messages").map(String::as_str))
        .collect();
    assert_eq!(inputs.len(), 2, "{content:#?}");
    assert!(inputs.iter().all(|i| i.contains("zebra-quartz-17")));
    assert_eq!(outputs.len(), 2, "{content:#?}");
    let unary_text = serde_json::to_string(answer.content().unwrap()).unwrap();
    assert!(
        outputs[0].contains(unary_text.trim_matches('"')),
        "{}",
        outputs[0]
    );
    let streamed_text = serde_json::to_string(&streamed).unwrap();
    assert!(
        outputs[1].contains(streamed_text.trim_matches('"')),
        "{}",
        outputs[1]
    );
    assert!(
        content
            .iter()
            .all(|e| e.span.as_deref() == Some("friendli.call"))
    );
    // The token still never is.
    capture.assert_none_contains(&[TOKEN]);
}

// ---- metadata on every result ----

#[tokio::test]
async fn every_result_carries_its_metadata() {
    let server = MockServer::start();
    let client = client(&server);

    // A unary call, retried once.
    server.push(Scenario::fail(503).header("x-ratelimit-remaining-requests", "0"));
    let answer = client
        .serverless()
        .chat()
        .complete(chat_request(false))
        .await
        .unwrap();
    assert_eq!(answer.attempts(), 2);
    assert_eq!(answer.meta().failed_attempts().len(), 1);
    assert_eq!(answer.request_id(), Some("mock-req-2"));
    assert_eq!(answer.meta().operation(), "serverlessChatComplete");
    assert!(answer.elapsed() > std::time::Duration::ZERO);

    // A stream: its metadata, and the result folded from it.
    server.push(Scenario::fail(429));
    let stream = client
        .serverless()
        .chat()
        .stream(chat_request(true))
        .await
        .unwrap();
    assert_eq!(stream.meta().attempts(), 2);
    assert_eq!(stream.request_id(), Some("mock-req-4"));
    let collected = stream.collect_chat().await.unwrap();
    let meta = collected.meta().expect("collected from a stream");
    assert_eq!(meta.request_id(), Some("mock-req-4"));
    assert_eq!(meta.attempts(), 2);

    // The tool loop: the metadata of its last turn.
    let tools = Tools::new();
    let run = client
        .serverless()
        .chat()
        .run(chat_request(false), &tools)
        .await
        .unwrap();
    assert_eq!(run.meta().unwrap().request_id(), Some("mock-req-5"));

    // An error: its rate limits and request id.
    server.push(
        Scenario::fail(429)
            .header("x-ratelimit-limit-requests", "60")
            .header("x-ratelimit-remaining-requests", "0")
            .header("x-ratelimit-reset-requests", "1.5s"),
    );
    let error = client
        .serverless()
        .chat()
        .complete(chat_request(false))
        .retries(RetryConfig::none())
        .await
        .unwrap_err();
    let limits = error.rate_limit().unwrap().requests.unwrap();
    assert_eq!(limits.limit, Some(60));
    assert!(limits.is_exhausted());
    assert_eq!(limits.reset, Some(std::time::Duration::from_millis(1500)));
    assert_eq!(error.request_id(), Some("mock-req-6"));
}

#[test]
fn blocking_results_carry_their_metadata_too() {
    let server = MockServer::start();
    let client = builder(&server).blocking().build().unwrap();
    server.push(Scenario::fail(503));
    let answer = client
        .serverless()
        .chat()
        .complete(chat_request(false))
        .send()
        .unwrap();
    assert_eq!(answer.attempts(), 2);
    assert_eq!(answer.request_id(), Some("mock-req-2"));

    let events = client
        .serverless()
        .chat()
        .stream(chat_request(true))
        .send()
        .unwrap();
    assert_eq!(events.meta().request_id(), Some("mock-req-3"));
    let count = events.count();
    assert!(count > 1);
}

// ---- hooks ----

/// A token that expires: the hook refreshes it after the server refuses it.
struct RefreshingToken {
    current: Mutex<String>,
    stale: AtomicBool,
    refreshes: AtomicUsize,
    /// What the hook saw of `authorization` before setting it, per attempt.
    seen_before: Mutex<Vec<Option<String>>>,
}

impl RefreshingToken {
    async fn refresh(&self) -> String {
        // Where a real hook would ask an identity provider.
        tokio::task::yield_now().await;
        let n = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
        format!("fresh-token-{n}")
    }
}

impl Hook for RefreshingToken {
    fn before_attempt<'a>(&'a self, request: &'a mut AttemptRequest) -> HookFuture<'a> {
        Box::pin(async move {
            self.seen_before.lock().unwrap().push(
                request
                    .headers()
                    .get("authorization")
                    .map(|v| v.to_str().unwrap_or("<opaque>").to_owned()),
            );
            if self.stale.swap(false, Ordering::SeqCst) {
                let token = self.refresh().await;
                *self.current.lock().unwrap() = token;
            }
            let token = self.current.lock().unwrap().clone();
            request.set_bearer_token(&token)?;
            Ok(())
        })
    }

    fn after_attempt(&self, attempt: &AttemptOutcome<'_>) {
        if attempt.status().is_some_and(|s| s.as_u16() == 401) {
            self.stale.store(true, Ordering::SeqCst);
        }
    }
}

#[tokio::test]
async fn a_hook_refreshes_the_token_between_two_attempts() {
    let server = MockServer::start();
    server.push(Scenario::fail(401));
    let hook = Arc::new(RefreshingToken {
        current: Mutex::new("expired-token".to_owned()),
        stale: AtomicBool::new(false),
        refreshes: AtomicUsize::new(0),
        seen_before: Mutex::new(Vec::new()),
    });
    let client = builder(&server)
        // 401 is retried here, so that the refreshed token gets its attempt.
        .retry(fast_retries().status_codes([401, 429, 500, 502, 503, 504]))
        .hook(Arc::clone(&hook))
        .build()
        .unwrap();
    let answer = client
        .serverless()
        .chat()
        .complete(chat_request(false))
        .await
        .unwrap();
    assert_eq!(answer.attempts(), 2);

    let sent: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(sent, ["Bearer expired-token", "Bearer fresh-token-1"]);
    assert_eq!(hook.refreshes.load(Ordering::SeqCst), 1);
    // The hook never saw the client's own token: only what it set itself.
    assert_eq!(*hook.seen_before.lock().unwrap(), [None, None]);
    assert!(!sent.iter().any(|s| s.contains(TOKEN)));
}

#[tokio::test]
async fn without_a_hook_setting_one_the_clients_token_is_sent() {
    let server = MockServer::start();
    let client = builder(&server)
        .hook(after_attempt(|_| {}))
        .build()
        .unwrap();
    client
        .serverless()
        .chat()
        .complete(chat_request(false))
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

/// What an after-attempt hook saw of one attempt.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    operation: &'static str,
    attempt: usize,
    status: Option<u16>,
    success: bool,
    request_id: Option<String>,
}

fn recorder() -> (Arc<Mutex<Vec<Seen>>>, impl Hook) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let hook = after_attempt(move |attempt| {
        sink.lock().unwrap().push(Seen {
            operation: attempt.operation().id,
            attempt: attempt.attempt(),
            status: attempt.status().map(|s| s.as_u16()),
            success: attempt.is_success(),
            request_id: attempt.request_id().map(str::to_owned),
        });
    });
    (seen, hook)
}

fn seen(attempt: usize, status: u16, success: bool) -> Seen {
    Seen {
        operation: "serverlessChatComplete",
        attempt,
        status: Some(status),
        success,
        request_id: Some(format!("mock-req-{attempt}")),
    }
}

#[tokio::test]
async fn a_hook_sees_every_attempt_of_a_retried_call() {
    let server = MockServer::start();
    server.push(Scenario::fail(503).times(2));
    let (seen_attempts, hook) = recorder();
    let before = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&before);
    let client = builder(&server)
        .hook(friendli::observe::before_attempt(move |request| {
            assert_eq!(
                request.attempt(),
                counter.fetch_add(1, Ordering::SeqCst) + 1
            );
            assert!(request.headers().get("authorization").is_none());
            Ok(())
        }))
        .hook(hook)
        .build()
        .unwrap();
    client
        .serverless()
        .chat()
        .complete(chat_request(false))
        .await
        .unwrap();
    assert_eq!(before.load(Ordering::SeqCst), 3);
    assert_eq!(
        *seen_attempts.lock().unwrap(),
        [seen(1, 503, false), seen(2, 503, false), seen(3, 200, true)]
    );
}

#[test]
fn hooks_run_on_the_blocking_client_too() {
    let server = MockServer::start();
    server.push(Scenario::fail(503));
    let (seen_attempts, hook) = recorder();
    let client = builder(&server).hook(hook).blocking().build().unwrap();
    client
        .serverless()
        .chat()
        .complete(chat_request(false))
        .send()
        .unwrap();
    assert_eq!(
        *seen_attempts.lock().unwrap(),
        [seen(1, 503, false), seen(2, 200, true)]
    );
}

#[tokio::test]
async fn a_failing_hook_stops_the_call_before_anything_is_sent() {
    let server = MockServer::start();
    let client = builder(&server)
        .hook(friendli::observe::before_attempt(|_| {
            Err("the signing key is not available".into())
        }))
        .build()
        .unwrap();
    let error = client
        .serverless()
        .chat()
        .complete(chat_request(false))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Hook(_)), "{error:?}");
    assert!(error.to_string().contains("signing key"), "{error}");
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn a_hook_can_sign_the_body() {
    let server = MockServer::start();
    let client = builder(&server)
        .hook(friendli::observe::before_attempt(|request| {
            let length = request.body().map_or(0, <[u8]>::len);
            request
                .headers_mut()
                .insert("x-body-length", length.to_string().parse()?);
            Ok(())
        }))
        .build()
        .unwrap();
    client
        .serverless()
        .chat()
        .complete(chat_request(false))
        .await
        .unwrap();
    let sent = &server.requests()[0];
    assert_eq!(
        sent.header("x-body-length"),
        Some(sent.body.len().to_string().as_str())
    );
}
