//! The files of the workspace that `cargo xtask generate` derives, and how.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::overlay::StaleAction;
use crate::{Problem, convert, document, generate};

/// The source of truth, relative to the workspace root.
pub const SPEC: &str = "openapi/friendli.yaml";
/// Our overlay on the provider's document, relative to the workspace root.
pub const OVERLAY: &str = "openapi/overlay.yaml";

/// The environment variable that points the xtask at another workspace root (a scratch copy, a
/// fixture workspace in a test) instead of the one it was built in.
pub const ROOT_ENV: &str = "XTASK_ROOT";

/// The workspace root: `$XTASK_ROOT` if set, otherwise the parent of the xtask crate.
pub fn root() -> PathBuf {
    if let Some(root) = std::env::var_os(ROOT_ENV).filter(|r| !r.is_empty()) {
        return PathBuf::from(root);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// One derived file: where it goes and what it should contain.
pub struct DerivedFile {
    /// Path relative to the workspace root.
    pub path: String,
    /// The expected contents.
    pub contents: String,
}

/// A document converted into the progenitor form and proven to generate.
pub struct Derived {
    /// The JSON text that is checked in.
    pub json: String,
    /// What the converter changed beyond syntax.
    pub notes: Vec<Problem>,
    /// The Rust code progenitor generates from it (formatted).
    pub rust: String,
}

/// Converts a document into the progenitor form, proves that it generates, and renders it as the
/// JSON text that is checked in.
pub fn derive_progenitor_json(source: &Value) -> Result<Derived, Problem> {
    let converted = convert::convert(source)?;
    let mut document = converted.document;
    let mut notes = converted.notes;
    // Left out: what progenitor cannot generate (each with a note).
    let (file, left_out) = generate::generate_degrading(&mut document)?;
    notes.extend(left_out);
    if let Value::Object(root) = &mut document {
        root.insert(
            "x-generated".into(),
            Value::String(format!(
                "Derived from {SPEC} by `cargo xtask generate`. Do not edit; edit the source and regenerate."
            )),
        );
    }
    let rust = prettyplease::unparse(&file);
    let mut json = serde_json::to_string_pretty(&document).expect("JSON values always serialise");
    json.push('\n');
    Ok(Derived { json, notes, rust })
}

/// Every file derived from the OpenAPI document at `root`: the progenitor documents and macro
/// calls of `friendli-gen` (one module per feature group) and the generated glue of `friendli`
/// (operation types, event types, namespaces, and the capabilities its build script reads).
///
/// Besides the files, what the generation reports: the converter's notes, and the degradations
/// of what users get (see [`GenerateNotes`]).
pub fn derived_files(root: &Path) -> Result<(Vec<DerivedFile>, GenerateNotes), Problem> {
    let source = document::load(&root.join(SPEC))?;
    let converted = convert::convert(&source)?;
    // The operation table of the SDK: every operation of the document.
    let api = crate::api::Api::from_converted(&converted.document)?;
    let mut degraded = api.notes.clone();
    // What progenitor generates (and friendli-gen compiles in its tests): the whole document, but
    // for what it cannot generate (left out, each with a note).
    let mut progenitor_form = converted.document.clone();
    let (generated, left_out) = generate::generate_degrading(&mut progenitor_form)?;
    degraded.extend(left_out);
    let mut types = generate::type_names(&generated);
    types.extend(api.aliases.keys().map(|alias| crate::api::type_name(alias)));
    let missing = crate::extras::missing(&api, &types);
    degraded.extend(missing.iter().map(crate::extras::Missing::note));
    let notes = GenerateNotes {
        notes: converted.notes,
        degraded,
        capabilities: crate::extras::capabilities(&api, &types, &missing),
    };
    let mut files: Vec<DerivedFile> = crate::emit::friendli_gen(&api, &progenitor_form)
        .into_iter()
        .map(|f| DerivedFile {
            path: f.path,
            contents: f.contents,
        })
        .collect();
    // friendli-mock embeds the document; its copy must be inside its package.
    files.push(DerivedFile {
        path: "tests/mock/openapi/friendli.yaml".to_owned(),
        contents: std::fs::read_to_string(root.join(SPEC))
            .map_err(|e| Problem::new("", format!("cannot read {SPEC}: {e}")))?,
    });
    for (name, contents) in [
        ("operations", crate::emit::operations(&api)),
        ("events", crate::emit::events(&api)),
        ("namespaces", crate::emit::namespaces(&api)),
        ("blocking", crate::emit::blocking_namespaces(&api)),
    ] {
        files.push(DerivedFile {
            path: format!("friendli/src/generated/{name}.rs"),
            contents,
        });
    }
    // friendli's build script turns each capability the document serves into a `cfg`, so that an
    // extra whose operations or types the document lacks is left out instead of failing the build.
    files.push(DerivedFile {
        path: "friendli/src/generated/capabilities.txt".to_owned(),
        contents: notes.capabilities.clone(),
    });
    Ok((files, notes))
}

/// What `cargo xtask generate` reports besides the files.
#[derive(Debug, Clone, Default)]
pub struct GenerateNotes {
    /// What the converter changed beyond syntax, each at its JSON pointer.
    pub notes: Vec<Problem>,
    /// Where users get less than the document says or than the hand-written extras expect: event
    /// streams read as raw events, renamed event types, operations, events and types an extra
    /// uses that the document lacks. Empty for a document that fits.
    pub degraded: Vec<Problem>,
    /// Which extras of `friendli` the document serves in full (see
    /// [`crate::extras::capabilities`]), as written to `friendli/src/generated/capabilities.txt`.
    pub capabilities: String,
}

/// What an import reports besides the document it writes.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// What was dropped that is not known prose, and the `x-note`s of the overlay's actions.
    pub notes: Vec<Problem>,
    /// The overlay's actions that no longer fit the provider's document, with their lines in the
    /// overlay file.
    pub stale: Vec<StaleAction>,
}

/// `openapi/friendli.yaml` as `cargo xtask import PROVIDER` writes it, and what the import
/// reports. (`root` is the workspace the file belongs to: its committed document, the import
/// before this one, tells where what a stale overlay action selected has gone; the paths are
/// the inputs.)
pub fn imported_file(
    root: &Path,
    provider: &Path,
    overlay: &Path,
) -> Result<(DerivedFile, ImportReport), Problem> {
    let provider = document::load(provider)?;
    let overlay_text = std::fs::read_to_string(overlay)
        .map_err(|e| Problem::new("", format!("cannot read {}: {e}", overlay.display())))?;
    let overlay_doc = document::parse(&overlay_text)
        .map_err(|p| Problem::new(p.pointer, format!("{}: {}", overlay.display(), p.message)))?;
    let imported = crate::import::import(&provider, &overlay_doc)?;
    let lines = crate::overlay::target_lines(&overlay_text, &overlay_doc);
    let mut stale = imported.stale;
    for action in &mut stale {
        action.line = lines.get(action.index).copied().flatten();
    }
    // The document imported before, if any: where what a stale action selected went.
    if let Ok(previous) = document::load(&root.join(SPEC)) {
        crate::overlay::find_successors(&mut stale, &previous, &imported.document);
    }
    Ok((
        DerivedFile {
            path: SPEC.to_owned(),
            contents: crate::import::to_yaml(&imported.document),
        },
        ImportReport {
            notes: imported.notes,
            stale,
        },
    ))
}

/// The outcome of comparing a derived file with what is on disk.
pub enum Freshness {
    /// The file on disk is as it should be.
    Fresh,
    /// The file is missing or different; the text is a unified diff (on-disk → expected).
    Stale(String),
}

/// Compares a derived file with the file on disk.
pub fn check(root: &Path, file: &DerivedFile) -> Freshness {
    let on_disk = std::fs::read_to_string(root.join(&file.path)).unwrap_or_default();
    if on_disk == file.contents {
        return Freshness::Fresh;
    }
    let diff = similar::TextDiff::from_lines(&on_disk, &file.contents);
    Freshness::Stale(
        diff.unified_diff()
            .context_radius(3)
            .header(
                &format!("{} (checked in)", file.path),
                &format!(
                    "{} (from {})",
                    file.path,
                    if file.path == SPEC {
                        "the provider's document and the overlay"
                    } else {
                        SPEC
                    }
                ),
            )
            .to_string(),
    )
}

/// Writes a derived file if it changed. Returns whether it was written.
pub fn write(root: &Path, file: &DerivedFile) -> std::io::Result<bool> {
    let path = root.join(&file.path);
    if std::fs::read_to_string(&path).ok().as_deref() == Some(file.contents.as_str()) {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&path, &file.contents)?;
    Ok(true)
}
