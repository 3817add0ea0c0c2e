//! Decoding a realistic ~8 MB tool-assisted transcript into typed events, next to three reference
//! points measured in the same run:
//!
//! - `floor`: `serde_json::from_slice` alone on the pre-split payloads, into the same types;
//! - `friendli`: the SDK's `EventStream` over 1–4 KiB chunks (SSE decoding, event dispatch, UTF-8
//!   check and JSON decoding: everything between the network and the caller);
//! - `eventsource_stream`: `eventsource-stream` + `serde_json` into the same types (what the most
//!   used Rust LLM client does);
//! - `sse_stream`: `sse-stream` + `serde_json` into the same types.
//!
//! The crates hand out their data as checked `String`s, so they are given `serde_json::from_str`
//! (no second UTF-8 check), the way a careful user would call it. One more line, not a reference
//! point, is the floor with each payload's UTF-8 checked once up front, as the SDK does:
//! `friendli`'s distance to it is the cost of SSE framing and dispatch alone.
//!
//! Goal: `friendli` within 1.15× the time of `floor`. Run with
//! `cargo bench -p friendli --bench sse_decode`.
//!
//! Before criterion's own measurements, the paths also run in 31 interleaved rounds (the order
//! rotating every round) and the medians and the median per-round ratios are printed: on a
//! shared machine, criterion's one-path-after-another windows drift apart by more than the
//! differences measured here, while interleaved rounds see the same conditions.

mod common;

use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput};
use friendli::EventStream;
use friendli::events::ToolAssistedChatEvent;
use friendli::operation::StreamEnd;
use friendli::types::{StreamedChatData, ToolStatusData};
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

/// For the crates, whose events carry their data as a `String` (its UTF-8 already checked):
/// `serde_json::from_str`, which does not check it again.
fn decode_text(is_tool: bool, data: &str) -> usize {
    if is_tool {
        let status: ToolStatusData = serde_json::from_str(data).expect("a tool status");
        status.parameters.len()
    } else {
        let chunk: StreamedChatData = serde_json::from_str(data).expect("a chunk");
        chunk.choices.len()
    }
}

fn input(
    chunks: &[Bytes],
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let owned: Vec<Bytes> = Vec::from(chunks);
    futures::stream::iter(owned.into_iter().map(Ok::<Bytes, std::io::Error>))
}

fn floor(payloads: &[(bool, Bytes)]) -> usize {
    payloads
        .iter()
        .map(|(is_tool, data)| decode_payload(*is_tool, data))
        .sum()
}

/// Not a reference point: the floor with the payload's UTF-8 checked once, up front, as the SDK
/// does, instead of by `serde_json` string by string. The SDK's distance to this is the cost of
/// SSE decoding and dispatch alone.
fn floor_utf8_once(payloads: &[(bool, Bytes)]) -> usize {
    payloads
        .iter()
        .map(|(is_tool, data)| {
            decode_text(*is_tool, simdutf8::basic::from_utf8(data).expect("UTF-8"))
        })
        .sum()
}

fn friendli_stream(chunks: &[Bytes]) -> usize {
    let mut stream: EventStream<ToolAssistedChatEvent> =
        EventStream::from_byte_stream(input(chunks), StreamEnd::Sentinel("[DONE]"));
    futures::executor::block_on(async {
        let mut n = 0;
        while let Some(event) = stream.next().await {
            match event.expect("a valid event") {
                ToolAssistedChatEvent::Chunk(chunk) => n += chunk.choices.len(),
                ToolAssistedChatEvent::ToolStatus(status) => n += status.parameters.len(),
                _ => {}
            }
        }
        n
    })
}

fn friendli_sse_only(chunks: &[Bytes]) -> usize {
    let mut decoder = friendli::sse::Decoder::new().check_data_utf8(false);
    let mut n = 0;
    for chunk in chunks.iter().cloned() {
        decoder.feed(chunk);
        while let Some(event) = decoder.next_event() {
            n += event.expect("a valid event").data_bytes().len().min(1);
        }
    }
    n
}

