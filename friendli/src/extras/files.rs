//! Files in one call: `client.file().upload(path, project_id)` registers a file, sends its bytes
//! to the storage server the API names, completes the upload and returns the file's
//! [`FileInfo`] (feature `platform`).
//!
//! ```no_run
//! # async fn example(client: friendli::Client) -> friendli::Result<()> {
//! use friendli::files::Progress;
//!
//! let info = client
//!     .file()
//!     .upload("train.jsonl", "my-project-id")
//!     .on_progress(|p: Progress| eprint!("\r{:?} {}/{} bytes", p.stage, p.done, p.total))
//!     .await?;
//! println!("\n{} is {:?}", info.id, info.status);
//! # Ok(()) }
//! ```
//!
//! # What happens
//!
//! 1. The file is read once to compute its digest (`sha256:<hex>`), unless
//!    [`Upload::digest`] gives it.
//! 2. `init_upload` registers the name, size, digest and project. The answer holds the file's ID
//!    and, when the service does not have the content yet, a presigned `uploadUrl` with form
//!    fields (`aws`).
//! 3. The bytes go to `uploadUrl` as a `multipart/form-data` POST: the form fields exactly as
//!    given, then the file as the part `file`, streamed from disk (never read whole into memory)
//!    with a `Content-Length`. When the answer has no `uploadUrl` (the service already stores
//!    this content), nothing is sent.
//! 4. `complete_upload`, then `get_info`, whose answer is the result.
//!
//! The other file operations stay available as they were: `client.file().get_info(id)`,
//! `client.file().get_download_url(id)`, and the three steps one by one.
//!
//! The API has no operation that lists files: keep the [`FileInfo::id`] of every file you
//! upload (or find it where you used it, in a dataset, for instance).
//!
//! # The storage server is another host
//!
//! The presigned POST carries its own credentials (the form fields). It is sent with the
//! client's connection pool and TLS settings but **without** the API token, the team header or
//! the headers set with [`ClientBuilder::header`](crate::core::client::ClientBuilder::header): only
//! `user-agent`, `content-type` and `content-length` (headers that a `reqwest::Client` given to
//! [`ClientBuilder::http_client`](crate::core::client::ClientBuilder::http_client) adds to every request are
//! out of this crate's hands). Redirects are not followed. An error answer of the storage server
//! is an [`Error::Api`] with its status and body (S3 answers XML, kept in
//! [`ApiError::raw_body`](crate::core::error::ApiError::raw_body) and shown by `Display`).
//!
//! # Retries
//!
//! The API calls (`init_upload`, `complete_upload`, `get_info`) follow the retry rules of every
//! call (see [`RetryConfig`]): `init_upload` and `complete_upload` change state, so they are
//! retried only when the service surely did not act (no connection, 429, 503), unless
//! [`Upload::retry_side_effects`] says otherwise.
//!
//! The presigned POST follows the same policy, with one addition. A storage server keeps an
//! object only once it has received the whole body, so a failure **before the last byte of the
//! body was handed to the connection** (no connection, a connection lost or stalled mid-body)
//! is retried like a failed connection: nothing was stored. A failure after the whole body went
//! out (a lost answer, 500, 502, 504) may have stored the object, and is retried only with
//! [`Upload::retry_side_effects`] (sending the same bytes to the same key again is harmless,
//! so turning it on is safe; it is off by default for consistency with the other uploads).
//! 429 and 503 are retried. Each attempt opens the file again. Progress restarts at 0 for a new
//! attempt.
//!
//! # What is sent is the file that was registered
//!
//! The bytes that go to storage are checked as they are read against the size given to
//! `init_upload` and against the digest computed when the file was hashed (when
//! [`Upload::digest`] gives the digest, against the file's size and modification time when the
//! send began): a file that grows, shrinks or is modified during the upload fails it with an
//! [`Error::InvalidRequest`] that says so, before the last of its bytes goes out, so that the
//! storage server never gets a complete body and keeps nothing. It is not retried, and
//! `complete_upload` is not called.
//!
//! What cannot be uploaded is refused before anything is sent: a path that is not a regular file
//! (a directory, a device, a FIFO), a content type with a line break or another control
//! character, and a `body_field` that would change what the upload sets itself (`name`, `size`,
//! `digest`, `projectId`).
//!
//! # Timeouts
//!
//! The client's read timeout bounds the time without progress: no bytes of the file accepted by
//! the connection, and then no answer, for that long fails the attempt with a read timeout (a
//! large upload on a slow link is not cut short as long as it moves). [`Upload::timeout`] is a
//! deadline for the whole upload.

