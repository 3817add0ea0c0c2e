//! Friendli event streams: typed events, and folding a stream into a [`ChatResult`].

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{
    ApiError, BoxError, Error, StreamTruncated, TimeoutError, TimeoutKind, TransportPhase,
};
use crate::sse::{self, Decoder, EventRef};
use crate::types::{
    BuiltInToolName, ChatResult, FinishReason, StreamedChatData, ToolStatus, ToolStatusData,
    ToolStatusError, ToolStatusFile, ToolStatusParameter,
};

/// One event of a tool-assisted chat stream.
///
/// The SSE event name decides the variant: events without a name (or named `message`) carry a
/// [`StreamedChatData`] chunk, `tool_status` events a [`ToolStatusData`]. Events with other
/// names are passed on as [`StreamEvent::Unknown`] rather than dropped, so that a server newer
/// than this SDK cannot break a stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StreamEvent {
    /// New tokens: content, reasoning or function-call fragments, a finish reason, or usage.
    Chunk(StreamedChatData),
    /// Progress of a built-in tool run on the server. (Boxed: it is twice the size of a chunk
    /// and twenty times rarer, so every chunk moves half the bytes.)
    ToolStatus(Box<ToolStatusData>),
    /// An event this SDK does not know, kept as it arrived.
    Unknown(UnknownEvent),
}

/// An event with a name this SDK does not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownEvent {
    /// The SSE event name.
    pub event: String,
    /// The raw data.
    pub data: String,
    /// The last event id of the stream, if any.
    pub id: Option<String>,
}

impl StreamEvent {
    /// The text this event adds to the answer of choice `index`, if any.
    pub fn content(&self, index: i64) -> Option<&str> {
        match self {
            StreamEvent::Chunk(chunk) => chunk
                .choices
                .iter()
                .find(|c| c.index == index)
                .and_then(|c| c.delta.content.as_deref()),
            _ => None,
        }
    }
}

type Body = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send>>;

/// What a chunk event is called in decode errors.
const CHUNK_EVENT: &str = "a chunk event (StreamedChatData)";

/// The `[DONE]` event, which ends a stream.
fn is_done(event: &EventRef<'_>) -> bool {
    event.data == b"[DONE]"
}

fn api_error(status: StatusCode, headers: &HeaderMap, event: &EventRef<'_>) -> Error {
    Error::Api(Box::new(ApiError::new(
        status,
        headers.clone(),
        event.data_bytes(),
        true,
    )))
}

/// An event that did not decode: an error payload becomes an API error, anything else a
/// decode error with the raw data.
fn undecodable(
    status: StatusCode,
    headers: &HeaderMap,
    event: &EventRef<'_>,
    what: &str,
    error: serde_json::Error,
) -> Error {
    let is_error_payload = serde_json::from_slice::<Value>(event.data)
        .ok()
        .is_some_and(|v| v.get("error").is_some() && v.get("choices").is_none());
    if is_error_payload {
        api_error(status, headers, event)
    } else {
        Error::decode(what, event.data_bytes(), Some(error))
    }
}

/// What is left of the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading.
    Open,
    /// The body ended; handing back what the decoder still holds.
    Draining,
    /// Finished: `[DONE]`, or an error was yielded.
    Closed,
}

/// The events of a streamed tool-assisted chat: a `Stream<Item = Result<StreamEvent, Error>>`.
///
/// - It ends (`None`) after the `[DONE]` event; anything the server sends after it is ignored.
/// - If the stream ends before `[DONE]`, every event that did arrive is yielded first, then
///   [`Error::StreamTruncated`]. A connection reset likewise yields the events that arrived, then
///   [`Error::Transport`].
/// - An error payload inside the stream becomes [`Error::Api`] (with `in_stream` set).
/// - The read timeout bounds the silence between chunks, not the length of the stream.
/// - After an error the stream yields `None`.
/// - Dropping it closes the connection.
///
/// Fold it into the [`ChatResult`] that `complete()` returns with
/// [`collect_chat`](Self::collect_chat), or keep only the text with
/// [`text_deltas`](Self::text_deltas).
pub struct EventStream {
    body: Option<Body>,
    decoder: Decoder,
    read_timeout: Option<Duration>,
    idle: Option<Pin<Box<tokio::time::Sleep>>>,
    state: State,
    delivered: u64,
    status: StatusCode,
    headers: HeaderMap,
}

