//! The mock over HTTP for every operation of the API document: routing, authentication,
//! parameter and body validation (JSON and multipart), the realistic responders, the generated
//! answers, scenarios per operation and faults on every kind of route.

mod common;
use common::http;

use std::time::{Duration, Instant};

use friendli_mock::spec::{ResponseSpec, StreamEnd};
use friendli_mock::tokenizer;
use friendli_mock::{Fault, MockConfig, MockServer, Scenario, StreamShape, operation, operations};
use serde_json::{Value, json};

fn client() -> reqwest::Client {
    http()
}

async fn send(
    server: &MockServer,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = client()
        .request(method, format!("{}{path}", server.url()))
        .bearer_auth("test-token");
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    request.body(body).send().await.unwrap()
}

async fn get(server: &MockServer, path: &str) -> reqwest::Response {
    send(server, "GET", path, None, Vec::new()).await
}

async fn post_json(server: &MockServer, path: &str, body: &Value) -> reqwest::Response {
    send(
        server,
        "POST",
        path,
        Some("application/json"),
        body.to_string().into_bytes(),
    )
    .await
}

/// Splits an LF event stream into `(event name, data)` pairs.
fn parse_sse(text: &str) -> Vec<(Option<String>, String)> {
    text.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let mut name = None;
            let mut data = Vec::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event: ") {
                    name = Some(v.to_owned());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data.push(v);
                }
            }
            (name, data.join("\n"))
        })
        .collect()
}

/// Checks a stream of `operation_id` against the document: every event valid, ending as the
/// document says (and nowhere else). Returns the events without the sentinel.
fn assert_valid_stream(operation_id: &str, text: &str) -> Vec<(Option<String>, Value)> {
    let operation = operation(operation_id).unwrap();
    let mut events = parse_sse(text);
    match operation.stream_end().unwrap() {
        StreamEnd::Sentinel(sentinel) => {
            let last = events.pop().expect("a sentinel");
            assert_eq!(&last.1, sentinel, "{operation_id}: {text}");
            assert!(events.iter().all(|e| &e.1 != sentinel), "{text}");
        }
        StreamEnd::Events(ends) => {
            let last = events.last().and_then(|e| e.0.clone()).unwrap_or_default();
            assert!(
                ends.contains(&last),
                "{operation_id} ends with {last:?}: {text}"
            );
            let early = events[..events.len() - 1]
                .iter()
                .filter(|e| e.0.as_ref().is_some_and(|n| ends.contains(n)))
                .count();
            assert_eq!(early, 0, "{text}");
        }
        StreamEnd::Eof => {}
    }
    assert!(!events.is_empty(), "{operation_id}: no events");
    events
        .into_iter()
        .map(|(name, data)| {
            let value: Value = serde_json::from_str(&data)
                .unwrap_or_else(|e| panic!("{operation_id}: {e}: {data}"));
            let violations = operation.validate_event(name.as_deref(), &value);
            assert!(
                violations.is_empty(),
                "{operation_id}: {name:?} {violations:?}\n{data}"
            );
            (name, value)
        })
        .collect()
}

/// Sends every operation's minimal request and checks the answer against the document.
async fn request_every_operation(server: &MockServer) -> usize {
    let mut checked = 0;
    for operation in operations() {
        let request = operation.example_request();
        let response = send(
            server,
            &request.method,
            &request.path_and_query,
            request.content_type.as_deref(),
            request.body.clone(),
        )
        .await;
        let id = &operation.operation_id;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = response.text().await.unwrap();
        let recorded = server.requests().pop().unwrap();
        assert_eq!(
            recorded.operation_id.as_deref(),
            Some(id.as_str()),
            "{text}"
        );
        match &operation.response {
            ResponseSpec::Json {
                status: expected, ..
            } => {
                assert_eq!(status, *expected, "{id}: {text}");
                assert_eq!(content_type, "application/json", "{id}");
                let body: Value = serde_json::from_str(&text).unwrap();
                let violations = operation.validate_response(&body);
                assert!(violations.is_empty(), "{id}: {violations:?}\n{text}");
            }
            ResponseSpec::EventStream {
                status: expected, ..
            } => {
                assert_eq!(status, *expected, "{id}: {text}");
                assert_eq!(content_type, "text/event-stream", "{id}");
                assert_valid_stream(id, &text);
            }
            ResponseSpec::Empty { status: expected } => assert_eq!(status, *expected, "{id}"),
            other => panic!("{id}: unexpected response spec {other:?}"),
        }
        checked += 1;
    }
    checked
}

