//! Dedicated endpoint extras: waiting until an endpoint is running (feature `dedicated`).
//!
//! A new, woken or restarted endpoint takes minutes to start (a GPU to find, the model to
//! download, the engine to start). [`wait_until_running`](crate::namespaces::DedicatedEndpoint::wait_until_running)
//! polls its status (the `dedicatedGetEndpointStatus` operation) until it is `RUNNING`, and fails
//! early when the endpoint has failed or is being terminated:
//!
//! ```no_run
//! # async fn example(client: friendli::Client) -> friendli::Result<()> {
//! use std::time::Duration;
//! use friendli::prelude::*;
//!
//! let status = client
//!     .dedicated()
//!     .endpoint()
//!     .wait_until_running("ep-123")
//!     .poll_interval(Duration::from_secs(5))
//!     .deadline(Duration::from_secs(30 * 60))
//!     .on_status(|status| println!("{}", status.summary()))
//!     .await?;
//! assert!(status.is_running());
//! # Ok(()) }
//! ```
//!
//! The statuses of the API document are `UNKNOWN`, `INITIALIZING`, `RUNNING`, `UPDATING`,
//! `SLEEPING`, `AWAKING`, `FAILED`, `STOPPING`, `TERMINATING`, `TERMINATED` and `READY`; the
//! enum is open, so a status this SDK does not know arrives as `Unknown(text)`. The wait ends:
//!
//! - with the status, when it is `RUNNING`;
//! - with [`Error::endpoint_not_running`] ([`NotRunningReason::Failed`]) when it is `FAILED`, or
//!   ([`NotRunningReason::Terminated`]) when it is `TERMINATING` or `TERMINATED`: an endpoint in
//!   those states does not start by itself;
//! - with [`Error::endpoint_not_running`] ([`NotRunningReason::DeadlineReached`]) when the
//!   deadline passes (the status request in flight is abandoned);
//! - with the error of a status request that failed after the call's retry policy gave up (a
//!   `404` for an unknown endpoint, a `401`, …), as it is.
//!
//! Every other status, including `UNKNOWN`, `READY` (which the provider does not document as
//! serving), `SLEEPING` (right after a wake the status may still say so) and values this SDK does
//! not know, keeps the wait going. Every [`EndpointNotRunning`] carries the last status seen.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::{Stream, StreamExt};
use tokio::time::Instant;

use crate::core::call::{BlockingCaller, Call, Caller};
use crate::core::client::Client;
use crate::core::error::{Error, Result};
use crate::core::options::{CallOptions, CallSettings};
use crate::core::response::{Response, ResponseMeta};
use crate::extras::ext::WireName;
use crate::namespaces::DedicatedEndpoint;
use crate::operations::DedicatedGetEndpointStatus;
use crate::types::{
    DedicatedEndpointStatus, DedicatedEndpointStatusPhase, InferenceDeploymentErrorCode,
    InferenceDeploymentStatus, InferenceDeploymentStatusKnown as Known,
};

/// The first wait between two status requests, by default.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);
/// The longest wait between two status requests, by default.
pub const DEFAULT_MAX_POLL_INTERVAL: Duration = Duration::from_secs(30);
/// How much the wait between two status requests grows after each one, by default.
pub const DEFAULT_POLL_BACKOFF: f64 = 1.5;
/// How long a wait lasts at most, by default (large models take a while to download).
pub const DEFAULT_WAIT_DEADLINE: Duration = Duration::from_secs(60 * 60);

impl WireName for InferenceDeploymentStatus {}
impl WireName for InferenceDeploymentErrorCode {}
impl WireName for DedicatedEndpointStatusPhase {}

/// Questions about the status of a dedicated endpoint (in [`crate::prelude`]).
pub trait EndpointStatusExt {
    /// The lifecycle status.
    fn lifecycle(&self) -> &InferenceDeploymentStatus;

    /// Whether the endpoint serves requests (`RUNNING`).
    fn is_running(&self) -> bool {
        matches!(
            self.lifecycle(),
            InferenceDeploymentStatus::Known(Known::Running)
        )
    }