impl fmt::Debug for EventStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("status", &self.status)
            .field("request_id", &self.request_id())
            .field("state", &self.state)
            .field("delivered", &self.delivered)
            .finish_non_exhaustive()
    }
}

impl EventStream {
    pub(crate) fn new(
        response: reqwest::Response,
        read_timeout: Option<Duration>,
        max_event_size: usize,
    ) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let body = futures::TryStreamExt::map_err(response.bytes_stream(), BoxError::from);
        Self::from_parts(
            Box::pin(body),
            status,
            headers,
            read_timeout,
            max_event_size,
        )
    }

    fn from_parts(
        body: Body,
        status: StatusCode,
        headers: HeaderMap,
        read_timeout: Option<Duration>,
        max_event_size: usize,
    ) -> Self {
        EventStream {
            body: Some(body),
            // Every payload's UTF-8 is checked once, in one pass, where it is decoded (`map`,
            // `crate::json::from_slice`); the decoder need not check it too.
            decoder: Decoder::with_max_event_size(max_event_size).check_data_utf8(false),
            read_timeout,
            idle: read_timeout.map(|d| Box::pin(tokio::time::sleep(d))),
            state: State::Open,
            delivered: 0,
            status,
            headers,
        }
    }

    /// An event stream over any byte stream, e.g. a recorded transcript or a body read by other
    /// means. An error of the byte stream ends the event stream with [`Error::Transport`]. There
    /// is no read timeout; the status is reported as 200.
    pub fn from_byte_stream<S, E>(bytes: S) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        use futures::TryStreamExt;
        Self::from_parts(
            Box::pin(bytes.map_err(Into::into)),
            StatusCode::OK,
            HeaderMap::new(),
            None,
            sse::DEFAULT_MAX_EVENT_SIZE,
        )
    }

    /// The HTTP status of the stream's response.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers of the stream's response.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request id the server assigned, if any.
    pub fn request_id(&self) -> Option<String> {
        crate::error::request_id(&self.headers)
    }

    /// How many events have been yielded so far.
    pub fn events_delivered(&self) -> u64 {
        self.delivered
    }

    /// Reads the whole stream and folds it into the [`ChatResult`] that `complete()` would have
    /// returned, plus the timeline of built-in tool runs.
    pub async fn collect_chat(mut self) -> Result<CollectedChat, Error> {
        use futures::StreamExt;
        let mut accumulator = ChatAccumulator::new();
        while let Some(event) = self.next().await {
            accumulator.push(&event?);
        }
        accumulator.finish()
    }

    /// Only the text the model writes (the `content` deltas of every choice, in order).
    pub fn text_deltas(self) -> impl Stream<Item = Result<String, Error>> + Send {
        use futures::StreamExt;
        self.filter_map(|event| async move {
            match event {
                Ok(StreamEvent::Chunk(chunk)) => {
                    let text: String = chunk
                        .choices
                        .iter()
                        .filter_map(|c| c.delta.content.as_deref())
                        .collect();
                    (!text.is_empty()).then_some(Ok(text))
                }
                Ok(_) => None,
                Err(error) => Some(Err(error)),
            }
        })
    }

    fn close(&mut self) {
        self.state = State::Closed;
        self.body = None;
        self.idle = None;
    }

    fn fail(&mut self, error: Error) -> Poll<Option<Result<StreamEvent, Error>>> {
        self.close();
        Poll::Ready(Some(Err(error)))
    }

    /// Maps a decoded event (not `[DONE]`).
    #[inline]
    fn map(
        status: StatusCode,
        headers: &HeaderMap,
        event: &EventRef<'_>,
    ) -> Result<StreamEvent, Error> {
        let data = event.data;
        match event.event {
            None | Some("message") | Some("") => {
                match crate::json::from_slice::<StreamedChatData>(data) {
                    Ok(chunk) => Ok(StreamEvent::Chunk(chunk)),
                    Err(error) => Err(undecodable(status, headers, event, CHUNK_EVENT, error)),
                }
            }
            Some("tool_status") => match crate::json::from_slice::<ToolStatusData>(data) {
                Ok(status) => Ok(StreamEvent::ToolStatus(Box::new(status))),
                Err(error) => Err(undecodable(
                    status,
                    headers,
                    event,
                    "a tool_status event (ToolStatusData)",
                    error,
                )),
            },
            Some("error") => Err(api_error(status, headers, event)),
            Some(other) => {
                // Not decoded as JSON: check its UTF-8 here.
                let data = std::str::from_utf8(data).map_err(|_| {
                    Error::protocol(format!("the data of a {other:?} event is not valid UTF-8"))
                })?;
                Ok(StreamEvent::Unknown(UnknownEvent {
                    event: other.to_owned(),
                    data: data.to_owned(),
                    id: event.id().map(str::to_owned),
                }))
            }
        }
    }

    fn truncated(&self, partial: Bytes) -> Error {
        Error::StreamTruncated(StreamTruncated {
            events_delivered: self.delivered,
            partial,
        })
    }
}

