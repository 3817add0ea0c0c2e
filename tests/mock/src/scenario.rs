//! Scripted scenarios: what the server answers to the next requests, and how it shapes and breaks
//! event streams.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::wire::SseEvent;

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// The operation's own answer, after the request is validated: the scripted assistant for
    /// chat (JSON or a stream, as the request's `stream` says), the hand-written responders for
    /// completions, tokenize and detokenize, and an answer generated from the document's
    /// response schema for every other operation.
    Assistant,
    /// An answer generated from the document's response schema (JSON, or a short event stream
    /// ending as the document says), even for operations with a hand-written responder. The
    /// request is validated first.
    Generated,
    /// These exact event-stream bytes, with status 200.
    Transcript(Bytes),
    /// A fixed response.
    Raw {
        /// Status code.
        status: u16,
        /// `content-type`.
        content_type: String,
        /// Body.
        body: Bytes,
    },
    /// Close the connection without answering.
    DropConnection,
}

/// A reply for the next `times` requests, with its headers and stream shape.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub(crate) reply: Reply,
    pub(crate) times: u32,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) shape: StreamShape,
    pub(crate) delay: Duration,
}

impl Scenario {
    /// The operation's own answer (the default when no scenario is queued; the scripted
    /// assistant for chat), shaped by [`Scenario::shape`]. See [`Reply::Assistant`].
    pub fn assistant() -> Scenario {
        Scenario::from_reply(Reply::Assistant)
    }

    /// An answer generated from the document's response schema, shaped by
    /// [`Scenario::shape`]. See [`Reply::Generated`].
    pub fn generated() -> Scenario {
        Scenario::from_reply(Reply::Generated)
    }

    /// Fail with `status` and a JSON error body.
    pub fn fail(status: u16) -> Scenario {
        Scenario::json(
            status,
            json!({"message": format!("friendli-mock: scripted failure with status {status}")}),
        )
    }

    /// A JSON response.
    pub fn json(status: u16, body: Value) -> Scenario {
        Scenario::from_reply(Reply::Raw {
            status,
            content_type: "application/json".to_owned(),
            body: Bytes::from(body.to_string()),
        })
    }

    /// A response with any content type and body.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Bytes>) -> Scenario {
        Scenario::from_reply(Reply::Raw {
            status,
            content_type: content_type.to_owned(),
            body: body.into(),
        })
    }

    /// A fixed event-stream transcript (raw bytes), shaped by [`Scenario::shape`].
    pub fn transcript(bytes: impl Into<Bytes>) -> Scenario {
        Scenario::from_reply(Reply::Transcript(bytes.into()))
    }

    /// Close the connection without a response.
    pub fn drop_connection() -> Scenario {
        Scenario::from_reply(Reply::DropConnection)
    }

    fn from_reply(reply: Reply) -> Scenario {
        Scenario {
            reply,
            times: 1,
            headers: Vec::new(),
            shape: StreamShape::default(),
            delay: Duration::ZERO,
        }
    }

    /// Wait this long before answering (before the status line and headers are sent).
    pub fn delay_headers(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Use this scenario for the next `n` requests (default 1).
    pub fn times(mut self, n: u32) -> Self {
        self.times = n;
        self
    }

    /// Add a response header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// `Retry-After: value`.
    pub fn retry_after(self, value: &str) -> Self {
        self.header("retry-after", value)
    }

    /// `retry-after-ms: value`.
    pub fn retry_after_ms(self, value: &str) -> Self {
        self.header("retry-after-ms", value)
    }

    /// How the body is written: chunking, delays, line endings and faults.
    pub fn shape(mut self, shape: StreamShape) -> Self {
        self.shape = shape;
        self
    }
}

/// The line ending of generated event streams.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LineEnding {
    /// `\n`
    #[default]
    Lf,
    /// `\r\n`
    CrLf,
    /// `\r`
    Cr,
}

