//! Files in one call and dataset samples, against the mock playing both the API and the storage
//! server its presigned URLs point at: the bytes that reach storage, progress, no credentials
//! sent to the foreign host, storage errors, retries of the presigned POST, and samples made from
//! chat messages that come back as they were sent.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use friendli::datasets::{Sample, SamplesExt, to_jsonl};
use friendli::files::{Progress, Stage};
use friendli::operation::FilePart;
use friendli::prelude::*;
use friendli::types::{AccountFileStatus, AccountFileStatusKnown, CreateDatasetRequest};
use friendli_mock::multipart::{Part, encode};
use friendli_mock::{MockServer, STORAGE_UPLOAD, Scenario};
use friendli_tests::{TOKEN, builder, client};
use serde_json::json;

/// A file of `len` bytes that are not all alike, in a directory of its own.
fn temp_file(name: &str, len: usize) -> (PathBuf, Vec<u8>) {
    let dir = std::env::temp_dir().join(format!("friendli-files-{}-{}", std::process::id(), name));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let mut state = 0x9E37_79B9_u32;
    let content: Vec<u8> = (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    std::fs::write(&path, &content).unwrap();
    (path, content)
}

/// A progress callback that keeps every report.
fn recorder() -> (
    Arc<Mutex<Vec<Progress>>>,
    impl Fn(Progress) + Send + Sync + 'static,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    (seen, move |p: Progress| sink.lock().unwrap().push(p))
}

fn of_stage(reports: &[Progress], stage: Stage) -> Vec<u64> {
    reports
        .iter()
        .filter(|p| p.stage == stage)
        .map(|p| p.done)
        .collect()
}

/// A plain HTTP/1.1 exchange with the mock, without the SDK (for the storage routes): the status
/// and the body of the answer.
fn http(method: &str, url: &str, content_type: Option<&str>, body: &[u8]) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest.split_at(rest.find('/').expect("a path"));
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(content_type) = content_type {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status = String::from_utf8_lossy(&answer[9..12]).parse().unwrap();
    (status, answer[end + 4..].to_vec())
}

fn operations_of(server: &MockServer) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .map(|r| r.operation_id.unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn a_file_larger_than_a_read_reaches_storage_whole_with_progress_to_the_total() {
    let server = MockServer::start();
    let client = client(&server);
    // Several MiB: many reads of 64 KiB, and more than one read of the hashing.
    let (path, content) = temp_file("weights.bin", 5 * 1024 * 1024 + 12_345);
    let (seen, on_progress) = recorder();

    let info = client
        .file()
        .upload(&path, "project-1")
        .on_progress(on_progress)
        .await
        .unwrap();

    assert_eq!(
        info.status,
        AccountFileStatus::from(AccountFileStatusKnown::Uploaded)
    );
    assert_eq!(info.status.wire_name(), "UPLOADED");
    assert_eq!(info.size, content.len() as i64);
    assert_eq!(info.name, "weights.bin");
    assert_eq!(info.project_id, "project-1");
    assert_eq!(info.digest, friendli::files::digest(&content));
    assert_eq!(
        operations_of(&server),
        ["init_upload", STORAGE_UPLOAD, "complete_upload", "get_info"]
    );
    // The storage server received exactly the file, under the issued key and fields.
    let stored = server
        .stored_file(&info.id)
        .expect("the content was stored");
    assert_eq!(stored.data.len(), content.len());
    assert!(stored.data == content, "the stored bytes differ");
    assert_eq!(stored.filename.as_deref(), Some("weights.bin"));
    assert_eq!(
        stored.content_type.as_deref(),
        Some("application/octet-stream")
    );
    let init = &server.requests_for("init_upload")[0];
    assert_eq!(
        init.json().unwrap(),
        json!({"name": "weights.bin", "size": content.len(), "digest": info.digest, "projectId": "project-1"})
    );
    let post = &server.requests_for(STORAGE_UPLOAD)[0];
    assert_eq!(
        post.header("content-length")
            .map(|l| l.parse::<usize>().unwrap()),
        Some(post.body.len())
    );

    // Progress: hashing, then sending, each from 0 up to the total without going back.
    let reports = seen.lock().unwrap().clone();
    let total = content.len() as u64;
    assert!(reports.iter().all(|p| p.total == total));
    let stages: Vec<Stage> = reports.iter().map(|p| p.stage).collect();
    let first_send = stages.iter().position(|s| *s == Stage::Sending).unwrap();
    assert!(stages[..first_send].iter().all(|s| *s == Stage::Hashing));
    assert!(stages[first_send..].iter().all(|s| *s == Stage::Sending));
    for stage in [Stage::Hashing, Stage::Sending] {
        let done = of_stage(&reports, stage);
        assert_eq!(done.first(), Some(&0), "{stage:?}");
        assert_eq!(done.last(), Some(&total), "{stage:?}");
        assert!(done.windows(2).all(|w| w[0] <= w[1]), "{stage:?}: {done:?}");
    }
    // The bytes went out piece by piece, not all at once.
    assert!(of_stage(&reports, Stage::Sending).len() > 50);

    // The other file operations see the upload; the download URL gives the bytes back.
    let info_again = client.file().get_info(&info.id).await.unwrap();
    assert_eq!(*info_again, *info);
    let link = client.file().get_download_url(&info.id).await.unwrap();
    assert_eq!(link.file_id, info.id);
    let (status, downloaded) = http("GET", &link.download_url, None, b"");
    assert_eq!(status, 200);
    assert!(downloaded == content, "the download differs");
}

#[tokio::test]
async fn storage_gets_neither_the_token_nor_the_team_nor_configured_headers() {
    let server = MockServer::start();
    let client = builder(&server)
        .team("team-7")
        .header("x-gateway-key", "secret-gateway")
        .build()
        .unwrap();
    let (path, _) = temp_file("notes.jsonl", 1000);
    let info = client
        .file()
        .upload(&path, "project-1")
        .team("team-8")
        .await
        .unwrap();
    assert_eq!(info.name, "notes.jsonl");

    let post = &server.requests_for(STORAGE_UPLOAD)[0];
    assert_eq!(post.header("authorization"), None);
    assert_eq!(post.header("x-friendli-team"), None);
    assert_eq!(post.header("x-gateway-key"), None);
    assert!(
        !String::from_utf8_lossy(&post.body).contains(TOKEN),
        "the token is not in the form either"
    );
    assert!(
        post.header("user-agent")
            .unwrap()
            .starts_with("friendli-rust/")
    );
    let form = post.form().unwrap();
    assert_eq!(
        form.last().map(|p| p.name.as_str()),
        Some("file"),
        "the file is the last part"
    );
    assert_eq!(
        form.last().unwrap().content_type.as_deref(),
        Some("application/jsonl")
    );
    // The API calls carry them all, with the upload's team.
    for id in ["init_upload", "complete_upload", "get_info"] {
        let sent = &server.requests_for(id)[0];
        assert_eq!(
            sent.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str()),
            "{id}"
        );
        assert_eq!(sent.header("x-friendli-team"), Some("team-8"), "{id}");
        assert_eq!(sent.header("x-gateway-key"), Some("secret-gateway"), "{id}");
    }
}

#[tokio::test]
async fn a_storage_error_is_an_api_error_with_the_storage_status_and_body() {
    let server = MockServer::start();
    let client = client(&server);
    let (path, _) = temp_file("denied.bin", 200_000);
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>";
    server.push_for(STORAGE_UPLOAD, Scenario::raw(403, "application/xml", xml));
    let error = client.file().upload(&path, "project-1").await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(403), "{error:?}");
    let api = error.api_error().unwrap();
    assert_eq!(api.raw_body, xml.as_bytes());
    assert!(error.to_string().contains("AccessDenied"), "{error}");
    assert_eq!(
        operations_of(&server),
        ["init_upload", STORAGE_UPLOAD],
        "a 403 is not retried, and the upload is not completed"
    );

    // The mock's own storage checks answer like S3: a changed form field is refused.
    let started = client
        .file()
        .init_upload(
            friendli::types::FileInitUploadRequest::builder()
                .name("x.bin")
                .size(3)
                .digest(friendli::files::digest(b"abc"))
                .project_id("project-1"),
        )
        .await
        .unwrap();
    let mut fields = started.aws.clone().unwrap();
    fields.insert("x-amz-signature".into(), json!("forged"));
    let mut parts: Vec<Part> = fields
        .iter()
        .map(|(name, value)| Part::text(name, value.as_str().unwrap()))
        .collect();
    parts.push(Part::file(
        "file",
        "x.bin",
        "application/octet-stream",
        b"abc".to_vec(),
    ));
    let (content_type, body) = encode(&parts);
    let url = started.upload_url.clone().unwrap();
    let (status, answer) = http("POST", &url, Some(&content_type), &body);
    assert_eq!(status, 403);
    assert!(String::from_utf8_lossy(&answer).contains("AccessDenied"));
    // Nothing arrived, so the upload cannot be completed.
    let error = client
        .file()
        .complete_upload(&started.file_id)
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400), "{error}");
}

