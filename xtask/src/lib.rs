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
//! - [`merge`] makes the request bodies that are one request for several APIs one type (part of
//!   [`convert`]).
//! - [`generate`] runs progenitor's generator on a converted document, with the settings of the
//!   `generate_api!` calls in `friendli-gen`, to prove that it generates, to leave out what
//!   cannot be, and to inspect what it makes (the types, the traits they implement, the
//!   conversions typify leaves out).
//! - [`api`] reads the operation table from a converted document: every operation with its
//!   parameters, body, response, event type and namespace, and the feature group each schema
//!   is generated in.
//! - [`emit`] writes the Rust derived from the table, as `quote!` templates laid out by
//!   `prettyplease`: `friendli-gen`'s per-module documents and macro calls, and `friendli`'s
//!   operation types, event types and namespaces.
//! - [`extras`] lists what the hand-written extras of `friendli` expect from the generated code,
//!   and names what a document lacks.
//! - [`diff`] reports the API changes between two documents, flagging the breaking ones.
//! - [`workspace`] knows where the files live and implements `cargo xtask generate [--check]`
//!   and `cargo xtask import [--check]`.
//!
//! The order of a `cargo xtask generate`: load `openapi/friendli.yaml`, [`convert`] it, read the
//! [`api`] table from it, run progenitor on the whole converted document ([`generate`]: the proof,
//! and what to leave out), then [`emit`] the files. progenitor runs once more per module of
//! `friendli-gen` inside [`emit`], on the documents the macro will compile, to see the modules as
//! they are built (the shared types generated once, in `shared`).

pub mod api;
pub mod convert;
pub mod diff;
pub mod document;
pub mod emit;
pub mod extras;
pub mod generate;
pub mod import;
pub mod merge;
pub mod overlay;
pub mod workspace;

pub use document::Problem;
