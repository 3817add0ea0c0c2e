//! The inference extras against the mock: a folded stream equals `complete()` (chat with and
//! without function calls and reasoning, on every family; completions in both forms and with
//! several choices), text deltas, structured output, and embeddings in both encodings.

use base64::Engine as _;
use friendli::prelude::*;
use friendli::types::{
    CompletionsResult, DedicatedEmbeddingsBody, ResponseFormat, ServerlessChatCompletionBody,
    ServerlessCompletionsBody, StreamOptions,
};
use friendli_mock::{MockServer, Scenario};
use friendli_tests::client;
use serde_json::{Value, json};

/// A value with the fields that differ between two answers (ids, times) blanked.
fn blank(value: impl serde::Serialize) -> Value {
    let mut value = serde_json::to_value(value).unwrap();
    value["id"] = Value::Null;
    value["created"] = Value::Null;
    for choice in value["choices"].as_array_mut().into_iter().flatten() {
        let calls = choice
            .pointer_mut("/message/tool_calls")
            .and_then(Value::as_array_mut);
        for call in calls.into_iter().flatten() {
            call["id"] = Value::Null;
        }
    }
    value
}

fn chat(body: Value) -> ServerlessChatCompletionBody {
    serde_json::from_value(body).unwrap()
}

/// Asks the same chat request with `complete()` and `stream()` (with usage) on serverless, and
/// checks the folded stream equals the answer; returns the answer.
async fn fold_equals_complete(client: &Client, body: Value) -> ChatResult {
    let mut request = chat(body);
    request.stream_options = Some(StreamOptions {
        include_usage: Some(true),
    });
    let chat = client.serverless().chat();
    let complete = chat.complete(request.clone()).await.unwrap();
    let collected = chat
        .stream(request)
        .await
        .unwrap()
        .collect_chat()
        .await
        .unwrap();
    assert_eq!(blank(&collected.result), blank(&complete));
    assert_eq!(collected.usage(), Some(&complete.usage));
    complete.into_inner()
}

