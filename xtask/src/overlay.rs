//! Applying our overlay (OpenAPI Overlay 1.0) to the provider's document, and telling the
//! maintainer which of its actions no longer fit.
//!
//! An action whose `target` selects nothing is *stale*: the provider's document has moved on (a
//! path prefix changed, a schema renamed, a property removed) and the words or corrections of the
//! action are lost. [`apply_overlay`] applies every action that still selects something and
//! reports the stale ones as [`StaleAction`]s: what the action would have done, how far its target
//! still selects, and the names in the document nearest to the one that is gone. A list of names
//! (`$.components.schemas['A','B']`) with a name that selects nothing is reported too, although
//! the action still applies to the other names.
//!
//! Whether stale actions are fatal is the caller's choice (`cargo xtask import --strict`).

use std::collections::BTreeSet;
use std::fmt::{self, Write as _};

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::document::{Problem, join};

/// What applying an overlay did besides changing the document.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// The `x-note`s of the actions applied, each at its action (`/actions/N`).
    pub notes: Vec<Problem>,
    /// The actions that select nothing (or whose list of names names something that is gone).
    pub stale: Vec<StaleAction>,
}

/// An overlay action that no longer fits the document it is applied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleAction {
    /// Its index in the overlay's `actions` list.
    pub index: usize,
    /// The line of its `target` in the overlay file, when known (1-based).
    pub line: Option<usize>,
    /// Its JSONPath target.
    pub target: String,
    /// Empty when the whole target selects nothing (the action did nothing); otherwise the names
    /// of a list selector that select nothing, while the action still applied to the others.
    pub unmatched: Vec<String>,
    /// Whether it would have removed what it selects (otherwise it would have merged an update).
    pub remove: bool,
    /// The top-level keys its update would have set.
    pub keys: Vec<String>,
    /// The description (or else the summary) its update would have set, at any depth.
    pub description: Option<String>,
    /// The action's `x-note`, if any.
    pub note: Option<String>,
    /// The longest leading part of the target that still selects something (`$` at least), when
    /// the target could be taken apart.
    pub selects_up_to: Option<String>,
    /// The segment after it, which selects nothing there.
    pub missing: Option<String>,
    /// Names in the document next to the missing one that resemble it, nearest first (at most
    /// three): where the action may belong now.
    pub nearest: Vec<String>,
    /// Targets that select, in the new document, what the action selected in the document
    /// imported before (the same operation by its `operationId` at another path, the same schema
    /// under another name): the action's target once retargeted. Filled by [`find_successors`].
    pub now_at: Vec<String>,
}

impl StaleAction {
    /// One line: index, target, and what it would have set.
    pub fn summary(&self) -> String {
        let mut text = format!("#{} {}", self.index, self.target);
        if let Some(line) = self.line {
            let _ = write!(text, " (line {line})");
        }
        if !self.unmatched.is_empty() {
            let _ = write!(
                text,
                ": nothing is named {} (applied to the other names)",
                quoted_list(&self.unmatched)
            );
        }
        let _ = write!(text, ": {}", self.effect());
        if let Some(now) = self.now_at.first() {
            let _ = write!(text, "; now at {now}?");
        }
        text
    }