#[tokio::test]
async fn the_presigned_post_is_retried_as_the_rules_say() {
    let server = MockServer::start();
    let client = client(&server);
    let (path, content) = temp_file("retry.bin", 300_000);

    // 503 (SlowDown): the storage server did not act; retried, the file sent again whole.
    server.push_for(
        STORAGE_UPLOAD,
        Scenario::raw(
            503,
            "application/xml",
            "<Error><Code>SlowDown</Code></Error>",
        ),
    );
    let (seen, on_progress) = recorder();
    let info = client
        .file()
        .upload(&path, "p1")
        .on_progress(on_progress)
        .await
        .unwrap();
    assert_eq!(server.requests_for(STORAGE_UPLOAD).len(), 2);
    assert!(server.stored_file(&info.id).unwrap().data == content);
    let sends = of_stage(&seen.lock().unwrap(), Stage::Sending);
    assert_eq!(
        sends.iter().filter(|d| **d == 0).count(),
        2,
        "progress restarts for the second attempt: {sends:?}"
    );
    assert_eq!(sends.last(), Some(&(content.len() as u64)));

    // 500 after the whole body: the object may be stored; not retried by default…
    server.push_for(STORAGE_UPLOAD, Scenario::fail(500));
    let error = client.file().upload(&path, "p2").await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(server.requests_for(STORAGE_UPLOAD).len(), 3);

    // …unless the upload allows it (sending the same bytes to the same key is harmless).
    server.push_for(STORAGE_UPLOAD, Scenario::fail(500));
    client
        .file()
        .upload(&path, "p3")
        .retry_side_effects(true)
        .await
        .unwrap();
    assert_eq!(server.requests_for(STORAGE_UPLOAD).len(), 5);

    // The content is now stored for the project: no presigned URL, nothing sent again.
    let before = server.requests_for(STORAGE_UPLOAD).len();
    let (seen, on_progress) = recorder();
    let again = client
        .file()
        .upload(&path, "p3")
        .name("copy.bin")
        .on_progress(on_progress)
        .await
        .unwrap();
    assert_eq!(server.requests_for(STORAGE_UPLOAD).len(), before);
    assert_eq!(again.name, "copy.bin");
    assert_eq!(
        again.status,
        AccountFileStatus::from(AccountFileStatusKnown::Uploaded)
    );
    assert_eq!(
        of_stage(&seen.lock().unwrap(), Stage::Sending),
        [content.len() as u64]
    );
}