    /// Whether the endpoint failed (`FAILED`); see its error code.
    fn is_failed(&self) -> bool {
        matches!(
            self.lifecycle(),
            InferenceDeploymentStatus::Known(Known::Failed)
        )
    }

    /// Whether the endpoint is being or has been terminated (`TERMINATING`, `TERMINATED`).
    fn is_terminated(&self) -> bool {
        matches!(
            self.lifecycle(),
            InferenceDeploymentStatus::Known(Known::Terminating | Known::Terminated)
        )
    }

    /// A one-line description for logs and command-line tools: the status as the API names it,
    /// with the start-up phase and the error code when there are any (`INITIALIZING
    /// (DOWNLOADING_MODEL)`, `FAILED (error WORKLOAD_INIT_DOWNLOAD_ERROR)`).
    fn summary(&self) -> String {
        self.lifecycle().wire_name()
    }
}

impl EndpointStatusExt for InferenceDeploymentStatus {
    fn lifecycle(&self) -> &InferenceDeploymentStatus {
        self
    }
}

impl EndpointStatusExt for DedicatedEndpointStatus {
    fn lifecycle(&self) -> &InferenceDeploymentStatus {
        &self.status
    }

    fn summary(&self) -> String {
        let mut text = self.status.wire_name();
        let mut details = Vec::new();
        if let Some(phase) = &self.phase {
            details.push(phase.wire_name());
        }
        if let Some(code) = &self.error_code {
            details.push(format!("error {}", code.wire_name()));
        }
        if !details.is_empty() {
            text.push_str(&format!(" ({})", details.join(", ")));
        }
        text
    }
}

impl<'c, C: Caller> DedicatedEndpoint<'c, C> {
    /// Waits until the endpoint `endpoint_id` is running: polls its status, first at once, then
    /// after [`poll_interval`](WaitUntilRunning::poll_interval), a longer wait each time up to
    /// [`max_poll_interval`](WaitUntilRunning::max_poll_interval), until it is `RUNNING`, has
    /// failed or is being terminated, or the [`deadline`](WaitUntilRunning::deadline) passes
    /// (see [the module](crate::extras::endpoints)). Await it for the `RUNNING` status (a
    /// [`Response`] with the metadata of the last status request), or turn it into
    /// the stream of every status seen with [`WaitUntilRunning::into_stream`].
    ///
    /// The per-call options (`retries`, `timeout`, `team`, `header`, `server_url`, …) apply to
    /// each status request: a failed request is retried by the call's retry policy, and the wait
    /// fails with its error once the policy gives up.
    pub fn wait_until_running(&self, endpoint_id: impl Into<String>) -> WaitUntilRunning<'c, C> {
        WaitUntilRunning::new(self.client(), endpoint_id.into())
    }
}

/// A wait for a dedicated endpoint to be running (see
/// [`wait_until_running`](crate::namespaces::DedicatedEndpoint::wait_until_running)). Set
/// options, then `.await` it (`send()` it on the blocking client), or call
/// [`into_stream`](Self::into_stream).
///
/// The per-call options (`retries`, `timeout`, `team`, …) apply to each status request (so
/// `timeout` bounds one request); [`deadline`](Self::deadline) bounds the whole wait.
#[must_use = "a wait does nothing until it is awaited"]
pub struct WaitUntilRunning<'c, C = Client> {
    call: Call<'c, DedicatedGetEndpointStatus, C>,
    endpoint_id: String,
    poll_interval: Duration,
    max_poll_interval: Duration,
    backoff: f64,
    deadline: Duration,
    on_status: Option<Observer<'c>>,
}

type Observer<'c> = Box<dyn FnMut(&DedicatedEndpointStatus) + Send + 'c>;

impl<C> fmt::Debug for WaitUntilRunning<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitUntilRunning")
            .field("endpoint_id", &self.endpoint_id)
            .field("call", &self.call)
            .field("poll_interval", &self.poll_interval)
            .field("max_poll_interval", &self.max_poll_interval)
            .field("backoff", &self.backoff)
            .field("deadline", &self.deadline)
            .field("on_status", &self.on_status.is_some())
            .finish()
    }
}

