//! # friendli
//!
//! The Rust SDK of the [Friendli](https://friendli.ai) API: chat and completions, tokenization,
//! messages, responses, embeddings, images, audio, on serverless, dedicated and self-hosted
//! container endpoints; dedicated endpoint management, files, datasets, cost and usage; and
//! **tool-assisted chat**, in which the Friendli server runs built-in tools (`math:calculator`,
//! `web:search`, …) and streams their progress between the tokens.
//!
//! ```no_run
//! use friendli::prelude::*;
//!
//! # async fn example() -> friendli::Result<()> {
//! let client = Client::from_env()?; // FRIENDLI_TOKEN
//! let request = ChatRequest::builder()
//!     .model("meta-llama-3.1-8b-instruct")
//!     .messages(vec![Message::user("Why is the sky blue?")]);
//!
//! let mut text = client.serverless().chat().stream(request).await?.text_deltas();
//! while let Some(piece) = text.next().await {
//!     print!("{}", piece?);
//! }
//!
//! // Tool-assisted chat: the server runs built-in tools and streams their progress.
//! let request = ToolAssistedChatRequest::builder()
//!     .model("meta-llama-3.1-8b-instruct")
//!     .messages(vec![Message::user("What is 3 + 6?")])
//!     .tools(vec![ToolAssistedChatTool::calculator()]);
//! let mut events = client.serverless().tool_assisted_chat().stream(request).await?;
//! while let Some(event) = events.next().await {
//!     match event? {
//!         ToolAssistedChatEvent::ToolStatus(status) => println!("[{} {}]", status.name, status.status),
//!         ToolAssistedChatEvent::Chunk(chunk) => print!("{}", chunk.choices[0].delta.content.as_deref().unwrap_or("")),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! ## What is where
//!
//! - [`Client`] and [`ClientBuilder`]: token, base URL, container URL, team, timeouts, retries,
//!   your own `reqwest::Client`.
//! - The namespaces, generated from the API document as in FriendliAI's own SDKs:
//!   `client.serverless().chat().complete(request)`, `client.dedicated().endpoint().get_status(id)`,
//!   `client.container().token().tokenize(request)`, `client.dataset()…`, `client.file()…` (see
//!   [`namespaces`]). Every call takes per-call options ([`CallOptions`]: retries, timeout,
//!   headers, team, …) before it is awaited; what it gives carries the status, headers,
//!   request id and attempts of its answer ([`Response`], `EventStream::meta`).
//! - [`operations`]: one type per operation of the API, and [`Client::call`] to send any of them
//!   ([`Call`]; [`operation`] says what an operation is).
//! - [`pagination`]: every list operation as a stream of its items (`.items()`) or pages
//!   (`.pages()`), following the cursor to the end.
//! - [`types`]: every request and response type, generated from the API document (a field added
//!   there reaches you with no other change), with one request type per kind of request for all
//!   APIs ([`types::ChatRequest`], [`types::MessagesRequest`], …). [`ext`] adds constructors such
//!   as `Message::user` and `ToolAssistedChatTool::calculator` through extension traits, which
//!   [`prelude`] imports.
//! - [`EventStream`]: the events of a streamed call, typed per operation ([`events`]);
//!   `text_deltas()` keeps only the generated text ([`text`]); [`chat`] and [`completions`] fold
//!   streams into the result `complete()` returns.
//! - [`structured`]: `ResponseFormat::json_schema_for::<T>()` and `parse::<T>()`;
//!   [`embeddings`] (feature `dedicated`): vectors as `f32`, from floats or base64.
//! - [`endpoints`] (feature `dedicated`): `wait_until_running()`, which polls a dedicated
//!   endpoint's status until it runs, fails or a deadline passes.
//! - [`files`] (feature `platform`): `client.file().upload(path, project_id)`, a file uploaded
//!   in one call (registered, streamed to storage with progress, completed);
//!   [`datasets`]: dataset samples made from chat messages, JSON Lines files of samples.
//! - [`tools`]: local function tools and `run()`, the loop that runs them.
//! - [`Error`]: one error type; API errors keep status, body, headers and request id; the details
//!   are in [`error`].
//! - [`observe`]: the metadata every result carries ([`Response`], `EventStream::meta`), rate
//!   limits, the `tracing` spans of calls in the OpenTelemetry GenAI conventions, and hooks run
//!   before and after every attempt.
//! - [`RetryConfig`]: exponential backoff with jitter, `Retry-After` aware, on by default
//!   ([`retry`]). [`client`] has the defaults and the environment variables.
//! - [`sse`]: the event-stream decoder underneath, usable on its own.
//! - `blocking` (feature `blocking`): the same API for programs without an async runtime.
//!
//! ## Features
//!
//! - `serverless` (default), `dedicated`, `container`, `platform` (files, datasets, cost, usage):
//!   the groups of operations compiled in; `full` enables all four. Each group costs build time
//!   (its generated types), so enable what you use.
//! - `rustls-ring` (default): TLS through rustls with the `ring` provider, configured per client;
//!   it builds much faster than `aws-lc-rs`, and has no post-quantum key exchange (for which
//!   rustls 0.23.48 deprecates it). It turns on reqwest's `rustls-no-provider`: if your program
//!   builds `reqwest::Client`s of its own and nothing else gives reqwest a TLS provider, install
//!   one first (`CryptoProvider::install_default`), or use `rustls` instead: rustls with
//!   reqwest's default provider, `aws-lc-rs`, with post-quantum key exchange. `native-tls`: the
//!   platform's TLS.
//! - `http2`: HTTP/2 offered beside HTTP/1.1, so that concurrent streams share one connection.
//!   Off by default, as in the official SDKs: HTTP/1.1 serves a stream per connection well, and
//!   HTTP/2 costs build time.
//! - `json-schema`: `schemars::JsonSchema` on every type of [`types`] (off by default; it costs
//!   about a third of the compile time of the generated types).
//! - `blocking`: `friendli::blocking::Client`, for programs without an async runtime.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// The crate docs link to the extras of every group of operations. With a group off, those links
// have nothing to point at; the docs are checked with every group on (`--features full` and
// `--all-features` in `.ci/run`; docs.rs), where a broken link is still an error.
#![cfg_attr(not(feature = "full"), allow(rustdoc::broken_intra_doc_links))]

