//! OpenAPI 3.1 → the OpenAPI 3.0.3 form that progenitor 0.15 accepts.
//!
//! progenitor reads only OpenAPI 3.0.x, through the `openapiv3` crate, and its generator panics on
//! several layouts that are legal OpenAPI (each is named below, and tested in `tests/convert.rs`
//! and `tests/constructs.rs`). [`convert`] takes any 3.1 (or 3.0) document of this API and returns
//! an equivalent 3.0.3 document in a normal form that generates well. Every rewrite it makes that is not a pure change of syntax is reported as a
//! note, with the JSON pointer of the place it touched.
//!
//! Schema rewrites (JSON Schema 2020-12 → the OpenAPI 3.0 schema dialect):
//! - `type: [T, "null"]` → `type: T, nullable: true`; `type: [A, B]` → `oneOf` of one branch per
//!   type, each with the keywords that apply to it;
//! - `const: v` → `enum: [v]`; `null` inside `enum` → `nullable: true`;
//! - `examples: [..]` → `example` (the first one);
//! - numeric `exclusiveMinimum`/`exclusiveMaximum` → `minimum`/`maximum` + the 3.0 boolean flags;
//! - `{type: "null"}` branches of `oneOf`/`anyOf` → `nullable: true` on the union (a union left with
//!   one branch becomes that branch, or `allOf: [$ref]` for a reference);
//! - `anyOf` → `oneOf` (typify turns an `anyOf` of scalars into a struct that never deserialises);
//! - `$ref` with sibling keywords → the reference alone when the siblings are only documentation,
//!   otherwise `allOf: [$ref]` plus the siblings;
//! - `additionalProperties: false` is dropped (it would become `deny_unknown_fields`, and a new
//!   field from the server would then fail decoding);
//! - an integer `minimum` of 1 is lowered to 0 (typify would emit `NonZeroU64`, into which integer
//!   literals do not convert through the generated builders; the 3.1 document keeps the real bound
//!   and the mock server validates it);
//! - titles below the top of a component are qualified with the names of their parents, so the
//!   types typify names after them cannot collide (typify strips the shared prefix again when it
//!   names enum variants).
//!
//! Open enums: a string `enum` that the server may extend becomes
//! `oneOf: [{title: <Name>Known, enum: [..]}, {title: <Name>Unknown, type: string}]`, which
//! generates `enum Name { Known(NameKnown), Unknown(String) }`: a value the SDK does not know yet
//! is kept instead of failing the whole response. Every enum reachable from a response or an event
//! stream is open, except the tag of a discriminated union; a request-side enum is open when it
//! carries `x-open-enum: true`.
//!
//! Discriminated unions: the `$ref` branches of a `oneOf` with a `discriminator` are replaced by
//! copies of the schemas they reference, so typify generates an internally tagged enum
//! (`#[serde(tag = "…")]`) instead of an untagged one. A branch whose tag allows several values is
//! split into one branch per value. Components that are left unreferenced are dropped.
//!
//! Operation rewrites:
//! - a success response offering both JSON and `text/event-stream` is split into the JSON
//!   operation and a second operation at `<path>#stream` with the `operationId` suffixed `Stream`
//!   (the fragment is never sent on the wire);
//! - references to `components/responses` and `components/requestBodies` are inlined;
//! - every error response gets one shared JSON schema; a `default` response becomes `4XX` + `5XX`
//!   (progenitor counts `default` as a success too, and panics on a success type mismatch);
//! - inline response schemas are moved to `components/schemas` (`<OperationId>Response`,
//!   `<OperationId>Error`), because typify would give a success and an error schema the same name.
//!
//! Degradations: a valid document never stops the conversion. What has no progenitor form
//! degrades to the nearest faithful one, with a note at its pointer: an operation without an
//! `operationId` (or with a repeated one) is named after its method and path; cookie parameters
//! are left out; success answers of several kinds keep the kind of the first; an operation
//! without responses answers nothing; a taken `#stream` path gives the stream half another
//! fragment; a path item by reference is written out; a reference inside a component (into
//! `$defs`, or to a property) becomes a component of its own; the inline `data` of an event
//! envelope becomes a component (so the stream's events are typed); a reference into another
//! document, a `false` or null-only schema and a `$dynamicRef` become any JSON value; JSON Schema
//! keywords with no 3.0 form (`if`/`then`/`else`, `dependentRequired`, `$defs`, ...) are dropped
//! (`patternProperties` with one pattern becomes `additionalProperties`); a discriminated union
//! whose branches share a tag value stays untagged. Only malformed documents are errors.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::document::{
    METHODS, Problem, escape, join, pascal_case, reachable_schemas, referenced_schemas, retitle,
    schema_ref_name,
};

/// The result of a conversion.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The OpenAPI 3.0.3 document.
    pub document: Value,
    /// What the converter changed beyond syntax, and where.
    pub notes: Vec<Problem>,
}

/// Converts an OpenAPI 3.1 or 3.0 document into the progenitor-ready 3.0.3 form.
///
/// Fails only on a malformed document (with the location of the problem); a valid one degrades
/// where it must, with notes (see the module documentation).
pub fn convert(input: &Value) -> Result<Converted, Problem> {
    let root = input
        .as_object()
        .ok_or_else(|| Problem::new("", "an OpenAPI document must be a JSON object"))?;
    let version = match root.get("openapi") {
        Some(Value::String(v)) => v.clone(),
        Some(_) => {
            return Err(Problem::new(
                "/openapi",
                "`openapi` must be a version string",
            ));
        }
        None if root.contains_key("swagger") => {
            return Err(Problem::new(
                "/swagger",
                "Swagger 2.0 documents are not supported; only OpenAPI 3.0 and 3.1",
            ));
        }
        None => return Err(Problem::new("", "missing the `openapi` version field")),
    };
    if !(version.starts_with("3.1.") || version.starts_with("3.0.")) {
        return Err(Problem::new(
            "/openapi",
            format!("OpenAPI version {version} is not supported; only 3.0.x and 3.1.x"),
        ));
    }
    if !root.get("info").is_some_and(Value::is_object) {
        return Err(Problem::new("/info", "missing the `info` object"));
    }
    match root.get("paths") {
        None | Some(Value::Object(_)) => {}
        Some(_) => return Err(Problem::new("/paths", "`paths` must be an object")),
    }
    match root.get("components") {
        None | Some(Value::Object(_)) => {}
        Some(_) => {
            return Err(Problem::new(
                "/components",
                "`components` must be an object",
            ));
        }
    }

    let mut converter = Converter {
        doc: input.clone(),
        notes: Vec::new(),
        open_components: BTreeSet::new(),
        tag_properties: BTreeSet::new(),
        inlined: BTreeSet::new(),
        event_unions: BTreeSet::new(),
    };
    converter.check_references()?;
    converter.inline_component_references()?;
    converter.name_operations();
    converter.drop_cookie_parameters();
    converter.hoist_deep_references();
    converter.hoist_event_data();
    converter.find_open_components();
    converter.find_tag_properties();
    converter.event_unions = event_unions(&converter.doc);
    converter.convert_schemas()?;
    converter.rewrite_operations()?;
    converter.inline_discriminated_unions()?;
    converter.drop_unreferenced_inlined();
    converter.hoist_shared_property_types();
    converter.drop_file_fields();
    let merged = crate::merge::merge_request_bodies(&mut converter.doc);
    converter.notes.extend(merged);
    converter.resolve_aliases();
    let answer_only = converter.answer_only_components();
    converter.relax_answer_requirements(&answer_only);
    converter.keep_unknown_fields(&answer_only);
    converter.open_answer_unions(&answer_only);
    converter.finish_root();
    Ok(Converted {
        document: converter.doc,
        notes: converter.notes,
    })
}

struct Converter {
    doc: Value,
    notes: Vec<Problem>,
    /// Component schemas reachable from a response or an event stream: their enums are open.
    open_components: BTreeSet<String>,
    /// `(component, property)` pairs that are the tag of a discriminated union.
    tag_properties: BTreeSet<(String, String)>,
    /// Components whose copies replaced `$ref` branches of discriminated unions.
    inlined: BTreeSet<String>,
    /// Discriminated unions of event-stream events: their branches stay components (the SDK
    /// dispatches on the event name itself, and needs a type per kind of event).
    event_unions: BTreeSet<String>,
}

/// The schema of a response's JSON content, if it has one.
fn json_schema_of(response: &Value) -> Option<Value> {
    response
        .get("content")
        .and_then(Value::as_object)?
        .iter()
        .find(|(k, _)| is_json(k))
        .and_then(|(_, media)| media.get("schema").cloned())
}

/// The name of a success answer whose schema is `{}` (any JSON value): the document does not say
/// what it holds, so it is named for that, whichever operations answer it.
const UNTYPED_RESPONSE: &str = "UntypedResponse";

/// Keywords of JSON Schema 2020-12 that have no OpenAPI 3.0 or progenitor equivalent and only
/// constrain or name: dropped with a note (the SDK checks less than the document says).
/// `patternProperties` becomes `additionalProperties` where it can; references into `$defs`
/// were hoisted into components before.
const UNSUPPORTED_KEYWORDS: [&str; 11] = [
    "$dynamicAnchor",
    "$anchor",
    "$id",
    "$defs",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "patternProperties",
    "unevaluatedItems",
];

/// Keywords whose schema is only known when the document is evaluated: a schema with one of them
/// becomes any JSON value, with a note.
const DYNAMIC_KEYWORDS: [&str; 2] = ["$dynamicRef", "$recursiveRef"];

/// Keywords that only annotate or only constrain in ways progenitor ignores; they are dropped.
const DROPPED_KEYWORDS: [&str; 10] = [
    "$schema",
    "$comment",
    "unevaluatedProperties",
    "propertyNames",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "contains",
    "minContains",
    "maxContains",
];

/// Keywords that only document a schema; they may be dropped from beside a `$ref`.
const DOC_KEYWORDS: [&str; 6] = [
    "title",
    "description",
    "summary",
    "example",
    "examples",
    "deprecated",
];

/// The keywords that belong to each JSON type, used to split `type: [A, B]`.
fn keywords_of(ty: &str) -> &'static [&'static str] {
    match ty {
        "string" => &["minLength", "maxLength", "pattern", "format", "enum"],
        "number" | "integer" => &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "format",
            "enum",
        ],
        "array" => &["items", "minItems", "maxItems", "uniqueItems"],
        "object" => &[
            "properties",
            "required",
            "additionalProperties",
            "minProperties",
            "maxProperties",
        ],
        "boolean" => &["enum"],
        _ => &[],
    }
}

fn is_null_schema(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => {
            let only_null_type = match map.get("type") {
                Some(Value::String(t)) => t == "null",
                Some(Value::Array(ts)) => !ts.is_empty() && ts.iter().all(|t| t == "null"),
                _ => false,
            };
            let only_null_const = map.get("const").is_some_and(Value::is_null);
            let only_null_enum = matches!(map.get("enum"), Some(Value::Array(vs)) if !vs.is_empty() && vs.iter().all(Value::is_null));
            only_null_type || only_null_const || only_null_enum
        }
        _ => false,
    }
}

fn json_type_of(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "string",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => "null",
    }
}

/// What a schema is being converted as.
#[derive(Clone)]
struct Ctx {
    /// A PascalCase name for types generated from this schema.
    hint: String,
    /// Whether string enums in this schema are open.
    open: bool,
    /// The component this schema belongs to, for tag-property lookups.
    component: Option<String>,
    /// True at the top of a component (titles there are left alone).
    root: bool,
}

impl Converter {
    fn note(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.notes.push(Problem::new(pointer, message));
    }

    fn schemas(&self) -> Option<&Map<String, Value>> {
        self.doc
            .get("components")
            .and_then(|c| c.get("schemas"))
            .and_then(Value::as_object)
    }

