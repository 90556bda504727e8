use std::collections::HashSet;

use serde_json::{Value, json};

use super::bundle::Components;
use super::*;

/// Every `$ref` under `value`.
fn refs<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                match child {
                    Value::String(r) if key == "$ref" => out.push(r),
                    _ => refs(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// The value a local reference (`#/components/schemas/Time`) points to.
fn target<'d>(doc: &'d Value, reference: &str) -> Option<&'d Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

#[test]
fn every_reference_points_into_the_document() {
    for version in OcpVersion::ALL {
        let doc = document(version);
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(found.len() > 100, "{version}: {} references", found.len());
        for reference in found {
            assert!(
                reference.starts_with("#/components/"),
                "{version}: {reference} points outside the components"
            );
            assert!(
                target(&doc, reference).is_some_and(Value::is_object),
                "{version}: {reference} points to nothing"
            );
        }
    }
}

#[test]
fn operation_ids_are_unique_and_every_operation_has_a_summary() {
    for version in OcpVersion::ALL {
        let mut ids = HashSet::new();
        let doc = document(version);
        let paths = doc["paths"].as_object().expect("paths");
        for (path, item) in paths {
            for (method, op) in item.as_object().expect("a path item") {
                let id = op["operationId"].as_str().expect("an operationId");
                assert!(ids.insert(id.to_owned()), "{version}: {id} twice");
                let summary = op["summary"].as_str().unwrap_or_default();
                assert!(!summary.is_empty(), "{version} {method} {path}");
            }
        }
    }
}

#[test]
fn no_two_paths_differ_only_in_their_capture_names() {
    for version in OcpVersion::ALL {
        let doc = document(version);
        let paths = doc["paths"].as_object().expect("paths");
        let shapes: HashSet<String> = paths.keys().map(|p| shape(p)).collect();
        assert_eq!(shapes.len(), paths.len(), "{version}");
    }
}

#[test]
fn the_text_is_the_document_with_a_final_newline() {
    let text = text(OcpVersion::V4_3_5);
    assert!(text.ends_with("}\n"));
    let parsed: Value = serde_json::from_str(text).expect("JSON");
    // The text is the indented form of the document it holds, nothing else.
    let again = serde_json::to_string_pretty(&parsed).expect("a value serialises") + "\n";
    assert_eq!(text, again);
    assert_eq!(document(OcpVersion::V4_3_5)["openapi"], OPENAPI_VERSION);
}

#[test]
fn the_contract_files_become_components_with_their_references_rewritten() {
    let schemas = Components::with_contract().into_schemas();
    assert_eq!(
        schemas["ErrorEnvelope"]["properties"]["error"]["$ref"],
        "#/components/schemas/Error"
    );
    assert_eq!(
        schemas["ErrorEnvelope"]["properties"]["timestamp"]["$ref"],
        "#/components/schemas/Common.time"
    );
    assert_eq!(
        schemas["Common.longList"]["items"]["$ref"],
        "#/components/schemas/Common.long"
    );
    assert!(schemas["Common"].get("$defs").is_none());
    assert!(schemas["ErrorEnvelope"].get("$id").is_none());
}

#[test]
fn an_endpoint_s_definitions_are_shared_when_the_same_and_numbered_when_not() {
    let mut components = Components::default();
    let task = json!({"type": "object", "properties": {"sub": {"$ref": "#/$defs/Sub"}}});
    let first = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "properties": {"data": {"$ref": "#/$defs/Task"}},
        "$defs": {"Task": task, "Sub": {"type": "string"}},
    });
    let same = first.clone();
    // Same name and body for `Task`, but its `Sub` differs: not the same definition.
    let mut other = first.clone();
    other["$defs"]["Sub"] = json!({"type": "integer"});
    let a = components.hoist(&first);
    let b = components.hoist(&same);
    let c = components.hoist(&other);
    assert_eq!(a["properties"]["data"]["$ref"], "#/components/schemas/Task");
    assert_eq!(a, b, "identical definitions are stored once");
    assert_eq!(
        c["properties"]["data"]["$ref"],
        "#/components/schemas/Task_2"
    );
    assert!(a.get("$defs").is_none() && a.get("$schema").is_none());
    let schemas = components.into_schemas();
    assert_eq!(
        schemas["Task_2"]["properties"]["sub"]["$ref"],
        "#/components/schemas/Sub_2"
    );
    assert_eq!(schemas["Sub_2"], json!({"type": "integer"}));
    assert_eq!(schemas.len(), 4);
}

#[test]
fn every_documented_endpoint_answers_with_its_own_schema() {
    use crate::ocp::catalogue::Catalogue;
    use crate::spec::EndpointSchemas;
    for version in OcpVersion::ALL {
        let schemas = EndpointSchemas::of(version);
        for endpoint in &Catalogue::of(version).endpoints {
            let own = schemas.get(&endpoint.method, &endpoint.pattern);
            assert!(
                own.is_some(),
                "{version} {} {}",
                endpoint.method,
                endpoint.pattern
            );
        }
    }
    // And the document uses it: the delete's answer is the task's schema, not the envelope's.
    let doc = document(OcpVersion::V4_3_4);
    let delete = &doc["paths"]["/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}"]["delete"];
    let schema = &delete["responses"]["200"]["content"]["application/json"]["schema"];
    assert!(schema["properties"]["data"].is_object(), "{schema}");
}
