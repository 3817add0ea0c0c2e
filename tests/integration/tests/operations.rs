//! The one call layer, per shape of operation, against the mock: a unary JSON call, a stream that
//! ends at `[DONE]`, a stream that ends at a named event, a GET with path and query parameters, a
//! DELETE without a body, and multipart uploads — each with a retried failure and a final error.
//! Every call here goes through the generated namespaces or `Client::call`, with no code written
//! for the operation.

use std::time::Duration;

use friendli::events::{ChatStreamEvent, MessagesEvent};
use friendli::operation::{FilePart, Multipart};
use friendli::prelude::*;
use friendli::{Error, RetryConfig, operations};
use friendli_mock::{Fault, MockServer, Scenario, StreamShape};
use friendli_tests::{TOKEN, client};
use serde_json::{Value, json};

fn body<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a valid body")
}

/// Reads a stream up to its error: how many events came before it (each checked by `expected`),
/// and the error. A stream that ends cleanly instead fails the test.
async fn events_then_error<E: std::fmt::Debug>(
    mut events: impl futures::Stream<Item = friendli::Result<E>> + Unpin,
    expected: fn(&E) -> bool,
) -> (usize, Error) {
    let mut delivered = 0;
    loop {
        match events.next().await {
            Some(Ok(event)) if expected(&event) => delivered += 1,
            Some(Ok(other)) => panic!("unexpected event {other:?}"),
            Some(Err(error)) => return (delivered, error),
            None => panic!("a stream without its end must not end cleanly"),
        }
    }
}

fn two_attempts() -> RetryConfig {
    friendli_tests::fast_retries().max_attempts(2)
}

