//! Event streams of any operation: [`EventStream<E>`] over the event type `E` of the operation.
//!
//! The stream layer knows events and how a stream ends (a sentinel such as `[DONE]`, a named end
//! event, or the end of the body); what an event *is* belongs to its type, which implements
//! [`SseEvent`]. The event types of the API's streams are generated from its document
//! ([`crate::events`]); what is specific to chat (folding a stream into a result) lives in
//! [`crate::extras::chat`].

pub mod sse;

use std::borrow::Cow;
use std::fmt;
use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use self::sse::{Decoder, EventRef};
use crate::core::error::{
    ApiError, BoxError, Error, StreamTruncated, TimeoutError, TimeoutKind, TransportPhase,
};
use crate::core::operation::{ResponseKind, StreamEnd};
use crate::core::readers::{
    FinishContext, Read, ReadContext, is_json, media_type, unexpected_media,
};
use crate::core::response::Json;
use crate::core::response::{Response, ResponseMeta};
use crate::core::telemetry::{StreamEnding, StreamTrace};

/// The response kind of an operation that answers with an event stream of events `E`: awaiting
/// its call gives an [`EventStream<E>`].
pub struct Events<E>(std::marker::PhantomData<fn() -> E>);

impl<E: SseEvent> ResponseKind for Events<E> {
    type Output = EventStream<E>;
    const ACCEPT: &'static str = "text/event-stream";
}

impl<E: SseEvent> Read for Events<E> {
    type Raw = reqwest::Response;

    async fn read(
        response: reqwest::Response,
        context: ReadContext,
    ) -> Result<reqwest::Response, Error> {
        match media_type(response.headers()) {
            Some(media) if media != "text/event-stream" => {
                Err(unexpected_media(response, context, "text/event-stream", Some(&media)).await)
            }
            _ => Ok(response),
        }
    }

    fn finish(
        response: reqwest::Response,
        meta: ResponseMeta,
        context: FinishContext,
    ) -> Result<EventStream<E>, Error> {
        Ok(EventStream::new(
            response,
            meta,
            context.read_timeout,
            context
                .max_event_size
                .unwrap_or(sse::DEFAULT_MAX_EVENT_SIZE),
            context.info.stream_end,
            context.trace.into_stream(),
        ))
    }
}

/// The response kind of an operation that answers either JSON (`T`) or an event stream of
/// events `E`, as the server chooses, told apart by the answer's content type. The request
/// accepts both, and its body is sent as given (its `stream` field decides).
pub struct JsonOrEvents<T, E>(std::marker::PhantomData<fn() -> (T, E)>);

/// What a call that answers JSON or an event stream gave: the whole answer (with its metadata),
/// or its events (an [`EventStream`], or the blocking client's iterator of them).
#[derive(Debug)]
// Returned once per call and matched at once: boxing the stream would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum JsonOrStream<T, S> {
    /// The answer was JSON (the request had `"stream": false`).
    Json(T),
    /// The answer was an event stream (the request had `"stream": true`).
    Stream(S),
}

impl<T: DeserializeOwned + Send + 'static, E: SseEvent> ResponseKind for JsonOrEvents<T, E> {
    type Output = JsonOrStream<Response<T>, EventStream<E>>;
    const ACCEPT: &'static str = "application/json, text/event-stream";
}

/// A success answer of [`JsonOrEvents`], as read inside the attempt.
#[doc(hidden)]
pub enum JsonOrResponse {
    Json(Bytes),
    Stream(reqwest::Response),
}