    /// Every local `$ref` must point at something that exists. A reference into another
    /// document cannot be followed: it is left out with a note (a schema becomes any JSON value,
    /// a parameter is dropped, a response or body describes nothing).
    fn check_references(&mut self) -> Result<(), Problem> {
        let mut external = Vec::new();
        walk(&self.doc, &self.doc, "", &mut external)?;
        for (pointer, reference) in external.into_iter().rev() {
            let (parent, last) = pointer.rsplit_once('/').unwrap_or_default();
            let in_list = last.parse::<usize>().is_ok()
                && parent.ends_with("/parameters")
                && self.doc.pointer(parent).is_some_and(Value::is_array);
            if in_list {
                if let Some(Value::Array(list)) = self.doc.pointer_mut(parent)
                    && let Ok(index) = last.parse::<usize>()
                    && index < list.len()
                {
                    list.remove(index);
                }
            } else if let Some(slot) = self.doc.pointer_mut(&pointer) {
                *slot = json!({ "description": format!("Defined in another document (`{reference}`).") });
            }
            self.note(
                join(&pointer, "$ref"),
                format!(
                    "the external reference `{reference}` cannot be followed (bundle the document into one file to keep it); {}",
                    if in_list { "the parameter is left out" } else { "left out (a schema here is any JSON value)" }
                ),
            );
        }
        return Ok(());

        fn walk(
            doc: &Value,
            value: &Value,
            pointer: &str,
            external: &mut Vec<(String, String)>,
        ) -> Result<(), Problem> {
            match value {
                Value::Object(map) => {
                    for (key, child) in map {
                        let here = join(pointer, key);
                        if key == "$ref" {
                            let Value::String(reference) = child else {
                                return Err(Problem::new(here, "`$ref` must be a string"));
                            };
                            let Some(target) = reference.strip_prefix('#') else {
                                external.push((pointer.to_owned(), reference.clone()));
                                continue;
                            };
                            if doc.pointer(target).is_none() {
                                return Err(Problem::new(
                                    here,
                                    format!("reference `{reference}` points at nothing"),
                                ));
                            }
                        } else {
                            walk(doc, child, &here, external)?;
                        }
                    }
                    Ok(())
                }
                Value::Array(items) => items.iter().enumerate().try_for_each(|(i, item)| {
                    walk(doc, item, &join(pointer, &i.to_string()), external)
                }),
                _ => Ok(()),
            }
        }
    }

