//! The Messages API (Anthropic-style) answered by the scripted assistant: the request is read as
//! the chat request it amounts to, and the assistant's turn is written as a message, whole or as
//! the Messages event stream (`message_start`, then per content block `content_block_start`,
//! its deltas and `content_block_stop`, then `message_delta` and `message_stop`).
//!
//! - `system` and the text blocks of the messages are the conversation; `tool_use` blocks are
//!   the assistant's calls and `tool_result` blocks their results;
//! - `tools` without a `type` (or `custom`) are functions, with `input_schema` as parameters;
//!   `tool_choice` `any` requires a call, `tool` names one, `none` disables them;
//! - `max_tokens`, `stop_sequences`, `thinking` (enabled or adaptive: a thinking block) and
//!   `output_config.format` (a JSON Schema) act as in chat.

use serde_json::{Value, json};

use crate::assistant::{Answer, Turn, tokenize};
use crate::wire::{SseEvent, argument_pieces};

/// The signature the mock gives its thinking blocks.
const SIGNATURE: &str = "friendli-mock-signature";

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

/// The chat request a (validated) Messages request amounts to.
pub(crate) fn as_chat(request: &Value) -> Value {
    let mut messages = Vec::new();
    let system = text_of(&request["system"]);
    if !system.is_empty() {
        messages.push(json!({"role": "system", "content": system}));
    }
    for message in request["messages"].as_array().into_iter().flatten() {
        let role = message["role"].as_str().unwrap_or("user");
        let blocks: Vec<Value> = match &message["content"] {
            Value::String(text) => vec![json!({"type": "text", "text": text})],
            Value::Array(blocks) => blocks.clone(),
            _ => Vec::new(),
        };
        let text = text_of(&Value::Array(
            blocks
                .iter()
                .filter(|b| b["type"] == "text")
                .cloned()
                .collect(),
        ));
        let calls: Vec<Value> = blocks
            .iter()
            .filter(|b| b["type"] == "tool_use")
            .map(|b| {
                json!({"id": b["id"], "type": "function", "function": {
                    "name": b["name"], "arguments": b["input"].to_string(),
                }})
            })
            .collect();
        for result in blocks.iter().filter(|b| b["type"] == "tool_result") {
            let content = match &result["content"] {
                Value::String(text) => text.clone(),
                other => text_of(other),
            };
            messages.push(
                json!({"role": "tool", "tool_call_id": result["tool_use_id"], "content": content}),
            );
        }
        if !text.is_empty() || !calls.is_empty() {
            let mut chat = json!({"role": role, "content": text});
            if !calls.is_empty() {
                chat["tool_calls"] = json!(calls);
            }
            messages.push(chat);
        }
    }
    let tools: Vec<Value> = request["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| matches!(t["type"].as_str(), None | Some("" | "custom")))
        .map(|t| {
            json!({"type": "function", "function": {
                "name": t["name"],
                "parameters": t.get("input_schema").filter(|s| s.is_object()).cloned().unwrap_or(json!({})),
            }})
        })
        .collect();
    let tool_choice = match request.pointer("/tool_choice/type").and_then(Value::as_str) {
        Some("any") => json!("required"),
        Some("none") => json!("none"),
        Some("tool") => {
            json!({"type": "function", "function": {"name": request["tool_choice"]["name"]}})
        }
        _ => Value::Null,
    };
    let thinking = matches!(
        request.pointer("/thinking/type").and_then(Value::as_str),
        Some("enabled" | "adaptive")
    );
    let response_format = match request.pointer("/output_config/format") {
        Some(format) if format["type"] == "json_schema" => {
            json!({"type": "json_schema", "json_schema": {"schema": format["schema"]}})
        }
        _ => Value::Null,
    };
    json!({
        "model": request["model"],
        "messages": messages,
        "tools": tools,
        "tool_choice": tool_choice,
        "max_tokens": request["max_tokens"],
        "stop": request["stop_sequences"],
        "parse_reasoning": thinking,
        "response_format": response_format,
    })
}

/// The arguments of a call as the object `tool_use.input` wants (`{}` when they are not one).
fn input_of(arguments: &str) -> Value {
    serde_json::from_str::<Value>(arguments)
        .ok()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}))
}

fn stop_reason(turn: &Turn) -> &'static str {
    match &turn.answer {
        Answer::Calls(_) => "tool_use",
        Answer::Text {
            finish_reason: "length",
            ..
        } => "max_tokens",
        Answer::Text { .. } => "end_turn",
    }
}

fn output_tokens(turn: &Turn) -> u64 {
    turn.completion_tokens() / turn.choices.max(1) as u64
}

/// The content blocks of a turn: thinking (when asked for), then the text or the calls.
fn blocks(turn: &Turn) -> Vec<Value> {
    let mut blocks = Vec::new();
    if let Some(reasoning) = &turn.reasoning {
        blocks.push(json!({"type": "thinking", "thinking": reasoning, "signature": SIGNATURE}));
    }
    match &turn.answer {
        Answer::Text { tokens, .. } => {
            blocks.push(json!({"type": "text", "text": tokens.concat()}));
        }
        Answer::Calls(calls) => {
            for call in calls {
                blocks.push(json!({
                    "type": "tool_use", "id": call.id, "name": call.name,
                    "input": input_of(&call.arguments),
                }));
            }
        }
    }
    blocks
}

/// The message of a turn (the Messages API's JSON answer).
pub(crate) fn body(turn: &Turn, id: &str) -> Value {
    json!({
        "id": id,
        "type": "message",
        "role": "assistant",
        "model": turn.model,
        "content": blocks(turn),
        "stop_reason": stop_reason(turn),
        "stop_sequence": null,
        "usage": {"input_tokens": turn.prompt_tokens, "output_tokens": output_tokens(turn)},
    })
}

