//! A deterministic instance generator for JSON Schema (draft 2020-12, as the OpenAPI 3.1 document
//! uses it): the same schema always gives the same value, and the value validates.
//!
//! - `const`, then `enum` (a value mentioned in the [hint text](Generator::text) first, else the
//!   first), then `default` are honoured before anything else;
//! - `$ref`s resolve against a root: the OpenAPI document ([`Generator::document`]) or any schema
//!   with local references such as `#/$defs/X` ([`Generator::with_root`]);
//! - `anyOf` / `oneOf` take the first branch that is not `null`; a `discriminator` gets the
//!   mapping key of that branch as its property's value;
//! - objects get their required properties, and their optional ones too when
//!   [`optional_properties`](Generator::optional_properties) is set (until the depth limit);
//! - arrays get one element (or `minItems`, and every `prefixItems` entry);
//! - strings follow `format` (`date-time`, `uri`, …), `pattern` (from a list of plausible
//!   candidates), `minLength` / `maxLength`, or else read `mock-<property name>`;
//! - numbers respect `minimum` / `maximum` (exclusive too) and `multipleOf`; properties named
//!   like timestamps (`created`, `createdAt`, `updated_at`, …) get a plausible Unix time, and
//!   an `index` starts at 0;
//! - recursion is bounded: past [`max_depth`](Generator::max_depth) optional properties are left
//!   out, nullable values become `null` and arrays shrink to `minItems`.

use std::cell::Cell;

use serde_json::{Map, Number, Value, json};

use crate::schema::{document, lookup};

/// 2026-01-01T00:00:00Z, the time generated timestamps report.
pub const TIMESTAMP: i64 = 1_767_225_600;

/// The date-time generated for `format: date-time`.
pub const DATE_TIME: &str = "2026-01-01T00:00:00Z";

/// Past this depth, generation stops outright (`null`), whatever the schema says.
const HARD_LIMIT: usize = 64;

/// At most this many values per generated instance: a schema that requires several copies of
/// itself (unsatisfiable, but a client may send one) must not take exponential time.
const NODE_BUDGET: usize = 20_000;

/// Generates instances of JSON Schemas. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Generator<'a> {
    root: &'a Value,
    nodes: Cell<usize>,
    optional: bool,
    max_depth: usize,
    word: Option<String>,
    number: Option<f64>,
    text: Option<String>,
    named_strings: Vec<(String, String)>,
    named_numbers: Vec<(String, f64)>,
}

impl Generator<'static> {
    /// A generator for the schemas of the OpenAPI document (`#/components/schemas/…`), filling
    /// required properties only.
    pub fn document() -> Generator<'static> {
        Generator::with_root(document())
    }
}

