//! A server-sent events decoder: bytes in, events out.
//!
//! [`Decoder`] follows the event-stream parsing rules of the WHATWG HTML standard (§9.2.6) over an
//! arbitrary sequence of byte chunks:
//!
//! - lines end with `\n`, `\r\n` or `\r`, also when the two bytes of `\r\n` arrive in different
//!   chunks;
//! - a UTF-8 byte order mark at the very start is skipped, also when it is split across chunks;
//! - lines starting with `:` are comments; a line without `:` is a field with an empty value; one
//!   space after the colon is removed;
//! - `data` lines are joined with `\n`; `event` names the event; `id` sets the last event id, which
//!   carries over to later events (an id containing NUL is ignored); `retry` takes digits only;
//!   other fields are ignored;
//! - a blank line dispatches the event; an event whose data is empty is not dispatched.
//!
//! Two deliberate differences from a browser's `EventSource`: invalid UTF-8 is an error rather
//! than a replacement character (a corrupted stream must not pass for a valid one), and
//! [`Decoder::finish`] hands back an event that the stream ended in the middle of, instead of
//! silently discarding it, so that the caller can decide what a truncated stream means.
//!
//! The size of one event (its data and the line being read) is bounded by
//! [`Decoder::with_max_event_size`]; beyond it the decoder fails with
//! [`SseError::EventTooLarge`] instead of growing without bound.
//!
//! # Copies
//!
//! Each byte of an event's data is copied at most once on its way out. Data on one line that lies
//! within one chunk is not copied at all: the event's [`Bytes`] shares memory with the chunk fed
//! in. Data that needs a buffer of its own — a `data` line that continues in a later chunk, or
//! data spread over several lines (which JSON payloads never need) — is written once into the
//! event's buffer, where the lines are joined: a `data` line split across chunks goes straight
//! there, not through the buffer that completes other split lines (which holds at most the
//! four-byte start of a `data` line while its name is incomplete). Growing that buffer may move
//! it, as any growing buffer does. Event names and ids are small and are copied into `String`s.
//!
//! # Why no crate
//!
//! The goal of the benchmark `friendli/benches/sse_decode.rs` is the whole event pipeline close
//! to the time of `serde_json` alone on pre-split payloads, and ahead of the crates.
//! `eventsource-stream` (unmaintained since 2022) builds a `String` per event; `sse-stream` copies
//! every payload into a `String`, where this decoder hands `serde_json` a slice of the network
//! buffer. Neither crate bounds the size of an event (both grow their buffers until memory runs
//! out on a stream that never sends a blank line), which the SDK must, and neither reports the
//! event a stream ended in the middle of. The measured figures are in `PERFORMANCE.md`, not here,
//! where they would go stale.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};

/// The default bound of one event: 16 MiB.
pub const DEFAULT_MAX_EVENT_SIZE: usize = 16 * 1024 * 1024;

/// One decoded event.
#[derive(Clone, PartialEq, Eq)]
pub struct Event {
    event: Option<String>,
    data: Bytes,
    id: Option<Arc<str>>,
    retry: Option<Duration>,
}

impl Event {
    /// An event built by hand (for tests and replays).
    pub fn new(event: Option<&str>, data: &str) -> Self {
        Event {
            event: event.map(str::to_owned),
            data: Bytes::copy_from_slice(data.as_bytes()),
            id: None,
            retry: None,
        }
    }

    /// The `event` field, if the event had one. (A browser would report `"message"` for none.)
    pub fn event(&self) -> Option<&str> {
        self.event.as_deref()
    }

    /// The data, as text (`""` if it is not UTF-8, which only a decoder built with
    /// [`Decoder::check_data_utf8`]`(false)` lets through).
    pub fn data(&self) -> &str {
        std::str::from_utf8(&self.data).unwrap_or_default()
    }

    /// The data, as the bytes that arrived (valid UTF-8), sharing memory with the input.
    pub fn data_bytes(&self) -> &Bytes {
        &self.data
    }

    /// The last event id seen so far in the stream, if any.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The reconnection time the server asked for so far in the stream, if any.
    pub fn retry(&self) -> Option<Duration> {
        self.retry
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("event", &self.event)
            .field("data", &self.data())
            .field("id", &self.id)
            .field("retry", &self.retry)
            .finish()
    }
}

