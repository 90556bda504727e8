//! `ocp-mock validate --endpoint`: a saved answer judged with one endpoint's response schema
//! (`schemas/endpoints/`), in every report format, and the refusals of an endpoint no page
//! documents.

use serde_json::{Value, json};

use super::command::{assert_exit, ocp_mock, text};
use super::xml;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/delete-obproxy.json");

/// An answer to `GET /api/v2/obproxy/clusters/{id}` that its schema accepts.
fn cluster() -> Value {
    json!({
        "successful": true, "timestamp": "2021-09-01T16:59:14+08:00", "duration": 3,
        "status": 200, "traceId": "2a3b4c5d6e7f8091", "server": "ocp-1",
        "data": {"id": 1, "name": "test", "port": 2883, "createTime": "2021-09-01T16:52:56+08:00",
                 "obproxies": [{"id": 1, "sqlPort": 2883, "status": "RUNNING"}]}
    })
}

#[test]
fn validate_with_an_endpoint_passes_its_documented_answer_named_by_a_concrete_path() {
    let endpoint = "DELETE /api/v2/obproxy/clusters/1/obproxies/2";
    let out = ocp_mock(&["validate", "--endpoint", endpoint, FIXTURE], &[], None);
    assert_exit(&out, 0);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("judged as DELETE /api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds} (OCP 4.3.4) -> 200"),
        "{stdout}"
    );
}

#[test]
fn validate_with_an_endpoint_reports_each_violation_with_its_pointer_in_json() {
    let mut body = cluster();
    body["data"]["obproxies"][0]["sqlPort"] = json!("2883");
    body["data"]["createTime"] = json!("2021-09-01 16:52:56");
    let bytes = body.to_string();
    let out = ocp_mock(
        &[
            "validate",
            "--endpoint",
            "GET /api/v2/obproxy/clusters/{id}",
            "--format",
            "json",
            "-",
        ],
        &[],
        Some(bytes.as_bytes()),
    );
    assert_exit(&out, 1);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let violations = &report["probes"][0]["violations"];
    assert_eq!(
        violations,
        &json!([
            {"pointer": "/data/createTime", "message": "expected an ISO-8601 time with a numeric offset like +08:00, got string \"2021-09-01 16:52:56\""},
            {"pointer": "/data/obproxies/0/sqlPort", "message": "expected integer, got string \"2883\""}
        ])
    );
}

#[test]
fn validate_with_an_endpoint_fails_a_junit_test_case_naming_the_pointer() {
    let mut body = cluster();
    body.as_object_mut().unwrap().remove("traceId");
    let bytes = body.to_string();
    let out = ocp_mock(
        &["validate", "--format", "junit", "-"],
        &[("OCP_MOCK_ENDPOINT", "GET /api/v2/obproxy/clusters/7")],
        Some(bytes.as_bytes()),
    );
    assert_exit(&out, 1);
    let stdout = text(&out.stdout);
    let suite = xml::parse(&stdout).unwrap_or_else(|e| panic!("{e}:\n{stdout}"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    let message = suite
        .child("testcase")
        .and_then(|c| c.child("failure"))
        .and_then(|f| f.attribute("message"))
        .unwrap_or_default();
    assert!(
        message.contains("/traceId: missing required field"),
        "{stdout}"
    );
}

#[test]
fn the_ocp_version_picks_the_schemas_an_endpoint_is_found_in() {
    let path = "POST /api/v2/obproxy/clusters/1/servers/delete";
    let out = ocp_mock(&["validate", "--endpoint", path, FIXTURE], &[], None);
    assert_exit(&out, 2);
    assert_eq!(
        text(&out.stderr),
        "ocp-mock: OCP 4.3.4 documents no POST /api/v2/obproxy/clusters/1/servers/delete (see schemas/endpoints/V4.3.4.json)\n"
    );
    let out = ocp_mock(
        &[
            "validate",
            "--endpoint",
            path,
            "--ocp-version",
            "4.3.5",
            FIXTURE,
        ],
        &[],
        None,
    );
    assert_exit(&out, 0);
}

#[test]
fn an_undocumented_method_of_a_documented_path_names_the_methods_it_takes() {
    let out = ocp_mock(
        &[
            "validate",
            "--endpoint",
            "PUT /api/v2/obproxy/clusters/1",
            "--format",
            "json",
            FIXTURE,
        ],
        &[],
        None,
    );
    assert_exit(&out, 2);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["error"],
        "OCP 4.3.4 documents no PUT /api/v2/obproxy/clusters/1; that path takes GET, PATCH, DELETE (see schemas/endpoints/V4.3.4.json)"
    );
}

#[test]
fn an_endpoint_that_is_not_method_and_path_is_a_bad_argument() {
    for (given, shown) in [
        ("GET/x", "\"GET/x\""),
        ("FETCH /api/v2/time", "\"FETCH /api/v2/time\""),
    ] {
        let out = ocp_mock(&["validate", "--endpoint", given, FIXTURE], &[], None);
        assert_exit(&out, 2);
        assert_eq!(
            text(&out.stderr),
            format!(
                "ocp-mock: --endpoint: {shown} is not METHOD PATH (e.g. 'GET /api/v2/obproxy/clusters/{{id}}')\n"
            )
        );
    }
    let out = ocp_mock(
        &[
            "validate",
            "--endpoint",
            "GET /api/v2/time",
            "--expect",
            "new-task",
            FIXTURE,
        ],
        &[],
        None,
    );
    assert_exit(&out, 2);
}

#[test]
fn a_text_endpoint_judges_the_saved_text() {
    let args = ["validate", "--endpoint", "GET /api/v2/time", "-"];
    let out = ocp_mock(&args, &[], Some(b"2020-11-11T15:46:27.316+08:00\n"));
    assert_exit(&out, 0);
    let out = ocp_mock(&args, &[], Some(b"half past three"));
    assert_exit(&out, 1);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("(root): expected an ISO-8601 time with a numeric offset like +08:00, got string \"half past three\""),
        "{stdout}"
    );
}

#[test]
fn the_readme_shows_what_a_drifted_answer_and_an_undocumented_endpoint_print() {
    let dir = std::env::temp_dir().join(format!("ocp-mock-endpoint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut drifted = cluster();
    drifted["data"]["port"] = json!("2883");
    std::fs::write(dir.join("drifted.json"), drifted.to_string()).unwrap();
    let run = |endpoint: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ocp-mock"))
            .args(["validate", "--endpoint", endpoint, "drifted.json"])
            .current_dir(&dir)
            .env_remove("OCP_MOCK_OCP_VERSION")
            .env_remove("OCP_MOCK_FORMAT")
            .output()
            .expect("the binary runs")
    };
    let pattern = "GET /api/v2/obproxy/clusters/{id}";
    let failed = run(pattern);
    assert_exit(&failed, 1);
    let unknown = run("PUT /api/v2/obproxy/clusters/1");
    assert_exit(&unknown, 2);
    let _ = std::fs::remove_dir_all(&dir);
    let shown = format!(
        "```text\nocp-mock validate --endpoint '{pattern}' drifted.json\n{}\n\
         ocp-mock validate --endpoint 'PUT /api/v2/obproxy/clusters/1' drifted.json\n{}```\n",
        text(&failed.stdout),
        text(&unknown.stderr)
    );
    let readme = include_str!("../../README.md");
    assert!(readme.contains(&shown), "README.md should show:\n{shown}");
}
