//! `friendli-mock` as a test double for the users' own code, through the SDK and with no scripted
//! answer: endpoints keep state through their lifecycle, every paged list ends, embeddings are
//! real vectors, messages and responses answer the prompt, and streamed tool calls arrive in the
//! fragments of OpenAI-style servers, with a character cut across two chunks.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use friendli::Error;
use friendli::endpoints::NotRunningReason;
use friendli::events::ResponsesEvent;
use friendli::prelude::*;
use friendli::types::{
    CreateDatasetRequest, DatasetInfo, DedicatedChatCompletionBody, DedicatedEmbeddingsBody,
    DedicatedEndpointCreateBody, DedicatedEndpointStatus, DedicatedEndpointUpdateBody,
    ServerlessChatCompletionBody, SplitInfo, StreamOptions,
};
use friendli_mock::{MockConfig, MockServer, Scenario, StreamShape};
use friendli_tests::client;
use futures::TryStreamExt;
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

    // ToolAssistedChatTool-assisted chat, streamed: the same call, joined from its fragments.
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

/// The body of an endpoint to create in `project`.
fn endpoint_body(project: &str, name: &str) -> DedicatedEndpointCreateBody {
    serde_json::from_value(json!({
        "projectId": project,
        "name": name,
        "instanceOptionId": "TwD5AqnBSVN0",
        "hfModelRepo": "meta-llama/Llama-3.1-8B-Instruct",
        "advanced": {"tokenizer_skip_special_tokens": true, "tokenizer_add_special_tokens": false},
    }))
    .unwrap()
}

fn dedicated_chat(endpoint_id: &str, text: &str) -> DedicatedChatCompletionBody {
    serde_json::from_value(json!({
        "model": endpoint_id,
        "messages": [{"role": "user", "content": text}],
    }))
    .unwrap()
}

fn status_of(error: &Error) -> Option<u16> {
    error.status().map(|s| s.as_u16())
}

#[tokio::test]
async fn an_endpoint_lives_from_create_to_delete_without_a_scripted_answer() {
    let server = MockServer::start();
    let client = client(&server);
    let endpoints = client.dedicated().endpoint();

    let created = endpoints
        .create(endpoint_body("proj-1", "first"))
        .await
        .unwrap();
    assert_eq!(
        created.summary(),
        "INITIALIZING (REQUESTING_VIRTUAL_MACHINE)"
    );

    // The answer carries no ID, as the API's: the new endpoint is the one the list gained.
    let listed: Vec<(String, DedicatedEndpointStatus)> = endpoints
        .list()
        .project_id("proj-1")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let id = listed[0].0.clone();
    assert_eq!(listed[0].1.summary(), created.summary());
    assert_eq!(server.endpoint_ids(), [id.as_str()]);
    let other_project: Vec<(String, DedicatedEndpointStatus)> = endpoints
        .list()
        .project_id("proj-2")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert!(other_project.is_empty());

    // Three status reads later (the default), it runs; every phase is seen on the way.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let running = endpoints
        .wait_until_running(&id)
        .poll_interval(Duration::from_millis(1))
        .on_status(move |status| sink.lock().unwrap().push(status.summary()))
        .await
        .unwrap();
    assert!(running.is_running());
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "INITIALIZING (DOWNLOADING_MODEL)",
            "INITIALIZING (ENGINE_INITIALIZING)",
            "RUNNING"
        ]
    );

    let answer = client
        .dedicated()
        .chat()
        .complete(dedicated_chat(&id, "Say hello."))
        .await
        .unwrap();
    assert_eq!(answer.content(), Some("You said: Say hello."));
    let spec = endpoints.get_spec(&id).await.unwrap();
    assert_eq!(spec.name, "first");
    assert_eq!(spec.gpu_type, "NVIDIA H100");

    let terminating = endpoints.terminate(&id).await.unwrap();
    assert_eq!(terminating.summary(), "TERMINATING");
    let error = client
        .dedicated()
        .chat()
        .complete(dedicated_chat(&id, "Still there?"))
        .await
        .unwrap_err();
    assert_eq!(status_of(&error), Some(400), "{error}");
    assert!(error.to_string().contains("TERMINATING"), "{error}");
    assert!(endpoints.get_status(&id).await.unwrap().is_terminated());

    endpoints.delete(&id).await.unwrap();
    assert!(server.endpoint_ids().is_empty());
    let left: Vec<(String, DedicatedEndpointStatus)> =
        endpoints.list().items().try_collect().await.unwrap();
    assert!(left.is_empty());
    let gone = endpoints.get_status(&id).await.unwrap_err();
    assert_eq!(status_of(&gone), Some(404));
    assert!(
        server.requests().iter().all(|r| r.operation_id.is_some()),
        "every request reached an operation"
    );
}

