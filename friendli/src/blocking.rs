//! A blocking client, for programs without an async runtime (feature `blocking`).
//!
//! It is the async [`crate::Client`] driven by a small runtime of its own, so it shares all its
//! behaviour: configuration, retries, errors, event-stream decoding. It has the same namespaces
//! (`client.serverless().chat().complete(…)`) and [`Client::call`] for any operation; a call is
//! sent with [`Call::send`], and streams are iterators.
//!
//! ```no_run
//! use friendli::prelude::*;
//! use friendli::chat::ChatEvent;
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

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures::StreamExt;

use crate::core::call::{Caller, call_options};
use crate::core::error::{Error, Result};
use crate::core::operation::{Events, Operation, ResponseKind};
use crate::core::response::Response;
use crate::core::transport::Read;
use crate::stream::{EventStream, SseEvent};

/// The runtime of a blocking client. It shuts down without blocking if it is dropped inside
/// another runtime.
#[doc(hidden)]
pub struct Runtime(Option<tokio::runtime::Runtime>);

impl Runtime {
    fn get(&self) -> &tokio::runtime::Runtime {
        self.0.as_ref().expect("the runtime lives until drop")
    }

    /// Runs a future to completion on this thread, refusing to do so inside an async runtime.
    pub(crate) fn block_on<F: Future>(&self, future: F) -> Result<F::Output> {
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
    /// A builder; [`ClientBuilder::build`] gives the blocking client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder(crate::ClientBuilder::new())
    }

    /// A client configured from the environment, like [`crate::Client::from_env`].
    pub fn from_env() -> Result<Client> {
        Client::builder().build()
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

    /// Calls any operation of the API (see [`crate::Client::call`]); send it with
    /// [`Call::send`].
    pub fn call<O, B>(&self, operation: O, body: B) -> Call<'_, O>
    where
        O: Operation,
        B: TryInto<O::Body>,
        B::Error: fmt::Display,
    {
        self.wrap(self.inner.call(operation, body))
    }

    pub(crate) fn wrap<'c, T>(&'c self, call: T) -> Blocking<'c, T> {
        Blocking {
            call,
            runtime: &self.runtime,
        }
    }
}

impl Caller for Client {
    type Call<'c, O: Operation> = Call<'c, O>;

    fn start<'c, O: Operation>(&'c self, operation: O, body: Result<O::Body>) -> Call<'c, O> {
        self.wrap(self.inner.start(operation, body))
    }
}

/// The builder of a blocking [`Client`]: the async client's builder, whose
/// [`build`](Self::build) gives the blocking client.
#[derive(Clone, Debug, Default)]
pub struct ClientBuilder(pub crate::ClientBuilder);

impl ClientBuilder {
    /// Changes the settings with the async builder's methods.
    pub fn configure(self, f: impl FnOnce(crate::ClientBuilder) -> crate::ClientBuilder) -> Self {
        ClientBuilder(f(self.0))
    }

    /// Checks the configuration and builds the blocking client.
    pub fn build(self) -> Result<Client> {
        Client::new(self.0.build()?)
    }
}

impl std::ops::Deref for ClientBuilder {
    type Target = crate::ClientBuilder;

    fn deref(&self) -> &crate::ClientBuilder {
        &self.0
    }
}

impl crate::ClientBuilder {
    /// Builds a [`blocking::Client`](Client).
    pub fn build_blocking(self) -> Result<Client> {
        Client::new(self.build()?)
    }
}

#[cfg(feature = "serverless")]
pub use crate::extras::chat::BlockingToolAssistedChatCompletionResponse as ToolAssistedChatCompletionResponse;

/// A call of the blocking client: set options, then [`send`](Call::send) it.
pub type Call<'c, O> = Blocking<'c, crate::Call<'c, O>>;

/// An async call made blocking: the same per-call options, then `send()`.
#[must_use = "a call does nothing until it is sent"]
pub struct Blocking<'c, T> {
    pub(crate) call: T,
    runtime: &'c Arc<Runtime>,
}