impl<T: DeserializeOwned + Send + 'static, E: SseEvent> Read for JsonOrEvents<T, E> {
    type Raw = JsonOrResponse;

    async fn read(
        response: reqwest::Response,
        context: ReadContext,
    ) -> Result<JsonOrResponse, Error> {
        match media_type(response.headers()).as_deref() {
            Some("text/event-stream") => Ok(JsonOrResponse::Stream(response)),
            Some(media) if is_json(media) => Ok(JsonOrResponse::Json(
                <Json<T> as Read>::read(response, context).await?,
            )),
            other => {
                let other = other.map(str::to_owned);
                Err(unexpected_media(
                    response,
                    context,
                    "application/json or text/event-stream",
                    other.as_deref(),
                )
                .await)
            }
        }
    }

    fn finish(
        raw: JsonOrResponse,
        meta: ResponseMeta,
        context: FinishContext,
    ) -> Result<JsonOrStream<Response<T>, EventStream<E>>, Error> {
        Ok(match raw {
            JsonOrResponse::Json(body) => {
                JsonOrStream::Json(<Json<T> as Read>::finish(body, meta, context)?)
            }
            JsonOrResponse::Stream(response) => {
                JsonOrStream::Stream(<Events<E> as Read>::finish(response, meta, context)?)
            }
        })
    }
}

/// The type of the events of a stream: decodes one server-sent event.
///
/// Implemented by the generated event enums of [`crate::events`]; implement it for a type of your
/// own to read another stream with [`EventStream::from_byte_stream`].
pub trait SseEvent: Sized + Send + 'static {
    /// Decodes one event. An error ends the stream (after every event before it was delivered).
    fn decode(event: &EventRef<'_>, context: &Decoding<'_>) -> Result<Self, Error>;
}

/// What an event decoder may need from the stream: its response, for API errors.
#[derive(Debug)]
pub struct Decoding<'a> {
    status: StatusCode,
    headers: &'a HeaderMap,
}

impl Decoding<'_> {
    /// Decodes the event's data as JSON of type `T`. When it does not decode and is an error
    /// payload (an object with an `error` member), the result is the API error it carries;
    /// otherwise a decode error naming `what`, with the raw data.
    pub fn json<T: DeserializeOwned>(&self, event: &EventRef<'_>, what: &str) -> Result<T, Error> {
        match crate::core::json::from_slice::<T>(event.data) {
            Ok(value) => Ok(value),
            Err(error) => Err(self.undecodable(event, what, error)),
        }
    }

    /// The API error an `error` event carries.
    pub fn api_error(&self, event: &EventRef<'_>) -> Error {
        Error::Api(Box::new(ApiError::new(
            self.status,
            self.headers.clone(),
            event.data_bytes(),
            true,
        )))
    }

    /// An event this SDK does not know, kept as it arrived.
    pub fn unknown(&self, event: &EventRef<'_>) -> Result<UnknownEvent, Error> {
        let data = std::str::from_utf8(event.data).map_err(|_| {
            Error::protocol(format!(
                "the data of a {:?} event is not valid UTF-8",
                event.event.unwrap_or("message")
            ))
        })?;
        Ok(UnknownEvent {
            event: event.event.unwrap_or("message").to_owned(),
            data: data.to_owned(),
            id: event.id().map(str::to_owned),
        })
    }

    #[cold]
    fn undecodable(&self, event: &EventRef<'_>, what: &str, error: serde_json::Error) -> Error {
        let is_error_payload = serde_json::from_slice::<serde_json::Value>(event.data)
            .ok()
            .is_some_and(|v| v.get("error").is_some());
        if is_error_payload {
            self.api_error(event)
        } else {
            Error::decode(what, event.data_bytes(), Some(error))
        }
    }
}

/// The kind of an event: its SSE name, or for an event without a name (or named `message`), the
/// value of the data's `tag` property when the stream has one, else `None`.
pub fn event_kind<'e>(event: &EventRef<'e>, tag: Option<&str>) -> Option<Cow<'e, str>> {
    match event.event {
        Some(name) if !name.is_empty() && name != "message" => Some(Cow::Borrowed(name)),
        _ => tag.and_then(|tag| peek_tag(event.data, tag).map(Cow::Owned)),
    }
}

