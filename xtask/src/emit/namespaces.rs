//! `friendli/src/generated/namespaces.rs`: the namespaces of the client
//! (`client.serverless().chat().complete(…)`), and the setters of query parameters on calls.

use std::collections::BTreeMap;

use heck::ToPascalCase;
use proc_macro2::TokenStream;
use quote::quote;

use super::operations::{argument_type, operation_doc};
use super::{cfg, docs, ident, render_file, rust};
use crate::api::{Api, Body, Operation, Param, RAW_EVENT, Response};

/// The namespace tree: each namespace path, with its group and its operations.
type Tree<'a> = BTreeMap<Vec<String>, (String, Vec<&'a Operation>)>;

/// `friendli/src/generated/namespaces.rs`: the namespaces of the client.
pub fn namespaces(api: &Api) -> String {
    let tree = tree(api);
    let mut items = vec![quote! {
        #[allow(unused_imports)]
        use crate::call::Caller;
        #[allow(unused_imports)]
        use crate::operations as ops;
    }];
    items.push(entry_points(&tree, quote! { crate::Client }, quote! {}));
    for (path, (group, operations)) in &tree {
        items.extend(namespace(api, &tree, path, group, operations));
    }
    for operation in &api.operations {
        items.extend(query_setters(operation));
    }
    render_file(
        "The namespaces of the client, generated from the operation names of the API document, as in\n\
         FriendliAI's own SDKs: `client.serverless().chat().complete(…)`. Each method starts a call of\n\
         one operation of [`crate::operations`]; the handles work the same on the async client and on\n\
         the blocking one (whose entry points are generated beside it, in `blocking.rs`).",
        items,
    )
}

/// `friendli/src/generated/blocking.rs`: the namespaces' entry points on the blocking client
/// (`client.serverless()`), a module of `friendli::blocking`, so that the namespaces never name
/// the blocking client that is built on them.
pub fn blocking_namespaces(api: &Api) -> String {
    let tree = tree(api);
    render_file(
        "The namespaces of the blocking client, generated from the operation names of the API\n\
         document: `client.serverless().chat().complete(…).send()`. The handles are those of\n\
         [`crate::namespaces`].",
        [entry_points(
            &tree,
            quote! { super::Client },
            quote! { crate::namespaces:: },
        )],
    )
}

/// Every namespace path (and its prefixes), with its group and the operations directly in it.
fn tree(api: &Api) -> Tree<'_> {
    let mut tree: Tree<'_> = BTreeMap::new();
    for operation in &api.operations {
        for depth in 1..=operation.namespace.len() {
            let entry = tree
                .entry(operation.namespace[..depth].to_vec())
                .or_insert_with(|| (operation.group.clone(), Vec::new()));
            if depth == operation.namespace.len() {
                entry.1.push(operation);
            }
        }
    }
    tree
}

/// The name of a namespace's handle type (`["serverless", "chat"]` → `ServerlessChat`).
fn namespace_type(path: &[String]) -> String {
    path.iter().map(|s| s.to_pascal_case()).collect()
}

/// The top-level namespaces as methods of a client (`module` is the path to the handle types,
/// empty in their own module).
fn entry_points(tree: &Tree<'_>, client: TokenStream, module: TokenStream) -> TokenStream {
    let methods = tree
        .iter()
        .filter(|(k, _)| k.len() == 1)
        .map(|(root, (group, _))| {
            let doc = namespace_doc(root, group);
            let ty = ident(&namespace_type(root));
            let method = ident(&root[0]);
            quote! {
                #[doc = #doc]
                #[cfg(feature = #group)]
                pub fn #method(&self) -> #module #ty<'_, #client> {
                    #module #ty { client: self }
                }
            }
        });
    quote! {
        impl #client {
            #(#methods)*
        }
    }
}

