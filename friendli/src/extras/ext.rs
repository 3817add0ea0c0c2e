//! Constructors and accessors for the generated types.
//!
//! The request and response types are the ones generated from the OpenAPI document (see
//! [`crate::types`]); Rust only lets their own crate give them inherent methods, so the
//! conveniences live in extension traits here, all re-exported by [`crate::prelude`]. With the
//! prelude in scope, `Message::user("…")` and `ToolAssistedChatTool::calculator()` read like inherent functions.
//! Each type's own documentation page lists the methods these traits give it.
//!
//! The constructors build the wire JSON and decode it into the generated type, so an optional
//! field added to the OpenAPI document never requires a change here.

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::core::error::{Error, Result};
#[cfg(friendli_has = "builders_tool_assisted")]
use crate::types::{BuiltInToolName, ToolAssistedChatTool, ToolStatus};
#[cfg(friendli_has = "builders")]
use crate::types::{
    ChatResult, FinishReason, Message, Seed, Tool, ToolCall, ToolChoice, UserContentPart,
};

/// Decodes wire JSON that this module wrote into a generated type.
///
/// The JSON is fixed by the code below and covered by a test per constructor, so a failure can
/// only mean that the OpenAPI document gained a *required* field that the constructor does not
/// know; that is a bug of this crate, reported loudly.
#[cfg_attr(
    not(any(
        friendli_has = "builders",
        friendli_has = "messages_builders",
        friendli_has = "responses_builders"
    )),
    allow(dead_code)
)]
fn wire<T: DeserializeOwned>(value: Value) -> T {
    match serde_json::from_value(value) {
        Ok(decoded) => decoded,
        Err(error) => panic!(
            "friendli: a constructor no longer matches the generated type {}: {error}",
            std::any::type_name::<T>()
        ),
    }
}

#[cfg(friendli_has = "builders")]
/// Constructors of [`Message`].
pub trait MessageExt: Sized {
    /// A system message: instructions that frame the conversation.
    fn system(content: impl Into<String>) -> Self;
    /// A user message of plain text.
    fn user(content: impl Into<String>) -> Self;
    /// A user message of several parts (text, images, audio, video); see [`UserContentPartExt`].
    fn user_parts(parts: impl IntoIterator<Item = UserContentPart>) -> Self;
    /// An earlier answer of the model.
    fn assistant(content: impl Into<String>) -> Self;
    /// An earlier answer of the model that called functions.
    fn assistant_tool_calls(
        content: Option<String>,
        calls: impl IntoIterator<Item = ToolCall>,
    ) -> Self;
    /// The result of the function call `tool_call_id`.
    fn tool(tool_call_id: impl Into<String>, content: impl Into<String>) -> Self;
}

#[cfg(friendli_has = "builders")]
impl MessageExt for Message {
    fn system(content: impl Into<String>) -> Self {
        wire(json!({"role": "system", "content": content.into()}))
    }

    fn user(content: impl Into<String>) -> Self {
        wire(json!({"role": "user", "content": content.into()}))
    }

    fn user_parts(parts: impl IntoIterator<Item = UserContentPart>) -> Self {
        let parts: Vec<UserContentPart> = parts.into_iter().collect();
        wire(json!({"role": "user", "content": parts}))
    }

    fn assistant(content: impl Into<String>) -> Self {
        wire(json!({"role": "assistant", "content": content.into()}))
    }

    fn assistant_tool_calls(
        content: Option<String>,
        calls: impl IntoIterator<Item = ToolCall>,
    ) -> Self {
        let calls: Vec<ToolCall> = calls.into_iter().collect();
        wire(json!({"role": "assistant", "content": content, "tool_calls": calls}))
    }

    fn tool(tool_call_id: impl Into<String>, content: impl Into<String>) -> Self {
        wire(
            json!({"role": "tool", "tool_call_id": tool_call_id.into(), "content": content.into()}),
        )
    }
}

#[cfg(friendli_has = "builders")]
/// Constructors of [`UserContentPart`].
pub trait UserContentPartExt: Sized {
    /// A text part.
    fn text(text: impl Into<String>) -> Self;
    /// An image, by `http(s)` or `data:` URL.
    fn image_url(url: impl Into<String>) -> Self;
    /// An audio file, by URL.
    fn audio_url(url: impl Into<String>) -> Self;
    /// A video, by URL.
    fn video_url(url: impl Into<String>) -> Self;
}

