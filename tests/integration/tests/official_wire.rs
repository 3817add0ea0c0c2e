//! On the wire, each inference operation sends what the official Python SDK (`friendli` 0.16.5
//! from PyPI) sends for the same arguments.
//!
//! `fixtures/official_wire_0.16.5.json` holds, per case, the arguments of a call (API field names;
//! `null` is an explicit `None`) and the request the official SDK sent for them to a recording
//! server. It is produced by `tests/integration/wire/record_official.py` (see its top comment and
//! the fixture's `comment` for the command). Each test below makes the same call with this crate
//! against `friendli-mock` and compares the request the mock received with the recorded one:
//! method, path, `Content-Type`, `X-Friendli-Team`, whether `Authorization` is sent, and the JSON
//! body, with null and absent counting the same (null members are removed, recursively, from both
//! bodies before they are compared). A differing body fails with one line per differing field.
//!
//! Deliberate differences, asserted explicitly rather than hidden:
//!
//! - `Accept`: 0.16.5 always sends `application/json;q=1, text/event-stream;q=0` on streamable
//!   operations, even with `"stream": true` (which declares the event stream it asks for
//!   unacceptable). This crate sends `application/json` on JSON calls and `text/event-stream` on
//!   stream calls; [`assert_accept`] checks both sides.
//! - Fields the official SDK fills in with a default value that ours leaves out:
//!   [`OFFICIAL_DEFAULTS`], an explicit list; a field is forgiven only where it is listed, holds
//!   exactly the listed value and our body leaves it out.
//! - `"stream"` is not a difference: on a streamable operation both send `false` on a JSON call
//!   and `true` on a stream call.

use std::sync::LazyLock;

use friendli::RetryConfig;
use friendli::types;
use friendli_mock::{MockServer, RecordedRequest};
use futures::StreamExt;
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/official_wire_0.16.5.json");

/// The token of the clients; only its presence is compared (the recorder saw another one).
const TOKEN: &str = "flp_official_wire_test";

static CASES: LazyLock<Vec<Value>> = LazyLock::new(|| {
    let fixture: Value = serde_json::from_str(FIXTURE).expect("the fixture is JSON");
    assert_eq!(
        fixture["sdk"]["version"], "0.16.5",
        "the fixture was recorded with another SDK version"
    );
    fixture["cases"]
        .as_array()
        .expect("the fixture has a `cases` array")
        .clone()
});

/// Fields that 0.16.5 fills in with a default value where this crate sends only what the caller
/// set (the server reads both requests the same way). Deliberate on both sides; the cases that
/// need an entry fail without it, naming the field.
const OFFICIAL_DEFAULTS: &[OfficialDefault] = &[
    // Responses input messages (items with a `role`): the document makes `type` optional, with
    // `message` its only value (`ResponsesInputMessage.type`). 0.16.5's model defaults it to
    // "message" and always sends it; ours sends it only when the caller sets it.
    OfficialDefault {
        path: &["input", "*", "type"],
        value: r#""message""#,
        within: &["role"],
    },
];

/// A field that the official SDK fills in with a default value.
struct OfficialDefault {
    /// Where: member names, `*` for every item of an array.
    path: &'static [&'static str],
    /// The value, as JSON.
    value: &'static str,
    /// Only in objects that have these members.
    within: &'static [&'static str],
}

/// One case of the fixture.
struct Case {
    name: &'static str,
    value: &'static Value,
}

impl Case {
    fn named(name: &'static str) -> Case {
        let value = CASES.iter().find(|c| c["name"] == name).unwrap_or_else(|| {
            panic!("no case {name:?} in the fixture: re-run record_official.py")
        });
        Case { name, value }
    }

    /// The arguments of the call, as the body type of this crate.
    fn args<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.value["args"].clone()).unwrap_or_else(|e| {
            panic!(
                "[{}] the arguments do not deserialise into {}: {e}",
                self.name,
                std::any::type_name::<T>()
            )
        })
    }

    fn team(&self) -> Option<&'static str> {
        self.value["team"].as_str()
    }

    fn stream(&self) -> bool {
        self.value["stream"]
            .as_bool()
            .expect("every case says whether it streams")
    }

    fn operation_id(&self) -> &'static str {
        self.value["operation_id"]
            .as_str()
            .expect("every case names its operationId")
    }

    fn official(&self) -> &'static Value {
        &self.value["request"]
    }
}

