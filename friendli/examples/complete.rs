//! `complete()`: the whole answer at once, with per-call options and the response metadata.
//!
//! ```sh
//! cargo run --example complete
//! ```

mod common;

use std::time::Duration;

use friendli::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = common::client()?;

    let request = ToolAssistedChatRequest::builder()
        .model(common::model())
        .messages(vec![
            Message::system("You are a careful assistant. Use tools for arithmetic and dates."),
            Message::user(
                "What is the mean of 3, 5, 8 and 12? And what day of the week is 2026-12-25?",
            ),
        ])
        .tools(vec![
            ToolAssistedChatTool::statistics(),
            ToolAssistedChatTool::calendar(),
            ToolAssistedChatTool::calculator(),
        ])
        .temperature(0.2)
        .max_tokens(300);

    let response = client
        .serverless()
        .tool_assisted_chat()
        .complete(request)
        .timeout(Duration::from_secs(120))
        .await?;

    println!("request id: {}", response.request_id().unwrap_or_default());
    println!("answer: {}", response.content().unwrap_or("(no text)"));
    println!(
        "finish reason: {}; tokens: {} prompt + {} completion",
        response
            .finish_reason()
            .map(|r| r.wire_name())
            .unwrap_or_default(),
        response.usage.prompt_tokens,
        response.usage.completion_tokens
    );
    Ok(())
}
