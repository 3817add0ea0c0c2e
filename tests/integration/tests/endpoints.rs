//! Dedicated endpoints against the mock: `wait_until_running` (scripted status sequences,
//! deadlines, failed endpoints, retried status requests), and one test per management and
//! dedicated-inference operation through the generated namespaces (method, path, wire keys, retry
//! class), plus cost and usage.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use friendli::endpoints::EndpointNotRunning;
use friendli::endpoints::NotRunningReason;
use friendli::operation::FilePart;
use friendli::prelude::*;
use friendli::types::{DedicatedEndpointCreateBody, EndpointAdvancedConfig};
use friendli::{Error, RetryConfig};
use friendli_mock::{MockServer, Scenario};
use friendli_tests::client;
use serde_json::{Value, json};

const STATUS: &str = "dedicatedGetEndpointStatus";

fn body<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a valid body")
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A status answer of the API.
fn status(name: &str) -> Value {
    json!({"status": name, "createdAt": "2026-12-01T00:00:00Z"})
}

/// Queues these answers, in order, for the next status requests.
fn script(server: &MockServer, answers: impl IntoIterator<Item = Scenario>) {
    for answer in answers {
        server.push_for(STATUS, answer);
    }
}

fn ok(value: Value) -> Scenario {
    Scenario::json(200, value)
}

/// An observer that records the summary of every status it is given.
fn recorder() -> (
    Arc<Mutex<Vec<String>>>,
    impl FnMut(&friendli::types::DedicatedEndpointStatus) + Send + 'static,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    (
        seen,
        move |status: &friendli::types::DedicatedEndpointStatus| {
            sink.lock().unwrap().push(status.summary())
        },
    )
}

fn not_running(error: &Error) -> &EndpointNotRunning {
    match error.endpoint_not_running() {
        Some(details) => details,
        None => panic!("expected EndpointNotRunning, got {error:?}"),
    }
}

#[tokio::test]
async fn a_wait_succeeds_after_several_polls_and_keeps_waiting_on_unknown_statuses() {
    let server = MockServer::start();
    let client = client(&server);
    script(
        &server,
        [
            ok(status("INITIALIZING")),
            ok(
                json!({"status": "INITIALIZING", "createdAt": "2026-12-01T00:00:00Z", "phase": "DOWNLOADING_MODEL"}),
            ),
            ok(status("WARMING_UP")), // a status this SDK does not know: keep waiting
            ok(status("UNKNOWN")),
            ok(status("RUNNING")),
        ],
    );
    let (seen, observer) = recorder();
    let running = client
        .dedicated()
        .endpoint()
        .wait_until_running("ep-1")
        .poll_interval(ms(1))
        .max_poll_interval(ms(4))
        .team("team-9")
        .header("x-trace", "wait-1")
        .on_status(observer)
        .await
        .unwrap();
    assert!(running.is_running());
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "INITIALIZING",
            "INITIALIZING (DOWNLOADING_MODEL)",
            "WARMING_UP",
            "UNKNOWN",
            "RUNNING"
        ]
    );
    let sent = server.requests_for(STATUS);
    assert_eq!(sent.len(), 5, "one request per status, none after RUNNING");
    for request in &sent {
        assert_eq!(request.method, "GET");
        assert_eq!(request.path, "/dedicated/beta/endpoint/ep-1/status");
        assert_eq!(
            request.header("x-friendli-team"),
            Some("team-9"),
            "per-call options apply to every poll"
        );
        assert_eq!(request.header("x-trace"), Some("wait-1"));
    }
}

