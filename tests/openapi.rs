//! The OpenAPI document: what `ocp-mock openapi` prints, what the mock serves at
//! `/__mock/openapi.json`, and how the command refuses a version it does not know.

use std::process::{Command, Output};

use ocp_mock::catalogue::{Auth, Catalogue, Location};
use ocp_mock::{MockServer, OcpVersion};
use serde_json::Value;

use crate::support::{assert_same_bytes, get};

const BIN: &str = env!("CARGO_BIN_EXE_ocp-mock");

/// `ocp-mock openapi ARGS`, with no `OCP_MOCK_*` variable of the developer's environment but
/// those given.
fn openapi(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("OCP_MOCK_") {
            command.env_remove(name);
        }
    }
    command
        .arg("openapi")
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run the binary")
}

fn printed(version: &str) -> Vec<u8> {
    let out = openapi(&["--ocp-version", version], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[tokio::test]
async fn the_served_document_is_the_printed_one_for_each_version() {
    for version in OcpVersion::ALL {
        let mock = MockServer::builder().ocp_version(version).start().await;
        let served = get(mock.address(), "/__mock/openapi.json").await;
        assert_eq!(served.status, 200, "{version}");
        assert_eq!(served.header("content-type"), Some("application/json"));
        assert_same_bytes(&served.raw_body, &printed(version.as_str()), version);
    }
}

#[tokio::test]
async fn the_admin_switch_takes_the_document_away_with_the_rest_of_the_admin_api() {
    let mock = MockServer::builder().admin_api(false).start().await;
    let reply = get(mock.address(), "/__mock/openapi.json").await;
    assert_eq!(reply.status, 404);
}

#[test]
fn the_printed_document_names_its_ocp_version_and_the_default_is_4_3_4() {
    let default: Value = serde_json::from_slice(&openapi(&[], &[]).stdout).expect("JSON");
    assert_eq!(default["openapi"], "3.1.0");
    assert_eq!(default["info"]["version"], "4.3.4");
    let out = openapi(&[], &[("OCP_MOCK_OCP_VERSION", "V3.1.1")]);
    let from_env: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(from_env["info"]["version"], "3.1.1", "the variable");
}

#[test]
fn an_unknown_version_is_refused_with_the_known_ones_and_status_2() {
    let out = openapi(&["--ocp-version", "4.4"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no document on a refusal");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "ocp-mock: --ocp-version: unknown OCP version \"4.4\" (known: 3.1.1, 4.2.2, 4.3.4, \
         4.3.5)\n"
    );
}

/// The document's operation of `method` on a path whose captures may be spelt differently.
fn operation<'d>(doc: &'d Value, method: &str, pattern: &str) -> &'d Value {
    let shape = |p: &str| -> String {
        p.split('/')
            .map(|s| if s.starts_with('{') { "{}" } else { s })
            .collect::<Vec<_>>()
            .join("/")
    };
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .iter()
        .find(|(p, _)| shape(p) == shape(pattern))
        .map(|(_, item)| &item[method.to_ascii_lowercase()])
        .filter(|op| op.is_object())
        .unwrap_or_else(|| panic!("no {method} {pattern}"))
}

#[test]
fn every_documented_endpoint_is_an_operation_with_its_parameters_and_security() {
    for version in OcpVersion::ALL {
        let doc: Value = serde_json::from_slice(&printed(version.as_str())).expect("JSON");
        let catalogue = Catalogue::of(version);
        for endpoint in &catalogue.endpoints {
            let what = format!("{version} {} {}", endpoint.method, endpoint.pattern);
            let op = operation(&doc, endpoint.method.as_str(), &endpoint.pattern);
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let find = |name: &str, place: &str| {
                params
                    .iter()
                    .find(|p| p["name"] == name && p["in"] == place)
                    .cloned()
            };
            for param in &endpoint.params {
                match param.location {
                    // Named as the document's spelling of the path names it.
                    Location::Path => {}
                    Location::Query => {
                        let found = find(&param.name, "query")
                            .unwrap_or_else(|| panic!("{what}: no query {}", param.name));
                        assert_eq!(found["required"], param.required, "{what} {}", param.name);
                    }
                    Location::Body => {
                        let body = &op["requestBody"]["content"]["application/json"]["schema"];
                        assert!(body.is_object(), "{what}: no body for {}", param.name);
                    }
                }
            }
            let in_path = params.iter().filter(|p| p["in"] == "path").count();
            let captures = endpoint.pattern.matches('{').count();
            assert_eq!(in_path, captures, "{what}: path parameters");
            assert!(
                params
                    .iter()
                    .filter(|p| p["in"] == "path")
                    .all(|p| p["required"] == true)
            );
            let security = op["security"].as_array().expect("security");
            match endpoint.auth {
                Auth::None => assert!(security.is_empty(), "{what}: open"),
                Auth::Required => assert_eq!(security.len(), 2, "{what}: Basic or AK/SK"),
            }
        }
    }
}

/// Known answers, read off OCP 4.3.4's pages by hand.
#[test]
fn the_document_says_what_the_pages_say_of_a_few_known_calls() {
    let doc: Value = serde_json::from_slice(&printed("4.3.4")).expect("JSON");
    let delete = operation(
        &doc,
        "DELETE",
        "/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}",
    );
    let names: Vec<&str> = delete["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .map(|p| p["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["id", "obproxyIds"]);
    assert_eq!(delete["parameters"][0]["schema"]["type"], "integer");
    assert_eq!(delete["parameters"][1]["schema"]["type"], "array");
    assert!(delete.get("requestBody").is_none());

    let time = operation(&doc, "GET", "/api/v2/time");
    assert_eq!(time["security"], serde_json::json!([]));
    assert!(time["responses"]["200"]["content"]["text/plain"].is_object());
    assert!(
        time["responses"].get("401").is_none(),
        "no credentials, no 401"
    );

    let create = operation(&doc, "POST", "/api/v2/obproxy/clusters");
    let body = &create["requestBody"];
    assert_eq!(body["required"], true);
    let schema = &body["content"]["application/json"]["schema"];
    assert_eq!(schema["required"], serde_json::json!(["name"]));

    let alarms = operation(&doc, "GET", "/api/v2/alarm/alarms");
    let page = alarms["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "page")
        .expect("page");
    assert_eq!(page["required"], false);
    assert!(alarms["responses"]["401"]["$ref"].is_string());
    let ok = &alarms["responses"]["200"]["content"]["application/json"]["schema"];
    assert!(ok.is_object(), "the endpoint's schema");

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["basicAuth"]["scheme"], "basic");
    assert_eq!(schemes["ocpAccessKey"]["type"], "apiKey");
    assert_eq!(schemes["ocpAccessKey"]["in"], "header");
    assert_eq!(schemes["ocpAccessKey"]["name"], "Authorization");
    let rule = schemes["ocpAccessKey"]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(rule.contains("OCP-ACCESS-KEY-HMACSHA1"), "{rule}");
}
