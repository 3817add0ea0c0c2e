//! `cargo xtask` — regenerate and check everything derived from `openapi/friendli.yaml`.
//!
//! ```text
//! cargo xtask import [--check] [--strict] [--notes] PROVIDER.yaml   the provider's document, facts only, plus our overlay
//! cargo xtask generate [--check] [--notes]   regenerate the derived files, or check they are fresh
//! cargo xtask convert IN OUT [--notes]       convert any OpenAPI 3.1/3.0 document to the progenitor form
//! cargo xtask diff OLD NEW [--deny-breaking] report the API changes between two documents
//! ```

use std::path::Path;
use std::process::ExitCode;

use xtask::workspace::{self, Freshness};
use xtask::{Problem, diff, document};

const USAGE: &str = "\
usage:
  cargo xtask import [--check] [--strict] [--notes] [--overlay=FILE] PROVIDER.yaml
                                              write openapi/friendli.yaml from the provider's OpenAPI document
                                              (its facts, none of its prose) and openapi/overlay.yaml; overlay
                                              actions that select nothing are listed and left out
                                              (--check: fail with a diff if the committed file is stale;
                                              --strict: fail, writing nothing, if an overlay action selects nothing;
                                              --notes: every note, and for each stale action where its target stops
                                              selecting and the nearest names;
                                              --overlay: another overlay than openapi/overlay.yaml)
  cargo xtask generate [--check] [--notes]    regenerate everything derived from openapi/friendli.yaml (friendli-gen's
                                              documents and macro calls, friendli's operations, events and namespaces);
                                              what users get less of is always listed (`degraded:`)
                                              (--check: fail with a diff if it is stale, write nothing;
                                              --notes: also every change of the converter, and which extras
                                              of friendli the document serves)
  cargo xtask convert IN OUT [--notes] [--rust=FILE]
                                              convert an OpenAPI 3.1/3.0 document (YAML or JSON) into the
                                              progenitor-ready 3.0.3 form and prove that it generates
                                              (--rust: also write the Rust code progenitor generates)
  cargo xtask operations                      list the operation table the SDK is generated from
  cargo xtask diff OLD NEW [--deny-breaking]  report the API changes from OLD to NEW, flagging breaking ones
                                              (--deny-breaking: exit 1 when any change is breaking)

The workspace is the one the xtask was built in, or $XTASK_ROOT if set.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flags: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| a.starts_with("--"))
        .collect();
    let positional: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let result = match positional.as_slice() {
        ["import", provider] if only(&flags, &["--check", "--strict", "--notes", "--overlay="]) => {
            run_import(
                Path::new(provider),
                flag_value(&flags, "--overlay="),
                ImportMode {
                    check: flags.contains(&"--check"),
                    strict: flags.contains(&"--strict"),
                    notes: flags.contains(&"--notes"),
                },
            )
        }
        ["generate"] if only(&flags, &["--check", "--notes"]) => {
            run_generate(flags.contains(&"--check"), flags.contains(&"--notes"))
        }
        ["convert", input, output] if only(&flags, &["--notes", "--rust="]) => run_convert(
            Path::new(input),
            Path::new(output),
            flag_value(&flags, "--rust="),
            flags.contains(&"--notes"),
        ),
        ["diff", old, new] if only(&flags, &["--deny-breaking"]) => run_diff(
            Path::new(old),
            Path::new(new),
            flags.contains(&"--deny-breaking"),
        ),
        ["operations"] if flags.is_empty() => run_operations(),
        ["help"] | [] if flags.is_empty() || flags == ["--help"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("error: unrecognised arguments: {}\n{USAGE}", args.join(" "));
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Whether every flag is allowed; an allowed entry ending in `=` admits a value.
fn only(flags: &[&str], allowed: &[&str]) -> bool {
    flags.iter().all(|f| {
        allowed
            .iter()
            .any(|a| f == a || (a.ends_with('=') && f.starts_with(a)))
    })
}

/// The value of a `--name=value` flag.
fn flag_value<'a>(flags: &[&'a str], prefix: &str) -> Option<&'a Path> {
    flags
        .iter()
        .find_map(|f| f.strip_prefix(prefix))
        .map(Path::new)
}

fn print_notes(notes: &[Problem]) {
    for note in notes {
        eprintln!("note: {note}");
    }
}

