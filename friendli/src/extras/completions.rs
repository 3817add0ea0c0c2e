//! Text completions extras: folding a completions stream into the [`CompletionsResult`] that
//! `complete()` returns.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value, json};

use crate::core::error::Error;
use crate::core::response::ResponseMeta;
use crate::events::CompletionsStreamEvent;
use crate::extras::chunk_header::Header;
use crate::stream::{EventStream, UnknownEvent};
use crate::types::{CompletionsResult, StreamedCompletionData, TextUsage};

impl EventStream<CompletionsStreamEvent> {
    /// Reads the whole stream and folds it into the [`CompletionsResult`] that `complete()` would
    /// have returned (see [`CompletionsAccumulator`] for what a stream cannot tell).
    ///
    /// The result carries the stream's metadata ([`CollectedCompletions::meta`]).
    pub async fn collect_completions(mut self) -> Result<CollectedCompletions, Error> {
        use futures::StreamExt;
        let mut accumulator = CompletionsAccumulator::new();
        while let Some(event) = self.next().await {
            accumulator.push(&event?);
        }
        let mut collected = accumulator.finish()?;
        collected.meta = Some(self.meta().clone());
        Ok(collected)
    }
}

/// A streamed text completion folded back into one result.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CollectedCompletions {
    /// The completion, as `complete()` would have returned it, except for each choice's `seed`,
    /// which streams do not carry: it is 0.
    pub result: CompletionsResult,
    /// Events with names this SDK does not know.
    pub unknown_events: Vec<UnknownEvent>,
    /// Whether the stream reported token usage (it does when the request asked for it with
    /// `stream_options.include_usage`). When it did not, `result.usage` is all zeros: read
    /// [`usage`](Self::usage), which says so.
    pub usage_reported: bool,
    /// The metadata of the stream's response.
    meta: Option<ResponseMeta>,
}

impl CollectedCompletions {
    /// The metadata of the stream's response (status, headers, request id, attempts, the time
    /// until the stream started), when the result was collected from a stream
    /// ([`EventStream::collect_completions`]); `None` when it was folded by hand.
    pub fn meta(&self) -> Option<&ResponseMeta> {
        self.meta.as_ref()
    }

    /// The token usage, if the stream reported it (`None` otherwise, rather than zeros).
    pub fn usage(&self) -> Option<&TextUsage> {
        self.usage_reported.then_some(&self.result.usage)
    }

    /// The text of the first choice.
    pub fn text(&self) -> Option<&str> {
        self.result.choices.first().map(|c| c.text.as_str())
    }
}

/// Folds the events of a completions stream, one at a time, into a [`CompletionsResult`]: the
/// text of each choice joined, its token IDs in order, its finish reason, its log probabilities
/// appended, and the usage of the stream's last chunk. Linear in the size of the stream.
///
/// A stream does not carry the `seed` of a choice: the folded choices have seed 0.
#[derive(Default)]
pub struct CompletionsAccumulator {
    header: Header,
    choices: BTreeMap<i64, ChoiceState>,
    unknown: Vec<UnknownEvent>,
}

#[derive(Default)]
struct ChoiceState {
    text: String,
    tokens: Vec<i64>,
    finish_reason: Option<Value>,
    logprobs: Option<Map<String, Value>>,
}

impl fmt::Debug for CompletionsAccumulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompletionsAccumulator")
            .field("id", &self.header.id)
            .field("choices", &self.choices.len())
            .finish_non_exhaustive()
    }
}

impl CompletionsAccumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one event.
    pub fn push(&mut self, event: &CompletionsStreamEvent) {
        match event {
            CompletionsStreamEvent::Chunk(chunk) => self.push_chunk(chunk),
            CompletionsStreamEvent::Unknown(unknown) => self.unknown.push(unknown.clone()),
        }
    }

    /// Adds one chunk.
    pub fn push_chunk(&mut self, chunk: &StreamedCompletionData) {
        self.header.see(
            &chunk.id,
            chunk.created,
            chunk.model.as_ref(),
            chunk.usage.as_ref(),
        );
        for choice in &chunk.choices {
            let state = self.choices.entry(choice.index).or_default();
            state.text.push_str(&choice.text);
            if let Some(token) = choice.token {
                state.tokens.push(token);
            }
            if let Some(reason) = &choice.finish_reason {
                let reason = serde_json::to_value(reason).unwrap_or(Value::Null);
                if reason != "null" && !reason.is_null() {
                    state.finish_reason = Some(reason);
                }
            }
            if let Some(Value::Object(logprobs)) = choice
                .logprobs
                .as_ref()
                .and_then(|l| serde_json::to_value(l).ok())
            {
                let all = state.logprobs.get_or_insert_with(Map::new);
                for (key, value) in logprobs {
                    match (all.get_mut(&key), value) {
                        (Some(Value::Array(all)), Value::Array(more)) => all.extend(more),
                        (_, value) => {
                            all.insert(key, value);
                        }
                    }
                }
            }
        }
    }

    /// The folded result. Fails only if the events cannot form a [`CompletionsResult`] (for
    /// example, no chunk arrived at all).
    pub fn finish(self) -> Result<CollectedCompletions, Error> {
        let choices: Vec<Value> = self
            .choices
            .into_iter()
            .map(|(index, choice)| {
                json!({
                    "index": index,
                    "text": choice.text,
                    "seed": 0,
                    "finish_reason": choice.finish_reason.unwrap_or_else(|| json!("")),
                    "tokens": choice.tokens,
                    "logprobs": choice.logprobs,
                })
            })
            .collect();
        let (result, usage_reported) = self.header.finish("text_completion", choices)?;
        Ok(CollectedCompletions {
            result,
            unknown_events: self.unknown,
            usage_reported,
            meta: None,
        })
    }
}
