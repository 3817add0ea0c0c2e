//! Sending one call: building the HTTP request, attempts and retries, timeouts, and turning
//! error responses into [`Error::Api`].

use std::future::Future;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use tokio::time::Instant;
use tracing::Instrument;

use crate::client::{ClientInner, TEAM_HEADER, header_pair, parse_base_url};
use crate::error::{
    ApiError, AttemptFailure, Error, RetriesExhausted, TimeoutError, TimeoutKind, TransportPhase,
};
use crate::retry::{Backoff, Decision, Failure, RetryConfig, server_hint};

/// Error bodies longer than this are cut (the rest is not read).
const MAX_ERROR_BODY: usize = 1024 * 1024;

/// An operation of the API.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    /// The name used in traces and errors.
    pub(crate) name: &'static str,
    pub(crate) method: Method,
    pub(crate) path: &'static str,
}

/// Options a single call may override.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallOptions {
    pub(crate) retry: Option<RetryConfig>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) server_url: Option<String>,
    pub(crate) team: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
}

/// A call ready to be sent: everything validated, the body serialised once for all attempts.
pub(crate) struct Prepared {
    pub(crate) operation: Operation,
    url: reqwest::Url,
    headers: HeaderMap,
    body: Bytes,
    pub(crate) retry: RetryConfig,
    pub(crate) deadline: Option<Duration>,
    pub(crate) read_timeout: Option<Duration>,
}

impl Prepared {
    pub(crate) fn new(
        client: &ClientInner,
        operation: Operation,
        accept: &'static str,
        body: Bytes,
        options: CallOptions,
    ) -> Result<Prepared, Error> {
        let base = match &options.server_url {
            Some(url) => parse_base_url(url)
                .map_err(|e| Error::invalid_request(format!("per-call server URL: {e}")))?,
            None => client.base_url.clone(),
        };
        let url = reqwest::Url::parse(&format!("{base}{}", operation.path))
            .map_err(|e| Error::invalid_request(format!("cannot form the request URL: {e}")))?;
        let mut headers = client.headers.clone();
        headers.insert(AUTHORIZATION, client.auth.clone());
        headers.insert(ACCEPT, HeaderValue::from_static(accept));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(team) = &options.team {
            let value = HeaderValue::from_str(team).map_err(|_| {
                Error::invalid_request(format!("the team id {team:?} is not a valid header value"))
            })?;
            headers.insert(TEAM_HEADER, value);
        }
        for (name, value) in &options.headers {
            let (name, value) = header_pair(name, value).map_err(Error::invalid_request)?;
            headers.insert(name, value);
        }
        Ok(Prepared {
            operation,
            url,
            headers,
            body,
            retry: options.retry.unwrap_or_else(|| client.retry.clone()),
            deadline: options.timeout.or(client.timeout),
            read_timeout: client.read_timeout,
        })
    }

    fn request(&self, http: &reqwest::Client) -> reqwest::RequestBuilder {
        http.request(self.operation.method.clone(), self.url.clone())
            .headers(self.headers.clone())
            .body(self.body.clone())
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

/// Reads a whole body, with the read timeout between chunks. At most `limit` bytes are kept.
pub(crate) async fn read_body(
    response: &mut reqwest::Response,
    read_timeout: Option<Duration>,
    limit: usize,
) -> Result<Bytes, Error> {
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
        if len >= limit {
            break;
        }
    }
    Ok(first.unwrap_or_else(|| rest.freeze()))
}

/// What a successful attempt produced, and the response metadata.
pub(crate) struct Success<T> {
    pub(crate) value: T,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
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
    let span = tracing::debug_span!("friendli.call", operation = prepared.operation.name, url = %prepared.url);
    let attempts = async {
        let started = Instant::now();
        let mut backoff = Backoff::new(&prepared.retry);
        let mut failures: Vec<AttemptFailure> = Vec::new();
        loop {
            let attempt = failures.len() + 1;
            let outcome = attempt_once(client, prepared, &mut read).await;
            let error = match outcome {
                Ok(success) => {
                    tracing::debug!(attempt, status = success.status.as_u16(), request_id = ?crate::error::request_id(&success.headers), "attempt succeeded");
                    return Ok(success);
                }
                Err(error) => error,
            };
            let failure = classify(&error);
            failures.push(AttemptFailure::of(&error));
            let hint = hint_of(&error);
            let elapsed = started.elapsed();
            let deadline_left = prepared.deadline.map(|d| d.saturating_sub(elapsed));
            let decision = backoff.decide(failure, hint, elapsed, deadline_left, fastrand::f64());
            match decision {
                Decision::RetryAfter(delay) => {
                    tracing::info!(
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
                    if failures.len() == 1 {
                        return Err(error);
                    }
                    return Err(Error::RetriesExhausted(Box::new(RetriesExhausted {
                        attempts: failures,
                        elapsed: started.elapsed(),
                        reason,
                        last: error,
                    })));
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

async fn attempt_once<T, F, Fut>(
    client: &ClientInner,
    prepared: &Prepared,
    read: &mut F,
) -> Result<Success<T>, Error>
where
    F: FnMut(reqwest::Response) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let request = prepared.request(&client.http);
    let mut response = within(prepared.read_timeout, request.send())
        .await?
        .map_err(|e| Error::transport(TransportPhase::Send, e))?;
    let status = response.status();
    let headers = response.headers().clone();
    if !status.is_success() {
        let body = read_body(&mut response, prepared.read_timeout, MAX_ERROR_BODY).await?;
        return Err(Error::Api(Box::new(ApiError::new(
            status, headers, body, false,
        ))));
    }
    let value = read(response).await?;
    Ok(Success {
        value,
        status,
        headers,
    })
}

fn classify(error: &Error) -> Failure {
    match error {
        Error::Api(e) if !e.in_stream => Failure::Status(e.status.as_u16()),
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
