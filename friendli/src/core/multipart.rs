//! Encoding a `multipart/form-data` body (RFC 7578) as a stream: text parts from memory, file
//! parts from memory or streamed from disk in 64 KiB reads, so that a large upload is never held
//! in memory. The length is computed up front (file sizes from the file system), so the request
//! carries `Content-Length`: storage servers that take uploads (presigned POSTs) refuse chunked
//! bodies.
//!
//! Written here rather than with reqwest's `multipart` feature because that feature cannot send
//! a JSON part's content type together with a streamed file part of known length, and it adds
//! `mime_guess` to every build.

use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use futures::StreamExt;
use futures::stream::{self, BoxStream};

use crate::core::error::{Error, TransportPhase};
use crate::core::operation::{FileSource, MultipartParts};

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
    use crate::core::operation::{FilePart, TextPart};

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