/// Why decoding stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SseError {
    /// A line was not valid UTF-8.
    InvalidUtf8 {
        /// The offending line, as it arrived (of a `data` line that arrived in several chunks,
        /// its value).
        line: Bytes,
    },
    /// An event grew past the configured bound.
    EventTooLarge {
        /// The bound, in bytes.
        limit: usize,
    },
}

impl fmt::Display for SseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SseError::InvalidUtf8 { line } => {
                write!(
                    f,
                    "the event stream contains a line that is not valid UTF-8 ({} bytes)",
                    line.len()
                )
            }
            SseError::EventTooLarge { limit } => {
                write!(
                    f,
                    "an event of the stream is larger than the limit of {limit} bytes"
                )
            }
        }
    }
}

impl std::error::Error for SseError {}

/// The data of the event being assembled.
enum Data {
    Empty,
    /// One line so far, in the chunk being scanned (no reference count taken yet).
    Current(std::ops::Range<usize>),
    /// One line so far, shared with the input.
    One(Bytes),
    /// In the decoder's event buffer (`Decoder::joined`): several lines joined with `\n`, or a
    /// line that arrived in several chunks.
    Joined,
}

/// An incremental event-stream decoder. Feed it chunks with [`feed`](Self::feed), take events
/// with [`next_event`](Self::next_event), and call [`finish`](Self::finish) at the end of input.
pub struct Decoder {
    chunks: VecDeque<Bytes>,
    /// The chunk being scanned, and how far.
    current: Bytes,
    pos: usize,
    /// The start of a line that continues in a later chunk: any line but a `data` line (at
    /// most the first four bytes of one, until its name is known).
    partial: BytesMut,
    /// A `data` line that continues in a later chunk: its value is being written straight into
    /// the event's buffer (`joined`), so that no byte of it is copied twice.
    open_data: Option<OpenData>,
    /// The event's buffer, for data that cannot be a slice of one chunk (`Data::Joined`). Its
    /// contents are split off when the event is dispatched; the allocation is reused once the
    /// event is dropped.
    joined: BytesMut,
    /// The last line ended with `\r`: a `\n` at the start of the next chunk belongs to it.
    after_cr: bool,
    /// The byte order mark has been dealt with.
    bom_done: bool,
    /// Bytes held back at the very start while deciding whether they are a BOM.
    bom_buf: BytesMut,
    event: Option<String>,
    data: Data,
    data_len: usize,
    last_id: Option<Arc<str>>,
    retry: Option<Duration>,
    max_event_size: usize,
    /// Whether `data` lines are checked for UTF-8 here (see [`Decoder::check_data_utf8`]).
    validate_data: bool,
    failed: Option<SseError>,
    /// The event just completed, until it is taken.
    ready: Option<Ready>,
    #[cfg(test)]
    copies: CopyCounts,
}

/// A `data` line being read across chunks into the event's buffer.
struct OpenData {
    /// The byte after the colon has not arrived yet (one space there is not part of the value).
    strip_space: bool,
    /// Where this line's value starts in the event's buffer (checked for UTF-8 once complete).
    start: usize,
}

/// Counts of copies, to test that no data byte is copied twice.
#[cfg(test)]
#[derive(Debug, Default, Clone, Copy)]
struct CopyCounts {
    /// Bytes copied into an event's buffer.
    into_event: usize,
    /// The most bytes the partial-line buffer has held.
    partial_peak: usize,
}

/// A completed event, before it is handed out.
struct Ready {
    event: Option<String>,
    data: ReadyData,
}

enum ReadyData {
    /// A range of the chunk being scanned.
    Current(std::ops::Range<usize>),
    Owned(Bytes),
}

/// A completed event borrowed from the decoder: no reference count, no allocation. What the
/// event types of the streams ([`crate::stream::SseEvent`]) decode from.
#[derive(Debug, Clone, Copy)]
pub struct EventRef<'a> {
    pub(crate) event: Option<&'a str>,
    pub(crate) data: &'a [u8],
    owner: &'a Bytes,
    id: Option<&'a str>,
}

impl<'a> EventRef<'a> {
    /// The event name, if the event had one.
    pub fn event(&self) -> Option<&'a str> {
        self.event
    }

    /// The data (its lines joined with `\n`).
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The data as a shared [`Bytes`] (for errors that keep the raw data).
    pub fn data_bytes(&self) -> Bytes {
        self.owner.slice_ref(self.data)
    }

    /// The last event id of the stream.
    pub fn id(&self) -> Option<&'a str> {
        self.id
    }
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl fmt::Debug for Decoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decoder")
            .field("buffered_chunks", &self.chunks.len())
            .field("partial_line", &self.partial.len())
            .field("max_event_size", &self.max_event_size)
            .finish_non_exhaustive()
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The name of a `data` field and its colon.
const DATA_FIELD: &[u8] = b"data:";

