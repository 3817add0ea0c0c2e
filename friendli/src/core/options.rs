//! The per-call options, one trait for every call: a call of any operation ([`Call`]), async or
//! blocking, and the calls made of several requests (an upload, a wait, the tool loop).
//!
//! ```no_run
//! # async fn example(client: friendli::Client) -> friendli::Result<()> {
//! use std::time::Duration;
//! use friendli::prelude::*;
//!
//! let models = client
//!     .serverless()
//!     .model()
//!     .list()
//!     .retries(RetryConfig::none())
//!     .timeout(Duration::from_secs(10))
//!     .header("x-trace", "abc")
//!     .await?;
//! # let _ = models;
//! # Ok(()) }
//! ```
//!
//! [`Call`]: crate::core::call::Call

use std::time::Duration;

use crate::core::headers::{is_sensitive_header, redact_url};
use crate::core::retry::RetryConfig;

/// The options every call takes before it is sent: its retry policy, a deadline, another server,
/// another team, extra headers, extra body fields, a response size limit, and whether calls that
/// change state may be retried after ambiguous failures.
///
/// Implemented by every call of this crate; bring it into scope with `use friendli::prelude::*`
/// (or `use friendli::CallOptions`). A call made of several requests (an upload, a wait for an
/// endpoint, the tool loop) applies them to each request it makes.
pub trait CallOptions: Sized {
    /// The settings these methods change (for implementors).
    #[doc(hidden)]
    fn settings(&mut self) -> &mut CallSettings;

    /// The retry policy of this call, instead of the client's.
    fn retries(mut self, retry: RetryConfig) -> Self {
        self.settings().retry = Some(retry);
        self
    }

    /// A deadline for this call, covering all its attempts. For a stream, it bounds the time
    /// until the stream starts, not the stream itself.
    fn timeout(mut self, timeout: Duration) -> Self {
        self.settings().timeout = Some(timeout);
        self
    }

    /// Send this call to another server (base URL) than the client's.
    fn server_url(mut self, url: impl Into<String>) -> Self {
        self.settings().server_url = Some(url.into());
        self
    }

    /// Run this call as another team (`X-Friendli-Team`), for operations that take a team.
    fn team(mut self, team: impl Into<String>) -> Self {
        self.settings().team = Some(team.into());
        self
    }

    /// An extra header for this call. It replaces a header of the same name set by the client.
    /// An invalid name or value, or a header that controls the framing of the request
    /// (`content-length`, `transfer-encoding`, `host`, `connection`, `upgrade`), fails the call
    /// with [`Error::InvalidRequest`](crate::core::error::Error::InvalidRequest).
    fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings().headers.push((name.into(), value.into()));
        self
    }

    /// Sets the top-level field `name` of this call's body to `value`, as given, after the typed
    /// body is serialised; it replaces a field of the same name.
    ///
    /// For what the typed body cannot say: a field this SDK does not know yet, or an explicit
    /// `null` (a typed field that is `None` is left out of the body, which is not the same as
    /// `null` for an operation that clears a setting on `null`). In a multipart body, the field
    /// becomes a part (text for strings, numbers and booleans; JSON otherwise). A `value` that
    /// does not serialise, `null` in a multipart body, a field for an operation without a body,
    /// a field named like a file part of the body (two parts would have the name), or a field
    /// the call sets itself (`stream` where the call sets it: choose `complete()` or `stream()`
    /// instead; `messages` and `tools` in the tool loop; the file's `name`, `size`, `digest` and
    /// `projectId` in an upload) fails the call with
    /// [`Error::InvalidRequest`](crate::core::error::Error::InvalidRequest), before anything is
    /// sent.
    fn body_field(mut self, name: impl Into<String>, value: impl serde::Serialize) -> Self {
        let value = serde_json::to_value(value).map_err(|e| e.to_string());
        self.settings().body_fields.push((name.into(), value));
        self
    }

    /// The largest response body this call reads (default: the client's,
    /// [`ClientBuilder::max_response_size`](crate::core::client::ClientBuilder::max_response_size)).
    fn max_response_size(mut self, bytes: usize) -> Self {
        self.settings().max_response_size = Some(bytes);
        self
    }

    /// Retry this call also on failures after which the request may have reached the server (a
    /// connection lost after sending; a 500, 502 or 504), although the operation creates,
    /// deletes or uploads something. Such operations are otherwise retried only when the server
    /// surely did not act on them (a refused connection, 429, 503). Inference and reads are
    /// retried by the policy either way.
    fn retry_side_effects(mut self, allow: bool) -> Self {
        self.settings().retry_side_effects = allow;
        self
    }
}

/// The per-call options of one call, as set through [`CallOptions`]. Every field is `None` (or
/// empty) when the call keeps the client's setting.
#[derive(Clone, Default)]
#[doc(hidden)]
pub struct CallSettings {
    pub(crate) retry: Option<RetryConfig>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) server_url: Option<String>,
    pub(crate) team: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) max_response_size: Option<usize>,
    pub(crate) retry_side_effects: bool,
    /// Top-level fields set on the body after it is encoded (`body_field`), each value
    /// serialised when it was given (or the reason it could not be).
    pub(crate) body_fields: Vec<(String, std::result::Result<serde_json::Value, String>)>,
}

impl std::fmt::Debug for CallSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Header values may be credentials: only the names of sensitive ones are shown.
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                if is_sensitive_header(name) {
                    (name.as_str(), "<redacted>")
                } else {
                    (name.as_str(), value.as_str())
                }
            })
            .collect();
        f.debug_struct("CallSettings")
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("server_url", &self.server_url.as_deref().map(redact_url))
            .field("team", &self.team)
            .field("headers", &headers)
            .field("max_response_size", &self.max_response_size)
            .field("retry_side_effects", &self.retry_side_effects)
            // Values may be prompt text: the names only.
            .field(
                "body_fields",
                &self
                    .body_fields
                    .iter()
                    .map(|(name, _)| name.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}
