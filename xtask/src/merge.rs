//! One request type for what is one request: request bodies that are the same for several APIs
//! (a chat completion of the serverless, the dedicated and the container API) become one
//! component, so that users build one type and send it to any of them.
//!
//! The provider's document names such bodies after their API (`ServerlessChatCompletionBody`,
//! `DedicatedChatCompletionBody`, `ContainerChatCompletionBody`, or `CompletionsServerlessBodyWith…`
//! inside a name). Components whose names are the same but for the word of an API (`Serverless`,
//! `Dedicated`, `Container`) form a class named without it (`ChatCompletionBody`). A class is
//! merged when its members are the same schema but for:
//!
//! - which properties are required (a serverless chat requires `model`; a container serves its
//!   own model and does not);
//! - whether a property also allows `null`;
//! - their documentation, and the references to other classes that are merged (the branches of
//!   a union of bodies).
//!
//! The merged component is the loosest member (the fewest required properties, `null` allowed
//! where any member allows it), with every member's description. The members become references
//! to it (and so type aliases, see the converter's `resolve_aliases`). Each operation that sent a
//! member gets `x-friendli-required-fields`: what its member required that the merged type does
//! not, which the SDK checks before it sends the request.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::document::{Problem, escape, referenced_schemas, schema_ref_name};

/// The words of the APIs whose bodies are merged, and the names the documentation gives them.
const APIS: [(&str, &str); 3] = [
    ("Serverless", "serverless"),
    ("Dedicated", "dedicated"),
    ("Container", "container"),
];

/// The operation extension that lists the body fields an operation requires beyond its merged
/// body type.
pub const REQUIRED_FIELDS: &str = "x-friendli-required-fields";

