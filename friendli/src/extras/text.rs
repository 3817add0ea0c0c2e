//! The text a stream writes, and the tokens it cost, whatever the operation: [`TextEvent`] says
//! which part of an event is generated text and which reports usage; [`EventStream::text_deltas`]
//! keeps only the text, and gives the [`Usage`] once the stream has reported it.
//!
//! Chat, tool-assisted chat and completions streams report usage only when the request asks
//! (`stream_options.include_usage`): [`with_usage`](crate::Call::with_usage) on the call asks.
//! Messages, responses and transcription streams always report it.
//!
//! ```no_run
//! # async fn example(client: friendli::Client) -> friendli::Result<()> {
//! use friendli::prelude::*;
//! use friendli::types::ChatRequest;
//!
//! let request = ChatRequest::builder()
//!     .model("meta-llama-3.1-8b-instruct")
//!     .messages(vec![Message::user("Write a haiku about Rust.")]);
//! let mut text = client.serverless().chat().stream(request).with_usage().await?.text_deltas();
//! while let Some(piece) = text.next().await {
//!     print!("{}", piece?);
//! }
//! if let Some(usage) = text.usage() {
//!     println!("\n({:?} tokens in, {:?} out)", usage.input_tokens, usage.output_tokens);
//! }
//! # Ok(()) }
//! ```

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;

use crate::core::call::Call;
use crate::core::error::Error;
use crate::core::operation::Operation;
use crate::core::options::CallOptions;
use crate::core::response::ResponseMeta;
use crate::stream::{EventStream, Events, SseEvent};

/// An event of a stream that generates text: chat and completions chunks, messages
/// `content_block_delta` events, responses `response.output_text.delta` events and audio
/// transcription deltas.
pub trait TextEvent: SseEvent {
    /// The text this event adds to the answer (every choice, in order, for chunks of several
    /// choices), or `None` when it adds none. Reasoning is not part of it.
    fn text(&self) -> Option<String>;

    /// The token usage this event reports, if it reports any (a final chat chunk, a messages
    /// `message_start` or `message_delta`, a responses end event, a transcription's `done`).
    fn usage(&self) -> Option<Usage> {
        None
    }
}

/// The tokens a call cost, as its answer or its stream reported them: what the model read
/// (`input_tokens`: the prompt) and what it wrote (`output_tokens`: the completion). A count the
/// server did not report is `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Usage {
    /// Tokens read (the prompt).
    pub input_tokens: Option<u64>,
    /// Tokens written (the completion).
    pub output_tokens: Option<u64>,
    /// The total, as the server reported it (else the sum of the two, when both are known).
    pub total_tokens: Option<u64>,
}

impl Usage {
    /// A usage from the counts a server reported (negative counts read as unknown).
    pub fn new<N: TryInto<u64>>(input: Option<N>, output: Option<N>, total: Option<N>) -> Usage {
        let count = |n: Option<N>| n.and_then(|n| n.try_into().ok());
        let (input_tokens, output_tokens) = (count(input), count(output));
        Usage {
            input_tokens,
            output_tokens,
            total_tokens: count(total).or_else(|| Some(input_tokens? + output_tokens?)),
        }
    }

    /// This usage, updated by a later report: a count the later one gives replaces this one's
    /// (streams report running totals).
    pub fn merge(self, later: Usage) -> Usage {
        let input_tokens = later.input_tokens.or(self.input_tokens);
        let output_tokens = later.output_tokens.or(self.output_tokens);
        let total_tokens = match later.total_tokens {
            Some(total) => Some(total),
            None => input_tokens
                .zip(output_tokens)
                .map(|(i, o)| i + o)
                .or(self.total_tokens),
        };
        Usage {
            input_tokens,
            output_tokens,
            total_tokens,
        }
    }
}

/// The events of streams that report usage only when the request asks for it with
/// `stream_options.include_usage` (chat, tool-assisted chat, completions).
pub trait UsageOnRequest: TextEvent {}

impl<'c, O, E, C> Call<'c, O, C>
where
    O: Operation<Response = Events<E>>,
    E: UsageOnRequest,
{
    /// Asks the server to report the token usage of this stream (`stream_options.include_usage`):
    /// a last chunk then carries it, and [`TextDeltas::usage`],
    /// [`CollectedChat::usage`](crate::chat::CollectedChat::usage) and
    /// [`CollectedCompletions::usage`](crate::completions::CollectedCompletions::usage) give it.
    /// It replaces the request's own `stream_options` (whose only option this is).
    pub fn with_usage(self) -> Self {
        self.body_field(
            "stream_options",
            serde_json::json!({ "include_usage": true }),
        )
    }
}

