//! The low-level layer of friendli-rs: the types and low-level clients of the whole Friendli API,
//! generated at build time by [progenitor](https://docs.rs/progenitor)'s `generate_api!` from the
//! documents in `spec/`.
//!
//! Those documents, and `src/generated.rs` (the macro calls), are derived from
//! `openapi/friendli.yaml` by `cargo xtask generate`; nothing generated is edited by hand. Most
//! programs want the `friendli` crate, which re-exports [`types`] and adds configuration, retries,
//! event-stream decoding, namespaces and builders.
//!
//! # Modules and features
//!
//! The operations are split by the group they belong to, each group behind a feature, so that a
//! program compiles only what it uses: [`serverless`] (feature `serverless`), `dedicated`,
//! `container` and `platform` (files, datasets, cost, usage). The types that more than one group
//! uses live in [`shared`], always compiled; [`types`] re-exports every type of the enabled
//! groups. Each group module has its own low-level `Client`.
//!
//! # Builders
//!
//! The types a request reaches have builders: `types::ChatCompletionBody::builder()`, a setter
//! per field, then `try_into()` (or give the builder wherever the type is expected). The setter
//! of a required field takes anything that converts into the field's type; the setter of an
//! optional field also takes an `Option` of it ([`IntoOptional`]). The builders are written by
//! `cargo xtask generate` next to each module's macro call, in `types::builder`.
//!
//! # Using a generated client directly
//!
//! Every operation is an `async` method of its group's `Client` that takes its parameters in
//! order (path parameters, query parameters, headers such as `X-Friendli-Team`, then the body by
//! reference: progenitor's positional interface). Build the client with `Client::new_with_client` and a `reqwest::Client` that has a
//! connect timeout and a read timeout but no total timeout (`Client::new` applies progenitor's
//! 15-second total timeout, which cuts event streams short). [`RequestDefaults`] holds headers
//! (the `Authorization` header, for instance) that every request of the client carries. Calls of
//! these clients are not retried, and multipart bodies (audio transcriptions, sample uploads) are
//! not sent: the `friendli` crate does both.
//!
//! ```no_run
//! # #[cfg(feature = "serverless")]
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use friendli_gen::{RequestDefaults, serverless::Client, types};
//!
//! let http = reqwest::Client::builder()
//!     .connect_timeout(std::time::Duration::from_secs(10))
//!     .read_timeout(std::time::Duration::from_secs(120))
//!     .build()?;
//! let defaults = RequestDefaults::new().bearer_token("flp_...")?;
//! let client = Client::new_with_client("https://api.friendli.ai", http, defaults);
//!
//! let request: types::ChatCompletionBody = serde_json::from_value(serde_json::json!({
//!     "model": "meta-llama-3.1-8b-instruct",
//!     "messages": [{"role": "user", "content": "What is 3 + 6?"}],
//! }))?;
//! let result = client.serverless_chat_complete(None, &request).await?;
//! println!("{:?}", result.choices[0].message.content);
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
// Generated code: progenitor and typify decide its shape, and document every item they can from
// the OpenAPI descriptions.
#![allow(missing_docs, clippy::all)]
#![allow(
    rustdoc::broken_intra_doc_links,
    rustdoc::bare_urls,
    rustdoc::invalid_html_tags,
    rustdoc::invalid_rust_codeblocks
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

use reqwest::header::{
    ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, InvalidHeaderValue,
};

/// The paths the macro's output names (`progenitor::progenitor_client::…`). Depending on
/// `progenitor-macro` and `progenitor-client` instead of the `progenitor` facade keeps the
/// generator crates (`progenitor-impl`, `typify-impl`, …) out of the normal dependencies: the
/// facade depends on them, so they were compiled twice, once for the macro and once for nothing
/// (see `PERFORMANCE.md`, build time).
mod progenitor {
    pub use progenitor_client;
}