use sha2::{Digest as _, Sha256};
use std::fmt;
use std::future::{Future, IntoFuture};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, USER_AGENT};
use serde_json::{Map, Value};
use tracing::Instrument;

use crate::core::attempts::{Policy, classify, drive};
use crate::core::call::{BlockingCaller, Call, Caller};
use crate::core::client::{Client, USER_AGENT as OUR_USER_AGENT};
use crate::core::error::{Error, Result, TimeoutError, TimeoutKind};
use crate::core::headers::redact_url;
use crate::core::multipart::{
    ContentCheck, FilePart, FileProgress, MultipartParts, TextPart, check_content_type,
    encode_observed, send_error,
};
use crate::core::operation::Operation;
use crate::core::options::{CallOptions, CallSettings};
use crate::core::readers::{MAX_ERROR_BODY, Overflow, api_error, read_body};
use crate::core::response::Response;
use crate::core::retry::{Failure, RetryConfig};
use crate::core::transport::sendable;
use crate::extras::ext::WireName;
use crate::namespaces::File;
use crate::types::{FileInfo, FileInitUploadRequest};

/// `status.wire_name()`: `UPLOADING`, `UPLOADED`, `FAILED`, `DELETED`, or a status this version
/// does not know, as sent.
impl WireName for crate::types::AccountFileStatus {}

/// How much of a file one read of the hashing takes.
const HASH_READ: usize = 1024 * 1024;

/// What an upload is doing, in a [`Progress`] report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stage {
    /// Reading the file to compute its digest (skipped when [`Upload::digest`] gives it).
    Hashing,
    /// Sending the file to the storage server.
    Sending,
}

/// How far an upload is, as given to the callback of [`Upload::on_progress`].
///
/// Within a stage, `done` never decreases and ends at `total`; a retried send starts again at
/// 0. When the service already has the content (no presigned URL), one report with
/// `done == total` stands for the send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// What the upload is doing.
    pub stage: Stage,
    /// Bytes of the file done in this stage: hashed, or handed to the connection (which takes
    /// them as fast as it sends them).
    pub done: u64,
    /// The size of the file.
    pub total: u64,
}

impl Progress {
    /// `done / total`, from 0 to 1 (1 for an empty file).
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.done as f64 / self.total as f64
        }
    }
}

type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// An upload of a file from disk, not started yet: set options, then `.await` it for the file's
/// [`FileInfo`] (a [`Response`] with the metadata of the upload's last request, which reads the
/// file's information). Made by [`File::upload`](crate::namespaces::File::upload); see the
/// [module documentation](self) for the steps, retries and timeouts.
#[must_use = "an upload does nothing until it is awaited (or sent, on the blocking client)"]
pub struct Upload<'c, C = Client> {
    client: &'c C,
    path: PathBuf,
    project_id: String,
    name: Option<String>,
    digest: Option<String>,
    content_type: Option<String>,
    progress: Option<ProgressFn>,
    settings: CallSettings,
}

impl<C> fmt::Debug for Upload<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field("path", &self.path)
            .field("project_id", &self.project_id)
            .field("name", &self.name)
            .field("digest", &self.digest)
            .field("content_type", &self.content_type)
            .field("on_progress", &self.progress.is_some())
            .field("options", &self.settings)
            .finish_non_exhaustive()
    }
}

/// The per-call options of an upload. Its `timeout` is a deadline for the whole upload
/// (hashing, API calls, the send and their retries); its retry policy and
/// `retry_side_effects` apply to the API calls and to the send; `team`, `header`, `server_url`
/// and `max_response_size` apply to the API calls only (the storage server gets none of them);
/// `body_field` sets a field of the `init_upload` request.
impl<C> CallOptions for Upload<'_, C> {
    fn settings(&mut self) -> &mut CallSettings {
        &mut self.settings
    }
}

