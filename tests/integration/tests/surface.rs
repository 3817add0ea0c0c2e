//! The generated surface as a user writes it: one request type sent to every API, the builders'
//! setters taking what users pass (an optional field takes its type's conversions), the query
//! setters of calls, and the constructors of the Messages and Responses turns.

use friendli::prelude::*;
use friendli::types::{
    DedicatedEmbeddingsBody, DedicatedEmbeddingsBodyInput, MessagesInputMessage,
    ResponsesInputItem, TokenizeRequest,
};
use friendli_mock::MockServer;
use serde_json::json;

fn client(server: &MockServer) -> Client {
    friendli_tests::builder(server)
        .container_url(server.url())
        .build()
        .unwrap()
}

/// One `ChatRequest`, built once, is what the serverless, dedicated and container chats take.
#[tokio::test]
async fn one_chat_request_goes_to_all_three_apis() {
    let server = MockServer::start();
    let client = client(&server);
    let request = ChatRequest::builder()
        .model("meta-llama-3.1-8b-instruct")
        .messages(vec![Message::user("What is 2 + 2?")])
        .max_tokens(64);

    let serverless = client
        .serverless()
        .chat()
        .complete(request.clone())
        .await
        .unwrap();
    let dedicated = client
        .dedicated()
        .chat()
        .complete(request.clone())
        .await
        .unwrap();
    let container = client.container().chat().complete(request).await.unwrap();
    for result in [&serverless, &dedicated, &container] {
        assert!(
            result.content().is_some_and(|c| !c.is_empty()),
            "{result:?}"
        );
    }

    let requests = server.requests();
    let operations: Vec<&str> = requests
        .iter()
        .filter_map(|r| r.operation_id.as_deref())
        .collect();
    assert_eq!(
        operations,
        [
            "serverlessChatComplete",
            "dedicatedChatComplete",
            "containerChatComplete"
        ]
    );
    let bodies: Vec<serde_json::Value> = requests.iter().map(|r| r.json().unwrap()).collect();
    for body in &bodies {
        assert_eq!(body["model"], "meta-llama-3.1-8b-instruct");
        assert_eq!(body["max_tokens"], 64);
        assert_eq!(
            body["messages"],
            json!([{"role": "user", "content": "What is 2 + 2?"}])
        );
    }
}

/// `model` is required by the serverless and dedicated APIs and optional on a container, which
/// serves its own model: the one request type leaves it optional, and the calls that need it
/// refuse a request without it before sending anything.
#[tokio::test]
async fn a_field_one_api_requires_is_checked_by_its_call() {
    let server = MockServer::start();
    let client = client(&server);
    let request = ChatRequest::builder().messages(vec![Message::user("Hi")]);

    let error = client
        .serverless()
        .chat()
        .complete(request.clone())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error}");
    assert!(error.to_string().contains("`model`"), "{error}");
    let error = client
        .dedicated()
        .chat()
        .stream(request.clone())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error}");
    let error = client
        .serverless()
        .token()
        .tokenize(TokenizeRequest::builder().prompt("Hi"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error}");
    assert!(
        server.requests().is_empty(),
        "nothing was sent: {:?}",
        server.requests()
    );

    // The container serves its own model.
    let answer = client.container().chat().complete(request).await.unwrap();
    assert!(answer.content().is_some());
    assert_eq!(server.requests().len(), 1);
    assert!(server.requests()[0].json().unwrap().get("model").is_none());

    // A per-call body field counts.
    let tokens = client
        .serverless()
        .token()
        .tokenize(TokenizeRequest::builder().prompt("Hi"))
        .body_field("model", "m")
        .await
        .unwrap();
    assert!(!tokens.tokens.is_empty());
}