/// The string value of the top-level property `tag` of a JSON object, without decoding the rest
/// into values.
fn peek_tag(data: &[u8], tag: &str) -> Option<String> {
    struct Peek<'t>(&'t str);
    impl<'de> serde::de::DeserializeSeed<'de> for Peek<'_> {
        type Value = Option<String>;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> serde::de::Visitor<'de> for Peek<'_> {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                if key == self.0 && found.is_none() {
                    found = map.next_value::<Option<String>>()?;
                } else {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    let mut deserializer = serde_json::Deserializer::from_slice(data);
    serde::de::DeserializeSeed::deserialize(Peek(tag), &mut deserializer)
        .ok()
        .flatten()
}

/// An event with a name (or a kind) this SDK does not know, kept as it arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownEvent {
    /// The SSE event name (`message` for an event without one).
    pub event: String,
    /// The raw data.
    pub data: String,
    /// The last event id of the stream, if any.
    pub id: Option<String>,
}

type Body = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send>>;

/// What is left of the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading.
    Open,
    /// The body ended; handing back what the decoder still holds.
    Draining,
    /// Finished: the end was reached, or an error was yielded.
    Closed,
}

/// The events of a streamed call: a `Stream<Item = Result<E, Error>>`.
///
/// - It ends (`None`) at the stream's end: after its sentinel (`[DONE]`, not delivered) or after
///   its last event (delivered), as the API document says for the operation; anything the server
///   sends after that is ignored. A stream without either ends when the body ends.
/// - If the body ends before that end, every event that did arrive is yielded first, then
///   [`Error::StreamTruncated`]. A connection reset likewise yields the events that arrived, then
///   [`Error::Transport`].
/// - An error payload inside the stream (an `error` event) becomes [`Error::Api`] (with
///   `in_stream` set).
/// - Events of kinds this SDK does not know are delivered as the event type's `Unknown` variant.
/// - The read timeout bounds the silence between chunks, not the length of the stream.
/// - After an error the stream yields `None`. Dropping it closes the connection.
pub struct EventStream<E> {
    body: Option<Body>,
    decoder: Decoder,
    read_timeout: Option<Duration>,
    idle: Option<Pin<Box<tokio::time::Sleep>>>,
    state: State,
    delivered: u64,
    meta: ResponseMeta,
    end: StreamEnd,
    /// The call's span, while it is wanted and the stream has not ended.
    trace: Option<Box<StreamTrace>>,
    _event: std::marker::PhantomData<fn() -> E>,
}

impl<E> fmt::Debug for EventStream<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("event", &std::any::type_name::<E>())
            .field("status", &self.meta.status())
            .field("request_id", &self.request_id())
            .field("state", &self.state)
            .field("delivered", &self.delivered)
            .finish_non_exhaustive()
    }
}

impl<E: SseEvent> EventStream<E> {
    pub(crate) fn new(
        response: reqwest::Response,
        meta: ResponseMeta,
        read_timeout: Option<Duration>,
        max_event_size: usize,
        end: StreamEnd,
        trace: Option<Box<StreamTrace>>,
    ) -> Self {
        let body = futures::TryStreamExt::map_err(response.bytes_stream(), BoxError::from);
        Self::from_parts(
            Box::pin(body),
            meta,
            read_timeout,
            max_event_size,
            end,
            trace,
        )
    }

    fn from_parts(
        body: Body,
        meta: ResponseMeta,
        read_timeout: Option<Duration>,
        max_event_size: usize,
        end: StreamEnd,
        trace: Option<Box<StreamTrace>>,
    ) -> Self {
        EventStream {
            body: Some(body),
            // Every payload's UTF-8 is checked once, in one pass, where it is decoded
            // (`crate::core::json::from_slice`); the decoder need not check it too.
            decoder: Decoder::with_max_event_size(max_event_size).check_data_utf8(false),
            read_timeout,
            idle: read_timeout.map(|d| Box::pin(tokio::time::sleep(d))),
            state: State::Open,
            delivered: 0,
            meta,
            end,
            trace,
            _event: std::marker::PhantomData,
        }
    }

