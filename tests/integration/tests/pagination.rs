//! Paged lists against the mock: `.items()` and `.pages()` follow `nextCursor` to the end, sending
//! each cursor back exactly as the server gave it, through the one call layer (retries, per-call
//! options, errors); object-shaped `data` gives `(id, value)` pairs in the server's order; a failed
//! page ends the stream after the items before it; a repeated cursor ends it with an error.

use friendli::prelude::*;
use friendli::{Error, RetryConfig, operations};
use friendli_mock::{MockServer, Scenario};
use friendli_tests::client;
use futures::TryStreamExt;
use serde_json::{Value, json};

/// Cursors with the characters a query string must encode.
const CURSOR_2: &str = "b2+/=?&x y%";
const CURSOR_3: &str = "c3==/+";

fn dataset(id: &str) -> Value {
    json!({"id": id, "name": format!("name-{id}"), "createdAt": 1, "updatedAt": 2, "modality": {}})
}

fn endpoint_status(status: &str) -> Value {
    json!({"status": status, "createdAt": "2026-01-01T00:00:00Z"})
}

fn page(data: Value, next: Option<&str>) -> Scenario {
    Scenario::json(200, json!({"data": data, "nextCursor": next}))
}

/// The `cursor` query parameter of each request of `operation_id`, decoded.
fn cursors_sent(server: &MockServer, operation_id: &str) -> Vec<Option<String>> {
    server
        .requests_for(operation_id)
        .iter()
        .map(|request| {
            request
                .query()
                .into_iter()
                .find(|(name, _)| name == "cursor")
                .map(|(_, value)| value)
        })
        .collect()
}

#[tokio::test]
async fn items_follow_each_cursor_exactly_over_three_pages_with_the_calls_options() {
    let server = MockServer::start();
    let client = client(&server);
    server.push_for(
        "list_datasets",
        page(json!([dataset("d1"), dataset("d2")]), Some(CURSOR_2)),
    );
    // Page 2 fails once, and is retried like any call.
    server.push_for("list_datasets", Scenario::fail(503));
    server.push_for(
        "list_datasets",
        page(json!([dataset("d3"), dataset("d4")]), Some(CURSOR_3)),
    );
    server.push_for("list_datasets", page(json!([dataset("d5")]), None));

    let datasets: Vec<friendli::types::DatasetInfo> = client
        .dataset()
        .list_datasets("project-1")
        .limit(2)
        .header("x-trace", "t-1")
        .items()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = datasets.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["d1", "d2", "d3", "d4", "d5"]);

    let requests = server.requests_for("list_datasets");
    assert_eq!(requests.len(), 4, "three pages and one retry");
    assert_eq!(
        cursors_sent(&server, "list_datasets"),
        [
            None,
            Some(CURSOR_2.to_owned()),
            Some(CURSOR_2.to_owned()),
            Some(CURSOR_3.to_owned())
        ]
    );
    for request in &requests {
        let query = request.query();
        assert!(
            query.contains(&("limit".to_owned(), "2".to_owned())),
            "{query:?}"
        );
        assert!(query.contains(&("projectId".to_owned(), "project-1".to_owned())));
        assert_eq!(request.header("x-trace"), Some("t-1"));
        // Percent-encoded on the wire, never as the raw characters (nor a `b'…'` repr).
        assert!(!request.path.contains("b'"), "{}", request.path);
    }
    assert!(
        requests[3].path.contains("cursor=c3%3D%3D%2F%2B"),
        "{}",
        requests[3].path
    );
}

#[tokio::test]
async fn pages_give_each_page_with_its_cursor_and_start_at_the_calls_cursor() {
    let server = MockServer::start();
    let client = client(&server);
    let split = |id: &str| json!({"id": id, "name": id, "createdAt": 1, "updatedAt": 2});
    server.push_for(
        "list_splits",
        page(json!([split("s1"), split("s2")]), Some(CURSOR_2)),
    );
    server.push_for("list_splits", page(json!([]), Some(CURSOR_3)));
    server.push_for("list_splits", page(json!([split("s3")]), None));

    // Any paged operation through `Client::call`, starting at a cursor of an earlier walk.
    let pages: Vec<_> = client
        .call(operations::ListSplits::new("ds-1").cursor("start=/"), ())
        .pages()
        .try_collect()
        .await
        .unwrap();
    let shape: Vec<(Vec<&str>, Option<&str>)> = pages
        .iter()
        .map(|p| {
            (
                p.items.iter().map(|s| s.id.as_str()).collect(),
                p.next_cursor.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            (vec!["s1", "s2"], Some(CURSOR_2)),
            (vec![], Some(CURSOR_3)),
            (vec!["s3"], None)
        ]
    );
    assert_eq!(
        cursors_sent(&server, "list_splits"),
        [
            Some("start=/".to_owned()),
            Some(CURSOR_2.to_owned()),
            Some(CURSOR_3.to_owned())
        ]
    );
}

#[tokio::test]
async fn object_shaped_data_gives_id_and_value_pairs_in_the_servers_order() {
    let server = MockServer::start();
    let client = client(&server);
    // Keys out of alphabetical order, as raw JSON: the server's order is kept, not a map's.
    let raw_page = |members: &[(&str, &str)], next: &str| {
        let members: Vec<String> = members
            .iter()
            .map(|(id, status)| format!("{id:?}: {}", endpoint_status(status)))
            .collect();
        Scenario::raw(
            200,
            "application/json",
            format!(
                r#"{{"data": {{{}}}, "nextCursor": {next}}}"#,
                members.join(", ")
            ),
        )
    };
    server.push_for(
        "dedicatedListEndpoints",
        raw_page(
            &[("ep-z", "RUNNING"), ("ep-a", "SLEEPING")],
            &json!(CURSOR_2).to_string(),
        ),
    );
    server.push_for(
        "dedicatedListEndpoints",
        raw_page(&[("ep-m", "FAILED"), ("ep-b", "RUNNING")], "null"),
    );

    let endpoints: Vec<(String, friendli::types::DedicatedEndpointStatus)> = client
        .dedicated()
        .endpoint()
        .list()
        .items()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = endpoints.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["ep-z", "ep-a", "ep-m", "ep-b"]);
    assert_eq!(
        serde_json::to_value(&endpoints[2].1.status).unwrap(),
        json!("FAILED")
    );
    assert_eq!(
        cursors_sent(&server, "dedicatedListEndpoints"),
        [None, Some(CURSOR_2.to_owned())]
    );
}

