//! `friendli-mock` as a test double for the users' own code, through the SDK and with no scripted
//! answer: endpoints keep state through their lifecycle, every paged list ends, embeddings are
//! real vectors, messages and responses answer the prompt, and streamed tool calls arrive in the
//! fragments of OpenAI-style servers, with a character cut across two chunks.

use friendli::prelude::*;
use friendli::types::{ServerlessChatCompletionBody, StreamOptions};
use friendli_mock::MockServer;
use friendli_tests::client;
use serde_json::{Value, json};

fn chat(body: Value) -> ServerlessChatCompletionBody {
    serde_json::from_value(body).unwrap()
}

/// A chat request asking `text` with one function, `get_weather(city)`.
fn weather_request(text: &str) -> ServerlessChatCompletionBody {
    chat(json!({
        "model": "mock-model",
        "messages": [{"role": "user", "content": text}],
        "tools": [{"type": "function", "function": {
            "name": "get_weather",
            "description": "The current weather of a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string", "description": "The city."}},
                "required": ["city"],
            },
        }}],
    }))
}

#[tokio::test]
async fn a_streamed_tool_call_arrives_in_fragments_and_folds_into_the_call_complete_gives() {
    let server = MockServer::start();
    let client = client(&server);
    // Non-ASCII arguments: the mock cuts a multi-byte character across two body chunks.
    let mut request = weather_request("Is it snowing in Zürich? Use get_weather.");
    request.stream_options = Some(StreamOptions {
        include_usage: Some(true),
    });
    let chat = client.serverless().chat();
    let complete = chat.complete(request.clone()).await.unwrap();
    let calls = complete.tool_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].function.name, "get_weather");
    assert_eq!(
        serde_json::from_str::<Value>(&calls[0].function.arguments).unwrap(),
        json!({"city": "Zürich"})
    );

    // The fragments as they arrive: the first names the call, the others carry only pieces of
    // the arguments.
    let mut events = chat.stream(request.clone()).await.unwrap();
    let mut fragments: Vec<Value> = Vec::new();
    while let Some(event) = events.next().await {
        let event = event.unwrap();
        let Some(chunk) = event.chunk() else { continue };
        for choice in &chunk.choices {
            for call in choice.delta.tool_calls.iter().flatten() {
                fragments.push(serde_json::to_value(call).unwrap());
            }
        }
    }
    assert!(fragments.len() > 2, "{fragments:?}");
    assert_eq!(fragments[0]["index"], 0);
    assert_eq!(fragments[0]["function"]["name"], "get_weather");
    assert!(fragments[0]["id"].is_string(), "{}", fragments[0]);
    for later in &fragments[1..] {
        assert_eq!(later["index"], 0);
        assert!(later["id"].is_null(), "{later}");
        assert!(later["function"]["name"].is_null(), "{later}");
    }
    let joined: String = fragments
        .iter()
        .filter_map(|f| f["function"]["arguments"].as_str())
        .collect();
    assert_eq!(joined, calls[0].function.arguments);

    // collect_chat joins them into the same call as complete().
    let collected = chat
        .stream(request)
        .await
        .unwrap()
        .collect_chat()
        .await
        .unwrap();
    let folded = collected.result.tool_calls();
    assert_eq!(folded.len(), 1);
    assert_eq!(folded[0].function.name, calls[0].function.name);
    assert_eq!(folded[0].function.arguments, calls[0].function.arguments);
    assert_eq!(
        collected.result.choices[0].finish_reason,
        complete.choices[0].finish_reason
    );
    assert_eq!(collected.usage(), Some(&complete.usage));
}

#[tokio::test]
async fn the_weather_in_seoul_is_asked_for_seoul_in_every_family() {
    let server = MockServer::start();
    let client = client(&server);
    let text = "What's the weather in Seoul? Use get_weather.";
    let answer = client
        .serverless()
        .chat()
        .complete(weather_request(text))
        .await
        .unwrap();
    let arguments = &answer.tool_calls()[0].function.arguments;
    assert_eq!(
        serde_json::from_str::<Value>(arguments).unwrap(),
        json!({"city": "Seoul"})
    );

    // Tool-assisted chat, streamed: the same call, joined from its fragments.
    let request: friendli::types::ToolAssistedChatRequest =
        serde_json::from_value(serde_json::to_value(weather_request(text)).unwrap()).unwrap();
    let collected = client
        .serverless()
        .tool_assisted_chat()
        .stream(request)
        .await
        .unwrap()
        .collect_chat()
        .await
        .unwrap();
    let calls = collected.result.tool_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        serde_json::from_str::<Value>(&calls[0].function.arguments).unwrap(),
        json!({"city": "Seoul"})
    );
}
