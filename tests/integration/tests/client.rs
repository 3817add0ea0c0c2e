//! The client: configuration, the request on the wire, errors, `complete()`, builders, the
//! single-operation call and forward-compatible decoding.

use std::process::Command;

use friendli::ext::ChatResultExt;
use friendli::prelude::*;
use friendli::stream::JsonOrStream;
use friendli::types::{FinishReason, FinishReasonKnown, ToolAssistedChatRequestSeed};
use friendli::{Error, RetryConfig};
use friendli_mock::{MockServer, Scenario};
use friendli_tests::{TOKEN, builder, client, request};
use serde_json::{Value, json};

/// `complete()` of a short greeting with `client`, ready for per-call options.
fn say_hi(
    client: &friendli::Client,
) -> friendli::Call<'_, friendli::operations::ServerlessToolAssistedChatComplete> {
    client
        .serverless()
        .tool_assisted_chat()
        .complete(request("hi", vec![]))
}

#[tokio::test]
async fn the_request_on_the_wire_uses_every_field() {
    let server = MockServer::start();
    let client = client(&server);
    let request = ToolAssistedChatRequest::builder()
        .model("mock-model")
        .messages(vec![
            Message::system("Be brief."),
            Message::user("Hello."),
            Message::assistant("Hello! How can I help?"),
            Message::user_parts([
                UserContentPart::text("What is 3 + 6? Also look at"),
                UserContentPart::image_url("https://example.com/a.png"),
            ]),
        ])
        .chat_template_kwargs(serde_json::Map::from_iter([(
            "enable_thinking".to_owned(),
            json!(false),
        )]))
        .eos_token(vec![128_001])
        .frequency_penalty(0.5)
        .include_reasoning(true)
        .logit_bias(serde_json::Map::from_iter([("100".to_owned(), json!(1.5))]))
        .logprobs(true)
        .max_tokens(200)
        .min_p(0.05)
        .n(1)
        .parallel_tool_calls(false)
        .parse_reasoning(true)
        .presence_penalty(-0.5)
        .reasoning_budget(64)
        .reasoning_effort(friendli::types::ReasoningEffort::Known(
            friendli::types::ReasoningEffortKnown::Low,
        ))
        .repetition_penalty(1.1)
        .resume_generation(true)
        .seed(ToolAssistedChatRequestSeed::single(42))
        .stop(vec!["END".to_owned()])
        .stream(true)
        .stream_options(friendli::types::StreamOptions {
            include_usage: Some(true),
        })
        .temperature(0.6)
        .tool_choice(ToolChoice::auto())
        .tools(vec![
            ToolAssistedChatTool::calculator(),
            ToolAssistedChatTool::file_text(["file-1"]),
        ])
        .top_k(40)
        .top_logprobs(2)
        .top_p(0.9)
        .xtc_probability(0.5)
        .xtc_threshold(0.1);

    let result = client
        .serverless()
        .tool_assisted_chat()
        .complete(request)
        .await
        .unwrap();
    assert!(result.content().unwrap().contains('9'));

    let sent = &server.requests()[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/serverless/tools/v1/chat/completions");
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(sent.header("accept"), Some("application/json"));
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(
        sent.header("user-agent"),
        Some(concat!("friendli-rust/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(sent.header("x-friendli-team"), None);
    let expected = json!({
        "model": "mock-model",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hello."},
            {"role": "assistant", "content": "Hello! How can I help?"},
            {"role": "user", "content": [
                {"type": "text", "text": "What is 3 + 6? Also look at"},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
            ]}
        ],
        "chat_template_kwargs": {"enable_thinking": false},
        "eos_token": [128001],
        "frequency_penalty": 0.5,
        "include_reasoning": true,
        "logit_bias": {"100": 1.5},
        "logprobs": true,
        "max_tokens": 200,
        "min_p": 0.05,
        "n": 1,
        "parallel_tool_calls": false,
        "parse_reasoning": true,
        "presence_penalty": -0.5,
        "reasoning_budget": 64,
        "reasoning_effort": "low",
        "repetition_penalty": 1.1,
        "resume_generation": true,
        "seed": 42,
        "stop": ["END"],
        "stream": false,
        "temperature": 0.6,
        "tool_choice": "auto",
        "tools": [{"type": "math:calculator"}, {"type": "file:text", "files": ["file-1"]}],
        "top_k": 40,
        "top_logprobs": 2,
        "top_p": 0.9,
        "xtc_probability": 0.5,
        "xtc_threshold": 0.1
    });
    // `complete()` forces `"stream": false` and drops `stream_options`.
    assert_eq!(sent.json().unwrap(), expected);
}

#[test]
fn a_request_round_trips_through_serde_to_the_same_wire_json() {
    let wire = json!({
        "model": "m",
        "messages": [
            {"role": "user", "content": "hi", "name": "ann"},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "42"}
        ],
        "tools": [{"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object", "properties": {}}}}],
        "tool_choice": {"type": "function", "function": {"name": "f"}},
        "seed": [1, 2],
        "n": 2,
        "stream": false
    });
    let request: ToolAssistedChatRequest = serde_json::from_value(wire.clone()).unwrap();
    let mut back = serde_json::to_value(&request).unwrap();
    // An explicit `null` of an optional field is not sent back.
    back["messages"][1]["content"] = Value::Null;
    assert_eq!(back, wire);
}

