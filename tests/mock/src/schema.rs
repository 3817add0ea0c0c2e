//! Validation against the JSON Schemas of the project's OpenAPI 3.1 document, which is the
//! document the SDK is generated from (embedded at build time).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::{Value, json};

/// The OpenAPI document, as written in the repository.
pub const OPENAPI_YAML: &str = include_str!("../../../openapi/friendli.yaml");

/// One failed check: where in the instance, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The JSON pointer of the offending value in the validated document.
    pub pointer: String,
    /// What is wrong with it.
    pub message: String,
}

fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        serde_saphyr::from_str(OPENAPI_YAML)
            .unwrap_or_else(|e| panic!("openapi/friendli.yaml does not parse: {e}"))
    })
}

/// The names of the component schemas of the document.
pub fn schema_names() -> Vec<String> {
    document()["components"]["schemas"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Validates `instance` against the component schema `name`. Returns every violation, or an
/// empty list.
pub fn validate(name: &str, instance: &Value) -> Vec<Violation> {
    static VALIDATORS: OnceLock<Mutex<HashMap<String, &'static jsonschema::Validator>>> =
        OnceLock::new();
    let validator = {
        let mut map = VALIDATORS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        *map.entry(name.to_owned()).or_insert_with(|| {
            let schema = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": format!("#/components/schemas/{name}"),
                "components": document()["components"],
            });
            let validator = jsonschema::draft202012::options()
                .should_validate_formats(false)
                .build(&schema)
                .unwrap_or_else(|e| {
                    panic!("the schema {name} of openapi/friendli.yaml does not compile: {e}")
                });
            Box::leak(Box::new(validator))
        })
    };
    validator
        .iter_errors(instance)
        .map(|error| Violation {
            pointer: error.instance_path().to_string(),
            message: error.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_has_the_schemas_the_mock_uses() {
        let names = schema_names();
        for name in [
            "ToolAssistedChatRequest",
            "ChatResult",
            "StreamedChatData",
            "ToolStatusData",
            "ErrorBody",
        ] {
            assert!(names.iter().any(|n| n == name), "{name}");
        }
    }

    #[test]
    fn violations_name_the_offending_value() {
        let ok = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
        assert!(validate("ToolAssistedChatRequest", &ok).is_empty());
        let bad = json!({"model": "m", "messages": [{"role": "robot", "content": "hi"}], "temperature": -1});
        let violations = validate("ToolAssistedChatRequest", &bad);
        assert!(
            violations.iter().any(|v| v.pointer == "/temperature"),
            "{violations:?}"
        );
        assert!(
            violations
                .iter()
                .any(|v| v.pointer.starts_with("/messages/0")),
            "{violations:?}"
        );
        let missing = json!({"messages": []});
        assert!(
            validate("ToolAssistedChatRequest", &missing)
                .iter()
                .any(|v| v.message.contains("model"))
        );
    }
}
