//! Chat extras: folding a chat stream into the [`ChatResult`] that `complete()` returns, the
//! timeline of built-in tool runs, the text of a stream, and the single tool-assisted chat
//! operation of the API's first SDK generation.
//!
//! These work on the event types of every chat stream: [`ChatStreamEvent`] (chat completions of
//! the serverless, dedicated and container APIs) and `ToolAssistedChatEvent` (tool-assisted chat,
//! which adds built-in tool statuses).

use std::collections::BTreeMap;
#[cfg(friendli_has = "tool_assisted_chat")]
use std::collections::HashMap;
use std::fmt;
#[cfg(friendli_has = "tool_assisted_chat")]
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::core::error::Error;
use crate::core::response::ResponseMeta;
#[cfg(friendli_has = "chat_events")]
use crate::events::ChatStreamEvent;
#[cfg(friendli_has = "tool_assisted_chat")]
use crate::events::ToolAssistedChatEvent;
use crate::extras::chunk_header::Header;
use crate::stream::{EventStream, SseEvent, UnknownEvent};
use crate::types::{ChatResult, StreamedChatChoiceFinishReason, StreamedChatData};
#[cfg(friendli_has = "tool_assisted_chat")]
use crate::types::{
    ToolStatusData, ToolStatusDataName, ToolStatusDataStatus, ToolStatusError, ToolStatusFile,
    ToolStatusParameter,
};

/// An event of a chat stream: a chunk of the answer, a built-in tool status (tool-assisted chat
/// only), or an event this SDK does not know.
pub trait ChatEvent: SseEvent {
    /// The chunk, if this event is one.
    fn chunk(&self) -> Option<&StreamedChatData>;

    /// The built-in tool status, if this event is one (tool-assisted chat).
    #[cfg(friendli_has = "tool_assisted_chat")]
    fn tool_status(&self) -> Option<&ToolStatusData> {
        None
    }

    /// The unknown event, if this is one.
    fn unknown(&self) -> Option<&UnknownEvent>;

    /// The text this event adds to the answer of choice `index`, if any.
    fn content(&self, index: i64) -> Option<&str> {
        self.chunk()?
            .choices
            .iter()
            .find(|c| c.index == index)
            .and_then(|c| c.delta.content.as_deref())
    }
}

#[cfg(friendli_has = "chat_events")]
impl ChatEvent for ChatStreamEvent {
    fn chunk(&self) -> Option<&StreamedChatData> {
        match self {
            ChatStreamEvent::Chunk(chunk) => Some(chunk),
            _ => None,
        }
    }

    fn unknown(&self) -> Option<&UnknownEvent> {
        match self {
            ChatStreamEvent::Unknown(unknown) => Some(unknown),
            _ => None,
        }
    }
}

#[cfg(friendli_has = "tool_assisted_chat")]
impl ChatEvent for ToolAssistedChatEvent {
    fn chunk(&self) -> Option<&StreamedChatData> {
        match self {
            ToolAssistedChatEvent::Chunk(chunk) => Some(chunk),
            _ => None,
        }
    }

    fn tool_status(&self) -> Option<&ToolStatusData> {
        match self {
            ToolAssistedChatEvent::ToolStatus(status) => Some(status),
            _ => None,
        }
    }

    fn unknown(&self) -> Option<&UnknownEvent> {
        match self {
            ToolAssistedChatEvent::Unknown(unknown) => Some(unknown),
            _ => None,
        }
    }
}

impl<E: ChatEvent> EventStream<E> {
    /// Reads the whole stream and folds it into the [`ChatResult`] that `complete()` would have
    /// returned, plus the timeline of built-in tool runs.
    /// The result carries the stream's metadata ([`CollectedChat::meta`]).
    pub async fn collect_chat(mut self) -> Result<CollectedChat, Error> {
        use futures::StreamExt;
        let mut accumulator = ChatAccumulator::new();
        while let Some(event) = self.next().await {
            accumulator.push(&event?);
        }
        let mut collected = accumulator.finish()?;
        collected.meta = Some(self.meta().clone());
        Ok(collected)
    }
}