impl<'c, C: Caller> File<'c, C> {
    /// Uploads the file at `path` to the project `project_id` in one call: `init_upload`, the
    /// presigned POST of the bytes (streamed from disk), `complete_upload`, then `get_info`.
    /// Set options on the result, then `.await` it (`send()` it on the blocking client). See
    /// [`crate::files`].
    pub fn upload(&self, path: impl Into<PathBuf>, project_id: impl Into<String>) -> Upload<'c, C> {
        Upload {
            client: self.client(),
            path: path.into(),
            project_id: project_id.into(),
            name: None,
            digest: None,
            content_type: None,
            progress: None,
            settings: CallSettings::default(),
        }
    }
}

impl<'c, C: Caller> Upload<'c, C> {
    /// The name the file is registered and sent under (default: the last component of the
    /// path).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The digest of the file's content, `sha256:<hex>` (see [`digest_file`]), when it is known
    /// already: the file is then not read an extra time to compute it, and it is sent to the
    /// service as given: a wrong digest is the service's to refuse. (The bytes sent are still
    /// checked against the file's size and modification time as they go out.)
    pub fn digest(mut self, digest: impl Into<String>) -> Self {
        self.digest = Some(digest.into());
        self
    }

    /// The content type of the file part (default: guessed from the name's extension, e.g.
    /// `application/jsonl` for `.jsonl`, else `application/octet-stream`). One with a line break
    /// or another control character fails the upload before anything is sent.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Calls `callback` as the upload progresses: while the file is hashed, then as its bytes
    /// go out to the storage server (once per piece of 64 KiB). It runs on the task that sends
    /// the body, so it should be quick: print, update a progress bar, or send the value to a
    /// channel (a `tokio::sync::watch` sender, say).
    pub fn on_progress(mut self, callback: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(callback));
        self
    }

    async fn run(self) -> Result<Response<FileInfo>> {
        match self.settings.timeout {
            Some(limit) => tokio::time::timeout(limit, self.steps())
                .await
                .map_err(|_| {
                    Error::Timeout(TimeoutError {
                        kind: TimeoutKind::Deadline,
                        after: limit,
                    })
                })?,
            None => self.steps().await,
        }
    }

    async fn steps(self) -> Result<Response<FileInfo>> {
        let Upload {
            client,
            path,
            project_id,
            name,
            digest,
            content_type,
            progress,
            mut settings,
        } = self;
        let client = client.async_client();
        // The deadline covers the whole upload (see `run`); the body fields are init_upload's.
        settings.timeout = None;
        let body_fields = std::mem::take(&mut settings.body_fields);
        fn apply<'c, O: Operation>(mut call: Call<'c, O>, settings: &CallSettings) -> Call<'c, O> {
            call.settings = settings.clone();
            call
        }
        // What cannot be uploaded as asked is refused before anything is sent.
        if let Some((field, _)) = body_fields
            .iter()
            .find(|(field, _)| INIT_FIELDS.contains(&field.as_str()))
        {
            return Err(Error::invalid_request(format!(
                "the upload sets the init_upload field `{field}` itself, from the file: a body_field cannot change it"
            )));
        }
        if let Some(content_type) = &content_type {
            check_content_type("file", content_type)?;
        }
        let size = file_size(&path).await?;
        let name = match name {
            Some(name) => name,
            None => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| {
                    Error::invalid_request(format!(
                        "the path {} has no file name; give one with Upload::name",
                        path.display()
                    ))
                })?,
        };
        // The digest computed here is also what the bytes sent must have (one given by the
        // caller is the service's to check).
        let (digest, computed) = match digest {
            Some(digest) => (digest, None),
            None => {
                let digest = hash_file(&path, size, progress.as_ref()).await?;
                let computed = sha256_of(&digest);
                (digest, computed)
            }
        };
        let size_field = i64::try_from(size).map_err(|_| {
            Error::invalid_request(format!("{} is too large to upload", path.display()))
        })?;
        let request = FileInitUploadRequest::builder()
            .name(name.clone())
            .size(size_field)
            .digest(digest)
            .project_id(project_id);
        let mut init = apply(client.file().init_upload(request), &settings);
        init.settings.body_fields = body_fields;
        let started = init.await?.into_inner();
        tracing::debug!(file_id = %started.file_id, "file registered");
        match started.upload_url.as_deref() {
            Some(url) => {
                let mut part = FilePart::path(&path).file_name(name);
                if let Some(content_type) = content_type {
                    part = part.content_type(content_type);
                }
                if let Some(expected) = computed {
                    part.check = Some(Arc::new(move || {
                        Box::new(DigestCheck {
                            hasher: Sha256::new(),
                            expected,
                        })
                    }));
                }
                let retry = settings
                    .retry
                    .clone()
                    .unwrap_or_else(|| client.retry_config().clone());
                let storage = Storage {
                    client,
                    fields: started.aws.as_ref(),
                    path: &path,
                    total: size,
                    progress: progress.clone(),
                    retry: &retry,
                    side_effects: !settings.retry_side_effects,
                };
                storage.send(url, part).await?;
            }
            None => {
                if let Some(progress) = &progress {
                    progress(Progress {
                        stage: Stage::Sending,
                        done: size,
                        total: size,
                    });
                }
            }
        }
        apply(
            client.file().complete_upload(started.file_id.clone()),
            &settings,
        )
        .await?;
        apply(client.file().get_info(started.file_id), &settings).await
    }
}

