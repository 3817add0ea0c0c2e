//! Sending one call: building the HTTP request, its attempts (through the one retry driver,
//! [`drive`]), timeouts, and turning error responses into [`Error::Api`]. It knows operations only through
//! [`OperationInfo`](crate::core::operation::OperationInfo): nothing here is specific to one of them.

use std::time::{Duration, Instant};

use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue,
};
use reqwest::{RequestBuilder, StatusCode};
use tracing::Instrument;

use crate::core::attempts::{Policy, classify, drive};
use crate::core::client::{ClientInner, PlainHttp, warn_plain_http};
use crate::core::error::{ApiError, Error};
use crate::core::headers::{TEAM_HEADER, header_pair, parse_base_url, redact_url};
use crate::core::hooks::{AttemptOutcome, AttemptRequest};
use crate::core::operation::{Encoded, Family, OperationInfo, Query, check_path};
use crate::core::options::CallSettings;
use crate::core::readers::{
    FinishContext, MAX_ERROR_BODY, Overflow, Read, ReadContext, api_error, read_body, within,
};
use crate::core::response::ResponseMeta;
use crate::core::retry::RetryConfig;
use crate::core::telemetry::CallTrace;

/// A call ready to be sent: everything validated, the body encoded once for all attempts.
pub(crate) struct Prepared {
    pub(crate) info: &'static OperationInfo,
    url: reqwest::Url,
    /// The headers, without the client's token: hooks see these.
    headers: HeaderMap,
    /// The client's `Authorization`, added after the hooks unless one of them set its own.
    auth: Option<HeaderValue>,
    body: Encoded,
    pub(crate) retry: RetryConfig,
    pub(crate) side_effects: bool,
    pub(crate) deadline: Option<Duration>,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) max_body: usize,
}