/// A streamed answer folded back into one result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CollectedChat {
    /// The answer, as `complete()` would have returned it.
    pub result: ChatResult,
    /// The built-in tool runs, in the order they started (tool-assisted chat).
    #[cfg(friendli_has = "tool_assisted_chat")]
    pub tool_runs: Vec<ToolRun>,
    /// Events with names this SDK does not know.
    pub unknown_events: Vec<UnknownEvent>,
    /// Whether the stream reported token usage (it does when the request asked for it with
    /// `stream_options.include_usage`). When it did not, `result.usage` is all zeros: read
    /// [`usage`](Self::usage), which says so.
    pub usage_reported: bool,
    /// The metadata of the stream's response.
    #[serde(skip)]
    meta: Option<ResponseMeta>,
}

impl CollectedChat {
    /// The metadata of the stream's response (status, headers, request id, attempts, the time
    /// until the stream started), when the result was collected from a stream
    /// ([`EventStream::collect_chat`]); `None` when it was folded by hand or deserialised.
    pub fn meta(&self) -> Option<&ResponseMeta> {
        self.meta.as_ref()
    }

    /// The token usage, if the stream reported it (`None` otherwise, rather than zeros).
    pub fn usage(&self) -> Option<&crate::types::ChatUsage> {
        self.usage_reported.then_some(&self.result.usage)
    }
}

/// One run of a built-in tool, assembled from its `tool_status` events.
#[cfg(friendli_has = "tool_assisted_chat")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolRun {
    /// The id shared by the run's events.
    pub tool_call_id: String,
    /// Which tool.
    pub name: ToolStatusDataName,
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
#[cfg(friendli_has = "tool_assisted_chat")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolRunUpdate {
    /// The status.
    pub status: ToolStatusDataStatus,
    /// When, in Unix seconds.
    pub timestamp: f64,
    /// The progress message, if any.
    pub message: Option<String>,
}

#[cfg(friendli_has = "tool_assisted_chat")]
impl ToolRun {
    /// The latest status.
    pub fn status(&self) -> Option<&ToolStatusDataStatus> {
        self.updates.last().map(|u| &u.status)
    }

    /// The time from the first to the last status event.
    pub fn duration(&self) -> Option<Duration> {
        let seconds = self.updates.last()?.timestamp - self.updates.first()?.timestamp;
        Duration::try_from_secs_f64(seconds.max(0.0)).ok()
    }
}

#[derive(Default)]
struct ChoiceState {
    role: Option<String>,
    content: Option<String>,
    reasoning: Option<String>,
    tool_calls: BTreeMap<i64, CallState>,
    finish_reason: Option<Value>,
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
/// # async fn example(mut events: friendli::EventStream<friendli::events::ChatStreamEvent>) -> Result<(), friendli::Error> {
/// use friendli::prelude::*;
/// use friendli::chat::{ChatAccumulator, ChatEvent};
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
    header: Header,
    choices: BTreeMap<i64, ChoiceState>,
    #[cfg(friendli_has = "tool_assisted_chat")]
    runs: Vec<ToolRun>,
    /// Where each run is in `runs`, by tool call id (folding stays linear in the events).
    #[cfg(friendli_has = "tool_assisted_chat")]
    run_index: HashMap<String, usize>,
    unknown: Vec<UnknownEvent>,
}

impl fmt::Debug for ChatAccumulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatAccumulator")
            .field("id", &self.header.id)
            .field("choices", &self.choices.len())
            .finish_non_exhaustive()
    }
}

