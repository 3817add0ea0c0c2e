//! What the hand-written extras of the `friendli` crate expect from the generated code, and which
//! of it a document lacks.
//!
//! Everything per operation in `friendli` is generated, except the extras: stream folding, the
//! tool loop (`run()`), tool-assisted chat, endpoint readiness, the file upload, dataset samples,
//! embeddings helpers, structured output, the builders and the text of events. Each needs some
//! operations, event types and types of the document by name. [`EXTRAS`] lists them (read from the
//! sources under `friendli/src`; a test keeps the list and the sources in step), and
//! [`missing`] names what a document lacks, so that `cargo xtask generate` can say "the tool
//! loop expects `serverlessChatComplete`" instead of leaving the maintainer to a compile error.
//!
//! The names are also the capabilities a generated `cfg` per extra would be made of (see the
//! design of "the hand-written layer survives a missing operation").

use std::collections::BTreeSet;

use crate::api::Api;
use crate::document::Problem;

/// One hand-written extra and the generated items it uses by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extra {
    /// A short name, usable as a `cfg` name (`tool_loop_serverless_chat`).
    pub name: &'static str,
    /// What it is, for a maintainer.
    pub what: &'static str,
    /// The hand-written sources it lives in, relative to the workspace root.
    pub files: &'static [&'static str],
    /// The `operationId`s it calls.
    pub operations: &'static [&'static str],
    /// The event types of `friendli::events` it uses.
    pub events: &'static [&'static str],
    /// The types of `friendli::types` it uses, by the names typify gives them.
    pub types: &'static [&'static str],
    /// The namespace handles of `friendli::namespaces` it adds methods to.
    pub namespaces: &'static [&'static str],
}

macro_rules! list {
    ($($name:expr),* $(,)?) => { &[$($name),*] };
}

