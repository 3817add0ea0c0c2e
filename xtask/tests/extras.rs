//! The list of what the hand-written extras of `friendli` use (`xtask::extras::EXTRAS`) stays in
//! step with their sources, and the committed document gives every extra all it needs.

use std::collections::BTreeSet;

use heck::{ToPascalCase, ToSnakeCase};
use xtask::extras::{EXTRAS, REQUEST_NAMES};
use xtask::workspace;

fn source(file: &str) -> String {
    std::fs::read_to_string(workspace::root().join(file))
        .unwrap_or_else(|e| panic!("{file} (named in xtask/src/extras.rs): {e}"))
}

/// The identifiers of a Rust source, as words.
fn words(text: &str) -> BTreeSet<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect()
}

#[test]
fn every_name_of_the_list_is_used_by_its_extra() {
    let mut stale = Vec::new();
    for extra in EXTRAS {
        let text: String = extra.files.iter().map(|f| source(f)).collect();
        let used = words(&text);
        let mut check = |name: &str, forms: Vec<String>| {
            if !forms.iter().any(|f| used.contains(f.as_str())) {
                stale.push(format!("{}: {name}", extra.name));
            }
        };
        for id in extra.operations {
            // By its type (`ServerlessChatComplete`) or by its method (`init_upload`).
            check(id, vec![id.to_pascal_case(), id.to_snake_case()]);
        }
        for name in extra
            .events
            .iter()
            .chain(extra.types)
            .chain(extra.namespaces)
        {
            check(name, vec![(*name).to_owned()]);
        }
    }
    assert!(
        stale.is_empty(),
        "xtask/src/extras.rs names what its extra's sources no longer use (update the list): {stale:#?}"
    );
}

