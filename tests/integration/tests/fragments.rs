//! Streamed tool calls as real servers send them: OpenAI-style fragments (`id`, `type` and the
//! function's name in the first fragment of a call only, then `index` and pieces of `arguments`),
//! explicit `null`s where the document's type has none (servers built on pydantic), and a body cut
//! into network chunks inside a multi-byte character. Every chat family decodes them and folds
//! them into the same tool calls that `complete()` returns.

use friendli::prelude::*;
use friendli::types::{
    ContainerChatCompletionBody, DedicatedChatCompletionBody, ServerlessChatCompletionBody,
};
use friendli_mock::{MockServer, Scenario, StreamShape};
use serde_json::{Value, json};

/// The arguments of the two calls the answer makes; non-ASCII, so that byte-sized network
/// chunks cut characters in two.
const SEOUL: &str = r#"{"city":"서울","unit":"°C"}"#;
const BUSAN: &str = r#"{"city":"부산"}"#;

/// The non-streamed answer: one message calling two functions.
fn whole_answer() -> Value {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "mock-model",
        "choices": [{
            "index": 0,
            "message": {
                "role": "assistant",
                "content": null,
                "tool_calls": [
                    {"id": "call_a", "type": "function",
                     "function": {"name": "get_weather", "arguments": SEOUL}},
                    {"id": "call_b", "type": "function",
                     "function": {"name": "get_weather", "arguments": BUSAN}},
                ],
            },
            "finish_reason": "tool_calls",
        }],
        "usage": {"prompt_tokens": 12, "completion_tokens": 30, "total_tokens": 42},
    })
}

/// The same answer as a stream of chunks, its tool calls in fragments.
fn fragments() -> Vec<Value> {
    let chunk = |delta: Value, finish: Value| {
        json!({
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": "mock-model",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": null}],
        })
    };
    let pieces = |text: &str| -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        chars.chunks(4).map(|c| c.iter().collect()).collect()
    };
    let mut out = vec![chunk(
        json!({"role": "assistant", "content": null, "tool_calls": null}),
        Value::Null,
    )];
    // The first fragment of the first call: OpenAI's form (no arguments yet).
    out.push(chunk(
        json!({"tool_calls": [{"index": 0, "id": "call_a", "type": "function",
                               "function": {"name": "get_weather", "arguments": ""}}]}),
        Value::Null,
    ));
    for piece in pieces(SEOUL) {
        out.push(chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}),
            Value::Null,
        ));
    }
    // The second call as a pydantic server sends it: explicit nulls, a name without arguments.
    out.push(chunk(
        json!({"role": null, "content": null, "tool_calls": [{"index": 1, "id": "call_b",
               "type": "function", "function": {"name": "get_weather", "arguments": null}}]}),
        Value::Null,
    ));
    for piece in pieces(BUSAN) {
        out.push(chunk(
            json!({"role": null, "content": null, "tool_calls": [{"index": 1, "id": null,
                   "type": null, "function": {"name": null, "arguments": piece}}]}),
            Value::Null,
        ));
    }
    out.push(chunk(
        json!({"tool_calls": [{"index": 1, "type": null, "function": null}]}),
        Value::Null,
    ));
    out.push(chunk(json!({}), json!("tool_calls")));
    let mut usage = chunk(json!({}), Value::Null);
    usage["choices"] = json!([]);
    usage["usage"] = json!({"prompt_tokens": 12, "completion_tokens": 30, "total_tokens": 42});
    out.push(usage);
    out
}

/// The stream's bytes: `data:` lines and the `[DONE]` sentinel.
fn transcript() -> String {
    let mut out = String::new();
    for chunk in fragments() {
        out.push_str(&format!("data: {chunk}\n\n"));
    }
    out.push_str("data: [DONE]\n\n");
    out
}

/// Scripts the next two answers of `server`: the whole answer, then the fragments, sent in
/// network chunks of 1 to 7 bytes (so that some end inside a multi-byte character).
fn script(server: &MockServer) {
    server.push(Scenario::json(200, whole_answer()));
    let sizes = (0..).map(|i| 1 + i % 7).take(transcript().len());
    server.push(Scenario::transcript(transcript()).shape(StreamShape::default().chunks(sizes)));
}

/// The tool calls of the first choice of an answer, as JSON.
fn calls(result: &ChatResult) -> Value {
    let value = serde_json::to_value(result).unwrap();
    value["choices"][0]["message"]["tool_calls"].clone()
}

fn assert_folds_like_complete(complete: &ChatResult, folded: &CollectedChat) {
    assert_eq!(calls(&folded.result), calls(complete));
    assert_eq!(
        calls(complete),
        whole_answer()["choices"][0]["message"]["tool_calls"]
    );
    assert_eq!(folded.usage().map(|u| u.total_tokens), Some(42));
    assert_eq!(
        serde_json::to_value(&folded.result.choices[0].finish_reason).unwrap(),
        json!("tool_calls")
    );
}

fn body() -> Value {
    json!({"model": "mock-model", "messages": [{"role": "user", "content": "Weather in Seoul and Busan?"}]})
}

