//! Retries, server hints, timeouts and tracing, against scripted failures of the mock.
//!
//! Delays are asserted with lower bounds (the policy must wait at least this long) and generous
//! upper bounds, so that the tests hold on a loaded machine.

use std::time::{Duration, Instant, SystemTime};

use friendli::error::AttemptFailure;
use friendli::error::TimeoutKind;
use friendli::prelude::*;
use friendli::retry::GiveUpReason;
use friendli::{Error, RetryConfig};
use friendli_mock::{Fault, MockServer, Scenario, StreamShape};
use friendli_tests::{TOKEN, builder, client, fast_retries, request};
use reqwest::StatusCode;

fn ask() -> ToolAssistedChatRequest {
    request("What is 3 + 6?", vec![ToolAssistedChatTool::calculator()])
}

/// `complete()` of the calculator question with `client`, ready for per-call options.
fn ask_with(
    client: &friendli::Client,
) -> friendli::Call<'_, friendli::operations::ServerlessToolAssistedChatComplete> {
    client.serverless().tool_assisted_chat().complete(ask())
}

/// `complete()` of the calculator question, which must succeed with the right answer.
async fn complete(server: &MockServer) -> ChatResult {
    let result = ask_with(&client(server)).await.unwrap();
    assert!(result.content().unwrap().contains('9'));
    result.into_inner()
}

/// At least `least` passed since `started`, and not absurdly more (a loaded machine is slow,
/// not that slow).
fn assert_waited(started: Instant, least: Duration) {
    let elapsed = started.elapsed();
    assert!(
        elapsed >= least,
        "waited {elapsed:?}, expected at least {least:?}"
    );
    assert!(
        elapsed < least + Duration::from_secs(15),
        "waited {elapsed:?}"
    );
}

/// A policy that waits exactly `interval` between attempts (no growth, no jitter).
fn fixed(interval: Duration) -> RetryConfig {
    RetryConfig::default()
        .initial_interval(interval)
        .exponent(1.0)
        .jitter(Duration::ZERO)
        .max_elapsed_time(Duration::from_secs(30))
}

#[tokio::test]
async fn two_503s_then_success_takes_three_attempts_with_backoff() {
    let server = MockServer::start();
    server.push(Scenario::fail(503).times(2));
    let started = Instant::now();
    let result = ask_with(&client(&server))
        .retries(fixed(Duration::from_millis(100)))
        .await
        .unwrap();
    assert!(result.content().unwrap().contains('9'));
    assert_eq!(server.request_count(), 3);
    assert_waited(started, Duration::from_millis(200));
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let server = MockServer::start();
    server.push(Scenario::fail(429).retry_after("1"));
    let started = Instant::now();
    complete(&server).await;
    assert_eq!(server.request_count(), 2);
    assert_waited(started, Duration::from_secs(1));
}

#[tokio::test]
async fn retry_after_ms_wins_over_retry_after() {
    let server = MockServer::start();
    server.push(Scenario::fail(503).retry_after_ms("300").retry_after("60"));
    let started = Instant::now();
    complete(&server).await;
    assert_eq!(server.request_count(), 2);
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(
        elapsed < Duration::from_secs(30),
        "Retry-After was used: {elapsed:?}"
    );
}

#[tokio::test]
async fn an_http_date_retry_after_is_honoured() {
    let server = MockServer::start();
    let when = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    server.push(Scenario::fail(503).retry_after(&when));
    let started = Instant::now();
    complete(&server).await;
    assert_eq!(server.request_count(), 2);
    // The date has one-second resolution: the wait is between one and two seconds.
    assert_waited(started, Duration::from_millis(900));
}

#[tokio::test]
async fn a_400_is_not_retried() {
    let server = MockServer::start();
    server.push(Scenario::fail(400).times(5));
    let error = ask_with(&client(&server)).await.unwrap_err();
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn connection_refused_is_retried_and_the_final_error_lists_the_attempts() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = Client::builder()
        .ignore_env()
        .token(TOKEN)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry(fast_retries().max_attempts(3))
        .build()
        .unwrap();
    let error = ask_with(&client).await.unwrap_err();
    let Error::RetriesExhausted(exhausted) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        exhausted.attempts,
        [
            AttemptFailure::Connect,
            AttemptFailure::Connect,
            AttemptFailure::Connect
        ]
    );
    assert_eq!(exhausted.reason, GiveUpReason::MaxAttemptsReached);
    assert!(matches!(exhausted.last, Error::Transport(ref t) if t.is_connect()));
    let text = error.to_string();
    assert!(text.starts_with("gave up after 3 attempts in "), "{text}");
    assert!(
        text.contains("(connect error, connect error, connect error;"),
        "{text}"
    );
    assert!(error.is_retryable());

    let none = Client::builder()
        .ignore_env()
        .token(TOKEN)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry(fast_retries().retry_connection_errors(false))
        .build()
        .unwrap();
    let error = none
        .serverless()
        .tool_assisted_chat()
        .complete(ask())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn a_reset_while_reading_a_unary_body_is_retried() {
    let server = MockServer::start();
    server.push(
        Scenario::assistant().shape(
            StreamShape::default()
                .chunks([16])
                .fault(Fault::CloseAfterBytes(40)),
        ),
    );
    complete(&server).await;
    assert_eq!(server.request_count(), 2);

    // Without retries the reset is a transport error while reading the body.
    server.push(
        Scenario::assistant().shape(
            StreamShape::default()
                .chunks([16])
                .fault(Fault::CloseAfterBytes(40)),
        ),
    );
    let error = ask_with(&client(&server))
        .retries(RetryConfig::none())
        .await
        .unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(transport.during, friendli::error::TransportPhase::ReadBody);
}

