//! The vectors of the mock's dedicated embeddings: one per input, derived from its text alone,
//! so that the same text always gives the same vector, on every run and every machine.
//!
//! Each word (lower-cased run of letters and digits) of the text stands for a fixed
//! pseudo-random direction, derived from its bytes; the text's vector is the sum of its words'
//! directions, scaled to length 1. Texts that share words are therefore closer (by cosine
//! similarity) than texts that share none, which is enough to test retrieval code. The
//! dimension is [`MockConfig::embedding_dimension`](crate::MockConfig::embedding_dimension)
//! (8 by default).
//!
//! The API's `encoding_format` picks the form: `float` (the default) gives JSON numbers, each
//! exactly an `f32`; `base64` gives the base64 text of the vector's little-endian `f32`s. Both
//! decode to the same floats as [`vector`] gives.
//!
//! ```
//! let a = friendli_mock::embeddings::vector("the red fox", 8);
//! let b = friendli_mock::embeddings::vector("the red fox", 8);
//! assert_eq!(a, b);
//! assert_eq!(a.len(), 8);
//! let length: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
//! assert!((length - 1.0).abs() < 1e-5);
//! ```

use serde_json::{Value, json};

use crate::tokenizer;

/// The vector of `text` in `dimension` dimensions (see the [module docs](self)). A dimension
/// of 0 gives an empty vector.
pub fn vector(text: &str, dimension: usize) -> Vec<f32> {
    let lower = text.to_lowercase();
    let mut words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        words.push(lower.as_str());
    }
    let mut sum = vec![0.0f64; dimension];
    for word in words {
        let seed = fnv1a(word.as_bytes());
        for (i, value) in sum.iter_mut().enumerate() {
            let bits = splitmix64(seed.wrapping_add(i as u64));
            // A value in [-1, 1).
            *value += (bits >> 11) as f64 / (1u64 << 52) as f64 - 1.0;
        }
    }
    let length = sum.iter().map(|v| v * v).sum::<f64>().sqrt();
    if length == 0.0 {
        return sum.iter().map(|_| 0.0).collect();
    }
    sum.iter().map(|v| (v / length) as f32).collect()
}

/// The answer to a (validated) dedicated embeddings request: one vector per input (`input` as a
/// text or a list of texts, or `tokens` decoded), in the asked `encoding_format`.
pub(crate) fn answer(request: &Value, dimension: usize, id: &str, created: i64) -> Value {
    let inputs: Vec<String> = match (&request["input"], &request["tokens"]) {
        (Value::String(text), _) => vec![text.clone()],
        (Value::Array(texts), _) => texts
            .iter()
            .map(|t| t.as_str().unwrap_or_default().to_owned())
            .collect(),
        (_, Value::Array(tokens)) => {
            let ids: Vec<i64> = tokens.iter().filter_map(Value::as_i64).collect();
            vec![tokenizer::decode(&ids)]
        }
        _ => Vec::new(),
    };
    let base64 = request["encoding_format"] == "base64";
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(index, text)| {
            let vector = vector(text, dimension);
            let embedding = if base64 {
                let bytes: Vec<u8> = vector.iter().flat_map(|f| f.to_le_bytes()).collect();
                json!(crate::platform::base64(&bytes))
            } else {
                json!(vector.iter().map(|f| f64::from(*f)).collect::<Vec<f64>>())
            };
            json!({"index": index, "object": "embedding", "embedding": embedding})
        })
        .collect();
    let tokens: u64 = inputs.iter().map(|t| tokenizer::count(t)).sum();
    json!({
        "id": id,
        "object": "list",
        "created": created,
        "model": request["model"],
        "data": data,
        "usage": {"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens},
    })
}

/// FNV-1a, 64 bits.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// One step of SplitMix64: a well-mixed 64-bit value of `x`.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::operation;

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn vectors_are_fixed_unit_length_and_closer_for_shared_words() {
        // Fixed forever: a change would change every user's expected vectors.
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(splitmix64(0), 0xe220_a839_7b1d_cdaf);
        let fox = vector("The quick brown fox", 8);
        assert_eq!(
            fox,
            vector("the QUICK brown fox!", 8),
            "words, not case or punctuation"
        );
        let norm: f32 = fox.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "{norm}");
        let near = vector("a quick brown dog", 8);
        let far = vector("tax law of 1986", 8);
        assert!(
            cosine(&fox, &near) > cosine(&fox, &far),
            "{fox:?} {near:?} {far:?}"
        );
        assert_eq!(vector("", 4).len(), 4);
        assert_eq!(vector("", 4), vector("", 4));
        assert!(vector("x", 0).is_empty());
        assert_ne!(vector("Seoul", 8), vector("Busan", 8));
    }

    #[test]
    fn answers_give_one_vector_per_input_in_the_asked_encoding() {
        let operation = operation("dedicatedEmbeddings").unwrap();
        let inputs = json!(["alpha", "beta gamma", "서울"]);
        let floats = answer(&json!({"model": "ep", "input": inputs}), 16, "e-1", 1);
        assert!(operation.validate_response(&floats).is_empty(), "{floats}");
        let data = floats["data"].as_array().unwrap();
        assert_eq!(data.len(), 3);
        for (i, item) in data.iter().enumerate() {
            assert_eq!(item["index"], i);
            let numbers: Vec<f32> = item["embedding"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_f64().unwrap() as f32)
                .collect();
            assert_eq!(numbers, vector(inputs[i].as_str().unwrap(), 16));
        }
        assert_eq!(floats["usage"]["prompt_tokens"], 5 + 10 + 2);
        let encoded = answer(
            &json!({"model": "ep", "input": "alpha", "encoding_format": "base64"}),
            4,
            "e-2",
            1,
        );
        assert!(
            operation.validate_response(&encoded).is_empty(),
            "{encoded}"
        );
        let expected: Vec<u8> = vector("alpha", 4)
            .iter()
            .flat_map(|f| f.to_le_bytes())
            .collect();
        assert_eq!(
            encoded["data"][0]["embedding"],
            json!(crate::platform::base64(&expected))
        );
        let tokens = answer(
            &json!({"model": "ep", "tokens": tokenizer::encode("alpha")}),
            4,
            "e-3",
            1,
        );
        assert_eq!(
            tokens["data"][0]["embedding"],
            answer(&json!({"model": "ep", "input": "alpha"}), 4, "e", 1)["data"][0]["embedding"]
        );
    }
}
