//! Reading a user's message for the arguments of a function call: which words of the text fit a
//! parameter, by the parameter's name, description and type.
//!
//! For each property of a function's parameters schema (at any depth):
//!
//! - a value written out for it wins: `city: Seoul`, `city = "New York"`, `the city is Busan`;
//! - a string property named like a search (`query`, `question`, `text`, `prompt`, …) gets the
//!   quoted text of the message, or else its first sentence that does not name a function;
//! - a string property about a place (`city`, `location`, `country`, … in its name or
//!   description) gets the proper noun after `in`, `at`, `for`, `of`, `to`, `from` or `near`;
//! - any other string property gets quoted text, or else a proper noun of the message: a
//!   capitalised word (or a word of a script without case, such as Hangul) that does not start
//!   a sentence, consecutive ones joined (`New York`). Words that instruct rather than name
//!   (`Use`, `Call`, `What`, `Please`, …) and function names never count;
//! - a number property gets the number written next to its name (`3 days`, `days: 3`).
//!
//! Properties without a match are left to the caller (the generator's defaults).

use std::collections::HashSet;

use serde_json::Value;

use crate::schema::resolve_in;

/// Words that ask or instruct rather than name something: never an argument value.
const INSTRUCTION_WORDS: &[&str] = &[
    "a", "about", "also", "an", "and", "answer", "any", "are", "ask", "call", "can", "check",
    "could", "do", "does", "find", "for", "get", "give", "hello", "hey", "hi", "how", "i", "in",
    "invoke", "is", "it", "let", "let's", "lets", "look", "me", "my", "now", "of", "ok", "okay",
    "please", "run", "say", "show", "tell", "thank", "thanks", "the", "then", "to", "today",
    "tomorrow", "use", "using", "what", "what's", "whats", "when", "where", "which", "who", "why",
    "will", "with", "would", "yes", "you",
];

/// Prepositions after which a place is named.
const PLACE_PREPOSITIONS: &[&str] = &["in", "at", "for", "of", "to", "from", "near", "around"];

/// Words of a property's name or description that make it a place.
const PLACE_WORDS: &[&str] = &[
    "city",
    "location",
    "place",
    "town",
    "country",
    "region",
    "destination",
    "origin",
    "address",
    "area",
    "where",
    "capital",
    "village",
    "state",
    "province",
];

/// Property names that take a search or a question as a whole.
const QUERY_NAMES: &[&str] = &[
    "query",
    "q",
    "question",
    "prompt",
    "text",
    "message",
    "content",
    "input",
    "search",
    "search_query",
    "keywords",
    "keyword",
    "topic",
    "request",
    "instruction",
    "task",
];

/// What the message says for the properties of a parameters schema.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Reading {
    /// Property name → the text for it.
    pub strings: Vec<(String, String)>,
    /// Property name → the number for it.
    pub numbers: Vec<(String, f64)>,
}

/// Reads `text` for the properties of `parameters` (a JSON Schema whose local `$ref`s resolve
/// within it). `functions` are names that never count as values (the functions offered).
pub(crate) fn read(text: &str, functions: &[&str], parameters: &Value) -> Reading {
    let mut properties = Vec::new();
    collect(
        parameters,
        parameters,
        &mut properties,
        &mut HashSet::new(),
        0,
    );
    let plain = without_json(text);
    let message = Message::new(&plain, functions);
    let mut reading = Reading::default();
    for property in properties {
        if reading.strings.iter().any(|(n, _)| *n == property.name)
            || reading.numbers.iter().any(|(n, _)| *n == property.name)
        {
            continue;
        }
        if property.string
            && let Some(value) = message.string_for(&property.name, &property.description)
        {
            reading.strings.push((property.name.clone(), value));
        }
        if property.number
            && let Some(value) = message.number_for(&property.name)
        {
            reading.numbers.push((property.name, value));
        }
    }
    reading
}

/// A property of a parameters schema, as far as reading the message goes.
#[derive(Debug)]
struct Property {
    name: String,
    description: String,
    string: bool,
    number: bool,
}