/// The extras of the `friendli` crate, each with what it uses.
pub const EXTRAS: &[Extra] = &[
    Extra {
        name: "chat_folding",
        what: "folding chat streams (`ChatAccumulator`, `CollectedChat`)",
        files: list!["friendli/src/extras/chat.rs"],
        operations: list![],
        events: list!["ChatStreamEvent"],
        types: list![
            "ChatResult",
            "StreamedChatChoiceFinishReason",
            "StreamedChatData",
            "ChatUsage"
        ],
        namespaces: list![],
    },
    Extra {
        name: "tool_assisted_chat",
        what: "tool-assisted chat with its tool runs (`ToolAssistedChatCompletionResponse`, `ToolRun`)",
        files: list!["friendli/src/extras/chat.rs"],
        operations: list![
            "serverlessToolAssistedChatComplete",
            "serverlessToolAssistedChatStream"
        ],
        events: list!["ToolAssistedChatEvent"],
        types: list![
            "ChatResult",
            "ServerlessToolAssistedChatCompletionBody",
            "ToolStatusData",
            "ToolStatusDataName",
            "ToolStatusDataStatus",
            "ToolStatusError",
            "ToolStatusFile",
            "ToolStatusParameter"
        ],
        namespaces: list!["Serverless"],
    },
    Extra {
        name: "completions_folding",
        what: "folding completions streams (`CompletionsAccumulator`, `CollectedCompletions`)",
        files: list![
            "friendli/src/extras/completions.rs",
            "friendli/src/extras/chunk_header.rs",
            "friendli/src/blocking.rs"
        ],
        operations: list![],
        events: list!["CompletionsStreamEvent"],
        types: list!["CompletionsResult", "StreamedCompletionData", "TextUsage"],
        namespaces: list![],
    },
    Extra {
        name: "tool_loop",
        what: "the tool loop (`Tools`, `RunCall`, `RunEvent`)",
        // types.rs: the crate's names `FinishReason`, `ToolCall` for the generated types.
        files: list!["friendli/src/extras/tools.rs", "friendli/src/types.rs"],
        operations: list![],
        events: list![],
        types: list![
            "ChatResult",
            "ChatChoiceFinishReason",
            "ChatChoiceFinishReasonKnown",
            "Message",
            "StreamedChatData",
            "ToolCallResult"
        ],
        namespaces: list![],
    },
    Extra {
        name: "tool_loop_serverless_tool_assisted_chat",
        what: "the tool loop `client.serverless().tool_assisted_chat().run()`",
        files: list!["friendli/src/extras/tools.rs"],
        operations: list![
            "serverlessToolAssistedChatComplete",
            "serverlessToolAssistedChatStream"
        ],
        events: list!["ToolAssistedChatEvent"],
        types: list!["ServerlessToolAssistedChatCompletionBody", "ToolStatusData"],
        namespaces: list!["ServerlessToolAssistedChat"],
    },
    Extra {
        name: "tool_loop_serverless_chat",
        what: "the tool loop `client.serverless().chat().run()`",
        files: list!["friendli/src/extras/tools.rs"],
        operations: list!["serverlessChatComplete", "serverlessChatStream"],
        events: list!["ChatStreamEvent"],
        types: list!["ServerlessChatCompletionBody"],
        namespaces: list!["ServerlessChat"],
    },
    Extra {
        name: "tool_loop_dedicated_chat",
        what: "the tool loop `client.dedicated().chat().run()`",
        files: list!["friendli/src/extras/tools.rs"],
        operations: list!["dedicatedChatComplete", "dedicatedChatStream"],
        events: list!["ChatStreamEvent"],
        types: list!["DedicatedChatCompletionBody"],
        namespaces: list!["DedicatedChat"],
    },
    Extra {
        name: "tool_loop_container_chat",
        what: "the tool loop `client.container().chat().run()`",
        files: list!["friendli/src/extras/tools.rs"],
        operations: list!["containerChatComplete", "containerChatStream"],
        events: list!["ChatStreamEvent"],
        types: list!["ContainerChatCompletionBody"],
        namespaces: list!["ContainerChat"],
    },
    Extra {
        name: "endpoint_readiness",
        what: "endpoint readiness (`client.dedicated().endpoint().wait_until_running()`)",
        files: list!["friendli/src/extras/endpoints.rs"],
        operations: list!["dedicatedGetEndpointStatus"],
        events: list![],
        types: list![
            "DedicatedEndpointStatus",
            "DedicatedEndpointStatusPhase",
            "InferenceDeploymentErrorCode",
            "InferenceDeploymentStatus",
            "InferenceDeploymentStatusKnown"
        ],
        namespaces: list!["DedicatedEndpoint"],
    },
    Extra {
        name: "file_upload",
        what: "the file upload (`client.file().upload()`)",
        files: list!["friendli/src/extras/files.rs"],
        operations: list!["init_upload", "complete_upload", "get_info"],
        events: list![],
        types: list!["FileInfo", "FileInitUploadRequest", "AccountFileStatus"],
        namespaces: list!["File"],
    },
    Extra {
        name: "dataset_samples",
        what: "dataset samples (`add_conversations`, `upload_samples_file`)",
        files: list!["friendli/src/extras/datasets.rs"],
        operations: list!["add_samples", "upload_raw_samples"],
        events: list![],
        types: list![
            "AddSamplesBody",
            "AddSamplesResponse",
            "BodyUploadRawSamples",
            "ListSamplesResponse",
            "Message",
            "DedicatedDatasetModalityType",
            "DedicatedDatasetModalityTypeKnown"
        ],
        namespaces: list!["Dataset"],
    },
    Extra {
        name: "embeddings",
        what: "the embeddings helpers (`EmbeddingsResultExt`, `EmbeddingExt`)",
        files: list!["friendli/src/extras/embeddings.rs"],
        operations: list![],
        events: list![],
        types: list![
            "DedicatedEmbeddingsSuccess",
            "EmbeddingObject",
            "EmbeddingObjectEmbedding"
        ],
        namespaces: list![],
    },
    Extra {
        name: "structured_output",
        what: "structured output (`ResponseFormatExt`, `ParseAnswer`)",
        files: list!["friendli/src/extras/structured.rs"],
        operations: list![],
        events: list![],
        types: list!["ChatResult", "ResponseFormat"],
        namespaces: list![],
    },
    Extra {
        name: "builders",
        what: "the builders of messages, tools and tool choices (`MessageExt`, `ToolExt`, ...)",
        files: list!["friendli/src/extras/ext.rs", "friendli/src/types.rs"],
        operations: list![],
        events: list![],
        types: list![
            "ChatResult",
            "ChatChoiceFinishReason",
            "Message",
            "Seed",
            "Tool",
            "ToolCallResult",
            "ToolChoice",
            "UserMessageContentMultiModal",
            "ToolAssistedChatTool",
            "ToolStatusDataName",
            "ToolStatusDataStatus",
            "MessagesInputMessage",
            "MessagesToolDefinition",
            "ResponsesInputItem",
            "ResponsesInputMessage",
            "ResponsesTool"
        ],
        namespaces: list![],
    },
    Extra {
        name: "event_text",
        what: "the text of stream events (`TextEvent`)",
        files: list!["friendli/src/extras/text.rs"],
        operations: list![],
        events: list![
            "ChatStreamEvent",
            "ToolAssistedChatEvent",
            "CompletionsStreamEvent",
            "MessagesEvent",
            "ResponsesEvent",
            "TranscriptionStreamEvent"
        ],
        types: list![
            "MessagesStreamContentBlockDeltaPayload",
            "MessagesStreamContentBlockDeltaPayloadKnown",
            "StreamedAudioTranscriptionDataType",
            "StreamedAudioTranscriptionDataTypeKnown"
        ],
        namespaces: list![],
    },
    Extra {
        name: "crate_names",
        what: "the crate's own names for generated types and its prelude (`friendli::types::FinishReason`, ...)",
        files: list!["friendli/src/types.rs", "friendli/src/lib.rs"],
        operations: list![],
        events: list!["ChatStreamEvent", "ToolAssistedChatEvent"],
        types: list![
            "ServerlessToolAssistedChatCompletionBody",
            "ChatChoiceFinishReason",
            "ChatChoiceFinishReasonKnown",
            "ToolStatusDataStatus",
            "ToolStatusDataStatusKnown",
            "ToolStatusDataName",
            "ToolStatusDataNameKnown",
            "UserMessageContentMultiModal",
            "ToolCallResult",
            "Seed",
            "StreamedChatChoiceDelta",
            "ChatResult",
            "Message",
            "Tool",
            "ToolChoice",
            "ToolAssistedChatTool"
        ],
        namespaces: list![],
    },
];