#[tokio::test]
async fn chat_on_an_endpoint_that_is_not_running_fails_until_it_runs() {
    let server = MockServer::start_with(MockConfig {
        endpoint_start_polls: 2,
        ..MockConfig::default()
    })
    .unwrap();
    let client = client(&server);
    let endpoints = client.dedicated().endpoint();
    endpoints
        .create(endpoint_body("proj-1", "sleepy"))
        .await
        .unwrap();
    let id = server.endpoint_ids().pop().unwrap();

    // Without retries: the 503 of an endpoint on its way up, naming its status.
    let error = client
        .dedicated()
        .chat()
        .complete(dedicated_chat(&id, "hi"))
        .retries(RetryConfig::none())
        .await
        .unwrap_err();
    assert_eq!(status_of(&error), Some(503), "{error}");
    assert!(error.to_string().contains("INITIALIZING"), "{error}");

    // A sleeping endpoint: the request wakes it, and the retries reach it running.
    assert_eq!(endpoints.sleep(&id).await.unwrap().summary(), "SLEEPING");
    let answer = client
        .dedicated()
        .chat()
        .complete(dedicated_chat(&format!("{id}:adapter"), "hi"))
        .await
        .unwrap();
    assert_eq!(answer.content(), Some("You said: hi"));
    let chats = server.requests_for("dedicatedChatComplete");
    assert_eq!(chats.len(), 1 + 4, "one refusal, then three and the answer");
    assert!(endpoints.get_status(&id).await.unwrap().is_running());

    // An endpoint the server never created is served as it is.
    let answer = client
        .dedicated()
        .chat()
        .complete(dedicated_chat("ep-elsewhere", "hi"))
        .await
        .unwrap();
    assert_eq!(answer.content(), Some("You said: hi"));
}

