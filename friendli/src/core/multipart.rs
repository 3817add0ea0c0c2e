//! Multipart bodies: the model ([`Multipart`], [`FilePart`], the parts of an encoded form) and
//! their encoding as `multipart/form-data` (RFC 7578), as a stream: text parts from memory, file
//! parts from memory or streamed from disk in 64 KiB reads, so that a large upload is never held
//! in memory. The length is computed up front (file sizes from the file system), so the request
//! carries `Content-Length`: storage servers that take uploads (presigned POSTs) refuse chunked
//! bodies.
//!
//! Written here rather than with reqwest's `multipart` feature because that feature cannot send
//! a JSON part's content type together with a streamed file part of known length, and it adds
//! `mime_guess` to every build.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use futures::StreamExt;
use futures::stream::{self, BoxStream};

use crate::core::error::{Error, TransportPhase};

/// A `multipart/form-data` body: the fields of a generated type `T` (text parts, or JSON parts
/// for the fields the document sends as JSON) and file parts.
///
/// ```
/// use friendli::operation::{FilePart, Multipart};
///
/// # fn example(body: friendli::types::TranscriptionRequest) {
/// let form = Multipart::new(body).file("file", FilePart::path("speech.wav"));
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Multipart<T> {
    pub(crate) fields: T,
    pub(crate) files: Vec<(String, FilePart)>,
    pub(crate) json_parts: &'static [&'static str],
}

impl<T> Multipart<T> {
    /// A form with these fields and no files yet.
    pub fn new(fields: T) -> Self {
        Multipart {
            fields,
            files: Vec::new(),
            json_parts: &[],
        }
    }

    /// Adds a file part.
    pub fn file(mut self, name: impl Into<String>, file: impl Into<FilePart>) -> Self {
        self.files.push((name.into(), file.into()));
        self
    }

    /// The fields sent as `application/json` parts (set by the generated code from the document).
    pub fn json_parts(mut self, names: &'static [&'static str]) -> Self {
        self.json_parts = names;
        self
    }

    /// The fields.
    pub fn fields(&self) -> &T {
        &self.fields
    }

    /// The fields, to change them.
    pub fn fields_mut(&mut self) -> &mut T {
        &mut self.fields
    }

    /// The file parts.
    pub fn files(&self) -> &[(String, FilePart)] {
        &self.files
    }
}

impl<T> From<T> for Multipart<T> {
    fn from(fields: T) -> Self {
        Multipart::new(fields)
    }
}

/// The parts of a multipart body.
#[derive(Debug, Clone)]
pub struct MultipartParts {
    pub(crate) text: Vec<TextPart>,
    pub(crate) files: Vec<(String, FilePart)>,
}

#[derive(Debug, Clone)]
pub(crate) struct TextPart {
    pub(crate) name: String,
    pub(crate) value: String,
    pub(crate) json: bool,
}

impl TextPart {
    /// A form field from a JSON value: strings, numbers and booleans as text, anything else (or
    /// anything, when `as_json`) as an `application/json` part.
    pub(crate) fn new(name: String, value: serde_json::Value, as_json: bool) -> TextPart {
        let (value, json) = match value {
            serde_json::Value::String(text) if !as_json => (text, false),
            value @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_)) if !as_json => {
                (value.to_string(), false)
            }
            value => (value.to_string(), true),
        };
        TextPart { name, value, json }
    }
}

/// The content of a file part: bytes in memory, or a file streamed from disk (opened anew for
/// every attempt, never read whole into memory).
#[derive(Clone)]
pub struct FilePart {
    pub(crate) source: FileSource,
    pub(crate) file_name: Option<String>,
    pub(crate) content_type: Option<String>,
}

#[derive(Clone)]
pub(crate) enum FileSource {
    Bytes(Bytes),
    Path(PathBuf),
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("FilePart");
        match &self.source {
            FileSource::Bytes(bytes) => out.field("bytes", &bytes.len()),
            FileSource::Path(path) => out.field("path", path),
        };
        out.field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl FilePart {
    /// A file from bytes in memory.
    pub fn bytes(bytes: impl Into<Bytes>) -> Self {
        FilePart {
            source: FileSource::Bytes(bytes.into()),
            file_name: None,
            content_type: None,
        }
    }

    /// A file on disk, streamed when the request is sent. Its name is the part's file name
    /// unless [`file_name`](Self::file_name) says otherwise.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        FilePart {
            source: FileSource::Path(path),
            file_name,
            content_type: None,
        }
    }

    /// The file name sent with the part.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The content type sent with the part (default: guessed from the file name's extension,
    /// else `application/octet-stream`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    pub(crate) fn effective_content_type(&self) -> &str {
        if let Some(content_type) = &self.content_type {
            return content_type;
        }
        let extension = self
            .file_name
            .as_deref()
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, e)| e.to_ascii_lowercase());
        match extension.as_deref() {
            Some("wav") => "audio/wav",
            Some("mp3") => "audio/mpeg",
            Some("m4a") => "audio/mp4",
            Some("ogg") | Some("oga") => "audio/ogg",
            Some("flac") => "audio/flac",
            Some("webm") => "audio/webm",
            Some("json") => "application/json",
            Some("jsonl") => "application/jsonl",
            Some("txt") => "text/plain",
            Some("csv") => "text/csv",
            Some("parquet") => "application/vnd.apache.parquet",
            Some("png") => "image/png",
            Some("jpg") | Some("jpeg") => "image/jpeg",
            _ => "application/octet-stream",
        }
    }
}

