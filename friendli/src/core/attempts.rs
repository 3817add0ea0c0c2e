//! The one retry driver: attempts of anything under a retry policy.
//!
//! [`drive`] makes attempts until one succeeds or the policy ([`Backoff`]) gives up: it
//! classifies each failure, reads the server's hint (`Retry-After`, `retry-after-ms`) from an API
//! error, sleeps with jitter, honours the deadline, logs each retry, and reports every failed
//! attempt. Every call of the API goes through it ([`crate::core::transport`]), and so does the
//! upload to a storage server, which only classifies its failures its own way.

use std::future::Future;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::core::error::{AttemptFailure, Error, RetriesExhausted, TimeoutError, TimeoutKind};
use crate::core::retry::{Backoff, Decision, Failure, GiveUpReason, RetryConfig, server_hint};

/// What the attempts of one call are allowed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy<'a> {
    /// What the attempts are of, for the log (an operation id, `storage upload`).
    pub(crate) what: &'a str,
    /// The retry policy.
    pub(crate) retry: &'a RetryConfig,
    /// Whether the call changes state, so that failures after which the server may have acted
    /// are not retried.
    pub(crate) side_effects: bool,
    /// A deadline for all the attempts together.
    pub(crate) deadline: Option<Duration>,
}

/// Makes attempts with `attempt` (given the number of the attempt, from 1) until one succeeds or
/// `policy` gives up, classifying each failure with `classify`. Gives the success and the
/// failures before it.
pub(crate) async fn drive<T, F, Fut>(
    policy: Policy<'_>,
    classify: impl Fn(&Error) -> Failure,
    mut attempt: F,
) -> Result<(T, Vec<AttemptFailure>), Error>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let attempts = async {
        let started = Instant::now();
        let mut backoff = Backoff::new(policy.retry);
        let mut failures: Vec<AttemptFailure> = Vec::new();
        loop {
            let number = failures.len() + 1;
            let error = match attempt(number).await {
                Ok(value) => return Ok((value, failures)),
                Err(error) => error,
            };
            failures.push(AttemptFailure::of(&error));
            let elapsed = started.elapsed();
            let decision = backoff.decide(
                classify(&error),
                policy.side_effects,
                hint_of(&error),
                elapsed,
                policy.deadline.map(|d| d.saturating_sub(elapsed)),
                fastrand::f64(),
            );
            match decision {
                Decision::RetryAfter(delay) => {
                    tracing::info!(
                        operation = policy.what,
                        attempt = number,
                        status = error.status().map(|s| s.as_u16()),
                        request_id = error.request_id(),
                        delay_ms = delay.as_millis() as u64,
                        error = %error,
                        "attempt failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                Decision::GiveUp(reason) => {
                    tracing::debug!(attempt = number, error = %error, ?reason, "attempt failed; giving up");
                    return Err(give_up(failures, started, reason, error));
                }
            }
        }
    };
    match policy.deadline {
        Some(deadline) => tokio::time::timeout(deadline, attempts)
            .await
            .unwrap_or(Err(Error::Timeout(TimeoutError {
                kind: TimeoutKind::Deadline,
                after: deadline,
            }))),
        None => attempts.await,
    }
}

/// How a failed attempt of an API call counts for the retry policy.
pub(crate) fn classify(error: &Error) -> Failure {
    match error {
        Error::Api(e) if e.in_stream || e.status.is_redirection() => Failure::Other,
        Error::Api(e) => Failure::Status(e.status.as_u16()),
        // A request the HTTP stack could not even build fails every attempt the same way.
        Error::Transport(t) if t.is_builder() => Failure::Other,
        Error::Transport(t) if t.is_connect() => Failure::Connect,
        Error::Transport(_) => Failure::Connection,
        Error::Timeout(t) if t.kind == TimeoutKind::Read => Failure::Connection,
        _ => Failure::Other,
    }
}

/// The wait the server asked for in an error answer, if it asked.
fn hint_of(error: &Error) -> Option<Duration> {
    let Error::Api(api) = error else { return None };
    let header = |name: &str| api.headers.get(name).and_then(|v| v.to_str().ok());
    server_hint(
        header("retry-after-ms"),
        header("retry-after"),
        SystemTime::now(),
    )
}

/// The error of attempts the retry policy gave up on, `last` the last attempt's error. One
/// attempt that was not to be retried is its own error; one that would have been retried but for
/// time (a hint beyond the budget, the deadline) says why it was not, as do several attempts.
fn give_up(
    failures: Vec<AttemptFailure>,
    started: Instant,
    reason: GiveUpReason,
    last: Error,
) -> Error {
    let why_not = !matches!(
        reason,
        GiveUpReason::NotRetryable | GiveUpReason::MaxAttemptsReached
    );
    if failures.len() == 1 && !why_not {
        return last;
    }
    Error::RetriesExhausted(Box::new(RetriesExhausted {
        attempts: failures,
        elapsed: started.elapsed(),
        reason,
        last,
    }))
}