/// Collects the properties of every object of `schema`, following references, unions and
/// array items (cycles and depth bounded).
fn collect<'a>(
    root: &'a Value,
    schema: &'a Value,
    out: &mut Vec<Property>,
    seen: &mut HashSet<*const Value>,
    depth: usize,
) {
    let schema = resolve_in(root, schema);
    if depth > 8 || !seen.insert(schema as *const Value) {
        return;
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            let resolved = resolve_in(root, property);
            out.push(Property {
                name: name.clone(),
                description: resolved
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                string: allows(root, property, "string"),
                number: allows(root, property, "number") || allows(root, property, "integer"),
            });
            collect(root, property, out, seen, depth + 1);
        }
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        for branch in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect(root, branch, out, seen, depth + 1);
        }
    }
    if let Some(items) = schema.get("items") {
        collect(root, items, out, seen, depth + 1);
    }
}

/// Whether `schema` (through references and unions within `root`) allows the JSON type `kind`.
fn allows(root: &Value, schema: &Value, kind: &str) -> bool {
    fn inner(root: &Value, schema: &Value, kind: &str, depth: usize) -> bool {
        let schema = resolve_in(root, schema);
        if depth > 8 {
            return false;
        }
        match schema.get("type") {
            Some(Value::String(t)) => return t == kind,
            Some(Value::Array(types)) => return types.iter().any(|t| t == kind),
            _ => {}
        }
        ["anyOf", "oneOf", "allOf"].iter().any(|key| {
            schema
                .get(*key)
                .and_then(Value::as_array)
                .is_some_and(|branches| branches.iter().any(|b| inner(root, b, kind, depth + 1)))
        })
    }
    inner(root, schema, kind, 0)
}

/// One word of the message.
#[derive(Debug, Clone)]
struct Word<'t> {
    text: &'t str,
    start: usize,
    end: usize,
    /// The first word of a sentence.
    sentence_start: bool,
}

/// Consecutive proper nouns (`New York`), and the word before them.
#[derive(Debug, Clone)]
struct Phrase {
    text: String,
    sentence_start: bool,
    after: Option<String>,
}

/// A user's message, cut into words and proper-noun phrases.
struct Message<'t> {
    text: &'t str,
    lower: String,
    phrases: Vec<Phrase>,
    functions: Vec<String>,
}

impl<'t> Message<'t> {
    fn new(text: &'t str, functions: &[&str]) -> Message<'t> {
        let functions: Vec<String> = functions.iter().map(|f| f.to_ascii_lowercase()).collect();
        let words = words(text);
        let is_name = |word: &Word<'_>| {
            let lower = word.text.to_lowercase().replace('’', "'");
            let first = word.text.chars().next().unwrap_or(' ');
            // Capitalised, or of a script without case (Hangul, Han, …).
            let looks_named = first.is_alphabetic() && !first.is_lowercase();
            looks_named
                && !word.text.contains('_')
                && !INSTRUCTION_WORDS.contains(&lower.as_str())
                && !functions.contains(&lower)
        };
        let mut phrases: Vec<Phrase> = Vec::new();
        let mut previous: Option<&Word<'_>> = None;
        let mut open = false;
        for word in &words {
            let joined_to_previous =
                previous.is_some_and(|p| text[p.end..word.start].chars().all(|c| c == ' '));
            if is_name(word) {
                match phrases.last_mut() {
                    Some(phrase) if open && joined_to_previous => {
                        phrase.text.push(' ');
                        phrase.text.push_str(word.text);
                    }
                    _ => phrases.push(Phrase {
                        text: word.text.to_owned(),
                        sentence_start: word.sentence_start,
                        after: previous
                            .filter(|_| joined_to_previous)
                            .map(|p| p.text.to_lowercase()),
                    }),
                }
                open = true;
            } else {
                open = false;
            }
            previous = Some(word);
        }
        Message {
            text,
            lower: text.to_ascii_lowercase(),
            phrases,
            functions,
        }
    }