#[tokio::test]
async fn a_wait_that_times_out_reports_the_last_status() {
    let server = MockServer::start();
    let client = client(&server);
    server.push_for(
        STATUS,
        ok(json!({"status": "INITIALIZING", "createdAt": "2026-12-01T00:00:00Z", "phase": "ENGINE_INITIALIZING"}))
            .times(10_000),
    );
    let error = client
        .dedicated()
        .endpoint()
        .wait_until_running("ep-slow")
        .poll_interval(ms(2))
        .backoff(1.0)
        .deadline(ms(80))
        .await
        .unwrap_err();
    let details = not_running(&error);
    assert_eq!(details.reason, NotRunningReason::DeadlineReached);
    assert_eq!(details.endpoint_id, "ep-slow");
    assert!(details.polls >= 1);
    assert_eq!(
        details.last_status.as_ref().map(|s| s.summary()).as_deref(),
        Some("INITIALIZING (ENGINE_INITIALIZING)")
    );
    let text = error.to_string();
    assert!(
        text.contains("ep-slow") && text.contains("INITIALIZING (ENGINE_INITIALIZING)"),
        "{text}"
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn the_deadline_also_ends_a_status_request_in_flight() {
    let server = MockServer::start();
    let client = client(&server);
    script(
        &server,
        [
            ok(status("AWAKING")),
            ok(status("RUNNING")).delay_headers(Duration::from_secs(30)),
        ],
    );
    let error = client
        .dedicated()
        .endpoint()
        .wait_until_running("ep-2")
        .poll_interval(ms(1))
        .deadline(ms(300))
        .await
        .unwrap_err();
    let details = not_running(&error);
    assert_eq!(details.reason, NotRunningReason::DeadlineReached);
    assert_eq!(details.polls, 1);
    assert_eq!(
        details.last_status.as_ref().map(|s| s.summary()).as_deref(),
        Some("AWAKING")
    );
}

#[tokio::test]
async fn a_wait_ends_when_the_endpoint_fails() {
    let server = MockServer::start();
    let client = client(&server);
    script(
        &server,
        [
            ok(status("INITIALIZING")),
            ok(json!({
                "status": "FAILED", "createdAt": "2026-12-01T00:00:00Z",
                "updatedAt": "2026-12-01T00:05:00Z", "errorCode": "WORKLOAD_INIT_DOWNLOAD_ERROR",
            })),
            ok(status("RUNNING")), // never asked for
        ],
    );
    let (seen, observer) = recorder();
    let error = client
        .dedicated()
        .endpoint()
        .wait_until_running("ep-3")
        .poll_interval(ms(1))
        .on_status(observer)
        .await
        .unwrap_err();
    let details = not_running(&error);
    assert_eq!(details.reason, NotRunningReason::Failed);
    assert_eq!(details.polls, 2);
    let last = details.last_status.as_ref().unwrap();
    assert!(last.is_failed());
    assert_eq!(
        last.error_code.as_ref().map(|c| c.wire_name()).as_deref(),
        Some("WORKLOAD_INIT_DOWNLOAD_ERROR")
    );
    assert!(
        error.to_string().contains("WORKLOAD_INIT_DOWNLOAD_ERROR"),
        "{error}"
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "INITIALIZING",
            "FAILED (error WORKLOAD_INIT_DOWNLOAD_ERROR)"
        ]
    );
    assert_eq!(server.requests_for(STATUS).len(), 2);
}

#[tokio::test]
async fn the_stream_of_a_wait_yields_every_status_then_the_reason_it_ended() {
    let server = MockServer::start();
    let client = client(&server);
    script(&server, [ok(status("STOPPING")), ok(status("TERMINATED"))]);
    let items: Vec<_> = client
        .dedicated()
        .endpoint()
        .wait_until_running("ep-4")
        .poll_interval(ms(1))
        .into_stream()
        .collect()
        .await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().summary(), "STOPPING");
    assert!(items[1].as_ref().unwrap().is_terminated());
    let error = items[2].as_ref().unwrap_err();
    assert_eq!(not_running(error).reason, NotRunningReason::Terminated);

    // A running endpoint: one status, and the stream ends.
    script(&server, [ok(status("RUNNING"))]);
    let items: Vec<_> = client
        .dedicated()
        .endpoint()
        .wait_until_running("ep-5")
        .into_stream()
        .collect()
        .await;
    assert_eq!(items.len(), 1);
    assert!(items[0].as_ref().unwrap().is_running());
}

