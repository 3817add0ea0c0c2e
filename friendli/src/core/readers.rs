//! The one set of response readers. A response kind ([`ResponseKind`]) says what a successful
//! answer is; [`Read`] reads it: the body of a unary answer inside the attempt (so that a
//! connection lost while reading it is retried), the result once the attempts are over. Error
//! answers are read by the transport with the same body reader, [`read_body`].

use std::future::Future;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::{CONTENT_TYPE, HeaderMap};

use crate::core::error::{ApiError, Error, TimeoutError, TimeoutKind, TransportPhase};
use crate::core::operation::{OperationInfo, ResponseKind};
use crate::core::response::{Empty, Json, Response, ResponseMeta};
use crate::core::telemetry::CallTrace;

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

/// The API error of an answer whose status is not a success: its status and headers, and the
/// start of its body (up to [`MAX_ERROR_BODY`]). The one reader of error answers, for the calls
/// and for the storage upload alike.
pub(crate) async fn api_error(
    mut response: reqwest::Response,
    read_timeout: Option<Duration>,
) -> Error {
    let status = response.status();
    let headers = response.headers().clone();
    match read_body(
        &mut response,
        read_timeout,
        MAX_ERROR_BODY,
        Overflow::Truncate,
    )
    .await
    {
        Ok(body) => Error::Api(Box::new(ApiError::new(status, headers, body, false))),
        Err(error) => error,
    }
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
