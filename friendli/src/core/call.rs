//! One call of any operation: per-call options, then `.await` (or `.send()` on the blocking
//! client).
//!
//! ```no_run
//! # async fn example(client: friendli::Client) -> friendli::Result<()> {
//! use std::time::Duration;
//! use friendli::prelude::*;
//! use friendli::operations;
//!
//! let models = client
//!     .call(operations::ServerlessModelList, ())
//!     .retries(RetryConfig::none())
//!     .timeout(Duration::from_secs(10))
//!     .team("my-team")
//!     .header("x-trace", "abc")
//!     .await?;
//! # let _ = models;
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::core::client::Client;
use crate::core::error::Result;
use crate::core::operation::{
    Operation, Query, RequestBody, ResponseKind, check_required_fields, with_body_fields,
};
use crate::core::options::{CallOptions, CallSettings};
use crate::core::readers::Read;
use crate::core::transport::{Prepared, execute};

/// A call of operation `O` that has not been sent yet, made by a client of kind `C` (the async
/// [`Client`], or the blocking one). Set per-call options ([`CallOptions`]) and the operation's
/// parameters, then `.await` it for the operation's result (`O::Response`'s output: a
/// [`Response`](crate::Response) of the decoded JSON value or of `()`, or an
/// [`EventStream`](crate::stream::EventStream)), which carries the response's metadata: status,
/// headers, request id, attempts, elapsed time. A call of the blocking client is sent with
/// `send()`.
#[must_use = "a call does nothing until it is awaited (or sent, on the blocking client)"]
pub struct Call<'c, O: Operation, C = Client> {
    pub(crate) client: &'c C,
    pub(crate) operation: O,
    pub(crate) body: Result<O::Body>,
    pub(crate) settings: CallSettings,
}

impl<O: Operation, C> fmt::Debug for Call<'_, O, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("operation", &O::INFO.id)
            .field("body_valid", &self.body.is_ok())
            .field("options", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<O: Operation, C> CallOptions for Call<'_, O, C> {
    fn settings(&mut self) -> &mut CallSettings {
        &mut self.settings
    }
}

impl<'c, O: Operation, C: Caller> Call<'c, O, C> {
    pub(crate) fn new(client: &'c C, operation: O, body: Result<O::Body>) -> Self {
        Call {
            client,
            operation,
            body,
            settings: CallSettings::default(),
        }
    }

    /// The operation, with its path and query parameters.
    pub fn operation(&self) -> &O {
        &self.operation
    }

    /// Changes the operation's parameters before the call is sent (the generated setters, such
    /// as `.limit(2)` on a paged list, are shortcuts for this).
    pub fn map_operation(mut self, f: impl FnOnce(O) -> O) -> Self {
        self.operation = f(self.operation);
        self
    }

    /// Changes the body before the call is sent (nothing happens if the body was invalid).
    pub fn map_body(mut self, f: impl FnOnce(&mut O::Body)) -> Self {
        if let Ok(body) = &mut self.body {
            f(body);
        }
        self
    }

    /// The same operation and options with another body (for loops that send several turns).
    #[cfg_attr(not(feature = "serverless"), allow(dead_code))]
    pub(crate) fn with_body(&self, body: O::Body) -> Self
    where
        O: Clone,
    {
        Call {
            client: self.client,
            operation: self.operation.clone(),
            body: Ok(body),
            settings: self.settings.clone(),
        }
    }

    /// The same options for another operation (the tool loop's turns).
    #[cfg_attr(not(friendli_has = "tool_loop"), allow(dead_code))]
    pub(crate) fn rebind<P: Operation>(
        &self,
        operation: P,
        body: Result<P::Body>,
    ) -> Call<'c, P, C> {
        Call {
            client: self.client,
            operation,
            body,
            settings: self.settings.clone(),
        }
    }

    /// The client.
    pub fn client(&self) -> &'c C {
        self.client
    }

    /// Sends the call on the async client underneath (the blocking client drives this on its
    /// runtime); the result carries the response's metadata.
    pub(crate) async fn execute(self) -> Result<<O::Response as ResponseKind>::Output>
    where
        O::Response: Read,
    {
        self.execute_as::<O::Response>().await
    }

    /// Sends the call, reading its answer as `R` instead of the operation's own response kind
    /// (a page of a paged list reads its cursor too).
    pub(crate) async fn execute_as<R: Read>(self) -> Result<R::Output> {
        let client = self.client.async_client();
        let prepared = self.prepare(client, R::ACCEPT)?;
        execute::<R>(&client.inner, prepared).await
    }

    /// Validates and encodes the call for sending: the body (with its `body_field`s and the
    /// `stream` flag the operation sets), the URL with the path and query parameters, the
    /// headers.
    fn prepare(self, client: &Client, accept: &'static str) -> Result<Prepared> {
        let body = self.body?;
        let encoded = with_body_fields(
            body.encode(O::INFO.stream)?,
            &self.settings.body_fields,
            O::INFO.id,
            O::INFO.stream.is_some(),
        )?;
        check_required_fields(&encoded, O::INFO)?;
        let mut query = Query::default();
        self.operation.query(&mut query);
        Prepared::new(
            &client.inner,
            O::INFO,
            &self.operation.path(),
            &query,
            accept,
            encoded,
            self.settings,
        )
    }
}

impl<'c, O: Operation> IntoFuture for Call<'c, O, Client>
where
    O::Response: Read,
{
    type Output = Result<<O::Response as ResponseKind>::Output>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.execute())
    }
}

/// A client that calls are made with: the async [`Client`] (its calls are awaited), or the
/// blocking client (its calls are sent with `send()`). Every call, and every namespace, is
/// written once for both.
pub trait Caller: Sized + Sync {
    /// The async client underneath, which sends the requests.
    #[doc(hidden)]
    fn async_client(&self) -> &Client;
}

impl Caller for Client {
    fn async_client(&self) -> &Client {
        self
    }
}

/// A client that runs calls to their end on a runtime of its own: the blocking client. This is
/// its one blocking path: every `send()` of the blocking client is the async call driven here.
pub trait BlockingCaller: Caller {
    /// Runs `future` to completion on the client's runtime.
    #[doc(hidden)]
    fn block_on<F: Future>(&self, future: F) -> Result<F::Output>;
}

impl Client {
    /// Calls any operation of the API: `operation` is a value of its type in
    /// [`crate::operations`] (carrying its path and query parameters), `body` its request body
    /// (`()` for operations without one; a builder works too). Set per-call options on the
    /// result, then `.await` it.
    ///
    /// ```no_run
    /// # async fn example(client: friendli::Client) -> friendli::Result<()> {
    /// use friendli::prelude::*;
    /// use friendli::operations::ServerlessTokenization;
    /// use friendli::types::TokenizeRequest;
    ///
    /// let body = TokenizeRequest::builder().model("meta-llama-3.1-8b-instruct").prompt("Hello");
    /// let tokens = client.call(ServerlessTokenization, body).await?;
    /// println!("{:?}", tokens.tokens);
    /// # Ok(()) }
    /// ```
    pub fn call<O, B>(&self, operation: O, body: B) -> Call<'_, O>
    where
        O: Operation,
        B: TryInto<O::Body>,
        B::Error: fmt::Display,
    {
        Call::new(self, operation, crate::core::operation::body(body))
    }
}
