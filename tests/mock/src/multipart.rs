//! `multipart/form-data` bodies (RFC 7578), parsed and written.
//!
//! Parsed by hand rather than with `multer`: the server collects every body before it answers
//! (it records it), so the streaming parser `multer` is built around buys nothing here, and its
//! dependencies (`encoding_rs`, `httparse`, `mime`, `spin`, …) would all become dependencies of a
//! crate users add to their tests. A form of fields and files needs only the boundary split and
//! the `Content-Disposition` / `Content-Type` headers of each part, which fit in a page.

use serde_json::Value;

/// One part of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The field name (`name=` of `Content-Disposition`).
    pub name: String,
    /// The file name, for a file part.
    pub filename: Option<String>,
    /// The part's `Content-Type`, if given.
    pub content_type: Option<String>,
    /// The content.
    pub data: Vec<u8>,
}

impl Part {
    /// A text field.
    pub fn text(name: &str, value: &str) -> Part {
        Part {
            name: name.to_owned(),
            filename: None,
            content_type: None,
            data: value.as_bytes().to_vec(),
        }
    }

    /// A field whose content is JSON (`Content-Type: application/json`).
    pub fn json(name: &str, value: &Value) -> Part {
        Part {
            name: name.to_owned(),
            filename: None,
            content_type: Some("application/json".to_owned()),
            data: value.to_string().into_bytes(),
        }
    }

    /// A file.
    pub fn file(name: &str, filename: &str, content_type: &str, data: Vec<u8>) -> Part {
        Part {
            name: name.to_owned(),
            filename: Some(filename.to_owned()),
            content_type: Some(content_type.to_owned()),
            data,
        }
    }

    /// The content as text (invalid UTF-8 replaced).
    pub fn text_value(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// The boundary of a `multipart/form-data` content type, if it is one.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut pieces = content_type.split(';');
    let media = pieces.next()?.trim();
    if !media.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    pieces.find_map(|piece| {
        let (key, value) = piece.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty() && b.len() <= 200)
    })
}

/// Parses a form. Errors say what is malformed.
pub fn parse(content_type: &str, body: &[u8]) -> Result<Vec<Part>, String> {
    let boundary = boundary(content_type)
        .ok_or_else(|| "the content type is not multipart/form-data with a boundary".to_owned())?;
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut at = find(body, &delimiter, 0)
        .ok_or_else(|| "the body does not contain the boundary".to_owned())?
        + delimiter.len();
    loop {
        if body[at..].starts_with(b"--") {
            return Ok(parts);
        }
        // Transport padding, then CRLF.
        while at < body.len() && (body[at] == b' ' || body[at] == b'\t') {
            at += 1;
        }
        if !body[at..].starts_with(b"\r\n") {
            return Err("a boundary line is not followed by CRLF".to_owned());
        }
        at += 2;
        let headers_end = find(body, b"\r\n\r\n", at)
            .ok_or_else(|| "a part's headers do not end with an empty line".to_owned())?;
        let headers = String::from_utf8_lossy(&body[at..headers_end]).into_owned();
        let content_start = headers_end + 4;
        let mut closing = b"\r\n".to_vec();
        closing.extend_from_slice(&delimiter);
        let content_end = find(body, &closing, content_start)
            .ok_or_else(|| "a part is not closed by the boundary".to_owned())?;
        parts.push(part(&headers, body[content_start..content_end].to_vec())?);
        at = content_end + closing.len();
    }
}

fn part(headers: &str, data: Vec<u8>) -> Result<Part, String> {
    let mut name = None;
    let mut filename = None;
    let mut content_type = None;
    for line in headers.split("\r\n") {
        let Some((header, value)) = line.split_once(':') else {
            continue;
        };
        let header = header.trim();
        if header.eq_ignore_ascii_case("content-disposition") {
            for (key, value) in parameters(value) {
                match key.to_ascii_lowercase().as_str() {
                    "name" => name = Some(value),
                    "filename" => filename = Some(value),
                    _ => {}
                }
            }
        } else if header.eq_ignore_ascii_case("content-type") {
            content_type = Some(value.trim().to_owned());
        }
    }
    let name = name.ok_or_else(|| "a part has no Content-Disposition name".to_owned())?;
    Ok(Part {
        name,
        filename,
        content_type,
        data,
    })
}

/// The `key=value` parameters of a header value such as `form-data; name="a"; filename=b`,
/// quoted strings unescaped.
fn parameters(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = value.chars().peekable();
    // Skip the disposition type.
    for c in chars.by_ref() {
        if c == ';' {
            break;
        }
    }
    loop {
        while chars.peek().is_some_and(|c| *c == ' ' || *c == ';') {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ';' {
                break;
            }
            key.push(c);
            chars.next();
        }
        if key.is_empty() && chars.peek().is_none() {
            return out;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'=') {
            chars.next();
            if chars.peek() == Some(&'"') {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => value.extend(chars.next()),
                        '"' => break,
                        c => value.push(c),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ';' {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
            }
        }
        if !key.trim().is_empty() {
            out.push((key.trim().to_owned(), value.trim_end().to_owned()));
        }
        if chars.peek().is_none() {
            return out;
        }
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Writes a form: its content type (with the boundary) and its bytes.
pub fn encode(parts: &[Part]) -> (String, Vec<u8>) {
    let boundary = "friendli-mock-4b1d2f9c";
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let escape = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        let mut disposition = format!("form-data; name=\"{}\"", escape(&part.name));
        if let Some(filename) = &part.filename {
            disposition.push_str(&format!("; filename=\"{}\"", escape(filename)));
        }
        body.extend_from_slice(format!("Content-Disposition: {disposition}\r\n").as_bytes());
        if let Some(content_type) = &part.content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&part.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encoded_forms_parse_back() {
        let parts = vec![
            Part::text("model", "whisper"),
            Part::json("chunking_strategy", &json!("auto")),
            Part::file(
                "file",
                "a \"b\".wav",
                "audio/wav",
                b"\x00\x01\r\n--x\xff".to_vec(),
            ),
        ];
        let (content_type, body) = encode(&parts);
        assert_eq!(parse(&content_type, &body).unwrap(), parts);
        assert_eq!(parts[1].text_value(), "\"auto\"");
    }

    #[test]
    fn forms_from_other_writers_parse() {
        let body = b"preamble\r\n--XyZ\r\ncontent-disposition: form-data; name=stream\r\n\r\ntrue\r\n--XyZ \r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.mp3\"\r\nContent-Type: audio/mpeg\r\n\r\nID3\r\n--XyZ--\r\nepilogue";
        let parts = parse("Multipart/Form-Data; charset=utf-8; boundary=\"XyZ\"", body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].name.as_str(), parts[0].text_value().as_str()),
            ("stream", "true")
        );
        assert_eq!(parts[1].filename.as_deref(), Some("x.mp3"));
        assert_eq!(parts[1].content_type.as_deref(), Some("audio/mpeg"));
        assert_eq!(parts[1].data, b"ID3");
    }

    #[test]
    fn malformed_forms_are_errors_not_panics() {
        let content_type = "multipart/form-data; boundary=b";
        for body in [
            &b""[..],
            b"--b",
            b"--b\r\n",
            b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
            b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",
            b"--bjunk",
            b"--b\r\n\r\n",
        ] {
            assert!(
                parse(content_type, body).is_err(),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
        assert!(parse("application/json", b"{}").is_err());
        assert!(parse("multipart/form-data", b"").is_err());
        assert_eq!(parse(content_type, b"--b--").unwrap(), []);
    }
}
