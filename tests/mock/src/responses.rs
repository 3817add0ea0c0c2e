//! The Responses API (OpenAI-style) answered by the scripted assistant: the request is read as
//! the chat request it amounts to, and the assistant's turn is written as a response, whole or
//! as the Responses event stream (`response.created`, `response.in_progress`, per output item
//! `response.output_item.added`, its content part and deltas, `response.output_item.done`,
//! then `response.completed`, or `response.incomplete` when `max_output_tokens` cut it).
//!
//! - `instructions`, and the input (a text, or message items with their text blocks,
//!   `function_call` items and `function_call_output` items) are the conversation;
//! - `function` tools are the functions (custom tools are not called); `tool_choice` works as
//!   in chat;
//! - `max_output_tokens`, `reasoning.effort` (other than `none`: a reasoning item) and
//!   `text.format` (`json_schema`, `json_object`) act as `max_tokens`, `parse_reasoning` and
//!   `response_format` do in chat.

use serde_json::{Value, json};

use crate::assistant::{Answer, Turn, tokenize};
use crate::wire::{SseEvent, argument_pieces, now_seconds};

/// The text of a content that is a string or a list of blocks with `text`.
fn text_of(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

/// The chat request a (validated) Responses request amounts to.
pub(crate) fn as_chat(request: &Value) -> Value {
    let mut messages = Vec::new();
    if let Some(instructions) = request["instructions"].as_str() {
        messages.push(json!({"role": "system", "content": instructions}));
    }
    match &request["input"] {
        Value::String(text) => messages.push(json!({"role": "user", "content": text})),
        Value::Array(items) => {
            for item in items {
                match item["type"].as_str() {
                    Some("function_call") => messages.push(json!({
                        "role": "assistant", "content": null,
                        "tool_calls": [{"id": item["call_id"], "type": "function", "function": {
                            "name": item["name"], "arguments": item["arguments"],
                        }}],
                    })),
                    Some("function_call_output") => messages.push(json!({
                        "role": "tool", "tool_call_id": item["call_id"],
                        "content": text_of(&item["output"]),
                    })),
                    Some("message") | None if item.get("role").is_some() => {
                        let role = match item["role"].as_str() {
                            Some("developer") => "system",
                            Some(role) => role,
                            None => "user",
                        };
                        messages.push(json!({"role": role, "content": text_of(&item["content"])}));
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    let tools: Vec<Value> = request["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["type"] == "function")
        .map(|t| {
            json!({"type": "function", "function": {"name": t["name"], "parameters": t["parameters"]}})
        })
        .collect();
    let tool_choice = match &request["tool_choice"] {
        Value::Object(choice) if choice.get("type") == Some(&json!("function")) => {
            json!({"type": "function", "function": {"name": choice.get("name")}})
        }
        Value::String(choice) => json!(choice),
        _ => Value::Null,
    };
    let reasoning = request
        .pointer("/reasoning/effort")
        .and_then(Value::as_str)
        .is_some_and(|effort| effort != "none");
    let response_format = match request.pointer("/text/format") {
        Some(format) if format["type"] == "json_schema" => {
            json!({"type": "json_schema", "json_schema": {"name": format["name"], "schema": format["schema"]}})
        }
        Some(format) if format["type"] == "json_object" => json!({"type": "json_object"}),
        _ => Value::Null,
    };
    json!({
        "model": request["model"],
        "messages": messages,
        "tools": tools,
        "tool_choice": tool_choice,
        "max_tokens": request["max_output_tokens"],
        "parse_reasoning": reasoning,
        "response_format": response_format,
    })
}

fn cut(turn: &Turn) -> bool {
    matches!(
        turn.answer,
        Answer::Text {
            finish_reason: "length",
            ..
        }
    )
}

/// The output items of a turn, complete: reasoning (when asked for), then the message or the
/// function calls.
fn items(turn: &Turn, id: &str) -> Vec<Value> {
    let mut items = Vec::new();
    if let Some(reasoning) = &turn.reasoning {
        items.push(json!({
            "type": "reasoning", "id": format!("rs_{id}"), "summary": [],
            "content": [{"type": "reasoning_text", "text": reasoning}], "status": "completed",
        }));
    }
    match &turn.answer {
        Answer::Text { tokens, .. } => items.push(json!({
            "type": "message", "id": format!("msg_{id}"), "role": "assistant",
            "status": if cut(turn) { "incomplete" } else { "completed" },
            "content": [{"type": "output_text", "text": tokens.concat(), "annotations": []}],
        })),
        Answer::Calls(calls) => {
            for (i, call) in calls.iter().enumerate() {
                items.push(json!({
                    "type": "function_call", "id": format!("fc_{id}_{i}"), "call_id": call.id,
                    "name": call.name, "arguments": call.arguments, "status": "completed",
                }));
            }
        }
    }
    items
}

/// The response of a turn (the Responses API's JSON answer); `status` and `output` as given.
fn response(turn: &Turn, id: &str, status: &str, output: Vec<Value>, request: &Value) -> Value {
    let output_tokens = turn.completion_tokens() / turn.choices.max(1) as u64;
    let reasoning_tokens = turn.reasoning.as_deref().map_or(0, |r| tokenize(r).len());
    let done = status != "in_progress";
    json!({
        "id": id,
        "object": "response",
        "created_at": now_seconds() as i64,
        "status": status,
        "model": request["model"],
        "output": output,
        "error": null,
        "incomplete_details": if status == "incomplete" {
            json!({"reason": "max_output_tokens"})
        } else {
            Value::Null
        },
        "usage": if done {
            json!({
                "input_tokens": turn.prompt_tokens,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": output_tokens,
                "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
                "total_tokens": turn.prompt_tokens + output_tokens,
            })
        } else {
            Value::Null
        },
    })
}

fn final_status(turn: &Turn) -> &'static str {
    if cut(turn) { "incomplete" } else { "completed" }
}

/// The response of a turn.
pub(crate) fn body(turn: &Turn, id: &str, request: &Value) -> Value {
    response(turn, id, final_status(turn), items(turn, id), request)
}

/// The events of a streamed turn, `response.completed` (or `response.incomplete`) last.
pub(crate) fn stream_events(turn: &Turn, id: &str, request: &Value) -> Vec<SseEvent> {
    let mut events: Vec<Value> = Vec::new();
    let started = response(turn, id, "in_progress", Vec::new(), request);
    events.push(json!({"type": "response.created", "response": started}));
    events.push(json!({"type": "response.in_progress", "response": started}));
    for (output_index, item) in items(turn, id).into_iter().enumerate() {
        let item_id = item["id"].clone();
        let mut added = item.clone();
        added["status"] = json!("in_progress");
        match item["type"].as_str() {
            Some("function_call") => {
                added["arguments"] = json!("");
                events.push(json!({"type": "response.output_item.added", "output_index": output_index, "item": added}));
                let arguments = item["arguments"].as_str().unwrap_or_default();
                for piece in argument_pieces(arguments) {
                    events.push(json!({
                        "type": "response.function_call_arguments.delta",
                        "item_id": item_id, "output_index": output_index, "delta": piece,
                    }));
                }
                events.push(json!({
                    "type": "response.function_call_arguments.done", "item_id": item_id,
                    "output_index": output_index, "name": item["name"], "arguments": arguments,
                }));
            }
            kind => {
                let delta_kind = if kind == Some("reasoning") {
                    "response.reasoning_text"
                } else {
                    "response.output_text"
                };
                let part = item["content"][0].clone();
                let text = part["text"].as_str().unwrap_or_default().to_owned();
                let mut empty = part.clone();
                empty["text"] = json!("");
                added["content"] = json!([]);
                events.push(json!({"type": "response.output_item.added", "output_index": output_index, "item": added}));
                let at =
                    json!({"item_id": item_id, "output_index": output_index, "content_index": 0});
                let with = |mut event: Value, kind: &str| {
                    event["type"] = json!(kind);
                    event
                };
                let mut part_added = with(at.clone(), "response.content_part.added");
                part_added["part"] = empty;
                events.push(part_added);
                for piece in tokenize(&text) {
                    let mut delta = with(at.clone(), &format!("{delta_kind}.delta"));
                    delta["delta"] = json!(piece);
                    events.push(delta);
                }
                let mut done = with(at.clone(), &format!("{delta_kind}.done"));
                done["text"] = json!(text);
                events.push(done);
                let mut part_done = with(at, "response.content_part.done");
                part_done["part"] = part;
                events.push(part_done);
            }
        }
        events.push(json!({"type": "response.output_item.done", "output_index": output_index, "item": item}));
    }
    let status = final_status(turn);
    events.push(json!({
        "type": format!("response.{status}"),
        "response": body(turn, id, request),
    }));
    events
        .into_iter()
        .enumerate()
        .map(|(sequence, mut data)| {
            data["sequence_number"] = json!(sequence);
            let name = data["type"].as_str().unwrap_or_default().to_owned();
            SseEvent::named(&name, data.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assistant::respond;
    use crate::spec::operation;

    fn check(turn: &Turn, request: &Value) {
        let complete = operation("serverlessResponses").unwrap();
        let whole = body(turn, "resp_1", request);
        assert!(complete.validate_response(&whole).is_empty(), "{whole}");
        let stream = operation("serverlessResponsesStream").unwrap();
        for event in stream_events(turn, "resp_1", request) {
            let data: Value = serde_json::from_str(&event.data).unwrap();
            let violations = stream.validate_event(event.event.as_deref(), &data);
            assert!(violations.is_empty(), "{violations:?}\n{data}");
        }
    }

    fn names(events: &[SseEvent]) -> Vec<&str> {
        events.iter().filter_map(|e| e.event.as_deref()).collect()
    }

    #[test]
    fn a_response_answers_the_prompt_whole_and_streamed() {
        let request = json!({"model": "m", "instructions": "Be brief.", "input": "Hello there"});
        let turn = respond(&as_chat(&request), 1);
        check(&turn, &request);
        let whole = body(&turn, "resp_1", &request);
        assert_eq!(
            whole["output"][0]["content"][0]["text"],
            "You said: Hello there"
        );
        assert_eq!(whole["status"], "completed");
        let events = stream_events(&turn, "resp_1", &request);
        let kinds = names(&events);
        assert_eq!(
            kinds[..5],
            [
                "response.created",
                "response.in_progress",
                "response.output_item.added",
                "response.content_part.added",
                "response.output_text.delta"
            ]
        );
        assert_eq!(
            kinds[kinds.len() - 4..],
            [
                "response.output_text.done",
                "response.content_part.done",
                "response.output_item.done",
                "response.completed"
            ]
        );
        let text: String = events
            .iter()
            .filter(|e| e.event.as_deref() == Some("response.output_text.delta"))
            .map(|e| {
                serde_json::from_str::<Value>(&e.data).unwrap()["delta"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(text, "You said: Hello there");
        let cut = json!({"model": "m", "input": "one two three four", "max_output_tokens": 2});
        let turn = respond(&as_chat(&cut), 2);
        check(&turn, &cut);
        let events = stream_events(&turn, "resp_2", &cut);
        assert_eq!(names(&events).last(), Some(&"response.incomplete"));
    }

    #[test]
    fn function_calls_reasoning_and_their_outputs() {
        let tools = json!([{"type": "function", "name": "get_weather", "parameters": {
            "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]);
        let request = json!({
            "model": "m", "tools": tools, "reasoning": {"effort": "low"},
            "input": [{"role": "user", "content": [{"type": "input_text", "text": "What's the weather in Seoul? Use get_weather."}]}],
        });
        let turn = respond(&as_chat(&request), 3);
        check(&turn, &request);
        let whole = body(&turn, "resp_3", &request);
        assert_eq!(whole["output"][0]["type"], "reasoning");
        assert_eq!(whole["output"][1]["type"], "function_call");
        assert_eq!(
            serde_json::from_str::<Value>(whole["output"][1]["arguments"].as_str().unwrap())
                .unwrap(),
            json!({"city": "Seoul"})
        );
        let events = stream_events(&turn, "resp_3", &request);
        let joined: String = events
            .iter()
            .filter(|e| e.event.as_deref() == Some("response.function_call_arguments.delta"))
            .map(|e| {
                serde_json::from_str::<Value>(&e.data).unwrap()["delta"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(joined, whole["output"][1]["arguments"].as_str().unwrap());
        let answered = json!({"model": "m", "tools": tools, "input": [
            {"role": "user", "content": "What's the weather in Seoul? Use get_weather."},
            {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{\"city\":\"Seoul\"}"},
            {"type": "function_call_output", "call_id": "c1", "output": "sunny"},
        ]});
        let turn = respond(&as_chat(&answered), 4);
        check(&turn, &answered);
        assert_eq!(
            turn.text().as_deref(),
            Some("Based on the tool results: sunny.")
        );
    }
}