    /// Replaces `$ref`s to `components/responses` and `components/requestBodies` with copies.
    fn inline_component_references(&mut self) -> Result<(), Problem> {
        let snapshot = self.doc.clone();
        let resolve = |value: &mut Value, pointer: &str, prefix: &str| -> Result<(), Problem> {
            // Follow chains of references, but not forever.
            for _ in 0..16 {
                let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                    return Ok(());
                };
                if !reference.starts_with(prefix) {
                    return Err(Problem::new(
                        join(pointer, "$ref"),
                        format!("expected a reference into `{prefix}`, found `{reference}`"),
                    ));
                }
                let target = snapshot.pointer(&reference[1..]).cloned().ok_or_else(|| {
                    Problem::new(pointer, format!("`{reference}` points at nothing"))
                })?;
                *value = target;
            }
            Err(Problem::new(pointer, "a cycle of references"))
        };
        let Some(paths) = self.doc.get_mut("paths").and_then(Value::as_object_mut) else {
            return Ok(());
        };
        let mut notes = Vec::new();
        for (path, item) in paths.iter_mut() {
            let path_ptr = join("/paths", path);
            // A path item by reference (`#/components/pathItems/…`): its copy, with the fields
            // written beside the reference taking precedence.
            for _ in 0..16 {
                let Some(reference) = item.get("$ref").and_then(Value::as_str).map(str::to_owned)
                else {
                    break;
                };
                let target = snapshot
                    .pointer(reference.trim_start_matches('#'))
                    .and_then(Value::as_object)
                    .cloned()
                    .ok_or_else(|| {
                        Problem::new(
                            join(&path_ptr, "$ref"),
                            format!("`{reference}` points at no path item"),
                        )
                    })?;
                let mut merged = target;
                if let Value::Object(siblings) = &*item {
                    for (k, v) in siblings {
                        if k != "$ref" {
                            merged.insert(k.clone(), v.clone());
                        }
                    }
                }
                *item = Value::Object(merged);
                notes.push(Problem::new(
                    join(&path_ptr, "$ref"),
                    format!("the path item `{reference}` is written out here"),
                ));
            }
            for method in METHODS {
                let Some(op) = item.get_mut(method) else {
                    continue;
                };
                let op_ptr = join(&path_ptr, method);
                if let Some(body) = op.get_mut("requestBody") {
                    resolve(
                        body,
                        &join(&op_ptr, "requestBody"),
                        "#/components/requestBodies/",
                    )?;
                }
                if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                    for (code, response) in responses.iter_mut() {
                        let ptr = join(&join(&op_ptr, "responses"), code);
                        resolve(response, &ptr, "#/components/responses/")?;
                    }
                }
            }
        }
        self.notes.extend(notes);
        Ok(())
    }

    /// Every operation gets an `operationId`, unique in the document: progenitor and the SDK
    /// name methods and types after it. One without is named after its method and path
    /// (`postV1Items`); a repeated one gets the method as a suffix (and a number if needed).
    fn name_operations(&mut self) {
        let mut taken: BTreeSet<String> = crate::document::operations(&self.doc)
            .filter_map(|(_, _, op)| op.get("operationId").and_then(Value::as_str))
            .map(str::to_owned)
            .collect();
        let mut seen = BTreeSet::new();
        let mut renames: Vec<(String, &'static str, String, String)> = Vec::new();
        for (path, method, op) in crate::document::operations(&self.doc) {
            let (base, why) = match op.get("operationId").and_then(Value::as_str) {
                Some(id) if seen.insert(id.to_owned()) => continue,
                Some(id) => (
                    format!("{id}{}", pascal_case(method)),
                    format!("`{id}` is the operationId of an earlier operation too"),
                ),
                None => (
                    format!("{method}{}", pascal_case(path)),
                    "the operation has no operationId (progenitor and the SDK name methods after it)".to_owned(),
                ),
            };
            let mut unique = base.clone();
            let mut n = 2;
            while taken.contains(&unique) {
                unique = format!("{base}{n}");
                n += 1;
            }
            taken.insert(unique.clone());
            renames.push((path.to_owned(), method, unique, why));
        }
        for (path, method, id, why) in renames {
            let pointer = join(&join("/paths", &path), method);
            if let Some(Value::Object(op)) = self.doc.pointer_mut(&pointer) {
                op.insert("operationId".into(), json!(id));
            }
            self.note(pointer, format!("{why}; it is `{id}` here"));
        }
    }

    /// Cookie parameters are left out: progenitor cannot send them, and the SDK sends none.
    fn drop_cookie_parameters(&mut self) {
        let snapshot = self.doc.clone();
        let is_cookie = |parameter: &Value| {
            let parameter = match parameter.get("$ref").and_then(Value::as_str) {
                Some(reference) => snapshot
                    .pointer(reference.trim_start_matches('#'))
                    .unwrap_or(&Value::Null),
                None => parameter,
            };
            parameter.get("in").and_then(Value::as_str) == Some("cookie")
        };
        let mut lists = Vec::new();
        for (path, item) in snapshot
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let path_ptr = join("/paths", path);
            lists.push(join(&path_ptr, "parameters"));
            for method in METHODS {
                if item.get(method).is_some() {
                    lists.push(join(&join(&path_ptr, method), "parameters"));
                }
            }
        }
        for list_ptr in lists {
            let Some(Value::Array(list)) = snapshot.pointer(&list_ptr) else {
                continue;
            };
            for (i, parameter) in list.iter().enumerate().rev() {
                if !is_cookie(parameter) {
                    continue;
                }
                if let Some(Value::Array(live)) = self.doc.pointer_mut(&list_ptr) {
                    live.remove(i);
                }
                self.note(
                    join(&list_ptr, &i.to_string()),
                    "cookie parameter left out: progenitor cannot send cookies, and the SDK sends none",
                );
            }
        }
    }

    /// A `$ref` into a component schema (`#/components/schemas/A/$defs/B`,
    /// `#/components/schemas/A/properties/b`) names no type progenitor knows: what it points at
    /// becomes a component of its own (`AB`), and every such reference points at that.
    fn hoist_deep_references(&mut self) {
        const PREFIX: &str = "#/components/schemas/";
        for _ in 0..8 {
            let mut refs = Vec::new();
            crate::document::collect_refs(&self.doc, &mut refs);
            let deep: BTreeSet<String> = refs
                .into_iter()
                .filter(|r| {
                    r.strip_prefix(PREFIX)
                        .is_some_and(|rest| rest.contains('/'))
                })
                .map(str::to_owned)
                .collect();
            if deep.is_empty() {
                return;
            }
            let mut names = BTreeMap::new();
            for reference in &deep {
                let Some(target) = self.doc.pointer(&reference[1..]).cloned() else {
                    continue;
                };
                let tokens: Vec<String> = reference[PREFIX.len()..]
                    .split('/')
                    .map(crate::document::unescape)
                    .filter(|t| !matches!(t.as_str(), "$defs" | "definitions" | "properties"))
                    .collect();
                let base = pascal_case(&tokens.join("-"));
                let mut name = base.clone();
                let mut n = 2;
                while self.schemas().is_some_and(|s| s.contains_key(&name)) {
                    name = format!("{base}{n}");
                    n += 1;
                }
                if let Some(Value::Object(schemas)) = self.doc.pointer_mut("/components/schemas") {
                    schemas.insert(name.clone(), target);
                }
                self.note(
                    format!("/components/schemas/{}", escape(&name)),
                    format!("`{reference}` points inside a component; what it points at is the component `{name}`"),
                );
                names.insert(reference.clone(), format!("{PREFIX}{}", escape(&name)));
            }
            rewrite_refs(&mut self.doc, &names);
        }
    }

    /// The `data` of an event stream's envelope (or of each envelope of a union of envelopes)
    /// written inline becomes a component (`<Envelope>Data`, the name typify would give it), so
    /// that the SDK gets a typed event for it.
    fn hoist_event_data(&mut self) {
        let mut done = BTreeSet::new();
        for (envelope_ptr, name) in self.event_envelopes() {
            if done.insert(envelope_ptr.clone()) {
                self.hoist_data(&envelope_ptr, &name);
            }
        }
    }

    /// The envelopes of the document's event streams, each with the name its data's component
    /// would take: the stream's envelope, or each envelope of a discriminated union of them.
    fn event_envelopes(&self) -> Vec<(String, String)> {
        let doc = &self.doc;
        let component_of = |schema: &Value| -> Option<String> {
            schema
                .get("$ref")
                .or_else(|| schema.pointer("/allOf/0/$ref"))
                .and_then(Value::as_str)
                .and_then(schema_ref_name)
                .filter(|n| {
                    doc.pointer(&format!("/components/schemas/{}", escape(n)))
                        .is_some()
                })
                .map(str::to_owned)
        };
        let mut envelopes = Vec::new();
        for (path, method, op) in crate::document::operations(doc) {
            let op_id = op
                .get("operationId")
                .and_then(Value::as_str)
                .map(pascal_case)
                .unwrap_or_default();
            for (code, response) in op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(c, _)| c.starts_with('2'))
            {
                let Some(schema) = response.pointer("/content/text~1event-stream/schema") else {
                    continue;
                };
                // The envelope: a component, or the inline schema itself.
                let (envelope_ptr, envelope, base) = match component_of(schema) {
                    Some(name) => {
                        let ptr = format!("/components/schemas/{}", escape(&name));
                        let value = doc.pointer(&ptr).cloned().unwrap_or_default();
                        (ptr, value, name)
                    }
                    None => {
                        let responses = join(&join(&join("/paths", path), method), "responses");
                        let ptr = format!(
                            "{}/content/text~1event-stream/schema",
                            join(&responses, code)
                        );
                        (ptr, schema.clone(), format!("{op_id}Event"))
                    }
                };
                if envelope.get("discriminator").is_none() {
                    envelopes.push((envelope_ptr, format!("{base}Data")));
                    continue;
                }
                for branch in ["oneOf", "anyOf"]
                    .iter()
                    .filter_map(|k| envelope.get(*k).and_then(Value::as_array))
                    .flatten()
                    .filter_map(&component_of)
                {
                    envelopes.push((
                        format!("/components/schemas/{}", escape(&branch)),
                        format!("{branch}Data"),
                    ));
                }
            }
        }
        envelopes
    }

    /// The inline `data` of the envelope at `envelope_ptr`, if it generates a type, becomes the
    /// component `name` (or `name2`, … when taken).
    fn hoist_data(&mut self, envelope_ptr: &str, name: &str) {
        let data_ptr = format!("{envelope_ptr}/properties/data");
        let Some(data) = self.doc.pointer(&data_ptr).cloned() else {
            return;
        };
        if data.get("$ref").is_some() || !generates_type(&data) {
            return;
        }
        let taken = self.schemas().cloned().unwrap_or_default();
        let unique = unused(
            name.to_owned(),
            |n| format!("{name}{n}"),
            |candidate| taken.contains_key(candidate),
        );
        self.add_components(vec![(unique.clone(), data)]);
        if let Some(slot) = self.doc.pointer_mut(&data_ptr) {
            *slot = json!({ "$ref": format!("#/components/schemas/{}", escape(&unique)) });
        }
        self.note(
            data_ptr,
            format!("the inline data of the stream's events became the component `{unique}`, so that its events are typed"),
        );
    }

    /// Component schemas reachable from any response body or event stream.
    fn find_open_components(&mut self) {
        let mut roots: Vec<String> = Vec::new();
        if let Some(paths) = self.doc.get("paths").and_then(Value::as_object) {
            for item in paths.values() {
                for method in METHODS {
                    let responses = item
                        .get(method)
                        .and_then(|op| op.get("responses"))
                        .and_then(Value::as_object);
                    for response in responses.into_iter().flat_map(|r| r.values()) {
                        if let Some(content) = response.get("content") {
                            roots.extend(referenced_schemas(content));
                        }
                    }
                }
            }
        }
        let schemas = self.schemas().cloned().unwrap_or_default();
        self.open_components = reachable_schemas(&schemas, roots);
    }

    /// `(component, property)` pairs that discriminate a union: they stay closed.
    fn find_tag_properties(&mut self) {
        fn walk(value: &Value, out: &mut BTreeSet<(String, String)>) {
            match value {
                Value::Object(map) => {
                    if let (Some(Value::String(tag)), Some(Value::Array(branches))) = (
                        map.get("discriminator").and_then(|d| d.get("propertyName")),
                        map.get("oneOf").or_else(|| map.get("anyOf")),
                    ) {
                        for branch in branches {
                            if let Some(name) = branch
                                .get("$ref")
                                .and_then(Value::as_str)
                                .and_then(schema_ref_name)
                            {
                                out.insert((name.to_owned(), tag.clone()));
                            }
                        }
                    }
                    map.values().for_each(|v| walk(v, out));
                }
                Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        let mut found = BTreeSet::new();
        walk(&self.doc, &mut found);
        self.tag_properties = found;
    }

    /// Converts every schema of the document: the components', the component parameters', and
    /// those inside operations.
    fn convert_schemas(&mut self) -> Result<(), Problem> {
        // Component schemas.
        let names: Vec<String> = self
            .schemas()
            .map(|s| s.keys().cloned().collect())
            .unwrap_or_default();
        for name in names {
            let pointer = format!("/components/schemas/{}", escape(&name));
            let original = self.doc.pointer(&pointer).cloned().unwrap_or(Value::Null);
            let ctx = Ctx {
                hint: pascal_case(&name),
                open: self.open_components.contains(&name),
                component: Some(name.clone()),
                root: true,
            };
            let converted = self.schema(&original, &pointer, &ctx)?;
            if let Some(slot) = self.doc.pointer_mut(&pointer) {
                *slot = converted;
            }
        }
        // Component parameters.
        let parameter_names: Vec<String> = self
            .doc
            .pointer("/components/parameters")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for name in parameter_names {
            let pointer = format!("/components/parameters/{}", escape(&name));
            self.convert_parameter(&pointer, &pascal_case(&name))?;
        }
        // Schemas inside operations.
        let paths: Vec<String> = self
            .doc
            .get("paths")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for path in paths {
            let path_ptr = join("/paths", &path);
            let count = self
                .doc
                .pointer(&join(&path_ptr, "parameters"))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            for i in 0..count {
                self.convert_parameter(&format!("{path_ptr}/parameters/{i}"), "Parameter")?;
            }
            for method in METHODS {
                self.convert_operation(&join(&path_ptr, method))?;
            }
        }
        Ok(())
    }

    /// Converts the schemas of one operation (if there is one at `op_ptr`): its parameters', its
    /// request body's and its responses', their types named after the operation.
    fn convert_operation(&mut self, op_ptr: &str) -> Result<(), Problem> {
        let Some(op) = self.doc.pointer(op_ptr).cloned() else {
            return Ok(());
        };
        let op_id = op
            .get("operationId")
            .and_then(Value::as_str)
            .map(pascal_case)
            .ok_or_else(|| {
                Problem::new(
                    op_ptr,
                    "the operation has no `operationId`; progenitor names methods after it",
                )
            })?;
        let count = op
            .get("parameters")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        for i in 0..count {
            self.convert_parameter(&format!("{op_ptr}/parameters/{i}"), &op_id)?;
        }
        self.convert_content(&join(op_ptr, "requestBody"), &format!("{op_id}Body"), false)?;
        for code in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|r| r.keys())
        {
            let ptr = join(&join(op_ptr, "responses"), code);
            let hint = if code.starts_with('2') {
                format!("{op_id}Response")
            } else {
                format!("{op_id}Error")
            };
            self.convert_content(&ptr, &hint, true)?;
        }
        Ok(())
    }

    fn convert_parameter(&mut self, pointer: &str, hint: &str) -> Result<(), Problem> {
        let Some(parameter) = self.doc.pointer(pointer).cloned() else {
            return Ok(());
        };
        if parameter.get("$ref").is_some() {
            return Ok(());
        }
        if parameter.get("in").and_then(Value::as_str) == Some("cookie") {
            // Left out of every operation (see `drop_cookie_parameters`).
            return Ok(());
        }
        if let Some(schema) = parameter.get("schema") {
            let name = parameter
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("value");
            let ctx = Ctx {
                hint: format!("{hint}{}", pascal_case(name)),
                open: false,
                component: None,
                root: false,
            };
            let mut converted = self.schema(schema, &join(pointer, "schema"), &ctx)?;
            // A parameter that may be left out needs no `null` as well: progenitor would take an
            // `Option<Option<T>>`-like value it cannot format. Absent is how a parameter says null.
            if let Value::Object(map) = &mut converted
                && map.get("nullable") == Some(&Value::Bool(true))
            {
                map.remove("nullable");
                if parameter.get("required").and_then(Value::as_bool) == Some(true) {
                    self.note(join(pointer, "schema"), "a required parameter that may be null: null cannot be sent in a path, query or header, so it is required and not nullable in the progenitor form");
                }
                // An optional nullable parameter is simply optional: no note, nothing is lost.
                if let Some(Value::Array(branches)) = map.get("allOf")
                    && branches.len() == 1
                    && map.len() == 1
                {
                    converted = branches[0].clone();
                }
            }
            if let Some(slot) = self.doc.pointer_mut(&join(pointer, "schema")) {
                *slot = converted;
            }
        }
        Ok(())
    }

    fn convert_content(&mut self, pointer: &str, hint: &str, open: bool) -> Result<(), Problem> {
        let content_ptr = join(pointer, "content");
        let media_types: Vec<String> = self
            .doc
            .pointer(&content_ptr)
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for media_type in media_types {
            let schema_ptr = join(&join(&content_ptr, &media_type), "schema");
            let Some(schema) = self.doc.pointer(&schema_ptr).cloned() else {
                continue;
            };
            let ctx = Ctx {
                hint: hint.to_owned(),
                open,
                component: None,
                root: true,
            };
            let converted = self.schema(&schema, &schema_ptr, &ctx)?;
            if let Some(slot) = self.doc.pointer_mut(&schema_ptr) {
                *slot = converted;
            }
            let media_ptr = join(&content_ptr, &media_type);
            if let Some(Value::Object(media)) = self.doc.pointer_mut(&media_ptr)
                && let Some(examples) = media.remove("examples")
            {
                // 3.0 media types do have `examples` (a map of Example objects); keep it only when
                // it has that shape.
                if examples
                    .as_object()
                    .is_some_and(|m| m.values().all(Value::is_object))
                {
                    media.insert("examples".into(), examples);
                }
            }
        }
        Ok(())
    }

    /// Converts one schema (recursively): what has no 3.0 form degrades first (with a note), then
    /// each keyword is converted, then the result is put in the shapes typify reads well.
    fn schema(&mut self, input: &Value, pointer: &str, ctx: &Ctx) -> Result<Value, Problem> {
        let map = match input {
            Value::Bool(true) => return Ok(json!({})),
            Value::Bool(false) => {
                self.note(
                    pointer,
                    "the schema `false` (no value is valid) has no progenitor form: any JSON value in the SDK",
                );
                return Ok(json!({}));
            }
            Value::Object(map) => map,
            _ => {
                return Err(Problem::new(
                    pointer,
                    "a schema must be an object or a boolean",
                ));
            }
        };
        if let Some(degraded) = self.without_3_0_form(input, map, pointer, ctx)? {
            return Ok(degraded);
        }
        // `$ref`, possibly with siblings.
        if let Some(reference) = map.get("$ref") {
            let constrained = map.keys().any(|k| {
                k != "$ref" && !DOC_KEYWORDS.contains(&k.as_str()) && !k.starts_with("x-")
            });
            if !constrained {
                return Ok(json!({ "$ref": reference }));
            }
            let mut siblings = map.clone();
            siblings.remove("$ref");
            siblings.insert("allOf".into(), json!([{ "$ref": reference }]));
            return self.schema(&Value::Object(siblings), pointer, ctx);
        }

        let mut out = Converted3 {
            map: Map::new(),
            nullable: map
                .get("nullable")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        };
        for (key, value) in map {
            self.keyword(&mut out, map, key, value, &join(pointer, key), ctx)?;
        }
        let Converted3 {
            map: mut out,
            nullable,
        } = out;
        collapse_single_branch(&mut out);
        split_type_arrays(&mut out, ctx);
        self.lower_integer_bound(&mut out, pointer);
        let open_marker = map.get("x-open-enum").and_then(Value::as_bool);
        open_enum(&mut out, open_marker, pointer, ctx)?;
        if nullable {
            out.insert("nullable".into(), json!(true));
        }
        Ok(Value::Object(out))
    }

    /// The schema's degraded form when it, or some of its keywords, have no OpenAPI 3.0 form: a
    /// dynamic reference or a schema of only `null` becomes any JSON value; unsupported keywords
    /// are dropped (one `patternProperties` pattern becomes `additionalProperties`) and the rest
    /// converted. `None` when the schema converts as it is.
    fn without_3_0_form(
        &mut self,
        input: &Value,
        map: &Map<String, Value>,
        pointer: &str,
        ctx: &Ctx,
    ) -> Result<Option<Value>, Problem> {
        if let Some(keyword) = DYNAMIC_KEYWORDS.iter().find(|k| map.contains_key(**k)) {
            self.note(
                join(pointer, keyword),
                format!(
                    "`{keyword}` (a schema known only when the document is evaluated) has no progenitor form: any JSON value in the SDK"
                ),
            );
            return Ok(Some(json!({})));
        }
        let unsupported: Vec<&str> = UNSUPPORTED_KEYWORDS
            .iter()
            .copied()
            .filter(|k| map.contains_key(*k))
            .collect();
        if !unsupported.is_empty() {
            let mut kept = map.clone();
            for keyword in unsupported {
                kept.remove(keyword);
                self.drop_unsupported(&mut kept, map, keyword, pointer);
            }
            return self.schema(&Value::Object(kept), pointer, ctx).map(Some);
        }
        if is_null_schema(input) {
            self.note(
                pointer,
                "a schema that allows only `null` has no OpenAPI 3.0 form: any JSON value in the SDK",
            );
            return Ok(Some(json!({})));
        }
        Ok(None)
    }

    /// Notes an unsupported keyword dropped from `kept`; one `patternProperties` pattern without
    /// `additionalProperties` becomes `additionalProperties` (every other member has its schema).
    fn drop_unsupported(
        &mut self,
        kept: &mut Map<String, Value>,
        map: &Map<String, Value>,
        keyword: &str,
        pointer: &str,
    ) {
        let pattern = match &map[keyword] {
            Value::Object(patterns) if keyword == "patternProperties" => {
                patterns.values().next().filter(|_| patterns.len() == 1)
            }
            _ => None,
        };
        match pattern {
            Some(schema) if !map.contains_key("additionalProperties") => {
                kept.insert("additionalProperties".into(), schema.clone());
                self.note(
                    join(pointer, keyword),
                    "`patternProperties` with one pattern became `additionalProperties` (the pattern of the names is not checked)",
                );
            }
            _ => self.note(
                join(pointer, keyword),
                format!(
                    "dropped the JSON Schema keyword `{keyword}` (OpenAPI 3.0 and progenitor have no equivalent; the SDK checks less than the document says)"
                ),
            ),
        }
    }

    /// Converts one keyword of a schema (`map`) into `out`.
    fn keyword(
        &mut self,
        out: &mut Converted3,
        map: &Map<String, Value>,
        key: &str,
        value: &Value,
        here: &str,
        ctx: &Ctx,
    ) -> Result<(), Problem> {
        match key {
            "nullable" | "x-open-enum" => {}
            "type" => self.type_keyword(out, value, here)?,
            "const" => {
                out.map.insert("enum".into(), json!([value]));
                if !map.contains_key("type") {
                    out.map.insert("type".into(), json!(json_type_of(value)));
                }
            }
            "enum" => {
                let Value::Array(values) = value else {
                    return Err(Problem::new(here, "`enum` must be an array"));
                };
                if values.iter().any(Value::is_null) {
                    out.nullable = true;
                }
                let values = values.iter().filter(|v| !v.is_null()).cloned().collect();
                out.map.insert(key.into(), Value::Array(values));
            }
            "examples" => {
                if let Some(first) = value.as_array().and_then(|a| a.first()) {
                    out.map.entry("example").or_insert_with(|| first.clone());
                }
            }
            "exclusiveMinimum" | "exclusiveMaximum" => exclusive_bound(out, map, key, value, here)?,
            "minimum" | "maximum" => {
                // An exclusive bound that is stricter was already written.
                if !out.map.contains_key(key) {
                    out.map.insert(key.into(), value.clone());
                }
            }
            "properties" => {
                let properties = self.properties(value, here, ctx)?;
                out.map.insert(key.into(), properties);
            }
            "items" | "prefixItems" => self.items(out, map, key, value, here, ctx)?,
            "additionalProperties" => match value {
                Value::Bool(false) => self.note(
                    here,
                    "dropped `additionalProperties: false`: it would become `deny_unknown_fields` and reject new fields",
                ),
                Value::Bool(true) => {
                    out.map.insert(key.into(), value.clone());
                }
                _ => {
                    let child = ctx.below("Value");
                    out.map.insert(key.into(), self.schema(value, here, &child)?);
                }
            },
            "not" => {
                let child = ctx.below("Not");
                out.map.insert(key.into(), self.schema(value, here, &child)?);
            }
            "allOf" | "oneOf" | "anyOf" => self.union(out, key, value, here, ctx)?,
            "title" => {
                // Qualified below the top of a component: typify names types after titles.
                let title = if ctx.root { value.clone() } else { json!(ctx.hint) };
                out.map.insert(key.into(), title);
            }
            "pattern" => {
                // typify would make a validated newtype needing the `regress` crate at run
                // time; the server validates the pattern anyway.
                self.note(
                    here,
                    "dropped `pattern`: the server checks it (a validated newtype would need the regress crate)",
                );
            }
            k if DROPPED_KEYWORDS.contains(&k) => {
                self.note(here, format!("dropped `{k}`: progenitor ignores it"));
            }
            _ => {
                out.map.insert(key.into(), value.clone());
            }
        }
        Ok(())
    }

    /// `type`: a string as it is; an array without `null` (which makes the schema nullable),
    /// kept as an array to be split into branches once every keyword is converted.
    fn type_keyword(
        &mut self,
        out: &mut Converted3,
        value: &Value,
        here: &str,
    ) -> Result<(), Problem> {
        let types = match value {
            Value::String(_) => {
                out.map.insert("type".into(), value.clone());
                return Ok(());
            }
            Value::Array(types) => types,
            _ => {
                return Err(Problem::new(
                    here,
                    "`type` must be a string or an array of strings",
                ));
            }
        };
        let mut non_null: Vec<&str> = Vec::new();
        for t in types {
            match t.as_str() {
                Some("null") => out.nullable = true,
                Some(t) => non_null.push(t),
                None => return Err(Problem::new(here, "`type` entries must be strings")),
            }
        }
        match non_null.as_slice() {
            [] => self.note(
                here,
                "a type that allows only `null` has no OpenAPI 3.0 form: any JSON value in the SDK",
            ),
            [one] => {
                out.map.insert("type".into(), json!(one));
            }
            _ => {
                out.map.insert("type".into(), json!(non_null));
            }
        }
        Ok(())
    }

    /// `properties`, each converted, its types named after the property; the tag property of a
    /// discriminated union keeps a closed enum.
    fn properties(&mut self, value: &Value, here: &str, ctx: &Ctx) -> Result<Value, Problem> {
        let Value::Object(properties) = value else {
            return Err(Problem::new(here, "`properties` must be an object"));
        };
        let mut converted = Map::new();
        for (name, property) in properties {
            let is_tag = ctx
                .component
                .as_ref()
                .is_some_and(|c| self.tag_properties.contains(&(c.clone(), name.clone())));
            let child = Ctx {
                hint: format!("{}{}", ctx.hint, pascal_case(name)),
                open: ctx.open && !is_tag,
                component: None,
                root: false,
            };
            converted.insert(
                name.clone(),
                self.schema(property, &join(here, name), &child)?,
            );
        }
        Ok(Value::Object(converted))
    }

    /// `items` and `prefixItems`. A tuple (`prefixItems`, or 3.0-era `items: [..]`) has no
    /// progenitor form: it becomes an array of its one element schema when all are the same,
    /// otherwise an array of any JSON values.
    fn items(
        &mut self,
        out: &mut Converted3,
        map: &Map<String, Value>,
        key: &str,
        value: &Value,
        here: &str,
        ctx: &Ctx,
    ) -> Result<(), Problem> {
        let tuple = match (key, value) {
            // `items: false` after `prefixItems`: no more elements, which an array type cannot
            // say; `items: true`: any more elements.
            ("items", Value::Bool(_)) if map.contains_key("prefixItems") => return Ok(()),
            ("prefixItems", Value::Array(items)) | ("items", Value::Array(items)) => Some(items),
            ("prefixItems", _) => return Err(Problem::new(here, "`prefixItems` must be an array")),
            _ => None,
        };
        let element = match tuple {
            None => value.clone(),
            Some(items) => {
                let same = items.windows(2).all(|w| w[0] == w[1]);
                let (element, what) = match items.first() {
                    Some(first) if same => (first.clone(), "an array of its element schema"),
                    _ => (json!({}), "an array of any JSON values"),
                };
                self.note(
                    here,
                    format!(
                        "tuple of {} elements degraded to {what} (progenitor has no tuples)",
                        items.len()
                    ),
                );
                element
            }
        };
        if key == "prefixItems" && map.get("items").is_some_and(|i| !i.is_boolean()) {
            // Both: the `items` keyword (the rest of the tuple) is converted on its own.
            return Ok(());
        }
        let child = ctx.below("Item");
        out.map
            .insert("items".into(), self.schema(&element, here, &child)?);
        Ok(())
    }

    /// `allOf`, `oneOf` and `anyOf` (which becomes `oneOf`): each branch converted, a `null`
    /// branch making the union nullable, branches named after their titles.
    fn union(
        &mut self,
        out: &mut Converted3,
        key: &str,
        value: &Value,
        here: &str,
        ctx: &Ctx,
    ) -> Result<(), Problem> {
        let Value::Array(branches) = value else {
            return Err(Problem::new(here, format!("`{key}` must be an array")));
        };
        let target = if key == "anyOf" { "oneOf" } else { key };
        let non_null = branches.iter().filter(|b| !is_null_schema(b)).count();
        if key == "anyOf" && non_null > 1 {
            self.note(
                here,
                "`anyOf` became `oneOf` (typify cannot decode an `anyOf` of scalars)",
            );
        }
        let mut converted = Vec::new();
        for (i, branch) in branches.iter().enumerate() {
            if key != "allOf" && is_null_schema(branch) {
                out.nullable = true;
                continue;
            }
            let title = branch.get("title").and_then(Value::as_str).map(pascal_case);
            // The one branch of a nullable union is the union itself: no suffix.
            let suffix = if key != "allOf" && non_null == 1 {
                String::new()
            } else {
                title.unwrap_or_else(|| format!("Variant{i}"))
            };
            let child = ctx.below(&suffix);
            converted.push(self.schema(branch, &join(here, &i.to_string()), &child)?);
        }
        if converted.is_empty() {
            self.note(
                here,
                "a union of only `null` has no OpenAPI 3.0 form: any JSON value in the SDK",
            );
            return Ok(());
        }
        let mut all = out
            .map
            .remove(target)
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default();
        all.extend(converted);
        out.map.insert(target.into(), Value::Array(all));
        Ok(())
    }

    /// An integer lower bound of 1 becomes 0, to keep typify away from `NonZeroU64`.
    fn lower_integer_bound(&mut self, out: &mut Map<String, Value>, pointer: &str) {
        if out.get("type").and_then(Value::as_str) != Some("integer") {
            return;
        }
        let exclusive = out
            .get("exclusiveMinimum")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let min = out.get("minimum").and_then(Value::as_f64);
        let effective = min.map(|m| if exclusive { m.floor() + 1.0 } else { m.ceil() });
        if effective == Some(1.0) {
            out.insert("minimum".into(), json!(0));
            out.remove("exclusiveMinimum");
            self.note(
                pointer,
                "integer lower bound 1 lowered to 0 in the progenitor form (typify would emit NonZeroU64)",
            );
        }
    }

    /// Splits JSON+SSE operations, unifies error responses and hoists inline response schemas.
    fn rewrite_operations(&mut self) -> Result<(), Problem> {
        let Some(paths) = self.doc.get("paths").and_then(Value::as_object).cloned() else {
            return Ok(());
        };
        let mut new_paths = Map::new();
        let mut hoisted: Vec<(String, Value)> = Vec::new();
        for (path, item) in &paths {
            let mut item = item.clone();
            let mut stream_items: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
            for method in METHODS {
                if item.get(method).is_none() {
                    continue;
                }
                let op_ptr = join(&join("/paths", path), method);
                let op = item.get_mut(method).expect("method present");
                if let Some((stream_path, stream_op)) =
                    self.rewrite_operation(op, &op_ptr, path, &paths, &mut hoisted)?
                {
                    stream_items
                        .entry(stream_path)
                        .or_insert_with(|| item_without_methods(&paths[path]))
                        .insert(method.to_owned(), stream_op);
                }
            }
            for (stream_path, stream_item) in stream_items {
                new_paths.insert(stream_path, Value::Object(stream_item));
            }
            new_paths.insert(path.clone(), item);
        }
        // Keep the original order of paths, with each `#stream` path right after its source
        // (BTreeMap order already does that: `/a` < `/a#stream`).
        self.doc["paths"] = Value::Object(new_paths);
        self.add_components(hoisted);
        Ok(())
    }

    /// Rewrites one operation in place (see [`Self::rewrite_operations`]); returns the event
    /// stream operation split from it, if any, with its path.
    fn rewrite_operation(
        &mut self,
        op: &mut Value,
        op_ptr: &str,
        path: &str,
        paths: &Map<String, Value>,
        hoisted: &mut Vec<(String, Value)>,
    ) -> Result<Option<(String, Value)>, Problem> {
        let op_id = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        self.drop_unsupported_bodies(op, op_ptr);
        if !op.get("responses").is_some_and(Value::is_object) {
            // OpenAPI 3.1 lets an operation leave its answers unsaid.
            op["responses"] =
                json!({"200": {"description": "An answer the document does not describe."}});
            self.note(
                join(op_ptr, "responses"),
                "the operation declares no responses: in the SDK it answers nothing (a body is ignored)",
            );
        }
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            return Ok(None);
        };
        self.unify_errors(responses, op_ptr, &op_id, hoisted)?;
        self.unify_success_schemas(responses, op_ptr);
        let stream = self.split_event_stream(op, op_ptr, &op_id, path, paths);
        // Request bodies by reference too, so that every body type has a known name.
        if let Some(body) = op.get_mut("requestBody") {
            self.hoist_json_schema(body, &format!("{}Body", pascal_case(&op_id)), hoisted);
        }
        let responses = op
            .get_mut("responses")
            .and_then(Value::as_object_mut)
            .expect("responses present");
        self.keep_one_success_kind(responses, op_ptr);
        for (code, response) in responses.iter_mut() {
            if code.starts_with('2') {
                self.hoist_json_schema(
                    response,
                    &format!("{}Response", pascal_case(&op_id)),
                    hoisted,
                );
            }
        }
        Ok(stream)
    }

    /// An operation whose success answers JSON or an event stream becomes two: itself, answering
    /// JSON, and `<id>Stream` at `<path>#stream`, answering the stream (returned with its path).
    fn split_event_stream(
        &mut self,
        op: &mut Value,
        op_ptr: &str,
        op_id: &str,
        path: &str,
        paths: &Map<String, Value>,
    ) -> Option<(String, Value)> {
        let split = op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(code, _)| code.starts_with('2'))
            .any(|(_, response)| {
                let content = response.get("content").and_then(Value::as_object);
                content.is_some_and(|c| c.keys().any(|k| is_json(k)))
                    && content.is_some_and(|c| c.contains_key("text/event-stream"))
            });
        if !split {
            return None;
        }
        let mut stream_op = op.clone();
        let ids: BTreeSet<String> = crate::document::operations(&self.doc)
            .filter_map(|(_, _, o)| o.get("operationId").and_then(Value::as_str))
            .map(str::to_owned)
            .collect();
        let stream_id = unused(
            format!("{op_id}Stream"),
            |n| format!("{op_id}Stream{n}"),
            |id| ids.contains(id),
        );
        stream_op["operationId"] = json!(stream_id);
        if let Some(summary) = stream_op.get("summary").and_then(Value::as_str) {
            stream_op["summary"] = json!(format!("{summary} (event stream)"));
        }
        keep_success_media(op, is_json);
        keep_success_media(&mut stream_op, |k| k == "text/event-stream");
        // `#stream` taken by an operation of the document's own: another fragment.
        let stream_path = unused(
            format!("{path}#stream"),
            |n| format!("{path}#stream{n}"),
            |p| paths.contains_key(p),
        );
        self.note(
            op_ptr,
            format!(
                "split into `{op_id}` (application/json) and `{stream_id}` at `{stream_path}` (text/event-stream)"
            ),
        );
        Some((stream_path, stream_op))
    }

    /// progenitor needs one kind of success body (JSON, stream, none): the kind of the first
    /// success response is kept, the responses of other kinds are left out (with a note).
    fn keep_one_success_kind(&mut self, responses: &mut Map<String, Value>, op_ptr: &str) {
        let first_kind = responses
            .iter()
            .find(|(code, _)| code.starts_with('2'))
            .map(|(_, response)| success_kind(response));
        let other: Vec<String> = responses
            .iter()
            .filter(|(code, r)| code.starts_with('2') && Some(success_kind(r)) != first_kind)
            .map(|(code, _)| code.clone())
            .collect();
        if other.is_empty() {
            return;
        }
        for code in &other {
            responses.remove(code);
        }
        self.note(
            join(op_ptr, "responses"),
            format!(
                "the success responses have different kinds of body; progenitor needs one, so {} left out of the progenitor form (the SDK reads every success as {})",
                other
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                match first_kind {
                    Some("json") => "JSON",
                    Some("stream") => "an event stream",
                    _ => "no body",
                }
            ),
        );
    }

    /// Adds component schemas (creating `components/schemas` if the document has none).
    fn add_components(&mut self, schemas: Vec<(String, Value)>) {
        for (name, schema) in schemas {
            match self.doc["components"]["schemas"].as_object_mut() {
                Some(schemas) => {
                    schemas.insert(name, schema);
                }
                None => {
                    if !self.doc.get("components").is_some_and(Value::is_object) {
                        self.doc["components"] = json!({});
                    }
                    self.doc["components"]["schemas"] = json!({ name: schema });
                }
            }
        }
    }

    /// Request bodies progenitor cannot send (`multipart/form-data`, or several media types) are
    /// left out of the progenitor form: the low-level client then sends the operation without a
    /// body. The body schemas stay in `components`, so their types are still generated; the
    /// `friendli` crate builds such bodies itself.
    fn drop_unsupported_bodies(&mut self, op: &mut Value, op_ptr: &str) {
        const SENDABLE: [&str; 5] = [
            "application/json",
            "application/octet-stream",
            "application/x-www-form-urlencoded",
            "text/plain",
            "text/x-markdown",
        ];
        let Some(body) = op.get_mut("requestBody") else {
            return;
        };
        let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else {
            return;
        };
        let media_types: Vec<String> = content.keys().cloned().collect();
        let sendable: Vec<&String> = media_types
            .iter()
            .filter(|m| SENDABLE.contains(&m.split(';').next().unwrap_or_default().trim()))
            .collect();
        let keep = match sendable.as_slice() {
            [] => None,
            // Several: JSON if offered, otherwise the first.
            list => Some(
                list.iter()
                    .find(|m| is_json(m))
                    .copied()
                    .unwrap_or(list[0])
                    .clone(),
            ),
        };
        let dropped: Vec<String> = media_types
            .iter()
            .filter(|m| Some(*m) != keep.as_ref())
            .cloned()
            .collect();
        if dropped.is_empty() {
            return;
        }
        let multipart = content.get("multipart/form-data").and_then(|media| {
            let name = media
                .pointer("/schema/$ref")
                .and_then(Value::as_str)
                .and_then(schema_ref_name)?;
            let mut marker = json!({ "schema": name });
            if let Some(encoding) = media.get("encoding") {
                marker["encoding"] = encoding.clone();
            }
            Some(marker)
        });
        content.retain(|m, _| Some(m) == keep.as_ref());
        let body_ptr = join(op_ptr, "requestBody");
        if let (Some(marker), Value::Object(op)) = (multipart, &mut *op) {
            // Remembered for `drop_file_fields` and for the operation table of the SDK.
            op.insert("x-friendli-multipart".into(), marker);
        }
        if keep.is_none() {
            if let Value::Object(op) = op {
                op.remove("requestBody");
            }
            self.note(
                body_ptr,
                format!(
                    "request body ({}) left out of the progenitor form: progenitor cannot send it; the low-level method sends no body, the `friendli` crate builds it",
                    dropped.join(", ")
                ),
            );
        } else {
            self.note(
                body_ptr,
                format!(
                    "request body media types {} left out of the progenitor form (progenitor sends one)",
                    dropped.join(", ")
                ),
            );
        }
    }

    fn unify_errors(
        &mut self,
        responses: &mut Map<String, Value>,
        op_ptr: &str,
        op_id: &str,
        hoisted: &mut Vec<(String, Value)>,
    ) -> Result<(), Problem> {
        let responses_ptr = join(op_ptr, "responses");
        if let Some(default) = responses.remove("default") {
            let mut added = Vec::new();
            for range in ["4XX", "5XX"] {
                if !responses.contains_key(range) {
                    responses.insert(range.into(), default.clone());
                    added.push(range);
                }
            }
            self.note(
                join(&responses_ptr, "default"),
                format!("`default` response replaced by {} (progenitor would also count it as a success)", if added.is_empty() { "the existing 4XX/5XX".to_owned() } else { added.join(" + ") }),
            );
        }
        let error_codes: Vec<String> = responses
            .keys()
            .filter(|c| !c.starts_with('2'))
            .cloned()
            .collect();
        if error_codes.is_empty() {
            return Ok(());
        }
        let schemas: Vec<Option<Value>> = error_codes
            .iter()
            .map(|c| json_schema_of(&responses[c]))
            .collect();
        let distinct: BTreeSet<String> = schemas.iter().flatten().map(Value::to_string).collect();
        let any_without = schemas.iter().any(Option::is_none);
        if distinct.is_empty() {
            // No error has a JSON body: progenitor uses `()` for all of them.
            for code in &error_codes {
                if let Some(Value::Object(response)) = responses.get_mut(code)
                    && response.remove("content").is_some()
                {
                    self.note(
                        join(&responses_ptr, code),
                        "non-JSON error body dropped from the progenitor form",
                    );
                }
            }
            return Ok(());
        }
        let mut shared = if distinct.len() == 1 {
            schemas
                .iter()
                .flatten()
                .next()
                .cloned()
                .expect("one schema")
        } else {
            self.note(
                responses_ptr.clone(),
                "error responses had different schemas; the progenitor form decodes them all as any JSON value",
            );
            json!({ "description": "Any JSON error body." })
        };
        if shared.get("$ref").is_none() {
            let name = format!("{}Error", pascal_case(op_id));
            hoisted.push((name.clone(), shared));
            shared = json!({ "$ref": format!("#/components/schemas/{name}") });
        }
        for code in &error_codes {
            let response = responses.get_mut(code).expect("code present");
            let differs = json_schema_of(response).as_ref() != Some(&shared);
            if differs && (any_without || distinct.len() > 1) {
                self.note(join(&responses_ptr, code), "given the shared error schema");
            }
            let description = response
                .get("description")
                .cloned()
                .unwrap_or_else(|| json!("An error."));
            *response = json!({
                "description": description,
                "content": { "application/json": { "schema": shared } }
            });
        }
        Ok(())
    }

    fn hoist_json_schema(
        &mut self,
        response: &mut Value,
        name: &str,
        hoisted: &mut Vec<(String, Value)>,
    ) {
        let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
            return;
        };
        for (media_type, media) in content.iter_mut() {
            if !is_json(media_type) {
                continue;
            }
            if let Some(schema) = media.get_mut("schema")
                && schema.get("$ref").is_none()
            {
                // The same schema hoisted already (another success status): one component.
                if let Some((existing, _)) = hoisted.iter().find(|(_, s)| s == schema) {
                    *schema = json!({ "$ref": format!("#/components/schemas/{existing}") });
                    continue;
                }
                // An answer the document does not describe (`{}`, any JSON value) gets one
                // neutral name, not the name of the first operation that has it.
                let name = if schema.as_object().is_some_and(Map::is_empty) {
                    UNTYPED_RESPONSE
                } else {
                    name
                };
                // Never replace a component of the document, or another hoisted schema.
                let taken = |candidate: &str| {
                    self.schemas().is_some_and(|s| s.contains_key(candidate))
                        || hoisted.iter().any(|(n, _)| n == candidate)
                };
                let mut unique = name.to_owned();
                let mut n = 2;
                while taken(&unique) {
                    unique = format!("{name}{n}");
                    n += 1;
                }
                if unique != name {
                    self.notes.push(Problem::new(
                        format!("/components/schemas/{}", escape(name)),
                        format!("the name `{name}` is taken; the inline schema became `{unique}`"),
                    ));
                }
                hoisted.push((unique.clone(), schema.clone()));
                *schema = json!({ "$ref": format!("#/components/schemas/{unique}") });
            }
        }
    }

    /// Success responses with different JSON schemas (a 200 and a 202, say) become one union:
    /// progenitor needs one success type.
    fn unify_success_schemas(&mut self, responses: &mut Map<String, Value>, op_ptr: &str) {
        let mut distinct: Vec<Value> = Vec::new();
        for (code, response) in responses.iter() {
            if code.starts_with('2')
                && let Some(schema) = json_schema_of(response)
                && !distinct.contains(&schema)
            {
                distinct.push(schema);
            }
        }
        if distinct.len() < 2 {
            return;
        }
        let union = json!({ "oneOf": distinct });
        for (code, response) in responses.iter_mut() {
            if !code.starts_with('2') {
                continue;
            }
            if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
                for (media_type, media) in content.iter_mut() {
                    if is_json(media_type) {
                        media["schema"] = union.clone();
                    }
                }
            }
        }
        self.note(
            join(op_ptr, "responses"),
            "the success responses have different JSON schemas; they share their union",
        );
    }

    /// Replaces `$ref` branches of discriminated unions with copies of their targets.
    fn inline_discriminated_unions(&mut self) -> Result<(), Problem> {
        let Some(schemas) = self.schemas().cloned() else {
            return Ok(());
        };
        let mut replaced = BTreeMap::new();
        for (name, schema) in &schemas {
            if self.event_unions.contains(name) {
                continue;
            }
            let pointer = format!("/components/schemas/{}", escape(name));
            let mut schema = schema.clone();
            if self.inline_union(&mut schema, &schemas, &pointer)? {
                replaced.insert(name.clone(), schema);
            }
        }
        for (name, schema) in replaced {
            self.doc["components"]["schemas"][&name] = schema;
        }
        Ok(())
    }

    fn inline_union(
        &mut self,
        schema: &mut Value,
        schemas: &Map<String, Value>,
        pointer: &str,
    ) -> Result<bool, Problem> {
        let Some(tag) = schema
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return Ok(false);
        };
        let Some(branches) = schema.get("oneOf").and_then(Value::as_array).cloned() else {
            return Ok(false);
        };
        if !self.tags_are_distinct(&branches, schemas, &tag, pointer) {
            return Ok(false);
        }
        let mut inlined = Vec::new();
        let mut seen_tags = BTreeSet::new();
        for (i, branch) in branches.iter().enumerate() {
            let branch_ptr = format!("{pointer}/oneOf/{i}");
            let Some(name) = branch
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(schema_ref_name)
            else {
                inlined.push(branch.clone());
                continue;
            };
            let Some(target) = schemas.get(name) else {
                return Err(Problem::new(
                    branch_ptr,
                    format!("`{name}` is not a component schema"),
                ));
            };
            let tag_values: Vec<Value> = target
                .pointer(&format!("/properties/{}/enum", escape(&tag)))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if tag_values.is_empty() || !tag_values.iter().all(Value::is_string) {
                self.note(
                    branch_ptr,
                    format!(
                        "`{name}` has no string enum for the tag `{tag}`; the union stays untagged"
                    ),
                );
                return Ok(false);
            }
            for value in tag_values {
                let tag_value = value.as_str().unwrap_or_default().to_owned();
                if !seen_tags.insert(tag_value.clone()) {
                    return Err(Problem::new(
                        branch_ptr.clone(),
                        format!("the tag value `{tag_value}` of `{tag}` is used by two branches"),
                    ));
                }
                let copy = tagged_copy(target, &tag, value);
                inlined.push(copy);
            }
            self.inlined.insert(name.to_owned());
        }
        self.check_mapping(schema, &seen_tags, pointer);
        if let Value::Object(map) = schema {
            map.remove("discriminator");
            map.insert("oneOf".into(), Value::Array(inlined));
        }
        self.note(
            pointer,
            format!("discriminated union on `{tag}` inlined into a tagged enum"),
        );
        Ok(true)
    }

    /// Whether the tag values of a union's branches are distinct: typify could not tell two
    /// branches of one tag value apart, so such a union stays untagged (as written), with a note.
    fn tags_are_distinct(
        &mut self,
        branches: &[Value],
        schemas: &Map<String, Value>,
        tag: &str,
        pointer: &str,
    ) -> bool {
        let mut all_tags = BTreeSet::new();
        for branch in branches {
            let Some(target) = branch
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(schema_ref_name)
                .and_then(|name| schemas.get(name))
            else {
                continue;
            };
            for value in target
                .pointer(&format!("/properties/{}/enum", escape(tag)))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if !all_tags.insert(value.to_string()) {
                    self.note(
                        pointer,
                        format!(
                            "the tag value {value} of `{tag}` is used by two branches; the union stays untagged"
                        ),
                    );
                    return false;
                }
            }
        }
        true
    }

    /// Notes the mapping keys of a discriminator that are no tag value of the schema they name.
    fn check_mapping(&mut self, schema: &Value, seen_tags: &BTreeSet<String>, pointer: &str) {
        let Some(mapping) = schema
            .pointer("/discriminator/mapping")
            .and_then(Value::as_object)
        else {
            return;
        };
        for key in mapping.keys() {
            if !seen_tags.contains(key) {
                self.note(
                    format!("{pointer}/discriminator/mapping/{}", escape(key)),
                    format!("mapping key `{key}` is not a tag value of the schema it names"),
                );
            }
        }
    }

    /// Inline property schemas that generate a type of their own (enums, unions, objects) and
    /// appear, identical, under the same property name in several components become one component
    /// named after the property (`tool_choice` → `ToolChoice`), so that every request body that has
    /// the field shares its type (and the helpers written for it) instead of getting a copy named
    /// after each body. A name already taken is left alone.
    fn hoist_shared_property_types(&mut self) {
        let Some(schemas) = self.schemas().cloned() else {
            return;
        };
        let groups = self.request_property_shapes(&schemas);
        // A name claimed by several shapes goes to the one with the most owners (none on a tie).
        let mut best: BTreeMap<String, (usize, usize)> = BTreeMap::new(); // name → (owners, shapes with that many)
        for ((property, _), owners) in &groups {
            if owners.len() > 1 {
                let entry = best.entry(pascal_case(property)).or_insert((0, 0));
                match owners.len().cmp(&entry.0) {
                    std::cmp::Ordering::Greater => *entry = (owners.len(), 1),
                    std::cmp::Ordering::Equal => entry.1 += 1,
                    std::cmp::Ordering::Less => {}
                }
            }
        }
        for ((property, _), owners) in groups {
            let name = pascal_case(&property);
            if owners.len() < 2
                || best.get(&name) != Some(&(owners.len(), 1))
                || schemas.contains_key(&name)
            {
                continue;
            }
            let first = &owners[0];
            let original = schemas[first]["properties"][&property].clone();
            let (mut hoisted, nullable) =
                (strip_nullable_wrapper(&original), is_nullable(&original));
            // The titles below the property were qualified with its first owner's name.
            let old_prefix = format!("{}{}", pascal_case(first), name);
            retitle(&mut hoisted, &old_prefix, &name);
            if let Value::Object(map) = &mut hoisted {
                map.remove("description");
                map.insert("title".into(), json!(name));
            }
            for owner in &owners {
                let slot = &mut self.doc["components"]["schemas"][owner]["properties"][&property];
                let description = slot.get("description").cloned();
                let mut reference = if nullable {
                    json!({"allOf": [{"$ref": format!("#/components/schemas/{name}")}], "nullable": true})
                } else {
                    json!({"allOf": [{"$ref": format!("#/components/schemas/{name}")}]})
                };
                if let Some(description) = description {
                    reference["description"] = description;
                }
                *slot = reference;
            }
            self.note(
                format!("/components/schemas/{}", escape(&name)),
                format!(
                    "the `{property}` property of {} shares one type, `{name}`",
                    owners.join(", ")
                ),
            );
            self.doc["components"]["schemas"][&name] = hoisted;
        }
    }

    /// The inline property schemas of request-side components that generate a type of their own,
    /// grouped by property name and shape: `(property, shape)` → the components that have it.
    /// Only fields of request bodies: they are what users build, with shared helpers.
    fn request_property_shapes(
        &self,
        schemas: &Map<String, Value>,
    ) -> BTreeMap<(String, String), Vec<String>> {
        let mut roots = Vec::new();
        for (_, _, op) in crate::document::operations(&self.doc) {
            if let Some(body) = op.get("requestBody") {
                roots.extend(referenced_schemas(body));
            }
            if let Some(name) = op
                .pointer("/x-friendli-multipart/schema")
                .and_then(Value::as_str)
            {
                roots.push(name.to_owned());
            }
        }
        let request_side = reachable_schemas(schemas, roots);
        let mut groups: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for (component, schema) in schemas {
            if !request_side.contains(component) {
                continue;
            }
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                continue;
            };
            for (property, value) in properties {
                let inner = strip_nullable_wrapper(value);
                if generates_type(&inner) {
                    groups
                        .entry((property.clone(), shape_key(&inner)))
                        .or_default()
                        .push(component.clone());
                }
            }
        }
        groups
    }

    /// In the progenitor form, the file fields (`format: binary`) of `multipart/form-data` body
    /// schemas are left out: the `friendli` crate sends them as file parts, from bytes or a path,
    /// next to the other fields, which the generated type carries.
    fn drop_file_fields(&mut self) {
        let bodies: BTreeSet<String> = crate::document::operations(&self.doc)
            .filter_map(|(_, _, op)| op.pointer("/x-friendli-multipart/schema"))
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        for name in bodies {
            let Some(Value::Object(schema)) = self
                .doc
                .pointer_mut(&format!("/components/schemas/{}", escape(&name)))
            else {
                continue;
            };
            let files: Vec<String> = schema
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(_, p)| p.get("format").and_then(Value::as_str) == Some("binary"))
                .map(|(k, _)| k.clone())
                .collect();
            if files.is_empty() {
                continue;
            }
            if let Some(Value::Object(properties)) = schema.get_mut("properties") {
                properties.retain(|k, _| !files.contains(k));
            }
            if let Some(Value::Array(required)) = schema.get_mut("required") {
                required.retain(|r| !r.as_str().is_some_and(|r| files.contains(&r.to_owned())));
            }
            schema.insert("x-friendli-files".into(), json!(files));
            self.note(
                format!("/components/schemas/{}", escape(&name)),
                format!(
                    "file fields {} left out of the generated type: they are sent as file parts",
                    files.join(", ")
                ),
            );
        }
    }

    /// A component that is only a reference to another is an alias: typify would make it a
    /// newtype (`struct ServerlessChatCompleteSuccess(pub ChatResult)`), so every operation that
    /// answers a chat result would answer a different type. References to an alias are pointed at
    /// its target and the alias is left out of the progenitor form, listed in
    /// `x-friendli-aliases` instead (the SDK declares it as a Rust type alias).
    fn resolve_aliases(&mut self) {
        let Some(schemas) = self.schemas().cloned() else {
            return;
        };
        let alias_target = |schema: &Value| -> Option<String> {
            let map = schema.as_object()?;
            let only_ref = map
                .keys()
                .all(|k| k == "$ref" || DOC_KEYWORDS.contains(&k.as_str()));
            if !only_ref {
                return None;
            }
            schema_ref_name(map.get("$ref")?.as_str()?).map(str::to_owned)
        };
        let mut aliases: BTreeMap<String, String> = BTreeMap::new();
        for (name, schema) in &schemas {
            if let Some(target) = alias_target(schema) {
                aliases.insert(name.clone(), target);
            }
        }
        if aliases.is_empty() {
            return;
        }
        // Follow chains (an alias of an alias) to the real type.
        let resolve = |name: &str| -> String {
            let mut current = name.to_owned();
            for _ in 0..16 {
                match aliases.get(&current) {
                    Some(next) => current = next.clone(),
                    None => break,
                }
            }
            current
        };
        let resolved: BTreeMap<String, String> =
            aliases.keys().map(|a| (a.clone(), resolve(a))).collect();
        fn rewrite(value: &mut Value, resolved: &BTreeMap<String, String>) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(reference)) = map.get_mut("$ref")
                        && let Some(target) =
                            schema_ref_name(reference).and_then(|n| resolved.get(n))
                    {
                        *reference = format!("#/components/schemas/{target}");
                    }
                    map.values_mut().for_each(|v| rewrite(v, resolved));
                }
                Value::Array(items) => items.iter_mut().for_each(|v| rewrite(v, resolved)),
                _ => {}
            }
        }
        if let Some(Value::Object(schemas)) = self.doc.pointer_mut("/components/schemas") {
            schemas.retain(|name, _| !resolved.contains_key(name));
        }
        rewrite(&mut self.doc, &resolved);
        for (alias, target) in &resolved {
            self.note(
                format!("/components/schemas/{}", escape(alias)),
                format!("`{alias}` is another name for `{target}`: a type alias, not a new type"),
            );
        }
        self.doc["x-friendli-aliases"] = json!(resolved);
    }

    fn drop_unreferenced_inlined(&mut self) {
        loop {
            let referenced: BTreeSet<String> = referenced_schemas(&self.doc).collect();
            let unused: Vec<String> = self
                .inlined
                .iter()
                .filter(|n| !referenced.contains(*n))
                .cloned()
                .collect();
            if unused.is_empty() {
                return;
            }
            for name in unused {
                self.inlined.remove(&name);
                if let Some(schemas) = self.doc["components"]["schemas"].as_object_mut() {
                    schemas.remove(&name);
                }
            }
        }
    }

    /// Gives every object schema that only answers carry (reachable from a response or an event
    /// stream, and not from a request) `additionalProperties: {}`, which typify turns into a
    /// flattened `extra` map: fields the server adds after this SDK was generated are kept, not
    /// dropped. Request-side types are left alone (their builders would have to be given the
    /// map), and so are the branches of unions (typify generates enum variants for them).
    fn keep_unknown_fields(&mut self, answer_only: &BTreeSet<String>) {
        fn mark(schema: &mut Value, branch: bool, count: &mut usize) {
            let Value::Object(map) = schema else { return };
            let is_object = map.get("type").is_none_or(|t| t == "object");
            if !branch
                && is_object
                && map
                    .get("properties")
                    .is_some_and(|p| p.as_object().is_some_and(|p| !p.is_empty()))
                && !map.contains_key("additionalProperties")
                // typify names the map `extra`: a property of that name would collide.
                && map.get("properties").is_none_or(|p| p.get("extra").is_none())
            {
                map.insert("additionalProperties".into(), json!({}));
                *count += 1;
            }
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                properties.values_mut().for_each(|p| mark(p, false, count));
            }
            for key in ["items", "additionalProperties"] {
                if let Some(inner) = map.get_mut(key) {
                    mark(inner, false, count);
                }
            }
            for key in ["oneOf", "anyOf", "allOf"] {
                if let Some(Value::Array(branches)) = map.get_mut(key) {
                    branches
                        .iter_mut()
                        .for_each(|b| mark(b, key != "allOf", count));
                }
            }
        }
        let mut marked = 0;
        for name in answer_only {
            let pointer = format!("/components/schemas/{}", escape(name));
            if let Some(schema) = self.doc.pointer_mut(&pointer) {
                mark(schema, false, &mut marked);
            }
        }
        if marked > 0 {
            self.notes.push(Problem::new(
                "/components/schemas",
                format!(
                    "{marked} answer-only object schemas keep unknown fields (`additionalProperties: {{}}`)"
                ),
            ));
        }
    }

    /// Be liberal in what answers may leave out. In every object schema that only answers carry,
    /// a required property that the document pins to one value (`const`) or gives a `default` is
    /// made optional with that value as its default, and a required property that may be `null`
    /// is made optional: servers leave such fields out (OpenAI-style streams send a tool call's
    /// `type` with its first fragment only), and an answer that omits them means the same. The
    /// Rust type stays what it was (typify reads the default into `#[serde(default = …)]`), so
    /// nothing changes for code that reads the field.
    ///
    /// The branches of unions are left alone: their tags tell the variants apart.
    fn relax_answer_requirements(&mut self, answer_only: &BTreeSet<String>) {
        fn relax(schema: &mut Value, relaxed: &mut usize) {
            let Value::Object(map) = schema else { return };
            if let (Some(Value::Array(required)), Some(Value::Object(properties))) =
                (map.get("required").cloned(), map.get_mut("properties"))
            {
                let mut keep = Vec::with_capacity(required.len());
                for name in required {
                    let Some(property) = name.as_str().and_then(|n| properties.get_mut(n)) else {
                        keep.push(name);
                        continue;
                    };
                    if property.get("default").is_some() || is_nullable(property) {
                        *relaxed += 1;
                    } else if let Some(value) = single_value(property) {
                        property["default"] = value;
                        *relaxed += 1;
                    } else {
                        keep.push(name);
                    }
                }
                if keep.is_empty() {
                    map.remove("required");
                } else {
                    map.insert("required".into(), Value::Array(keep));
                }
            }
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                properties.values_mut().for_each(|p| relax(p, relaxed));
            }
            for key in ["items", "additionalProperties"] {
                if let Some(inner) = map.get_mut(key) {
                    relax(inner, relaxed);
                }
            }
            if let Some(Value::Array(parts)) = map.get_mut("allOf") {
                parts.iter_mut().for_each(|p| relax(p, relaxed));
            }
        }
        let branches = self.union_branch_components();
        let mut relaxed = 0;
        for name in answer_only {
            if branches.contains(name) || self.event_unions.contains(name) {
                continue;
            }
            let pointer = format!("/components/schemas/{}", escape(name));
            if let Some(schema) = self.doc.pointer_mut(&pointer) {
                relax(schema, &mut relaxed);
            }
        }
        if relaxed > 0 {
            self.notes.push(Problem::new(
                "/components/schemas",
                format!(
                    "{relaxed} required properties of answer-only schemas are optional: a constant, a default or a null that the server may leave out"
                ),
            ));
        }
    }

    /// The component schemas that are a `$ref` branch of a union (`oneOf`/`anyOf`) anywhere in
    /// the document.
    fn union_branch_components(&self) -> BTreeSet<String> {
        fn walk(value: &Value, out: &mut BTreeSet<String>) {
            match value {
                Value::Object(map) => {
                    for key in ["oneOf", "anyOf"] {
                        for branch in map.get(key).and_then(Value::as_array).into_iter().flatten() {
                            if let Some(name) = branch
                                .get("$ref")
                                .and_then(Value::as_str)
                                .and_then(schema_ref_name)
                            {
                                out.insert(name.to_owned());
                            }
                        }
                    }
                    map.values().for_each(|v| walk(v, out));
                }
                Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        let mut out = BTreeSet::new();
        walk(&self.doc, &mut out);
        out
    }

    /// The component schemas that only answers carry: reachable from a response or an event
    /// stream, and not from a request body or a parameter.
    fn answer_only_components(&self) -> BTreeSet<String> {
        let mut response_roots = Vec::new();
        let mut request_roots = Vec::new();
        for (_, _, op) in crate::document::operations(&self.doc) {
            if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                for response in responses.values() {
                    response_roots.extend(referenced_schemas(response));
                }
            }
            for key in ["requestBody", "parameters"] {
                if let Some(value) = op.get(key) {
                    request_roots.extend(referenced_schemas(value));
                }
            }
        }
        let schemas = self.schemas().cloned().unwrap_or_default();
        let answers = reachable_schemas(&schemas, response_roots);
        let requests = reachable_schemas(&schemas, request_roots);
        answers.difference(&requests).cloned().collect()
    }

    /// Opens the tagged unions that only answers carry, as open enums are opened: `X` becomes
    /// `oneOf: [XKnown, {object, title XUnknown}]`, where `XKnown` is the tagged union as it was.
    /// typify then generates `enum X { Known(XKnown), Unknown(..) }`: a kind of block or item the
    /// server adds later (a new `type`) is kept as JSON instead of failing the whole answer or
    /// event. Event unions are left alone (the SDK dispatches on the event name itself).
    fn open_answer_unions(&mut self, answer_only: &BTreeSet<String>) {
        fn tag_of(schema: &Value) -> Option<String> {
            let branches = schema.get("oneOf")?.as_array()?;
            let first = branches.first()?.get("properties")?.as_object()?;
            first
                .iter()
                .filter(|(_, p)| {
                    p.get("enum")
                        .and_then(Value::as_array)
                        .is_some_and(|e| e.len() == 1)
                })
                .map(|(name, _)| name.clone())
                .find(|name| {
                    branches.iter().all(|b| {
                        b.pointer(&format!("/properties/{}/enum", escape(name)))
                            .and_then(Value::as_array)
                            .is_some_and(|e| e.len() == 1)
                            && b.get("required")
                                .and_then(Value::as_array)
                                .is_some_and(|r| r.iter().any(|x| x == name.as_str()))
                    })
                })
        }
        let Some(schemas) = self.schemas().cloned() else {
            return;
        };
        for name in answer_only {
            if self.event_unions.contains(name) {
                continue;
            }
            let Some(schema) = schemas.get(name) else {
                continue;
            };
            let Some(tag) = tag_of(schema) else { continue };
            let known = format!("{name}Known");
            if schemas.contains_key(&known) {
                self.notes.push(Problem::new(
                    format!("/components/schemas/{}", escape(name)),
                    format!("not opened: a schema named `{known}` exists already"),
                ));
                continue;
            }
            let mut inner = schema.clone();
            let nullable = inner.as_object_mut().and_then(|m| m.remove("nullable"));
            let mut open = json!({
                "oneOf": [
                    {"$ref": format!("#/components/schemas/{known}")},
                    {
                        "type": "object",
                        "title": format!("{name}Unknown"),
                        "description": format!("A `{tag}` this version of the SDK does not know, kept as sent."),
                        "additionalProperties": {},
                    },
                ],
            });
            if let Some(description) = schema.get("description") {
                open["description"] = description.clone();
            }
            if let Some(nullable) = nullable {
                open["nullable"] = nullable;
            }
            self.doc["components"]["schemas"][&known] = inner;
            self.doc["components"]["schemas"][&name] = open;
            self.notes.push(Problem::new(
                format!("/components/schemas/{}", escape(name)),
                format!("opened: an unknown `{tag}` is kept (`{known}` holds the known kinds)"),
            ));
        }
    }

    fn finish_root(&mut self) {
        let Value::Object(root) = &mut self.doc else {
            return;
        };
        root.insert("openapi".into(), json!("3.0.3"));
        for key in ["jsonSchemaDialect", "webhooks"] {
            if root.remove(key).is_some() {
                self.notes.push(Problem::new(
                    format!("/{key}"),
                    format!("dropped `{key}` (OpenAPI 3.1 only)"),
                ));
            }
        }
        if let Some(Value::Object(info)) = root.get_mut("info") {
            info.remove("summary");
            if let Some(Value::Object(license)) = info.get_mut("license") {
                license.remove("identifier");
            }
        }
        if let Some(Value::Object(components)) = root.get_mut("components")
            && components.remove("pathItems").is_some()
        {
            self.notes.push(Problem::new(
                "/components/pathItems",
                "dropped `pathItems` (OpenAPI 3.1 only)",
            ));
        }
    }
}

