//! A blocking client, for programs without an async runtime (feature `blocking`).
//!
//! It is the async [`crate::core::client::Client`] driven by a small runtime of its own, so it shares all its
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
//!         .tools(vec![ToolAssistedChatTool::calculator()]);
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
//! thread: use the async [`crate::core::client::Client`] there.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures::StreamExt;

use crate::core::call::{BlockingCaller, Call as AsyncCall, Caller};
use crate::core::error::{Error, Result};
use crate::core::operation::{Operation, ResponseKind};
use crate::core::readers::Read;
use crate::core::response::Response;
use crate::core::response::{Empty, Json};
use crate::extras::pagination::{ItemOf, Items, Pages, Paginated, items_of, walk_pages};
use crate::extras::text::{TextEvent, Usage, text_and_usage};
use crate::stream::{EventStream, Events, JsonOrEvents, JsonOrStream, SseEvent};

/// The namespaces' entry points on this client (`client.serverless()`), generated.
#[rustfmt::skip]
#[path = "generated/blocking.rs"]
mod namespaces;

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
    inner: crate::core::client::Client,
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
    /// A builder of a blocking client: the same settings as the async client's builder, whose
    /// [`build`](ClientBuilder::build) gives the blocking client.
    pub fn builder() -> ClientBuilder {
        crate::core::client::ClientBuilder::new().for_client()
    }

    /// A client configured from the environment, like [`crate::core::client::Client::from_env`].
    pub fn from_env() -> Result<Client> {
        Client::builder().build()
    }

    /// A blocking client that drives this async client.
    pub fn new(client: crate::core::client::Client) -> Result<Client> {
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
    pub fn async_client(&self) -> &crate::core::client::Client {
        &self.inner
    }

    /// Calls any operation of the API (see [`crate::core::client::Client::call`]); send it with
    /// [`Call::send`](crate::core::call::Call::send).
    pub fn call<O, B>(&self, operation: O, body: B) -> Call<'_, O>
    where
        O: Operation,
        B: TryInto<O::Body>,
        B::Error: fmt::Display,
    {
        AsyncCall::new(self, operation, crate::core::operation::body(body))
    }
}

impl Caller for Client {
    fn async_client(&self) -> &crate::core::client::Client {
        &self.inner
    }
}

impl BlockingCaller for Client {
    fn block_on<F: Future>(&self, future: F) -> Result<F::Output> {
        self.runtime.block_on(future)
    }
}

/// The builder of a blocking [`Client`]: the async client's builder with the same setters, whose
/// [`build`](crate::core::client::ClientBuilder::build) gives the blocking client.
pub type ClientBuilder = crate::core::client::ClientBuilder<Client>;

impl crate::core::client::ClientBuilder {
    /// The same settings, for a blocking client (`Client::builder()` of this module starts
    /// there directly).
    pub fn blocking(self) -> ClientBuilder {
        self.for_client()
    }
}

impl crate::core::client::ClientBuilder<Client> {
    /// Checks the configuration and builds the blocking client.
    pub fn build(self) -> Result<Client> {
        Client::new(self.for_client::<crate::core::client::Client>().build()?)
    }
}

/// A call of the blocking client: set options, then [`send`](crate::core::call::Call::send) it.
pub type Call<'c, O> = AsyncCall<'c, O, Client>;

impl<'c, O> AsyncCall<'c, O, Client>
where
    O: Operation,
    O::Response: BlockingResponse,
{
    /// Sends the call and waits for the answer (for a stream: until it starts; the events then
    /// come from the iterator). Like the async client's, the answer carries the response's
    /// metadata: a [`Response`] of a JSON answer, or an [`EventIter`] (see [`EventIter::meta`]).
    pub fn send(self) -> Result<<O::Response as BlockingResponse>::BlockingOutput> {
        let client = self.client;
        let output = client.block_on(self.execute())??;
        let runtime = Arc::clone(&client.runtime);
        Ok(<O::Response as BlockingResponse>::blocking(output, runtime))
    }
}

