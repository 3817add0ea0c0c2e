//! One call of any operation: per-call options, then `.await`.
//!
//! ```no_run
//! # async fn example(client: friendli::Client) -> friendli::Result<()> {
//! use std::time::Duration;
//! use friendli::{RetryConfig, operations};
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
use crate::core::operation::{Operation, RequestBody, ResponseKind};
use crate::core::response::Response;
use crate::core::transport::{CallOptions, Prepared};

/// A call of operation `O` that has not been sent yet. Set per-call options, then `.await` it for
/// the operation's result (`O::Response`'s output: a decoded JSON value, `()`, or an
/// [`EventStream`](crate::EventStream)), or call [`send_with_response`](Self::send_with_response)
/// to keep the response's status, headers and attempt history too.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'c, O: Operation> {
    pub(crate) client: &'c Client,
    pub(crate) operation: O,
    pub(crate) body: Result<O::Body>,
    pub(crate) options: CallOptions,
}

impl<O: Operation> fmt::Debug for Call<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("operation", &O::INFO.id)
            .field("body_valid", &self.body.is_ok())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// The per-call option setters, written once for the async and the blocking call.
macro_rules! call_options {
    ($($options:ident).+) => {
        /// The retry policy of this call, instead of the client's.
        pub fn retries(mut self, retry: $crate::RetryConfig) -> Self {
            self.$($options).+.retry = Some(retry);
            self
        }

        /// A deadline for this call, covering all its attempts. For a stream, it bounds the
        /// time until the stream starts, not the stream itself.
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.$($options).+.timeout = Some(timeout);
            self
        }

        /// Send this call to another server (base URL) than the client's.
        pub fn server_url(mut self, url: impl Into<String>) -> Self {
            self.$($options).+.server_url = Some(url.into());
            self
        }

        /// Run this call as another team (`X-Friendli-Team`), for operations that take a team.
        pub fn team(mut self, team: impl Into<String>) -> Self {
            self.$($options).+.team = Some(team.into());
            self
        }

        /// An extra header for this call. It replaces a header of the same name set by the
        /// client. An invalid name or value, or a header that controls the framing of the
        /// request (`content-length`, `transfer-encoding`, `host`, `connection`), fails the call
        /// with [`Error::InvalidRequest`](crate::Error::InvalidRequest).
        pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.$($options).+.headers.push((name.into(), value.into()));
            self
        }

        /// Sets the top-level field `name` of this call's body to `value`, as given, after the
        /// typed body is serialised; it replaces a field of the same name.
        ///
        /// For what the typed body cannot say: a field this SDK does not know yet, or an
        /// explicit `null` (a typed field that is `None` is left out of the body, which is not
        /// the same as `null` for an operation that clears a setting on `null`). In a
        /// multipart body, the field becomes a part (text for strings, numbers and booleans;
        /// JSON otherwise). A `value` that does not serialise, `null` in a multipart body, a
        /// field for an operation without a body, or `stream` where the call sets it (choose
        /// `complete()` or `stream()` instead) fails the call with
        /// [`Error::InvalidRequest`](crate::Error::InvalidRequest), before anything is sent.
        pub fn body_field(mut self, name: impl Into<String>, value: impl ::serde::Serialize) -> Self {
            let value = ::serde_json::to_value(value).map_err(|e| e.to_string());
            self.$($options).+.body_fields.push((name.into(), value));
            self
        }

        /// The largest response body this call reads (default: the client's,
        /// [`ClientBuilder::max_response_size`](crate::ClientBuilder::max_response_size)).
        pub fn max_response_size(mut self, bytes: usize) -> Self {
            self.$($options).+.max_response_size = Some(bytes);
            self
        }

        /// Retry this call also on failures after which the request may have reached the
        /// server (a connection lost after sending; a 500, 502 or 504), although the operation
        /// creates, deletes or uploads something. Such operations are otherwise retried only
        /// when the server surely did not act on them (a refused connection, 429, 503).
        /// Inference and reads are retried by the policy either way.
        pub fn retry_side_effects(mut self, allow: bool) -> Self {
            self.$($options).+.retry_side_effects = allow;
            self
        }
    };
}
#[allow(unused_imports)]
pub(crate) use call_options;

