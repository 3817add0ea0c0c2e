//! `friendli/src/generated/operations.rs`: one type per operation, implementing `Operation`.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use super::{any_features, cfg, docs, ident, render_file, rust};
use crate::api::{Api, Body, PageShape, Pagination, Param, RAW_EVENT, Response, StreamEnd};

/// `friendli/src/generated/operations.rs`: one type per operation.
pub fn operations(api: &Api) -> String {
    let head = quote! {
        #[allow(unused_imports)]
        use std::borrow::Cow;
    };
    let imports = quote! {
        #[allow(unused_imports)]
        use crate::operation::{Family, Operation, OperationInfo, Query, StreamEnd, Verb};
    };
    let mut items = vec![head, imports];
    for operation in &api.operations {
        items.push(operation_type(operation));
        items.push(constructor_and_setters(operation));
        items.push(operation_impl(api, operation));
        if let Some(pagination) = &operation.pagination {
            items.push(paginated_impl(operation, pagination));
        }
    }
    items.extend(json_bodies(api));
    render_file(
        "One type per operation of the API, generated from its document. Send any of them with\n\
         [`Client::call`](crate::Client::call); the namespaces (`client.serverless().chat()`, …) are\n\
         shortcuts for the same calls.",
        items,
    )
}

/// The operation's path and query parameters, path parameters first.
fn params(operation: &crate::api::Operation) -> Vec<&Param> {
    operation
        .path_params
        .iter()
        .chain(&operation.query_params)
        .collect()
}

/// The documentation of an operation: our summary and description, its method and path, and
/// how a paged list is read.
pub(super) fn operation_doc(operation: &crate::api::Operation) -> String {
    let mut text = String::new();
    if let Some(summary) = &operation.summary {
        text.push_str(&format!("{summary}.\n\n"));
    }
    if let Some(description) = &operation.description {
        text.push_str(&format!("{description}\n\n"));
    }
    text.push_str(&format!(
        "`{} {}` (operation `{}`",
        operation.method.to_uppercase(),
        operation.path,
        operation.id
    ));
    if operation.ignored {
        text.push_str("; left out of the provider's own SDKs");
    }
    text.push_str(").");
    if operation.pagination.is_some() {
        text.push_str(
            "\n\nA paged list: `.items()` on its call streams the items of every page, following the cursor to the end; `.pages()` streams the pages.",
        );
    }
    text
}

