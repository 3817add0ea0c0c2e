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
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use progenitor_impl::{GenerationSettings, Generator, InterfaceStyle, TagStyle};
use serde_json::{Map, Value};

use crate::document::{METHODS, Problem, escape, join, reachable_schemas};

/// The generator settings of `friendli-gen` (see `friendli-gen/src/lib.rs`).
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
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