impl Decoder {
    /// A decoder with the default event bound ([`DEFAULT_MAX_EVENT_SIZE`]).
    pub fn new() -> Self {
        Decoder::with_max_event_size(DEFAULT_MAX_EVENT_SIZE)
    }

    /// A decoder that fails when one event (data plus the line being read) exceeds `limit` bytes.
    pub fn with_max_event_size(limit: usize) -> Self {
        Decoder {
            chunks: VecDeque::new(),
            current: Bytes::new(),
            pos: 0,
            partial: BytesMut::new(),
            open_data: None,
            joined: BytesMut::new(),
            after_cr: false,
            bom_done: false,
            bom_buf: BytesMut::new(),
            event: None,
            data: Data::Empty,
            data_len: 0,
            last_id: None,
            retry: None,
            max_event_size: limit,
            validate_data: true,
            failed: None,
            ready: None,
            #[cfg(test)]
            copies: CopyCounts::default(),
        }
    }

    /// Whether `data` is checked for UTF-8 here (the default). A consumer that checks each
    /// payload itself where it decodes it (the SDK's event stream checks every payload in one
    /// pass just before decoding its JSON) can turn it off so that no byte is checked twice.
    /// Event names and ids are checked either way. Without the check, [`Event::data`] returns
    /// `""` for data that is not UTF-8; use [`Event::data_bytes`].
    pub fn check_data_utf8(mut self, check: bool) -> Self {
        self.validate_data = check;
        self
    }

    /// Adds a chunk of input. Nothing is decoded until [`next_event`](Self::next_event) asks.
    pub fn feed(&mut self, chunk: Bytes) {
        if chunk.is_empty() {
            return;
        }
        if !self.bom_done {
            if self.bom_buf.is_empty() && chunk.len() >= BOM.len() {
                // The common case: decide on the first chunk without copying it.
                self.bom_done = true;
                let chunk = if chunk.starts_with(BOM) {
                    chunk.slice(BOM.len()..)
                } else {
                    chunk
                };
                if !chunk.is_empty() {
                    self.chunks.push_back(chunk);
                }
                return;
            }
            self.bom_buf.extend_from_slice(&chunk);
            let held = self.bom_buf.len().min(BOM.len());
            if self.bom_buf[..held] != BOM[..held] {
                self.bom_done = true;
                let all = self.bom_buf.split().freeze();
                self.chunks.push_back(all);
            } else if self.bom_buf.len() >= BOM.len() {
                self.bom_done = true;
                let rest = self.bom_buf.split().freeze().slice(BOM.len()..);
                if !rest.is_empty() {
                    self.chunks.push_back(rest);
                }
            }
            return;
        }
        self.chunks.push_back(chunk);
    }

    /// The next complete event, if the input fed so far holds one.
    ///
    /// After an error, the decoder keeps returning it.
    pub fn next_event(&mut self) -> Option<Result<Event, SseError>> {
        if let Some(range) = self.fast_event() {
            return Some(Ok(Event {
                event: None,
                data: self.current.slice(range),
                id: self.last_id.clone(),
                retry: self.retry,
            }));
        }
        match self.advance()? {
            Ok(()) => Some(Ok(self.take_ready())),
            Err(error) => Some(Err(error)),
        }
    }