// The floors of the crate, from the ground up: `core` (the one road to the wire: client,
// operations, calls, transport, response readers, retries, errors), `stream` (event streams over
// the SSE decoder), the generated operations, events and namespaces, `extras` (what is written
// by hand for some operations: folding, tools, uploads, waiting, paging), and `blocking`.
mod core;
mod extras;
pub mod stream;
pub mod types;

pub use self::core::{call, client, error, observe, operation, response, retry};
pub use self::stream::sse;
#[cfg(friendli_has = "chat_folding")]
pub use extras::chat;
#[cfg(friendli_has = "completions_folding")]
pub use extras::completions;
#[cfg(friendli_has = "dataset_samples")]
pub use extras::datasets;
#[cfg(friendli_has = "embeddings")]
pub use extras::embeddings;
#[cfg(friendli_has = "endpoint_readiness")]
pub use extras::endpoints;
#[cfg(friendli_has = "file_upload")]
pub use extras::files;
#[cfg(friendli_has = "structured_output")]
pub use extras::structured;
#[cfg(friendli_has = "tool_loop")]
pub use extras::tools;
pub use extras::{ext, pagination, text};

/// One type per operation of the API (generated from its document by `cargo xtask generate`).
#[rustfmt::skip]
#[path = "generated/operations.rs"]
pub mod operations;

/// The event types of the API's event streams (generated from its document).
#[rustfmt::skip]
#[path = "generated/events.rs"]
pub mod events;

/// The namespaces of the client (generated from the operation names of the API document).
#[rustfmt::skip]
#[path = "generated/namespaces.rs"]
pub mod namespaces;

#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;