fn eventsource_stream(chunks: &[Bytes]) -> usize {
    use eventsource_stream::Eventsource;
    let mut stream = input(chunks).eventsource();
    futures::executor::block_on(async {
        let mut n = 0;
        while let Some(event) = stream.next().await {
            let event = event.expect("a valid event");
            if event.data == "[DONE]" {
                break;
            }
            n += decode_text(event.event == "tool_status", &event.data);
        }
        n
    })
}

fn sse_stream(chunks: &[Bytes]) -> usize {
    let mut stream = sse_stream::SseByteStream::new(input(chunks));
    futures::executor::block_on(async {
        let mut n = 0;
        while let Some(event) = stream.next().await {
            let event = event.expect("a valid event");
            let Some(data) = event.data else { continue };
            if data == "[DONE]" {
                break;
            }
            n += decode_text(event.event.as_deref() == Some("tool_status"), &data);
        }
        n
    })
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Interleaved rounds: every path once per round, in a rotating order.
fn paired(payloads: &[(bool, Bytes)], chunks: &[Bytes], events: usize) {
    type Path<'a> = (&'a str, Box<dyn Fn() -> usize + 'a>);
    let paths: Vec<Path<'_>> = vec![
        ("floor", Box::new(|| floor(payloads))),
        ("friendli", Box::new(|| friendli_stream(chunks))),
        ("sse_stream", Box::new(|| sse_stream(chunks))),
        (
            "eventsource_stream",
            Box::new(|| eventsource_stream(chunks)),
        ),
        ("(floor_utf8_once)", Box::new(|| floor_utf8_once(payloads))),
    ];
    const ROUNDS: usize = 31;
    let mut times = vec![Vec::with_capacity(ROUNDS); paths.len()];
    for round in 0..ROUNDS {
        for k in 0..paths.len() {
            let i = (round + k) % paths.len();
            let started = Instant::now();
            assert!((paths[i].1)() >= events);
            times[i].push(started.elapsed().as_secs_f64());
        }
    }
    let floor_times = times[0].clone();
    eprintln!(
        "sse_decode interleaved ({ROUNDS} rounds; medians, and the median of the per-round ratios to the floor):"
    );
    for (i, (name, _)) in paths.iter().enumerate() {
        let mut ratios: Vec<f64> = times[i]
            .iter()
            .zip(&floor_times)
            .map(|(t, f)| t / f)
            .collect();
        let time = Duration::from_secs_f64(median(&mut times[i].clone()));
        eprintln!("  {name:<20} {time:>10.3?}  {:.3}x", median(&mut ratios));
    }
}

fn main() {
    let (bytes, events) = common::transcript(8 * 1024 * 1024, 7);
    let chunks = common::network_chunks(&bytes, 11);
    let payloads = common::payloads(&bytes);
    assert_eq!(payloads.len(), events);

    let mut criterion = Criterion::default().configure_from_args();
    // `cargo test --benches` runs this binary briefly to check that it works; skip the rounds then.
    if !std::env::args().any(|a| a == "--test") {
        paired(&payloads, &chunks, events);
    }

    let mut group = criterion.benchmark_group("sse_decode");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(20);
    group.bench_function(
        BenchmarkId::new("floor", "serde_json on pre-split payloads"),
        |b| b.iter(|| assert!(floor(&payloads) >= events)),
    );
    group.bench_function(BenchmarkId::new("friendli", "EventStream"), |b| {
        b.iter(|| assert!(friendli_stream(&chunks) >= events))
    });
    group.bench_function(
        BenchmarkId::new("floor_utf8_once", "simdutf8 + serde_json::from_str"),
        |b| b.iter(|| assert!(floor_utf8_once(&payloads) >= events)),
    );
    // Not a reference point: the SDK's SSE decoder alone, without JSON, to see where time goes.
    group.bench_function(BenchmarkId::new("friendli_sse_only", "sse::Decoder"), |b| {
        b.iter(|| assert!(friendli_sse_only(&chunks) > events))
    });
    group.bench_function(
        BenchmarkId::new("eventsource_stream", "+ serde_json"),
        |b| b.iter(|| assert!(eventsource_stream(&chunks) >= events)),
    );
    group.bench_function(BenchmarkId::new("sse_stream", "+ serde_json"), |b| {
        b.iter(|| assert!(sse_stream(&chunks) >= events))
    });
    group.finish();
    criterion.final_summary();
}