impl From<Bytes> for FilePart {
    fn from(bytes: Bytes) -> Self {
        FilePart::bytes(bytes)
    }
}

impl From<Vec<u8>> for FilePart {
    fn from(bytes: Vec<u8>) -> Self {
        FilePart::bytes(bytes)
    }
}

impl From<&'static [u8]> for FilePart {
    fn from(bytes: &'static [u8]) -> Self {
        FilePart::bytes(Bytes::from_static(bytes))
    }
}

impl From<PathBuf> for FilePart {
    fn from(path: PathBuf) -> Self {
        FilePart::path(path)
    }
}

impl From<&std::path::Path> for FilePart {
    fn from(path: &std::path::Path) -> Self {
        FilePart::path(path)
    }
}

/// How much of a file one read takes.
const READ_SIZE: usize = 64 * 1024;

/// Told the size of each piece of a file part as it is handed to the connection (the connection
/// pulls the body as it can send it, so this follows the bytes going out).
pub(crate) type FileProgress = Arc<dyn Fn(u64) + Send + Sync>;

/// The content type (with its boundary), the total length, and the body.
pub(crate) async fn encode(
    parts: &MultipartParts,
) -> Result<(String, Option<u64>, reqwest::Body), Error> {
    encode_observed(parts, None).await
}

/// [`encode`], telling `progress` about the bytes of the file parts as they go out.
pub(crate) async fn encode_observed(
    parts: &MultipartParts,
    progress: Option<FileProgress>,
) -> Result<(String, Option<u64>, reqwest::Body), Error> {
    let boundary = format!(
        "friendli-{:016x}{:016x}",
        fastrand::u64(..),
        fastrand::u64(..)
    );
    let mut pieces: Vec<Piece> = Vec::new();
    let mut length: u64 = 0;
    let mut head = BytesMut::new();
    for part in &parts.text {
        head.put_slice(format!("--{boundary}\r\n").as_bytes());
        head.put_slice(
            format!(
                "Content-Disposition: form-data; name=\"{}\"\r\n",
                quote(&part.name)
            )
            .as_bytes(),
        );
        if part.json {
            head.put_slice(b"Content-Type: application/json\r\n");
        }
        head.put_slice(b"\r\n");
        head.put_slice(part.value.as_bytes());
        head.put_slice(b"\r\n");
    }
    for (name, file) in &parts.files {
        head.put_slice(format!("--{boundary}\r\n").as_bytes());
        let file_name = file.file_name.as_deref().unwrap_or(name);
        head.put_slice(
            format!(
                "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n",
                quote(name),
                quote(file_name)
            )
            .as_bytes(),
        );
        head.put_slice(
            format!("Content-Type: {}\r\n\r\n", file.effective_content_type()).as_bytes(),
        );
        let header = head.split().freeze();
        length += header.len() as u64;
        pieces.push(Piece::Bytes(header));
        match &file.source {
            FileSource::Bytes(bytes) => {
                length += bytes.len() as u64;
                pieces.push(Piece::Bytes(bytes.clone()));
            }
            FileSource::Path(path) => {
                let metadata = tokio::fs::metadata(path).await.map_err(|e| {
                    Error::invalid_request(format!(
                        "cannot read the file {} for part {name:?}: {e}",
                        path.display()
                    ))
                })?;
                length += metadata.len();
                pieces.push(Piece::File(path.clone(), metadata.len()));
            }
        }
        head.put_slice(b"\r\n");
    }
    head.put_slice(format!("--{boundary}--\r\n").as_bytes());
    let tail = head.freeze();
    length += tail.len() as u64;
    pieces.push(Piece::Bytes(tail));

    let body: BoxStream<'static, Result<Bytes, Error>> = stream::iter(pieces)
        .flat_map(move |piece| match piece {
            Piece::Bytes(bytes) => stream::once(async move { Ok(bytes) }).boxed(),
            Piece::File(path, expected) => file_stream(path, expected, progress.clone()),
        })
        .boxed();
    Ok((
        format!("multipart/form-data; boundary={boundary}"),
        Some(length),
        reqwest::Body::wrap_stream(body),
    ))
}