    /// The text for a string property, if the message has one.
    fn string_for(&self, name: &str, description: &str) -> Option<String> {
        if let Some(value) = self.written_out(name) {
            return Some(value);
        }
        let lower_name = name.to_ascii_lowercase();
        if QUERY_NAMES.contains(&lower_name.as_str()) {
            return self.quoted().or_else(|| self.request_sentence());
        }
        let about = format!("{lower_name} {}", description.to_lowercase());
        let is_place = about
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| PLACE_WORDS.contains(&w));
        if is_place
            && let Some(phrase) = self.phrases.iter().find(|p| {
                p.after
                    .as_deref()
                    .is_some_and(|a| PLACE_PREPOSITIONS.contains(&a))
            })
        {
            return Some(phrase.text.clone());
        }
        if !is_place && let Some(quoted) = self.quoted() {
            return Some(quoted);
        }
        self.phrases
            .iter()
            .find(|p| !p.sentence_start)
            .or_else(|| self.phrases.first())
            .map(|p| p.text.clone())
    }

    /// The value written after the property's name: `name: value`, `name = value`,
    /// `name is value` (quoted, or up to the end of the clause), or `name "value"`.
    fn written_out(&self, name: &str) -> Option<String> {
        let spoken = name.replace('_', " ").to_ascii_lowercase();
        for (_, end) in whole_words(&self.lower, &spoken) {
            let trimmed = self.text[end..].trim_start();
            if let Some(quoted) = quoted_at_start(trimmed) {
                return Some(quoted.trim().to_owned()).filter(|q| !q.is_empty());
            }
            let Some(value) = trimmed
                .strip_prefix(':')
                .or_else(|| trimmed.strip_prefix('='))
                .or_else(|| trimmed.strip_prefix("is "))
            else {
                continue;
            };
            let value = value.trim_start();
            let found = match quoted_at_start(value) {
                Some(quoted) => quoted.trim(),
                None => clause(value),
            };
            if !found.is_empty() && found.chars().count() <= 80 {
                return Some(found.to_owned());
            }
        }
        None
    }

    /// The first text in quotes (`"…"`, `'…'`, `“…”`).
    fn quoted(&self) -> Option<String> {
        for (open, close) in [('"', '"'), ('“', '”'), ('\'', '\'')] {
            let mut rest = self.text;
            while let Some(at) = rest.find(open) {
                // An apostrophe inside a word (what's) opens nothing.
                let before = rest[..at].chars().next_back();
                let after_open = &rest[at + open.len_utf8()..];
                if open == '\'' && before.is_some_and(char::is_alphanumeric) {
                    rest = after_open;
                    continue;
                }
                let Some(end) = after_open.find(close) else {
                    break;
                };
                let inside = after_open[..end].trim();
                if !inside.is_empty() && !inside.contains(['{', '}']) {
                    return Some(inside.to_owned());
                }
                rest = &after_open[end + close.len_utf8()..];
            }
        }
        None
    }

    /// The first sentence that does not name a function or an identifier, without its final
    /// punctuation: the request itself ("What's the weather in Seoul").
    fn request_sentence(&self) -> Option<String> {
        self.text
            .split_inclusive(['.', '?', '!', '\n'])
            .map(|s| s.trim().trim_end_matches(['.', '?', '!']).trim())
            .find(|s| {
                !s.is_empty()
                    && !s.contains('_')
                    && !self
                        .functions
                        .iter()
                        .any(|f| whole_words(&s.to_ascii_lowercase(), f).next().is_some())
            })
            .map(str::to_owned)
    }

    /// The number written next to a property's name: `3 days`, `days: 3`, `days = 3`,
    /// `days of 3`.
    fn number_for(&self, name: &str) -> Option<f64> {
        let spoken = name.replace('_', " ").to_ascii_lowercase();
        let mut forms = vec![spoken.clone()];
        if let Some(singular) = spoken.strip_suffix('s') {
            forms.push(singular.to_owned());
        } else {
            forms.push(format!("{spoken}s"));
        }
        let numbers = numbers(&self.lower);
        for form in &forms {
            for (at, end) in whole_words(&self.lower, form) {
                if let Some((_, _, value)) = numbers
                    .iter()
                    .find(|(_, e, _)| *e <= at && self.lower[*e..at].trim().is_empty())
                {
                    return Some(*value);
                }
                let after = self.lower[end..].trim_start();
                let after = after
                    .strip_prefix(':')
                    .or_else(|| after.strip_prefix('='))
                    .or_else(|| after.strip_prefix("of "))
                    .or_else(|| after.strip_prefix("is "))
                    .unwrap_or(after)
                    .trim_start();
                let offset = self.lower.len() - after.len();
                if let Some((_, _, value)) = numbers.iter().find(|(s, _, _)| *s == offset) {
                    return Some(*value);
                }
            }
        }
        None
    }
}

