//! A minimal HTTP server for the end-to-end benchmarks: it answers every request at once with a
//! fixed body, so that what is measured is the client, not the server.
//!
//! `Accept: text/event-stream` gets the event-stream body, anything else the JSON body. With a
//! gate, the event stream stops after its first event until `POST /gate` opens the gate.

#![allow(dead_code)]

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use tokio::sync::{mpsc, watch};

/// What the server answers.
#[derive(Clone)]
pub struct Answers {
    /// The JSON body.
    pub json: Bytes,
    /// The event-stream body.
    pub stream: Bytes,
    /// Hold every stream after this many bytes until `POST /gate`.
    pub gate_after: Option<usize>,
}

/// A running server.
pub struct BenchServer {
    pub url: String,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

type Body = UnsyncBoxBody<Bytes, Infallible>;

/// Starts the server on a free port of 127.0.0.1, on its own thread and runtime.
pub fn start(answers: Answers) -> BenchServer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.set_nonblocking(true).expect("non-blocking");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let (shutdown, mut stop) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("a listener");
            let answers = Arc::new(answers);
            let gate = Arc::new(watch::Sender::new(0u64));
            loop {
                tokio::select! {
                    _ = &mut stop => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let _ = stream.set_nodelay(true);
                        let (answers, gate) = (Arc::clone(&answers), Arc::clone(&gate));
                        tokio::spawn(async move {
                            let service = hyper::service::service_fn(move |request| {
                                let (answers, gate) = (Arc::clone(&answers), Arc::clone(&gate));
                                async move { Ok::<_, Infallible>(answer(&answers, &gate, request).await) }
                            });
                            let _ = hyper::server::conn::http1::Builder::new()
                                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                                .await;
                        });
                    }
                }
            }
        });
    });
    BenchServer {
        url,
        _shutdown: shutdown,
    }
}

async fn answer(
    answers: &Answers,
    gate: &Arc<watch::Sender<u64>>,
    request: hyper::Request<hyper::body::Incoming>,
) -> hyper::Response<Body> {
    let wants_stream = request
        .headers()
        .get(hyper::header::ACCEPT)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if request.uri().path() == "/gate" {
        gate.send_modify(|generation| *generation += 1);
        let _ = request.into_body().collect().await;
        return hyper::Response::new(Full::new(Bytes::new()).boxed_unsync());
    }
    let _ = request.into_body().collect().await;
    if !wants_stream {
        let mut response = hyper::Response::new(Full::new(answers.json.clone()).boxed_unsync());
        response.headers_mut().insert(
            "content-type",
            hyper::header::HeaderValue::from_static("application/json"),
        );
        return response;
    }
    let body: Body = match answers.gate_after {
        None => Full::new(answers.stream.clone()).boxed_unsync(),
        Some(at) => {
            let (tx, rx) = mpsc::channel::<Result<Frame<Bytes>, Infallible>>(2);
            let (first, rest) = (answers.stream.slice(..at), answers.stream.slice(at..));
            let mut opened = gate.subscribe();
            let started = *opened.borrow();
            tokio::spawn(async move {
                if tx.send(Ok(Frame::data(first))).await.is_err() {
                    return;
                }
                let _ = opened.wait_for(|generation| *generation > started).await;
                let _ = tx.send(Ok(Frame::data(rest))).await;
            });
            let stream = futures::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|item| (item, rx))
            });
            BodyExt::boxed_unsync(StreamBody::new(Box::pin(stream)))
        }
    };
    let mut response = hyper::Response::new(body);
    response.headers_mut().insert(
        "content-type",
        hyper::header::HeaderValue::from_static("text/event-stream"),
    );
    response
}

/// A `chat.completion` body of about `bytes` bytes of content.
pub fn completion_json(content_words: usize) -> Bytes {
    let content: String = (0..content_words)
        .map(|i| {
            if i % 7 == 6 {
                " the answer is 9."
            } else {
                " token"
            }
        })
        .collect();
    let body = serde_json::json!({
        "id": "chatcmpl-7f3c2a9d0b1e4c5f8a6b2d3e4f5a6b7c",
        "object": "chat.completion",
        "created": 1_751_000_000,
        "model": "meta-llama-3.1-8b-instruct",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop", "logprobs": null}],
        "usage": {"prompt_tokens": 812, "completion_tokens": content_words, "total_tokens": 812 + content_words, "prompt_tokens_details": {"cached_tokens": 0}}
    });
    Bytes::from(body.to_string())
}

/// An event stream of `events` token chunks and `[DONE]`.
pub fn chunk_stream(events: usize) -> Bytes {
    let mut rng = super::Lcg::new(3);
    let mut out = String::new();
    for i in 0..events {
        out.push_str(&super::chunk_event(&mut rng, i as u64));
    }
    out.push_str("data: [DONE]\n\n");
    Bytes::from(out)
}
