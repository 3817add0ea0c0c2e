//! The files of `friendli-gen`: one progenitor document per module (`spec/<module>.json`: the
//! module's operations and the schemas they reach) and `src/generated.rs`, which holds each
//! module's `generate_api!` call, the conversions typify leaves out, and the merged `types`
//! module.
//!
//! progenitor runs here once per module, on the module's own document, as the macro will: what
//! it generates is inspected for what the module's types implement (the `replace` entries of the
//! other modules must name the traits of the shared types) and for the conversions to add. The
//! whole document was run through progenitor before (see [`crate::workspace::derived_files`]): that
//! run proves the document generates and leaves out what cannot be; these runs see the modules
//! as the macro compiles them, with the shared types generated once, in `shared`.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Map, Value, json};

use super::{File, GENERATED, any_features, cfg, ident, indent, render_items, rustdoc};
use crate::api::{Api, GROUPS, SHARED};
use crate::document::{METHODS, reachable_schemas, referenced_schemas};
use crate::generate::{Conversion, TypesModule};

/// The progenitor documents of `friendli-gen` (one per module) and its `generated.rs`.
pub fn friendli_gen(api: &Api, converted: &Value) -> Vec<File> {
    let converted = &with_extension_docs(converted);
    let schemas = converted
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let request_types = request_types(api, converted, &schemas);
    let mut files = Vec::new();
    let mut modules = String::new();
    let mut shared = SharedTypes::default();
    // What each module's `types` holds, so that the merged `types` re-exports only what exists
    // (a group with no operations in the document has no types, no builders, no defaults).
    let mut contents: BTreeMap<&str, TypesModule> = BTreeMap::new();
    for module in std::iter::once(SHARED).chain(GROUPS) {
        let (document, reach) = module_document(api, converted, &schemas, module);
        let inspected = Inspected::of(&document, module, &request_types, &mut shared);
        contents.insert(module, inspected.contents);
        let mut text = serde_json::to_string_pretty(&document).expect("JSON values serialise");
        text.push('\n');
        files.push(File {
            path: format!("friendli-gen/spec/{module}.json"),
            contents: text,
        });
        let replaced: Vec<&String> = if module == SHARED {
            Vec::new()
        } else {
            reach
                .iter()
                .filter(|name| api.home.get(*name).map(String::as_str) == Some(SHARED))
                .collect()
        };
        let replace = replace_entries(api, &shared.implemented, &replaced);
        modules.push_str(&module_text(module, &replace, &inspected, &shared));
        modules.push('\n');
    }
    let types = render_items([merged_types(api, &schemas, &contents)]);
    files.push(File {
        path: "friendli-gen/src/generated.rs".into(),
        contents: format!("{GENERATED}\n{modules}{types}"),
    });
    files
}

/// The document with the extension methods of `friendli` named in the descriptions of the types
/// they belong to (see [`crate::extras::METHODS_OF_TYPES`]): a reader of a type's page finds them
/// there.
fn with_extension_docs(converted: &Value) -> Value {
    let mut out = converted.clone();
    let Some(schemas) = out
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return out;
    };
    for (name, schema) in schemas.iter_mut() {
        let (Some(text), Value::Object(map)) = (crate::extras::methods_doc(name), schema) else {
            continue;
        };
        let description = match map.get("description").and_then(Value::as_str) {
            Some(own) => format!("{own}\n\n{text}"),
            None => text,
        };
        map.insert("description".into(), Value::String(description));
    }
    out
}

/// The progenitor document of one module: the operations of its group (none for `shared`), and
/// the schemas they and the module's own types reach. Returns it with the reached schemas.
fn module_document(
    api: &Api,
    converted: &Value,
    schemas: &Map<String, Value>,
    module: &str,
) -> (Value, BTreeSet<String>) {
    let mut paths = Map::new();
    let mut roots: Vec<String> = Vec::new();
    if module != SHARED {
        for (key, item) in converted
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(kept) = module_path_item(api, item, module) {
                roots.extend(referenced_schemas(&kept));
                roots.extend(multipart_schemas(&kept));
                paths.insert(key.clone(), kept);
            }
        }
    }
    roots.extend(
        api.home
            .iter()
            .filter(|(_, home)| home.as_str() == module)
            .map(|(name, _)| name.clone()),
    );
    let reach = reachable_schemas(schemas, roots);
    let module_schemas: Map<String, Value> = schemas
        .iter()
        .filter(|(name, _)| reach.contains(*name))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut document = converted.clone();
    document["paths"] = Value::Object(paths);
    document["components"]["schemas"] = Value::Object(module_schemas);
    if let Value::Object(root) = &mut document {
        root.remove("x-friendli-aliases");
        root.insert(
            "x-generated".into(),
            json!("Derived from openapi/friendli.yaml by `cargo xtask generate`. Do not edit."),
        );
    }
    (document, reach)
}