/// The component schemas that are discriminated unions of the events of an event stream: the
/// stream's schema itself (a union of `{event, data}` envelopes) or the `data` of its envelope.
pub fn event_unions(doc: &Value) -> BTreeSet<String> {
    fn resolve_in(doc: &Value, schema: &Value) -> Option<String> {
        let mut schema = schema;
        let mut name = None;
        for _ in 0..8 {
            let reference = schema.get("$ref").and_then(Value::as_str)?;
            let n = schema_ref_name(reference)?;
            name = Some(n.to_owned());
            schema = doc.pointer(&format!("/components/schemas/{}", escape(n)))?;
            if schema.get("$ref").is_none() {
                break;
            }
        }
        name
    }
    let resolve = |schema: &Value| resolve_in(doc, schema);
    let is_union = |name: &str| {
        doc.pointer(&format!("/components/schemas/{}", escape(name)))
            .is_some_and(|s| s.get("discriminator").is_some())
    };
    let mut out = BTreeSet::new();
    for item in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.values())
    {
        for method in METHODS {
            let Some(schema) = item
                .get(method)
                .and_then(|op| op.pointer("/responses/200/content/text~1event-stream/schema"))
            else {
                continue;
            };
            let envelope = match resolve(schema) {
                Some(name) => doc
                    .pointer(&format!("/components/schemas/{}", escape(&name)))
                    .cloned()
                    .map(|s| (Some(name), s)),
                None => Some((None, schema.clone())),
            };
            let Some((name, envelope)) = envelope else {
                continue;
            };
            if let Some(name) = name.filter(|n| is_union(n)) {
                out.insert(name);
                continue;
            }
            if let Some(data) = envelope.pointer("/properties/data")
                && let Some(data) = resolve(data)
                && is_union(&data)
            {
                out.insert(data);
            }
        }
    }
    out
}

