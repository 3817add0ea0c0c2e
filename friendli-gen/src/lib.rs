//! The low-level layer of friendli-rs: the types and a client of the Friendli tool-assisted chat
//! API, generated at build time by [progenitor](https://docs.rs/progenitor) from
//! `spec/friendli.json`.
//!
//! That file is derived from `openapi/friendli.yaml` by `cargo xtask generate`; neither it nor
//! anything generated from it is edited by hand. Most programs want the `friendli` crate, which
//! re-exports [`types`] and adds configuration, retries, event-stream decoding and builders.
//!
//! # Using the generated client directly
//!
//! Every operation is a method of [`Client`] returning a builder that is finished with `send()`.
//! Build the client with [`Client::new_with_client`] and a `reqwest::Client` that has a connect
//! timeout and a read timeout but no total timeout: [`Client::new`] applies progenitor's 15-second
//! total timeout, which cuts event streams short. [`RequestDefaults`] holds headers (the
//! `Authorization` header, for instance) that every request of the client carries.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use friendli_gen::{Client, RequestDefaults, types};
//!
//! let http = reqwest::Client::builder()
//!     .connect_timeout(std::time::Duration::from_secs(10))
//!     .read_timeout(std::time::Duration::from_secs(120))
//!     .build()?;
//! let defaults = RequestDefaults::new().bearer_token("flp_...")?;
//! let client = Client::new_with_client("https://api.friendli.ai", http, defaults);
//!
//! let request: types::ToolAssistedChatRequest = serde_json::from_value(serde_json::json!({
//!     "model": "meta-llama-3.1-8b-instruct",
//!     "messages": [{"role": "user", "content": "What is 3 + 6?"}],
//!     "tools": [{"type": "math:calculator"}],
//! }))?;
//! let result = client.serverless_tool_assisted_chat_completion().body(request).send().await?;
//! println!("{:?}", result.choices[0].message.content);
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
// Generated code: progenitor and typify decide its shape, and document every item they can from
// the OpenAPI descriptions.
#![allow(missing_docs, clippy::all)]

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

progenitor_macro::generate_api!(
    spec = "spec/friendli.json",
    interface = Builder,
    tags = Merged,
    inner_type = crate::RequestDefaults,
    derives = [schemars::JsonSchema, PartialEq],
);

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

impl ClientHooks<RequestDefaults> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let headers = request.headers_mut();
        for (name, value) in &self.inner.headers {
            if !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
        // progenitor sends no `Accept` for operations whose body is not JSON; the `…_stream`
        // operations answer with an event stream.
        if info.operation_id.ends_with("_stream") && !headers.contains_key(ACCEPT) {
            headers.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
        }
        Ok(())
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
