//! Sending one call: building the HTTP request, attempts and retries, timeouts, and turning
//! error responses into [`Error::Api`]. It knows operations only through
//! [`OperationInfo`](crate::core::operation::OperationInfo): nothing here is specific to one of them.

use std::future::Future;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue,
};
use reqwest::{RequestBuilder, StatusCode};
use tokio::time::Instant;
use tracing::Instrument;

use crate::core::client::{ClientInner, TEAM_HEADER, header_pair, parse_base_url};
use crate::core::error::{
    ApiError, AttemptFailure, Error, RetriesExhausted, TimeoutError, TimeoutKind, TransportPhase,
};
use crate::core::operation::{Encoded, Family, OperationInfo, Query, ResponseKind};
use crate::core::response::Response;
use crate::core::retry::{Backoff, Decision, Failure, RetryConfig, server_hint};

/// Error bodies longer than this are cut (the rest is not read).
const MAX_ERROR_BODY: usize = 1024 * 1024;

/// Options a single call may override.
#[derive(Clone, Default)]
#[doc(hidden)]
pub struct CallOptions {
    pub(crate) retry: Option<RetryConfig>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) server_url: Option<String>,
    pub(crate) team: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) max_response_size: Option<usize>,
    pub(crate) retry_side_effects: bool,
    /// Top-level fields set on the body after it is encoded (`body_field`), each value
    /// serialised when it was given (or the reason it could not be).
    pub(crate) body_fields: Vec<(String, std::result::Result<serde_json::Value, String>)>,
}

impl std::fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Header values may be credentials: only the names of sensitive ones are shown.
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                if crate::core::client::is_sensitive_header(name) {
                    (name.as_str(), "<redacted>")
                } else {
                    (name.as_str(), value.as_str())
                }
            })
            .collect();
        f.debug_struct("CallOptions")
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field(
                "server_url",
                &self
                    .server_url
                    .as_deref()
                    .map(crate::core::client::redact_url),
            )
            .field("team", &self.team)
            .field("headers", &headers)
            .field("max_response_size", &self.max_response_size)
            .field("retry_side_effects", &self.retry_side_effects)
            // Values may be prompt text: the names only.
            .field(
                "body_fields",
                &self
                    .body_fields
                    .iter()
                    .map(|(name, _)| name.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// A call ready to be sent: everything validated, the body encoded once for all attempts.
pub(crate) struct Prepared {
    pub(crate) info: &'static OperationInfo,
    url: reqwest::Url,
    headers: HeaderMap,
    body: Encoded,
    pub(crate) retry: RetryConfig,
    pub(crate) side_effects: bool,
    pub(crate) deadline: Option<Duration>,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) max_body: usize,
}

/// Headers a call may not set: they decide how the request is framed.
const FRAMING_HEADERS: [&str; 5] = [
    "content-length",
    "transfer-encoding",
    "host",
    "connection",
    "upgrade",
];

impl Prepared {
    pub(crate) fn new(
        client: &ClientInner,
        info: &'static OperationInfo,
        path: &str,
        query: &Query,
        accept: &'static str,
        body: Encoded,
        options: CallOptions,
    ) -> Result<Prepared, Error> {
        let base = match &options.server_url {
            Some(url) => parse_base_url(url)
                .map_err(|e| Error::invalid_request(format!("per-call server URL: {e}")))?,
            None if info.family == Family::Container => client.container_url.clone(),
            None => client.base_url.clone(),
        };
        let mut url = reqwest::Url::parse(&format!("{base}{path}"))
            .map_err(|e| Error::invalid_request(format!("cannot form the request URL: {e}")))?;
        if !query.pairs().is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in query.pairs() {
                pairs.append_pair(name, value);
            }
        }
        let mut headers = client.headers.clone();
        match &client.auth {
            Some(auth) => {
                headers.insert(AUTHORIZATION, auth.clone());
            }
            None if info.auth => {
                return Err(Error::invalid_config(format!(
                    "{} needs an API token: call ClientBuilder::token or set the {} environment variable",
                    info.id,
                    crate::core::client::ENV_TOKEN
                )));
            }
            None => {}
        }
        headers.insert(ACCEPT, HeaderValue::from_static(accept));
        match &body {
            Encoded::Json(_) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            Encoded::None | Encoded::Multipart(_) => {}
        }
        if info.team {
            let team = match &options.team {
                Some(team) => Some(HeaderValue::from_str(team).map_err(|_| {
                    Error::invalid_request(format!(
                        "the team id {team:?} is not a valid header value"
                    ))
                })?),
                None => client.team.clone(),
            };
            if let Some(team) = team {
                headers.insert(TEAM_HEADER, team);
            }
        }
        for (name, value) in &options.headers {
            if FRAMING_HEADERS.contains(&name.trim().to_ascii_lowercase().as_str()) {
                return Err(Error::invalid_request(format!(
                    "the header {name:?} decides how the request is framed and cannot be set on a call"
                )));
            }
            let (name, value) = header_pair(name, value).map_err(Error::invalid_request)?;
            headers.insert(name, value);
        }
        Ok(Prepared {
            info,
            url,
            headers,
            body,
            retry: options.retry.unwrap_or_else(|| client.retry.clone()),
            side_effects: !info.idempotent && !options.retry_side_effects,
            deadline: options.timeout.or(client.timeout),
            read_timeout: client.read_timeout,
            max_body: options
                .max_response_size
                .unwrap_or(client.max_response_size),
        })
    }

    /// The URL, for traces.
    pub(crate) fn url(&self) -> &reqwest::Url {
        &self.url
    }

    async fn request(&self, http: &reqwest::Client) -> Result<RequestBuilder, Error> {
        let builder = http
            .request(self.info.method.method(), self.url.clone())
            .headers(self.headers.clone());
        Ok(match &self.body {
            Encoded::None => builder,
            Encoded::Json(bytes) => builder.body(bytes.clone()),
            Encoded::Multipart(parts) => {
                let (content_type, length, body) = crate::core::multipart::encode(parts).await?;
                let builder = builder.header(CONTENT_TYPE, content_type).body(body);
                match length {
                    Some(length) => builder.header(CONTENT_LENGTH, length),
                    None => builder,
                }
            }
        })
    }
}

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
#[derive(Debug, Clone, Copy)]
#[doc(hidden)]
pub struct FinishContext {
    pub(crate) info: &'static OperationInfo,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) max_event_size: usize,
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
    fn finish(raw: Self::Raw, context: FinishContext) -> Result<Self::Output, Error>;
}

