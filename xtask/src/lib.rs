//! The library behind `cargo xtask`: everything that turns `openapi/friendli.yaml` into the files
//! derived from it, and checks that they are fresh.
//!
//! - [`import`] turns the provider's document into `openapi/friendli.yaml`: its facts, none of its
//!   prose, and our overlay (`openapi/overlay.yaml`).
//! - [`overlay`] applies our OpenAPI Overlay and reports the actions that no longer fit the
//!   provider's document.
//! - [`document`] loads a YAML or JSON OpenAPI document and reports where a problem is, as a JSON
//!   pointer.
//! - [`convert`] turns an OpenAPI 3.1 (or 3.0) document of this API into the 3.0.3 form that
//!   progenitor 0.15 accepts without panicking.
//! - [`generate`] runs progenitor's generator on a converted document, exactly as the
//!   `generate_api!` macro in `friendli-gen` does, to prove that it generates.
//! - [`extras`] lists what the hand-written extras of `friendli` expect from the generated code,
//!   and names what a document lacks.
//! - [`diff`] reports the API changes between two documents, flagging the breaking ones.
//! - [`workspace`] knows where the files live and implements `cargo xtask generate [--check]`.

pub mod api;
pub mod convert;
pub mod diff;
pub mod document;
pub mod emit;
pub mod extras;
pub mod generate;
pub mod import;
pub mod overlay;
pub mod workspace;

pub use document::Problem;
