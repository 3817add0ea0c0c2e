//! Running progenitor's generator on a converted document, to prove that it generates.
//!
//! The settings here are the ones `friendli-gen/src/lib.rs` passes to `generate_api!`; keep the
//! two in step (a test in `friendli-gen` compiles the real thing, and [`settings`] is what the
//! converter tests and `cargo xtask convert` check against).
//!
//! progenitor reports some problems as errors and others by panicking. Both are caught here and
//! turned into a [`Problem`] that names the smallest part of the document that fails on its own: an
//! operation (`/paths/…/post`) or a component schema (`/components/schemas/…`).

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use progenitor_impl::{GenerationSettings, Generator, InterfaceStyle, TagStyle};
use serde_json::{Map, Value};

use crate::document::{METHODS, Problem, escape, join, reachable_schemas};

/// The generator settings of `friendli-gen` (see `friendli-gen/src/lib.rs`).
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote_path("crate::RequestDefaults"))
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq");
    settings
}

fn quote_path(path: &str) -> proc_macro2::TokenStream {
    path.parse().expect("a valid Rust path")
}

/// Generates the Rust code of a converted (3.0.3) document, formatted.
pub fn generate_rust(document: &Value) -> Result<String, Problem> {
    match try_generate(document) {
        Ok(code) => Ok(code),
        Err(message) => Err(locate(document, message)),
    }
}

/// Generates the Rust code of a converted (3.0.3) document, parsed.
pub fn generate_file(document: &Value) -> Result<syn::File, Problem> {
    try_generate_file(document).map_err(|message| locate(document, message))
}

/// Generates a converted (3.0.3) document, leaving out of it what progenitor cannot generate,
/// each with a note: an operation progenitor fails on is taken out of the document (the
/// low-level client has no method for it; the operation table of the SDK, built from the whole
/// document, still has it), and a component schema it fails on becomes any JSON value. Returns
/// the generated code and the notes; fails only when a failure cannot be located.
pub fn generate_degrading(document: &mut Value) -> Result<(syn::File, Vec<Problem>), Problem> {
    let mut notes = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    loop {
        let message = match try_generate_file(document) {
            Ok(file) => return Ok((file, notes)),
            Err(message) => message,
        };
        let problem = locate(document, message);
        if !seen.insert(problem.pointer.clone()) {
            return Err(problem);
        }
        let tokens: Vec<String> = problem
            .pointer
            .split('/')
            .skip(1)
            .map(crate::document::unescape)
            .collect();
        match tokens
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["paths", path, method, ..] if METHODS.contains(method) => {
                let id = document
                    .pointer(&format!("/paths/{}/{method}/operationId", escape(path)))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                if let Some(Value::Object(item)) =
                    document.get_mut("paths").and_then(|p| p.get_mut(*path))
                {
                    item.remove(*method);
                    if !item.keys().any(|k| METHODS.contains(&k.as_str())) {
                        document["paths"].as_object_mut().map(|p| p.remove(*path));
                    }
                }
                notes.push(Problem::new(
                    join(&join("/paths", path), method),
                    format!(
                        "left out of the low-level client: progenitor cannot generate the operation `{id}` ({}); the SDK's own operation type still calls it",
                        problem.message
                    ),
                ));
            }
            ["components", "schemas", name, ..] => {
                if let Some(slot) =
                    document.pointer_mut(&format!("/components/schemas/{}", escape(name)))
                {
                    *slot = serde_json::json!({});
                }
                notes.push(Problem::new(
                    format!("/components/schemas/{}", escape(name)),
                    format!(
                        "any JSON value in the generated types: progenitor cannot generate the schema ({})",
                        problem.message
                    ),
                ));
            }
            _ => return Err(problem),
        }
    }
}

