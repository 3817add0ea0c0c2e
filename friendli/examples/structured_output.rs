//! Structured output: the answer as a Rust type. `ResponseFormat::json_schema_for::<T>()` sends
//! the JSON Schema of `T` (derived with schemars; doc comments become the descriptions the model
//! reads) and `parse::<T>()` reads the answer back, from `complete()` or from a folded stream. An
//! answer that does not fit `T` is an `Error::Decode` that carries the text.
//!
//! ```sh
//! cargo run --example structured_output
//! ```

mod common;

use friendli::prelude::*;
use friendli::types::{ResponseFormat, ServerlessChatCompletionBody};
use schemars::JsonSchema;
use serde::Deserialize;

/// A dish and how to cook it.
#[derive(Debug, Deserialize, JsonSchema)]
struct Recipe {
    /// The name of the dish.
    name: String,
    /// How many people it serves.
    servings: u32,
    /// What goes in, one ingredient per entry, with its quantity.
    ingredients: Vec<String>,
    /// The steps, in order.
    steps: Vec<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = common::client()?;
    let chat = client.serverless().chat();
    let request = ServerlessChatCompletionBody::try_from(
        ServerlessChatCompletionBody::builder()
            .model(common::model())
            .messages(vec![
                Message::system("Answer with JSON only."),
                Message::user("A simple recipe for kimchi fried rice, as JSON."),
            ])
            .response_format(ResponseFormat::json_schema_for::<Recipe>())
            .max_tokens(1024),
    )?;

    let recipe: Recipe = chat.complete(request.clone()).await?.parse()?;
    println!(
        "complete(): {} (serves {}), {} ingredients, {} steps",
        recipe.name,
        recipe.servings,
        recipe.ingredients.len(),
        recipe.steps.len()
    );

    // The same from a stream, folded.
    let recipe: Recipe = chat.stream(request).await?.collect_chat().await?.parse()?;
    println!("stream(), folded: {recipe:#?}");

    // An answer that is not a `T` is an error carrying the text.
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        calories: u32,
    }
    let answer = chat
        .complete(
            ServerlessChatCompletionBody::builder()
                .model(common::model())
                .messages(vec![Message::user("Just say hello.")]),
        )
        .await?;
    match answer.parse::<Wrong>() {
        Err(friendli::Error::Decode(error)) => println!(
            "not JSON of the expected shape: {} ({} bytes of text kept)",
            error.what,
            error.raw.len()
        ),
        other => println!("unexpected: {other:?}"),
    }
    Ok(())
}