#[tokio::test]
async fn api_errors_carry_status_body_and_request_id() {
    let server = MockServer::start();
    let client = client(&server);
    let chat = client.serverless().tool_assisted_chat();

    // 401: no valid token.
    let anonymous = builder(&server).token("  Bearer  ").build();
    assert!(
        anonymous.is_err(),
        "an empty bearer token is refused before sending"
    );
    let bad_auth = chat
        .complete(request("hi", vec![]))
        .header("authorization", "Basic abc")
        .await
        .unwrap_err();
    let api = bad_auth.api_error().expect("an API error");
    assert_eq!(api.status.as_u16(), 401);
    assert_eq!(bad_auth.status().unwrap().as_u16(), 401);
    assert!(api.message().unwrap().contains("Authorization"));
    assert_eq!(bad_auth.request_id(), Some("mock-req-1"));

    // 422: the mock validates the body against the OpenAPI document.
    let mut invalid = request("hi", vec![]);
    invalid.temperature = Some(-1.0);
    let error = chat.complete(invalid).await.unwrap_err();
    let api = error.api_error().unwrap();
    assert_eq!(api.status.as_u16(), 422);
    assert!(
        api.message().unwrap().contains("body/temperature"),
        "{error}"
    );
    assert_eq!(
        api.body.as_ref().unwrap()["detail"][0]["loc"],
        json!(["body", "temperature"])
    );
    assert!(
        error
            .to_string()
            .starts_with("the server answered 422 Unprocessable Entity (request id mock-req-2)"),
        "{error}"
    );
    assert!(!error.is_retryable());

    // 500 without retries.
    server.push(Scenario::fail(500));
    let error = chat
        .complete(request("hi", vec![]))
        .retries(RetryConfig::none())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(error.status().unwrap().as_u16(), 500);
    assert!(error.is_retryable());
    assert_eq!(error.request_id(), Some("mock-req-3"));
    assert!(
        error
            .to_string()
            .contains("scripted failure with status 500"),
        "{error}"
    );
}

#[tokio::test]
async fn a_non_json_error_body_is_kept_raw() {
    let server = MockServer::start();
    server.push(Scenario::raw(
        502,
        "text/html",
        "<html><body>Bad gateway</body></html>",
    ));
    let error = say_hi(&client(&server))
        .retries(RetryConfig::none())
        .await
        .unwrap_err();
    let api = error.api_error().unwrap();
    assert_eq!(api.status.as_u16(), 502);
    assert!(api.body.is_none());
    assert_eq!(
        api.raw_body.as_ref(),
        b"<html><body>Bad gateway</body></html>"
    );
    assert_eq!(api.headers.get("content-type").unwrap(), "text/html");
    assert!(
        error
            .to_string()
            .ends_with(": <html><body>Bad gateway</body></html>"),
        "{error}"
    );
}

