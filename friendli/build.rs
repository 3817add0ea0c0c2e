//! Turns the capabilities that `cargo xtask generate` found in the API document
//! (`src/generated/capabilities.txt`: one line per hand-written extra, `<name> yes` or
//! `<name> no (lacks …)`) into `--cfg friendli_has="<name>"` for each extra the document serves.
//! An extra whose operations or types the document lacks is then compiled out instead of failing
//! the build, and `cargo xtask generate` names what it lacks.
//!
//! It reads one small file and uses only `std`, so that it costs the build next to nothing.

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
    let mut names = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, verdict) = line.split_once(' ').unwrap_or((line, ""));
        names.push(format!("{name:?}"));
        if verdict == "yes" {
            println!("cargo::rustc-cfg=friendli_has={name:?}");
        }
    }
    println!(
        "cargo::rustc-check-cfg=cfg(friendli_has, values({}))",
        names.join(", ")
    );
}
