//! A turn of the scripted assistant, written in the wire format: a `chat.completion` JSON body,
//! or the events of a `text/event-stream`; and text completions (`text_completion`) likewise.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::assistant::{Answer, ToolRun, Turn, tokenize};
use crate::tokenizer;

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

/// Seconds since the Unix epoch.
pub(crate) fn now_seconds() -> f64 {
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
                "message": with_reasoning(json!({"role": "assistant", "content": tokens.concat()}), turn),
                "finish_reason": finish_reason,
                "logprobs": null,
            }),
            Answer::Calls(calls) => json!({
                "index": index,
                "message": with_reasoning(json!({
                    "role": "assistant",
                    "content": null,
                    "tool_calls": calls.iter().map(|c| json!({
                        "id": c.id, "type": "function",
                        "function": {"name": c.name, "arguments": c.arguments},
                    })).collect::<Vec<_>>(),
                }), turn),
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

fn with_reasoning(mut message: Value, turn: &Turn) -> Value {
    if let Some(reasoning) = &turn.reasoning {
        message["reasoning_content"] = json!(reasoning);
    }
    message
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
///
/// Function calls come in the fragments of OpenAI-style servers: per call, a first fragment with
/// its `index`, `id`, `type` and function `name` and empty `arguments`, then fragments with only
/// the `index` and a piece of the arguments (see [`argument_pieces`]), which a client joins by
/// `index`.
pub fn stream_events(turn: &Turn, id: &str, include_usage: bool) -> Vec<SseEvent> {
    let mut events = stream_data_events(turn, id, include_usage);
    events.push(SseEvent::done());
    events
}

/// [`stream_events`] without the final `[DONE]`: the server ends each stream the way its
/// operation's document says.
pub fn stream_data_events(turn: &Turn, id: &str, include_usage: bool) -> Vec<SseEvent> {
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
        if let Some(reasoning) = &turn.reasoning {
            for piece in tokenize(reasoning) {
                events.push(chunk(json!([{
                    "index": index,
                    "delta": {"role": "assistant", "reasoning_content": piece},
                    "finish_reason": null,
                    "logprobs": null,
                }])));
            }
        }
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
                    // Later fragments carry only the index and a piece of the arguments, as
                    // OpenAI-style servers send them.
                    for piece in argument_pieces(&call.arguments) {
                        events.push(chunk(json!([{
                            "index": index,
                            "delta": {"tool_calls": [{
                                "index": call_index,
                                "function": {"arguments": piece},
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
    events
}

/// The pieces a function call's arguments are streamed in: eight characters each (never a
/// character cut), so that a client has to join them.
pub fn argument_pieces(arguments: &str) -> Vec<String> {
    let chars: Vec<char> = arguments.chars().collect();
    chars
        .chunks(8)
        .map(|piece| piece.iter().collect())
        .collect()
}

/// One completed text of a text completion.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletionChoice {
    /// The text (cut by `max_tokens` and `stop`).
    pub text: String,
    /// `stop` or `length`.
    pub finish_reason: &'static str,
}

/// A text completion: the choices for every prompt and `n`, and the prompt's token count.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// The model name to report.
    pub model: Option<String>,
    /// The choices, in order.
    pub choices: Vec<CompletionChoice>,
    /// The seed to report.
    pub seed: i64,
    /// Tokens of the prompts (see [`tokenizer`]).
    pub prompt_tokens: u64,
}

impl Completion {
    /// Tokens of all choices (see [`tokenizer`]).
    pub fn completion_tokens(&self) -> u64 {
        self.choices.iter().map(|c| tokenizer::count(&c.text)).sum()
    }

    fn usage(&self) -> Value {
        let completion = self.completion_tokens();
        json!({
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion,
            "prompt_tokens_details": {"cached_tokens": 0},
        })
    }
}

/// The `text_completion` JSON body of a completion. Every choice's `tokens` are the
/// [`tokenizer`]'s tokens of its text.
pub fn completions_body(completion: &Completion, id: &str) -> Value {
    let choices: Vec<Value> = completion
        .choices
        .iter()
        .enumerate()
        .map(|(index, choice)| {
            json!({
                "index": index,
                "text": choice.text,
                "seed": completion.seed,
                "finish_reason": choice.finish_reason,
                "tokens": tokenizer::encode(&choice.text),
                "logprobs": null,
            })
        })
        .collect();
    json!({
        "id": id,
        "object": "text_completion",
        "created": now_seconds() as i64,
        "model": completion.model,
        "choices": choices,
        "usage": completion.usage(),
    })
}

/// The events of a streamed completion (without the stream's end): one chunk per token
/// (character) with its `token` ID, a last chunk per choice with an empty text and the finish
/// reason, and the usage chunk when asked for.
pub fn completions_stream_events(
    completion: &Completion,
    id: &str,
    include_usage: bool,
) -> Vec<SseEvent> {
    let created = now_seconds() as i64;
    let chunk = |choices: Value, usage: Option<Value>| {
        let mut data = json!({
            "id": id,
            "object": "text_completion",
            "created": created,
            "model": completion.model,
            "choices": choices,
        });
        if let Some(usage) = usage {
            data["usage"] = usage;
        }
        SseEvent::data(data.to_string())
    };
    let mut events = Vec::new();
    for (index, choice) in completion.choices.iter().enumerate() {
        for c in choice.text.chars() {
            events.push(chunk(
                json!([{"index": index, "text": c.to_string(), "token": i64::from(u32::from(c)), "finish_reason": null, "logprobs": null}]),
                None,
            ));
        }
        events.push(chunk(
            json!([{"index": index, "text": "", "token": null, "finish_reason": choice.finish_reason, "logprobs": null}]),
            None,
        ));
    }
    if include_usage {
        events.push(chunk(json!([]), Some(completion.usage())));
    }
    events
}
