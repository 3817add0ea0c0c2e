//! The blocking client: the same API without an async runtime (feature `blocking`).
//!
//! ```sh
//! cargo run --example blocking --features blocking
//! ```

mod common;

use friendli::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = common::client()?;
    let client = friendli::blocking::Client::new(client)?;

    let request = ToolAssistedChatRequest::builder()
        .model(common::model())
        .messages(vec![Message::user("What is 12 * 12?")])
        .tools(vec![ToolAssistedChatTool::calculator()]);

    let result = client
        .serverless()
        .tool_assisted_chat()
        .complete(request.clone())
        .send()?;
    println!("complete: {}", result.content().unwrap_or_default());

    print!("stream: ");
    for event in client
        .serverless()
        .tool_assisted_chat()
        .stream(request)
        .send()?
    {
        match event? {
            ToolAssistedChatEvent::ToolStatus(status) => print!(
                "[{} {}] ",
                status.name.wire_name(),
                status.status.wire_name()
            ),
            event => print!("{}", event.content(0).unwrap_or_default()),
        }
    }
    println!();
    Ok(())
}
