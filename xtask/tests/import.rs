//! `cargo xtask import`: the provider's document, facts only, plus our overlay. Deterministic,
//! free of the provider's prose, and checked by `--check`.

mod common;

use std::process::Command;

use common::{PROVIDER_2026, fixture, fixture_path, reference};
use serde_json::{Value, json};
use xtask::import::{apply_overlay, import, to_yaml};
use xtask::workspace::{self, Freshness};

const MARKER: &str = "PROSE-MARKER-7f3a";

fn no_actions() -> Value {
    json!({"overlay": "1.0.0", "info": {"title": "none", "version": "1"}, "actions": []})
}

fn real_overlay() -> Value {
    xtask::document::load(&workspace::root().join(workspace::OVERLAY)).unwrap()
}

#[test]
fn importing_the_provider_document_twice_gives_the_same_bytes_as_the_committed_file() {
    let Some(provider_path) = reference(PROVIDER_2026) else {
        return;
    };
    let provider = xtask::document::load(&provider_path).unwrap();
    let overlay = real_overlay();
    let first = to_yaml(&import(&provider, &overlay).unwrap().document);
    let second = to_yaml(&import(&provider, &overlay).unwrap().document);
    assert!(first == second, "two imports of the same input differ");
    // Written, read back and written again: the same bytes (the key order is the writer's, not
    // the reader's).
    let reread = xtask::document::parse(&first).unwrap();
    assert!(
        to_yaml(&reread) == first,
        "the YAML does not round-trip to the same bytes"
    );

    // What `cargo xtask import --check` compares: the committed document is this import.
    let root = workspace::root();
    let (file, _notes) =
        workspace::imported_file(&root, &provider_path, &root.join(workspace::OVERLAY)).unwrap();
    assert_eq!(file.path, workspace::SPEC);
    assert!(file.contents == first);
    if let Freshness::Stale(diff) = workspace::check(&root, &file) {
        panic!(
            "{} is stale; run `cargo xtask import {}`:\n{diff}",
            workspace::SPEC,
            provider_path.display()
        );
    }
    // And it reads back as the document it was written from.
    assert_eq!(reread, import(&provider, &overlay).unwrap().document);
}

/// `cargo xtask import --check` through the binary: it only reads the workspace (the committed
/// document), so it runs against the real one; an edited overlay stands for a stale document.
#[test]
fn import_check_passes_when_fresh_and_fails_with_a_readable_diff_when_stale() {
    let Some(provider) = reference(PROVIDER_2026) else {
        return;
    };
    let fresh = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["import", "--check"])
        .arg(&provider)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&fresh.stdout);
    let stderr = String::from_utf8_lossy(&fresh.stderr);
    assert_eq!(fresh.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(stdout.trim(), "fresh: openapi/friendli.yaml");

    // Our overlay with one description changed.
    let mut overlay = real_overlay();
    let actions = overlay["actions"].as_array_mut().unwrap();
    actions.push(json!({
        "target": "$.paths['/serverless/v1/chat/completions'].post",
        "update": {"description": "An edited description, not yet imported."}
    }));
    let dir = scratch_dir("import-check");
    let edited = dir.join("overlay.json");
    std::fs::write(&edited, serde_json::to_string(&overlay).unwrap()).unwrap();
    let stale = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["import", "--check"])
        .arg(format!("--overlay={}", edited.display()))
        .arg(&provider)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&stale.stdout);
    let stderr = String::from_utf8_lossy(&stale.stderr);
    assert_eq!(stale.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with("STALE: openapi/friendli.yaml\n"),
        "{stdout}"
    );
    // A unified diff: the committed text, then the new one, with context.
    assert!(
        stdout.contains("--- openapi/friendli.yaml (checked in)"),
        "{stdout}"
    );
    assert!(stdout.contains("\n@@ "), "{stdout}");
    assert!(
        stdout.contains("+      description: An edited description, not yet imported.\n"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("-      description:") || l.starts_with("-        ")),
        "{stdout}"
    );
    // Only the one operation's description changed: a small diff, not the whole file.
    assert!(stdout.lines().count() < 40, "{stdout}");
    assert!(stderr.contains("is stale"), "{stderr}");
    assert!(stderr.contains("cargo xtask import"), "{stderr}");
    // --check wrote nothing.
    let again = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["import", "--check"])
        .arg(&provider)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0));
    std::fs::remove_dir_all(&dir).ok();
}

