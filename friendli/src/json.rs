//! Decoding JSON payloads.

use serde::de::DeserializeOwned;

/// Decodes a JSON payload into `T`, checking its UTF-8 once, for the whole payload.
///
/// `serde_json::from_slice` checks each string it decodes for UTF-8 on its own (every key and
/// every value, each a short call to `str::from_utf8`), a large share of the work for a streamed
/// chat chunk. Checking the payload in one SIMD pass with `simdutf8` and then decoding it as text
/// does the same check for much less (`PERFORMANCE.md`, `sse_decode`, has the figures). Unlike `from_slice`, which does not look inside
/// strings it skips, this rejects a payload with invalid UTF-8 anywhere.
#[inline]
pub(crate) fn from_slice<T: DeserializeOwned>(data: &[u8]) -> serde_json::Result<T> {
    match simdutf8::basic::from_utf8(data) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => Err(not_utf8::<T>(data)),
    }
}

/// The error for a payload that is not UTF-8: `serde_json`'s own (with its line and column) when
/// it finds a fault, and otherwise one that names the first byte that is not UTF-8.
#[cold]
#[inline(never)]
fn not_utf8<T: DeserializeOwned>(data: &[u8]) -> serde_json::Error {
    if let Err(error) = serde_json::from_slice::<T>(data) {
        return error;
    }
    let at = std::str::from_utf8(data).map_or_else(|e| e.valid_up_to(), |_| data.len());
    <serde_json::Error as serde::de::Error>::custom(format_args!(
        "the payload is not valid UTF-8 (at byte {at})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Probe {
        text: String,
    }

    #[test]
    fn decodes_utf8_payloads() {
        let probe: Probe = from_slice("{\"text\":\"résumé\",\"skip\":\"ü\"}".as_bytes()).unwrap();
        assert_eq!(probe.text, "résumé");
    }

    #[test]
    fn rejects_bad_utf8_in_a_decoded_string() {
        let data = b"{\"text\":\"\xff\"}";
        let error = from_slice::<Probe>(data).unwrap_err();
        // serde_json's own error, which says where.
        assert_eq!(
            error.to_string(),
            "invalid unicode code point at line 1 column 10"
        );
    }

    #[test]
    fn rejects_bad_utf8_in_a_skipped_string_which_from_slice_would_accept() {
        let data = b"{\"text\":\"ok\",\"skip\":\"\xc3\x28\"}";
        assert!(serde_json::from_slice::<Probe>(data).is_ok());
        let error = from_slice::<Probe>(data).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the payload is not valid UTF-8 (at byte 21)"
        );
    }
}