/// A final error after retries: the last attempt's status, and the attempts listed.
fn assert_exhausted(error: &Error, status: u16, attempts: usize) {
    let Error::RetriesExhausted(exhausted) = error else {
        panic!("expected RetriesExhausted, got {error:?}")
    };
    assert_eq!(exhausted.attempts.len(), attempts, "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(status), "{error}");
}

#[tokio::test]
async fn unary_json_tokenize_with_a_retry_and_a_final_error() {
    let server = MockServer::start();
    let client = client(&server);
    let request: friendli::types::ServerlessTokenizationBody =
        body(json!({"model": "mock-model", "prompt": "Hello"}));

    server.push_for("serverlessTokenization", Scenario::fail(503));
    let tokens = client
        .serverless()
        .token()
        .tokenize(request.clone())
        .await
        .unwrap();
    assert_eq!(tokens.attempts(), 2, "one failure, then the answer");
    assert_eq!(tokens.tokens.len(), 5);
    let sent = server.requests_for("serverlessTokenization");
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].method, "POST");
    assert_eq!(sent[1].header("content-type"), Some("application/json"));
    assert_eq!(sent[1].header("accept"), Some("application/json"));
    assert_eq!(
        sent[1].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        sent[1].json().unwrap(),
        json!({"model": "mock-model", "prompt": "Hello"})
    );

    // The same operation through `Client::call`, and its inverse.
    let text = client
        .call(
            operations::ServerlessDetokenization,
            body::<friendli::types::ServerlessDetokenizationBody>(
                json!({"model": "mock-model", "tokens": tokens.tokens}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(text.text, "Hello");

    server.push_for("serverlessTokenization", Scenario::fail(500).times(2));
    let error = client
        .serverless()
        .token()
        .tokenize(request)
        .retries(two_attempts())
        .await
        .unwrap_err();
    assert_exhausted(&error, 500, 2);
}

fn chat_request() -> friendli::types::ServerlessChatCompletionBody {
    body(json!({
        "model": "mock-model",
        "messages": [{"role": "user", "content": "What is 3 + 6?"}],
        "stream_options": {"include_usage": true},
    }))
}

#[tokio::test]
async fn a_stream_that_ends_at_done_with_a_retry_and_a_final_error() {
    let server = MockServer::start();
    let client = client(&server);

    server.push_for(
        "serverlessChatStream",
        Scenario::fail(429).retry_after_ms("5"),
    );
    let events = client
        .serverless()
        .chat()
        .stream(chat_request())
        .await
        .unwrap();
    let sent = server.requests_for("serverlessChatStream");
    assert_eq!(sent.len(), 2, "the 429 was retried");
    assert_eq!(sent[1].header("accept"), Some("text/event-stream"));
    assert_eq!(sent[1].json().unwrap()["stream"], json!(true));
    let collected = events.collect_chat().await.unwrap();
    assert!(!collected.result.content().unwrap().is_empty());
    assert!(collected.usage().is_some());

    // `complete()` sends the same body with `stream: false` and without `stream_options`.
    let result = client
        .serverless()
        .chat()
        .complete(chat_request())
        .await
        .unwrap();
    let sent = server.requests_for("serverlessChatComplete");
    assert_eq!(sent[0].json().unwrap()["stream"], json!(false));
    assert!(sent[0].json().unwrap().get("stream_options").is_none());
    assert_eq!(result.content(), collected.result.content());

    server.push_for("serverlessChatStream", Scenario::fail(502).times(2));
    let error = client
        .serverless()
        .chat()
        .stream(chat_request())
        .retries(two_attempts())
        .await
        .unwrap_err();
    assert_exhausted(&error, 502, 2);

    // A stream cut before `[DONE]`: every event that arrived, then a truncation error.
    server.push_for(
        "serverlessChatStream",
        Scenario::assistant().shape(StreamShape::default().fault(Fault::OmitDone)),
    );
    let events = client
        .serverless()
        .chat()
        .stream(chat_request())
        .await
        .unwrap();
    let (chunks, error) =
        events_then_error(events, |e| matches!(e, ChatStreamEvent::Chunk(_))).await;
    assert!(chunks > 0);
    assert!(matches!(error, Error::StreamTruncated(_)), "{error:?}");
}

fn messages_request() -> friendli::types::ServerlessMessagesBody {
    body(json!({
        "model": "mock-model",
        "max_tokens": 64,
        "messages": [{"role": "user", "content": "Hello"}],
    }))
}

#[tokio::test]
async fn a_stream_that_ends_at_a_named_event_with_a_retry_and_a_final_error() {
    let server = MockServer::start();
    let client = client(&server);

    server.push_for("serverlessMessagesStream", Scenario::fail(503));
    let mut events = client
        .serverless()
        .messages()
        .stream(messages_request())
        .await
        .unwrap();
    assert_eq!(server.requests_for("serverlessMessagesStream").len(), 2);
    let mut kinds = Vec::new();
    while let Some(event) = events.next().await {
        kinds.push(match event.unwrap() {
            MessagesEvent::MessageStart(_) => "message_start",
            MessagesEvent::ContentBlockStart(_) => "content_block_start",
            MessagesEvent::ContentBlockDelta(_) => "content_block_delta",
            MessagesEvent::ContentBlockStop(_) => "content_block_stop",
            MessagesEvent::MessageDelta(_) => "message_delta",
            MessagesEvent::MessageStop(_) => "message_stop",
            other => panic!("{other:?}"),
        });
    }
    assert_eq!(kinds.first(), Some(&"message_start"));
    assert_eq!(kinds.last(), Some(&"message_stop"), "{kinds:?}");

    // Without its end event, the stream is truncated, not finished.
    server.push_for(
        "serverlessMessagesStream",
        Scenario::generated().shape(StreamShape::default().fault(Fault::OmitDone)),
    );
    let events = client
        .serverless()
        .messages()
        .stream(messages_request())
        .await
        .unwrap();
    let (delivered, error) = events_then_error(events, |_| true).await;
    assert!(delivered > 0);
    assert!(matches!(error, Error::StreamTruncated(_)), "{error:?}");

    // An `error` event is the server's error, after the events before it.
    server.push_for(
        "serverlessMessagesStream",
        Scenario::generated().shape(StreamShape::default().fault(Fault::ErrorPayloadAfter(2))),
    );
    let mut events = client
        .serverless()
        .messages()
        .stream(messages_request())
        .await
        .unwrap();
    assert!(events.next().await.unwrap().is_ok());
    assert!(events.next().await.unwrap().is_ok());
    let error = events.next().await.unwrap().unwrap_err();
    assert!(error.api_error().is_some_and(|e| e.in_stream), "{error:?}");
    assert!(events.next().await.is_none());

    server.push_for("serverlessMessagesStream", Scenario::fail(500).times(2));
    let error = client
        .serverless()
        .messages()
        .stream(messages_request())
        .retries(two_attempts())
        .await
        .unwrap_err();
    assert_exhausted(&error, 500, 2);
}

#[tokio::test]
async fn get_with_path_and_query_parameters_sends_them_as_given() {
    let server = MockServer::start();
    let client = builder_with_team(&server);

    server.push_for("dedicatedListEndpoints", Scenario::fail(503));
    let page = client
        .dedicated()
        .endpoint()
        .list()
        .limit(5)
        .cursor("b'abc'==/+")
        .await
        .unwrap();
    assert_eq!(page.attempts(), 2);
    let sent = &server.requests_for("dedicatedListEndpoints")[1];
    assert_eq!(sent.method, "GET");
    assert_eq!(
        sent.header("content-type"),
        None,
        "no body, no content type"
    );
    assert!(sent.body.is_empty());
    assert_eq!(sent.header("x-friendli-team"), Some("team-1"));
    // The cursor is opaque: sent back exactly as the API gave it (percent-encoded on the wire).
    let query = sent.query();
    assert!(
        query.contains(&("cursor".to_owned(), "b'abc'==/+".to_owned())),
        "{query:?}"
    );
    assert!(query.contains(&("limit".to_owned(), "5".to_owned())));

    let status = client
        .dedicated()
        .endpoint()
        .get_status("ep 1/2")
        .await
        .unwrap();
    let _ = status;
    let sent = &server.requests_for("dedicatedGetEndpointStatus")[0];
    assert_eq!(sent.path_param("endpoint_id"), Some("ep 1/2"));
    assert!(
        sent.path
            .starts_with("/dedicated/beta/endpoint/ep%201%2F2/status"),
        "{}",
        sent.path
    );

    server.push_for("dedicatedGetEndpointStatus", Scenario::fail(404));
    let error = client
        .dedicated()
        .endpoint()
        .get_status("missing")
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert!(
        !matches!(error, Error::RetriesExhausted(_)),
        "404 is not retried"
    );
}

fn builder_with_team(server: &MockServer) -> friendli::Client {
    friendli_tests::builder(server)
        .team("team-1")
        .build()
        .unwrap()
}

#[tokio::test]
async fn delete_without_a_body_is_not_retried_after_it_may_have_acted() {
    let server = MockServer::start();
    let client = client(&server);

    // A 503 says the server did not act: retried even for a delete.
    server.push_for("dedicatedDeleteEndpoint", Scenario::fail(503));
    client.dedicated().endpoint().delete("ep-1").await.unwrap();
    let sent = server.requests_for("dedicatedDeleteEndpoint");
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].method, "DELETE");
    assert!(sent[1].body.is_empty());
    assert_eq!(sent[1].header("content-type"), None);

    // A 502 may have come after the delete happened: sent once, unless the caller opts in.
    server.push_for("dedicatedDeleteEndpoint", Scenario::fail(502).times(3));
    let error = client
        .dedicated()
        .endpoint()
        .delete("ep-2")
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(server.requests_for("dedicatedDeleteEndpoint").len(), 3);
    client
        .dedicated()
        .endpoint()
        .delete("ep-3")
        .retry_side_effects(true)
        .retries(friendli_tests::fast_retries().max_attempts(3))
        .await
        .unwrap();
    assert_eq!(
        server.requests_for("dedicatedDeleteEndpoint").len(),
        6,
        "two more 502s, then the answer"
    );
}