#[tokio::test]
async fn every_operation_of_the_document_answers_its_minimal_request_validly() {
    let server = MockServer::start();
    let checked = request_every_operation(&server).await;
    assert_eq!(checked, operations().len());
    assert!(checked >= 84);
    // The generated answers too, for the operations with a hand-written responder.
    server.push(Scenario::generated().times(checked as u32));
    assert_eq!(request_every_operation(&server).await, checked);
    assert_eq!(server.request_count(), 2 * checked);
}

#[tokio::test]
async fn unknown_paths_get_404_wrong_methods_405_and_auth_follows_the_document() {
    let server = MockServer::start();
    let missing = send(&server, "GET", "/v2/nothing", None, Vec::new()).await;
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("/v2/nothing"));
    let wrong = send(&server, "PATCH", "/beta/dataset/d1", None, Vec::new()).await;
    assert_eq!(wrong.status(), 405);
    assert_eq!(wrong.headers()["allow"], "DELETE, GET");
    assert_eq!(server.requests()[1].operation_id, None);

    let anonymous = |path: &str, body: Value| {
        client()
            .post(format!("{}{path}", server.url()))
            .json(&body)
            .send()
    };
    let tokenize = json!({"model": "m", "prompt": "hi"});
    assert_eq!(
        anonymous("/dedicated/v1/tokenize", tokenize.clone())
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        anonymous("/beta/dataset", json!({}))
            .await
            .unwrap()
            .status(),
        401
    );
    // Container operations and the model list need no token.
    let container = anonymous("/v1/tokenize", json!({"prompt": "hi"}))
        .await
        .unwrap();
    assert_eq!(container.status(), 200);
    let models = client()
        .get(format!("{}/serverless/v1/models", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(models.status(), 200);
    // A configured token is checked on the operations that need one.
    let strict = MockServer::start_with(MockConfig {
        token: Some("right".into()),
        ..MockConfig::default()
    })
    .unwrap();
    let wrong_token = send(&strict, "GET", "/beta/dataset/d1", None, Vec::new()).await;
    assert_eq!(wrong_token.status(), 401);
}

#[tokio::test]
async fn query_and_path_parameters_are_checked_and_recorded() {
    let server = MockServer::start();
    let missing = get(&server, "/beta/dataset?limit=5").await;
    assert_eq!(missing.status(), 422);
    let error: Value = missing.json().await.unwrap();
    assert_eq!(
        error["detail"][0],
        json!({"loc": ["query", "projectId"], "msg": "Field required", "type": "missing"})
    );
    for bad in ["limit=abc", "limit=500", "direction=sideways"] {
        let response = get(&server, &format!("/beta/dataset?projectId=p&{bad}")).await;
        assert_eq!(response.status(), 422, "{bad}");
        let error: Value = response.json().await.unwrap();
        let name = bad.split('=').next().unwrap();
        assert_eq!(error["detail"][0]["loc"], json!(["query", name]), "{error}");
    }
    let ok = get(&server, "/beta/dataset?projectId=p&limit=5&direction=desc").await;
    assert_eq!(ok.status(), 200);
    let body: Value = ok.json().await.unwrap();
    assert!(
        operation("list_datasets")
            .unwrap()
            .validate_response(&body)
            .is_empty()
    );

    let bad_time = get(
        &server,
        "/v1/team/cost?start_time=yesterday&end_time=2026-01-02T00:00:00Z",
    )
    .await;
    assert_eq!(bad_time.status(), 422);
    let usage = get(
        &server,
        "/v1/team/usage?start_time=2026-01-01T00:00:00Z&end_time=2026-01-02T00:00:00Z\
         &models=a&models=b%20c&product_types=NOPE",
    )
    .await;
    assert_eq!(usage.status(), 422, "an unknown product type");
    let usage = get(
        &server,
        "/v1/team/usage?start_time=2026-01-01T00:00:00Z&end_time=2026-01-02T00:00:00Z\
         &models=a&models=b%20c",
    )
    .await;
    assert_eq!(usage.status(), 200);
    let recorded = server.requests_for("getUsage").pop().unwrap();
    let models: Vec<String> = recorded
        .query()
        .into_iter()
        .filter(|(n, _)| n == "models")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(models, ["a", "b c"]);

    let split = get(&server, "/beta/dataset/ds%2F1/split/sp-2").await;
    assert_eq!(split.status(), 200);
    let recorded = server.requests_for("get_split").pop().unwrap();
    assert_eq!(recorded.path_param("dataset_id"), Some("ds/1"));
    assert_eq!(recorded.path_param("split_id"), Some("sp-2"));
}

#[tokio::test]
async fn json_bodies_are_checked_against_their_operation() {
    let server = MockServer::start();
    let empty = send(&server, "POST", "/beta/dataset", None, Vec::new()).await;
    assert_eq!(empty.status(), 422);
    let error: Value = empty.json().await.unwrap();
    assert_eq!(error["detail"][0]["loc"], json!(["body"]));
    let response = post_json(&server, "/beta/dataset", &json!({"name": "d"})).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    let locations: Vec<&Value> = error["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["loc"])
        .collect();
    assert!(
        locations.contains(&&json!(["body", "projectId"])),
        "{error}"
    );
    assert!(friendli_mock::schema::validate("HTTPValidationError", &error).is_empty());
    // Messages operations answer a 422 in their own error shape.
    let response = post_json(&server, "/v1/messages", &json!({"messages": "none"})).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert!(
        friendli_mock::schema::validate("MessagesErrorResponse", &error).is_empty(),
        "{error}"
    );
    assert_eq!(error["error"]["type"], "invalid_request_error");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("messages")
    );
}

fn form(parts: &[(&str, Option<&str>, &str)]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for (name, filename, content) in parts {
        body.extend_from_slice(b"--XB\r\n");
        match filename {
            Some(file) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: audio/wav\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--XB--\r\n");
    ("multipart/form-data; boundary=XB".to_owned(), body)
}

async fn post_form(
    server: &MockServer,
    path: &str,
    parts: &[(&str, Option<&str>, &str)],
) -> reqwest::Response {
    let (content_type, body) = form(parts);
    send(server, "POST", path, Some(&content_type), body).await
}

#[tokio::test]
async fn multipart_forms_are_parsed_checked_and_select_the_stream() {
    let server = MockServer::start();
    let path = "/serverless/v1/audio/transcriptions";
    let no_file = post_form(&server, path, &[("model", None, "whisper")]).await;
    assert_eq!(no_file.status(), 422);
    let error: Value = no_file.json().await.unwrap();
    assert_eq!(
        error["detail"][0]["loc"],
        json!(["body", "file"]),
        "{error}"
    );

    let bad_json = post_form(
        &server,
        path,
        &[
            ("model", None, "whisper"),
            ("file", Some("a.wav"), "RIFF"),
            ("chunking_strategy", None, "auto"),
        ],
    )
    .await;
    assert_eq!(bad_json.status(), 422);
    let error: Value = bad_json.json().await.unwrap();
    assert_eq!(
        error["detail"][0]["loc"],
        json!(["body", "chunking_strategy"])
    );

    let bad_temperature = post_form(
        &server,
        path,
        &[
            ("model", None, "whisper"),
            ("file", Some("a.wav"), "RIFF"),
            ("temperature", None, "warm"),
        ],
    )
    .await;
    assert_eq!(bad_temperature.status(), 422);

    let ok = post_form(
        &server,
        path,
        &[
            ("model", None, "whisper"),
            ("file", Some("a.wav"), "RIFF"),
            ("chunking_strategy", None, "\"auto\""),
            ("temperature", None, "0.5"),
        ],
    )
    .await;
    assert_eq!(ok.status(), 200);
    let body: Value = ok.json().await.unwrap();
    let transcribe = operation("serverlessAudioTranscriptions").unwrap();
    assert!(transcribe.validate_response(&body).is_empty());
    let recorded = server.requests().pop().unwrap();
    assert_eq!(
        recorded.operation_id.as_deref(),
        Some("serverlessAudioTranscriptions")
    );
    let parts = recorded.form().unwrap();
    assert_eq!(parts[1].filename.as_deref(), Some("a.wav"));

    let stream = post_form(
        &server,
        path,
        &[
            ("model", None, "whisper"),
            ("file", Some("a.wav"), "RIFF"),
            ("stream", None, "true"),
        ],
    )
    .await;
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let events = assert_valid_stream(
        "serverlessAudioTranscriptionsStream",
        &stream.text().await.unwrap(),
    );
    let types: Vec<&str> = events.iter().filter_map(|e| e.1["type"].as_str()).collect();
    assert_eq!(
        types,
        [
            "transcript.text.delta",
            "transcript.text.delta",
            "transcript.text.done"
        ]
    );

    // Not a form, or a broken one.
    let json_instead = post_json(&server, path, &json!({"model": "whisper"})).await;
    assert_eq!(json_instead.status(), 422);
    let broken = send(
        &server,
        "POST",
        path,
        Some("multipart/form-data; boundary=XB"),
        b"--XB\r\nno headers end".to_vec(),
    )
    .await;
    assert_eq!(broken.status(), 400);

    // The dataset upload is a PUT with a file part.
    let (content_type, body) = form(&[("file", Some("samples.jsonl"), "{\"a\": 1}\n")]);
    let upload = send(
        &server,
        "PUT",
        "/beta/dataset/d/split/s/sample",
        Some(&content_type),
        body,
    )
    .await;
    assert_eq!(upload.status(), 200);
    assert_eq!(
        server.requests().pop().unwrap().operation_id.as_deref(),
        Some("upload_raw_samples")
    );
}

#[tokio::test]
async fn chat_of_every_family_answers_with_the_scripted_assistant() {
    let server = MockServer::start();
    let weather = json!([{"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object",
        "required": ["city", "unit", "days"],
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "minimum": 1, "maximum": 7},
        },
    }}}]);
    for (prefix, stream_id, complete_id) in [
        (
            "/serverless",
            "serverlessChatStream",
            "serverlessChatComplete",
        ),
        ("/dedicated", "dedicatedChatStream", "dedicatedChatComplete"),
        ("", "containerChatStream", "containerChatComplete"),
    ] {
        let path = format!("{prefix}/v1/chat/completions");
        let ask = json!({"model": "m", "messages": [{"role": "user", "content": "hello there"}]});
        let body: Value = post_json(&server, &path, &ask).await.json().await.unwrap();
        assert!(
            operation(complete_id)
                .unwrap()
                .validate_response(&body)
                .is_empty()
        );
        assert_eq!(
            body["choices"][0]["message"]["content"],
            "You said: hello there"
        );

        let mut streamed = ask.clone();
        streamed["stream"] = json!(true);
        streamed["stream_options"] = json!({"include_usage": true});
        streamed["parse_reasoning"] = json!(true);
        let text = post_json(&server, &path, &streamed)
            .await
            .text()
            .await
            .unwrap();
        let events = assert_valid_stream(stream_id, &text);
        let content: String = events
            .iter()
            .filter_map(|e| e.1["choices"][0]["delta"]["content"].as_str())
            .collect();
        let reasoning: String = events
            .iter()
            .filter_map(|e| e.1["choices"][0]["delta"]["reasoning_content"].as_str())
            .collect();
        assert_eq!(content, "You said: hello there");
        assert_eq!(
            reasoning,
            "The user asked: \"hello there\". I can answer directly."
        );
        assert!(
            events.last().unwrap().1["usage"]["total_tokens"]
                .as_u64()
                .unwrap()
                > 0
        );

        let mut call = json!({"model": "m", "tools": weather,
            "messages": [{"role": "user", "content": "Use get_weather for Seoul in fahrenheit over 3 days"}]});
        call["parse_reasoning"] = json!(true);
        let body: Value = post_json(&server, &path, &call).await.json().await.unwrap();
        assert!(
            operation(complete_id)
                .unwrap()
                .validate_response(&body)
                .is_empty()
        );
        let message = &body["choices"][0]["message"];
        assert_eq!(body["choices"][0]["finish_reason"], "tool_calls");
        assert_eq!(
            message["reasoning_content"],
            "The user asked: \"Use get_weather for Seoul in fahrenheit over 3 days\". I should call get_weather."
        );
        let arguments: Value = serde_json::from_str(
            message["tool_calls"][0]["function"]["arguments"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            arguments,
            json!({"city": "Seoul", "unit": "fahrenheit", "days": 3})
        );
    }
    // Built-in tools are for tool-assisted chat only.
    let refused = post_json(
        &server,
        "/serverless/v1/chat/completions",
        &json!({"model": "m", "messages": [{"role": "user", "content": "1+1"}], "tools": [{"type": "math:calculator"}]}),
    )
    .await;
    assert_eq!(refused.status(), 422);
}

