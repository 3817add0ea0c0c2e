//! Multipart bodies: the model ([`Multipart`], [`FilePart`], the parts of an encoded form) and
//! their encoding as `multipart/form-data` (RFC 7578), as a stream: text parts from memory, file
//! parts from memory or streamed from disk in 64 KiB reads, so that a large upload is never held
//! in memory. The length is computed up front (file sizes from the file system), so the request
//! carries `Content-Length`: storage servers that take uploads (presigned POSTs) refuse chunked
//! bodies.
//!
//! What cannot be sent as given is refused before anything is sent ([`Error::InvalidRequest`]):
//! a part content type with a line break or another control character (it would end the part's
//! header and start another), and a path that is not a regular file (a directory, a device such
//! as `/dev/zero`, a FIFO, a socket: none has a length to announce). A file is sent as it was
//! when the request was encoded: one that grows, shrinks or is modified while it is read fails
//! the request before the last of its bytes goes out, with an [`Error::InvalidRequest`] that
//! says so (the server never gets a complete body, so it keeps nothing), and the request is not
//! retried.
//!
//! Written here rather than with reqwest's `multipart` feature because that feature cannot send
//! a JSON part's content type together with a streamed file part of known length, and it adds
//! `mime_guess` to every build.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

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
/// # fn example(body: friendli::types::ServerlessAudioTranscriptionBody) {
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
    /// A check of the content read from disk (the storage upload checks the digest it
    /// registered).
    pub(crate) check: Option<NewContentCheck>,
}

/// A check of the bytes of a file part as they are read from disk: given each piece, then asked,
/// before the last piece goes out, whether the content was the one expected.
pub(crate) trait ContentCheck: Send {
    /// The next piece of the file.
    fn update(&mut self, bytes: &[u8]);
    /// `Err(why)` when the content read was not the one expected.
    fn finish(self: Box<Self>) -> Result<(), String>;
}

/// Makes a [`ContentCheck`] for each reading of a file (each attempt reads it anew).
pub(crate) type NewContentCheck = Arc<dyn Fn() -> Box<dyn ContentCheck> + Send + Sync>;

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
            check: None,
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
            check: None,
        }
    }

    /// The file name sent with the part.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The content type sent with the part (default: guessed from the file name's extension,
    /// else `application/octet-stream`). One with a line break or another control character
    /// fails the call with [`Error::InvalidRequest`] before anything is sent.
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
        check_content_type(name, file.effective_content_type())?;
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
                let (handle, opened) = open_regular(path, name).await?;
                length += opened.len;
                pieces.push(Piece::File(Box::new(FileRead {
                    file: handle,
                    path: path.clone(),
                    opened,
                    sent: 0,
                    check: file.check.as_ref().map(|new| new()),
                    progress: progress.clone(),
                    done: false,
                })));
            }
        }
        head.put_slice(b"\r\n");
    }
    head.put_slice(format!("--{boundary}--\r\n").as_bytes());
    let tail = head.freeze();
    length += tail.len() as u64;
    pieces.push(Piece::Bytes(tail));

    let body: BoxStream<'static, Result<Bytes, Error>> = stream::iter(pieces)
        .flat_map(|piece| match piece {
            Piece::Bytes(bytes) => stream::once(async move { Ok(bytes) }).boxed(),
            Piece::File(read) => stream::unfold(read, |mut read| async move {
                let next = read.next().await?;
                Some((next, read))
            })
            .boxed(),
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
    File(Box<FileRead>),
}

/// Refuses a part content type that would break the part's header: a line break would end the
/// `Content-Type` line and start a header of the caller's making (or the part's body), and other
/// control characters have no place in a header either.
pub(crate) fn check_content_type(part: &str, content_type: &str) -> Result<(), Error> {
    match content_type
        .chars()
        .find(|c| c.is_ascii_control() && *c != '\t')
    {
        None => Ok(()),
        Some(c) => Err(Error::invalid_request(format!(
            "the content type of the file part {part:?} contains the control character {c:?}, which would break the part's header"
        ))),
    }
}

/// What a file was when it was opened: its length and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Snapshot {
    len: u64,
    modified: Option<SystemTime>,
}

impl Snapshot {
    fn of(metadata: &std::fs::Metadata) -> Snapshot {
        Snapshot {
            len: metadata.len(),
            modified: metadata.modified().ok(),
        }
    }
}