/// A schema being converted: its 3.0 keywords, and whether it allows `null` (written last, as
/// `nullable`).
struct Converted3 {
    map: Map<String, Value>,
    nullable: bool,
}

impl Ctx {
    /// The context of a schema below this one whose types are named with `suffix`.
    fn below(&self, suffix: &str) -> Ctx {
        Ctx {
            hint: format!("{}{suffix}", self.hint),
            root: false,
            component: None,
            ..self.clone()
        }
    }
}

/// `exclusiveMinimum`/`exclusiveMaximum`: a 3.0 boolean as it is; a 3.1 number becomes the plain
/// bound and `true`, when it is the stricter of the two.
fn exclusive_bound(
    out: &mut Converted3,
    map: &Map<String, Value>,
    key: &str,
    value: &Value,
    here: &str,
) -> Result<(), Problem> {
    match value {
        Value::Bool(_) => {
            out.map.insert(key.into(), value.clone());
        }
        Value::Number(bound) => {
            let (plain, is_min) = if key == "exclusiveMinimum" {
                ("minimum", true)
            } else {
                ("maximum", false)
            };
            let stricter = match map.get(plain).and_then(Value::as_f64) {
                Some(other) if is_min => bound.as_f64().is_some_and(|b| b >= other),
                Some(other) => bound.as_f64().is_some_and(|b| b <= other),
                None => true,
            };
            if stricter {
                out.map.insert(plain.into(), Value::Number(bound.clone()));
                out.map.insert(key.into(), json!(true));
            }
        }
        _ => return Err(Problem::new(here, format!("`{key}` must be a number"))),
    }
    Ok(())
}