impl Stream for EventStream {
    type Item = Result<StreamEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            match this.state {
                State::Closed => return Poll::Ready(None),
                State::Draining => {
                    // The body ended. Anything left is an event without its final blank line.
                    let (status, headers) = (this.status, &this.headers);
                    let outcome = match this.decoder.finish_ref() {
                        None => Err(None),
                        Some(Err(error)) => Err(Some(Error::protocol(error.to_string()))),
                        Some(Ok(event)) if is_done(&event) => Ok(None),
                        Some(Ok(event)) => match Self::map(status, headers, &event) {
                            Ok(item) => Ok(Some(item)),
                            Err(_) => Err(Some(Error::StreamTruncated(StreamTruncated {
                                events_delivered: this.delivered,
                                partial: event.data_bytes(),
                            }))),
                        },
                    };
                    return match outcome {
                        Ok(None) => {
                            this.close();
                            Poll::Ready(None)
                        }
                        Ok(Some(item)) => {
                            this.delivered += 1;
                            Poll::Ready(Some(Ok(item)))
                        }
                        Err(Some(error)) => this.fail(error),
                        Err(None) => {
                            let error = this.truncated(Bytes::new());
                            this.fail(error)
                        }
                    };
                }
                State::Open => {}
            }

            let (status, headers) = (this.status, &this.headers);
            match this.decoder.next_event_ref() {
                Some(Ok(event)) => {
                    if is_done(&event) {
                        this.close();
                        return Poll::Ready(None);
                    }
                    // The common case (a chunk), decoded straight into the value returned:
                    // one 144-byte move less per event than going through `map`.
                    if event.event.is_none() {
                        let error = match crate::json::from_slice::<StreamedChatData>(event.data) {
                            Ok(chunk) => {
                                this.delivered += 1;
                                return Poll::Ready(Some(Ok(StreamEvent::Chunk(chunk))));
                            }
                            Err(error) => undecodable(status, headers, &event, CHUNK_EVENT, error),
                        };
                        return this.fail(error);
                    }
                    let item = Self::map(status, headers, &event);
                    match &item {
                        Ok(_) => this.delivered += 1,
                        Err(_) => this.close(),
                    }
                    return Poll::Ready(Some(item));
                }
                Some(Err(error)) => return this.fail(Error::protocol(error.to_string())),
                None => {}
            }

            let Some(body) = this.body.as_mut() else {
                this.state = State::Draining;
                continue;
            };
            match body.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(bytes))) => {
                    this.decoder.feed(bytes);
                    if let (Some(idle), Some(limit)) = (this.idle.as_mut(), this.read_timeout) {
                        idle.as_mut().reset(tokio::time::Instant::now() + limit);
                    }
                }
                Poll::Ready(Some(Err(error))) => {
                    return this.fail(Error::transport(TransportPhase::ReadStream, error));
                }
                Poll::Ready(None) => {
                    this.body = None;
                    this.idle = None;
                    this.state = State::Draining;
                }
                Poll::Pending => {
                    if let (Some(idle), Some(limit)) = (this.idle.as_mut(), this.read_timeout)
                        && idle.as_mut().poll(cx).is_ready()
                    {
                        return this.fail(Error::Timeout(TimeoutError {
                            kind: TimeoutKind::Read,
                            after: limit,
                        }));
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

/// A streamed answer folded back into one result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CollectedChat {
    /// The answer, as `complete()` would have returned it.
    pub result: ChatResult,
    /// The built-in tool runs, in the order they started.
    pub tool_runs: Vec<ToolRun>,
    /// Events with names this SDK does not know.
    pub unknown_events: Vec<UnknownEvent>,
    /// Whether the stream reported token usage (`stream_options.include_usage`). When it did
    /// not, `result.usage` is all zeros.
    pub usage_reported: bool,
}

/// One run of a built-in tool, assembled from its `tool_status` events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolRun {
    /// The id shared by the run's events.
    pub tool_call_id: String,
    /// Which tool.
    pub name: BuiltInToolName,
    /// The arguments the model gave it.
    pub parameters: Vec<ToolStatusParameter>,
    /// Every status event, in order.
    pub updates: Vec<ToolRunUpdate>,
    /// The output, when the run ended.
    pub result: Option<String>,
    /// The error, when the run failed.
    pub error: Option<ToolStatusError>,
    /// Files the run produced.
    pub files: Vec<ToolStatusFile>,
}