/// The same cycle through the library on a scratch workspace, including the write.
#[test]
fn a_stale_imported_document_is_rewritten_and_then_fresh() {
    let Some(provider) = reference(PROVIDER_2026) else {
        return;
    };
    let dir = scratch_dir("import-write");
    std::fs::create_dir_all(dir.join("openapi")).unwrap();
    std::fs::copy(
        workspace::root().join(workspace::SPEC),
        dir.join(workspace::SPEC),
    )
    .unwrap();
    let mut overlay = real_overlay();
    overlay["actions"].as_array_mut().unwrap().push(json!({
        "target": "$.components.schemas.ChatResult.properties",
        "update": {"brand_new_field": {"type": "string", "description": "Added by a test."}}
    }));
    let overlay_path = dir.join("overlay.json");
    std::fs::write(&overlay_path, overlay.to_string()).unwrap();

    let (file, _) = workspace::imported_file(&dir, &provider, &overlay_path).unwrap();
    let Freshness::Stale(diff) = workspace::check(&dir, &file) else {
        panic!("the edited overlay must make the document stale");
    };
    assert!(diff.contains("+        brand_new_field:"), "{diff}");
    assert!(workspace::write(&dir, &file).unwrap());
    assert!(matches!(workspace::check(&dir, &file), Freshness::Fresh));
    assert!(
        !workspace::write(&dir, &file).unwrap(),
        "unchanged: not written again"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn no_prose_survives_import() {
    let provider = fixture("prose.yaml");
    // The fixture is what it claims: the marker is everywhere prose can be.
    let text = std::fs::read_to_string(fixture_path("prose.yaml")).unwrap();
    assert!(text.matches(MARKER).count() > 80);

    let imported = import(&provider, &no_actions()).unwrap();
    let yaml = to_yaml(&imported.document);
    let leaked: Vec<&str> = yaml.lines().filter(|l| l.contains(MARKER)).collect();
    assert!(
        leaked.is_empty(),
        "prose survived the import:\n{}",
        leaked.join("\n")
    );
    // Known prose is dropped silently; nothing in the notes repeats it either.
    for note in &imported.notes {
        assert!(!note.to_string().contains(MARKER), "{note}");
    }

    // The facts next to the prose are all there.
    let doc = &imported.document;
    assert_eq!(
        doc["info"],
        json!({"title": "Friendli API", "version": "2.5.0"})
    );
    assert_eq!(doc["tags"], json!([{"name": "Serverless.Chat"}]));
    assert_eq!(
        doc["servers"][0]["variables"]["region"],
        json!({"default": "us", "enum": ["us", "eu"]})
    );
    let thing = &doc["components"]["schemas"]["Thing"];
    assert_eq!(thing["required"], json!(["id", "description"]));
    // Properties *named* like prose keywords are facts.
    for name in ["description", "summary", "title", "example", "examples"] {
        assert!(
            thing["properties"].get(name).is_some(),
            "property `{name}` lost"
        );
    }
    assert_eq!(
        thing["properties"]["description"],
        json!({"type": "string"})
    );
    assert_eq!(
        thing["properties"]["summary"],
        json!({"anyOf": [{"type": "string", "maxLength": 200}, {"type": "null"}]})
    );
    assert_eq!(
        thing["properties"]["example"],
        json!({"type": "boolean", "default": false})
    );
    assert_eq!(
        thing["properties"]["examples"],
        json!({"type": "array", "items": {"type": "string"}})
    );
    assert_eq!(
        thing["properties"]["id"],
        json!({"type": "string", "format": "uuid"})
    );
    assert_eq!(
        thing["properties"]["status"],
        json!({"type": "string", "enum": ["active", "archived"], "x-speakeasy-unknown-values": "allow"})
    );
    assert_eq!(
        thing["properties"]["pair"],
        json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]})
    );
    assert_eq!(
        thing["properties"]["labels"],
        json!({"type": "object", "additionalProperties": {"type": "string"}})
    );
    assert_eq!(
        thing["properties"]["kind"],
        json!({"type": "string", "const": "thing"})
    );
    let tool = &doc["components"]["schemas"]["ThingBody"]["properties"]["tool"];
    assert_eq!(tool["discriminator"]["propertyName"], "type");
    assert_eq!(
        tool["oneOf"],
        json!([{"$ref": "#/components/schemas/FunctionTool"}, {"$ref": "#/components/schemas/BuiltInTool"}])
    );
    let item = &doc["paths"]["/v1/things/{thing_id}"];
    assert_eq!(
        item["parameters"],
        json!([{"name": "thing_id", "in": "path", "required": true, "schema": {"type": "string"}}])
    );
    let get = &item["get"];
    assert_eq!(get["operationId"], "getThing");
    assert_eq!(get["x-speakeasy-name-override"], "get");
    assert_eq!(get["x-speakeasy-retries"]["statusCodes"], json!([429, 503]));
    assert_eq!(
        get["parameters"][0]["schema"],
        json!({"anyOf": [{"type": "integer", "minimum": 1, "maximum": 100}, {"type": "null"}], "default": 20})
    );
    assert_eq!(
        get["responses"]["422"],
        json!({"$ref": "#/components/responses/Invalid"})
    );
    // Responses need a description in OpenAPI: a neutral one replaces the provider's.
    assert_eq!(get["responses"]["200"]["description"], "HTTP 200.");
    assert_eq!(
        get["responses"]["200"]["headers"]["X-Request-Id"],
        json!({"schema": {"type": "string"}})
    );
    assert_eq!(
        item["post"]["responses"]["200"]["content"]["text/event-stream"],
        json!({"schema": {"$ref": "#/components/schemas/ThingEvent"}, "x-speakeasy-sse-sentinel": "[DONE]"})
    );
    assert_eq!(
        doc["paths"]["/v1/upload"]["put"]["requestBody"]["content"]["multipart/form-data"]["encoding"],
        json!({"file": {"contentType": "application/octet-stream"}})
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["token"],
        json!({"type": "http", "scheme": "bearer"})
    );
    // What is left converts and generates.
    common::generate(doc);
}

