//! Every documented endpoint whose page answers a task creates a real task in the mock: it is
//! found by its id, progresses to SUCCESSFUL, fails where a `fail-at` scenario says and
//! finishes once retried, as the DELETE's task does.

use std::net::SocketAddr;

use ocp_mock::catalogue::{Catalogue, Endpoint};
use ocp_mock::{MockServer, OcpVersion, stateful_routes};
use serde_json::Value;

use crate::support::{ADMIN_BASIC, Reply, get, raw};

/// Sends the endpoint's sample request, with extra header lines.
async fn send_sample(addr: SocketAddr, endpoint: &Endpoint, extra: &str) -> Reply {
    let request = &endpoint.sample_request;
    let target = match &request.query {
        Some(q) => format!("{}?{q}", request.path),
        None => request.path.clone(),
    };
    let body = request
        .body
        .as_ref()
        .map(Value::to_string)
        .unwrap_or_default();
    let req = format!(
        "{} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\n\
         {extra}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        endpoint.method,
        body.len()
    );
    raw(addr, req.as_bytes()).await
}

/// The replayed endpoints of the default profile whose sample answers a task.
fn task_endpoints() -> Vec<&'static Endpoint> {
    Catalogue::of(OcpVersion::V4_3_4)
        .endpoints
        .iter()
        .filter(|e| {
            !stateful_routes().any(|(m, p)| m == e.method.as_str() && p == e.pattern)
                && e.task_sample().is_some()
        })
        .collect()
}

/// The task of an answer: `data`, or the first of a page's `contents`.
fn task_of(answer: &Value) -> &Value {
    let data = &answer["data"];
    if data.get("contents").is_some() {
        &data["contents"][0]
    } else {
        data
    }
}

/// Queries task `id` until it is no longer RUNNING (at most 50 queries); its last status.
async fn settle(addr: SocketAddr, id: i64) -> String {
    let mut status = String::new();
    for _ in 0..50 {
        let reply = get(addr, &format!("/api/v2/tasks/instances/{id}")).await;
        assert_eq!(reply.status, 200, "task {id}");
        status = reply.json()["data"]["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if status != "RUNNING" {
            break;
        }
    }
    status
}

#[tokio::test]
async fn every_documented_task_call_creates_a_task_that_runs_to_success() {
    let endpoints = task_endpoints();
    assert!(endpoints.len() >= 10, "{} task endpoints", endpoints.len());
    let mock = MockServer::start().await;
    let mut ids = Vec::new();
    for endpoint in endpoints {
        let what = format!("{} {}", endpoint.method, endpoint.pattern);
        let reply = send_sample(mock.address(), endpoint, "").await;
        assert_eq!(reply.status, endpoint.sample().status, "{what}");
        let answer = reply.json();
        let task = task_of(&answer);
        let sample = endpoint.sample().data.as_ref().expect("a task sample");
        let documented = if sample.get("contents").is_some() {
            &sample["contents"][0]
        } else {
            sample
        };
        assert_eq!(task["name"], documented["name"], "{what}");
        assert_eq!(
            task["subtasks"].as_array().map(Vec::len),
            documented["subtasks"].as_array().map(Vec::len),
            "{what}: the documented DAG"
        );
        let id = task["id"].as_i64().expect("a task id");
        assert!(!ids.contains(&id), "{what}: a fresh task id");
        ids.push(id);
        assert_eq!(settle(mock.address(), id).await, "SUCCESSFUL", "{what}");
    }
}

#[tokio::test]
async fn a_documented_task_fails_where_asked_and_finishes_once_retried() {
    let endpoint = task_endpoints()[0];
    let sample = endpoint.sample().data.as_ref().expect("a task sample");
    let subtasks = if sample.get("contents").is_some() {
        &sample["contents"][0]["subtasks"]
    } else {
        &sample["subtasks"]
    };
    let name = subtasks[0]["name"].as_str().expect("a subtask name");
    let mock = MockServer::start().await;
    let header = format!("X-OCP-Mock-Scenario: fail-at:{name}\r\n");
    let answer = send_sample(mock.address(), endpoint, &header).await.json();
    let id = task_of(&answer)["id"].as_i64().expect("a task id");
    assert_eq!(settle(mock.address(), id).await, "FAILED");
    let retry = crate::support::call(
        mock.address(),
        "POST",
        &format!("/api/v2/tasks/instances/{id}/retry"),
        &[],
    )
    .await;
    assert_eq!(retry.status, 200);
    assert_eq!(settle(mock.address(), id).await, "SUCCESSFUL");
}
