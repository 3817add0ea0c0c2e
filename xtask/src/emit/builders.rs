//! The builders of the request-side types of `friendli-gen`: `Type::builder()`, a setter per field,
//! and the conversion of a builder into its type.
//!
//! progenitor's builder interface makes typify write a builder for every struct, whose setters
//! take `TryInto<FieldType>`: for an optional field, `TryInto<Option<X>>`, which nothing but an
//! `Option<X>` satisfies (the orphan rule forbids `From<Vec<String>> for Option<X>` anywhere), so
//! `.input(vec![…])` did not compile. `friendli-gen` uses progenitor's positional interface
//! instead, which writes no builders, and these are written here, from the structs typify
//! generates: only for the types a request reaches (what users build), with the setter of an
//! optional field taking whatever converts into the field's type, or an `Option` of it
//! (`friendli_gen::IntoOptional`).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Fields, Item, ItemStruct, Type};

/// The structs of a generated file's `types` module, by name.
pub(super) fn structs(file: &syn::File) -> BTreeMap<String, &ItemStruct> {
    types_items(file)
        .filter_map(|item| match item {
            Item::Struct(s) if matches!(s.fields, Fields::Named(_)) => {
                Some((s.ident.to_string(), s))
            }
            _ => None,
        })
        .collect()
}

/// The items of a generated file's `types` module.
fn types_items(file: &syn::File) -> impl Iterator<Item = &Item> {
    file.items
        .iter()
        .filter_map(|item| match item {
            Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items),
            _ => None,
        })
        .flatten()
}

/// The structs (with named fields) of a generated file that `roots` reach through the types of
/// fields and variants: the roots and every struct inside them.
pub(super) fn reached(file: &syn::File, roots: &BTreeSet<String>) -> BTreeSet<String> {
    let items: BTreeMap<String, &Item> = types_items(file)
        .filter_map(|item| match item {
            Item::Struct(s) => Some((s.ident.to_string(), item)),
            Item::Enum(e) => Some((e.ident.to_string(), item)),
            _ => None,
        })
        .collect();
    let mut seen = BTreeSet::new();
    let mut queue: Vec<String> = roots
        .iter()
        .filter(|r| items.contains_key(*r))
        .cloned()
        .collect();
    while let Some(name) = queue.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let fields: Vec<&Type> = match items.get(&name) {
            Some(Item::Struct(s)) => s.fields.iter().map(|f| &f.ty).collect(),
            Some(Item::Enum(e)) => e
                .variants
                .iter()
                .flat_map(|v| v.fields.iter().map(|f| &f.ty))
                .collect(),
            _ => Vec::new(),
        };
        for ty in fields {
            let text = quote!(#ty).to_string();
            for word in text.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                if items.contains_key(word) && !seen.contains(word) {
                    queue.push(word.to_owned());
                }
            }
        }
    }
    seen.retain(|name| matches!(items.get(name), Some(Item::Struct(s)) if matches!(s.fields, Fields::Named(_))));
    seen
}

/// One field of a struct, as its builder sees it.
struct Field {
    ident: syn::Ident,
    docs: Vec<syn::Attribute>,
    kind: Kind,
}

enum Kind {
    /// Must be given.
    Required(TokenStream),
    /// `Option<inner>`: left out unless given; its default, if the document has one.
    Optional {
        inner: TokenStream,
        default: Option<TokenStream>,
        /// Any JSON value: the setter takes `Into<Value>` (an `Option` of a JSON value would be
        /// ambiguous, `Value` converting from `Option` itself).
        json: bool,
    },
    /// Not an `Option`, but with a default (empty, or the document's).
    Defaulted {
        ty: TokenStream,
        default: Option<TokenStream>,
    },
}