fn client(server: &MockServer) -> friendli::Client {
    // No client-level team: 0.16.5 sends the team only per call, and so do these cases.
    friendli::Client::builder()
        .ignore_env()
        .token(TOKEN)
        .base_url(server.url())
        .container_url(server.url())
        .retry(RetryConfig::none())
        .build()
        .expect("a valid configuration")
}

/// Removes the members whose value is null, recursively (null and absent mean the same).
fn without_nulls(value: &Value) -> Value {
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

/// Removes from `official` the listed default wherever `ours` has nothing at that place.
fn forgive_default(official: &mut Value, ours: &Value, default: &OfficialDefault, depth: usize) {
    let Some(&segment) = default.path.get(depth) else {
        return;
    };
    let last = depth + 1 == default.path.len();
    match official {
        Value::Array(items) if segment == "*" => {
            for (i, item) in items.iter_mut().enumerate() {
                let ours = ours.get(i).unwrap_or(&Value::Null);
                forgive_default(item, ours, default, depth + 1);
            }
        }
        Value::Object(map) if last => {
            let value: Value = serde_json::from_str(default.value).expect("a JSON default");
            if map.get(segment) == Some(&value)
                && default.within.iter().all(|key| map.contains_key(*key))
                && ours.get(segment).is_none()
            {
                map.remove(segment);
            }
        }
        Value::Object(map) => {
            if let Some(inner) = map.get_mut(segment) {
                let ours = ours.get(segment).unwrap_or(&Value::Null);
                forgive_default(inner, ours, default, depth + 1);
            }
        }
        _ => {}
    }
}

/// Every difference between two JSON values, one line each, named by its JSON path.
fn differences(path: &str, official: &Value, ours: &Value, out: &mut Vec<String>) {
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

/// `Accept`: ours per call kind; theirs as 0.16.5 sends it (a deliberate difference).
fn assert_accept(case: &Case, ours: Option<&str>) {
    let expected = if case.stream() {
        "text/event-stream"
    } else {
        "application/json"
    };
    assert_eq!(ours, Some(expected), "[{}] Accept", case.name);
    let theirs = case.official()["headers"]["accept"].as_str();
    assert!(
        matches!(
            theirs,
            Some("application/json;q=1, text/event-stream;q=0" | "application/json")
        ),
        "[{}] the fixture's Accept changed: {theirs:?}",
        case.name
    );
}

/// Compares the one request the mock received with the official SDK's.
fn compare(case: &Case, server: &MockServer) {
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
    let sent: &RecordedRequest = &all[0];
    let official = case.official();
    assert_eq!(
        sent.operation_id.as_deref(),
        Some(case.operation_id()),
        "[{}] the operation the mock matched",
        case.name
    );
    assert_eq!(sent.method, official["method"], "[{}] method", case.name);
    assert_eq!(sent.path, official["path"], "[{}] path", case.name);
    let headers = &official["headers"];
    assert_eq!(
        sent.header("content-type"),
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
    // Both send the token they have, container operations included (for which the document
    // declares no security).
    assert_eq!(
        Value::Bool(sent.header("authorization") == Some(format!("Bearer {TOKEN}").as_str())),
        headers["authorization"],
        "[{}] Authorization sent",
        case.name
    );
    assert_accept(case, sent.header("accept"));

    let ours = without_nulls(
        &sent
            .json()
            .unwrap_or_else(|| panic!("[{}] our body is not JSON", case.name)),
    );
    let mut theirs = without_nulls(&official["json"]);
    for default in OFFICIAL_DEFAULTS {
        forgive_default(&mut theirs, &ours, default, 0);
    }
    // On a streamable operation both say whether they stream: `false` on a JSON call (0.16.5's
    // default, and ours), `true` on a stream call. (The body comparison checks ours.)
    if let Some(flag) = theirs.get("stream") {
        assert_eq!(
            flag.as_bool(),
            Some(case.stream()),
            "[{}] the fixture's stream flag",
            case.name
        );
    }
    let mut diff = Vec::new();
    differences("$", &theirs, &ours, &mut diff);
    assert!(
        diff.is_empty(),
        "[{}] ({}) our body differs from the official SDK's:\n  {}\nours:     {ours}\nofficial: {theirs}",
        case.name,
        case.value["call"],
        diff.join("\n  ")
    );
}

/// Sends a JSON call, then compares. The mock must accept the request (it checks bodies against
/// the document); its answer does not matter.
async fn json_call<F, T>(case: &Case, server: &MockServer, call: F)
where
    F: std::future::IntoFuture<Output = friendli::Result<T>>,
{
    assert!(!case.stream(), "[{}] is a stream case", case.name);
    if let Err(error) = call.await {
        panic!("[{}] the mock refused our request: {error}", case.name);
    }
    compare(case, server);
}

/// Sends a stream call and reads the stream to its end, then compares (the mock must accept it).
async fn stream_call<F, E>(case: &Case, server: &MockServer, call: F)
where
    F: std::future::IntoFuture<Output = friendli::Result<friendli::EventStream<E>>>,
    E: friendli::SseEvent,
{
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
    compare(case, server);
}

/// One test per case: `name => kind(namespace, method, body type)`. The call gets the case's
/// per-call team (serverless and dedicated); container calls go to the client's container URL.
macro_rules! cases {
    ($($name:ident => $kind:ident($family:ident . $api:ident . $method:ident, $body:ty);)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                let case = Case::named(stringify!($name));
                let server = MockServer::start();
                let client = client(&server);
                let mut call = client.$family().$api().$method(case.args::<$body>());
                if let Some(team) = case.team() {
                    call = call.team(team);
                }
                $kind(&case, &server, call).await;
            }
        )*

        /// Every case of the fixture has its test here (a new recording cannot go unchecked).
        #[test]
        fn every_case_of_the_fixture_is_tested() {
            let tested = [$(stringify!($name)),*];
            for case in CASES.iter() {
                let name = case["name"].as_str().expect("a case name");
                assert!(tested.contains(&name), "the fixture's case {name:?} has no test");
            }
            assert_eq!(tested.len(), CASES.len());
        }
    };
}

cases! {
    // Chat completions.
    serverless_chat_complete => json_call(serverless.chat.complete, types::ServerlessChatCompletionBody);
    serverless_chat_stream => stream_call(serverless.chat.stream, types::ServerlessChatCompletionBody);
    dedicated_chat_complete => json_call(dedicated.chat.complete, types::DedicatedChatCompletionBody);
    dedicated_chat_stream => stream_call(dedicated.chat.stream, types::DedicatedChatCompletionBody);
    container_chat_complete => json_call(container.chat.complete, types::ContainerChatCompletionBody);
    container_chat_stream => stream_call(container.chat.stream, types::ContainerChatCompletionBody);

    // Completions, in the prompt form and the tokens form.
    serverless_completions_prompt_complete => json_call(serverless.completions.complete, types::ServerlessCompletionsBody);
    serverless_completions_prompt_stream => stream_call(serverless.completions.stream, types::ServerlessCompletionsBody);
    serverless_completions_tokens_complete => json_call(serverless.completions.complete, types::ServerlessCompletionsBody);
    serverless_completions_tokens_stream => stream_call(serverless.completions.stream, types::ServerlessCompletionsBody);
    dedicated_completions_prompt_complete => json_call(dedicated.completions.complete, types::DedicatedCompletionsBody);
    dedicated_completions_prompt_stream => stream_call(dedicated.completions.stream, types::DedicatedCompletionsBody);
    dedicated_completions_tokens_complete => json_call(dedicated.completions.complete, types::DedicatedCompletionsBody);
    dedicated_completions_tokens_stream => stream_call(dedicated.completions.stream, types::DedicatedCompletionsBody);
    container_completions_prompt_complete => json_call(container.completions.complete, types::ContainerCompletionsBody);
    container_completions_prompt_stream => stream_call(container.completions.stream, types::ContainerCompletionsBody);
    container_completions_tokens_complete => json_call(container.completions.complete, types::ContainerCompletionsBody);
    container_completions_tokens_stream => stream_call(container.completions.stream, types::ContainerCompletionsBody);

    // Tokenize and detokenize.
    serverless_tokenize => json_call(serverless.token.tokenize, types::ServerlessTokenizationBody);
    serverless_detokenize => json_call(serverless.token.detokenize, types::ServerlessDetokenizationBody);
    dedicated_tokenize => json_call(dedicated.token.tokenize, types::DedicatedTokenizationBody);
    dedicated_detokenize => json_call(dedicated.token.detokenize, types::DedicatedDetokenizationBody);
    container_tokenize => json_call(container.token.tokenize, types::ContainerTokenizationBody);
    container_detokenize => json_call(container.token.detokenize, types::ContainerDetokenizationBody);

    // Chat render (no container variant).
    serverless_chat_render => json_call(serverless.chat_render.render, types::ServerlessChatRenderBody);
    dedicated_chat_render => json_call(dedicated.chat_render.render, types::DedicatedChatRenderBody);

    // Messages (Anthropic-style).
    serverless_messages_complete => json_call(serverless.messages.messages, types::ServerlessMessagesBody);
    serverless_messages_stream => stream_call(serverless.messages.stream, types::ServerlessMessagesBody);
    dedicated_messages_complete => json_call(dedicated.messages.messages, types::DedicatedMessagesBody);
    dedicated_messages_stream => stream_call(dedicated.messages.stream, types::DedicatedMessagesBody);
    container_messages_complete => json_call(container.messages.messages, types::ContainerMessagesBody);
    container_messages_stream => stream_call(container.messages.stream, types::ContainerMessagesBody);

    // Responses (OpenAI-style).
    serverless_responses_complete => json_call(serverless.responses.responses, types::ServerlessResponsesBody);
    serverless_responses_stream => stream_call(serverless.responses.stream, types::ServerlessResponsesBody);
    dedicated_responses_complete => json_call(dedicated.responses.responses, types::DedicatedResponsesBody);
    dedicated_responses_stream => stream_call(dedicated.responses.stream, types::DedicatedResponsesBody);
    container_responses_complete => json_call(container.responses.responses, types::ContainerResponsesBody);
    container_responses_stream => stream_call(container.responses.stream, types::ContainerResponsesBody);

    // Embeddings (dedicated only).
    dedicated_embeddings => json_call(dedicated.embeddings.embeddings, types::DedicatedEmbeddingsBody);
}

/// The comparison itself can fail: a body that differs in one nested field is reported with
/// that field's path.
#[test]
fn a_differing_body_is_reported_by_field() {
    let official = serde_json::json!({
        "model": "m",
        "temperature": null,
        "messages": [{"role": "user", "content": "hi"}],
        "stream": false,
    });
    let ours = serde_json::json!({
        "model": "m",
        "messages": [{"role": "user", "content": "hello"}],
        "stream": false,
        "n": 1,
    });
    let mut diff = Vec::new();
    differences(
        "$",
        &without_nulls(&official),
        &without_nulls(&ours),
        &mut diff,
    );
    assert_eq!(
        diff,
        [
            r#"$.messages[0].content: official sends "hi", ours "hello""#,
            "$.n: ours sends 1, official leaves it out",
        ]
    );

    // A listed default is forgiven only where ours leaves it out and it holds the listed value.
    let mut theirs = serde_json::json!({"input": [
        {"role": "user", "content": "a", "type": "message"},
        {"type": "function_call_output", "call_id": "c", "output": "x"},
    ]});
    let ours = serde_json::json!({"input": [
        {"role": "user", "content": "a"},
        {"type": "function_call_output", "call_id": "c", "output": "x"},
    ]});
    forgive_default(&mut theirs, &ours, &OFFICIAL_DEFAULTS[0], 0);
    let mut diff = Vec::new();
    differences("$", &theirs, &ours, &mut diff);
    assert!(diff.is_empty(), "{diff:?}");
    // Another value, or a place the list does not name, is still a difference.
    let mut theirs =
        serde_json::json!({"input": [{"role": "user", "content": "a", "type": "other"}]});
    let ours = serde_json::json!({"input": [{"role": "user", "content": "a"}]});
    forgive_default(&mut theirs, &ours, &OFFICIAL_DEFAULTS[0], 0);
    let mut diff = Vec::new();
    differences("$", &theirs, &ours, &mut diff);
    assert_eq!(
        diff,
        [r#"$.input[0].type: official sends "other", ours leaves it out"#]
    );
}