/// A union left with a single branch is that branch (a reference joins `allOf`; an inline
/// schema's keywords join the schema's).
fn collapse_single_branch(out: &mut Map<String, Value>) {
    let Some(Value::Array(branches)) = out.get("oneOf") else {
        return;
    };
    if branches.len() != 1 {
        return;
    }
    let branch = branches[0].clone();
    out.remove("oneOf");
    if branch.get("$ref").is_some() {
        let mut all_of = out
            .remove("allOf")
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default();
        all_of.push(branch);
        out.insert("allOf".into(), Value::Array(all_of));
    } else if let Value::Object(inner) = branch {
        for (k, v) in inner {
            if k == "title" || (k == "description" && out.contains_key("description")) {
                continue;
            }
            out.insert(k, v);
        }
    }
}

/// `type: [A, B]` becomes one `oneOf` branch per type, each with the keywords of its type (an
/// `enum` keeps the values of the branch's type).
fn split_type_arrays(out: &mut Map<String, Value>, ctx: &Ctx) {
    let Some(Value::Array(types)) = out.get("type").cloned() else {
        return;
    };
    out.remove("type");
    let mut branches = Vec::new();
    for t in types.iter().filter_map(Value::as_str) {
        let mut branch = Map::new();
        branch.insert("type".into(), json!(t));
        for keyword in keywords_of(t) {
            let Some(v) = out.get(*keyword) else { continue };
            let v = if *keyword == "enum" {
                let values: Vec<Value> = v
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|x| {
                        let vt = json_type_of(x);
                        vt == t || (t == "number" && vt == "integer")
                    })
                    .cloned()
                    .collect();
                if values.is_empty() {
                    continue;
                }
                Value::Array(values)
            } else {
                v.clone()
            };
            branch.insert((*keyword).into(), v);
        }
        branch.insert(
            "title".into(),
            json!(format!("{}{}", ctx.hint, pascal_case(t))),
        );
        branches.push(Value::Object(branch));
    }
    for t in types.iter().filter_map(Value::as_str) {
        for keyword in keywords_of(t) {
            out.remove(*keyword);
        }
    }
    out.insert("oneOf".into(), Value::Array(branches));
}