impl LineEnding {
    fn as_str(self) -> &'static str {
        match self {
            LineEnding::Lf => "\n",
            LineEnding::CrLf => "\r\n",
            LineEnding::Cr => "\r",
        }
    }
}

/// A fault injected into a body. Event counts are of the events written before the fault.
///
/// On a JSON (or any non-stream) body, the byte-level faults apply as they do on streams, and
/// the body counts as one event: `CloseAfterEvents(0)` resets the connection after the headers,
/// `StallAfter { events: 0, .. }` and a gate after 0 events hold the body back,
/// `CloseAfterEvents(1)` resets the connection after the whole body. The other faults only make
/// sense in event streams and leave JSON bodies alone.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Write this many bytes of the body, then reset the connection.
    CloseAfterBytes(usize),
    /// Write this many events, then reset the connection.
    CloseAfterEvents(usize),
    /// End the stream cleanly without its end: the `[DONE]` sentinel, or the final end event
    /// (`message_stop`, `response.completed`, …) of a stream that ends with a named event.
    OmitDone,
    /// After this many events, send an event whose data is not JSON.
    MalformedJsonAfter(usize),
    /// After this many events, send an error payload and end the stream: `{"error": {...}}` as
    /// unnamed data, or, where the operation's stream has an `error` event (messages), that
    /// event (`event: error`, data `{"type": "error", "error": {...}}`).
    ErrorPayloadAfter(usize),
    /// After this many events, go silent for the duration.
    StallAfter {
        /// Events before the stall.
        events: usize,
        /// How long.
        duration: Duration,
    },
    /// After this many events, send one event with about this many bytes of data.
    OversizedEventAfter {
        /// Events before it.
        events: usize,
        /// Its size.
        bytes: usize,
    },
    /// After this many events, send an event with an unknown name.
    UnknownEventAfter(usize),
    /// Send more events after the stream's end (`[DONE]` or its end event).
    EventsAfterDone,
}

/// A gate that holds a stream after some events until the test opens it.
#[derive(Debug, Clone, Default)]
pub struct Gate(Arc<Notify>);

impl Gate {
    /// A closed gate.
    pub fn new() -> Gate {
        Gate::default()
    }

    /// Lets the stream go on.
    pub fn open(&self) {
        self.0.notify_one();
    }

    pub(crate) async fn wait(&self) {
        self.0.notified().await;
    }
}

/// How a body is written.
#[derive(Debug, Clone, Default)]
pub struct StreamShape {
    /// Sizes of the chunks the body is written in, cycled. Empty writes one chunk per event,
    /// except that the server's own event streams cut an event holding non-ASCII text in two
    /// inside its first multi-byte character, so that a client's decoder meets a character
    /// split across chunks (as it does on real networks).
    pub chunk_sizes: Vec<usize>,
    /// Pause between chunks.
    pub chunk_delay: Duration,
    /// Line ending of generated events.
    pub line_ending: LineEnding,
    /// Start the stream with a UTF-8 byte order mark.
    pub bom: bool,
    /// Put a comment line before every event.
    pub comments: bool,
    /// Faults to inject.
    pub faults: Vec<Fault>,
    /// Hold the stream after this many events until the gate opens.
    pub gate: Option<(usize, Gate)>,
}

impl StreamShape {
    /// Write in chunks of these sizes, cycled.
    pub fn chunks(mut self, sizes: impl IntoIterator<Item = usize>) -> Self {
        self.chunk_sizes = sizes.into_iter().filter(|s| *s > 0).collect();
        self
    }

    /// Pause between chunks.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.chunk_delay = delay;
        self
    }

    /// The line ending of generated events.
    pub fn line_ending(mut self, ending: LineEnding) -> Self {
        self.line_ending = ending;
        self
    }

    /// Start with a byte order mark.
    pub fn bom(mut self) -> Self {
        self.bom = true;
        self
    }

    /// A comment line before every event.
    pub fn comments(mut self) -> Self {
        self.comments = true;
        self
    }

    /// Inject a fault.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Hold the stream after `events` events until `gate` opens.
    pub fn gate_after(mut self, events: usize, gate: Gate) -> Self {
        self.gate = Some((events, gate));
        self
    }
}

