//! Serverless chat completions: the answer streamed as it is generated and folded back into one
//! result with its token usage, then the same request answered whole by `complete()`.
//!
//! ```sh
//! cargo run --example chat
//! ```

mod common;

use std::io::Write;

use friendli::prelude::*;
use friendli::types::{ServerlessChatCompletionBody, StreamOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = common::client()?;

    let request = ServerlessChatCompletionBody::builder()
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
    let result = client.serverless().chat().complete(request).await?;
    println!(
        "complete(): {:?} ({} tokens)",
        result.content().unwrap_or_default(),
        result.usage.total_tokens
    );
    Ok(())
}