#[test]
fn unknown_keys_are_dropped_with_a_note_naming_them() {
    let provider = json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "x-vendor-blurb": "words",
        "paths": {"/a": {"get": {
            "operationId": "a",
            "x-new-docs-extension": {"text": "words"},
            "callbacks": {"done": {}},
            "responses": {"200": {"description": "ok", "links": {"next": {"operationId": "a"}}}}
        }}},
        "components": {"schemas": {"S": {
            "type": "string",
            "x-speakeasy-deprecation-message": "words",
            "dependentRequired": {"a": ["b"]}
        }}}
    });
    let imported = import(&provider, &no_actions()).unwrap();
    let text = imported.document.to_string();
    assert!(!text.contains("words"), "{text}");
    let mut pointers: Vec<&str> = imported.notes.iter().map(|n| n.pointer.as_str()).collect();
    pointers.sort_unstable();
    assert_eq!(
        pointers,
        [
            "/components/schemas/S/dependentRequired",
            "/components/schemas/S/x-speakeasy-deprecation-message",
            "/paths/~1a/get/callbacks",
            "/paths/~1a/get/responses/200/links",
            "/paths/~1a/get/x-new-docs-extension",
            "/x-vendor-blurb",
        ]
    );
    assert!(
        imported
            .notes
            .iter()
            .all(|n| n.message.contains("not a fact this import knows"))
    );
}

/// Prose in places the import copies without looking inside. Each of these is legal OpenAPI
/// 3.1 that the 2026 document does not use (yet).
#[test]
fn no_prose_survives_in_rarely_used_places() {
    let provider = json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"post": {
            "operationId": "a",
            "requestBody": {"content": {"multipart/form-data": {
                "schema": {"type": "object"},
                "encoding": {"f": {"contentType": "image/png", "headers": {"X-Rate": {
                    "description": MARKER, "example": MARKER, "schema": {"type": "integer", "title": MARKER}
                }}}}
            }}},
            "responses": {"204": {"description": MARKER}}
        }}},
        "components": {
            "securitySchemes": {"oauth": {"type": "oauth2", "flows": {"clientCredentials": {
                "tokenUrl": "https://example.com/token", "scopes": {"read": MARKER}
            }}}},
            "schemas": {
                "Conditional": {"type": "object", "if": {"required": ["a"]}, "then": {"description": MARKER}, "else": {"description": MARKER}},
                "Dependent": {"type": "object", "dependentSchemas": {"a": {"description": MARKER}}},
                "OldTuple": {"type": "array", "items": [{"type": "string", "description": MARKER}]}
            }
        }
    });
    let yaml = to_yaml(&import(&provider, &no_actions()).unwrap().document);
    let leaked: Vec<&str> = yaml.lines().filter(|l| l.contains(MARKER)).collect();
    assert!(
        leaked.is_empty(),
        "prose survived the import:\n{}",
        leaked.join("\n")
    );
}

