//! Hostile inputs, round 2 (issue 22): what cannot be sent correctly is refused before sending,
//! and never retried; what was sent is what the caller meant, or the call fails; the loops a
//! server drives stay bounded; secrets go only where the caller sent them; server hints are read
//! as the RFC says. One test per defect (D1–D10), each counting the requests that reached the
//! mock. D3 (memory of a long page walk) lives in `hostile_memory.rs`, which measures its resident memory.
//!
//! The same classes, looked for elsewhere (the sweep the issue asked for):
//! - Path parameters: every operation's path is checked in one place, `transport.rs`
//!   (`check_path` on the expanded path against the document's template), so all 84 operations
//!   refuse an empty, `.` or `..` segment. The low-level progenitor clients do not check (said on
//!   `Client::low_level`).
//! - Files read: the upload (`file_size` before hashing, `digest_file` too) and every multipart
//!   file part (transcription, dataset samples; `open_regular`) take regular files only, and a
//!   part streamed from disk is checked against the size and time it had when it was opened.
//! - Headers from user input: the client's, a call's and the part headers go through one
//!   `header_pair` (names and values refused with control characters) and the multipart
//!   encoder (part names and file names percent-encoded, content types refused).
//! - Loops the server drives: page walks (a bounded digest per cursor, D3), the tool loop
//!   (`max_turns`, 8 by default), `wait_until_running` (its deadline), retries (the policy's
//!   attempts and elapsed time; a `Retry-After` beyond the budget ends them), an event
//!   (`max_event_size`) and a whole answer (`max_response_size`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use friendli::files::{Progress, Stage};
use friendli::operation::FilePart;
use friendli::prelude::*;
use friendli::tools::Tools;
use friendli::{Error, RetryConfig};
use friendli_mock::{MockServer, STORAGE_UPLOAD, Scenario};
use friendli_tests::{TOKEN, client, fast_retries};
use futures::TryStreamExt;
use serde_json::{Value, json};

fn body<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a valid body")
}

fn transcription() -> friendli::types::ServerlessAudioTranscriptionBody {
    body(json!({"model": "mock-model"}))
}

/// A directory of files for one test, removed when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "friendli-hostile-inputs-{}-{test}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// A directory inside.
    fn dir(&self, name: &str) -> PathBuf {
        let dir = self.0.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A file of `len` bytes that are not all alike.
    fn file(&self, name: &str, len: usize) -> PathBuf {
        let path = self.0.join(name);
        let content: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, content).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn assert_invalid_request(error: &Error, mentions: &str) {
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert!(
        error.to_string().contains(mentions),
        "{mentions:?} in {error}"
    );
    assert_eq!(error.attempts(), 0, "{error}");
}

// D1 ------------------------------------------------------------------------------------------

#[tokio::test]
async fn d1_path_parameters_that_would_leave_their_segment_are_refused_before_sending() {
    let server = MockServer::start();
    let client = client(&server);
    for id in ["", ".", ".."] {
        // `delete_split("ds-1", "..")` would be `DELETE /beta/dataset/ds-1`, the whole dataset.
        let error = client
            .dataset()
            .delete_split("ds-1", id)
            .retries(fast_retries().max_attempts(3))
            .await
            .unwrap_err();
        assert_invalid_request(&error, "split_id");
        let error = client.dataset().delete_split(id, "sp-1").await.unwrap_err();
        assert_invalid_request(&error, "dataset_id");
        let error = client.dedicated().endpoint().delete(id).await.unwrap_err();
        assert_invalid_request(&error, "endpoint_id");
        let error = client.file().get_info(id).await.unwrap_err();
        assert_invalid_request(&error, "file_id");
    }
    assert_eq!(server.request_count(), 0, "nothing was sent");

    // Dots inside a value, or more than two, stay in their segment and are sent as given.
    for id in ["...", ".a", "a..b", "a/.."] {
        let _ = client.file().get_info(id).await;
    }
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/beta/file/...",
            "/beta/file/.a",
            "/beta/file/a..b",
            "/beta/file/a%2F.."
        ]
    );
}

// D2 ------------------------------------------------------------------------------------------

#[tokio::test]
async fn d2_a_url_the_transport_cannot_build_is_refused_once_with_a_short_error() {
    let server = MockServer::start();
    let client = client(&server);
    let huge = "x".repeat(70_000);
    let error = client
        .file()
        .get_info(huge.clone())
        .retries(fast_retries().max_attempts(5))
        .await
        .unwrap_err();
    assert_invalid_request(&error, "URL");
    assert!(error.to_string().len() < 512, "{}", error.to_string().len());
    assert!(
        !error.to_string().contains(&huge[..100]),
        "the URL is not repeated"
    );

    // The same through a query parameter (a cursor), with the default policy.
    let error = client
        .dataset()
        .list_datasets("project-1")
        .cursor(huge)
        .await
        .unwrap_err();
    assert_invalid_request(&error, "URL");
    assert_eq!(server.request_count(), 0);
}