/// A namespace's handle type, and its methods: the namespaces below it and its operations.
fn namespace(
    api: &Api,
    tree: &Tree<'_>,
    path: &[String],
    group: &str,
    operations: &[&Operation],
) -> [TokenStream; 4] {
    let ty = ident(&namespace_type(path));
    let cfg = cfg(group);
    let doc = namespace_doc(path, group);
    let children = tree
        .range(path.to_vec()..)
        .filter(|(k, _)| k.len() == path.len() + 1 && k.starts_with(path))
        .map(|(child, _)| {
            let doc = namespace_doc(child, group);
            let child_ty = ident(&namespace_type(child));
            let method = ident(child.last().map(String::as_str).unwrap_or_default());
            quote! {
                #[doc = #doc]
                pub fn #method(&self) -> #child_ty<'c, C> {
                    #child_ty { client: self.client }
                }
            }
        });
    let methods = operations.iter().map(|o| namespace_method(api, o));
    [
        quote! {
            #[doc = #doc]
            #cfg
            #[derive(Debug)]
            pub struct #ty<'c, C = crate::Client> {
                pub(crate) client: &'c C,
            }
        },
        quote! {
            #cfg
            impl<C> Clone for #ty<'_, C> {
                fn clone(&self) -> Self {
                    *self
                }
            }
        },
        quote! {
            #cfg
            impl<C> Copy for #ty<'_, C> {}
        },
        quote! {
            #cfg
            impl<'c, C: Caller> #ty<'c, C> {
                /// The client this handle belongs to.
                pub fn client(&self) -> &'c C {
                    self.client
                }
                #(#children)*
                #(#methods)*
            }
        },
    ]
}

fn namespace_doc(path: &[String], group: &str) -> String {
    let dotted = path.join("().");
    let what = match path.last().map(String::as_str).unwrap_or_default() {
        "serverless" => "The serverless API: models hosted and scaled by FriendliAI.".to_owned(),
        "dedicated" => {
            "Dedicated endpoints: inference on your own endpoints, and their management.".to_owned()
        }
        "container" => "A self-hosted Friendli Container (at the client's container URL, `http://localhost:8000` by default).".to_owned(),
        other => format!("The `{other}` operations."),
    };
    format!(" {what} `client.{dotted}()` (feature `{group}`).")
}

