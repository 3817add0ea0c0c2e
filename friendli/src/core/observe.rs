//! Seeing what the SDK does: the metadata of every result, rate limits, spans in the
//! OpenTelemetry GenAI conventions, and hooks around every attempt.
//!
//! # The metadata of every result
//!
//! Every call gives its metadata with its result, in one step, on the async and the blocking
//! client alike:
//!
//! - a JSON answer is a [`Response<T>`](crate::Response): it dereferences to the answer
//!   (`answer.choices`), [`into_inner`](crate::Response::into_inner) takes the answer out, and
//!   [`meta`](crate::Response::meta) (or its shortcuts) gives the [`ResponseMeta`];
//! - a stream is an [`EventStream`](crate::EventStream) (an
//!   `EventIter` on the blocking client), with
//!   [`meta`](crate::EventStream::meta);
//! - the calls made of several requests report the metadata of their last response: a
//!   collected stream ([`CollectedChat::meta`](crate::chat::CollectedChat::meta)), the tool loop
//!   ([`RunResult::meta`](crate::tools::RunResult::meta)), an upload and a wait for an endpoint
//!   (a `Response`), a page of a list ([`Page::meta`](crate::pagination::Page::meta));
//! - an error has the same questions answered: [`Error::status`](crate::Error::status),
//!   [`Error::request_id`](crate::Error::request_id), [`Error::attempts`](crate::Error::attempts),
//!   [`Error::rate_limit`](crate::Error::rate_limit), and the headers of its
//!   [`ApiError`](crate::error::ApiError).
//!
//! [`ResponseMeta`] holds the status, the headers, the request id, every failed attempt before
//! the answer, the time it took, and the rate limits ([`RateLimit`]) the response announced.
//! The API may send no rate-limit headers at all: `rate_limit()` is then `None`.
//!
//! ```no_run
//! # async fn example(client: friendli::Client, request: friendli::types::ServerlessChatCompletionBody) -> friendli::Result<()> {
//! let answer = client.serverless().chat().complete(request).await?;
//! let meta = answer.meta();
//! println!("{} in {:?} after {} attempt(s), request id {:?}, rate limits {:?}",
//!     meta.status(), meta.elapsed(), meta.attempts(), meta.request_id(), meta.rate_limit());
//! # Ok(()) }
//! ```
//!
//! # Spans
//!
//! Every call opens one [`tracing`] span, `friendli.call` (target `friendli`, level `INFO`), for all its
//! attempts; a stream keeps it open until the stream ends (its end, an error such as a
//! truncation, or being dropped). The span's fields follow the OpenTelemetry semantic conventions
//! for generative AI and HTTP clients, so that `tracing-opentelemetry` exports them as the
//! attributes an OpenTelemetry backend knows (`examples/observability.rs` shows the export):
//!
//! | field | value |
//! |---|---|
//! | `otel.name`, `otel.kind`, `otel.status_code` | `"chat meta-llama-3.1-8b-instruct"` (the operation and the model; the operation id for the others), `client`, `error` on failure |
//! | `gen_ai.system` | `friendli` |
//! | `gen_ai.operation.name` | `chat`, `text_completion`, `embeddings` (inference operations only: [`OperationInfo::gen_ai_operation`](crate::operation::OperationInfo::gen_ai_operation)) |
//! | `gen_ai.request.model` | the request's `model` (the endpoint id, for dedicated endpoints) |
//! | `gen_ai.request.temperature`, `.top_p`, `.top_k`, `.max_tokens`, `.frequency_penalty`, `.presence_penalty`, `.seed`, `.stop_sequences`, `.choice.count` | the sampling parameters the request sets (only those) |
//! | `gen_ai.response.id`, `gen_ai.response.model`, `gen_ai.response.finish_reasons` | from the answer (or the events) |
//! | `gen_ai.usage.input_tokens`, `gen_ai.usage.output_tokens` | when the answer reports usage (a chat stream does when asked with `stream_options.include_usage`) |
//! | `server.address`, `server.port`, `http.request.method`, `http.response.status_code` | the server, the method, the status of the last attempt |
//! | `error.type` | the status of an error answer, or the kind of failure (`timeout`, `transport`, `truncated`, …) |
//! | `friendli.operation`, `friendli.attempts`, `friendli.failed_attempts`, `friendli.request_id` | the `operationId`, how many attempts, the failures before the answer (`503,429`), the server's request id |
//! | `friendli.stream.time_to_first_event_ms`, `friendli.stream.events`, `friendli.stream.end` | for a stream: the time from the start of the call to its first event, how many events it delivered, and how it ended: `completed`, `truncated`, `error` or `dropped` |
//!
//! Each retry is an `INFO` event inside the span ("attempt failed; retrying", with the attempt,
//! the status, the request id and the delay).
//!
//! **What is never recorded:** the API token (it is not in the URL, and headers are not
//! recorded), and what was said: no prompt, no answer, no tool argument. To record the prompt
//! and the answer too, opt in with
//! [`ClientBuilder::trace_content`](crate::ClientBuilder::trace_content): the span then gets
//! `INFO` events with the target `friendli::content`, carrying `gen_ai.input.messages` (the
//! request's `messages`, `prompt` or `input`, as JSON) and `gen_ai.output.messages` (the answer's
//! `choices`, `content` or `output`; for a stream, the text of each choice).
//!
//! **What a span costs.** With no subscriber, or one that does not want `INFO` spans of the
//! target `friendli`, the span is disabled and the SDK reads nothing for it: no second parse of the
//! request or the answer (see PERFORMANCE.md for the measurements). When the span is wanted, the
//! facts are read from the bytes already in hand: the request body, the answer's body, and of a
//! stream's events only those that can hold a fact (the first, and those that mention `usage` or
//! a finish reason).
//!
//! # Hooks
//!
//! A [`Hook`] runs code of yours around every attempt of every call of a client (register it
//! with [`ClientBuilder::hook`](crate::ClientBuilder::hook)):
//! [`before_attempt`](Hook::before_attempt), async, with the request ([`AttemptRequest`]) to
//! change; [`after_attempt`](Hook::after_attempt), with what came of it ([`AttemptOutcome`]:
//! status, headers, elapsed time, the error). [`before_attempt()`] and [`after_attempt()`] make a
//! hook of a closure. That covers what users ask middleware for:
//!
//! - **token refresh**: set a fresh token before an attempt
//!   ([`AttemptRequest::set_bearer_token`]); notice a 401 after one, and (with 401 among the
//!   retry policy's statuses) the retry carries the new token (`examples/hooks.rs`);
//! - **request signing**: the method, URL, headers and JSON body are there to sign;
//! - **metrics**: every attempt's operation, status, duration and outcome.
//!
//! Why a trait with two methods, and not a tower `Layer` (async-openai's `with_http_service`) or
//! a pre-hook only (progenitor's `pre_hook` and `ClientHooks`):
//!
//! - The attempts, their retries and their timeouts already belong to the SDK: one retry driver
//!   decides from the status, the headers and the body, and streams are retried only until they
//!   start. A tower service that wraps the transport would sit under that driver and see each
//!   attempt anyway, but it has to be written as a `Service` (poll_ready, a boxed future, an
//!   error type to convert), and replacing the stack, as async-openai's users learn, drops the
//!   retries unless they are added back. A hook sees the same attempts with none of that, and
//!   needs no `tower` dependency.
//! - progenitor's `pre` hook sees the whole `reqwest::Request`, token included, and its `post`
//!   hook sees the raw `reqwest::Result`. Here the request a hook sees has no token unless the
//!   hook set one, and the outcome is the SDK's: the status and headers of an error answer, and
//!   the [`Error`](crate::Error) the retry policy will judge.
//! - `before_attempt` is async because a token refresh usually asks another server;
//!   `after_attempt` is synchronous because counting and timing should not wait.
//!
//! What a hook cannot do: replace the transport, answer for the server, or decide retries (the
//! retry policy does, from what the attempt gave). Hooks run on requests to the Friendli API;
//! not on the upload of a file's bytes to the storage server its upload URL names (which must
//! not get the API's headers), nor on the calls of [`Client::low_level`](crate::Client::low_level).

pub use crate::core::hooks::{
    AfterAttempt, AttemptOutcome, AttemptRequest, BeforeAttempt, Hook, HookFuture, after_attempt,
    before_attempt,
};
pub use crate::core::ratelimit::{Quota, RateLimit};
pub use crate::core::response::ResponseMeta;