#[tokio::test]
async fn a_create_answered_with_502_is_sent_once_by_default() {
    let server = MockServer::start();
    let client = client(&server);
    server.push_for("create_dataset", Scenario::fail(502).times(2));
    let request: friendli::types::CreateDatasetRequest = body(json!({
        "name": "d", "projectId": "p", "modality": {"input_modals": ["TEXT"], "output_modals": ["TEXT"]}
    }));
    let error = client.dataset().create_dataset(request).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(server.requests_for("create_dataset").len(), 1);
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("friendli-ops-{}-{}", std::process::id(), name));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[tokio::test]
async fn multipart_uploads_stream_the_file_with_a_retry_and_a_final_error() {
    let server = MockServer::start();
    let client = client(&server);
    // Larger than one read (64 KiB), so that the file goes out in several pieces.
    let audio: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    let path = temp_file("speech.wav", &audio);
    let request: friendli::types::ServerlessAudioTranscriptionBody = body(json!({
        "model": "mock-model", "language": "en", "chunking_strategy": "auto", "temperature": 0.5
    }));

    server.push_for("serverlessAudioTranscriptions", Scenario::fail(503));
    let transcript = client
        .serverless()
        .audio()
        .transcribe(request.clone(), FilePart::path(&path))
        .await
        .unwrap();
    assert_eq!(
        transcript.attempts(),
        2,
        "the file is opened again for the retry"
    );
    let sent = &server.requests_for("serverlessAudioTranscriptions")[1];
    assert!(
        sent.header("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    assert_eq!(
        sent.header("content-length")
            .map(|l| l.parse::<usize>().unwrap()),
        Some(sent.body.len())
    );
    let form = sent.form().expect("a multipart body");
    let part = |name: &str| form.iter().find(|p| p.name == name).unwrap();
    assert_eq!(part("file").data, audio);
    assert_eq!(part("file").filename.as_deref(), Some("speech.wav"));
    assert_eq!(part("file").content_type.as_deref(), Some("audio/wav"));
    assert_eq!(part("model").data, b"mock-model");
    assert_eq!(part("temperature").data, b"0.5");
    assert_eq!(part("stream").data, b"false");
    // The chunking strategy goes as a JSON part, quotes included.
    assert_eq!(part("chunking_strategy").data, b"\"auto\"");
    assert_eq!(
        part("chunking_strategy").content_type.as_deref(),
        Some("application/json")
    );

    // The same form by hand, through `Client::call`.
    let form = Multipart::new(request.clone())
        .json_parts(&["chunking_strategy"])
        .file("file", FilePart::bytes(audio.clone()).file_name("a.mp3"));
    client
        .call(operations::ServerlessAudioTranscriptions, form)
        .await
        .unwrap();

    server.push_for(
        "serverlessAudioTranscriptions",
        Scenario::fail(500).times(2),
    );
    let error = client
        .serverless()
        .audio()
        .transcribe(request, FilePart::path(&path))
        .retries(two_attempts())
        .await
        .unwrap_err();
    assert_exhausted(&error, 500, 2);

    // A file that is not there is a clear error before anything is sent.
    let count = server.request_count();
    let error = client
        .serverless()
        .audio()
        .transcribe(
            body::<friendli::types::ServerlessAudioTranscriptionBody>(json!({"model": "m"})),
            FilePart::path("/nonexistent/friendli/speech.wav"),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert!(error.to_string().contains("speech.wav"), "{error}");
    assert_eq!(server.request_count(), count);
}

#[tokio::test]
async fn a_multipart_upload_with_side_effects_is_sent_once_on_a_502() {
    let server = MockServer::start();
    let client = client(&server);
    let path = temp_file("samples.jsonl", b"{\"messages\": []}\n");
    let fields: friendli::types::BodyUploadRawSamples = body(json!({}));
    server.push_for("upload_raw_samples", Scenario::fail(502).times(2));
    let error = client
        .dataset()
        .update_samples("ds-1", "split-1", fields, FilePart::path(&path))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    let sent = server.requests_for("upload_raw_samples");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "PUT");
    assert_eq!(
        sent[0].form().unwrap()[0].data,
        b"{\"messages\": []}\n".to_vec()
    );
}

#[tokio::test]
async fn container_operations_go_to_the_container_url_without_a_token_or_team() {
    let server = MockServer::start();
    let client = friendli::Client::builder()
        .ignore_env()
        .container_url(server.url())
        .team("ignored-for-containers")
        .build()
        .unwrap();
    let request: friendli::types::ContainerTokenizationBody = body(json!({"prompt": "Hi"}));
    let tokens = client.container().token().tokenize(request).await.unwrap();
    assert_eq!(tokens.tokens.len(), 2);
    let sent = &server.requests_for("containerTokenization")[0];
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(sent.header("x-friendli-team"), None);

    // A serverless call of the same client needs the token it does not have.
    let error = client
        .serverless()
        .token()
        .tokenize(body::<friendli::types::ServerlessTokenizationBody>(
            json!({"model": "m", "prompt": "Hi"}),
        ))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidConfig(_)), "{error:?}");
    assert!(error.to_string().contains("FRIENDLI_TOKEN"), "{error}");
}