    /// An event stream over any byte stream, e.g. a recorded transcript or a body read by other
    /// means, ending as `end` says. An error of the byte stream ends the event stream with
    /// [`Error::Transport`]. There is no read timeout; the status is reported as 200.
    pub fn from_byte_stream<S, X>(bytes: S, end: StreamEnd) -> Self
    where
        S: Stream<Item = Result<Bytes, X>> + Send + 'static,
        X: Into<BoxError> + 'static,
    {
        use futures::TryStreamExt;
        Self::from_parts(
            Box::pin(bytes.map_err(Into::into)),
            ResponseMeta::detached(),
            None,
            sse::DEFAULT_MAX_EVENT_SIZE,
            end,
            None,
        )
    }
}

impl<E> EventStream<E> {
    /// The metadata of the stream's response: status, headers, request id, the attempts it
    /// took to start, the time until its headers arrived, rate limits.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The HTTP status of the stream's response.
    pub fn status(&self) -> StatusCode {
        self.meta.status()
    }

    /// The headers of the stream's response.
    pub fn headers(&self) -> &HeaderMap {
        self.meta.headers()
    }

    /// The request id the server assigned, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id()
    }

    /// How many events have been yielded so far.
    pub fn events_delivered(&self) -> u64 {
        self.delivered
    }

    /// Ends the stream: at its end (`error` is `None`), or with the error it yields.
    fn close(&mut self, error: Option<&Error>) {
        self.state = State::Closed;
        self.body = None;
        self.idle = None;
        if let Some(trace) = self.trace.take() {
            let ending = match error {
                None => StreamEnding::Completed,
                Some(_) => StreamEnding::Failed,
            };
            trace.end(ending, error, self.delivered);
        }
    }

    fn truncated(&self, partial: Bytes) -> Error {
        Error::StreamTruncated(StreamTruncated {
            events_delivered: self.delivered,
            partial,
        })
    }
}

/// Whether an event ends the stream: `Some(false)` for a sentinel (not delivered), `Some(true)`
/// for an end event (delivered), `None` for any other event.
fn ending(end: StreamEnd, event: &EventRef<'_>) -> Option<bool> {
    match end {
        StreamEnd::Sentinel(sentinel) => (event.data == sentinel.as_bytes()).then_some(false),
        StreamEnd::Events(names) => event_kind(event, Some("type"))
            .filter(|k| names.contains(&k.as_ref()))
            .map(|_| true),
        StreamEnd::Eof => None,
    }
}

impl<E: SseEvent> EventStream<E> {
    /// The next event already in the decoder, decoded: `None` when it needs more bytes.
    fn next_buffered(&mut self) -> Option<Option<Result<E, Error>>> {
        let outcome = match self.decoder.next_event_ref()? {
            Err(error) => Err(Some(Error::protocol(error.to_string()))),
            Ok(event) => match ending(self.end, &event) {
                // The sentinel: the end, not delivered.
                Some(false) => Err(None),
                ends => {
                    let context = Decoding {
                        status: self.meta.status(),
                        headers: self.meta.headers(),
                    };
                    let decoded = E::decode(&event, &context);
                    if decoded.is_ok()
                        && let Some(trace) = self.trace.as_deref_mut()
                    {
                        trace.event(event.data, self.delivered + 1);
                    }
                    decoded.map(|item| (item, ends.is_some())).map_err(Some)
                }
            },
        };
        Some(match outcome {
            Ok((item, last)) => {
                self.delivered += 1;
                if last {
                    self.close(None);
                }
                Some(Ok(item))
            }
            Err(None) => {
                self.close(None);
                None
            }
            Err(Some(error)) => {
                self.close(Some(&error));
                Some(Err(error))
            }
        })
    }

