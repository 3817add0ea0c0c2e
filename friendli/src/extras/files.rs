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
//! # The storage server is another host
//!
//! The presigned POST carries its own credentials (the form fields). It is sent with the
//! client's connection pool and TLS settings but **without** the API token, the team header or
//! the headers set with [`ClientBuilder::header`](crate::ClientBuilder::header): only
//! `user-agent`, `content-type` and `content-length` (headers that a `reqwest::Client` given to
//! [`ClientBuilder::http_client`](crate::ClientBuilder::http_client) adds to every request are
//! out of this crate's hands). Redirects are not followed. An error answer of the storage server
//! is an [`Error::Api`] with its status and body (S3 answers XML, kept in
//! [`ApiError::raw_body`](crate::ApiError::raw_body) and shown by `Display`).
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
//! 429 and 503 are retried. Each attempt opens the file again; a file whose size changed since
//! it was hashed fails the upload instead of sending other content. Progress restarts at 0 for a
//! new attempt.
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
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, USER_AGENT};
use serde_json::{Map, Value};
use tokio::time::Instant;
use tracing::Instrument;

use crate::core::call::Call;
use crate::core::client::Client;
use crate::core::error::{
    ApiError, AttemptFailure, Error, Result, TimeoutError, TimeoutKind, TransportPhase,
};
use crate::core::operation::{FilePart, MultipartParts, Operation, TextPart};
use crate::core::retry::{Backoff, Decision, Failure, RetryConfig, server_hint};
use crate::namespaces::File;
use crate::types::{FileInfo, FileInitUploadRequest};

/// `status.wire_name()`: `UPLOADING`, `UPLOADED`, `FAILED`, `DELETED`, or a status this version
/// does not know, as sent.
impl crate::WireName for crate::types::AccountFileStatus {}

/// The longest part of a storage error body that is kept.
const MAX_ERROR_BODY: usize = 64 * 1024;
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

/// The options of an upload that apply to its API calls and its send.
#[derive(Clone, Default)]
struct Options {
    retry: Option<RetryConfig>,
    retry_side_effects: bool,
    team: Option<String>,
}

impl Options {
    fn apply<'c, O: Operation>(&self, mut call: Call<'c, O>) -> Call<'c, O> {
        if let Some(retry) = &self.retry {
            call = call.retries(retry.clone());
        }
        if let Some(team) = &self.team {
            call = call.team(team.clone());
        }
        call.retry_side_effects(self.retry_side_effects)
    }
}

/// An upload of a file from disk, not started yet: set options, then `.await` it for the file's
/// [`FileInfo`]. Made by [`File::upload`](crate::namespaces::File::upload); see the
/// [module documentation](self) for the steps, retries and timeouts.
#[must_use = "an upload does nothing until it is awaited"]
pub struct Upload<'c> {
    client: &'c Client,
    path: PathBuf,
    project_id: String,
    name: Option<String>,
    digest: Option<String>,
    content_type: Option<String>,
    progress: Option<ProgressFn>,
    timeout: Option<Duration>,
    options: Options,
}

impl fmt::Debug for Upload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field("path", &self.path)
            .field("project_id", &self.project_id)
            .field("name", &self.name)
            .field("digest", &self.digest)
            .field("content_type", &self.content_type)
            .field("on_progress", &self.progress.is_some())
            .field("timeout", &self.timeout)
            .field("retry", &self.options.retry)
            .field("retry_side_effects", &self.options.retry_side_effects)
            .field("team", &self.options.team)
            .finish_non_exhaustive()
    }
}

impl<'c> File<'c, Client> {
    /// Uploads the file at `path` to the project `project_id` in one call: `init_upload`, the
    /// presigned POST of the bytes (streamed from disk), `complete_upload`, then `get_info`.
    /// Set options on the result, then `.await` it. See [`crate::extras::files`].
    pub fn upload(&self, path: impl Into<PathBuf>, project_id: impl Into<String>) -> Upload<'c> {
        Upload {
            client: self.client(),
            path: path.into(),
            project_id: project_id.into(),
            name: None,
            digest: None,
            content_type: None,
            progress: None,
            timeout: None,
            options: Options::default(),
        }
    }
}