#[tokio::test]
async fn a_dropped_connection_before_the_response_is_retried() {
    let server = MockServer::start();
    server.push(Scenario::drop_connection());
    complete(&server).await;
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn a_stream_failing_before_its_first_byte_is_retried() {
    let server = MockServer::start();
    server.push(Scenario::fail(503));
    let events = client(&server)
        .serverless()
        .tool_assisted_chat()
        .stream(ask())
        .await
        .unwrap();
    let collected = events.collect_chat().await.unwrap();
    assert!(collected.result.content().unwrap().contains('9'));
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn a_stream_reset_after_three_events_is_not_retried() {
    let server = MockServer::start();
    server.push(
        Scenario::assistant().shape(StreamShape::default().fault(Fault::CloseAfterEvents(3))),
    );
    let mut events = client(&server)
        .serverless()
        .tool_assisted_chat()
        .stream(ask())
        .await
        .unwrap();
    let mut delivered = 0;
    let error = loop {
        match events.next().await {
            Some(Ok(_)) => delivered += 1,
            Some(Err(error)) => break error,
            None => panic!("the stream should fail"),
        }
    };
    assert_eq!(delivered, 3);
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(events.next().await.is_none());
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn the_maximum_elapsed_time_ends_the_retries() {
    let server = MockServer::start();
    server.push(Scenario::fail(503).times(1000));
    let policy = fixed(Duration::from_millis(100)).max_elapsed_time(Duration::from_millis(350));
    let started = Instant::now();
    let error = ask_with(&client(&server))
        .retries(policy)
        .await
        .unwrap_err();
    let Error::RetriesExhausted(exhausted) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(exhausted.reason, GiveUpReason::ElapsedTimeExhausted);
    assert!(
        exhausted.attempts.len() >= 2 && exhausted.attempts.len() <= 4,
        "{:?}",
        exhausted.attempts
    );
    assert!(
        exhausted
            .attempts
            .iter()
            .all(|a| *a == AttemptFailure::Status(StatusCode::SERVICE_UNAVAILABLE))
    );
    assert_eq!(server.request_count(), exhausted.attempts.len());
    // It never sleeps past the budget.
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
}

#[tokio::test]
async fn a_hint_beyond_the_budget_ends_the_retries_at_once() {
    let server = MockServer::start();
    server.push(Scenario::fail(429).retry_after("120").times(5));
    let started = Instant::now();
    let error = ask_with(&client(&server))
        .retries(fast_retries().max_elapsed_time(Duration::from_secs(5)))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(server.request_count(), 1);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn retry_config_none_makes_one_attempt() {
    let server = MockServer::start();
    server.push(Scenario::fail(503).times(3));
    let client = builder(&server).retry(RetryConfig::none()).build().unwrap();
    let error = ask_with(&client).await.unwrap_err();
    assert!(matches!(error, Error::Api(_)));
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn a_per_call_policy_overrides_the_clients() {
    let server = MockServer::start();
    server.push(Scenario::fail(503).times(2));
    let client = builder(&server).retry(RetryConfig::none()).build().unwrap();
    ask_with(&client).retries(fast_retries()).await.unwrap();
    assert_eq!(server.request_count(), 3);
    // Status codes are configurable too.
    server.push(Scenario::fail(418));
    ask_with(&client)
        .retries(fast_retries().status_codes([418]))
        .await
        .unwrap();
    assert_eq!(server.request_count(), 5);
}

#[tokio::test]
async fn a_per_call_deadline_covers_every_attempt() {
    let server = MockServer::start();
    server.push(Scenario::fail(503).times(1000));
    let started = Instant::now();
    let error = ask_with(&client(&server))
        .retries(fixed(Duration::from_millis(100)))
        .timeout(Duration::from_millis(450))
        .await
        .unwrap_err();
    match error.last() {
        Error::Timeout(t) => assert_eq!(t.kind, TimeoutKind::Deadline),
        Error::Api(_) => {
            let Error::RetriesExhausted(exhausted) = &error else {
                panic!("{error:?}")
            };
            assert_eq!(exhausted.reason, GiveUpReason::DeadlineReached);
        }
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_read_timeout_while_waiting_for_the_answer_is_retried() {
    let server = MockServer::start();
    server.push(Scenario::assistant().delay_headers(Duration::from_secs(30)));
    let client = builder(&server)
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let result = ask_with(&client).await.unwrap();
    assert!(result.content().unwrap().contains('9'));
    assert_eq!(server.request_count(), 2);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(started.elapsed() < Duration::from_secs(20));

    // Without retries, the timeout is the error.
    server.push(Scenario::assistant().delay_headers(Duration::from_secs(30)));
    let error = ask_with(&client)
        .retries(RetryConfig::none())
        .await
        .unwrap_err();
    let Error::Timeout(timeout) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(timeout.kind, TimeoutKind::Read);
    assert!(
        error
            .to_string()
            .contains("no data arrived from the server for 300ms"),
        "{error}"
    );
}

/// A writer that keeps what tracing writes.

#[tokio::test(flavor = "current_thread")]
async fn attempts_are_traced_without_the_token() {
    let captured = friendli_tests::Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start();
    server.push(Scenario::fail(503).times(2));
    complete(&server).await;

    let log = captured.text();
    assert_eq!(log.matches("attempt failed; retrying").count(), 2, "{log}");
    assert!(log.contains("attempt succeeded"), "{log}");
    assert!(
        log.contains("operation=\"serverlessToolAssistedChatComplete\""),
        "{log}"
    );
    assert!(log.contains("status=503"), "{log}");
    assert!(log.contains("request_id=\"mock-req-1\""), "{log}");
    assert!(log.contains("delay_ms="), "{log}");
    assert!(log.contains("attempt=3"), "{log}");
    assert!(!log.contains(TOKEN), "{log}");
}
