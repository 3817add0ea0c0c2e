//! Retries and errors: the default policy (exponential backoff with jitter, `Retry-After`
//! honoured), a per-call policy, and what an error tells you. Offline, the mock server is
//! scripted to fail first.
//!
//! ```sh
//! cargo run --example retries
//! ```

mod common;

use std::time::{Duration, Instant};

use friendli::prelude::*;
use friendli::{Error, RetryConfig};
use friendli_mock::Scenario;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, mock) = common::client()?;
    let request = || {
        ToolAssistedChatRequest::builder()
            .model(common::model())
            .messages(vec![Message::user("What is 3 + 6?")])
            .tools(vec![ToolAssistedChatTool::calculator()])
    };

    if let Some(mock) = &mock {
        // Two overloaded answers, the second asking to wait 300 ms.
        mock.push(Scenario::fail(503));
        mock.push(Scenario::fail(429).retry_after_ms("300"));
    }
    let started = Instant::now();
    // The answer comes with its status, headers and the attempts it took.
    let response = client
        .serverless()
        .tool_assisted_chat()
        .complete(request())
        .retries(
            RetryConfig::default()
                .initial_interval(Duration::from_millis(200))
                .max_attempts(5),
        )
        .await?;
    println!(
        "answered after {:.1?} and {} attempts (status {}, request id {:?}): {}",
        started.elapsed(),
        response.attempts(),
        response.status(),
        response.request_id(),
        response.content().unwrap_or_default()
    );
    for failure in response.failed_attempts() {
        println!("  an earlier attempt failed: {failure}");
    }

    if let Some(mock) = &mock {
        mock.push(Scenario::fail(503).times(3));
    }
    let error = client
        .serverless()
        .tool_assisted_chat()
        .complete(request())
        .retries(
            RetryConfig::default()
                .initial_interval(Duration::from_millis(50))
                .max_attempts(3),
        )
        .await
        .err();
    match error {
        Some(error @ Error::RetriesExhausted(_)) => {
            println!("gave up, as expected offline: {error}");
            println!(
                "status {:?}, request id {:?}, retryable: {}",
                error.status(),
                error.request_id(),
                error.is_retryable()
            );
        }
        Some(other) => println!("failed: {other}"),
        None => println!("succeeded (the real API was not overloaded)"),
    }
    Ok(())
}