/// One step of writing a body.
#[derive(Debug, Clone)]
pub(crate) enum Segment {
    /// Bytes to write.
    Bytes(Bytes),
    /// Pause.
    Stall(Duration),
    /// Wait for the gate.
    Gate(Gate),
    /// Reset the connection.
    Abort,
}

fn encode_event(event: &SseEvent, shape: &StreamShape) -> String {
    let eol = shape.line_ending.as_str();
    let mut text = String::new();
    if shape.comments {
        text.push_str(": friendli-mock comment");
        text.push_str(eol);
    }
    if let Some(name) = &event.event {
        text.push_str("event: ");
        text.push_str(name);
        text.push_str(eol);
    }
    for line in event.data.split('\n') {
        text.push_str("data: ");
        text.push_str(line);
        text.push_str(eol);
    }
    text.push_str(eol);
    text
}

/// How a stream ends and reports errors, for the faults that change them.
#[derive(Debug, Clone)]
pub(crate) struct StreamStyle {
    /// Whether the last event is the stream's end (the sentinel or an end event).
    pub terminal: bool,
    /// The event written by [`Fault::ErrorPayloadAfter`].
    pub error: SseEvent,
}

impl StreamStyle {
    /// The style of streams that end with `[DONE]` when their last event is it, with unnamed
    /// `{"error": …}` payloads.
    #[cfg(test)]
    pub(crate) fn for_events(events: &[SseEvent]) -> StreamStyle {
        StreamStyle {
            terminal: events.last().is_some_and(|e| e.data == "[DONE]"),
            error: SseEvent::data(error_payload().to_string()),
        }
    }
}

/// The error payload of [`Fault::ErrorPayloadAfter`] on streams without an error event.
pub(crate) fn error_payload() -> Value {
    json!({"error": {"message": "friendli-mock: scripted error in the stream", "type": "server_error", "code": "mock_error"}})
}

/// The events with the event-level faults applied, written as segments.
#[cfg(test)]
pub(crate) fn stream_segments(events: &[SseEvent], shape: &StreamShape) -> Vec<Segment> {
    styled_segments(events, shape, &StreamStyle::for_events(events))
}

/// A non-stream body as segments, with the faults that apply to it (see [`Fault`]).
pub(crate) fn body_segments(body: Bytes, shape: &StreamShape) -> Vec<Segment> {
    let mut out = Vec::new();
    for fault in &shape.faults {
        match fault {
            Fault::CloseAfterEvents(0) => {
                out.push(Segment::Abort);
                return out;
            }
            Fault::StallAfter {
                events: 0,
                duration,
            } => out.push(Segment::Stall(*duration)),
            _ => {}
        }
    }
    if let Some((0, gate)) = &shape.gate {
        out.push(Segment::Gate(gate.clone()));
    }
    out.push(Segment::Bytes(body));
    if shape.faults.contains(&Fault::CloseAfterEvents(1)) {
        out.push(Segment::Abort);
    }
    out
}