/// One status event of a [`ToolRun`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolRunUpdate {
    /// The status.
    pub status: ToolStatus,
    /// When, in Unix seconds.
    pub timestamp: f64,
    /// The progress message, if any.
    pub message: Option<String>,
}

impl ToolRun {
    /// The latest status.
    pub fn status(&self) -> Option<&ToolStatus> {
        self.updates.last().map(|u| &u.status)
    }

    /// Seconds from the first to the last status event.
    pub fn duration(&self) -> Option<f64> {
        Some(self.updates.last()?.timestamp - self.updates.first()?.timestamp)
    }
}

#[derive(Default)]
struct ChoiceState {
    role: Option<String>,
    content: Option<String>,
    reasoning: Option<String>,
    tool_calls: BTreeMap<i64, CallState>,
    finish_reason: Option<FinishReason>,
    logprobs: Vec<Value>,
}

#[derive(Default)]
struct CallState {
    id: Option<String>,
    name: String,
    arguments: String,
}

/// Folds events into a [`CollectedChat`] one at a time, for programs that also show the events
/// as they arrive.
///
/// ```no_run
/// # async fn example(mut events: friendli::EventStream) -> Result<(), friendli::Error> {
/// use friendli::prelude::*;
/// let mut accumulator = ChatAccumulator::new();
/// while let Some(event) = events.next().await {
///     let event = event?;
///     if let Some(text) = event.content(0) {
///         print!("{text}");
///     }
///     accumulator.push(&event);
/// }
/// let collected = accumulator.finish()?;
/// # Ok(()) }
/// ```
#[derive(Default)]
pub struct ChatAccumulator {
    id: Option<String>,
    created: Option<i64>,
    model: Option<String>,
    usage: Option<Value>,
    choices: BTreeMap<i64, ChoiceState>,
    runs: Vec<ToolRun>,
    unknown: Vec<UnknownEvent>,
}

impl fmt::Debug for ChatAccumulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatAccumulator")
            .field("id", &self.id)
            .field("choices", &self.choices.len())
            .field("tool_runs", &self.runs.len())
            .finish_non_exhaustive()
    }
}