impl<C> CallOptions for WaitUntilRunning<'_, C> {
    fn settings(&mut self) -> &mut CallSettings {
        self.call.settings()
    }
}

impl<'c, C: Caller> WaitUntilRunning<'c, C> {
    fn new(client: &'c C, endpoint_id: String) -> Self {
        WaitUntilRunning {
            call: Call::new(
                client,
                DedicatedGetEndpointStatus::new(endpoint_id.clone()),
                Ok(()),
            ),
            endpoint_id,
            poll_interval: DEFAULT_POLL_INTERVAL,
            max_poll_interval: DEFAULT_MAX_POLL_INTERVAL,
            backoff: DEFAULT_POLL_BACKOFF,
            deadline: DEFAULT_WAIT_DEADLINE,
            on_status: None,
        }
    }

    /// The wait after the first status request (default 5 s); each later wait is
    /// [`backoff`](Self::backoff) times the one before, up to
    /// [`max_poll_interval`](Self::max_poll_interval).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// The longest wait between two status requests (default 30 s).
    pub fn max_poll_interval(mut self, interval: Duration) -> Self {
        self.max_poll_interval = interval;
        self
    }

    /// How much the wait between two status requests grows each time (default 1.5). A factor
    /// below 1 (or not a number) counts as 1: a fixed interval.
    pub fn backoff(mut self, factor: f64) -> Self {
        self.backoff = if factor >= 1.0 { factor } else { 1.0 };
        self
    }

    /// How long the whole wait may last (default one hour), from its first status request.
    /// When the next wait would end past it, or a status request is still unanswered when it
    /// passes, the wait fails with [`NotRunningReason::DeadlineReached`] at once.
    /// `Duration::MAX` waits without a deadline.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Calls `observer` with every status read, in order, the last one included (for progress
    /// output: see [`EndpointStatusExt::summary`]).
    pub fn on_status(mut self, observer: impl FnMut(&DedicatedEndpointStatus) + Send + 'c) -> Self {
        self.on_status = Some(Box::new(observer));
        self
    }

    /// The endpoint waited for.
    pub fn endpoint_id(&self) -> &str {
        &self.endpoint_id
    }

    /// Waits: the statuses read, until a `RUNNING` one (which it gives) or the end of the wait.
    async fn wait(self) -> Result<Response<DedicatedEndpointStatus>> {
        let endpoint_id = self.endpoint_id.clone();
        let mut state = self.state();
        while let Some(status) = state.step().await {
            let status = status?;
            if status.is_running()
                && let Some(meta) = state.last_meta.take()
            {
                return Ok(Response::new(status, meta));
            }
        }
        // The stream ends only after a running status or an error.
        Err(Error::invalid_request(format!(
            "the wait for endpoint {endpoint_id} ended without a status"
        )))
    }

    fn state(self) -> WaitState<'c, C> {
        WaitState {
            wait: self,
            started: None,
            polls: 0,
            next_wait: Duration::ZERO,
            last: None,
            last_meta: None,
            pending: None,
            done: false,
        }
    }

    fn statuses(self) -> EndpointStatusStream<'c> {
        let state = self.state();
        EndpointStatusStream {
            inner: futures::stream::unfold(state, |mut state| async move {
                let item = state.step().await?;
                Some((item, state))
            })
            .boxed(),
        }
    }
}

impl<'c> WaitUntilRunning<'c, Client> {
    /// The wait as a stream of every status read, in order. It ends after a `RUNNING` status;
    /// after a `FAILED`, `TERMINATING` or `TERMINATED` status it yields
    /// [`Error::endpoint_not_running`] and ends; a passed deadline or a failed status request is
    /// its last item too.
    pub fn into_stream(self) -> EndpointStatusStream<'c> {
        self.statuses()
    }
}

impl<'c> IntoFuture for WaitUntilRunning<'c, Client> {
    type Output = Result<Response<DedicatedEndpointStatus>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.wait())
    }
}

