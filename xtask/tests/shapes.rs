//! When the provider's document changes shape: `import` and `generate` degrade with notes and
//! never stop, and `diff` names each change. The documents are small fixtures of this project's
//! own (`fixtures/shapes/`): `base.yaml`, and one change each of it: a path prefix changed
//! (`prefix.yaml`), an event stream that is not a `{data}` envelope (`raw-stream.yaml`), an
//! operation and a schema renamed (`renamed.yaml`), an enum value removed (`enum.yaml`).
//! `overlay.yaml` is our overlay for the base.
//!
//! The commands run on scratch workspaces (`XTASK_ROOT`), never on this one.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::fixture_path;
use serde_json::Value;
use xtask::workspace;

const SHAPES: [&str; 5] = ["base", "prefix", "raw-stream", "renamed", "enum"];

fn shape(name: &str) -> PathBuf {
    fixture_path(&format!("shapes/{name}.yaml"))
}

/// A scratch workspace holding only our overlay (the fixtures' one).
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-shapes-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("openapi")).unwrap();
    std::fs::copy(shape("overlay"), dir.join(workspace::OVERLAY)).unwrap();
    dir
}

/// `cargo xtask ARGS` on the workspace at `root`.
fn xtask(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env(workspace::ROOT_ENV, root)
        .output()
        .unwrap()
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn import(root: &Path, shape_name: &str, flags: &[&str]) -> Output {
    let path = shape(shape_name);
    let mut args = vec!["import"];
    args.extend(flags);
    args.push(path.to_str().unwrap());
    xtask(root, &args)
}

#[test]
fn import_lists_the_overlay_actions_that_select_nothing_and_still_writes_the_document() {
    let root = scratch("import");
    // The base fits the overlay: nothing listed.
    let output = import(&root, "base", &[]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(!stderr.contains("no longer fit"), "{stderr}");

    // The prefix changed: the three operation actions select nothing, and are listed with their
    // index, target, what they would set, and where what they selected went.
    let output = import(&root, "prefix", &[]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(stdout.trim(), "wrote: openapi/friendli.yaml");
    assert!(
        stderr.contains("note: 3 action(s) of openapi/overlay.yaml no longer fit"),
        "{stderr}"
    );
    for expected in [
        "  #0 $.paths['/serverless/v1/chat/completions'].post (line 8): would set `description`, `summary` \"Answers a conversation in one piece.\"; now at $.paths['/inference/v1/chat/completions'].post?",
        "  #1 $.paths['/serverless/v1/chat/completions#stream'].post (line 12):",
        "  #2 $.paths['/serverless/v1/models'].get (line 16): would set `description` \"Lists the models.\"; now at $.paths['/inference/v1/models'].get?",
    ] {
        assert!(
            stderr.lines().any(|l| l.starts_with(expected)),
            "missing `{expected}`:\n{stderr}"
        );
    }
    assert!(stderr.contains("--strict makes them errors"), "{stderr}");

    // Written: the new paths, and every action that still fits applied.
    let written = xtask::document::load(&root.join(workspace::SPEC)).unwrap();
    assert!(
        written["paths"]
            .get("/inference/v1/chat/completions")
            .is_some()
    );
    assert!(
        written["paths"]
            .get("/serverless/v1/chat/completions")
            .is_none()
    );
    assert_eq!(
        written["components"]["schemas"]["ReasoningEffort"]["description"],
        "How hard the model thinks."
    );
    assert!(
        written["components"]["schemas"]["ChatChunk"]["properties"]
            .get("delta")
            .is_none()
    );
    std::fs::remove_dir_all(&root).ok();
}

#[test]
fn strict_import_fails_on_an_action_that_selects_nothing_and_writes_nothing() {
    let root = scratch("strict");
    let output = import(&root, "prefix", &["--strict"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("#0 $.paths['/serverless/v1/chat/completions'].post"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: 3 overlay action(s) select nothing (--strict)"),
        "{stderr}"
    );
    assert!(
        !root.join(workspace::SPEC).exists(),
        "--strict wrote the document"
    );

    // A fitting document passes.
    let output = import(&root, "base", &["--strict"]);
    assert_eq!(output.status.code(), Some(0), "{:?}", text(&output));
    std::fs::remove_dir_all(&root).ok();
}

/// `--notes`: each stale action in a form to act on (where its target stops selecting, where what
/// it selected went, the nearest names), here for a renamed schema, also inside a list of names.
#[test]
fn import_notes_say_where_each_action_stops_selecting_and_where_its_target_went() {
    let root = scratch("notes");
    assert_eq!(import(&root, "base", &[]).status.code(), Some(0));
    let output = import(&root, "renamed", &["--notes"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    let expected = "\
stale overlay action #3 at openapi/overlay.yaml:19
    target:     $.components.schemas.ChatResult
    stops at:   `.ChatResult`: `$.components.schemas` selects something, but nothing there matches it
    now at:     $.components.schemas['ChatCompletion'] (what it selected before, under its new name)
    nearest:    'ChatRequest'
    effect:     would set `description` \"The answer to a conversation.\"
    to do:      retarget the action to `now at`, or delete it if it no longer applies
stale overlay action #5 at openapi/overlay.yaml:25
    target:     $.components.schemas['ChatResult','ChatChunk'].properties.id
    unmatched:  'ChatResult' (the action still applies to the other names)
    stops at:   `['ChatResult']`: `$.components.schemas` selects something, but nothing there matches it
    now at:     $.components.schemas['ChatCompletion','ChatChunk'].properties.id (what it selected before, under its new name)";
    assert!(stderr.contains(expected), "{stderr}");
    // The other notes of the import too (the x-note of an action that applied).
    assert!(
        stderr.contains("note: at /actions/6: a correction of the fixture"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&root).ok();
}

/// What `.ci/run` relies on: `import --check --strict` and `generate --check` fail on a stale
/// committed document and on stale generated files, and pass on fresh ones.
#[test]
fn the_checks_fail_on_a_stale_document_and_on_stale_generated_files() {
    let root = scratch("checks");
    assert_eq!(import(&root, "base", &[]).status.code(), Some(0));
    let check = import(&root, "base", &["--check", "--strict"]);
    assert_eq!(check.status.code(), Some(0), "{:?}", text(&check));

    // The overlay changed after the import: the committed document is stale.
    let overlay = root.join(workspace::OVERLAY);
    let edited = std::fs::read_to_string(&overlay)
        .unwrap()
        .replace("Lists the models.", "Lists every model.");
    std::fs::write(&overlay, edited).unwrap();
    let output = import(&root, "base", &["--check", "--strict"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.starts_with("STALE: openapi/friendli.yaml"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+      description: Lists every model."),
        "{stdout}"
    );

    // Generated, then the document changed: the generated files are stale.
    assert_eq!(import(&root, "base", &[]).status.code(), Some(0));
    let generate = xtask(&root, &["generate"]);
    assert_eq!(generate.status.code(), Some(0), "{:?}", text(&generate));
    let fresh = xtask(&root, &["generate", "--check"]);
    assert_eq!(fresh.status.code(), Some(0), "{:?}", text(&fresh));
    assert_eq!(import(&root, "enum", &[]).status.code(), Some(0));
    let output = xtask(&root, &["generate", "--check"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("STALE: friendli-gen/spec/"), "{stdout}");
    assert!(
        stderr.contains("stale relative to openapi/friendli.yaml"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&root).ok();
}

/// A stream whose schema is not a `{data}` envelope: a stream of raw events (the event name and
/// the data as JSON), with a note naming its JSON pointer; everything else generated as usual.
#[test]
fn generate_reads_a_stream_that_is_not_an_envelope_as_raw_events_with_a_note() {
    let root = scratch("raw");
    assert_eq!(import(&root, "raw-stream", &[]).status.code(), Some(0));
    let output = xtask(&root, &["generate"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "degraded: at /paths/~1serverless~1v1~1chat~1completions#stream/post/responses/200/content/text~1event-stream/schema: an event stream read as raw events (`friendli::events::RawEvent`: the event name and its data as JSON): the schema of its events is not an envelope with `data`"
        ),
        "{stderr}"
    );
    let generated = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let events = generated("friendli/src/generated/events.rs");
    assert!(common::has(&events, "pub struct RawEvent {"), "{events}");
    assert!(
        common::has(&events, "pub data: serde_json::Value,"),
        "{events}"
    );
    assert!(
        common::has(&events, "impl SseEvent for RawEvent {"),
        "{events}"
    );
    assert!(
        common::has(
            &events,
            "Some(\"error\") { return Err(context.api_error(event)); }"
        ),
        "{events}"
    );
    let operations = generated("friendli/src/generated/operations.rs");
    assert!(
        common::has(
            &operations,
            "impl Operation for ServerlessChatStream { type Body = crate::types::ChatRequest; type Response = crate::stream::Events<crate::events::RawEvent>;"
        ),
        "{operations}"
    );
    assert!(
        common::has(&operations, "stream_end: StreamEnd::Sentinel(\"[DONE]\"),"),
        "{operations}"
    );
    // The chunk is still a type.
    assert!(generated("friendli-gen/spec/serverless.json").contains("\"ChatChunk\""));

    // The same document with an envelope: a typed stream, no raw events.
    assert_eq!(import(&root, "base", &[]).status.code(), Some(0));
    let output = xtask(&root, &["generate"]);
    let (_, stderr) = text(&output);
    assert!(!stderr.contains("raw events"), "{stderr}");
    assert!(!generated("friendli/src/generated/events.rs").contains("RawEvent"));
    std::fs::remove_dir_all(&root).ok();
}

/// Every fixture generates, and every operation of each reaches the SDK's operation table: no
/// operation is dropped, whatever the shape.
#[test]
fn every_shape_generates_with_every_operation() {
    for name in SHAPES {
        let root = scratch(&format!("every-{name}"));
        let (file, _) =
            workspace::imported_file(&root, &shape(name), &root.join(workspace::OVERLAY))
                .unwrap_or_else(|p| panic!("{name}: {p}"));
        workspace::write(&root, &file).unwrap();
        let (files, notes) =
            workspace::derived_files(&root).unwrap_or_else(|p| panic!("{name}: {p}"));
        let operations = &files
            .iter()
            .find(|f| f.path == "friendli/src/generated/operations.rs")
            .unwrap()
            .contents;
        let document = xtask::document::load(&shape(name)).unwrap();
        for (_, _, op) in xtask::document::operations(&document) {
            let id = op["operationId"].as_str().unwrap();
            let type_name = heck::ToPascalCase::to_pascal_case(id);
            assert!(
                operations.contains(&format!("impl Operation for {type_name} {{")),
                "{name}: `{id}` is not an operation of the SDK"
            );
        }
        // friendli-gen's merged `types` re-exports only the modules that have types: the
        // fixtures have serverless operations only (a glob of an empty module, or of a missing
        // `builder`, would not compile).
        let generated = &files
            .iter()
            .find(|f| f.path == "friendli-gen/src/generated.rs")
            .unwrap()
            .contents;
        assert!(
            generated.contains("pub use crate::serverless::types::*;"),
            "{name}"
        );
        assert!(
            generated.contains("pub use crate::serverless::types::builder::*;"),
            "{name}"
        );
        for group in ["dedicated", "container", "platform"] {
            assert!(
                !generated.contains(&format!("crate::{group}::types::")),
                "{name}: {group}"
            );
        }
        // What is degraded is said, and only for the stream that is not an envelope.
        let raw = notes
            .degraded
            .iter()
            .any(|n| n.message.contains("raw events"));
        assert_eq!(raw, name == "raw-stream", "{name}: {:#?}", notes.degraded);
        std::fs::remove_dir_all(&root).ok();
    }
}

/// The extras of `friendli` that need an operation the document lacks are named, with the
/// operation: "the tool loop `client.serverless().chat().run()` expects `serverlessChatStream`".
#[test]
fn operations_the_extras_expect_and_the_document_lacks_are_named() {
    let root = scratch("extras");
    let mut document = xtask::document::load(&shape("base")).unwrap();
    document["paths"]
        .as_object_mut()
        .unwrap()
        .remove("/serverless/v1/chat/completions#stream");
    std::fs::write(
        root.join(workspace::SPEC),
        serde_json::to_string_pretty(&document).unwrap(),
    )
    .unwrap();
    let output = xtask(&root, &["generate"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    let tool_loop = stderr
        .lines()
        .find(|l| l.contains("capability `tool_loop_serverless_chat`"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        tool_loop.starts_with(
            "degraded: at /paths: the tool loop `client.serverless().chat().run()` (friendli/src/extras/tools.rs; capability `tool_loop_serverless_chat`) expects operations `serverlessChatStream`;"
        ),
        "{tool_loop}"
    );
    assert!(
        tool_loop.ends_with(", which the document lacks"),
        "{tool_loop}"
    );
    // What the document has is not named.
    assert!(
        !tool_loop.contains("`serverlessChatComplete`"),
        "{tool_loop}"
    );
    // Extras the fixture does not serve at all are named too.
    assert!(
        stderr.contains(
            "capability `endpoint_readiness`) expects operations `dedicatedGetEndpointStatus`"
        ),
        "{stderr}"
    );
    // The capability list says the same, one line per extra.
    let (_, notes) = workspace::derived_files(&root).unwrap();
    let tool_loop = notes
        .capabilities
        .lines()
        .find(|l| l.starts_with("tool_loop_serverless_chat "))
        .unwrap();
    assert!(
        tool_loop
            .starts_with("tool_loop_serverless_chat no (lacks operations `serverlessChatStream`;"),
        "{tool_loop}"
    );
    assert!(
        notes.capabilities.lines().any(|l| l == "tool_loop no (lacks types `ChatChoiceFinishReason`, `ChatChoiceFinishReasonKnown`, `StreamedChatData`, `ToolCallResult`)"),
        "{}",
        notes.capabilities
    );
    std::fs::remove_dir_all(&root).ok();
}

/// `cargo xtask diff` names each change of each fixture and flags the breaking ones.
#[test]
fn diff_names_each_change_of_shape_and_flags_the_breaking_ones() {
    let expected: [(&str, &[&str]); 4] = [
        (
            "prefix",
            &[
                "          POST /serverless/v1/chat/completions: operation moved to POST /inference/v1/chat/completions (operationId `serverlessChatComplete`; the SDK's method is the same)",
                "          POST /serverless/v1/chat/completions#stream: operation moved to POST /inference/v1/chat/completions#stream (operationId `serverlessChatStream`; the SDK's method is the same)",
                "          GET /serverless/v1/models: operation moved to GET /inference/v1/models (operationId `serverlessModelList`; the SDK's method is the same)",
                "3 changes, 0 breaking.",
            ],
        ),
        (
            "raw-stream",
            &[
                "BREAKING  POST /serverless/v1/chat/completions#stream response 200 text/event-stream: retyped from ChatChunkEnvelope to ChatChunk",
                "BREAKING  ChatChunkEnvelope: schema removed",
                "2 changes, 2 breaking.",
            ],
        ),
        (
            "renamed",
            &[
                "BREAKING  POST /serverless/v1/chat/completions response 200 application/json: retyped from ChatResult to ChatCompletion",
                "BREAKING  GET /serverless/v1/models: operationId renamed from `serverlessModelList` to `serverlessModels`",
                "BREAKING  ChatResult: schema renamed to `ChatCompletion` (the same facts under a new name)",
                "3 changes, 3 breaking.",
            ],
        ),
        (
            "enum",
            &[
                "BREAKING  ReasoningEffort: enum value \"none\" removed",
                "1 change, 1 breaking.",
            ],
        ),
    ];
    for (name, lines) in expected {
        let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("diff")
            .arg(shape("base"))
            .arg(shape(name))
            .arg("--deny-breaking")
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        let report: Vec<&str> = stdout.lines().skip(1).collect();
        assert_eq!(report, lines, "{name}:\n{stdout}{stderr}");
        let breaking = lines.iter().any(|l| l.starts_with("BREAKING"));
        assert_eq!(
            output.status.code(),
            Some(if breaking { 1 } else { 0 }),
            "{name}: --deny-breaking"
        );
    }
}

/// The provider's earlier document (2024), with our overlay: the import lists the actions that no
/// longer fit, and `generate` does not stop (its streams are typed once their inline `data` is a
/// component).
#[test]
fn the_earlier_provider_document_imports_and_generates() {
    let Some(provider) = common::reference(common::PROVIDER_2024) else {
        return;
    };
    let root = scratch("provider-2024");
    std::fs::copy(
        workspace::root().join(workspace::OVERLAY),
        root.join(workspace::OVERLAY),
    )
    .unwrap();
    let (file, report) =
        workspace::imported_file(&root, &provider, &root.join(workspace::OVERLAY)).unwrap();
    assert!(!report.stale.is_empty());
    workspace::write(&root, &file).unwrap();
    let (files, notes) = workspace::derived_files(&root).unwrap();
    assert!(
        !notes
            .degraded
            .iter()
            .any(|n| n.message.contains("raw events")),
        "{:#?}",
        notes.degraded
    );
    let events = &files
        .iter()
        .find(|f| f.path == "friendli/src/generated/events.rs")
        .unwrap()
        .contents;
    assert!(
        events.contains("pub enum StreamedChatCompletionResponseDataEvent"),
        "{events}"
    );
    let _: Value = serde_json::from_str(
        &files
            .iter()
            .find(|f| f.path == "friendli-gen/spec/serverless.json")
            .unwrap()
            .contents,
    )
    .unwrap();
    std::fs::remove_dir_all(&root).ok();
}