// D4 ------------------------------------------------------------------------------------------

#[tokio::test]
async fn d4_a_page_without_its_required_data_is_a_decode_error_naming_the_field() {
    let server = MockServer::start();
    let client = client(&server);
    let pages = [
        json!({"nextCursor": null}),
        json!({"data": null, "nextCursor": null}),
        json!({"data": {}, "nextCursor": null}),
        json!({}),
        json!([]),
    ];
    for page in pages {
        server.push_for("list_datasets", Scenario::json(200, page.clone()));
        let error = client
            .dataset()
            .list_datasets("project-1")
            .items()
            .next()
            .await
            .expect("an item or an error")
            .unwrap_err();
        assert!(matches!(error, Error::Decode(_)), "{page}: {error:?}");
        assert!(error.to_string().contains("`data`"), "{page}: {error}");
    }
    // An empty list is an empty list.
    server.push_for(
        "list_datasets",
        Scenario::json(200, json!({"data": [], "nextCursor": null})),
    );
    let items: Vec<_> = client
        .dataset()
        .list_datasets("project-1")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert!(items.is_empty());

    // The endpoint list's `data` is optional (default `{}`): a page without it (or with `null`,
    // which every answer reads as absent) is empty; one with an array is not a page.
    for page in [json!({"nextCursor": null}), json!({"data": null})] {
        server.push_for("dedicatedListEndpoints", Scenario::json(200, page));
        let items: Vec<_> = client
            .dedicated()
            .endpoint()
            .list()
            .items()
            .try_collect()
            .await
            .unwrap();
        assert!(items.is_empty());
    }
    for page in [json!({"data": []}), json!([])] {
        server.push_for("dedicatedListEndpoints", Scenario::json(200, page.clone()));
        let error = client
            .dedicated()
            .endpoint()
            .list()
            .items()
            .next()
            .await
            .expect("an error")
            .unwrap_err();
        assert!(matches!(error, Error::Decode(_)), "{page}: {error:?}");
        assert!(error.to_string().contains("`data`"), "{page}: {error}");
    }
}

// D5 ------------------------------------------------------------------------------------------

/// Uploads `path`, running `change` once on the file after the first piece went out: the error,
/// and how many times the send to storage started.
async fn upload_changing(
    server: &MockServer,
    path: &Path,
    change: impl Fn(&Path) + Send + Sync + 'static,
) -> (Error, usize) {
    let client = client(server);
    let done = Arc::new(AtomicBool::new(false));
    let starts = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&starts);
    let file = path.to_owned();
    let error = client
        .file()
        .upload(path, "project-1")
        .on_progress(move |p: Progress| {
            if p.stage == Stage::Sending && p.done == 0 {
                counter.fetch_add(1, Ordering::SeqCst);
            }
            if p.stage == Stage::Sending && p.done > 0 && !done.swap(true, Ordering::SeqCst) {
                change(&file);
            }
        })
        .await
        .expect_err("a file that changed while it was sent is not uploaded");
    (error, starts.load(Ordering::SeqCst))
}

#[tokio::test]
async fn d5_a_file_that_grows_or_changes_during_the_upload_fails_it() {
    use std::io::{Seek, SeekFrom, Write};
    let server = MockServer::start();
    let scratch = Scratch::new("d5");
    // Grows by a whole read, so that the body reaches its announced length exactly.
    let path = scratch.file("grows.bin", 256 * 1024);
    let (error, sends) = upload_changing(&server, &path, |path| {
        let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
        file.write_all(&[7u8; 64 * 1024]).unwrap();
    })
    .await;
    assert_invalid_request(&error, "changed");
    assert!(error.to_string().contains("grows.bin"), "{error}");
    assert_eq!(sends, 1, "not retried");

    // Same size, other content.
    let path = scratch.file("rewritten.bin", 256 * 1024);
    let (error, sends) = upload_changing(&server, &path, |path| {
        let mut file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
        file.seek(SeekFrom::Start(200 * 1024)).unwrap();
        file.write_all(b"not what was hashed").unwrap();
    })
    .await;
    assert_invalid_request(&error, "changed");
    assert_eq!(sends, 1, "not retried");

    // Shrinks.
    let path = scratch.file("shrinks.bin", 256 * 1024);
    let (error, sends) = upload_changing(&server, &path, |path| {
        let file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
        file.set_len(100 * 1024).unwrap();
    })
    .await;
    assert_invalid_request(&error, "changed");
    assert_eq!(sends, 1, "not retried");

    // Nothing was completed, and no storage request came whole.
    assert_eq!(server.requests_for("init_upload").len(), 3);
    assert!(server.requests_for("complete_upload").is_empty());
    for request in server.requests_for(STORAGE_UPLOAD) {
        assert!(
            !request.body.ends_with(b"--\r\n"),
            "a whole form reached storage"
        );
    }
}

