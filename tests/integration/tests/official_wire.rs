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
//! - `Authorization` on container calls: 0.16.5 sends the API token it has to a self-hosted
//!   container too; this crate sends the API token to the API only (a container gets a token of
//!   its own, `ClientBuilder::container_token`, if it needs one); `wire::assert_headers` checks
//!   both sides.
//! - `"stream"` is not a difference: on a streamable operation both send `false` on a JSON call
//!   and `true` on a stream call.

use std::sync::LazyLock;

use friendli::CallOptions as _;
use friendli::types;
use friendli_mock::MockServer;
use friendli_tests::wire::{
    self, Case, assert_same_body, differences, json_call, only_request, stream_call, without_nulls,
};
use serde_json::Value;

/// The token of the clients; only its presence is compared (the recorder saw another one).
const TOKEN: &str = "flp_official_wire_test";

static FIXTURE: LazyLock<Value> =
    LazyLock::new(|| wire::load_fixture(include_str!("fixtures/official_wire_0.16.5.json")));

static CASES: LazyLock<&'static [Value]> = LazyLock::new(|| wire::cases(&FIXTURE));

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

/// The case `name` of the fixture.
fn case(name: &'static str) -> Case {
    Case::named(&CASES, name, "record_official.py")
}

/// The arguments of the call of `case`, as the body type of this crate.
fn body<T: serde::de::DeserializeOwned>(case: &Case) -> T {
    serde_json::from_value(case.args().clone()).unwrap_or_else(|e| {
        panic!(
            "[{}] the arguments do not deserialise into {}: {e}",
            case.name,
            std::any::type_name::<T>()
        )
    })
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

/// `Accept`: ours per call kind; theirs as 0.16.5 sends it (a deliberate difference).
fn assert_accept(case: &Case, ours: Option<&str>) {
    let theirs = wire::assert_our_accept(case, ours);
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
    let sent = only_request(case, server);
    let official = case.official();
    assert_eq!(sent.path, official["path"], "[{}] path", case.name);
    wire::assert_headers(case, &sent, sent.header("content-type"), TOKEN);
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
    assert_same_body(case, &theirs, &ours);
}

/// One test per case: `name => kind(namespace, method, body type)`. The call gets the case's
/// per-call team (serverless and dedicated); container calls go to the client's container URL.
macro_rules! cases {
    ($($name:ident => $kind:ident($family:ident . $api:ident . $method:ident, $body:ty);)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                let case = case(stringify!($name));
                let server = MockServer::start();
                let client = wire::client(&server, TOKEN);
                let mut call = client.$family().$api().$method(body::<$body>(&case));
                if let Some(team) = case.team() {
                    call = call.team(team);
                }
                // The call (the mock must accept it), then the comparison.
                $kind(&case, call).await;
                compare(&case, &server);
            }
        )*

        /// Every case of the fixture has its test here (a new recording cannot go unchecked).
        #[test]
        fn every_case_of_the_fixture_is_tested() {
            wire::assert_every_case_tested(&CASES, &[$(stringify!($name)),*]);
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
