//! Tool-assisted chat: `POST /serverless/tools/v1/chat/completions`.
//!
//! Chat completions in which the model may call tools that the Friendli server runs itself
//! (`math:calculator`, `web:search`, `code:python-interpreter`, …) as well as functions that the
//! caller declares and runs. [`ToolAssistedChat::complete`] returns the whole answer;
//! [`ToolAssistedChat::stream`] returns the answer as it is generated, with a `tool_status` event
//! for every step of every built-in tool run.
//!
//! Every call takes options before it is awaited, like the keyword arguments of the official
//! SDKs:
//!
//! ```no_run
//! # async fn example(client: friendli::Client, request: friendli::types::ToolAssistedChatRequest) -> friendli::Result<()> {
//! use std::time::Duration;
//! use friendli::RetryConfig;
//!
//! let result = client
//!     .serverless()
//!     .tool_assisted_chat()
//!     .complete(request)
//!     .retries(RetryConfig::none())
//!     .timeout(Duration::from_secs(30))
//!     .team("other-team")
//!     .header("x-trace", "abc")
//!     .await?;
//! # Ok(()) }
//! ```

use std::fmt::{self, Display};
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::response::Response;
use crate::retry::RetryConfig;
use crate::stream::EventStream;
use crate::transport::{CallOptions, Operation, Prepared, is_json, media_type, read_body, send};
use crate::types::{ChatResult, ToolAssistedChatRequest};

/// The operation on the wire.
pub(crate) const OPERATION: Operation = Operation {
    name: "serverlessToolAssistedChatCompletion",
    method: Method::POST,
    path: "/serverless/tools/v1/chat/completions",
};

const ACCEPT_JSON: &str = "application/json";
const ACCEPT_EVENT_STREAM: &str = "text/event-stream";
const ACCEPT_EITHER: &str = "application/json, text/event-stream";

/// The tool-assisted chat endpoint of a client: `client.serverless().tool_assisted_chat()`.
#[derive(Debug, Clone, Copy)]
pub struct ToolAssistedChat<'c> {
    client: &'c Client,
}

impl<'c> ToolAssistedChat<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        ToolAssistedChat { client }
    }

    /// The client this handle belongs to.
    pub fn client(&self) -> &'c Client {
        self.client
    }

    /// Generates the answer and returns it whole.
    ///
    /// Sends `"stream": false` (and no `stream_options`) with `Accept: application/json`,
    /// whatever the request said. Accepts a [`ToolAssistedChatRequest`] or its builder; a builder
    /// missing a required field fails the call with [`Error::InvalidRequest`].
    pub fn complete<R>(&self, request: R) -> CompleteCall<'c>
    where
        R: TryInto<ToolAssistedChatRequest>,
        R::Error: Display,
    {
        Call::new(self.client, request)
    }

    /// Generates the answer as an event stream of chunks and built-in tool status events.
    ///
    /// Sends `"stream": true` with `Accept: text/event-stream`, whatever the request said. The
    /// call resolves when the response headers arrive: an error status fails the call itself;
    /// after that, events and stream errors come from the [`EventStream`].
    pub fn stream<R>(&self, request: R) -> StreamCall<'c>
    where
        R: TryInto<ToolAssistedChatRequest>,
        R::Error: Display,
    {
        Call::new(self.client, request)
    }
}

/// Markers telling the calls apart.
pub mod kind {
    /// [`super::ToolAssistedChat::complete`].
    #[derive(Debug, Clone, Copy, Default)]
    pub struct Complete;
    /// [`super::ToolAssistedChat::stream`].
    #[derive(Debug, Clone, Copy, Default)]
    pub struct Stream;
    /// [`crate::serverless::Serverless::tool_assisted_chat_completion`].
    #[derive(Debug, Clone, Copy, Default)]
    pub struct SingleOperation;
}

/// A call that has not been sent yet. Set per-call options, then `.await` it (or call
/// `send_with_response()` to keep the response metadata).
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'c, K> {
    client: &'c Client,
    pub(crate) request: Result<ToolAssistedChatRequest>,
    pub(crate) options: CallOptions,
    pub(crate) kind: K,
}

/// A [`ToolAssistedChat::complete`] call.
pub type CompleteCall<'c> = Call<'c, kind::Complete>;
/// A [`ToolAssistedChat::stream`] call.
pub type StreamCall<'c> = Call<'c, kind::Stream>;
/// A [`crate::serverless::Serverless::tool_assisted_chat_completion`] call.
pub type SingleOperationCall<'c> = Call<'c, kind::SingleOperation>;