/// An open string enum (marked `x-open-enum`, or in a schema answers carry and not marked
/// closed) becomes a `oneOf` of the known values and any string.
fn open_enum(
    out: &mut Map<String, Value>,
    open_marker: Option<bool>,
    pointer: &str,
    ctx: &Ctx,
) -> Result<(), Problem> {
    let is_string_enum =
        out.get("type").and_then(Value::as_str) == Some("string") && out.get("enum").is_some();
    if open_marker == Some(true) && !is_string_enum {
        return Err(Problem::new(
            join(pointer, "x-open-enum"),
            "`x-open-enum` applies only to string enums",
        ));
    }
    if !(is_string_enum && (open_marker == Some(true) || (ctx.open && open_marker != Some(false))))
    {
        return Ok(());
    }
    let values = out.remove("enum").unwrap_or_default();
    out.remove("type");
    let mut known = Map::new();
    known.insert("title".into(), json!(format!("{}Known", ctx.hint)));
    known.insert("type".into(), json!("string"));
    known.insert("enum".into(), values);
    let unknown = json!({
        "title": format!("{}Unknown", ctx.hint),
        "type": "string",
        "description": "A value this version of the SDK does not know, kept as sent."
    });
    out.insert("oneOf".into(), json!([Value::Object(known), unknown]));
    Ok(())
}