/// Every `description` of the provider's document (and every sentence of one), compared with
/// every string of the committed document.
#[test]
fn the_committed_document_has_none_of_the_provider_descriptions() {
    let Some(provider_path) = reference(PROVIDER_2026) else {
        return;
    };
    let provider = xtask::document::load(&provider_path).unwrap();
    let committed = xtask::document::load(&workspace::root().join(workspace::SPEC)).unwrap();
    let mut descriptions = Vec::new();
    collect_descriptions(&provider, &mut descriptions);
    descriptions.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    descriptions.dedup();
    assert!(descriptions.len() > 500, "{}", descriptions.len());
    let mut strings = Vec::new();
    collect_strings(&committed, &mut strings);
    let haystack = strings.join("\n");

    // The 20 longest, whole and sentence by sentence.
    for description in descriptions.iter().take(20) {
        assert!(description.len() > 300, "{description}");
        assert!(
            !haystack.contains(description.as_str()),
            "a provider description survived:\n{description}"
        );
        for sentence in sentences(description) {
            assert!(
                !haystack.contains(sentence),
                "a sentence of a provider description survived:\n{sentence}"
            );
        }
    }
    // Any description long enough to be the provider's words, not a common phrase.
    let survivors: Vec<&String> = descriptions
        .iter()
        .filter(|d| d.len() >= 40 && haystack.contains(d.as_str()))
        .collect();
    assert!(survivors.is_empty(), "{survivors:#?}");
}

fn collect_descriptions(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if (key == "description" || key == "summary")
                    && let Value::String(text) = child
                {
                    out.push(text.clone());
                }
                collect_descriptions(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_descriptions(i, out)),
        _ => {}
    }
}

fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                out.push(key.clone());
                collect_strings(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::String(text) => out.push(text.clone()),
        _ => {}
    }
}

/// The sentences of a text of at least 40 characters.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split(". ")
        .flat_map(|s| s.split('\n'))
        .map(str::trim)
        .filter(|s| s.len() >= 40)
}

fn provider_with_operation() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {"post": {
                "operationId": "a",
                "x-speakeasy-name-override": "run",
                "tags": ["One"],
                "responses": {"200": {"description": "ok"}}
            }},
            "/b": {"get": {"operationId": "b", "responses": {"200": {"description": "ok"}}}}
        },
        "components": {"schemas": {
            "Reason": {"type": "string", "enum": ["stop", "length"]},
            "Delta": {"type": "object", "properties": {
                "content": {"type": "string"},
                "legacy": {"type": "string"}
            }},
            "Message": {"type": "object", "properties": {"content": {"type": "string"}}}
        }}
    })
}

#[test]
fn the_overlay_updates_by_merging_and_removes() {
    let overlay = json!({"overlay": "1.0.0", "info": {"title": "ours", "version": "1"}, "actions": [
        // A description in our words for every operation: a wildcard selects them all.
        {"target": "$.paths.*.*", "update": {"description": "Ours."}},
        // A merge: existing keys are kept, new ones added, lists appended.
        {"target": "$.paths['/a'].post", "update": {"summary": "Run it", "tags": ["Two"]}},
        // An open enum.
        {"target": "$.components.schemas.Reason", "update": {"x-open-enum": true}},
        // A correction: a field the server sends and the document omits, on two schemas at once.
        {"target": "$.components.schemas['Delta','Message'].properties",
         "update": {"reasoning_content": {"type": ["string", "null"]}}, "x-note": "correction"},
        // A removal.
        {"target": "$.components.schemas.Delta.properties.legacy", "remove": true},
        {"target": "$.paths['/a'].post['x-speakeasy-name-override']", "remove": true}
    ]});
    let imported = import(&provider_with_operation(), &overlay).unwrap();
    let doc = &imported.document;
    let a = &doc["paths"]["/a"]["post"];
    assert_eq!(a["description"], "Ours.");
    assert_eq!(doc["paths"]["/b"]["get"]["description"], "Ours.");
    assert_eq!(a["summary"], "Run it");
    assert_eq!(a["operationId"], "a");
    assert_eq!(a["tags"], json!(["One", "Two"]));
    assert!(a.get("x-speakeasy-name-override").is_none());
    assert_eq!(doc["components"]["schemas"]["Reason"]["x-open-enum"], true);
    for schema in ["Delta", "Message"] {
        assert_eq!(
            doc["components"]["schemas"][schema]["properties"]["reasoning_content"],
            json!({"type": ["string", "null"]})
        );
        assert_eq!(
            doc["components"]["schemas"][schema]["properties"]["content"],
            json!({"type": "string"})
        );
    }
    assert!(
        doc["components"]["schemas"]["Delta"]["properties"]
            .get("legacy")
            .is_none()
    );
    // An action's `x-note` is reported, with the action.
    assert!(
        imported
            .notes
            .iter()
            .any(|n| n.pointer == "/actions/3" && n.message == "correction")
    );
    // And the overlay's result is what gets written.
    assert!(to_yaml(doc).contains("reasoning_content:"));
}

