//! The one error type of the crate, [`Error`], and the details its variants carry.
//!
//! # Why an enum, and why so few variants
//!
//! reqwest keeps its error opaque and answers questions with predicates (`is_timeout()`,
//! `status()`), so that it can change what is inside without breaking anyone. This crate keeps a
//! `#[non_exhaustive]` enum instead, because its callers do branch on the kind of failure (an
//! API answer to show or retry, a timeout, a stream cut short, a request refused before it was
//! sent), and a `match` says that best. It takes reqwest's lesson where it counts:
//!
//! - the common questions have predicates that work on every variant and look through
//!   [`Error::RetriesExhausted`] to the last attempt: [`Error::status`], [`Error::request_id`],
//!   [`Error::api_error`], [`Error::is_retryable`], [`Error::attempts`];
//! - the variants are the failures of the one road to the wire, which every operation shares.
//!   What the hand-written extras add (the local tool loop, the wait for a dedicated endpoint)
//!   travels in one variant, [`Error::Extra`], as the extra's own error type: the core does not
//!   grow a variant per extra, and does not depend on them. Each extra adds an accessor
//!   ([`Error::tool_error`], [`Error::endpoint_not_running`]); [`Error::extra`] reaches any of
//!   them by type;
//! - the details are boxed where they are large, so that an `Error` stays two words and a
//!   `Result` stays cheap to return.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::core::retry::{GiveUpReason, RetryConfig};

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in this crate.
///
/// Each variant carries a struct with the details. [`Error::status`], [`Error::request_id`] and
/// [`Error::is_retryable`] answer the common questions without matching; they look through
/// [`Error::RetriesExhausted`] to the last attempt's error.
///
/// No error ever contains the API token: request headers are never kept, and URLs never carry
/// the token.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error: a non-2xx status, or an error payload inside an event
    /// stream.
    Api(Box<ApiError>),
    /// The request could not be sent, or the response could not be read (connection refused,
    /// reset, TLS failure, …).
    Transport(TransportError),
    /// A timeout elapsed.
    Timeout(TimeoutError),
    /// A response body or an event did not decode into the expected type.
    Decode(Box<DecodeError>),
    /// The event stream ended before its `[DONE]` event.
    StreamTruncated(StreamTruncated),
    /// The event stream broke the event-stream format (invalid UTF-8, an oversized event, …).
    StreamProtocol(StreamProtocolError),
    /// The request could not be sent as given, and was not: refused before anything was sent (a
    /// builder missing a required field, a header value that is not a valid header, a path
    /// parameter that is empty, `.` or `..`, a URL too long to send, a path that is not a regular
    /// file, …), or stopped before the end of its body (a file part that changed while it was
    /// read). Never retried.
    InvalidRequest(InvalidRequest),
    /// The client configuration is invalid (no token, a bad base URL, …).
    InvalidConfig(InvalidConfig),
    /// Retries were exhausted: every attempt failed. The last attempt's error is inside.
    RetriesExhausted(Box<RetriesExhausted>),
    /// A successful response's body was larger than the limit
    /// ([`ClientBuilder::max_response_size`](crate::core::client::ClientBuilder::max_response_size), or the
    /// call's `max_response_size`); the rest was not read.
    ResponseTooLarge(ResponseTooLarge),
    /// A hand-written extra of this crate stopped with an error of its own: the local tool loop
    /// (`ToolError`, see [`Error::tool_error`]) or the wait for a dedicated endpoint to run
    /// (`EndpointNotRunning`, see [`Error::endpoint_not_running`]). [`Error::extra`] reaches
    /// it by type.
    Extra(BoxError),
    /// A [`Hook`](crate::observe::Hook) of the client refused to let an attempt go (its
    /// `before_attempt` failed with this error). Not retried.
    Hook(BoxError),
}

impl Error {
    /// The HTTP status of an API error, if this is (or ended in) one.
    pub fn status(&self) -> Option<StatusCode> {
        self.api_error().map(|e| e.status)
    }