#[cfg(friendli_has = "builders")]
impl UserContentPartExt for UserContentPart {
    fn text(text: impl Into<String>) -> Self {
        wire(json!({"type": "text", "text": text.into()}))
    }

    fn image_url(url: impl Into<String>) -> Self {
        wire(json!({"type": "image_url", "image_url": {"url": url.into()}}))
    }

    fn audio_url(url: impl Into<String>) -> Self {
        wire(json!({"type": "audio_url", "audio_url": {"url": url.into()}}))
    }

    fn video_url(url: impl Into<String>) -> Self {
        wire(json!({"type": "video_url", "video_url": {"url": url.into()}}))
    }
}

/// Constructors of the built-in tools of tool-assisted chat ([`ToolAssistedChatTool`],
/// re-exported as `Tool` by the prelude).
///
/// A built-in tool added to the OpenAPI document after this SDK was written is available as a
/// variant of the generated enum right away (e.g. `Tool::MathGeometry`), constructor or not.
#[cfg(friendli_has = "builders_tool_assisted")]
pub trait ToolExt: Sized {
    /// `math:calculator`: evaluates arithmetic on the server.
    fn calculator() -> Self;
    /// `math:statistics`: statistics over numbers.
    fn statistics() -> Self;
    /// `math:calendar`: date arithmetic.
    fn calendar() -> Self;
    /// `web:search`: searches the web.
    fn web_search() -> Self;
    /// `web:url`: reads a web page.
    fn web_url() -> Self;
    /// `code:python-interpreter`: runs Python code.
    fn python_interpreter() -> Self;
    /// `linkup:search`: web search through Linkup.
    fn linkup_search() -> Self;
    /// `file:text`: reads uploaded files (by id).
    fn file_text(file_ids: impl IntoIterator<Item = impl Into<String>>) -> Self;
}

#[cfg(friendli_has = "builders_tool_assisted")]
fn built_in<T: DeserializeOwned>(kind: &str) -> T {
    wire(json!({"type": kind}))
}

#[cfg(friendli_has = "builders_tool_assisted")]
impl ToolExt for ToolAssistedChatTool {
    fn calculator() -> Self {
        built_in("math:calculator")
    }

    fn statistics() -> Self {
        built_in("math:statistics")
    }

    fn calendar() -> Self {
        built_in("math:calendar")
    }

    fn web_search() -> Self {
        built_in("web:search")
    }

    fn web_url() -> Self {
        built_in("web:url")
    }

    fn python_interpreter() -> Self {
        built_in("code:python-interpreter")
    }

    fn linkup_search() -> Self {
        built_in("linkup:search")
    }

    fn file_text(file_ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let files: Vec<String> = file_ids.into_iter().map(Into::into).collect();
        wire(json!({"type": "file:text", "files": files}))
    }
}

/// Constructors of function tools, for every tool type of the API: [`Tool`] (chat completions),
/// `ToolAssistedChatTool` (tool-assisted chat), `MessagesToolDefinition` (messages) and
/// `ResponsesTool` (responses). Each builds its own wire form from the same name, description
/// and schema.
pub trait FunctionToolExt: Sized {
    /// A function the caller runs, with a JSON Schema of its arguments object.
    ///
    /// Fails if `parameters` is not a JSON object (or `true`, which means "anything").
    fn function(
        name: impl Into<String>,
        description: impl Into<String>,
        parameters: Value,
    ) -> Result<Self>;