#[test]
fn an_overlay_target_that_selects_nothing_is_listed_and_the_other_actions_applied() {
    let overlay = json!({"overlay": "1.0.0", "actions": [
        {"target": "$.paths['/a'].post", "update": {"description": "fine"}},
        {"target": "$.components.schemas.Reason", "update": {"x-open-enum": true}},
        {"target": "$.components.schemas.Renamed", "update": {"description": "gone upstream"},
         "x-note": "why it was there"},
        {"target": "$.paths['/missing']", "remove": true},
        {"target": "$.components.schemas['Delta','Gone'].properties.content",
         "update": {"description": "The text."}}
    ]});
    let imported = import(&provider_with_operation(), &overlay).unwrap();
    // The actions that fit are applied.
    let doc = &imported.document;
    assert_eq!(doc["paths"]["/a"]["post"]["description"], "fine");
    assert_eq!(doc["components"]["schemas"]["Reason"]["x-open-enum"], true);
    assert_eq!(
        doc["components"]["schemas"]["Delta"]["properties"]["content"]["description"],
        "The text."
    );
    assert!(doc["components"]["schemas"].get("Renamed").is_none());

    // The others are listed: index, target, and what each would have done.
    let stale: Vec<(usize, &str)> = imported
        .stale
        .iter()
        .map(|s| (s.index, s.target.as_str()))
        .collect();
    assert_eq!(
        stale,
        [
            (2, "$.components.schemas.Renamed"),
            (3, "$.paths['/missing']"),
            (4, "$.components.schemas['Delta','Gone'].properties.content"),
        ]
    );
    let renamed = &imported.stale[0];
    assert_eq!(renamed.description.as_deref(), Some("gone upstream"));
    assert_eq!(renamed.note.as_deref(), Some("why it was there"));
    assert_eq!(
        renamed.selects_up_to.as_deref(),
        Some("$.components.schemas")
    );
    assert_eq!(renamed.missing.as_deref(), Some(".Renamed"));
    let summary = renamed.summary();
    assert!(
        summary.starts_with("#2 $.components.schemas.Renamed"),
        "{summary}"
    );
    assert!(summary.contains("\"gone upstream\""), "{summary}");
    assert_eq!(renamed.to_problem().pointer, "/actions/2/target");
    assert!(imported.stale[1].remove);
    assert!(imported.stale[1].summary().contains("would remove"));
    // A list of names with one that is gone: listed, although the action applied to the rest.
    assert_eq!(imported.stale[2].unmatched, ["Gone"]);
    assert!(imported.stale[2].summary().contains("'Gone'"));
    // The `x-note` of an action that did not apply is not a note of the import.
    assert!(!imported.notes.iter().any(|n| n.pointer == "/actions/2"));
}

#[test]
fn malformed_overlays_are_reported_where_they_are_wrong() {
    let mut doc = provider_with_operation();
    let cases = [
        (json!({"actions": []}), "/overlay", "Overlay"),
        (json!({"overlay": "1.0.0"}), "/actions", "actions"),
        (
            json!({"overlay": "1.0.0", "actions": [{"update": {}}]}),
            "/actions/0",
            "target",
        ),
        (
            json!({"overlay": "1.0.0", "actions": [{"target": "$.paths[", "update": {}}]}),
            "/actions/0/target",
            "not a JSONPath",
        ),
        (
            json!({"overlay": "1.0.0", "actions": [{"target": "$.paths", "update": {}}, {"target": "$.paths"}]}),
            "/actions/1",
            "`update` or `remove: true`",
        ),
    ];
    for (overlay, pointer, words) in cases {
        let problem = apply_overlay(&mut doc, &overlay).unwrap_err();
        assert_eq!(problem.pointer, pointer, "{overlay}: {problem}");
        assert!(problem.message.contains(words), "{overlay}: {problem}");
    }
}

#[test]
fn the_committed_document_has_our_description_for_every_operation() {
    let committed = xtask::document::load(&workspace::root().join(workspace::SPEC)).unwrap();
    let mut missing = Vec::new();
    let mut count = 0;
    for item in committed["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            count += 1;
            if op
                .get("description")
                .and_then(Value::as_str)
                .is_none_or(|d| d.trim().is_empty())
            {
                missing.push(id);
            }
        }
    }
    assert!(count >= 84, "{count}");
    assert!(
        missing.is_empty(),
        "operations without our description: {missing:?}"
    );
}

fn scratch_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