#[tokio::test]
async fn every_paged_list_ends_and_yields_the_stored_items() {
    let server = MockServer::start_with(MockConfig {
        endpoint_start_polls: 0,
        ..MockConfig::default()
    })
    .unwrap();
    let client = client(&server);

    let mut dataset_ids = Vec::new();
    for name in ["a", "b", "c"] {
        let request: CreateDatasetRequest = serde_json::from_value(
            json!({"name": name, "projectId": "proj-1", "modality": {"input_modals": ["TEXT"]}}),
        )
        .unwrap();
        dataset_ids.push(
            client
                .dataset()
                .create_dataset(request)
                .await
                .unwrap()
                .into_inner()
                .id,
        );
    }
    let datasets: Vec<DatasetInfo> = client
        .dataset()
        .list_datasets("proj-1")
        .limit(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    let listed: Vec<&String> = datasets.iter().map(|d| &d.id).collect();
    assert_eq!(listed, dataset_ids.iter().collect::<Vec<_>>());

    let dataset = &dataset_ids[0];
    let mut split_ids = Vec::new();
    for name in ["train", "test", "validation"] {
        split_ids.push(
            client
                .dataset()
                .create_split(dataset, name)
                .await
                .unwrap()
                .into_inner()
                .id,
        );
    }
    let splits: Vec<String> = client
        .dataset()
        .list_splits(dataset)
        .limit(2)
        .items()
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(splits, split_ids);

    let samples: Vec<String> = (0..5).map(|i| json!({"n": i}).to_string()).collect();
    client
        .dataset()
        .add_samples(dataset, &split_ids[0], samples.clone())
        .await
        .unwrap();
    let listed: Vec<String> = client
        .dataset()
        .list_samples(dataset, &split_ids[0])
        .limit(2)
        .items()
        .map_ok(|[_, data]| data)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed, samples);

    let endpoints = client.dedicated().endpoint();
    for name in ["e1", "e2", "e3"] {
        endpoints
            .create(endpoint_body("proj-1", name))
            .await
            .unwrap();
    }
    let ids: Vec<String> = endpoints
        .list()
        .limit(2)
        .items()
        .map_ok(|(id, _)| id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, server.endpoint_ids());
    let update: DedicatedEndpointUpdateBody =
        serde_json::from_value(json!({"name": "renamed", "newVersionComment": "v2"})).unwrap();
    endpoints.update(&ids[0], update).await.unwrap();
    let versions: Vec<String> = endpoints
        .get_version_history(&ids[0])
        .limit(1)
        .items()
        .map_ok(|(_, spec)| spec.name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(versions, ["e1", "renamed"]);

    // Every list took its pages and stopped at the last: the last page has no cursor.
    for (operation, pages) in [
        ("list_datasets", 2),
        ("list_splits", 2),
        ("list_samples", 3),
        ("dedicatedListEndpoints", 2),
        ("dedicatedGetEndpointVersionHistory", 2),
    ] {
        assert_eq!(server.requests_for(operation).len(), pages, "{operation}");
    }

    // A list of an ID the server never issued is generated from the document, and ends too.
    let generated: Vec<SplitInfo> = client
        .dataset()
        .list_splits("ds-elsewhere")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(generated.len(), 1);
}

#[tokio::test]
async fn embeddings_are_one_deterministic_vector_per_input_of_the_configured_dimension() {
    let inputs = ["The quick brown fox", "jumps over", "the lazy dog"];
    let embed = |encoding: &str| -> DedicatedEmbeddingsBody {
        serde_json::from_value(
            json!({"model": "ep-embed", "input": inputs, "encoding_format": encoding}),
        )
        .unwrap()
    };
    let mut runs = Vec::new();
    for encoding in ["float", "base64"] {
        // A server of its own each time: nothing carries over between them.
        let server = MockServer::start_with(MockConfig {
            embedding_dimension: 12,
            ..MockConfig::default()
        })
        .unwrap();
        let answer = client(&server)
            .dedicated()
            .embeddings()
            .embeddings(embed(encoding))
            .await
            .unwrap();
        let vectors = answer.vectors_f32().unwrap();
        assert_eq!(vectors.len(), 3);
        for (vector, input) in vectors.iter().zip(inputs) {
            assert_eq!(vector.len(), 12);
            assert_eq!(*vector, friendli_mock::embeddings::vector(input, 12));
        }
        assert_ne!(vectors[0], vectors[1]);
        runs.push(vectors);
    }
    assert_eq!(
        runs[0], runs[1],
        "the same vectors in both encodings, on both servers"
    );

    // The default dimension is 8.
    let server = MockServer::start();
    let answer = client(&server)
        .dedicated()
        .embeddings()
        .embeddings(embed("float"))
        .await
        .unwrap();
    assert!(answer.vectors_f32().unwrap().iter().all(|v| v.len() == 8));
}

#[tokio::test]
async fn messages_and_responses_answer_the_prompt_whole_and_streamed() {
    let server = MockServer::start();
    let client = client(&server);
    let messages: friendli::types::ServerlessMessagesBody = serde_json::from_value(json!({
        "model": "mock-model", "max_tokens": 64,
        "messages": [{"role": "user", "content": "Hello there"}],
    }))
    .unwrap();
    let whole = client
        .serverless()
        .messages()
        .messages(messages.clone())
        .await
        .unwrap();
    let text = serde_json::to_value(&whole.content).unwrap();
    assert_eq!(
        text,
        json!([{"type": "text", "text": "You said: Hello there"}])
    );
    let streamed: Vec<String> = client
        .serverless()
        .messages()
        .stream(messages)
        .await
        .unwrap()
        .text_deltas()
        .try_collect()
        .await
        .unwrap();
    assert!(streamed.len() > 1, "{streamed:?}");
    assert_eq!(streamed.concat(), "You said: Hello there");

    let responses: friendli::types::ServerlessResponsesBody =
        serde_json::from_value(json!({"model": "mock-model", "input": "Hello there"})).unwrap();
    let whole = client
        .serverless()
        .responses()
        .responses(responses.clone())
        .await
        .unwrap();
    let output = serde_json::to_value(&whole.output).unwrap();
    assert_eq!(output[0]["content"][0]["text"], "You said: Hello there");
    let events: Vec<ResponsesEvent> = client
        .serverless()
        .responses()
        .stream(responses)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let text: String = events
        .iter()
        .filter_map(friendli::text::TextEvent::text)
        .collect();
    assert_eq!(text, "You said: Hello there");
    assert!(matches!(events.first(), Some(ResponsesEvent::Created(_))));
    assert!(matches!(events.last(), Some(ResponsesEvent::Completed(_))));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ResponsesEvent::Unknown(_))),
        "every event is one the SDK knows"
    );
}