impl Prepared {
    pub(crate) fn new(
        client: &ClientInner,
        info: &'static OperationInfo,
        path: &str,
        query: &Query,
        accept: &'static str,
        body: Encoded,
        options: CallSettings,
    ) -> Result<Prepared, Error> {
        // A container call carries the container token, if one is set, never the API token
        // (see `ClientBuilder::container_url`).
        let container = info.family == Family::Container;
        let auth = if container {
            &client.container_auth
        } else {
            &client.auth
        };
        let base = match &options.server_url {
            Some(url) => {
                let url = parse_base_url(url)
                    .map_err(|e| Error::invalid_request(format!("per-call server URL: {e}")))?;
                if auth.is_some() {
                    let what = if container {
                        PlainHttp::Container
                    } else {
                        PlainHttp::Call
                    };
                    warn_plain_http(&url, what);
                }
                url
            }
            None if container => client.container_url.clone(),
            None => client.base_url.clone(),
        };
        check_path(info.path, path, info.id)?;
        let mut url = reqwest::Url::parse(&format!("{base}{path}"))
            .map_err(|e| Error::invalid_request(format!("cannot form the request URL: {e}")))?;
        if !query.pairs().is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in query.pairs() {
                pairs.append_pair(name, value);
            }
        }
        sendable(&url, info.id)?;
        let mut headers = client.headers.clone();
        match auth {
            Some(_) => {}
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
            let (name, value) = header_pair(name, value).map_err(|e| {
                Error::invalid_request(format!("{e}, so it cannot be set on a call"))
            })?;
            headers.insert(name, value);
        }
        Ok(Prepared {
            info,
            url,
            headers,
            auth: auth.clone(),
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

    /// The request of one attempt, without the client's token.
    async fn request(&self, http: &reqwest::Client) -> Result<reqwest::Request, Error> {
        let builder = http
            .request(self.info.method.method(), self.url.clone())
            .headers(self.headers.clone());
        let builder: RequestBuilder = match &self.body {
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
        };
        builder.build().map_err(crate::core::multipart::send_error)
    }
}

/// Checks that the HTTP stack can send a request to `url` (reqwest turns it into an
/// `http::Uri`, which is at most 65,534 bytes long). A URL it refuses fails every attempt the
/// same way, so it is refused before the first, in a few words: the URL itself (perhaps tens of
/// kilobytes of it) is not repeated.
pub(crate) fn sendable(url: &reqwest::Url, what: &str) -> Result<(), Error> {
    match url.as_str().parse::<http::Uri>() {
        Ok(_) => Ok(()),
        Err(e) => Err(Error::invalid_request(format!(
            "the URL of {what} cannot be sent ({} bytes; {e}): a path or query parameter is too long or malformed",
            url.as_str().len()
        ))),
    }
}

/// Sends a prepared call, with the retries its policy allows, and reads its result. The call's
/// span ([`CallTrace`]) covers the attempts; a stream carries it on to its end.
pub(crate) async fn execute<R: Read>(
    client: &ClientInner,
    prepared: Prepared,
) -> Result<R::Output, Error> {
    let trace = CallTrace::start(
        prepared.info,
        &prepared.url,
        &prepared.body,
        client.trace_content,
    );
    let context = ReadContext {
        read_timeout: prepared.read_timeout,
        max_body: prepared.max_body,
    };
    let policy = Policy {
        what: prepared.info.id,
        retry: &prepared.retry,
        side_effects: prepared.side_effects,
        deadline: prepared.deadline,
    };
    let attempts = drive(policy, classify, |number| {
        attempt::<R>(client, &prepared, context, number)
    });
    let outcome = if trace.is_on() {
        attempts.instrument(trace.span().clone()).await
    } else {
        attempts.await
    };
    let ((raw, status, headers), failures) = match outcome {
        Ok(success) => success,
        Err(error) => {
            trace.record_error(&error);
            return Err(error);
        }
    };
    let meta = ResponseMeta::new(
        prepared.info.id,
        status,
        headers,
        failures,
        trace.started().elapsed(),
    );
    trace.record_response(&meta);
    R::finish(
        raw,
        meta,
        FinishContext {
            info: prepared.info,
            read_timeout: prepared.read_timeout,
            max_event_size: client.max_event_size,
            trace,
        },
    )
}

/// One attempt: the client's hooks run before it (with the request) and after it (with its
/// outcome), around [`exchange`].
async fn attempt<R: Read>(
    client: &ClientInner,
    prepared: &Prepared,
    context: ReadContext,
    number: usize,
) -> Result<(R::Raw, StatusCode, HeaderMap), Error> {
    let mut request = prepared.request(&client.http).await?;
    if client.hooks.is_empty() {
        add_auth(&mut request, prepared);
        return exchange::<R>(client, prepared, request, context, number).await;
    }
    let mut hooked = AttemptRequest::new(request, prepared.info, number);
    client.hooks.before(&mut hooked).await?;
    let mut request = hooked.into_request();
    add_auth(&mut request, prepared);
    let sent = Instant::now();
    let result = exchange::<R>(client, prepared, request, context, number).await;
    let elapsed = sent.elapsed();
    let outcome = match &result {
        Ok((_, status, headers)) => AttemptOutcome {
            operation: prepared.info,
            attempt: number,
            status: Some(*status),
            headers: Some(headers),
            elapsed,
            error: None,
        },
        Err(error) => {
            let api = error.api_error();
            AttemptOutcome {
                operation: prepared.info,
                attempt: number,
                status: api.map(|e| e.status),
                headers: api.map(|e| &e.headers),
                elapsed,
                error: Some(error),
            }
        }
    };
    client.hooks.after(&outcome);
    result
}

/// The client's token, unless the request carries an `Authorization` of its own (set by a hook
/// or as a per-call header).
fn add_auth(request: &mut reqwest::Request, prepared: &Prepared) {
    if let Some(auth) = &prepared.auth
        && !request.headers().contains_key(AUTHORIZATION)
    {
        request.headers_mut().insert(AUTHORIZATION, auth.clone());
    }
}

/// One request and its answer: an error answer turned into [`Error::Api`], a success read by
/// `R` (a failure to read it counts as a failed attempt, so that a connection lost while reading
/// a unary body is retried when the policy allows).
async fn exchange<R: Read>(
    client: &ClientInner,
    prepared: &Prepared,
    request: reqwest::Request,
    context: ReadContext,
    number: usize,
) -> Result<(R::Raw, StatusCode, HeaderMap), Error> {
    let mut response = within(prepared.read_timeout, client.http.execute(request))
        .await?
        .map_err(crate::core::multipart::send_error)?;
    let status = response.status();
    let headers = response.headers().clone();
    if status.is_redirection() {
        // Redirects are not followed (the API does not redirect): name where it pointed.
        let location = headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(redact_url)
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
        return Err(api_error(response, prepared.read_timeout).await);
    }
    let raw = R::read(response, context).await?;
    tracing::debug!(
        attempt = number,
        status = status.as_u16(),
        request_id = ?crate::core::error::request_id(&headers),
        "attempt succeeded"
    );
    Ok((raw, status, headers))
}