#[tokio::test]
async fn unknown_enum_values_and_fields_are_kept() {
    let server = MockServer::start();
    server.push(Scenario::json(
        200,
        json!({
            "id": "chatcmpl-1",
            "object": "chat.completion.v2",
            "created": 1,
            "model": "m",
            "system_fingerprint": "new-field",
            "choices": [{
                "index": 0,
                "message": {"role": "narrator", "content": "filtered", "annotations": []},
                "finish_reason": "content_filter",
            }],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2, "audio_tokens": 0}
        }),
    ));
    let result = say_hi(&client(&server)).await.unwrap();
    assert_eq!(
        result.finish_reason(),
        Some(&FinishReason::Unknown("content_filter".to_owned()))
    );
    assert_eq!(result.choices[0].message.role, "narrator");
    assert_eq!(result.object.to_string(), "chat.completion.v2");
    assert_eq!(result.content(), Some("filtered"));
    // And known values are typed.
    server.push(Scenario::json(
        200,
        json!({"id": "x", "object": "chat.completion", "created": 1, "choices": [{"index": 0, "message": {"role": "assistant", "content": "a"}, "finish_reason": "length"}], "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}),
    ));
    let result = say_hi(&client(&server)).await.unwrap();
    assert_eq!(
        result.finish_reason(),
        Some(&FinishReason::Known(FinishReasonKnown::Length))
    );
}

#[tokio::test]
async fn a_malformed_success_body_is_a_decode_error_with_the_raw_bytes() {
    let server = MockServer::start();
    server.push(Scenario::raw(
        200,
        "application/json",
        "{\"id\": \"x\", \"choices\": ",
    ));
    let error = say_hi(&client(&server)).await.unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(decode.raw.as_ref(), b"{\"id\": \"x\", \"choices\": ");
    assert!(decode.source.is_some());
    assert!(
        error
            .to_string()
            .contains("could not decode the response as a ChatResult"),
        "{error}"
    );
}

#[tokio::test]
async fn status_headers_and_request_id_of_a_success_stay_reachable() {
    let server = MockServer::start();
    server.push(Scenario::assistant().header("x-ratelimit-remaining", "41"));
    let response = client(&server)
        .serverless()
        .tool_assisted_chat()
        .complete(request(
            "What is 2 * 21?",
            vec![ToolAssistedChatTool::calculator()],
        ))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.request_id(), Some("mock-req-1"));
    assert_eq!(response.headers()["x-ratelimit-remaining"], "41");
    let limits = response.rate_limit().expect("a rate-limit header");
    assert_eq!(limits.general.and_then(|q| q.remaining), Some(41));
    assert_eq!(response.attempts(), 1);
    // It dereferences to the result.
    assert!(response.content().unwrap().contains("42"));
}

#[tokio::test]
async fn the_team_header_comes_from_the_builder_and_a_call_can_override_it() {
    let server = MockServer::start();
    let client = builder(&server).team("team-builder").build().unwrap();
    let chat = client.serverless().tool_assisted_chat();
    chat.complete(request("hi", vec![])).await.unwrap();
    chat.complete(request("hi", vec![]))
        .team("team-call")
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests[0].header("x-friendli-team"), Some("team-builder"));
    assert_eq!(requests[1].header("x-friendli-team"), Some("team-call"));
    assert_eq!(client.team(), Some("team-builder"));
}

/// Runs one test of this binary in a child process with extra environment variables (the
/// environment of a test process cannot be changed safely while other tests run).
fn run_child(test: &str, env: &[(&str, &str)]) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args([
        "--exact",
        test,
        "--include-ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    for name in [
        "FRIENDLI_TOKEN",
        "FRIENDLI_BASE_URL",
        "FRIENDLI_CONTAINER_URL",
        "FRIENDLI_CONTAINER_TOKEN",
        "FRIENDLI_TEAM",
    ] {
        command.env_remove(name);
    }
    command
        .envs(env.iter().copied())
        .env("FRIENDLI_CHILD_TEST", "1");
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{test} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
}