/// Merges the request bodies of a converted document that are one request (see the module
/// documentation). Returns a note per merged class.
pub fn merge_request_bodies(doc: &mut Value) -> Vec<Problem> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
    else {
        return Vec::new();
    };
    let bodies = body_roots(doc);
    let request_side = crate::document::reachable_schemas(&schemas, bodies.values().cloned());
    let users = users(doc, &schemas);
    let mut classes = mergeable(&schemas, candidate_classes(&schemas, &request_side));
    for members in classes.values_mut() {
        members.sort_by_key(|m| (order(&label(m, &users)), m.clone()));
    }
    if classes.is_empty() {
        return Vec::new();
    }
    let member_of: BTreeMap<&str, &str> = classes
        .iter()
        .flat_map(|(key, members)| members.iter().map(move |m| (m.as_str(), key.as_str())))
        .collect();
    let mut notes = Vec::new();
    let mut merged_schemas = Map::new();
    for (key, members) in &classes {
        let labels: Vec<String> = members.iter().map(|m| label(m, &users)).collect();
        merged_schemas.insert(key.clone(), merged(&schemas, key, members, &labels));
        notes.push(Problem::new(
            format!("/components/schemas/{}", escape(key)),
            format!(
                "{} are one request: one type, `{key}`",
                members
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    require_fields(doc, &schemas, &bodies, &member_of, &merged_schemas);
    point_multipart_markers(doc, &member_of);
    let all = &mut doc["components"]["schemas"];
    for (key, members) in &classes {
        for member in members.iter().filter(|m| *m != key) {
            all[member] = json!({ "$ref": format!("#/components/schemas/{}", escape(key)) });
        }
    }
    for (key, schema) in merged_schemas {
        all[&key] = schema;
    }
    notes
}

/// The request body of every operation: its JSON body's component, or its multipart body's (by
/// its marker), keyed by the operation's JSON pointer.
fn body_roots(doc: &Value) -> BTreeMap<String, String> {
    crate::document::operations(doc)
        .filter_map(|(path, method, op)| {
            let name = op
                .pointer("/x-friendli-multipart/schema")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| {
                    op.get("requestBody")
                        .and_then(|b| referenced_schemas(b).next())
                })?;
            Some((format!("/paths/{}/{method}", escape(path)), name))
        })
        .collect()
}

/// The name of a component without the word of an API, if it has one (`DedicatedChatBody` →
/// `ChatBody`, `CompletionsServerlessBodyWithPrompt` → `CompletionsBodyWithPrompt`), and the
/// API's label.
fn without_api(name: &str) -> Option<(String, &'static str)> {
    APIS.iter().find_map(|(word, label)| {
        let at = name.find(word)?;
        let next = name[at + word.len()..].chars().next();
        let rest = format!("{}{}", &name[..at], &name[at + word.len()..]);
        (next.is_none_or(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) && !rest.is_empty())
            .then_some((rest, *label))
    })
}

/// The APIs whose operations send each request-side component (by the first tag of the
/// operation: `Serverless.Chat` → `serverless`).
fn users(doc: &Value, schemas: &Map<String, Value>) -> BTreeMap<String, BTreeSet<&'static str>> {
    let mut users: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    for (_, _, op) in crate::document::operations(doc) {
        let tag = op.pointer("/tags/0").and_then(Value::as_str).unwrap_or("");
        let first = tag.split('.').next().unwrap_or_default();
        let Some((_, label)) = APIS.iter().find(|(word, _)| *word == first) else {
            continue;
        };
        let mut roots: Vec<String> = op
            .get("requestBody")
            .map(|b| referenced_schemas(b).collect())
            .unwrap_or_default();
        roots.extend(
            op.pointer("/x-friendli-multipart/schema")
                .and_then(Value::as_str)
                .map(str::to_owned),
        );
        for name in crate::document::reachable_schemas(schemas, roots) {
            users.entry(name).or_default().insert(label);
        }
    }
    users
}

/// Which API a member is for: the APIs whose operations send it, or the word of its name, or
/// `other`.
fn label(member: &str, users: &BTreeMap<String, BTreeSet<&'static str>>) -> String {
    if let Some(apis) = users.get(member).filter(|a| !a.is_empty()) {
        let mut apis: Vec<&str> = apis.iter().copied().collect();
        apis.sort_by_key(|a| order(a));
        return apis.join("/");
    }
    without_api(member).map_or_else(|| "other".to_owned(), |(_, label)| label.to_owned())
}

/// The place of an API's label in [`APIS`] (serverless first), for the order of members.
fn order(label: &str) -> usize {
    APIS.iter()
        .position(|(_, l)| label.starts_with(l))
        .unwrap_or(APIS.len())
}

/// Points the multipart markers of operations (`x-friendli-multipart.schema`) that name a merged
/// member at its class.
fn point_multipart_markers(doc: &mut Value, member_of: &BTreeMap<&str, &str>) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        for method in crate::document::METHODS {
            let Some(marker) = item.pointer_mut(&format!("/{method}/x-friendli-multipart/schema"))
            else {
                continue;
            };
            if let Some(class) = marker.as_str().and_then(|name| member_of.get(name)) {
                *marker = json!(class);
            }
        }
    }
}

/// The classes of request-side components named the same but for an API's word: class name →
/// members, each class with two members or more and a name no other component has.
fn candidate_classes(
    schemas: &Map<String, Value>,
    request_side: &BTreeSet<String>,
) -> BTreeMap<String, Vec<String>> {
    let mut classes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in request_side {
        if let Some((key, _)) = without_api(name) {
            classes.entry(key).or_default().push(name.clone());
        }
    }
    for (key, members) in &mut classes {
        // The member already named as the class (a container body without the word).
        if request_side.contains(key) {
            members.push(key.clone());
        }
    }
    classes.retain(|key, members| {
        members.len() > 1 && (!schemas.contains_key(key) || members.contains(key))
    });
    classes
}