/// The builders of the named structs of one module: the `builder` module, and for each type its
/// `builder()` and the conversion from its builder.
pub(super) fn builders(
    file: &syn::File,
    names: &BTreeSet<String>,
    module: &str,
) -> (TokenStream, TokenStream) {
    let structs = structs(file);
    let mut used_defaults = BTreeSet::new();
    let mut in_module = Vec::new();
    let mut outside = Vec::new();
    for name in names {
        let Some(item) = structs.get(name) else {
            continue;
        };
        let fields = fields(item);
        used_defaults.extend(default_functions(item));
        in_module.push(builder_struct(name, &fields));
        in_module.push(conversion(name, &fields));
        outside.push(builder_fn(name, &fields));
    }
    if in_module.is_empty() {
        return (TokenStream::new(), TokenStream::new());
    }
    let _ = module;
    let defaults = defaults_module(file, &used_defaults);
    let doc = " The builders of the request types of this module: `Type::builder()`, then a setter per field. See [`crate::IntoOptional`] for what the setter of an optional field takes.";
    (
        quote! {
            #[doc = #doc]
            pub mod builder {
                #[allow(unused_imports)]
                use super::types;
                #defaults
                #(#in_module)*
            }
        },
        quote! { #(#outside)* },
    )
}

/// The fields of a struct, their types written from the crate root.
fn fields(item: &ItemStruct) -> Vec<Field> {
    item.fields
        .iter()
        .filter_map(|field| {
            let ident = field.ident.clone()?;
            let docs = field
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .cloned()
                .collect();
            let serde = serde_attributes(&field.attrs);
            // `defaults::…` of the builder module (copies of typify's, which are private to
            // `types`).
            let default = serde.default_fn.as_deref().map(|path| {
                let path: TokenStream = path.parse().expect("a default function path");
                quote! { #path() }
            });
            let kind = match option_inner(&field.ty) {
                Some(inner) => {
                    let json = quote!(#inner).to_string().replace(' ', "") == "::serde_json::Value";
                    Kind::Optional {
                        inner: qualified(inner),
                        default,
                        json,
                    }
                }
                None if serde.default || default.is_some() || serde.flatten => Kind::Defaulted {
                    ty: qualified(&field.ty),
                    default,
                },
                None => Kind::Required(qualified(&field.ty)),
            };
            Some(Field { ident, docs, kind })
        })
        .collect()
}

/// The functions of typify's `defaults` that the fields of a struct name.
fn default_functions(item: &ItemStruct) -> BTreeSet<String> {
    item.fields
        .iter()
        .filter_map(|f| serde_attributes(&f.attrs).default_fn)
        .filter_map(|path| {
            path.strip_prefix("defaults::").map(|rest| {
                rest.split([':', '<'])
                    .next()
                    .unwrap_or(rest)
                    .trim()
                    .to_owned()
            })
        })
        .collect()
}

/// The builder module's `defaults`: copies of the functions of typify's `defaults` the builders
/// use (typify's are visible to its `types` module only), with the types they name written from
/// the crate root.
fn defaults_module(file: &syn::File, used: &BTreeSet<String>) -> TokenStream {
    if used.is_empty() {
        return TokenStream::new();
    }
    let functions = types_items(file)
        .filter_map(|item| match item {
            Item::Mod(m) if m.ident == "defaults" => m.content.as_ref().map(|(_, items)| items),
            _ => None,
        })
        .flatten()
        .filter_map(|item| match item {
            Item::Fn(f) if used.contains(&f.sig.ident.to_string()) => {
                let mut f = f.clone();
                f.vis = syn::parse_quote!(pub(super));
                let text = quote!(#f)
                    .to_string()
                    .replace("super ::", "crate :: types ::");
                Some(text.parse::<TokenStream>().expect("a function parses"))
            }
            _ => None,
        });
    quote! {
        /// The defaults of fields, as the API document gives them.
        mod defaults {
            #(#functions)*
        }
    }
}

/// What a field's `#[serde(...)]` says about its default.
#[derive(Default)]
struct Serde {
    /// `default` (the type's).
    default: bool,
    /// `default = "path"`.
    default_fn: Option<String>,
    /// `flatten` (a map of the other members; empty by default).
    flatten: bool,
}

fn serde_attributes(attrs: &[syn::Attribute]) -> Serde {
    let mut out = Serde::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") {
                match meta.value() {
                    Ok(value) => {
                        let path: syn::LitStr = value.parse()?;
                        out.default_fn = Some(path.value());
                    }
                    Err(_) => out.default = true,
                }
            } else if meta.path.is_ident("flatten") {
                out.flatten = true;
            } else if let Ok(value) = meta.value() {
                // `rename = "…"`, `skip_serializing_if = "…"`, …: read and ignored.
                let _: syn::Expr = value.parse()?;
            }
            Ok(())
        });
    }
    out
}

/// The `T` of `::std::option::Option<T>`.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// A type with the generated types named from the crate root (`Message` →
/// `crate::types::Message`): typify names them relative to the module that generates them, and
/// the `types` of another module may be the one that holds them.
fn qualified(ty: &Type) -> TokenStream {
    let mut ty = ty.clone();
    qualify(&mut ty);
    quote!(#ty)
}

fn qualify(ty: &mut Type) {
    match ty {
        Type::Path(path) => {
            for segment in &mut path.path.segments {
                if let syn::PathArguments::AngleBracketed(args) = &mut segment.arguments {
                    for arg in &mut args.args {
                        if let syn::GenericArgument::Type(inner) = arg {
                            qualify(inner);
                        }
                    }
                }
            }
            let local = path.qself.is_none()
                && path.path.leading_colon.is_none()
                && path.path.segments.len() == 1
                && !PRIMITIVES.contains(&path.path.segments[0].ident.to_string().as_str());
            if local {
                let name = &path.path.segments[0];
                *ty = syn::parse_quote!(crate::types::#name);
            }
        }
        Type::Array(array) => qualify(&mut array.elem),
        Type::Slice(slice) => qualify(&mut slice.elem),
        Type::Reference(reference) => qualify(&mut reference.elem),
        Type::Tuple(tuple) => tuple.elems.iter_mut().for_each(qualify),
        _ => {}
    }
}

const PRIMITIVES: [&str; 17] = [
    "bool", "char", "str", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64",
    "u128", "usize", "f32", "f64",
];

/// The names of the required fields, as the documentation lists them.
fn required_list(fields: &[Field]) -> String {
    let required: Vec<String> = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Required(_)))
        .map(|f| format!("`{}`", wire_name(&f.ident)))
        .collect();
    if required.is_empty() {
        "none".to_owned()
    } else {
        required.join(", ")
    }
}