/// The traits each generated type implements (of `FromStr`, `Display` and `Default`), by type
/// name, from the generated code.
pub fn implemented_traits(
    file: &syn::File,
) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    use std::collections::{BTreeMap, BTreeSet};
    use syn::Item;
    const WANTED: [&str; 3] = ["FromStr", "Display", "Default"];
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    fn walk(items: &[Item], out: &mut BTreeMap<String, BTreeSet<String>>) {
        for item in items {
            match item {
                // The builders share the names of their types; only the types count.
                Item::Mod(module) if module.ident == "builder" => {}
                Item::Mod(module) => {
                    if let Some((_, items)) = &module.content {
                        walk(items, out);
                    }
                }
                Item::Struct(s) => derives(&s.attrs, &s.ident.to_string(), out),
                Item::Enum(e) => derives(&e.attrs, &e.ident.to_string(), out),
                Item::Impl(i) => {
                    let Some((path, _)) = &i.trait_ else { continue };
                    let Some(last) = path.segments.last() else {
                        continue;
                    };
                    let trait_name = last.ident.to_string();
                    if !WANTED.contains(&trait_name.as_str()) {
                        continue;
                    }
                    if let syn::Type::Path(ty) = &*i.self_ty
                        && let Some(segment) = ty.path.segments.last()
                    {
                        out.entry(segment.ident.to_string())
                            .or_default()
                            .insert(trait_name);
                    }
                }
                _ => {}
            }
        }
    }
    fn derives(attrs: &[syn::Attribute], name: &str, out: &mut BTreeMap<String, BTreeSet<String>>) {
        for attr in attrs {
            if !attr.path().is_ident("derive") {
                continue;
            }
            let text = quote_tokens(attr);
            if text
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| word == "Default")
            {
                out.entry(name.to_owned())
                    .or_default()
                    .insert("Default".into());
            }
        }
    }
    fn quote_tokens(attr: &syn::Attribute) -> String {
        match &attr.meta {
            syn::Meta::List(list) => list.tokens.to_string(),
            _ => String::new(),
        }
    }
    walk(&file.items, &mut out);
    out
}

fn try_generate_file(document: &Value) -> Result<syn::File, String> {
    let spec: openapiv3::OpenAPI =
        serde_path_to_error::deserialize(document.clone()).map_err(|e| {
            format!(
                "not a valid OpenAPI 3.0 document at `{}`: {}",
                e.path(),
                e.inner()
            )
        })?;
    let tokens = quietly(|| Generator::new(&settings()).generate_tokens(&spec))?
        .map_err(|e| format!("progenitor rejected the document: {e}"))?;
    syn::parse2(tokens).map_err(|e| format!("progenitor produced code that does not parse: {e}"))
}

fn try_generate(document: &Value) -> Result<String, String> {
    try_generate_file(document).map(|file| prettyplease::unparse(&file))
}

thread_local! {
    static SILENT: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic into an error message. While `f` runs, the panic hook prints nothing
/// for this thread, so users see our message, not a backtrace.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !SILENT.with(Cell::get) {
                previous(info);
            }
        }));
    });
    SILENT.with(|s| s.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    SILENT.with(|s| s.set(false));
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        format!("progenitor's generator panicked: {message}")
    })
}

/// Finds the smallest part of `document` that fails to generate on its own.
fn locate(document: &Value, message: String) -> Problem {
    // Parse errors name their own place.
    if message.starts_with("not a valid OpenAPI") {
        let pointer = message
            .split('`')
            .nth(1)
            .map(path_to_pointer)
            .unwrap_or_default();
        return Problem::new(pointer, message);
    }
    let mut without_paths = document.clone();
    without_paths["paths"] = Value::Object(Map::new());

    // One operation at a time, with every component.
    if let Some(paths) = document.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let mut single = without_paths.clone();
                let mut only = item.as_object().cloned().unwrap_or_default();
                only.retain(|k, _| !METHODS.contains(&k.as_str()) || k == method);
                only.insert(method.into(), op.clone());
                single["paths"][path] = Value::Object(only);
                if let Err(m) = try_generate(&single) {
                    return Problem::new(join(&join("/paths", path), method), m);
                }
            }
        }
    }
    // The components alone, then each schema with what it references.
    if try_generate(&without_paths).is_err()
        && let Some(schemas) = document
            .pointer("/components/schemas")
            .and_then(Value::as_object)
    {
        for name in schemas.keys() {
            let mut single = without_paths.clone();
            single["components"]["schemas"] = Value::Object(closure(schemas, name));
            if let Err(m) = try_generate(&single) {
                return Problem::new(format!("/components/schemas/{}", escape(name)), m);
            }
        }
    }
    Problem::new("", message)
}

