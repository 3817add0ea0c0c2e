//! A blocking client, for programs without an async runtime (feature `blocking`).
//!
//! It is the async [`crate::Client`] driven by a small runtime of its own, so it shares all its
//! behaviour: configuration, retries, errors, event-stream decoding. Streams are iterators.
//!
//! ```no_run
//! use friendli::prelude::*;
//!
//! fn main() -> Result<(), friendli::Error> {
//!     let client = friendli::blocking::Client::from_env()?;
//!     let request = ToolAssistedChatRequest::builder()
//!         .model("meta-llama-3.1-8b-instruct")
//!         .messages(vec![Message::user("What is 3 + 6?")])
//!         .tools(vec![Tool::calculator()]);
//!     for event in client.serverless().tool_assisted_chat().stream(request).send()? {
//!         if let Some(text) = event?.content(0) {
//!             print!("{text}");
//!         }
//!     }
//!     Ok(())
//! }
//! ```
//!
//! Calling it from inside an async runtime (a `#[tokio::main]` function, a task, or a
//! `spawn_blocking` closure) fails with [`Error::InvalidConfig`] instead of blocking a runtime
//! thread: use the async [`crate::Client`] there.

use std::fmt::{self, Display};
use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;

use crate::error::{Error, Result};
use crate::response::Response;
use crate::retry::RetryConfig;
use crate::serverless::tool_assisted_chat::{self as chat, kind};
use crate::stream::{CollectedChat, StreamEvent};
use crate::tools::{RunResult, RunSettings, Tools};
use crate::types::{ChatResult, ToolAssistedChatRequest};
use crate::{ClientBuilder, EventStream};

/// Owns the runtime, and shuts it down without blocking if it is dropped inside another one.
struct Runtime(Option<tokio::runtime::Runtime>);

impl Runtime {
    fn get(&self) -> &tokio::runtime::Runtime {
        self.0.as_ref().expect("the runtime lives until drop")
    }

    /// Runs a future to completion on this thread, refusing to do so inside an async runtime.
    fn block_on<F: std::future::Future>(&self, future: F) -> Result<F::Output> {
        check_context()?;
        Ok(self.get().block_on(future))
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                runtime.shutdown_background();
            } else {
                drop(runtime);
            }
        }
    }
}

fn check_context() -> Result<()> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::invalid_config(
            "the blocking client was called from inside an async runtime, where it would block a runtime thread; \
             use the async friendli::Client there",
        ));
    }
    Ok(())
}

/// A blocking client of the Friendli API. Cheap to clone, `Send + Sync`.
#[derive(Clone)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<Runtime>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Client")
            .field("client", &self.inner)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// The builder of the async client; finish it with [`ClientBuilder::build_blocking`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the environment, like [`crate::Client::from_env`].
    pub fn from_env() -> Result<Client> {
        ClientBuilder::new().build_blocking()
    }

    /// A blocking client that drives this async client.
    pub fn new(client: crate::Client) -> Result<Client> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("friendli-blocking")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::invalid_config(format!(
                    "could not start the blocking client's runtime: {e}"
                ))
            })?;
        Ok(Client {
            inner: client,
            runtime: Arc::new(Runtime(Some(runtime))),
        })
    }

    /// The async client underneath.
    pub fn async_client(&self) -> &crate::Client {
        &self.inner
    }

    /// The serverless endpoints.
    pub fn serverless(&self) -> Serverless<'_> {
        Serverless { client: self }
    }
}

impl ClientBuilder {
    /// Builds a [`blocking::Client`](Client).
    pub fn build_blocking(self) -> Result<Client> {
        Client::new(self.build()?)
    }
}

/// The serverless endpoints of a blocking client.
#[derive(Debug, Clone, Copy)]
pub struct Serverless<'c> {
    client: &'c Client,
}

impl<'c> Serverless<'c> {
    /// Tool-assisted chat.
    pub fn tool_assisted_chat(&self) -> ToolAssistedChat<'c> {
        ToolAssistedChat {
            client: self.client,
        }
    }

    /// The single operation that answers JSON or an event stream by the request's `stream`
    /// (see [`crate::serverless::Serverless::tool_assisted_chat_completion`]).
    pub fn tool_assisted_chat_completion<R>(&self, request: R) -> Call<'c, kind::SingleOperation>
    where
        R: TryInto<ToolAssistedChatRequest>,
        R::Error: Display,
    {
        self.client.call(
            self.client
                .inner
                .serverless()
                .tool_assisted_chat_completion(request),
        )
    }
}

/// Tool-assisted chat of a blocking client.
#[derive(Debug, Clone, Copy)]
pub struct ToolAssistedChat<'c> {
    client: &'c Client,
}

impl<'c> ToolAssistedChat<'c> {
    fn chat(&self) -> chat::ToolAssistedChat<'c> {
        self.client.inner.serverless().tool_assisted_chat()
    }

    /// The whole answer (see [`chat::ToolAssistedChat::complete`]).
    pub fn complete<R>(&self, request: R) -> Call<'c, kind::Complete>
    where
        R: TryInto<ToolAssistedChatRequest>,
        R::Error: Display,
    {
        self.client.call(self.chat().complete(request))
    }

    /// The answer as an iterator of events (see [`chat::ToolAssistedChat::stream`]).
    pub fn stream<R>(&self, request: R) -> Call<'c, kind::Stream>
    where
        R: TryInto<ToolAssistedChatRequest>,
        R::Error: Display,
    {
        self.client.call(self.chat().stream(request))
    }

    /// The conversation loop with local function tools (see [`crate::tools`]).
    pub fn run<'t, R>(&self, request: R, tools: &'t Tools) -> Call<'c, RunSettings<'t>>
    where
        R: TryInto<ToolAssistedChatRequest>,
        R::Error: Display,
    {
        self.client.call(self.chat().run(request, tools))
    }
}

