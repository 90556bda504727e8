//! The embedded schemas against the pages' samples, and against answers they must refuse.

use http::Method;
use serde_json::{Value, json};

use super::generate::{Counts, counts, generate, table};
use super::*;

#[test]
fn every_version_has_a_schema_per_documented_endpoint() {
    for version in OcpVersion::ALL {
        let schemas = EndpointSchemas::of(version);
        let catalogue = Catalogue::of(version);
        assert_eq!(
            schemas.iter().count(),
            catalogue.endpoints.len(),
            "{version}"
        );
        for (schema, endpoint) in schemas.iter().zip(&catalogue.endpoints) {
            assert_eq!(
                (&schema.method, &schema.path),
                (&endpoint.method, &endpoint.pattern)
            );
            assert_eq!(
                schema.schema()["$schema"],
                generate::DRAFT,
                "{}",
                schema.path
            );
        }
    }
}

#[test]
fn every_sample_passes_its_schema_or_is_listed_with_its_reason() {
    let listed = include_str!("../../schemas/endpoints/DISAGREEMENTS.md");
    for version in OcpVersion::ALL {
        let schemas = EndpointSchemas::of(version);
        let generated = generate(version);
        for g in &generated {
            let Some(sample) = &g.sample else { continue };
            let schema = schemas
                .get(&g.endpoint.method, &g.endpoint.pattern)
                .unwrap();
            let violations = schema.judge(sample);
            if g.failures.is_empty() {
                assert!(
                    violations.is_empty(),
                    "{version} {}: {violations:?}",
                    schema.path
                );
            } else {
                assert!(!violations.is_empty(), "{version} {}", schema.path);
                let line = format!("- still fails: {}.", g.failures[0]);
                assert!(
                    listed.contains(&line),
                    "{version} {}: not listed",
                    schema.path
                );
            }
        }
        let Counts {
            schemas: n,
            samples,
            passing,
            disagreements,
        } = counts(&generated);
        eprintln!(
            "{version}: {n} schemas, {passing} of {samples} samples pass, {disagreements} disagreements"
        );
        // Every sample fits today; one that cannot must be listed above and counted here.
        let still_failing = generated.iter().filter(|g| !g.failures.is_empty()).count();
        assert_eq!(passing + still_failing, samples, "{version}");
        assert_eq!(still_failing, 0, "{version}: a sample fails its schema");
    }
}

/// The documented answer of `GET /api/v2/obproxy/clusters/{id}` (4.3.4), which passes.
fn cluster_answer() -> (&'static EndpointSchema, Value) {
    let schema = EndpointSchemas::of(OcpVersion::V4_3_4)
        .get(&Method::GET, "/api/v2/obproxy/clusters/{id}")
        .unwrap();
    let endpoint = Catalogue::of(OcpVersion::V4_3_4)
        .get(&Method::GET, "/api/v2/obproxy/clusters/{id}")
        .unwrap();
    let body: Value = serde_json::from_str(endpoint.sample().envelope.as_deref().unwrap()).unwrap();
    assert_eq!(schema.judge(&body), []);
    (schema, body)
}

fn messages(schema: &EndpointSchema, body: &Value) -> Vec<String> {
    schema.judge(body).iter().map(ToString::to_string).collect()
}

#[test]
fn a_wrong_type_deep_in_the_data_is_refused_at_its_pointer() {
    let (schema, mut body) = cluster_answer();
    body["data"]["obproxies"][0]["sqlPort"] = json!("2883");
    assert_eq!(
        messages(schema, &body),
        ["/data/obproxies/0/sqlPort: expected integer, got string \"2883\""]
    );
}

#[test]
fn a_missing_envelope_field_is_refused() {
    let (schema, mut body) = cluster_answer();
    body.as_object_mut().unwrap().remove("traceId");
    assert_eq!(
        messages(schema, &body),
        ["/traceId: missing required field"]
    );
}

#[test]
fn a_value_outside_the_valid_values_is_refused() {
    let (schema, mut body) = cluster_answer();
    body["data"]["obproxies"][0]["operateStatus"] = json!("DANCING");
    assert_eq!(
        messages(schema, &body),
        [
            "/data/obproxies/0/operateStatus: expected one of NORMAL, OPERATING, got string \"DANCING\""
        ]
    );
}