#[tokio::test]
async fn serverless_chat_folds_fragmented_tool_calls() {
    let server = MockServer::start();
    script(&server);
    let client = friendli_tests::client(&server);
    let chat = client.serverless().chat();
    let request: ServerlessChatCompletionBody = serde_json::from_value(body()).unwrap();
    let complete = chat.complete(request.clone()).await.unwrap();
    let folded = chat
        .stream(request)
        .await
        .unwrap()
        .collect_chat()
        .await
        .unwrap();
    assert_folds_like_complete(&complete, &folded);
}

#[tokio::test]
async fn dedicated_chat_folds_fragmented_tool_calls() {
    let server = MockServer::start();
    script(&server);
    let client = friendli_tests::client(&server);
    let chat = client.dedicated().chat();
    let request: DedicatedChatCompletionBody = serde_json::from_value(body()).unwrap();
    let complete = chat.complete(request.clone()).await.unwrap();
    let folded = chat
        .stream(request)
        .await
        .unwrap()
        .collect_chat()
        .await
        .unwrap();
    assert_folds_like_complete(&complete, &folded);
}

#[tokio::test]
async fn container_chat_folds_fragmented_tool_calls() {
    let server = MockServer::start();
    script(&server);
    let client = friendli_tests::builder(&server)
        .container_url(server.url())
        .build()
        .unwrap();
    let chat = client.container().chat();
    let request: ContainerChatCompletionBody = serde_json::from_value(body()).unwrap();
    let complete = chat.complete(request.clone()).await.unwrap();
    let folded = chat
        .stream(request)
        .await
        .unwrap()
        .collect_chat()
        .await
        .unwrap();
    assert_folds_like_complete(&complete, &folded);
}

#[tokio::test]
async fn tool_assisted_chat_folds_fragmented_tool_calls() {
    let server = MockServer::start();
    script(&server);
    let client = friendli_tests::client(&server);
    let chat = client.serverless().tool_assisted_chat();
    let request = friendli_tests::request("Weather in Seoul and Busan?", vec![]);
    let complete = chat.complete(request.clone()).await.unwrap();
    let folded = chat
        .stream(request)
        .await
        .unwrap()
        .collect_chat()
        .await
        .unwrap();
    assert_folds_like_complete(&complete, &folded);
}

#[tokio::test]
async fn each_fragment_decodes_on_its_own() {
    let server = MockServer::start();
    script(&server);
    let client = friendli_tests::client(&server);
    let chat = client.serverless().chat();
    let request: ServerlessChatCompletionBody = serde_json::from_value(body()).unwrap();
    chat.complete(request.clone()).await.unwrap();
    let mut events = chat.stream(request).await.unwrap();
    let mut fragments_of_b = Vec::new();
    while let Some(event) = events.next().await {
        let ChatStreamEvent::Chunk(chunk) = event.unwrap() else {
            continue;
        };
        for choice in &chunk.choices {
            for call in choice.delta.tool_calls.iter().flatten() {
                if call.index == 1 {
                    fragments_of_b.push((
                        call.id.clone(),
                        call.function.name.clone(),
                        call.function.arguments.clone(),
                    ));
                }
            }
        }
    }
    // The first fragment names the call; the rest add arguments only; `null` reads as absent.
    assert_eq!(
        fragments_of_b[0],
        (
            Some("call_b".into()),
            Some("get_weather".into()),
            String::new()
        )
    );
    assert!(
        fragments_of_b[1..]
            .iter()
            .all(|(id, name, _)| id.is_none() && name.is_none())
    );
    let arguments: String = fragments_of_b.iter().map(|f| f.2.as_str()).collect();
    assert_eq!(arguments, BUSAN);
}

/// A text completion as an OpenAI-compatible server answers it: no `seed`, no `tokens`, no
/// `object` (Friendli's own fields, and a constant), and `null`s where the document has none.
#[tokio::test]
async fn an_openai_compatible_completion_decodes() {
    let server = MockServer::start();
    server.push(Scenario::json(
        200,
        json!({
            "id": "cmpl-1",
            "created": 1_700_000_000,
            "model": "mock-model",
            "choices": [{"index": 0, "text": "Paris.", "logprobs": null, "finish_reason": "stop",
                         "stop_reason": null, "prompt_logprobs": null}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7,
                      "prompt_tokens_details": null},
        }),
    ));
    let client = friendli_tests::builder(&server)
        .container_url(server.url())
        .build()
        .unwrap();
    let request: friendli::types::ContainerCompletionsBody =
        serde_json::from_value(json!({"prompt": "The capital of France is"})).unwrap();
    let result = client
        .container()
        .completions()
        .complete(request)
        .await
        .unwrap();
    assert_eq!(result.choices[0].text, "Paris.");
    assert_eq!(result.choices[0].seed, None);
    assert!(result.choices[0].tokens.is_empty());
    assert_eq!(result.usage.total_tokens, 7);
    // What the SDK does not know is kept.
    assert_eq!(result.choices[0].extra["stop_reason"], Value::Null);
}