#[tokio::test]
async fn an_error_status_mid_wait_is_retried_by_the_retry_policy() {
    let server = MockServer::start();
    let client = client(&server);
    script(
        &server,
        [
            ok(status("INITIALIZING")),
            Scenario::fail(503),
            Scenario::fail(502),
            ok(status("RUNNING")),
        ],
    );
    let (seen, observer) = recorder();
    let running = client
        .dedicated()
        .endpoint()
        .wait_until_running("ep-6")
        .poll_interval(ms(1))
        .on_status(observer)
        .await
        .unwrap();
    assert!(running.is_running());
    assert_eq!(server.requests_for(STATUS).len(), 4);
    assert_eq!(
        *seen.lock().unwrap(),
        ["INITIALIZING", "RUNNING"],
        "failed attempts are not statuses"
    );

    // Without retries, the failed request ends the wait with its own error.
    script(&server, [ok(status("INITIALIZING")), Scenario::fail(503)]);
    let error = client
        .dedicated()
        .endpoint()
        .wait_until_running("ep-7")
        .poll_interval(ms(1))
        .retries(RetryConfig::none())
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error:?}");

    // A status the policy does not retry (an unknown endpoint) ends it at once.
    script(&server, [Scenario::fail(404)]);
    let before = server.requests_for(STATUS).len();
    let error = client
        .dedicated()
        .endpoint()
        .wait_until_running("missing")
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(server.requests_for(STATUS).len(), before + 1);
}

#[test]
fn the_blocking_client_waits_too() {
    let server = MockServer::start();
    let client = friendli_tests::builder(&server).blocking().build().unwrap();
    script(&server, [ok(status("INITIALIZING")), ok(status("RUNNING"))]);
    let (seen, observer) = recorder();
    let running = client
        .dedicated()
        .endpoint()
        .wait_until_running("ep-8")
        .poll_interval(ms(1))
        .deadline(Duration::from_secs(30))
        .on_status(observer)
        .send()
        .unwrap();
    assert!(running.is_running());
    assert_eq!(*seen.lock().unwrap(), ["INITIALIZING", "RUNNING"]);
}