#[tokio::test]
async fn completions_answer_in_both_forms_and_both_modes() {
    let server = MockServer::start();
    for (path, prefix) in [
        ("/serverless/v1/completions", "serverless"),
        ("/dedicated/v1/completions", "dedicated"),
        ("/v1/completions", "container"),
    ] {
        for request in [
            json!({"model": "m", "prompt": "What is 3 + 6?"}),
            json!({"model": "m", "tokens": tokenizer::encode("What is 3 + 6?")}),
        ] {
            let body: Value = post_json(&server, path, &request)
                .await
                .json()
                .await
                .unwrap();
            let complete = operation(&format!("{prefix}CompletionsComplete")).unwrap();
            assert!(complete.validate_response(&body).is_empty(), "{body}");
            let choice = &body["choices"][0];
            assert_eq!(choice["text"], " The math:calculator says 3 + 6 is 9.");
            let tokens: Vec<i64> = serde_json::from_value(choice["tokens"].clone()).unwrap();
            assert_eq!(tokenizer::decode(&tokens), choice["text"].as_str().unwrap());
            assert_eq!(body["usage"]["prompt_tokens"], 14);
            assert_eq!(body["usage"]["completion_tokens"], tokens.len());

            let mut streamed = request.clone();
            streamed["stream"] = json!(true);
            streamed["stream_options"] = json!({"include_usage": true});
            let text = post_json(&server, path, &streamed)
                .await
                .text()
                .await
                .unwrap();
            let events = assert_valid_stream(&format!("{prefix}CompletionsStream"), &text);
            let joined: String = events
                .iter()
                .filter_map(|e| e.1["choices"][0]["text"].as_str())
                .collect();
            assert_eq!(joined, choice["text"].as_str().unwrap());
            let streamed_tokens: Vec<i64> = events
                .iter()
                .filter_map(|e| e.1["choices"][0]["token"].as_i64())
                .collect();
            assert_eq!(streamed_tokens, tokens);
            let finish = events
                .iter()
                .find_map(|e| e.1["choices"][0]["finish_reason"].as_str());
            assert_eq!(finish, Some("stop"));
            assert_eq!(
                events.last().unwrap().1["usage"]["completion_tokens"],
                tokens.len()
            );
        }
    }
    let cut: Value = post_json(
        &server,
        "/serverless/v1/completions",
        &json!({"model": "m", "prompt": "hi", "max_tokens": 3}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (
            cut["choices"][0]["text"].as_str(),
            cut["choices"][0]["finish_reason"].as_str()
        ),
        (Some(" Yo"), Some("length"))
    );
}

#[tokio::test]
async fn tokenize_and_detokenize_round_trip_in_every_family() {
    let server = MockServer::start();
    let text = "Hello, 세계! 🦀";
    for prefix in ["/serverless", "/dedicated", ""] {
        let tokens: Value = post_json(
            &server,
            &format!("{prefix}/v1/tokenize"),
            &json!({"model": "m", "prompt": text}),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(
            tokens["tokens"].as_array().unwrap().len(),
            text.chars().count()
        );
        let back: Value = post_json(
            &server,
            &format!("{prefix}/v1/detokenize"),
            &json!({"model": "m", "tokens": tokens["tokens"]}),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(back["text"], text);
    }
}

#[tokio::test]
async fn scenarios_per_operation_come_before_the_global_queue() {
    let server = MockServer::start();
    server.push_for("serverlessTokenization", Scenario::fail(503).times(2));
    server.push(Scenario::fail(500));
    let tokenize = json!({"model": "m", "prompt": "hi"});
    let detokenize = json!({"model": "m", "tokens": [104, 105]});
    let status = |path: &'static str, body: Value| {
        let server = &server;
        async move { post_json(server, path, &body).await.status().as_u16() }
    };
    assert_eq!(
        status("/serverless/v1/tokenize", tokenize.clone()).await,
        503
    );
    assert_eq!(
        status("/serverless/v1/detokenize", detokenize.clone()).await,
        500
    );
    assert_eq!(
        status("/serverless/v1/tokenize", tokenize.clone()).await,
        503
    );
    assert_eq!(
        status("/serverless/v1/tokenize", tokenize.clone()).await,
        200
    );
    assert_eq!(status("/serverless/v1/detokenize", detokenize).await, 200);
    assert_eq!(server.requests_for("serverlessTokenization").len(), 3);
    // The twin of a path is a different operation.
    server.push_for("serverlessChatStream", Scenario::fail(429).retry_after("3"));
    let ask = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
    assert_eq!(
        post_json(&server, "/serverless/v1/chat/completions", &ask)
            .await
            .status(),
        200
    );
    let mut streamed = ask.clone();
    streamed["stream"] = json!(true);
    let limited = post_json(&server, "/serverless/v1/chat/completions", &streamed).await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "3");
}

#[test]
#[should_panic(expected = "no operation \"serverlessChatCompletion\"")]
fn scenarios_for_unknown_operations_are_refused() {
    MockServer::start().push_for("serverlessChatCompletion", Scenario::fail(500));
}

async fn read_all(response: reqwest::Response) -> (Vec<u8>, bool) {
    let mut bytes = Vec::new();
    let mut response = response;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) => return (bytes, true),
            Err(_) => return (bytes, false),
        }
    }
}