/// The classes whose members are one request, given that the classes their members reference are
/// (the largest such set: a class is dropped when its members differ, until none is).
fn mergeable(
    schemas: &Map<String, Value>,
    mut classes: BTreeMap<String, Vec<String>>,
) -> BTreeMap<String, Vec<String>> {
    loop {
        let member_of: BTreeMap<String, String> = classes
            .iter()
            .flat_map(|(key, members)| members.iter().map(move |m| (m.clone(), key.clone())))
            .collect();
        let differing: Vec<String> = classes
            .iter()
            .filter(|(_, members)| {
                let shapes: BTreeSet<String> = members
                    .iter()
                    .map(|m| shape(schemas.get(m).unwrap_or(&Value::Null), &member_of))
                    .collect();
                shapes.len() > 1
            })
            .map(|(key, _)| key.clone())
            .collect();
        if differing.is_empty() {
            return classes;
        }
        for key in differing {
            classes.remove(&key);
        }
    }
}

/// What must be equal for two members to be one request: the schema without documentation,
/// without its `required` list and the `nullable` of its properties, its references to members
/// of classes read as references to the classes.
fn shape(schema: &Value, member_of: &BTreeMap<String, String>) -> String {
    fn strip(value: &Value, member_of: &BTreeMap<String, String>) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "title" | "description" | "example"))
                    .map(|(k, v)| {
                        let v = match (k.as_str(), v.as_str().and_then(schema_ref_name)) {
                            ("$ref", Some(name)) => match member_of.get(name) {
                                Some(class) => json!(format!("#/components/schemas/{class}")),
                                None => v.clone(),
                            },
                            _ => strip(v, member_of),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| strip(v, member_of)).collect())
            }
            other => other.clone(),
        }
    }
    let mut schema = strip(schema, member_of);
    if let Value::Object(map) = &mut schema {
        map.remove("required");
        if let Some(Value::Object(properties)) = map.get_mut("properties") {
            for property in properties.values_mut() {
                if let Value::Object(p) = property {
                    p.remove("nullable");
                }
            }
        }
    }
    schema.to_string()
}

/// The merged schema of a class: its loosest member (the fewest required properties), with the
/// properties every member requires, `null` allowed where any member allows it, the titles of
/// its inline types named after the class, and every member's description.
fn merged(schemas: &Map<String, Value>, key: &str, members: &[String], labels: &[String]) -> Value {
    let required = |m: &String| -> BTreeSet<String> { required_of(schemas.get(m)) };
    let loosest = members
        .iter()
        .min_by_key(|m| required(m).len())
        .expect("a class has members");
    let mut schema = schemas[loosest].clone();
    let common: BTreeSet<String> = members
        .iter()
        .map(required)
        .reduce(|a, b| a.intersection(&b).cloned().collect())
        .unwrap_or_default();
    let map = schema.as_object_mut().expect("an object schema");
    if map.contains_key("required") || !common.is_empty() {
        map.insert("required".into(), json!(common));
        if common.is_empty() {
            map.remove("required");
        }
    }
    let member_schemas: Vec<&Value> = members.iter().filter_map(|m| schemas.get(m)).collect();
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        for (name, property) in properties.iter_mut() {
            merge_property(property, name, &member_schemas, labels);
        }
    }
    map.insert(
        "description".into(),
        json!(description(schemas, members, labels, &common)),
    );
    crate::document::retitle(
        &mut schema,
        &crate::document::pascal_case(loosest),
        &crate::document::pascal_case(key),
    );
    schema
}

/// A property of a merged schema: nullable where any member's is, and with each member's
/// description where they differ.
fn merge_property(property: &mut Value, name: &str, members: &[&Value], labels: &[String]) {
    let of_members: Vec<Option<&Value>> = members
        .iter()
        .map(|m| m.pointer(&format!("/properties/{}", escape(name))))
        .collect();
    let Value::Object(p) = property else { return };
    if of_members
        .iter()
        .flatten()
        .any(|m| m.get("nullable").and_then(Value::as_bool) == Some(true))
    {
        p.insert("nullable".into(), json!(true));
    }
    let descriptions: Vec<Option<&str>> = of_members
        .iter()
        .map(|m| m.and_then(|m| m.get("description")).and_then(Value::as_str))
        .collect();
    let distinct: BTreeSet<&str> = descriptions.iter().flatten().copied().collect();
    if distinct.len() > 1 {
        let text = labels
            .iter()
            .zip(&descriptions)
            .filter_map(|(label, d)| d.map(|d| format!("- {label}: {d}")))
            .collect::<Vec<_>>()
            .join("\n");
        p.insert("description".into(), json!(text));
    }
}

