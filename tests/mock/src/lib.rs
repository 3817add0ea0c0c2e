//! `friendli-mock`: a local server that answers every operation of the Friendli API, from the
//! API's own OpenAPI document.
//!
//! It serves, on `127.0.0.1`, every path and method of the document this SDK is generated from
//! (84 operations: serverless, dedicated, container and platform), with a route table built from
//! the document at startup:
//!
//! - **requests are checked** against the operation's schemas: path and query parameters, JSON
//!   bodies, multipart forms (a `422` with `{"detail": [{"loc", "msg", "type"}]}` names each
//!   offending field); an unknown path gets `404`, a known path with another method `405`;
//!   serverless, dedicated and platform operations need `Authorization: Bearer …` (`401`
//!   otherwise), container operations (`/v1/…`, `/classify`) need none, as the document says;
//! - **chat, completions, messages, responses, tokenize and detokenize answer realistically**:
//!   a deterministic scripted assistant (see [`assistant`]) that really runs the calculator,
//!   statistics and calendar tools of tool-assisted chat, calls your functions with arguments
//!   read from the message and valid against their schema, and streams each API's events
//!   (tool calls in OpenAI-style fragments, a multi-byte character cut across two body chunks);
//!   a reversible [`tokenizer`]; dedicated [`embeddings`] are deterministic vectors of the text;
//! - **dedicated endpoints keep state** (see [`endpoints`]): created, listed, started through
//!   their phases over a few status reads, put to sleep, woken, restarted, updated, terminated
//!   and deleted; inference on one that does not run fails as it would;
//! - **files and datasets keep state** (see [`platform`]):
//!   `init_upload` answers a presigned URL on this server's own storage route
//!   ([`STORAGE_PATH`]), which takes the multipart POST as S3 does (the issued fields back, then
//!   the bytes; `204`), so that `complete_upload` and `get_info` report the upload; datasets,
//!   splits and samples are kept, so that samples added are listed;
//! - **every list pages over what is stored**, with `limit` and the cursor it gave, and ends;
//! - **every other operation answers from its response schema**: a deterministic, schema-valid
//!   instance (see [`generate`]), or a short event stream ending the way the document says
//!   (`data: [DONE]`, or a final named event such as `message_stop`); a generated page is a
//!   last page.
//!
//! The request body's `"stream": true` (or the form field `stream=true`) selects the
//! event-stream twin of an operation (the document's `…#stream` path keys).
//!
//! Tests queue [`Scenario`]s to script failures, transcripts and faults, for whatever request
//! comes next ([`MockServer::push`]) or for one operation ([`MockServer::push_for`]); a scripted
//! answer wins over the server's own (stored state included). They read
//! back every request the server received with the operation it matched. The server runs on its
//! own thread and runtime, so it works the same from async tests, blocking tests and examples.
//!
//! ```no_run
//! use friendli_mock::{MockServer, Scenario};
//!
//! let server = MockServer::start();
//! server.push(Scenario::fail(503).retry_after("1").times(2));
//! server.push_for("serverlessTokenization", Scenario::fail(429));
//! // … point a client at server.url() …
//! assert_eq!(server.requests().len(), 0);
//! ```
//!
//! This crate does not depend on the `friendli` crate, so that crate's tests and examples can use
//! it.

pub mod assistant;
pub mod embeddings;
pub mod endpoints;
pub mod generate;
mod messages;
pub mod multipart;
pub mod platform;
mod prompt;
mod respond;
mod responses;
pub mod scenario;
pub mod schema;
pub mod spec;
pub mod tokenizer;
pub mod tools;
pub mod wire;

use std::collections::{HashMap, VecDeque};
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

pub use spec::{Operation, operation, operations};

