//! The JSON Schemas of `schemas/`, embedded, compiled, and their errors read as [`Violation`]s.
//!
//! The schemas are data, usable from any language; this file only loads them. They refer to each
//! other by relative references under a `.invalid` base, so the registry built here resolves
//! every reference from the embedded copies and nothing is ever fetched.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{Registry, ValidationError, Validator};
use serde_json::Value;

use super::Violation;

/// The schema files, by file name, as embedded, so other tools can print or export them.
pub const SCHEMAS: &[(&str, &str)] = &[
    ("common.json", include_str!("../../schemas/common.json")),
    ("error.json", include_str!("../../schemas/error.json")),
    (
        "error-envelope.json",
        include_str!("../../schemas/error-envelope.json"),
    ),
    (
        "success-envelope.json",
        include_str!("../../schemas/success-envelope.json"),
    ),
    (
        "obproxy-cluster.json",
        include_str!("../../schemas/obproxy-cluster.json"),
    ),
    (
        "subtask-instance.json",
        include_str!("../../schemas/subtask-instance.json"),
    ),
    (
        "task-instance.json",
        include_str!("../../schemas/task-instance.json"),
    ),
];

/// Where the schemas' `$id`s live. `.invalid` is reserved (RFC 2606): no such host can answer.
const BASE: &str = "https://ocp-mock.invalid/schemas/";

/// Why the embedded schemas could not be compiled (only reachable with a broken schema file).
#[derive(Debug, thiserror::Error)]
pub(crate) enum SchemaError {
    /// A file is not JSON.
    #[error("{name}: {source}")]
    Json {
        /// The schema file.
        name: &'static str,
        /// What the JSON parser said.
        source: serde_json::Error,
    },
    /// The references between the files do not resolve.
    #[error("schema registry: {0}")]
    Registry(String),
    /// A file is not a valid schema, or is not embedded.
    #[error("{name}: {reason}")]
    Invalid {
        /// The schema file.
        name: String,
        /// What the compiler said.
        reason: String,
    },
}

/// The kind of envelope a body is checked against; named in messages about forbidden fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Envelope {
    Success,
    Error,
}

/// The compiled validators, one per thing a caller can check.
pub(crate) struct Schemas {
    success: Validator,
    error: Validator,
    task: Validator,
}

impl Schemas {
    /// Parses and compiles the embedded schemas. Fails only if the files themselves are broken,
    /// which the tests rule out.
    pub(crate) fn compile() -> Result<Self, SchemaError> {
        let mut documents = Vec::with_capacity(SCHEMAS.len());
        for &(name, text) in SCHEMAS {
            let value: Value =
                serde_json::from_str(text).map_err(|source| SchemaError::Json { name, source })?;
            documents.push((format!("{BASE}{name}"), value));
        }
        let registry = Registry::new()
            .extend(documents.iter().map(|(uri, value)| (uri.as_str(), value)))
            .and_then(|builder| builder.prepare())
            .map_err(|e| SchemaError::Registry(e.to_string()))?;
        let build = |name: &str| -> Result<Validator, SchemaError> {
            let invalid = |reason: String| SchemaError::Invalid {
                name: name.to_owned(),
                reason,
            };
            let uri = format!("{BASE}{name}");
            let (_, root) = documents
                .iter()
                .find(|(candidate, _)| *candidate == uri)
                .ok_or_else(|| invalid("not embedded".into()))?;
            jsonschema::options()
                .offline()
                .with_registry(&registry)
                .should_validate_formats(true)
                .build(root)
                .map_err(|e| invalid(e.to_string()))
        };
        Ok(Self {
            success: build("success-envelope.json")?,
            error: build("error-envelope.json")?,
            task: build("task-instance.json")?,
        })
    }

    /// Checks a whole body against one envelope; pointers are absolute.
    pub(crate) fn check_envelope(&self, envelope: Envelope, body: &Value) -> Vec<Violation> {
        let (validator, forbidden) = match envelope {
            Envelope::Success => (&self.success, "not allowed in a success envelope"),
            Envelope::Error => (&self.error, "not allowed in an error envelope"),
        };
        validator
            .iter_errors(body)
            .map(|error| violation(&error, forbidden))
            .collect()
    }

    /// Checks a TaskInstance on its own; pointers are relative to the task.
    pub(crate) fn check_task(&self, task: &Value) -> Vec<Violation> {
        self.task
            .iter_errors(task)
            .map(|error| violation(&error, "not allowed here"))
            .collect()
    }
}

