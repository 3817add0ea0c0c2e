//! Properties of the event-stream decoder: however the bytes of a stream are cut into chunks,
//! it decodes the same events; and no input makes it panic.

use bytes::Bytes;
use friendli::sse::{Decoder, Event, SseError};
use proptest::prelude::*;

/// An event as the tests see it: `(name, data, last id)`.
type Summary = (Option<String>, String, Option<String>);

/// An event as generated: its name, data lines and id.
#[derive(Debug, Clone)]
struct Generated {
    name: Option<String>,
    lines: Vec<String>,
    id: Option<String>,
    ending: &'static str,
    comment: bool,
}

fn text_without_newlines() -> impl Strategy<Value = String> {
    // Any characters but CR and LF, including multi-byte ones and leading spaces.
    proptest::string::string_regex("[^\r\n]{0,12}").unwrap()
}

fn event() -> impl Strategy<Value = Generated> {
    (
        prop::option::of(prop::sample::select(vec![
            "tool_status",
            "message",
            "x",
            "événement",
        ])),
        prop::collection::vec(text_without_newlines(), 1..4),
        prop::option::of("[a-z0-9]{1,4}"),
        prop::sample::select(vec!["\n", "\r\n", "\r"]),
        any::<bool>(),
    )
        .prop_map(|(name, lines, id, ending, comment)| Generated {
            name: name.map(str::to_owned),
            lines,
            id,
            ending,
            comment,
        })
}

fn encode(events: &[Generated], bom: bool) -> Vec<u8> {
    let mut out = String::new();
    if bom {
        out.push('\u{feff}');
    }
    for event in events {
        let eol = event.ending;
        if event.comment {
            out.push_str(": keep-alive");
            out.push_str(eol);
        }
        if let Some(name) = &event.name {
            out.push_str(&format!("event: {name}{eol}"));
        }
        if let Some(id) = &event.id {
            out.push_str(&format!("id: {id}{eol}"));
        }
        for line in &event.lines {
            out.push_str(&format!("data: {line}{eol}"));
        }
        out.push_str(eol);
    }
    out.into_bytes()
}

/// What the standard says the events are: `(name, data, last id)`. Every generated event has
/// at least one `data` line, so every one is dispatched (an empty `data:` line makes an event
/// with empty data; only an event without any `data` line is not dispatched).
fn expected(events: &[Generated]) -> Vec<Summary> {
    let mut last_id = None;
    let mut out = Vec::new();
    for event in events {
        if event.id.is_some() {
            last_id.clone_from(&event.id);
        }
        out.push((event.name.clone(), event.lines.join("\n"), last_id.clone()));
    }
    out
}

fn decode(chunks: impl IntoIterator<Item = Vec<u8>>) -> Result<Vec<Summary>, SseError> {
    decode_with(Decoder::new(), chunks)
}

/// Decodes with the given decoder (the unchecked one takes the one-step path for whole
/// `data:` events; on valid UTF-8 it must agree with the checked one).
fn decode_with(
    mut decoder: Decoder,
    chunks: impl IntoIterator<Item = Vec<u8>>,
) -> Result<Vec<Summary>, SseError> {
    let mut out = Vec::new();
    let summary = |e: Event| {
        (
            e.event().map(str::to_owned),
            e.data().to_owned(),
            e.id().map(str::to_owned),
        )
    };
    for chunk in chunks {
        decoder.feed(Bytes::from(chunk));
        while let Some(event) = decoder.next_event() {
            out.push(summary(event?));
        }
    }
    while let Some(event) = decoder.finish() {
        out.push(summary(event?));
    }
    Ok(out)
}

fn split_at(bytes: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts {
        chunks.push(bytes[start..cut].to_vec());
        start = cut;
    }
    chunks.push(bytes[start..].to_vec());
    chunks
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_chunking_decodes_to_the_same_events(
        events in prop::collection::vec(event(), 0..8),
        bom in any::<bool>(),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let bytes = encode(&events, bom);
        let want = expected(&events);
        prop_assert_eq!(&decode([bytes.clone()]).unwrap(), &want);
        prop_assert_eq!(&decode(bytes.iter().map(|b| vec![*b])).unwrap(), &want);
        prop_assert_eq!(&decode(split_at(&bytes, &cuts)).unwrap(), &want);
        let unchecked = || Decoder::new().check_data_utf8(false);
        prop_assert_eq!(&decode_with(unchecked(), [bytes.clone()]).unwrap(), &want);
        prop_assert_eq!(&decode_with(unchecked(), split_at(&bytes, &cuts)).unwrap(), &want);
    }

    #[test]
    fn every_single_cut_decodes_to_the_same_events(events in prop::collection::vec(event(), 1..3), bom in any::<bool>()) {
        let bytes = encode(&events, bom);
        let want = expected(&events);
        for cut in 0..=bytes.len() {
            prop_assert_eq!(&decode([bytes[..cut].to_vec(), bytes[cut..].to_vec()]).unwrap(), &want, "cut at {}", cut);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..512),
        cuts in prop::collection::vec(any::<usize>(), 0..16),
        limit in 1usize..256,
    ) {
        for chunks in [vec![bytes.clone()], split_at(&bytes, &cuts)] {
            let mut decoder = Decoder::with_max_event_size(limit);
            for chunk in chunks {
                decoder.feed(Bytes::from(chunk));
                while let Some(result) = decoder.next_event() {
                    if result.is_err() { break; }
                }
            }
            let mut guard = 0;
            while let Some(result) = decoder.finish() {
                guard += 1;
                if result.is_err() || guard > 1000 { break; }
            }
        }
    }

    #[test]
    fn data_that_is_not_utf8_is_an_error(prefix in "[a-z ]{0,8}", bad in prop::sample::select(vec![vec![0xFFu8], vec![0xC3], vec![0xE2, 0x82], vec![0xED, 0xA0, 0x80]])) {
        let mut bytes = format!("data: {prefix}").into_bytes();
        bytes.extend_from_slice(&bad);
        bytes.extend_from_slice(b"\n\n");
        let invalid = matches!(decode([bytes]), Err(SseError::InvalidUtf8 { .. }));
        prop_assert!(invalid);
    }
}