enum Piece {
    Bytes(Bytes),
    File(std::path::PathBuf, u64),
}

/// A file read in pieces; fails if the file changed size since the length was computed.
fn file_stream(
    path: std::path::PathBuf,
    expected: u64,
    progress: Option<FileProgress>,
) -> BoxStream<'static, Result<Bytes, Error>> {
    use tokio::io::AsyncReadExt;
    struct State {
        file: Option<tokio::fs::File>,
        path: std::path::PathBuf,
        sent: u64,
        expected: u64,
        done: bool,
        progress: Option<FileProgress>,
    }
    let state = State {
        file: None,
        path,
        sent: 0,
        expected,
        done: false,
        progress,
    };
    stream::unfold(state, |mut state| async move {
        if state.done {
            return None;
        }
        if state.file.is_none() {
            match tokio::fs::File::open(&state.path).await {
                Ok(file) => state.file = Some(file),
                Err(e) => {
                    state.done = true;
                    let error = Error::transport(
                        TransportPhase::Send,
                        std::io::Error::new(
                            e.kind(),
                            format!("cannot open {}: {e}", state.path.display()),
                        ),
                    );
                    return Some((Err(error), state));
                }
            }
        }
        let file = state.file.as_mut()?;
        let mut buffer = BytesMut::with_capacity(READ_SIZE);
        match file.read_buf(&mut buffer).await {
            Ok(0) => {
                state.done = true;
                if state.sent != state.expected {
                    let error = Error::transport(
                        TransportPhase::Send,
                        std::io::Error::other(format!(
                            "{} changed size while it was being sent ({} bytes expected, {} read)",
                            state.path.display(),
                            state.expected,
                            state.sent
                        )),
                    );
                    return Some((Err(error), state));
                }
                None
            }
            Ok(n) => {
                state.sent += n as u64;
                if let Some(progress) = &state.progress {
                    progress(n as u64);
                }
                Some((Ok(buffer.freeze()), state))
            }
            Err(e) => {
                state.done = true;
                Some((Err(Error::transport(TransportPhase::Send, e)), state))
            }
        }
    })
    .boxed()
}

/// A name or file name inside a quoted header parameter (quotes and line breaks escaped as
/// RFC 7578 §2 suggests for HTML forms).
fn quote(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn collect(body: reqwest::Body) -> Vec<u8> {
        let mut stream = http_body_util::BodyDataStream::new(body);
        let mut out = Vec::new();
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk.unwrap());
        }
        out
    }

    #[tokio::test]
    async fn the_body_has_every_part_and_the_announced_length() {
        let dir = std::env::temp_dir().join(format!("friendli-multipart-{}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.bin");
        let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &content).unwrap();
        let parts = MultipartParts {
            text: vec![
                TextPart {
                    name: "model".into(),
                    value: "m".into(),
                    json: false,
                },
                TextPart {
                    name: "chunking_strategy".into(),
                    value: "\"auto\"".into(),
                    json: true,
                },
            ],
            files: vec![("file".into(), FilePart::path(&path))],
        };
        let (content_type, length, body) = encode(&parts).await.unwrap();
        let boundary = content_type.split("boundary=").nth(1).unwrap().to_owned();
        let bytes = collect(body).await;
        assert_eq!(length, Some(bytes.len() as u64));
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.starts_with(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nm\r\n"
            )),
            "{}",
            &text[..200]
        );
        assert!(text.contains(
            "name=\"chunking_strategy\"\r\nContent-Type: application/json\r\n\r\n\"auto\"\r\n"
        ));
        assert!(text.contains(
            "name=\"file\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        ));
        assert!(text.ends_with(&format!("\r\n--{boundary}--\r\n")));
        // The file's bytes, whole and in order.
        let start = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|_| ())
            .and_then(|_| {
                let marker = b"Content-Type: application/octet-stream\r\n\r\n";
                bytes
                    .windows(marker.len())
                    .position(|w| w == marker)
                    .map(|p| p + marker.len())
            })
            .unwrap();
        assert_eq!(&bytes[start..start + content.len()], &content[..]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_missing_file_is_a_clear_error_before_sending() {
        let parts = MultipartParts {
            text: Vec::new(),
            files: vec![("file".into(), FilePart::path("/nonexistent/friendli.wav"))],
        };
        let error = encode(&parts).await.err().unwrap();
        assert!(
            error.to_string().contains("/nonexistent/friendli.wav"),
            "{error}"
        );
    }
}
