//! The scripted assistant: a deterministic stand-in for the model and the server's tool runner.
//!
//! Given a validated request it decides which built-in tools run (and really runs the ones that
//! can run locally), whether to call the caller's functions, and what to answer:
//!
//! - `math:calculator` runs when the last user message contains arithmetic (`3 + 6`);
//!   `math:statistics` when it names a statistic and has at least two numbers;
//!   `math:calendar` when it contains a `YYYY-MM-DD` date. The others (`web:search` for
//!   "search"/"news"/"latest", `web:url` for a URL, `code:python-interpreter` for "python"/"code",
//!   `file:text` for "file"/"document", `linkup:search` for "linkup") return a canned result marked
//!   as such.
//! - A `function` tool runs when the last user message mentions its name. Its arguments are the
//!   JSON object that follows the name in the message, written as is (so tests can send malformed
//!   arguments), or else made up from the function's parameters schema and valid against it
//!   (see [`invent_arguments`]).
//! - When the conversation ends with `tool` messages, the answer repeats their content; a user
//!   message that says "repeatedly" makes the assistant call its functions again every turn.
//! - `tool_choice: "none"` disables every tool; `"required"` forces one call when nothing
//!   triggered; `{"type": "function", …}` forces that function.
//! - `max_tokens` cuts the answer (`finish_reason: "length"`), `stop` phrases end it, `n`
//!   repeats it per choice.
//! - `parse_reasoning: true` (unless `include_reasoning: false`) adds a short reasoning text,
//!   reported in `reasoning_content`.

use serde_json::{Map, Value, json};

use crate::generate::Generator;
use crate::tools::{
    ToolFailure, calendar, evaluate, find_expression, find_numbers, find_statistic, format_number,
    statistic,
};

/// One built-in tool run of a turn.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolRun {
    /// The `tool_call_id`.
    pub id: String,
    /// The tool's name, e.g. `math:calculator`.
    pub name: String,
    /// The parameters, as `(name, value)` pairs.
    pub parameters: Vec<(String, String)>,
    /// The result, or the failure.
    pub outcome: Result<String, ToolFailure>,
}

/// A call of one of the caller's functions.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionCall {
    /// The call id.
    pub id: String,
    /// The function's name.
    pub name: String,
    /// The arguments text.
    pub arguments: String,
}

/// What the assistant says.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Text, cut into tokens, and the finish reason.
    Text {
        /// The tokens (concatenated, they form the answer).
        tokens: Vec<String>,
        /// `stop` or `length`.
        finish_reason: &'static str,
    },
    /// Function calls for the caller to run.
    Calls(Vec<FunctionCall>),
}

/// Everything the assistant does in one turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    /// The model name to report.
    pub model: String,
    /// The built-in tool runs, in order.
    pub tool_runs: Vec<ToolRun>,
    /// The answer.
    pub answer: Answer,
    /// How many answers (`n`).
    pub choices: usize,
    /// Prompt tokens (words of the conversation, plus tool outputs).
    pub prompt_tokens: u64,
    /// The reasoning, when the request asked for it (`parse_reasoning`).
    pub reasoning: Option<String>,
}

impl Turn {
    /// Completion tokens of all choices.
    pub fn completion_tokens(&self) -> u64 {
        let per_choice = match &self.answer {
            Answer::Text { tokens, .. } => tokens.len() as u64,
            Answer::Calls(calls) => calls
                .iter()
                .map(|c| 1 + c.arguments.len().div_ceil(4) as u64)
                .sum(),
        };
        let reasoning = self
            .reasoning
            .as_deref()
            .map_or(0, |r| tokenize(r).len() as u64);
        (per_choice + reasoning) * self.choices as u64
    }

    /// The whole answer text, if it is text.
    pub fn text(&self) -> Option<String> {
        match &self.answer {
            Answer::Text { tokens, .. } => Some(tokens.concat()),
            Answer::Calls(_) => None,
        }
    }
}

