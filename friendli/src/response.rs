//! A successful result together with its HTTP response metadata.

use std::ops::{Deref, DerefMut};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// A successful result with the status and headers of the response that carried it.
///
/// Dereferences to the result. Returned by `send_with_response()` on a call.
#[derive(Debug, Clone)]
pub struct Response<T> {
    value: T,
    status: StatusCode,
    headers: HeaderMap,
}

impl<T> Response<T> {
    pub(crate) fn new(value: T, status: StatusCode, headers: HeaderMap) -> Self {
        Response {
            value,
            status,
            headers,
        }
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
    pub fn request_id(&self) -> Option<String> {
        crate::error::request_id(&self.headers)
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