impl ChatAccumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one event.
    pub fn push(&mut self, event: &StreamEvent) {
        match event {
            StreamEvent::Chunk(chunk) => self.push_chunk(chunk),
            StreamEvent::ToolStatus(status) => self.push_status(status),
            StreamEvent::Unknown(unknown) => self.unknown.push(unknown.clone()),
        }
    }

    fn push_chunk(&mut self, chunk: &StreamedChatData) {
        self.id.get_or_insert_with(|| chunk.id.clone());
        self.created.get_or_insert(chunk.created);
        if self.model.is_none() {
            self.model.clone_from(&chunk.model);
        }
        if let Some(usage) = &chunk.usage {
            self.usage = serde_json::to_value(usage).ok();
        }
        for choice in &chunk.choices {
            let state = self.choices.entry(choice.index).or_default();
            let delta = &choice.delta;
            if state.role.is_none() {
                state.role.clone_from(&delta.role);
            }
            if let Some(text) = &delta.content {
                state.content.get_or_insert_with(String::new).push_str(text);
            }
            if let Some(text) = &delta.reasoning_content {
                state
                    .reasoning
                    .get_or_insert_with(String::new)
                    .push_str(text);
            }
            for call in delta.tool_calls.iter().flatten() {
                let entry = state.tool_calls.entry(call.index).or_default();
                if entry.id.is_none() {
                    entry.id.clone_from(&call.id);
                }
                if let Some(function) = &call.function {
                    if let Some(name) = &function.name {
                        entry.name.push_str(name);
                    }
                    if let Some(arguments) = &function.arguments {
                        entry.arguments.push_str(arguments);
                    }
                }
            }
            if let Some(reason) = &choice.finish_reason
                && !matches!(reason, FinishReason::Unknown(s) if s == "null")
            {
                state.finish_reason = Some(reason.clone());
            }
            if let Some(content) = choice.logprobs.as_ref().and_then(|l| l.content.as_ref()) {
                state
                    .logprobs
                    .extend(content.iter().filter_map(|t| serde_json::to_value(t).ok()));
            }
        }
    }

    fn push_status(&mut self, status: &ToolStatusData) {
        let index = match self
            .runs
            .iter()
            .position(|r| r.tool_call_id == status.tool_call_id)
        {
            Some(index) => index,
            None => {
                self.runs.push(ToolRun {
                    tool_call_id: status.tool_call_id.clone(),
                    name: status.name.clone(),
                    parameters: status.parameters.clone(),
                    updates: Vec::new(),
                    result: None,
                    error: None,
                    files: Vec::new(),
                });
                self.runs.len() - 1
            }
        };
        let run = &mut self.runs[index];
        if !status.parameters.is_empty() {
            run.parameters.clone_from(&status.parameters);
        }
        run.updates.push(ToolRunUpdate {
            status: status.status.clone(),
            timestamp: status.timestamp,
            message: status.message.clone(),
        });
        if status.result.is_some() {
            run.result.clone_from(&status.result);
        }
        if status.error.is_some() {
            run.error.clone_from(&status.error);
        }
        if let Some(files) = &status.files {
            run.files.extend(files.iter().cloned());
        }
    }

    /// The tool runs seen so far.
    pub fn tool_runs(&self) -> &[ToolRun] {
        &self.runs
    }

    /// The folded result. Fails only if the events cannot form a [`ChatResult`] (for example,
    /// no chunk arrived at all).
    pub fn finish(self) -> Result<CollectedChat, Error> {
        let Some(id) = self.id else {
            return Err(Error::protocol(
                "the stream carried no chunk, so there is no answer to fold",
            ));
        };
        let choices: Vec<Value> = self
            .choices
            .into_iter()
            .map(|(index, choice)| {
                let tool_calls: Vec<Value> = choice
                    .tool_calls
                    .into_values()
                    .map(|call| {
                        json!({
                            "id": call.id.unwrap_or_default(),
                            "type": "function",
                            "function": {"name": call.name, "arguments": call.arguments},
                        })
                    })
                    .collect();
                let mut message = json!({
                    "role": choice.role.unwrap_or_else(|| "assistant".to_owned()),
                    "content": choice.content,
                });
                if let Some(reasoning) = choice.reasoning {
                    message["reasoning_content"] = json!(reasoning);
                }
                if !tool_calls.is_empty() {
                    message["tool_calls"] = json!(tool_calls);
                }
                let mut value = json!({
                    "index": index,
                    "message": message,
                    "finish_reason": choice.finish_reason.map_or(json!(""), |r| json!(r)),
                });
                if !choice.logprobs.is_empty() {
                    value["logprobs"] = json!({ "content": choice.logprobs });
                }
                value
            })
            .collect();
        let usage_reported = self.usage.is_some();
        let document = json!({
            "id": id,
            "object": "chat.completion",
            "created": self.created.unwrap_or_default(),
            "model": self.model,
            "choices": choices,
            "usage": self.usage.unwrap_or_else(|| json!({"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0})),
        });
        let result = ChatResult::deserialize(&document).map_err(|e| {
            Error::decode(
                "the folded stream as a ChatResult",
                Bytes::from(document.to_string()),
                Some(e),
            )
        })?;
        Ok(CollectedChat {
            result,
            tool_runs: self.runs,
            unknown_events: self.unknown,
            usage_reported,
        })
    }
}
