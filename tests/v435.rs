//! OCP 4.3.5's delete over a real socket: `POST /api/v2/obproxy/clusters/{id}/servers/delete`
//! answers the documented example, the DELETE answers 4.3.5's page, bad bodies are refused with
//! nothing changed, tasks progress and keep the 4.3.5 shape; other profiles have no such route.

use std::net::SocketAddr;

use ocp_mock::contract::Expect;
use ocp_mock::{Inventory, MockServer, OcpVersion};
use serde_json::{Value, json};

use crate::support::{ADMIN_BASIC, Reply, assert_json_eq, call, delete, raw};

const REQUEST: &str = include_str!("../fixtures/v4.3.5/delete-obproxy-servers.request.json");
const ANSWER: &str = include_str!("../fixtures/v4.3.5/delete-obproxy-servers.json");
const DELETE_ANSWER: &str = include_str!("../fixtures/v4.3.5/delete-obproxy.json");
const INVENTORY: &str = include_str!("../fixtures/v4.3.5/inventory.json");
const DOCUMENTED_POST: &str = "/api/v2/obproxy/clusters/13153297/servers/delete";
/// The README's body, on the default inventory's cluster 1.
const README_BODY: &str = r#"{"obproxyServerIds":[1,2,3],"skipHostOperationServerIds":[1]}"#;
const README_POST: &str = "/api/v2/obproxy/clusters/1/servers/delete";

/// A POST with a JSON body, signed in as the default administrator.
async fn post(addr: SocketAddr, path: &str, body: &str) -> Reply {
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    raw(addr, req.as_bytes()).await
}

