//! Realistic tool-assisted chat transcripts for the benchmarks.

#![allow(dead_code)]

pub mod server;

use bytes::Bytes;

/// A multi-threaded runtime with `workers` worker threads.
/// A subscriber that wants every span (the `tracing-subscriber` registry, with no layer): what a
/// call's span costs when an application records spans, without the cost of a particular
/// exporter.
pub fn span_subscriber() -> tracing::Dispatch {
    tracing::Dispatch::new(tracing_subscriber::registry())
}

pub fn runtime(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// A client builder for the local server at `url` (no environment, a dummy token).
pub fn client(url: &str) -> friendli::ClientBuilder {
    friendli::Client::builder()
        .ignore_env()
        .token("bench")
        .base_url(url)
}

/// A tool-assisted chat request asking `text`.
pub fn request(text: &str) -> friendli::types::ToolAssistedChatRequest {
    use friendli::prelude::*;
    ToolAssistedChatRequest::builder()
        .model("meta-llama-3.1-8b-instruct")
        .messages(vec![
            Message::system("You are helpful."),
            Message::user(text),
        ])
        .tools(vec![
            ToolAssistedChatTool::calculator(),
            ToolAssistedChatTool::web_search(),
        ])
        .max_tokens(200)
        .try_into()
        .expect("a complete request")
}

/// A deterministic pseudo-random sequence (no `rand` dependency needed for a fixed workload).
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Lcg(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: [&str; 16] = [
    " the",
    " answer",
    " is",
    " 9",
    ".",
    " Seoul",
    " has",
    " about",
    " million",
    " people",
    ";",
    " it",
    " rains",
    " today",
    "\\n",
    " résumé",
];

/// One token chunk event (`data: {...}\n\n`), as the server writes it.
pub fn chunk_event(rng: &mut Lcg, index: u64) -> String {
    let token = WORDS[rng.below(WORDS.len() as u64) as usize];
    format!(
        "data: {{\"id\":\"chatcmpl-7f3c2a9d0b1e4c5f8a6b2d3e4f5a6b7c\",\"object\":\"chat.completion.chunk\",\"created\":{},\"model\":\"meta-llama-3.1-8b-instruct\",\"choices\":[{{\"index\":0,\"delta\":{{\"role\":\"assistant\",\"content\":\"{token}\"}},\"finish_reason\":null,\"logprobs\":null}}]}}\n\n",
        1_751_000_000 + index / 50
    )
}

/// One tool status event, as the server writes it.
pub fn tool_event(rng: &mut Lcg, index: u64) -> String {
    let status = ["STARTED", "UPDATING", "ENDED"][rng.below(3) as usize];
    format!(
        "event: tool_status\ndata: {{\"tool_call_id\":\"call_{index}\",\"name\":\"math:calculator\",\"status\":\"{status}\",\"parameters\":[{{\"name\":\"expression\",\"value\":\"9400000 * 0.15\"}}],\"result\":\"{{\\\"result\\\": \\\"9400000 * 0.15=1410000.00000000\\\"}}\",\"files\":null,\"message\":null,\"error\":null,\"usage\":null,\"timestamp\":{}.5}}\n\n",
        1_751_000_000 + index / 50
    )
}

/// A transcript of about `target` bytes: ~95% token chunks, ~5% tool status events, ending in
/// `[DONE]`. Returns the bytes and the number of events before `[DONE]`.
pub fn transcript(target: usize, seed: u64) -> (Vec<u8>, usize) {
    let mut rng = Lcg::new(seed);
    let mut out = String::with_capacity(target + 1024);
    let mut events = 0;
    while out.len() < target {
        let event = if rng.below(100) < 5 {
            tool_event(&mut rng, events as u64)
        } else {
            chunk_event(&mut rng, events as u64)
        };
        out.push_str(&event);
        events += 1;
    }
    out.push_str("data: [DONE]\n\n");
    (out.into_bytes(), events)
}

/// The transcript cut into chunks of 1 to 4 KiB, as the network delivers it.
pub fn network_chunks(bytes: &[u8], seed: u64) -> Vec<Bytes> {
    let mut rng = Lcg::new(seed);
    let whole = Bytes::copy_from_slice(bytes);
    let mut chunks = Vec::new();
    let mut at = 0;
    while at < whole.len() {
        let size = (1024 + rng.below(3 * 1024 + 1) as usize).min(whole.len() - at);
        chunks.push(whole.slice(at..at + size));
        at += size;
    }
    chunks
}

/// The payloads of the transcript's events, already split out (the floor: JSON decoding only),
/// with whether each is a tool status event.
pub fn payloads(bytes: &[u8]) -> Vec<(bool, Bytes)> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    text.split("\n\n")
        .filter(|block| !block.is_empty())
        .filter_map(|block| {
            let is_tool = block.starts_with("event: tool_status");
            let data = block.lines().find_map(|l| l.strip_prefix("data: "))?;
            (data != "[DONE]").then(|| (is_tool, Bytes::copy_from_slice(data.as_bytes())))
        })
        .collect()
}

/// A plain reqwest client for the baselines. With the default `rustls-ring` feature, reqwest is
/// built with `rustls-no-provider`, so a client that relies on reqwest's own TLS setup needs a
/// process-wide provider.
pub fn http() -> reqwest::Client {
    // The provider friendli configures per client (deprecated by rustls 0.23.48 only for its
    // lack of post-quantum key exchange; see friendli's `rustls_config`).
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