impl<'a> Generator<'a> {
    /// A generator whose `$ref`s resolve against `root`.
    pub fn with_root(root: &'a Value) -> Generator<'a> {
        Generator {
            root,
            nodes: Cell::new(0),
            optional: false,
            max_depth: 6,
            word: None,
            number: None,
            text: None,
            named_strings: Vec::new(),
            named_numbers: Vec::new(),
        }
    }

    /// Fill optional properties too (up to the depth limit), not only the required ones.
    pub fn optional_properties(mut self, optional: bool) -> Self {
        self.optional = optional;
        self
    }

    /// The nesting depth past which the generator keeps values as small as the schema allows
    /// (default 6).
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// Use this word for free-form strings (instead of `mock-<property name>`).
    pub fn word(mut self, word: impl Into<String>) -> Self {
        self.word = Some(word.into());
        self
    }

    /// Use this number for numbers and integers (clamped to their bounds).
    pub fn number(mut self, number: f64) -> Self {
        self.number = Some(number);
        self
    }

    /// Use this text for the free-form strings of properties called `name` (before
    /// [`word`](Self::word)).
    pub fn string_for(mut self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.named_strings.push((name.into(), text.into()));
        self
    }

    /// Use this number for the numbers and integers of properties called `name` (clamped to
    /// their bounds; before [`number`](Self::number)).
    pub fn number_for(mut self, name: impl Into<String>, number: f64) -> Self {
        self.named_numbers.push((name.into(), number));
        self
    }

    /// Prefer the `enum` values this text mentions (case-insensitively).
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into().to_lowercase());
        self
    }

    /// An instance of `schema`.
    pub fn generate(&self, schema: &Value) -> Value {
        self.nodes.set(0);
        self.value(schema, None, 0)
    }

    /// An instance of `schema` for a property (or parameter) called `name`: free-form strings
    /// read `mock-<name>`, and timestamps look like timestamps.
    pub fn generate_named(&self, schema: &Value, name: &str) -> Value {
        self.nodes.set(0);
        self.value(schema, Some(name), 0)
    }

    /// An instance of `schema` whose top-level property `property` is `value` (e.g. the
    /// discriminator of one variant of a union).
    pub fn generate_with(&self, schema: &Value, property: &str, value: &Value) -> Value {
        let mut instance = self.generate(schema);
        if let Some(object) = instance.as_object_mut() {
            object.insert(property.to_owned(), value.clone());
        }
        instance
    }

    fn value(&self, schema: &Value, name: Option<&str>, depth: usize) -> Value {
        self.nodes.set(self.nodes.get() + 1);
        if depth > HARD_LIMIT || self.nodes.get() > NODE_BUDGET {
            return Value::Null;
        }
        let Some(fields) = schema.as_object() else {
            // `true`, `false` or nonsense: `null` is as good as anything.
            return Value::Null;
        };
        if let Some(value) = fields.get("const") {
            return value.clone();
        }
        if let Some(values) = fields.get("enum").and_then(Value::as_array)
            && let Some(first) = values.first()
        {
            let mentioned = self.text.as_ref().and_then(|text| {
                values.iter().find(|v| {
                    v.as_str()
                        .is_some_and(|s| mentions(text, &s.to_lowercase()))
                })
            });
            return mentioned.unwrap_or(first).clone();
        }
        if let Some(value) = fields.get("default") {
            return value.clone();
        }
        if let Some(reference) = fields.get("$ref").and_then(Value::as_str) {
            return match lookup(self.root, reference) {
                Some(target) => self.value(target, name, depth + 1),
                None => Value::Null,
            };
        }
        if let Some(parts) = fields.get("allOf").and_then(Value::as_array) {
            return self.all_of(parts, fields, name, depth);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = fields.get(key).and_then(Value::as_array) {
                return self.union(branches, fields.get("discriminator"), name, depth);
            }
        }
        let kind = match fields.get("type") {
            Some(Value::String(kind)) => kind.as_str(),
            Some(Value::Array(kinds)) => {
                let nullable = kinds.iter().any(|k| k == "null");
                if nullable && depth > self.max_depth {
                    "null"
                } else {
                    kinds
                        .iter()
                        .filter_map(Value::as_str)
                        .find(|k| *k != "null")
                        .unwrap_or("null")
                }
            }
            _ if fields.contains_key("properties") || fields.contains_key("required") => "object",
            _ if fields.contains_key("items") || fields.contains_key("prefixItems") => "array",
            _ => "object",
        };
        match kind {
            "object" => self.object(fields, depth),
            "array" => self.array(fields, depth),
            "string" => self.string(fields, name),
            "integer" => self.integer(fields, name),
            "number" => self.number_value(fields, name),
            "boolean" => Value::Bool(true),
            _ => Value::Null,
        }
    }

    fn all_of(
        &self,
        parts: &[Value],
        fields: &Map<String, Value>,
        name: Option<&str>,
        depth: usize,
    ) -> Value {
        let mut merged = Map::new();
        let mut other = None;
        let mut rest = fields.clone();
        rest.remove("allOf");
        let own = (!rest.is_empty()).then_some(Value::Object(rest));
        for part in parts.iter().chain(own.as_ref()) {
            match self.value(part, name, depth + 1) {
                Value::Object(object) => merged.extend(object),
                value => other = other.or(Some(value)),
            }
        }
        match other {
            Some(value) if merged.is_empty() => value,
            _ => Value::Object(merged),
        }
    }

    fn union(
        &self,
        branches: &[Value],
        discriminator: Option<&Value>,
        name: Option<&str>,
        depth: usize,
    ) -> Value {
        let is_null = |branch: &Value| branch.get("type").is_some_and(|t| t == "null");
        if depth > self.max_depth && branches.iter().any(is_null) {
            return Value::Null;
        }
        let Some(branch) = branches.iter().find(|b| !is_null(b)).or(branches.first()) else {
            return Value::Null;
        };
        let mut value = self.value(branch, name, depth + 1);
        if let Some(discriminator) = discriminator
            && let Some(property) = discriminator.get("propertyName").and_then(Value::as_str)
            && let Some(reference) = branch.get("$ref").and_then(Value::as_str)
            && let Some(mapping) = discriminator.get("mapping").and_then(Value::as_object)
            && let Some((tag, _)) = mapping.iter().find(|(_, target)| *target == reference)
            && let Some(object) = value.as_object_mut()
        {
            object.insert(property.to_owned(), json!(tag));
        }
        value
    }

    fn object(&self, fields: &Map<String, Value>, depth: usize) -> Value {
        let required: Vec<&str> = fields
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut object = Map::new();
        let empty = Map::new();
        let properties = fields
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let fill_optional = self.optional && depth <= self.max_depth;
        for (key, schema) in properties {
            if required.contains(&key.as_str()) || fill_optional {
                object.insert(key.clone(), self.value(schema, Some(key), depth + 1));
            }
        }
        for key in required {
            if !object.contains_key(key) {
                let value = match fields.get("additionalProperties") {
                    Some(schema @ Value::Object(_)) => self.value(schema, Some(key), depth + 1),
                    _ => json!(format!("mock-{key}")),
                };
                object.insert(key.to_owned(), value);
            }
        }
        Value::Object(object)
    }

    fn array(&self, fields: &Map<String, Value>, depth: usize) -> Value {
        let min = fields.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = fields
            .get("maxItems")
            .and_then(Value::as_u64)
            .map_or(usize::MAX, |m| m as usize);
        let prefix: &[Value] = fields
            .get("prefixItems")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice);
        let items = fields.get("items");
        let wanted = if depth > self.max_depth { 0 } else { 1 };
        let mut length = min.max(wanted).max(prefix.len().min(max.max(min))).min(max);
        if matches!(items, Some(Value::Bool(false))) {
            length = length.min(prefix.len());
        }
        let values = (0..length)
            .map(|i| match prefix.get(i).or(items) {
                Some(schema) => self.value(schema, None, depth + 1),
                None => json!(format!("mock-{i}")),
            })
            .collect();
        Value::Array(values)
    }

    fn string(&self, fields: &Map<String, Value>, name: Option<&str>) -> Value {
        let format = fields.get("format").and_then(Value::as_str);
        let mut text = match format {
            Some("date-time") => DATE_TIME.to_owned(),
            Some("date") => "2026-01-01".to_owned(),
            Some("time") => "00:00:00Z".to_owned(),
            Some("duration") => "P1D".to_owned(),
            Some("uri" | "url" | "iri" | "uri-reference" | "iri-reference") => {
                format!("https://example.com/{}", name.unwrap_or("mock"))
            }
            Some("email" | "idn-email") => "mock@example.com".to_owned(),
            Some("uuid") => "00000000-0000-4000-8000-000000000000".to_owned(),
            Some("hostname" | "idn-hostname") => "example.com".to_owned(),
            Some("ipv4") => "127.0.0.1".to_owned(),
            Some("ipv6") => "::1".to_owned(),
            Some("byte") => "bW9jaw==".to_owned(),
            _ => match (name.and_then(|n| self.named_string(n)), &self.word, name) {
                (Some(text), _, _) => text.to_owned(),
                (None, Some(word), _) => word.clone(),
                (None, None, Some(name)) if looks_like_url(name) => {
                    format!("https://example.com/{name}")
                }
                (None, None, Some(name)) => format!("mock-{name}"),
                (None, None, None) => "mock".to_owned(),
            },
        };
        if let Some(pattern) = fields.get("pattern").and_then(Value::as_str) {
            text = matching_pattern(pattern, &text);
        }
        let min = fields.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let count = text.chars().count();
        if count < min {
            text.extend(std::iter::repeat_n('x', min - count));
        }
        if let Some(max) = fields.get("maxLength").and_then(Value::as_u64) {
            text = text.chars().take(max as usize).collect();
        }
        Value::String(text)
    }

    fn named_string(&self, name: &str) -> Option<&str> {
        self.named_strings
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, text)| text.as_str())
    }

    fn base_number(&self, name: Option<&str>) -> f64 {
        let named = name.and_then(|name| self.named_numbers.iter().find(|(n, _)| n == name));
        if let Some((_, number)) = named {
            return *number;
        }
        match (self.number, name) {
            (Some(number), _) => number,
            (None, Some(name)) if looks_like_timestamp(name) => TIMESTAMP as f64,
            (None, Some("index")) => 0.0,
            _ => 1.0,
        }
    }

    fn integer(&self, fields: &Map<String, Value>, name: Option<&str>) -> Value {
        let (low, high) = bounds(fields, 1.0);
        let mut value = self.base_number(name).trunc();
        if value < low {
            value = low.ceil();
        }
        if value > high {
            value = high.floor();
        }
        if let Some(step) = fields.get("multipleOf").and_then(Value::as_f64)
            && step > 0.0
        {
            value = ((value / step).ceil() * step).round();
        }
        json!(value as i64)
    }

    fn number_value(&self, fields: &Map<String, Value>, name: Option<&str>) -> Value {
        let (low, high) = bounds(fields, f64::EPSILON);
        let mut value = self.base_number(name);
        if value < low {
            value = low;
        }
        if value > high {
            value = high;
        }
        if let Some(step) = fields.get("multipleOf").and_then(Value::as_f64)
            && step > 0.0
        {
            value = (value / step).ceil() * step;
        }
        Number::from_f64(value).map_or(json!(0), Value::Number)
    }
}

