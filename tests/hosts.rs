//! Hosts as OCP documents them: every host an OBProxy server or a task names resolves, the
//! detail has the documented sample's fields, the list filters and pages, and a host is deleted
//! only when nothing uses it (all or nothing for several).

use std::net::SocketAddr;

use ocp_mock::contract::Expect;
use ocp_mock::{Inventory, MockServer};
use serde_json::{Value, json};

use crate::support::{ADMIN_BASIC, Reply, assert_json_eq, call, delete, get, raw};

const CATALOGUE: &str = include_str!("../fixtures/ocp-catalogue/V4.3.4.en-US.json");

/// The `data` of the first sample response on OCP 4.3.4's pages for `method path`.
pub fn documented_data(method: &str, path: &str) -> Value {
    let catalogue: Value = serde_json::from_str(CATALOGUE).expect("the catalogue is JSON");
    catalogue["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .filter(|p| p["method"] == method && p["path"] == path)
        .flat_map(|p| p["code_blocks"].as_array().cloned().unwrap_or_default())
        .find_map(|b| b["json"]["data"].as_object().cloned())
        .map(Value::Object)
        .unwrap_or_else(|| panic!("no sample data on a page of {method} {path}"))
}

/// The value with every leaf replaced by its JSON type and every list by the shape of its
/// first item: what two answers must share to have the same fields.
pub fn shape(value: &Value) -> Value {
    match value {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), shape(v))).collect(),
        Value::Array(items) => Value::Array(items.first().map(shape).into_iter().collect()),
        Value::String(_) => json!("string"),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!("integer"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("boolean"),
        Value::Null => json!("null"),
    }
}

/// A POST with a JSON body, signed in as the default administrator.
async fn post(addr: SocketAddr, path: &str, body: &str) -> Reply {
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    raw(addr, req.as_bytes()).await
}

/// An error answer's status and `error.code`, after the contract check.
fn error_of(reply: &Reply) -> (u16, Value) {
    let body = reply.checked(Expect::Any);
    (reply.status, body["error"]["code"].clone())
}

/// The ids of a page's contents.
fn ids(body: &Value) -> Vec<i64> {
    body["data"]["contents"]
        .as_array()
        .expect("a page")
        .iter()
        .map(|c| c["id"].as_i64().expect("an id"))
        .collect()
}

#[tokio::test]
async fn every_host_an_obproxy_server_or_a_task_names_resolves() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    let clusters = get(addr, "/api/v2/obproxy/clusters?size=100").await.json();
    let mut seen = 0;
    for cluster in clusters["data"]["contents"].as_array().expect("clusters") {
        for server in cluster["obproxies"].as_array().expect("servers") {
            let path = format!("/api/v2/compute/hosts/{}", server["hostId"]);
            let reply = get(addr, &path).await;
            assert_eq!(reply.status, 200, "{path}");
            let host = &reply.checked(Expect::Any)["data"];
            assert_eq!(host["id"], server["hostId"]);
            assert_eq!(host["innerIpAddress"], server["ip"], "{path}");
            assert_eq!(host["idcName"], server["idcName"], "{path}");
            assert_eq!(host["architecture"], server["architecture"], "{path}");
            seen += 1;
        }
    }
    assert_eq!(seen, 6, "the default inventory's six servers");
    let task = delete(addr, "/api/v2/obproxy/clusters/1/obproxies/1,3")
        .await
        .json();
    let host_ids = task["data"]["context"]["listMap"]["host_ids"]
        .as_array()
        .expect("host_ids")
        .clone();
    assert_eq!(host_ids, vec![json!("1"), json!("3")]);
    for id in host_ids {
        let path = format!("/api/v2/compute/hosts/{}", id.as_str().expect("a string"));
        assert_eq!(get(addr, &path).await.status, 200, "{path}");
    }
}