#[tokio::test]
async fn a_folded_chat_stream_equals_complete_with_and_without_calls_and_reasoning() {
    let server = MockServer::start();
    let client = client(&server);

    let plain = fold_equals_complete(
        &client,
        json!({"model": "m", "messages": [{"role": "user", "content": "What is 3 + 6?"}]}),
    )
    .await;
    assert!(plain.content().is_some_and(|t| !t.is_empty()));
    assert!(plain.tool_calls().is_empty() && plain.reasoning().is_none());

    let calls = fold_equals_complete(
        &client,
        json!({
            "model": "m",
            "messages": [{"role": "user", "content": "Use get_weather and get_time for Seoul."}],
            "tools": [
                {"type": "function", "function": {"name": "get_weather", "parameters": {
                    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
                {"type": "function", "function": {"name": "get_time", "parameters": {
                    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
            ],
        }),
    )
    .await;
    let names: Vec<&str> = calls
        .tool_calls()
        .iter()
        .map(|c| c.function.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["get_weather", "get_time"],
        "two calls, arguments joined"
    );
    for call in calls.tool_calls() {
        let arguments: Value = serde_json::from_str(&call.function.arguments).unwrap();
        assert!(arguments["city"].is_string(), "{arguments}");
    }

    let reasoning = fold_equals_complete(
        &client,
        json!({
            "model": "m", "parse_reasoning": true,
            "messages": [{"role": "user", "content": "What is 12 * 12?"}],
        }),
    )
    .await;
    assert!(reasoning.reasoning().is_some_and(|r| !r.is_empty()));
}

#[tokio::test]
async fn dedicated_and_container_chat_fold_the_same_way() {
    let server = MockServer::start();
    let client = friendli_tests::builder(&server)
        .container_url(server.url())
        .build()
        .unwrap();
    let body = json!({"model": "ep-1:adapter", "messages": [{"role": "user", "content": "What is 2 + 2?"}]});

    let dedicated = client.dedicated().chat();
    let request: friendli::types::DedicatedChatCompletionBody =
        serde_json::from_value(body.clone()).unwrap();
    let complete = dedicated.complete(request.clone()).await.unwrap();
    let folded = dedicated
        .stream(request)
        .await
        .unwrap()
        .collect_chat()
        .await
        .unwrap();
    assert_eq!(
        blank(&folded.result)["choices"],
        blank(&complete)["choices"]
    );

    let container = client.container().chat();
    let request: friendli::types::ContainerChatCompletionBody =
        serde_json::from_value(body).unwrap();
    let complete = container.complete(request.clone()).await.unwrap();
    let text: String = container
        .stream(request)
        .await
        .unwrap()
        .text_deltas()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(Some(text.as_str()), complete.content());
}

/// Asks `body` with `complete()` and `stream()` on serverless completions and compares.
async fn completions_fold(client: &Client, body: Value) -> CompletionsResult {
    let request: ServerlessCompletionsBody = serde_json::from_value(body).unwrap();
    let completions = client.serverless().completions();
    let complete = completions.complete(request.clone()).await.unwrap();
    let collected = completions
        .stream(request)
        .await
        .unwrap()
        .collect_completions()
        .await
        .unwrap();
    // Streams do not carry the seed: the folded choices say 0.
    let mut expected = blank(&complete);
    for choice in expected["choices"].as_array_mut().unwrap() {
        choice["seed"] = json!(0);
    }
    assert_eq!(blank(&collected.result), expected);
    assert!(collected.usage_reported);
    assert_eq!(collected.usage(), Some(&complete.usage));
    complete.into_inner()
}

#[tokio::test]
async fn a_folded_completions_stream_equals_complete_in_both_forms() {
    let server = MockServer::start();
    let client = client(&server);
    let usage = json!({"include_usage": true});

    let prompt = completions_fold(
        &client,
        json!({"model": "m", "prompt": "What is 3 + 6?", "n": 2, "stream_options": usage}),
    )
    .await;
    assert_eq!(prompt.choices.len(), 2);
    assert!(!prompt.choices[0].text.is_empty());
    assert_eq!(
        prompt.choices[0].tokens.len(),
        prompt.choices[0].text.chars().count()
    );

    let tokens: Vec<i64> = "What is 2 * 4?"
        .chars()
        .map(|c| i64::from(u32::from(c)))
        .collect();
    let by_tokens = completions_fold(
        &client,
        json!({"model": "m", "tokens": tokens, "max_tokens": 5, "stream_options": usage}),
    )
    .await;
    assert_eq!(by_tokens.choices[0].finish_reason.to_string(), "length");

    // Without usage, the folded usage says it is absent.
    let request: ServerlessCompletionsBody =
        serde_json::from_value(json!({"model": "m", "prompt": "Hi"})).unwrap();
    let collected = client
        .serverless()
        .completions()
        .stream(request)
        .await
        .unwrap()
        .collect_completions()
        .await
        .unwrap();
    assert!(!collected.usage_reported);
    assert_eq!(collected.usage(), None);
    assert!(collected.text().is_some_and(|t| !t.is_empty()));
}

#[tokio::test]
async fn completions_take_a_prompt_from_a_str_and_a_builder() {
    let server = MockServer::start();
    let client = client(&server);
    let request = friendli::types::CompletionsServerlessBodyWithPrompt::builder()
        .model("m")
        .prompt("What is 3 + 6?");
    let result = client
        .serverless()
        .completions()
        .complete(request)
        .await
        .unwrap();
    assert!(
        result.choices[0].text.contains('9'),
        "{}",
        result.choices[0].text
    );
    let sent = server.requests_for("serverlessCompletionsComplete");
    assert_eq!(sent[0].json().unwrap()["prompt"], "What is 3 + 6?");
}

/// The answer to structured-output tests: a city.
#[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
struct City {
    /// The city's name.
    name: String,
    /// How many people live there.
    population: u64,
}

fn answer_with(content: &str) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    })
}

#[tokio::test]
async fn structured_output_sends_the_schema_and_parses_the_answer() {
    let server = MockServer::start();
    let client = client(&server);
    let request = ServerlessChatCompletionBody::builder()
        .model("m")
        .messages(vec![Message::user("Describe Seoul as JSON.")])
        .response_format(ResponseFormat::json_schema_for::<City>());

    server.push_for(
        "serverlessChatComplete",
        Scenario::json(
            200,
            answer_with(r#"{"name": "Seoul", "population": 9400000}"#),
        ),
    );
    let city: City = client
        .serverless()
        .chat()
        .complete(request.clone())
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        city,
        City {
            name: "Seoul".into(),
            population: 9_400_000
        }
    );
    let sent = server.requests_for("serverlessChatComplete");
    let format = &sent[0].json().unwrap()["response_format"];
    assert_eq!(format["type"], "json_schema");
    assert_eq!(
        format["json_schema"]["schema"]["properties"]["population"]["description"],
        "How many people live there."
    );

    let wrong = r#"{"name": "Seoul"}"#;
    server.push_for(
        "serverlessChatComplete",
        Scenario::json(200, answer_with(wrong)),
    );
    let answer = client.serverless().chat().complete(request).await.unwrap();
    let Err(friendli::Error::Decode(error)) = answer.parse::<City>() else {
        panic!("an answer without `population` parsed as a City");
    };
    assert_eq!(&error.raw[..], wrong.as_bytes());
    assert!(error.to_string().contains("population"), "{error}");
}

#[tokio::test]
async fn embeddings_decode_to_the_same_floats_in_both_encodings() {
    let server = MockServer::start();
    let client = client(&server);
    let vector = [0.5f32, -0.25, 1.0e-3];
    let base64 = base64::engine::general_purpose::STANDARD.encode(
        vector
            .iter()
            .flat_map(|f| f.to_le_bytes())
            .collect::<Vec<u8>>(),
    );
    let answer = |embedding: Value| {
        json!({
            "id": "emb-1", "object": "list", "created": 1, "model": "ep-1",
            "data": [{"index": 0, "object": "embedding", "embedding": embedding}],
            "usage": {"prompt_tokens": 2, "completion_tokens": 0, "total_tokens": 2},
        })
    };
    let request: DedicatedEmbeddingsBody = serde_json::from_value(
        json!({"model": "ep-1", "input": "hello", "encoding_format": "base64"}),
    )
    .unwrap();
    for embedding in [json!(base64), json!(vector)] {
        server.push_for(
            "dedicatedEmbeddings",
            Scenario::json(200, answer(embedding)),
        );
        let result = client
            .dedicated()
            .embeddings()
            .embeddings(request.clone())
            .await
            .unwrap();
        assert_eq!(result.vectors_f32().unwrap(), vec![vector.to_vec()]);
    }
    assert_eq!(
        server.requests_for("dedicatedEmbeddings")[0]
            .json()
            .unwrap()["encoding_format"],
        "base64"
    );
}

#[tokio::test]
async fn fields_this_sdk_does_not_know_are_kept_at_every_level() {
    let server = MockServer::start();
    let client = client(&server);
    let mut answer = answer_with("Hi");
    answer["service_tier"] = json!("flex");
    answer["choices"][0]["stop_reason"] = json!(null);
    answer["choices"][0]["message"]["annotations"] = json!([{"type": "url_citation"}]);
    answer["usage"]["completion_tokens_details"] = json!({"reasoning_tokens": 7});
    server.push_for(
        "serverlessChatComplete",
        Scenario::json(200, answer.clone()),
    );
    let result = client
        .serverless()
        .chat()
        .complete(chat(
            json!({"model": "m", "messages": [{"role": "user", "content": "Hi"}]}),
        ))
        .await
        .unwrap();
    assert_eq!(result.extra["service_tier"], "flex");
    assert_eq!(
        result.choices[0].message.extra["annotations"],
        json!([{"type": "url_citation"}])
    );
    // Serialised again, the answer is what the server sent.
    assert_eq!(serde_json::to_value(&result).unwrap(), answer);
}

#[tokio::test]
async fn a_content_block_of_a_new_kind_is_kept_not_fatal() {
    use friendli::types::{
        MessagesResponseContentBlock as Block, MessagesResponseContentBlockKnown,
    };
    let server = MockServer::start();
    let client = client(&server);
    let block = json!({"type": "server_tool_use", "id": "srv_1", "name": "web_search", "input": {"q": "rust"}});
    server.push_for(
        "serverlessMessages",
        Scenario::json(
            200,
            json!({
                "id": "msg_1", "type": "message", "role": "assistant", "model": "m",
                "content": [{"type": "text", "text": "Searching."}, block],
                "stop_reason": "end_turn", "stop_sequence": null,
                "usage": {"input_tokens": 3, "output_tokens": 4},
            }),
        ),
    );
    let request: friendli::types::ServerlessMessagesBody = serde_json::from_value(json!({
        "model": "m", "max_tokens": 64, "messages": [{"role": "user", "content": "Search rust"}],
    }))
    .unwrap();
    let answer = client
        .serverless()
        .messages()
        .messages(request)
        .await
        .unwrap();
    assert!(matches!(
        &answer.content[0],
        Block::Known(MessagesResponseContentBlockKnown::Text { text, .. }) if text == "Searching."
    ));
    assert!(matches!(&answer.content[1], Block::Unknown(_)));
    assert_eq!(serde_json::to_value(&answer.content[1]).unwrap(), block);
}

#[tokio::test]
async fn a_ping_in_a_messages_stream_is_an_event_not_an_error() {
    use friendli::events::MessagesEvent;
    let server = MockServer::start();
    let client = client(&server);
    let transcript = concat!(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"usage\":{\"input_tokens\":3,\"output_tokens\":0}}}\n\n",
        "event: ping\ndata: {\"type\":\"ping\"}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    );
    server.push_for("serverlessMessagesStream", Scenario::transcript(transcript));
    let request: friendli::types::ServerlessMessagesBody = serde_json::from_value(json!({
        "model": "m", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}],
    }))
    .unwrap();
    let events: Vec<MessagesEvent> = client
        .serverless()
        .messages()
        .stream(request)
        .await
        .unwrap()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(events.len(), 4, "{events:?}");
    let MessagesEvent::Unknown(ping) = &events[1] else {
        panic!("{:?}", events[1])
    };
    assert_eq!(ping.event, "ping");
    assert_eq!(events[2].text().as_deref(), Some("Hi"));
    assert!(matches!(events[3], MessagesEvent::MessageStop(_)));
}
