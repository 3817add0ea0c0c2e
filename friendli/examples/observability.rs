//! Observability: the `tracing` span of every call, in the OpenTelemetry GenAI conventions, for
//! a chat, a stream and a retried call; printed by `tracing-subscriber` as each span closes, and
//! exported through `tracing-opentelemetry` to an OpenTelemetry exporter (here one that prints
//! the attributes; in production, the OTLP exporter of `opentelemetry-otlp`). No prompt, answer
//! or token is recorded (`ClientBuilder::trace_content` opts in to the prompt and the answer).
//!
//! ```sh
//! cargo run --example observability
//! ```

mod common;

use std::future::Future;

use friendli::prelude::*;
use friendli::types::{ServerlessChatCompletionBody, StreamOptions};
use friendli_mock::Scenario;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::prelude::*;

/// An OpenTelemetry exporter that prints what it would send: each span's name, kind, status and
/// attributes. Replace it with `opentelemetry_otlp::SpanExporter` to send the spans to a
/// collector.
#[derive(Debug)]
struct PrintExporter;

impl SpanExporter for PrintExporter {
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        for span in batch {
            println!(
                "[otel] span {:?} ({:?}, {:?})",
                span.name, span.span_kind, span.status
            );
            for attribute in &span.attributes {
                println!("[otel]   {} = {}", attribute.key, attribute.value);
            }
        }
        std::future::ready(Ok(()))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Two consumers of the same spans: a log line as each span closes, with its fields; and
    // OpenTelemetry, through tracing-opentelemetry.
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(PrintExporter)
        .build();
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_span_events(FmtSpan::CLOSE)
                .with_ansi(false)
                .with_filter(LevelFilter::INFO),
        )
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("friendli-example")))
        .init();

    let (client, mock) = common::client()?;
    let request = |include_usage: bool| {
        let request = ServerlessChatCompletionBody::builder()
            .model(common::model())
            .messages(vec![Message::user("What is 3 + 6?")])
            .temperature(0.2)
            .max_tokens(64);
        match include_usage {
            true => request.stream_options(StreamOptions {
                include_usage: Some(true),
            }),
            false => request,
        }
    };

    println!("\n== a chat");
    let answer = client.serverless().chat().complete(request(false)).await?;
    println!(
        "answer: {:?}; request id {:?}, {} attempt(s), {:?}",
        answer.content(),
        answer.request_id(),
        answer.attempts(),
        answer.elapsed()
    );

    println!("\n== a stream (its span closes when the stream ends)");
    let mut stream = client.serverless().chat().stream(request(true)).await?;
    println!(
        "stream started: request id {:?}, rate limits {:?}",
        stream.request_id(),
        stream.meta().rate_limit()
    );
    let mut text = String::new();
    while let Some(event) = stream.next().await {
        text.push_str(event?.content(0).unwrap_or_default());
    }
    drop(stream);
    println!("streamed: {text:?}");

    println!("\n== a retried call");
    if let Some(mock) = &mock {
        // Offline, the mock is overloaded twice first.
        mock.push(Scenario::fail(503).times(2));
    }
    let answer = client
        .serverless()
        .chat()
        .complete(request(false))
        .retries(RetryConfig::default().initial_interval(std::time::Duration::from_millis(50)))
        .await?;
    println!(
        "answered after {} attempt(s); the failures before: {:?}",
        answer.attempts(),
        answer.failed_attempts()
    );

    // Exports what is left and stops the exporter.
    provider.shutdown()?;
    Ok(())
}