pub use platform::{SAMPLE_VERSION, STORAGE_DOWNLOAD, STORAGE_PATH, STORAGE_UPLOAD, StoredFile};
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
    /// The `operationId` of the operation the request matched (`None`: no operation has its
    /// path and method). For a path with an event-stream twin, the body's `stream` decides.
    /// Requests of the storage server are [`STORAGE_UPLOAD`] (POST) and [`STORAGE_DOWNLOAD`].
    pub operation_id: Option<String>,
    /// The path parameters, e.g. `[("endpoint_id", "ep-1")]`, decoded.
    pub path_params: Vec<(String, String)>,
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

    /// The query parameters, decoded, in order (a repeated name appears once per value).
    pub fn query(&self) -> Vec<(String, String)> {
        self.path
            .split_once('?')
            .map(|(_, query)| spec::parse_query(query))
            .unwrap_or_default()
    }

    /// The value of a path parameter.
    pub fn path_param(&self, name: &str) -> Option<&str> {
        self.path_params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The parts of a `multipart/form-data` body (`None` for other bodies, or one that does not
    /// parse).
    pub fn form(&self) -> Option<Vec<multipart::Part>> {
        multipart::parse(self.header("content-type")?, &self.body).ok()
    }
}

/// Settings of a server.
///
/// ```
/// use friendli_mock::{MockConfig, MockServer};
///
/// let server = MockServer::start_with(MockConfig {
///     endpoint_start_polls: 1,
///     embedding_dimension: 16,
///     ..MockConfig::default()
/// })
/// .unwrap();
/// # drop(server);
/// ```
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// The port (0 picks a free one).
    pub port: u16,
    /// Accept only this token; any `Bearer` token is accepted when `None`.
    pub token: Option<String>,
    /// How many status reads (`get_status`) a dedicated endpoint takes to be `RUNNING` after it
    /// is created, woken or restarted (default 3; 0: at once). See [`endpoints`].
    pub endpoint_start_polls: u32,
    /// The dimension of the vectors of dedicated embeddings (default 8).
    pub embedding_dimension: usize,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            port: 0,
            token: None,
            endpoint_start_polls: 3,
            embedding_dimension: 8,
        }
    }
}

