//! The promise of the project, end to end: a new operation in the API document reaches users with
//! no hand-written code. On a copy of the workspace, an overlay action adds an operation (a JSON
//! POST with a typed response); `cargo xtask import` and `cargo xtask generate` run; then a test
//! program calls it through `Client::call`, its generated namespace method and the blocking client,
//! against the mock server, which serves it from the document too. A second new operation streams
//! events whose schema is not a `{data}` envelope: it reaches users as a stream of raw events
//! (`friendli::events::RawEvent`).
//!
//! It builds a second copy of the workspace, so it takes minutes: `#[ignore]`d in the default test
//! run, and run by `.ci/run` (`cargo test -p xtask --test new_operation -- --ignored`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

use xtask::workspace;

/// The files of the workspace that git tracks, copied to `dir`.
fn copy_workspace(dir: &Path) {
    let root = workspace::root();
    let listed = Command::new("git")
        .arg("ls-files")
        .current_dir(&root)
        .output()
        .expect("git runs");
    assert!(listed.status.success(), "git ls-files failed");
    for file in String::from_utf8(listed.stdout).unwrap().lines() {
        let from = root.join(file);
        if !from.is_file() {
            continue;
        }
        let to = dir.join(file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
}

/// The tests of this file share one build directory (compiled dependencies are most of the
/// time), and so they must not build at once: each builds the same binaries (`xtask`, the
/// examples) from its own copy of the workspace, and one would run what the other had just
/// built, in the other's copy.
fn one_build_at_a_time() -> MutexGuard<'static, ()> {
    static BUILDS: Mutex<()> = Mutex::new(());
    BUILDS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn run(dir: &Path, target: &Path, args: &[&str]) {
    let output = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("FRIENDLI_TOKEN")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo {} failed:\n{}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A copy of the workspace (in a temporary directory named after `tag`) whose overlay ends with
/// `overlay_actions`, imported from the provider's document: the copy and the build directory,
/// or `None` when the provider's document is not beside the checkout.
fn imported_copy(tag: &str, overlay_actions: &str) -> Option<(PathBuf, PathBuf)> {
    let root = workspace::root();
    let provider = root.join("../shared/reference/upstream-openapi-2026-07-22.yaml");
    if !provider.exists() {
        eprintln!("SKIPPED: {} is not there", provider.display());
        return None;
    }
    let dir = std::env::temp_dir().join(format!("friendli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_workspace(&dir);
    // Shares compiled dependencies between runs, but never the workspace's own build lock.
    let target = root.join("target").join("new-operation-test");

    // The only edit: overlay actions.
    let overlay = dir.join(workspace::OVERLAY);
    let mut text = std::fs::read_to_string(&overlay).unwrap();
    text.push_str(overlay_actions);
    std::fs::write(&overlay, text).unwrap();

    let provider = provider.canonicalize().unwrap();
    let import = ["run", "-q", "-p", "xtask", "--", "import"];
    let mut args = import.to_vec();
    args.push(provider.to_str().unwrap());
    run(&dir, &target, &args);
    Some((dir, target))
}

const NEW_OPERATION: &str = r#"
  # --- Added by the new-operation test.
  - target: "$.paths"
    update:
      /serverless/v1/echo:
        post:
          operationId: serverlessEcho
          tags: [Serverless.Echo]
          x-speakeasy-name-override: echo
          security:
            - token: []
          parameters:
            - name: X-Friendli-Team
              in: header
              required: false
              schema:
                type: string
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/EchoBody'
          responses:
            '200':
              description: The echo.
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/EchoResult'
  - target: "$.paths"
    update:
      /serverless/v1/echo/stream:
        post:
          operationId: serverlessEchoStream
          tags: [Serverless.Echo]
          x-speakeasy-name-override: stream
          security:
            - token: []
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/EchoBody'
          responses:
            '200':
              description: The echoes, one event each (not in a `data` envelope).
              content:
                text/event-stream:
                  x-speakeasy-sse-sentinel: '[DONE]'
                  schema:
                    $ref: '#/components/schemas/EchoResult'
  - target: "$.components.schemas"
    update:
      EchoBody:
        type: object
        required: [text]
        properties:
          text:
            type: string
            description: What to echo.
      EchoResult:
        type: object
        required: [text, length]
        properties:
          text:
            type: string
          length:
            type: integer
"#;

const CALLER: &str = r#"
//! Calls the operations added by xtask's new-operation test.
use friendli::prelude::*;
use friendli::{RetryConfig, operations};
use friendli_mock::{MockServer, Scenario};
use serde_json::json;

#[tokio::test]
async fn a_stream_that_is_not_an_envelope_arrives_as_raw_events() {
    let server = MockServer::start();
    let client = friendli_tests::client(&server);
    let body = friendli::types::EchoBody::builder().text("hello");
    server.push_for(
        "serverlessEchoStream",
        Scenario::transcript(
            "event: echo\ndata: {\"text\":\"a\",\"length\":1}\n\ndata: not json\n\ndata: [DONE]\n\n",
        ),
    );
    let mut events = client.serverless().echo().stream(body).await.unwrap();
    let first: friendli::events::RawEvent = events.next().await.unwrap().unwrap();
    assert_eq!(first.event, "echo");
    assert_eq!(first.data, json!({"text": "a", "length": 1}));
    let second = events.next().await.unwrap().unwrap();
    assert_eq!(second.event, "message");
    assert_eq!(second.data, json!("not json"));
    assert!(events.next().await.is_none());
}

#[tokio::test]
async fn the_new_operation_is_callable_without_hand_written_code() {
    let server = MockServer::start();
    let client = friendli_tests::client(&server);
    let body = friendli::types::EchoBody::builder().text("hello");

    // Through the one call layer, with a retried failure.
    server.push_for("serverlessEcho", Scenario::fail(503));
    let answer = client.call(operations::ServerlessEcho, body.clone()).await.unwrap();
    let _typed: (String, i64) = (answer.text.clone(), answer.length);
    assert_eq!(server.requests_for("serverlessEcho").len(), 2);

    // Through its generated namespace method.
    server.push_for("serverlessEcho", Scenario::json(200, json!({"text": "hello", "length": 5})));
    let answer = client.serverless().echo().echo(body.clone()).await.unwrap();
    assert_eq!((answer.text.as_str(), answer.length), ("hello", 5));
    let sent = server.requests_for("serverlessEcho").pop().unwrap();
    assert_eq!(sent.json().unwrap(), json!({"text": "hello"}));

    // Through the blocking client.
    let server_url = server.url().to_owned();
    std::thread::spawn(move || {
        let client = friendli::Client::builder()
            .ignore_env()
            .token("t")
            .base_url(server_url)
            .retry(RetryConfig::none())
            .blocking()
            .build()
            .unwrap();
        let answer = client
            .serverless()
            .echo()
            .echo(friendli::types::EchoBody::builder().text("hi"))
            .send()
            .unwrap();
        let _typed: i64 = answer.length;
    })
    .join()
    .unwrap();
}
"#;

#[test]
#[ignore = "builds a copy of the workspace (minutes); run by .ci/run"]
fn a_new_operation_costs_no_hand_written_code() {
    let _build = one_build_at_a_time();
    let Some((dir, target)) = imported_copy("new-op", NEW_OPERATION) else {
        return;
    };
    run(
        &dir,
        &target,
        &["run", "-q", "-p", "xtask", "--", "generate"],
    );
    let document = std::fs::read_to_string(dir.join(workspace::SPEC)).unwrap();
    assert!(
        document.contains("serverlessEcho"),
        "the import kept the new operation"
    );
    let generated =
        std::fs::read_to_string(dir.join("friendli/src/generated/operations.rs")).unwrap();
    assert!(
        generated.contains("pub struct ServerlessEcho;"),
        "an operation type was generated"
    );
    assert!(
        generated.contains("crate::stream::Events<crate::events::RawEvent>"),
        "the stream that is not an envelope is a stream of raw events"
    );

    // A program that calls it (test code, not SDK code).
    std::fs::write(dir.join("tests/integration/tests/new_operation.rs"), CALLER).unwrap();
    run(
        &dir,
        &target,
        &[
            "test",
            "-q",
            "-p",
            "friendli-tests",
            "--test",
            "new_operation",
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

const WITHOUT_CHAT: &str = r#"
  # --- Added by the missing-operation test: the document loses chat completions.
  - target: "$.paths['/serverless/v1/chat/completions','/serverless/v1/chat/completions#stream']"
    remove: true
  - target: "$.paths['/dedicated/v1/chat/completions','/dedicated/v1/chat/completions#stream']"
    remove: true
  - target: "$.paths['/v1/chat/completions','/v1/chat/completions#stream']"
    remove: true
"#;

/// The other half of the promise: when the provider's document loses an operation that a
/// hand-written extra is built on, `generate` names what is left out and the SDK still compiles,
/// without the extra, in every feature set. Here the document loses chat completions (on all three
/// APIs), which the tool loop's `run()` on chat, the chat stream's events and `ChatRequest` use.
#[test]
#[ignore = "builds a copy of the workspace (minutes); run by .ci/run"]
fn a_document_without_chat_completions_still_compiles() {
    let _build = one_build_at_a_time();
    let Some((dir, target)) = imported_copy("no-chat", WITHOUT_CHAT) else {
        return;
    };
    let generated = Command::new(env!("CARGO"))
        .args(["run", "-q", "-p", "xtask", "--", "generate"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    assert!(generated.status.success(), "generate failed");
    let notes = String::from_utf8_lossy(&generated.stderr);
    assert!(
        notes.contains("capability `tool_loop_serverless_chat`")
            && notes.contains("`serverlessChatComplete`"),
        "generate names the extra it leaves out:\n{notes}"
    );
    let capabilities =
        std::fs::read_to_string(dir.join("friendli/src/generated/capabilities.txt")).unwrap();
    for line in [
        "chat_events no",
        "tool_loop_serverless_chat no",
        "ChatRequest no",
        "tool_assisted_chat yes",
    ] {
        assert!(capabilities.contains(line), "{line}:\n{capabilities}");
    }

    for features in [
        &[][..],
        &["--all-features"][..],
        &["--no-default-features", "--features", "dedicated,rustls"][..],
    ] {
        let mut args = vec!["check", "-q", "-p", "friendli"];
        args.extend_from_slice(features);
        run(&dir, &target, &args);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