/// Every `crate::types::X`, `crate::events::X` and `crate::operations::X` (or `ops::X`) an extra's
/// sources name is in the list (names the crate defines itself, such as the aliases of its
/// `types` module, left out).
#[test]
fn every_generated_name_the_extras_use_is_in_the_list() {
    let listed: BTreeSet<String> = EXTRAS
        .iter()
        .flat_map(|e| {
            e.events
                .iter()
                .chain(e.types)
                .map(|n| (*n).to_owned())
                .chain(e.operations.iter().map(|id| id.to_pascal_case()))
        })
        .collect();
    // The crate's own names in its `types` module (`pub type FinishReason = …`).
    let lib = source("friendli/src/types.rs");
    let own: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub type "))
        .filter_map(|l| l.split([' ', '=']).next())
        .map(str::to_owned)
        .collect();
    let files: BTreeSet<&str> = EXTRAS
        .iter()
        .flat_map(|e| e.files.iter().copied())
        .collect();
    let mut missing = BTreeSet::new();
    for file in files {
        let text = source(file);
        for name in generated_names(&text) {
            if !listed.contains(&name) && !own.contains(&name) {
                missing.insert(format!("{file}: {name}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "add these to the list of xtask/src/extras.rs: {missing:#?}"
    );
}

/// The names after `crate::types::`, `crate::events::`, `crate::operations::` and `ops::`, one
/// or a `{…}` group (with `as` renames and nested paths taken apart).
fn generated_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for prefix in [
        "crate::types::",
        "crate::events::",
        "crate::operations::",
        "ops::",
    ] {
        let mut rest = text;
        while let Some(at) = rest.find(prefix) {
            // `ops::` inside a longer path (`std::ops::`) is not the operations module.
            let before = &rest[..at];
            rest = &rest[at + prefix.len()..];
            if prefix == "ops::" && (before.ends_with("::") || before.ends_with('_')) {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    if let Some(name) = item.split_whitespace().next() {
                        out.push(name.trim_end_matches(',').to_owned());
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push(name);
            }
        }
    }
    // Modules and lower-case items (`builder`, `defaults`) are not types.
    out.retain(|n| n.chars().next().is_some_and(char::is_uppercase));
    out
}

#[test]
fn the_committed_document_gives_every_extra_all_it_needs() {
    let (_, notes) = workspace::derived_files(&workspace::root()).unwrap();
    assert!(notes.degraded.is_empty(), "{:#?}", notes.degraded);
    // The capability list: every extra, each served.
    let lines: Vec<&str> = notes
        .capabilities
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect();
    assert_eq!(lines.len(), EXTRAS.len() + REQUEST_NAMES.len());
    let names = EXTRAS
        .iter()
        .map(|e| e.name)
        .chain(REQUEST_NAMES.iter().map(|(name, _)| *name));
    for (line, name) in lines.iter().zip(names) {
        assert!(
            line.starts_with(&format!("{name} yes")),
            "{line} (expected {name} yes)"
        );
    }
    // What the feature groups must compile, for the extras that only some of them serve.
    assert!(
        lines.contains(&"endpoint_readiness yes dedicated"),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"tool_loop_dedicated_chat yes +tool_loop +chat_events container|dedicated|serverless dedicated"),
        "{lines:#?}"
    );
    assert!(lines.contains(&"ChatRequest yes"), "{lines:#?}");
}

/// The crate's names for request types (`xtask::extras::REQUEST_NAMES`) are those `types.rs`
/// defines, each under its capability.
#[test]
fn every_request_name_is_an_alias_under_its_capability() {
    let types = source("friendli/src/types.rs");
    for (name, target) in REQUEST_NAMES {
        let alias = format!("#[cfg(friendli_has = \"{name}\")]\npub type {name} = {target};");
        assert!(types.contains(&alias), "types.rs lacks {alias}");
    }
}

/// The extension methods that the generated types' documentation names
/// (`xtask::extras::METHODS_OF_TYPES`) are the traits' own, for those types.
#[test]
fn the_extension_methods_the_types_documentation_names_exist() {
    let types = source("friendli/src/types.rs");
    let mut stale = Vec::new();
    for entry in xtask::extras::METHODS_OF_TYPES {
        let text = source(entry.file);
        let used = words(&text);
        let name = entry.r#trait.rsplit("::").next().unwrap();
        if !text.contains(&format!("pub trait {name}")) {
            stale.push(format!("{}: no trait {name}", entry.schema));
        }
        for method in entry.constructors.iter().chain(entry.methods) {
            if !text.contains(&format!("fn {method}(")) && !text.contains(&format!("fn {method}<"))
            {
                stale.push(format!("{}: {name} has no `{method}`", entry.schema));
            }
        }
        // The type, by its name or by the crate's alias of it.
        let aliases: Vec<&str> = types
            .lines()
            .filter_map(|l| l.trim().strip_prefix("pub type "))
            .filter(|l| {
                l.trim_end_matches(';')
                    .ends_with(&format!("= {}", entry.schema))
            })
            .filter_map(|l| l.split([' ', '=']).next())
            .collect();
        if !used.contains(entry.schema) && !aliases.iter().any(|a| used.contains(a)) {
            stale.push(format!("{}: not named in {}", entry.schema, entry.file));
        }
    }
    assert!(stale.is_empty(), "{stale:#?}");
}

/// A document that loses one API's types loses that API's builders only: without the Messages
/// API's input message, `MessagesInputMessage::user` goes, and the chat and Responses builders
/// stay.
#[test]
fn a_missing_type_takes_only_the_builders_that_need_it() {
    let root = workspace::root();
    let source = xtask::document::load(&root.join(workspace::SPEC)).unwrap();
    let converted = xtask::convert::convert(&source).unwrap();
    let api = xtask::api::Api::from_converted(&converted.document).unwrap();
    // The type names progenitor generates (inline types included), as `generate` takes them.
    let mut progenitor_form = converted.document.clone();
    let (generated, _) = xtask::generate::generate_degrading(&mut progenitor_form).unwrap();
    let mut all = xtask::generate::type_names(&generated);
    all.extend(api.aliases.keys().map(|a| xtask::api::type_name(a)));
    let capabilities = |types: &BTreeSet<String>| {
        let missing = xtask::extras::missing(&api, types);
        xtask::extras::capabilities(&api, types, &missing)
    };
    let line = |text: &str, name: &str| -> String {
        text.lines()
            .find(|l| l.split(' ').next() == Some(name))
            .unwrap_or_else(|| panic!("no line for {name}:\n{text}"))
            .to_owned()
    };
    let whole = capabilities(&all);
    for name in ["builders", "messages_builders", "responses_builders"] {
        assert!(
            line(&whole, name).starts_with(&format!("{name} yes")),
            "{whole}"
        );
    }

    let mut without = all.clone();
    without.remove("MessagesInputMessage");
    let text = capabilities(&without);
    assert_eq!(
        line(&text, "messages_builders"),
        "messages_builders no (lacks types `MessagesInputMessage`)"
    );
    assert!(
        line(&text, "builders").starts_with("builders yes"),
        "{text}"
    );
    assert!(line(&text, "responses_builders").starts_with("responses_builders yes"));
    assert!(line(&text, "structured_output").starts_with("structured_output yes"));
}
