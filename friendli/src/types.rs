//! The request and response types of the API, generated from its document by progenitor
//! (re-exported from the `friendli-gen` crate), and the names this crate gives some of them.
//!
//! Constructors and readers of these types that this crate adds (`Message::user`,
//! `ToolAssistedChatTool::calculator`, `ChatResult::content`, …) come from the extension traits
//! of [`crate::ext`], which `use friendli::prelude::*` brings into scope; each type's page lists
//! its own.
//!
//! # One request type per kind of request
//!
//! The serverless, dedicated and container APIs take the same requests, and each kind has one
//! type that all three namespaces accept: [`ChatRequest`], [`CompletionsRequest`],
//! [`MessagesRequest`], [`ResponsesRequest`], [`TokenizeRequest`], [`DetokenizeRequest`],
//! [`ChatRenderRequest`], [`TranscriptionRequest`] and [`ClassificationRequest`]. Where the APIs
//! differ in what they require (`model` is required on serverless and dedicated endpoints, and
//! optional on a container, which serves its own model), the type leaves the field optional and
//! the call refuses to send a request that lacks it, with
//! [`Error::InvalidRequest`](crate::Error::InvalidRequest). The API document's names of the same types
//! (`ServerlessChatCompletionBody`, `DedicatedChatCompletionBody`, …) are aliases of them.
//!
//! ```
//! use friendli::prelude::*;
//!
//! # fn example(client: Client) {
//! let request = ChatRequest::builder()
//!     .model("meta-llama-3.1-8b-instruct")
//!     .messages(vec![Message::user("Hi")]);
//! let on_serverless = client.serverless().chat().complete(request.clone());
//! # let _ = on_serverless;
//! # }
//! ```

pub use friendli_gen::types::*;

/// The request of a chat completion, for the serverless, dedicated and container APIs alike
/// (`client.serverless().chat()`, `client.dedicated().chat()`, `client.container().chat()`):
/// build it with `ChatRequest::builder()`, with messages from `Message::user(…)` and its
/// siblings.
#[cfg(friendli_has = "ChatRequest")]
pub type ChatRequest = ChatCompletionBody;
/// The request of a text completion, for every API (a prompt, or token ids).
#[cfg(friendli_has = "CompletionsRequest")]
pub type CompletionsRequest = CompletionsBody;
/// The request of the Messages API, for every API; its turns are
/// `MessagesInputMessage::user(…)` and `MessagesInputMessage::assistant(…)`.
#[cfg(friendli_has = "MessagesRequest")]
pub type MessagesRequest = MessagesBody;
/// The request of the Responses API, for every API; its input items are
/// `ResponsesInputItem::user(…)`, `::assistant(…)`, `::system(…)` and `::developer(…)`.
#[cfg(friendli_has = "ResponsesRequest")]
pub type ResponsesRequest = ResponsesBody;
/// The request of tokenization, for every API.
#[cfg(friendli_has = "TokenizeRequest")]
pub type TokenizeRequest = TokenizationBody;
/// The request of detokenization, for every API.
#[cfg(friendli_has = "DetokenizeRequest")]
pub type DetokenizeRequest = DetokenizationBody;
/// The request of rendering a chat into its prompt text (serverless and dedicated).
#[cfg(friendli_has = "ChatRenderRequest")]
pub type ChatRenderRequest = ChatRenderBody;
/// The fields of an audio transcription request, for every API (the audio itself is the call's
/// file argument).
#[cfg(friendli_has = "TranscriptionRequest")]
pub type TranscriptionRequest = AudioTranscriptionBody;
/// The request of text classification (dedicated and container).
#[cfg(friendli_has = "ClassificationRequest")]
pub type ClassificationRequest = TextClassificationBody;
/// The request of embeddings on a dedicated endpoint.
#[cfg(friendli_has = "EmbeddingsRequest")]
pub type EmbeddingsRequest = DedicatedEmbeddingsBody;

/// The request of tool-assisted chat.
#[cfg(friendli_has = "tool_assisted_names")]
pub type ToolAssistedChatRequest = ServerlessToolAssistedChatCompletionBody;
/// Why a choice of a chat result ended (an open enum: values this SDK does not know are kept).
#[cfg(friendli_has = "crate_names")]
pub type FinishReason = ChatChoiceFinishReason;
/// The finish reasons this SDK knows.
#[cfg(friendli_has = "crate_names")]
pub type FinishReasonKnown = ChatChoiceFinishReasonKnown;
#[cfg(friendli_has = "tool_assisted_names")]
/// The status of a built-in tool run (an open enum).
pub type ToolStatus = ToolStatusDataStatus;
#[cfg(friendli_has = "tool_assisted_names")]
/// The statuses of a built-in tool run this SDK knows.
pub type ToolStatusKnown = ToolStatusDataStatusKnown;
#[cfg(friendli_has = "tool_assisted_names")]
/// The name of a built-in tool in a status event (an open enum).
pub type BuiltInToolName = ToolStatusDataName;
#[cfg(friendli_has = "tool_assisted_names")]
/// The built-in tools this SDK knows.
pub type BuiltInToolNameKnown = ToolStatusDataNameKnown;
/// A part of a multimodal user message.
#[cfg(friendli_has = "crate_names")]
pub type UserContentPart = UserMessageContentMultiModal;
/// A function call in a chat result.
#[cfg(friendli_has = "crate_names")]
pub type ToolCall = ToolCallResult;
/// The `seed` of a request: one seed, or one per choice.
#[cfg(friendli_has = "crate_names")]
pub type ToolAssistedChatRequestSeed = Seed;
/// The change of a streamed chat choice.
#[cfg(friendli_has = "crate_names")]
pub type StreamedChatDelta = StreamedChatChoiceDelta;

/// A function tool of chat completions (the document's `Tool`; the tools of tool-assisted chat
/// are [`ToolAssistedChatTool`]).
#[cfg(friendli_has = "crate_names")]
pub type FunctionTool = Tool;
