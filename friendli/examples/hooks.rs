//! Hooks: a token that expires, refreshed by a hook. Before each attempt the hook sets the
//! current token; when the server refuses it (401), the hook marks it stale, and the retry asks
//! for a fresh one first. A second hook counts the attempts and their statuses, as a metrics
//! hook would. Offline, the mock refuses the first attempt; with `FRIENDLI_TOKEN` set, that
//! token is the "fresh" one.
//!
//! ```sh
//! cargo run --example hooks
//! ```

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use friendli::observe::{AttemptOutcome, AttemptRequest, Hook, HookFuture, after_attempt};
use friendli::prelude::*;
use friendli::types::ServerlessChatCompletionBody;
use friendli::{Client, RetryConfig};
use friendli_mock::Scenario;

/// A token source whose tokens expire: `refresh` stands for a call to an identity provider.
struct RefreshingToken {
    current: Mutex<String>,
    stale: AtomicBool,
    refreshes: AtomicUsize,
}

impl RefreshingToken {
    async fn refresh(&self) -> Result<String, friendli::error::BoxError> {
        // A real program would call its identity provider here (this is why the hook is async).
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        Ok(std::env::var("FRIENDLI_TOKEN").unwrap_or_else(|_| "mock-token-refreshed".to_owned()))
    }
}

impl Hook for RefreshingToken {
    fn before_attempt<'a>(&'a self, request: &'a mut AttemptRequest) -> HookFuture<'a> {
        Box::pin(async move {
            if self.stale.swap(false, Ordering::Relaxed) {
                let fresh = self.refresh().await?;
                *self.current.lock().unwrap() = fresh;
                println!("[hook] attempt {}: token refreshed", request.attempt());
            }
            let token = self.current.lock().unwrap().clone();
            // The request carries no token but the one a hook sets.
            request.set_bearer_token(&token)?;
            Ok(())
        })
    }

    fn after_attempt(&self, attempt: &AttemptOutcome<'_>) {
        if attempt
            .status()
            .is_some_and(|status| status.as_u16() == 401)
        {
            println!(
                "[hook] attempt {}: the token was refused",
                attempt.attempt()
            );
            self.stale.store(true, Ordering::Relaxed);
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (plain, mock) = common::client()?;
    if let Some(mock) = &mock {
        mock.push(Scenario::fail(401));
    }

    let token = Arc::new(RefreshingToken {
        // Starts out expired.
        current: Mutex::new("expired-token".to_owned()),
        stale: AtomicBool::new(false),
        refreshes: AtomicUsize::new(0),
    });
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&statuses);
    let client = Client::builder()
        .ignore_env()
        .base_url(plain.base_url())
        // The token of the builder is a placeholder: the hook sets the one sent.
        .token("unused")
        // Retry 401 too, so that the attempt after a refresh happens.
        .retry(RetryConfig::default().status_codes([401, 429, 500, 502, 503, 504]))
        .hook(Arc::clone(&token))
        .hook(after_attempt(move |attempt| {
            seen.lock().unwrap().push((
                attempt.attempt(),
                attempt.status().map(|s| s.as_u16()),
                attempt.elapsed(),
            ));
        }))
        .build()?;

    let request = ServerlessChatCompletionBody::builder()
        .model(common::model())
        .messages(vec![Message::user("What is 3 + 6?")]);
    let answer = client.serverless().chat().complete(request).await?;
    println!("answer: {:?}", answer.content());
    println!(
        "{} attempt(s), {} refresh(es)",
        answer.attempts(),
        token.refreshes.load(Ordering::Relaxed)
    );
    for (attempt, status, elapsed) in statuses.lock().unwrap().iter() {
        println!("[metrics] attempt {attempt}: {status:?} in {elapsed:?}");
    }
    if let Some(mock) = &mock {
        let sent: Vec<String> = mock
            .requests()
            .iter()
            .filter_map(|r| r.header("authorization").map(str::to_owned))
            .collect();
        println!("the mock saw: {sent:?}");
    }
    Ok(())
}