/// The method of a namespace that starts a call of `operation`: its required parameters, then
/// its body (and file parts) as arguments.
fn namespace_method(api: &Api, operation: &Operation) -> TokenStream {
    let doc = method_doc(api, operation);
    let name = ident(&operation.method_name);
    let op = ident(&operation.type_name);
    let required: Vec<&Param> = operation
        .path_params
        .iter()
        .chain(operation.query_params.iter().filter(|p| p.required))
        .collect();
    let mut args: Vec<TokenStream> = required
        .iter()
        .map(|p| {
            let arg = ident(&p.ident);
            let ty = argument_type(p);
            quote! { #arg: #ty }
        })
        .collect();
    let op_value = if operation.path_params.is_empty() && operation.query_params.is_empty() {
        quote! { ops::#op }
    } else {
        let values = required.iter().map(|p| ident(&p.ident));
        quote! { ops::#op::new(#(#values),*) }
    };
    let (generics, bounds, body) = match &operation.body {
        Body::None => (quote! {}, quote! {}, quote! { Ok(()) }),
        Body::Json(name) => {
            args.push(quote! { body: B });
            let ty = rust(&api.rust_type(name));
            (
                quote! { <B> },
                quote! { where B: TryInto<#ty>, B::Error: std::fmt::Display, },
                quote! { crate::operation::body(body) },
            )
        }
        Body::Multipart {
            schema,
            files,
            json_parts,
        } => {
            args.push(quote! { body: B });
            let mut chain =
                quote! { crate::operation::Multipart::new(fields).json_parts(&[#(#json_parts),*]) };
            for file in files {
                let arg = ident(&crate::api::ident(file));
                args.push(quote! { #arg: impl Into<crate::operation::FilePart> });
                chain = quote! { #chain.file(#file, #arg) };
            }
            let ty = rust(&api.rust_type(schema));
            (
                quote! { <B> },
                quote! { where B: TryInto<#ty>, B::Error: std::fmt::Display, },
                quote! { crate::operation::body(body).map(|fields| #chain) },
            )
        }
    };
    quote! {
        #doc
        pub fn #name #generics(&self, #(#args),*) -> crate::Call<'c, ops::#op, C> #bounds {
            crate::call::Call::new(self.client, #op_value, #body)
        }
    }
}

/// The documentation of a namespace method: the operation's summary, then what the call gives
/// (on the async client, and on the blocking one when that is compiled), then the rest of the
/// operation's documentation.
fn method_doc(api: &Api, operation: &Operation) -> TokenStream {
    let text = operation_doc(operation);
    let (summary, rest) = match text.split_once("\n\n") {
        Some((summary, rest)) if operation.summary.is_some() => (Some(summary), rest),
        _ => (None, text.as_str()),
    };
    let summary = summary.map(docs);
    let rest = docs(rest);
    let (async_result, blocking_result) = result_docs(api, operation);
    let gives = format!(" **Gives** {async_result} when awaited.");
    let blocking = format!(
        " On the [blocking client](crate::blocking::Client), `.send()` gives {blocking_result}."
    );
    let separator = summary.as_ref().map(|_| quote! { #[doc = ""] });
    quote! {
        #summary
        #separator
        #[doc = #gives]
        #[cfg_attr(feature = "blocking", doc = #blocking)]
        #[doc = ""]
        #rest
    }
}

/// What awaiting a call of the operation gives, and what sending it on the blocking client
/// gives, as rustdoc Markdown with links.
fn result_docs(api: &Api, operation: &Operation) -> (String, String) {
    let link = |path: &str| {
        let name = path.rsplit("::").next().unwrap_or(path);
        format!("[`{name}`]({path})")
    };
    match &operation.response {
        Response::Empty => {
            let ty = "[`Response`](crate::Response)`<()>` (the status, headers and request id)"
                .to_owned();
            (ty.clone(), ty)
        }
        Response::Json(name) => {
            let ty = format!(
                "[`Response`](crate::Response)`<`{}`>` (which derefs to the answer)",
                link(&api.rust_type(name))
            );
            (ty.clone(), ty)
        }
        Response::Events { event, .. } => stream_docs(&link(&format!("crate::events::{event}"))),
        Response::RawEvents { .. } => stream_docs(&link(&format!("crate::events::{RAW_EVENT}"))),
    }
}

/// What a stream of `event`s gives: an event stream, or on the blocking client an iterator.
fn stream_docs(event: &str) -> (String, String) {
    (
        format!("an [`EventStream`](crate::EventStream) of {event}"),
        format!("an [`EventIter`](crate::blocking::EventIter) of {event}"),
    )
}

/// Methods of the call types that a parameter setter must not shadow.
const CALL_METHODS: [&str; 16] = [
    "retries",
    "timeout",
    "server_url",
    "team",
    "header",
    "max_response_size",
    "retry_side_effects",
    "operation",
    "map_operation",
    "map_body",
    "client",
    "send",
    "send_with_response",
    "into_future",
    "items",
    "pages",
];

/// The name of the setter of a parameter on a call (`limit`; `team_param` where the call has a
/// method of the parameter's name).
fn setter_name(ident: &str) -> String {
    if CALL_METHODS.contains(&ident) {
        format!("{ident}_param")
    } else {
        ident.to_owned()
    }
}

/// The setters of an operation's optional query parameters, on its calls of both clients.
fn query_setters(operation: &Operation) -> Vec<TokenStream> {
    let optional: Vec<&Param> = operation
        .query_params
        .iter()
        .filter(|p| !p.required)
        .collect();
    if optional.is_empty() {
        return Vec::new();
    }
    let cfg = cfg(&operation.group);
    let op = ident(&operation.type_name);
    let setters = optional.iter().map(|param| {
        let doc = format!(" Sets the `{}` query parameter of this call.", param.name);
        let method = ident(&setter_name(&param.ident));
        let field = ident(&param.ident);
        let arg = argument_type(param);
        quote! {
            #[doc = #doc]
            pub fn #method(self, value: #arg) -> Self {
                self.map_operation(|operation| operation.#field(value))
            }
        }
    });
    // One impl for the calls of both clients (the blocking `Call` is this `Call` of the blocking
    // client).
    vec![quote! {
        #cfg
        impl<C: Caller> crate::Call<'_, ops::#op, C> {
            #(#setters)*
        }
    }]
}