    /// The request id the server gave the failed request, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.request_id.as_deref())
    }

    /// The rate limits the error answer announced in its headers, if this is (or ended in) an
    /// API error that announced any (the API may send none: see
    /// [`RateLimit`](crate::core::ratelimit::RateLimit)).
    pub fn rate_limit(&self) -> Option<crate::core::ratelimit::RateLimit> {
        self.api_error().and_then(ApiError::rate_limit)
    }

    /// The API error, if this is (or ended in) one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self.last() {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the default retry policy ([`RetryConfig::default`](crate::core::retry::RetryConfig)) would try
    /// this again: connection failures, read timeouts, and the statuses it retries (429, 500,
    /// 502, 503, 504). Errors inside a stream that had started are never retried.
    pub fn is_retryable(&self) -> bool {
        match self.last() {
            Error::Api(e) => {
                !e.in_stream
                    && RetryConfig::default()
                        .retried_statuses()
                        .contains(&e.status.as_u16())
            }
            Error::Transport(t) => !t.is_builder(),
            Error::Timeout(t) => t.kind != TimeoutKind::Deadline,
            _ => false,
        }
    }

    /// How many attempts the call made: those of [`Error::RetriesExhausted`], none for a request
    /// or a configuration refused before anything was sent (or stopped before the end of its
    /// body, for a file part that changed while it was sent: the server never got a request),
    /// and one otherwise.
    pub fn attempts(&self) -> usize {
        match self {
            Error::RetriesExhausted(r) => r.attempts.len(),
            Error::InvalidRequest(_) | Error::InvalidConfig(_) => 0,
            _ => 1,
        }
    }

    /// The error of an extra of this crate, of type `E` ([`Error::Extra`]), looking through
    /// [`Error::RetriesExhausted`].
    pub fn extra<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match self.last() {
            Error::Extra(e) => e.downcast_ref(),
            _ => None,
        }
    }

    /// The error of the last attempt, looking through [`Error::RetriesExhausted`].
    pub fn last(&self) -> &Error {
        match self {
            Error::RetriesExhausted(r) => r.last.last(),
            other => other,
        }
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Error::InvalidRequest(InvalidRequest {
            message: message.into(),
        })
    }

    pub(crate) fn invalid_config(message: impl Into<String>) -> Self {
        Error::InvalidConfig(InvalidConfig {
            message: message.into(),
        })
    }

    pub(crate) fn decode(
        what: impl Into<String>,
        raw: Bytes,
        source: Option<serde_json::Error>,
    ) -> Self {
        let len = raw.len();
        let raw = if len > MAX_RAW {
            raw.slice(..MAX_RAW)
        } else {
            raw
        };
        Error::Decode(Box::new(DecodeError {
            what: what.into(),
            raw,
            raw_len: len,
            source,
        }))
    }

    pub(crate) fn too_large(limit: usize, announced: Option<u64>) -> Self {
        Error::ResponseTooLarge(ResponseTooLarge { limit, announced })
    }

    pub(crate) fn transport(during: TransportPhase, source: impl Into<BoxError>) -> Self {
        Error::Transport(TransportError {
            during,
            source: source.into(),
        })
    }

    pub(crate) fn protocol(message: impl Into<String>) -> Self {
        Error::StreamProtocol(StreamProtocolError {
            message: message.into(),
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => e.fmt(f),
            Error::Transport(e) => e.fmt(f),
            Error::Timeout(e) => e.fmt(f),
            Error::Decode(e) => e.fmt(f),
            Error::StreamTruncated(e) => e.fmt(f),
            Error::StreamProtocol(e) => e.fmt(f),
            Error::InvalidRequest(e) => e.fmt(f),
            Error::InvalidConfig(e) => e.fmt(f),
            Error::RetriesExhausted(e) => e.fmt(f),
            Error::Extra(e) => e.fmt(f),
            Error::Hook(e) => write!(f, "a hook stopped the request: {e}"),
            Error::ResponseTooLarge(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(e.source.as_ref()),
            Error::Decode(e) => e.source.as_ref().map(|s| s as _),
            Error::RetriesExhausted(e) => Some(&e.last),
            Error::Extra(e) => e.source(),
            Error::Hook(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

/// An error answer of the server.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status. For an error reported inside an event stream, the status of the stream's
    /// response (a success status).
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The request id the server assigned (`x-request-id`), if any.
    pub request_id: Option<String>,
    /// The body as it arrived.
    pub raw_body: Bytes,
    /// The body parsed as JSON, when it is JSON.
    pub body: Option<serde_json::Value>,
    /// True when the error arrived as an event inside a stream that had started.
    pub in_stream: bool,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        headers: HeaderMap,
        raw_body: Bytes,
        in_stream: bool,
    ) -> Self {
        let body = serde_json::from_slice(&raw_body).ok();
        ApiError {
            status,
            request_id: request_id(&headers),
            headers,
            raw_body,
            body,
            in_stream,
        }
    }

    /// The error message of the body, from the shapes the API uses: `{"message": …}`,
    /// `{"error": {"message": …}}`, `{"detail": "…"}` or `{"detail": [{"msg": …}]}`.
    pub fn message(&self) -> Option<&str> {
        let body = self.body.as_ref()?;
        body.get("message")
            .and_then(|m| m.as_str())
            .or_else(|| body.pointer("/error/message").and_then(|m| m.as_str()))
            .or_else(|| body.get("error").and_then(|m| m.as_str()))
            .or_else(|| body.get("detail").and_then(|m| m.as_str()))
            .or_else(|| body.pointer("/detail/0/msg").and_then(|m| m.as_str()))
    }

    /// The rate limits the answer announced in its headers, if any (the API may send none: see
    /// [`RateLimit`](crate::core::ratelimit::RateLimit)).
    pub fn rate_limit(&self) -> Option<crate::core::ratelimit::RateLimit> {
        crate::core::ratelimit::RateLimit::from_headers(&self.headers)
    }

    /// The body decoded as `T` (e.g. `types::HttpValidationError` for a 422 of the platform
    /// operations, or `types::MessagesErrorResponse` for the messages operations), when it has
    /// that shape.
    pub fn body_as<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_slice(&self.raw_body).ok()
    }

    pub(crate) fn redirect(status: StatusCode, headers: HeaderMap, location: String) -> Self {
        let message = format!(
            "the server redirected the request to {location}; the Friendli API does not redirect, so the redirect was not followed (check the base URL)"
        );
        let body = serde_json::json!({ "message": message });
        ApiError {
            status,
            request_id: request_id(&headers),
            headers,
            raw_body: Bytes::from(body.to_string()),
            body: Some(body),
            in_stream: false,
        }
    }
}

/// The longest part of a body that `Display` shows.
const SHOWN_BODY: usize = 512;

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.in_stream {
            write!(f, "the server reported an error in the event stream")?;
        } else {
            write!(f, "the server answered {}", self.status)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        match self.message() {
            Some(message) => write!(f, ": {message}"),
            None if self.raw_body.is_empty() => Ok(()),
            None => {
                let text = String::from_utf8_lossy(&self.raw_body);
                let shown: String = text.chars().take(SHOWN_BODY).collect();
                let more = if shown.len() < text.len() { "…" } else { "" };
                write!(f, ": {}{more}", shown.trim())
            }
        }
    }
}

/// The request id header of a response.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    request_id_str(headers).map(str::to_owned)
}