impl<'c, O: Operation> Call<'c, O> {
    pub(crate) fn new(client: &'c Client, operation: O, body: Result<O::Body>) -> Self {
        Call {
            client,
            operation,
            body,
            options: CallOptions::default(),
        }
    }

    call_options!(options);

    /// The operation, with its path and query parameters.
    pub fn operation(&self) -> &O {
        &self.operation
    }

    /// Changes the operation's parameters before the call is sent.
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

    /// The same operation and options with another body (used by loops that send several
    /// turns).
    #[cfg_attr(not(feature = "serverless"), allow(dead_code))]
    pub(crate) fn with_body(&self, body: O::Body) -> Self
    where
        O: Clone,
    {
        Call {
            client: self.client,
            operation: self.operation.clone(),
            body: Ok(body),
            options: self.options.clone(),
        }
    }

    /// The same options for another operation.
    #[cfg_attr(not(feature = "serverless"), allow(dead_code))]
    pub(crate) fn rebind<P: Operation>(&self, operation: P, body: Result<P::Body>) -> Call<'c, P> {
        Call {
            client: self.client,
            operation,
            body,
            options: self.options.clone(),
        }
    }

    /// The client.
    pub fn client(&self) -> &'c Client {
        self.client
    }

    pub(crate) fn prepare(self) -> Result<(&'c Client, Prepared)> {
        self.prepare_raw(<O::Response as ResponseKind>::ACCEPT, O::INFO.stream)
    }

    /// Prepares the call with this `Accept` and this override of the body's `stream` field.
    pub(crate) fn prepare_raw(
        self,
        accept: &'static str,
        stream: Option<bool>,
    ) -> Result<(&'c Client, Prepared)> {
        let body = self.body?;
        let encoded = crate::core::operation::with_body_fields(
            body.encode(stream)?,
            &self.options.body_fields,
            O::INFO.id,
            stream.is_some(),
        )?;
        let mut query = crate::core::operation::Query::default();
        self.operation.query(&mut query);
        let prepared = Prepared::new(
            &self.client.inner,
            O::INFO,
            &self.operation.path(),
            &query,
            accept,
            encoded,
            self.options,
        )?;
        Ok((self.client, prepared))
    }

    /// Sends the call; the result comes with the response's status, headers and attempts.
    pub async fn send_with_response(self) -> Result<Response<<O::Response as ResponseKind>::Output>>
    where
        O::Response: crate::core::transport::Read,
    {
        let (client, prepared) = self.prepare()?;
        crate::core::transport::execute::<O::Response>(&client.inner, prepared).await
    }
}

impl<'c, O: Operation> IntoFuture for Call<'c, O>
where
    O::Response: crate::core::transport::Read,
{
    type Output = Result<<O::Response as ResponseKind>::Output>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.send_with_response().await.map(Response::into_inner) })
    }
}

/// What the generated namespaces call through: the async [`Client`] (whose calls are awaited) and
/// the blocking client (whose calls are sent with `.send()`).
pub trait Caller: Sized {
    /// The call type this client returns.
    type Call<'c, O: Operation>
    where
        Self: 'c;

    /// Starts a call of `operation` with `body`.
    fn start<'c, O: Operation>(&'c self, operation: O, body: Result<O::Body>) -> Self::Call<'c, O>;
}

impl Caller for Client {
    type Call<'c, O: Operation> = Call<'c, O>;

    fn start<'c, O: Operation>(&'c self, operation: O, body: Result<O::Body>) -> Call<'c, O> {
        Call::new(self, operation, body)
    }
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
    /// use friendli::types::ServerlessTokenizationBody;
    ///
    /// let body = ServerlessTokenizationBody::builder().model("meta-llama-3.1-8b-instruct").prompt("Hello");
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