struct State {
    config: MockConfig,
    /// The server's own URL (where the presigned upload URLs point).
    url: String,
    platform: Mutex<platform::Platform>,
    scenarios: Mutex<VecDeque<Scenario>>,
    scenarios_for: Mutex<HashMap<String, VecDeque<Scenario>>>,
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
        // Parse the document and build the route table now (once per process), so that the
        // first request is not the one that waits for it.
        spec::warm_up();
        let listener = std::net::TcpListener::bind(("127.0.0.1", config.port))?;
        listener.set_nonblocking(true)?;
        let url = format!("http://{}", listener.local_addr()?);
        let platform = platform::Platform::new(config.endpoint_start_polls);
        let state = Arc::new(State {
            config,
            url: url.clone(),
            platform: Mutex::new(platform),
            scenarios: Mutex::new(VecDeque::new()),
            scenarios_for: Mutex::new(HashMap::new()),
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

    /// Queues a scenario for whatever operation comes next: the next requests that reach an
    /// operation (past routing and authentication) get it, in queue order, instead of the
    /// operation's own answer. Scenarios queued for the operation with
    /// [`push_for`](Self::push_for) come first.
    pub fn push(&self, scenario: Scenario) {
        if scenario.times > 0 {
            lock(&self.state.scenarios).push_back(scenario);
        }
    }

    /// Queues a scenario for one operation, by its `operationId` (e.g. `serverlessChatStream`,
    /// `dedicatedGetEndpointStatus`; see [`operations`]): the next requests of that operation
    /// get it, before any scenario of the global queue ([`push`](Self::push)).
    ///
    /// # Panics
    ///
    /// If the API document has no operation `operation_id` (a typo would otherwise leave the
    /// scenario unused, silently).
    pub fn push_for(&self, operation_id: &str, scenario: Scenario) {
        assert!(
            operation(operation_id).is_some()
                || [STORAGE_UPLOAD, STORAGE_DOWNLOAD].contains(&operation_id),
            "friendli-mock: the API document has no operation {operation_id:?}"
        );
        if scenario.times > 0 {
            lock(&self.state.scenarios_for)
                .entry(operation_id.to_owned())
                .or_default()
                .push_back(scenario);
        }
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.requests).clone()
    }

    /// The requests received so far that matched the operation `operation_id`.
    pub fn requests_for(&self, operation_id: &str) -> Vec<RecordedRequest> {
        lock(&self.state.requests)
            .iter()
            .filter(|r| r.operation_id.as_deref() == Some(operation_id))
            .cloned()
            .collect()
    }

    /// What the storage server received for a file (by the `fileId` that `init_upload` gave),
    /// once its presigned POST succeeded; also for a file whose content the project already
    /// stored.
    pub fn stored_file(&self, file_id: &str) -> Option<StoredFile> {
        lock(&self.state.platform).stored_file(file_id)
    }

    /// The IDs of the dedicated endpoints created on this server and not deleted, in the order
    /// of creation (`ep-mock-0001`, `ep-mock-0002`, …): the last is the newest. (Through the
    /// API, as with the real one, the ID of a new endpoint is the key that appears in
    /// `dedicatedListEndpoints`, which lists them in the same order.)
    pub fn endpoint_ids(&self) -> Vec<String> {
        lock(&self.state.platform).endpoints.ids()
    }

    /// The samples a split of a dataset created on this server holds, as `(full ID, text)`
    /// pairs in order (empty for an unknown split).
    pub fn samples(&self, dataset_id: &str, split_id: &str) -> Vec<(String, String)> {
        lock(&self.state.platform).samples(dataset_id, split_id)
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

/// Takes one use of the scenario at the front of a queue.
fn take(queue: &mut VecDeque<Scenario>) -> Option<Scenario> {
    match queue.front_mut() {
        Some(front) if front.times > 1 => {
            front.times -= 1;
            Some(front.clone())
        }
        Some(_) => queue.pop_front(),
        None => None,
    }
}

/// The scenario for the next request of an operation: its own queue first, then the global one.
fn next_scenario(state: &State, operation_id: &str) -> Scenario {
    let own = lock(&state.scenarios_for)
        .get_mut(operation_id)
        .and_then(take);
    own.or_else(|| take(&mut lock(&state.scenarios)))
        .unwrap_or_else(Scenario::assistant)
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

/// Records a request as it arrived, with the operation it matched.
fn record(
    state: &State,
    parts: &hyper::http::request::Parts,
    body: &Bytes,
    operation_id: Option<String>,
    path_params: Vec<(String, String)>,
) {
    lock(&state.requests).push(RecordedRequest {
        method: parts.method.to_string(),
        path: parts
            .uri
            .path_and_query()
            .map(ToString::to_string)
            .unwrap_or_default(),
        headers: header_pairs(&parts.headers),
        body: body.clone(),
        operation_id,
        path_params,
    });
}

/// The recorded form of a request's headers.
fn header_pairs(headers: &hyper::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
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
    let path = parts.uri.path().to_owned();
    if path.starts_with(STORAGE_PATH) {
        return storage(&state, &parts, body, number).await;
    }
    let query = spec::parse_query(parts.uri.query().unwrap_or_default());
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let routed = spec::route(parts.method.as_str(), &path);
    let (operation, path_params, parsed) = match &routed {
        spec::Routed::Found(candidates, path_params) => {
            let parsed = candidates
                .first()
                .map(|first| respond::Parsed::new(first, content_type.as_deref(), &body))
                .unwrap_or(respond::Parsed::Empty);
            (
                respond::select(candidates, &parsed),
                path_params.clone(),
                parsed,
            )
        }
        _ => (None, Vec::new(), respond::Parsed::Empty),
    };
    record(
        &state,
        &parts,
        &body,
        operation.map(|o| o.operation_id.clone()),
        path_params.clone(),
    );
    let request_id = format!("mock-req-{number}");

    let mut response = match (&routed, operation) {
        (spec::Routed::MethodNotAllowed(methods), _) => {
            let mut response = json_response(
                StatusCode::METHOD_NOT_ALLOWED,
                &error_body(&format!(
                    "friendli-mock: {path} does not take {}; it takes {}",
                    parts.method,
                    methods.join(", ")
                )),
            );
            if let Ok(allow) = HeaderValue::from_str(&methods.join(", ")) {
                response.headers_mut().insert(hyper::header::ALLOW, allow);
            }
            response
        }
        (_, None) => json_response(
            StatusCode::NOT_FOUND,
            &error_body(&format!(
                "friendli-mock: no operation of the API document has the path {path}"
            )),
        ),
        (_, Some(operation)) => {
            let refusal = if operation.requires_auth {
                check_auth(&state.config, &parts.headers)
            } else {
                None
            };
            if let Some(refusal) = refusal {
                json_response(StatusCode::UNAUTHORIZED, &error_body(refusal))
            } else {
                let inputs = respond::Inputs {
                    path: &path_params,
                    query: &query,
                    headers: &parts.headers,
                    parsed: &parsed,
                };
                reply(&state, operation, &inputs, number).await?
            }
        }
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    Ok(response)
}

/// The answer of an operation to an authorised request: the next scenario's reply.
async fn reply(
    state: &Arc<State>,
    operation: &'static spec::Operation,
    inputs: &respond::Inputs<'_>,
    number: u64,
) -> Result<Response<Body>, std::io::Error> {
    scripted(state, &operation.operation_id, |scenario| {
        let shape = &scenario.shape;
        match respond::validate(operation, inputs) {
            Err(refusal) => {
                let status = StatusCode::from_u16(refusal.status)
                    .unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
                json_response(status, &refusal.body)
            }
            Ok(request) => {
                let generated_only = matches!(scenario.reply, Reply::Generated);
                let stateful = if generated_only {
                    None
                } else {
                    platform::answer(
                        &state.platform,
                        &state.url,
                        operation,
                        &request,
                        inputs,
                        number,
                    )
                };
                let answer = stateful.unwrap_or_else(|| {
                    respond::answer(operation, &request, number, generated_only, &state.config)
                });
                match answer {
                    respond::Answer::Json(status, body) => {
                        let segments =
                            scenario::body_segments(Bytes::from(body.to_string()), shape);
                        let mut response = Response::new(write_body(state, segments, shape, false));
                        *response.status_mut() =
                            StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                        response
                            .headers_mut()
                            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                        response
                    }
                    respond::Answer::Empty(status) => {
                        let mut response = Response::new(full(Bytes::new()));
                        *response.status_mut() =
                            StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                        response
                    }
                    respond::Answer::Events(events) => {
                        let events = respond::finish_stream(operation, events);
                        let style = respond::stream_style(operation);
                        let segments = scenario::styled_segments(&events, shape, &style);
                        let segments = scenario::split_characters(segments, shape);
                        event_stream_response(write_body(state, segments, shape, true))
                    }
                }
            }
        }
    })
    .await
}

/// The next scenario of `operation_id`, after its delay: a scripted reply (a dropped connection,
/// raw bytes, a transcript), or else `answer` (the operation's own answer), with the scenario's
/// extra headers.
async fn scripted(
    state: &Arc<State>,
    operation_id: &str,
    answer: impl FnOnce(&Scenario) -> Response<Body>,
) -> Result<Response<Body>, std::io::Error> {
    let scenario = next_scenario(state, operation_id);
    if !scenario.delay.is_zero() {
        tokio::time::sleep(scenario.delay).await;
    }
    let shape = &scenario.shape;
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
        } => raw_response(state, *status, content_type, body, shape),
        Reply::Transcript(bytes) => {
            let segments = vec![Segment::Bytes(bytes.clone())];
            event_stream_response(write_body(state, segments, shape, true))
        }
        Reply::Assistant | Reply::Generated => answer(&scenario),
    };
    insert_headers(&mut response, &scenario.headers);
    Ok(response)
}

/// Adds headers to a response, skipping any that are not valid header names or values.
fn insert_headers(response: &mut Response<Body>, headers: &[(String, String)]) {
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
}

/// A scripted fixed response.
fn raw_response(
    state: &Arc<State>,
    status: u16,
    content_type: &str,
    body: &Bytes,
    shape: &StreamShape,
) -> Response<Body> {
    let segments = scenario::body_segments(body.clone(), shape);
    let mut response = Response::new(write_body(state, segments, shape, false));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}

/// A request of the storage server (see [`platform`]): recorded as [`STORAGE_UPLOAD`] or
/// [`STORAGE_DOWNLOAD`], scripted by the scenarios queued for those names (or the global queue),
/// answered as S3 would otherwise. It needs no `Authorization`.
async fn storage(
    state: &Arc<State>,
    parts: &hyper::http::request::Parts,
    body: Bytes,
    number: u64,
) -> Result<Response<Body>, std::io::Error> {
    let operation_id = match parts.method.as_str() {
        "GET" | "HEAD" => STORAGE_DOWNLOAD,
        _ => STORAGE_UPLOAD,
    };
    record(
        state,
        parts,
        &body,
        Some(operation_id.to_owned()),
        Vec::new(),
    );
    let mut response = scripted(state, operation_id, |_| {
        let answer = platform::storage(
            &state.platform,
            parts.method.as_str(),
            parts.uri.path(),
            &parts.headers,
            &body,
        );
        let mut response = Response::new(full(answer.body));
        *response.status_mut() =
            StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(value) = answer
            .content_type
            .and_then(|t| HeaderValue::from_str(&t).ok())
        {
            response.headers_mut().insert(CONTENT_TYPE, value);
        }
        insert_headers(&mut response, &answer.headers);
        response
    })
    .await?;
    if let Ok(value) = HeaderValue::from_str(&format!("mock-req-{number}")) {
        response.headers_mut().insert("x-amz-request-id", value);
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