// D6 ------------------------------------------------------------------------------------------

#[tokio::test]
async fn d6_a_line_break_in_a_part_content_type_is_refused_before_sending() {
    let server = MockServer::start();
    let client = client(&server);
    let scratch = Scratch::new("d6");
    for content_type in [
        "audio/wav\r\nX-Injected: 1",
        "audio/wav\nX-Injected: 1",
        "audio/wav\r",
        "audio/wav\0",
    ] {
        let error = client
            .serverless()
            .audio()
            .transcribe(
                transcription(),
                FilePart::bytes(&b"RIFF"[..])
                    .file_name("a.wav")
                    .content_type(content_type),
            )
            .await
            .unwrap_err();
        assert_invalid_request(&error, "content type");
        // The upload refuses it before it registers anything.
        let path = scratch.file("injected.jsonl", 10);
        let error = client
            .file()
            .upload(&path, "project-1")
            .content_type(content_type)
            .await
            .unwrap_err();
        assert_invalid_request(&error, "content type");
    }
    assert_eq!(server.request_count(), 0);
}

// D7 ------------------------------------------------------------------------------------------

#[tokio::test]
async fn d7_what_is_not_a_regular_file_is_refused_before_sending() {
    let server = MockServer::start();
    let client = client(&server);
    let scratch = Scratch::new("d7");
    let mut not_files = vec![scratch.dir("a-directory")];
    if Path::new("/dev/zero").exists() {
        not_files.push(PathBuf::from("/dev/zero"));
    }
    #[cfg(unix)]
    {
        let fifo = scratch.dir("fifo").join("audio.fifo");
        let _ = std::fs::remove_file(&fifo);
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if made {
            // A writer, so that a reader that opens the FIFO is not stuck forever (a refused
            // FIFO is never opened; the thread then waits until the process ends).
            let writer = fifo.clone();
            std::thread::spawn(move || {
                use std::io::Write;
                if let Ok(mut file) = std::fs::OpenOptions::new().write(true).open(writer) {
                    let _ = file.write_all(b"RIFF");
                }
            });
            not_files.push(fifo);
        }
    }
    for path in &not_files {
        let error = client
            .serverless()
            .audio()
            .transcribe(transcription(), FilePart::path(path))
            .retries(fast_retries().max_attempts(3))
            .timeout(Duration::from_secs(30))
            .await
            .unwrap_err();
        assert_invalid_request(&error, "not a regular file");
        let error = client.file().upload(path, "project-1").await.unwrap_err();
        assert_invalid_request(&error, "not a regular file");
    }
    assert_eq!(server.request_count(), 0);
}

// D8 ------------------------------------------------------------------------------------------

#[tokio::test]
async fn d8_a_body_field_colliding_with_a_part_or_a_field_the_call_sets_is_refused() {
    let server = MockServer::start();
    let client = client(&server);
    let error = client
        .serverless()
        .audio()
        .transcribe(transcription(), FilePart::bytes(&b"RIFF"[..]))
        .body_field("file", "not a file")
        .await
        .unwrap_err();
    assert_invalid_request(&error, "`file`");

    // The upload sets the name, size, digest and project of init_upload from the file.
    let scratch = Scratch::new("d8");
    let path = scratch.file("fields.jsonl", 10);
    for field in ["name", "size", "digest", "projectId"] {
        let error = client
            .file()
            .upload(&path, "project-1")
            .body_field(field, "other")
            .await
            .unwrap_err();
        assert_invalid_request(&error, field);
    }

    // The tool loop keeps the conversation and the tool declarations itself.
    let tools = Tools::new();
    for field in ["messages", "tools"] {
        let error = client
            .serverless()
            .tool_assisted_chat()
            .run(friendli_tests::request("hi", vec![]), &tools)
            .body_field(field, json!([]))
            .await
            .unwrap_err();
        assert_invalid_request(&error, field);
    }
    assert_eq!(server.request_count(), 0);

    // A field that collides with nothing is still sent, and replaces a typed one.
    client
        .serverless()
        .audio()
        .transcribe(transcription(), FilePart::bytes(&b"RIFF"[..]))
        .body_field("model", "other-model")
        .body_field("x-new", 1)
        .await
        .unwrap();
    let form = server.requests()[0].form().unwrap();
    let names: Vec<&str> = form.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names.iter().filter(|n| **n == "file").count(),
        1,
        "{names:?}"
    );
    assert_eq!(
        names.iter().filter(|n| **n == "model").count(),
        1,
        "{names:?}"
    );
}