#[tokio::test]
async fn faults_work_on_json_routes() {
    let server = MockServer::start();
    let get = || {
        send(
            &server,
            "GET",
            "/dedicated/beta/endpoint/ep-1/status",
            None,
            Vec::new(),
        )
    };
    let (whole, clean) = read_all(get().await).await;
    assert!(clean);

    server.push_for(
        "dedicatedGetEndpointStatus",
        Scenario::assistant().shape(StreamShape::default().fault(Fault::CloseAfterBytes(10))),
    );
    let (bytes, clean) = read_all(get().await).await;
    assert_eq!((bytes.as_slice(), clean), (&whole[..10], false));

    server.push(
        Scenario::assistant().shape(StreamShape::default().fault(Fault::CloseAfterEvents(0))),
    );
    let (bytes, clean) = read_all(get().await).await;
    assert!(bytes.is_empty() && !clean);

    server.push(
        Scenario::assistant().shape(
            StreamShape::default()
                .chunks([3])
                .delay(Duration::from_millis(5)),
        ),
    );
    let (bytes, clean) = read_all(get().await).await;
    assert_eq!((bytes, clean), (whole.clone(), true));

    server.push(
        Scenario::generated().shape(StreamShape::default().fault(Fault::StallAfter {
            events: 0,
            duration: Duration::from_millis(300),
        })),
    );
    let started = Instant::now();
    let response = get().await;
    assert_eq!(response.status(), 200);
    let (bytes, _) = read_all(response).await;
    assert!(started.elapsed() >= Duration::from_millis(280));
    assert_eq!(bytes, whole);

    server.push(Scenario::fail(429).retry_after("2"));
    let limited = get().await;
    assert_eq!(
        (
            limited.status().as_u16(),
            limited.headers()["retry-after"].to_str().unwrap()
        ),
        (429, "2")
    );
    server.push(Scenario::drop_connection());
    assert!(
        client()
            .get(format!("{}/beta/file/f-1", server.url()))
            .bearer_auth("t")
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn faults_work_on_streams_that_end_with_a_named_event() {
    let server = MockServer::start();
    let ask = json!({"model": "m", "max_tokens": 16, "stream": true,
        "messages": [{"role": "user", "content": "hi"}]});
    let path = "/serverless/v1/messages";
    let text = post_json(&server, path, &ask).await.text().await.unwrap();
    let events = assert_valid_stream("serverlessMessagesStream", &text);
    assert_eq!(events.last().unwrap().0.as_deref(), Some("message_stop"));
    assert_eq!(server.completed_streams(), 1);

    // Chunked anyhow, the same bytes (but for the message's id, which numbers the request).
    server.push(Scenario::assistant().shape(StreamShape::default().chunks([1, 7, 2])));
    assert_eq!(
        post_json(&server, path, &ask).await.text().await.unwrap(),
        text.replace("msg_mock_1", "msg_mock_2")
    );

    server.push_for(
        "serverlessMessagesStream",
        Scenario::assistant().shape(StreamShape::default().fault(Fault::OmitDone)),
    );
    let (bytes, clean) = read_all(post_json(&server, path, &ask).await).await;
    let cut = parse_sse(&String::from_utf8(bytes).unwrap());
    assert!(clean);
    assert_eq!(cut.len(), events.len() - 1);
    assert!(cut.iter().all(|e| e.0.as_deref() != Some("message_stop")));

    server.push(
        Scenario::assistant().shape(StreamShape::default().fault(Fault::ErrorPayloadAfter(2))),
    );
    let cut = parse_sse(&post_json(&server, path, &ask).await.text().await.unwrap());
    assert_eq!(cut.len(), 3);
    assert_eq!(cut[2].0.as_deref(), Some("error"));
    let error: Value = serde_json::from_str(&cut[2].1).unwrap();
    assert_eq!(error["type"], "error");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("scripted error")
    );

    server.push(
        Scenario::assistant().shape(StreamShape::default().fault(Fault::CloseAfterEvents(2))),
    );
    let (bytes, clean) = read_all(post_json(&server, path, &ask).await).await;
    assert!(!clean);
    assert_eq!(parse_sse(&String::from_utf8(bytes).unwrap()).len(), 2);

    server.push(Scenario::assistant().shape(StreamShape::default().fault(Fault::EventsAfterDone)));
    let after = parse_sse(&post_json(&server, path, &ask).await.text().await.unwrap());
    assert_eq!(after[after.len() - 2].0.as_deref(), Some("message_stop"));

    // A stream ending with [DONE], generated.
    server.push(Scenario::generated().shape(StreamShape::default().fault(Fault::OmitDone)));
    let mut chat = ask.clone();
    chat.as_object_mut().unwrap().remove("max_tokens");
    let text = post_json(&server, "/v1/chat/completions", &chat)
        .await
        .text()
        .await
        .unwrap();
    assert!(!text.contains("[DONE]") && text.contains("chat.completion.chunk"));
}

#[test]
fn the_binary_lists_the_operations_it_serves() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_friendli-mock"))
        .arg("--list")
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.lines().count(), operations().len());
    assert!(
        text.contains("POST   /serverless/v1/chat/completions serverlessChatStream (stream)\n")
    );
    assert!(text.contains("POST   /classify containerTextClassification (no auth)\n"));
}