impl<E: TextEvent> EventStream<E> {
    /// Only the text the model writes, one non-empty piece per event that adds some, in order.
    /// Errors of the stream are passed on.
    ///
    /// ```no_run
    /// # async fn example(client: friendli::Client) -> friendli::Result<()> {
    /// use friendli::prelude::*;
    /// use friendli::types::ChatRequest;
    ///
    /// let request = ChatRequest::builder()
    ///     .model("meta-llama-3.1-8b-instruct")
    ///     .messages(vec![Message::user("Write a haiku about Rust.")]);
    /// let mut text = client.serverless().chat().stream(request).await?.text_deltas();
    /// while let Some(piece) = text.next().await {
    ///     print!("{}", piece?);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn text_deltas(self) -> TextDeltas<E> {
        TextDeltas {
            events: self,
            usage: None,
        }
    }
}

/// The text of a stream, one non-empty piece at a time ([`EventStream::text_deltas`]): a
/// `Stream<Item = Result<String, Error>>` that also keeps the stream's usage and metadata.
#[must_use = "a stream does nothing until it is polled"]
pub struct TextDeltas<E> {
    events: EventStream<E>,
    usage: Option<Usage>,
}

impl<E> std::fmt::Debug for TextDeltas<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextDeltas")
            .field("events", &self.events)
            .field("usage", &self.usage)
            .finish()
    }
}

impl<E: TextEvent> TextDeltas<E> {
    /// The token usage the stream has reported so far: once the stream has ended, what the
    /// whole call cost (`None` if the stream reported none; see [`Call::with_usage`]).
    pub fn usage(&self) -> Option<Usage> {
        self.usage
    }

    /// The metadata of the stream's response (status, headers, request id, attempts).
    pub fn meta(&self) -> &ResponseMeta {
        self.events.meta()
    }
}

/// What an event adds to a text-delta stream: its usage, noted in `usage`, and its text, if it
/// adds some (async and blocking streams alike).
pub(crate) fn text_and_usage<E: TextEvent>(event: &E, usage: &mut Option<Usage>) -> Option<String> {
    if let Some(reported) = event.usage() {
        *usage = Some(match *usage {
            Some(earlier) => earlier.merge(reported),
            None => reported,
        });
    }
    event.text().filter(|t| !t.is_empty())
}

impl<E: TextEvent> Stream for TextDeltas<E> {
    type Item = Result<String, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            match std::task::ready!(Pin::new(&mut this.events).poll_next(cx)) {
                Some(Ok(event)) => {
                    if let Some(text) = text_and_usage(&event, &mut this.usage) {
                        return Poll::Ready(Some(Ok(text)));
                    }
                }
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                None => return Poll::Ready(None),
            }
        }
    }
}

