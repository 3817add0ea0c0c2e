//! 1,000 concurrent streams of 200 events each on one client: total events per second, and the
//! memory each open stream costs (resident set size with every stream open, minus the idle
//! process, divided by the number of streams).
//!
//! The server runs in a child process (this same binary, started with `FRIENDLI_BENCH_SERVER=1`)
//! so that its memory is not counted. Every stream stops after its first event until all of them
//! are open; the memory is read then. Goal: ≤ 64 KiB per open stream. Run with
//! `cargo bench -p friendli --bench concurrent_streams`.

mod common;

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use friendli::prelude::*;

const STREAMS: usize = 1_000;
const EVENTS: usize = 200;

/// A memory figure of this process from `/proc/self/status`, in KiB (Linux).
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The resident set size, in KiB.
fn rss_kib() -> Option<u64> {
    status_kib("VmRSS:")
}

struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server() -> (ServerProcess, String) {
    let mut child = Command::new(std::env::current_exe().expect("this binary"))
        .env("FRIENDLI_BENCH_SERVER", "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server process");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the URL");
    (ServerProcess(child), line.trim().to_owned())
}

fn serve() -> ! {
    let stream = common::server::chunk_stream(EVENTS);
    let first = stream
        .windows(2)
        .position(|w| w == b"\n\n")
        .expect("an event")
        + 2;
    let server = common::server::start(common::server::Answers {
        json: common::server::completion_json(1),
        stream,
        gate_after: Some(first),
    });
    println!("{}", server.url);
    loop {
        std::thread::park();
    }
}

/// Opens every stream, reads its first event, calls `all_open` once all are open, opens the gate
/// and drains them all. Returns what `all_open` returned.
async fn run<T>(client: &Client, url: &str, all_open: impl FnOnce() -> T) -> T {
    let barrier = Arc::new(tokio::sync::Barrier::new(STREAMS + 1));
    let mut tasks = Vec::with_capacity(STREAMS);
    for _ in 0..STREAMS {
        let (client, barrier) = (client.clone(), Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            let mut events = client
                .serverless()
                .tool_assisted_chat()
                .stream(common::request("Stream, please."))
                .await
                .expect("a stream");
            let mut n = usize::from(events.next().await.is_some());
            barrier.wait().await;
            while let Some(event) = events.next().await {
                event.expect("an event");
                n += 1;
            }
            n
        }));
    }
    barrier.wait().await;
    let measured = all_open();
    common::http()
        .post(format!("{url}/gate"))
        .send()
        .await
        .expect("the gate opens");
    for task in tasks {
        assert_eq!(task.await.expect("a task"), EVENTS);
    }
    measured
}

fn main() {
    if std::env::var_os("FRIENDLI_BENCH_SERVER").is_some() {
        serve();
    }
    let (_server, url) = start_server();
    let runtime = common::runtime(2);
    let client = common::client(&url)
        .read_timeout(Duration::from_secs(60))
        .build()
        .expect("a client");

    // Memory, twice: from a process that never streamed (so one-time costs such as runtime
    // threads and pools count against the streams: the conservative figure), then once warm.
    let per_stream = |idle: u64, open: u64| open.saturating_sub(idle) as f64 / STREAMS as f64;
    let cold_idle = rss_kib().unwrap_or(0);
    let cold_open = runtime.block_on(run(&client, &url, || rss_kib().unwrap_or(0)));
    let warm_idle = rss_kib().unwrap_or(0);
    let warm_open = runtime.block_on(run(&client, &url, || rss_kib().unwrap_or(0)));
    eprintln!(
        "concurrent_streams: RSS with {STREAMS} streams open: {:.1} KiB per stream above the never-streamed process \
         ({cold_idle} -> {cold_open} KiB), {:.1} KiB per stream above the warm idle process ({warm_idle} -> {warm_open} KiB); goal <= 64 KiB",
        per_stream(cold_idle, cold_open),
        per_stream(warm_idle, warm_open),
    );
    eprintln!(
        "concurrent_streams: peak RSS (VmHWM) {} KiB, while all {STREAMS} streams drained at once",
        status_kib("VmHWM:").unwrap_or(0)
    );

    let mut criterion = Criterion::default().configure_from_args().sample_size(10);
    let mut group = criterion.benchmark_group("concurrent_streams");
    group.throughput(Throughput::Elements((STREAMS * EVENTS) as u64));
    group.bench_function(
        BenchmarkId::new("friendli", format!("{STREAMS} streams × {EVENTS} events")),
        |b| b.to_async(&runtime).iter(|| run(&client, &url, || ())),
    );
    group.finish();
    criterion.final_summary();
}
