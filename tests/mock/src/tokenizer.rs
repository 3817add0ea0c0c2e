//! The mock's tokenizer: one token per character, whose ID is the character's Unicode code
//! point. It is deterministic and exactly reversible (`decode(&encode(x)) == x` for every
//! string), so tests can check tokenize / detokenize round trips and token counts by hand.
//! IDs that are not a Unicode scalar value decode to U+FFFD.

/// The token IDs of `text`.
pub fn encode(text: &str) -> Vec<i64> {
    text.chars().map(|c| i64::from(u32::from(c))).collect()
}

/// The text of token IDs.
pub fn decode(tokens: &[i64]) -> String {
    tokens
        .iter()
        .map(|&id| {
            u32::try_from(id)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or(char::REPLACEMENT_CHARACTER)
        })
        .collect()
}

/// The number of tokens of `text`.
pub fn count(text: &str) -> u64 {
    text.chars().count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_replaces_invalid_ids() {
        for text in ["", "Hello, world!", "한국어 ✓ 🦀", "tabs\tand\nlines"] {
            assert_eq!(decode(&encode(text)), text);
            assert_eq!(encode(text).len() as u64, count(text));
        }
        assert_eq!(encode("Hi"), [72, 105]);
        assert_eq!(
            decode(&[72, -1, 0xD800, 0x110000, 105]),
            "H\u{FFFD}\u{FFFD}\u{FFFD}i"
        );
    }
}
