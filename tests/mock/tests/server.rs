//! The mock over HTTP: routing, auth, validation, both answer modes, every scripted fault, and
//! the schema validity of everything it emits.

mod common;
use common::http;

use std::time::{Duration, Instant};

use friendli_mock::schema::{validate, validate_answer};
use friendli_mock::{CHAT_PATH, Fault, LineEnding, MockConfig, MockServer, Scenario, StreamShape};
use serde_json::{Value, json};

fn url(server: &MockServer) -> String {
    format!("{}{CHAT_PATH}", server.url())
}

async fn post(server: &MockServer, body: &Value) -> reqwest::Response {
    http()
        .post(url(server))
        .bearer_auth("test-token")
        .json(body)
        .send()
        .await
        .unwrap()
}

fn ask(text: &str, tools: Value, stream: bool) -> Value {
    json!({"model": "m", "messages": [{"role": "user", "content": text}], "tools": tools, "stream": stream})
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

/// Checks that every event of a stream validates, and returns the events.
fn assert_valid_stream(text: &str) -> Vec<(Option<String>, String)> {
    let events = parse_sse(text);
    assert_eq!(
        events.last().map(|e| e.1.as_str()),
        Some("[DONE]"),
        "{text}"
    );
    for (name, data) in &events[..events.len() - 1] {
        let value: Value = serde_json::from_str(data).unwrap();
        let schema = match name.as_deref() {
            None => "StreamedChatData",
            Some("tool_status") => "ToolStatusData",
            Some(other) => panic!("unexpected event {other}"),
        };
        // As clients read answers: fragments after a tool call's first leave out its `type`.
        let component = json!({"$ref": format!("#/components/schemas/{schema}")});
        let violations = validate_answer(&component, &value);
        assert!(violations.is_empty(), "{schema}: {violations:?}\n{data}");
        // And as the operation's event envelope says (token events come without a name).
        let violations = friendli_mock::operation("serverlessToolAssistedChatStream")
            .unwrap()
            .validate_event(name.as_deref(), &value);
        assert!(violations.is_empty(), "{violations:?}\n{data}");
    }
    events
}

#[tokio::test]
async fn requests_without_a_bearer_token_get_401() {
    let server = MockServer::start();
    let response = http()
        .post(url(&server))
        .json(&ask("hi", json!([]), false))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    // The document declares no error body for inference operations; the mock's carries a
    // message.
    assert!(body["message"].as_str().unwrap().contains("Bearer"));

    let strict = MockServer::start_with(MockConfig {
        token: Some("right".into()),
        ..MockConfig::default()
    })
    .unwrap();
    let response = post(&strict, &ask("hi", json!([]), false)).await;
    assert_eq!(response.status(), 401);
    let ok = http()
        .post(url(&strict))
        .bearer_auth("right")
        .json(&ask("hi", json!([]), false))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn invalid_bodies_get_422_naming_the_field_and_bad_json_400() {
    let server = MockServer::start();
    let mut body = ask("hi", json!([{"type": "math:abacus"}]), false);
    // (The document no longer bounds top_p; a wrong type is still refused.)
    body["top_p"] = json!("high");
    let response = post(&server, &body).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert!(validate("HTTPValidationError", &error).is_empty());
    let locations: Vec<&Value> = error["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["loc"])
        .collect();
    assert!(locations.contains(&&json!(["body", "top_p"])), "{error}");
    assert!(locations.iter().any(|l| l[1] == "tools"), "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid request: body/"),
        "{error}"
    );

    let response = http()
        .post(url(&server))
        .bearer_auth("t")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn other_routes_and_methods_are_refused() {
    let server = MockServer::start();
    let missing = http()
        .post(format!("{}/v1/other", server.url()))
        .bearer_auth("t")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let wrong_method = http()
        .get(url(&server))
        .bearer_auth("t")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);
}

#[tokio::test]
async fn every_request_is_recorded() {
    let server = MockServer::start();
    let body = ask("hi", json!([]), false);
    let response = http()
        .post(url(&server))
        .bearer_auth("tok")
        .header("x-friendli-team", "team-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "mock-req-1");
    let recorded = &server.requests()[0];
    assert_eq!(
        recorded.operation_id.as_deref(),
        Some("serverlessToolAssistedChatComplete")
    );
    assert_eq!(recorded.method, "POST");
    assert_eq!(recorded.path, CHAT_PATH);
    assert_eq!(recorded.header("Authorization"), Some("Bearer tok"));
    assert_eq!(recorded.header("x-friendli-team"), Some("team-1"));
    assert_eq!(recorded.json().unwrap(), body);
}

#[tokio::test]
async fn json_mode_answers_a_valid_chat_completion() {
    let server = MockServer::start();
    let response = post(
        &server,
        &ask(
            "What is 3 + 6?",
            json!([{"type": "math:calculator"}]),
            false,
        ),
    )
    .await;
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    assert!(validate("ChatResult", &body).is_empty());
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(
        body["choices"][0]["message"]["content"],
        "The math:calculator says 3 + 6 is 9."
    );
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    let usage = &body["usage"];
    assert_eq!(
        usage["total_tokens"],
        usage["prompt_tokens"].as_u64().unwrap() + usage["completion_tokens"].as_u64().unwrap()
    );
}

#[tokio::test]
async fn stream_mode_sends_tool_status_chunks_usage_and_done() {
    let server = MockServer::start();
    let mut body = ask("What is 3 + 6?", json!([{"type": "math:calculator"}]), true);
    body["stream_options"] = json!({"include_usage": true});
    let response = post(&server, &body).await;
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let text = response.text().await.unwrap();
    let events = assert_valid_stream(&text);
    assert_eq!(events[0].0.as_deref(), Some("tool_status"));
    let started: Value = serde_json::from_str(&events[0].1).unwrap();
    assert_eq!(started["status"], "STARTED");
    let ended: Value = serde_json::from_str(&events[1].1).unwrap();
    assert_eq!(
        (ended["status"].as_str(), ended["result"].as_str()),
        (Some("ENDED"), Some(r#"{"result":"3 + 6=9"}"#))
    );
    let usage: Value = serde_json::from_str(&events[events.len() - 2].1).unwrap();
    assert_eq!(usage["choices"], json!([]));
    assert!(usage["usage"]["total_tokens"].as_u64().unwrap() > 0);
    let answer: String = events[2..events.len() - 2]
        .iter()
        .map(|(_, data)| serde_json::from_str::<Value>(data).unwrap())
        .filter_map(|v| {
            v["choices"][0]["delta"]["content"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(answer, "The math:calculator says 3 + 6 is 9.");
    // Without include_usage there is no usage chunk.
    let text = post(&server, &ask("hi", json!([]), true))
        .await
        .text()
        .await
        .unwrap();
    assert!(!text.contains("\"usage\":{"));
}

/// Everything the assistant can say, in both modes, validates against the OpenAPI document.
#[tokio::test]
async fn every_answer_of_every_scenario_validates_against_the_document() {
    let server = MockServer::start();
    let function = |name: &str| json!({"type": "function", "function": {"name": name, "description": "d", "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}}}});
    let all_tools = json!([
        {"type": "math:calculator"}, {"type": "math:statistics"}, {"type": "math:calendar"},
        {"type": "web:search"}, {"type": "web:url"}, {"type": "code:python-interpreter"},
        {"type": "file:text", "files": ["file-1"]}, {"type": "linkup:search"}, function("get_weather"),
    ]);
    let mut cases = vec![
        ask("What is (2 + 3) * 4?", all_tools.clone(), false),
        ask("What is 1 / 0?", all_tools.clone(), false),
        ask(
            "What is the mean of 2, 4, 6 and 8?",
            all_tools.clone(),
            false,
        ),
        ask(
            "What day of the week is 2026-11-22? And how many days to 2026-12-25?",
            all_tools.clone(),
            false,
        ),
        ask(
            "Search the latest news, read https://example.com, run python code on the file; try linkup",
            all_tools.clone(),
            false,
        ),
        ask("Use get_weather for Seoul", all_tools.clone(), false),
        ask("Just chat.", json!([]), false),
    ];
    let mut with_results = ask("Use get_weather", json!([function("get_weather")]), false);
    with_results["messages"].as_array_mut().unwrap().extend([
        json!({"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]}),
        json!({"role": "tool", "tool_call_id": "c1", "content": "{\"celsius\": 20}"}),
    ]);
    cases.push(with_results);
    let mut several = ask(
        "What is 2 + 2?",
        json!([{"type": "math:calculator"}]),
        false,
    );
    several["n"] = json!(2);
    several["max_tokens"] = json!(3);
    cases.push(several);
    for choice in [
        json!("none"),
        json!("required"),
        json!({"type": "function", "function": {"name": "get_weather"}}),
    ] {
        let mut forced = ask(
            "Hello",
            json!([function("get_weather"), {"type": "web:search"}]),
            false,
        );
        forced["tool_choice"] = choice;
        cases.push(forced);
    }
    for case in cases {
        for stream in [false, true] {
            let mut body = case.clone();
            body["stream"] = json!(stream);
            body["stream_options"] = if stream {
                json!({"include_usage": true})
            } else {
                Value::Null
            };
            if !stream {
                body.as_object_mut().unwrap().remove("stream_options");
            }
            let response = post(&server, &body).await;
            assert_eq!(response.status(), 200, "{body}");
            if stream {
                assert_valid_stream(&response.text().await.unwrap());
            } else {
                let answer: Value = response.json().await.unwrap();
                let violations = validate("ChatResult", &answer);
                assert!(violations.is_empty(), "{violations:?}\n{answer}");
            }
        }
    }
    // Error bodies too.
    for scenario in [Scenario::fail(503), Scenario::fail(429)] {
        server.push(scenario);
        let error: Value = post(&server, &ask("hi", json!([]), false))
            .await
            .json()
            .await
            .unwrap();
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("scripted failure")
        );
    }
}

#[tokio::test]
async fn a_chunked_body_arrives_byte_for_byte_whatever_the_split() {
    let server = MockServer::start();
    let transcript =
        "event: tool_status\ndata: {\"a\": \"ü✓\"}\n\ndata: {\"b\": 2}\n\ndata: [DONE]\n\n";
    for size in 1..=transcript.len() {
        server.push(Scenario::transcript(transcript).shape(StreamShape::default().chunks([size])));
        let text = post(&server, &ask("hi", json!([]), true))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(text, transcript, "chunks of {size}");
    }
    // The assistant's own streams too, in uneven chunks.
    server.push(Scenario::assistant().shape(StreamShape::default().chunks([1, 2, 3, 5, 8])));
    let text = post(
        &server,
        &ask("What is 3 + 6?", json!([{"type": "math:calculator"}]), true),
    )
    .await
    .text()
    .await
    .unwrap();
    assert_valid_stream(&text);
}

#[tokio::test]
async fn the_assistants_own_streams_cut_a_character_across_two_chunks() {
    let server = MockServer::start();
    let tools = json!([{"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]);
    let mut response = post(
        &server,
        &ask("Is it snowing in Zürich? Use get_weather.", tools, true),
    )
    .await;
    let mut chunks = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        chunks.push(chunk);
    }
    let cut = chunks
        .iter()
        .filter(|c| std::str::from_utf8(c).is_err())
        .count();
    assert!(cut > 0, "no chunk ends inside a character: {chunks:?}");
    let text = String::from_utf8(chunks.concat()).unwrap();
    assert!(text.contains("Zürich"), "{text}");
    assert_valid_stream(&text);
}

#[tokio::test]
async fn failures_happen_exactly_as_many_times_as_configured() {
    let server = MockServer::start();
    server.push(
        Scenario::fail(503)
            .retry_after("2")
            .retry_after_ms("1500")
            .times(2),
    );
    for _ in 0..2 {
        let response = post(&server, &ask("hi", json!([]), false)).await;
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "2");
        assert_eq!(response.headers()["retry-after-ms"], "1500");
    }
    assert_eq!(
        post(&server, &ask("hi", json!([]), false)).await.status(),
        200
    );
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn stream_faults_happen_where_configured() {
    let server = MockServer::start();
    let question = || ask("What is 3 + 6?", json!([{"type": "math:calculator"}]), true);
    let read_all = |response: reqwest::Response| async move {
        let mut bytes = Vec::new();
        let mut response = response;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                Ok(None) => return (bytes, true),
                Err(_) => return (bytes, false),
            }
        }
    };

    server.push(
        Scenario::assistant().shape(
            StreamShape::default()
                .chunks([5])
                .fault(Fault::CloseAfterBytes(33)),
        ),
    );
    let (bytes, clean) = read_all(post(&server, &question()).await).await;
    assert_eq!((bytes.len(), clean), (33, false));

    server.push(
        Scenario::assistant().shape(StreamShape::default().fault(Fault::CloseAfterEvents(3))),
    );
    let (bytes, clean) = read_all(post(&server, &question()).await).await;
    assert_eq!(
        (parse_sse(&String::from_utf8(bytes).unwrap()).len(), clean),
        (3, false)
    );

    server.push(Scenario::assistant().shape(StreamShape::default().fault(Fault::OmitDone)));
    let (bytes, clean) = read_all(post(&server, &question()).await).await;
    assert!(clean && !String::from_utf8(bytes).unwrap().contains("[DONE]"));

    server.push(
        Scenario::assistant().shape(StreamShape::default().fault(Fault::MalformedJsonAfter(2))),
    );
    let events = parse_sse(&post(&server, &question()).await.text().await.unwrap());
    assert!(serde_json::from_str::<Value>(&events[2].1).is_err());
    assert!(serde_json::from_str::<Value>(&events[3].1).is_ok());

    server.push(
        Scenario::assistant().shape(StreamShape::default().fault(Fault::ErrorPayloadAfter(1))),
    );
    let events = parse_sse(&post(&server, &question()).await.text().await.unwrap());
    assert_eq!(events.len(), 2);
    assert!(events[1].1.contains("\"error\""));

    server.push(
        Scenario::assistant().shape(StreamShape::default().fault(Fault::UnknownEventAfter(0))),
    );
    let events = parse_sse(&post(&server, &question()).await.text().await.unwrap());
    assert_eq!(events[0].0.as_deref(), Some("mystery"));

    server.push(Scenario::assistant().shape(StreamShape::default().fault(
        Fault::OversizedEventAfter {
            events: 1,
            bytes: 100_000,
        },
    )));
    let events = parse_sse(&post(&server, &question()).await.text().await.unwrap());
    assert!(events[1].1.len() > 100_000);

    server.push(Scenario::assistant().shape(StreamShape::default().fault(Fault::EventsAfterDone)));
    let text = post(&server, &question()).await.text().await.unwrap();
    assert!(
        text.ends_with("data: [DONE]\n\ndata: {\"after\": \"done\"}\n\n"),
        "{text}"
    );

    server.push(
        Scenario::assistant().shape(StreamShape::default().fault(Fault::StallAfter {
            events: 1,
            duration: Duration::from_millis(400),
        })),
    );
    let started = Instant::now();
    let mut response = post(&server, &question()).await;
    response.chunk().await.unwrap().unwrap();
    let first = started.elapsed();
    response.chunk().await.unwrap().unwrap();
    assert!(
        started.elapsed() - first >= Duration::from_millis(350),
        "{:?}",
        started.elapsed() - first
    );
}

#[tokio::test]
async fn line_endings_bom_and_comments_are_written_as_configured() {
    let server = MockServer::start();
    let question = || ask("hi", json!([]), true);
    server.push(Scenario::assistant().shape(StreamShape::default().line_ending(LineEnding::CrLf)));
    let text = post(&server, &question()).await.text().await.unwrap();
    assert!(text.contains("\r\n\r\n") && !text.replace("\r\n", "").contains('\n'));
    server.push(Scenario::assistant().shape(StreamShape::default().line_ending(LineEnding::Cr)));
    let bytes = post(&server, &question()).await.bytes().await.unwrap();
    assert!(bytes.contains(&b'\r') && !bytes.contains(&b'\n'));
    server.push(Scenario::assistant().shape(StreamShape::default().bom().comments()));
    let bytes = post(&server, &question()).await.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF: friendli-mock comment\n"));
}

#[tokio::test]
async fn delays_and_dropped_connections_are_scripted() {
    let server = MockServer::start();
    server.push(Scenario::assistant().delay_headers(Duration::from_millis(300)));
    let started = Instant::now();
    assert_eq!(
        post(&server, &ask("hi", json!([]), false)).await.status(),
        200
    );
    assert!(started.elapsed() >= Duration::from_millis(300));

    server.push(Scenario::drop_connection());
    let result = http()
        .post(url(&server))
        .bearer_auth("t")
        .json(&ask("hi", json!([]), false))
        .send()
        .await;
    assert!(result.is_err());
}

#[test]
fn the_binary_prints_its_url_and_serves() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_friendli-mock"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    // Only the first line is read; the pipe is closed before the second is (or is not yet)
    // written, which must not stop the server.
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("friendli-mock listening on ")
        .expect(&line)
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        http()
            .post(format!("{url}{CHAT_PATH}"))
            .bearer_auth("t")
            .json(&ask("hi", json!([]), false))
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status.unwrap(), 200);
    let usage = std::process::Command::new(env!("CARGO_BIN_EXE_friendli-mock"))
        .arg("--port")
        .arg("x")
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
}
