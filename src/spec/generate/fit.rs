//! A schema fitted to the page's own sample: the sample is what OCP really sends, so where it
//! breaks the schema the tables gave, the schema gives way, one keyword at a time, and each
//! change is kept as a [`Disagreement`] for `schemas/endpoints/DISAGREEMENTS.md`.
//!
//! The keyword that failed is found by its canonical location (`schema_path`, the pointer into
//! the schema itself, `$defs` included), so a change to a data structure applies wherever the
//! endpoint's schema uses it. A failure no change here can fix stays a failure, with its reason.

use serde_json::{Map, Value};

use crate::contract::describe;

/// One place where a page's table and its sample disagree, and what the schema does about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Disagreement {
    /// Where in the sample (a JSON pointer).
    pub pointer: String,
    /// What the table said (`type integer`, `required serverId`).
    pub table: String,
    /// What the sample shows.
    pub sample: String,
    /// What the schema does now.
    pub done: String,
}

/// The most rounds of changes: each round fixes every failure the sample shows at once, and a
/// fix can only reveal failures deeper in the same value.
const ROUNDS: usize = 16;

/// Fits `schema` to `sample`: the disagreements it gave way on, and the failures it could not
/// fix (each `pointer: message`), empty when the sample now passes.
pub fn fit(schema: &mut Value, sample: &Value) -> (Vec<Disagreement>, Vec<String>) {
    let mut found = Vec::new();
    for _ in 0..ROUNDS {
        let failures = failures(schema, sample);
        if failures.is_empty() {
            return (found, Vec::new());
        }
        let mut changed = false;
        for failure in &failures {
            if let Some(d) = give_way(schema, failure) {
                found.push(d);
                changed = true;
            }
        }
        if !changed {
            let left = failures.iter().map(Failure::to_string).collect();
            return (found, left);
        }
    }
    let left = failures(schema, sample)
        .iter()
        .map(Failure::to_string)
        .collect();
    (found, left)
}

/// One failure of the sample, owned so that the schema can change under it.
#[derive(Debug)]
struct Failure {
    /// The sample's pointer.
    pointer: String,
    /// The failing keyword's canonical location in the schema.
    location: String,
    /// The failing value.
    value: Value,
    /// A missing field's name, for `required`.
    property: Option<String>,
    message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(root)"
        } else {
            &self.pointer
        };
        write!(f, "{pointer}: {}", self.message)
    }
}

fn failures(schema: &Value, sample: &Value) -> Vec<Failure> {
    let validator = match jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .build(schema)
    {
        Ok(v) => v,
        Err(e) => {
            return vec![Failure {
                pointer: String::new(),
                location: String::new(),
                value: Value::Null,
                property: None,
                message: format!("the schema does not compile: {e}"),
            }];
        }
    };
    let mut out: Vec<Failure> = Vec::new();
    for error in validator.iter_errors(sample) {
        let location = error.schema_path().as_str().to_owned();
        let property = match error.kind() {
            jsonschema::error::ValidationErrorKind::Required { property } => {
                property.as_str().map(str::to_owned)
            }
            _ => None,
        };
        let violation = crate::contract::violation(&error, "not allowed here");
        // One change per keyword: the first value that breaks it.
        if out
            .iter()
            .any(|f| f.location == location && f.property == property)
        {
            continue;
        }
        out.push(Failure {
            pointer: error.instance_path().as_str().to_owned(),
            location,
            value: error.instance().clone().into_owned(),
            property,
            message: violation.message,
        });
    }
    out
}