/// The request id header of a response, borrowed.
pub(crate) fn request_id_str(headers: &HeaderMap) -> Option<&str> {
    ["x-request-id", "x-friendli-request-id", "request-id"]
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok())
}

/// When a transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportPhase {
    /// While connecting or sending the request, before any response.
    Send,
    /// While reading the response body.
    ReadBody,
    /// While reading an event stream, after events may have been delivered.
    ReadStream,
}

/// A connection-level failure.
#[derive(Debug)]
#[non_exhaustive]
pub struct TransportError {
    /// When it happened.
    pub during: TransportPhase,
    /// The underlying error: a `reqwest::Error` for HTTP calls, or the error of the byte stream
    /// given to [`crate::stream::EventStream::from_byte_stream`].
    pub source: BoxError,
}

/// A boxed error of any type.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

impl TransportError {
    /// Whether the connection could not be established at all.
    pub fn is_connect(&self) -> bool {
        self.source
            .downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_connect)
    }

    /// Whether the request could not be built (a URL the HTTP stack refuses): no attempt can
    /// succeed.
    pub(crate) fn is_builder(&self) -> bool {
        self.source
            .downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_builder)
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.during {
            TransportPhase::Send if self.is_connect() => "could not connect to the server",
            TransportPhase::Send => "could not send the request",
            TransportPhase::ReadBody => "the connection failed while reading the response",
            TransportPhase::ReadStream => "the connection failed in the middle of the event stream",
        };
        write!(f, "{what}: {}", error_chain(self.source.as_ref()))
    }
}

/// `error: cause: cause` on one line.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Which timeout elapsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// No byte arrived for the read timeout (while waiting for the response or between chunks).
    Read,
    /// The per-call deadline of a unary call passed (across all attempts).
    Deadline,
}

/// A timeout.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TimeoutError {
    /// Which timeout.
    pub kind: TimeoutKind,
    /// Its length.
    pub after: Duration,
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TimeoutKind::Read => write!(
                f,
                "no data arrived from the server for {:?} (the read timeout)",
                self.after
            ),
            TimeoutKind::Deadline => write!(
                f,
                "the call did not finish within its deadline of {:?}",
                self.after
            ),
        }
    }
}

/// The most bytes of an undecodable body that a [`DecodeError`] keeps.
pub const MAX_RAW: usize = 64 * 1024;