/// The events with the event-level faults applied, written as segments, for a stream of the
/// given style.
pub(crate) fn styled_segments(
    events: &[SseEvent],
    shape: &StreamShape,
    style: &StreamStyle,
) -> Vec<Segment> {
    let last = events.len().saturating_sub(1);
    let mut out = Vec::new();
    if shape.bom {
        out.push(Segment::Bytes(Bytes::from_static(b"\xEF\xBB\xBF")));
    }
    for (written, event) in events.iter().enumerate() {
        for fault in &shape.faults {
            match fault {
                Fault::CloseAfterEvents(n) if *n == written => {
                    out.push(Segment::Abort);
                    return out;
                }
                Fault::MalformedJsonAfter(n) if *n == written => {
                    out.push(Segment::Bytes(
                        encode_event(
                            &SseEvent::data("{\"id\": \"broken\", \"choices\": [ oops"),
                            shape,
                        )
                        .into(),
                    ));
                }
                Fault::ErrorPayloadAfter(n) if *n == written => {
                    out.push(Segment::Bytes(encode_event(&style.error, shape).into()));
                    return out;
                }
                Fault::StallAfter { events, duration } if *events == written => {
                    out.push(Segment::Stall(*duration))
                }
                Fault::OversizedEventAfter { events, bytes } if *events == written => {
                    let data = format!("{{\"padding\": \"{}\"}}", "x".repeat(*bytes));
                    out.push(Segment::Bytes(
                        encode_event(&SseEvent::data(data), shape).into(),
                    ));
                }
                Fault::UnknownEventAfter(n) if *n == written => {
                    out.push(Segment::Bytes(
                        encode_event(&SseEvent::named("mystery", "{\"hello\": \"world\"}"), shape)
                            .into(),
                    ));
                }
                _ => {}
            }
        }
        if let Some((n, gate)) = &shape.gate
            && *n == written
        {
            out.push(Segment::Gate(gate.clone()));
        }
        if style.terminal && written == last && shape.faults.contains(&Fault::OmitDone) {
            return out;
        }
        out.push(Segment::Bytes(encode_event(event, shape).into()));
    }
    if shape.faults.contains(&Fault::EventsAfterDone) {
        out.push(Segment::Bytes(
            encode_event(&SseEvent::data("{\"after\": \"done\"}"), shape).into(),
        ));
    }
    out
}

/// Without explicit chunk sizes, cuts every segment that holds a multi-byte UTF-8 character
/// in two, right after the first byte of its first such character (see
/// [`StreamShape::chunk_sizes`]).
pub(crate) fn split_characters(segments: Vec<Segment>, shape: &StreamShape) -> Vec<Segment> {
    if !shape.chunk_sizes.is_empty() {
        return segments;
    }
    let mut out = Vec::with_capacity(segments.len());
    for segment in segments {
        match segment {
            Segment::Bytes(mut bytes) => match bytes.iter().position(|b| *b >= 0xC0) {
                Some(lead) => {
                    let head = bytes.split_to(lead + 1);
                    out.push(Segment::Bytes(head));
                    out.push(Segment::Bytes(bytes));
                }
                None => out.push(Segment::Bytes(bytes)),
            },
            other => out.push(other),
        }
    }
    out
}

