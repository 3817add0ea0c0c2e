//! The blocking client, from plain threads (no runtime): the main cases of the async suite, and
//! the clear error inside an async runtime.

use std::time::Duration;

use friendli::blocking;
use friendli::prelude::*;
use friendli::stream::JsonOrStream;
use friendli::{Error, RetryConfig};
use friendli_mock::{Fault, MockServer, Scenario, StreamShape};
use friendli_tests::{builder, request};

fn blocking_client(server: &MockServer) -> blocking::Client {
    builder(server).blocking().build().unwrap()
}

fn ask() -> ToolAssistedChatRequest {
    request("What is 3 + 6?", vec![ToolAssistedChatTool::calculator()])
}

/// A stream of the calculator question from `server`.
fn open_stream(
    server: &MockServer,
) -> blocking::EventIter<friendli::events::ToolAssistedChatEvent> {
    blocking_client(server)
        .serverless()
        .tool_assisted_chat()
        .stream(ask())
        .send()
        .unwrap()
}

/// `complete()` of the calculator question with `client`, ready for per-call options.
fn ask_with(
    client: &blocking::Client,
) -> blocking::Call<'_, friendli::operations::ServerlessToolAssistedChatComplete> {
    client.serverless().tool_assisted_chat().complete(ask())
}

#[test]
fn complete_returns_the_answer() {
    let server = MockServer::start();
    let client = blocking_client(&server);
    let result = ask_with(&client).team("t").send().unwrap();
    assert_eq!(
        result.content(),
        Some("The math:calculator says 3 + 6 is 9.")
    );
    assert_eq!(server.requests()[0].header("x-friendli-team"), Some("t"));
    let response = ask_with(&client).send().unwrap();
    assert_eq!(response.request_id(), Some("mock-req-2"));
    assert_eq!(response.attempts(), 1);
}

#[test]
fn stream_is_an_iterator_with_tool_status_events() {
    let server = MockServer::start();
    let client = blocking_client(&server);
    let events: Vec<ToolAssistedChatEvent> = client
        .serverless()
        .tool_assisted_chat()
        .stream(ask())
        .send()
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(matches!(events[0], ToolAssistedChatEvent::ToolStatus(_)));
    assert!(matches!(events[1], ToolAssistedChatEvent::ToolStatus(_)));
    let text: String = events.iter().filter_map(|e| e.content(0)).collect();
    assert_eq!(text, "The math:calculator says 3 + 6 is 9.");
    let folded = client
        .serverless()
        .tool_assisted_chat()
        .stream(ask())
        .send()
        .unwrap()
        .collect_chat()
        .unwrap();
    assert_eq!(folded.result.content(), Some(text.as_str()));
    assert_eq!(folded.tool_runs.len(), 1);
}

#[test]
fn a_truncated_stream_yields_its_events_then_the_error() {
    let server = MockServer::start();
    server.push(Scenario::assistant().shape(StreamShape::default().fault(Fault::OmitDone)));
    let mut events = open_stream(&server);
    let mut delivered = 0;
    let error = loop {
        match events.next() {
            Some(Ok(_)) => delivered += 1,
            Some(Err(error)) => break error,
            None => panic!("expected the truncation error"),
        }
    };
    assert!(delivered > 3);
    assert!(
        matches!(error, Error::StreamTruncated(ref t) if t.events_delivered == delivered),
        "{error:?}"
    );
    assert!(events.next().is_none());
}

#[test]
fn a_503_is_retried() {
    let server = MockServer::start();
    server.push(Scenario::fail(503));
    let result = blocking_client(&server)
        .serverless()
        .tool_assisted_chat()
        .complete(ask())
        .send()
        .unwrap();
    assert!(result.content().unwrap().contains('9'));
    assert_eq!(server.request_count(), 2);
    server.push(Scenario::fail(503));
    let error = blocking_client(&server)
        .serverless()
        .tool_assisted_chat()
        .complete(ask())
        .retries(RetryConfig::none())
        .send()
        .unwrap_err();
    assert_eq!(error.status().unwrap().as_u16(), 503);
}

#[test]
fn dropping_the_iterator_closes_the_connection() {
    let server = MockServer::start();
    server.push(
        Scenario::assistant().shape(StreamShape::default().fault(Fault::StallAfter {
            events: 2,
            duration: Duration::from_secs(60),
        })),
    );
    let mut events = open_stream(&server);
    events.next().unwrap().unwrap();
    events.next().unwrap().unwrap();
    drop(events);
    assert!(server.wait_for_disconnects_blocking(1, Duration::from_secs(10)));
}

#[test]
fn the_single_operation_and_the_tool_loop_work_too() {
    let server = MockServer::start();
    let client = blocking_client(&server);
    let mut streamed = ask();
    streamed.stream = Some(true);
    match client
        .serverless()
        .tool_assisted_chat_completion(streamed)
        .send()
        .unwrap()
    {
        JsonOrStream::Stream(events) => {
            let events: Vec<_> = events.collect::<Result<_, _>>().unwrap();
            assert!(events.len() > 3, "{events:?}");
        }
        JsonOrStream::Json(_) => panic!("expected a stream"),
    }
    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct Args {
        city: String,
    }
    let tools =
        Tools::new().register(
            "get_weather",
            "Weather of a city",
            |args: Args| async move {
                Ok::<_, std::convert::Infallible>(format!("sunny in {}", args.city))
            },
        );
    let run = client
        .serverless()
        .tool_assisted_chat()
        .run(
            request(r#"Use get_weather with {"city": "Seoul"}"#, vec![]),
            &tools,
        )
        .send()
        .unwrap();
    assert_eq!(
        run.result.content(),
        Some("Based on the tool results: sunny in Seoul.")
    );
}

#[tokio::test]
async fn inside_an_async_runtime_it_fails_with_a_clear_error() {
    let server = MockServer::start();
    // Building is fine; calling would block a runtime thread.
    let client = blocking_client(&server);
    let error = ask_with(&client).send().unwrap_err();
    assert!(matches!(error, Error::InvalidConfig(_)), "{error:?}");
    assert!(
        error.to_string().contains("inside an async runtime"),
        "{error}"
    );
    let error = client
        .serverless()
        .tool_assisted_chat()
        .stream(ask())
        .send()
        .unwrap_err();
    assert!(
        error.to_string().contains("use the async friendli::Client"),
        "{error}"
    );
    assert_eq!(server.request_count(), 0);
    // Dropping the client here does not panic either.
    drop(client);
}

#[test]
fn body_fields_apply_to_blocking_calls_too() {
    let server = MockServer::start();
    let client = blocking_client(&server);
    ask_with(&client)
        .body_field("max_tokens", serde_json::Value::Null)
        .body_field("new_knob", 7)
        .send()
        .unwrap();
    let sent = server.requests()[0].json().unwrap();
    assert!(sent["max_tokens"].is_null());
    assert!(sent.as_object().unwrap().contains_key("max_tokens"));
    assert_eq!(sent["new_knob"], 7);
}