/// The setter of an optional field takes whatever converts into the field's type, an `Option`
/// of it, or a builder of it.
#[test]
fn optional_fields_take_the_conversions_of_their_type() {
    let body: DedicatedEmbeddingsBody = DedicatedEmbeddingsBody::builder()
        .model("ep-1")
        .input(vec!["a".to_string(), "b".to_string()])
        .try_into()
        .unwrap();
    assert_eq!(
        body.input,
        Some(DedicatedEmbeddingsBodyInput::Array(vec![
            "a".to_owned(),
            "b".to_owned()
        ]))
    );
    // Its default, from the document, until set.
    assert_eq!(
        serde_json::to_value(&body).unwrap()["encoding_format"],
        "float"
    );

    let body: DedicatedEmbeddingsBody = DedicatedEmbeddingsBody::builder()
        .model("ep-1")
        .input("one text")
        .tokens(vec![1, 2, 3])
        .input(None)
        .try_into()
        .unwrap();
    assert_eq!(body.input, None);
    assert_eq!(body.tokens, Some(vec![1, 2, 3]));

    let request: friendli::types::ChatRequest = ChatRequest::builder()
        .model("m")
        .messages(vec![Message::user("Hi")])
        .temperature(0.5)
        .max_tokens(Some(32))
        .stream_options(friendli::types::StreamOptions::builder().include_usage(true))
        .try_into()
        .unwrap();
    assert_eq!(request.temperature, Some(0.5));
    assert_eq!(request.max_tokens, Some(32));
    assert_eq!(
        request.stream_options.and_then(|o| o.include_usage),
        Some(true)
    );

    // A required field left out is named when the builder is converted.
    let error = DedicatedEmbeddingsBody::try_from(DedicatedEmbeddingsBody::builder().input("x"))
        .unwrap_err();
    assert!(error.to_string().contains("model"), "{error}");
}

/// The query setters of a call: `.limit(2)` on a paged list, without `map_operation`.
#[tokio::test]
async fn a_list_call_takes_its_query_parameters_as_setters() {
    let server = MockServer::start();
    let client = client(&server);
    let page = client
        .dataset()
        .list_datasets("project-1")
        .limit(2)
        .direction("desc")
        .await
        .unwrap();
    let _ = page;
    let query = server.requests()[0].query();
    assert!(
        query.contains(&("limit".to_owned(), "2".to_owned())),
        "{query:?}"
    );
    assert!(
        query.contains(&("projectId".to_owned(), "project-1".to_owned())),
        "{query:?}"
    );
    assert!(
        query.contains(&("direction".to_owned(), "desc".to_owned())),
        "{query:?}"
    );
}

/// The turns of the Messages and Responses APIs have constructors (`TurnExt`,
/// `InstructionExt`), and their requests go to every API like chat's.
#[tokio::test]
async fn messages_and_responses_turns_have_constructors() {
    let server = MockServer::start();
    let client = client(&server);
    let request = MessagesRequest::builder()
        .model("m")
        .max_tokens(64)
        .messages(vec![
            MessagesInputMessage::user("Hi"),
            MessagesInputMessage::assistant("Hello."),
            MessagesInputMessage::user("What is 2 + 2?"),
        ]);
    let answer = client
        .serverless()
        .messages()
        .messages(request.clone())
        .await
        .unwrap();
    let _ = answer;
    client
        .container()
        .messages()
        .messages(request)
        .await
        .unwrap();
    let sent = server.requests()[0].json().unwrap();
    assert_eq!(
        sent["messages"][0],
        json!({"role": "user", "content": "Hi"})
    );
    assert_eq!(
        sent["messages"][1],
        json!({"role": "assistant", "content": "Hello."})
    );

    let request = ResponsesRequest::builder().model("m").input(vec![
        ResponsesInputItem::system("Be brief."),
        ResponsesInputItem::user("Hi"),
    ]);
    client
        .dedicated()
        .responses()
        .responses(request)
        .await
        .unwrap();
    let sent = server.requests()[2].json().unwrap();
    assert_eq!(sent["input"][1]["role"], "user");
    assert_eq!(sent["input"][0]["role"], "system");
}
