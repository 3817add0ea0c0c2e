//! Hooks: code of yours that runs around every attempt of every call (see [`Hook`] and the
//! [module documentation of `observe`](crate::observe#hooks) for why this shape).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap};

use crate::core::error::{BoxError, Error};
use crate::core::operation::OperationInfo;
use crate::core::ratelimit::RateLimit;

/// The future a [`Hook::before_attempt`] returns.
pub type HookFuture<'a> = Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send + 'a>>;

/// Code that runs around every attempt of every call of a client: before the request is sent,
/// with the request to change, and after the attempt ended, with what came of it. Register it
/// with [`ClientBuilder::hook`](crate::ClientBuilder::hook); it runs for the async and the
/// blocking client alike, on every attempt of every operation and of the calls made of several
/// requests (uploads, waits, the tool loop, pages).
///
/// Both methods have defaults that do nothing: implement the one you need. For a closure, see
/// [`before_attempt`] and [`after_attempt`].
///
/// - [`before_attempt`](Self::before_attempt) is async, so that it can fetch a fresh token or a
///   signature from elsewhere. It sees the request without the client's token: the request
///   carries the token only if a hook sets one ([`AttemptRequest::set_bearer_token`]); then the
///   client's is not added. An error stops the call with [`Error::Hook`] (it is not retried).
/// - [`after_attempt`](Self::after_attempt) is synchronous and should be quick (count, time,
///   log): it runs on the task that makes the call.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use friendli::observe::{AttemptOutcome, Hook};
///
/// /// Counts the attempts that failed with 429.
/// #[derive(Default)]
/// struct RateLimited(AtomicUsize);
///
/// impl Hook for RateLimited {
///     fn after_attempt(&self, attempt: &AttemptOutcome<'_>) {
///         if attempt.status().is_some_and(|s| s.as_u16() == 429) {
///             self.0.fetch_add(1, Ordering::Relaxed);
///         }
///     }
/// }
///
/// let client = friendli::Client::builder().token("flp_...").hook(RateLimited::default()).build();
/// # let _ = client;
/// ```
pub trait Hook: Send + Sync + 'static {
    /// Runs before each attempt, with the request about to be sent: set or change headers (a
    /// refreshed token, a signature of the body, a trace header). An error stops the call.
    fn before_attempt<'a>(&'a self, request: &'a mut AttemptRequest) -> HookFuture<'a> {
        let _ = request;
        Box::pin(std::future::ready(Ok(())))
    }

    /// Runs after each attempt, successful or not: its status, headers, duration and outcome.
    /// For a stream, the attempt ends when the stream starts (its headers arrived).
    fn after_attempt(&self, attempt: &AttemptOutcome<'_>) {
        let _ = attempt;
    }
}

impl<H: Hook + ?Sized> Hook for Arc<H> {
    fn before_attempt<'a>(&'a self, request: &'a mut AttemptRequest) -> HookFuture<'a> {
        (**self).before_attempt(request)
    }

    fn after_attempt(&self, attempt: &AttemptOutcome<'_>) {
        (**self).after_attempt(attempt)
    }
}

/// A [`Hook`] of a synchronous closure run before each attempt (see [`before_attempt`]).
pub struct BeforeAttempt<F>(F);

/// A [`Hook`] of a closure run after each attempt (see [`after_attempt`]).
pub struct AfterAttempt<F>(F);

/// A hook that runs `f` before each attempt, e.g. to add a header:
///
/// ```
/// use friendli::observe::before_attempt;
///
/// let client = friendli::Client::builder()
///     .token("flp_...")
///     .hook(before_attempt(|request| {
///         let attempt = request.attempt();
///         request.headers_mut().insert("x-attempt", attempt.into());
///         Ok(())
///     }))
///     .build();
/// # let _ = client;
/// ```
pub fn before_attempt<F>(f: F) -> BeforeAttempt<F>
where
    F: Fn(&mut AttemptRequest) -> Result<(), BoxError> + Send + Sync + 'static,
{
    BeforeAttempt(f)
}

/// A hook that runs `f` after each attempt, e.g. to count or time them:
///
/// ```
/// use friendli::observe::after_attempt;
///
/// let client = friendli::Client::builder()
///     .token("flp_...")
///     .hook(after_attempt(|attempt| {
///         println!("{} attempt {}: {:?} in {:?}", attempt.operation().id, attempt.attempt(),
///             attempt.status(), attempt.elapsed());
///     }))
///     .build();
/// # let _ = client;
/// ```
pub fn after_attempt<F>(f: F) -> AfterAttempt<F>
where
    F: Fn(&AttemptOutcome<'_>) + Send + Sync + 'static,
{
    AfterAttempt(f)
}

impl<F> Hook for BeforeAttempt<F>
where
    F: Fn(&mut AttemptRequest) -> Result<(), BoxError> + Send + Sync + 'static,
{
    fn before_attempt<'a>(&'a self, request: &'a mut AttemptRequest) -> HookFuture<'a> {
        Box::pin(std::future::ready((self.0)(request)))
    }
}

impl<F> Hook for AfterAttempt<F>
where
    F: Fn(&AttemptOutcome<'_>) + Send + Sync + 'static,
{
    fn after_attempt(&self, attempt: &AttemptOutcome<'_>) {
        (self.0)(attempt)
    }
}

impl<F> fmt::Debug for BeforeAttempt<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BeforeAttempt")
    }
}

impl<F> fmt::Debug for AfterAttempt<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AfterAttempt")
    }
}

