//! Structured output: ask for JSON of a Rust type's schema, and read the answer as that type.
//!
//! ```no_run
//! # async fn example(client: friendli::Client) -> friendli::Result<()> {
//! use friendli::prelude::*;
//! use friendli::types::{ResponseFormat, ServerlessChatCompletionBody};
//!
//! /// A city and what it is known for.
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct City {
//!     name: String,
//!     country: String,
//!     known_for: Vec<String>,
//! }
//!
//! let request = ServerlessChatCompletionBody::builder()
//!     .model("meta-llama-3.1-8b-instruct")
//!     .messages(vec![Message::user("Describe Seoul as JSON.")])
//!     .response_format(ResponseFormat::json_schema_for::<City>());
//! let answer = client.serverless().chat().complete(request).await?;
//! let city: City = answer.parse()?;
//! println!("{} ({}): {}", city.name, city.country, city.known_for.join(", "));
//! # Ok(()) }
//! ```

use bytes::Bytes;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::core::error::{Error, Result};
use crate::extras::chat::CollectedChat;
use crate::extras::ext::{ChatResultExt, parameters_schema};
use crate::types::{ChatResult, ResponseFormat};

/// Constructors of [`ResponseFormat`], the constraint on the form of a chat or completions
/// answer.
pub trait ResponseFormatExt: Sized {
    /// JSON that matches the JSON Schema of `T`, derived with schemars (inlined, no `$ref`s).
    /// Read the answer back with `parse::<T>()`. The doc comments of `T` and of its fields
    /// become the schema's descriptions, which the model reads.
    ///
    /// As the API documents, the prompt should still ask for JSON, and a `max_tokens` that is
    /// too small cuts the JSON off (the answer then does not parse).
    fn json_schema_for<T: JsonSchema>() -> Self;
    /// JSON that matches a JSON Schema given as an object (named so as not to clash with
    /// `schemars::JsonSchema::json_schema`).
    fn from_json_schema(schema: Map<String, Value>) -> Self;
    /// Any JSON object.
    fn json_object() -> Self;
    /// Text that matches a regular expression (without lookaround or anchors; `\w`, `\d` and
    /// `\s` match ASCII only).
    fn regex(pattern: impl Into<String>) -> Self;
    /// Free text (no constraint).
    fn text() -> Self;
}

impl ResponseFormatExt for ResponseFormat {
    fn json_schema_for<T: JsonSchema>() -> Self {
        Self::from_json_schema(parameters_schema::<T>())
    }

    fn from_json_schema(schema: Map<String, Value>) -> Self {
        from_wire(json!({"type": "json_schema", "json_schema": {"schema": schema}}))
    }

    fn json_object() -> Self {
        from_wire(json!({"type": "json_object"}))
    }

    fn regex(pattern: impl Into<String>) -> Self {
        from_wire(json!({"type": "regex", "schema": pattern.into()}))
    }

    fn text() -> Self {
        from_wire(json!({"type": "text"}))
    }
}

fn from_wire(value: Value) -> ResponseFormat {
    match serde_json::from_value(value) {
        Ok(format) => format,
        Err(error) => {
            panic!("friendli: ResponseFormat no longer matches its constructors: {error}")
        }
    }
}

/// Reading a structured answer as a Rust type.
pub trait ParseAnswer {
    /// The answer text of the first choice, decoded as JSON into `T`. Fails with
    /// [`Error::Decode`] carrying the raw text (and why it is not a `T`) when the text is not
    /// JSON of that shape (for example because the answer was cut off at `max_tokens`, which
    /// the error then says), or when the first choice has no text (it called tools).
    fn parse<T: DeserializeOwned>(&self) -> Result<T>;
}

impl ParseAnswer for ChatResult {
    fn parse<T: DeserializeOwned>(&self) -> Result<T> {
        let cut_off = self
            .finish_reason()
            .is_some_and(|reason| serde_json::to_value(reason).is_ok_and(|v| v == "length"));
        parse_text(self.content(), cut_off)
    }
}

impl ParseAnswer for CollectedChat {
    fn parse<T: DeserializeOwned>(&self) -> Result<T> {
        self.result.parse()
    }
}

/// The name of `T` without module paths: `Vec<my_crate::City>` reads `Vec<City>`.
fn short_type_name<T>() -> String {
    let full = std::any::type_name::<T>();
    let mut out = String::with_capacity(full.len());
    for piece in full.split_inclusive(['<', '>', ',', ' ', '(', ')', '[', ']', '&', ';']) {
        let (name, delimiter) = match piece.char_indices().last() {
            Some((i, c)) if "<>, ()[]&;".contains(c) => (&piece[..i], &piece[i..]),
            _ => (piece, ""),
        };
        out.push_str(name.rsplit("::").next().unwrap_or(name));
        out.push_str(delimiter);
    }
    out
}

fn parse_text<T: DeserializeOwned>(text: Option<&str>, cut_off: bool) -> Result<T> {
    let type_name = short_type_name::<T>();
    let Some(text) = text else {
        return Err(Error::decode(
            format!("the answer as {type_name}: the first choice has no text (it called tools)"),
            Bytes::new(),
            None,
        ));
    };
    serde_json::from_str(text).map_err(|source| {
        let why = if cut_off {
            " (the answer was cut off at max_tokens: finish_reason is `length`)"
        } else {
            ""
        };
        Error::decode(
            format!("the answer text as {type_name}{why}"),
            Bytes::copy_from_slice(text.as_bytes()),
            Some(source),
        )
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    /// A city.
    #[derive(Debug, PartialEq, Deserialize, JsonSchema)]
    struct City {
        /// The city's name.
        name: String,
        population: u64,
    }

    fn answer(content: &str, finish_reason: &str) -> ChatResult {
        serde_json::from_value(json!({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [{"index": 0, "finish_reason": finish_reason,
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
        }))
        .unwrap()
    }

    #[test]
    fn json_schema_for_sends_the_inlined_schema_of_the_type() {
        let format = ResponseFormat::json_schema_for::<City>();
        let wire = serde_json::to_value(&format).unwrap();
        assert_eq!(wire["type"], "json_schema");
        let schema = &wire["json_schema"]["schema"];
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["description"], "A city.");
        assert_eq!(
            schema["properties"]["name"]["description"],
            "The city's name."
        );
        assert_eq!(schema["required"], json!(["name", "population"]));
        assert!(schema.get("$schema").is_none() && schema.get("title").is_none());
    }

    #[test]
    fn type_names_in_errors_are_short() {
        assert_eq!(short_type_name::<City>(), "City");
        assert_eq!(short_type_name::<Vec<City>>(), "Vec<City>");
        assert_eq!(
            short_type_name::<std::collections::HashMap<String, (u8, City)>>(),
            "HashMap<String, (u8, City)>"
        );
    }

    #[test]
    fn the_other_formats_have_their_wire_form() {
        let wire = |f: ResponseFormat| serde_json::to_value(f).unwrap();
        assert_eq!(
            wire(ResponseFormat::json_object()),
            json!({"type": "json_object"})
        );
        assert_eq!(wire(ResponseFormat::text()), json!({"type": "text"}));
        assert_eq!(
            wire(ResponseFormat::regex("[0-9]+")),
            json!({"type": "regex", "schema": "[0-9]+"})
        );
    }

    #[test]
    fn a_matching_answer_parses_into_the_type() {
        let city: City = answer(r#"{"name": "Seoul", "population": 9400000}"#, "stop")
            .parse()
            .unwrap();
        assert_eq!(
            city,
            City {
                name: "Seoul".into(),
                population: 9_400_000
            }
        );
    }

    #[test]
    fn a_mismatch_is_a_decode_error_with_the_raw_text() {
        let text = r#"{"name": "Seoul", "population": "many"}"#;
        let Err(Error::Decode(error)) = answer(text, "stop").parse::<City>() else {
            panic!("a mismatch parsed");
        };
        assert_eq!(&error.raw[..], text.as_bytes());
        assert!(error.what.contains("City"), "{}", error.what);
        assert!(error.source.is_some());
        assert!(!error.what.contains("cut off"));
    }

    #[test]
    fn a_cut_off_answer_says_so() {
        let text = r#"{"name": "Seo"#;
        let Err(Error::Decode(error)) = answer(text, "length").parse::<City>() else {
            panic!("a cut-off answer parsed");
        };
        assert!(
            error.what.contains("cut off at max_tokens"),
            "{}",
            error.what
        );
        assert_eq!(&error.raw[..], text.as_bytes());
    }

    #[test]
    fn an_answer_without_text_is_an_error_not_a_panic() {
        let mut result = answer("", "tool_calls");
        result.choices[0].message.content = None;
        let error = result.parse::<City>().unwrap_err();
        assert!(error.to_string().contains("no text"), "{error}");
    }
}