/// The `ClientHooks` of a generated module's client: they apply [`RequestDefaults`] (the orphan
/// rule allows this impl only in the crate that generates the client).
#[doc(hidden)]
#[macro_export]
macro_rules! hooks {
    () => {
        impl ClientHooks<crate::RequestDefaults> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &OperationInfo,
            ) -> Result<(), Error<E>> {
                crate::apply_defaults(&self.inner, request, info.operation_id);
                Ok(())
            }
        }
    };
}

#[rustfmt::skip]
mod generated;
pub use generated::*;

/// Headers that every request of a generated [`Client`] carries (unless the request sets the
/// header itself), such as `Authorization` and `X-Friendli-Team`.
///
/// This is the generated client's `inner_type`; the `ClientHooks` implementation that applies it
/// lives here because the orphan rule allows it nowhere else. `Debug` never prints header values
/// marked sensitive.
#[derive(Clone, Default)]
pub struct RequestDefaults {
    headers: HeaderMap,
}

impl RequestDefaults {
    /// No default headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Default headers taken from a map. Sensitive values stay sensitive.
    pub fn from_headers(headers: HeaderMap) -> Self {
        RequestDefaults { headers }
    }

    /// Adds `Authorization: Bearer <token>`, marked sensitive so that it is never logged.
    pub fn bearer_token(mut self, token: &str) -> Result<Self, InvalidHeaderValue> {
        let mut value = HeaderValue::from_str(&format!("Bearer {token}"))?;
        value.set_sensitive(true);
        self.headers.insert(AUTHORIZATION, value);
        Ok(self)
    }

    /// Adds a header.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

impl std::fmt::Debug for RequestDefaults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in &self.headers {
            if value.is_sensitive() {
                map.entry(&name.as_str(), &"<redacted>");
            } else {
                map.entry(&name.as_str(), &value);
            }
        }
        map.finish()
    }
}

/// What the setter of an optional field of a builder takes: anything that converts into the
/// field's type (`.input(vec!["a".to_owned()])`, `.temperature(0.5)`), or an `Option` of the type
/// itself (`None` leaves the field out). `Via` tells the two apart and is always inferred:
/// [`ByConversion`] or [`ByOption`].
pub trait IntoOptional<T, Via> {
    /// The field's value, or why the conversion failed.
    fn into_optional(self) -> Result<Option<T>, String>;
}

/// [`IntoOptional`] through the conversions of the field's type (`TryInto`).
#[derive(Debug)]
pub enum ByConversion {}

/// [`IntoOptional`] from an `Option` of the field's type.
#[derive(Debug)]
pub enum ByOption {}

impl<T, V> IntoOptional<T, ByConversion> for V
where
    V: TryInto<T>,
    V::Error: std::fmt::Display,
{
    fn into_optional(self) -> Result<Option<T>, String> {
        self.try_into().map(Some).map_err(|e| e.to_string())
    }
}

impl<T> IntoOptional<T, ByOption> for Option<T> {
    fn into_optional(self) -> Result<Option<T>, String> {
        Ok(self)
    }
}

/// Adds the default headers that `request` lacks, and `Accept: text/event-stream` for event-stream
/// operations (progenitor sends no `Accept` for bodies that are not JSON).
#[doc(hidden)]
pub fn apply_defaults(
    defaults: &RequestDefaults,
    request: &mut reqwest::Request,
    operation_id: &str,
) {
    let headers = request.headers_mut();
    for (name, value) in &defaults.headers {
        if !headers.contains_key(name) {
            headers.insert(name.clone(), value.clone());
        }
    }
    if operation_id.ends_with("_stream") && !headers.contains_key(ACCEPT) {
        headers.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_sensitive_defaults() {
        let defaults = RequestDefaults::new().bearer_token("flp_secret").unwrap();
        let printed = format!("{defaults:?}");
        assert!(!printed.contains("flp_secret"), "{printed}");
        assert!(printed.contains("<redacted>"), "{printed}");
    }
}
