//! The OBProxy lifecycle end to end, through HTTP on a fresh mock: a cluster created, two
//! servers added, one deleted by the documented DELETE, the cluster deleted; each step a task
//! polled to success, each effect seen in the cluster views.

use ocp_mock::contract::{Contract, Expect};
use ocp_mock::{Inventory, MockServer, TaskPace};
use serde_json::{Value, json};

use crate::support::{ADMIN_BASIC, Reply, delete, get, raw};

/// The default inventory's one cluster, with two free hosts beside its server's.
const INVENTORY: &str = r#"{
  "clusters": [{"id": 1, "name": "test", "address": "192.0.2.1", "port": 2883, "workMode": "RS_LIST"}],
  "hosts": [
    {"id": 1, "ip": "192.0.2.1", "name": "h1", "idcName": "am171"},
    {"id": 7, "ip": "192.0.2.7", "name": "h7", "idcName": "am171"},
    {"id": 8, "ip": "192.0.2.8", "name": "h8", "idcName": "am172"}
  ],
  "obproxies": [{"id": 1, "clusterId": 1, "hostId": 1, "sqlPort": 2883, "exporterPort": 2884,
                 "version": "3.2.3", "status": "RUNNING", "operateStatus": "NORMAL"}]
}"#;

async fn mock() -> MockServer {
    MockServer::builder()
        .inventory(Inventory::parse(INVENTORY).expect("a valid inventory"))
        .task_pace(TaskPace::Polls(5))
        .start()
        .await
}

/// A call with a JSON body, as the default administrator.
async fn send(mock: &MockServer, method: &str, path: &str, body: &Value) -> Reply {
    let body = body.to_string();
    let addr = mock.address();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Authorization: {ADMIN_BASIC}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    raw(addr, req.as_bytes()).await
}

/// The envelope's `data` after checking the answer is a new task (the contract's own check).
fn new_task(reply: &Reply) -> Value {
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.raw_body)
    );
    reply.checked(Expect::NewTask)["data"].clone()
}

/// Polls task `id` until it is no longer RUNNING; its final status.
async fn wait(mock: &MockServer, id: &Value) -> String {
    for _ in 0..20 {
        let reply = get(mock.address(), &format!("/api/v2/tasks/instances/{id}")).await;
        let task = reply.checked(Expect::Any)["data"].clone();
        if task["status"] != "RUNNING" {
            return task["status"].as_str().unwrap_or_default().to_owned();
        }
    }
    panic!("task {id} still RUNNING after 20 polls");
}

async fn cluster(mock: &MockServer, id: i64) -> Reply {
    get(mock.address(), &format!("/api/v2/obproxy/clusters/{id}")).await
}

fn servers(cluster: &Value) -> Vec<(i64, i64, String)> {
    cluster["obproxies"]
        .as_array()
        .expect("obproxies")
        .iter()
        .map(|s| {
            let status = format!(
                "{}/{}",
                s["status"].as_str().unwrap(),
                s["operateStatus"].as_str().unwrap()
            );
            (
                s["id"].as_i64().unwrap(),
                s["hostId"].as_i64().unwrap(),
                status,
            )
        })
        .collect()
}