#[tokio::test]
async fn an_error_on_page_two_comes_after_the_items_of_page_one_and_ends_the_stream() {
    let server = MockServer::start();
    let client = client(&server);
    server.push_for(
        "list_samples",
        page(json!([["a", "{}"], ["b", "{}"]]), Some(CURSOR_2)),
    );
    server.push_for("list_samples", Scenario::fail(404));

    let mut samples = client
        .dataset()
        .list_samples("ds-1", "split-1")
        .retries(RetryConfig::none())
        .items();
    assert_eq!(samples.next().await.unwrap().unwrap()[0], "a");
    assert_eq!(samples.next().await.unwrap().unwrap()[0], "b");
    let error = samples.next().await.unwrap().unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404), "{error}");
    assert!(
        samples.next().await.is_none(),
        "the stream ends at its error"
    );
    assert_eq!(server.requests_for("list_samples").len(), 2);
}

#[tokio::test]
async fn a_cursor_the_server_gave_before_ends_in_an_error_not_a_loop() {
    let server = MockServer::start();
    let client = client(&server);
    let history = "dedicatedGetEndpointVersionHistory";
    server.push_for(history, page(json!({}), Some("A")));
    server.push_for(history, page(json!({}), Some("B")));
    // Back to the first cursor: following it would page forever.
    server.push_for(history, page(json!({}), Some("A")));
    server.push_for(history, page(json!({}), None));

    let mut pages = client
        .dedicated()
        .endpoint()
        .get_version_history("ep-1")
        .pages();
    for next in ["A", "B", "A"] {
        let page = pages.next().await.unwrap().unwrap();
        assert_eq!(page.next_cursor.as_deref(), Some(next));
    }
    let error = pages.next().await.unwrap().unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    assert!(error.to_string().contains("given before"), "{error}");
    assert!(pages.next().await.is_none());
    assert_eq!(server.requests_for(history).len(), 3);

    // The cursor the call starts at counts too.
    server.push_for("list_splits", page(json!([]), Some("same")));
    let result: Result<Vec<_>, _> = client
        .dataset()
        .list_splits("ds-1")
        .cursor("same")
        .items()
        .try_collect()
        .await;
    assert!(matches!(result, Err(Error::Decode(_))), "{result:?}");
    assert_eq!(server.requests_for("list_splits").len(), 1);
}

#[test]
fn the_blocking_client_iterates_items_and_pages() {
    let server = MockServer::start();
    let client = friendli_tests::builder(&server).blocking().build().unwrap();
    server.push_for("list_samples", page(json!([["a", "1"]]), Some(CURSOR_2)));
    server.push_for("list_samples", page(json!([["b", "2"], ["c", "3"]]), None));

    let samples: Vec<[String; 2]> = client
        .dataset()
        .list_samples("ds-1", "split-1")
        .limit(2)
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    let ids: Vec<&str> = samples.iter().map(|s| s[0].as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(
        cursors_sent(&server, "list_samples"),
        [None, Some(CURSOR_2.to_owned())]
    );

    server.push_for("list_samples", page(json!([["a", "1"]]), Some(CURSOR_3)));
    server.push_for("list_samples", Scenario::fail(400));
    let mut pages = client.dataset().list_samples("ds-1", "split-1").pages();
    assert_eq!(
        pages.next().unwrap().unwrap().next_cursor.as_deref(),
        Some(CURSOR_3)
    );
    assert_eq!(
        pages
            .next()
            .unwrap()
            .unwrap_err()
            .status()
            .map(|s| s.as_u16()),
        Some(400)
    );
    assert!(pages.next().is_none());
}
