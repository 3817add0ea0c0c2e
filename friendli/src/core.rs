//! The one road to the wire, shared by every operation: the client and its configuration, what an
//! operation is, a call and its options, the transport with its one retry driver, the response
//! readers, and the errors.

pub(crate) mod attempts;
pub mod call;
pub mod client;
pub mod error;
pub(crate) mod headers;
pub(crate) mod hooks;
pub(crate) mod json;
pub(crate) mod multipart;
pub mod observe;
pub mod operation;
pub(crate) mod options;
pub(crate) mod ratelimit;
pub(crate) mod readers;
pub mod response;
pub mod retry;
pub(crate) mod stream_flag;
pub(crate) mod telemetry;
pub(crate) mod transport;
