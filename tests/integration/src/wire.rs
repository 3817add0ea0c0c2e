//! The comparison harness of the wire suites (`tests/official_wire.rs`,
//! `tests/official_wire_platform.rs`): each replays a fixture of what the official Python SDK sent
//! for a call, makes the same call with this crate against `friendli-mock`, and compares the two
//! requests.
//!
//! What both suites compare the same way lives here: loading the fixture, the case and the
//! client, the one request the mock received (operation, method), the headers other than
//! `Accept`, and JSON bodies (null and absent counting the same, differences named by field
//! path). What is particular to a suite, and its deliberate differences from the official SDK,
//! stay in the suite.

use std::future::IntoFuture;

use friendli::RetryConfig;
use friendli_mock::{MockServer, RecordedRequest};
use serde_json::Value;

/// The version of the official Python SDK the fixtures were recorded with.
pub const OFFICIAL_VERSION: &str = "0.16.5";

/// Parses a fixture and checks that it was recorded with [`OFFICIAL_VERSION`].
#[track_caller]
pub fn load_fixture(text: &str) -> Value {
    let fixture: Value = serde_json::from_str(text).expect("the fixture is JSON");
    assert_eq!(
        fixture["sdk"]["version"], OFFICIAL_VERSION,
        "the fixture was recorded with another SDK version"
    );
    fixture
}

/// The cases of a fixture.
pub fn cases(fixture: &Value) -> &[Value] {
    fixture["cases"]
        .as_array()
        .expect("the fixture has a `cases` array")
}

/// Checks that every case of the fixture has a test: `tested` names the tests of the suite, one
/// per case (a new recording cannot go unchecked).
#[track_caller]
pub fn assert_every_case_tested(cases: &[Value], tested: &[&str]) {
    for case in cases {
        let name = case["name"].as_str().expect("a case name");
        assert!(
            tested.contains(&name),
            "the fixture's case {name:?} has no test"
        );
    }
    assert_eq!(tested.len(), cases.len());
}

/// One case of a fixture: its name and its recording.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// The name of the case (and of its test).
    pub name: &'static str,
    /// The case as the fixture has it.
    pub value: &'static Value,
}

impl Case {
    /// The case `name` of `cases`; `recorder` is the script that records the fixture, named when
    /// the case is missing.
    pub fn named(cases: &'static [Value], name: &'static str, recorder: &str) -> Case {
        let value = cases
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no case {name:?} in the fixture: re-run {recorder}"));
        Case { name, value }
    }

    /// The arguments of the call, in API names.
    pub fn args(&self) -> &'static Value {
        &self.value["args"]
    }

    /// The per-call team (`X-Friendli-Team`), if any.
    pub fn team(&self) -> Option<&'static str> {
        self.value["team"].as_str()
    }

    /// Whether the call is a stream call.
    pub fn stream(&self) -> bool {
        self.value["stream"]
            .as_bool()
            .expect("every case says whether it streams")
    }

    /// The operationId of the call.
    pub fn operation_id(&self) -> &'static str {
        self.value["operation_id"]
            .as_str()
            .expect("every case names its operationId")
    }

    /// The request the official SDK sent.
    pub fn official(&self) -> &'static Value {
        &self.value["request"]
    }
}

/// A client of `server` with the token `token`, no retries, and the mock as its container URL.
/// No client-level team: 0.16.5 sends the team only per call, and so do the cases.
pub fn client(server: &MockServer, token: &str) -> friendli::Client {
    friendli::Client::builder()
        .ignore_env()
        .token(token)
        .base_url(server.url())
        .container_url(server.url())
        .retry(RetryConfig::none())
        .build()
        .expect("a valid configuration")
}

/// Sends a JSON call of `case`. The mock must accept the request (it checks requests against the
/// document); its answer does not matter.
pub async fn json_call<F, T>(case: &Case, call: F)
where
    F: IntoFuture<Output = friendli::Result<T>>,
{
    assert!(!case.stream(), "[{}] is a stream case", case.name);
    if let Err(error) = call.await {
        panic!("[{}] the mock refused our request: {error}", case.name);
    }
}

/// Sends a stream call of `case` and reads the stream to its end. The mock must accept the
/// request; its events do not matter.
pub async fn stream_call<F, E>(case: &Case, call: F)
where
    F: IntoFuture<Output = friendli::Result<friendli::EventStream<E>>>,
    E: friendli::stream::SseEvent,
{
    // `next()`: the prelude brings `StreamExt` into scope.
    use friendli::prelude::*;

    assert!(case.stream(), "[{}] is not a stream case", case.name);
    match call.await {
        Ok(mut events) => {
            while let Some(event) = events.next().await {
                if let Err(error) = event {
                    panic!("[{}] the stream failed: {error}", case.name);
                }
            }
        }
        Err(error) => panic!("[{}] the mock refused our request: {error}", case.name),
    }
}