    /// A function the caller runs, with the schema of its arguments derived from `Args`. The
    /// doc comments of `Args` and its fields become the descriptions the model reads.
    ///
    /// ```
    /// use friendli::prelude::*;
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Weather {
    ///     /// City name, e.g. "Seoul".
    ///     city: String,
    /// }
    /// let tool = ToolAssistedChatTool::function_for::<Weather>("get_weather", "Current weather of a city");
    /// ```
    fn function_for<Args: JsonSchema>(
        name: impl Into<String>,
        description: impl Into<String>,
    ) -> Self;
}

macro_rules! function_tools {
    ($($(#[$attr:meta])* $ty:ty => $shape:expr),* $(,)?) => {
        $(
            $(#[$attr])*
            impl FunctionToolExt for $ty {
                fn function(
                    name: impl Into<String>,
                    description: impl Into<String>,
                    parameters: Value,
                ) -> Result<Self> {
                    let name = name.into();
                    let parameters = match parameters {
                        Value::Object(map) => map,
                        Value::Bool(true) => Map::new(),
                        other => {
                            return Err(Error::invalid_request(format!(
                                "the parameters schema of function {name:?} must be a JSON object, not {other}"
                            )));
                        }
                    };
                    decode_tool(name.clone(), $shape(name, description.into(), parameters))
                }

                fn function_for<Args: JsonSchema>(
                    name: impl Into<String>,
                    description: impl Into<String>,
                ) -> Self {
                    wire($shape(name.into(), description.into(), parameters_schema::<Args>()))
                }
            }
        )*
    };
}

function_tools!(
    #[cfg(friendli_has = "builders")]
    Tool => function_json,
    #[cfg(friendli_has = "builders_tool_assisted")]
    ToolAssistedChatTool => function_json,
    #[cfg(friendli_has = "messages_builders")]
    crate::types::MessagesToolDefinition => |name: String, description: String, schema: Map<String, Value>| {
        json!({"name": name, "description": description, "input_schema": schema})
    },
    #[cfg(friendli_has = "responses_builders")]
    crate::types::ResponsesTool => |name: String, description: String, parameters: Map<String, Value>| {
        json!({"type": "function", "name": name, "description": description, "parameters": parameters})
    },
);

#[cfg(friendli_has = "builders")]
fn function_json(name: String, description: String, parameters: Map<String, Value>) -> Value {
    json!({
        "type": "function",
        "function": {"name": name, "description": description, "parameters": parameters},
    })
}

/// A function tool declaration of type `T`, or an error naming the function when `T` cannot hold
/// it.
#[cfg(friendli_has = "builders")]
pub(crate) fn function_tool<T: DeserializeOwned>(
    name: String,
    description: String,
    parameters: Map<String, Value>,
) -> Result<T> {
    decode_tool(name.clone(), function_json(name, description, parameters))
}

/// A tool declaration's wire JSON decoded into `T`, or an error naming the function.
#[cfg_attr(
    not(any(
        friendli_has = "builders",
        friendli_has = "messages_builders",
        friendli_has = "responses_builders"
    )),
    allow(dead_code)
)]
fn decode_tool<T: DeserializeOwned>(name: String, value: Value) -> Result<T> {
    serde_json::from_value(value).map_err(|e| {
        Error::invalid_request(format!(
            "the declaration of function {name:?} does not fit {}: {e}",
            std::any::type_name::<T>()
        ))
    })
}

/// The JSON Schema of a function's arguments, derived from a Rust type: inlined (no `$ref`s,
/// which the model never sees resolved), without the `$schema` and `title` annotations.
pub fn parameters_schema<Args: JsonSchema>() -> Map<String, Value> {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|settings| {
            settings.inline_subschemas = true;
            settings.meta_schema = None;
        })
        .into_generator();
    let schema = generator.into_root_schema_for::<Args>();
    let mut map = match schema.to_value() {
        Value::Object(map) => map,
        Value::Bool(false) => Map::from_iter([("not".to_owned(), json!({}))]),
        _ => Map::new(),
    };
    map.remove("title");
    map.remove("$schema");
    map
}

/// Constructors of the plain-text turns of the Messages and Responses APIs (chat messages have
/// [`MessageExt`]): `MessagesInputMessage::user("…")`, `ResponsesInputItem::user("…")`.
pub trait TurnExt: Sized {
    /// A user turn of plain text.
    fn user(text: impl Into<String>) -> Self;
    /// An earlier answer of the model, as plain text.
    fn assistant(text: impl Into<String>) -> Self;
}

/// Constructors of the instruction messages of the Responses API (the Messages API takes its
/// system prompt as a field of the request instead).
pub trait InstructionExt: Sized {
    /// A system message.
    fn system(text: impl Into<String>) -> Self;
    /// A developer message: instructions that take precedence over the user's.
    fn developer(text: impl Into<String>) -> Self;
}

macro_rules! text_turns {
    ($($capability:literal $ty:ty),* $(,)?) => {
        $(
            #[cfg(friendli_has = $capability)]
            impl TurnExt for $ty {
                fn user(text: impl Into<String>) -> Self {
                    wire(json!({"role": "user", "content": text.into()}))
                }
                fn assistant(text: impl Into<String>) -> Self {
                    wire(json!({"role": "assistant", "content": text.into()}))
                }
            }
        )*
    };
}

text_turns!(
    "messages_builders" crate::types::MessagesInputMessage,
    "responses_builders" crate::types::ResponsesInputMessage,
    "responses_builders" crate::types::ResponsesInputItem,
);

macro_rules! instructions {
    ($($ty:ty),*) => {
        $(
            #[cfg(friendli_has = "responses_builders")]
            impl InstructionExt for $ty {
                fn system(text: impl Into<String>) -> Self {
                    wire(json!({"role": "system", "content": text.into()}))
                }
                fn developer(text: impl Into<String>) -> Self {
                    wire(json!({"role": "developer", "content": text.into()}))
                }
            }
        )*
    };
}

instructions!(
    crate::types::ResponsesInputMessage,
    crate::types::ResponsesInputItem
);

#[cfg(friendli_has = "builders")]
/// Constructors of [`ToolChoice`].
pub trait ToolChoiceExt: Sized {
    /// The model decides whether to call tools (the server's default).
    fn auto() -> Self;
    /// No tool calls.
    fn none() -> Self;
    /// At least one tool call.
    fn required() -> Self;
    /// This function must be called.
    fn function(name: impl Into<String>) -> Self;
}

#[cfg(friendli_has = "builders")]
impl ToolChoiceExt for ToolChoice {
    fn auto() -> Self {
        wire(json!("auto"))
    }

