//! The cost of the SDK on a unary call: `complete()` round trips next to a plain `reqwest` POST of
//! the same body with `serde_json` decoding of the same response, against a local server that
//! answers at once.
//!
//! Goal: median overhead ≤ 5% and ≤ 20 µs. Run with
//! `cargo bench -p friendli --bench complete_overhead`.

mod common;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use friendli::prelude::*;

fn bench(c: &mut Criterion) {
    let server = common::server::start(common::server::Answers {
        json: common::server::completion_json(120),
        stream: common::server::chunk_stream(1),
        gate_after: None,
    });
    let runtime = common::runtime(1);
    let client = common::client(&server.url).build().expect("a client");
    let http = common::http();
    let url = format!("{}/serverless/tools/v1/chat/completions", server.url);
    let template = common::request("What is 3 + 6?");

    let mut group = c.benchmark_group("complete_overhead");
    group.sample_size(100);
    let complete = || async {
        let result = client
            .serverless()
            .tool_assisted_chat()
            .complete(template.clone())
            .await
            .expect("a result");
        assert_eq!(result.choices.len(), 1);
    };
    group.bench_function(BenchmarkId::new("friendli", "complete()"), |b| {
        b.to_async(&runtime).iter(complete)
    });
    // The same with a subscriber that wants the call's span (the registry alone): what the
    // span, its fields and the facts read from the request and the answer cost when wanted.
    let subscriber = common::span_subscriber();
    group.bench_function(BenchmarkId::new("friendli", "complete(), span on"), |b| {
        b.to_async(&runtime).iter(|| {
            tracing::instrument::WithSubscriber::with_subscriber(complete(), subscriber.clone())
        })
    });
    group.bench_function(BenchmarkId::new("baseline", "reqwest + serde_json"), |b| {
        b.to_async(&runtime).iter(|| async {
            let mut request = template.clone();
            request.stream = Some(false);
            let response = http
                .post(&url)
                .header("authorization", "Bearer bench")
                .header("accept", "application/json")
                .json(&request)
                .send()
                .await
                .expect("a response");
            let bytes = response.bytes().await.expect("a body");
            let result: ChatResult = serde_json::from_slice(&bytes).expect("a result");
            assert_eq!(result.choices.len(), 1);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