impl<K: fmt::Debug> fmt::Debug for Call<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("kind", &self.kind)
            .field("request_valid", &self.request.is_ok())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'c, K> Call<'c, K> {
    pub(crate) fn with_kind<R>(client: &'c Client, request: R, kind: K) -> Self
    where
        R: TryInto<ToolAssistedChatRequest>,
        R::Error: Display,
    {
        Call {
            client,
            request: request
                .try_into()
                .map_err(|e| Error::invalid_request(e.to_string())),
            options: CallOptions::default(),
            kind,
        }
    }

    pub(crate) fn new<R>(client: &'c Client, request: R) -> Self
    where
        R: TryInto<ToolAssistedChatRequest>,
        R::Error: Display,
        K: Default,
    {
        Self::with_kind(client, request, K::default())
    }

    /// The same request and options as another kind of call.
    pub(crate) fn rekind<L>(&self, request: ToolAssistedChatRequest, kind: L) -> Call<'c, L> {
        Call {
            client: self.client,
            request: Ok(request),
            options: self.options.clone(),
            kind,
        }
    }

    /// The retry policy of this call, instead of the client's.
    pub fn retries(mut self, retry: RetryConfig) -> Self {
        self.options.retry = Some(retry);
        self
    }

    /// A deadline for this call, covering all its attempts. For a stream, it bounds the time
    /// until the stream starts, not the stream itself.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Send this call to another server (base URL) than the client's.
    pub fn server_url(mut self, url: impl Into<String>) -> Self {
        self.options.server_url = Some(url.into());
        self
    }

    /// Run this call as another team (`X-Friendli-Team`).
    pub fn team(mut self, team: impl Into<String>) -> Self {
        self.options.team = Some(team.into());
        self
    }

    /// An extra header for this call. It replaces a header of the same name set by the client.
    /// An invalid name or value fails the call with [`Error::InvalidRequest`].
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.headers.push((name.into(), value.into()));
        self
    }

    /// Changes the request before it is sent.
    pub fn map_request(mut self, f: impl FnOnce(&mut ToolAssistedChatRequest)) -> Self {
        if let Ok(request) = &mut self.request {
            f(request);
        }
        self
    }

    fn prepare(self, stream: Option<bool>, accept: &'static str) -> Result<(&'c Client, Prepared)> {
        let mut request = self.request?;
        if let Some(stream) = stream {
            request.stream = stream;
            if !stream {
                request.stream_options = None;
            }
        }
        let body = serde_json::to_vec(&request).map_err(|e| {
            Error::invalid_request(format!("the request does not serialise to JSON: {e}"))
        })?;
        let prepared = Prepared::new(
            &self.client.inner,
            OPERATION,
            accept,
            Bytes::from(body),
            self.options,
        )?;
        Ok((self.client, prepared))
    }
}

/// Decodes a JSON body.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(what: &str, body: Bytes) -> Result<T> {
    crate::json::from_slice(&body).map_err(|e| Error::decode(what, body, Some(e)))
}

/// Reads a success response that must be JSON.
async fn read_json_body(
    mut response: reqwest::Response,
    read_timeout: Option<Duration>,
) -> Result<Bytes> {
    let media = media_type(response.headers());
    let body = read_body(&mut response, read_timeout, usize::MAX).await?;
    match media {
        Some(media) if !is_json(&media) => Err(Error::decode(
            format!("the response: expected application/json, got `{media}`"),
            body,
            None,
        )),
        _ => Ok(body),
    }
}

/// Checks that a success response is an event stream.
async fn expect_event_stream(
    mut response: reqwest::Response,
    read_timeout: Option<Duration>,
) -> Result<reqwest::Response> {
    match media_type(response.headers()) {
        Some(media) if media != "text/event-stream" => {
            let body = read_body(&mut response, read_timeout, 1024 * 1024).await?;
            Err(Error::decode(
                format!("the response: expected text/event-stream, got `{media}`"),
                body,
                None,
            ))
        }
        _ => Ok(response),
    }
}

impl<'c> CompleteCall<'c> {
    /// Sends the call and returns the result with the response's status and headers.
    pub async fn send_with_response(self) -> Result<Response<ChatResult>> {
        let (client, prepared) = self.prepare(Some(false), ACCEPT_JSON)?;
        let read_timeout = prepared.read_timeout;
        let success = send(&client.inner, &prepared, |response| {
            read_json_body(response, read_timeout)
        })
        .await?;
        let result = decode_json("the response as a ChatResult", success.value)?;
        Ok(Response::new(result, success.status, success.headers))
    }
}

impl<'c> IntoFuture for CompleteCall<'c> {
    type Output = Result<ChatResult>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.send_with_response().await.map(Response::into_inner) })
    }
}

impl<'c> IntoFuture for StreamCall<'c> {
    type Output = Result<EventStream>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let (client, prepared) = self.prepare(Some(true), ACCEPT_EVENT_STREAM)?;
            let read_timeout = prepared.read_timeout;
            let success = send(&client.inner, &prepared, |response| {
                expect_event_stream(response, read_timeout)
            })
            .await?;
            Ok(EventStream::new(
                success.value,
                read_timeout,
                client.inner.max_event_size,
            ))
        })
    }
}

/// The answer of the single-operation call: JSON or an event stream, by content type.
#[derive(Debug)]
// Returned once per call and matched at once: boxing the stream would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum ToolAssistedChatCompletionResponse {
    /// The request had `"stream": false`: the whole answer.
    Json(ChatResult),
    /// The request had `"stream": true`: the events.
    Stream(EventStream),
}

enum Either {
    Json(Bytes),
    Stream(reqwest::Response),
}

impl<'c> IntoFuture for SingleOperationCall<'c> {
    type Output = Result<ToolAssistedChatCompletionResponse>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let (client, prepared) = self.prepare(None, ACCEPT_EITHER)?;
            let read_timeout = prepared.read_timeout;
            let success = send(&client.inner, &prepared, |mut response| async move {
                match media_type(response.headers()).as_deref() {
                    Some("text/event-stream") => Ok(Either::Stream(response)),
                    Some(media) if is_json(media) => {
                        Ok(Either::Json(read_body(&mut response, read_timeout, usize::MAX).await?))
                    }
                    other => {
                        let media = other.unwrap_or("no content type").to_owned();
                        let body = read_body(&mut response, read_timeout, 1024 * 1024).await?;
                        Err(Error::decode(
                            format!("the response: expected application/json or text/event-stream, got `{media}`"),
                            body,
                            None,
                        ))
                    }
                }
            })
            .await?;
            Ok(match success.value {
                Either::Json(body) => ToolAssistedChatCompletionResponse::Json(decode_json(
                    "the response as a ChatResult",
                    body,
                )?),
                Either::Stream(response) => ToolAssistedChatCompletionResponse::Stream(
                    EventStream::new(response, read_timeout, client.inner.max_event_size),
                ),
            })
        })
    }
}