fn run_generate(check: bool, show_notes: bool) -> Result<ExitCode, String> {
    let root = workspace::root();
    let (files, notes) =
        workspace::derived_files(&root).map_err(|p| format!("{} {p}", workspace::SPEC))?;
    if show_notes {
        print_notes(&notes.notes);
        for line in notes.capabilities.lines().filter(|l| !l.starts_with('#')) {
            eprintln!("capability: {line}");
        }
    }
    // Degradations are always shown: each is something users lose.
    for note in &notes.degraded {
        eprintln!("degraded: {note}");
    }
    let mut stale = 0;
    for file in &files {
        if check {
            match workspace::check(&root, file) {
                Freshness::Fresh => println!("fresh: {}", file.path),
                Freshness::Stale(diff) => {
                    stale += 1;
                    println!("STALE: {}\n{diff}", file.path);
                }
            }
        } else {
            let written = workspace::write(&root, file)
                .map_err(|e| format!("cannot write {}: {e}", file.path))?;
            println!(
                "{}: {}",
                if written { "wrote" } else { "unchanged" },
                file.path
            );
        }
    }
    if stale > 0 {
        return Err(format!(
            "{stale} derived file(s) are stale relative to {}; run `cargo xtask generate` and commit the result",
            workspace::SPEC
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// The flags of `cargo xtask import`.
struct ImportMode {
    /// Compare with the committed document instead of writing it.
    check: bool,
    /// Fail when an overlay action selects nothing.
    strict: bool,
    /// Print every note, and each stale action in full.
    notes: bool,
}

fn run_import(
    provider: &Path,
    overlay: Option<&Path>,
    mode: ImportMode,
) -> Result<ExitCode, String> {
    let root = workspace::root();
    let overlay = overlay.map_or_else(|| root.join(workspace::OVERLAY), Path::to_path_buf);
    let shown_overlay = overlay
        .strip_prefix(&root)
        .unwrap_or(&overlay)
        .display()
        .to_string();
    let (file, report) =
        workspace::imported_file(&root, provider, &overlay).map_err(|p| p.to_string())?;
    if mode.notes {
        print_notes(&report.notes);
        for action in &report.stale {
            eprintln!("{}", action.details(&shown_overlay));
        }
    }
    if !report.stale.is_empty() {
        eprintln!(
            "note: {} action(s) of {shown_overlay} no longer fit {}{}",
            report.stale.len(),
            provider.display(),
            if mode.notes { "" } else { ":" }
        );
        if !mode.notes {
            for action in &report.stale {
                eprintln!("  {}", action.summary());
            }
        }
        if mode.strict {
            return Err(format!(
                "{} overlay action(s) select nothing (--strict); retarget or delete them in {shown_overlay} (`cargo xtask import --notes {}` says where each stops selecting)",
                report.stale.len(),
                provider.display()
            ));
        }
        eprintln!(
            "note: the document is imported without them{}; --strict makes them errors",
            if mode.notes {
                ""
            } else {
                " (--notes says where each stops selecting, and the nearest names)"
            }
        );
    }
    let check = mode.check;
    if check {
        return match workspace::check(&root, &file) {
            Freshness::Fresh => {
                println!("fresh: {}", file.path);
                Ok(ExitCode::SUCCESS)
            }
            Freshness::Stale(diff) => {
                println!("STALE: {}\n{diff}", file.path);
                Err(format!(
                    "{} is stale relative to {} and {}; run `cargo xtask import {}` and commit the result",
                    file.path,
                    provider.display(),
                    workspace::OVERLAY,
                    provider.display()
                ))
            }
        };
    }
    let written =
        workspace::write(&root, &file).map_err(|e| format!("cannot write {}: {e}", file.path))?;
    println!(
        "{}: {}",
        if written { "wrote" } else { "unchanged" },
        file.path
    );
    Ok(ExitCode::SUCCESS)
}

fn run_operations() -> Result<ExitCode, String> {
    let root = workspace::root();
    let source = document::load(&root.join(workspace::SPEC)).map_err(|p| p.to_string())?;
    let converted = xtask::convert::convert(&source).map_err(|p| p.to_string())?;
    let api = xtask::api::Api::from_converted(&converted.document).map_err(|p| p.to_string())?;
    for op in &api.operations {
        println!(
            "{:<42} {:<6} {:<52} {}.{}({}) body={:?} response={:?} stream={:?}{}{}{}",
            op.id,
            op.method.to_uppercase(),
            op.path,
            op.namespace.join("."),
            op.method_name,
            op.path_params
                .iter()
                .chain(op.query_params.iter().filter(|p| p.required))
                .map(|p| format!("{}: {}", p.ident, p.rust_type))
                .collect::<Vec<_>>()
                .join(", "),
            op.body,
            op.response,
            op.stream_flag,
            if op.idempotent { "" } else { " non-idempotent" },
            if op.auth { "" } else { " no-auth" },
            op.server
                .as_deref()
                .map(|s| format!(" server={s}"))
                .unwrap_or_default(),
        );
    }
    for (name, event) in &api.events {
        println!("event {name}: {:?}", event);
    }
    let mut homes: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for home in api.home.values() {
        *homes.entry(home.as_str()).or_default() += 1;
    }
    println!("schemas per module: {homes:?}");
    Ok(ExitCode::SUCCESS)
}

fn run_convert(
    input: &Path,
    output: &Path,
    rust: Option<&Path>,
    show_notes: bool,
) -> Result<ExitCode, String> {
    let source = document::load(input).map_err(|p| p.to_string())?;
    let derived = workspace::derive_progenitor_json(&source)
        .map_err(|p| format!("{}: {p}", input.display()))?;
    if show_notes {
        print_notes(&derived.notes);
    }
    std::fs::write(output, &derived.json)
        .map_err(|e| format!("cannot write {}: {e}", output.display()))?;
    if let Some(rust) = rust {
        std::fs::write(rust, &derived.rust)
            .map_err(|e| format!("cannot write {}: {e}", rust.display()))?;
    }
    println!(
        "wrote {} ({} notes; --notes lists them); progenitor generates {} lines of Rust from it",
        output.display(),
        derived.notes.len(),
        derived.rust.lines().count()
    );
    Ok(ExitCode::SUCCESS)
}

fn run_diff(old: &Path, new: &Path, deny_breaking: bool) -> Result<ExitCode, String> {
    let old_doc = document::load(old).map_err(|p| p.to_string())?;
    let new_doc = document::load(new).map_err(|p| p.to_string())?;
    let changes = diff::diff(&old_doc, &new_doc);
    println!("API changes from {} to {}:", old.display(), new.display());
    print!("{}", diff::report(&changes));
    if deny_breaking && changes.iter().any(|c| c.breaking) {
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
