//! `stream()`: the answer as it is generated, with every built-in tool run as it happens, then
//! the stream folded into the same result `complete()` returns.
//!
//! ```sh
//! cargo run --example stream
//! ```

mod common;

use std::io::Write;

use friendli::chat::ChatAccumulator;
use friendli::prelude::*;
use friendli::types::{StreamOptions, ToolStatusKnown};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = common::client()?;

    let request = ToolAssistedChatRequest::builder()
        .model(common::model())
        .messages(vec![Message::user(
            "What is (17 + 25) * 3? Then search the latest news about Rust.",
        )])
        .tools(vec![
            ToolAssistedChatTool::calculator(),
            ToolAssistedChatTool::web_search(),
        ])
        .stream_options(StreamOptions {
            include_usage: Some(true),
        });

    let mut events = client
        .serverless()
        .tool_assisted_chat()
        .stream(request)
        .await?;
    println!(
        "stream started (request id {})",
        events.request_id().unwrap_or_default()
    );
    let mut accumulator = ChatAccumulator::new();
    while let Some(event) = events.next().await {
        let event = event?;
        match &event {
            ToolAssistedChatEvent::ToolStatus(status) => {
                let marker = match &status.status {
                    friendli::types::ToolStatus::Known(ToolStatusKnown::Started) => "▶",
                    friendli::types::ToolStatus::Known(ToolStatusKnown::Ended) => "✔",
                    friendli::types::ToolStatus::Known(ToolStatusKnown::Errored) => "✘",
                    _ => "…",
                };
                println!(
                    "{marker} {} {}",
                    status.name.wire_name(),
                    status.status.wire_name()
                );
            }
            ToolAssistedChatEvent::Chunk(_) => {
                if let Some(text) = event.content(0) {
                    print!("{text}");
                    std::io::stdout().flush()?;
                }
            }
            ToolAssistedChatEvent::Unknown(unknown) => {
                println!("(unknown event {:?})", unknown.event)
            }
            _ => {}
        }
        accumulator.push(&event);
    }
    println!();

    let collected = accumulator.finish()?;
    for run in &collected.tool_runs {
        println!(
            "tool run {} ({}): {} -> {}",
            run.tool_call_id,
            run.name.wire_name(),
            run.updates
                .iter()
                .map(|u| u.status.wire_name())
                .collect::<Vec<_>>()
                .join(" → "),
            run.result.as_deref().unwrap_or("-")
        );
    }
    if collected.usage_reported {
        println!("total tokens: {}", collected.result.usage.total_tokens);
    }
    Ok(())
}