/// Opens the regular file at `path` for the part `part`. Anything else is refused: a directory
/// (it opens, and fails when read), a device such as `/dev/zero` (endless, with a length of 0),
/// a FIFO (opening it waits for a writer), a socket. The path is looked at before it is opened,
/// so that a FIFO is never opened, and what was opened is looked at again, in case the path was
/// replaced in between.
async fn open_regular(path: &Path, part: &str) -> Result<(tokio::fs::File, Snapshot), Error> {
    let cannot = |e: std::io::Error| {
        Error::invalid_request(format!(
            "cannot read the file {} for part {part:?}: {e}",
            path.display()
        ))
    };
    let not_regular = |metadata: &std::fs::Metadata| {
        let what = if metadata.is_dir() {
            "a directory"
        } else {
            "a device, FIFO or socket"
        };
        Error::invalid_request(format!(
            "{} (for part {part:?}) is not a regular file but {what}: only a regular file can be sent as a file part",
            path.display()
        ))
    };
    let metadata = tokio::fs::metadata(path).await.map_err(cannot)?;
    if !metadata.is_file() {
        return Err(not_regular(&metadata));
    }
    let file = tokio::fs::File::open(path).await.map_err(cannot)?;
    let metadata = file.metadata().await.map_err(cannot)?;
    if !metadata.is_file() {
        return Err(not_regular(&metadata));
    }
    Ok((file, Snapshot::of(&metadata)))
}

/// A file part being read from disk, in pieces, for one request.
struct FileRead {
    file: tokio::fs::File,
    path: PathBuf,
    /// The file when it was opened: the request announced this length.
    opened: Snapshot,
    /// The bytes read so far.
    sent: u64,
    check: Option<Box<dyn ContentCheck>>,
    progress: Option<FileProgress>,
    done: bool,
}

impl FileRead {
    /// The next piece, or the error that ends the body. The last piece is given only once the
    /// file is known to have been read as it was: nothing after its announced end, the same
    /// length and modification time as when it was opened, and the content check passed.
    async fn next(&mut self) -> Option<Result<Bytes, Error>> {
        use tokio::io::AsyncReadExt;
        if self.done {
            return None;
        }
        if self.sent == self.opened.len {
            // An empty file: nothing to read, but it must still be empty.
            self.done = true;
            return self.verify().await.err().map(Err);
        }
        let mut buffer = BytesMut::with_capacity(READ_SIZE);
        let n = match self.file.read_buf(&mut buffer).await {
            Ok(n) => n as u64,
            Err(e) => {
                self.done = true;
                return Some(Err(self.unreadable(e)));
            }
        };
        if n == 0 {
            self.done = true;
            return Some(Err(self.changed(&format!(
                "it ended after {} of its {} bytes",
                self.sent, self.opened.len
            ))));
        }
        if self.sent + n > self.opened.len {
            self.done = true;
            return Some(Err(
                self.changed(&format!("it grew past its {} bytes", self.opened.len))
            ));
        }
        self.sent += n;
        if let Some(check) = &mut self.check {
            check.update(&buffer);
        }
        if self.sent == self.opened.len {
            self.done = true;
            if let Err(error) = self.verify().await {
                return Some(Err(error));
            }
        }
        if let Some(progress) = &self.progress {
            progress(n);
        }
        Some(Ok(buffer.freeze()))
    }

    /// Checks, at the announced end of the file, that it was read as it was opened.
    async fn verify(&mut self) -> Result<(), Error> {
        use tokio::io::AsyncReadExt;
        let mut probe = [0u8; 1];
        match self.file.read(&mut probe).await {
            Ok(0) => {}
            Ok(_) => {
                return Err(self.changed(&format!("it grew past its {} bytes", self.opened.len)));
            }
            Err(e) => return Err(self.unreadable(e)),
        }
        let now = match self.file.metadata().await {
            Ok(metadata) => Snapshot::of(&metadata),
            Err(e) => return Err(self.unreadable(e)),
        };
        if now.len != self.opened.len {
            return Err(self.changed(&format!(
                "it is now {} bytes long, not {}",
                now.len, self.opened.len
            )));
        }
        if now.modified != self.opened.modified {
            return Err(self.changed("it was modified while it was read"));
        }
        if let Some(check) = self.check.take() {
            check.finish().map_err(|why| self.changed(&why))?;
        }
        Ok(())
    }

    fn changed(&self, what: &str) -> Error {
        Error::invalid_request(format!(
            "{} changed while it was being sent ({what}); the request was stopped before the end of its body, so the server did not get it whole",
            self.path.display()
        ))
    }

    fn unreadable(&self, e: std::io::Error) -> Error {
        Error::invalid_request(format!(
            "cannot read the file {} while sending it: {e}; the request was stopped before the end of its body",
            self.path.display()
        ))
    }
}

/// The error of a request whose sending failed: the body's own error when reading it failed
/// (a file part that changed or could not be read while it was sent: an
/// [`Error::InvalidRequest`], not retried), else a transport error.
pub(crate) fn send_error(error: reqwest::Error) -> Error {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(current) = source {
        if let Some(Error::InvalidRequest(own)) = current.downcast_ref::<Error>() {
            return Error::InvalidRequest(own.clone());
        }
        source = current.source();
    }
    Error::transport(TransportPhase::Send, error)
}