    fn none() -> Self {
        wire(json!("none"))
    }

    fn required() -> Self {
        wire(json!("required"))
    }

    fn function(name: impl Into<String>) -> Self {
        wire(json!({"type": "function", "function": {"name": name.into()}}))
    }
}

#[cfg(friendli_has = "builders")]
/// Constructors of the requests' `seed` ([`Seed`]).
pub trait SeedExt: Sized {
    /// One seed for the request.
    fn single(seed: i64) -> Self;
    /// One seed per generated answer (with `n` greater than 1).
    fn per_choice(seeds: impl IntoIterator<Item = i64>) -> Self;
}

#[cfg(friendli_has = "builders")]
impl SeedExt for Seed {
    fn single(seed: i64) -> Self {
        wire(json!(seed))
    }

    fn per_choice(seeds: impl IntoIterator<Item = i64>) -> Self {
        let seeds: Vec<i64> = seeds.into_iter().collect();
        wire(json!(seeds))
    }
}

#[cfg(friendli_has = "builders")]
/// Accessors of [`ChatResult`].
pub trait ChatResultExt {
    /// The answer text of the first choice.
    fn content(&self) -> Option<&str>;
    /// The reasoning of the first choice, when the model reported it.
    fn reasoning(&self) -> Option<&str>;
    /// The function calls of the first choice.
    fn tool_calls(&self) -> &[ToolCall];
    /// Why the first choice ended.
    fn finish_reason(&self) -> Option<&FinishReason>;
    /// The first choice as an assistant [`Message`], to continue the conversation with.
    fn to_message(&self) -> Option<Message>;
}

#[cfg(friendli_has = "builders")]
impl ChatResultExt for ChatResult {
    fn content(&self) -> Option<&str> {
        self.choices.first()?.message.content.as_deref()
    }

    fn reasoning(&self) -> Option<&str> {
        self.choices.first()?.message.reasoning_content.as_deref()
    }

    fn tool_calls(&self) -> &[ToolCall] {
        self.choices
            .first()
            .and_then(|c| c.message.tool_calls.as_deref())
            .unwrap_or_default()
    }

    fn finish_reason(&self) -> Option<&FinishReason> {
        self.choices.first().map(|c| &c.finish_reason)
    }