impl<'c> IntoFuture for Upload<'c, Client> {
    type Output = Result<Response<FileInfo>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Response<FileInfo>>> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

impl<C: BlockingCaller> Upload<'_, C> {
    /// Uploads the file (the blocking client's form of `.await`; the progress callback runs on
    /// the client's runtime thread).
    pub fn send(self) -> Result<Response<FileInfo>> {
        let client = self.client;
        client.block_on(self.run())?
    }
}

/// The fields of `init_upload` that the upload sets from the file (wire names).
const INIT_FIELDS: [&str; 4] = ["name", "size", "digest", "projectId"];

/// The size of a regular file, or an invalid-request error naming it (a directory, a device or
/// a FIFO has no size to register, and reading a FIFO would wait for a writer).
async fn file_size(path: &Path) -> Result<u64> {
    let metadata = tokio::fs::metadata(path).await.map_err(|e| {
        Error::invalid_request(format!("cannot read the file {}: {e}", path.display()))
    })?;
    if !metadata.is_file() {
        return Err(Error::invalid_request(format!(
            "{} is not a regular file: only a regular file can be uploaded",
            path.display()
        )));
    }
    Ok(metadata.len())
}

/// The 32 bytes of a `sha256:<64 hex digits>` digest (as [`format_digest`] writes it); `None`
/// for a digest of another form.
fn sha256_of(digest: &str) -> Option<[u8; 32]> {
    let (algorithm, hex) = digest.split_once(':')?;
    if !algorithm.eq_ignore_ascii_case("sha256") || hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(hex.as_bytes().chunks(2)) {
        let pair = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
}

/// Checks the bytes sent to storage against the digest registered with `init_upload`.
struct DigestCheck {
    hasher: Sha256,
    expected: [u8; 32],
}

impl ContentCheck for DigestCheck {
    fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
    }

    fn finish(self: Box<Self>) -> std::result::Result<(), String> {
        let got: [u8; 32] = self.hasher.finalize().into();
        if got == self.expected {
            Ok(())
        } else {
            Err(format!(
                "its content is {}, not the {} registered",
                format_digest(&got),
                format_digest(&self.expected)
            ))
        }
    }
}

/// The presigned POST of one upload.
struct Storage<'a> {
    client: &'a Client,
    fields: Option<&'a Map<String, Value>>,
    path: &'a Path,
    total: u64,
    progress: Option<ProgressFn>,
    retry: &'a RetryConfig,
    side_effects: bool,
}

