//! `friendli/src/generated/events.rs`: the event types of the event streams.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::{any_features, docs, ident, render_file, rust};
use crate::api::{Api, EventEnum, RAW_EVENT, Response};

/// `friendli/src/generated/events.rs`: the event types of the event streams.
pub fn events(api: &Api) -> String {
    let mut items = vec![
        quote! {
            #[allow(unused_imports)]
            use serde::{Deserialize, Serialize};
        },
        quote! {
            #[allow(unused_imports)]
            use crate::error::Error;
            #[allow(unused_imports)]
            use crate::sse::EventRef;
            #[allow(unused_imports)]
            use crate::stream::{Decoding, SseEvent, UnknownEvent, event_kind};
        },
    ];
    for (name, event) in &api.events {
        let groups: BTreeSet<&str> = api
            .operations
            .iter()
            .filter(|o| matches!(&o.response, Response::Events { event: e, .. } if e == name))
            .map(|o| o.group.as_str())
            .collect();
        let groups: Vec<&str> = groups.into_iter().collect();
        let predicate = any_features(&groups);
        let cfg = quote! { #[cfg(#predicate)] };
        items.push(event_enum(api, event, &cfg));
        items.push(event_decoder(api, event, &cfg));
    }
    let raw: BTreeSet<&str> = api
        .operations
        .iter()
        .filter(|o| matches!(o.response, Response::RawEvents { .. }))
        .map(|o| o.group.as_str())
        .collect();
    if !raw.is_empty() {
        let groups: Vec<&str> = raw.into_iter().collect();
        let predicate = any_features(&groups);
        items.extend(raw_event(&quote! { #[cfg(#predicate)] }));
    }
    render_file(
        "The event types of the API's event streams, generated from its document. Each is an\n\
         [`SseEvent`](crate::stream::SseEvent): every kind of event of its stream, and `Unknown` for\n\
         kinds this SDK does not know yet (kept, never dropped).",
        items,
    )
}

/// The variants of an event type, without the `error` events (which are errors of the stream).
fn variants(event: &EventEnum) -> impl Iterator<Item = &crate::api::EventVariant> {
    event.variants.iter().filter(|v| v.event != "error")
}

/// The enum of the events of a stream: one variant per kind, and `Unknown`.
fn event_enum(api: &Api, event: &EventEnum, cfg: &TokenStream) -> TokenStream {
    let kinds: Vec<String> = variants(event)
        .map(|v| {
            if v.event.is_empty() {
                format!("`{}`", v.name)
            } else {
                format!("`{}`", v.event)
            }
        })
        .collect();
    let doc = docs(&format!(
        "An event of a stream whose events are `{}` in the API document: {}, or an event this SDK does not know.",
        event.schema,
        kinds.join(", ")
    ));
    let name = ident(&event.name);
    let cases = variants(event).map(|variant| {
        let ty = rust(&api.rust_type(&variant.data));
        let ty = if variant.boxed {
            quote! { Box<#ty> }
        } else {
            ty
        };
        let label = if variant.event.is_empty() {
            " An event of the stream.".to_owned()
        } else {
            format!(" A `{}` event.", variant.event)
        };
        let wire = if variant.event.is_empty() {
            variant.name.to_lowercase()
        } else {
            variant.event.clone()
        };
        let case = ident(&variant.name);
        quote! {
            #[doc = #label]
            #[serde(rename = #wire)]
            #case(#ty),
        }
    });
    quote! {
        #doc
        #cfg
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "event", content = "data")]
        #[non_exhaustive]
        pub enum #name {
            #(#cases)*
            /// An event of a kind this SDK does not know, kept as it arrived.
            #[serde(rename = "unknown")]
            Unknown(UnknownEvent),
        }
    }
}

/// The `SseEvent` impl of an event type: the kind of each event picks its variant's decoder.
fn event_decoder(api: &Api, event: &EventEnum, cfg: &TokenStream) -> TokenStream {
    let name = ident(&event.name);
    let tag = match &event.tag {
        Some(tag) => quote! { Some(#tag) },
        None => quote! { None },
    };
    let arms = variants(event).map(|variant| {
        let ty = rust(&api.rust_type(&variant.data));
        let what = format!(
            "a {} event ({})",
            heck::ToSnakeCase::to_snake_case(variant.name.as_str()),
            crate::api::type_name(&variant.data)
        );
        let kind = &variant.event;
        let pattern = if event.default.as_deref() == Some(kind.as_str()) {
            if kind.is_empty() {
                quote! { None }
            } else {
                quote! { None | Some(#kind) }
            }
        } else {
            quote! { Some(#kind) }
        };
        let case = ident(&variant.name);
        let wrap = if variant.boxed {
            quote! { |data| Self::#case(Box::new(data)) }
        } else {
            quote! { Self::#case }
        };
        quote! { #pattern => context.json::<#ty>(event, #what).map(#wrap), }
    });
    quote! {
        #cfg
        impl SseEvent for #name {
            // Inline: compiled in the program that reads the stream, not in this crate for every stream.
            #[inline]
            fn decode(event: &EventRef<'_>, context: &Decoding<'_>) -> Result<Self, Error> {
                match event_kind(event, #tag).as_deref() {
                    #(#arms)*
                    Some("error") => Err(context.api_error(event)),
                    _ => context.unknown(event).map(Self::Unknown),
                }
            }
        }
    }
}

/// The event type of the streams whose events fit no shape the SDK generates an event type for
/// (see [`Response::RawEvents`]): each event's name and its data as JSON. Emitted only when the
/// document has such a stream. Built on the stream layer's `UnknownEvent`, so that it needs
/// nothing hand-written of its own.
fn raw_event(cfg: &TokenStream) -> [TokenStream; 2] {
    let doc = docs(
        "An event of a stream whose events the API document describes in a shape this SDK has no event type for: its name and its data as JSON, as they arrived (`cargo xtask generate --notes` names these streams).",
    );
    let name = ident(RAW_EVENT);
    [
        quote! {
            #doc
            #cfg
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[non_exhaustive]
            pub struct #name {
                /// The SSE event name (`message` for an event without one).
                pub event: String,
                /// The data, as JSON (a JSON string when the data is not JSON).
                pub data: serde_json::Value,
                /// The last event id of the stream, if any.
                pub id: Option<String>,
            }
        },
        quote! {
            #cfg
            impl SseEvent for #name {
                #[inline]
                fn decode(event: &EventRef<'_>, context: &Decoding<'_>) -> Result<Self, Error> {
                    if event_kind(event, None).as_deref() == Some("error") {
                        return Err(context.api_error(event));
                    }
                    let raw = context.unknown(event)?;
                    let data = serde_json::from_str(&raw.data).unwrap_or(serde_json::Value::String(raw.data));
                    Ok(#name {
                        event: raw.event,
                        data,
                        id: raw.id,
                    })
                }
            }
        },
    ]
}