#[tokio::test]
async fn what_cannot_be_uploaded_fails_before_anything_is_sent() {
    let server = MockServer::start();
    let client = client(&server);
    let missing = client
        .file()
        .upload("/nonexistent/friendli/data.bin", "p")
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::InvalidRequest(_)), "{missing:?}");
    assert!(missing.to_string().contains("data.bin"), "{missing}");
    let directory = client
        .file()
        .upload(std::env::temp_dir(), "p")
        .await
        .unwrap_err();
    assert!(
        matches!(directory, Error::InvalidRequest(_)),
        "{directory:?}"
    );
    assert_eq!(server.request_count(), 0);

    // A digest given by the caller is sent as is (and the service checks it).
    let (path, _) = temp_file("given.bin", 10);
    let error = client
        .file()
        .upload(&path, "p")
        .digest(friendli::files::digest(b"something else"))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400), "{error}");
    assert!(error.to_string().contains("digest"), "{error}");
}

#[tokio::test]
async fn an_upload_that_gets_no_answer_times_out_without_a_retry() {
    let server = MockServer::start();
    let client = builder(&server)
        .read_timeout(std::time::Duration::from_millis(300))
        .build()
        .unwrap();
    let (path, _) = temp_file("slow.bin", 100_000);
    // The whole body went out, then nothing for longer than the read timeout: the storage server
    // may have kept the object, so the attempt is not repeated by default.
    server.push_for(
        STORAGE_UPLOAD,
        Scenario::assistant().delay_headers(std::time::Duration::from_secs(2)),
    );
    let error = client.file().upload(&path, "p").await.unwrap_err();
    assert!(
        matches!(&error, Error::Timeout(t) if t.kind == friendli::error::TimeoutKind::Read),
        "{error:?}"
    );
    assert_eq!(server.requests_for(STORAGE_UPLOAD).len(), 1);
    assert!(server.requests_for("complete_upload").is_empty());

    // The deadline of the whole upload.
    server.push_for(
        STORAGE_UPLOAD,
        Scenario::assistant().delay_headers(std::time::Duration::from_secs(2)),
    );
    let error = client
        .file()
        .upload(&path, "p")
        .timeout(std::time::Duration::from_millis(150))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Timeout(t) if t.kind == friendli::error::TimeoutKind::Deadline),
        "{error:?}"
    );
}

