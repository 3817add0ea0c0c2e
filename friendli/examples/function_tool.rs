//! A function tool by hand: declare a function of this program with a schema derived from its
//! argument type, let the model call it, run it, and send the result back with a `tool` message.
//! (`local_tools.rs` shows `run()`, which does this loop for you.)
//!
//! ```sh
//! cargo run --example function_tool
//! ```

mod common;

use friendli::prelude::*;
use serde::Deserialize;

/// The arguments of `convert_currency`; the model sees the JSON Schema derived from this type.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct ConvertArgs {
    /// The amount to convert.
    amount: f64,
    /// ISO 4217 code of the amount's currency, e.g. "USD".
    from: String,
    /// ISO 4217 code to convert to, e.g. "KRW".
    to: String,
}

/// The function the model may call.
fn convert_currency(args: &ConvertArgs) -> serde_json::Value {
    let per_usd = |code: &str| match code {
        "USD" => Some(1.0),
        "KRW" => Some(1_400.0),
        "EUR" => Some(0.92),
        _ => None,
    };
    match (per_usd(&args.from), per_usd(&args.to)) {
        (Some(from), Some(to)) => {
            serde_json::json!({ "amount": args.amount / from * to, "currency": args.to })
        }
        _ => serde_json::json!({ "error": "unknown currency" }),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = common::client()?;

    let mut messages = vec![Message::user(
        r#"How much is 250 USD in KRW? Call convert_currency with {"amount": 250, "from": "USD", "to": "KRW"}."#,
    )];
    let tools = vec![ToolAssistedChatTool::function_for::<ConvertArgs>(
        "convert_currency",
        "Converts an amount of money between currencies",
    )];
    let request = |messages: Vec<Message>| {
        ToolAssistedChatRequest::builder()
            .model(common::model())
            .messages(messages)
            .tools(tools.clone())
            .tool_choice(ToolChoice::auto())
    };

    // Turn 1: the model answers with calls of our function instead of text.
    let first = client
        .serverless()
        .tool_assisted_chat()
        .complete(request(messages.clone()))
        .await?;
    let calls = first.tool_calls();
    println!(
        "finish reason: {}; {} function call(s)",
        first
            .finish_reason()
            .map(|r| r.wire_name())
            .unwrap_or_default(),
        calls.len()
    );
    if calls.is_empty() {
        println!("answer: {}", first.content().unwrap_or_default());
        return Ok(());
    }

    // Keep the model's turn in the conversation, then one `tool` message per call.
    messages.extend(first.to_message());
    for call in calls {
        let output = match serde_json::from_str::<ConvertArgs>(&call.function.arguments) {
            Ok(args) => {
                println!("calling {}({args:?})", call.function.name);
                convert_currency(&args)
            }
            // Tell the model what was wrong rather than failing the conversation.
            Err(error) => serde_json::json!({ "error": format!("bad arguments: {error}") }),
        };
        println!("  -> {output}");
        messages.push(Message::tool(&call.id, output.to_string()));
    }

    // Turn 2: the model answers with the results in view.
    let answer = client
        .serverless()
        .tool_assisted_chat()
        .complete(request(messages))
        .await?;
    println!("answer: {}", answer.content().unwrap_or_default());
    Ok(())
}