/// The events of a streamed turn, `message_stop` last.
pub(crate) fn stream_events(turn: &Turn, id: &str) -> Vec<SseEvent> {
    let event = |data: Value| {
        let name = data["type"].as_str().unwrap_or_default().to_owned();
        SseEvent::named(&name, data.to_string())
    };
    let mut events = vec![event(json!({
        "type": "message_start",
        "message": {
            "id": id, "type": "message", "role": "assistant", "model": turn.model,
            "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": turn.prompt_tokens, "output_tokens": 0},
        },
    }))];
    for (index, block) in blocks(turn).into_iter().enumerate() {
        let (start, deltas): (Value, Vec<Value>) = match block["type"].as_str() {
            Some("thinking") => (
                json!({"type": "thinking", "thinking": ""}),
                tokenize(block["thinking"].as_str().unwrap_or_default())
                    .into_iter()
                    .map(|piece| json!({"type": "thinking_delta", "thinking": piece}))
                    .chain([json!({"type": "signature_delta", "signature": SIGNATURE})])
                    .collect(),
            ),
            Some("tool_use") => (
                json!({"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}),
                argument_pieces(&block["input"].to_string())
                    .into_iter()
                    .map(|piece| json!({"type": "input_json_delta", "partial_json": piece}))
                    .collect(),
            ),
            _ => (
                json!({"type": "text", "text": ""}),
                tokenize(block["text"].as_str().unwrap_or_default())
                    .into_iter()
                    .map(|piece| json!({"type": "text_delta", "text": piece}))
                    .collect(),
            ),
        };
        events.push(event(
            json!({"type": "content_block_start", "index": index, "content_block": start}),
        ));
        for delta in deltas {
            events.push(event(
                json!({"type": "content_block_delta", "index": index, "delta": delta}),
            ));
        }
        events.push(event(json!({"type": "content_block_stop", "index": index})));
    }
    events.push(event(json!({
        "type": "message_delta",
        "delta": {"stop_reason": stop_reason(turn), "stop_sequence": null},
        "usage": {"output_tokens": output_tokens(turn)},
    })));
    events.push(event(json!({"type": "message_stop"})));
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assistant::respond;
    use crate::spec::operation;

    fn check(turn: &Turn) {
        let complete = operation("serverlessMessages").unwrap();
        let whole = body(turn, "msg_1");
        assert!(complete.validate_response(&whole).is_empty(), "{whole}");
        let stream = operation("serverlessMessagesStream").unwrap();
        for event in stream_events(turn, "msg_1") {
            let data: Value = serde_json::from_str(&event.data).unwrap();
            let violations = stream.validate_event(event.event.as_deref(), &data);
            assert!(violations.is_empty(), "{violations:?}\n{data}");
        }
    }

    #[test]
    fn a_message_answers_the_prompt_whole_and_streamed() {
        let request = json!({
            "model": "m", "max_tokens": 64, "system": [{"type": "text", "text": "Be brief."}],
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello there"}]}],
        });
        let turn = respond(&as_chat(&request), 1);
        check(&turn);
        let whole = body(&turn, "msg_1");
        assert_eq!(
            whole["content"],
            json!([{"type": "text", "text": "You said: Hello there"}])
        );
        assert_eq!(whole["stop_reason"], "end_turn");
        let events = stream_events(&turn, "msg_1");
        let names: Vec<&str> = events.iter().filter_map(|e| e.event.as_deref()).collect();
        assert_eq!(names[..2], ["message_start", "content_block_start"]);
        assert_eq!(
            names[names.len() - 3..],
            ["content_block_stop", "message_delta", "message_stop"]
        );
        let text: String = events
            .iter()
            .filter_map(|e| serde_json::from_str::<Value>(&e.data).ok())
            .filter_map(|d| {
                d.pointer("/delta/text")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .collect();
        assert_eq!(text, "You said: Hello there");
    }

    #[test]
    fn tools_thinking_and_results_map_to_the_assistant() {
        let tools = json!([{"name": "get_weather", "input_schema": {
            "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
            {"name": "web", "type": "web_search_20250305"}]);
        let request = json!({
            "model": "m", "tools": tools, "thinking": {"type": "adaptive"},
            "messages": [{"role": "user", "content": "What's the weather in Seoul? Use get_weather."}],
        });
        let turn = respond(&as_chat(&request), 2);
        check(&turn);
        let whole = body(&turn, "msg_2");
        assert_eq!(whole["stop_reason"], "tool_use");
        assert_eq!(whole["content"][0]["type"], "thinking");
        assert_eq!(whole["content"][1]["input"], json!({"city": "Seoul"}));
        let partial: String = stream_events(&turn, "msg_2")
            .iter()
            .filter_map(|e| serde_json::from_str::<Value>(&e.data).ok())
            .filter_map(|d| {
                d.pointer("/delta/partial_json")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .collect();
        assert_eq!(
            serde_json::from_str::<Value>(&partial).unwrap(),
            json!({"city": "Seoul"})
        );

        let answered = json!({
            "model": "m", "tools": tools,
            "messages": [
                {"role": "user", "content": "What's the weather in Seoul? Use get_weather."},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"city": "Seoul"}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "sunny"}]},
            ],
        });
        let turn = respond(&as_chat(&answered), 3);
        check(&turn);
        assert_eq!(
            turn.text().as_deref(),
            Some("Based on the tool results: sunny.")
        );
        let forced = json!({"model": "m", "tools": tools, "tool_choice": {"type": "any"},
            "messages": [{"role": "user", "content": "Hi"}]});
        assert!(matches!(
            respond(&as_chat(&forced), 4).answer,
            Answer::Calls(_)
        ));
    }
}
