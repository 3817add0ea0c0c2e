//! Dedicated endpoints: chat completions with a model deployed for you. `model` is the endpoint
//! ID (`FRIENDLI_ENDPOINT_ID`, `ep-123` on the mock), or `ENDPOINT_ID:ADAPTER_ROUTE` to use a
//! LoRA adapter deployed on that endpoint (`FRIENDLI_ADAPTER_ROUTE`; `my-adapter` on the mock).
//!
//! ```sh
//! cargo run --example dedicated --features dedicated
//! ```

mod common;

use std::io::Write;

use friendli::prelude::*;
use friendli::types::ChatRequest;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, mock) = common::client()?;
    let endpoint = std::env::var("FRIENDLI_ENDPOINT_ID").unwrap_or_else(|_| "ep-123".to_owned());
    let adapter = std::env::var("FRIENDLI_ADAPTER_ROUTE")
        .ok()
        .or_else(|| mock.is_some().then(|| "my-adapter".to_owned()));

    let request = |model: &str| {
        ChatRequest::builder()
            .model(model)
            .messages(vec![Message::user("Say hello to the dedicated endpoint.")])
            .max_tokens(64)
    };

    // `complete()` on the endpoint's base model.
    let result = client
        .dedicated()
        .chat()
        .complete(request(&endpoint))
        .await?;
    println!(
        "[{endpoint}] {:?} (finish reason {}, model {})",
        result.content().unwrap_or_default(),
        result
            .finish_reason()
            .map(|r| r.wire_name())
            .unwrap_or_default(),
        result.model.as_deref().unwrap_or("-")
    );

    // `stream()`, on the adapter when there is one: only the text, as it arrives.
    let model = match &adapter {
        Some(adapter) => format!("{endpoint}:{adapter}"),
        None => endpoint,
    };
    let events = client.dedicated().chat().stream(request(&model)).await?;
    let mut text = std::pin::pin!(events.text_deltas());
    print!("[{model}] ");
    while let Some(delta) = text.next().await {
        print!("{}", delta?);
        std::io::stdout().flush()?;
    }
    println!();
    Ok(())
}