/// A name or file name inside a quoted header parameter: quotes, line breaks and every other
/// control character percent-encoded as RFC 7578 §2 suggests for HTML forms, so that no name can
/// end the parameter or the header line.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("%22"),
            c if c.is_ascii_control() => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
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

    /// A file of `len` bytes in a directory of its own, made a while ago (so that a change made
    /// now gives it another modification time, whatever the clock's resolution).
    fn old_file(name: &str, len: usize) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("friendli-multipart-{}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, vec![1u8; len]).unwrap();
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000))
            .unwrap();
        path
    }

    /// Removes the directory of a file made by [`old_file`].
    fn remove(path: &Path) {
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    fn parts_of(path: &Path) -> MultipartParts {
        MultipartParts {
            text: Vec::new(),
            files: vec![("file".into(), FilePart::path(path))],
        }
    }

    /// Reads the body, running `change` after its first piece of the file; the error that ends
    /// it, if one does, and the bytes read.
    async fn read_changing(path: &Path, change: impl FnOnce(&Path)) -> (Option<Error>, usize) {
        let (_, _, body) = encode(&parts_of(path)).await.unwrap();
        let mut stream = http_body_util::BodyDataStream::new(body);
        let mut read = 0;
        let mut change = Some(change);
        while let Some(piece) = stream.next().await {
            match piece {
                Ok(bytes) => read += bytes.len(),
                Err(e) => {
                    // The body's error, through reqwest's.
                    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
                    while let Some(current) = source {
                        if let Some(Error::InvalidRequest(own)) = current.downcast_ref::<Error>() {
                            return (Some(Error::InvalidRequest(own.clone())), read);
                        }
                        source = current.source();
                    }
                    panic!("not the body's own error: {e}");
                }
            }
            if read > 1024
                && let Some(change) = change.take()
            {
                change(path);
            }
        }
        (None, read)
    }

    #[tokio::test]
    async fn a_file_that_changes_while_it_is_read_ends_the_body_before_its_end() {
        use std::io::{Seek, SeekFrom, Write};
        let len = 2 * READ_SIZE;
        // Grows by exactly one read: the body would reach its announced length.
        let path = old_file("grows.bin", len);
        let (error, read) = read_changing(&path, |path| {
            let mut file = std::fs::File::options().append(true).open(path).unwrap();
            file.write_all(&[2u8; READ_SIZE]).unwrap();
        })
        .await;
        let error = error.expect("an error");
        assert!(error.to_string().contains("changed"), "{error}");
        assert!(read < len, "the last piece was held back");
        remove(&path);

        // Shrinks.
        let path = old_file("shrinks.bin", len);
        let (error, _) = read_changing(&path, |path| {
            std::fs::File::options()
                .write(true)
                .open(path)
                .unwrap()
                .set_len(10)
                .unwrap();
        })
        .await;
        assert!(error.unwrap().to_string().contains("changed"));
        remove(&path);

        // Same length, other content: the modification time tells.
        let path = old_file("rewritten.bin", len);
        let (error, read) = read_changing(&path, |path| {
            let mut file = std::fs::File::options().write(true).open(path).unwrap();
            file.seek(SeekFrom::Start(len as u64 - 10)).unwrap();
            file.write_all(b"0123456789").unwrap();
        })
        .await;
        assert!(error.unwrap().to_string().contains("modified"));
        assert!(read < len);
        remove(&path);

        // Unchanged: read whole, no error.
        let path = old_file("unchanged.bin", len);
        let (error, read) = read_changing(&path, |_| {}).await;
        assert!(error.is_none(), "{error:?}");
        assert!(read > len);
        remove(&path);
    }

    #[tokio::test]
    async fn an_empty_file_that_grows_is_not_sent_as_empty() {
        let path = old_file("empty.bin", 0);
        let (_, _, body) = encode(&parts_of(&path)).await.unwrap();
        std::fs::write(&path, b"late").unwrap();
        let mut stream = http_body_util::BodyDataStream::new(body);
        let mut failed = false;
        while let Some(piece) = stream.next().await {
            failed |= piece.is_err();
        }
        assert!(failed, "the body ends with an error");
        remove(&path);
    }

    #[tokio::test]
    async fn what_is_not_a_regular_file_is_refused() {
        let dir = std::env::temp_dir();
        let mut paths = vec![dir];
        if Path::new("/dev/null").exists() {
            paths.push("/dev/null".into());
        }
        for path in paths {
            let error = encode(&parts_of(&path)).await.err().unwrap();
            assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
            assert!(error.to_string().contains("not a regular file"), "{error}");
        }
    }

    #[test]
    fn names_cannot_end_their_parameter_or_header_line() {
        assert_eq!(
            quote("a\"b\r\nContent-Type: x\0\t\\é.wav"),
            "a%22b%0D%0AContent-Type: x%00%09\\\\é.wav"
        );
    }

    #[test]
    fn control_characters_in_a_content_type_are_refused() {
        for bad in ["a/b\r\nX: y", "a/b\n", "a/b\r", "a\0", "a/b\x7f"] {
            assert!(check_content_type("file", bad).is_err(), "{bad:?}");
        }
        for good in [
            "audio/wav",
            "text/plain; charset=utf-8",
            "a/b;\tq=1",
            "töxt/plain",
        ] {
            check_content_type("file", good).unwrap();
        }
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