/// The inclusive range a number must fall in: `minimum`/`maximum`, and the exclusive bounds
/// moved inwards by `step`.
fn bounds(fields: &Map<String, Value>, step: f64) -> (f64, f64) {
    let get = |key: &str| fields.get(key).and_then(Value::as_f64);
    let mut low = get("minimum").unwrap_or(f64::NEG_INFINITY);
    let mut high = get("maximum").unwrap_or(f64::INFINITY);
    if let Some(exclusive) = get("exclusiveMinimum") {
        low = low.max(exclusive + step.max(exclusive.abs() * f64::EPSILON));
    }
    if let Some(exclusive) = get("exclusiveMaximum") {
        high = high.min(exclusive - step.max(exclusive.abs() * f64::EPSILON));
    }
    (low, high)
}

/// Whether `text` contains `word` as a whole word (not inside a longer word).
fn mentions(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    text.match_indices(word).any(|(at, _)| {
        !is_word(text[..at].chars().next_back()) && !is_word(text[at + word.len()..].chars().next())
    })
}

fn looks_like_timestamp(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "created"
        || lower == "timestamp"
        || lower.ends_with("_at")
        || (name.ends_with("At") && name.len() > 2)
        || lower.ends_with("_time") && !lower.contains("ms")
}

fn looks_like_url(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "url" || lower.ends_with("_url") || name.ends_with("Url")
}

