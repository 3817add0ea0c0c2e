//! Dataset samples from this crate's chat messages (feature `platform`).
//!
//! The dataset operations are generated like every other: `client.dataset().create_dataset(…)`,
//! `create_split`, `create_version`, `add_samples`, `list_samples`, `update_samples` (the
//! document's `upload_raw_samples`), `delete_samples`, …. On the wire a sample is JSON text, one
//! conversation `{"messages": [...]}` holding the same messages as a chat request; `add_samples`
//! takes an array of such texts, `update_samples` a JSON Lines file of them, and the answers give
//! `[full sample ID, text]` pairs, the ID being `DATASET:VERSION:SPLIT:SAMPLE`. This module
//! writes and reads that form:
//!
//! - [`Sample`]: one conversation, made from [`Message`]s (`Sample::new`, or `From<Vec<Message>>`);
//! - [`Dataset::add_conversations`](crate::namespaces::Dataset::add_conversations): `add_samples`
//!   with samples made from messages; [`samples_from_conversations`] gives its body;
//! - [`to_jsonl`] and
//!   [`Dataset::upload_samples_file`](crate::namespaces::Dataset::upload_samples_file): a JSON
//!   Lines file of samples, and its upload (streamed from disk);
//! - [`SamplesExt::decode_samples`]: the samples of an answer, decoded back into messages.
//!
//! ```no_run
//! # async fn example(client: friendli::Client) -> friendli::Result<()> {
//! use friendli::datasets::SamplesExt;
//! use friendli::prelude::*;
//! use friendli::types::DedicatedDatasetModalityTypeKnown::Text;
//! use friendli::types::{CreateDatasetRequest, DedicatedDatasetModality};
//!
//! let modality = DedicatedDatasetModality {
//!     input_modals: vec![Text.into()],
//!     output_modals: vec![Text.into()],
//! };
//! let request = CreateDatasetRequest::builder()
//!     .name("support-chats")
//!     .project_id("my-project-id")
//!     .modality(modality);
//! let dataset = client.dataset().create_dataset(request).await?;
//! let split = client.dataset().create_split(&dataset.id, "train").await?;
//! let conversations = vec![vec![
//!     Message::system("You are terse."),
//!     Message::user("What is 3 + 6?"),
//!     Message::assistant("9"),
//! ]];
//! let added = client
//!     .dataset()
//!     .add_conversations(&dataset.id, &split.id, conversations)
//!     .await?;
//! for stored in added.decode_samples()? {
//!     println!("{}: {} messages", stored.id, stored.sample.messages.len());
//! }
//! # Ok(()) }
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::core::call::Caller;
use crate::core::error::{Error, Result};
use crate::core::operation::{FilePart, Multipart};
use crate::namespaces::Dataset;
use crate::operations as ops;
use crate::types::{
    AddSamplesBody, AddSamplesResponse, BodyUploadRawSamples, ListSamplesResponse, Message,
};

/// `modality.wire_name()`: `TEXT`, `IMAGE`, `AUDIO`, `VIDEO`, or a modality this version does
/// not know, as sent.
impl crate::WireName for crate::types::DedicatedDatasetModalityType {}

/// A sample of a dataset: one conversation, as the dataset operations carry it
/// (`{"messages": [...]}` in JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// The messages of the conversation, in order: system, user, assistant and tool messages,
    /// as in a chat request.
    pub messages: Vec<Message>,
    /// Other fields of the sample, kept as they are (empty for samples made here).
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl Sample {
    /// A sample of these messages.
    pub fn new(messages: impl IntoIterator<Item = Message>) -> Self {
        Sample {
            messages: messages.into_iter().collect(),
            extra: Map::new(),
        }
    }

    /// The sample as the JSON text the dataset operations carry.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self)
            .map_err(|e| Error::invalid_request(format!("a sample does not serialise: {e}")))
    }

    /// A sample from the JSON text of a dataset answer. Fails with [`Error::Decode`] (holding
    /// the text) when it is not a conversation.
    pub fn from_json(data: &str) -> Result<Sample> {
        serde_json::from_str(data).map_err(|e| {
            Error::decode(
                "a dataset sample as {\"messages\": [...]}",
                bytes::Bytes::copy_from_slice(data.as_bytes()),
                Some(e),
            )
        })
    }
}

impl From<Vec<Message>> for Sample {
    fn from(messages: Vec<Message>) -> Self {
        Sample::new(messages)
    }
}

impl From<&[Message]> for Sample {
    fn from(messages: &[Message]) -> Self {
        Sample::new(messages.iter().cloned())
    }
}

impl From<&Sample> for Sample {
    fn from(sample: &Sample) -> Self {
        sample.clone()
    }
}

/// The body of `add_samples` for these samples (anything that becomes a [`Sample`]: a
/// `Vec<Message>`, a `&[Message]`, a `Sample`).
pub fn samples_body<I>(samples: I) -> Result<AddSamplesBody>
where
    I: IntoIterator,
    I::Item: Into<Sample>,
{
    let texts = samples
        .into_iter()
        .map(|sample| sample.into().to_json())
        .collect::<Result<Vec<String>>>()?;
    Ok(AddSamplesBody::from(texts))
}

/// The body of `add_samples` for conversations of chat messages, one sample each.
///
/// ```
/// use friendli::prelude::*;
///
/// let body = friendli::datasets::samples_from_conversations(&[vec![
///     Message::user("Hi"),
///     Message::assistant("Hello!"),
/// ]])
/// .unwrap();
/// assert_eq!(
///     body[0],
///     r#"{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"}]}"#
/// );
/// ```
pub fn samples_from_conversations(conversations: &[Vec<Message>]) -> Result<AddSamplesBody> {
    samples_body(conversations.iter().map(Vec::as_slice))
}