#[tokio::test]
async fn a_cluster_is_created_grown_shrunk_and_deleted_through_its_tasks() {
    let mock = mock().await;
    let create = json!({"name": "edge", "address": "edge.example", "port": 2883, "workMode": "RS_LIST",
        "obLinks": [{"clusterName": "ob1", "obClusterId": 3, "username": "proxyro"}]});
    let task = new_task(&send(&mock, "POST", "/api/v2/obproxy/clusters", &create).await);
    assert_eq!(task["name"], "Install obproxy");
    let list = get(mock.address(), "/api/v2/obproxy/clusters")
        .await
        .checked(Expect::Any);
    assert_eq!(
        list["data"]["page"]["totalElements"], 1,
        "not there before its task succeeds"
    );
    assert_eq!(wait(&mock, &task["id"]).await, "SUCCESSFUL");
    let list = get(mock.address(), "/api/v2/obproxy/clusters")
        .await
        .checked(Expect::Any);
    let made = &list["data"]["contents"][1];
    assert_eq!(
        (made["id"].as_i64(), made["name"].as_str()),
        (Some(2), Some("edge"))
    );
    assert_eq!(made["obLinks"][0]["clusterName"], "ob1");

    let add = json!({"hostIds": [7, 8], "sqlPort": 2883, "exporterPort": 2884, "version": "4.2.1"});
    let reply = send(
        &mock,
        "POST",
        "/api/v2/obproxy/clusters/2/obproxies/batchAdd",
        &add,
    )
    .await;
    let page = reply.checked(Expect::Any);
    let tasks = page["data"]["contents"]
        .as_array()
        .expect("a page of tasks")
        .clone();
    assert_eq!(tasks.len(), 2, "one task per server");
    for t in &tasks {
        let one = json!({"data": t, "successful": true, "timestamp": page["timestamp"],
            "duration": page["duration"], "status": 200, "traceId": page["traceId"], "server": page["server"]});
        let violations = Contract::global().check_response(200, &one, Expect::NewTask);
        assert!(violations.is_empty(), "{violations:#?}");
    }
    let grown = cluster(&mock, 2).await.checked(Expect::Any)["data"].clone();
    let creating = "CREATING/OPERATING".to_owned();
    assert_eq!(
        servers(&grown),
        [(2, 7, creating.clone()), (3, 8, creating)]
    );
    for t in &tasks {
        assert_eq!(wait(&mock, &t["id"]).await, "SUCCESSFUL");
    }
    let grown = cluster(&mock, 2).await.checked(Expect::Any)["data"].clone();
    let running = "RUNNING/NORMAL".to_owned();
    assert_eq!(
        servers(&grown),
        [(2, 7, running.clone()), (3, 8, running.clone())]
    );
    assert_eq!(grown["topo"].as_array().map(Vec::len), Some(2), "two IDCs");

    let task = new_task(&delete(mock.address(), "/api/v2/obproxy/clusters/2/obproxies/2").await);
    assert_eq!(task["name"], "Offline obproxy");
    assert_eq!(wait(&mock, &task["id"]).await, "SUCCESSFUL");
    let shrunk = cluster(&mock, 2).await.checked(Expect::Any)["data"].clone();
    assert_eq!(servers(&shrunk), [(3, 8, running)]);

    let task = new_task(&delete(mock.address(), "/api/v2/obproxy/clusters/2").await);
    let during = cluster(&mock, 2).await.checked(Expect::Any)["data"].clone();
    assert_eq!(servers(&during), [(3, 8, "DELETING/OPERATING".to_owned())]);
    assert_eq!(wait(&mock, &task["id"]).await, "SUCCESSFUL");
    let gone = cluster(&mock, 2).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.checked(Expect::Any)["error"]["code"], "ODP21001");
    let server = delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/3").await;
    assert_eq!(
        server.checked(Expect::Any)["error"]["code"],
        "ODP21002",
        "its server is gone too"
    );
}

#[tokio::test]
async fn a_restart_moves_its_server_through_restarting_and_back() {
    let mock = mock().await;
    let reply = send(
        &mock,
        "POST",
        "/api/v2/obproxy/clusters/1/obproxies/1/restart",
        &json!({}),
    )
    .await;
    let task = new_task(&reply);
    let during = cluster(&mock, 1).await.checked(Expect::Any)["data"].clone();
    assert_eq!(
        servers(&during),
        [(1, 1, "RESTARTING/OPERATING".to_owned())]
    );
    let again = send(
        &mock,
        "POST",
        "/api/v2/obproxy/clusters/1/obproxies/1/upgrade",
        &json!({"shortRpmName": "obproxy-4.2.1"}),
    )
    .await;
    assert_eq!(
        (
            again.status,
            again.checked(Expect::Any)["error"]["code"].clone()
        ),
        (409, json!("ODP21016"))
    );
    assert_eq!(wait(&mock, &task["id"]).await, "SUCCESSFUL");
    let after = cluster(&mock, 1).await.checked(Expect::Any)["data"].clone();
    assert_eq!(servers(&after), [(1, 1, "RUNNING/NORMAL".to_owned())]);
}