// D9 ------------------------------------------------------------------------------------------

async fn tokenize(client: &Client) -> Result<friendli::types::ContainerTokenizationSuccess, Error> {
    let request: friendli::types::ContainerTokenizationBody = body(json!({"prompt": "Hi"}));
    client
        .container()
        .token()
        .tokenize(request)
        .await
        .map(friendli::Response::into_inner)
}

#[tokio::test]
async fn d9_container_calls_carry_no_api_token_unless_given_a_container_token() {
    let api = MockServer::start();
    let container = MockServer::start();
    let client = friendli_tests::builder(&api)
        .container_url(container.url())
        .build()
        .unwrap();
    tokenize(&client).await.unwrap();
    let sent = &container.requests_for("containerTokenization")[0];
    assert_eq!(
        sent.header("authorization"),
        None,
        "the API token stays home"
    );

    // The API token still goes to the API.
    client
        .serverless()
        .token()
        .tokenize(body::<friendli::types::ServerlessTokenizationBody>(
            json!({"model": "m", "prompt": "Hi"}),
        ))
        .await
        .unwrap();
    let expected = format!("Bearer {TOKEN}");
    assert_eq!(
        api.requests()[0].header("authorization"),
        Some(expected.as_str())
    );

    // Nor does the low-level container client.
    let low = client.low_level();
    assert!(!format!("{low:?}").contains(TOKEN));

    // A container token goes to the container only.
    let client = friendli_tests::builder(&api)
        .container_url(container.url())
        .container_token("container-secret")
        .build()
        .unwrap();
    tokenize(&client).await.unwrap();
    let sent = &container.requests_for("containerTokenization")[1];
    assert_eq!(
        sent.header("authorization"),
        Some("Bearer container-secret")
    );
    assert!(!format!("{client:?}").contains("container-secret"));
    let before = api.request_count();
    client
        .serverless()
        .token()
        .tokenize(body::<friendli::types::ServerlessTokenizationBody>(
            json!({"model": "m", "prompt": "Hi"}),
        ))
        .await
        .unwrap();
    assert_eq!(
        api.requests()[before].header("authorization"),
        Some(expected.as_str()),
        "the API gets the API token"
    );
    // A container call sent elsewhere with `server_url` still carries the container's token.
    let other = MockServer::start();
    let request: friendli::types::ContainerTokenizationBody = body(json!({"prompt": "Hi"}));
    client
        .container()
        .token()
        .tokenize(request)
        .server_url(other.url())
        .await
        .unwrap();
    assert_eq!(
        other.requests()[0].header("authorization"),
        Some("Bearer container-secret")
    );
}

// D10 -----------------------------------------------------------------------------------------

#[tokio::test]
async fn d10_retry_after_values_the_rfc_does_not_allow_are_ignored() {
    let server = MockServer::start();
    let client = client(&server);
    for value in [
        "inf", "infinity", "1e400", "1e20", "-1", "-0", "NaN", "1.5abc", "0x10", "+5", "5 s",
    ] {
        let before = server.request_count();
        server.push(Scenario::fail(503).retry_after(value));
        let result = client
            .serverless()
            .tool_assisted_chat()
            .complete(friendli_tests::request("hi", vec![]))
            .retries(fast_retries().max_attempts(2))
            .await;
        assert!(result.is_ok(), "Retry-After: {value}: {:?}", result.err());
        assert_eq!(server.request_count() - before, 2, "{value}: retried once");
    }
    // The same for `retry-after-ms`, which only takes a non-negative number.
    for value in ["inf", "1e400", "-5", "12ms"] {
        server.push(Scenario::fail(503).retry_after_ms(value));
        let result = client
            .serverless()
            .tool_assisted_chat()
            .complete(friendli_tests::request("hi", vec![]))
            .retries(RetryConfig::default().initial_interval(Duration::from_millis(1)))
            .await;
        assert!(
            result.is_ok(),
            "retry-after-ms: {value}: {:?}",
            result.err()
        );
    }
}