/// A path item with only the operations of `module`'s group, if it has any.
fn module_path_item(api: &Api, item: &Value, module: &str) -> Option<Value> {
    let mut kept = item.as_object().cloned().unwrap_or_default();
    kept.retain(|k, v| {
        if !METHODS.contains(&k.as_str()) {
            return true;
        }
        let id = v
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        api.operations
            .iter()
            .any(|o| o.id == id && o.group == module)
    });
    kept.keys()
        .any(|k| METHODS.contains(&k.as_str()))
        .then_some(Value::Object(kept))
}

/// The component schemas of the multipart bodies of a path item's operations (named by a
/// marker, not referenced).
fn multipart_schemas(item: &Value) -> Vec<String> {
    METHODS
        .iter()
        .filter_map(|method| {
            item.get(method)
                .and_then(|op| op.pointer("/x-friendli-multipart/schema"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect()
}

/// What `shared` generates: the traits each of its types implements (the `replace` entries of
/// the other modules name them), and the names of its types.
#[derive(Default)]
struct SharedTypes {
    implemented: BTreeMap<String, BTreeSet<String>>,
    names: BTreeSet<String>,
    /// The types of `shared` that have a builder (in `crate::shared::builder`).
    builders: BTreeSet<String>,
}

/// The Rust names of the component schemas a request reaches (JSON bodies, the fields of
/// multipart bodies, and what they reach): the types that get builders.
fn request_types(api: &Api, converted: &Value, schemas: &Map<String, Value>) -> BTreeSet<String> {
    let mut roots = Vec::new();
    for (_, _, op) in crate::document::operations(converted) {
        if let Some(body) = op.get("requestBody") {
            roots.extend(referenced_schemas(body));
        }
        roots.extend(
            op.pointer("/x-friendli-multipart/schema")
                .and_then(Value::as_str)
                .map(str::to_owned),
        );
    }
    reachable_schemas(schemas, roots)
        .into_iter()
        .map(|name| {
            api.type_names
                .get(&name)
                .cloned()
                .unwrap_or_else(|| crate::api::type_name(&name))
        })
        .collect()
}

/// What progenitor generates for one module, as far as `generated.rs` needs to know.
struct Inspected {
    contents: TypesModule,
    conversions: Vec<Conversion>,
    /// The module's `builder` module, and the items beside it (`builder()`, the conversions).
    builders: (TokenStream, TokenStream),
}

impl Inspected {
    /// Runs progenitor on a module's document, as the macro will, and writes the builders of the
    /// request types it generates. For `shared`, records what its types are and implement; for a
    /// group, leaves out the shared types (`shared` generates them).
    fn of(
        document: &Value,
        module: &str,
        request_types: &BTreeSet<String>,
        shared: &mut SharedTypes,
    ) -> Inspected {
        let Ok(file) = crate::generate::generate_file(document) else {
            // The whole document generated; a module that does not is reported when the macro
            // compiles it. Assume it has everything.
            return Inspected {
                contents: TypesModule {
                    types: true,
                    builder: true,
                    defaults: true,
                },
                conversions: Vec::new(),
                builders: (TokenStream::new(), TokenStream::new()),
            };
        };
        let mut built = super::builders::reached(&file, request_types);
        built.retain(|name| module == SHARED || !shared.names.contains(name));
        let with_builders: BTreeSet<String> = built.union(&shared.builders).cloned().collect();
        let mut conversions = crate::generate::conversions(&file, &with_builders);
        if module == SHARED {
            shared.implemented = crate::generate::implemented_traits(&file);
            shared.names = crate::generate::type_names(&file);
            shared.builders = built.clone();
        } else {
            conversions.retain(|c| !shared.names.contains(c.union()));
        }
        let builders = super::builders::builders(&file, &built, module);
        let mut contents = crate::generate::types_module(&file);
        contents.builder = !builders.0.is_empty();
        Inspected {
            contents,
            conversions,
            builders,
        }
    }
}

/// The `replace` entries of a module's macro call: each shared type it uses, by its shared path,
/// with the traits typify assumes (`FromStr`, `Display`) that it lacks, and `Default` if it has it.
fn replace_entries(
    api: &Api,
    implemented: &BTreeMap<String, BTreeSet<String>>,
    replaced: &[&String],
) -> Vec<String> {
    replaced
        .iter()
        .map(|name| {
            let ty = api.type_names.get(*name).cloned().unwrap_or_default();
            let impls = implemented.get(&ty).cloned().unwrap_or_default();
            let mut traits: Vec<String> = ["FromStr", "Display"]
                .into_iter()
                .filter(|assumed| !impls.contains(*assumed))
                .map(|missing| format!("?{missing}"))
                .collect();
            if impls.contains("Default") {
                traits.push("Default".to_owned());
            }
            if traits.is_empty() {
                format!("{ty} = crate::shared::types::{ty},")
            } else {
                format!("{ty} = crate::shared::types::{ty}: {},", traits.join(" + "))
            }
        })
        .collect()
}

/// One module of `generated.rs`: its documentation and feature, its `generate_api!` call, and the
/// items added to what the macro generates (conversions, builders).
fn module_text(
    module: &str,
    replace: &[String],
    inspected: &Inspected,
    shared: &SharedTypes,
) -> String {
    let doc = match module {
        SHARED => "The types used by more than one group of operations (and by none).".to_owned(),
        group => format!(
            "The `{group}` operations: their low-level client and the types only they use (feature `{group}`)."
        ),
    };
    let mut out = format!("/// {doc}\n");
    if module != SHARED {
        out.push_str(&format!("#[cfg(feature = \"{module}\")]\n"));
    }
    out.push_str(&format!(
        "pub mod {module} {{\n    use crate::progenitor;\n"
    ));
    out.push_str(&indent(&macro_call(module, replace), 4));
    let mut items = conversion_impls(&inspected.conversions, shared, module);
    items.push(inspected.builders.0.clone());
    items.push(inspected.builders.1.clone());
    out.push_str(&indent(&render_items(items), 4));
    out.push_str("}\n");
    out
}

/// A module's `generate_api!` call, in a local macro made twice: with `JsonSchema` on every type
/// (feature `json-schema`) and without (the derive costs about a third of the module's compile
/// time). A text template: `prettyplease` cannot lay out the arguments of a macro call.
fn macro_call(module: &str, replace: &[String]) -> String {
    let mut replace_block = String::new();
    if !replace.is_empty() {
        replace_block.push_str("        replace = {\n");
        for entry in replace {
            replace_block.push_str(&format!("            {entry}\n"));
        }
        replace_block.push_str("        },\n");
    }
    format!(
        "/// This module's `generate_api!` call, with the derives given.
macro_rules! generate {{
    ($($derives:tt)*) => {{
        progenitor_macro::generate_api!(
            spec = \"spec/{module}.json\",
            interface = Positional,
            tags = Merged,
            inner_type = crate::RequestDefaults,
            derives = [$($derives)*],
{replace}        );
    }};
}}
#[cfg(feature = \"json-schema\")]
generate!(schemars::JsonSchema, PartialEq);
#[cfg(not(feature = \"json-schema\"))]
generate!(PartialEq);
crate::hooks!();
",
        replace = indent(&replace_block, 4)
    )
}

/// The impls of the conversions typify leaves out (see [`Conversion`]).
fn conversion_impls(
    conversions: &[Conversion],
    shared: &SharedTypes,
    module: &str,
) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for conversion in conversions {
        match conversion {
            Conversion::Text { union, variant } => {
                let union = ident(union);
                let variant = ident(variant);
                out.push(quote! {
                    impl ::std::convert::From<&str> for types::#union {
                        fn from(value: &str) -> Self {
                            Self::#variant(value.to_owned())
                        }
                    }
                });
                out.push(quote! {
                    impl ::std::convert::From<::std::string::String> for types::#union {
                        fn from(value: ::std::string::String) -> Self {
                            Self::#variant(value)
                        }
                    }
                });
            }
            Conversion::Builder {
                union,
                variant,
                branch,
            } => {
                let (types, builder) = if module != SHARED && shared.builders.contains(branch) {
                    (
                        quote! { crate::shared::types },
                        quote! { crate::shared::builder },
                    )
                } else {
                    (quote! { types }, quote! { builder })
                };
                let union = ident(union);
                let variant = ident(variant);
                let branch = ident(branch);
                out.push(quote! {
                    impl ::std::convert::TryFrom<#builder::#branch> for types::#union {
                        type Error = <#types::#branch as ::std::convert::TryFrom<#builder::#branch>>::Error;
                        fn try_from(value: #builder::#branch) -> ::std::result::Result<Self, Self::Error> {
                            ::std::result::Result::Ok(Self::#variant(value.try_into()?))
                        }
                    }
                });
            }
        }
    }
    out
}

/// The merged `types` module: every module's types, builders and defaults, the `DateTime` the
/// parameters name, and the aliases of the document.
fn merged_types(
    api: &Api,
    schemas: &Map<String, Value>,
    contents: &BTreeMap<&str, TypesModule>,
) -> TokenStream {
    let has = |module: &str, what: fn(&TypesModule) -> bool| contents.get(module).is_none_or(what);
    let gate = |module: &str| (module != SHARED).then(|| cfg(module));
    let modules = std::iter::once(SHARED).chain(GROUPS);
    let globs = modules.clone().filter(|m| has(m, |c| c.types)).map(|m| {
        let gate = gate(m);
        let m = ident(m);
        quote! { #gate pub use crate::#m::types::*; }
    });
    let builders = modules.filter(|m| has(m, |c| c.builder)).map(|m| {
        let gate = gate(m);
        let m = ident(m);
        quote! { #gate pub use crate::#m::builder::*; }
    });
    // Every module has its `error`; `defaults` where some field has a default (the shared one
    // named, to settle the globs' ambiguity).
    let shared_items = if has(SHARED, |c| c.defaults) {
        quote! { pub use crate::shared::types::{defaults, error}; }
    } else {
        quote! { pub use crate::shared::types::error; }
    };
    let defaults_module = (!has(SHARED, |c| c.defaults)
        && GROUPS.iter().filter(|g| has(g, |c| c.defaults)).count() > 1)
        .then(|| {
            // Several groups' `defaults` and none shared: a module of this name settles the
            // globs' ambiguity (the fields' defaults stay in their groups' modules, where serde
            // finds them).
            quote! {
                /// The defaults of fields are in the module of each group (`crate::<group>::types::defaults`).
                pub mod defaults {}
            }
        });
    let date_time = date_time_alias(api, schemas);
    let aliases = aliases(api);
    let doc = rustdoc(
        "Every type of the API, from whichever module generates it (the module of the one group\n\
         of operations that uses it, or `shared`), and the aliases of types that are another's.",
    );
    quote! {
        #doc
        pub mod types {
            #(#globs)*
            #shared_items
            #defaults_module
            /// The builders of the types (`Type::builder()`).
            pub mod builder {
                #(#builders)*
            }
            #date_time
            #(#aliases)*
        }
    }
}

/// `DateTime`, under the features of the groups whose types or parameters have a date-time.
fn date_time_alias(api: &Api, schemas: &Map<String, Value>) -> TokenStream {
    let groups: Vec<&str> = GROUPS
        .iter()
        .copied()
        .filter(|g| {
            api.home.iter().any(|(name, home)| {
                home == g
                    && schemas
                        .get(name)
                        .is_some_and(|s| s.to_string().contains("\"date-time\""))
            }) || api.operations.iter().any(|o| {
                o.group == *g
                    && o.query_params
                        .iter()
                        .chain(&o.path_params)
                        .any(|p| p.rust_type.ends_with("DateTime"))
            })
        })
        .collect();
    if groups.is_empty() {
        return TokenStream::new();
    }
    let predicate = any_features(&groups);
    quote! {
        /// A point in time (`format: date-time` in the API document), in UTC.
        #[cfg(#predicate)]
        pub type DateTime = ::chrono::DateTime<::chrono::Utc>;
    }
}

/// The aliases of the document (`x-friendli-aliases`): a name of the document that is another
/// type's.
fn aliases(api: &Api) -> Vec<TokenStream> {
    api.aliases
        .iter()
        .map(|(alias, target)| {
            let alias_ty = crate::api::type_name(alias);
            let target_ty = api
                .type_names
                .get(target)
                .cloned()
                .unwrap_or_else(|| crate::api::type_name(target));
            let doc = format!(" `{alias}` of the API document: the same type as [`{target_ty}`].");
            let gate = api
                .home
                .get(target)
                .filter(|h| h.as_str() != SHARED)
                .map(|group| cfg(group));
            let alias_ty = ident(&alias_ty);
            let target_ty = ident(&target_ty);
            quote! {
                #[doc = #doc]
                #gate
                pub type #alias_ty = #target_ty;
            }
        })
        .collect()
}