#[test]
fn a_time_without_an_offset_is_refused() {
    let (schema, mut body) = cluster_answer();
    body["data"]["createTime"] = json!("2021-09-01 16:52:56");
    assert_eq!(
        messages(schema, &body),
        [
            "/data/createTime: expected an ISO-8601 time with a numeric offset like +08:00, got string \"2021-09-01 16:52:56\""
        ]
    );
}

#[test]
fn a_task_answer_is_judged_with_the_task_structure() {
    let schema = EndpointSchemas::of(OcpVersion::V4_3_4)
        .find(&Method::DELETE, "/api/v2/obproxy/clusters/1/obproxies/2")
        .unwrap();
    let mut body: Value = serde_json::from_str(crate::ocp::task::DOCUMENTED_EXAMPLE).unwrap();
    assert_eq!(schema.judge(&body), []);
    body["data"]["subtasks"][1]["status"] = json!("NAPPING");
    let found = messages(schema, &body);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("/data/subtasks/1/status: expected one of"),
        "{found:?}"
    );
}

#[test]
fn a_text_endpoint_takes_its_text_as_a_json_string() {
    let time = EndpointSchemas::of(OcpVersion::V4_3_4)
        .get(&Method::GET, "/api/v2/time")
        .unwrap();
    assert!(time.is_text());
    assert_eq!(time.judge(&json!("2020-11-11T15:46:27.316+08:00")), []);
    assert_eq!(
        messages(time, &json!({"time": 1})),
        ["(root): expected string, got an object"]
    );
}

#[test]
fn the_info_answer_is_a_bare_object() {
    let info = EndpointSchemas::of(OcpVersion::V4_3_4)
        .get(&Method::GET, "/api/v2/info")
        .unwrap();
    assert!(!info.is_text());
    assert!(info.schema()["properties"].get("successful").is_none());
    let fixture: Value =
        serde_json::from_str(include_str!("../../fixtures/ocp-info.json")).unwrap();
    assert_eq!(info.judge(&fixture["4.3.4"]["example"]), []);
    let mut wrong = fixture["4.3.4"]["example"].clone();
    wrong["buildTime"] = json!(20201129);
    assert_eq!(
        messages(info, &wrong),
        ["/buildTime: expected string, got number 20201129"]
    );
}

#[test]
fn a_concrete_path_finds_its_pattern() {
    let schemas = EndpointSchemas::of(OcpVersion::V4_3_4);
    let found = schemas
        .find(&Method::GET, "/api/v2/obproxy/clusters/12?x=1")
        .unwrap();
    assert_eq!(found.path, "/api/v2/obproxy/clusters/{id}");
    let pattern = schemas
        .find(&Method::GET, "/api/v2/obproxy/clusters/{id}")
        .unwrap();
    assert_eq!(pattern.path, found.path);
    // A literal segment wins over a capture.
    let batch = schemas.find(
        &Method::POST,
        "/api/v2/obproxy/clusters/3/obproxies/batchAdd",
    );
    assert_eq!(
        batch.unwrap().path,
        "/api/v2/obproxy/clusters/{id}/obproxies/batchAdd"
    );
    assert!(schemas.find(&Method::GET, "/api/v2/nowhere").is_none());
    assert!(
        schemas
            .find(&Method::PUT, "/api/v2/obproxy/clusters/12")
            .is_none()
    );
    // Only 4.3.5 documents the POST delete of servers.
    let post = "/api/v2/obproxy/clusters/1/servers/delete";
    assert!(schemas.find(&Method::POST, post).is_none());
    assert!(
        EndpointSchemas::of(OcpVersion::V4_3_5)
            .find(&Method::POST, post)
            .is_some()
    );
}

#[test]
fn the_readme_and_the_disagreement_report_quote_the_counts_of_every_version() {
    let all: Vec<_> = OcpVersion::ALL
        .into_iter()
        .map(|v| (v, generate(v)))
        .collect();
    let rows = table(&all);
    let header = "| version | schemas | samples | samples passing | disagreements |\n|---|---|---|---|---|\n";
    let quoted = format!("{header}{rows}");
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(&quoted),
        "README.md should quote:\n{quoted}"
    );
    let report = include_str!("../../schemas/endpoints/DISAGREEMENTS.md");
    assert!(report.contains(&quoted), "DISAGREEMENTS.md is stale");
}
