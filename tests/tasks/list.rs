//! `GET /api/v2/tasks/instances`: the documented filters and paging, and the documented shape.

use std::collections::BTreeSet;

use ocp_mock::MockServer;
use ocp_mock::contract::Expect;
use serde_json::Value;

use super::{FAILING, TASKS, error_code, settle};
use crate::support::{call, delete, get};

/// Three tasks: 33149 FAILED (server 1, host 1), 33150 SUCCESSFUL (server 3, host 3) and
/// 33151 RUNNING (server 4, host 4).
async fn three_tasks() -> MockServer {
    let mock = MockServer::start().await;
    let failing = [("X-OCP-Mock-Scenario", FAILING)];
    let path = "/api/v2/obproxy/clusters/1/obproxies/1";
    let reply = call(mock.address(), "DELETE", path, &failing).await;
    reply.checked(Expect::NewTask);
    for server in [3, 4] {
        let path = format!("/api/v2/obproxy/clusters/1/obproxies/{server}");
        delete(mock.address(), &path).await.checked(Expect::NewTask);
    }
    assert_eq!(settle(&mock, 33149).await["status"], "FAILED");
    assert_eq!(settle(&mock, 33150).await["status"], "SUCCESSFUL");
    mock
}

/// The page of `query`: its task ids in order, and the page object.
async fn page(mock: &MockServer, query: &str) -> (Vec<i64>, Value) {
    let reply = get(mock.address(), &format!("{TASKS}?{query}")).await;
    assert_eq!(reply.status, 200, "{query}");
    let data = reply.checked(Expect::Any)["data"].clone();
    let ids = data["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    (ids, data["page"].clone())
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

#[tokio::test]
async fn the_task_list_filters_by_status_and_host_newest_first() {
    let mock = three_tasks().await;
    let known: &[(&str, &[i64])] = &[
        ("", &[33151, 33150, 33149]),
        ("status=FAILED", &[33149]),
        ("status=RUNNING,SUCCESSFUL", &[33151, 33150]),
        ("status=RUNNING&status=FAILED", &[33151, 33149]),
        ("hostId=3", &[33150]),
        ("hostId=4&status=RUNNING", &[33151]),
        ("hostId=4&status=FAILED", &[]),
        ("hostId=6", &[]),
        ("sort=id,asc", &[33149, 33150, 33151]),
        ("name=OFFLINE", &[33151, 33150, 33149]),
        ("name=reboot", &[]),
        ("type=MANUAL&status=FAILED", &[33149]),
        ("type=SYS_SCHEDULED", &[]),
        ("clusterId=1", &[]),
        ("tenantName=sys", &[]),
    ];
    for (query, expected) in known {
        let (ids, page) = page(&mock, query).await;
        assert_eq!(ids, *expected, "{query}");
        assert_eq!(page["totalElements"], expected.len(), "{query}");
    }
}

#[tokio::test]
async fn the_task_list_pages_as_the_cluster_list_does() {
    let mock = three_tasks().await;
    let (ids, page1) = page(&mock, "size=2").await;
    assert_eq!(ids, [33151, 33150]);
    assert_eq!(page1["totalPages"], 2);
    let (ids, page2) = page(&mock, "size=2&page=2").await;
    assert_eq!(ids, [33149]);
    assert_eq!(page2["number"], 2);
    let (ids, _) = page(&mock, "size=2&page=3").await;
    assert!(ids.is_empty());
    let (_, big) = page(&mock, "size=5000").await;
    assert_eq!(big["size"], 2000, "size is at most 2000");
    let (ids, _) = page(&mock, "status=SUCCESSFUL,FAILED&size=1&page=2").await;
    assert_eq!(ids, [33149], "paging applies to the filtered tasks");
}

#[tokio::test]
async fn a_task_of_the_list_has_the_documented_fields() {
    let mock = three_tasks().await;
    let documented: Value = serde_json::from_str(include_str!(
        "../../fixtures/ocp-examples/34-task-list-get.json"
    ))
    .unwrap();
    let sample = &documented["data"]["contents"][1];
    let reply = get(mock.address(), &format!("{TASKS}?status=SUCCESSFUL")).await;
    let data = reply.checked(Expect::Any)["data"].clone();
    let task = &data["contents"][0];
    // The mock's OBProxy tasks belong to no OceanBase cluster nor tenant.
    let mut expected = keys(sample);
    expected.remove("cluster");
    assert_eq!(keys(task), expected);
    assert_eq!(keys(&task["subtasks"][0]), keys(&sample["subtasks"][0]));
    assert_eq!(keys(&data["page"]), keys(&documented["data"]["page"]));
    assert_eq!(task["creator"]["name"], "admin");
}

#[tokio::test]
async fn unreadable_filters_are_refused_naming_the_parameter() {
    let mock = three_tasks().await;
    for query in [
        "status=DONE",
        "status=RUNNING,done",
        "hostId=abc",
        "clusterId=1.5",
        "type=DAILY",
        "sort=name,asc",
        "sort=id,up",
    ] {
        let reply = get(mock.address(), &format!("{TASKS}?{query}")).await;
        assert_eq!(error_code(&reply, 400), "COM10001", "{query}");
    }
}
