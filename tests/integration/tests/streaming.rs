//! Streaming: typed events, every fault of the mock's scenario list (which events arrive before
//! the error, and which error), folding, dropping, timeouts.

use std::time::Duration;

use friendli::Error;
use friendli::error::TimeoutKind;
use friendli::error::TransportPhase;
use friendli::events::ToolAssistedChatEvent;
use friendli::prelude::*;
use friendli::types::{FinishReason, FinishReasonKnown, ToolStatus, ToolStatusKnown};
use friendli_mock::{Fault, Gate, LineEnding, MockServer, Scenario, StreamShape};
use friendli_tests::{builder, client, request};
use serde_json::{Value, json};

const QUESTION: &str = "What is 3 + 6?";

fn calculator_request() -> ToolAssistedChatRequest {
    request(QUESTION, vec![ToolAssistedChatTool::calculator()])
}

/// Opens a stream of the calculator question with `client`.
async fn open(client: &friendli::Client) -> Result<EventStream<ToolAssistedChatEvent>, Error> {
    client
        .serverless()
        .tool_assisted_chat()
        .stream(calculator_request())
        .await
}

/// An event with the values that differ between runs (ids, times) blanked.
fn normalise(event: &ToolAssistedChatEvent) -> Value {
    let mut value = serde_json::to_value(event).unwrap();
    for pointer in [
        "/data/id",
        "/data/created",
        "/data/timestamp",
        "/data/tool_call_id",
    ] {
        if let Some(slot) = value.pointer_mut(pointer) {
            *slot = Value::Null;
        }
    }
    if let Some(choices) = value
        .pointer_mut("/data/choices")
        .and_then(Value::as_array_mut)
    {
        for choice in choices {
            if let Some(calls) = choice
                .pointer_mut("/delta/tool_calls")
                .and_then(Value::as_array_mut)
            {
                for call in calls {
                    call["id"] = Value::Null;
                }
            }
        }
    }
    value
}

/// Everything a stream yields: its events (normalised), and the error that ended it, if any.
async fn drain(mut events: EventStream<ToolAssistedChatEvent>) -> (Vec<Value>, Option<Error>) {
    let mut seen = Vec::new();
    while let Some(item) = events.next().await {
        match item {
            Ok(event) => seen.push(normalise(&event)),
            Err(error) => {
                // After an error the stream is over.
                assert!(events.next().await.is_none());
                return (seen, Some(error));
            }
        }
    }
    (seen, None)
}

/// Everything a stream of the calculator question yields, from `server`.
async fn stream_of(server: &MockServer) -> (Vec<Value>, Option<Error>) {
    let events = open(&client(server)).await.unwrap();
    drain(events).await
}

/// The events of a clean stream, then everything a stream with `fault` yields.
async fn with_fault(server: &MockServer, fault: Fault) -> (Vec<Value>, Vec<Value>, Option<Error>) {
    let expected = baseline(server).await;
    let (events, error) = with_shape(server, StreamShape::default().fault(fault)).await;
    (expected, events, error)
}

/// The events of a clean stream of the calculator question.
async fn baseline(server: &MockServer) -> Vec<Value> {
    let (events, error) = stream_of(server).await;
    assert!(error.is_none(), "{error:?}");
    events
}

/// Everything a stream of the calculator question shaped by `shape` yields.
async fn with_shape(server: &MockServer, shape: StreamShape) -> (Vec<Value>, Option<Error>) {
    server.push(Scenario::assistant().shape(shape));
    stream_of(server).await
}