#[tokio::test]
async fn bad_lifecycle_input_gets_the_documented_errors_and_changes_nothing() {
    let mock = mock().await;
    let cases: [(&str, &str, Value, u16, &str); 8] = [
        (
            "POST",
            "/api/v2/obproxy/clusters",
            json!({"port": 2883}),
            400,
            "COM10001",
        ),
        (
            "POST",
            "/api/v2/obproxy/clusters",
            json!({"name": "test"}),
            409,
            "COM10006",
        ),
        (
            "POST",
            "/api/v2/obproxy/clusters",
            json!({"name": "x", "workMode": "ZK"}),
            400,
            "COM10001",
        ),
        (
            "POST",
            "/api/v2/obproxy/clusters/1/obproxies/batchAdd",
            json!({"hostIds": [7, 1], "sqlPort": 2883, "exporterPort": 2884, "version": "v"}),
            409,
            "ODP21116",
        ),
        (
            "POST",
            "/api/v2/obproxy/clusters/1/obproxies/batchAdd",
            json!({"hostIds": [9], "sqlPort": 2883, "exporterPort": 2884, "version": "v"}),
            404,
            "CMP07005",
        ),
        (
            "POST",
            "/api/v2/obproxy/clusters/9/obproxies/batchAdd",
            json!({"hostIds": [7], "sqlPort": 2883, "exporterPort": 2884, "version": "v"}),
            404,
            "ODP21001",
        ),
        (
            "PATCH",
            "/api/v2/obproxy/clusters/1",
            json!({"port": 70000}),
            400,
            "COM10001",
        ),
        (
            "POST",
            "/api/v2/obproxy/clusters/1/obLinks/batchAdd",
            json!([{"clusterName": "x"}]),
            400,
            "COM10001",
        ),
    ];
    for (method, path, body, status, code) in cases {
        let reply = send(&mock, method, path, &body).await;
        assert_eq!(reply.status, status, "{method} {path} {body}");
        assert_eq!(
            reply.checked(Expect::Any)["error"]["code"],
            code,
            "{method} {path} {body}"
        );
    }
    let same = cluster(&mock, 1).await.checked(Expect::Any)["data"].clone();
    assert_eq!(servers(&same), [(1, 1, "RUNNING/NORMAL".to_owned())]);
    assert_eq!(same["port"], 2883);
    let first = new_task(&delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/1").await);
    assert_eq!(first["id"], 33149, "refused calls took no task id");
}

#[tokio::test]
async fn a_cluster_is_updated_and_relinked_at_once() {
    let mock = mock().await;
    let patched = send(
        &mock,
        "PATCH",
        "/api/v2/obproxy/clusters/1",
        &json!({"address": "new.example", "port": 3306}),
    )
    .await;
    let data = patched.checked(Expect::Any)["data"].clone();
    assert_eq!(
        (data["address"].as_str(), data["port"].as_i64()),
        (Some("new.example"), Some(3306))
    );
    let links =
        json!([{"clusterName": "ob1", "obClusterId": 3, "username": "proxyro", "clusterId": 11}]);
    let added = send(
        &mock,
        "POST",
        "/api/v2/obproxy/clusters/1/obLinks/batchAdd",
        &links,
    )
    .await;
    assert!(
        added.checked(Expect::Any).get("data").is_none(),
        "answered without data, as documented"
    );
    let linked = cluster(&mock, 1).await.checked(Expect::Any)["data"]["obLinks"].clone();
    assert_eq!(
        linked,
        json!([{"clusterId": 11, "clusterName": "ob1", "clusterType": "PRIMARY",
        "obClusterId": 3, "status": "RUNNING", "username": "proxyro"}])
    );
    let removed = delete(mock.address(), "/api/v2/obproxy/clusters/1/obLinks/ob1").await;
    assert_eq!(removed.status, 200);
    let unlinked = cluster(&mock, 1).await.checked(Expect::Any)["data"]["obLinks"].clone();
    assert_eq!(unlinked, json!([]));
    let params = get(mock.address(), "/api/v2/obproxy/clusters/1/parameters")
        .await
        .checked(Expect::Any);
    let first = &params["data"]["contents"][0];
    assert_eq!(first["name"], "proxy_info_check_interval");
    assert_eq!(
        first["values"],
        json!([{"obproxies": ["192.0.2.1"], "value": "60s"}])
    );
}
