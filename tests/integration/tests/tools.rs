//! The conversation loop with local function tools.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use friendli::ext::ChatResultExt;
use friendli::prelude::*;
use friendli::tools::{RunEvent, ToolError};
use friendli_mock::MockServer;
use friendli_tests::{client, request};
use serde_json::json;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct City {
    /// The city.
    city: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Zone {
    /// An IANA time zone.
    zone: String,
}

fn weather_tools() -> Tools {
    Tools::new().register(
        "get_weather",
        "Current weather of a city",
        |args: City| async move {
            Ok::<_, std::convert::Infallible>(json!({"city": args.city, "celsius": 21}))
        },
    )
}

#[tokio::test]
async fn a_single_call_is_run_and_answered() {
    let server = MockServer::start();
    let tools = weather_tools();
    let run = client(&server)
        .serverless()
        .tool_assisted_chat()
        .run(
            request(r#"Use get_weather with {"city": "Seoul"}"#, vec![]),
            &tools,
        )
        .await
        .unwrap();
    assert_eq!(run.turns, 2);
    assert_eq!(
        run.result.content(),
        Some(r#"Based on the tool results: {"celsius":21,"city":"Seoul"}."#)
    );
    assert_eq!(run.calls.len(), 1);
    assert_eq!(run.calls[0].call.function.name, "get_weather");
    assert!(!run.calls[0].failed);
    // The whole conversation: user, assistant call, tool result, final answer.
    let roles: Vec<String> = run
        .messages
        .iter()
        .map(|m| {
            serde_json::to_value(m).unwrap()["role"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(roles, ["user", "assistant", "tool", "assistant"]);
    // The declaration was sent, derived from the argument type.
    let first = server.requests()[0].json().unwrap();
    assert_eq!(first["tools"][0]["function"]["name"], "get_weather");
    assert_eq!(
        first["tools"][0]["function"]["parameters"]["properties"]["city"]["description"],
        "The city."
    );
    let second = server.requests()[1].json().unwrap();
    assert_eq!(second["messages"][2]["role"], "tool");
    assert_eq!(
        second["messages"][2]["tool_call_id"],
        second["messages"][1]["tool_calls"][0]["id"]
    );
}

#[tokio::test]
async fn calls_of_one_turn_run_concurrently() {
    let server = MockServer::start();
    // Each handler waits for the other: run one after the other, they would never finish.
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    let (b1, b2) = (Arc::clone(&barrier), Arc::clone(&barrier));
    let tools = Tools::new()
        .register("get_weather", "Weather", move |args: City| {
            let barrier = Arc::clone(&b1);
            async move {
                barrier.wait().await;
                Ok::<_, std::convert::Infallible>(format!("sunny in {}", args.city))
            }
        })
        .register("get_time", "Time", move |args: Zone| {
            let barrier = Arc::clone(&b2);
            async move {
                barrier.wait().await;
                Ok::<_, std::convert::Infallible>(format!("noon in {}", args.zone))
            }
        });
    let text = r#"Use get_weather with {"city": "Seoul"} and get_time with {"zone": "Asia/Seoul"}"#;
    let run = tokio::time::timeout(
        Duration::from_secs(20),
        client(&server)
            .serverless()
            .tool_assisted_chat()
            .run(request(text, vec![]), &tools)
            .into_future(),
    )
    .await
    .expect("the two calls must overlap")
    .unwrap();
    assert_eq!(run.calls.len(), 2);
    // The results go back in the order of the calls (the declarations are sorted by name).
    assert_eq!(
        run.result.content(),
        Some("Based on the tool results: noon in Asia/Seoul; sunny in Seoul.")
    );
}

fn failing_tools() -> Tools {
    Tools::new().register("get_weather", "Weather", |_: City| async move {
        Err::<String, _>("the weather service is down")
    })
}

#[tokio::test]
async fn a_handler_error_fails_the_run_unless_reported_to_the_model() {
    let server = MockServer::start();
    let tools = failing_tools();
    let ask = || request(r#"Use get_weather with {"city": "Seoul"}"#, vec![]);
    let chat_client = client(&server);
    let chat = chat_client.serverless().tool_assisted_chat();

    let error = chat.run(ask(), &tools).await.unwrap_err();
    let Some(tool_error) = error.tool_error() else {
        panic!("{error:?}")
    };
    assert!(matches!(*tool_error, ToolError::Failed { ref name, .. } if name == "get_weather"));
    assert!(
        error.to_string().contains("the weather service is down"),
        "{error}"
    );
    assert_eq!(server.request_count(), 1);

    let run = chat
        .run(ask(), &tools)
        .report_tool_errors(true)
        .await
        .unwrap();
    assert!(run.calls[0].failed);
    assert_eq!(
        run.result.content(),
        Some(
            r#"Based on the tool results: {"error":"the function failed: the weather service is down"}."#
        )
    );
}

#[tokio::test]
async fn malformed_or_mismatched_arguments_are_explicit_errors() {
    let server = MockServer::start();
    let tools = weather_tools();
    let chat_client = client(&server);
    let chat = chat_client.serverless().tool_assisted_chat();
    for (text, expected) in [
        (r#"Use get_weather with {city: Seoul}"#, "{city: Seoul}"),
        (r#"Use get_weather with {"town": 5}"#, r#"{"town": 5}"#),
    ] {
        let error = chat.run(request(text, vec![]), &tools).await.unwrap_err();
        let Some(tool_error) = error.tool_error() else {
            panic!("{error:?}")
        };
        let ToolError::InvalidArguments { arguments, .. } = tool_error else {
            panic!("{tool_error:?}")
        };
        assert_eq!(arguments, expected);
        assert!(
            error.to_string().contains("do not match its parameters"),
            "{error}"
        );
    }
    // Reported to the model instead:
    let run = chat
        .run(
            request("Use get_weather with {city: Seoul}", vec![]),
            &tools,
        )
        .report_tool_errors(true)
        .await
        .unwrap();
    assert!(
        run.result
            .content()
            .unwrap()
            .contains("the arguments do not match")
    );
}

#[tokio::test]
async fn an_unknown_function_is_an_explicit_error() {
    let server = MockServer::start();
    let tools = weather_tools();
    // `get_time` is declared to the model but not registered locally.
    let declared = ToolAssistedChatTool::function(
        "get_time",
        "Time",
        json!({"type": "object", "properties": {"zone": {"type": "string"}}}),
    )
    .unwrap();
    let error = client(&server)
        .serverless()
        .tool_assisted_chat()
        .run(
            request(r#"Use get_time with {"zone": "UTC"}"#, vec![declared]),
            &tools,
        )
        .await
        .unwrap_err();
    let Some(tool_error) = error.tool_error() else {
        panic!("{error:?}")
    };
    let ToolError::UnknownFunction { name, known, .. } = tool_error else {
        panic!("{tool_error:?}")
    };
    assert_eq!(name, "get_time");
    assert_eq!(known, &["get_weather"]);
}

#[tokio::test]
async fn the_turn_limit_stops_the_loop_and_keeps_the_conversation() {
    let server = MockServer::start();
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let tools = Tools::new().register("get_weather", "Weather", move |_: City| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Ok::<_, std::convert::Infallible>("rain") }
    });
    let error = client(&server)
        .serverless()
        .tool_assisted_chat()
        .run(
            request(
                r#"Call get_weather repeatedly with {"city": "Seoul"}"#,
                vec![],
            ),
            &tools,
        )
        .max_turns(3)
        .await
        .unwrap_err();
    let Some(tool_error) = error.tool_error() else {
        panic!("{error:?}")
    };
    let ToolError::TurnLimit {
        max_turns,
        messages,
    } = tool_error
    else {
        panic!("{tool_error:?}")
    };
    assert_eq!(*max_turns, 3);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(server.request_count(), 3);
    // user + 3 × (assistant call + tool result)
    assert_eq!(messages.len(), 7);
}

#[tokio::test]
async fn the_streaming_flavour_delivers_built_in_and_local_tool_events_in_order() {
    let server = MockServer::start();
    let tools = weather_tools();
    let text = r#"What is 2 + 2? Then use get_weather with {"city": "Seoul"}"#;
    let chat_client = client(&server);
    let events: Vec<RunEvent> = chat_client
        .serverless()
        .tool_assisted_chat()
        .run(
            request(text, vec![ToolAssistedChatTool::calculator()]),
            &tools,
        )
        .into_stream()
        .map(Result::unwrap)
        .collect()
        .await;
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| match e {
            RunEvent::Chunk(_) => "chunk",
            RunEvent::ToolStatus(_) => "tool_status",
            RunEvent::Unknown(_) => "unknown",
            RunEvent::LocalCallStarted { .. } => "local_started",
            RunEvent::LocalCallFinished { .. } => "local_finished",
            RunEvent::LocalCallFailed { .. } => "local_failed",
            RunEvent::TurnFinished { .. } => "turn_finished",
            RunEvent::Finished(_) => "finished",
            _ => "other",
        })
        .collect();
    let position = |kind: &str| kinds.iter().position(|k| *k == kind).unwrap();
    let last = |kind: &str| kinds.iter().rposition(|k| *k == kind).unwrap();
    // Turn 1: the calculator runs on the server, the model calls the function.
    assert_eq!(&kinds[..2], ["tool_status", "tool_status"]);
    assert!(position("chunk") > 1);
    assert!(position("turn_finished") < position("local_started"));
    assert!(position("local_started") < position("local_finished"));
    // Turn 2: the answer, then the end.
    assert!(last("chunk") > position("local_finished"));
    assert_eq!(kinds.last(), Some(&"finished"));
    assert_eq!(kinds.iter().filter(|k| **k == "turn_finished").count(), 2);
    let RunEvent::Finished(result) = events.last().unwrap() else {
        unreachable!()
    };
    assert_eq!(result.turns, 2);
    assert_eq!(
        result.result.content(),
        Some(r#"Based on the tool results: {"celsius":21,"city":"Seoul"}."#)
    );
    let RunEvent::LocalCallFinished { name, output, .. } = &events[position("local_finished")]
    else {
        unreachable!()
    };
    assert_eq!(
        (name.as_str(), output.as_str()),
        ("get_weather", r#"{"celsius":21,"city":"Seoul"}"#)
    );
}

#[tokio::test]
async fn a_local_failure_in_the_streaming_flavour_follows_the_started_event() {
    let server = MockServer::start();
    let tools = failing_tools();
    let chat_client = client(&server);
    let mut events = chat_client
        .serverless()
        .tool_assisted_chat()
        .run(
            request(r#"Use get_weather with {"city": "Seoul"}"#, vec![]),
            &tools,
        )
        .into_stream();
    let mut started = false;
    let error = loop {
        match events.next().await.expect("an error before the end") {
            Ok(RunEvent::LocalCallStarted { .. }) => started = true,
            Ok(_) => {}
            Err(error) => break error,
        }
    };
    assert!(started);
    assert!(error.tool_error().is_some());
    assert!(events.next().await.is_none());
}