/// A property schema without the `{allOf: [X], nullable}` wrapper or the `nullable` flag.
fn strip_nullable_wrapper(schema: &Value) -> Value {
    let mut schema = schema.clone();
    if let Value::Object(map) = &mut schema {
        map.remove("nullable");
        map.remove("description");
    }
    schema
}

/// The one value a converted property schema allows, if it pins one: a one-value `enum` (a 3.1
/// `const`), or an open enum (`oneOf` of a one-value `enum` and any string) built from one.
fn single_value(schema: &Value) -> Option<Value> {
    fn one(schema: &Value) -> Option<Value> {
        match schema.get("enum")?.as_array()?.as_slice() {
            [value] if !value.is_null() => Some(value.clone()),
            _ => None,
        }
    }
    if let Some(value) = one(schema) {
        return Some(value);
    }
    match schema.get("oneOf")?.as_array()?.as_slice() {
        [known, unknown] if unknown.get("enum").is_none() => one(known),
        _ => None,
    }
}

fn is_nullable(schema: &Value) -> bool {
    schema
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Whether typify generates a named type for this (inline) schema.
fn generates_type(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else {
        return false;
    };
    if map.contains_key("$ref") {
        return false;
    }
    map.contains_key("oneOf")
        || map.contains_key("anyOf")
        || map.contains_key("enum")
            && map
                .get("enum")
                .and_then(Value::as_array)
                .is_some_and(|e| e.len() > 1)
        || map.contains_key("properties")
        || map
            .get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|a| a.len() > 1)
}

/// The shape of a schema: its facts, without titles and descriptions.
fn shape_key(schema: &Value) -> String {
    fn strip(value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "title" | "description" | "example"))
                    .map(|(k, v)| (k.clone(), strip(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    strip(schema).to_string()
}

/// Points every `$ref` that is a key of `names` at its value instead.
fn rewrite_refs(value: &mut Value, names: &BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "$ref" {
                    if let Some(new) = child.as_str().and_then(|r| names.get(r)) {
                        *child = Value::String(new.clone());
                    }
                } else {
                    rewrite_refs(child, names);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, names)),
        _ => {}
    }
}

/// `first`, or the first of `nth(2)`, `nth(3)`, … that is not `taken`.
fn unused(first: String, nth: impl Fn(usize) -> String, taken: impl Fn(&str) -> bool) -> String {
    let mut candidate = first;
    let mut n = 2;
    while taken(&candidate) {
        candidate = nth(n);
        n += 1;
    }
    candidate
}

/// A branch of a discriminated union, inlined: an object whose tag property is required and
/// pins `value`.
fn tagged_copy(target: &Value, tag: &str, value: Value) -> Value {
    let mut copy = target.clone();
    if let Value::Object(map) = &mut copy {
        map.remove("title");
        map.insert("type".into(), json!("object"));
        let required = map.entry("required").or_insert_with(|| json!([]));
        if let Value::Array(list) = required
            && !list.iter().any(|v| v == &json!(tag))
        {
            list.push(json!(tag));
        }
        map["properties"][tag] = json!({ "type": "string", "enum": [value] });
    }
    copy
}

fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    essence == "application/json" || essence.ends_with("+json")
}

fn success_kind(response: &Value) -> &'static str {
    match response.get("content").and_then(Value::as_object) {
        None => "none",
        Some(c) if c.is_empty() => "none",
        Some(c) if c.keys().any(|k| is_json(k)) => "json",
        Some(_) => "stream",
    }
}

fn keep_success_media(op: &mut Value, keep: impl Fn(&str) -> bool) {
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    for (code, response) in responses.iter_mut() {
        if !code.starts_with('2') {
            continue;
        }
        if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
            content.retain(|k, _| keep(k));
        }
    }
}

fn item_without_methods(item: &Value) -> Map<String, Value> {
    item.as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !METHODS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(schemas: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": schemas}
        })
    }

    #[test]
    fn is_json_accepts_parameters_and_suffixes() {
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/problem+json"));
        assert!(!is_json("text/event-stream"));
    }

    #[test]
    fn null_only_schema_outside_a_union_is_any_json_value_with_a_note() {
        let converted = convert(&doc(json!({"N": {"type": "null"}}))).unwrap();
        assert_eq!(converted.document["components"]["schemas"]["N"], json!({}));
        assert!(
            converted
                .notes
                .iter()
                .any(|n| n.pointer == "/components/schemas/N" && n.message.contains("only `null`"))
        );
    }
}