/// Turns one schema error into a violation with a short message in the contract's words.
///
/// A missing field is reported at the pointer the field should have, which says more than the
/// pointer of the object missing it.
pub(crate) fn violation(error: &ValidationError<'_>, forbidden: &str) -> Violation {
    let path = error.instance_path().as_str();
    if let ValidationErrorKind::Required { property } = error.kind() {
        let name = property
            .as_str()
            .map_or_else(|| property.to_string(), str::to_owned);
        return Violation::new(
            format!("{path}/{}", escape(&name)),
            "missing required field",
        );
    }
    Violation::new(path, message(error, forbidden))
}

/// The pattern of `common.json#/$defs/time`, which the endpoint schemas (`crate::spec`) copy
/// in place: an error of this pattern is a bad time wherever the schema has it.
const TIME_PATTERN: &str =
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?[+-][0-9]{2}:[0-9]{2}$";
/// The pattern of `common.json#/$defs/traceId`, copied the same way.
const TRACE_ID_PATTERN: &str = "^([0-9a-f]{16})?$";

/// Which of the common definitions a schema error comes from, for the two whose raw messages
/// (a regular expression) would tell a reader nothing.
fn common_definition(error: &ValidationError<'_>) -> (bool, bool) {
    let keyword = error
        .absolute_keyword_location()
        .map(|uri| uri.as_str().to_owned())
        .unwrap_or_default();
    // A copy of the time definition: the same pattern, or the date-time format only it uses.
    let copied_time = match error.kind() {
        ValidationErrorKind::Pattern { pattern } => pattern == TIME_PATTERN,
        ValidationErrorKind::Format { format } => format == "date-time",
        _ => false,
    };
    let is_time = keyword.ends_with("common.json#/$defs/time/pattern")
        || keyword.ends_with("common.json#/$defs/time/format")
        || copied_time;
    let is_trace_id = keyword.ends_with("common.json#/$defs/traceId/pattern")
        || matches!(error.kind(), ValidationErrorKind::Pattern { pattern } if pattern == TRACE_ID_PATTERN);
    (is_time, is_trace_id)
}

/// The message of any schema error but a missing field: expected against what was found.
fn message(error: &ValidationError<'_>, forbidden: &str) -> String {
    let got = describe(error.instance());
    let (is_time, is_trace_id) = common_definition(error);
    match error.kind() {
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(one) => one.to_string(),
                TypeKind::Multiple(set) => set
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            format!("expected {expected}, got {got}")
        }
        ValidationErrorKind::Constant { expected_value } => {
            format!("expected {expected_value}, got {got}")
        }
        ValidationErrorKind::Enum { options } => {
            format!("expected one of {}, got {got}", one_of(options))
        }
        // Pattern and format fail together on most bad times: one message, deduplicated later.
        ValidationErrorKind::Pattern { .. } | ValidationErrorKind::Format { .. } if is_time => {
            format!("expected an ISO-8601 time with a numeric offset like +08:00, got {got}")
        }
        ValidationErrorKind::Pattern { .. } if is_trace_id => {
            format!("expected 16 lowercase hex characters or \"\", got {got}")
        }
        ValidationErrorKind::Pattern { pattern } => {
            format!("expected a match of {pattern}, got {got}")
        }
        ValidationErrorKind::Format { format } => format!("expected a {format}, got {got}"),
        ValidationErrorKind::Minimum { limit } => format!("expected at least {limit}, got {got}"),
        ValidationErrorKind::Maximum { limit } => format!("expected at most {limit}, got {got}"),
        ValidationErrorKind::MinItems { limit } => {
            let items = if *limit == 1 { "item" } else { "items" };
            format!("expected at least {limit} {items}, got {got}")
        }
        ValidationErrorKind::UniqueItems => format!("expected unique items, got {got}"),
        ValidationErrorKind::Not { .. } | ValidationErrorKind::FalseSchema => forbidden.to_owned(),
        _ => lowercase_first(&error.to_string()),
    }
}

/// An enum's options as a message lists them: `RUNNING, FAILED, SUCCESSFUL`.
fn one_of(options: &Value) -> String {
    match options {
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map_or_else(|| item.to_string(), str::to_owned)
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// A value as a message shows it: scalars in full (long strings cut), containers by kind.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) if s.chars().count() > 40 => {
            let cut: String = s.chars().take(40).collect();
            format!("string {:?}...", cut)
        }
        Value::String(s) => format!("string {s:?}"),
        Value::Array(items) if items.is_empty() => "an empty array".to_owned(),
        Value::Array(items) => format!("an array of {}", items.len()),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// Escapes one key for a JSON pointer (RFC 6901).
pub(crate) fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_pattern_is_the_one_of_the_common_schema() {
        let common: Value = serde_json::from_str(SCHEMAS[0].1).unwrap();
        assert_eq!(common["$defs"]["time"]["pattern"], TIME_PATTERN);
        assert_eq!(common["$defs"]["traceId"]["pattern"], TRACE_ID_PATTERN);
    }
}
