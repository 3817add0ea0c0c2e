//! What is written by hand for some operations, on top of the generated calls: folding streams
//! into results, text deltas, structured output, the local tool loop, file uploads, dataset
//! samples, waiting for endpoints, embeddings as vectors, paging, and the extension traits that
//! build requests.
//!
//! Each extra is compiled when the API document gives it what it uses, in the enabled features
//! (`friendli_has = "<capability>"`, set by the build script from what `cargo xtask generate`
//! found; see `friendli/src/generated/capabilities.txt`): a document that lacks an operation
//! leaves out the extras built on it, and the rest of the crate still compiles.

#[cfg(friendli_has = "chat_folding")]
pub mod chat;
#[cfg(any(friendli_has = "chat_folding", friendli_has = "completions_folding"))]
pub(crate) mod chunk_header;
#[cfg(friendli_has = "completions_folding")]
pub mod completions;
#[cfg(friendli_has = "dataset_samples")]
pub mod datasets;
#[cfg(friendli_has = "embeddings")]
pub mod embeddings;
#[cfg(friendli_has = "endpoint_readiness")]
pub mod endpoints;
pub mod ext;
#[cfg(friendli_has = "file_upload")]
pub mod files;
pub mod pagination;
#[cfg(friendli_has = "structured_output")]
pub mod structured;
pub mod text;
#[cfg(friendli_has = "tool_loop")]
pub mod tools;
