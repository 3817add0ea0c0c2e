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

use std::collections::{BTreeMap, BTreeSet};

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
    /// The other extras it is built on (by [`Extra::name`]): it is left out when one of them is.
    pub requires: &'static [&'static str],
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
        requires: list![],
        operations: list![],
        events: list![],
        types: list![
            "ChatResult",
            "StreamedChatChoiceFinishReason",
            "StreamedChatData",
            "ChatUsage"
        ],
        namespaces: list![],
    },
    Extra {
        name: "chat_events",
        what: "the events of chat completions streams, folded and read as text (`ChatStreamEvent`)",
        files: list!["friendli/src/extras/chat.rs", "friendli/src/extras/text.rs"],
        requires: list!["chat_folding"],
        operations: list![],
        events: list!["ChatStreamEvent"],
        types: list![],
        namespaces: list![],
    },
    Extra {
        name: "tool_assisted_chat",
        what: "tool-assisted chat with its tool runs (`ToolAssistedChatCompletionResponse`, `ToolRun`)",
        files: list!["friendli/src/extras/chat.rs", "friendli/src/extras/text.rs"],
        requires: list!["chat_folding"],
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
            "friendli/src/extras/text.rs",
            "friendli/src/blocking.rs"
        ],
        requires: list![],
        operations: list![],
        events: list!["CompletionsStreamEvent"],
        types: list!["CompletionsResult", "StreamedCompletionData", "TextUsage"],
        namespaces: list![],
    },
    Extra {
        name: "crate_names",
        what: "the crate's own names for generated types and its prelude (`friendli::types::FinishReason`, ...)",
        files: list!["friendli/src/types.rs", "friendli/src/lib.rs"],
        requires: list![],
        operations: list![],
        events: list![],
        types: list![
            "ChatChoiceFinishReason",
            "ChatChoiceFinishReasonKnown",
            "UserMessageContentMultiModal",
            "ToolCallResult",
            "Seed",
            "StreamedChatChoiceDelta",
            "ChatResult",
            "Message",
            "Tool",
            "ToolChoice"
        ],
        namespaces: list![],
    },
    Extra {
        name: "tool_assisted_names",
        what: "the crate's own names for the types of tool-assisted chat (`friendli::types::ToolAssistedChatRequest`, ...)",
        files: list!["friendli/src/types.rs", "friendli/src/lib.rs"],
        requires: list![],
        operations: list![],
        events: list!["ToolAssistedChatEvent"],
        types: list![
            "ServerlessToolAssistedChatCompletionBody",
            "ToolStatusDataStatus",
            "ToolStatusDataStatusKnown",
            "ToolStatusDataName",
            "ToolStatusDataNameKnown",
            "ToolAssistedChatTool"
        ],
        namespaces: list![],
    },
    Extra {
        name: "builders",
        what: "the builders of chat messages, tools and tool choices (`MessageExt`, `FunctionToolExt`, ...)",
        files: list!["friendli/src/extras/ext.rs", "friendli/src/types.rs"],
        requires: list!["crate_names"],
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
            "UserMessageContentMultiModal"
        ],
        namespaces: list![],
    },
    Extra {
        name: "messages_builders",
        what: "the turns and function tools of the Messages API (`TurnExt`, `FunctionToolExt`)",
        files: list!["friendli/src/extras/ext.rs"],
        requires: list![],
        operations: list![],
        events: list![],
        types: list!["MessagesInputMessage", "MessagesToolDefinition"],
        namespaces: list![],
    },
    Extra {
        name: "responses_builders",
        what: "the turns, instructions and function tools of the Responses API (`TurnExt`, `InstructionExt`, `FunctionToolExt`)",
        files: list!["friendli/src/extras/ext.rs"],
        requires: list![],
        operations: list![],
        events: list![],
        types: list![
            "ResponsesInputItem",
            "ResponsesInputMessage",
            "ResponsesTool"
        ],
        namespaces: list![],
    },
    Extra {
        name: "builders_tool_assisted",
        what: "the builders of the tools of tool-assisted chat (`ToolExt`)",
        files: list!["friendli/src/extras/ext.rs", "friendli/src/types.rs"],
        requires: list!["builders", "tool_assisted_names"],
        operations: list![],
        events: list![],
        types: list![
            "ToolAssistedChatTool",
            "ToolStatusDataName",
            "ToolStatusDataStatus"
        ],
        namespaces: list![],
    },
    Extra {
        name: "tool_loop",
        what: "the tool loop (`Tools`, `RunCall`, `RunEvent`)",
        // types.rs: the crate's names `FinishReason`, `ToolCall` for the generated types.
        files: list!["friendli/src/extras/tools.rs", "friendli/src/types.rs"],
        requires: list!["chat_folding", "builders"],
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
        requires: list!["tool_loop", "tool_assisted_chat"],
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
        requires: list!["tool_loop", "chat_events"],
        operations: list!["serverlessChatComplete", "serverlessChatStream"],
        events: list!["ChatStreamEvent"],
        types: list!["ChatCompletionBody"],
        namespaces: list!["ServerlessChat"],
    },
    Extra {
        name: "tool_loop_dedicated_chat",
        what: "the tool loop `client.dedicated().chat().run()`",
        files: list!["friendli/src/extras/tools.rs"],
        requires: list!["tool_loop", "chat_events"],
        operations: list!["dedicatedChatComplete", "dedicatedChatStream"],
        events: list!["ChatStreamEvent"],
        types: list!["ChatCompletionBody"],
        namespaces: list!["DedicatedChat"],
    },
    Extra {
        name: "tool_loop_container_chat",
        what: "the tool loop `client.container().chat().run()`",
        files: list!["friendli/src/extras/tools.rs"],
        requires: list!["tool_loop", "chat_events"],
        operations: list!["containerChatComplete", "containerChatStream"],
        events: list!["ChatStreamEvent"],
        types: list!["ChatCompletionBody"],
        namespaces: list!["ContainerChat"],
    },
    Extra {
        name: "endpoint_readiness",
        what: "endpoint readiness (`client.dedicated().endpoint().wait_until_running()`)",
        files: list!["friendli/src/extras/endpoints.rs"],
        requires: list![],
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
        requires: list![],
        operations: list!["init_upload", "complete_upload", "get_info"],
        events: list![],
        types: list!["FileInfo", "FileInitUploadRequest", "AccountFileStatus"],
        namespaces: list!["File"],
    },
    Extra {
        name: "dataset_samples",
        what: "dataset samples (`add_conversations`, `upload_samples_file`)",
        files: list!["friendli/src/extras/datasets.rs"],
        requires: list![],
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
        requires: list![],
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
        requires: list!["chat_folding", "builders"],
        operations: list![],
        events: list![],
        types: list!["ChatResult", "ResponseFormat"],
        namespaces: list![],
    },
    Extra {
        name: "messages_text",
        what: "the text and usage of messages streams (`TextEvent` for `MessagesEvent`)",
        files: list!["friendli/src/extras/text.rs"],
        requires: list![],
        operations: list![],
        events: list!["MessagesEvent"],
        types: list![
            "MessagesStreamContentBlockDeltaPayload",
            "MessagesStreamContentBlockDeltaPayloadKnown"
        ],
        namespaces: list![],
    },
    Extra {
        name: "responses_text",
        what: "the text and usage of responses streams (`TextEvent` for `ResponsesEvent`)",
        files: list!["friendli/src/extras/text.rs"],
        requires: list![],
        operations: list![],
        events: list!["ResponsesEvent"],
        types: list![],
        namespaces: list![],
    },
    Extra {
        name: "transcription_text",
        what: "the text and usage of transcription streams (`TextEvent` for `TranscriptionStreamEvent`)",
        files: list!["friendli/src/extras/text.rs"],
        requires: list![],
        operations: list![],
        events: list!["TranscriptionStreamEvent"],
        types: list![
            "StreamedAudioTranscriptionDataType",
            "StreamedAudioTranscriptionDataTypeKnown"
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

/// The crate's own names for request types (`friendli::types::ChatRequest`), each with the
/// generated type it names: each is a capability of its own, named after it, so that a request
/// type the document lacks takes only its own name away.
pub const REQUEST_NAMES: &[(&str, &str)] = &[
    ("ChatRequest", "ChatCompletionBody"),
    ("CompletionsRequest", "CompletionsBody"),
    ("MessagesRequest", "MessagesBody"),
    ("ResponsesRequest", "ResponsesBody"),
    ("TokenizeRequest", "TokenizationBody"),
    ("DetokenizeRequest", "DetokenizationBody"),
    ("ChatRenderRequest", "ChatRenderBody"),
    ("TranscriptionRequest", "AudioTranscriptionBody"),
    ("ClassificationRequest", "TextClassificationBody"),
    ("EmbeddingsRequest", "DedicatedEmbeddingsBody"),
];

/// The capabilities of `friendli` (its extras, by [`Extra::name`], and the names of
/// [`REQUEST_NAMES`]) and whether the document gives each all it needs, as a text file: one line
/// per capability, `<name> no (lacks …)`, or `<name> yes` followed by what else it takes:
/// `+<capability>` for each extra it is built on, and `<group>|<group>…` for each generated item
/// it uses that only some feature groups compile (an operation of the `dedicated` group, an
/// event type that the streams of two groups share). `missing` is what [`missing`] found.
///
/// Written to `friendli/src/generated/capabilities.txt`, which `friendli/build.rs` turns into
/// `--cfg friendli_has="<name>"` for each capability that is `yes`, whose extras are on and whose
/// items the enabled features compile (and a `check-cfg` of every name). An extra whose
/// operations or types the document lacks is then left out instead of failing the build, and so
/// is one whose items the enabled features do not compile.
pub fn capabilities(api: &Api, types: &BTreeSet<String>, missing: &[Missing]) -> String {
    let groups = ItemGroups::of(api);
    let mut out = String::from(
        "# @generated by `cargo xtask generate` from openapi/friendli.yaml. Do not edit.\n\
         # The capabilities of friendli (its hand-written extras and its names for request types):\n\
         # `no` and what the API document lacks, or `yes`, the extras it is built on (`+name`) and\n\
         # the feature groups that compile each of its items (`group|group`); friendli/build.rs\n\
         # reads it.\n",
    );
    let missing_request_names = REQUEST_NAMES
        .iter()
        .filter(|(_, target)| !types.contains(*target));
    for extra in EXTRAS {
        match missing.iter().find(|m| m.extra.name == extra.name) {
            None => {
                let mut clauses: BTreeSet<String> = BTreeSet::new();
                clauses.extend(extra.operations.iter().filter_map(|o| groups.operation(o)));
                clauses.extend(extra.events.iter().filter_map(|e| groups.event(e)));
                clauses.extend(extra.types.iter().filter_map(|t| groups.rust_type(t)));
                clauses.extend(extra.namespaces.iter().filter_map(|n| groups.namespace(n)));
                let mut line = format!("{} yes", extra.name);
                for required in extra.requires {
                    line.push_str(&format!(" +{required}"));
                }
                for clause in clauses {
                    line.push_str(&format!(" {clause}"));
                }
                out.push_str(&line);
                out.push('\n');
            }
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
    let missing_names: BTreeSet<&str> = missing_request_names.map(|(name, _)| *name).collect();
    for (name, target) in REQUEST_NAMES {
        if missing_names.contains(name) {
            out.push_str(&format!("{name} no (lacks type `{target}`)\n"));
        } else {
            match groups.rust_type(target) {
                Some(clause) => out.push_str(&format!("{name} yes {clause}\n")),
                None => out.push_str(&format!("{name} yes\n")),
            }
        }
    }
    out
}

/// Which feature groups compile each generated item (`None`: every build compiles it).
struct ItemGroups<'a> {
    api: &'a Api,
    /// The group of each generated type, by its Rust name.
    types: BTreeMap<&'a str, &'a str>,
}

impl<'a> ItemGroups<'a> {
    fn of(api: &'a Api) -> Self {
        let types = api
            .type_names
            .iter()
            .filter_map(|(schema, rust)| Some((rust.as_str(), api.home.get(schema)?.as_str())))
            .collect();
        ItemGroups { api, types }
    }

    /// A clause `a|b` of the groups, or `None` when there is nothing to say (no group, or the
    /// shared types every build compiles).
    fn clause<'g>(groups: impl IntoIterator<Item = &'g str>) -> Option<String> {
        let groups: BTreeSet<&str> = groups.into_iter().collect();
        if groups.is_empty() || groups.contains(crate::api::SHARED) {
            return None;
        }
        Some(groups.into_iter().collect::<Vec<_>>().join("|"))
    }

    fn operation(&self, id: &str) -> Option<String> {
        let operation = self.api.operations.iter().find(|o| o.id == id)?;
        Self::clause([operation.group.as_str()])
    }

    fn event(&self, name: &str) -> Option<String> {
        Self::clause(
            self.api
                .operations
                .iter()
                .filter_map(|o| match &o.response {
                    crate::api::Response::Events { event, .. } if event == name => {
                        Some(o.group.as_str())
                    }
                    _ => None,
                }),
        )
    }

    fn namespace(&self, name: &str) -> Option<String> {
        use heck::ToPascalCase;
        Self::clause(self.api.operations.iter().filter_map(|o| {
            (1..=o.namespace.len())
                .any(|depth| {
                    o.namespace[..depth]
                        .iter()
                        .map(|s| s.to_pascal_case())
                        .collect::<String>()
                        == name
                })
                .then_some(o.group.as_str())
        }))
    }

    /// The group of a generated type: its own, or for a type typify makes inside another (an
    /// enum of a field, `ChatChoiceFinishReasonKnown`), that of the longest type its name extends.
    fn rust_type(&self, name: &str) -> Option<String> {
        let group = self.types.get(name).copied().or_else(|| {
            self.types
                .iter()
                .filter(|(rust, _)| name.starts_with(**rust))
                .max_by_key(|(rust, _)| rust.len())
                .map(|(_, group)| *group)
        })?;
        Self::clause([group])
    }
}

/// Methods that `friendli` gives a generated type through an extension trait: rustdoc lists trait
/// methods on the trait's page, not on the type's, so `cargo xtask generate` names them in the
/// type's own documentation (see [`METHODS_OF_TYPES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeMethods {
    /// The component schema of the type (and the type's name).
    pub schema: &'static str,
    /// The trait, from the `friendli` crate root (`ext::TurnExt`).
    pub r#trait: &'static str,
    /// The hand-written source of the trait and its impl, relative to the workspace root.
    pub file: &'static str,
    /// The constructors (`Type::name(…)`).
    pub constructors: &'static [&'static str],
    /// The methods of a value (`value.name()`).
    pub methods: &'static [&'static str],
}