/// The text up to the end of its clause: a `,`, `;`, `?`, `!`, a line break, a brace, or a `.`
/// that ends a sentence (not the one of `1.5` or `example.com`).
fn clause(text: &str) -> &str {
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let ends = match c {
            ',' | ';' | '?' | '!' | '\n' | '{' | '}' => true,
            '.' => chars.peek().is_none_or(|(_, next)| next.is_whitespace()),
            _ => false,
        };
        if ends {
            return text[..i].trim();
        }
    }
    text.trim()
}

/// The text with every JSON object written in it (`{…}`, balanced) blanked out, byte for byte:
/// arguments written as JSON are used as they are, and their words are not read.
fn without_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        if c == '{' {
            depth += 1;
        }
        if depth > 0 {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        } else {
            out.push(c);
        }
        if c == '}' {
            depth = depth.saturating_sub(1);
        }
    }
    out
}

/// The words of a text: runs of letters, digits, `_`, `'` and `-` (trimmed of `'` and `-`).
fn words(text: &str) -> Vec<Word<'_>> {
    let is_word_char = |c: char| c.is_alphanumeric() || matches!(c, '_' | '\'' | '’' | '-');
    let mut out = Vec::new();
    let mut sentence_start = true;
    let mut start: Option<usize> = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if is_word_char(c) && i < text.len() {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            let raw = &text[s..i];
            let trimmed = raw.trim_matches(['\'', '’', '-']);
            if !trimmed.is_empty() {
                let offset = raw.find(trimmed).unwrap_or(0);
                out.push(Word {
                    text: trimmed,
                    start: s + offset,
                    end: s + offset + trimmed.len(),
                    sentence_start,
                });
                sentence_start = false;
            }
        }
        if matches!(c, '.' | '?' | '!' | '\n') {
            sentence_start = true;
        }
    }
    out
}

/// Where `word` occurs in `text` as a whole word: `(start, end)` byte offsets.
fn whole_words<'a>(text: &'a str, word: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    text.match_indices(word)
        .filter(move |(at, _)| {
            !word.is_empty()
                && !is_word(text[..*at].chars().next_back())
                && !is_word(text[at + word.len()..].chars().next())
        })
        .map(move |(at, _)| (at, at + word.len()))
}

/// The text in quotes at the start of `text`, if it starts with a quote.
fn quoted_at_start(text: &str) -> Option<&str> {
    let open = text.chars().next()?;
    let close = match open {
        '"' => '"',
        '“' => '”',
        '\'' => '\'',
        _ => return None,
    };
    let inside = &text[open.len_utf8()..];
    inside.find(close).map(|end| &inside[..end])
}

