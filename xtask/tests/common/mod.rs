//! Helpers shared by the integration tests of the xtask.
#![allow(dead_code)] // Each test crate uses a different part.

use std::path::{Path, PathBuf};

use serde_json::Value;
use xtask::Problem;

/// Whether `code` contains `expected`, ignoring whitespace (the generated code is formatted, and
/// the formatter breaks long signatures over several lines).
pub fn has(code: &str, expected: &str) -> bool {
    squash(code).contains(&squash(expected))
}

/// `text` without any whitespace.
pub fn squash(text: &str) -> String {
    text.split_whitespace().collect()
}

/// A fixture file of `xtask/tests/fixtures`.
pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fixture document of `xtask/tests/fixtures`, parsed.
pub fn fixture(name: &str) -> Value {
    xtask::document::load(&fixture_path(name)).unwrap()
}

/// A document of the shared reference directory next to the workspace
/// (`../shared/reference/NAME`), if it is there. Tests that need one say so and pass without it:
/// the reference documents are not part of the repository.
pub fn reference(name: &str) -> Option<PathBuf> {
    let path = xtask::workspace::root()
        .join("../shared/reference")
        .join(name);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {} does not exist (the provider's documents live next to the workspace)",
            path.display()
        );
        None
    }
}

/// The provider's 2026 document, the input of `cargo xtask import`.
pub const PROVIDER_2026: &str = "upstream-openapi-2026-07-22.yaml";
/// The provider's 2024 document.
pub const PROVIDER_2024: &str = "upstream-openapi-2024-11-07.yaml";

/// A document converted into the progenitor form, and the Rust progenitor generates from it.
pub struct Generated {
    /// The progenitor-form (3.0.3) document.
    pub doc: Value,
    /// The converter's notes.
    pub notes: Vec<Problem>,
    /// progenitor's output, formatted.
    pub rust: String,
}

impl Generated {
    /// The component schema `name` of the converted document.
    pub fn schema(&self, name: &str) -> &Value {
        let schema = &self.doc["components"]["schemas"][name];
        assert!(
            schema.is_object(),
            "no component schema `{name}` in {:#}",
            self.doc["components"]["schemas"]
        );
        schema
    }

    /// The note at `pointer`, if there is one.
    pub fn note_at(&self, pointer: &str) -> Option<&Problem> {
        self.notes.iter().find(|n| n.pointer == pointer)
    }

    /// Asserts that the generated code contains `expected` (whitespace ignored).
    #[track_caller]
    pub fn assert_rust(&self, expected: &str) {
        assert!(
            has(&self.rust, expected),
            "the generated code lacks `{expected}`:\n{}",
            self.rust
        );
    }

    /// Asserts that the generated code does not contain `unexpected` (whitespace ignored).
    #[track_caller]
    pub fn assert_no_rust(&self, unexpected: &str) {
        assert!(
            !has(&self.rust, unexpected),
            "the generated code has `{unexpected}`:\n{}",
            self.rust
        );
    }
}

/// Runs a 3.1 document through the converter and through progenitor's generator, with the
/// settings of `friendli-gen`.
pub fn generate(source: &Value) -> Generated {
    let converted = xtask::convert::convert(source).unwrap_or_else(|p| panic!("convert: {p}"));
    let rust = xtask::generate::generate_rust(&converted.document)
        .unwrap_or_else(|p| panic!("generate: {p}"));
    Generated {
        doc: converted.document,
        notes: converted.notes,
        rust,
    }
}