    /// What the action would have done, in a few words.
    pub fn effect(&self) -> String {
        if self.remove {
            return "would remove what it selects".to_owned();
        }
        let mut text = format!(
            "would set {}",
            self.keys
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if let Some(description) = &self.description {
            let _ = write!(text, " \"{}\"", abridged(description, 100));
        }
        text
    }

    /// The form a maintainer can act on: where the action is, where its target stops selecting,
    /// the nearest names, what it would have set, and what to do.
    pub fn details(&self, overlay: &str) -> String {
        let mut out = String::new();
        let place = match self.line {
            Some(line) => format!("{overlay}:{line}"),
            None => format!("{overlay}, action #{}", self.index),
        };
        let _ = writeln!(out, "stale overlay action #{} at {place}", self.index);
        let _ = writeln!(out, "    target:     {}", self.target);
        if !self.unmatched.is_empty() {
            let _ = writeln!(
                out,
                "    unmatched:  {} (the action still applies to the other names)",
                quoted_list(&self.unmatched)
            );
        }
        if let (Some(prefix), Some(missing)) = (&self.selects_up_to, &self.missing) {
            let _ = writeln!(
                out,
                "    stops at:   `{missing}`: `{prefix}` selects something, but nothing there matches it"
            );
        }
        for now in &self.now_at {
            let _ = writeln!(
                out,
                "    now at:     {now} (what it selected before, under its new name)"
            );
        }
        if !self.nearest.is_empty() {
            let _ = writeln!(out, "    nearest:    {}", quoted_list(&self.nearest));
        }
        let _ = writeln!(out, "    effect:     {}", self.effect());
        if let Some(note) = &self.note {
            let _ = writeln!(out, "    x-note:     {note}");
        }
        let _ = write!(
            out,
            "    to do:      {}",
            if !self.now_at.is_empty() {
                "retarget the action to `now at`, or delete it if it no longer applies"
            } else if self.nearest.is_empty() {
                "find where this now lives in the provider's document and retarget the action, or delete it if it is gone"
            } else {
                "retarget the action (a nearest name above may be the new place), or delete it if it is gone"
            }
        );
        out
    }

    /// The action as a note at its place in the overlay (`/actions/N/target`).
    pub fn to_problem(&self) -> Problem {
        let what = if self.unmatched.is_empty() {
            format!("`{}` selects nothing", self.target)
        } else {
            format!(
                "in `{}`, {} select nothing",
                self.target,
                quoted_list(&self.unmatched)
            )
        };
        Problem::new(
            format!("/actions/{}/target", self.index),
            format!("{what} in the provider's document; {}", self.effect()),
        )
    }
}

impl fmt::Display for StaleAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `text` on one line, cut at `max` characters with an ellipsis.
fn abridged(text: &str, max: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let cut: String = one_line.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

/// Applies an OpenAPI Overlay 1.0 document to `document`, in the order of its actions.
///
/// An action's `target` is an RFC 9535 JSONPath; `update` is merged into every node it selects
/// (objects key by key, recursively; arrays appended), `remove: true` removes them. An action
/// whose target selects nothing changes nothing and is reported in [`Applied::stale`]; a
/// malformed overlay or action is an error.
pub fn apply_overlay(document: &mut Value, overlay: &Value) -> Result<Applied, Problem> {
    let root = overlay
        .as_object()
        .ok_or_else(|| Problem::new("", "the overlay must be an object"))?;
    match root.get("overlay").and_then(Value::as_str) {
        Some(v) if v.starts_with("1.") => {}
        _ => {
            return Err(Problem::new(
                "/overlay",
                "not an OpenAPI Overlay 1.x document (`overlay: 1.0.0` missing)",
            ));
        }
    }
    let actions = match root.get("actions") {
        Some(Value::Array(actions)) => actions,
        _ => {
            return Err(Problem::new(
                "/actions",
                "the overlay has no `actions` list",
            ));
        }
    };
    let mut applied = Applied::default();
    for (i, action) in actions.iter().enumerate() {
        let pointer = format!("/actions/{i}");
        let target = action
            .get("target")
            .and_then(Value::as_str)
            .ok_or_else(|| Problem::new(&pointer, "an action needs a `target` string"))?;
        let path = JsonPath::parse(target).map_err(|e| {
            Problem::new(
                join(&pointer, "target"),
                format!("`{target}` is not a JSONPath: {e}"),
            )
        })?;
        let remove = action
            .get("remove")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let update = action.get("update");
        if !remove && update.is_none() {
            return Err(Problem::new(
                &pointer,
                "an action needs `update` or `remove: true`",
            ));
        }
        let mut locations: Vec<String> = path
            .query_located(document)
            .locations()
            .map(|l| l.to_json_pointer())
            .collect();
        // Judged before the action changes the document.
        let stale = if locations.is_empty() {
            Some(stale_action(document, i, action, target, Vec::new()))
        } else {
            let unmatched = unmatched_names(document, target);
            (!unmatched.is_empty()).then(|| stale_action(document, i, action, target, unmatched))
        };
        if let Some(stale) = stale {
            applied.stale.push(stale);
        }
        if locations.is_empty() {
            continue;
        }
        if remove {
            // Deepest and last first, so that removing one node does not move another.
            locations.sort_by(|a, b| b.cmp(a));
            let unique: BTreeSet<String> = locations.iter().cloned().collect();
            for location in unique.iter().rev() {
                remove_at(document, location);
            }
        } else if let Some(update) = update {
            for location in &locations {
                if let Some(node) = document.pointer_mut(location) {
                    merge(node, update);
                }
            }
        }
        if let Some(note) = action.get("x-note").and_then(Value::as_str) {
            applied.notes.push(Problem::new(pointer, note.to_owned()));
        }
    }
    Ok(applied)
}

fn stale_action(
    document: &Value,
    index: usize,
    action: &Value,
    target: &str,
    unmatched: Vec<String>,
) -> StaleAction {
    let update = action.get("update");
    let mut stale = StaleAction {
        index,
        line: None,
        target: target.to_owned(),
        unmatched,
        remove: action.get("remove").and_then(Value::as_bool) == Some(true),
        keys: update
            .and_then(Value::as_object)
            .map(|u| u.keys().cloned().collect())
            .unwrap_or_default(),
        description: update
            .and_then(|u| first_text(u, "description").or_else(|| first_text(u, "summary"))),
        note: action
            .get("x-note")
            .and_then(Value::as_str)
            .map(str::to_owned),
        selects_up_to: None,
        missing: None,
        nearest: Vec::new(),
        now_at: Vec::new(),
    };
    let Some(segments) = segments(target) else {
        return stale;
    };
    if stale.unmatched.is_empty() {
        // The first leading part that selects nothing.
        for k in 1..segments.len() {
            let prefix = segments[..=k].concat();
            let selects = JsonPath::parse(&prefix).is_ok_and(|p| !p.query(document).is_empty());
            if !selects {
                let before = segments[..k].concat();
                stale.nearest = nearest(document, &before, &names_of(&segments[k]));
                stale.selects_up_to = Some(before);
                stale.missing = Some(segments[k].clone());
                break;
            }
        }
    } else if let Some(k) = segments
        .iter()
        .position(|s| names_of(s).iter().any(|n| stale.unmatched.contains(n)))
    {
        let before = segments[..k].concat();
        stale.nearest = nearest(document, &before, &stale.unmatched);
        stale.selects_up_to = Some(before);
        stale.missing = Some(name_selector(&stale.unmatched));
    }
    stale
}

/// The first string under a key `key` in `value`, depth first.
fn first_text(value: &Value, key: &str) -> Option<String> {
    match value {
        Value::Object(map) => map
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| map.values().find_map(|v| first_text(v, key))),
        Value::Array(items) => items.iter().find_map(|v| first_text(v, key)),
        _ => None,
    }
}

/// The names of a name list selector (`['A','B']`) of a target that select nothing, each taken
/// alone with the rest of the target as it is.
fn unmatched_names(document: &Value, target: &str) -> Vec<String> {
    let Some(segments) = segments(target) else {
        return Vec::new();
    };
    let mut unmatched = Vec::new();
    for (k, segment) in segments.iter().enumerate() {
        let names = names_of(segment);
        if names.len() < 2 || !segment.starts_with('[') {
            continue;
        }
        for name in names {
            let mut alone = segments.clone();
            alone[k] = name_selector(std::slice::from_ref(&name));
            let selects =
                JsonPath::parse(&alone.concat()).is_ok_and(|p| !p.query(document).is_empty());
            if !selects && !unmatched.contains(&name) {
                unmatched.push(name);
            }
        }
    }
    unmatched
}

/// A bracketed name selector for `names` (`['a','b']`).
fn name_selector(names: &[String]) -> String {
    let quoted: Vec<String> = names
        .iter()
        .map(|n| format!("'{}'", n.replace('\\', "\\\\").replace('\'', "\\'")))
        .collect();
    format!("[{}]", quoted.join(","))
}

/// The segments of a JSONPath as written: `$`, then each `.name`, `.*`, `..name`, `[...]`.
/// `None` when the text cannot be taken apart this way.
pub fn segments(path: &str) -> Option<Vec<String>> {
    let rest = path.strip_prefix('$')?;
    let mut out = vec!["$".to_owned()];
    let chars: Vec<char> = rest.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        if chars[i] == '.' {
            i += 1;
            if chars.get(i) == Some(&'.') {
                i += 1;
            }
            if chars.get(i) == Some(&'[') {
                i = bracket_end(&chars, i)?;
            } else if chars.get(i) == Some(&'*') {
                i += 1;
            } else {
                let name_start = i;
                while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    i += 1;
                }
                if i == name_start {
                    return None;
                }
            }
        } else if chars[i] == '[' {
            i = bracket_end(&chars, i)?;
        } else {
            return None;
        }
        out.push(chars[start..i].iter().collect());
    }
    Some(out)
}

