//! Tokenization: a text split into the token IDs of a model's tokenizer (handy for counting
//! tokens before a request), and the IDs decoded back into text.
//!
//! ```sh
//! cargo run --example tokenize
//! ```

mod common;

use friendli::types::{DetokenizeRequest, TokenizeRequest};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = common::client()?;
    let text = "Hello, Friendli! 안녕하세요 🦀";

    let tokens = client
        .serverless()
        .token()
        .tokenize(
            TokenizeRequest::builder()
                .model(common::model())
                .prompt(text),
        )
        .await?
        .into_inner()
        .tokens;
    println!("text:   {text:?}");
    println!("tokens: {} {tokens:?}", tokens.len());

    let decoded = client
        .serverless()
        .token()
        .detokenize(
            DetokenizeRequest::builder()
                .model(common::model())
                .tokens(tokens),
        )
        .await?
        .into_inner()
        .text;
    println!("back:   {decoded:?}");
    println!(
        "round trip: {}",
        if decoded == text { "exact" } else { "differs" }
    );
    Ok(())
}
