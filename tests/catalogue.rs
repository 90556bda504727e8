//! The documented API over a real socket: every endpoint of every version's catalogue answers
//! its page's sample request, and every documented path refuses an undocumented method with
//! a 405 listing the documented ones.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use ocp_mock::catalogue::{Catalogue, Endpoint, Origin};
use ocp_mock::contract::{Contract, Expect};
use ocp_mock::{MockServer, OcpVersion, UNDOCUMENTED_ROUTES, stateful_routes};

use crate::support::{ADMIN_BASIC, Reply, raw};

/// The answers OCP documents without an envelope.
const BARE: &[&str] = &["/api/v2/time", "/api/v2/info", "/api/status"];

/// Sends `method target` with an optional JSON body, signed in as the default administrator.
async fn send(addr: SocketAddr, method: &str, target: &str, body: Option<&str>) -> Reply {
    let body = body.unwrap_or_default();
    let req = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    raw(addr, req.as_bytes()).await
}

/// The sample request's target and body.
fn sample(endpoint: &Endpoint) -> (String, Option<String>) {
    let request = &endpoint.sample_request;
    let target = match &request.query {
        Some(q) => format!("{}?{q}", request.path),
        None => request.path.clone(),
    };
    (target, request.body.as_ref().map(|b| b.to_string()))
}

/// A pattern with its captures' names left out.
fn shape(pattern: &str) -> String {
    let parts: Vec<&str> = pattern
        .split('/')
        .map(|p| if p.starts_with('{') { "{}" } else { p })
        .collect();
    parts.join("/")
}

/// Whether a family handles the endpoint with state of its own: its answer depends on the
/// mock's inventory and tasks, not on the page's sample.
fn is_stateful(endpoint: &Endpoint) -> bool {
    stateful_routes().any(|(m, p)| m == endpoint.method.as_str() && p == endpoint.pattern)
}

#[tokio::test]
async fn every_documented_endpoint_answers_its_sample_request_as_documented() {
    for version in OcpVersion::ALL {
        let mock = MockServer::builder().ocp_version(version).start().await;
        for endpoint in &Catalogue::of(version).endpoints {
            let (target, body) = sample(endpoint);
            let what = format!(
                "{version}: {} {target} ({})",
                endpoint.method, endpoint.page
            );
            let reply = send(
                mock.address(),
                endpoint.method.as_str(),
                &target,
                body.as_deref(),
            )
            .await;
            if BARE.contains(&endpoint.pattern.as_str()) {
                assert_eq!(reply.status, 200, "{what}");
                continue;
            }
            let parsed = reply.json();
            let violations = Contract::global().check_response(reply.status, &parsed, Expect::Any);
            assert!(violations.is_empty(), "{what}: {violations:#?}\n{parsed:#}");
            if is_stateful(endpoint) {
                assert!(
                    ![404, 405].contains(&reply.status) || parsed["error"]["code"] != "COM10004",
                    "{what}: {parsed:#}"
                );
                continue;
            }
            assert_eq!(reply.status, endpoint.sample().status, "{what}: {parsed:#}");
            // A task's answer is a real task of the documented DAG (tests/documented_tasks.rs),
            // with its own ids and times.
            if endpoint.sample().origin == Origin::Documented && endpoint.task_sample().is_none() {
                assert_eq!(
                    parsed.get("data"),
                    endpoint.sample().data.as_ref(),
                    "{what}"
                );
            }
        }
    }
}

#[tokio::test]
async fn every_documented_path_refuses_an_undocumented_method_listing_the_documented_ones() {
    let order = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    for version in OcpVersion::ALL {
        let mock = MockServer::builder().ocp_version(version).start().await;
        // Two patterns that differ only in their captures' names are one path to HTTP.
        let mut paths: BTreeMap<String, (Vec<&str>, String)> = BTreeMap::new();
        for endpoint in &Catalogue::of(version).endpoints {
            let entry = paths
                .entry(shape(&endpoint.pattern))
                .or_insert_with(|| (Vec::new(), sample(endpoint).0));
            entry.0.push(endpoint.method.as_str());
        }
        for (pattern, (methods, target)) in paths {
            // A route OCP serves though no page documents it is no undocumented method.
            let served = |m: &str| {
                UNDOCUMENTED_ROUTES
                    .iter()
                    .any(|(um, up)| *um == m && shape(up) == pattern)
            };
            let Some(other) = order
                .into_iter()
                .find(|m| !methods.contains(m) && !served(m))
            else {
                continue;
            };
            let allow: Vec<&str> = order
                .into_iter()
                .filter(|m| methods.contains(m) || served(m))
                .collect();
            let reply = send(mock.address(), other, &target, None).await;
            let what = format!("{version}: {other} {target} ({pattern})");
            assert_eq!(
                reply.status,
                405,
                "{what}: {}",
                String::from_utf8_lossy(&reply.raw_body)
            );
            assert_eq!(
                reply.header("allow"),
                Some(allow.join(", ").as_str()),
                "{what}"
            );
            reply.checked(Expect::Any);
        }
    }
}