/// The extension traits of `friendli` and the generated types they give methods to (a test
/// keeps the list and the sources in step).
pub const METHODS_OF_TYPES: &[TypeMethods] = &[
    TypeMethods {
        schema: "Message",
        r#trait: "ext::MessageExt",
        file: "friendli/src/extras/ext.rs",
        constructors: list![
            "system",
            "user",
            "user_parts",
            "assistant",
            "assistant_tool_calls",
            "tool"
        ],
        methods: list![],
    },
    TypeMethods {
        schema: "UserMessageContentMultiModal",
        r#trait: "ext::UserContentPartExt",
        file: "friendli/src/extras/ext.rs",
        constructors: list!["text", "image_url", "audio_url", "video_url"],
        methods: list![],
    },
    TypeMethods {
        schema: "ToolAssistedChatTool",
        r#trait: "ext::ToolExt",
        file: "friendli/src/extras/ext.rs",
        constructors: list![
            "calculator",
            "statistics",
            "calendar",
            "web_search",
            "web_url",
            "python_interpreter",
            "linkup_search",
            "file_text"
        ],
        methods: list![],
    },
    TypeMethods {
        schema: "ToolAssistedChatTool",
        r#trait: "ext::FunctionToolExt",
        file: "friendli/src/extras/ext.rs",
        constructors: list!["function", "function_for"],
        methods: list![],
    },
    TypeMethods {
        schema: "Tool",
        r#trait: "ext::FunctionToolExt",
        file: "friendli/src/extras/ext.rs",
        constructors: list!["function", "function_for"],
        methods: list![],
    },
    TypeMethods {
        schema: "MessagesToolDefinition",
        r#trait: "ext::FunctionToolExt",
        file: "friendli/src/extras/ext.rs",
        constructors: list!["function", "function_for"],
        methods: list![],
    },
    TypeMethods {
        schema: "ResponsesTool",
        r#trait: "ext::FunctionToolExt",
        file: "friendli/src/extras/ext.rs",
        constructors: list!["function", "function_for"],
        methods: list![],
    },
    TypeMethods {
        schema: "MessagesInputMessage",
        r#trait: "ext::TurnExt",
        file: "friendli/src/extras/ext.rs",
        constructors: list!["user", "assistant"],
        methods: list![],
    },
    TypeMethods {
        schema: "ResponsesInputMessage",
        r#trait: "ext::TurnExt",
        file: "friendli/src/extras/ext.rs",
        constructors: list!["user", "assistant"],
        methods: list![],
    },
    TypeMethods {
        schema: "ResponsesInputMessage",
        r#trait: "ext::InstructionExt",
        file: "friendli/src/extras/ext.rs",
        constructors: list!["system", "developer"],
        methods: list![],
    },
    TypeMethods {
        schema: "ResponsesInputItem",
        r#trait: "ext::TurnExt",
        file: "friendli/src/extras/ext.rs",
        constructors: list!["user", "assistant"],
        methods: list![],
    },
    TypeMethods {
        schema: "ResponsesInputItem",
        r#trait: "ext::InstructionExt",
        file: "friendli/src/extras/ext.rs",
        constructors: list!["system", "developer"],
        methods: list![],
    },
    TypeMethods {
        schema: "ToolChoice",
        r#trait: "ext::ToolChoiceExt",
        file: "friendli/src/extras/ext.rs",
        constructors: list!["auto", "none", "required", "function"],
        methods: list![],
    },
    TypeMethods {
        schema: "Seed",
        r#trait: "ext::SeedExt",
        file: "friendli/src/extras/ext.rs",
        constructors: list!["single", "per_choice"],
        methods: list![],
    },
    TypeMethods {
        schema: "ResponseFormat",
        r#trait: "structured::ResponseFormatExt",
        file: "friendli/src/extras/structured.rs",
        constructors: list![
            "json_schema_for",
            "from_json_schema",
            "json_object",
            "regex",
            "text"
        ],
        methods: list![],
    },
    TypeMethods {
        schema: "ChatResult",
        r#trait: "ext::ChatResultExt",
        file: "friendli/src/extras/ext.rs",
        constructors: list![],
        methods: list![
            "content",
            "reasoning",
            "tool_calls",
            "finish_reason",
            "to_message"
        ],
    },
    TypeMethods {
        schema: "ChatResult",
        r#trait: "structured::ParseAnswer",
        file: "friendli/src/extras/structured.rs",
        constructors: list![],
        methods: list!["parse"],
    },
    TypeMethods {
        schema: "EmbeddingObject",
        r#trait: "embeddings::EmbeddingExt",
        file: "friendli/src/extras/embeddings.rs",
        constructors: list![],
        methods: list!["to_f32"],
    },
    TypeMethods {
        schema: "DedicatedEmbeddingsSuccess",
        r#trait: "embeddings::EmbeddingsResultExt",
        file: "friendli/src/extras/embeddings.rs",
        constructors: list![],
        methods: list!["vectors_f32"],
    },
    TypeMethods {
        schema: "DedicatedEndpointStatus",
        r#trait: "endpoints::EndpointStatusExt",
        file: "friendli/src/extras/endpoints.rs",
        constructors: list![],
        methods: list!["lifecycle", "is_running", "is_failed", "is_terminated"],
    },
];

/// The sentences that name the extension methods of a type in its documentation: for each trait,
/// its constructors and methods, and where they come from.
pub fn methods_doc(schema: &str) -> Option<String> {
    let entries: Vec<&TypeMethods> = METHODS_OF_TYPES
        .iter()
        .filter(|t| t.schema == schema)
        .collect();
    if entries.is_empty() {
        return None;
    }
    let lines: Vec<String> = entries
        .iter()
        .map(|t| {
            let names = t
                .constructors
                .iter()
                .map(|c| format!("`{schema}::{c}(…)`"))
                .chain(t.methods.iter().map(|m| format!("`.{m}()`")))
                .collect::<Vec<_>>()
                .join(", ");
            format!("- {names} (`friendli::{}`)", t.r#trait)
        })
        .collect();
    Some(format!(
        "In the `friendli` crate, with `use friendli::prelude::*`:\n\n{}",
        lines.join("\n")
    ))
}
