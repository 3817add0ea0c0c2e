//! A self-hosted Friendli Container: chat and tokenization at the container's own URL, with no
//! API token. The URL is a client setting (`ClientBuilder::container_url`, or the
//! `FRIENDLI_CONTAINER_URL` environment variable; default `http://localhost:8000`). Without
//! `FRIENDLI_CONTAINER_URL` this example starts the embedded mock server, which serves the
//! container's paths too, and says so first.
//!
//! ```sh
//! cargo run --example container --features container
//! ```

use friendli::Client;
use friendli::client::ENV_CONTAINER_URL;
use friendli::prelude::*;
use friendli::types::{ChatRequest, DetokenizeRequest, StreamOptions, TokenizeRequest};
use friendli_mock::MockServer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The mock, when there is one, must live as long as the client is used.
    let (client, _mock) = match std::env::var(ENV_CONTAINER_URL) {
        Ok(url) if !url.trim().is_empty() => (Client::builder().container_url(url).build()?, None),
        _ => {
            let mock = MockServer::start();
            println!("{ENV_CONTAINER_URL} is not set: using the embedded friendli-mock server.");
            let client = Client::builder()
                .ignore_env()
                .container_url(mock.url())
                .build()?;
            (client, Some(mock))
        }
    };
    println!("Friendli Container at {}", client.container_url());
    let container = client.container();

    // `model` is optional: leave it out for the container's base model, or name a LoRA adapter.
    let request = ChatRequest::builder()
        .messages(vec![Message::user("What is a Friendli Container?")])
        .max_tokens(64)
        .stream_options(StreamOptions {
            include_usage: Some(true),
        });
    let result = container.chat().complete(request.clone()).await?;
    println!("complete(): {:?}", result.content().unwrap_or_default());

    // A stream read to its end and folded into one result.
    let collected = container
        .chat()
        .stream(request)
        .await?
        .collect_chat()
        .await?;
    println!(
        "stream():   {:?} ({} tokens)",
        collected.result.content().unwrap_or_default(),
        collected.usage().map_or(0, |u| u.total_tokens)
    );

    let text = "Hello, container!";
    let tokens = container
        .token()
        .tokenize(TokenizeRequest::builder().prompt(text))
        .await?
        .into_inner()
        .tokens;
    println!("tokenize({text:?}): {} tokens {tokens:?}", tokens.len());
    let back = container
        .token()
        .detokenize(DetokenizeRequest::builder().tokens(tokens))
        .await?
        .into_inner()
        .text;
    println!("detokenize: {back:?}");
    Ok(())
}