/// A body or event that did not decode.
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// What was being decoded, and what was expected.
    pub what: String,
    /// The bytes that failed to decode (at most the first [`MAX_RAW`] of them).
    pub raw: Bytes,
    /// How long the undecodable body or event was.
    pub raw_len: usize,
    /// The JSON error, when the bytes were not the expected JSON.
    pub source: Option<serde_json::Error>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not decode {}", self.what)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        let text = String::from_utf8_lossy(&self.raw);
        let shown: String = text.chars().take(200).collect();
        let more = if shown.len() < text.len() { "…" } else { "" };
        write!(f, " (got {} bytes: {shown:?}{more})", self.raw_len)
    }
}

/// A response body larger than the limit.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResponseTooLarge {
    /// The limit, in bytes.
    pub limit: usize,
    /// The length the response announced (`Content-Length`), if it did.
    pub announced: Option<u64>,
}

impl fmt::Display for ResponseTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.announced {
            Some(length) => write!(
                f,
                "the response body ({length} bytes) is larger than the limit of {} bytes",
                self.limit
            )?,
            None => write!(
                f,
                "the response body is larger than the limit of {} bytes",
                self.limit
            )?,
        }
        f.write_str(
            " (raise it with ClientBuilder::max_response_size or the call's max_response_size)",
        )
    }
}

/// The stream ended before its end (its `[DONE]` sentinel, or its last event).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StreamTruncated {
    /// How many events were delivered before the end.
    pub events_delivered: u64,
    /// Bytes of an unfinished event at the end, if any.
    pub partial: Bytes,
}

impl fmt::Display for StreamTruncated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the event stream ended before its end marker after {} events",
            self.events_delivered
        )?;
        if !self.partial.is_empty() {
            write!(
                f,
                " and {} bytes of an unfinished event",
                self.partial.len()
            )?;
        }
        Ok(())
    }
}

/// The stream broke the event-stream format.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StreamProtocolError {
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for StreamProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid event stream: {}", self.message)
    }
}

/// A request that could not be sent as given.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InvalidRequest {
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for InvalidRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid request: {}", self.message)
    }
}

/// A client configuration that cannot work.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InvalidConfig {
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for InvalidConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid client configuration: {}", self.message)
    }
}

/// Why one attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptFailure {
    /// The server answered with this status.
    Status(StatusCode),
    /// The connection could not be established.
    Connect,
    /// The connection failed while sending or reading.
    Connection,
    /// The read timeout elapsed.
    Timeout,
    /// Another failure (a response that did not decode, …).
    Other,
}

impl fmt::Display for AttemptFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttemptFailure::Status(s) => write!(f, "{}", s.as_u16()),
            AttemptFailure::Connect => f.write_str("connect error"),
            AttemptFailure::Connection => f.write_str("connection error"),
            AttemptFailure::Timeout => f.write_str("read timeout"),
            AttemptFailure::Other => f.write_str("other error"),
        }
    }
}

impl AttemptFailure {
    pub(crate) fn of(error: &Error) -> Self {
        match error {
            Error::Api(e) => AttemptFailure::Status(e.status),
            Error::Transport(t) if t.is_connect() => AttemptFailure::Connect,
            Error::Transport(_) => AttemptFailure::Connection,
            Error::Timeout(_) => AttemptFailure::Timeout,
            _ => AttemptFailure::Other,
        }
    }
}

/// Every attempt of a call failed.
#[derive(Debug)]
#[non_exhaustive]
pub struct RetriesExhausted {
    /// Why each attempt failed, in order.
    pub attempts: Vec<AttemptFailure>,
    /// Time from the first attempt to giving up.
    pub elapsed: Duration,
    /// Why no further attempt was made.
    pub reason: GiveUpReason,
    /// The last attempt's error.
    pub last: Error,
}

impl fmt::Display for RetriesExhausted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.reason {
            GiveUpReason::ElapsedTimeExhausted => "the retry time budget was used up",
            GiveUpReason::RetryAfterBeyondBudget => {
                "the server asked to wait longer than the retry budget allows"
            }
            GiveUpReason::NotRetryable => "the last failure is not retried",
            GiveUpReason::MaxAttemptsReached => "the maximum number of attempts was reached",
            GiveUpReason::DeadlineReached => "the call's deadline left no time for another attempt",
        };
        let list: Vec<String> = self.attempts.iter().map(ToString::to_string).collect();
        write!(
            f,
            "gave up after {} attempts in {:.1?} ({}; {why}); last error: {}",
            self.attempts.len(),
            self.elapsed,
            list.join(", "),
            self.last
        )
    }
}