async fn mock_434() -> MockServer {
    MockServer::builder()
        .ocp_version(OcpVersion::V4_3_4)
        .start()
        .await
}

const STOP_SCHEDULE: &str =
    "/api/v2/ob/clusters/{c}/tenants/{t}/backup/config/backupStrategy/stopSchedule";

#[tokio::test]
async fn a_replayed_sample_echoes_the_requested_path_ids() {
    let mock = mock_434().await;
    // The page's sample is on cluster 1000002, tenant 1000012.
    let path = STOP_SCHEDULE.replace("{c}", "7").replace("{t}", "8");
    let reply = send(mock.address(), "POST", &path, None).await;
    let body = reply.checked(Expect::Any);
    let object = &body["data"]["backupObjectOpsResultList"][0]["obBackupObjectList"][0];
    assert_eq!(
        (object["clusterId"].as_i64(), object["tenantId"].as_i64()),
        (Some(7), Some(8))
    );
    assert_eq!(body["data"]["obBackupTaskType"], "STOP_BACKUP_SCHEDULE");
}

#[tokio::test]
async fn only_values_equal_to_the_sample_s_path_ids_are_echoed() {
    let mock = mock_434().await;
    // The sample asks for cluster 1000005, tenant 1000012; its strategy's own `id` is 1.
    let path = "/api/v2/ob/clusters/1/tenants/9/backup/config/backupStrategy";
    let body = send(mock.address(), "GET", path, None)
        .await
        .checked(Expect::Any);
    assert_eq!(
        body["data"]["id"], 1,
        "the strategy's own id is not the cluster's"
    );
    assert_eq!(body["data"]["clusterId"], 1);
    assert_eq!(body["data"]["clusterName"], "yc0820_17");
}

/// The `error` of an answer, after asserting it is OCP's 400 `COM10001` on `target`.
fn invalid(reply: &Reply, target: &str) -> serde_json::Value {
    let body = reply.checked(Expect::Any);
    assert_eq!(reply.status, 400, "{body:#}");
    assert_eq!(body["error"]["code"], "COM10001", "{body:#}");
    assert_eq!(body["error"]["target"], target, "{body:#}");
    body["error"].clone()
}

#[tokio::test]
async fn a_replayed_path_id_that_is_not_a_long_gets_the_same_error_as_a_stateful_one() {
    let mock = mock_434().await;
    let replayed = send(
        mock.address(),
        "GET",
        "/api/v2/obproxy/clusters/x1/parameters",
        None,
    )
    .await;
    let stateful = send(mock.address(), "GET", "/api/v2/obproxy/clusters/x1", None).await;
    assert_eq!(invalid(&replayed, "id"), invalid(&stateful, "id"));
}

#[tokio::test]
async fn required_query_parameters_must_be_there_and_of_their_type() {
    let mock = mock_434().await;
    let base = "/api/v2/inspection/report/info/item/14";
    let missing = send(
        mock.address(),
        "GET",
        &format!("{base}?objectType=OB_CLUSTER"),
        None,
    )
    .await;
    invalid(&missing, "tagId");
    let mistyped = format!("{base}?objectType=OB_CLUSTER&tagId=one");
    invalid(&send(mock.address(), "GET", &mistyped, None).await, "tagId");
    let fine = format!("{base}?objectType=OB_CLUSTER&tagId=1");
    assert_eq!(send(mock.address(), "GET", &fine, None).await.status, 200);
}

#[tokio::test]
async fn a_body_must_be_json_with_its_required_fields_of_their_type() {
    let mock = mock_434().await;
    let path = "/api/v2/ob/unitSpecs";
    let post = |body: &'static str| send(mock.address(), "POST", path, Some(body));
    invalid(&post("{\"name\": ").await, "body");
    invalid(&post("[1, 2]").await, "body");
    invalid(
        &post(r#"{"maxCpuCoreCount": 2, "maxMemorySize": 8}"#).await,
        "name",
    );
    let mistyped = r#"{"name": "S9", "maxCpuCoreCount": 2, "maxMemorySize": "eight"}"#;
    invalid(&post(mistyped).await, "maxMemorySize");
    let fine = r#"{"name": "S9", "maxCpuCoreCount": 2, "maxMemorySize": 8}"#;
    assert_eq!(post(fine).await.status, 200);
}
