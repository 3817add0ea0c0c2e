//! Turns the capabilities that `cargo xtask generate` found in the API document
//! (`src/generated/capabilities.txt`) into `--cfg friendli_has="<name>"`, one for each extra this
//! build can compile:
//!
//! - the document gives everything the extra uses (`<name> yes`; a `no` line says what it lacks);
//! - the extras it is built on are on (`+<name>`, listed before it);
//! - for each generated item it uses that only some feature groups compile (`serverless|dedicated`),
//!   one of those features is enabled.
//!
//! An extra whose operations or types the document lacks, or that the enabled features do not
//! reach, is then compiled out instead of failing the build. It reads one small file and uses only
//! `std`, so that it costs the build next to nothing.

use std::collections::BTreeSet;
use std::fs;

const CAPABILITIES: &str = "src/generated/capabilities.txt";

fn main() {
    println!("cargo::rerun-if-changed={CAPABILITIES}");
    let text = match fs::read_to_string(CAPABILITIES) {
        Ok(text) => text,
        Err(error) => {
            panic!("cannot read {CAPABILITIES} (written by `cargo xtask generate`): {error}")
        }
    };
    let enabled = |group: &str| {
        let name = format!(
            "CARGO_FEATURE_{}",
            group.to_ascii_uppercase().replace('-', "_")
        );
        std::env::var_os(name).is_some()
    };
    let mut names = Vec::new();
    let mut on = BTreeSet::new();
    for (number, line) in text.lines().map(str::trim).enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let (Some(name), Some(verdict @ ("yes" | "no"))) = (words.next(), words.next()) else {
            // A file edited by hand: refused, not read as "compile nothing".
            panic!(
                "{CAPABILITIES}, line {}: {line:?} is not `<name> yes|no …`; regenerate it with \
                 `cargo xtask generate`",
                number + 1
            );
        };
        names.push(format!("{name:?}"));
        if verdict == "no" {
            continue;
        }
        let compiled = words.all(|word| match word.strip_prefix('+') {
            Some(required) => on.contains(required),
            None => word.split('|').any(enabled),
        });
        if compiled {
            println!("cargo::rustc-cfg=friendli_has={name:?}");
            on.insert(name.to_owned());
        }
    }
    println!(
        "cargo::rustc-check-cfg=cfg(friendli_has, values({}))",
        names.join(", ")
    );
}