impl<T: fmt::Debug> fmt::Debug for Blocking<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Call")
            .field("call", &self.call)
            .finish()
    }
}

impl<'c, T> Blocking<'c, T> {
    /// Changes the underlying async call.
    pub fn map(self, f: impl FnOnce(T) -> T) -> Self {
        Blocking {
            call: f(self.call),
            runtime: self.runtime,
        }
    }

    /// The underlying call and the runtime that drives it.
    #[cfg_attr(not(feature = "serverless"), allow(dead_code))]
    pub(crate) fn into_parts(self) -> (T, &'c Arc<Runtime>) {
        (self.call, self.runtime)
    }
}

impl<'c, O: Operation> Blocking<'c, crate::Call<'c, O>> {
    call_options!(call.options);

    /// Changes the operation's parameters before the call is sent.
    pub fn map_operation(self, f: impl FnOnce(O) -> O) -> Self {
        self.map(|call| call.map_operation(f))
    }

    /// Changes the body before the call is sent.
    pub fn map_body(self, f: impl FnOnce(&mut O::Body)) -> Self {
        self.map(|call| call.map_body(f))
    }
}

impl<'c, O> Blocking<'c, crate::Call<'c, O>>
where
    O: Operation,
    O::Response: BlockingResponse,
{
    /// Sends the call and waits for the answer (for a stream: until it starts; the events then
    /// come from the iterator).
    pub fn send(self) -> Result<<O::Response as BlockingResponse>::BlockingOutput> {
        self.send_with_response().map(Response::into_inner)
    }

    /// Sends the call; the answer comes with the response's status, headers and attempts.
    pub fn send_with_response(
        self,
    ) -> Result<Response<<O::Response as BlockingResponse>::BlockingOutput>> {
        let Blocking { call, runtime } = self;
        let response = runtime.block_on(call.send_with_response())??;
        let runtime = Arc::clone(runtime);
        Ok(response.map(|value| <O::Response as BlockingResponse>::blocking(value, runtime)))
    }
}

/// What a blocking call gives: the async output, with event streams made iterators.
pub trait BlockingResponse: Read {
    /// The blocking output.
    type BlockingOutput;

    #[doc(hidden)]
    fn blocking(
        output: <Self as ResponseKind>::Output,
        runtime: Arc<Runtime>,
    ) -> Self::BlockingOutput;
}

impl<T: serde::de::DeserializeOwned + Send + 'static> BlockingResponse
    for crate::core::operation::Json<T>
{
    type BlockingOutput = T;

    fn blocking(output: T, _runtime: Arc<Runtime>) -> T {
        output
    }
}

impl BlockingResponse for crate::core::operation::Empty {
    type BlockingOutput = ();

    fn blocking(_output: (), _runtime: Arc<Runtime>) {}
}

impl<E: SseEvent> BlockingResponse for Events<E> {
    type BlockingOutput = EventIter<E>;

    fn blocking(stream: EventStream<E>, runtime: Arc<Runtime>) -> EventIter<E> {
        EventIter {
            stream: Some(stream),
            runtime,
        }
    }
}

/// The events of a blocking stream: an `Iterator<Item = Result<E, Error>>`, with the same rules
/// as [`EventStream`]. Dropping it closes the connection.
pub struct EventIter<E> {
    stream: Option<EventStream<E>>,
    runtime: Arc<Runtime>,
}

impl<E> fmt::Debug for EventIter<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventIter")
            .field("stream", &self.stream)
            .finish()
    }
}

impl<E: SseEvent> EventIter<E> {
    #[cfg_attr(not(feature = "serverless"), allow(dead_code))]
    pub(crate) fn new(stream: EventStream<E>, runtime: Arc<Runtime>) -> Self {
        EventIter {
            stream: Some(stream),
            runtime,
        }
    }