    /// What is left once the body ended: an event without its final blank line, the end, or a
    /// truncation.
    fn drain(&mut self) -> Option<Result<E, Error>> {
        let context = Decoding {
            status: self.meta.status(),
            headers: self.meta.headers(),
        };
        let outcome = match self.decoder.finish_ref() {
            None => Err(None),
            Some(Err(error)) => Err(Some(Error::protocol(error.to_string()))),
            Some(Ok(event)) => {
                let ends = ending(self.end, &event);
                match ends {
                    Some(false) => Ok(None),
                    _ => match E::decode(&event, &context) {
                        Ok(item) => {
                            if let Some(trace) = self.trace.as_deref_mut() {
                                trace.event(event.data, self.delivered + 1);
                            }
                            Ok(Some((item, ends.is_some())))
                        }
                        // An API error is the server's answer, complete or not.
                        Err(error @ Error::Api(_)) => Err(Some(error)),
                        Err(_) => Err(Some(Error::StreamTruncated(StreamTruncated {
                            events_delivered: self.delivered,
                            partial: event.data_bytes(),
                        }))),
                    },
                }
            }
        };
        match outcome {
            Ok(None) => {
                self.close(None);
                None
            }
            Ok(Some((item, last))) => {
                // Delivered; the stream then ends: cleanly after its end event or when it ends
                // at EOF, as a truncation otherwise (on the next poll).
                self.delivered += 1;
                if last || self.end == StreamEnd::Eof {
                    self.close(None);
                }
                Some(Ok(item))
            }
            Err(Some(error)) => {
                self.close(Some(&error));
                Some(Err(error))
            }
            Err(None) => {
                let error = match self.end {
                    StreamEnd::Eof => None,
                    _ => Some(self.truncated(Bytes::new())),
                };
                self.close(error.as_ref());
                error.map(Err)
            }
        }
    }

    /// Reads more of the body into the decoder: `Ready(Some(..))` for an error that ends the
    /// stream, `Ready(None)` when there is more to decode (or the body ended), `Pending` while
    /// nothing arrived and the read timeout has not passed.
    fn poll_body(&mut self, cx: &mut Context<'_>) -> Poll<Option<Error>> {
        let Some(body) = self.body.as_mut() else {
            self.state = State::Draining;
            return Poll::Ready(None);
        };
        match body.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(bytes))) => {
                self.decoder.feed(bytes);
                if let (Some(idle), Some(limit)) = (self.idle.as_mut(), self.read_timeout) {
                    idle.as_mut().reset(tokio::time::Instant::now() + limit);
                }
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(error))) => {
                let error = Error::transport(TransportPhase::ReadStream, error);
                self.close(Some(&error));
                Poll::Ready(Some(error))
            }
            Poll::Ready(None) => {
                self.body = None;
                self.idle = None;
                self.state = State::Draining;
                Poll::Ready(None)
            }
            Poll::Pending => {
                if let (Some(idle), Some(limit)) = (self.idle.as_mut(), self.read_timeout)
                    && idle.as_mut().poll(cx).is_ready()
                {
                    let error = Error::Timeout(TimeoutError {
                        kind: TimeoutKind::Read,
                        after: limit,
                    });
                    self.close(Some(&error));
                    return Poll::Ready(Some(error));
                }
                Poll::Pending
            }
        }
    }
}

impl<E: SseEvent> Stream for EventStream<E> {
    type Item = Result<E, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            match this.state {
                State::Closed => return Poll::Ready(None),
                State::Draining => return Poll::Ready(this.drain()),
                State::Open => {}
            }
            if let Some(item) = this.next_buffered() {
                return Poll::Ready(item);
            }
            if let Some(error) = std::task::ready!(this.poll_body(cx)) {
                return Poll::Ready(Some(Err(error)));
            }
        }
    }
}

impl<E> Drop for EventStream<E> {
    fn drop(&mut self) {
        // A stream dropped before its end: its span records how far it got, then closes.
        if let Some(trace) = self.trace.take() {
            trace.end(StreamEnding::Dropped, None, self.delivered);
        }
    }
}
