//! Decoding JSON payloads: the answers of the API, whole or one event at a time.
//!
//! Answers are read liberally. Servers built on pydantic send an explicit `null` for a field they
//! have no value for (`"function": null`, `"type": null`), where the document's type has no null.
//! When the strict decode of a payload fails, it is decoded once more with every `null` member of
//! an object left out, so that such a field takes its default (or `None`) as if the server had not
//! sent it. The common path pays nothing for this; only the error of the strict decode is reported
//! when both fail.

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
        Ok(text) => match serde_json::from_str(text) {
            Ok(value) => Ok(value),
            Err(error) => nulls_as_absent(text, error),
        },
        Err(_) => Err(not_utf8::<T>(data)),
    }
}

/// The second, liberal decode: `text` with the `null` members of its objects left out, or the
/// strict decode's `error` when that does not decode either (or when `text` has no such member).
#[cold]
#[inline(never)]
fn nulls_as_absent<T: DeserializeOwned>(
    text: &str,
    error: serde_json::Error,
) -> serde_json::Result<T> {
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Err(error);
    };
    if !drop_null_members(&mut value) {
        return Err(error);
    }
    serde_json::from_value(value).map_err(|_| error)
}

/// Removes the members whose value is `null` from every object in `value`; whether it removed any.
fn drop_null_members(value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::Object(map) => {
            let before = map.len();
            map.retain(|_, member| !member.is_null());
            let mut dropped = map.len() != before;
            for member in map.values_mut() {
                dropped |= drop_null_members(member);
            }
            dropped
        }
        serde_json::Value::Array(items) => items
            .iter_mut()
            .fold(false, |dropped, item| drop_null_members(item) | dropped),
        _ => false,
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

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Fragment {
        index: u32,
        #[serde(default = "function")]
        kind: String,
        #[serde(default)]
        items: Vec<Fragment>,
        name: Option<String>,
    }

    fn function() -> String {
        "function".into()
    }

    #[test]
    fn a_null_where_the_type_has_none_reads_as_absent() {
        let fragment: Fragment =
            from_slice(br#"{"index":1,"kind":null,"name":null,"items":[{"index":2,"kind":null}]}"#)
                .unwrap();
        assert_eq!(
            fragment,
            Fragment {
                index: 1,
                kind: "function".into(),
                items: vec![Fragment {
                    index: 2,
                    kind: "function".into(),
                    items: vec![],
                    name: None,
                }],
                name: None,
            }
        );
    }

    #[test]
    fn a_missing_required_field_still_fails_with_the_strict_error() {
        let error = from_slice::<Fragment>(br#"{"index":null,"kind":"x"}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid type: null, expected u32 at line 1 column 13"
        );
        let error = from_slice::<Fragment>(br#"{"kind":"x"}"#).unwrap_err();
        assert!(
            error.to_string().starts_with("missing field `index`"),
            "{error}"
        );
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