impl<'c> Upload<'c> {
    /// The name the file is registered and sent under (default: the last component of the
    /// path).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The digest of the file's content, `sha256:<hex>` (see [`digest_file`]), when it is known
    /// already: the file is then not read an extra time to compute it. A wrong digest is the
    /// service's to refuse.
    pub fn digest(mut self, digest: impl Into<String>) -> Self {
        self.digest = Some(digest.into());
        self
    }

    /// The content type of the file part (default: guessed from the name's extension, e.g.
    /// `application/jsonl` for `.jsonl`, else `application/octet-stream`).
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

    /// A deadline for the whole upload (hashing, API calls, the send and their retries).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The retry policy of the upload's API calls and of its send, instead of the client's.
    pub fn retries(mut self, retry: RetryConfig) -> Self {
        self.options.retry = Some(retry);
        self
    }

    /// Retry also the failures after which the service may have acted: a lost answer or a 500,
    /// 502 or 504 of `init_upload`, `complete_upload` or of the storage server after it received
    /// the whole body. See [`crate::extras::files`], Retries.
    pub fn retry_side_effects(mut self, allow: bool) -> Self {
        self.options.retry_side_effects = allow;
        self
    }

    /// Run the API calls of the upload as another team (`X-Friendli-Team`). The team header is
    /// never sent to the storage server.
    pub fn team(mut self, team: impl Into<String>) -> Self {
        self.options.team = Some(team.into());
        self
    }