/// The operation's type: a unit struct, or a struct of its parameters.
fn operation_type(operation: &crate::api::Operation) -> TokenStream {
    let doc = docs(&operation_doc(operation));
    let cfg = cfg(&operation.group);
    let name = ident(&operation.type_name);
    let params = params(operation);
    if params.is_empty() {
        return quote! {
            #doc
            #cfg
            #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
            pub struct #name;
        };
    }
    let derives = if params.iter().any(|p| p.required) {
        quote! { #[derive(Debug, Clone, PartialEq)] }
    } else {
        quote! { #[derive(Debug, Clone, Default, PartialEq)] }
    };
    let fields = params.iter().map(|param| {
        let location = if operation.path_params.iter().any(|p| p.name == param.name) {
            "path"
        } else {
            "query"
        };
        let doc = format!(
            " The `{}` {location} parameter{}.",
            param.name,
            if param.required { "" } else { " (optional)" }
        );
        let field = ident(&param.ident);
        let ty = field_type(param);
        quote! {
            #[doc = #doc]
            pub #field: #ty,
        }
    });
    quote! {
        #doc
        #cfg
        #derives
        pub struct #name {
            #(#fields)*
        }
    }
}

/// `new` with the required parameters, and a setter per optional one.
fn constructor_and_setters(operation: &crate::api::Operation) -> TokenStream {
    let params = params(operation);
    if params.is_empty() {
        return TokenStream::new();
    }
    let cfg = cfg(&operation.group);
    let name = ident(&operation.type_name);
    let required = params.iter().filter(|p| p.required);
    let args = required.map(|p| {
        let arg = ident(&p.ident);
        let ty = argument_type(p);
        quote! { #arg: #ty }
    });
    let inits = params.iter().map(|p| {
        let field = ident(&p.ident);
        if p.required {
            let value = conversion(p, &field);
            quote! { #field: #value }
        } else {
            quote! { #field: None }
        }
    });
    let setters = params.iter().filter(|p| !p.required).map(|p| {
        let field = ident(&p.ident);
        let arg = argument_type(p);
        let value = conversion(p, &ident("value"));
        let doc = format!(" Sets the `{}` parameter.", p.name);
        quote! {
            #[doc = #doc]
            pub fn #field(mut self, value: #arg) -> Self {
                self.#field = Some(#value);
                self
            }
        }
    });
    quote! {
        #cfg
        impl #name {
            /// The operation with its required parameters.
            pub fn new(#(#args),*) -> Self {
                #name {
                    #(#inits,)*
                }
            }
            #(#setters)*
        }
    }
}

/// The type of the argument that sets a parameter.
pub(super) fn argument_type(param: &Param) -> TokenStream {
    let ty = rust(&param.rust_type);
    if param.list {
        quote! { impl IntoIterator<Item = #ty> }
    } else {
        quote! { impl Into<#ty> }
    }
}

/// The expression that turns the argument `value` into the parameter's field value.
fn conversion(param: &Param, value: &proc_macro2::Ident) -> TokenStream {
    if param.list {
        quote! { #value.into_iter().collect() }
    } else {
        quote! { #value.into() }
    }
}

/// The type of a parameter's field.
fn field_type(param: &Param) -> TokenStream {
    let ty = rust(&param.rust_type);
    let inner = if param.list {
        quote! { Vec<#ty> }
    } else {
        ty
    };
    if param.required {
        inner
    } else {
        quote! { Option<#inner> }
    }
}

/// The `Operation` impl: body and response types, the facts, the path and the query.
fn operation_impl(api: &Api, operation: &crate::api::Operation) -> TokenStream {
    let cfg = cfg(&operation.group);
    let name = ident(&operation.type_name);
    let body = body_type(api, operation);
    let response = response_type(api, operation);
    let info = operation_info(operation);
    let path = path_fn(operation);
    let query = query_fn(operation);
    quote! {
        #cfg
        impl Operation for #name {
            type Body = #body;
            type Response = #response;
            const INFO: &'static OperationInfo = &#info;
            #path
            #query
        }
    }
}

/// The operation's `OperationInfo` literal.
fn operation_info(operation: &crate::api::Operation) -> TokenStream {
    let id = &operation.id;
    let method = ident(verb(&operation.method));
    let path = &operation.path;
    let family = ident(family(operation));
    let stream = match operation.stream_flag {
        Some(flag) => quote! { Some(#flag) },
        None => quote! { None },
    };
    let idempotent = operation.idempotent;
    let team = operation.team;
    let auth = operation.auth;
    let required = &operation.required_fields;
    let gen_ai_operation = match gen_ai_operation(operation) {
        Some(name) => quote! { Some(#name) },
        None => quote! { None },
    };
    let stream_end = match &operation.response {
        Response::Events { end, .. } | Response::RawEvents { end } => stream_end(end),
        Response::Empty | Response::Json(_) => quote! { StreamEnd::Eof },
    };
    quote! {
        OperationInfo {
            id: #id,
            method: Verb::#method,
            path: #path,
            family: Family::#family,
            stream: #stream,
            idempotent: #idempotent,
            team: #team,
            auth: #auth,
            stream_end: #stream_end,
            required_fields: &[#(#required),*],
            gen_ai_operation: #gen_ai_operation,
        }
    }
}

/// The OpenTelemetry GenAI operation name (`gen_ai.operation.name`) of an inference operation,
/// from the last segments of its path; `None` for the others (management, files, tokenizers).
fn gen_ai_operation(operation: &crate::api::Operation) -> Option<&'static str> {
    let path = operation.path.trim_end_matches('/');
    if path.ends_with("/chat/completions")
        || path.ends_with("/messages")
        || path.ends_with("/responses")
    {
        Some("chat")
    } else if path.ends_with("/completions") {
        Some("text_completion")
    } else if path.ends_with("/embeddings") {
        Some("embeddings")
    } else {
        None
    }
}

fn stream_end(end: &StreamEnd) -> TokenStream {
    match end {
        StreamEnd::Sentinel(sentinel) => quote! { StreamEnd::Sentinel(#sentinel) },
        StreamEnd::Events(names) => quote! { StreamEnd::Events(&[#(#names),*]) },
        StreamEnd::Eof => quote! { StreamEnd::Eof },
    }
}

/// `path()`: the template with the path parameters filled in, each percent-encoded. None
/// without path parameters: the trait's default is the template itself.
fn path_fn(operation: &crate::api::Operation) -> TokenStream {
    if operation.path_params.is_empty() {
        return TokenStream::new();
    }
    // The template cut at its parameters: literal pieces and segments, concatenated.
    let mut pieces = Vec::new();
    let mut rest = operation.path.as_str();
    for param in &operation.path_params {
        let placeholder = format!("{{{}}}", param.name);
        let Some((before, after)) = rest.split_once(&placeholder) else {
            continue;
        };
        if !before.is_empty() {
            pieces.push(quote! { #before });
        }
        let field = ident(&param.ident);
        pieces.push(quote! { crate::operation::segment(&self.#field).as_str() });
        rest = after;
    }
    if !rest.is_empty() {
        pieces.push(quote! { #rest });
    }
    quote! {
        #[inline]
        fn path(&self) -> Cow<'static, str> {
            Cow::Owned([#(#pieces),*].concat())
        }
    }
}

/// `query()`: every query parameter, in the document's order. None without query parameters:
/// the trait's default adds none.
fn query_fn(operation: &crate::api::Operation) -> TokenStream {
    if operation.query_params.is_empty() {
        return TokenStream::new();
    }
    let pushes = operation.query_params.iter().map(|param| {
        let name = &param.name;
        let field = ident(&param.ident);
        quote! { query.push(#name, &self.#field); }
    });
    quote! {
        #[inline]
        fn query(&self, query: &mut Query) {
            #(#pushes)*
        }
    }
}

/// The `Paginated` impl of a paged list operation: the layout of its pages' `data` and its cursor.
fn paginated_impl(operation: &crate::api::Operation, pagination: &Pagination) -> TokenStream {
    let cfg = cfg(&operation.group);
    let name = ident(&operation.type_name);
    let item = rust(&pagination.item);
    let data = match pagination.shape {
        PageShape::List => quote! { crate::pagination::List<#item> },
        PageShape::Map => quote! { crate::pagination::Map<#item> },
    };
    let cursor = ident(&pagination.cursor);
    // Where the document does not require `data` (it defaults to empty), a page without it is an
    // empty page.
    let data_required = (!pagination.data_required).then(|| {
        quote! { const DATA_REQUIRED: bool = false; }
    });
    quote! {
        #cfg
        impl crate::pagination::Paginated for #name {
            type Data = #data;
            #data_required
            #[inline]
            fn cursor(&self) -> Option<&str> {
                self.#cursor.as_deref()
            }
            #[inline]
            fn set_cursor(&mut self, cursor: Option<String>) {
                self.#cursor = cursor;
            }
        }
    }
}

/// `RequestBody` for the request bodies sent as JSON, each under the features of the groups
/// whose operations send it.
fn json_bodies(api: &Api) -> Vec<TokenStream> {
    let mut bodies: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for operation in &api.operations {
        if let Body::Json(name) = &operation.body {
            bodies
                .entry(name.clone())
                .or_default()
                .insert(operation.group.as_str());
        }
    }
    bodies
        .into_iter()
        .map(|(name, groups)| {
            let groups: Vec<&str> = groups.into_iter().collect();
            let predicate = any_features(&groups);
            let ty = rust(&api.rust_type(&name));
            quote! {
                #[cfg(#predicate)]
                crate::json_bodies!(#ty);
            }
        })
        .collect()
}

/// The type of an operation's `Body`.
fn body_type(api: &Api, operation: &crate::api::Operation) -> TokenStream {
    match &operation.body {
        Body::None => quote! { () },
        Body::Json(name) => rust(&api.rust_type(name)),
        Body::Multipart { schema, .. } => {
            let fields = rust(&api.rust_type(schema));
            quote! { crate::operation::Multipart<#fields> }
        }
    }
}

/// The type of an operation's `Response`.
fn response_type(api: &Api, operation: &crate::api::Operation) -> TokenStream {
    match &operation.response {
        Response::Empty => quote! { crate::response::Empty },
        Response::Json(name) => {
            let ty = rust(&api.rust_type(name));
            quote! { crate::response::Json<#ty> }
        }
        Response::Events { event, .. } => {
            let event = ident(event);
            quote! { crate::stream::Events<crate::events::#event> }
        }
        Response::RawEvents { .. } => {
            let event = ident(RAW_EVENT);
            quote! { crate::stream::Events<crate::events::#event> }
        }
    }
}

fn family(operation: &crate::api::Operation) -> &'static str {
    match operation.group.as_str() {
        "serverless" => "Serverless",
        "dedicated" => "Dedicated",
        "container" => "Container",
        _ => "Platform",
    }
}

fn verb(method: &str) -> &'static str {
    match method {
        "get" => "Get",
        "put" => "Put",
        "patch" => "Patch",
        "delete" => "Delete",
        _ => "Post",
    }
}