const BUILT_INS: [&str; 8] = [
    "math:calculator",
    "math:statistics",
    "math:calendar",
    "web:search",
    "web:url",
    "code:python-interpreter",
    "file:text",
    "linkup:search",
];

/// The text of a message's content (a string, or the text parts of a list).
fn content_text(message: &Value) -> String {
    match &message["content"] {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

/// Cuts text into tokens: words with their leading space, punctuation on its own.
pub fn tokenize(text: &str) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        let boundary = c == ' ' || matches!(c, '.' | ',' | '?' | '!' | ':' | ';');
        if boundary && !current.is_empty() && current != " " {
            tokens.push(std::mem::take(&mut current));
        }
        current.push(c);
        if matches!(c, '.' | ',' | '?' | '!' | ':' | ';') {
            tokens.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

/// Decides the turn for a (validated) request. `counter` makes the ids of this turn unique.
pub fn respond(request: &Value, counter: u64) -> Turn {
    let messages = request["messages"].as_array().cloned().unwrap_or_default();
    let model = request["model"].as_str().unwrap_or("mock-model").to_owned();
    let choices = request["n"].as_u64().unwrap_or(1).clamp(1, 8) as usize;
    let prompt_tokens: u64 = messages
        .iter()
        .map(|m| content_text(m).split_whitespace().count() as u64)
        .sum();
    let user_text = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .map(content_text)
        .unwrap_or_default();
    let trailing_tool_results: Vec<String> = messages
        .iter()
        .rev()
        .take_while(|m| m["role"] == "tool")
        .map(content_text)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();

    let tools: Vec<Value> = request["tools"].as_array().cloned().unwrap_or_default();
    let tool_choice = &request["tool_choice"];
    let tools_off = tool_choice == "none";
    let offered = |name: &str| !tools_off && tools.iter().any(|t| t["type"] == name);
    let functions: Vec<&Value> = if tools_off {
        Vec::new()
    } else {
        tools.iter().filter(|t| t["type"] == "function").collect()
    };

    // Function calls.
    let forced_function = tool_choice
        .pointer("/function/name")
        .and_then(Value::as_str);
    let keep_calling = user_text.to_lowercase().contains("repeatedly");
    let may_call = trailing_tool_results.is_empty() || keep_calling;
    let names: Vec<&str> = functions
        .iter()
        .filter_map(|f| f.pointer("/function/name").and_then(Value::as_str))
        .collect();
    let mut calls = Vec::new();
    if may_call {
        for function in &functions {
            let name = function
                .pointer("/function/name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let mentioned = !name.is_empty() && user_text.contains(name);
            if mentioned || forced_function == Some(name) {
                let arguments = arguments_for(
                    &user_text,
                    name,
                    &names,
                    &function["function"]["parameters"],
                );
                calls.push(FunctionCall {
                    id: format!("call_{counter}_{}", calls.len()),
                    name: name.to_owned(),
                    arguments,
                });
            }
        }
    }

    // Built-in tools.
    let mut tool_runs = Vec::new();
    if trailing_tool_results.is_empty() {
        for name in BUILT_INS {
            if !offered(name) {
                continue;
            }
            if let Some((parameters, outcome)) = run_built_in(name, &user_text, request) {
                tool_runs.push(ToolRun {
                    id: format!("call_{counter}_t{}", tool_runs.len()),
                    name: name.to_owned(),
                    parameters,
                    outcome,
                });
            }
        }
    }

    // `required`: one tool call at least.
    if tool_choice == "required" && calls.is_empty() && tool_runs.is_empty() && may_call {
        if let Some(function) = functions.first() {
            let name = function
                .pointer("/function/name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            calls.push(FunctionCall {
                id: format!("call_{counter}_0"),
                name: name.to_owned(),
                arguments: arguments_for(
                    &user_text,
                    name,
                    &names,
                    &function["function"]["parameters"],
                ),
            });
        } else if let Some(name) = BUILT_INS.into_iter().find(|n| offered(n)) {
            let outcome = Ok(canned(name, &user_text));
            tool_runs.push(ToolRun {
                id: format!("call_{counter}_t0"),
                name: name.to_owned(),
                parameters: vec![("query".to_owned(), user_text.clone())],
                outcome,
            });
        }
    }

    let prompt_tokens = prompt_tokens
        + tool_runs
            .iter()
            .map(|r| {
                r.outcome
                    .as_ref()
                    .map_or(0, |o| o.split_whitespace().count() as u64)
            })
            .sum::<u64>();

    let reasoning = (request["parse_reasoning"] == true && request["include_reasoning"] != false)
        .then(|| reasoning_for(&user_text, &tool_runs, &calls));

    if !calls.is_empty() {
        return Turn {
            model,
            tool_runs,
            answer: Answer::Calls(calls),
            choices,
            prompt_tokens,
            reasoning,
        };
    }

    let text = match structured_answer(&request["response_format"], &user_text) {
        Some(json) => json,
        None => compose_answer(&user_text, &tool_runs, &trailing_tool_results),
    };
    let (text, mut finish_reason) = apply_stop(&text, &request["stop"]);
    let mut tokens = tokenize(&text);
    if let Some(max) = request["max_tokens"].as_u64()
        && tokens.len() as u64 > max
    {
        tokens.truncate(max as usize);
        finish_reason = "length";
    }
    Turn {
        model,
        tool_runs,
        answer: Answer::Text {
            tokens,
            finish_reason,
        },
        choices,
        prompt_tokens,
        reasoning,
    }
}

/// The reasoning reported with `parse_reasoning`: what was asked and how it is answered.
fn reasoning_for(user_text: &str, runs: &[ToolRun], calls: &[FunctionCall]) -> String {
    let asked = match user_text.trim() {
        "" => "The user sent no text.".to_owned(),
        text => format!("The user asked: \"{text}\"."),
    };
    let plan = if !calls.is_empty() {
        let names: Vec<&str> = calls.iter().map(|c| c.name.as_str()).collect();
        format!("I should call {}.", names.join(" and "))
    } else if !runs.is_empty() {
        let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
        format!("The results of {} answer it.", names.join(" and "))
    } else {
        "I can answer directly.".to_owned()
    };
    format!("{asked} {plan}")
}

fn apply_stop(text: &str, stop: &Value) -> (String, &'static str) {
    let cut = stop
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|s| !s.is_empty())
        .filter_map(|s| text.find(s))
        .min();
    match cut {
        Some(at) => (text[..at].to_owned(), "stop"),
        None => (text.to_owned(), "stop"),
    }
}

/// The arguments of a function call: the JSON object written after the function's name in the
/// message (as is, even if malformed), or else [invented](invent_arguments) from the parameters
/// schema and the message. `functions` are the names of every function offered (never read as
/// values).
fn arguments_for(text: &str, name: &str, functions: &[&str], parameters: &Value) -> String {
    if let Some(at) = text.find(name)
        && let Some(open) = text[at..].find('{')
    {
        let rest = &text[at + open..];
        let mut depth = 0usize;
        for (i, c) in rest.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return rest[..=i].to_owned();
                    }
                }
                _ => {}
            }
        }
        return rest.to_owned();
    }
    arguments_from(text, functions, parameters).to_string()
}