#[test]
fn the_blocking_client_serves_every_shape_through_the_same_namespaces() {
    let server = MockServer::start();
    let client = friendli_tests::builder(&server).blocking().build().unwrap();
    let tokens = client
        .serverless()
        .token()
        .tokenize(body::<friendli::types::ServerlessTokenizationBody>(
            json!({"model": "m", "prompt": "Hey"}),
        ))
        .send()
        .unwrap();
    assert_eq!(tokens.tokens.len(), 3);
    let events: Vec<_> = client
        .serverless()
        .chat()
        .stream(chat_request())
        .send()
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ChatStreamEvent::Chunk(_)))
    );
    client
        .dedicated()
        .endpoint()
        .list()
        .limit(2)
        .retries(RetryConfig::none())
        .timeout(Duration::from_secs(30))
        .send()
        .unwrap();
    let sent = &server.requests_for("dedicatedListEndpoints")[0];
    assert!(sent.query().contains(&("limit".to_owned(), "2".to_owned())));
}

/// A call refused before sending, with an error that names the body field.
fn refused<T: std::fmt::Debug>(result: friendli::Result<T>, field: &str) {
    let error = result.unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert!(error.to_string().contains(&format!("`{field}`")), "{error}");
}

#[tokio::test]
async fn body_fields_set_what_the_typed_body_cannot_say() {
    let server = MockServer::start();
    let client = client(&server);

    // A JSON body: an explicit null replaces a typed value, and a field the SDK does not know
    // is sent as given; the typed fields stay.
    let mut request = chat_request();
    request.temperature = Some(0.5);
    client
        .serverless()
        .chat()
        .complete(request)
        .body_field("temperature", Value::Null)
        .body_field("new_knob", json!({"level": 3}))
        .await
        .unwrap();
    let sent = server.requests_for("serverlessChatComplete")[0]
        .json()
        .unwrap();
    assert_eq!(sent["temperature"], Value::Null);
    assert!(sent.as_object().unwrap().contains_key("temperature"));
    assert_eq!(sent["new_knob"], json!({"level": 3}));
    assert_eq!(sent["model"], json!("mock-model"));
    assert_eq!(sent["stream"], json!(false), "the call's own fields stay");

    // A multipart body: the field becomes a part, replacing the typed one.
    let request: friendli::types::ServerlessAudioTranscriptionBody =
        body(json!({"model": "mock-model", "language": "en"}));
    client
        .serverless()
        .audio()
        .transcribe(
            request.clone(),
            FilePart::bytes(vec![1, 2, 3]).file_name("a.wav"),
        )
        .body_field("language", "ko")
        .body_field("timestamps", json!(["word"]))
        .await
        .unwrap();
    let form = server.requests_for("serverlessAudioTranscriptions")[0]
        .form()
        .unwrap();
    let parts = |name: &str| form.iter().filter(|p| p.name == name).collect::<Vec<_>>();
    assert_eq!(parts("language").len(), 1);
    assert_eq!(parts("language")[0].data, b"ko");
    assert_eq!(parts("timestamps")[0].data, b"[\"word\"]");
    assert_eq!(
        parts("timestamps")[0].content_type.as_deref(),
        Some("application/json")
    );

    // What cannot be sent fails before anything is sent, naming the field.
    let count = server.request_count();
    refused(
        client
            .call(operations::DedicatedGetEndpointStatus::new("ep-1"), ())
            .body_field("verbose", true)
            .await,
        "verbose",
    );
    refused(
        client
            .serverless()
            .audio()
            .transcribe(request, FilePart::bytes(vec![1]).file_name("a.wav"))
            .body_field("language", Value::Null)
            .await,
        "language",
    );
    let unserialisable: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
    let chat = || client.serverless().chat().complete(chat_request());
    refused(chat().body_field("pairs", unserialisable).await, "pairs");
    refused(chat().body_field("stream", true).await, "stream");
    assert_eq!(server.request_count(), count, "nothing was sent");

    // The Debug of a call shows the names of body fields, never their values.
    let call = client
        .serverless()
        .chat()
        .complete(chat_request())
        .body_field("secret_note", "do not print me");
    let debug = format!("{call:?}");
    assert!(debug.contains("secret_note"), "{debug}");
    assert!(!debug.contains("do not print me"), "{debug}");
}