#[test]
fn the_environment_configures_token_base_url_and_team() {
    run_child(
        "child_environment_configuration",
        &[
            ("FRIENDLI_TOKEN", "flp_from_env"),
            ("FRIENDLI_TEAM", "team-env"),
        ],
    );
}

#[tokio::test]
#[ignore = "runs as a child process of the_environment_configures_token_base_url_and_team"]
async fn child_environment_configuration() {
    assert_eq!(std::env::var("FRIENDLI_CHILD_TEST").as_deref(), Ok("1"));
    let server = MockServer::start();
    // SAFETY of the approach: this process runs this one test only; the variable is read by
    // `from_env` below. Setting it here would need `unsafe`, so the parent passes the rest.
    let client = Client::builder().base_url(server.url()).build().unwrap();
    assert_eq!(client.team(), Some("team-env"));
    say_hi(&client).await.unwrap();
    let sent = &server.requests()[0];
    assert_eq!(sent.header("authorization"), Some("Bearer flp_from_env"));
    assert_eq!(sent.header("x-friendli-team"), Some("team-env"));
    // Explicit settings win over the environment.
    let client = Client::builder()
        .base_url(server.url())
        .team("explicit")
        .build()
        .unwrap();
    assert_eq!(client.team(), Some("explicit"));
    // `from_env` reads the base URL too.
    let missing = Client::from_env().unwrap();
    assert_eq!(missing.base_url(), "https://api.friendli.ai");
}

#[test]
fn the_environment_gives_the_container_its_own_token() {
    run_child(
        "child_container_token_from_env",
        &[("FRIENDLI_CONTAINER_TOKEN", "container-from-env")],
    );
}

#[tokio::test]
#[ignore = "runs as a child process of the_environment_gives_the_container_its_own_token"]
async fn child_container_token_from_env() {
    assert_eq!(std::env::var("FRIENDLI_CHILD_TEST").as_deref(), Ok("1"));
    let container = MockServer::start();
    // No API token anywhere: a client of a container needs none.
    let client = Client::builder()
        .container_url(container.url())
        .build()
        .unwrap();
    let request: friendli::types::ContainerTokenizationBody =
        serde_json::from_value(json!({"prompt": "Hi"})).unwrap();
    client.container().token().tokenize(request).await.unwrap();
    assert_eq!(
        container.requests()[0].header("authorization"),
        Some("Bearer container-from-env")
    );
    assert!(!format!("{client:?}").contains("container-from-env"));
    // `ignore_env` leaves it out, like every other variable.
    let client = Client::builder()
        .ignore_env()
        .container_url(container.url())
        .build()
        .unwrap();
    let request: friendli::types::ContainerTokenizationBody =
        serde_json::from_value(json!({"prompt": "Hi"})).unwrap();
    client.container().token().tokenize(request).await.unwrap();
    assert_eq!(container.requests()[1].header("authorization"), None);
}

#[test]
fn from_env_without_a_token_names_the_variable() {
    run_child("child_missing_token", &[]);
}

#[test]
#[ignore = "runs as a child process of from_env_without_a_token_names_the_variable"]
fn child_missing_token() {
    assert_eq!(std::env::var("FRIENDLI_CHILD_TEST").as_deref(), Ok("1"));
    let error = Client::from_env().unwrap_err();
    assert!(matches!(error, Error::InvalidConfig(_)));
    assert!(error.to_string().contains("FRIENDLI_TOKEN"), "{error}");
}