#[tokio::test]
async fn the_host_detail_has_every_field_of_the_documented_sample() {
    let mock = MockServer::start().await;
    let reply = get(mock.address(), "/api/v2/compute/hosts/2").await;
    let body = reply.checked(Expect::Any);
    let documented = documented_data("GET", "/api/v2/compute/hosts/{hostId}");
    assert_json_eq!(shape(&body["data"]), shape(&documented));
    assert_json_eq!(
        body["data"]["services"],
        json!([{"name": "test", "softwarePackageId": null, "type": "OB_PROXY", "version": "4.2.1.0"}])
    );
    let list = get(mock.address(), "/api/v2/compute/hosts").await.json();
    let documented = documented_data("GET", "/api/v2/compute/hosts");
    assert_json_eq!(
        shape(&list["data"]["contents"][0]),
        shape(&documented["contents"][0])
    );
    assert_json_eq!(
        list["data"]["contents"][1],
        body["data"],
        "list and detail agree"
    );
}

#[tokio::test]
async fn the_host_list_filters_sorts_and_pages_as_documented() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    let list = |query: &'static str| async move {
        get(addr, &format!("/api/v2/compute/hosts{query}")).await
    };
    let all = list("").await.checked(Expect::Any);
    assert_eq!(ids(&all), vec![1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(
        all["data"]["page"],
        json!({"number": 1, "size": 10, "totalElements": 7, "totalPages": 1})
    );
    let page = list("?page=2&size=3").await.json();
    assert_eq!(ids(&page), vec![4, 5, 6]);
    assert_eq!(page["data"]["page"]["totalPages"], 3);
    assert_eq!(ids(&list("?status=AVAILABLE").await.json()), vec![7]);
    assert_eq!(
        ids(&list("?status=NEW,ONLINE&size=2").await.json()),
        vec![1, 2]
    );
    assert_eq!(ids(&list("?keyword=SPARE").await.json()), vec![7]);
    assert_eq!(ids(&list("?keyword=192.0.2.3").await.json()), vec![3]);
    assert_eq!(
        ids(&list("?keyword=prod").await.json()),
        vec![5, 6],
        "a service's name"
    );
    let proxies = list("?includedServiceType=OB_PROXY").await.json();
    assert_eq!(ids(&proxies), vec![1, 2, 3, 4, 5, 6]);
    let free = list("?excludedServiceType=OB_PROXY,OB_CLUSTER")
        .await
        .json();
    assert_eq!(ids(&free), vec![7]);
    assert_eq!(ids(&list("?sort=id,desc&size=2").await.json()), vec![7, 6]);
    assert_eq!(ids(&list("?sort=name,asc").await.json())[0], 1);
    for bad in ["?status=ASLEEP", "?includedServiceType=REDIS"] {
        let reply = list(bad).await;
        assert_eq!(error_of(&reply), (400, json!("COM10001")), "{bad}");
    }
}

#[tokio::test]
async fn a_host_is_deleted_only_once_nothing_uses_it_and_reset_brings_it_back() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    let refused = delete(addr, "/api/v2/compute/hosts/1").await;
    assert_eq!(error_of(&refused), (409, json!("CMP07004")));
    let error = &refused.json()["error"];
    assert_eq!(
        error["message"],
        "Current host 192.0.2.1 is offline or in use. Release the host, restore its status to AVAILABLE, and try again."
    );
    assert_eq!(
        error["debugMessage"],
        "host 1 runs OBProxy server 1 of OBProxy cluster 1"
    );
    // Server 2 is being deleted: its task uses host 2 until it succeeds.
    let task = delete(addr, "/api/v2/obproxy/clusters/1/obproxies/2")
        .await
        .json();
    let task_id = task["data"]["id"].as_i64().expect("a task id");
    let refused = delete(addr, "/api/v2/compute/hosts/2").await;
    assert_eq!(error_of(&refused), (409, json!("CMP07004")));
    assert_eq!(
        refused.json()["error"]["debugMessage"],
        format!("host 2 is used by running task {task_id}")
    );
    let task_path = format!("/api/v2/tasks/instances/{task_id}");
    for _ in 0..4 {
        get(addr, &task_path).await;
    }
    assert_eq!(
        get(addr, &task_path).await.json()["data"]["status"],
        "SUCCESSFUL"
    );
    let deleted = delete(addr, "/api/v2/compute/hosts/2").await;
    let body = deleted.checked(Expect::Any);
    assert_eq!(deleted.status, 200);
    assert!(
        body.get("data").is_none(),
        "the documented answer has no data"
    );
    let gone = get(addr, "/api/v2/compute/hosts/2").await;
    assert_eq!(error_of(&gone), (404, json!("CMP07005")));
    assert_eq!(
        gone.json()["error"]["message"],
        "Host <id:2> does not exist."
    );
    let again = delete(addr, "/api/v2/compute/hosts/2").await;
    assert_eq!(error_of(&again), (404, json!("CMP07005")));
    let listed = get(addr, "/api/v2/compute/hosts").await.json();
    assert_eq!(ids(&listed), vec![1, 3, 4, 5, 6, 7]);
    let reset = call(addr, "POST", "/__mock/reset", &[]).await;
    assert_eq!(reset.status, 200);
    assert_eq!(get(addr, "/api/v2/compute/hosts/2").await.status, 200);
}

