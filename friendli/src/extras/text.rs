//! The text a stream writes, whatever the operation: [`TextEvent`] says which part of an event is
//! generated text, and [`EventStream::text_deltas`] keeps only that part.

use futures::Stream;

use crate::core::error::Error;
use crate::stream::{EventStream, SseEvent};

/// An event of a stream that generates text: chat and completions chunks, messages
/// `content_block_delta` events, responses `response.output_text.delta` events and audio
/// transcription deltas.
pub trait TextEvent: SseEvent {
    /// The text this event adds to the answer (every choice, in order, for chunks of several
    /// choices), or `None` when it adds none. Reasoning is not part of it.
    fn text(&self) -> Option<String>;
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
    pub fn text_deltas(self) -> impl Stream<Item = Result<String, Error>> + Send + Unpin {
        use futures::StreamExt;
        self.filter_map(|event| {
            futures::future::ready(match event {
                Ok(event) => event.text().filter(|t| !t.is_empty()).map(Ok),
                Err(error) => Some(Err(error)),
            })
        })
    }
}

/// Implements [`TextEvent`] for a chunk event whose choices carry the text at `$text`.
#[cfg(any(feature = "serverless", feature = "dedicated", feature = "container"))]
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
            }
        )*
    };
}

#[cfg(any(feature = "serverless", feature = "dedicated", feature = "container"))]
chunk_text! {
    crate::events::ChatStreamEvent: |c| c.delta.content.as_deref();
    #[cfg(feature = "serverless")]
    crate::events::ToolAssistedChatEvent: |c| c.delta.content.as_deref();
    crate::events::CompletionsStreamEvent: |c| Some(c.text.as_str());
}

#[cfg(any(feature = "serverless", feature = "dedicated", feature = "container"))]
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
}

#[cfg(any(feature = "serverless", feature = "dedicated", feature = "container"))]
impl TextEvent for crate::events::ResponsesEvent {
    fn text(&self) -> Option<String> {
        match self {
            Self::OutputTextDelta(delta) => Some(delta.delta.clone()),
            _ => None,
        }
    }
}

#[cfg(any(feature = "serverless", feature = "dedicated", feature = "container"))]
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
}

#[cfg(all(test, feature = "serverless"))]
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