/// The index after the `]` that closes the `[` at `open` (quotes and nested brackets skipped).
fn bracket_end(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    let mut i = open;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) => {
                if c == '\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                '[' => depth += 1,
                ']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// The member names a segment selects by name (`.name`, `..name`, `['a','b']`); empty for any
/// other selector (wildcards, indexes, filters).
fn names_of(segment: &str) -> Vec<String> {
    let segment = segment.trim_start_matches('.');
    let Some(inner) = segment.strip_prefix('[').and_then(|s| s.strip_suffix(']')) else {
        return if segment.is_empty() || segment == "*" {
            Vec::new()
        } else {
            vec![segment.to_owned()]
        };
    };
    let mut names = Vec::new();
    let chars: Vec<char> = inner.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            ' ' | ',' => i += 1,
            q @ ('\'' | '"') => {
                let mut name = String::new();
                i += 1;
                while i < chars.len() && chars[i] != q {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    name.push(chars[i]);
                    i += 1;
                }
                if i >= chars.len() {
                    return Vec::new();
                }
                i += 1;
                names.push(name);
            }
            // An index, a wildcard, a slice or a filter.
            _ => return Vec::new(),
        }
    }
    names
}

/// The member names of what `prefix` selects that resemble one of `missing`, nearest first.
fn nearest(document: &Value, prefix: &str, missing: &[String]) -> Vec<String> {
    let Ok(path) = JsonPath::parse(prefix) else {
        return Vec::new();
    };
    let mut scored: Vec<(usize, String)> = Vec::new();
    for node in path.query(document).iter() {
        let Value::Object(map) = node else { continue };
        for key in map.keys() {
            if let Some(score) = missing.iter().filter_map(|m| nearness(m, key)).min()
                && !scored.iter().any(|(_, k)| k == key)
            {
                scored.push((score, key.clone()));
            }
        }
    }
    scored.sort();
    scored.into_iter().take(3).map(|(_, k)| k).collect()
}

