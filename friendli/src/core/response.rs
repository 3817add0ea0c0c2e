//! A successful result together with its HTTP response metadata.

use std::ops::{Deref, DerefMut};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::core::error::AttemptFailure;

/// A successful result with the status and headers of the response that carried it.
///
/// Dereferences to the result. Returned by `send_with_response()` on a call.
#[derive(Debug, Clone)]
pub struct Response<T> {
    value: T,
    status: StatusCode,
    headers: HeaderMap,
    failed_attempts: Vec<AttemptFailure>,
}

impl<T> Response<T> {
    pub(crate) fn new(
        value: T,
        status: StatusCode,
        headers: HeaderMap,
        failed_attempts: Vec<AttemptFailure>,
    ) -> Self {
        Response {
            value,
            status,
            headers,
            failed_attempts,
        }
    }

    /// How many attempts the call took (1 when the first one succeeded).
    pub fn attempts(&self) -> usize {
        self.failed_attempts.len() + 1
    }

    /// Why each earlier attempt failed, in order (empty when the first attempt succeeded).
    pub fn failed_attempts(&self) -> &[AttemptFailure] {
        &self.failed_attempts
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers (rate-limit headers, for instance).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request id the server assigned (`x-request-id`), if any.
    pub fn request_id(&self) -> Option<&str> {
        crate::core::error::request_id_str(&self.headers)
    }

    /// The same metadata with the result changed by `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            value: f(self.value),
            status: self.status,
            headers: self.headers,
            failed_attempts: self.failed_attempts,
        }
    }

    /// The result, without the metadata.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The result and the metadata, apart.
    pub fn into_parts(self) -> (T, StatusCode, HeaderMap) {
        (self.value, self.status, self.headers)
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}