impl<C: BlockingCaller> WaitUntilRunning<'_, C> {
    /// Waits until the endpoint runs (the blocking client's form of `.await`).
    pub fn send(self) -> Result<Response<DedicatedEndpointStatus>> {
        let client = self.call.client();
        client.block_on(self.wait())?
    }
}

/// The statuses of a dedicated endpoint seen while waiting for it to run (see
/// [`WaitUntilRunning::into_stream`]).
pub struct EndpointStatusStream<'c> {
    inner: Pin<Box<dyn Stream<Item = Result<DedicatedEndpointStatus>> + Send + 'c>>,
}

impl fmt::Debug for EndpointStatusStream<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndpointStatusStream")
            .finish_non_exhaustive()
    }
}

impl Stream for EndpointStatusStream<'_> {
    type Item = Result<DedicatedEndpointStatus>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

struct WaitState<'c, C> {
    wait: WaitUntilRunning<'c, C>,
    started: Option<Instant>,
    polls: u32,
    next_wait: Duration,
    last: Option<DedicatedEndpointStatus>,
    /// The metadata of the last status request's response.
    last_meta: Option<ResponseMeta>,
    /// The error that follows a status after which the endpoint will not run.
    pending: Option<Error>,
    done: bool,
}

impl<C: Caller> WaitState<'_, C> {
    async fn step(&mut self) -> Option<Result<DedicatedEndpointStatus>> {
        if self.done {
            return None;
        }
        if let Some(error) = self.pending.take() {
            self.done = true;
            return Some(Err(error));
        }
        let started = *self.started.get_or_insert_with(Instant::now);
        // `None`: a deadline too far to represent, that is none.
        let end = started.checked_add(self.wait.deadline);
        if self.polls > 0 {
            let wait = self.next_wait;
            if end.is_some_and(|end| Instant::now().checked_add(wait).is_none_or(|t| t >= end)) {
                self.done = true;
                return Some(Err(self.not_running(NotRunningReason::DeadlineReached)));
            }
            tokio::time::sleep(wait).await;
            let grown = Duration::try_from_secs_f64(wait.as_secs_f64() * self.wait.backoff)
                .unwrap_or(Duration::MAX);
            self.next_wait = grown.min(self.wait.max_poll_interval);
        } else {
            self.next_wait = self.wait.poll_interval.min(self.wait.max_poll_interval);
        }
        let poll = self.wait.call.with_body(()).execute();
        let answer = match end {
            Some(end) => match tokio::time::timeout_at(end, poll).await {
                Ok(answer) => answer,
                Err(_) => {
                    self.done = true;
                    return Some(Err(self.not_running(NotRunningReason::DeadlineReached)));
                }
            },
            None => poll.await,
        };
        self.polls += 1;
        let status = match answer {
            Ok(answer) => {
                let (status, meta) = answer.into_parts();
                self.last_meta = Some(meta);
                status
            }
            Err(error) => {
                self.done = true;
                return Some(Err(error));
            }
        };
        tracing::debug!(
            endpoint_id = %self.wait.endpoint_id,
            status = %status.summary(),
            poll = self.polls,
            "dedicated endpoint status"
        );
        if let Some(observer) = &mut self.wait.on_status {
            observer(&status);
        }
        self.last = Some(status.clone());
        if status.is_running() {
            self.done = true;
        } else if status.is_failed() {
            self.pending = Some(self.not_running(NotRunningReason::Failed));
        } else if status.is_terminated() {
            self.pending = Some(self.not_running(NotRunningReason::Terminated));
        }
        Some(Ok(status))
    }

    /// The error that ends the wait (the caller marks the wait done).
    fn not_running(&mut self, reason: NotRunningReason) -> Error {
        Error::Extra(Box::new(EndpointNotRunning {
            endpoint_id: self.wait.endpoint_id.clone(),
            reason,
            last_status: self.last.clone(),
            polls: self.polls,
            elapsed: self.started.map(|s| s.elapsed()).unwrap_or_default(),
        }))
    }
}