#[tokio::test]
async fn create_sends_camel_case_keys_and_is_not_retried_after_a_502() {
    let server = MockServer::start();
    let client = client(&server);
    let request = || -> DedicatedEndpointCreateBody {
        DedicatedEndpointCreateBody::builder()
            .project_id("proj-1")
            .name("my-endpoint")
            .instance_option_id("TwD5AqnBSVN0")
            .hf_model_repo("meta-llama/Llama-3.1-8B-Instruct")
            .initial_version_comment("first".to_owned())
            .advanced(
                EndpointAdvancedConfig::builder()
                    .tokenizer_add_special_tokens(false)
                    .tokenizer_skip_special_tokens(true)
                    .max_batch_size(64_i64),
            )
            .try_into()
            .unwrap()
    };
    let created = client
        .dedicated()
        .endpoint()
        .create(request())
        .await
        .unwrap();
    let _ = created.status;
    let sent = &server.requests_for("dedicatedCreateEndpoint")[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/dedicated/beta/endpoint");
    let wire = sent.json().unwrap();
    assert_eq!(wire["projectId"], "proj-1");
    assert_eq!(wire["instanceOptionId"], "TwD5AqnBSVN0");
    assert_eq!(wire["hfModelRepo"], "meta-llama/Llama-3.1-8B-Instruct");
    assert_eq!(wire["initialVersionComment"], "first");
    assert!(wire.get("project_id").is_none(), "{wire}");
    // Inside `advanced`, the keys are snake_case.
    assert_eq!(wire["advanced"]["tokenizer_skip_special_tokens"], true);
    assert_eq!(wire["advanced"]["max_batch_size"], 64);

    // A 502 may come after the endpoint was created: sent once.
    server.push_for("dedicatedCreateEndpoint", Scenario::fail(502));
    let error = client
        .dedicated()
        .endpoint()
        .create(request())
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(server.requests_for("dedicatedCreateEndpoint").len(), 2);
    // A 503 says it was not: retried.
    server.push_for("dedicatedCreateEndpoint", Scenario::fail(503));
    client
        .dedicated()
        .endpoint()
        .create(request())
        .await
        .unwrap();
    assert_eq!(server.requests_for("dedicatedCreateEndpoint").len(), 4);
}

#[tokio::test]
async fn update_puts_camel_case_keys() {
    let server = MockServer::start();
    let client = client(&server);
    let update: friendli::types::DedicatedEndpointUpdateBody = body(json!({
        "name": "renamed",
        "newVersionComment": "v2",
        "autoscalingPolicy": {"minReplica": 0, "maxReplica": 3, "cooldownPeriod": 120},
    }));
    let spec = client
        .dedicated()
        .endpoint()
        .update("ep-1", update)
        .await
        .unwrap();
    let _ = spec.name;
    let sent = &server.requests_for("dedicatedUpdateEndpoint")[0];
    assert_eq!(sent.method, "PUT");
    assert_eq!(sent.path, "/dedicated/beta/endpoint/ep-1");
    let wire = sent.json().unwrap();
    assert_eq!(wire["name"], "renamed");
    assert_eq!(wire["newVersionComment"], "v2");
    assert_eq!(
        wire["autoscalingPolicy"],
        json!({"minReplica": 0, "maxReplica": 3, "cooldownPeriod": 120})
    );
}

#[tokio::test]
async fn delete_is_not_retried_after_a_502() {
    let server = MockServer::start();
    let client = client(&server);
    client.dedicated().endpoint().delete("ep-1").await.unwrap();
    let sent = &server.requests_for("dedicatedDeleteEndpoint")[0];
    assert_eq!(sent.method, "DELETE");
    assert_eq!(sent.path, "/dedicated/beta/endpoint/ep-1");
    assert!(sent.body.is_empty());

    server.push_for("dedicatedDeleteEndpoint", Scenario::fail(502));
    let error = client
        .dedicated()
        .endpoint()
        .delete("ep-1")
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(server.requests_for("dedicatedDeleteEndpoint").len(), 2);
    // Unless the caller allows it.
    server.push_for("dedicatedDeleteEndpoint", Scenario::fail(502));
    client
        .dedicated()
        .endpoint()
        .delete("ep-1")
        .retry_side_effects(true)
        .await
        .unwrap();
    assert_eq!(server.requests_for("dedicatedDeleteEndpoint").len(), 4);
}

#[tokio::test]
async fn sleep_wake_restart_and_terminate_put_without_a_body() {
    let server = MockServer::start();
    let client = client(&server);
    let endpoint = client.dedicated().endpoint();

    server.push_for("dedicatedSleepEndpoint", ok(status("STOPPING")));
    let slept = endpoint.sleep("ep-1").await.unwrap();
    assert_eq!(slept.summary(), "STOPPING");
    server.push_for("dedicatedWakeEndpoint", ok(status("AWAKING")));
    assert_eq!(endpoint.wake("ep-1").await.unwrap().summary(), "AWAKING");
    endpoint.restart("ep-1").await.unwrap();
    endpoint.terminate("ep-1").await.unwrap();

    for (operation, suffix) in [
        ("dedicatedSleepEndpoint", "sleep"),
        ("dedicatedWakeEndpoint", "wake"),
        ("dedicatedRestartEndpoint", "restart"),
        ("dedicatedTerminateEndpoint", "terminate"),
    ] {
        let sent = &server.requests_for(operation)[0];
        assert_eq!(sent.method, "PUT", "{operation}");
        assert_eq!(sent.path, format!("/dedicated/beta/endpoint/ep-1/{suffix}"));
        assert!(sent.body.is_empty(), "{operation}");
        assert_eq!(sent.header("content-type"), None, "{operation}");
    }

    // These PUTs are idempotent: a 502 is retried.
    server.push_for("dedicatedSleepEndpoint", Scenario::fail(502));
    endpoint.sleep("ep-1").await.unwrap();
    assert_eq!(server.requests_for("dedicatedSleepEndpoint").len(), 3);
}

#[tokio::test]
async fn version_history_sends_its_cursor_and_limit() {
    let server = MockServer::start();
    let client = client(&server);
    server.push_for(
        "dedicatedGetEndpointVersionHistory",
        ok(json!({
            "data": {"v1": {
                "name": "e", "gpuType": "H100", "numGpu": 1, "projectId": "p", "creatorId": "u",
                "teamId": "t", "autoscalingMin": 0, "autoscalingMax": 1, "autoscalingCooldown": 300,
                "maxBatchSize": 64, "tokenizerSkipSpecialTokens": true, "tokenizerAddSpecialTokens": false,
            }},
            "nextCursor": "next-page",
        })),
    );
    let history = client
        .dedicated()
        .endpoint()
        .get_version_history("ep-1")
        .cursor("b'cur'")
        .limit(10)
        .await
        .unwrap();
    assert_eq!(history.data["v1"].gpu_type, "H100");
    assert_eq!(history.next_cursor.as_deref(), Some("next-page"));
    let sent = &server.requests_for("dedicatedGetEndpointVersionHistory")[0];
    assert_eq!(sent.method, "GET");
    assert_eq!(
        sent.path.split('?').next(),
        Some("/dedicated/beta/endpoint/ep-1/version")
    );
    let query = sent.query();
    assert!(
        query.contains(&("cursor".to_owned(), "b'cur'".to_owned())),
        "{query:?}"
    );
    assert!(
        query.contains(&("limit".to_owned(), "10".to_owned())),
        "{query:?}"
    );
}

#[tokio::test]
async fn audio_transcription_uploads_the_file_and_streams_the_transcript() {
    let server = MockServer::start();
    let client = client(&server);
    let audio = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
    let request: friendli::types::DedicatedAudioTranscriptionBody =
        body(json!({"model": "ep-audio", "language": "en", "temperature": 0.0}));

    let result = client
        .dedicated()
        .audio()
        .transcribe(
            request.clone(),
            FilePart::bytes(audio.clone()).file_name("hello.wav"),
        )
        .await
        .unwrap();
    let _ = result.text;
    let sent = &server.requests_for("dedicatedAudioTranscriptions")[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/dedicated/v1/audio/transcriptions");
    let form = sent.form().expect("a multipart body");
    let part = |name: &str| form.iter().find(|p| p.name == name).unwrap();
    assert_eq!(part("file").data, audio);
    assert_eq!(part("file").filename.as_deref(), Some("hello.wav"));
    assert_eq!(part("file").content_type.as_deref(), Some("audio/wav"));
    assert_eq!(part("model").data, b"ep-audio");
    assert_eq!(part("language").data, b"en");
    assert_eq!(part("stream").data, b"false");

    server.push_for(
        "dedicatedAudioTranscriptionsStream",
        Scenario::transcript(concat!(
            "data: {\"type\":\"transcript.text.delta\",\"delta\":\"Hello \"}\n\n",
            "data: {\"type\":\"transcript.text.delta\",\"delta\":\"world\"}\n\n",
            "data: {\"type\":\"transcript.text.done\",\"text\":\"Hello world\"}\n\n",
            "data: [DONE]\n\n",
        )),
    );
    let mut text = client
        .dedicated()
        .audio()
        .stream(request, FilePart::bytes(audio).file_name("hello.wav"))
        .await
        .unwrap()
        .text_deltas();
    let mut transcript = String::new();
    while let Some(piece) = text.next().await {
        transcript.push_str(&piece.unwrap());
    }
    assert_eq!(transcript, "Hello world");
    let sent = &server.requests_for("dedicatedAudioTranscriptionsStream")[0];
    assert_eq!(sent.header("accept"), Some("text/event-stream"));
    let form = sent.form().unwrap();
    assert_eq!(
        form.iter().find(|p| p.name == "stream").unwrap().data,
        b"true"
    );
}

#[tokio::test]
async fn image_generation_and_editing_post_their_bodies() {
    let server = MockServer::start();
    let client = client(&server);
    let generate: friendli::types::DedicatedImageGenerationBody = body(json!({
        "model": "ep-image", "prompt": "a red bicycle", "num_inference_steps": 10,
        "seed": 7, "response_format": "url",
    }));
    let images = client.dedicated().image().generate(generate).await.unwrap();
    let _ = images.data;
    let sent = &server.requests_for("dedicatedImagesGenerate")[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/dedicated/v1/images/generations");
    let wire = sent.json().unwrap();
    assert_eq!(wire["prompt"], "a red bicycle");
    assert_eq!(wire["num_inference_steps"], 10);
    assert_eq!(wire["response_format"], "url");

    let edit: friendli::types::DedicatedImageEditBody = body(json!({
        "model": "ep-image", "prompt": "make it blue", "num_inference_steps": 20,
        "image": [{"image": "https://example.com/bicycle.png"}],
    }));
    client.dedicated().image().edit(edit).await.unwrap();
    let sent = &server.requests_for("dedicatedImagesEdit")[0];
    assert_eq!(sent.path, "/dedicated/v1/images/edits");
    assert_eq!(
        sent.json().unwrap()["image"],
        json!([{"image": "https://example.com/bicycle.png"}])
    );
}

#[tokio::test]
async fn text_classification_posts_to_the_classify_path() {
    let server = MockServer::start();
    let client = client(&server);
    let request: friendli::types::DedicatedTextClassificationBody =
        body(json!({"model": "ep-classifier", "input": ["great", "awful"]}));
    let result = client
        .dedicated()
        .classification()
        .classify(request)
        .await
        .unwrap();
    let _ = result.usage;
    let sent = &server.requests_for("dedicatedTextClassification")[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/dedicated/classify");
    assert_eq!(
        sent.json().unwrap(),
        json!({"model": "ep-classifier", "input": ["great", "awful"]})
    );
}

#[tokio::test]
async fn cost_and_usage_send_their_time_range_as_query_parameters() {
    let server = MockServer::start();
    let client = client(&server);
    let start: friendli::types::DateTime = body(json!("2026-11-01T00:00:00Z"));
    let end: friendli::types::DateTime = body(json!("2026-11-08T00:00:00Z"));

    let cost = client.cost().get_cost(start, end).limit(7).await.unwrap();
    let _ = cost.has_more;
    let sent = &server.requests_for("getCost")[0];
    assert_eq!(sent.method, "GET");
    assert_eq!(sent.path.split('?').next(), Some("/v1/team/cost"));
    let query = sent.query();
    let value = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name} in {query:?}"))
    };
    assert!(value("start_time").starts_with("2026-11-01T00:00:00"));
    assert!(value("end_time").starts_with("2026-11-08T00:00:00"));
    assert_eq!(value("limit"), "7");

    let usage = client
        .usage()
        .get_usage(start, end)
        .models(["model-a".to_owned(), "model-b".to_owned()])
        .await
        .unwrap();
    let _ = usage.data;
    let sent = &server.requests_for("getUsage")[0];
    assert_eq!(sent.path.split('?').next(), Some("/v1/team/usage"));
    let models: Vec<_> = sent
        .query()
        .into_iter()
        .filter(|(name, _)| name == "models")
        .map(|(_, value)| value)
        .collect();
    assert_eq!(models, ["model-a", "model-b"]);
}
