//! The serverless endpoints: models hosted and scaled by FriendliAI.

pub mod tool_assisted_chat;

use std::fmt::Display;

use crate::client::Client;
use crate::types::ToolAssistedChatRequest;

pub use tool_assisted_chat::{ToolAssistedChat, ToolAssistedChatCompletionResponse};

/// The serverless endpoints of a [`Client`]: `client.serverless()`.
#[derive(Debug, Clone, Copy)]
pub struct Serverless<'c> {
    client: &'c Client,
}

impl<'c> Serverless<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Serverless { client }
    }

    /// Tool-assisted chat: chat completions in which the server runs built-in tools.
    pub fn tool_assisted_chat(&self) -> ToolAssistedChat<'c> {
        ToolAssistedChat::new(self.client)
    }

    /// The single tool-assisted chat operation of the API's first SDK generation: sends the
    /// request exactly as given (its `stream` field decides the answer) with
    /// `Accept: application/json, text/event-stream`, and returns
    /// [`ToolAssistedChatCompletionResponse::Json`] or [`ToolAssistedChatCompletionResponse::Stream`]
    /// by the content type of the answer.
    ///
    /// New code should prefer [`ToolAssistedChat::complete`] and [`ToolAssistedChat::stream`],
    /// whose result types are known statically.
    pub fn tool_assisted_chat_completion<R>(
        &self,
        request: R,
    ) -> tool_assisted_chat::SingleOperationCall<'c>
    where
        R: TryInto<ToolAssistedChatRequest>,
        R::Error: Display,
    {
        tool_assisted_chat::SingleOperationCall::new(self.client, request)
    }
}