async fn mock_435() -> MockServer {
    MockServer::builder()
        .ocp_version(OcpVersion::V4_3_5)
        .start()
        .await
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

#[tokio::test]
async fn the_documented_post_answers_the_documented_4_3_5_example_value_for_value() {
    let mock = MockServer::builder()
        .ocp_version(OcpVersion::V4_3_5)
        .inventory(Inventory::parse(INVENTORY).unwrap())
        .seed(0xdebd_595a_13b9_04b7)
        .server_name("74f95ea2f4")
        .start()
        .await;
    let reply = post(mock.address(), DOCUMENTED_POST, REQUEST).await;
    assert_eq!(reply.status, 200);
    let body = reply.checked(Expect::NewTask);
    // Value for value, times as OCP writes them too (`17:08:22.78+08:00`).
    assert_json_eq!(body, json(ANSWER), "the 4.3.5 POST");
}

/// The 4.3.5 DELETE page's example as a fresh 4.3.5 mock answers it: the page shows the seed's
/// task (33149, subtasks 34963-34970, started 2021-09-03T16:31:58.151), whose ids and time
/// contradict the POST page of the same release (13153297, subtasks from 13175940, 2025-01-16).
/// A mock has one id sequence and one clock, started at the recommended call's example, and
/// stamps every envelope alike (the POST page's 61 ms to `timestamp` and `duration` 85): so the
/// task id, the subtask ids (the same offsets), `startTime`, `timestamp` and `duration` are the
/// mock's. Every other value is the page's.
fn the_delete_page_on_the_4_3_5_clock() -> Value {
    let mut page = json(DELETE_ANSWER);
    let shift = |id: &Value| json!(id.as_i64().unwrap() - 34_963 + 13_175_940);
    page["data"]["id"] = json!(13_153_297);
    page["data"]["startTime"] = json!("2025-01-16T17:08:22.719+08:00");
    page["timestamp"] = json!("2025-01-16T17:08:22.78+08:00");
    page["duration"] = json!(85);
    for subtask in page["data"]["subtasks"].as_array_mut().unwrap() {
        subtask["id"] = shift(&subtask["id"]);
        for edges in ["upstreams", "downstreams"] {
            let shifted: Vec<Value> = subtask[edges]
                .as_array()
                .unwrap()
                .iter()
                .map(shift)
                .collect();
            subtask[edges] = Value::Array(shifted);
        }
    }
    page
}

#[tokio::test]
async fn the_delete_under_4_3_5_answers_its_not_recommended_page_but_for_ids_and_times() {
    let mock = MockServer::builder()
        .ocp_version(OcpVersion::V4_3_5)
        .server_name("a83ad33525")
        .seed(0x0fda_4c74_b7a8_4932)
        .start()
        .await;
    let reply = delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/2").await;
    assert_eq!(reply.status, 200);
    let body = reply.checked(Expect::NewTask);
    assert_json_eq!(
        body,
        the_delete_page_on_the_4_3_5_clock(),
        "the 4.3.5 DELETE"
    );
    let readme = include_str!("../README.md");
    assert!(
        readme.contains("`data.id`, every subtask's `id`, `upstreams` and `downstreams`, `startTime`, `timestamp` and `duration`"),
        "the README names the fields the 4.3.5 DELETE cannot reproduce"
    );
}

#[tokio::test]
async fn other_profiles_have_no_post_delete_route() {
    for version in [OcpVersion::V3_1_1, OcpVersion::V4_2_2, OcpVersion::V4_3_4] {
        let mock = MockServer::builder().ocp_version(version).start().await;
        let reply = post(mock.address(), README_POST, README_BODY).await;
        assert_eq!(reply.status, 404, "OCP {version}");
        // Any method: the path is unknown there, not a route that takes only POST.
        let get = call(mock.address(), "GET", README_POST, &[]).await;
        assert_eq!(get.status, 404, "OCP {version}: GET");
        assert_eq!(get.header("allow"), None);
        let servers = call(mock.address(), "GET", "/api/v2/obproxy/clusters/1", &[]).await;
        let servers = servers.json();
        let statuses: Vec<&str> = servers["data"]["obproxies"]
            .as_array()
            .map(|a| a.iter().filter_map(|s| s["status"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            !statuses.contains(&"DELETING"),
            "OCP {version}: {statuses:?}"
        );
    }
}

/// The 400 of a bad body: `COM10001`, its target the field.
fn assert_bad(reply: &Reply, field: &str, what: &str) {
    assert_eq!(
        reply.status,
        400,
        "{what}: {}",
        String::from_utf8_lossy(&reply.raw_body)
    );
    let body = reply.checked(Expect::Any);
    assert_eq!(body["error"]["code"], "COM10001", "{what}");
    assert_eq!(body["error"]["target"], field, "{what}");
}

#[tokio::test]
async fn bad_bodies_are_refused_naming_the_field_and_change_nothing() {
    let mock = mock_435().await;
    let cases = [
        ("not json", "{obproxyServerIds: [1]", "body"),
        ("not an object", "[1, 2]", "body"),
        (
            "no server ids",
            r#"{"skipHostOperationServerIds": [1]}"#,
            "obproxyServerIds",
        ),
        (
            "empty server ids",
            r#"{"obproxyServerIds": []}"#,
            "obproxyServerIds",
        ),
        (
            "ids not numbers",
            r#"{"obproxyServerIds": ["1"]}"#,
            "obproxyServerIds",
        ),
        (
            "a repeated id",
            r#"{"obproxyServerIds": [1, 2, 1]}"#,
            "obproxyServerIds",
        ),
        (
            "a repeated skip",
            r#"{"obproxyServerIds": [1, 2], "skipHostOperationServerIds": [1, 1]}"#,
            "skipHostOperationServerIds",
        ),
        (
            "skip not a subset",
            r#"{"obproxyServerIds": [1, 2], "skipHostOperationServerIds": [3]}"#,
            "skipHostOperationServerIds",
        ),
        (
            "another cluster's server",
            r#"{"obproxyServerIds": [1, 5]}"#,
            "obproxyServerIds",
        ),
    ];
    for (what, body, field) in cases {
        let reply = post(mock.address(), README_POST, body).await;
        assert_bad(&reply, field, what);
    }
    let cluster = call(mock.address(), "GET", "/api/v2/obproxy/clusters/1", &[]).await;
    let servers = cluster.json()["data"]["obproxies"].clone();
    for s in servers.as_array().unwrap() {
        assert_eq!(s["status"], "RUNNING", "{s}");
    }
    // Nothing was created: the first good call still gets the documented task id.
    let reply = post(mock.address(), README_POST, README_BODY).await;
    assert_eq!(reply.json()["data"]["id"], 13_153_297);
}

#[tokio::test]
async fn unknown_servers_and_clusters_get_the_delete_s_404s() {
    let mock = mock_435().await;
    let server = post(
        mock.address(),
        README_POST,
        r#"{"obproxyServerIds": [1, 42]}"#,
    )
    .await;
    assert_eq!(server.status, 404);
    let body = server.checked(Expect::Any);
    assert_eq!(body["error"]["code"], "ODP21002");
    assert_eq!(body["error"]["target"], "obproxyServerIds");
    let via_delete = delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/42").await;
    assert_eq!(via_delete.json()["error"]["code"], "ODP21002");
    let cluster = post(
        mock.address(),
        "/api/v2/obproxy/clusters/77/servers/delete",
        README_BODY,
    )
    .await;
    assert_eq!(cluster.status, 404);
    assert_eq!(cluster.json()["error"]["code"], "ODP21001");
    // A server being deleted by one call cannot be deleted by another.
    let first = post(mock.address(), README_POST, r#"{"obproxyServerIds": [2]}"#).await;
    assert_eq!(first.status, 200);
    let again = post(mock.address(), README_POST, r#"{"obproxyServerIds": [2]}"#).await;
    assert_eq!(again.status, 409);
}

/// Polls the task until it ends; returns every answer.
async fn poll_to_the_end(addr: SocketAddr, id: i64) -> Vec<Value> {
    let path = format!("/api/v2/tasks/instances/{id}");
    let mut seen = Vec::new();
    for _ in 0..20 {
        let body = call(addr, "GET", &path, &[]).await.checked(Expect::Any);
        let done = body["data"]["status"] != "RUNNING";
        seen.push(body);
        if done {
            break;
        }
    }
    seen
}

#[tokio::test]
async fn a_4_3_5_task_progresses_and_keeps_its_shape_in_queries() {
    let mock = mock_435().await;
    let created = post(mock.address(), README_POST, README_BODY).await.json();
    let id = created["data"]["id"].as_i64().unwrap();
    let polls = poll_to_the_end(mock.address(), id).await;
    let last = &polls.last().unwrap()["data"];
    assert_eq!(last["status"], "SUCCESSFUL");
    let first = &polls[0]["data"];
    assert_eq!(first["status"], "RUNNING");
    for data in polls.iter().map(|p| &p["data"]) {
        assert!(data.get("context").is_none());
        assert_eq!(data["isRemote"], false);
        assert_eq!(data["subtasks"].as_array().unwrap().len(), 20);
        for s in data["subtasks"].as_array().unwrap() {
            assert_eq!(s["taskId"], id);
            assert!(s.get("className").is_none() && s.get("prohibitSkip").is_some());
        }
    }
    let tag = |server: i64, deleted: bool| {
        json!({"obproxyClusterId": 1, "obproxyClusterName": "test", "obproxyServerId": server,
               "hostId": server, "deleted": deleted})
    };
    assert_eq!(
        first["tags"],
        json!([tag(1, false), tag(2, false), tag(3, false)])
    );
    assert_eq!(
        last["tags"],
        json!([tag(1, true), tag(2, true), tag(3, true)])
    );
    assert!(last["finishTime"].as_str() > last["startTime"].as_str());
    let gone = call(mock.address(), "GET", "/api/v2/obproxy/clusters/1", &[]).await;
    let left: Vec<i64> = gone.json()["data"]["obproxies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_i64())
        .collect();
    assert_eq!(left, vec![4]);
}

#[tokio::test]
async fn a_failed_4_3_5_task_is_retried_in_its_own_shape() {
    let mock = mock_435().await;
    let req = format!(
        "POST {README_POST} HTTP/1.1\r\nHost: m\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\n\
         X-OCP-Mock-Scenario: fail-at:Stop obproxy\r\nContent-Length: {}\r\n\r\n{README_BODY}",
        README_BODY.len()
    );
    let created = raw(mock.address(), req.as_bytes()).await;
    assert_eq!(
        created.status,
        200,
        "{}",
        String::from_utf8_lossy(&created.raw_body)
    );
    let id = created.json()["data"]["id"].as_i64().unwrap();
    let polls = poll_to_the_end(mock.address(), id).await;
    assert_eq!(polls.last().unwrap()["data"]["status"], "FAILED");
    let path = format!("/api/v2/tasks/instances/{id}/retry");
    let retried = call(mock.address(), "POST", &path, &[]).await;
    assert_eq!(retried.status, 200);
    let data = &retried.checked(Expect::Any)["data"];
    assert_eq!(data["operation"], "RETRY");
    assert_eq!(data["isRemote"], false);
    let polls = poll_to_the_end(mock.address(), id).await;
    assert_eq!(polls.last().unwrap()["data"]["status"], "SUCCESSFUL");
}

/// The README's curl command under `--ocp-version 4.3.5`, sent as curl sends it, answers as the
/// README says: a "Delete obproxy server" task of 20 subtasks, task 13153297 on a fresh mock.
#[tokio::test]
async fn the_readme_s_post_command_answers_as_it_says() {
    let readme = include_str!("../README.md");
    let line = format!(
        "curl -s -u admin:aaAA11__ -H 'Content-Type: application/json' -d '{README_BODY}' \
         http://127.0.0.1:8080{README_POST}"
    );
    assert!(
        readme.lines().any(|l| l.starts_with(&line)),
        "README lacks {line:?}"
    );
    assert!(readme.contains("cargo run --release -- serve --ocp-version 4.3.5"));
    let mock = mock_435().await;
    let reply = post(mock.address(), README_POST, README_BODY).await;
    let data = &reply.checked(Expect::NewTask)["data"];
    assert_eq!(data["name"], "Delete obproxy server");
    assert_eq!(data["id"], 13_153_297);
    assert_eq!(data["subtasks"].as_array().unwrap().len(), 20);
    assert!(
        readme
            .contains("one lane of 20 subtasks; the first call on a fresh mock gets task 13153297")
    );
}

#[test]
fn the_contract_accepts_the_documented_4_3_5_answers_as_they_are() {
    let contract = ocp_mock::Contract::global();
    for (what, text) in [("POST", ANSWER), ("DELETE", DELETE_ANSWER)] {
        let violations = contract.check_response(200, &json(text), Expect::NewTask);
        assert!(violations.is_empty(), "{what}: {violations:#?}");
    }
}

#[test]
fn a_subtask_naming_another_task_is_a_contract_violation() {
    let mut answer = json(ANSWER);
    answer["data"]["subtasks"][3]["taskId"] = json!(42);
    let violations = ocp_mock::Contract::global().check_response(200, &answer, Expect::Any);
    let messages: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
    assert_eq!(
        messages,
        ["/data/subtasks/3/taskId: expected 13153297 (the task's id), got 42"]
    );
}

#[tokio::test]
async fn the_admin_api_shows_the_skip_list_each_task_was_asked_for() {
    let mock = mock_435().await;
    let first = post(mock.address(), README_POST, README_BODY).await;
    assert_eq!(first.status, 200);
    let refused = post(
        mock.address(),
        README_POST,
        r#"{"obproxyServerIds": [4], "skipHostOperationServerIds": [1]}"#,
    )
    .await;
    assert_eq!(refused.status, 400);
    let second = post(mock.address(), README_POST, r#"{"obproxyServerIds": [4]}"#).await;
    assert_eq!(second.status, 200);
    let tasks = call(mock.address(), "GET", "/__mock/tasks", &[]).await;
    assert_eq!(tasks.status, 200);
    let recorded = tasks.checked(Expect::Any)["data"]["tasks"].clone();
    assert_eq!(
        recorded,
        json!([
            {"id": 13_153_297, "name": "Delete obproxy server", "status": "RUNNING",
             "creator": "admin", "obproxyClusterId": 1, "obproxyServerIds": [1, 2, 3],
             "skipHostOperationServerIds": [1]},
            {"id": 13_153_298, "name": "Delete obproxy server", "status": "RUNNING",
             "creator": "admin", "obproxyClusterId": 1, "obproxyServerIds": [4],
             "skipHostOperationServerIds": []},
        ])
    );
    // The DELETE has no such list: an empty one.
    let mock = MockServer::start().await;
    assert_eq!(
        delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/2")
            .await
            .status,
        200
    );
    let tasks = call(mock.address(), "GET", "/__mock/tasks", &[])
        .await
        .json();
    assert_eq!(tasks["data"]["tasks"][0]["name"], "Offline obproxy");
    assert_eq!(
        tasks["data"]["tasks"][0]["skipHostOperationServerIds"],
        json!([])
    );
}