/// Arguments for a function, made up from its parameters schema (a JSON Schema; its local
/// `$ref`s such as `#/$defs/X` resolve within it) and the message, so that they validate against
/// the schema: every property is filled (required ones always), an `enum` gets one of its values
/// (one the message mentions, if any), a `const` its value, and strings and numbers what the
/// message says for them, read by the property's name, description and type (see below);
/// numbers with nothing written next to them get the message's first number, strings with
/// nothing to read `mock-<name>` (within the schema's bounds either way). The result is always
/// a JSON object (`{}` when the schema describes none).
///
/// How the message is read, for each property:
///
/// - a value written out for it wins: `city: Seoul`, `city = "New York"`, `the city is Busan`;
/// - a search (`query`, `question`, `text`, `prompt`, …) gets the quoted text of the message, or
///   else its first sentence that names no function;
/// - a place (`city`, `location`, `country`, … in the name or the description) gets the proper
///   noun after `in`, `at`, `for`, `of`, `to`, `from` or `near`: "What's the weather in Seoul?
///   Use get_weather." gives `{"city": "Seoul"}`;
/// - any other string gets quoted text, or else a proper noun: a capitalised word (or a word of
///   a script without case, such as Hangul) that does not start a sentence, consecutive ones
///   joined (`New York`); words that instruct (`Use`, `Call`, `What`, `Please`, …), function
///   names and JSON objects written in the message never count;
/// - a number gets the number written next to its name (`3 days`, `days: 3`).
pub fn invent_arguments(text: &str, parameters: &Value) -> Value {
    arguments_from(text, &[], parameters)
}