impl<T: serde::de::DeserializeOwned + Send + 'static> Read for crate::core::operation::Json<T> {
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

    fn finish(body: Bytes, context: FinishContext) -> Result<T, Error> {
        crate::core::json::from_slice(&body).map_err(|e| {
            Error::decode(
                format!(
                    "the response as a {} (operation {})",
                    short_type_name::<T>(),
                    context.info.id
                ),
                body,
                Some(e),
            )
        })
    }
}

impl Read for crate::core::operation::Empty {
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

    fn finish(_raw: (), _context: FinishContext) -> Result<(), Error> {
        Ok(())
    }
}

impl<E: crate::stream::SseEvent> Read for crate::core::operation::Events<E> {
    type Raw = reqwest::Response;

    async fn read(
        mut response: reqwest::Response,
        context: ReadContext,
    ) -> Result<reqwest::Response, Error> {
        match media_type(response.headers()) {
            Some(media) if media != "text/event-stream" => {
                let body = read_body(
                    &mut response,
                    context.read_timeout,
                    MAX_ERROR_BODY,
                    Overflow::Truncate,
                )
                .await?;
                Err(Error::decode(
                    format!("the response: expected text/event-stream, got `{media}`"),
                    body,
                    None,
                ))
            }
            _ => Ok(response),
        }
    }

    fn finish(
        response: reqwest::Response,
        context: FinishContext,
    ) -> Result<crate::stream::EventStream<E>, Error> {
        Ok(crate::stream::EventStream::new(
            response,
            context.read_timeout,
            context.max_event_size,
            context.info.stream_end,
        ))
    }
}

/// The last segment of a type's name, for messages.
fn short_type_name<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

/// Sends a prepared call and reads its result.
pub(crate) async fn execute<R: Read>(
    client: &ClientInner,
    prepared: Prepared,
) -> Result<Response<R::Output>, Error> {
    let context = ReadContext {
        read_timeout: prepared.read_timeout,
        max_body: prepared.max_body,
    };
    let success = send(client, &prepared, |response| R::read(response, context)).await?;
    let value = R::finish(
        success.value,
        FinishContext {
            info: prepared.info,
            read_timeout: prepared.read_timeout,
            max_event_size: client.max_event_size,
        },
    )?;
    Ok(Response::new(
        value,
        success.status,
        success.headers,
        success.attempts,
    ))
}

/// What a successful attempt produced, the response metadata, and the failed attempts before it.
pub(crate) struct Success<T> {
    pub(crate) value: T,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) attempts: Vec<AttemptFailure>,
}