/// A wait for a dedicated endpoint ended without it running (the details of
/// [`Error::endpoint_not_running`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EndpointNotRunning {
    /// The endpoint.
    pub endpoint_id: String,
    /// Why the wait ended.
    pub reason: NotRunningReason,
    /// The last status read, if any was (a deadline can pass before the first answer).
    pub last_status: Option<DedicatedEndpointStatus>,
    /// How many statuses were read.
    pub polls: u32,
    /// How long the wait lasted.
    pub elapsed: Duration,
}

impl std::error::Error for EndpointNotRunning {}

impl Error {
    /// The end of a wait for a dedicated endpoint that is not running, if this is one
    /// ([`Error::Extra`], from [`wait_until_running`](crate::namespaces::DedicatedEndpoint::wait_until_running)):
    /// the endpoint failed, is being or was terminated, or the wait's deadline passed.
    pub fn endpoint_not_running(&self) -> Option<&EndpointNotRunning> {
        self.extra()
    }
}

/// Why a wait for a dedicated endpoint ended without it running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotRunningReason {
    /// The endpoint failed (`FAILED`; the status's `error_code` says why).
    Failed,
    /// The endpoint is being or has been terminated (`TERMINATING`, `TERMINATED`).
    Terminated,
    /// The wait's deadline passed first.
    DeadlineReached,
}

impl fmt::Display for EndpointNotRunning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = &self.endpoint_id;
        match self.reason {
            NotRunningReason::Failed => write!(f, "dedicated endpoint {id} failed")?,
            NotRunningReason::Terminated => {
                write!(f, "dedicated endpoint {id} is terminated or terminating")?
            }
            NotRunningReason::DeadlineReached => write!(
                f,
                "dedicated endpoint {id} was not running when the wait's deadline passed"
            )?,
        }
        match &self.last_status {
            Some(status) => write!(f, "; last status {}", status.summary())?,
            None => f.write_str("; no status was read")?,
        }
        write!(f, " ({} polls in {:.1?})", self.polls, self.elapsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(value: serde_json::Value) -> DedicatedEndpointStatus {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn statuses_are_classified_and_summarised() {
        let running =
            status(serde_json::json!({"status": "RUNNING", "createdAt": "2026-01-01T00:00:00Z"}));
        assert!(running.is_running() && !running.is_failed() && !running.is_terminated());
        assert_eq!(running.summary(), "RUNNING");
        let failed = status(serde_json::json!({
            "status": "FAILED", "createdAt": "2026-01-01T00:00:00Z",
            "errorCode": "WORKLOAD_INIT_DOWNLOAD_ERROR", "phase": "DOWNLOADING_MODEL",
        }));
        assert!(failed.is_failed());
        assert_eq!(
            failed.summary(),
            "FAILED (DOWNLOADING_MODEL, error WORKLOAD_INIT_DOWNLOAD_ERROR)"
        );
        for name in ["TERMINATING", "TERMINATED"] {
            let s =
                status(serde_json::json!({"status": name, "createdAt": "2026-01-01T00:00:00Z"}));
            assert!(s.is_terminated(), "{name}");
        }
        let new = status(
            serde_json::json!({"status": "WARMING_UP", "createdAt": "2026-01-01T00:00:00Z"}),
        );
        assert!(!new.is_running() && !new.is_failed() && !new.is_terminated());
        assert_eq!(new.summary(), "WARMING_UP");
    }

    #[test]
    fn the_error_names_the_last_status() {
        let error = Error::Extra(Box::new(EndpointNotRunning {
            endpoint_id: "ep-1".into(),
            reason: NotRunningReason::DeadlineReached,
            last_status: Some(status(serde_json::json!({
                "status": "INITIALIZING", "createdAt": "2026-01-01T00:00:00Z", "phase": "ENGINE_INITIALIZING",
            }))),
            polls: 3,
            elapsed: Duration::from_millis(1500),
        }));
        let text = error.to_string();
        assert!(text.contains("ep-1"), "{text}");
        assert!(
            text.contains("INITIALIZING (ENGINE_INITIALIZING)"),
            "{text}"
        );
        assert!(!error.is_retryable());
    }
}