/// The numbers of a text that stand on their own (not inside a word such as `H100`), with
/// their byte spans.
fn numbers(text: &str) -> Vec<(usize, usize, f64)> {
    let mut out = Vec::new();
    let mut previous: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let glued = previous.is_some_and(|p| p.is_alphanumeric() || p == '_' || p == '.');
        let next_is_digit = chars.peek().is_some_and(|(_, n)| n.is_ascii_digit());
        previous = Some(c);
        if glued || !(c.is_ascii_digit() || (c == '-' && next_is_digit)) {
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            let decimal_point = d == '.'
                && text[j + 1..]
                    .chars()
                    .next()
                    .is_some_and(|n| n.is_ascii_digit());
            if !(d.is_ascii_digit() || decimal_point) {
                break;
            }
            end = j + 1;
            previous = Some(d);
            chars.next();
        }
        let letter_after = text[end..]
            .chars()
            .next()
            .is_some_and(|n| n.is_alphabetic() || n == '_');
        if !letter_after && let Ok(value) = text[i..end].parse::<f64>() {
            out.push((i, end, value));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn strings(text: &str, functions: &[&str], parameters: Value) -> Vec<(String, String)> {
        read(text, functions, &parameters).strings
    }

    fn city() -> Value {
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})
    }

    #[test]
    fn a_place_is_the_proper_noun_after_a_preposition_never_an_instruction() {
        for (text, expected) in [
            ("What's the weather in Seoul? Use get_weather.", "Seoul"),
            ("Use get_weather for Busan.", "Busan"),
            (
                "Tell me the weather and the time zone of Seoul. Use get_weather.",
                "Seoul",
            ),
            (
                "Is it raining in New York today? Call get_weather",
                "New York",
            ),
            ("What's the weather in 서울? Use get_weather.", "서울"),
            ("How warm is Zürich? Use get_weather.", "Zürich"),
            ("Please use get_weather: I fly to Tokyo tomorrow.", "Tokyo"),
        ] {
            assert_eq!(
                strings(text, &["get_weather"], city()),
                [("city".to_owned(), expected.to_owned())],
                "{text}"
            );
        }
        // Nothing names a place: the property is left to the generator.
        assert!(strings("Use get_weather. Call it now!", &["get_weather"], city()).is_empty());
    }

    #[test]
    fn written_out_values_and_quotes_win() {
        let parameters = json!({"type": "object", "properties": {
            "city": {"type": "string"}, "note": {"type": "string"}, "time_zone": {"type": "string"},
        }});
        let reading = strings(
            r#"Use get_weather with city: Rio de Janeiro, time zone = "America/Sao_Paulo" and a note 'bring an umbrella' for Paris"#,
            &["get_weather"],
            parameters,
        );
        assert_eq!(
            reading,
            [
                ("city".to_owned(), "Rio de Janeiro".to_owned()),
                ("note".to_owned(), "bring an umbrella".to_owned()),
                ("time_zone".to_owned(), "America/Sao_Paulo".to_owned()),
            ]
        );
        let named = strings(
            "The destination is Lisbon. Use book",
            &["book"],
            json!({"properties": {"destination": {"type": "string"}}}),
        );
        assert_eq!(named, [("destination".to_owned(), "Lisbon".to_owned())]);
    }

    #[test]
    fn a_search_takes_the_request_and_descriptions_count() {
        let parameters = json!({"type": "object", "properties": {
            "query": {"type": "string"},
            "target": {"type": "string", "description": "The city to look at."},
        }});
        assert_eq!(
            strings(
                "Search the news about Rust 2024. Use web_search to find it in London.",
                &["web_search"],
                parameters
            ),
            [
                (
                    "query".to_owned(),
                    "Search the news about Rust 2024".to_owned()
                ),
                ("target".to_owned(), "London".to_owned()),
            ]
        );
    }

    #[test]
    fn any_text_is_read_without_panicking() {
        let parameters = json!({"type": "object", "properties": {
            "city": {"type": "string"}, "query": {"type": "string"}, "note": {"type": "string"},
            "days": {"type": "integer"}, "ratio": {"type": "number"},
        }});
        let pieces = [
            "İstanbul",
            "ǅemal",
            "🦀",
            "서울",
            "1.2.3",
            "-",
            "-5",
            "''",
            "'",
            "\"",
            "“",
            "”",
            "{",
            "}",
            "city:",
            "city =",
            "city is",
            "days:",
            "days",
            "3 days",
            "in",
            "Use",
            "f_x",
            ".",
            "?",
            "\n",
            " ",
            "ß",
            "Ω",
            "e\u{301}",
        ];
        for a in pieces {
            for b in pieces {
                for c in ["", " in Zürich", " {\"city\": \"x\""] {
                    let text = format!("{a} {b}{c}{a}{b}");
                    let reading = read(&text, &["f_x"], &parameters);
                    for (_, value) in &reading.strings {
                        assert!(!value.is_empty(), "{text:?}: {reading:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn numbers_are_read_next_to_their_name() {
        let parameters = json!({"$defs": {"Trip": {"type": "object", "properties": {
            "days": {"type": "integer"}, "budget": {"type": ["number", "null"]},
        }}}, "type": "object", "properties": {"trip": {"$ref": "#/$defs/Trip"}, "seats": {"type": "integer"}}});
        let reading = read(
            "Plan 2 seats on an H100 cluster for 5 days, budget: 1200.50. Use plan_trip",
            &["plan_trip"],
            &parameters,
        );
        let mut numbers = reading.numbers;
        numbers.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            numbers,
            [
                ("budget".to_owned(), 1200.5),
                ("days".to_owned(), 5.0),
                ("seats".to_owned(), 2.0)
            ]
        );
    }
}