/// The JSON type name of a value, as a schema's `type` writes it.
fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Changes the schema so that this failure goes away; `None` when no change here can.
fn give_way(schema: &mut Value, failure: &Failure) -> Option<Disagreement> {
    let (node_at, keyword) = failure.location.rsplit_once('/')?;
    let node = schema.pointer_mut(node_at)?.as_object_mut()?;
    if keyword == "required" {
        let name = failure.property.clone()?;
        let list = node.get_mut("required")?.as_array_mut()?;
        list.retain(|v| v.as_str() != Some(&name));
        return Some(Disagreement {
            pointer: format!("{}/{}", failure.pointer, name),
            table: format!("a required `{name}`"),
            sample: format!("no `{name}`"),
            done: "makes it optional".into(),
        });
    }
    let (table, done) = change(node, keyword, &failure.value)?;
    Some(Disagreement {
        pointer: failure.pointer.clone(),
        table,
        sample: describe(&failure.value),
        done,
    })
}

/// Loosens one keyword of a schema object so that `value` passes it: what the keyword said,
/// and what the schema does now.
fn change(node: &mut Map<String, Value>, keyword: &str, value: &Value) -> Option<(String, String)> {
    let before = node.get(keyword).cloned().unwrap_or(Value::Null);
    let said = match keyword {
        "type" => {
            let mut types: Vec<Value> = match &before {
                Value::Array(t) => t.clone(),
                one => vec![one.clone()],
            };
            let added = type_of(value);
            types.push(added.into());
            node.insert("type".into(), Value::Array(types));
            (
                format!("type {}", plain(&before)),
                format!("allows {added}"),
            )
        }
        "enum" => {
            let mut values = before.as_array().cloned().unwrap_or_default();
            values.push(value.clone());
            node.insert("enum".into(), Value::Array(values));
            (
                "one of the valid values".to_owned(),
                "adds the value".to_owned(),
            )
        }
        "const" => {
            node.remove("const");
            node.insert(
                "enum".into(),
                Value::Array(vec![before.clone(), value.clone()]),
            );
            (format!("always {before}"), "allows the value".to_owned())
        }
        "format" | "pattern" => (loosen_text(node)?, "allows any string".to_owned()),
        "minimum"
        | "maximum"
        | "minItems"
        | "maxItems"
        | "uniqueItems"
        | "minLength"
        | "maxLength"
        | "not"
        | "additionalProperties" => {
            node.remove(keyword);
            (
                format!("{keyword} {}", plain(&before)),
                format!("drops {keyword}"),
            )
        }
        _ => return None,
    };
    Some(said)
}

/// Drops the format and pattern of a text (both at once: the other keyword's failure then has
/// nothing left to change, and gives `None`); what they said.
fn loosen_text(node: &mut Map<String, Value>) -> Option<String> {
    let said = if node.get("format") == Some(&Value::from("date-time")) {
        "an ISO-8601 time with an offset".to_owned()
    } else {
        format!("a match of {}", plain(node.get("pattern")?))
    };
    let format = node.remove("format");
    let pattern = node.remove("pattern");
    format.or(pattern).map(|_| said)
}

/// A keyword's value as a line of the report shows it: `integer`, `["integer", "null"]`.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_sample_wins_over_its_table_and_each_change_is_recorded() {
        let mut schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object", "required": ["a", "b"],
            "properties": {"a": {"type": "integer"}, "s": {"type": "string", "enum": ["X"]}}
        });
        let sample = json!({"a": "12", "s": "Y"});
        let (found, left) = fit(&mut schema, &sample);
        assert!(left.is_empty(), "{left:?}");
        let what: Vec<(&str, &str)> = found
            .iter()
            .map(|d| (d.pointer.as_str(), d.done.as_str()))
            .collect();
        assert!(what.contains(&("/a", "allows string")), "{what:?}");
        assert!(what.contains(&("/s", "adds the value")), "{what:?}");
        assert!(what.contains(&("/b", "makes it optional")), "{what:?}");
        assert_eq!(
            schema["properties"]["a"]["type"],
            json!(["integer", "string"])
        );
    }

    #[test]
    fn a_failure_no_change_can_fix_is_left_with_its_reason() {
        let mut schema = json!({"type": "integer", "multipleOf": 2});
        let (_, left) = fit(&mut schema, &json!(3));
        assert_eq!(left.len(), 1, "{left:?}");
    }
}
