//! The single operation of the API's first SDK generation: the request's own `stream` field
//! decides whether the answer is JSON or an event stream, and the response's content type tells
//! which one arrived.
//!
//! ```sh
//! cargo run --example legacy_single_operation
//! ```

mod common;

use friendli::prelude::*;
use friendli::stream::JsonOrStream;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = common::client()?;

    for stream in [false, true] {
        let request = ToolAssistedChatRequest::builder()
            .model(common::model())
            .messages(vec![Message::user("What is 6 * 7?")])
            .tools(vec![ToolAssistedChatTool::calculator()])
            .stream(stream);
        match client
            .serverless()
            .tool_assisted_chat_completion(request)
            .await?
        {
            JsonOrStream::Json(result) => {
                println!("JSON answer: {}", result.content().unwrap_or_default());
            }
            JsonOrStream::Stream(events) => {
                let collected = events.collect_chat().await?;
                println!(
                    "streamed answer: {} ({} tool run(s))",
                    collected.result.content().unwrap_or_default(),
                    collected.tool_runs.len()
                );
            }
        }
    }
    Ok(())
}