    /// Like [`next_event`](Self::next_event), but the event borrows the decoder: the data is a
    /// slice of the input, with no reference count taken. Used by the event stream.
    #[inline]
    pub(crate) fn next_event_ref(&mut self) -> Option<Result<EventRef<'_>, SseError>> {
        if let Some(range) = self.fast_event() {
            return Some(Ok(EventRef {
                event: None,
                data: &self.current[range],
                owner: &self.current,
                id: self.last_id.as_deref(),
            }));
        }
        match self.advance()? {
            Ok(()) => Some(Ok(self.ready_ref())),
            Err(error) => Some(Err(error)),
        }
    }

    /// [`finish`](Self::finish), borrowed like [`next_event_ref`](Self::next_event_ref).
    pub(crate) fn finish_ref(&mut self) -> Option<Result<EventRef<'_>, SseError>> {
        match self.advance_final()? {
            Ok(()) => Some(Ok(self.ready_ref())),
            Err(error) => Some(Err(error)),
        }
    }

    /// Ends the input: returns the events still held, one per call, then `None`. The last one may
    /// be an event the input stopped in the middle of (a stream that ends without the blank line
    /// after its last event), if it has data.
    pub fn finish(&mut self) -> Option<Result<Event, SseError>> {
        match self.advance_final()? {
            Ok(()) => Some(Ok(self.take_ready())),
            Err(error) => Some(Err(error)),
        }
    }

    fn take_ready(&mut self) -> Event {
        let ready = self.ready.take().expect("an event is ready");
        let data = match ready.data {
            ReadyData::Current(range) => self.current.slice(range),
            ReadyData::Owned(bytes) => bytes,
        };
        Event {
            event: ready.event,
            data,
            id: self.last_id.clone(),
            retry: self.retry,
        }
    }

    #[inline]
    fn ready_ref(&self) -> EventRef<'_> {
        let ready = self.ready.as_ref().expect("an event is ready");
        let (owner, data) = match &ready.data {
            ReadyData::Current(range) => (&self.current, &self.current[range.clone()]),
            ReadyData::Owned(bytes) => (bytes, &bytes[..]),
        };
        EventRef {
            event: ready.event.as_deref(),
            data,
            owner,
            id: self.last_id.as_deref(),
        }
    }

    /// The common case in one step: the chunk being scanned holds `data: <payload>\n\n`, a whole
    /// event, next, and no field of a new event was seen yet. Returns the payload's range, or
    /// `None` to take the general path. (UTF-8 is then the consumer's to check, so this applies
    /// only with [`check_data_utf8`](Self::check_data_utf8)`(false)`.)
    #[inline]
    fn fast_event(&mut self) -> Option<std::ops::Range<usize>> {
        if self.validate_data
            || self.failed.is_some()
            || !self.partial.is_empty()
            || self.event.is_some()
            || !matches!(self.data, Data::Empty)
        {
            return None;
        }
        let start = self.pos;
        let rest = self.current.get(start..)?;
        if !rest.starts_with(b"data: ") {
            return None;
        }
        let len = memchr::memchr2(b'\n', b'\r', &rest[6..])?;
        if rest.get(6 + len..8 + len) != Some(b"\n\n") || len > self.max_event_size {
            return None;
        }
        self.pos = start + 8 + len;
        Some(start + 6..start + 6 + len)
    }

    /// Completes the next event into `ready`. `None`: more input is needed.
    fn advance(&mut self) -> Option<Result<(), SseError>> {
        if let Some(error) = &self.failed {
            return Some(Err(error.clone()));
        }
        self.ready = None;
        loop {
            if self.pos >= self.current.len() {
                let chunk = self.chunks.pop_front()?;
                // Data still pointing into the old chunk takes a reference to it.
                if let Data::Current(range) = &self.data {
                    self.data = Data::One(self.current.slice(range.clone()));
                }
                self.current = chunk;
                self.pos = 0;
                if self.after_cr {
                    self.after_cr = false;
                    if self.current[0] == b'\n' {
                        self.pos = 1;
                    }
                }
                continue;
            }
            let chunk = std::mem::take(&mut self.current);
            let result = self.scan(&chunk);
            self.current = chunk;
            match result {
                Ok(true) => return Some(Ok(())),
                Ok(false) => {}
                Err(error) => {
                    self.failed = Some(error.clone());
                    return Some(Err(error));
                }
            }
        }
    }

    /// [`advance`](Self::advance) at the end of input.
    fn advance_final(&mut self) -> Option<Result<(), SseError>> {
        if let Some(result) = self.advance() {
            return Some(result);
        }
        if !self.bom_done && !self.bom_buf.is_empty() {
            // Fewer than three bytes, all a prefix of the BOM: not a BOM after all.
            self.bom_done = true;
            let held = self.bom_buf.split().freeze();
            self.chunks.push_back(held);
            if let Some(result) = self.advance() {
                return Some(result);
            }
        }
        if self.open_data.is_some()
            && let Err(error) = self.close_data()
        {
            self.failed = Some(error.clone());
            return Some(Err(error));
        }
        if !self.partial.is_empty() {
            if let Data::Current(range) = &self.data {
                self.data = Data::One(self.current.slice(range.clone()));
            }
            let line = self.partial.split().freeze();
            let len = line.len();
            if let Err(error) = self.line(&line, 0..len, false) {
                self.failed = Some(error.clone());
                return Some(Err(error));
            }
        }
        self.dispatch().then_some(Ok(()))
    }

    /// Scans the chunk from `pos`; returns true as soon as an event is complete.
    fn scan(&mut self, chunk: &Bytes) -> Result<bool, SseError> {
        while self.pos < chunk.len() {
            if self.open_data.is_some() {
                self.continue_data(chunk)?;
                continue;
            }
            let pos = self.pos;
            // A blank line (the end of an event) is checked for before searching.
            if self.partial.is_empty() && chunk[pos] == b'\n' {
                self.pos = pos + 1;
                if self.dispatch() {
                    return Ok(true);
                }
                continue;
            }
            if !self.partial.is_empty() && DATA_FIELD.starts_with(&self.partial) {
                // The line started in an earlier chunk with (a prefix of) `data:`: once its
                // name is complete, its value goes straight into the event's buffer.
                let known = self.partial.len();
                let wanted = (DATA_FIELD.len() - known).min(chunk.len() - pos);
                let more = &chunk[pos..pos + wanted];
                if DATA_FIELD[known..].starts_with(more) {
                    self.pos = pos + wanted;
                    if known + wanted == DATA_FIELD.len() {
                        self.partial.clear();
                        self.begin_data(chunk);
                    } else {
                        self.partial.extend_from_slice(more);
                        self.count_partial();
                    }
                    continue;
                }
            }
            let Some(offset) = memchr::memchr2(b'\n', b'\r', &chunk[pos..]) else {
                // The line continues in a later chunk.
                let rest = &chunk[pos..];
                if self.partial.is_empty() && rest.starts_with(DATA_FIELD) {
                    self.pos = pos + DATA_FIELD.len();
                    self.begin_data(chunk);
                    continue;
                }
                self.check_size(self.partial.len() + rest.len())?;
                self.partial.extend_from_slice(rest);
                self.count_partial();
                self.pos = chunk.len();
                return Ok(false);
            };
            let end = pos + offset;
            self.pos = self.after_line_end(chunk, end);
            if self.partial.is_empty() {
                if end == pos {
                    if self.dispatch() {
                        return Ok(true);
                    }
                } else {
                    self.line(chunk, pos..end, true)?;
                }
            } else {
                self.check_size(self.partial.len() + (end - pos))?;
                self.partial.extend_from_slice(&chunk[pos..end]);
                self.count_partial();
                let line = self.partial.split().freeze();
                let len = line.len();
                self.line(&line, 0..len, false)?;
            }
        }
        Ok(false)
    }

    /// The position after the line ending at `chunk[end]` (`\n`, `\r` or `\r\n`); notes a `\r`
    /// that ends the chunk, whose `\n` may start the next one.
    fn after_line_end(&mut self, chunk: &[u8], end: usize) -> usize {
        let mut next = end + 1;
        if chunk[end] == b'\r' {
            if next < chunk.len() {
                if chunk[next] == b'\n' {
                    next += 1;
                }
            } else {
                self.after_cr = true;
            }
        }
        next
    }

    /// Starts a `data` line that continues past the chunk being scanned (`chunk`): the data so
    /// far moves into the event's buffer (its one copy), and the value follows it there.
    fn begin_data(&mut self, chunk: &Bytes) {
        let had_data = !matches!(self.data, Data::Empty);
        match std::mem::replace(&mut self.data, Data::Joined) {
            Data::Empty | Data::Joined => {}
            Data::Current(range) => self.copy_into_event(&chunk[range]),
            Data::One(bytes) => self.copy_into_event(&bytes),
        }
        if had_data {
            self.joined.extend_from_slice(b"\n");
            self.data_len += 1;
        }
        self.open_data = Some(OpenData {
            strip_space: true,
            start: self.joined.len(),
        });
    }

    /// Reads more of the open `data` line from `chunk`, into the event's buffer.
    fn continue_data(&mut self, chunk: &Bytes) -> Result<(), SseError> {
        let Some(open) = self.open_data.as_mut() else {
            return Ok(());
        };
        let mut pos = self.pos;
        if open.strip_space {
            open.strip_space = false;
            if chunk[pos] == b' ' {
                pos += 1;
            }
        }
        let rest = &chunk[pos..];
        let end = memchr::memchr2(b'\n', b'\r', rest);
        let value = &rest[..end.unwrap_or(rest.len())];
        self.data_len += value.len();
        self.check_size(0)?;
        self.joined.extend_from_slice(value);
        #[cfg(test)]
        {
            self.copies.into_event += value.len();
        }
        match end {
            Some(offset) => {
                self.pos = self.after_line_end(chunk, pos + offset);
                self.close_data()
            }
            None => {
                self.pos = chunk.len();
                Ok(())
            }
        }
    }

    /// Ends the open `data` line: checks its value for UTF-8 (when this decoder checks data).
    fn close_data(&mut self) -> Result<(), SseError> {
        let Some(open) = self.open_data.take() else {
            return Ok(());
        };
        let value = &self.joined[open.start..];
        if self.validate_data && simdutf8::basic::from_utf8(value).is_err() {
            return Err(SseError::InvalidUtf8 {
                line: Bytes::copy_from_slice(value),
            });
        }
        Ok(())
    }

    /// Appends `bytes` to the event's buffer (their one copy).
    fn copy_into_event(&mut self, bytes: &[u8]) {
        #[cfg(test)]
        {
            self.copies.into_event += bytes.len();
        }
        self.joined.extend_from_slice(bytes);
    }

    #[inline]
    fn count_partial(&mut self) {
        #[cfg(test)]
        {
            self.copies.partial_peak = self.copies.partial_peak.max(self.partial.len());
        }
    }

    fn check_size(&self, pending_line: usize) -> Result<(), SseError> {
        if self.data_len + pending_line > self.max_event_size {
            return Err(SseError::EventTooLarge {
                limit: self.max_event_size,
            });
        }
        Ok(())
    }

    /// Processes one complete, non-empty line: `owner[range]`. Only a `data` value is kept, as a
    /// slice of `owner` (no copy).
    fn line(
        &mut self,
        owner: &Bytes,
        range: std::ops::Range<usize>,
        in_current: bool,
    ) -> Result<(), SseError> {
        let line = &owner[range.clone()];
        if line[0] == b':' {
            return Ok(());
        }
        // The common case first: `data: ` with its one space.
        let (name, value_start) = match line.get(..6) {
            Some(b"data: ") => (&line[..4], 6),
            _ => field(line),
        };
        let is_data = name == b"data";
        if (!is_data || self.validate_data) && simdutf8::basic::from_utf8(line).is_err() {
            return Err(SseError::InvalidUtf8 {
                line: owner.slice(range),
            });
        }
        let value = &line[value_start..];
        match name {
            b"data" => {
                self.data_len += value.len() + usize::from(!matches!(self.data, Data::Empty));
                self.check_size(0)?;
                let value_range = range.start + value_start..range.end;
                match std::mem::replace(&mut self.data, Data::Joined) {
                    Data::Empty if in_current => self.data = Data::Current(value_range),
                    Data::Empty => self.data = Data::One(owner.slice(value_range)),
                    Data::Current(first) => {
                        // `first` is in the chunk being scanned, which is `owner` here.
                        self.copy_into_event(&owner[first]);
                        self.joined.extend_from_slice(b"\n");
                        self.copy_into_event(value);
                    }
                    Data::One(first) => {
                        self.copy_into_event(&first);
                        self.joined.extend_from_slice(b"\n");
                        self.copy_into_event(value);
                    }
                    Data::Joined => {
                        self.joined.extend_from_slice(b"\n");
                        self.copy_into_event(value);
                    }
                }
            }
            b"event" => {
                self.event = Some(utf8(value).to_owned());
            }
            b"id" if !value.contains(&0) => {
                self.last_id = if value.is_empty() {
                    None
                } else {
                    Some(Arc::from(utf8(value)))
                };
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                if let Ok(ms) = utf8(value).parse::<u64>() {
                    self.retry = Some(Duration::from_millis(ms));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Ends the current event: makes it ready if it has data (returns whether it did), and resets
    /// the per-event fields.
    fn dispatch(&mut self) -> bool {
        let event = self.event.take();
        self.data_len = 0;
        let data = match std::mem::replace(&mut self.data, Data::Empty) {
            Data::Empty => return false,
            Data::Current(range) => ReadyData::Current(range),
            Data::One(bytes) => ReadyData::Owned(bytes),
            Data::Joined => ReadyData::Owned(self.joined.split().freeze()),
        };
        self.ready = Some(Ready { event, data });
        true
    }
}

/// Splits a line into its field name and the start of its value (after the colon and one
/// optional space; a line without a colon is a name with an empty value).
fn field(line: &[u8]) -> (&[u8], usize) {
    match memchr::memchr(b':', line) {
        Some(colon) => {
            let start = if line.get(colon + 1) == Some(&b' ') {
                colon + 2
            } else {
                colon + 1
            };
            (&line[..colon], start)
        }
        None => (line, line.len()),
    }
}

/// Text of a line that was already validated.
fn utf8(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_chunks(chunks: &[&[u8]]) -> Vec<Event> {
        decode_counting(chunks, true).0
    }

    fn decode(input: &[u8]) -> Vec<Event> {
        decode_chunks(&[input])
    }

    fn summary(events: &[Event]) -> Vec<(Option<String>, String)> {
        events
            .iter()
            .map(|e| (e.event().map(str::to_owned), e.data().to_owned()))
            .collect()
    }

    #[test]
    fn events_are_split_on_blank_lines_with_every_line_ending() {
        for input in [
            &b"data: a\n\ndata: b\n\n"[..],
            b"data: a\r\n\r\ndata: b\r\n\r\n",
            b"data: a\r\rdata: b\r\r",
            b"data: a\r\n\ndata: b\n\r\n",
        ] {
            assert_eq!(
                summary(&decode(input)),
                [(None, "a".into()), (None, "b".into())],
                "{input:?}"
            );
        }
    }

    #[test]
    fn crlf_split_across_chunks_is_one_line_ending() {
        let events = decode_chunks(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]);
        assert_eq!(summary(&events), [(None, "a\nb".into())]);
    }

    #[test]
    fn fields_follow_the_standard() {
        let input = b": a comment\nevent: tool_status\ndata:no space\ndata:  two spaces\nid: 7\nretry: 1500\nunknown: x\ndata\n\n";
        let events = decode(input);
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.event(), Some("tool_status"));
        assert_eq!(event.data(), "no space\n two spaces\n");
        assert_eq!(event.id(), Some("7"));
        assert_eq!(event.retry(), Some(Duration::from_millis(1500)));
    }

    #[test]
    fn id_carries_over_and_nul_ids_and_bad_retries_are_ignored() {
        let events = decode(
            b"id: 1\ndata: a\n\ndata: b\n\nid: x\0y\nretry: 12a\ndata: c\n\nid\ndata: d\n\n",
        );
        let ids: Vec<Option<&str>> = events.iter().map(Event::id).collect();
        assert_eq!(ids, [Some("1"), Some("1"), Some("1"), None]);
        assert!(events.iter().all(|e| e.retry().is_none()));
    }

    #[test]
    fn events_without_data_are_not_dispatched() {
        let events = decode(b"event: ping\n\n:keepalive\n\ndata: x\n\n");
        assert_eq!(summary(&events), [(None, "x".into())]);
    }

    #[test]
    fn a_bom_is_skipped_even_when_split() {
        let events = decode_chunks(&[b"\xEF", b"\xBB", b"\xBFdata: a\n\n"]);
        assert_eq!(summary(&events), [(None, "a".into())]);
        // Only at the start.
        let events = decode(b"data: a\n\n\xEF\xBB\xBFdata: b\n\n");
        assert_eq!(events.len(), 1);
        // A short stream that merely starts like a BOM is not swallowed.
        let mut decoder = Decoder::new();
        decoder.feed(Bytes::from_static(b"\xEF"));
        assert!(decoder.next_event().is_none());
        assert!(matches!(
            decoder.finish(),
            Some(Err(SseError::InvalidUtf8 { .. }))
        ));
    }

    #[test]
    fn utf8_split_across_chunks_is_reassembled_and_invalid_utf8_is_an_error() {
        let text = "data: héllo wörld ✓\n\n".as_bytes();
        for split in 0..text.len() {
            let events = decode_chunks(&[&text[..split], &text[split..]]);
            assert_eq!(events[0].data(), "héllo wörld ✓", "split at {split}");
        }
        let mut decoder = Decoder::new();
        decoder.feed(Bytes::from_static(b"data: a\n\ndata: \xFF\xFE\n\n"));
        assert_eq!(decoder.next_event().unwrap().unwrap().data(), "a");
        assert!(matches!(
            decoder.next_event(),
            Some(Err(SseError::InvalidUtf8 { .. }))
        ));
        // It stays failed.
        assert!(matches!(
            decoder.next_event(),
            Some(Err(SseError::InvalidUtf8 { .. }))
        ));
    }

    #[test]
    fn an_event_at_end_of_input_is_handed_back_by_finish() {
        let mut decoder = Decoder::new();
        decoder.feed(Bytes::from_static(b"data: whole\n\ndata: cut"));
        assert_eq!(decoder.next_event().unwrap().unwrap().data(), "whole");
        assert!(decoder.next_event().is_none());
        assert_eq!(decoder.finish().unwrap().unwrap().data(), "cut");
        assert!(decoder.finish().is_none());
    }

    #[test]
    fn oversized_events_fail_instead_of_growing() {
        let mut decoder = Decoder::with_max_event_size(16);
        decoder.feed(Bytes::from_static(
            b"data: 0123456789\n\ndata: 0123456789\ndata: 0123456789\n\n",
        ));
        assert_eq!(decoder.next_event().unwrap().unwrap().data(), "0123456789");
        assert_eq!(
            decoder.next_event(),
            Some(Err(SseError::EventTooLarge { limit: 16 }))
        );
        // A line that never ends is bounded too.
        let mut decoder = Decoder::with_max_event_size(16);
        for _ in 0..10 {
            decoder.feed(Bytes::from_static(b"data: xxxxxxxx"));
        }
        assert_eq!(
            decoder.next_event(),
            Some(Err(SseError::EventTooLarge { limit: 16 }))
        );
    }

    /// Decodes `chunks`, returning the events and the decoder's copy counts.
    fn decode_counting(chunks: &[&[u8]], check_utf8: bool) -> (Vec<Event>, CopyCounts) {
        let mut decoder = Decoder::new().check_data_utf8(check_utf8);
        let mut out = Vec::new();
        for chunk in chunks {
            decoder.feed(Bytes::copy_from_slice(chunk));
            while let Some(event) = decoder.next_event() {
                out.push(event.unwrap());
            }
        }
        while let Some(event) = decoder.finish() {
            out.push(event.unwrap());
        }
        (out, decoder.copies)
    }

    #[test]
    fn no_data_byte_is_copied_twice_however_the_input_is_split() {
        let input: &[u8] = "data: first line\ndata: second, longer line\ndata:third\n\n\
            data: {\"a\":1}\r\n\r\ndata: x\rdata: y\r\rdata:\ndata: after an empty line\n\n\
            data: é ü\ndata: 2\n\ndata:  two spaces\ndata\ndata: last"
            .as_bytes();
        for check_utf8 in [true, false] {
            let (whole, _) = decode_counting(&[input], check_utf8);
            assert_eq!(whole.len(), 6);
            assert_eq!(whole[0].data(), "first line\nsecond, longer line\nthird");
            assert_eq!(whole[3].data(), "\nafter an empty line");
            assert_eq!(whole[5].data(), " two spaces\n\nlast");
            // The input's data bytes: the events' data without the `\n`s that join lines.
            let data_bytes: usize = whole
                .iter()
                .map(|e| e.data_bytes().iter().filter(|&&b| b != b'\n').count())
                .sum();
            let mut splits: Vec<Vec<&[u8]>> = vec![input.chunks(1).collect()];
            for i in 1..input.len() {
                splits.push(vec![&input[..i], &input[i..]]);
                for j in i + 1..input.len() {
                    splits.push(vec![&input[..i], &input[i..j], &input[j..]]);
                }
            }
            for chunks in splits {
                let (events, copies) = decode_counting(&chunks, check_utf8);
                assert_eq!(events, whole, "{chunks:?}");
                // Every byte copied into an event's buffer is a byte of its data, once.
                assert!(copies.into_event <= data_bytes, "{copies:?} {chunks:?}");
                // The partial-line buffer never holds more than the name of a `data` field.
                assert!(
                    copies.partial_peak < DATA_FIELD.len(),
                    "{copies:?} {chunks:?}"
                );
            }
        }
    }

    #[test]
    fn single_line_data_within_a_chunk_is_not_copied() {
        let input = Bytes::from_static(b"data: {\"a\":1}\n\n");
        let mut decoder = Decoder::new();
        decoder.feed(input.clone());
        let event = decoder.next_event().unwrap().unwrap();
        let range = input.as_ptr() as usize..input.as_ptr() as usize + input.len();
        assert!(range.contains(&(event.data_bytes().as_ptr() as usize)));
    }
}