/// Applies the chunking and the byte-level faults of `shape` to segments.
pub(crate) fn chunk_segments(segments: Vec<Segment>, shape: &StreamShape) -> Vec<Segment> {
    let close_after = shape.faults.iter().find_map(|f| match f {
        Fault::CloseAfterBytes(n) => Some(*n),
        _ => None,
    });
    let mut out = Vec::new();
    let mut sent = 0usize;
    let mut sizes = shape.chunk_sizes.iter().cycle();
    for segment in segments {
        let Segment::Bytes(mut bytes) = segment else {
            out.push(segment);
            continue;
        };
        while !bytes.is_empty() {
            let mut take = if shape.chunk_sizes.is_empty() {
                bytes.len()
            } else {
                *sizes.next().unwrap_or(&1)
            };
            take = take.min(bytes.len());
            if let Some(limit) = close_after {
                let left = limit.saturating_sub(sent);
                if left == 0 {
                    out.push(Segment::Abort);
                    return out;
                }
                take = take.min(left);
            }
            out.push(Segment::Bytes(bytes.split_to(take)));
            sent += take;
        }
    }
    if let Some(limit) = close_after
        && sent >= limit
    {
        out.push(Segment::Abort);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_of(segments: &[Segment]) -> Vec<u8> {
        segments
            .iter()
            .filter_map(|s| match s {
                Segment::Bytes(b) => Some(b.to_vec()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    fn events() -> Vec<SseEvent> {
        vec![
            SseEvent::named("tool_status", "{\"a\":1}"),
            SseEvent::data("{\"b\":2}"),
            SseEvent::done(),
        ]
    }

    #[test]
    fn events_are_encoded_with_the_chosen_line_ending_bom_and_comments() {
        let shape = StreamShape::default()
            .line_ending(LineEnding::CrLf)
            .bom()
            .comments();
        let text = bytes_of(&stream_segments(&events(), &shape));
        let expected = "\u{feff}: friendli-mock comment\r\nevent: tool_status\r\ndata: {\"a\":1}\r\n\r\n: friendli-mock comment\r\ndata: {\"b\":2}\r\n\r\n: friendli-mock comment\r\ndata: [DONE]\r\n\r\n";
        assert_eq!(String::from_utf8(text).unwrap(), expected);
    }

    #[test]
    fn chunking_keeps_every_byte_in_order() {
        let segments = stream_segments(&events(), &StreamShape::default());
        let whole = bytes_of(&segments);
        for sizes in [vec![1], vec![3, 7], vec![1000]] {
            let shape = StreamShape::default().chunks(sizes.clone());
            let chunked = chunk_segments(segments.clone(), &shape);
            assert_eq!(bytes_of(&chunked), whole, "{sizes:?}");
            assert!(chunked.iter().all(|s| match s {
                Segment::Bytes(b) => b.len() <= *sizes.iter().max().unwrap(),
                _ => true,
            }));
        }
    }

    #[test]
    fn without_chunk_sizes_a_multi_byte_character_is_cut_across_two_chunks() {
        let events = vec![
            SseEvent::data("{\"arguments\":\"Zürich 서울\"}"),
            SseEvent::data("{\"plain\":1}"),
        ];
        let segments = stream_segments(&events, &StreamShape::default());
        let split = split_characters(segments.clone(), &StreamShape::default());
        assert_eq!(
            bytes_of(&split),
            bytes_of(&segments),
            "every byte, in order"
        );
        let chunks: Vec<&Bytes> = split
            .iter()
            .filter_map(|s| match s {
                Segment::Bytes(b) => Some(b),
                _ => None,
            })
            .collect();
        assert_eq!(
            chunks.len(),
            3,
            "the first event in two, the ASCII one whole"
        );
        assert!(std::str::from_utf8(chunks[0]).is_err(), "cut inside ü");
        assert_eq!(chunks[0].last(), Some(&0xC3));
        assert_eq!(chunks[1].first(), Some(&0xBC));
        // Explicit chunk sizes are left as they are.
        let shape = StreamShape::default().chunks([1000]);
        assert_eq!(
            split_characters(segments.clone(), &shape).len(),
            segments.len()
        );
    }

    #[test]
    fn faults_happen_exactly_where_configured() {
        let shape = StreamShape::default().fault(Fault::CloseAfterEvents(1));
        let segments = stream_segments(&events(), &shape);
        assert!(matches!(segments.last(), Some(Segment::Abort)));
        assert_eq!(
            bytes_of(&segments),
            b"event: tool_status\ndata: {\"a\":1}\n\n"
        );

        let shape = StreamShape::default().fault(Fault::OmitDone);
        assert!(
            !String::from_utf8(bytes_of(&stream_segments(&events(), &shape)))
                .unwrap()
                .contains("[DONE]")
        );

        let shape = StreamShape::default()
            .fault(Fault::CloseAfterBytes(10))
            .chunks([4]);
        let chunked = chunk_segments(stream_segments(&events(), &shape), &shape);
        assert_eq!(bytes_of(&chunked).len(), 10);
        assert!(matches!(chunked.last(), Some(Segment::Abort)));

        let shape = StreamShape::default().fault(Fault::ErrorPayloadAfter(2));
        let text = String::from_utf8(bytes_of(&stream_segments(&events(), &shape))).unwrap();
        assert!(text.ends_with("data: {\"error\":{\"code\":\"mock_error\",\"message\":\"friendli-mock: scripted error in the stream\",\"type\":\"server_error\"}}\n\n"), "{text}");
        assert!(!text.contains("[DONE]"));
    }
}