    async fn run(self) -> Result<FileInfo> {
        match self.timeout {
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

    async fn steps(self) -> Result<FileInfo> {
        let Upload {
            client,
            path,
            project_id,
            name,
            digest,
            content_type,
            progress,
            timeout: _,
            options,
        } = self;
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
        let digest = match digest {
            Some(digest) => digest,
            None => hash_file(&path, size, progress.as_ref()).await?,
        };
        let size_field = i64::try_from(size).map_err(|_| {
            Error::invalid_request(format!("{} is too large to upload", path.display()))
        })?;
        let request = FileInitUploadRequest::builder()
            .name(name.clone())
            .size(size_field)
            .digest(digest)
            .project_id(project_id);
        let started = options.apply(client.file().init_upload(request)).await?;
        tracing::debug!(file_id = %started.file_id, "file registered");
        match started.upload_url.as_deref() {
            Some(url) => {
                let mut part = FilePart::path(&path).file_name(name);
                if let Some(content_type) = content_type {
                    part = part.content_type(content_type);
                }
                let retry = options
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
                    side_effects: !options.retry_side_effects,
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
        options
            .apply(client.file().complete_upload(started.file_id.clone()))
            .await?;
        options.apply(client.file().get_info(started.file_id)).await
    }
}

impl<'c> IntoFuture for Upload<'c> {
    type Output = Result<FileInfo>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<FileInfo>> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// The size of a regular file, or an invalid-request error naming it.
async fn file_size(path: &Path) -> Result<u64> {
    let metadata = tokio::fs::metadata(path).await.map_err(|e| {
        Error::invalid_request(format!("cannot read the file {}: {e}", path.display()))
    })?;
    if !metadata.is_file() {
        return Err(Error::invalid_request(format!(
            "{} is not a file",
            path.display()
        )));
    }
    Ok(metadata.len())
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
            .ok_or_else(|| {
                Error::decode(
                    "the uploadUrl of the init_upload answer as an http(s) URL",
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
        let shown = crate::core::client::redact_url(url.as_str());
        let span = tracing::debug_span!("friendli.storage_upload", url = %shown);
        self.attempts(&url, &parts).instrument(span).await
    }

    /// The attempts of the POST, as the retry policy allows.
    async fn attempts(&self, url: &reqwest::Url, parts: &MultipartParts) -> Result<()> {
        let started = Instant::now();
        let mut backoff = Backoff::new(self.retry);
        let mut failures: Vec<AttemptFailure> = Vec::new();
        loop {
            let sent = Arc::new(AtomicU64::new(0));
            let error = match self.attempt(url, parts, &sent).await {
                Ok(()) => return Ok(()),
                Err(error) => error,
            };
            let failure = match &error {
                Error::Api(api) => Failure::Status(api.status.as_u16()),
                Error::Transport(t) if t.is_connect() => Failure::Connect,
                // Cut before the whole body went out: the storage server kept nothing.
                Error::Transport(_) | Error::Timeout(_)
                    if sent.load(Ordering::SeqCst) < self.total =>
                {
                    Failure::Connect
                }
                Error::Transport(_) => Failure::Connection,
                Error::Timeout(t) if t.kind == TimeoutKind::Read => Failure::Connection,
                _ => Failure::Other,
            };
            failures.push(AttemptFailure::of(&error));
            let hint = match &error {
                Error::Api(api) => {
                    let header = |name: &str| api.headers.get(name).and_then(|v| v.to_str().ok());
                    server_hint(
                        header("retry-after-ms"),
                        header("retry-after"),
                        SystemTime::now(),
                    )
                }
                _ => None,
            };
            match backoff.decide(
                failure,
                self.side_effects,
                hint,
                started.elapsed(),
                None,
                fastrand::f64(),
            ) {
                Decision::RetryAfter(delay) => {
                    tracing::info!(
                        attempt = failures.len(),
                        status = error.status().map(|s| s.as_u16()),
                        delay_ms = delay.as_millis() as u64,
                        error = %error,
                        "the upload to the storage server failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                Decision::GiveUp(reason) => {
                    return Err(crate::core::transport::give_up(
                        failures, started, reason, error,
                    ));
                }
            }
        }
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
                "{} changed size during the upload ({} bytes registered, {size} now)",
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
        let observe: crate::core::multipart::FileProgress = Arc::new(move |n| {
            let done = counter.fetch_add(n, Ordering::SeqCst) + n;
            if let Some(progress) = &progress {
                progress(Progress {
                    stage: Stage::Sending,
                    done,
                    total,
                });
            }
        });
        let (content_type, length, body) =
            crate::core::multipart::encode_observed(parts, Some(observe)).await?;
        let inner = &self.client.inner;
        // Only what the storage server needs: no token, no team, no configured headers.
        let mut request = inner
            .http
            .post(url.clone())
            .header(USER_AGENT, HeaderValue::from_static(crate::USER_AGENT))
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
        let mut response = response.map_err(|e| Error::transport(TransportPhase::Send, e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = crate::core::transport::read_body(
            &mut response,
            inner.read_timeout,
            MAX_ERROR_BODY,
            crate::core::transport::Overflow::Truncate,
        )
        .await?;
        if status.is_success() {
            tracing::debug!(status = status.as_u16(), "stored");
            return Ok(());
        }
        Err(Error::Api(Box::new(ApiError::new(
            status, headers, body, false,
        ))))
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

/// The upload of the blocking client: the same options, then `.send()`.
#[cfg(feature = "blocking")]
impl<'c> File<'c, crate::blocking::Client> {
    /// Uploads the file at `path` to the project `project_id` in one call (see
    /// [`File::upload`](crate::namespaces::File::upload) of the async client and
    /// [`crate::extras::files`]); finish with `.send()`.
    pub fn upload(
        &self,
        path: impl Into<PathBuf>,
        project_id: impl Into<String>,
    ) -> crate::blocking::Blocking<'c, Upload<'c>> {
        let client = self.client();
        client.wrap(client.async_client().file().upload(path, project_id))
    }
}

/// Forwards the options of [`Upload`] to the blocking upload.
#[cfg(feature = "blocking")]
macro_rules! forward {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*);)*) => {
        $($(#[$doc])* pub fn $name(self, $($arg: $ty),*) -> Self {
            self.map(|upload| upload.$name($($arg),*))
        })*
    };
}

#[cfg(feature = "blocking")]
impl<'c> crate::blocking::Blocking<'c, Upload<'c>> {
    forward! {
        /// See [`Upload::name`].
        fn name(name: impl Into<String>);
        /// See [`Upload::digest`].
        fn digest(digest: impl Into<String>);
        /// See [`Upload::content_type`].
        fn content_type(content_type: impl Into<String>);
        /// See [`Upload::on_progress`] (the callback runs on the client's runtime thread).
        fn on_progress(callback: impl Fn(Progress) + Send + Sync + 'static);
        /// See [`Upload::timeout`].
        fn timeout(timeout: Duration);
        /// See [`Upload::retries`].
        fn retries(retry: RetryConfig);
        /// See [`Upload::retry_side_effects`].
        fn retry_side_effects(allow: bool);
        /// See [`Upload::team`].
        fn team(team: impl Into<String>);
    }

    /// Uploads the file and waits for its [`FileInfo`].
    pub fn send(self) -> Result<FileInfo> {
        let (upload, runtime) = self.into_parts();
        runtime.block_on(upload.into_future())?
    }
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
