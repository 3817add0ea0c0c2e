//! Hostile servers and secrets: what a server sends can never crash the client or make it leak the
//! token, read without bound, or follow the request elsewhere.

use std::time::Duration;

use friendli::chat::ChatAccumulator;
use friendli::prelude::*;
use friendli::retry::GiveUpReason;
use friendli::{Error, RetryConfig};
use friendli_mock::{MockServer, Scenario, StreamShape};
use friendli_tests::{TOKEN, builder, client, request};

async fn say_hi(client: &Client) -> Result<ChatResult, Error> {
    client
        .serverless()
        .tool_assisted_chat()
        .complete(request("hi", vec![]))
        .await
        .map(friendli::Response::into_inner)
}

#[tokio::test]
async fn retry_hints_too_large_for_a_duration_end_the_retries_with_the_reason() {
    let server = MockServer::start();
    let client = client(&server);
    // Valid hints (RFC 9110 integers of seconds; decimal milliseconds), just huge. Invalid ones
    // (`inf`, `1e20`) are no hints at all: see `hostile_inputs.rs`, D10.
    for scenario in [
        Scenario::fail(503).retry_after("18446744073709551616"),
        Scenario::fail(503).retry_after(&"9".repeat(400)),
        Scenario::fail(503).retry_after_ms("100000000000000000000000000000000"),
        Scenario::fail(429).retry_after("99999999999"),
    ] {
        server.push(scenario);
        let error = say_hi(&client).await.unwrap_err();
        let Error::RetriesExhausted(exhausted) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(exhausted.reason, GiveUpReason::RetryAfterBeyondBudget);
        assert_eq!(exhausted.attempts.len(), 1, "no second attempt");
        assert!(
            error.to_string().contains("longer than the retry budget"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn huge_configured_intervals_saturate_instead_of_panicking() {
    let server = MockServer::start();
    let client = builder(&server)
        .retry(
            RetryConfig::default()
                .initial_interval(Duration::MAX)
                .max_interval(Duration::MAX)
                .jitter(Duration::MAX),
        )
        .build()
        .unwrap();
    server.push(Scenario::fail(503));
    let error = say_hi(&client).await.unwrap_err();
    let Error::RetriesExhausted(exhausted) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(exhausted.reason, GiveUpReason::ElapsedTimeExhausted);
}

#[tokio::test]
async fn a_success_body_over_the_limit_is_a_clear_error_and_is_not_read_whole() {
    let server = MockServer::start();
    let client = builder(&server)
        .max_response_size(64 * 1024)
        .build()
        .unwrap();
    // 8 MiB, sent in chunks without a length: the client must stop reading at the limit.
    let big = format!("{{\"padding\": \"{}\"}}", "x".repeat(8 * 1024 * 1024));
    server.push(
        Scenario::raw(200, "application/json", big.clone())
            .shape(StreamShape::default().chunks([16 * 1024])),
    );
    let error = say_hi(&client).await.unwrap_err();
    let Error::ResponseTooLarge(too_large) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(too_large.limit, 64 * 1024);
    assert!(error.to_string().contains("max_response_size"), "{error}");
    // The client hung up long before the 8 MiB were written.
    assert!(
        server
            .wait_for_disconnects(1, Duration::from_secs(20))
            .await,
        "the server should see the client go away mid-body"
    );

    // With a length announced, nothing of the body is read.
    server.push(Scenario::raw(200, "application/json", big));
    let error = say_hi(&client).await.unwrap_err();
    let Error::ResponseTooLarge(too_large) = &error else {
        panic!("{error:?}")
    };
    assert!(too_large.announced.unwrap() > 8 * 1024 * 1024);

    // A per-call limit overrides the client's.
    server.push(Scenario::raw(
        200,
        "application/json",
        format!("{{\"padding\": \"{}\"}}", "x".repeat(100 * 1024)),
    ));
    let error = client
        .serverless()
        .tool_assisted_chat()
        .complete(request("hi", vec![]))
        .max_response_size(1024 * 1024)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Decode(_)),
        "read whole, then not a ChatResult: {error:?}"
    );
}

#[tokio::test]
async fn a_decode_error_keeps_a_bounded_prefix_of_the_body() {
    let server = MockServer::start();
    let client = client(&server);
    let body = format!("{{\"id\": \"{}", "y".repeat(1024 * 1024));
    server.push(Scenario::raw(200, "application/json", body.clone()));
    let error = say_hi(&client).await.unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(decode.raw.len(), friendli::error::MAX_RAW);
    assert_eq!(decode.raw_len, body.len());
    assert!(error.to_string().len() < 2048, "Display stays short");
}

#[tokio::test]
async fn the_token_is_in_no_debug_output() {
    let server = MockServer::start();
    let client = builder(&server)
        .header("x-api-key", "client-key-value")
        .build()
        .unwrap();
    let call = client
        .serverless()
        .tool_assisted_chat()
        .complete(request("hi", vec![]))
        .header("authorization", "Bearer call-token-value")
        .header("x-session-token", "call-session-value")
        .header("x-trace", "visible-trace");
    let secrets = [
        TOKEN,
        "client-key-value",
        "call-token-value",
        "call-session-value",
    ];
    let printed = format!("{call:?} {client:?} {:?}", client.low_level());
    for secret in secrets {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
    assert!(printed.contains("visible-trace"), "{printed}");
    // And in no error.
    server.push(Scenario::fail(401));
    let error = call.await.unwrap_err();
    let printed = format!("{error:?} {error}");
    for secret in secrets {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
}

#[tokio::test]
async fn base_urls_with_credentials_are_refused_without_repeating_them() {
    let error = Client::builder()
        .ignore_env()
        .token("t")
        .base_url("https://user:hunter2@api.example.com")
        .build()
        .unwrap_err();
    assert!(!error.to_string().contains("hunter2"), "{error}");
    let server = MockServer::start();
    let error = client(&server)
        .serverless()
        .tool_assisted_chat()
        .complete(request("hi", vec![]))
        .server_url("https://user:hunter2@other.example.com")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert!(!error.to_string().contains("hunter2"), "{error}");
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn redirects_are_reported_not_followed_or_retried() {
    let server = MockServer::start();
    let other = MockServer::start();
    let client = client(&server);
    // Cross-origin 307: the body (the prompt) and the team must not go to the other server.
    server.push(
        Scenario::raw(307, "text/plain", "moved")
            .header("location", &format!("{}/elsewhere", other.url())),
    );
    let error = say_hi(&client).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(307));
    assert!(error.to_string().contains("/elsewhere"), "{error}");
    assert!(error.to_string().contains("redirect"), "{error}");
    assert_eq!(other.request_count(), 0);
    assert_eq!(server.request_count(), 1);

    // A redirect loop: one request, no retries.
    server.push(
        Scenario::raw(302, "text/plain", "again")
            .header(
                "location",
                &format!("{}/serverless/tools/v1/chat/completions", server.url()),
            )
            .times(50),
    );
    let before = server.request_count();
    let error = client
        .serverless()
        .tool_assisted_chat()
        .complete(request("hi", vec![]))
        .retries(friendli_tests::fast_retries().max_attempts(3))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(302));
    assert_eq!(server.request_count() - before, 1);
}

#[tokio::test]
async fn headers_that_frame_the_request_are_refused_before_sending() {
    let server = MockServer::start();
    let client = client(&server);
    for name in ["content-length", "Transfer-Encoding", "host", "connection"] {
        let error = client
            .serverless()
            .tool_assisted_chat()
            .complete(request("hi", vec![]))
            .header(name, "5")
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidRequest(_)),
            "{name}: {error:?}"
        );
        assert!(error.to_string().contains(name), "{error}");
    }
    assert_eq!(server.request_count(), 0);
}

#[test]
fn folding_many_tool_runs_is_correct_and_linear() {
    let mut accumulator = ChatAccumulator::new();
    let runs = 20_000;
    for i in 0..runs {
        for status in ["STARTED", "ENDED"] {
            let event: friendli::events::ToolAssistedChatEvent =
                serde_json::from_value(serde_json::json!({
                    "event": "tool_status",
                    "data": {
                        "tool_call_id": format!("call_{i}"),
                        "name": "math:calculator",
                        "status": status,
                        "parameters": [],
                        "timestamp": i as f64,
                    }
                }))
                .unwrap();
            accumulator.push(&event);
        }
    }
    assert_eq!(accumulator.tool_runs().len(), runs);
    assert!(accumulator.tool_runs().iter().all(|r| r.updates.len() == 2));
    assert_eq!(accumulator.tool_runs()[12_345].tool_call_id, "call_12345");
}