/// The low-level clients generated by progenitor, one per group of operations: one `async`
/// method per operation taking its parameters in order, then the body by reference
/// (`low.serverless_chat_complete(None, &body).await`), with no retries. Reach them configured
/// from a [`Client`] with [`Client::low_level`].
pub mod low_level {
    #[cfg(feature = "container")]
    pub use friendli_gen::container;
    #[cfg(feature = "dedicated")]
    pub use friendli_gen::dedicated;
    #[cfg(feature = "platform")]
    pub use friendli_gen::platform;
    #[cfg(feature = "serverless")]
    pub use friendli_gen::serverless;
    pub use friendli_gen::{RequestDefaults, shared};
}

pub use self::core::call::Call;
pub use self::core::client::{Client, ClientBuilder};
pub use self::core::error::{Error, Result};
pub use self::core::operation::Operation;
pub use self::core::options::CallOptions;
pub use self::core::response::Response;
pub use self::core::retry::RetryConfig;
pub use self::stream::EventStream;

/// The `schemars` this crate reads JSON Schemas with (version 1). The argument types of local
/// function tools and of structured output derive `schemars::JsonSchema`: depend on
/// `schemars = "1"` and write `#[derive(serde::Deserialize, schemars::JsonSchema)]`.
pub use schemars;

/// What a typical program needs, in one `use friendli::prelude::*;`: the client, the error, the
/// request and event types of a first chat, and (unnamed) the traits whose methods the crate's
/// calls and types offer: the per-call options, the constructors of messages and tools, the
/// readers of results and streams, and `next()` on streams.
pub mod prelude {
    #[cfg(friendli_has = "ChatRequest")]
    pub use crate::types::ChatRequest;
    #[cfg(friendli_has = "CompletionsRequest")]
    pub use crate::types::CompletionsRequest;
    #[cfg(friendli_has = "MessagesRequest")]
    pub use crate::types::MessagesRequest;
    #[cfg(friendli_has = "ResponsesRequest")]
    pub use crate::types::ResponsesRequest;
    #[cfg(friendli_has = "crate_names")]
    pub use crate::types::{ChatResult, FunctionTool, Message, ToolChoice, UserContentPart};
    pub use crate::{CallOptions, Client, ClientBuilder, Error, EventStream, RetryConfig};

    #[cfg(friendli_has = "chat_events")]
    pub use crate::events::ChatStreamEvent;
    #[cfg(friendli_has = "tool_assisted_names")]
    pub use crate::events::ToolAssistedChatEvent;
    #[cfg(friendli_has = "tool_loop")]
    pub use crate::tools::Tools;
    #[cfg(friendli_has = "tool_assisted_names")]
    pub use crate::types::{ToolAssistedChatRequest, ToolAssistedChatTool};

    #[cfg(friendli_has = "chat_folding")]
    pub use crate::chat::ChatEvent as _;
    #[cfg(friendli_has = "embeddings")]
    pub use crate::embeddings::{EmbeddingExt as _, EmbeddingsResultExt as _};
    #[cfg(friendli_has = "endpoint_readiness")]
    pub use crate::endpoints::EndpointStatusExt as _;
    #[cfg(friendli_has = "builders_tool_assisted")]
    pub use crate::ext::ToolExt as _;
    #[cfg(friendli_has = "builders")]
    pub use crate::ext::{
        ChatResultExt as _, MessageExt as _, SeedExt as _, ToolChoiceExt as _,
        UserContentPartExt as _,
    };
    pub use crate::ext::{FunctionToolExt as _, InstructionExt as _, TurnExt as _, WireName as _};
    #[cfg(friendli_has = "structured_output")]
    pub use crate::structured::{ParseAnswer as _, ResponseFormatExt as _};
    pub use crate::text::TextEvent as _;
    /// `next()` and the other combinators of [`EventStream`].
    pub use futures::StreamExt as _;
}

/// The repository's README, compiled as a doc test.
#[cfg(all(doctest, feature = "serverless", friendli_has = "tool_assisted_names"))]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

/// This crate's README, compiled as a doc test.
#[cfg(all(doctest, feature = "serverless", friendli_has = "tool_assisted_names"))]
#[doc = include_str!("../README.md")]
struct CrateReadmeDoctests;
