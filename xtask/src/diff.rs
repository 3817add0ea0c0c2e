//! A human-readable report of the API changes between two OpenAPI documents.
//!
//! Compared: operations (by method and path), their `operationId`s and parameters, component
//! schemas, and, recursively, the properties, types, nullability, requiredness, enum values and
//! union branches of every schema reachable from those. Both documents may be 3.0 or 3.1.
//!
//! A change is breaking when code written against the old document can stop compiling or start
//! failing against the new one: a removed operation, parameter, schema, field, enum value or
//! union branch; a renamed operation or schema; a retyped field; a field that became required or
//! stopped being required (the generated Rust type changes between `T` and `Option<T>`); a new
//! required field or parameter.
//!
//! An operation that keeps its `operationId` at another path (a changed path prefix, say) is
//! reported as moved, not as removed and added: the SDK's method is the same. A schema removed
//! while another with the same facts (documentation left out) is added is reported as renamed.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use crate::document::{METHODS, schema_ref_name};

/// One difference between two documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Whether code written against the old document can break.
    pub breaking: bool,
    /// Where: an operation (`POST /path`) or a schema path (`Schema.field[].inner`).
    pub location: String,
    /// What changed.
    pub description: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flag = if self.breaking {
            "BREAKING"
        } else {
            "        "
        };
        write!(f, "{flag}  {}: {}", self.location, self.description)
    }
}

/// The changes from `old` to `new`, in a stable order: operations first, then schemas.
///
/// Both documents are normalised first, so that spelling differences are not changes: references
/// to `components/requestBodies`, `components/responses` and `components/parameters` are
/// resolved, and the two ways of writing a nullable type (`type: [X, "null"]` and
/// `anyOf: [X, {type: "null"}]`) become one.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let (old, new) = (&normalise(old), &normalise(new));
    let mut differ = Differ {
        old,
        new,
        changes: Vec::new(),
    };
    differ.operations();
    differ.components();
    differ.changes
}

/// The report printed by `cargo xtask diff`.
pub fn report(changes: &[Change]) -> String {
    let mut out = String::new();
    if changes.is_empty() {
        out.push_str("No API changes.\n");
        return out;
    }
    for change in changes {
        out.push_str(&change.to_string());
        out.push('\n');
    }
    let breaking = changes.iter().filter(|c| c.breaking).count();
    out.push_str(&format!(
        "{} change{}, {breaking} breaking.\n",
        changes.len(),
        if changes.len() == 1 { "" } else { "s" }
    ));
    out
}

/// A document with component references of operations resolved and nullable types spelled one
/// way.
fn normalise(doc: &Value) -> Value {
    fn resolve_refs(value: &mut Value, doc: &Value, depth: usize) {
        if depth > 32 {
            return;
        }
        if let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            let target = ["requestBodies", "responses", "parameters"]
                .iter()
                .find_map(|kind| reference.strip_prefix(&format!("#/components/{kind}/")))
                .and_then(|_| doc.pointer(reference.trim_start_matches('#')));
            if let Some(target) = target {
                *value = target.clone();
                resolve_refs(value, doc, depth + 1);
                return;
            }
        }
        match value {
            Value::Object(map) => map
                .values_mut()
                .for_each(|v| resolve_refs(v, doc, depth + 1)),
            Value::Array(items) => items
                .iter_mut()
                .for_each(|v| resolve_refs(v, doc, depth + 1)),
            _ => {}
        }
    }
    fn is_null(schema: &Value) -> bool {
        schema.get("type").and_then(Value::as_str) == Some("null")
    }
    fn nullable(value: &mut Value) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Array(types)) = map.get("type").cloned()
                    && types.iter().any(|t| t == "null")
                {
                    let rest: Vec<Value> = types.into_iter().filter(|t| t != "null").collect();
                    map.insert(
                        "type".into(),
                        if rest.len() == 1 {
                            rest[0].clone()
                        } else {
                            Value::Array(rest)
                        },
                    );
                    map.insert("nullable".into(), Value::Bool(true));
                }
                for key in ["anyOf", "oneOf"] {
                    let Some(Value::Array(branches)) = map.get(key).cloned() else {
                        continue;
                    };
                    if !branches.iter().any(is_null) {
                        continue;
                    }
                    let rest: Vec<Value> = branches.into_iter().filter(|b| !is_null(b)).collect();
                    map.remove(key);
                    map.insert("nullable".into(), Value::Bool(true));
                    match rest.as_slice() {
                        [one] => {
                            if let Value::Object(branch) = one {
                                for (k, v) in branch {
                                    map.entry(k.clone()).or_insert_with(|| v.clone());
                                }
                            }
                        }
                        _ => {
                            map.insert(key.into(), Value::Array(rest));
                        }
                    }
                }
                map.values_mut().for_each(nullable);
            }
            Value::Array(items) => items.iter_mut().for_each(nullable),
            _ => {}
        }
    }
    let mut out = doc.clone();
    if let Some(paths) = out.get_mut("paths") {
        resolve_refs(paths, doc, 0);
    }
    nullable(&mut out);
    out
}

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    changes: Vec<Change>,
}

