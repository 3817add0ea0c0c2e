//! A turn of the scripted assistant, written in the wire format: a `chat.completion` JSON body,
//! or the events of a `text/event-stream`.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::assistant::{Answer, ToolRun, Turn};

/// One server-sent event.
#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    /// The `event:` field, if any.
    pub event: Option<String>,
    /// The `data:` payload (one line, or several joined by `\n`).
    pub data: String,
}

impl SseEvent {
    /// An event without a name.
    pub fn data(data: impl Into<String>) -> Self {
        SseEvent {
            event: None,
            data: data.into(),
        }
    }

    /// A named event.
    pub fn named(event: &str, data: impl Into<String>) -> Self {
        SseEvent {
            event: Some(event.to_owned()),
            data: data.into(),
        }
    }

    /// The `[DONE]` event.
    pub fn done() -> Self {
        SseEvent::data("[DONE]")
    }
}

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default()
}

fn usage(turn: &Turn) -> Value {
    let completion = turn.completion_tokens();
    json!({
        "prompt_tokens": turn.prompt_tokens,
        "completion_tokens": completion,
        "total_tokens": turn.prompt_tokens + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
    })
}

/// The `chat.completion` JSON body of a turn.
pub fn completion_body(turn: &Turn, id: &str) -> Value {
    let choices: Vec<Value> = (0..turn.choices)
        .map(|index| match &turn.answer {
            Answer::Text {
                tokens,
                finish_reason,
            } => json!({
                "index": index,
                "message": {"role": "assistant", "content": tokens.concat()},
                "finish_reason": finish_reason,
                "logprobs": null,
            }),
            Answer::Calls(calls) => json!({
                "index": index,
                "message": {
                    "role": "assistant",
                    "content": null,
                    "tool_calls": calls.iter().map(|c| json!({
                        "id": c.id, "type": "function",
                        "function": {"name": c.name, "arguments": c.arguments},
                    })).collect::<Vec<_>>(),
                },
                "finish_reason": "tool_calls",
                "logprobs": null,
            }),
        })
        .collect();
    json!({
        "id": id,
        "object": "chat.completion",
        "created": now_seconds() as i64,
        "model": turn.model,
        "choices": choices,
        "usage": usage(turn),
    })
}

fn tool_status(run: &ToolRun, status: &str, include_outcome: bool) -> SseEvent {
    let parameters: Vec<Value> = run
        .parameters
        .iter()
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect();
    let (result, error) = match (&run.outcome, include_outcome) {
        (Ok(result), true) => (json!(result), Value::Null),
        (Err(failure), true) => (
            Value::Null,
            json!({"type": failure.kind, "msg": failure.message}),
        ),
        _ => (Value::Null, Value::Null),
    };
    let data = json!({
        "tool_call_id": run.id,
        "name": run.name,
        "status": status,
        "parameters": parameters,
        "result": result,
        "files": null,
        "message": null,
        "error": error,
        "usage": null,
        "timestamp": now_seconds(),
    });
    SseEvent::named("tool_status", data.to_string())
}

/// The events of a streamed turn: tool status events, chunks, the usage chunk when asked for,
/// and `[DONE]`.
pub fn stream_events(turn: &Turn, id: &str, include_usage: bool) -> Vec<SseEvent> {
    let mut events = Vec::new();
    for run in &turn.tool_runs {
        events.push(tool_status(run, "STARTED", false));
        let status = if run.outcome.is_ok() {
            "ENDED"
        } else {
            "ERRORED"
        };
        events.push(tool_status(run, status, true));
    }
    let created = now_seconds() as i64;
    let chunk = |choices: Value| {
        SseEvent::data(
            json!({
                "id": id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": turn.model,
                "choices": choices,
            })
            .to_string(),
        )
    };
    for index in 0..turn.choices {
        match &turn.answer {
            Answer::Text {
                tokens,
                finish_reason,
            } => {
                for token in tokens {
                    events.push(chunk(json!([{
                        "index": index,
                        "delta": {"role": "assistant", "content": token},
                        "finish_reason": null,
                        "logprobs": null,
                    }])));
                }
                events.push(chunk(json!([{"index": index, "delta": {}, "finish_reason": finish_reason, "logprobs": null}])));
            }
            Answer::Calls(calls) => {
                for (call_index, call) in calls.iter().enumerate() {
                    events.push(chunk(json!([{
                        "index": index,
                        "delta": {"role": "assistant", "tool_calls": [{
                            "index": call_index, "id": call.id, "type": "function",
                            "function": {"name": call.name, "arguments": ""},
                        }]},
                        "finish_reason": null,
                    }])));
                    let chars: Vec<char> = call.arguments.chars().collect();
                    for piece in chars.chunks(8) {
                        events.push(chunk(json!([{
                            "index": index,
                            "delta": {"tool_calls": [{
                                "index": call_index, "type": "function",
                                "function": {"arguments": piece.iter().collect::<String>()},
                            }]},
                            "finish_reason": null,
                        }])));
                    }
                }
                events.push(chunk(
                    json!([{"index": index, "delta": {}, "finish_reason": "tool_calls"}]),
                ));
            }
        }
    }
    if include_usage {
        let mut last = json!({
            "id": id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": turn.model,
            "choices": [],
        });
        last["usage"] = usage(turn);
        events.push(SseEvent::data(last.to_string()));
    }
    events.push(SseEvent::done());
    events
}