/// Samples as JSON Lines, one sample per line, each line ending in `\n`: the file
/// `update_samples` takes. Write it to disk for a large set (and upload it with
/// [`Dataset::upload_samples_file`](crate::namespaces::Dataset::upload_samples_file), which
/// streams it), or send it from memory with `FilePart::bytes(…).file_name("samples.jsonl")`.
pub fn to_jsonl<I>(samples: I) -> Result<Vec<u8>>
where
    I: IntoIterator,
    I::Item: Into<Sample>,
{
    let mut out = Vec::new();
    for sample in samples {
        out.extend_from_slice(sample.into().to_json()?.as_bytes());
        out.push(b'\n');
    }
    Ok(out)
}

/// A sample as a split holds it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StoredSample {
    /// Its full ID, `DATASET:VERSION:SPLIT:SAMPLE`.
    pub id: String,
    /// Its content.
    pub sample: Sample,
}

impl StoredSample {
    /// The last part of the full ID: the sample's ID within its split.
    pub fn sample_id(&self) -> &str {
        self.id.rsplit(':').next().unwrap_or(&self.id)
    }
}

/// The samples of a dataset answer (`add_samples`, `update_samples`, `list_samples`), decoded.
pub trait SamplesExt {
    /// The `[ID, text]` pairs of the answer.
    fn sample_pairs(&self) -> &[[String; 2]];

    /// Every sample of the answer, decoded into messages. Fails with [`Error::Decode`] on the
    /// first text that is not a conversation.
    fn decode_samples(&self) -> Result<Vec<StoredSample>> {
        self.sample_pairs()
            .iter()
            .map(|[id, data]| {
                Ok(StoredSample {
                    id: id.clone(),
                    sample: Sample::from_json(data)?,
                })
            })
            .collect()
    }
}

impl SamplesExt for AddSamplesResponse {
    fn sample_pairs(&self) -> &[[String; 2]] {
        &self.samples
    }
}

impl SamplesExt for ListSamplesResponse {
    fn sample_pairs(&self) -> &[[String; 2]] {
        &self.data
    }
}

impl<'c, C: Caller> Dataset<'c, C> {
    /// Adds samples made from chat messages to a split: `add_samples`, each sample (a
    /// `Vec<Message>`, a `&[Message]` or a [`Sample`]) encoded as the operation expects. Set
    /// per-call options on the result, then send it as any call.
    pub fn add_conversations<I>(
        &self,
        dataset_id: impl Into<String>,
        split_id: impl Into<String>,
        samples: I,
    ) -> C::Call<'c, ops::AddSamples>
    where
        I: IntoIterator,
        I::Item: Into<Sample>,
    {
        self.client().start(
            ops::AddSamples::new(dataset_id, split_id),
            samples_body(samples),
        )
    }

    /// Uploads a JSON Lines file of samples (see [`to_jsonl`]) to a split: `update_samples`
    /// (the document's `upload_raw_samples`) without its empty form fields. A
    /// [`FilePart::path`] is streamed from disk (a `.jsonl` name is sent as
    /// `application/jsonl`).
    pub fn upload_samples_file(
        &self,
        dataset_id: impl Into<String>,
        split_id: impl Into<String>,
        file: impl Into<FilePart>,
    ) -> C::Call<'c, ops::UploadRawSamples> {
        let form = Multipart::new(BodyUploadRawSamples::from(Map::new())).file("file", file);
        self.client()
            .start(ops::UploadRawSamples::new(dataset_id, split_id), Ok(form))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extras::ext::MessageExt;
    use serde_json::json;

    fn conversation() -> Vec<Message> {
        vec![
            Message::system("Be brief."),
            Message::user("What is 3 + 6?"),
            Message::assistant("9"),
        ]
    }

    #[test]
    fn samples_are_conversations_in_json_text() {
        let body =
            samples_from_conversations(&[conversation(), vec![Message::user("Hi")]]).unwrap();
        assert_eq!(body.len(), 2);
        let first: Value = serde_json::from_str(&body[0]).unwrap();
        assert_eq!(
            first,
            json!({"messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "What is 3 + 6?"},
                {"role": "assistant", "content": "9"},
            ]})
        );
        assert_eq!(
            Sample::from_json(&body[0]).unwrap(),
            Sample::new(conversation())
        );
    }

    #[test]
    fn jsonl_has_one_sample_per_line() {
        let samples = [Sample::new(conversation()), Sample::new(conversation())];
        let text = String::from_utf8(to_jsonl(&samples).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(text.ends_with("}\n"));
        assert_eq!(Sample::from_json(lines[1]).unwrap(), samples[1]);
    }

    #[test]
    fn other_fields_of_a_sample_are_kept_and_bad_text_is_a_decode_error() {
        let text = r#"{"messages":[{"role":"user","content":"Hi"}],"tools":[]}"#;
        let sample = Sample::from_json(text).unwrap();
        assert_eq!(sample.extra["tools"], json!([]));
        assert_eq!(sample.to_json().unwrap(), text);
        let error = Sample::from_json("{\"a\": 1}").unwrap_err();
        assert!(matches!(error, Error::Decode(_)), "{error:?}");
        let answer: ListSamplesResponse = serde_json::from_value(json!({
            "data": [["d:v:s:1", text]], "nextCursor": null
        }))
        .unwrap();
        let stored = answer.decode_samples().unwrap();
        assert_eq!(stored[0].sample_id(), "1");
        assert_eq!(stored[0].sample, sample);
    }
}