fn operations_of(doc: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    out.push((format!("{} {path}", method.to_uppercase()), op));
                }
            }
        }
    }
    out
}

/// A one-line description of a schema's type, for comparisons and messages.
fn signature(schema: &Value) -> String {
    let Some(map) = schema.as_object() else {
        return "any".into();
    };
    if let Some(name) = map.get("$ref").and_then(Value::as_str) {
        return schema_ref_name(name).unwrap_or(name).to_owned();
    }
    let mut types: Vec<String> = match map.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    let mut nullable = map
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if types.iter().any(|t| t == "null") {
        nullable = true;
        types.retain(|t| t != "null");
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = map.get(key).and_then(Value::as_array) {
            let non_null: Vec<&Value> = branches
                .iter()
                .filter(|b| {
                    let is_null = b.get("type").and_then(Value::as_str) == Some("null");
                    nullable |= is_null;
                    !is_null
                })
                .collect();
            if non_null.len() == 1 {
                types.push(signature(non_null[0]));
            } else {
                types.push(format!("union of {}", non_null.len()));
            }
        }
    }
    if let Some(all) = map.get("allOf").and_then(Value::as_array)
        && all.len() == 1
    {
        types.push(signature(&all[0]));
    }
    if types.is_empty() {
        if map.contains_key("properties") {
            types.push("object".into());
        } else if map.contains_key("const") {
            types.push(const_type(&map["const"]).into());
        } else {
            types.push("any".into());
        }
    }
    types.sort();
    let mut text = types.join(" | ");
    if map.get("type").and_then(Value::as_str) == Some("array")
        && let Some(items) = map.get("items")
    {
        text = format!("array of {}", signature(items));
    }
    if nullable {
        text.push_str(" | null");
    }
    text
}

fn const_type(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "string",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => "null",
    }
}

fn enum_values(schema: &Value) -> Option<BTreeSet<String>> {
    let map = schema.as_object()?;
    if let Some(values) = map.get("enum").and_then(Value::as_array) {
        return Some(
            values
                .iter()
                .filter(|v| !v.is_null())
                .map(Value::to_string)
                .collect(),
        );
    }
    map.get("const").map(|c| BTreeSet::from([c.to_string()]))
}

fn required_of(schema: &Value) -> BTreeSet<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

