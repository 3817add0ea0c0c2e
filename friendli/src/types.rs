//! The request and response types of the API, generated from its document by progenitor
//! (re-exported from the `friendli-gen` crate), and the names this crate gives some of them.
//!
//! Constructors and readers of these types that this crate adds (`Message::user`,
//! `ToolAssistedChatTool::calculator`, `ChatResult::content`, …) come from the extension traits
//! of [`crate::ext`], which `use friendli::prelude::*` brings into scope.

pub use friendli_gen::types::*;

/// The request of tool-assisted chat.
#[cfg(feature = "serverless")]
pub type ToolAssistedChatRequest = ServerlessToolAssistedChatCompletionBody;
/// Why a choice of a chat result ended (an open enum: values this SDK does not know are kept).
pub type FinishReason = ChatChoiceFinishReason;
/// The finish reasons this SDK knows.
pub type FinishReasonKnown = ChatChoiceFinishReasonKnown;
#[cfg(feature = "serverless")]
/// The status of a built-in tool run (an open enum).
pub type ToolStatus = ToolStatusDataStatus;
#[cfg(feature = "serverless")]
/// The statuses of a built-in tool run this SDK knows.
pub type ToolStatusKnown = ToolStatusDataStatusKnown;
#[cfg(feature = "serverless")]
/// The name of a built-in tool in a status event (an open enum).
pub type BuiltInToolName = ToolStatusDataName;
#[cfg(feature = "serverless")]
/// The built-in tools this SDK knows.
pub type BuiltInToolNameKnown = ToolStatusDataNameKnown;
/// A part of a multimodal user message.
pub type UserContentPart = UserMessageContentMultiModal;
/// A function call in a chat result.
pub type ToolCall = ToolCallResult;
/// The `seed` of a request: one seed, or one per choice.
pub type ToolAssistedChatRequestSeed = Seed;
/// The change of a streamed chat choice.
pub type StreamedChatDelta = StreamedChatChoiceDelta;

/// A function tool of chat completions (the document's `Tool`; the tools of tool-assisted chat
/// are [`ToolAssistedChatTool`]).
pub type FunctionTool = Tool;
