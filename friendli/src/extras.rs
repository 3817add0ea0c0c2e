//! What is written by hand for some operations, on top of the generated calls: folding streams
//! into results, text deltas, structured output, the local tool loop, file uploads, dataset
//! samples, waiting for endpoints, embeddings as vectors, paging, and the extension traits that
//! build requests.

#[cfg(any(feature = "serverless", feature = "dedicated", feature = "container"))]
pub mod chat;
#[cfg(any(feature = "serverless", feature = "dedicated", feature = "container"))]
pub(crate) mod chunk_header;
#[cfg(any(feature = "serverless", feature = "dedicated", feature = "container"))]
pub mod completions;
#[cfg(feature = "platform")]
pub mod datasets;
#[cfg(feature = "dedicated")]
pub mod embeddings;
#[cfg(feature = "dedicated")]
pub mod endpoints;
pub mod ext;
#[cfg(feature = "platform")]
pub mod files;
pub mod pagination;
#[cfg(any(feature = "serverless", feature = "dedicated", feature = "container"))]
pub mod structured;
pub mod text;
#[cfg(any(feature = "serverless", feature = "dedicated", feature = "container"))]
pub mod tools;