impl Differ<'_> {
    fn push(
        &mut self,
        breaking: bool,
        location: impl Into<String>,
        description: impl Into<String>,
    ) {
        self.changes.push(Change {
            breaking,
            location: location.into(),
            description: description.into(),
        });
    }

    fn operations(&mut self) {
        let old_ops = operations_of(self.old);
        let new_ops = operations_of(self.new);
        let moved = moved_operations(&old_ops, &new_ops);
        for (key, old_op) in &old_ops {
            let id = old_op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or("?");
            let (key, new_op) = match new_ops.iter().find(|(k, _)| k == key) {
                Some((_, new_op)) => (key.clone(), new_op),
                None => match moved.iter().find(|(from, _)| from == key) {
                    Some((_, to)) => {
                        self.push(
                            false,
                            key,
                            format!("operation moved to {to} (operationId `{id}`; the SDK's method is the same)"),
                        );
                        let new_op = &new_ops
                            .iter()
                            .find(|(k, _)| k == to)
                            .expect("moved to an operation")
                            .1;
                        (to.clone(), new_op)
                    }
                    None => {
                        self.push(true, key, format!("operation removed (operationId `{id}`)"));
                        continue;
                    }
                },
            };
            self.operation(&key, old_op, new_op);
        }
        for (key, new_op) in &new_ops {
            if !old_ops.iter().any(|(k, _)| k == key) && !moved.iter().any(|(_, to)| to == key) {
                let id = new_op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                self.push(false, key, format!("operation added (operationId `{id}`)"));
            }
        }
    }

    /// Compares one operation of the old document with its counterpart in the new one: id,
    /// parameters, request body, responses.
    fn operation(&mut self, key: &str, old_op: &Value, new_op: &Value) {
        let (id, new_id) = (operation_id(old_op), operation_id(new_op));
        if id != new_id {
            self.push(
                true,
                key,
                format!("operationId renamed from `{id}` to `{new_id}`"),
            );
        }
        self.parameters(key, old_op, new_op);
        let old_body = old_op.pointer("/requestBody/content/application~1json/schema");
        let new_body = new_op.pointer("/requestBody/content/application~1json/schema");
        match (old_body, new_body) {
            (Some(a), Some(b)) => self.schema(&format!("{key} request body"), a, b),
            (Some(_), None) => self.push(true, key, "request body removed"),
            (None, Some(_)) => self.push(true, key, "request body added"),
            (None, None) => {}
        }
        self.responses(key, old_op, new_op);
    }

    /// Compares the responses of an operation: codes, media types, schemas.
    fn responses(&mut self, key: &str, old_op: &Value, new_op: &Value) {
        let old_codes = response_codes(old_op);
        let new_codes = response_codes(new_op);
        for code in old_codes.difference(&new_codes) {
            self.push(true, key, format!("response {code} removed"));
        }
        for code in new_codes.difference(&old_codes) {
            self.push(false, key, format!("response {code} added"));
        }
        for code in old_codes.intersection(&new_codes) {
            let media = |op: &Value| -> BTreeSet<String> {
                op.pointer(&format!("/responses/{code}/content"))
                    .and_then(Value::as_object)
                    .map(|c| c.keys().cloned().collect())
                    .unwrap_or_default()
            };
            let (old_media, new_media) = (media(old_op), media(new_op));
            for m in old_media.difference(&new_media) {
                self.push(true, key, format!("response {code} no longer offers {m}"));
            }
            for m in new_media.difference(&old_media) {
                self.push(false, key, format!("response {code} now also offers {m}"));
            }
            for m in old_media.intersection(&new_media) {
                let pointer = format!("/responses/{code}/content/{}/schema", m.replace('/', "~1"));
                if let (Some(a), Some(b)) = (old_op.pointer(&pointer), new_op.pointer(&pointer)) {
                    self.schema(&format!("{key} response {code} {m}"), a, b);
                }
            }
        }
    }

    fn parameters(&mut self, key: &str, old_op: &Value, new_op: &Value) {
        let params = |doc: &Value, op: &Value| -> Vec<(String, bool, Value)> {
            op.get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| {
                    let p = match p.get("$ref").and_then(Value::as_str) {
                        Some(r) => doc.pointer(r.trim_start_matches('#'))?,
                        None => p,
                    };
                    let name = format!(
                        "{} parameter `{}`",
                        p.get("in").and_then(Value::as_str).unwrap_or("?"),
                        p.get("name").and_then(Value::as_str).unwrap_or("?")
                    );
                    let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
                    Some((
                        name,
                        required,
                        p.get("schema").cloned().unwrap_or(Value::Null),
                    ))
                })
                .collect()
        };
        let old_params = params(self.old, old_op);
        let new_params = params(self.new, new_op);
        for (name, required, schema) in &old_params {
            match new_params.iter().find(|(n, _, _)| n == name) {
                None => self.push(true, key, format!("{name} removed")),
                Some((_, new_required, new_schema)) => {
                    if required != new_required {
                        self.push(
                            *new_required,
                            key,
                            format!(
                                "{name} is now {}",
                                if *new_required {
                                    "required"
                                } else {
                                    "optional"
                                }
                            ),
                        );
                    }
                    if signature(schema) != signature(new_schema) {
                        self.push(
                            true,
                            key,
                            format!(
                                "{name} retyped from {} to {}",
                                signature(schema),
                                signature(new_schema)
                            ),
                        );
                    }
                }
            }
        }
        for (name, required, _) in &new_params {
            if !old_params.iter().any(|(n, _, _)| n == name) {
                self.push(
                    *required,
                    key,
                    format!(
                        "{name} added ({})",
                        if *required { "required" } else { "optional" }
                    ),
                );
            }
        }
    }

    fn components(&mut self) {
        let names = |doc: &Value| -> BTreeSet<String> {
            doc.pointer("/components/schemas")
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        let (old_names, new_names) = (names(self.old), names(self.new));
        let facts =
            |doc: &Value, name: &str| crate::document::facts(&doc["components"]["schemas"][name]);
        let added: Vec<&String> = new_names.difference(&old_names).collect();
        let mut renamed_to: BTreeSet<&String> = BTreeSet::new();
        for name in old_names.difference(&new_names) {
            let old_facts = facts(self.old, name);
            match added
                .iter()
                .find(|n| !renamed_to.contains(**n) && facts(self.new, n) == old_facts)
            {
                Some(new_name) => {
                    renamed_to.insert(new_name);
                    self.push(
                        true,
                        name.clone(),
                        format!("schema renamed to `{new_name}` (the same facts under a new name)"),
                    );
                }
                None => self.push(true, name.clone(), "schema removed"),
            }
        }
        for name in added {
            if !renamed_to.contains(name) {
                self.push(false, name.clone(), "schema added");
            }
        }
        for name in old_names.intersection(&new_names) {
            let a = &self.old["components"]["schemas"][name];
            let b = &self.new["components"]["schemas"][name];
            self.schema(name, a, b);
        }
    }

    /// Compares two schemas found at the same place. Referenced components are compared where
    /// they are defined, not where they are used.
    fn schema(&mut self, location: &str, old: &Value, new: &Value) {
        let (old_sig, new_sig) = (signature(old), signature(new));
        if old_sig != new_sig {
            self.push(
                true,
                location,
                format!("retyped from {old_sig} to {new_sig}"),
            );
            return;
        }
        if old.get("$ref").is_some() {
            return;
        }
        if let (Some(a), Some(b)) = (enum_values(old), enum_values(new)) {
            for v in a.difference(&b) {
                self.push(true, location, format!("enum value {v} removed"));
            }
            for v in b.difference(&a) {
                self.push(false, location, format!("enum value {v} added"));
            }
        }
        for key in ["oneOf", "anyOf"] {
            self.union_branches(location, key, old, new);
        }
        if let (Some(a), Some(b)) = (old.get("items"), new.get("items")) {
            self.schema(&format!("{location}[]"), a, b);
        }
        if let (Some(a), Some(b)) = (
            old.get("additionalProperties"),
            new.get("additionalProperties"),
        ) && a.is_object()
            && b.is_object()
        {
            self.schema(&format!("{location}{{}}"), a, b);
        }
        self.properties(location, old, new);
    }

    /// Compares the branches of a union (`key`: `oneOf` or `anyOf`), matched by the component
    /// they name, their title, or their place and shape.
    fn union_branches(&mut self, location: &str, key: &str, old: &Value, new: &Value) {
        let branches = |s: &Value| -> Vec<Value> {
            s.get(key)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let (a, b) = (branches(old), branches(new));
        if a.is_empty() && b.is_empty() {
            return;
        }
        let label = |branch: &Value, i: usize| -> String {
            branch
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(schema_ref_name)
                .or_else(|| branch.get("title").and_then(Value::as_str))
                .map(str::to_owned)
                .unwrap_or_else(|| format!("#{i} ({})", signature(branch)))
        };
        let a_labels: Vec<String> = a.iter().enumerate().map(|(i, x)| label(x, i)).collect();
        let b_labels: Vec<String> = b.iter().enumerate().map(|(i, x)| label(x, i)).collect();
        for (i, l) in a_labels.iter().enumerate() {
            match b_labels.iter().position(|m| m == l) {
                None => self.push(true, location, format!("union branch {l} removed")),
                Some(j) => self.schema(&format!("{location}<{l}>"), &a[i], &b[j]),
            }
        }
        for l in &b_labels {
            if !a_labels.contains(l) {
                self.push(false, location, format!("union branch {l} added"));
            }
        }
    }

    /// Compares the properties of two object schemas: removed, added, newly required or
    /// optional, retyped.
    fn properties(&mut self, location: &str, old: &Value, new: &Value) {
        let props = |s: &Value| {
            s.get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let (a, b) = (props(old), props(new));
        let (old_required, new_required) = (required_of(old), required_of(new));
        for (name, schema) in &a {
            let here = format!("{location}.{name}");
            match b.get(name) {
                None => self.push(true, here, "field removed"),
                Some(new_schema) => {
                    let (was, is) = (old_required.contains(name), new_required.contains(name));
                    if was != is {
                        self.push(
                            true,
                            here.clone(),
                            if is {
                                "field is now required"
                            } else {
                                "field is now optional"
                            },
                        );
                    }
                    self.schema(&here, schema, new_schema);
                }
            }
        }
        for (name, schema) in &b {
            if !a.contains_key(name) {
                let required = new_required.contains(name);
                self.push(
                    required,
                    format!("{location}.{name}"),
                    format!(
                        "field added ({}, {})",
                        if required { "required" } else { "optional" },
                        signature(schema)
                    ),
                );
            }
        }
    }
}

/// Operations that kept their id at another method and path: old key → new key.
fn moved_operations(
    old_ops: &[(String, &Value)],
    new_ops: &[(String, &Value)],
) -> Vec<(String, String)> {
    let id_of = |op: &Value| {
        op.get("operationId")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let mut moved = Vec::new();
    for (key, old_op) in old_ops {
        if new_ops.iter().any(|(k, _)| k == key) {
            continue;
        }
        let Some(id) = id_of(old_op) else { continue };
        if let Some((new_key, _)) = new_ops.iter().find(|(k, op)| {
            id_of(op).as_deref() == Some(id.as_str()) && !old_ops.iter().any(|(o, _)| o == k)
        }) {
            moved.push((key.clone(), new_key.clone()));
        }
    }
    moved
}

/// An operation's id, `?` without one.
fn operation_id(op: &Value) -> &str {
    op.get("operationId").and_then(Value::as_str).unwrap_or("?")
}

fn response_codes(op: &Value) -> BTreeSet<String> {
    op.get("responses")
        .and_then(Value::as_object)
        .map(|r| r.keys().cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn signature_normalises_both_null_styles() {
        assert_eq!(
            signature(&json!({"type": ["string", "null"]})),
            "string | null"
        );
        assert_eq!(
            signature(&json!({"type": "string", "nullable": true})),
            "string | null"
        );
        assert_eq!(
            signature(&json!({"oneOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]})),
            "A | null"
        );
        assert_eq!(
            signature(&json!({"type": "array", "items": {"type": "integer"}})),
            "array of integer"
        );
    }
}
