//! Decoding a realistic ~8 MB tool-assisted transcript into typed events, next to three reference
//! points measured in the same run:
//!
//! - `floor`: `serde_json` alone on the pre-split payloads, into the same types;
//! - `friendli`: the SDK's `EventStream` over 1–4 KiB chunks (SSE decoding, event dispatch and
//!   JSON decoding: everything between the network and the caller);
//! - `eventsource_stream`: `eventsource-stream` + `serde_json` into the same types (what the most
//!   used Rust LLM client does);
//! - `sse_stream`: `sse-stream` + `serde_json` into the same types.
//!
//! Goal: `friendli` within 1.15× the time of `floor`. Run with
//! `cargo bench -p friendli --bench sse_decode`.

mod common;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use friendli::types::{StreamedChatData, ToolStatusData};
use friendli::{EventStream, StreamEvent};
use futures::StreamExt;

fn decode_payload(is_tool: bool, data: &[u8]) -> usize {
    if is_tool {
        let status: ToolStatusData = serde_json::from_slice(data).expect("a tool status");
        status.parameters.len()
    } else {
        let chunk: StreamedChatData = serde_json::from_slice(data).expect("a chunk");
        chunk.choices.len()
    }
}

fn bench(c: &mut Criterion) {
    let (bytes, events) = common::transcript(8 * 1024 * 1024, 7);
    let chunks = common::network_chunks(&bytes, 11);
    let payloads = common::payloads(&bytes);
    assert_eq!(payloads.len(), events);

    let mut group = c.benchmark_group("sse_decode");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(20);

    group.bench_function(
        BenchmarkId::new("floor", "serde_json on pre-split payloads"),
        |b| {
            b.iter(|| {
                let mut n = 0;
                for (is_tool, data) in &payloads {
                    n += decode_payload(*is_tool, data);
                }
                assert!(n >= events);
            })
        },
    );

    group.bench_function(BenchmarkId::new("friendli", "EventStream"), |b| {
        b.iter(|| {
            let input =
                futures::stream::iter(chunks.clone().into_iter().map(Ok::<Bytes, std::io::Error>));
            let mut stream = EventStream::from_byte_stream(input);
            let n = futures::executor::block_on(async {
                let mut n = 0;
                while let Some(event) = stream.next().await {
                    match event.expect("a valid event") {
                        StreamEvent::Chunk(chunk) => n += chunk.choices.len(),
                        StreamEvent::ToolStatus(status) => n += status.parameters.len(),
                        _ => {}
                    }
                }
                n
            });
            assert!(n >= events);
        })
    });

    // Not a reference point: the SDK's SSE decoder alone, without JSON, to see where time goes.
    group.bench_function(BenchmarkId::new("friendli_sse_only", "sse::Decoder"), |b| {
        b.iter(|| {
            let mut decoder = friendli::sse::Decoder::new().check_data_utf8(false);
            let mut n = 0;
            for chunk in chunks.clone() {
                decoder.feed(chunk);
                while let Some(event) = decoder.next_event() {
                    n += event.expect("a valid event").data_bytes().len().min(1);
                }
            }
            assert!(n > events);
        })
    });

    group.bench_function(
        BenchmarkId::new("eventsource_stream", "+ serde_json"),
        |b| {
            use eventsource_stream::Eventsource;
            b.iter(|| {
                let input = futures::stream::iter(
                    chunks.clone().into_iter().map(Ok::<Bytes, std::io::Error>),
                );
                let mut stream = input.eventsource();
                let n = futures::executor::block_on(async {
                    let mut n = 0;
                    while let Some(event) = stream.next().await {
                        let event = event.expect("a valid event");
                        if event.data == "[DONE]" {
                            break;
                        }
                        n += decode_payload(event.event == "tool_status", event.data.as_bytes());
                    }
                    n
                });
                assert!(n >= events);
            })
        },
    );

    group.bench_function(BenchmarkId::new("sse_stream", "+ serde_json"), |b| {
        b.iter(|| {
            let input =
                futures::stream::iter(chunks.clone().into_iter().map(Ok::<Bytes, std::io::Error>));
            let mut stream = sse_stream::SseByteStream::new(input);
            let n = futures::executor::block_on(async {
                let mut n = 0;
                while let Some(event) = stream.next().await {
                    let event = event.expect("a valid event");
                    let Some(data) = event.data else { continue };
                    if data == "[DONE]" {
                        break;
                    }
                    n += decode_payload(
                        event.event.as_deref() == Some("tool_status"),
                        data.as_bytes(),
                    );
                }
                n
            });
            assert!(n >= events);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