/// A string that matches `pattern`: the preferred text if it does, else the first plausible
/// candidate that does, else the preferred text.
fn matching_pattern(pattern: &str, preferred: &str) -> String {
    let Ok(validator) = jsonschema::validator_for(&json!({"type": "string", "pattern": pattern}))
    else {
        return preferred.to_owned();
    };
    let candidates = [
        preferred,
        "mock",
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "mock-1",
        "mock_1",
        "a",
        "A",
        "0",
        "1",
        "a1",
        "a:b",
        "a-b",
        "a.b",
        "a/b",
        "https://example.com/mock",
        "mock@example.com",
        DATE_TIME,
    ];
    candidates
        .into_iter()
        .find(|c| validator.is_valid(&json!(c)))
        .unwrap_or(preferred)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{schema_names, validate};

    #[test]
    fn every_component_schema_gets_a_valid_instance_both_minimal_and_full() {
        let minimal = Generator::document();
        let full = Generator::document().optional_properties(true);
        let mut failures = Vec::new();
        for name in schema_names() {
            let schema = json!({"$ref": format!("#/components/schemas/{name}")});
            for generator in [&minimal, &full] {
                let instance = generator.generate(&schema);
                let violations = validate(&name, &instance);
                if !violations.is_empty() {
                    failures.push(format!("{name}: {violations:?}\n{instance}"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }

    #[test]
    fn generation_is_deterministic_and_honours_const_enum_and_default() {
        let generator = Generator::document().optional_properties(true);
        let schema = json!({"$ref": "#/components/schemas/ChatResult"});
        assert_eq!(generator.generate(&schema), generator.generate(&schema));
        let instance = generator.generate(&schema);
        assert_eq!(instance["object"], "chat.completion");
        assert_eq!(instance["choices"].as_array().unwrap().len(), 1);
        assert_eq!(instance["created"], json!(TIMESTAMP));
        let root = json!({});
        let g = Generator::with_root(&root);
        assert_eq!(g.generate(&json!({"enum": ["a", "b"]})), json!("a"));
        assert_eq!(
            g.clone()
                .text("I want B please")
                .generate(&json!({"enum": ["a", "b"]})),
            json!("b")
        );
        assert_eq!(
            g.generate(&json!({"type": "integer", "default": 7})),
            json!(7)
        );
        assert_eq!(
            g.generate(&json!({"anyOf": [{"type": "null"}, {"type": "string"}]})),
            json!("mock")
        );
    }

    #[test]
    fn discriminators_name_the_chosen_branch() {
        let generator = Generator::document();
        let message = generator.generate(&json!({"$ref": "#/components/schemas/Message"}));
        assert_eq!(message["role"], "system");
        assert!(validate("Message", &message).is_empty());
        let event = generator.generate_with(
            &json!({"$ref": "#/components/schemas/ResponsesStreamResponseEvent"}),
            "type",
            &json!("response.completed"),
        );
        assert_eq!(event["type"], "response.completed");
        assert!(validate("ResponsesStreamEvent", &event).is_empty());
    }

    #[test]
    fn numbers_strings_and_arrays_respect_their_bounds() {
        let root = json!({});
        let g = Generator::with_root(&root);
        assert_eq!(
            g.generate(&json!({"type": "integer", "minimum": 5, "maximum": 9})),
            json!(5)
        );
        assert_eq!(
            g.clone()
                .number(50.0)
                .generate(&json!({"type": "integer", "maximum": 9})),
            json!(9)
        );
        let exclusive = g.generate(&json!({"type": "number", "exclusiveMinimum": 1}));
        assert!(exclusive.as_f64().unwrap() > 1.0);
        assert_eq!(
            g.generate(&json!({"type": "integer", "minimum": 3, "multipleOf": 4})),
            json!(4)
        );
        assert_eq!(
            g.generate(&json!({"type": "string", "minLength": 6})),
            json!("mockxx")
        );
        assert_eq!(
            g.generate(&json!({"type": "string", "maxLength": 2})),
            json!("mo")
        );
        assert_eq!(
            g.generate(&json!({"type": "string", "pattern": "^[a-zA-Z0-9_+.-]+:[a-fA-F0-9]+$"})),
            json!("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
        );
        assert_eq!(
            g.generate(&json!({"type": "string", "format": "date-time"})),
            json!(DATE_TIME)
        );
        let tuple = json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "minItems": 2, "maxItems": 2});
        assert_eq!(g.generate(&tuple), json!(["mock", 1]));
        assert_eq!(
            g.generate(&json!({"type": "array", "items": {"type": "boolean"}, "minItems": 3})),
            json!([true, true, true])
        );
    }

    #[test]
    fn recursion_is_bounded() {
        let root = json!({"$defs": {"Node": {"type": "object", "required": ["children"], "properties": {
            "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
            "parent": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]},
        }}}});
        let generator = Generator::with_root(&root).optional_properties(true);
        let node = generator.generate(&json!({"$ref": "#/$defs/Node"}));
        let validator =
            jsonschema::validator_for(&json!({"$defs": root["$defs"], "$ref": "#/$defs/Node"}))
                .unwrap();
        assert!(validator.is_valid(&node), "{node}");
        assert!(node.to_string().len() < 10_000);
        // Unsatisfiable and doubling at every level: generation still ends, quickly.
        let root = json!({"$defs": {"N": {"type": "object", "required": ["a", "b"], "properties": {
            "a": {"$ref": "#/$defs/N"}, "b": {"$ref": "#/$defs/N"},
        }}}});
        let started = std::time::Instant::now();
        let value = Generator::with_root(&root).generate(&json!({"$ref": "#/$defs/N"}));
        assert!(value.is_object());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        let cyclic = json!({"$ref": "#"});
        assert_eq!(Generator::with_root(&cyclic).generate(&cyclic), Value::Null);
    }
}