/// The one request the mock received, after checking the operation the mock matched and the
/// method against `case`.
#[track_caller]
pub fn only_request(case: &Case, server: &MockServer) -> RecordedRequest {
    let all = server.requests();
    assert_eq!(
        all.len(),
        1,
        "[{}] expected one request, the mock saw {:?}",
        case.name,
        all.iter()
            .map(|r| (&r.method, &r.path, &r.operation_id))
            .collect::<Vec<_>>()
    );
    let sent = all.into_iter().next().expect("one request");
    assert_eq!(
        sent.operation_id.as_deref(),
        Some(case.operation_id()),
        "[{}] the operation the mock matched",
        case.name
    );
    assert_eq!(
        sent.method,
        case.official()["method"],
        "[{}] method",
        case.name
    );
    sent
}

/// Compares the headers other than `Accept`: `content_type` (ours, as the suite reads it) with the
/// fixture's `Content-Type`, `X-Friendli-Team` (and the fixture's with the case's team), and
/// whether `Authorization` is sent (ours with `token`; never to a container, where 0.16.5 sends
/// it: a deliberate difference).
#[track_caller]
pub fn assert_headers(
    case: &Case,
    sent: &RecordedRequest,
    content_type: Option<&str>,
    token: &str,
) {
    let headers = &case.official()["headers"];
    assert_eq!(
        content_type,
        headers["content-type"].as_str(),
        "[{}] Content-Type",
        case.name
    );
    assert_eq!(
        sent.header("x-friendli-team"),
        headers["x-friendli-team"].as_str(),
        "[{}] X-Friendli-Team",
        case.name
    );
    assert_eq!(
        case.team(),
        headers["x-friendli-team"].as_str(),
        "[{}] the fixture's team header is the case's team",
        case.name
    );
    // Both send the token they have to the API. Deliberate difference: 0.16.5 sends it to a
    // self-hosted container too (for whose operations the document declares no security); ours
    // sends the API token to the API only (issue 22; see `ClientBuilder::container_url`).
    let ours = sent.header("authorization") == Some(format!("Bearer {token}").as_str());
    if is_container(case) {
        assert!(
            sent.header("authorization").is_none(),
            "[{}] the API token went to the container",
            case.name
        );
        assert_eq!(
            headers["authorization"],
            Value::Bool(true),
            "[{}] the fixture's container call no longer carries the token",
            case.name
        );
    } else {
        assert_eq!(
            Value::Bool(ours),
            headers["authorization"],
            "[{}] Authorization sent",
            case.name
        );
    }
}

/// Whether the case is a call of a self-hosted container (the fixtures name them so).
pub fn is_container(case: &Case) -> bool {
    case.name.starts_with("container_")
}

/// Checks our `Accept` (`ours`): `text/event-stream` on a stream call, `application/json`
/// otherwise. Returns the official SDK's, which each suite checks against what it knows of it.
#[track_caller]
pub fn assert_our_accept(case: &Case, ours: Option<&str>) -> Option<&'static str> {
    let expected = if case.stream() {
        "text/event-stream"
    } else {
        "application/json"
    };
    assert_eq!(ours, Some(expected), "[{}] Accept", case.name);
    case.official()["headers"]["accept"].as_str()
}

/// Removes the members whose value is null, recursively (null and absent mean the same).
pub fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// Every difference between two JSON values, one line each, named by its JSON path (`path` is
/// the path of the values themselves, `$` at the root).
pub fn differences(path: &str, official: &Value, ours: &Value, out: &mut Vec<String>) {
    match (official, ours) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let at = format!("{path}.{key}");
                match b.get(key) {
                    Some(other) => differences(&at, value, other, out),
                    None => out.push(format!("{at}: official sends {value}, ours leaves it out")),
                }
            }
            for (key, value) in b {
                if !a.contains_key(key) {
                    out.push(format!(
                        "{path}.{key}: ours sends {value}, official leaves it out"
                    ));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!(
                    "{path}: official has {} items, ours {}",
                    a.len(),
                    b.len()
                ));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                differences(&format!("{path}[{i}]"), x, y, out);
            }
        }
        // Numbers compare by value: `0.5` and `0.50` are the same number on the wire.
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: official sends {a}, ours {b}")),
    }
}

/// Checks that our JSON body is the official SDK's (both as the suite prepared them: nulls
/// removed, deliberate differences forgiven); a difference fails with one line per field.
#[track_caller]
pub fn assert_same_body(case: &Case, theirs: &Value, ours: &Value) {
    let mut diff = Vec::new();
    differences("$", theirs, ours, &mut diff);
    assert!(
        diff.is_empty(),
        "[{}] ({}) our body differs from the official SDK's:\n  {}\nours:     {ours}\nofficial: {theirs}",
        case.name,
        case.value["call"],
        diff.join("\n  ")
    );
}
