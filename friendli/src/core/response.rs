//! What comes back: a successful result with its HTTP metadata ([`Response`], [`ResponseMeta`]),
//! and the response kinds of the operations that answer JSON ([`Json`]) or nothing ([`Empty`]).
//! The kinds of event streams are in [`crate::stream`]; how each kind is read is the business of
//! the response readers.

use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::core::error::AttemptFailure;
use crate::core::operation::ResponseKind;
use crate::core::ratelimit::RateLimit;

/// What a successful call reports besides its result: the status and headers of the response,
/// the request id, every failed attempt before it, and how long it took.
///
/// Every result of a call carries one: a JSON answer is a [`Response<T>`] ([`Response::meta`]),
/// a stream an [`EventStream`](crate::stream::EventStream) ([`EventStream::meta`](crate::stream::EventStream::meta)),
/// and the calls made of several requests report the last one's (see [`crate::observe`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseMeta {
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    failed_attempts: Vec<AttemptFailure>,
    elapsed: Duration,
}

impl ResponseMeta {
    pub(crate) fn new(
        operation: &'static str,
        status: StatusCode,
        headers: HeaderMap,
        failed_attempts: Vec<AttemptFailure>,
        elapsed: Duration,
    ) -> Self {
        ResponseMeta {
            operation,
            status,
            headers,
            failed_attempts,
            elapsed,
        }
    }

    /// The metadata of a stream that did not come from a call (status 200, no headers).
    pub(crate) fn detached() -> Self {
        ResponseMeta::new(
            "",
            StatusCode::OK,
            HeaderMap::new(),
            Vec::new(),
            Duration::ZERO,
        )
    }

    /// The operation called (its `operationId`, e.g. `serverlessChatComplete`); empty for a
    /// stream made with [`EventStream::from_byte_stream`](crate::stream::EventStream::from_byte_stream).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request id the server assigned (`x-request-id`), if any.
    pub fn request_id(&self) -> Option<&str> {
        crate::core::error::request_id_str(&self.headers)
    }

    /// How many attempts the call took (1 when the first one succeeded).
    pub fn attempts(&self) -> usize {
        self.failed_attempts.len() + 1
    }

    /// Why each earlier attempt failed, in order (empty when the first attempt succeeded).
    pub fn failed_attempts(&self) -> &[AttemptFailure] {
        &self.failed_attempts
    }

    /// The time from the start of the first attempt to the response: for a JSON answer, until
    /// its whole body was read; for a stream, until its headers arrived.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The rate limits the response announced in its headers, if it announced any. The API may
    /// not send rate-limit headers at all (see [`RateLimit`]).
    pub fn rate_limit(&self) -> Option<RateLimit> {
        RateLimit::from_headers(&self.headers)
    }
}

/// A successful result with the metadata of the response that carried it: what awaiting (or,
/// on the blocking client, sending) a call of a JSON operation gives.
///
/// Dereferences to the result, so its fields and methods are used as they are
/// (`answer.choices`); [`into_inner`](Self::into_inner) takes the result out. The metadata:
/// [`meta`](Self::meta), or its shortcuts [`status`](Self::status),
/// [`request_id`](Self::request_id), [`attempts`](Self::attempts), …
///
/// ```no_run
/// # async fn example(client: friendli::Client, request: friendli::types::ServerlessChatCompletionBody) -> friendli::Result<()> {
/// let answer = client.serverless().chat().complete(request).await?;
/// println!("{:?} after {} attempt(s), request id {:?}", answer.choices[0].message.content,
///     answer.attempts(), answer.request_id());
/// let result: friendli::types::ChatResult = answer.into_inner();
/// # let _ = result; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Response<T> {
    value: T,
    meta: ResponseMeta,
}

impl<T> Response<T> {
    pub(crate) fn new(value: T, meta: ResponseMeta) -> Self {
        Response { value, meta }
    }

    /// The metadata: status, headers, request id, attempts, elapsed time, rate limits.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// How many attempts the call took (1 when the first one succeeded).
    pub fn attempts(&self) -> usize {
        self.meta.attempts()
    }

    /// Why each earlier attempt failed, in order (empty when the first attempt succeeded).
    pub fn failed_attempts(&self) -> &[AttemptFailure] {
        self.meta.failed_attempts()
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.meta.status
    }

    /// The response headers (rate-limit headers, for instance).
    pub fn headers(&self) -> &HeaderMap {
        &self.meta.headers
    }

    /// The request id the server assigned (`x-request-id`), if any.
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id()
    }

    /// The time from the start of the first attempt until the answer was read.
    pub fn elapsed(&self) -> Duration {
        self.meta.elapsed
    }

    /// The rate limits the response announced, if any (the API may send none).
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.meta.rate_limit()
    }

    /// The same metadata with the result changed by `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            value: f(self.value),
            meta: self.meta,
        }
    }

    /// The result, without the metadata.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The result and the metadata, apart.
    pub fn into_parts(self) -> (T, ResponseMeta) {
        (self.value, self.meta)
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T> AsRef<T> for Response<T> {
    fn as_ref(&self) -> &T {
        &self.value
    }
}

/// Serialises the result alone, as if it were not wrapped.
impl<T: serde::Serialize> serde::Serialize for Response<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

/// Compares the results (not the metadata) with a bare value.
impl<T: PartialEq> PartialEq<T> for Response<T> {
    fn eq(&self, other: &T) -> bool {
        self.value == *other
    }
}

/// The response kind of an operation that answers JSON, decoded into `T`: awaiting its call gives
/// a [`Response<T>`].
pub struct Json<T>(PhantomData<fn() -> T>);

/// The response kind of an operation that answers without a body: awaiting its call gives a
/// `Response<()>`.
pub struct Empty;

impl<T: DeserializeOwned + Send + 'static> ResponseKind for Json<T> {
    type Output = Response<T>;
    const ACCEPT: &'static str = "application/json";
}

impl ResponseKind for Empty {
    type Output = Response<()>;
    const ACCEPT: &'static str = "application/json";
}