impl Storage<'_> {
    /// Sends the form to `url`, with retries (see the module documentation).
    async fn send(&self, url: &str, file: FilePart) -> Result<()> {
        let url = reqwest::Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .filter(|u| sendable(u, "the storage upload").is_ok())
            .ok_or_else(|| {
                Error::decode(
                    "the uploadUrl of the init_upload answer as an http(s) URL that can be sent",
                    Bytes::copy_from_slice(url.as_bytes()),
                    None,
                )
            })?;
        let mut text = Vec::new();
        for (name, value) in self.fields.into_iter().flatten() {
            let value = match value {
                Value::Null => continue,
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            text.push(TextPart {
                name: name.clone(),
                value,
                json: false,
            });
        }
        // The file comes last: a storage server ignores the fields after it.
        let parts = MultipartParts {
            text,
            files: vec![("file".to_owned(), file)],
        };
        let shown = redact_url(url.as_str());
        let span = tracing::debug_span!("friendli.storage_upload", url = %shown);
        self.attempts(&url, &parts).instrument(span).await
    }

    /// The attempts of the POST, as the retry policy allows.
    async fn attempts(&self, url: &reqwest::Url, parts: &MultipartParts) -> Result<()> {
        // The bytes of the file the current attempt handed to the connection.
        let sent = Arc::new(AtomicU64::new(0));
        let policy = Policy {
            what: "storage upload",
            retry: self.retry,
            side_effects: self.side_effects,
            deadline: None,
        };
        let classify = |error: &Error| match error {
            // Cut before the whole body went out: the storage server kept nothing.
            Error::Transport(t) if !t.is_connect() && sent.load(Ordering::SeqCst) < self.total => {
                Failure::Connect
            }
            Error::Timeout(_) if sent.load(Ordering::SeqCst) < self.total => Failure::Connect,
            other => classify(other),
        };
        drive(policy, classify, |_| {
            sent.store(0, Ordering::SeqCst);
            self.attempt(url, parts, &sent)
        })
        .await
        .map(|((), _failures)| ())
    }

    /// One POST of the form. `sent` counts the file's bytes handed to the connection.
    async fn attempt(
        &self,
        url: &reqwest::Url,
        parts: &MultipartParts,
        sent: &Arc<AtomicU64>,
    ) -> Result<()> {
        // Each attempt sends the file as it is now: it must still be the file that was hashed.
        let size = file_size(self.path).await?;
        if size != self.total {
            return Err(Error::invalid_request(format!(
                "{} changed while it was being uploaded ({} bytes registered, {size} now)",
                self.path.display(),
                self.total
            )));
        }
        let total = self.total;
        let progress = self.progress.clone();
        if let Some(progress) = &progress {
            progress(Progress {
                stage: Stage::Sending,
                done: 0,
                total,
            });
        }
        let counter = Arc::clone(sent);
        let observe: FileProgress = Arc::new(move |n| {
            let done = counter.fetch_add(n, Ordering::SeqCst) + n;
            if let Some(progress) = &progress {
                progress(Progress {
                    stage: Stage::Sending,
                    done,
                    total,
                });
            }
        });
        let (content_type, length, body) = encode_observed(parts, Some(observe)).await?;
        let inner = &self.client.inner;
        // Only what the storage server needs: no token, no team, no configured headers.
        let mut request = inner
            .http
            .post(url.clone())
            .header(USER_AGENT, HeaderValue::from_static(OUR_USER_AGENT))
            .header(CONTENT_TYPE, content_type)
            .body(body);
        if let Some(length) = length {
            request = request.header(CONTENT_LENGTH, length);
        }
        let response = match inner.read_timeout {
            None => request.send().await,
            Some(limit) => {
                let send = std::pin::pin!(request.send());
                let stall = std::pin::pin!(stalled(sent, limit));
                match futures::future::select(send, stall).await {
                    futures::future::Either::Left((response, _)) => response,
                    futures::future::Either::Right(((), _)) => {
                        return Err(Error::Timeout(TimeoutError {
                            kind: TimeoutKind::Read,
                            after: limit,
                        }));
                    }
                }
            }
        };
        let mut response = response.map_err(send_error)?;
        let status = response.status();
        if !status.is_success() {
            return Err(api_error(response, inner.read_timeout).await);
        }
        // The storage's answer to a success says nothing the upload needs; it is read to its
        // end (bounded) so that the connection goes back to the pool.
        read_body(
            &mut response,
            inner.read_timeout,
            MAX_ERROR_BODY,
            Overflow::Truncate,
        )
        .await?;
        tracing::debug!(status = status.as_u16(), "stored");
        Ok(())
    }
}