impl ChatAccumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one event.
    pub fn push<E: ChatEvent>(&mut self, event: &E) {
        if let Some(chunk) = event.chunk() {
            self.push_chunk(chunk);
            return;
        }
        #[cfg(friendli_has = "tool_assisted_chat")]
        if let Some(status) = event.tool_status() {
            self.push_status(status);
            return;
        }
        if let Some(unknown) = event.unknown() {
            self.unknown.push(unknown.clone());
        }
    }

    /// Adds one chunk.
    pub fn push_chunk(&mut self, chunk: &StreamedChatData) {
        self.header.see(
            &chunk.id,
            chunk.created,
            chunk.model.as_ref(),
            chunk.usage.as_ref(),
        );
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
                if let Some(name) = &call.function.name {
                    entry.name.push_str(name);
                }
                entry.arguments.push_str(&call.function.arguments);
            }
            if let Some(reason) = &choice.finish_reason
                && !matches!(reason, StreamedChatChoiceFinishReason::Unknown(s) if s == "null")
                && reason.to_string() != "null"
            {
                state.finish_reason = serde_json::to_value(reason).ok();
            }
            if let Some(content) = choice.logprobs.as_ref().and_then(|l| l.content.as_ref()) {
                state
                    .logprobs
                    .extend(content.iter().filter_map(|t| serde_json::to_value(t).ok()));
            }
        }
    }

    /// Adds one built-in tool status.
    #[cfg(friendli_has = "tool_assisted_chat")]
    pub fn push_status(&mut self, status: &ToolStatusData) {
        let index = match self.run_index.get(&status.tool_call_id) {
            Some(index) => *index,
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
                let index = self.runs.len() - 1;
                self.run_index.insert(status.tool_call_id.clone(), index);
                index
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
    #[cfg(friendli_has = "tool_assisted_chat")]
    pub fn tool_runs(&self) -> &[ToolRun] {
        &self.runs
    }

    /// The folded result. Fails only if the events cannot form a [`ChatResult`] (for example,
    /// no chunk arrived at all).
    pub fn finish(self) -> Result<CollectedChat, Error> {
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
                    "finish_reason": choice.finish_reason.unwrap_or_else(|| json!("")),
                });
                if !choice.logprobs.is_empty() {
                    value["logprobs"] = json!({ "content": choice.logprobs });
                }
                value
            })
            .collect();
        let (result, usage_reported) = self.header.finish("chat.completion", choices)?;
        Ok(CollectedChat {
            result,
            #[cfg(friendli_has = "tool_assisted_chat")]
            tool_runs: self.runs,
            unknown_events: self.unknown,
            usage_reported,
            meta: None,
        })
    }
}

#[cfg(friendli_has = "tool_assisted_chat")]
pub use legacy::{ToolAssistedChatCompletion, ToolAssistedChatCompletionResponse};

#[cfg(friendli_has = "tool_assisted_chat")]
mod legacy {
    use std::fmt::Display;

    use crate::core::call::{Call, Caller};
    use crate::core::operation::{Operation, OperationInfo};
    use crate::events::ToolAssistedChatEvent;
    use crate::namespaces::Serverless;
    use crate::operations::{ServerlessToolAssistedChatComplete, ServerlessToolAssistedChatStream};
    use crate::stream::{EventStream, JsonOrEvents, JsonOrStream};
    use crate::types::{ChatResult, ServerlessToolAssistedChatCompletionBody};

    /// The single tool-assisted chat operation of the API's first SDK generation: the request is
    /// sent exactly as given (its `stream` field decides the answer), and the answer is JSON or
    /// an event stream, told apart by its content type. It is the document's
    /// `serverlessToolAssistedChatComplete` with both answers accepted.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct ToolAssistedChatCompletion;

    impl Operation for ToolAssistedChatCompletion {
        type Body = ServerlessToolAssistedChatCompletionBody;
        type Response = JsonOrEvents<ChatResult, ToolAssistedChatEvent>;
        const INFO: &'static OperationInfo = &OperationInfo {
            stream: None,
            stream_end: ServerlessToolAssistedChatStream::INFO.stream_end,
            ..*ServerlessToolAssistedChatComplete::INFO
        };
    }

    /// The answer of the single tool-assisted chat operation on the async client: the whole
    /// answer, or its events.
    pub type ToolAssistedChatCompletionResponse =
        JsonOrStream<ChatResult, EventStream<ToolAssistedChatEvent>>;

    impl<'c, C: Caller> Serverless<'c, C> {
        /// The single tool-assisted chat operation of the API's first SDK generation: sends the
        /// request exactly as given (its `stream` field decides the answer) with
        /// `Accept: application/json, text/event-stream`, and gives
        /// [`JsonOrStream::Json`] or [`JsonOrStream::Stream`] by the content type of the answer.
        ///
        /// New code should prefer `tool_assisted_chat().complete()` and `.stream()`, whose
        /// result types are known statically.
        pub fn tool_assisted_chat_completion<R>(
            &self,
            request: R,
        ) -> Call<'c, ToolAssistedChatCompletion, C>
        where
            R: TryInto<ServerlessToolAssistedChatCompletionBody>,
            R::Error: Display,
        {
            Call::new(
                self.client(),
                ToolAssistedChatCompletion,
                crate::core::operation::body(request),
            )
        }
    }
}