    /// The underlying event stream, if the iterator has not ended.
    pub fn event_stream(&self) -> Option<&EventStream<E>> {
        self.stream.as_ref()
    }

    /// Runs `f` over the rest of the stream on the client's runtime (for the async helpers of
    /// [`EventStream`], such as `collect_chat`).
    pub fn with_stream<F, Fut, T>(mut self, f: F) -> Result<T>
    where
        F: FnOnce(EventStream<E>) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let Some(stream) = self.stream.take() else {
            return Err(Error::protocol("the stream already ended"));
        };
        self.runtime.block_on(f(stream))?
    }
}

#[cfg(any(feature = "serverless", feature = "dedicated", feature = "container"))]
impl<E: crate::extras::chat::ChatEvent> EventIter<E> {
    /// Reads the rest of the stream and folds it into a [`CollectedChat`](crate::CollectedChat).
    pub fn collect_chat(self) -> Result<crate::CollectedChat> {
        self.with_stream(EventStream::collect_chat)
    }
}

#[cfg(any(feature = "serverless", feature = "dedicated", feature = "container"))]
impl EventIter<crate::events::CompletionsStreamEvent> {
    /// Reads the rest of the stream and folds it into the result `complete()` would have
    /// returned (see [`EventStream::collect_completions`]).
    pub fn collect_completions(self) -> Result<crate::extras::completions::CollectedCompletions> {
        self.with_stream(EventStream::collect_completions)
    }
}

impl<E: crate::extras::text::TextEvent> EventIter<E> {
    /// Only the text the model writes, one non-empty piece per event that adds some (see
    /// [`EventStream::text_deltas`]).
    pub fn text_deltas(self) -> impl Iterator<Item = Result<String>> {
        self.filter_map(|event| match event {
            Ok(event) => event.text().filter(|t| !t.is_empty()).map(Ok),
            Err(error) => Some(Err(error)),
        })
    }
}

impl<E: SseEvent> Iterator for EventIter<E> {
    type Item = Result<E>;

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

/// A [`Stream`](futures::Stream) of a blocking call made an iterator, each item waited for on the
/// client's runtime: what the blocking client gives for the streams of the async one, such as
/// the items and the pages of a paged list ([`crate::extras::pagination`]). The iterator ends at the
/// first error; dropping it drops the stream.
pub struct StreamIter<'c, S> {
    stream: Option<S>,
    runtime: &'c Arc<Runtime>,
}

impl<S> fmt::Debug for StreamIter<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamIter")
            .field("ended", &self.stream.is_none())
            .finish()
    }
}

impl<'c, S> StreamIter<'c, S> {
    pub(crate) fn new(stream: S, runtime: &'c Arc<Runtime>) -> Self {
        StreamIter {
            stream: Some(stream),
            runtime,
        }
    }
}

impl<S, T> Iterator for StreamIter<'_, S>
where
    S: futures::Stream<Item = Result<T>> + Unpin,
{
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        let stream = self.stream.as_mut()?;
        match self.runtime.block_on(stream.next()) {
            Ok(Some(Ok(item))) => Some(Ok(item)),
            Ok(Some(Err(error))) | Err(error) => {
                self.stream = None;
                Some(Err(error))
            }
            Ok(None) => {
                self.stream = None;
                None
            }
        }
    }
}

impl<S> Drop for StreamIter<'_, S> {
    fn drop(&mut self) {
        // Drop the stream (and any request in flight) inside the runtime that owns its I/O.
        if let Some(stream) = self.stream.take() {
            let _guard = self.runtime.get().enter();
            drop(stream);
        }
    }
}

impl<E> Drop for EventIter<E> {
    fn drop(&mut self) {
        // Drop the stream (and its connection) inside the runtime that owns its I/O.
        if let Some(stream) = self.stream.take() {
            let _guard = self.runtime.get().enter();
            drop(stream);
        }
    }
}