/// How near `candidate` is to the `missing` name (lower is nearer), or `None` when it is not
/// near: the same name in another case; the same path with a prefix added or dropped
/// (`/v1/chat` for `/serverless/v1/chat`); one name inside the other; a few edits apart.
fn nearness(missing: &str, candidate: &str) -> Option<usize> {
    if missing == candidate {
        return None;
    }
    if missing.eq_ignore_ascii_case(candidate) {
        return Some(0);
    }
    let boundary_suffix = |long: &str, short: &str| {
        short.len() >= 2
            && long.ends_with(short)
            && (short.starts_with('/') || long[..long.len() - short.len()].ends_with('/'))
    };
    if boundary_suffix(missing, candidate) || boundary_suffix(candidate, missing) {
        return Some(1);
    }
    let (m, c) = (missing.to_lowercase(), candidate.to_lowercase());
    let shorter = m.chars().count().min(c.chars().count());
    // One is the other with words added before, inside or after (`Delta` → `StreamedDelta`,
    // `ChatResult` → `ChatCompletionResult`).
    let (mc, cc): (Vec<char>, Vec<char>) = (m.chars().collect(), c.chars().collect());
    let prefix = mc.iter().zip(&cc).take_while(|(a, b)| a == b).count();
    let suffix = mc
        .iter()
        .rev()
        .zip(cc.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    if shorter >= 4 && (m.contains(&c) || c.contains(&m) || prefix + suffix >= shorter) {
        return Some(2 + mc.len().abs_diff(cc.len()));
    }
    let distance = levenshtein(&m, &c);
    (distance <= (shorter / 3).max(2)).then_some(2 + distance)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// Fills [`StaleAction::now_at`]: for each stale action, where what it selected in `previous`
/// (the document imported before, with the overlay applied) is in `current` (the new import). A
/// path item is followed by the `operationId`s of its operations; anything else by its facts (the
/// same schema with documentation left out) under a name that `previous` did not have.
pub fn find_successors(stale: &mut [StaleAction], previous: &Value, current: &Value) {
    for action in stale {
        action.now_at = successors(action, previous, current);
    }
}

fn successors(action: &StaleAction, previous: &Value, current: &Value) -> Vec<String> {
    let Some(segments) = segments(&action.target) else {
        return Vec::new();
    };
    // The segment that no longer selects, and the names in it that are gone.
    let (k, gone) = if action.unmatched.is_empty() {
        let Some(k) = action
            .selects_up_to
            .as_deref()
            .and_then(crate::overlay::segments)
            .map(|s| s.len())
        else {
            return Vec::new();
        };
        match segments.get(k) {
            Some(segment) => (k, names_of(segment)),
            None => return Vec::new(),
        }
    } else {
        match segments
            .iter()
            .position(|s| names_of(s).iter().any(|n| action.unmatched.contains(n)))
        {
            Some(k) => (k, action.unmatched.clone()),
            None => return Vec::new(),
        }
    };
    let Ok(parents) = JsonPath::parse(&segments[..k].concat()) else {
        return Vec::new();
    };
    let parents: Vec<String> = parents
        .query_located(previous)
        .locations()
        .map(|l| l.to_json_pointer())
        .collect();
    let mut out: Vec<String> = Vec::new();
    for name in &gone {
        for parent in &parents {
            let Some(old) = previous.pointer(&join(parent, name)) else {
                continue;
            };
            for new_name in counterparts(parent, name, old, previous, current) {
                let mut retargeted = segments.clone();
                let names: Vec<String> = names_of(&segments[k])
                    .into_iter()
                    .map(|n| if &n == name { new_name.clone() } else { n })
                    .collect();
                retargeted[k] = name_selector(&names);
                let target = retargeted.concat();
                if !out.contains(&target) {
                    out.push(target);
                }
            }
        }
    }
    out.truncate(3);
    out
}

/// The names under `parent` in `current` that hold what `name` held in `previous`.
fn counterparts(
    parent: &str,
    name: &str,
    old: &Value,
    previous: &Value,
    current: &Value,
) -> Vec<String> {
    let Some(Value::Object(now)) = current.pointer(parent) else {
        return Vec::new();
    };
    let before = previous.pointer(parent).and_then(Value::as_object);
    let new_names = now
        .keys()
        .filter(|k| k.as_str() != name && before.is_none_or(|b| !b.contains_key(*k)));
    if parent == "/paths" {
        let ids: BTreeSet<&str> = operation_ids(old).collect();
        return new_names
            .filter(|k| operation_ids(&now[*k]).any(|id| ids.contains(id)))
            .cloned()
            .collect();
    }
    let facts = crate::document::facts(old);
    new_names
        .filter(|k| crate::document::facts(&now[*k]) == facts)
        .cloned()
        .collect()
}

fn operation_ids(item: &Value) -> impl Iterator<Item = &str> {
    crate::document::METHODS.iter().filter_map(|m| {
        item.get(*m)
            .and_then(|op| op.get("operationId"))
            .and_then(Value::as_str)
    })
}

/// The line (1-based) of each action's `target` in the overlay's text, in order: the next line
/// after the previous action's whose `target` key holds the action's target (YAML plain, single-
/// or double-quoted, or JSON). `None` for an action whose line is not found.
pub fn target_lines(text: &str, overlay: &Value) -> Vec<Option<usize>> {
    let targets: Vec<Option<&str>> = overlay
        .get("actions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|a| a.get("target").and_then(Value::as_str))
        .collect();
    let lines: Vec<&str> = text.lines().collect();
    let mut next = 0;
    let mut out = Vec::with_capacity(targets.len());
    for target in targets {
        let found = target.and_then(|target| {
            (next..lines.len()).find(|&i| target_value(lines[i]).as_deref() == Some(target))
        });
        if let Some(i) = found {
            next = i + 1;
        }
        out.push(found.map(|i| i + 1));
    }
    out
}

/// The value of a `target:` key on one line, unquoted.
fn target_value(line: &str) -> Option<String> {
    let line = line.trim_start().trim_start_matches("- ").trim_start();
    let rest = line
        .strip_prefix("target:")
        .or_else(|| line.strip_prefix("\"target\":"))?
        .trim();
    let rest = rest.trim_end_matches(',').trim_end();
    if let Some(inner) = rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return serde_json::from_str::<String>(&format!("\"{inner}\"")).ok();
    }
    if let Some(inner) = rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return Some(inner.replace("''", "'"));
    }
    Some(rest.to_owned())
}

/// Merges `update` into `node`: objects key by key (recursively), arrays appended, anything else
/// replaced.
fn merge(node: &mut Value, update: &Value) {
    match (node, update) {
        (Value::Object(node), Value::Object(update)) => {
            for (key, value) in update {
                match node.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        node.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (Value::Array(node), Value::Array(update)) => node.extend(update.iter().cloned()),
        (node, update) => *node = update.clone(),
    }
}

fn remove_at(document: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let token = crate::document::unescape(last);
    match document.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&token);
        }
        Some(Value::Array(items)) => {
            if let Ok(index) = token.parse::<usize>()
                && index < items.len()
            {
                items.remove(index);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn targets_are_taken_apart_into_their_segments() {
        assert_eq!(
            segments("$.paths['/a/b'].post").unwrap(),
            ["$", ".paths", "['/a/b']", ".post"]
        );
        assert_eq!(
            segments("$.components.schemas['A','B'].properties[*]..x").unwrap(),
            [
                "$",
                ".components",
                ".schemas",
                "['A','B']",
                ".properties",
                "[*]",
                "..x"
            ]
        );
        assert_eq!(
            segments("$.a[?@.b == ']']").unwrap(),
            ["$", ".a", "[?@.b == ']']"]
        );
        assert!(segments("paths").is_none());
        assert_eq!(names_of("['A', \"B\"]"), ["A", "B"]);
        assert_eq!(names_of(".paths"), ["paths"]);
        assert!(names_of("[*]").is_empty());
        assert!(names_of("[0]").is_empty());
    }

    #[test]
    fn near_names_are_found_by_prefix_case_containment_and_edits() {
        assert_eq!(nearness("/serverless/v1/chat", "/v1/chat"), Some(1));
        assert_eq!(nearness("/v1/chat", "/serverless/v1/chat"), Some(1));
        assert_eq!(nearness("ChatResult", "chatresult"), Some(0));
        assert!(nearness("ChatResult", "ChatCompletionResult").is_some());
        assert!(nearness("Delta", "StreamedDelta").is_some());
        assert!(nearness("Reason", "Reasons").is_some());
        assert_eq!(nearness("ChatResult", "Usage"), None);
        assert_eq!(nearness("/a/chat", "/chat2"), None);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }

    #[test]
    fn target_lines_follow_the_actions_in_order() {
        let text = "actions:\n  - target: \"$.a\"\n    update: {}\n  - target: $.b\n    update:\n      target: $.a\n  - target: '$.paths[''/x'']'\n    remove: true\n";
        let overlay = json!({"actions": [
            {"target": "$.a"}, {"target": "$.b"}, {"target": "$.paths['/x']"}, {"target": "$.gone"}
        ]});
        assert_eq!(
            target_lines(text, &overlay),
            [Some(2), Some(4), Some(7), None]
        );
    }
}