impl Client {
    fn call<'c, K>(&'c self, call: chat::Call<'c, K>) -> Call<'c, K> {
        Call {
            call,
            runtime: &self.runtime,
        }
    }
}

/// A call of the blocking client: set options, then [`send`](Call::send) it.
#[must_use = "a call does nothing until it is sent"]
pub struct Call<'c, K> {
    call: chat::Call<'c, K>,
    runtime: &'c Arc<Runtime>,
}

impl<K: fmt::Debug> fmt::Debug for Call<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Call")
            .field("call", &self.call)
            .finish()
    }
}

impl<'c, K> Call<'c, K> {
    fn map(self, f: impl FnOnce(chat::Call<'c, K>) -> chat::Call<'c, K>) -> Self {
        Call {
            call: f(self.call),
            runtime: self.runtime,
        }
    }

    /// The retry policy of this call.
    pub fn retries(self, retry: RetryConfig) -> Self {
        self.map(|c| c.retries(retry))
    }

    /// A deadline for this call (see [`chat::Call::timeout`]).
    pub fn timeout(self, timeout: Duration) -> Self {
        self.map(|c| c.timeout(timeout))
    }

    /// Another base URL for this call.
    pub fn server_url(self, url: impl Into<String>) -> Self {
        self.map(|c| c.server_url(url))
    }

    /// Another team for this call.
    pub fn team(self, team: impl Into<String>) -> Self {
        self.map(|c| c.team(team))
    }

    /// An extra header for this call.
    pub fn header(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.map(|c| c.header(name, value))
    }
}

impl Call<'_, kind::Complete> {
    /// Sends the call and waits for the answer.
    pub fn send(self) -> Result<ChatResult> {
        self.runtime.block_on(self.call.into_future())?
    }

    /// Sends the call; the answer comes with the response's status and headers.
    pub fn send_with_response(self) -> Result<Response<ChatResult>> {
        self.runtime.block_on(self.call.send_with_response())?
    }
}

impl Call<'_, kind::Stream> {
    /// Sends the call and returns the events as an iterator once the stream has started.
    pub fn send(self) -> Result<EventIter> {
        let stream = self.runtime.block_on(self.call.into_future())??;
        Ok(EventIter {
            stream: Some(stream),
            runtime: Arc::clone(self.runtime),
        })
    }
}

/// The answer of the blocking single-operation call.
#[derive(Debug)]
// Returned once per call and matched at once: boxing the stream would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum ToolAssistedChatCompletionResponse {
    /// The whole answer.
    Json(ChatResult),
    /// The events.
    Stream(EventIter),
}

impl Call<'_, kind::SingleOperation> {
    /// Sends the call; the answer is JSON or an event iterator by its content type.
    pub fn send(self) -> Result<ToolAssistedChatCompletionResponse> {
        let runtime = Arc::clone(self.runtime);
        Ok(match runtime.block_on(self.call.into_future())?? {
            crate::ToolAssistedChatCompletionResponse::Json(result) => {
                ToolAssistedChatCompletionResponse::Json(result)
            }
            crate::ToolAssistedChatCompletionResponse::Stream(stream) => {
                ToolAssistedChatCompletionResponse::Stream(EventIter {
                    stream: Some(stream),
                    runtime,
                })
            }
        })
    }
}

impl<'c, 't: 'c> Call<'c, RunSettings<'t>> {
    /// The most model turns (see [`crate::tools::RunCall::max_turns`]).
    pub fn max_turns(self, turns: u32) -> Self {
        self.map(|c| c.max_turns(turns))
    }

    /// Report local tool failures to the model (see [`crate::tools::RunCall::report_tool_errors`]).
    pub fn report_tool_errors(self, report: bool) -> Self {
        self.map(|c| c.report_tool_errors(report))
    }

    /// Runs the loop to the end.
    pub fn send(self) -> Result<RunResult> {
        self.runtime.block_on(self.call.into_future())?
    }
}

/// The events of a blocking stream: an `Iterator<Item = Result<StreamEvent, Error>>`, with the
/// same rules as [`EventStream`]. Dropping it closes the connection.
pub struct EventIter {
    stream: Option<EventStream>,
    runtime: Arc<Runtime>,
}

impl fmt::Debug for EventIter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventIter")
            .field("stream", &self.stream)
            .finish()
    }
}

impl EventIter {
    /// The underlying event stream, if the iterator has not failed.
    pub fn event_stream(&self) -> Option<&EventStream> {
        self.stream.as_ref()
    }

    /// Reads the rest of the stream and folds it into a [`CollectedChat`].
    pub fn collect_chat(mut self) -> Result<CollectedChat> {
        let Some(stream) = self.stream.take() else {
            return Err(Error::protocol("the stream already ended"));
        };
        self.runtime.block_on(stream.collect_chat())?
    }
}

impl Iterator for EventIter {
    type Item = Result<StreamEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        let stream = self.stream.as_mut()?;
        match self.runtime.block_on(stream.next()) {
            Ok(Some(item)) => Some(item),
            Ok(None) => {
                self.stream = None;
                None
            }
            Err(error) => {
                self.stream = None;
                Some(Err(error))
            }
        }
    }
}

impl Drop for EventIter {
    fn drop(&mut self) {
        // Drop the stream (and its connection) inside the runtime that owns its I/O.
        if let Some(stream) = self.stream.take() {
            let _guard = self.runtime.get().enter();
            drop(stream);
        }
    }
}
