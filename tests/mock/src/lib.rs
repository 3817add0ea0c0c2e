//! `friendli-mock`: a local server that speaks the Friendli tool-assisted chat wire protocol.
//!
//! It serves `POST /serverless/tools/v1/chat/completions` on `127.0.0.1`, in both modes:
//! `"stream": false` answers a `chat.completion` JSON document, `"stream": true` a
//! `text/event-stream` of `tool_status` events, chunks, an optional usage chunk and `[DONE]`.
//! Requests need `Authorization: Bearer …` (401 otherwise) and must validate against the JSON
//! Schema of the project's OpenAPI document (422 naming the offending field otherwise). The
//! answers come from a deterministic scripted assistant that really runs the calculator,
//! statistics and calendar tools (see [`assistant`]).
//!
//! Tests queue [`Scenario`]s to script failures, transcripts and stream faults, and read back
//! every request the server received. The server runs on its own thread and runtime, so it works
//! the same from async tests, blocking tests and examples.
//!
//! ```no_run
//! use friendli_mock::{MockServer, Scenario};
//!
//! let server = MockServer::start();
//! server.push(Scenario::fail(503).retry_after("1").times(2));
//! // … point a client at server.url() …
//! assert_eq!(server.requests().len(), 0);
//! ```
//!
//! This crate does not depend on the `friendli` crate, so that crate's tests and examples can use
//! it.

pub mod assistant;
pub mod scenario;
pub mod schema;
pub mod tools;
pub mod wire;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

pub use scenario::{Fault, Gate, LineEnding, Reply, Scenario, StreamShape};
pub use wire::SseEvent;

use scenario::Segment;

/// The path of the tool-assisted chat operation.
pub const CHAT_PATH: &str = "/serverless/tools/v1/chat/completions";

/// A request the server received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The method.
    pub method: String,
    /// The path (and query).
    pub path: String,
    /// The headers, in order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

impl RecordedRequest {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Settings of a server.
#[derive(Debug, Clone, Default)]
pub struct MockConfig {
    /// The port (0 picks a free one).
    pub port: u16,
    /// Accept only this token; any `Bearer` token is accepted when `None`.
    pub token: Option<String>,
}

struct State {
    config: MockConfig,
    scenarios: Mutex<VecDeque<Scenario>>,
    requests: Mutex<Vec<RecordedRequest>>,
    counter: AtomicU64,
    disconnects: AtomicUsize,
    completed_streams: AtomicUsize,
}

/// A running mock server. Dropping it stops the server.
pub struct MockServer {
    url: String,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

type Body = UnsyncBoxBody<Bytes, std::io::Error>;

impl MockServer {
    /// Starts a server on a free port of 127.0.0.1 that accepts any bearer token.
    ///
    /// # Panics
    ///
    /// If no port can be bound (a test machine without loopback networking).
    pub fn start() -> MockServer {
        MockServer::start_with(MockConfig::default())
            .expect("friendli-mock: cannot listen on 127.0.0.1")
    }