#[tokio::test]
async fn base_urls_work_with_and_without_a_trailing_slash() {
    let server = MockServer::start();
    for base in [server.url().to_owned(), format!("{}/", server.url())] {
        let client = Client::builder()
            .ignore_env()
            .token(TOKEN)
            .base_url(&base)
            .build()
            .unwrap();
        say_hi(&client).await.unwrap();
    }
    let prefixed = Client::builder()
        .ignore_env()
        .token(TOKEN)
        .base_url(format!("{}/proxy/", server.url()))
        .build()
        .unwrap();
    let error = prefixed
        .serverless()
        .tool_assisted_chat()
        .complete(request("hi", vec![]))
        .retries(RetryConfig::none())
        .await
        .unwrap_err();
    assert_eq!(error.status().unwrap().as_u16(), 404);
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/serverless/tools/v1/chat/completions",
            "/serverless/tools/v1/chat/completions",
            "/proxy/serverless/tools/v1/chat/completions"
        ]
    );
}

#[tokio::test]
async fn a_call_can_go_to_another_server() {
    let home = MockServer::start();
    let other = MockServer::start();
    client(&home)
        .serverless()
        .tool_assisted_chat()
        .complete(request("hi", vec![]))
        .server_url(other.url())
        .await
        .unwrap();
    assert_eq!(home.request_count(), 0);
    assert_eq!(other.request_count(), 1);
}

#[test]
fn invalid_configuration_is_rejected_at_build_time() {
    for bad in [
        "api.friendli.ai",
        "ftp://api.friendli.ai",
        "https://",
        "https://api.friendli.ai/?v=1",
        "not a url",
    ] {
        let error = Client::builder()
            .ignore_env()
            .token(TOKEN)
            .base_url(bad)
            .build()
            .unwrap_err();
        assert!(matches!(error, Error::InvalidConfig(_)), "{bad}");
        assert!(error.to_string().contains("base URL"), "{error}");
    }
    let error = Client::builder()
        .ignore_env()
        .token(TOKEN)
        .header("bad header", "x")
        .build()
        .unwrap_err();
    assert!(
        error.to_string().contains("not a valid header name"),
        "{error}"
    );
    let error = Client::builder()
        .ignore_env()
        .token(TOKEN)
        .team("a\nb")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("team"), "{error}");
}

