//! Shared by the examples: a client for the real API when `FRIENDLI_TOKEN` is set, otherwise a
//! client of the embedded mock server, which is started in-process.

#![allow(dead_code)]

use friendli::Client;
use friendli_mock::MockServer;

/// The model the examples ask (override with `FRIENDLI_MODEL`).
pub fn model() -> String {
    std::env::var("FRIENDLI_MODEL").unwrap_or_else(|_| "meta-llama-3.1-8b-instruct".to_owned())
}

/// A client, and the mock server it talks to when there is no token (keep it alive while the
/// client is used). Prints which one it is as the first line of output.
pub fn client() -> Result<(Client, Option<MockServer>), friendli::Error> {
    if std::env::var("FRIENDLI_TOKEN").is_ok_and(|t| !t.trim().is_empty()) {
        let client = Client::from_env()?;
        println!(
            "Using the Friendli API at {} (FRIENDLI_TOKEN is set).",
            client.base_url()
        );
        return Ok((client, None));
    }
    let mock = MockServer::start();
    println!(
        "FRIENDLI_TOKEN is not set: using the embedded friendli-mock server at {}.",
        mock.url()
    );
    let client = Client::builder()
        .ignore_env()
        .token("mock-token")
        .base_url(mock.url())
        .build()?;
    Ok((client, Some(mock)))
}