/// The generated items an extra uses that a document lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// The extra.
    pub extra: &'static Extra,
    /// Its operations the document lacks (`operationId`s).
    pub operations: Vec<&'static str>,
    /// Its event types the document does not generate.
    pub events: Vec<&'static str>,
    /// Its types the document does not generate.
    pub types: Vec<&'static str>,
    /// Its namespace handles the document does not generate.
    pub namespaces: Vec<&'static str>,
}

impl Missing {
    /// The note of what is missing, naming the extra, its sources and each missing item
    /// ("the tool loop `client.serverless().chat().run()` (...) expects operations
    /// `serverlessChatComplete`, ..., which the document lacks"). It is at `/paths` when an
    /// operation, event type or namespace is missing, else at `/components/schemas`.
    pub fn note(&self) -> Problem {
        let extra = self.extra;
        let mut parts = Vec::new();
        for (kind, names) in [
            ("operations", &self.operations),
            ("event types", &self.events),
            ("types", &self.types),
            ("namespaces", &self.namespaces),
        ] {
            if !names.is_empty() {
                parts.push(format!(
                    "{kind} {}",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        let pointer =
            if self.operations.is_empty() && self.events.is_empty() && self.namespaces.is_empty() {
                "/components/schemas"
            } else {
                "/paths"
            };
        Problem::new(
            pointer,
            format!(
                "{} ({}; capability `{}`) expects {}, which the document lacks",
                extra.what,
                extra.files.join(", "),
                extra.name,
                parts.join("; ")
            ),
        )
    }
}

/// The extras that use something `api` (with the generated type names `types`) lacks, and what.
pub fn missing(api: &Api, types: &BTreeSet<String>) -> Vec<Missing> {
    let operations: BTreeSet<&str> = api.operations.iter().map(|o| o.id.as_str()).collect();
    let namespaces = namespaces(api);
    EXTRAS
        .iter()
        .filter_map(|extra| {
            let missing = Missing {
                extra,
                operations: absent(extra.operations, |n| operations.contains(n)),
                events: absent(extra.events, |n| api.events.contains_key(n)),
                types: absent(extra.types, |n| types.contains(n)),
                namespaces: absent(extra.namespaces, |n| namespaces.contains(n)),
            };
            let any = !(missing.operations.is_empty()
                && missing.events.is_empty()
                && missing.types.is_empty()
                && missing.namespaces.is_empty());
            any.then_some(missing)
        })
        .collect()
}

/// The capabilities (extras) a document supports in full, by name.
pub fn supported(api: &Api, types: &BTreeSet<String>) -> Vec<&'static str> {
    let missing: BTreeSet<&str> = missing(api, types).iter().map(|m| m.extra.name).collect();
    EXTRAS
        .iter()
        .map(|e| e.name)
        .filter(|n| !missing.contains(n))
        .collect()
}

fn absent(names: &'static [&'static str], present: impl Fn(&str) -> bool) -> Vec<&'static str> {
    names.iter().copied().filter(|n| !present(n)).collect()
}

/// The namespace handle types the generated namespaces of `api` define (`ServerlessChat`).
fn namespaces(api: &Api) -> BTreeSet<String> {
    use heck::ToPascalCase;
    let mut out = BTreeSet::new();
    for operation in &api.operations {
        for depth in 1..=operation.namespace.len() {
            out.insert(
                operation.namespace[..depth]
                    .iter()
                    .map(|s| s.to_pascal_case())
                    .collect(),
            );
        }
    }
    out
}

/// The capabilities of `friendli` (its extras, by [`Extra::name`]) and whether the document gives
/// each all it needs, as a text file: one line per capability, `<name> yes`, or `<name> no` and
/// what it lacks. `missing` is what [`missing`] found.
///
/// Written to `friendli/src/generated/capabilities.txt`, which `friendli/build.rs` turns into
/// `--cfg friendli_has="<name>"` for each `yes` (and a `check-cfg` of every name), so that an
/// extra whose operations the document lacks is left out instead of failing the build.
pub fn capabilities(missing: &[Missing]) -> String {
    let mut out = String::from(
        "# @generated by `cargo xtask generate` from openapi/friendli.yaml. Do not edit.\n\
         # The capabilities of friendli (its hand-written extras), and whether the API document gives\n\
         # each all it needs: `yes`, or `no` and what it lacks.\n",
    );
    for extra in EXTRAS {
        match missing.iter().find(|m| m.extra.name == extra.name) {
            None => out.push_str(&format!("{} yes\n", extra.name)),
            Some(m) => {
                let note = m.note().message;
                let lacks = note
                    .split_once(" expects ")
                    .map_or(note.as_str(), |(_, rest)| rest)
                    .trim_end_matches(", which the document lacks");
                out.push_str(&format!("{} no (lacks {lacks})\n", extra.name));
            }
        }
    }
    out
}
