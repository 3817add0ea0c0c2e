//! A stream of 20,000 chunk events served as fast as a local server can write them: events per
//! second through the SDK's `EventStream`, next to the same bytes read with plain `reqwest` and
//! decoded with the floor decoder (split on blank lines, `serde_json` on the payload).
//!
//! Goal: the SDK at ≥ 0.9× the baseline's events per second. Run with
//! `cargo bench -p friendli --bench stream_e2e`.

mod common;

use bytes::{Buf, BytesMut};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use friendli::prelude::*;
use friendli::types::StreamedChatData;

const EVENTS: usize = 20_000;

/// The baseline: plain reqwest, events split on `\n\n`, payloads decoded with serde_json.
async fn baseline(http: &reqwest::Client, url: &str, body: &[u8]) -> usize {
    use futures::StreamExt;
    let response = http
        .post(url)
        .header("authorization", "Bearer bench")
        .header("accept", "text/event-stream")
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .expect("a response");
    let mut bytes = response.bytes_stream();
    let mut buffer = BytesMut::new();
    let mut events = 0;
    while let Some(chunk) = bytes.next().await {
        buffer.extend_from_slice(&chunk.expect("a chunk"));
        while let Some(end) = memchr::memmem::find(&buffer, b"\n\n") {
            let event = buffer.split_to(end + 2);
            let data = &event[6..end];
            if data == b"[DONE]" {
                return events;
            }
            let chunk: StreamedChatData = serde_json::from_slice(data).expect("a chunk");
            events += chunk.choices.len();
        }
        if buffer.is_empty() {
            buffer.advance(0);
        }
    }
    events
}

fn bench(c: &mut Criterion) {
    let server = common::server::start(common::server::Answers {
        json: common::server::completion_json(10),
        stream: common::server::chunk_stream(EVENTS),
        gate_after: None,
    });
    let runtime = common::runtime(1);
    let client = common::client(&server.url).build().expect("a client");
    let http = common::http();
    let url = format!("{}/serverless/tools/v1/chat/completions", server.url);
    let body = serde_json::to_vec(&common::request("Count to twenty thousand.")).expect("JSON");

    let mut group = c.benchmark_group("stream_e2e");
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.sample_size(30);
    let stream = || async {
        let mut events = client
            .serverless()
            .tool_assisted_chat()
            .stream(common::request("Count to twenty thousand."))
            .await
            .expect("a stream");
        let mut n = 0;
        while let Some(event) = events.next().await {
            if let ToolAssistedChatEvent::Chunk(chunk) = event.expect("an event") {
                n += chunk.choices.len();
            }
        }
        assert_eq!(n, EVENTS);
    };
    group.bench_function(BenchmarkId::new("friendli", "EventStream"), |b| {
        b.to_async(&runtime).iter(stream)
    });
    // The same with a subscriber that wants the call's span (the registry alone): what the
    // span, its fields and the facts read from the events cost when they are wanted.
    let subscriber = common::span_subscriber();
    group.bench_function(BenchmarkId::new("friendli", "EventStream, span on"), |b| {
        b.to_async(&runtime).iter(|| {
            tracing::instrument::WithSubscriber::with_subscriber(stream(), subscriber.clone())
        })
    });
    group.bench_function(
        BenchmarkId::new("baseline", "reqwest + floor decoder"),
        |b| {
            b.to_async(&runtime).iter(|| async {
                assert_eq!(baseline(&http, &url, &body).await, EVENTS);
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