#[tokio::test]
async fn bad_input_gets_an_error_response_never_a_broken_connection() {
    let server = MockServer::start();
    let garbage: &[u8] = b"\xff\xfe{\"model\": [[[[ \x00";
    for operation in operations() {
        let example = operation.example_request();
        let path = example.path_and_query.split('?').next().unwrap().to_owned();
        for content_type in [
            Some("application/json"),
            Some("multipart/form-data; boundary=zz"),
            Some("multipart/form-data"),
            None,
        ] {
            let response = send(
                &server,
                &example.method,
                &path,
                content_type,
                garbage.to_vec(),
            )
            .await;
            let status = response.status().as_u16();
            assert!(
                (200..500).contains(&status),
                "{} {content_type:?}: {status}",
                operation.operation_id
            );
            if operation.request_body.is_some() {
                assert!(status >= 400, "{}: {status}", operation.operation_id);
            }
        }
    }
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let response = send(
        &server,
        "POST",
        "/serverless/v1/chat/completions",
        Some("application/json"),
        deep.into_bytes(),
    )
    .await;
    assert_eq!(response.status(), 400);
    for path in [
        "/%",
        "/%zz/%%",
        "/serverless/v1/chat/completions/",
        "//",
        &"/a".repeat(5000),
    ] {
        let response = send(&server, "GET", path, None, Vec::new()).await;
        assert!(matches!(response.status().as_u16(), 404 | 405), "{path}");
    }
    // A function schema that requires two copies of itself: the assistant still answers.
    let tools = json!([{"type": "function", "function": {"name": "f", "parameters": {
        "$defs": {"N": {"type": "object", "required": ["a", "b"], "properties": {
            "a": {"$ref": "#/$defs/N"}, "b": {"$ref": "#/$defs/N"}}}},
        "$ref": "#/$defs/N",
    }}}]);
    let ask =
        json!({"model": "m", "tools": tools, "messages": [{"role": "user", "content": "call f"}]});
    let response = post_json(&server, "/serverless/v1/chat/completions", &ask).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["choices"][0]["finish_reason"], "tool_calls");
}