/// Returns once `sent` has not moved for `limit`.
async fn stalled(sent: &AtomicU64, limit: Duration) {
    let mut seen = sent.load(Ordering::SeqCst);
    loop {
        tokio::time::sleep(limit).await;
        let now = sent.load(Ordering::SeqCst);
        if now == seen {
            return;
        }
        seen = now;
    }
}

/// Reads the file once for its digest, reporting [`Stage::Hashing`] progress.
async fn hash_file(path: &Path, size: u64, progress: Option<&ProgressFn>) -> Result<String> {
    use tokio::io::AsyncReadExt;
    let report = |done: u64| {
        if let Some(progress) = progress {
            progress(Progress {
                stage: Stage::Hashing,
                done,
                total: size,
            });
        }
    };
    let cannot = |e: std::io::Error| {
        Error::invalid_request(format!("cannot read the file {}: {e}", path.display()))
    };
    let mut file = tokio::fs::File::open(path).await.map_err(cannot)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; HASH_READ];
    let mut done: u64 = 0;
    report(0);
    loop {
        let n = file.read(&mut buffer).await.map_err(cannot)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        done += n as u64;
        report(done);
    }
    if done != size {
        return Err(Error::invalid_request(format!(
            "{} changed size while it was read ({size} bytes expected, {done} read)",
            path.display()
        )));
    }
    Ok(format_digest(&hasher.finalize().into()))
}

fn format_digest(hash: &[u8; 32]) -> String {
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in hash {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The digest of `bytes` in the form `init_upload` takes: `sha256:` and 64 lower-case hex
/// digits.
///
/// ```
/// assert_eq!(
///     friendli::files::digest(b"abc"),
///     "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
pub fn digest(bytes: &[u8]) -> String {
    format_digest(&Sha256::digest(bytes).into())
}

/// The digest of a file (see [`digest`]), read in pieces, never whole into memory.
pub async fn digest_file(path: impl AsRef<Path>) -> Result<String> {
    let path = path.as_ref();
    let size = file_size(path).await?;
    hash_file(path, size, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_fips_180_examples() {
        assert_eq!(
            digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            digest(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            digest(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[tokio::test]
    async fn a_file_digest_is_the_digest_of_its_bytes() {
        let dir = std::env::temp_dir().join(format!("friendli-digest-{}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("data.bin");
        let content: Vec<u8> = (0..(HASH_READ as u32 * 2 + 17))
            .map(|i| (i % 251) as u8)
            .collect();
        std::fs::write(&path, &content).unwrap();
        assert_eq!(digest_file(&path).await.unwrap(), digest(&content));
        let error = digest_file(dir.join("missing.bin")).await.unwrap_err();
        assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_digest_check_passes_the_registered_content_only() {
        let registered = digest(b"hello world");
        let expected = sha256_of(&registered).unwrap();
        assert_eq!(format_digest(&expected), registered);
        let check = |pieces: &[&[u8]]| {
            let mut check = Box::new(DigestCheck {
                hasher: Sha256::new(),
                expected,
            });
            for piece in pieces {
                check.update(piece);
            }
            check.finish()
        };
        check(&[b"hello ", b"world"]).unwrap();
        let error = check(&[b"hello ", b"World"]).unwrap_err();
        assert!(error.contains(&registered), "{error}");
        for other in ["md5:abc", "sha256:xyz", "sha256:", &registered[..70]] {
            assert_eq!(sha256_of(other), None, "{other}");
        }
    }

    #[test]
    fn progress_fractions() {
        let progress = |done, total| Progress {
            stage: Stage::Sending,
            done,
            total,
        };
        assert_eq!(progress(0, 0).fraction(), 1.0);
        assert_eq!(progress(1, 4).fraction(), 0.25);
    }
}