#[tokio::test]
async fn invalid_per_call_options_and_incomplete_builders_fail_the_call() {
    let server = MockServer::start();
    let chat_client = client(&server);
    let chat = chat_client.serverless().tool_assisted_chat();
    let error = chat
        .complete(request("hi", vec![]))
        .header("x-bad", "line\nbreak")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    let error = chat
        .complete(request("hi", vec![]))
        .server_url("nope")
        .await
        .unwrap_err();
    assert!(error.to_string().contains("per-call server URL"), "{error}");
    let incomplete = ToolAssistedChatRequest::builder().messages(vec![Message::user("hi")]);
    let error = chat.complete(incomplete).await.unwrap_err();
    assert!(error.to_string().contains("model"), "{error}");
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn the_token_never_appears_in_debug_output_or_errors() {
    let server = MockServer::start();
    let client = client(&server);
    assert!(!format!("{client:?}").contains(TOKEN));
    assert!(!format!("{:?}", builder(&server)).contains(TOKEN));
    assert!(!format!("{:?}", client.low_level()).contains(TOKEN));

    let chat = client.serverless().tool_assisted_chat();
    let mut errors: Vec<Error> = Vec::new();
    server.push(Scenario::fail(500));
    errors.push(
        chat.complete(request("hi", vec![]))
            .retries(RetryConfig::none())
            .await
            .unwrap_err(),
    );
    server.push(Scenario::fail(503).times(2));
    errors.push(
        chat.complete(request("hi", vec![]))
            .retries(friendli_tests::fast_retries().max_attempts(2))
            .await
            .unwrap_err(),
    );
    let mut invalid = request("hi", vec![]);
    invalid.top_p = Some(7.0);
    errors.push(chat.complete(invalid).await.unwrap_err());
    server.push(Scenario::drop_connection());
    errors.push(
        chat.complete(request("hi", vec![]))
            .retries(RetryConfig::none())
            .await
            .unwrap_err(),
    );
    errors.push(
        chat.complete(request("hi", vec![]))
            .header("x", "\n")
            .await
            .unwrap_err(),
    );
    let offline = Client::builder()
        .ignore_env()
        .token(TOKEN)
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    errors.push(
        offline
            .serverless()
            .tool_assisted_chat()
            .complete(request("hi", vec![]))
            .retries(RetryConfig::none())
            .await
            .unwrap_err(),
    );
    errors.push(
        Client::builder()
            .ignore_env()
            .token(format!("{TOKEN}\nmore"))
            .build()
            .unwrap_err(),
    );
    assert_eq!(errors.len(), 7);
    for error in &errors {
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(!shown.contains("flp_test_secret"), "{shown}");
    }
}

#[tokio::test]
async fn the_single_operation_answers_json_or_a_stream_by_content_type() {
    let server = MockServer::start();
    let client = client(&server);
    let mut json_request = request("What is 3 + 6?", vec![ToolAssistedChatTool::calculator()]);
    json_request.stream = Some(false);
    match client
        .serverless()
        .tool_assisted_chat_completion(json_request)
        .await
        .unwrap()
    {
        JsonOrStream::Json(result) => {
            assert!(result.content().unwrap().contains('9'))
        }
        JsonOrStream::Stream(_) => panic!("expected JSON"),
    }
    let mut stream_request = request("What is 3 + 6?", vec![ToolAssistedChatTool::calculator()]);
    stream_request.stream = Some(true);
    match client
        .serverless()
        .tool_assisted_chat_completion(stream_request)
        .await
        .unwrap()
    {
        JsonOrStream::Stream(events) => {
            let collected = events.collect_chat().await.unwrap();
            assert!(collected.result.content().unwrap().contains('9'));
            assert_eq!(collected.tool_runs.len(), 1);
        }
        JsonOrStream::Json(_) => panic!("expected a stream"),
    }
    let requests = server.requests();
    // The request is sent as given, with the `Accept` of the single operation.
    assert_eq!(requests[0].json().unwrap()["stream"], false);
    assert_eq!(requests[1].json().unwrap()["stream"], true);
    assert_eq!(
        requests[0].header("accept"),
        Some("application/json, text/event-stream")
    );

    server.push(Scenario::raw(200, "text/plain", "surprise"));
    let error = client
        .serverless()
        .tool_assisted_chat_completion(request("hi", vec![]))
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("expected application/json or text/event-stream, got `text/plain`"),
        "{error}"
    );
}

#[tokio::test]
async fn the_low_level_client_shares_the_configuration() {
    let server = MockServer::start();
    let client = builder(&server).team("low").build().unwrap();
    // The low-level clients are progenitor's positional interface: the header parameters, then
    // the body, by reference.
    let body = request("What is 3 + 6?", vec![ToolAssistedChatTool::calculator()]);
    let response = client
        .low_level()
        .serverless()
        .serverless_tool_assisted_chat_complete(None, &body)
        .await
        .unwrap();
    assert!(response.content().unwrap().contains('9'));
    let sent = &server.requests()[0];
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(sent.header("x-friendli-team"), Some("low"));

    let events = client
        .low_level()
        .serverless()
        .serverless_tool_assisted_chat_stream(None, &{
            // The low-level stream operation takes the document's stream body, whose `stream`
            // defaults to true.
            let mut body: friendli::types::ServerlessToolAssistedChatCompletionStreamBody =
                serde_json::from_value(serde_json::to_value(request("hi", vec![])).unwrap())
                    .unwrap();
            body.stream = true;
            body
        })
        .await
        .unwrap();
    assert_eq!(
        events.headers()["content-type"],
        "text/event-stream",
        "{:?}",
        server.requests()[1]
    );
    assert_eq!(
        server.requests()[1].header("accept"),
        Some("text/event-stream")
    );
}

#[test]
fn client_is_cheap_to_clone_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Client>();
    fn assert_send<T: Send>() {}
    assert_send::<friendli::EventStream<friendli::events::ToolAssistedChatEvent>>();
    assert_send::<Error>();
    assert!(std::mem::size_of::<Client>() <= 2 * std::mem::size_of::<usize>());
}