#[tokio::test]
async fn a_batch_delete_is_all_or_nothing() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    let batch = "/api/v2/compute/hosts/batchDelete";
    let used = post(addr, batch, r#"{"hostIdList": [7, 1]}"#).await;
    assert_eq!(error_of(&used), (409, json!("CMP07004")));
    let unknown = post(addr, batch, r#"{"hostIdList": [7, 99]}"#).await;
    assert_eq!(error_of(&unknown), (404, json!("CMP07005")));
    assert_eq!(
        get(addr, "/api/v2/compute/hosts/7").await.status,
        200,
        "7 stays"
    );
    for bad in [
        r#"{}"#,
        r#"{"hostIdList": []}"#,
        r#"{"hostIdList": ["x"]}"#,
        "[1",
    ] {
        let reply = post(addr, batch, bad).await;
        assert_eq!(error_of(&reply), (400, json!("COM10001")), "{bad}");
    }
    let done = post(addr, batch, r#"{"hostIdList": [7, 7]}"#).await;
    assert_eq!(done.status, 200);
    done.checked(Expect::Any);
    assert_eq!(get(addr, "/api/v2/compute/hosts/7").await.status, 404);
    let wrong_method = get(addr, batch).await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.header("allow"), Some("POST"));
}

#[tokio::test]
async fn a_host_id_that_is_not_a_long_is_a_bad_parameter() {
    let mock = MockServer::start().await;
    let reply = get(mock.address(), "/api/v2/compute/hosts/abc").await;
    assert_eq!(error_of(&reply), (400, json!("COM10001")));
    assert_eq!(reply.json()["error"]["target"], "hostId");
}

#[test]
fn an_inventory_file_with_a_broken_host_is_refused_with_the_place() {
    let file = |hosts: &str| {
        format!(
            r#"{{"clusters": [{{"id": 1, "name": "c", "address": "192.0.2.1", "port": 2883, "workMode": "RS_LIST"}}],
                "hosts": [{hosts}],
                "obproxies": [{{"id": 1, "clusterId": 1, "hostId": 1, "sqlPort": 2883, "exporterPort": 2884,
                               "version": "4.2.1.0", "status": "RUNNING", "operateStatus": "NORMAL"}}]}}"#
        )
    };
    let host = |id: i64| format!(r#"{{"id": {id}, "ip": "192.0.2.{id}", "name": "h{id}"}}"#);
    let err = Inventory::parse(&file(&format!("{}, {}", host(1), host(1)))).unwrap_err();
    assert_eq!(
        (err.pointer.as_str(), err.reason.as_str()),
        ("/hosts/1/id", "duplicate id 1")
    );
    let err = Inventory::parse(&file(&host(2))).unwrap_err();
    assert_eq!(
        (err.pointer.as_str(), err.reason.as_str()),
        ("/obproxies/0/hostId", "no host 1")
    );
    let kind = r#"{"id": 1, "ip": "192.0.2.1", "name": "h", "kind": "VM"}"#;
    let err = Inventory::parse(&file(kind)).unwrap_err();
    assert_eq!(
        (err.pointer.as_str(), err.reason.as_str()),
        ("/hosts/0/kind", "unknown kind \"VM\"")
    );
    let port = r#"{"id": 1, "ip": "192.0.2.1", "name": "h", "sshPort": "22"}"#;
    let err = Inventory::parse(&file(port)).unwrap_err();
    assert_eq!(err.pointer, "/hosts/0");
    assert!(err.reason.starts_with("invalid type: string"), "{err}");
}