    fn to_message(&self) -> Option<Message> {
        let message = &self.choices.first()?.message;
        let mut value = json!({"role": "assistant", "content": message.content});
        if let Some(calls) = &message.tool_calls
            && !calls.is_empty()
        {
            value["tool_calls"] = json!(calls);
        }
        if let Some(reasoning) = &message.reasoning_content {
            value["reasoning_content"] = json!(reasoning);
        }
        Some(wire(value))
    }
}

/// The value an enum has on the wire, for the open enums of the API (which keep values this
/// SDK does not know yet). `FinishReason`'s `stop` gives `"stop"`, `ToolStatus`'s `STARTED`
/// gives `"STARTED"`, an unknown value gives itself.
pub trait WireName: Serialize {
    /// The wire value.
    fn wire_name(&self) -> String {
        match serde_json::to_value(self) {
            Ok(Value::String(s)) => s,
            Ok(other) => other.to_string(),
            Err(_) => String::new(),
        }
    }
}

#[cfg(friendli_has = "builders")]
impl WireName for FinishReason {}
#[cfg(friendli_has = "builders_tool_assisted")]
impl WireName for ToolStatus {}
#[cfg(friendli_has = "builders_tool_assisted")]
impl WireName for BuiltInToolName {}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire_json<T: Serialize>(value: &T) -> Value {
        serde_json::to_value(value).unwrap()
    }