/// The description of a merged schema: which requests it is, each one's description, and what
/// some of them require.
fn description(
    schemas: &Map<String, Value>,
    members: &[String],
    labels: &[String],
    common: &BTreeSet<String>,
) -> String {
    let names = members
        .iter()
        .zip(labels)
        .map(|(m, label)| format!("{label} (`{m}`)"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut text = format!("One request type for several APIs: {names}.\n");
    for (member, label) in members.iter().zip(labels) {
        if let Some(d) = schemas
            .get(member)
            .and_then(|s| s.get("description"))
            .and_then(Value::as_str)
        {
            text.push_str(&format!("\n- {label}: {d}"));
        }
    }
    let mut some: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (member, label) in members.iter().zip(labels) {
        for field in required_of(schemas.get(member)).difference(common) {
            some.entry(field.clone()).or_default().push(label);
        }
    }
    if !some.is_empty() {
        let list = some
            .iter()
            .map(|(field, labels)| format!("`{field}` ({})", labels.join(", ")))
            .collect::<Vec<_>>()
            .join(", ");
        text.push_str(&format!(
            "\n\nRequired by some of them only: {list}. A call that needs a field refuses to send a request without it."
        ));
    }
    text
}

/// The `required` list of a schema.
fn required_of(schema: Option<&Value>) -> BTreeSet<String> {
    schema
        .and_then(|s| s.get("required"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// The top-level fields a body of this schema always has: its `required`, and those every branch
/// of its union requires.
fn always_present(
    schemas: &Map<String, Value>,
    schema: Option<&Value>,
    depth: usize,
) -> BTreeSet<String> {
    let mut out = required_of(schema);
    let Some(schema) = schema else { return out };
    if depth > 8 {
        return out;
    }
    let branch_fields = |branch: &Value| {
        let target = branch
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(schema_ref_name)
            .and_then(|n| schemas.get(n))
            .or(Some(branch));
        always_present(schemas, target, depth + 1)
    };
    if let Some(Value::Array(branches)) = schema.get("oneOf").or_else(|| schema.get("anyOf"))
        && let Some(common) = branches
            .iter()
            .map(branch_fields)
            .reduce(|a, b| a.intersection(&b).cloned().collect())
    {
        out.extend(common);
    }
    if let Some(Value::Array(parts)) = schema.get("allOf") {
        for part in parts {
            out.extend(branch_fields(part));
        }
    }
    out
}

/// Marks each operation whose body is a merged member with the fields the member required that
/// the merged type does not (`x-friendli-required-fields`).
fn require_fields(
    doc: &mut Value,
    schemas: &Map<String, Value>,
    bodies: &BTreeMap<String, String>,
    member_of: &BTreeMap<&str, &str>,
    merged_schemas: &Map<String, Value>,
) {
    // The merged schemas as they will be, for the branches of merged unions.
    let mut after = schemas.clone();
    for (key, schema) in merged_schemas {
        after.insert(key.clone(), schema.clone());
    }
    for (name, class) in member_of {
        after.insert(
            (*name).to_owned(),
            after.get(*class).cloned().unwrap_or(Value::Null),
        );
    }
    for (op_ptr, body) in bodies {
        let Some(class) = member_of.get(body.as_str()) else {
            continue;
        };
        let before = always_present(schemas, schemas.get(body), 0);
        let now = always_present(&after, after.get(*class), 0);
        let extra: Vec<&String> = before.difference(&now).collect();
        if let Some(op) = doc.pointer_mut(op_ptr).and_then(Value::as_object_mut)
            && !extra.is_empty()
        {
            op.insert(REQUIRED_FIELDS.into(), json!(extra));
        }
    }
}
