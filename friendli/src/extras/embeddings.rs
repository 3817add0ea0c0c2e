//! Embeddings extras: the vectors of an embeddings result as `f32`s, whichever encoding was
//! asked for.
//!
//! With `encoding_format: base64` the server sends each vector as the base64 text of its
//! little-endian 32-bit floats, about a quarter of the size of the JSON numbers. The raw form
//! stays in [`EmbeddingObject::embedding`]; [`EmbeddingExt::to_f32`] decodes either form.

use base64::Engine as _;
use bytes::Bytes;

use crate::core::error::{Error, Result};
use crate::types::{DedicatedEmbeddingsSuccess, EmbeddingObject, EmbeddingObjectEmbedding};

/// The vector of one embedding.
pub trait EmbeddingExt {
    /// The vector as `f32`s: the JSON numbers narrowed, or the base64 text decoded. Fails with
    /// [`Error::Decode`] (carrying the text) when the base64 text is invalid or is not a whole
    /// number of 4-byte floats.
    fn to_f32(&self) -> Result<Vec<f32>>;
}

impl EmbeddingExt for EmbeddingObject {
    fn to_f32(&self) -> Result<Vec<f32>> {
        match &self.embedding {
            #[allow(clippy::cast_possible_truncation)] // f32 is the precision of the model.
            EmbeddingObjectEmbedding::Array(numbers) => {
                Ok(numbers.iter().map(|&n| n as f32).collect())
            }
            EmbeddingObjectEmbedding::Binary(text) => decode_base64_f32(text, self.index),
        }
    }
}

/// All the vectors of an embeddings result.
pub trait EmbeddingsResultExt {
    /// The vectors as `f32`s, in the order of the inputs (by each embedding's `index`).
    fn vectors_f32(&self) -> Result<Vec<Vec<f32>>>;
}

impl EmbeddingsResultExt for DedicatedEmbeddingsSuccess {
    fn vectors_f32(&self) -> Result<Vec<Vec<f32>>> {
        let mut data: Vec<&EmbeddingObject> = self.data.iter().collect();
        data.sort_by_key(|e| e.index);
        data.into_iter().map(EmbeddingExt::to_f32).collect()
    }
}

fn decode_base64_f32(text: &str, index: i64) -> Result<Vec<f32>> {
    let invalid = |why: String| {
        Error::decode(
            format!("embedding {index} as base64 little-endian f32s: {why}"),
            Bytes::copy_from_slice(text.as_bytes()),
            None,
        )
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| invalid(e.to_string()))?;
    if bytes.len() % 4 != 0 {
        return Err(invalid(format!(
            "{} bytes are not a whole number of 4-byte floats",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn embedding(value: serde_json::Value) -> EmbeddingObject {
        serde_json::from_value(json!({"index": 0, "object": "embedding", "embedding": value}))
            .unwrap()
    }

    #[test]
    fn base64_and_float_forms_give_the_same_vector() {
        let vector = [0.25f32, -1.5, 3.0e-3, 42.0];
        let bytes: Vec<u8> = vector.iter().flat_map(|f| f.to_le_bytes()).collect();
        let text = base64::engine::general_purpose::STANDARD.encode(bytes);
        assert_eq!(embedding(json!(text)).to_f32().unwrap(), vector);
        assert_eq!(embedding(json!(vector)).to_f32().unwrap(), vector);
    }

    #[test]
    fn bad_base64_is_a_decode_error_with_the_text() {
        for (text, why) in [("not base64!", "Invalid"), ("AAAAAAA=", "whole number")] {
            let Err(Error::Decode(error)) = embedding(json!(text)).to_f32() else {
                panic!("{text:?} decoded");
            };
            assert_eq!(&error.raw[..], text.as_bytes());
            assert!(error.what.contains(why), "{}", error.what);
        }
    }

    #[test]
    fn vectors_come_in_input_order() {
        let result: DedicatedEmbeddingsSuccess = serde_json::from_value(json!({
            "id": "e", "object": "list", "created": 1,
            "usage": {"prompt_tokens": 2, "completion_tokens": 0, "total_tokens": 2},
            "data": [
                {"index": 1, "object": "embedding", "embedding": [2.0]},
                {"index": 0, "object": "embedding", "embedding": [1.0]},
            ],
        }))
        .unwrap();
        assert_eq!(result.vectors_f32().unwrap(), vec![vec![1.0], vec![2.0]]);
    }
}
