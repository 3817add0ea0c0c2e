//! Loading documents, and naming places in them.

use std::fmt;
use std::path::Path;

use serde_json::Value;

/// Something wrong with a document, and where: `pointer` is a JSON pointer (RFC 6901) into the
/// document the problem was found in (`""` for the whole document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where the problem is, as a JSON pointer.
    pub pointer: String,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl Problem {
    /// A problem at `pointer`.
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "at the document root: {}", self.message)
        } else {
            write!(f, "at {}: {}", self.pointer, self.message)
        }
    }
}

impl std::error::Error for Problem {}

/// Reads a YAML or JSON document from `path` (JSON is YAML, so one parser reads both).
pub fn load(path: &Path) -> Result<Value, Problem> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Problem::new("", format!("cannot read {}: {e}", path.display())))?;
    parse(&text).map_err(|p| Problem::new(p.pointer, format!("{}: {}", path.display(), p.message)))
}

/// Parses a YAML or JSON document.
pub fn parse(text: &str) -> Result<Value, Problem> {
    if text.trim().is_empty() {
        return Err(Problem::new("", "the document is empty"));
    }
    // JSON first: it is exact about numbers and fast; YAML covers everything else.
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        return Ok(value);
    }
    serde_saphyr::from_str::<Value>(text)
        .map_err(|e| Problem::new("", format!("not valid YAML or JSON: {e}")))
}

/// Escapes one reference token of a JSON pointer (`~` → `~0`, `/` → `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Undoes [`escape`].
pub fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Appends one token to a pointer.
pub fn join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape(token))
}

/// The component schema a local reference names (`#/components/schemas/Name` → `Name`).
pub fn schema_ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

/// Every `$ref` string anywhere below `value`.
pub fn collect_refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    if let Value::String(s) = child {
                        out.push(s);
                    }
                } else {
                    collect_refs(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

/// The names of the component schemas referenced anywhere below `value`.
pub fn referenced_schemas(value: &Value) -> impl Iterator<Item = String> + '_ {
    let mut refs = Vec::new();
    collect_refs(value, &mut refs);
    refs.into_iter()
        .filter_map(schema_ref_name)
        .map(str::to_owned)
}

/// The component schemas reachable from `roots` through `$ref`s (the roots included).
pub fn reachable_schemas(
    schemas: &serde_json::Map<String, Value>,
    roots: impl IntoIterator<Item = String>,
) -> std::collections::BTreeSet<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut queue: Vec<String> = roots.into_iter().collect();
    while let Some(name) = queue.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = schemas.get(&name) {
            queue.extend(referenced_schemas(schema));
        }
    }
    seen
}

/// A schema (or any node) without documentation: no descriptions, summaries, titles, examples or
/// extensions (property names are kept, even `description`).
pub fn facts(value: &Value) -> Value {
    fn strip(value: &Value, names: bool) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(k, _)| {
                        names
                            || !(matches!(
                                k.as_str(),
                                "description" | "summary" | "title" | "example" | "examples"
                            ) || k.starts_with("x-"))
                    })
                    .map(|(k, v)| (k.clone(), strip(v, !names && k == "properties")))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| strip(v, false)).collect()),
            other => other.clone(),
        }
    }
    strip(value, false)
}

/// Every operation of a document: `(path key, method, operation)`, in document order.
pub fn operations(doc: &Value) -> impl Iterator<Item = (&str, &'static str, &Value)> {
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter_map(move |method| item.get(*method).map(|op| (path.as_str(), *method, op)))
        })
}

/// The HTTP methods an OpenAPI path item may hold, in the order OpenAPI lists them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `snake_case`/`kebab-case`/`dotted.words`/`colon:words` → `PascalCase`.
pub fn pascal_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut upper = true;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

/// Renames the titles below a hoisted schema: `old` prefix → `new`.
pub fn retitle(schema: &mut Value, old: &str, new: &str) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(title)) = map.get_mut("title")
                && let Some(rest) = title.strip_prefix(old)
            {
                *title = format!("{new}{rest}");
            }
            map.values_mut().for_each(|v| retitle(v, old, new));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| retitle(v, old, new)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_tokens_are_escaped_both_ways() {
        assert_eq!(escape("/a~b/c"), "~1a~0b~1c");
        assert_eq!(unescape("~1a~0b~1c"), "/a~b/c");
        assert_eq!(join("/paths", "/x/{id}"), "/paths/~1x~1{id}");
    }

    #[test]
    fn pascal_case_handles_the_separators_of_tool_names() {
        assert_eq!(pascal_case("math:calculator"), "MathCalculator");
        assert_eq!(
            pascal_case("code:python-interpreter"),
            "CodePythonInterpreter"
        );
        assert_eq!(pascal_case("finish_reason"), "FinishReason");
        assert_eq!(pascal_case("chat.completion"), "ChatCompletion");
    }

    #[test]
    fn parse_reports_bad_yaml_without_panicking() {
        let problem = parse("openapi: [unclosed").unwrap_err();
        assert!(problem.message.contains("not valid YAML"), "{problem}");
        assert!(parse("  \n").unwrap_err().message.contains("empty"));
    }
}