#[tokio::test]
async fn a_scripted_answer_wins_over_the_stored_state_and_leaves_it_alone() {
    let server = MockServer::start();
    let client = client(&server);
    let endpoints = client.dedicated().endpoint();

    // A create that fails stores nothing.
    server.push_for("dedicatedCreateEndpoint", Scenario::fail(500));
    let error = endpoints
        .create(endpoint_body("proj-1", "failed"))
        .retries(RetryConfig::none())
        .await
        .unwrap_err();
    assert_eq!(status_of(&error), Some(500));
    assert!(server.endpoint_ids().is_empty());

    endpoints
        .create(endpoint_body("proj-1", "kept"))
        .await
        .unwrap();
    let id = server.endpoint_ids().pop().unwrap();
    // A scripted status: the wait ends on it, and the endpoint's own state does not move.
    server.push_for(
        "dedicatedGetEndpointStatus",
        Scenario::json(
            200,
            json!({"status": "FAILED", "createdAt": "2026-01-01T00:00:00Z",
                   "errorCode": "WORKLOAD_INIT_DOWNLOAD_ERROR"}),
        ),
    );
    let error = endpoints
        .wait_until_running(&id)
        .poll_interval(Duration::from_millis(1))
        .await
        .unwrap_err();
    assert!(
        error
            .endpoint_not_running()
            .is_some_and(|e| e.reason == NotRunningReason::Failed),
        "{error:?}"
    );
    assert_eq!(
        endpoints.get_status(&id).await.unwrap().summary(),
        "INITIALIZING (DOWNLOADING_MODEL)",
        "the first status the endpoint itself reports"
    );

    // A fault shapes the stored answer; the generated answer ignores the state.
    server.push_for(
        "dedicatedListEndpoints",
        Scenario::assistant().shape(StreamShape::default().chunks([3])),
    );
    let listed: Vec<(String, DedicatedEndpointStatus)> =
        endpoints.list().items().try_collect().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].0, id);
    server.push_for("dedicatedListEndpoints", Scenario::generated());
    let generated: Vec<(String, DedicatedEndpointStatus)> =
        endpoints.list().items().try_collect().await.unwrap();
    assert!(generated.iter().all(|(key, _)| *key != id), "{generated:?}");
}
