//! Text completions: a raw prompt continued without any chat template. The prompt is given as
//! text (`prompt`) or as token IDs (`tokens`); each form is answered whole by `complete()` and
//! piece by piece by `stream()`.
//!
//! ```sh
//! cargo run --example completions
//! ```

mod common;

use std::io::Write;

use friendli::prelude::*;
use friendli::types::{
    CompletionsBodyWithPrompt, CompletionsBodyWithTokens, CompletionsRequest, CompletionsResult,
    StreamOptions, TokenizeRequest,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = common::client()?;
    let completions = client.serverless().completions();

    // The prompt form. The body is one of two forms: a form's builder converts into it.
    let prompt_form = CompletionsRequest::try_from(
        CompletionsBodyWithPrompt::builder()
            .model(common::model())
            .prompt("What is 3 + 6?")
            .max_tokens(64),
    )?;
    print_result(
        "prompt, complete()",
        &completions
            .complete(prompt_form.clone())
            .await?
            .into_inner(),
    );
    // The text as it is generated.
    print!("[prompt, stream()] ");
    let mut text = completions.stream(prompt_form).await?.text_deltas();
    while let Some(piece) = text.next().await {
        print!("{}", piece?);
        std::io::stdout().flush()?;
    }
    println!();

    // The tokens form: the prompt as token IDs, here from the tokenizer of the same model.
    let tokens = client
        .serverless()
        .token()
        .tokenize(
            TokenizeRequest::builder()
                .model(common::model())
                .prompt("What is 2 * 4?"),
        )
        .await?
        .into_inner()
        .tokens;
    println!("tokens of the prompt: {tokens:?}");
    let tokens_form = CompletionsRequest::try_from(
        CompletionsBodyWithTokens::builder()
            .model(common::model())
            .tokens(tokens)
            .max_tokens(64)
            .stream_options(StreamOptions {
                include_usage: Some(true),
            }),
    )?;
    print_result(
        "tokens, complete()",
        &completions
            .complete(tokens_form.clone())
            .await?
            .into_inner(),
    );
    // A stream folded into the result `complete()` returns.
    let folded = completions
        .stream(tokens_form)
        .await?
        .collect_completions()
        .await?;
    print_result("tokens, stream() folded", &folded.result);
    Ok(())
}

fn print_result(label: &str, result: &CompletionsResult) {
    for choice in &result.choices {
        println!(
            "[{label}] {:?} (finish reason {}, {} tokens)",
            choice.text,
            choice.finish_reason,
            choice.tokens.len()
        );
    }
    println!(
        "[{label}] usage: {} prompt + {} completion tokens",
        result.usage.prompt_tokens, result.usage.completion_tokens
    );
}