/// Implements [`TextEvent`] for a chunk event whose choices carry the text at `$text`.
#[cfg(any(
    friendli_has = "chat_events",
    friendli_has = "tool_assisted_chat",
    friendli_has = "completions_folding"
))]
macro_rules! chunk_text {
    ($($(#[$attr:meta])* $event:ty: |$choice:ident| $text:expr;)*) => {
        $(
            $(#[$attr])*
            impl TextEvent for $event {
                fn text(&self) -> Option<String> {
                    let Self::Chunk(chunk) = self else { return None };
                    let mut pieces = chunk.choices.iter().filter_map(|$choice| $text);
                    let first = pieces.next()?;
                    Some(pieces.fold(first.to_owned(), |mut all, piece| {
                        all.push_str(piece);
                        all
                    }))
                }

                fn usage(&self) -> Option<Usage> {
                    let Self::Chunk(chunk) = self else { return None };
                    let usage = chunk.usage.as_ref()?;
                    Some(Usage::new(
                        Some(usage.prompt_tokens),
                        Some(usage.completion_tokens),
                        Some(usage.total_tokens),
                    ))
                }
            }

            $(#[$attr])*
            impl UsageOnRequest for $event {}
        )*
    };
}

#[cfg(any(
    friendli_has = "chat_events",
    friendli_has = "tool_assisted_chat",
    friendli_has = "completions_folding"
))]
chunk_text! {
    #[cfg(friendli_has = "chat_events")]
    crate::events::ChatStreamEvent: |c| c.delta.content.as_deref();
    #[cfg(friendli_has = "tool_assisted_chat")]
    crate::events::ToolAssistedChatEvent: |c| c.delta.content.as_deref();
    #[cfg(friendli_has = "completions_folding")]
    crate::events::CompletionsStreamEvent: |c| Some(c.text.as_str());
}

#[cfg(friendli_has = "messages_text")]
impl TextEvent for crate::events::MessagesEvent {
    fn text(&self) -> Option<String> {
        use crate::types::{
            MessagesStreamContentBlockDeltaPayload as Delta,
            MessagesStreamContentBlockDeltaPayloadKnown as Known,
        };
        match self {
            Self::ContentBlockDelta(block) => match &block.delta {
                Delta::Known(Known::TextDelta { text }) => Some(text.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    fn usage(&self) -> Option<Usage> {
        match self {
            Self::MessageStart(start) => {
                let usage = &start.message.usage;
                Some(Usage::new(
                    Some(usage.input_tokens),
                    Some(usage.output_tokens),
                    None,
                ))
            }
            Self::MessageDelta(delta) => {
                let usage = delta.usage.as_ref()?;
                Some(Usage::new(usage.input_tokens, usage.output_tokens, None))
            }
            _ => None,
        }
    }
}

#[cfg(friendli_has = "responses_text")]
impl TextEvent for crate::events::ResponsesEvent {
    fn text(&self) -> Option<String> {
        match self {
            Self::OutputTextDelta(delta) => Some(delta.delta.clone()),
            _ => None,
        }
    }

    fn usage(&self) -> Option<Usage> {
        match self {
            Self::Completed(end) | Self::Incomplete(end) | Self::Failed(end) => {
                let usage = end.response.usage.as_ref()?;
                Some(Usage::new(
                    Some(usage.input_tokens),
                    Some(usage.output_tokens),
                    Some(usage.total_tokens),
                ))
            }
            _ => None,
        }
    }
}

#[cfg(friendli_has = "transcription_text")]
impl TextEvent for crate::events::TranscriptionStreamEvent {
    fn text(&self) -> Option<String> {
        use crate::types::{
            StreamedAudioTranscriptionDataType as Type,
            StreamedAudioTranscriptionDataTypeKnown as Known,
        };
        match self {
            // The `done` event repeats the whole text; only deltas add to it.
            Self::Chunk(data) if data.type_ == Type::Known(Known::TranscriptTextDelta) => {
                data.delta.clone()
            }
            _ => None,
        }
    }

    fn usage(&self) -> Option<Usage> {
        let Self::Chunk(data) = self else { return None };
        let usage = data.usage.as_ref()?;
        Some(Usage::new(
            Some(usage.input_tokens),
            Some(usage.output_tokens),
            Some(usage.total_tokens),
        ))
    }
}

#[cfg(all(
    test,
    friendli_has = "chat_events",
    friendli_has = "completions_folding",
    friendli_has = "messages_text",
    friendli_has = "responses_text",
    friendli_has = "transcription_text"
))]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::events::{
        ChatStreamEvent, CompletionsStreamEvent, MessagesEvent, ResponsesEvent,
        TranscriptionStreamEvent,
    };

    fn decode<T: serde::de::DeserializeOwned>(value: Value) -> T {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn chunks_give_the_text_of_every_choice_in_order() {
        let chunk = |choices: Value| {
            ChatStreamEvent::Chunk(decode(json!({
                "id": "c", "object": "chat.completion.chunk", "created": 1, "choices": choices,
            })))
        };
        let two = chunk(json!([
            {"index": 0, "delta": {"content": "Hel"}},
            {"index": 1, "delta": {"content": "lo"}},
        ]));
        assert_eq!(two.text().as_deref(), Some("Hello"));
        let reasoning_only = chunk(json!([{"index": 0, "delta": {"reasoning_content": "hmm"}}]));
        assert_eq!(reasoning_only.text(), None);

        let completion = CompletionsStreamEvent::Chunk(decode(json!({
            "id": "c", "object": "text_completion", "created": 1,
            "choices": [{"index": 0, "text": "42", "token": 52}],
        })));
        assert_eq!(completion.text().as_deref(), Some("42"));
    }

    #[test]
    fn named_events_give_only_their_text_deltas() {
        let text = MessagesEvent::ContentBlockDelta(decode(json!({
            "type": "content_block_delta", "index": 0,
            "delta": {"type": "text_delta", "text": "Hi"},
        })));
        let thinking = MessagesEvent::ContentBlockDelta(decode(json!({
            "type": "content_block_delta", "index": 0,
            "delta": {"type": "thinking_delta", "thinking": "hmm"},
        })));
        let unknown = MessagesEvent::ContentBlockDelta(decode(json!({
            "type": "content_block_delta", "index": 0,
            "delta": {"type": "citations_delta", "citation": {"cited_text": "x"}},
        })));
        assert_eq!(text.text().as_deref(), Some("Hi"));
        assert_eq!(thinking.text(), None);
        assert_eq!(
            unknown.text(),
            None,
            "a new kind of delta is kept, and adds no text"
        );
        let MessagesEvent::ContentBlockDelta(block) = &unknown else {
            unreachable!()
        };
        assert_eq!(
            serde_json::to_value(&block.delta).unwrap()["citation"]["cited_text"],
            "x"
        );

        let delta = ResponsesEvent::OutputTextDelta(decode(json!({
            "type": "response.output_text.delta", "item_id": "i", "output_index": 0,
            "content_index": 0, "delta": "Yo", "sequence_number": 3,
        })));
        assert_eq!(delta.text().as_deref(), Some("Yo"));

        let piece = TranscriptionStreamEvent::Chunk(decode(json!({
            "type": "transcript.text.delta", "delta": "one ",
        })));
        let done = TranscriptionStreamEvent::Chunk(decode(json!({
            "type": "transcript.text.done", "text": "one two",
        })));
        assert_eq!(piece.text().as_deref(), Some("one "));
        assert_eq!(
            done.text(),
            None,
            "the done event repeats the text; it adds none"
        );
    }
}
