//! Usage in one step: `with_usage()` asks a chat or completions stream for its token usage, and
//! the text of a stream (`text_deltas()`, async and blocking) and the folded result give it,
//! with no accumulator to assemble. Messages and responses streams always report it.

use friendli::prelude::*;
use friendli::text::Usage;
use friendli::types::{
    CompletionsRequest, MessagesInputMessage, MessagesRequest, ResponsesRequest,
};
use friendli_mock::MockServer;
use friendli_tests::client;
use serde_json::json;

fn chat_request() -> ChatRequest {
    ChatRequest::builder()
        .model("mock-model")
        .messages(vec![Message::user("What is 3 + 6?")])
        .temperature(0.5)
        .try_into()
        .unwrap()
}

/// The usage of a unary answer, in the terms of [`Usage`].
fn usage_of(answer: &ChatResult) -> Usage {
    Usage::new(
        Some(answer.usage.prompt_tokens),
        Some(answer.usage.completion_tokens),
        Some(answer.usage.total_tokens),
    )
}

#[tokio::test]
async fn text_deltas_give_the_usage_a_stream_was_asked_for() {
    let server = MockServer::start();
    let client = client(&server);
    let chat = client.serverless().chat();
    let answer = chat.complete(chat_request()).await.unwrap();

    let mut text = chat
        .stream(chat_request())
        .with_usage()
        .await
        .unwrap()
        .text_deltas();
    let mut written = String::new();
    while let Some(piece) = text.next().await {
        written.push_str(&piece.unwrap());
    }
    assert_eq!(Some(written.as_str()), answer.content());
    assert_eq!(text.usage(), Some(usage_of(&answer)));
    assert_eq!(text.meta().status(), 200);

    // The request asked for it, and kept its own fields.
    let sent = server.requests()[1].json().unwrap();
    assert_eq!(sent["stream_options"], json!({"include_usage": true}));
    assert_eq!(sent["temperature"], json!(0.5));
    assert_eq!(sent["stream"], json!(true));
}

#[tokio::test]
async fn a_stream_not_asked_for_usage_reports_none() {
    let server = MockServer::start();
    let client = client(&server);
    let mut text = client
        .serverless()
        .chat()
        .stream(chat_request())
        .await
        .unwrap()
        .text_deltas();
    while let Some(piece) = text.next().await {
        piece.unwrap();
    }
    assert_eq!(text.usage(), None);
    assert!(server.requests()[0].json().unwrap()["stream_options"].is_null());
}

#[tokio::test]
async fn a_folded_stream_gives_the_usage_of_complete() {
    let server = MockServer::start();
    let client = client(&server);
    let chat = client.dedicated().chat();
    let answer = chat.complete(chat_request()).await.unwrap();
    let folded = chat
        .stream(chat_request())
        .with_usage()
        .await
        .unwrap()
        .collect_chat()
        .await
        .unwrap();
    assert_eq!(folded.usage(), Some(&answer.usage));

    let completions = client.serverless().completions();
    let request: CompletionsRequest =
        serde_json::from_value(json!({"model": "mock-model", "prompt": "Say hello"})).unwrap();
    let answer = completions.complete(request.clone()).await.unwrap();
    let folded = completions
        .stream(request)
        .with_usage()
        .await
        .unwrap()
        .collect_completions()
        .await
        .unwrap();
    assert_eq!(folded.usage(), Some(&answer.usage));
}

#[tokio::test]
async fn messages_and_responses_streams_report_usage_unasked() {
    let server = MockServer::start();
    let client = client(&server);
    let request = MessagesRequest::builder()
        .model("mock-model")
        .max_tokens(64)
        .messages(vec![MessagesInputMessage::user("Hello there")]);
    let mut text = client
        .serverless()
        .messages()
        .stream(request)
        .await
        .unwrap()
        .text_deltas();
    while let Some(piece) = text.next().await {
        piece.unwrap();
    }
    let usage = text.usage().expect("a messages stream reports usage");
    assert!(usage.input_tokens.is_some_and(|n| n > 0), "{usage:?}");
    assert!(usage.output_tokens.is_some_and(|n| n > 0), "{usage:?}");

    let request: ResponsesRequest =
        serde_json::from_value(json!({"model": "mock-model", "input": "Hello there"})).unwrap();
    let mut text = client
        .serverless()
        .responses()
        .stream(request)
        .await
        .unwrap()
        .text_deltas();
    while let Some(piece) = text.next().await {
        piece.unwrap();
    }
    let usage = text.usage().expect("a responses stream reports usage");
    assert_eq!(
        usage.total_tokens,
        Some(usage.input_tokens.unwrap() + usage.output_tokens.unwrap())
    );
}

#[test]
fn blocking_text_deltas_give_the_usage_too() {
    let server = MockServer::start();
    let client = friendli_tests::builder(&server).blocking().build().unwrap();
    let chat = client.serverless().chat();
    let answer = chat.complete(chat_request()).send().unwrap();
    let mut text = chat
        .stream(chat_request())
        .with_usage()
        .send()
        .unwrap()
        .text_deltas();
    let written: String = text.by_ref().map(Result::unwrap).collect();
    assert_eq!(Some(written.as_str()), answer.content());
    assert_eq!(text.usage(), Some(usage_of(&answer)));
}

#[test]
fn usage_reports_merge_as_running_totals() {
    let start = Usage::new(Some(9), Some(1), None::<u64>);
    assert_eq!(start.total_tokens, Some(10));
    let end = start.merge(Usage::new(None, Some(4u64), None));
    assert_eq!(end.input_tokens, Some(9));
    assert_eq!(end.output_tokens, Some(4));
    assert_eq!(end.total_tokens, Some(13));
    assert_eq!(Usage::new(Some(-1i64), Some(2), None).input_tokens, None);
}