#[test]
fn the_blocking_client_uploads_too() {
    let server = MockServer::start();
    let client = friendli::blocking::Client::new(client(&server)).unwrap();
    let (path, content) = temp_file("blocking.txt", 70_000);
    let (seen, on_progress) = recorder();
    let info = client
        .file()
        .upload(&path, "p")
        .on_progress(on_progress)
        .send()
        .unwrap();
    assert_eq!(info.size, content.len() as i64);
    assert!(server.stored_file(&info.id).unwrap().data == content);
    assert_eq!(
        of_stage(&seen.lock().unwrap(), Stage::Sending).last(),
        Some(&(content.len() as u64))
    );
}

fn conversations() -> Vec<Vec<Message>> {
    vec![
        vec![
            Message::system("You answer with a number."),
            Message::user("What is 3 + 6?"),
            Message::assistant("9"),
        ],
        vec![
            Message::user("Say hi in Korean."),
            Message::assistant("안녕하세요"),
        ],
    ]
}

#[tokio::test]
async fn dataset_samples_made_from_messages_round_trip() {
    let server = MockServer::start();
    let client = client(&server);
    let request: CreateDatasetRequest = serde_json::from_value(json!({
        "name": "chats", "projectId": "p",
        "modality": {"input_modals": ["TEXT"], "output_modals": ["TEXT"]}
    }))
    .unwrap();
    let dataset = client.dataset().create_dataset(request).await.unwrap();
    assert_eq!(dataset.name, "chats");
    let split = client
        .dataset()
        .create_split(&dataset.id, "train")
        .await
        .unwrap();

    // Added from chat messages: the wire form is one JSON text per conversation.
    let added = client
        .dataset()
        .add_conversations(&dataset.id, &split.id, conversations())
        .await
        .unwrap();
    let sent = server.requests_for("add_samples")[0].json().unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(sent[1].as_str().unwrap()).unwrap(),
        json!({"messages": [
            {"role": "user", "content": "Say hi in Korean."},
            {"role": "assistant", "content": "안녕하세요"},
        ]})
    );
    let added = added.decode_samples().unwrap();
    assert_eq!(added.len(), 2);
    assert!(added[0].id.starts_with(&format!("{}:", dataset.id)));
    assert_eq!(added[0].sample, Sample::new(conversations()[0].clone()));

    // A JSON Lines file of samples, streamed from disk.
    let more: Vec<Sample> = (0..3)
        .map(|i| {
            Sample::new([
                Message::user(format!("Count to {i}.")),
                Message::assistant((0..=i).map(|n| n.to_string()).collect::<Vec<_>>().join(" ")),
            ])
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("friendli-samples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("more.jsonl");
    std::fs::write(&file, to_jsonl(&more).unwrap()).unwrap();
    let uploaded = client
        .dataset()
        .upload_samples_file(&dataset.id, &split.id, FilePart::path(&file))
        .await
        .unwrap();
    assert_eq!(uploaded.decode_samples().unwrap().len(), 3);
    let form = server.requests_for("upload_raw_samples")[0].form().unwrap();
    assert_eq!(form[0].content_type.as_deref(), Some("application/jsonl"));

    // Listed page by page, every sample comes back as it was sent.
    let mut listed = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let call = client
            .dataset()
            .list_samples(&dataset.id, &split.id)
            .limit(2);
        let page = match &cursor {
            Some(cursor) => call.cursor(cursor.clone()),
            None => call,
        }
        .await
        .unwrap();
        listed.extend(page.decode_samples().unwrap());
        match page.into_inner().next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let expected: Vec<Sample> = conversations()
        .into_iter()
        .map(Sample::from)
        .chain(more.iter().cloned())
        .collect();
    let samples: Vec<Sample> = listed.iter().map(|s| s.sample.clone()).collect();
    assert_eq!(samples, expected);

    // Deleted by the sample's own ID.
    let removed = client
        .dataset()
        .delete_samples(
            &dataset.id,
            &split.id,
            friendli::types::DeleteSamplesBody::from(vec![
                friendli::types::DeleteSamplesBodyItem::String(listed[0].sample_id().to_owned()),
            ]),
        )
        .await
        .unwrap();
    assert_eq!(removed.sample_ids, [listed[0].id.clone()]);
    assert_eq!(server.samples(&dataset.id, &split.id).len(), 4);

    // A text that is not a sample is refused by the service, and reported as a decode error
    // when an answer holds one.
    let error = client
        .dataset()
        .add_samples(&dataset.id, &split.id, vec!["not json".to_owned()])
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(422), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}
