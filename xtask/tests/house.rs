//! The floors of `friendli/src` (issue 27): no module reaches, through the `crate::` paths of its
//! code, a module that reaches it. The generated modules count like the hand-written ones.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use xtask::workspace;

/// Every `.rs` file under `dir`, by its module path (`core/call`, `generated/namespaces`).
fn modules(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let key = format!("{prefix}{name}");
        if path.is_dir() {
            modules(&path, &format!("{key}/"), out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.insert(key, std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// The names of the crate root and the module each stands for, read from `lib.rs`: its modules
/// (`mod core;`, `#[path = "generated/operations.rs"] pub mod operations;`) and its re-exports
/// (`pub use self::core::{call, client};`, `pub use self::core::client::Client;`).
fn root_names(lib: &str, modules: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    let mut path_attr: Option<String> = None;
    for line in lib.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("#[path = \"") {
            path_attr = rest.strip_suffix(".rs\"]").map(str::to_owned);
            continue;
        }
        let module = line
            .strip_prefix("pub mod ")
            .or_else(|| line.strip_prefix("mod "))
            .and_then(|rest| rest.strip_suffix(';'));
        if let Some(name) = module {
            names.insert(
                name.to_owned(),
                path_attr.take().unwrap_or_else(|| name.to_owned()),
            );
            continue;
        }
        if line.starts_with("#[") {
            continue;
        }
        path_attr = None;
        let Some(used) = line
            .strip_prefix("pub use ")
            .and_then(|rest| rest.strip_suffix(';'))
        else {
            continue;
        };
        let used = used.strip_prefix("self::").unwrap_or(used);
        let (base, leaves) = match used.split_once("::{") {
            Some((base, group)) => (
                base.to_owned(),
                group
                    .trim_end_matches('}')
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .collect(),
            ),
            None => match used.rsplit_once("::") {
                Some((base, leaf)) => (base.to_owned(), vec![leaf.to_owned()]),
                None => continue,
            },
        };
        for leaf in leaves.iter().filter(|l| !l.is_empty()) {
            let full = format!("{base}/{leaf}").replace("::", "/");
            let target = if modules.contains_key(&full) {
                full
            } else {
                // An item: the module it is in.
                base.replace("::", "/")
            };
            names.insert(leaf.clone(), target);
        }
    }
    names
}

/// The module a `crate::a::b::c` path is in.
fn resolve(
    path: &str,
    names: &BTreeMap<String, String>,
    modules: &BTreeMap<String, String>,
) -> Option<String> {
    let mut parts = path.split("::");
    let mut module = names.get(parts.next()?)?.clone();
    for part in parts {
        let deeper = format!("{module}/{part}");
        if !modules.contains_key(&deeper) {
            break;
        }
        module = deeper;
    }
    modules.contains_key(&module).then_some(module)
}

/// The `crate::` paths of a source's code (not of its comments and doc attributes).
fn crate_paths(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in source.lines() {
        let code = line.trim_start();
        if code.starts_with("//") || code.contains("doc =") {
            continue;
        }
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let end = after
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(after.len());
            out.push(after[..end].trim_end_matches(':').to_owned());
            rest = &after[end..];
        }
    }
    out
}

#[test]
fn no_module_of_friendli_reaches_a_module_that_reaches_it() {
    let src = workspace::root().join("friendli/src");
    let mut all = BTreeMap::new();
    modules(&src, "", &mut all);
    let names = root_names(&all["lib"], &all);
    // The names the generated code and the extras use most must resolve, or the test would see
    // no edges at all.
    for name in [
        "call",
        "operations",
        "namespaces",
        "blocking",
        "types",
        "Client",
    ] {
        assert!(
            names.contains_key(name),
            "lib.rs has no `{name}`: {names:?}"
        );
    }
    let edges: BTreeMap<&str, BTreeSet<String>> = all
        .iter()
        .filter(|(m, _)| m.as_str() != "lib")
        .map(|(m, source)| {
            let to = crate_paths(source)
                .iter()
                .filter_map(|p| resolve(p, &names, &all))
                .filter(|to| to != m)
                .collect();
            (m.as_str(), to)
        })
        .collect();
    assert!(
        edges["generated/namespaces"].contains("core/call"),
        "{edges:#?}"
    );

    // A module is in a circle when it reaches itself.
    let reaches = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<String> = edges[from].iter().cloned().collect();
        while let Some(next) = todo.pop() {
            if seen.insert(next.clone())
                && let Some(out) = edges.get(next.as_str())
            {
                todo.extend(out.iter().cloned());
            }
        }
        seen
    };
    let circles: Vec<&str> = edges
        .keys()
        .copied()
        .filter(|m| reaches(m).contains(*m))
        .collect();
    assert!(
        circles.is_empty(),
        "modules that reach themselves through their crate:: paths: {circles:?}\n{edges:#?}"
    );
}
