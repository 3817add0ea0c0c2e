//! The life of a dedicated endpoint: create it, wait until it runs (printing every status seen),
//! chat with it, and put it to sleep.
//!
//! ```sh
//! cargo run --example endpoints --features dedicated
//! ```
//!
//! Without `FRIENDLI_TOKEN` it runs against the embedded mock, which keeps endpoints as the API
//! does: a new one is `INITIALIZING` through its start-up phases, then `RUNNING`, and it serves
//! chat once it runs. With a token it creates nothing unless asked, because an endpoint runs on
//! GPUs you pay for:
//!
//! - `FRIENDLI_ENDPOINT_ID=…`: wake that endpoint instead of creating one;
//! - `FRIENDLI_CREATE_ENDPOINT=1` and `FRIENDLI_PROJECT_ID=…` (optional `FRIENDLI_HF_MODEL`,
//!   `FRIENDLI_INSTANCE_OPTION_ID`): create one. It is left asleep at the end; delete it with
//!   `client.dedicated().endpoint().delete(id)` when you are done.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use friendli::Client;
use friendli::prelude::*;
use friendli::types::{ChatRequest, DedicatedEndpointCreateBody, EndpointAdvancedConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, mock) = common::client()?;
    let endpoints = client.dedicated().endpoint();
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());

    let endpoint_id = if mock.is_some() {
        create(&client, "proj-mock").await?
    } else if let Some(id) = env("FRIENDLI_ENDPOINT_ID") {
        let status = endpoints.wake(&id).await?;
        println!("Waking {id}: {}", status.summary());
        id
    } else if let (Some("1"), Some(project)) = (
        env("FRIENDLI_CREATE_ENDPOINT").as_deref(),
        env("FRIENDLI_PROJECT_ID"),
    ) {
        create(&client, &project).await?
    } else {
        println!(
            "Set FRIENDLI_ENDPOINT_ID to wake an endpoint of yours, or FRIENDLI_CREATE_ENDPOINT=1 and \
             FRIENDLI_PROJECT_ID to create one (billed)."
        );
        return Ok(());
    };

    // Poll until it runs; every status seen is printed. The mock's statuses come quickly.
    let (first, longest) = if mock.is_some() {
        (Duration::from_millis(20), Duration::from_millis(100))
    } else {
        (Duration::from_secs(5), Duration::from_secs(30))
    };
    let started = Instant::now();
    let running = endpoints
        .wait_until_running(&endpoint_id)
        .poll_interval(first)
        .max_poll_interval(longest)
        .deadline(Duration::from_secs(60 * 60))
        .on_status(move |status| {
            let elapsed = format!("{:.1?}", started.elapsed());
            println!("  [{elapsed:>8}] {}", status.summary());
        })
        .await?;
    println!("{endpoint_id} is {}.", running.summary());

    // Inference on a dedicated endpoint: `model` is the endpoint ID.
    let request = ChatRequest::builder()
        .model(endpoint_id.as_str())
        .messages(vec![Message::user("Say hello from a fresh endpoint.")])
        .max_tokens(64);
    let answer = client.dedicated().chat().complete(request).await?;
    println!("[{endpoint_id}] {}", answer.content().unwrap_or_default());

    // Sleep frees its GPUs; `wake` (or a request, with autoscaling from zero) starts it again.
    let status = endpoints.sleep(&endpoint_id).await?;
    println!("{endpoint_id} is going to sleep: {}.", status.summary());
    Ok(())
}

/// Creates an endpoint and finds its ID: the create answer is the new endpoint's status, which
/// carries no ID, so the ID is the key that appears in the list of endpoints.
async fn create(client: &Client, project: &str) -> Result<String, Box<dyn std::error::Error>> {
    let endpoints = client.dedicated().endpoint();
    let known = |page: friendli::types::DedicatedEndpointListResponse| -> BTreeSet<String> {
        page.data.into_keys().collect()
    };
    let before = known(
        endpoints
            .list()
            .project_id(project)
            .limit(100)
            .await?
            .into_inner(),
    );

    let env_or =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let request: DedicatedEndpointCreateBody = DedicatedEndpointCreateBody::builder()
        .project_id(project)
        .name("friendli-rs-example")
        .hf_model_repo(env_or(
            "FRIENDLI_HF_MODEL",
            "meta-llama/Llama-3.1-8B-Instruct",
        ))
        .instance_option_id(env_or("FRIENDLI_INSTANCE_OPTION_ID", "TwD5AqnBSVN0")) // 1× H100
        .advanced(
            EndpointAdvancedConfig::builder()
                .tokenizer_add_special_tokens(false)
                .tokenizer_skip_special_tokens(true),
        )
        .initial_version_comment("created by the friendli-rs endpoints example".to_owned())
        .try_into()?;
    let status = endpoints.create(request).await?;
    println!("Created an endpoint: {}", status.summary());

    let after = known(
        endpoints
            .list()
            .project_id(project)
            .limit(100)
            .await?
            .into_inner(),
    );
    let id = after
        .difference(&before)
        .next()
        .cloned()
        .ok_or("the new endpoint is not in the list yet; find its ID in Friendli Suite")?;
    println!("Its ID is {id}.");
    Ok(id)
}