/// A field's name as the setter is named (`r#type` → `type_` stays as typify wrote it).
fn wire_name(ident: &syn::Ident) -> String {
    ident.to_string()
}

/// The builder struct and its setters.
fn builder_struct(name: &str, fields: &[Field]) -> TokenStream {
    let ty = format_ident!("{name}");
    let doc = format!(
        " A builder of [`{name}`](types::{name}) (`{name}::builder()`): set its fields, then give it wherever a `{name}` is expected, or convert it with `{name}::try_from(builder)`. A required field left unset is reported then. Required: {}.",
        required_list(fields)
    );
    let slots = fields.iter().map(|f| {
        let ident = &f.ident;
        let ty = match &f.kind {
            Kind::Required(ty) | Kind::Defaulted { ty, .. } => ty.clone(),
            Kind::Optional { inner, .. } => quote! { ::std::option::Option<#inner> },
        };
        quote! { #ident: ::std::result::Result<#ty, ::std::string::String>, }
    });
    let defaults = fields.iter().map(|f| {
        let ident = &f.ident;
        let value = match &f.kind {
            Kind::Required(_) => {
                let message = format!("no value supplied for {ident}");
                quote! { Err(#message.to_string()) }
            }
            Kind::Optional {
                default: Some(default),
                ..
            }
            | Kind::Defaulted {
                default: Some(default),
                ..
            } => quote! { Ok(#default) },
            _ => quote! { Ok(Default::default()) },
        };
        quote! { #ident: #value, }
    });
    let setters = fields.iter().map(setter);
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug)]
        pub struct #ty {
            #(#slots)*
        }

        impl ::std::default::Default for #ty {
            fn default() -> Self {
                Self {
                    #(#defaults)*
                }
            }
        }

        impl #ty {
            #(#setters)*
        }
    }
}

/// The setter of a field, with the field's own documentation.
fn setter(field: &Field) -> TokenStream {
    let ident = &field.ident;
    let docs = &field.docs;
    let failed = format!("error converting supplied value for {ident}: {{e}}");
    match &field.kind {
        Kind::Required(ty) | Kind::Defaulted { ty, .. } => {
            let what = if matches!(field.kind, Kind::Required(_)) {
                " Required: anything that converts into the field's type."
            } else {
                " Optional (it has a default): anything that converts into the field's type."
            };
            quote! {
                #(#docs)*
                #[doc = ""]
                #[doc = #what]
                pub fn #ident<T>(mut self, value: T) -> Self
                where
                    T: ::std::convert::TryInto<#ty>,
                    T::Error: ::std::fmt::Display,
                {
                    self.#ident = value.try_into().map_err(|e| format!(#failed));
                    self
                }
            }
        }
        Kind::Optional {
            inner, json: true, ..
        } => quote! {
            #(#docs)*
            #[doc = ""]
            #[doc = " Optional: any JSON value."]
            pub fn #ident<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::Into<#inner>,
            {
                self.#ident = Ok(Some(value.into()));
                self
            }
        },
        Kind::Optional { inner, .. } => quote! {
            #(#docs)*
            #[doc = ""]
            #[doc = " Optional: anything that converts into the field's type, or an `Option` of it (`None` leaves it out)."]
            pub fn #ident<T, Via>(mut self, value: T) -> Self
            where
                T: crate::IntoOptional<#inner, Via>,
            {
                self.#ident = value.into_optional().map_err(|e| format!(#failed));
                self
            }
        },
    }
}

/// `Type::builder()`.
fn builder_fn(name: &str, fields: &[Field]) -> TokenStream {
    let ty = format_ident!("{name}");
    let doc = format!(
        " A builder of this type: a setter per field, then give the builder wherever a `{name}` is expected (a call's body, another builder's field), or convert it with `{name}::try_from`. Required: {}.",
        required_list(fields)
    );
    quote! {
        impl types::#ty {
            #[doc = #doc]
            pub fn builder() -> builder::#ty {
                Default::default()
            }
        }
    }
}

/// `TryFrom<builder::Type> for Type`: the value, or the first field that was not supplied or did
/// not convert.
fn conversion(name: &str, fields: &[Field]) -> TokenStream {
    let ty = format_ident!("{name}");
    let moves = fields.iter().map(|f| {
        let ident = &f.ident;
        quote! { #ident: value.#ident?, }
    });
    quote! {
        impl ::std::convert::TryFrom<#ty> for types::#ty {
            type Error = types::error::ConversionError;
            fn try_from(value: #ty) -> ::std::result::Result<Self, types::error::ConversionError> {
                Ok(Self {
                    #(#moves)*
                })
            }
        }
    }
}