/// The request of one attempt, as a [`Hook::before_attempt`] sees it: method, URL, headers and
/// body, without the client's token.
pub struct AttemptRequest {
    request: reqwest::Request,
    operation: &'static OperationInfo,
    attempt: usize,
}

impl AttemptRequest {
    pub(crate) fn new(
        request: reqwest::Request,
        operation: &'static OperationInfo,
        attempt: usize,
    ) -> Self {
        AttemptRequest {
            request,
            operation,
            attempt,
        }
    }

    pub(crate) fn into_request(self) -> reqwest::Request {
        self.request
    }

    /// The operation called.
    pub fn operation(&self) -> &'static OperationInfo {
        self.operation
    }

    /// The number of the attempt (1 for the first).
    pub fn attempt(&self) -> usize {
        self.attempt
    }

    /// The HTTP method.
    pub fn method(&self) -> &reqwest::Method {
        self.request.method()
    }

    /// The URL, with the path and query parameters.
    pub fn url(&self) -> &reqwest::Url {
        self.request.url()
    }

    /// The headers: the client's and the call's (`user-agent`, `accept`, `content-type`, the
    /// team, the per-call headers), without the client's token.
    pub fn headers(&self) -> &HeaderMap {
        self.request.headers()
    }

    /// The headers, to change. A header set here is sent; an `authorization` header set here is
    /// sent instead of the client's token.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        self.request.headers_mut()
    }

    /// The body, for a JSON body (to sign it, say); `None` for a request without a body and for
    /// a multipart body, which is streamed from its parts.
    pub fn body(&self) -> Option<&[u8]> {
        self.request.body().and_then(reqwest::Body::as_bytes)
    }

    /// Sends `token` as `Authorization: Bearer <token>` on this attempt, instead of the client's
    /// token (a token that starts with `Bearer ` is sent as it is). The value is marked
    /// sensitive. Fails with [`Error::InvalidRequest`] if the token cannot be a header value
    /// (the error does not repeat it).
    pub fn set_bearer_token(&mut self, token: &str) -> Result<(), Error> {
        let value = crate::core::headers::auth_header(token, "token").map_err(|_| {
            Error::invalid_request(
                "a hook set a token that cannot be sent in a header (the token is not shown)",
            )
        })?;
        self.request.headers_mut().insert(AUTHORIZATION, value);
        Ok(())
    }
}

impl fmt::Debug for AttemptRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Sensitive header values print as `Sensitive`; the body may hold a prompt: its length
        // only.
        f.debug_struct("AttemptRequest")
            .field("operation", &self.operation.id)
            .field("attempt", &self.attempt)
            .field("method", self.method())
            .field(
                "url",
                &crate::core::headers::redact_url(self.url().as_str()),
            )
            .field(
                "headers",
                &crate::core::headers::RedactedHeaders(self.headers()),
            )
            .field("body_len", &self.body().map(<[u8]>::len))
            .finish()
    }
}

/// What came of one attempt, as a [`Hook::after_attempt`] sees it.
#[derive(Debug)]
pub struct AttemptOutcome<'a> {
    pub(crate) operation: &'static OperationInfo,
    pub(crate) attempt: usize,
    pub(crate) status: Option<StatusCode>,
    pub(crate) headers: Option<&'a HeaderMap>,
    pub(crate) elapsed: Duration,
    pub(crate) error: Option<&'a Error>,
}

impl<'a> AttemptOutcome<'a> {
    /// The operation called.
    pub fn operation(&self) -> &'static OperationInfo {
        self.operation
    }

    /// The number of the attempt (1 for the first).
    pub fn attempt(&self) -> usize {
        self.attempt
    }

    /// The HTTP status of the response, when one arrived (also for an error answer).
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// The response headers, when a response arrived.
    pub fn headers(&self) -> Option<&'a HeaderMap> {
        self.headers
    }

    /// The request id the server assigned, if a response arrived with one.
    pub fn request_id(&self) -> Option<&'a str> {
        self.headers.and_then(crate::core::error::request_id_str)
    }

    /// The rate limits the response announced, if any (the API may send none).
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.headers.and_then(RateLimit::from_headers)
    }

    /// The time from sending the request to the end of the attempt: the whole answer read for
    /// a JSON answer, its headers for a stream, the failure otherwise.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// Why the attempt failed; `None` when it succeeded. Whether the call then retries is the
    /// retry policy's decision, made after the hooks ran.
    pub fn error(&self) -> Option<&'a Error> {
        self.error
    }

    /// Whether the attempt succeeded.
    pub fn is_success(&self) -> bool {
        self.error.is_none()
    }
}

/// The hooks of a client, run in the order they were added.
#[derive(Clone, Default)]
pub(crate) struct Hooks(Vec<Arc<dyn Hook>>);

impl Hooks {
    pub(crate) fn push(&mut self, hook: Arc<dyn Hook>) {
        self.0.push(hook);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Runs every `before_attempt`, in order; the first error stops.
    pub(crate) async fn before(&self, request: &mut AttemptRequest) -> Result<(), Error> {
        for hook in &self.0 {
            hook.before_attempt(request).await.map_err(Error::Hook)?;
        }
        Ok(())
    }

    /// Runs every `after_attempt`, in order.
    pub(crate) fn after(&self, outcome: &AttemptOutcome<'_>) {
        for hook in &self.0 {
            hook.after_attempt(outcome);
        }
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} hook(s)", self.0.len())
    }
}