/// Sends a prepared call with retries. `read` turns a success response into the result; an
/// error it returns counts as a failed attempt (so a reset while reading a unary body is retried
/// when the policy allows), unless the error is one the policy never retries.
pub(crate) async fn send<T, F, Fut>(
    client: &ClientInner,
    prepared: &Prepared,
    mut read: F,
) -> Result<Success<T>, Error>
where
    F: FnMut(reqwest::Response) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let span =
        tracing::debug_span!("friendli.call", operation = prepared.info.id, url = %prepared.url());
    let attempts = async {
        let started = Instant::now();
        let mut backoff = Backoff::new(&prepared.retry);
        let mut failures: Vec<AttemptFailure> = Vec::new();
        loop {
            let attempt = failures.len() + 1;
            let outcome = attempt_once(client, prepared, &mut read).await;
            let error = match outcome {
                Ok(mut success) => {
                    tracing::debug!(attempt, status = success.status.as_u16(), request_id = ?crate::core::error::request_id(&success.headers), "attempt succeeded");
                    success.attempts = failures;
                    return Ok(success);
                }
                Err(error) => error,
            };
            let failure = classify(&error);
            failures.push(AttemptFailure::of(&error));
            let hint = hint_of(&error);
            let elapsed = started.elapsed();
            let deadline_left = prepared.deadline.map(|d| d.saturating_sub(elapsed));
            let decision = backoff.decide(
                failure,
                prepared.side_effects,
                hint,
                elapsed,
                deadline_left,
                fastrand::f64(),
            );
            match decision {
                Decision::RetryAfter(delay) => {
                    tracing::info!(
                        operation = prepared.info.id,
                        attempt,
                        status = error.status().map(|s| s.as_u16()),
                        request_id = error.request_id(),
                        delay_ms = delay.as_millis() as u64,
                        error = %error,
                        "attempt failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                Decision::GiveUp(reason) => {
                    tracing::debug!(attempt, error = %error, ?reason, "attempt failed; giving up");
                    return Err(give_up(failures, started, reason, error));
                }
            }
        }
    };
    match prepared.deadline {
        Some(deadline) => match tokio::time::timeout(deadline, attempts)
            .instrument(span)
            .await
        {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout(TimeoutError {
                kind: TimeoutKind::Deadline,
                after: deadline,
            })),
        },
        None => attempts.instrument(span).await,
    }
}

/// The error of attempts the retry policy gave up on, `last` the last attempt's error. One
/// attempt that was not to be retried is its own error; one that would have been retried but for
/// time (a hint beyond the budget, the deadline) says why it was not, as do several attempts.
pub(crate) fn give_up(
    failures: Vec<AttemptFailure>,
    started: Instant,
    reason: crate::core::error::GiveUpReason,
    last: Error,
) -> Error {
    let why_not = !matches!(
        reason,
        crate::core::error::GiveUpReason::NotRetryable
            | crate::core::error::GiveUpReason::MaxAttemptsReached
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

async fn attempt_once<T, F, Fut>(
    client: &ClientInner,
    prepared: &Prepared,
    read: &mut F,
) -> Result<Success<T>, Error>
where
    F: FnMut(reqwest::Response) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let request = prepared.request(&client.http).await?;
    let mut response = within(prepared.read_timeout, request.send())
        .await?
        .map_err(|e| Error::transport(TransportPhase::Send, e))?;
    let status = response.status();
    let headers = response.headers().clone();
    if status.is_redirection() {
        // Redirects are not followed (the API does not redirect): name where it pointed.
        let location = headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(crate::core::client::redact_url)
            .unwrap_or_else(|| "nowhere".to_owned());
        let _ = read_body(
            &mut response,
            prepared.read_timeout,
            MAX_ERROR_BODY,
            Overflow::Truncate,
        )
        .await;
        return Err(Error::Api(Box::new(ApiError::redirect(
            status, headers, location,
        ))));
    }
    if !status.is_success() {
        let body = read_body(
            &mut response,
            prepared.read_timeout,
            MAX_ERROR_BODY,
            Overflow::Truncate,
        )
        .await?;
        return Err(Error::Api(Box::new(ApiError::new(
            status, headers, body, false,
        ))));
    }
    let value = read(response).await?;
    Ok(Success {
        value,
        status,
        headers,
        attempts: Vec::new(),
    })
}

fn classify(error: &Error) -> Failure {
    match error {
        Error::Api(e) if e.in_stream || e.status.is_redirection() => Failure::Other,
        Error::Api(e) => Failure::Status(e.status.as_u16()),
        Error::Transport(t) if t.is_connect() => Failure::Connect,
        Error::Transport(_) => Failure::Connection,
        Error::Timeout(t) if t.kind == TimeoutKind::Read => Failure::Connection,
        _ => Failure::Other,
    }
}

fn hint_of(error: &Error) -> Option<Duration> {
    let Error::Api(api) = error else { return None };
    let header = |name: &str| api.headers.get(name).and_then(|v| v.to_str().ok());
    server_hint(
        header("retry-after-ms"),
        header("retry-after"),
        SystemTime::now(),
    )
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
