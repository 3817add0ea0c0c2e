//! What comes back: a successful result with its HTTP metadata ([`Response`]), and the one set
//! of response readers. A response kind ([`ResponseKind`]) says what a successful answer is;
//! [`Read`] reads it: the body of a unary answer inside the attempt (so that a connection lost
//! while reading it is retried), the result once the attempts are over. Error answers are read
//! by the transport with the same body reader, [`read_body`].

use std::ops::{Deref, DerefMut};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};

use std::future::Future;
use std::time::Duration;

use bytes::{Bytes, BytesMut};

use crate::core::error::{AttemptFailure, Error, TimeoutError, TimeoutKind, TransportPhase};
use crate::core::operation::{Empty, Json, OperationInfo, ResponseKind};
use crate::core::ratelimit::RateLimit;
use crate::core::telemetry::CallTrace;

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

/// Error bodies longer than this are cut (the rest is not read).
pub(crate) const MAX_ERROR_BODY: usize = 1024 * 1024;

/// Waits for `future`, failing with a read timeout if it takes longer than `limit`.
pub(crate) async fn within<T>(
    limit: Option<Duration>,
    future: impl Future<Output = T>,
) -> Result<T, Error> {
    match limit {
        Some(limit) => tokio::time::timeout(limit, future).await.map_err(|_| {
            Error::Timeout(TimeoutError {
                kind: TimeoutKind::Read,
                after: limit,
            })
        }),
        None => Ok(future.await),
    }
}

/// What a body read stops at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Overflow {
    /// Keep what was read up to the limit (error bodies: a cut body is still useful).
    Truncate,
    /// Fail with [`Error::ResponseTooLarge`].
    Fail,
}

/// Reads a whole body, with the read timeout between chunks.
pub(crate) async fn read_body(
    response: &mut reqwest::Response,
    read_timeout: Option<Duration>,
    limit: usize,
    overflow: Overflow,
) -> Result<Bytes, Error> {
    if overflow == Overflow::Fail
        && let Some(length) = response.content_length()
        && length > limit as u64
    {
        return Err(Error::too_large(limit, Some(length)));
    }
    let mut first: Option<Bytes> = None;
    let mut rest = BytesMut::new();
    loop {
        let chunk = within(read_timeout, response.chunk())
            .await?
            .map_err(|e| Error::transport(TransportPhase::ReadBody, e))?;
        let Some(chunk) = chunk else { break };
        // One chunk (the usual case for small bodies) is kept without copying.
        match &first {
            None if rest.is_empty() => first = Some(chunk),
            _ => {
                if let Some(f) = first.take() {
                    rest.extend_from_slice(&f);
                }
                rest.extend_from_slice(&chunk);
            }
        }
        let len = first.as_ref().map_or(rest.len(), Bytes::len);
        if len > limit {
            match overflow {
                Overflow::Truncate => break,
                Overflow::Fail => return Err(Error::too_large(limit, None)),
            }
        }
    }
    let body = first.unwrap_or_else(|| rest.freeze());
    Ok(if body.len() > limit {
        body.slice(..limit)
    } else {
        body
    })
}

/// What a response kind needs to read a successful response.
#[derive(Debug, Clone, Copy)]
#[doc(hidden)]
pub struct ReadContext {
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) max_body: usize,
}

/// What a response kind needs to finish its result after the attempts.
#[doc(hidden)]
pub struct FinishContext {
    pub(crate) info: &'static OperationInfo,
    pub(crate) read_timeout: Option<Duration>,
    /// The client's limit of one event (`None`: the decoder's default).
    pub(crate) max_event_size: Option<usize>,
    /// The call's span: a JSON answer records its facts there, a stream carries it to its end.
    pub(crate) trace: CallTrace,
}

/// How a response kind reads a successful response: `read` runs inside the attempt (a failure
/// counts as a failed attempt, so a reset while reading a unary body is retried), `finish` once
/// the attempts are over.
pub trait Read: ResponseKind {
    #[doc(hidden)]
    type Raw: Send;

    #[doc(hidden)]
    fn read(
        response: reqwest::Response,
        context: ReadContext,
    ) -> impl Future<Output = Result<Self::Raw, Error>> + Send;

    #[doc(hidden)]
    fn finish(
        raw: Self::Raw,
        meta: ResponseMeta,
        context: FinishContext,
    ) -> Result<Self::Output, Error>;
}

impl<T: serde::de::DeserializeOwned + Send + 'static> Read for Json<T> {
    type Raw = Bytes;

    async fn read(mut response: reqwest::Response, context: ReadContext) -> Result<Bytes, Error> {
        let media = media_type(response.headers());
        let body = read_body(
            &mut response,
            context.read_timeout,
            context.max_body,
            Overflow::Fail,
        )
        .await?;
        match media {
            Some(media) if !is_json(&media) => Err(Error::decode(
                format!("the response: expected application/json, got `{media}`"),
                body,
                None,
            )),
            _ => Ok(body),
        }
    }

    fn finish(
        body: Bytes,
        meta: ResponseMeta,
        context: FinishContext,
    ) -> Result<Response<T>, Error> {
        match decode_json(&body, context.info) {
            Ok(value) => {
                context.trace.record_json(&body);
                Ok(Response::new(value, meta))
            }
            Err(error) => {
                context.trace.record_error(&error);
                Err(error)
            }
        }
    }
}

/// Decodes a JSON answer, naming the operation and the type when it does not decode.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    body: &Bytes,
    info: &'static OperationInfo,
) -> Result<T, Error> {
    {
        crate::core::json::from_slice(body).map_err(|e| {
            Error::decode(
                format!(
                    "the response as a {} (operation {})",
                    short_type_name::<T>(),
                    info.id
                ),
                body.clone(),
                Some(e),
            )
        })
    }
}

impl Read for Empty {
    type Raw = ();

    async fn read(mut response: reqwest::Response, context: ReadContext) -> Result<(), Error> {
        read_body(
            &mut response,
            context.read_timeout,
            context.max_body,
            Overflow::Fail,
        )
        .await?;
        Ok(())
    }

    fn finish(
        _raw: (),
        meta: ResponseMeta,
        _context: FinishContext,
    ) -> Result<Response<()>, Error> {
        Ok(Response::new((), meta))
    }
}

/// The error for a success answer of another media type than the call expected: a decode error
/// with the start of its body (read up to [`MAX_ERROR_BODY`]).
pub(crate) async fn unexpected_media(
    mut response: reqwest::Response,
    context: ReadContext,
    expected: &str,
    got: Option<&str>,
) -> Error {
    let got = got.unwrap_or("no content type");
    match read_body(
        &mut response,
        context.read_timeout,
        MAX_ERROR_BODY,
        Overflow::Truncate,
    )
    .await
    {
        Ok(body) => Error::decode(
            format!("the response: expected {expected}, got `{got}`"),
            body,
            None,
        ),
        Err(error) => error,
    }
}

/// The last segment of a type's name, for messages.
fn short_type_name<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

/// The media type of a response, without parameters, lower-cased.
pub(crate) fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase(),
    )
}

pub(crate) fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.ends_with("+json")
}