/// [`invent_arguments`], with the names of the functions offered (never read as values).
fn arguments_from(text: &str, functions: &[&str], parameters: &Value) -> Value {
    let number = find_numbers(text).first().copied().unwrap_or(1.0);
    let reading = crate::prompt::read(text, functions, parameters);
    let mut generator = Generator::with_root(parameters)
        .optional_properties(true)
        .max_depth(4)
        .number(number)
        .text(text);
    for (name, value) in reading.strings {
        generator = generator.string_for(name, value);
    }
    for (name, value) in reading.numbers {
        generator = generator.number_for(name, value);
    }
    let arguments = generator.generate(parameters);
    match arguments {
        Value::Object(_) => arguments,
        _ => Value::Object(Map::new()),
    }
}

/// The parameters of a built-in tool run, and its outcome.
type BuiltInRun = (Vec<(String, String)>, Result<String, ToolFailure>);

/// Runs a built-in tool if the message calls for it.
fn run_built_in(name: &str, text: &str, request: &Value) -> Option<BuiltInRun> {
    let lower = text.to_lowercase();
    match name {
        "math:calculator" => {
            let expression = find_expression(text)?;
            let outcome = evaluate(&expression).map(|v| {
                json!({"result": format!("{expression}={}", format_number(v))}).to_string()
            });
            Some((vec![("expression".into(), expression)], outcome))
        }
        "math:statistics" => {
            let kind = find_statistic(text)?;
            let numbers = find_numbers(text);
            if numbers.len() < 2 {
                return None;
            }
            let listed = numbers
                .iter()
                .map(|n| format_number(*n))
                .collect::<Vec<_>>()
                .join(", ");
            let outcome = statistic(kind, &numbers).map(|v| {
                json!({"result": format!("{} of [{listed}]={}", kind.name(), format_number(v))})
                    .to_string()
            });
            Some((
                vec![
                    ("operation".into(), kind.name().into()),
                    ("values".into(), listed),
                ],
                outcome,
            ))
        }
        "math:calendar" => {
            if crate::tools::find_dates(text).is_empty() {
                return None;
            }
            let outcome = calendar(text);
            let expression = outcome
                .as_ref()
                .map(|(e, _)| e.clone())
                .unwrap_or_else(|_| text.to_owned());
            Some((
                vec![("query".into(), expression.clone())],
                outcome.map(|(_, answer)| {
                    json!({"result": format!("{expression}={answer}")}).to_string()
                }),
            ))
        }
        "web:search"
            if ["search", "news", "latest"]
                .iter()
                .any(|w| lower.contains(w)) =>
        {
            Some((
                vec![("query".into(), text.to_owned())],
                Ok(canned(name, text)),
            ))
        }
        "web:url" if lower.contains("http://") || lower.contains("https://") => {
            let url = text
                .split_whitespace()
                .find(|w| w.starts_with("http"))
                .unwrap_or_default();
            Some((
                vec![(
                    "url".into(),
                    url.trim_end_matches(['.', ',', '?']).to_owned(),
                )],
                Ok(canned(name, text)),
            ))
        }
        "code:python-interpreter" if lower.contains("python") || lower.contains("code") => Some((
            vec![("code".into(), text.to_owned())],
            Ok(canned(name, text)),
        )),
        "file:text" if lower.contains("file") || lower.contains("document") => {
            let files = request["tools"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|t| t["type"] == "file:text")
                .and_then(|t| t["files"].as_array())
                .map(|f| {
                    f.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            Some((vec![("files".into(), files)], Ok(canned(name, text))))
        }
        "linkup:search" if lower.contains("linkup") => Some((
            vec![("query".into(), text.to_owned())],
            Ok(canned(name, text)),
        )),
        _ => None,
    }
}

/// The canned result of a tool that cannot run locally, marked as such.
fn canned(name: &str, query: &str) -> String {
    json!({
        "mock": true,
        "note": format!("canned result from friendli-mock: {name} does not run locally"),
        "query": query,
    })
    .to_string()
}

/// The answer text of a turn.
/// The answer under a `response_format`: for `json_schema`, an instance of the schema (every
/// property filled, enum values the question mentions preferred); for `json_object`, an object
/// holding the plain answer. `None` for free text (and for `regex`, which the mock does not
/// imitate).
fn structured_answer(format: &Value, user_text: &str) -> Option<String> {
    match format["type"].as_str()? {
        "json_schema" => {
            let schema = &format["json_schema"]["schema"];
            let instance = Generator::with_root(schema)
                .optional_properties(true)
                .text(user_text)
                .generate(schema);
            Some(instance.to_string())
        }
        "json_object" => Some(json!({"answer": user_text}).to_string()),
        _ => None,
    }
}

fn compose_answer(user_text: &str, runs: &[ToolRun], tool_results: &[String]) -> String {
    if !tool_results.is_empty() {
        return format!("Based on the tool results: {}.", tool_results.join("; "));
    }
    let mut sentences = Vec::new();
    for run in runs {
        let sentence = match (&run.outcome, run.name.as_str()) {
            (Ok(result), "math:calculator" | "math:statistics" | "math:calendar") => {
                let value: Value = serde_json::from_str(result).unwrap_or(Value::Null);
                let text = value["result"].as_str().unwrap_or(result);
                match text.split_once('=') {
                    Some((question, answer)) => {
                        format!("The {} says {} is {answer}.", run.name, question.trim())
                    }
                    None => format!("The {} says {text}.", run.name),
                }
            }
            (Ok(_), name) => format!("The {name} tool returned a canned mock result."),
            (Err(failure), name) => format!("The {name} tool failed: {}.", failure.message),
        };
        sentences.push(sentence);
    }
    if sentences.is_empty() {
        let trimmed = user_text.trim();
        if trimmed.is_empty() {
            return "Hello from friendli-mock.".to_owned();
        }
        return format!("You said: {trimmed}");
    }
    sentences.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(text: &str, tools: Value) -> Value {
        json!({"model": "m", "messages": [{"role": "user", "content": text}], "tools": tools})
    }

    #[test]
    fn the_calculator_runs_and_the_answer_uses_its_result() {
        let turn = respond(
            &request("What is 3 + 6?", json!([{"type": "math:calculator"}])),
            1,
        );
        assert_eq!(turn.tool_runs.len(), 1);
        assert_eq!(
            turn.tool_runs[0].parameters,
            [("expression".to_owned(), "3 + 6".to_owned())]
        );
        assert_eq!(
            turn.tool_runs[0].outcome,
            Ok(r#"{"result":"3 + 6=9"}"#.to_owned())
        );
        assert_eq!(turn.text().unwrap(), "The math:calculator says 3 + 6 is 9.");
    }

    #[test]
    fn tools_not_offered_or_switched_off_do_not_run() {
        assert!(
            respond(&request("What is 3 + 6?", json!([])), 1)
                .tool_runs
                .is_empty()
        );
        let mut r = request("What is 3 + 6?", json!([{"type": "math:calculator"}]));
        r["tool_choice"] = json!("none");
        assert!(respond(&r, 1).tool_runs.is_empty());
    }

    #[test]
    fn a_failing_calculation_errors() {
        let turn = respond(
            &request("What is 1 / 0?", json!([{"type": "math:calculator"}])),
            1,
        );
        assert_eq!(
            turn.tool_runs[0].outcome.as_ref().unwrap_err().kind,
            "ZeroDivisionError"
        );
        assert!(turn.text().unwrap().contains("division by zero"));
    }

    #[test]
    fn mentioned_functions_are_called_with_the_given_arguments() {
        let tools = json!([
            {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}},
            {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}}}}
        ]);
        let turn = respond(
            &request(
                r#"Call get_weather with {"city": "Seoul"} and get_time for Busan"#,
                tools,
            ),
            7,
        );
        let Answer::Calls(calls) = turn.answer else {
            panic!("expected calls")
        };
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].arguments, r#"{"city": "Seoul"}"#);
        assert_eq!(calls[1].name, "get_time");
        assert_eq!(calls[1].arguments, r#"{"zone":"Busan"}"#);
        assert_eq!(calls[0].id, "call_7_0");
    }

    #[test]
    fn tool_results_end_the_calls_unless_asked_to_repeat() {
        let tools = json!([{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]);
        let mut r = request("use f", tools);
        r["messages"].as_array_mut().unwrap().extend([
            json!({"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}),
            json!({"role": "tool", "tool_call_id": "c", "content": "42"}),
        ]);
        assert_eq!(
            respond(&r, 1).text().unwrap(),
            "Based on the tool results: 42."
        );
        r["messages"][0]["content"] = json!("use f repeatedly");
        assert!(matches!(respond(&r, 1).answer, Answer::Calls(_)));
    }

    #[test]
    fn max_tokens_and_stop_cut_the_answer() {
        let mut r = request("hello there friend", json!([]));
        r["max_tokens"] = json!(2);
        let turn = respond(&r, 1);
        assert_eq!(
            turn.answer,
            Answer::Text {
                tokens: vec!["You".into(), " said".into()],
                finish_reason: "length"
            }
        );
        r["max_tokens"] = Value::Null;
        r["stop"] = json!(["there"]);
        assert_eq!(respond(&r, 1).text().unwrap(), "You said: hello ");
    }

    #[test]
    fn invented_arguments_are_valid_against_the_parameters_schema() {
        let schemas = [
            json!({"type": "object", "properties": {
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "city": {"type": "string"},
            }, "required": ["unit", "city"]}),
            json!({"type": "object", "properties": {
                "days": {"type": "integer", "minimum": 1, "maximum": 7},
                "ratio": {"type": "number", "exclusiveMaximum": 1},
                "verbose": {"type": "boolean"},
                "kind": {"const": "forecast"},
                "tags": {"type": "array", "items": {"type": "string", "enum": ["rain", "sun"]}, "minItems": 1},
                "when": {"type": "string", "format": "date-time"},
            }, "required": ["days", "ratio", "kind"], "additionalProperties": false}),
            json!({"$defs": {"Place": {"type": "object", "required": ["name", "country"], "properties": {
                "name": {"type": "string", "minLength": 2},
                "country": {"type": "string", "enum": ["KR", "US"]},
            }}}, "type": "object", "required": ["place"], "properties": {
                "place": {"$ref": "#/$defs/Place"},
                "fallback": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/Place"}]},
            }}),
            json!({"type": "object"}),
            json!({}),
        ];
        let text = "Use get_weather for Busan in fahrenheit over 30 days";
        for schema in &schemas {
            let arguments = invent_arguments(text, schema);
            assert!(arguments.is_object(), "{arguments}");
            let validator = jsonschema::validator_for(schema).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&arguments)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{schema}\n{arguments}\n{errors:?}");
        }
        let first = invent_arguments(text, &schemas[0]);
        assert_eq!(first, json!({"unit": "fahrenheit", "city": "Busan"}));
        let second = invent_arguments(text, &schemas[1]);
        assert_eq!(second["days"], json!(7), "30 is clamped to the maximum");
        assert_eq!(second["kind"], "forecast");
        assert_eq!(second["tags"], json!(["rain"]));
        let third = invent_arguments(text, &schemas[2]);
        assert_eq!(third["place"], json!({"name": "Busan", "country": "KR"}));
        assert_eq!(invent_arguments(text, &Value::Null), json!({}));
        // Through the assistant, with the name mentioned and no JSON written.
        let tools = json!([{"type": "function", "function": {"name": "get_weather", "parameters": schemas[0]}}]);
        let Answer::Calls(calls) = respond(&request(text, tools), 1).answer else {
            panic!("expected a call")
        };
        let arguments: Value = serde_json::from_str(&calls[0].arguments).unwrap();
        assert_eq!(arguments, first);
    }

    #[test]
    fn arguments_are_read_from_the_prompt_never_from_an_instruction() {
        let tools = json!([{"type": "function", "function": {"name": "get_weather", "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
            "required": ["city"],
        }}}]);
        for (text, expected) in [
            (
                "What's the weather in Seoul? Use get_weather.",
                json!({"city": "Seoul", "days": 1}),
            ),
            (
                "Use get_weather: the forecast for Zürich over 3 days.",
                json!({"city": "Zürich", "days": 3}),
            ),
        ] {
            let Answer::Calls(calls) = respond(&request(text, tools.clone()), 1).answer else {
                panic!("expected a call for {text:?}")
            };
            let arguments: Value = serde_json::from_str(&calls[0].arguments).unwrap();
            assert_eq!(arguments, expected, "{text}");
        }
    }

    #[test]
    fn reasoning_is_reported_only_when_asked_for() {
        let mut r = request("What is 3 + 6?", json!([{"type": "math:calculator"}]));
        assert_eq!(respond(&r, 1).reasoning, None);
        r["parse_reasoning"] = json!(true);
        let turn = respond(&r, 1);
        assert_eq!(
            turn.reasoning.as_deref(),
            Some("The user asked: \"What is 3 + 6?\". The results of math:calculator answer it.")
        );
        let without = Turn {
            reasoning: None,
            ..turn.clone()
        };
        assert!(turn.completion_tokens() > without.completion_tokens());
        r["include_reasoning"] = json!(false);
        assert_eq!(respond(&r, 1).reasoning, None);
    }

    #[test]
    fn tokens_reassemble_the_text() {
        let text = "The math:calculator says 3 + 6 is 9. Done, really!";
        assert_eq!(tokenize(text).concat(), text);
        assert!(tokenize(text).len() > 8);
    }

    #[test]
    fn a_json_schema_response_format_gets_an_instance_of_the_schema() {
        let schema = json!({
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "population": {"type": "integer", "minimum": 1},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["city", "population"],
        });
        let mut r = request("Describe Seoul.", json!([]));
        r["response_format"] = json!({"type": "json_schema", "json_schema": {"schema": schema}});
        let Answer::Text { tokens, .. } = respond(&r, 1).answer else {
            panic!("not a text answer");
        };
        let answer: Value = serde_json::from_str(&tokens.concat()).unwrap();
        assert!(answer["city"].is_string(), "{answer}");
        assert!(
            answer["population"].as_i64().is_some_and(|p| p >= 1),
            "{answer}"
        );
        assert!(answer["tags"].is_array(), "{answer}");
    }
}