    /// Starts a server with these settings.
    pub fn start_with(config: MockConfig) -> std::io::Result<MockServer> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", config.port))?;
        listener.set_nonblocking(true)?;
        let url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(State {
            config,
            scenarios: Mutex::new(VecDeque::new()),
            requests: Mutex::new(Vec::new()),
            counter: AtomicU64::new(0),
            disconnects: AtomicUsize::new(0),
            completed_streams: AtomicUsize::new(0),
        });
        let (shutdown, mut stop) = oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let serving = Arc::clone(&state);
        std::thread::Builder::new().name("friendli-mock".into()).spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else { return };
                loop {
                    tokio::select! {
                        _ = &mut stop => break,
                        accepted = listener.accept() => {
                            let Ok((stream, _)) = accepted else { continue };
                            let _ = stream.set_nodelay(true);
                            let state = Arc::clone(&serving);
                            tokio::spawn(async move {
                                let service = hyper::service::service_fn(move |request| handle(Arc::clone(&state), request));
                                let _ = hyper::server::conn::http1::Builder::new()
                                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                                    .await;
                            });
                        }
                    }
                }
            });
        })?;
        Ok(MockServer {
            url,
            state,
            shutdown: Some(shutdown),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:43125`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Queues a scenario: the next requests get it (in queue order) instead of the assistant.
    pub fn push(&self, scenario: Scenario) {
        if scenario.times > 0 {
            lock(&self.state.scenarios).push_back(scenario);
        }
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.requests).clone()
    }

    /// The number of requests received so far.
    pub fn request_count(&self) -> usize {
        lock(&self.state.requests).len()
    }

    /// Streams whose client went away before the stream was written to its end.
    pub fn disconnects(&self) -> usize {
        self.state.disconnects.load(Ordering::SeqCst)
    }

    /// Streamed bodies written to their end.
    pub fn completed_streams(&self) -> usize {
        self.state.completed_streams.load(Ordering::SeqCst)
    }

    /// Waits until at least `n` streams lost their client, or `limit` passes. Returns whether
    /// they did. (Async, so that a client on the same runtime can close its connections
    /// meanwhile; see [`wait_for_disconnects_blocking`](Self::wait_for_disconnects_blocking).)
    pub async fn wait_for_disconnects(&self, n: usize, limit: Duration) -> bool {
        let start = std::time::Instant::now();
        while self.disconnects() < n {
            if start.elapsed() > limit {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        true
    }

    /// [`wait_for_disconnects`](Self::wait_for_disconnects) for code without an async runtime.
    pub fn wait_for_disconnects_blocking(&self, n: usize, limit: Duration) -> bool {
        let start = std::time::Instant::now();
        while self.disconnects() < n {
            if start.elapsed() > limit {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn next_scenario(state: &State) -> Scenario {
    let mut queue = lock(&state.scenarios);
    match queue.front_mut() {
        Some(front) if front.times > 1 => {
            front.times -= 1;
            front.clone()
        }
        Some(_) => queue.pop_front().unwrap_or_else(Scenario::assistant),
        None => Scenario::assistant(),
    }
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never: Infallible| match never {})
        .boxed_unsync()
}

fn json_response(status: StatusCode, body: &Value) -> Response<Body> {
    let mut response = Response::new(full(body.to_string()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn error_body(message: &str) -> Value {
    json!({"message": message})
}

/// Handles one request. An `Err` closes the connection without a response.
async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Body>, std::io::Error> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let number = state.counter.fetch_add(1, Ordering::SeqCst) + 1;
    lock(&state.requests).push(RecordedRequest {
        method: parts.method.to_string(),
        path: parts
            .uri
            .path_and_query()
            .map(ToString::to_string)
            .unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.clone(),
    });
    let request_id = format!("mock-req-{number}");

    let mut response = if parts.uri.path() != CHAT_PATH {
        json_response(
            StatusCode::NOT_FOUND,
            &error_body(&format!("friendli-mock: no route for {}", parts.uri.path())),
        )
    } else if parts.method != hyper::Method::POST {
        json_response(
            StatusCode::METHOD_NOT_ALLOWED,
            &error_body("friendli-mock: use POST"),
        )
    } else if let Some(refusal) = check_auth(&state.config, &parts.headers) {
        json_response(StatusCode::UNAUTHORIZED, &error_body(refusal))
    } else {
        let scenario = next_scenario(&state);
        if !scenario.delay.is_zero() {
            tokio::time::sleep(scenario.delay).await;
        }
        let mut response = match &scenario.reply {
            Reply::DropConnection => {
                return Err(std::io::Error::other(
                    "friendli-mock: scripted dropped connection",
                ));
            }
            Reply::Raw {
                status,
                content_type,
                body,
            } => {
                let segments = vec![Segment::Bytes(body.clone())];
                let mut response =
                    Response::new(write_body(&state, segments, &scenario.shape, false));
                *response.status_mut() =
                    StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                if let Ok(value) = HeaderValue::from_str(content_type) {
                    response.headers_mut().insert(CONTENT_TYPE, value);
                }
                response
            }
            Reply::Transcript(bytes) => {
                let segments = vec![Segment::Bytes(bytes.clone())];
                event_stream_response(write_body(&state, segments, &scenario.shape, true))
            }
            Reply::Assistant => assistant_response(&state, &body, &scenario.shape, number),
        };
        for (name, value) in &scenario.headers {
            if let (Ok(name), Ok(value)) = (
                hyper::header::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    Ok(response)
}

fn check_auth(config: &MockConfig, headers: &hyper::HeaderMap) -> Option<&'static str> {
    let value = headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let token = value.and_then(|v| {
        v.get(..7)
            .filter(|p| p.eq_ignore_ascii_case("bearer "))
            .map(|_| v[7..].trim())
    });
    match (token, &config.token) {
        (None, _) | (Some(""), _) => Some(
            "friendli-mock: missing or malformed Authorization header (expected `Bearer <token>`)",
        ),
        (Some(given), Some(expected)) if given != expected => Some("friendli-mock: invalid token"),
        _ => None,
    }
}

fn event_stream_response(body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    response
        .headers_mut()
        .insert("cache-control", HeaderValue::from_static("no-cache"));
    response
}

fn assistant_response(
    state: &Arc<State>,
    body: &Bytes,
    shape: &StreamShape,
    number: u64,
) -> Response<Body> {
    let request: Value = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(error) => {
            return json_response(
                StatusCode::BAD_REQUEST,
                &error_body(&format!(
                    "friendli-mock: the body is not valid JSON: {error}"
                )),
            );
        }
    };
    let violations = schema::validate("ToolAssistedChatRequest", &request);
    if let Some(first) = violations.first() {
        let detail: Vec<Value> = violations
            .iter()
            .map(|v| {
                let mut loc = vec![json!("body")];
                loc.extend(
                    v.pointer
                        .split('/')
                        .skip(1)
                        .map(|t| match t.parse::<u64>() {
                            Ok(i) => json!(i),
                            Err(_) => json!(t),
                        }),
                );
                json!({"loc": loc, "msg": v.message, "type": "value_error"})
            })
            .collect();
        let field = if first.pointer.is_empty() {
            "body".to_owned()
        } else {
            format!("body{}", first.pointer)
        };
        let body = json!({"message": format!("invalid request: {field}: {}", first.message), "detail": detail});
        return json_response(StatusCode::UNPROCESSABLE_ENTITY, &body);
    }
    let turn = assistant::respond(&request, number);
    let id = format!("chatcmpl-mock-{number}");
    if request["stream"] == true {
        let include_usage = request.pointer("/stream_options/include_usage") == Some(&json!(true));
        let events = wire::stream_events(&turn, &id, include_usage);
        let segments = scenario::stream_segments(&events, shape);
        event_stream_response(write_body(state, segments, shape, true))
    } else {
        let body = wire::completion_body(&turn, &id);
        let mut response = json_response(StatusCode::OK, &body);
        if !shape.chunk_sizes.is_empty() || !shape.faults.is_empty() || !shape.chunk_delay.is_zero()
        {
            *response.body_mut() = write_body(
                state,
                vec![Segment::Bytes(Bytes::from(body.to_string()))],
                shape,
                false,
            );
        }
        response
    }
}

/// A body written by a task: chunked, delayed, stalled, gated or aborted as the shape says.
fn write_body(
    state: &Arc<State>,
    segments: Vec<Segment>,
    shape: &StreamShape,
    is_stream: bool,
) -> Body {
    let segments = scenario::chunk_segments(segments, shape);
    let plain = !is_stream && segments.len() == 1 && shape.chunk_delay.is_zero();
    if plain && let Some(Segment::Bytes(bytes)) = segments.first() {
        return full(bytes.clone());
    }
    let (tx, rx) = mpsc::channel::<Result<Frame<Bytes>, std::io::Error>>(1);
    let delay = shape.chunk_delay;
    let state = Arc::clone(state);
    tokio::spawn(async move {
        let mut first = true;
        for segment in segments {
            let gone = match segment {
                Segment::Bytes(bytes) => {
                    if !first && !delay.is_zero() && pause(&tx, tokio::time::sleep(delay)).await {
                        true
                    } else {
                        first = false;
                        tx.send(Ok(Frame::data(bytes))).await.is_err()
                    }
                }
                Segment::Stall(duration) => pause(&tx, tokio::time::sleep(duration)).await,
                Segment::Gate(gate) => pause(&tx, gate.wait()).await,
                Segment::Abort => {
                    let _ = tx
                        .send(Err(std::io::Error::other(
                            "friendli-mock: scripted connection reset",
                        )))
                        .await;
                    return;
                }
            };
            if gone {
                state.disconnects.fetch_add(1, Ordering::SeqCst);
                return;
            }
        }
        if is_stream {
            state.completed_streams.fetch_add(1, Ordering::SeqCst);
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    BodyExt::boxed_unsync(StreamBody::new(stream.boxed()))
}

/// Waits for `wait`, unless the client goes away first (returns true then).
async fn pause<T>(tx: &mpsc::Sender<T>, wait: impl std::future::Future) -> bool {
    tokio::select! {
        _ = tx.closed() => true,
        _ = wait => false,
    }
}