#[tokio::test]
async fn a_stream_has_tool_status_events_then_chunks() {
    let server = MockServer::start();
    let mut events = open(&client(&server)).await.unwrap();
    assert_eq!(events.status().as_u16(), 200);
    assert_eq!(events.request_id(), Some("mock-req-1"));
    let Some(Ok(ToolAssistedChatEvent::ToolStatus(started))) = events.next().await else {
        panic!("a tool status first")
    };
    assert_eq!(started.status, ToolStatus::Known(ToolStatusKnown::Started));
    assert_eq!(started.name.wire_name(), "math:calculator");
    assert_eq!(started.parameters[0].value, "3 + 6");
    let Some(Ok(ToolAssistedChatEvent::ToolStatus(ended))) = events.next().await else {
        panic!("then its end")
    };
    assert_eq!(ended.status, ToolStatus::Known(ToolStatusKnown::Ended));
    assert_eq!(ended.result.as_deref(), Some(r#"{"result":"3 + 6=9"}"#));
    let mut text = String::new();
    let mut finish = None;
    let mut seen = 2;
    while let Some(event) = events.next().await {
        seen += 1;
        let ToolAssistedChatEvent::Chunk(chunk) = event.unwrap() else {
            panic!("only chunks after the tool run")
        };
        for choice in &chunk.choices {
            text.push_str(choice.delta.content.as_deref().unwrap_or_default());
            if choice.finish_reason.is_some() {
                finish.clone_from(&choice.finish_reason);
            }
        }
    }
    assert_eq!(text, "The math:calculator says 3 + 6 is 9.");
    assert_eq!(finish.map(|f| f.to_string()).as_deref(), Some("stop"));
    assert_eq!(events.events_delivered(), seen);

    let sent = &server.requests()[0];
    assert_eq!(sent.header("accept"), Some("text/event-stream"));
    assert_eq!(sent.json().unwrap()["stream"], true);
}

#[tokio::test]
async fn line_endings_bom_comments_and_tiny_chunks_do_not_change_the_events() {
    let server = MockServer::start();
    let expected = baseline(&server).await;
    let shapes = [
        StreamShape::default().line_ending(LineEnding::CrLf),
        StreamShape::default().line_ending(LineEnding::Cr),
        StreamShape::default().bom(),
        StreamShape::default().comments(),
        StreamShape::default().chunks([1]),
        StreamShape::default()
            .chunks([2, 3, 5, 7])
            .line_ending(LineEnding::CrLf)
            .bom()
            .comments(),
        StreamShape::default()
            .chunks([1])
            .line_ending(LineEnding::Cr)
            .bom(),
    ];
    for shape in shapes {
        let description = format!("{shape:?}");
        let (events, error) = with_shape(&server, shape).await;
        assert!(error.is_none(), "{description}: {error:?}");
        assert_eq!(events, expected, "{description}");
    }
}

#[tokio::test]
async fn a_connection_closed_after_some_events_yields_them_then_a_transport_error() {
    let server = MockServer::start();
    let expected = baseline(&server).await;
    for k in [0, 1, 3] {
        let (events, error) = with_shape(
            &server,
            StreamShape::default().fault(Fault::CloseAfterEvents(k)),
        )
        .await;
        assert_eq!(events, expected[..k], "k = {k}");
        match error {
            Some(Error::Transport(t)) => assert_eq!(t.during, TransportPhase::ReadStream),
            other => panic!("k = {k}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_connection_closed_mid_event_yields_the_whole_events_before_it() {
    let server = MockServer::start();
    let transcript = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n\
                      data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\n\n";
    let first_event_len = transcript.find("\n\n").unwrap() + 2;
    for cut in [first_event_len - 1, first_event_len, first_event_len + 10] {
        server.push(
            Scenario::transcript(transcript).shape(
                StreamShape::default()
                    .chunks([7])
                    .fault(Fault::CloseAfterBytes(cut)),
            ),
        );
        let events = open(&client(&server)).await.unwrap();
        let (events, error) = drain(events).await;
        let expected = usize::from(cut >= first_event_len);
        assert_eq!(events.len(), expected, "cut at {cut}");
        assert!(
            matches!(error, Some(Error::Transport(_))),
            "cut at {cut}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_stream_without_done_yields_every_event_then_truncation() {
    let server = MockServer::start();
    let (expected, events, error) = with_fault(&server, Fault::OmitDone).await;
    assert_eq!(events, expected);
    let Some(Error::StreamTruncated(truncated)) = error else {
        panic!("{error:?}")
    };
    assert_eq!(truncated.events_delivered as usize, expected.len());
    assert!(truncated.partial.is_empty());
}

#[tokio::test]
async fn an_unfinished_last_event_is_delivered_if_whole_and_reported_if_cut() {
    let server = MockServer::start();
    let chunk = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}";
    // The server closes right after the last data line, without the blank line.
    server.push(Scenario::transcript(format!("data: {chunk}\n")));
    let (events, error) = stream_of(&server).await;
    assert_eq!(events.len(), 1);
    assert!(
        matches!(error, Some(Error::StreamTruncated(ref t)) if t.events_delivered == 1),
        "{error:?}"
    );
    // Cut inside the JSON: nothing is delivered; the partial bytes are in the error.
    server.push(Scenario::transcript(format!("data: {}", &chunk[..30])));
    let (events, error) = stream_of(&server).await;
    assert!(events.is_empty());
    let Some(Error::StreamTruncated(truncated)) = error else {
        panic!("{error:?}")
    };
    assert_eq!(truncated.partial.as_ref(), &chunk.as_bytes()[..30]);
    // `[DONE]` without its blank line still ends the stream cleanly.
    server.push(Scenario::transcript(format!(
        "data: {chunk}\n\ndata: [DONE]"
    )));
    let (events, error) = stream_of(&server).await;
    assert_eq!(events.len(), 1);
    assert!(error.is_none(), "{error:?}");
}

#[tokio::test]
async fn malformed_json_yields_the_events_before_it_then_a_decode_error() {
    let server = MockServer::start();
    let (expected, events, error) = with_fault(&server, Fault::MalformedJsonAfter(4)).await;
    assert_eq!(events, expected[..4]);
    let Some(Error::Decode(decode)) = error else {
        panic!("{error:?}")
    };
    assert!(decode.what.contains("chunk event"), "{}", decode.what);
    assert_eq!(
        decode.raw.as_ref(),
        b"{\"id\": \"broken\", \"choices\": [ oops"
    );
}

#[tokio::test]
async fn an_error_payload_in_the_stream_becomes_an_api_error() {
    let server = MockServer::start();
    let (expected, events, error) = with_fault(&server, Fault::ErrorPayloadAfter(2)).await;
    assert_eq!(events, expected[..2]);
    let Some(Error::Api(api)) = error else {
        panic!("{error:?}")
    };
    assert!(api.in_stream);
    assert_eq!(api.status.as_u16(), 200);
    assert_eq!(
        api.message(),
        Some("friendli-mock: scripted error in the stream")
    );
    assert_eq!(api.request_id.as_deref(), Some("mock-req-2"));
    assert!(
        api.to_string().starts_with(
            "the server reported an error in the event stream (request id mock-req-2)"
        )
    );
}

#[tokio::test]
async fn a_stalled_stream_ends_with_a_read_timeout_after_the_events_that_arrived() {
    let server = MockServer::start();
    let expected = baseline(&server).await;
    server.push(
        Scenario::assistant().shape(StreamShape::default().fault(Fault::StallAfter {
            events: 3,
            duration: Duration::from_secs(30),
        })),
    );
    let client = builder(&server)
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let (events, error) = drain(open(&client).await.unwrap()).await;
    assert_eq!(events, expected[..3]);
    let Some(Error::Timeout(timeout)) = error else {
        panic!("{error:?}")
    };
    assert_eq!(timeout.kind, TimeoutKind::Read);
    assert_eq!(timeout.after, Duration::from_millis(300));
    // The timed-out stream was dropped, which closed its connection.
    assert!(
        server
            .wait_for_disconnects(1, Duration::from_secs(10))
            .await
    );
}

#[tokio::test]
async fn a_slow_but_steady_stream_outlives_every_timeout() {
    let server = MockServer::start();
    // ~30 chunks 60 ms apart: about two seconds in all, far more than every timeout below.
    server.push(
        Scenario::assistant().shape(
            StreamShape::default()
                .chunks([40])
                .delay(Duration::from_millis(60)),
        ),
    );
    let client = builder(&server)
        .read_timeout(Duration::from_millis(1000))
        .timeout(Duration::from_millis(1000))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let events = open(&client).await.unwrap();
    let (events, error) = drain(events).await;
    assert!(error.is_none(), "{error:?}");
    assert!(events.len() > 5);
    assert!(
        started.elapsed() > Duration::from_millis(1000),
        "the stream should outlast the timeouts"
    );
}

#[tokio::test]
async fn an_oversized_event_fails_the_stream_instead_of_growing() {
    let server = MockServer::start();
    let expected = baseline(&server).await;
    server.push(
        Scenario::assistant().shape(StreamShape::default().chunks([256]).fault(
            Fault::OversizedEventAfter {
                events: 2,
                bytes: 64 * 1024,
            },
        )),
    );
    let client = builder(&server).max_event_size(16 * 1024).build().unwrap();
    let (events, error) = drain(open(&client).await.unwrap()).await;
    assert_eq!(events, expected[..2]);
    let Some(Error::StreamProtocol(protocol)) = error else {
        panic!("{error:?}")
    };
    assert!(
        protocol
            .message
            .contains("larger than the limit of 16384 bytes"),
        "{}",
        protocol.message
    );
}

#[tokio::test]
async fn unknown_event_names_are_kept_not_dropped() {
    let server = MockServer::start();
    let expected = baseline(&server).await;
    server.push(
        Scenario::assistant().shape(StreamShape::default().fault(Fault::UnknownEventAfter(1))),
    );
    let events = open(&client(&server)).await.unwrap();
    let collected: Vec<ToolAssistedChatEvent> = events.map(Result::unwrap).collect().await;
    let ToolAssistedChatEvent::Unknown(unknown) = &collected[1] else {
        panic!("{:?}", collected[1])
    };
    assert_eq!(unknown.event, "mystery");
    assert_eq!(unknown.data, "{\"hello\": \"world\"}");
    let mut without: Vec<Value> = collected.iter().map(normalise).collect();
    without.remove(1);
    assert_eq!(without, expected);
}

#[tokio::test]
async fn events_after_done_are_ignored() {
    let server = MockServer::start();
    let (expected, events, error) = with_fault(&server, Fault::EventsAfterDone).await;
    assert!(error.is_none());
    assert_eq!(events, expected);
}

#[tokio::test]
async fn a_nameless_event_that_is_not_a_chunk_is_reported() {
    let server = MockServer::start();
    server.push(Scenario::transcript(
        "data: {\"unexpected\": true}\n\ndata: [DONE]\n\n",
    ));
    let (events, error) = stream_of(&server).await;
    assert!(events.is_empty());
    let Some(Error::Decode(decode)) = error else {
        panic!("{error:?}")
    };
    assert_eq!(decode.raw.as_ref(), b"{\"unexpected\": true}");
    // A named `error` event is an API error.
    server.push(Scenario::transcript(
        "event: error\ndata: {\"message\": \"overloaded\"}\n\n",
    ));
    let (_, error) = stream_of(&server).await;
    assert_eq!(
        error.unwrap().api_error().unwrap().message(),
        Some("overloaded")
    );
}

#[tokio::test]
async fn a_payload_that_is_not_utf8_is_a_decode_error_after_the_events_before_it() {
    let server = MockServer::start();
    let chunk = |content: &[u8], unused: &[u8]| {
        let mut event = b"data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\
            \"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
            .to_vec();
        event.extend_from_slice(content);
        event.extend_from_slice(b"\"}}],\"unused\":\"");
        event.extend_from_slice(unused);
        event.extend_from_slice(b"\"}\n\n");
        event
    };
    // The bad bytes sit in a field this SDK does not know (kept in the chunk's `extra` map).
    let good = chunk(b"caf\xc3\xa9", b"ok");
    let bad = chunk(b"fine", b"\xc3\x28");
    let mut transcript = good;
    transcript.extend_from_slice(&bad);
    transcript.extend_from_slice(b"data: [DONE]\n\n");
    server.push(Scenario::transcript(transcript));
    let (events, error) = stream_of(&server).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["data"]["choices"][0]["delta"]["content"], "café");
    let Some(Error::Decode(decode)) = error else {
        panic!("{error:?}")
    };
    assert!(decode.raw.ends_with(b"\"unused\":\"\xc3\x28\"}"));
    assert!(
        decode.to_string().contains("invalid unicode code point"),
        "{decode}"
    );
}

#[tokio::test]
async fn error_statuses_fail_the_stream_call_itself() {
    let server = MockServer::start();
    server.push(Scenario::fail(400));
    let error = open(&client(&server)).await.unwrap_err();
    assert_eq!(error.status().unwrap().as_u16(), 400);
    server.push(Scenario::json(200, json!({"not": "a stream"})));
    let error = open(&client(&server)).await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("expected text/event-stream, got `application/json`"),
        "{error}"
    );
}

#[tokio::test]
async fn dropping_a_stream_closes_the_connection_promptly() {
    let server = MockServer::start();
    server.push(
        Scenario::assistant().shape(StreamShape::default().fault(Fault::StallAfter {
            events: 2,
            duration: Duration::from_secs(60),
        })),
    );
    let mut events = open(&client(&server)).await.unwrap();
    events.next().await.unwrap().unwrap();
    events.next().await.unwrap().unwrap();
    assert_eq!(server.disconnects(), 0);
    drop(events);
    assert!(
        server
            .wait_for_disconnects(1, Duration::from_secs(10))
            .await,
        "the server did not see the client go"
    );
}

#[tokio::test]
async fn the_first_event_arrives_before_the_rest_is_sent() {
    let server = MockServer::start();
    let gate = Gate::new();
    server.push(Scenario::assistant().shape(StreamShape::default().gate_after(1, gate.clone())));
    let mut events = open(&client(&server)).await.unwrap();
    // The server holds everything after the first event until the gate opens, so this returns
    // only if the SDK hands the first event over without waiting for more bytes.
    let first = tokio::time::timeout(Duration::from_secs(20), events.next())
        .await
        .expect("the first event")
        .unwrap()
        .unwrap();
    assert!(matches!(first, ToolAssistedChatEvent::ToolStatus(_)));
    gate.open();
    let rest: Vec<_> = events.collect().await;
    assert!(rest.len() > 3 && rest.iter().all(Result::is_ok));
}

#[tokio::test]
async fn a_folded_stream_equals_the_complete_result() {
    let server = MockServer::start();
    let client = client(&server);
    let chat = client.serverless().tool_assisted_chat();
    let mut stream_request = calculator_request();
    stream_request.stream_options = Some(friendli::types::StreamOptions {
        include_usage: Some(true),
    });
    let complete = chat.complete(stream_request.clone()).await.unwrap();
    let collected = chat
        .stream(stream_request)
        .await
        .unwrap()
        .collect_chat()
        .await
        .unwrap();
    assert!(collected.usage_reported);
    assert_eq!(collected.usage(), Some(&complete.usage));
    let blank = |result: &ChatResult| {
        let mut value = serde_json::to_value(result).unwrap();
        value["id"] = Value::Null;
        value["created"] = Value::Null;
        value
    };
    assert_eq!(blank(&collected.result), blank(&complete));
    // And the stream's tool runs form a timeline.
    let run = &collected.tool_runs[0];
    assert_eq!(run.name.wire_name(), "math:calculator");
    assert_eq!(
        run.updates
            .iter()
            .map(|u| u.status.wire_name())
            .collect::<Vec<_>>(),
        ["STARTED", "ENDED"]
    );
    assert_eq!(run.result.as_deref(), Some(r#"{"result":"3 + 6=9"}"#));
    assert!(run.duration().unwrap() >= Duration::ZERO);
}

#[tokio::test]
async fn a_failing_tool_run_is_in_the_timeline_with_its_error() {
    let server = MockServer::start();
    let events = client(&server)
        .serverless()
        .tool_assisted_chat()
        .stream(request(
            "What is 1 / 0?",
            vec![ToolAssistedChatTool::calculator()],
        ))
        .await
        .unwrap();
    let collected = events.collect_chat().await.unwrap();
    let run = &collected.tool_runs[0];
    assert_eq!(
        run.status(),
        Some(&ToolStatus::Known(ToolStatusKnown::Errored))
    );
    let error = run.error.as_ref().unwrap();
    assert_eq!(
        (error.type_.as_str(), error.msg.as_str()),
        ("ZeroDivisionError", "division by zero")
    );
    assert!(!collected.usage_reported);
    assert_eq!(
        collected.usage(),
        None,
        "absent usage reads as absent, not zeros"
    );
}

#[tokio::test]
async fn function_call_deltas_are_merged_by_index() {
    let server = MockServer::start();
    let tools = vec![
        ToolAssistedChatTool::function(
            "get_weather",
            "Weather",
            json!({"type": "object", "properties": {"city": {"type": "string"}}}),
        )
        .unwrap(),
        ToolAssistedChatTool::function(
            "get_time",
            "Time",
            json!({"type": "object", "properties": {"zone": {"type": "string"}}}),
        )
        .unwrap(),
    ];
    let text = r#"Call get_weather with {"city": "Seoul, Korea"} and get_time with {"zone": "Asia/Seoul"}"#;
    let chat_client = client(&server);
    let chat = chat_client.serverless().tool_assisted_chat();
    let complete = chat.complete(request(text, tools.clone())).await.unwrap();
    let folded = chat
        .stream(request(text, tools))
        .await
        .unwrap()
        .collect_chat()
        .await
        .unwrap()
        .result;
    assert_eq!(
        folded.finish_reason(),
        Some(&FinishReason::Known(FinishReasonKnown::ToolCalls))
    );
    let calls = folded.tool_calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].function.name, "get_weather");
    assert_eq!(calls[0].function.arguments, r#"{"city": "Seoul, Korea"}"#);
    assert_eq!(calls[1].function.arguments, r#"{"zone": "Asia/Seoul"}"#);
    let names = |r: &ChatResult| {
        r.tool_calls()
            .iter()
            .map(|c| (c.function.name.clone(), c.function.arguments.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&folded), names(&complete));
}

#[tokio::test]
async fn text_deltas_yield_only_the_answer_text() {
    let server = MockServer::start();
    let events = open(&client(&server)).await.unwrap();
    let text: Vec<String> = events.text_deltas().map(Result::unwrap).collect().await;
    assert!(text.len() > 3);
    assert_eq!(text.concat(), "The math:calculator says 3 + 6 is 9.");
}

#[tokio::test]
async fn stream_events_serialise_for_logging_and_replay() {
    let server = MockServer::start();
    let events: Vec<ToolAssistedChatEvent> = open(&client(&server))
        .await
        .unwrap()
        .map(Result::unwrap)
        .collect()
        .await;
    let logged = serde_json::to_string(&events).unwrap();
    let replayed: Vec<ToolAssistedChatEvent> = serde_json::from_str(&logged).unwrap();
    assert_eq!(replayed, events);
    assert!(logged.contains(r#""event":"tool_status""#));
}