/// `name` and every schema it references, transitively.
fn closure(schemas: &Map<String, Value>, name: &str) -> Map<String, Value> {
    let reachable = reachable_schemas(schemas, [name.to_owned()]);
    schemas
        .iter()
        .filter(|(n, _)| reachable.contains(*n))
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect()
}

/// `components.schemas.Foo.type` (serde_path_to_error's form) → `/components/schemas/Foo/type`.
fn path_to_pointer(path: &str) -> String {
    if path == "." {
        return String::new();
    }
    path.split('.')
        .map(|segment| segment.trim_start_matches('[').trim_end_matches(']'))
        .fold(String::new(), |acc, token| join(&acc, token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_paths_become_pointers() {
        assert_eq!(
            path_to_pointer("components.schemas.Foo.type"),
            "/components/schemas/Foo/type"
        );
        assert_eq!(path_to_pointer("paths./a/b.post"), "/paths/~1a~1b/post");
        assert_eq!(path_to_pointer("."), "");
    }
}

/// A conversion `cargo xtask generate` adds to a generated union, for what typify leaves out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Conversion {
    /// `From<&str>` and `From<String>` for a union with exactly one text variant (and no string
    /// enum beside it, where a text would be ambiguous): `Prompt::from("…")`.
    Text {
        /// The union.
        union: String,
        /// Its variant that holds a `String`.
        variant: String,
    },
    /// `TryFrom<builder::Branch>` for a union with a variant holding the struct `Branch`, so that
    /// a branch's builder can be given wherever the union is expected.
    Builder {
        /// The union.
        union: String,
        /// The variant.
        variant: String,
        /// The struct it holds.
        branch: String,
    },
}

impl Conversion {
    /// The union the conversion is for.
    pub fn union(&self) -> &str {
        match self {
            Conversion::Text { union, .. } | Conversion::Builder { union, .. } => union,
        }
    }
}

/// The conversions to add to the unions of a generated file (see [`Conversion`]); `builders`
/// names the structs that have a builder (`friendli-gen` writes them, see `emit::builders`).
pub fn conversions(file: &syn::File, builders: &BTreeSet<String>) -> Vec<Conversion> {
    use syn::{Fields, Item};
    let items = items_outside_builders(file);
    let string_enums: BTreeSet<String> = items
        .iter()
        .filter_map(|item| match item {
            Item::Enum(e) if e.variants.iter().all(|v| matches!(v.fields, Fields::Unit)) => {
                Some(e.ident.to_string())
            }
            _ => None,
        })
        .collect();
    let existing = existing_conversions(&items);
    let mut out = Vec::new();
    for item in &items {
        let Item::Enum(e) = item else { continue };
        let union = e.ident.to_string();
        // The newtype variants and the last name of the type each holds.
        let held: Vec<(String, String)> = e
            .variants
            .iter()
            .filter_map(|variant| match &variant.fields {
                Fields::Unnamed(fields) if fields.unnamed.len() == 1 => Some((
                    variant.ident.to_string(),
                    last_ident(&fields.unnamed[0].ty).unwrap_or_default(),
                )),
                _ => None,
            })
            .collect();
        let newtypes = held.len() == e.variants.len();
        let has = |arg: &str| existing.get(&union).is_some_and(|s| s.contains(arg));
        let texts: Vec<&(String, String)> = held.iter().filter(|(_, t)| t == "String").collect();
        if newtypes
            && !is_tagged(e)
            && texts.len() == 1
            && !held.iter().any(|(_, t)| string_enums.contains(t))
            && !has("&str")
            && !has("String")
        {
            out.push(Conversion::Text {
                union: union.clone(),
                variant: texts[0].0.clone(),
            });
        }
        for (variant, ty) in &held {
            let unique = held.iter().filter(|(_, t)| t == ty).count() == 1;
            // typify converts a branch into its union, never a branch's builder.
            if unique && builders.contains(ty) {
                out.push(Conversion::Builder {
                    union: union.clone(),
                    variant: variant.clone(),
                    branch: ty.clone(),
                });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The last name of a type path (`::std::string::String` → `String`).
fn last_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// Whether an enum is internally or adjacently tagged (`#[serde(tag = …)]`).
fn is_tagged(e: &syn::ItemEnum) -> bool {
    e.attrs.iter().any(|a| {
        a.path().is_ident("serde")
            && matches!(&a.meta, syn::Meta::List(l) if l.tokens.to_string().replace(' ', "").contains("tag="))
    })
}

/// Every item of a generated file, modules flattened, the `builder` modules left out.
fn items_outside_builders(file: &syn::File) -> Vec<&syn::Item> {
    fn walk<'a>(items: &'a [syn::Item], out: &mut Vec<&'a syn::Item>) {
        for item in items {
            match item {
                syn::Item::Mod(module) if module.ident == "builder" => {}
                syn::Item::Mod(module) => {
                    if let Some((_, inner)) = &module.content {
                        walk(inner, out);
                    }
                }
                other => out.push(other),
            }
        }
    }
    let mut out = Vec::new();
    walk(&file.items, &mut out);
    out
}

/// The `From<X>`/`TryFrom<X>` impls that exist already, by the type they convert into: the last
/// name of `X` (`&str` for a string slice).
fn existing_conversions(items: &[&syn::Item]) -> BTreeMap<String, BTreeSet<String>> {
    use syn::{GenericArgument, Item, PathArguments, Type};
    let mut existing: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in items {
        let Item::Impl(i) = item else { continue };
        let Some((path, _)) = &i.trait_ else { continue };
        let Some(segment) = path.segments.last() else {
            continue;
        };
        if segment.ident != "From" && segment.ident != "TryFrom" {
            continue;
        }
        let PathArguments::AngleBracketed(args) = &segment.arguments else {
            continue;
        };
        let Some(GenericArgument::Type(arg)) = args.args.first() else {
            continue;
        };
        let arg = match arg {
            Type::Reference(r) => format!("&{}", last_ident(&r.elem).unwrap_or_default()),
            other => last_ident(other).unwrap_or_default(),
        };
        if let Some(union) = last_ident(&i.self_ty) {
            existing.entry(union).or_default().insert(arg);
        }
    }
    existing
}

/// What the `types` module of a generated file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypesModule {
    /// Any type (struct, enum or alias).
    pub types: bool,
    /// The `builder` module (written beside the macro's output when some request type of the
    /// module has a builder).
    pub builder: bool,
    /// The `defaults` module (typify writes it when some field has a default).
    pub defaults: bool,
}

/// What the `types` module of a generated file holds (all `false` without one).
pub fn types_module(file: &syn::File) -> TypesModule {
    use syn::Item;
    let mut out = TypesModule {
        types: false,
        builder: false,
        defaults: false,
    };
    for item in &file.items {
        let Item::Mod(module) = item else { continue };
        if module.ident != "types" {
            continue;
        }
        for inner in module.content.iter().flat_map(|(_, items)| items) {
            match inner {
                Item::Struct(_) | Item::Enum(_) | Item::Type(_) => out.types = true,
                Item::Mod(m) if m.ident == "builder" => out.builder = true,
                Item::Mod(m) if m.ident == "defaults" => out.defaults = true,
                _ => {}
            }
        }
    }
    out
}

/// The names of the types a generated file defines (its builders left out).
pub fn type_names(file: &syn::File) -> std::collections::BTreeSet<String> {
    items_outside_builders(file)
        .into_iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect()
}
