//! What folding any chunked stream (chat, completions) into its `complete()` result shares: the
//! result's identity taken from the first chunk, the usage from the chunk that reports it, and
//! the final decode into the generated result type.

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::core::error::Error;

/// The parts of a result that are not per choice.
#[derive(Debug, Default)]
pub(crate) struct Header {
    pub(crate) id: Option<String>,
    created: Option<i64>,
    model: Option<String>,
    usage: Option<Value>,
}

impl Header {
    /// Notes a chunk's identity (the first one wins) and its usage (the last one wins).
    pub(crate) fn see(
        &mut self,
        id: &str,
        created: i64,
        model: Option<&String>,
        usage: Option<&impl Serialize>,
    ) {
        if self.id.is_none() {
            self.id = Some(id.to_owned());
            self.created = Some(created);
        }
        if self.model.is_none() {
            self.model = model.cloned();
        }
        if let Some(usage) = usage {
            self.usage = serde_json::to_value(usage).ok();
        }
    }

    /// The result of type `T` (whose `object` is `object`) with these choices, and whether the
    /// stream reported usage (when it did not, the usage is zeros). Fails when no chunk
    /// arrived, or when the folded document is not a `T`.
    pub(crate) fn finish<T: DeserializeOwned>(
        self,
        object: &str,
        choices: Vec<Value>,
    ) -> Result<(T, bool), Error> {
        let type_name = std::any::type_name::<T>()
            .rsplit("::")
            .next()
            .unwrap_or_default();
        let Some(id) = self.id else {
            return Err(Error::protocol(format!(
                "the stream carried no chunk, so there is no {type_name} to fold"
            )));
        };
        let usage_reported = self.usage.is_some();
        let document = json!({
            "id": id,
            "object": object,
            "created": self.created,
            "model": self.model,
            "choices": choices,
            "usage": self.usage.unwrap_or_else(|| json!({"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0})),
        });
        let result = T::deserialize(&document).map_err(|e| {
            Error::decode(
                format!("the folded stream as a {type_name}"),
                Bytes::from(document.to_string()),
                Some(e),
            )
        })?;
        Ok((result, usage_reported))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::CompletionsResult;

    #[test]
    fn a_stream_without_chunks_folds_into_an_error_not_a_default() {
        let error = Header::default()
            .finish::<CompletionsResult>("text_completion", Vec::new())
            .unwrap_err();
        assert!(matches!(error, Error::StreamProtocol(_)), "{error:?}");
        assert!(
            error.to_string().contains("no CompletionsResult"),
            "{error}"
        );
    }

    #[test]
    fn the_first_chunk_names_the_result_and_the_last_usage_counts() {
        let mut header = Header::default();
        let usage =
            |n: i64| json!({"prompt_tokens": 1, "completion_tokens": n, "total_tokens": 1 + n});
        header.see("first", 10, Some(&"m".to_owned()), None::<&Value>);
        header.see("second", 20, None, Some(&usage(2)));
        header.see("third", 30, None, Some(&usage(5)));
        let (result, reported): (CompletionsResult, bool) =
            header.finish("text_completion", Vec::new()).unwrap();
        assert!(reported);
        assert_eq!((result.id.as_str(), result.created), ("first", Some(10)));
        assert_eq!(result.model.as_deref(), Some("m"));
        assert_eq!(result.usage.completion_tokens, 5);
    }
}
