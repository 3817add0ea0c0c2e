//! The one road to the wire, shared by every operation: the client and its configuration, what an
//! operation is, a call and its options, the transport with its retries, the response readers,
//! and the errors.

pub mod call;
pub(crate) mod client;
pub mod error;
pub(crate) mod json;
pub(crate) mod multipart;
pub mod operation;
pub(crate) mod response;
pub(crate) mod retry;
pub(crate) mod stream_flag;
pub(crate) mod transport;
