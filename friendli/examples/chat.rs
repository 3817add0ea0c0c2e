//! Serverless chat completions: the answer streamed as it is generated and folded back into one
//! result with its token usage, then the same request answered whole by `complete()`, and once
//! more with a field set by `body_field` (an explicit `null`, which the typed body cannot send).
//!
//! ```sh
//! cargo run --example chat
//! ```

mod common;

use std::io::Write;

use friendli::chat::ChatAccumulator;
use friendli::prelude::*;
use friendli::types::{ChatRequest, StreamOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = common::client()?;

    let request = ChatRequest::builder()
        .model(common::model())
        .messages(vec![
            Message::system("You are a concise assistant."),
            Message::user("Name three prime numbers."),
        ])
        .max_tokens(100)
        // One more chunk at the end of the stream, with the token usage.
        .stream_options(StreamOptions {
            include_usage: Some(true),
        });

    // `stream()`: print each text delta as it arrives, and fold the chunks as they pass.
    let mut events = client.serverless().chat().stream(request.clone()).await?;
    println!(
        "stream started (request id {})",
        events.request_id().unwrap_or("-")
    );
    let mut accumulator = ChatAccumulator::new();
    print!("> ");
    while let Some(event) = events.next().await {
        let event = event?;
        if let Some(text) = event.content(0) {
            print!("{text}");
            std::io::stdout().flush()?;
        }
        accumulator.push(&event);
    }
    println!();

    // The folded stream: the `ChatResult` that `complete()` would have returned.
    let collected = accumulator.finish()?;
    println!(
        "folded: {:?}, finish reason {}",
        collected.result.content().unwrap_or_default(),
        collected
            .result
            .finish_reason()
            .map(|r| r.wire_name())
            .unwrap_or_default()
    );
    match collected.usage() {
        Some(usage) => println!(
            "usage: {} prompt + {} completion = {} tokens",
            usage.prompt_tokens, usage.completion_tokens, usage.total_tokens
        ),
        None => println!("usage: not reported"),
    }

    // `complete()`: the same request answered at once (sent with `stream: false`, and without
    // `stream_options`, which only streams read).
    let result = client.serverless().chat().complete(request.clone()).await?;
    println!(
        "complete(): {:?} ({} tokens)",
        result.content().unwrap_or_default(),
        result.usage.total_tokens
    );

    // `body_field`: what the typed body cannot say. A `None` field is left out of the body; here
    // `temperature` goes out as an explicit `null` (a field this SDK does not know yet would be
    // set the same way).
    let result = client
        .serverless()
        .chat()
        .complete(request.temperature(0.9))
        .body_field("temperature", serde_json::Value::Null)
        .await?;
    println!(
        "with \"temperature\": null: {:?}",
        result.content().unwrap_or_default()
    );
    Ok(())
}
