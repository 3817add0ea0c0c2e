//! The main job: a streamed tool-assisted chat.
//!
//! Asks "What is 3 + 6?" with the `math:calculator` built-in tool and prints the tool's status
//! and the answer's tokens as they arrive. With `FRIENDLI_TOKEN` set it calls the Friendli API;
//! without it, it starts the embedded mock server and says so first.
//!
//! ```sh
//! cargo run --example quickstart
//! ```

mod common;

use std::io::Write;

use friendli::chat::ChatAccumulator;
use friendli::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = common::client()?;

    let request = ToolAssistedChatRequest::builder()
        .model(common::model())
        .messages(vec![
            Message::system("You are a helpful assistant. Use the calculator for arithmetic."),
            Message::user("What is 3 + 6?"),
        ])
        .tools(vec![ToolAssistedChatTool::calculator()])
        .max_tokens(200);

    let mut events = client
        .serverless()
        .tool_assisted_chat()
        .stream(request)
        .await?;
    let mut accumulator = ChatAccumulator::new();
    while let Some(event) = events.next().await {
        let event = event?;
        match &event {
            ToolAssistedChatEvent::ToolStatus(status) => {
                let parameters: Vec<String> = status
                    .parameters
                    .iter()
                    .map(|p| format!("{}={}", p.name, p.value))
                    .collect();
                let outcome = match (&status.result, &status.error) {
                    (Some(result), _) => format!(" -> {result}"),
                    (_, Some(error)) => format!(" -> {}: {}", error.type_, error.msg),
                    _ => String::new(),
                };
                println!(
                    "[tool {} {} {}{}]",
                    status.name.wire_name(),
                    status.status.wire_name(),
                    parameters.join(" "),
                    outcome
                );
            }
            ToolAssistedChatEvent::Chunk(_) => {
                if let Some(text) = event.content(0) {
                    print!("{text}");
                    std::io::stdout().flush()?;
                }
            }
            _ => {}
        }
        accumulator.push(&event);
    }
    let collected = accumulator.finish()?;
    println!();
    println!(
        "[finished: {}; {} built-in tool run(s)]",
        collected
            .result
            .finish_reason()
            .map(|r| r.wire_name())
            .unwrap_or_default(),
        collected.tool_runs.len()
    );
    Ok(())
}