    #[test]
    fn message_constructors_produce_the_wire_json() {
        assert_eq!(
            wire_json(&Message::system("s")),
            json!({"role": "system", "content": "s"})
        );
        assert_eq!(
            wire_json(&Message::user("u")),
            json!({"role": "user", "content": "u"})
        );
        assert_eq!(
            wire_json(&Message::assistant("a")),
            json!({"role": "assistant", "content": "a"})
        );
        assert_eq!(
            wire_json(&Message::tool("call_1", "{}")),
            json!({"role": "tool", "tool_call_id": "call_1", "content": "{}"})
        );
        let parts = Message::user_parts([
            UserContentPart::text("look"),
            UserContentPart::image_url("https://example.com/a.png"),
            UserContentPart::audio_url("https://example.com/a.mp3"),
            UserContentPart::video_url("https://example.com/a.mp4"),
        ]);
        assert_eq!(
            wire_json(&parts),
            json!({"role": "user", "content": [
                {"type": "text", "text": "look"},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                {"type": "audio_url", "audio_url": {"url": "https://example.com/a.mp3"}},
                {"type": "video_url", "video_url": {"url": "https://example.com/a.mp4"}},
            ]})
        );
        let call: ToolCall = serde_json::from_value(
            json!({"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}),
        )
        .unwrap();
        assert_eq!(
            wire_json(&Message::assistant_tool_calls(None, [call])),
            json!({"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]})
        );
    }

    #[cfg(friendli_has = "builders_tool_assisted")]
    #[test]
    fn tool_constructors_produce_the_wire_json() {
        let cases = [
            (ToolAssistedChatTool::calculator(), "math:calculator"),
            (ToolAssistedChatTool::statistics(), "math:statistics"),
            (ToolAssistedChatTool::calendar(), "math:calendar"),
            (ToolAssistedChatTool::web_search(), "web:search"),
            (ToolAssistedChatTool::web_url(), "web:url"),
            (
                ToolAssistedChatTool::python_interpreter(),
                "code:python-interpreter",
            ),
            (ToolAssistedChatTool::linkup_search(), "linkup:search"),
        ];
        for (tool, kind) in cases {
            assert_eq!(wire_json(&tool), json!({"type": kind}));
        }
        assert_eq!(
            wire_json(&ToolAssistedChatTool::file_text(["file-1"])),
            json!({"type": "file:text", "files": ["file-1"]})
        );
        let f = ToolAssistedChatTool::function(
            "f",
            "does f",
            json!({"type": "object", "properties": {}}),
        )
        .unwrap();
        assert_eq!(
            wire_json(&f),
            json!({"type": "function", "function": {"name": "f", "description": "does f", "parameters": {"type": "object", "properties": {}}}})
        );
        let err = ToolAssistedChatTool::function("f", "d", json!([1])).unwrap_err();
        assert!(err.to_string().contains("must be a JSON object"), "{err}");
    }

    #[derive(serde::Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Inner {
        /// How many.
        count: u32,
    }

    #[derive(serde::Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Args {
        /// The city.
        city: String,
        unit: Option<String>,
        inner: Inner,
    }

    #[test]
    fn function_for_derives_an_inlined_parameters_schema() {
        let tool = Tool::function_for::<Args>("get_weather", "Weather");
        let value = wire_json(&tool);
        let parameters = &value["function"]["parameters"];
        assert_eq!(parameters["type"], "object");
        assert_eq!(parameters["properties"]["city"]["description"], "The city.");
        assert_eq!(
            parameters["properties"]["inner"]["properties"]["count"]["description"],
            "How many."
        );
        assert_eq!(parameters["required"], json!(["city", "inner"]));
        assert!(parameters.get("$schema").is_none() && parameters.get("title").is_none());
        assert!(!value.to_string().contains("$ref"), "{value}");
    }

    #[test]
    fn tool_choice_and_seed_constructors_produce_the_wire_json() {
        assert_eq!(wire_json(&ToolChoice::auto()), json!("auto"));
        assert_eq!(wire_json(&ToolChoice::none()), json!("none"));
        assert_eq!(wire_json(&ToolChoice::required()), json!("required"));
        assert_eq!(
            wire_json(&ToolChoice::function("f")),
            json!({"type": "function", "function": {"name": "f"}})
        );
        assert_eq!(wire_json(&Seed::single(7)), json!(7));
        assert_eq!(wire_json(&Seed::per_choice([1, 2])), json!([1, 2]));
    }

    #[test]
    fn open_enums_display_their_wire_value() {
        let known: FinishReason = serde_json::from_value(json!("tool_calls")).unwrap();
        let unknown: FinishReason = serde_json::from_value(json!("content_filter")).unwrap();
        assert_eq!(known.to_string(), "tool_calls");
        assert_eq!(unknown.to_string(), "content_filter");
        #[cfg(friendli_has = "builders_tool_assisted")]
        {
            let status: ToolStatus = serde_json::from_value(json!("ERRORED")).unwrap();
            let name: BuiltInToolName = serde_json::from_value(json!("math:calculator")).unwrap();
            assert_eq!(format!("{name} {status}"), "math:calculator ERRORED");
        }
    }

    #[test]
    fn wire_names_of_open_enums() {
        let known: FinishReason = serde_json::from_value(json!("stop")).unwrap();
        let unknown: FinishReason = serde_json::from_value(json!("content_filter")).unwrap();
        assert_eq!(known.wire_name(), "stop");
        assert_eq!(unknown.wire_name(), "content_filter");
        let status: ToolStatus = serde_json::from_value(json!("STARTED")).unwrap();
        assert_eq!(status.wire_name(), "STARTED");
    }

    #[cfg(all(
        friendli_has = "messages_builders",
        friendli_has = "responses_builders"
    ))]
    #[test]
    fn turns_and_tools_of_the_messages_and_responses_apis() {
        use crate::types::{
            MessagesInputMessage, MessagesToolDefinition, ResponsesInputItem, ResponsesTool,
        };
        assert_eq!(
            wire_json(&MessagesInputMessage::user("Hi")),
            json!({"role": "user", "content": "Hi"})
        );
        assert_eq!(
            wire_json(&MessagesInputMessage::assistant("Hello")),
            json!({"role": "assistant", "content": "Hello"})
        );
        assert_eq!(
            wire_json(&ResponsesInputItem::developer("Be brief.")),
            json!({"role": "developer", "content": "Be brief."})
        );
        assert_eq!(
            wire_json(&ResponsesInputItem::system("You are kind."))["role"],
            "system"
        );

        #[derive(schemars::JsonSchema)]
        #[allow(dead_code)]
        struct Weather {
            /// City name.
            city: String,
        }
        let messages = wire_json(&MessagesToolDefinition::function_for::<Weather>(
            "weather", "Weather",
        ));
        assert_eq!(messages["name"], "weather");
        assert_eq!(
            messages["input_schema"]["properties"]["city"]["description"],
            "City name."
        );
        let responses = wire_json(&ResponsesTool::function_for::<Weather>(
            "weather", "Weather",
        ));
        assert_eq!(responses["type"], "function");
        assert_eq!(responses["parameters"]["required"], json!(["city"]));
        let error = ResponsesTool::function("f", "d", json!([1])).unwrap_err();
        assert!(
            error.to_string().contains("must be a JSON object"),
            "{error}"
        );
    }
}