impl<'c, O> AsyncCall<'c, O, Client>
where
    O: Paginated,
    O::Body: Clone,
{
    /// Sends the call page by page, following the cursor to the end: an iterator of the
    /// [`Page`](crate::pagination::Page)s (see [`crate::pagination`]).
    pub fn pages(self) -> StreamIter<'c, Pages<'c, ItemOf<O>>> {
        let runtime = &self.client.runtime;
        StreamIter::new(walk_pages(self), runtime)
    }

    /// Sends the call page by page, following the cursor to the end: an iterator of the items
    /// of every page (see [`crate::pagination`]).
    pub fn items(self) -> StreamIter<'c, Items<'c, ItemOf<O>>> {
        let runtime = &self.client.runtime;
        StreamIter::new(items_of(walk_pages(self)), runtime)
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

impl<T: serde::de::DeserializeOwned + Send + 'static> BlockingResponse for Json<T> {
    type BlockingOutput = Response<T>;

    fn blocking(output: Response<T>, _runtime: Arc<Runtime>) -> Response<T> {
        output
    }
}

impl BlockingResponse for Empty {
    type BlockingOutput = Response<()>;

    fn blocking(output: Response<()>, _runtime: Arc<Runtime>) -> Response<()> {
        output
    }
}

impl<E: SseEvent> BlockingResponse for Events<E> {
    type BlockingOutput = EventIter<E>;

    fn blocking(stream: EventStream<E>, runtime: Arc<Runtime>) -> EventIter<E> {
        EventIter::new(stream, runtime)
    }
}

impl<T: serde::de::DeserializeOwned + Send + 'static, E: SseEvent> BlockingResponse
    for JsonOrEvents<T, E>
{
    type BlockingOutput = JsonOrStream<Response<T>, EventIter<E>>;

    fn blocking(
        output: JsonOrStream<Response<T>, EventStream<E>>,
        runtime: Arc<Runtime>,
    ) -> Self::BlockingOutput {
        match output {
            JsonOrStream::Json(value) => JsonOrStream::Json(value),
            JsonOrStream::Stream(stream) => JsonOrStream::Stream(EventIter::new(stream, runtime)),
        }
    }
}

/// The events of a blocking stream: an `Iterator<Item = Result<E, Error>>`, with the same rules
/// as [`EventStream`]. Dropping it closes the connection.
pub struct EventIter<E> {
    stream: Option<EventStream<E>>,
    /// The stream's metadata, kept after the stream ends.
    meta: crate::core::response::ResponseMeta,
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
    fn new(stream: EventStream<E>, runtime: Arc<Runtime>) -> Self {
        EventIter {
            meta: stream.meta().clone(),
            stream: Some(stream),
            runtime,
        }
    }

    /// The metadata of the stream's response: status, headers, request id, the attempts it took
    /// to start, the time until its headers arrived (see [`EventStream::meta`]).
    pub fn meta(&self) -> &crate::core::response::ResponseMeta {
        &self.meta
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

#[cfg(friendli_has = "chat_folding")]
impl<E: crate::extras::chat::ChatEvent> EventIter<E> {
    /// Reads the rest of the stream and folds it into a [`CollectedChat`](crate::extras::chat::CollectedChat).
    pub fn collect_chat(self) -> Result<crate::extras::chat::CollectedChat> {
        self.with_stream(EventStream::collect_chat)
    }
}

#[cfg(friendli_has = "completions_folding")]
impl EventIter<crate::events::CompletionsStreamEvent> {
    /// Reads the rest of the stream and folds it into the result `complete()` would have
    /// returned (see [`EventStream::collect_completions`]).
    pub fn collect_completions(self) -> Result<crate::extras::completions::CollectedCompletions> {
        self.with_stream(EventStream::collect_completions)
    }
}

impl<E: TextEvent> EventIter<E> {
    /// Only the text the model writes, one non-empty piece per event that adds some, and the
    /// usage the stream reports (see [`EventStream::text_deltas`]).
    pub fn text_deltas(self) -> TextDeltaIter<E> {
        TextDeltaIter {
            events: self,
            usage: None,
        }
    }
}

/// The text of a blocking stream, one non-empty piece at a time ([`EventIter::text_deltas`]):
/// an `Iterator<Item = Result<String>>` that also keeps the stream's usage.
pub struct TextDeltaIter<E> {
    events: EventIter<E>,
    usage: Option<Usage>,
}

impl<E> fmt::Debug for TextDeltaIter<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextDeltaIter")
            .field("events", &self.events)
            .field("usage", &self.usage)
            .finish()
    }
}

impl<E: TextEvent> TextDeltaIter<E> {
    /// The token usage the stream has reported so far (see
    /// [`TextDeltas::usage`](crate::text::TextDeltas::usage)).
    pub fn usage(&self) -> Option<Usage> {
        self.usage
    }
}

impl<E: TextEvent> Iterator for TextDeltaIter<E> {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Result<String>> {
        loop {
            let event = match self.events.next()? {
                Ok(event) => event,
                Err(error) => return Some(Err(error)),
            };
            if let Some(text) = text_and_usage(&event, &mut self.usage) {
                return Some(Ok(text));
            }
        }
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
    fn new(stream: S, runtime: &'c Arc<Runtime>) -> Self {
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
