//! OceanBase clusters and their tenants as OCP documents them: the list, the detail, the
//! tenants' list and detail, their 404s, and the inventory file that holds them.

use ocp_mock::contract::Expect;
use ocp_mock::{Inventory, MockServer, OcpVersion};
use serde_json::{Value, json};

use crate::hosts::{documented_data, shape};
use crate::support::{assert_json_eq, get};

/// The keys of an object, sorted.
fn keys(value: &Value) -> Vec<String> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect()
}

fn ids(body: &Value) -> Vec<i64> {
    body["data"]["contents"]
        .as_array()
        .expect("a page")
        .iter()
        .map(|c| c["id"].as_i64().expect("an id"))
        .collect()
}

fn not_found(body: &Value) -> (Value, Value) {
    (
        body["error"]["code"].clone(),
        body["error"]["target"].clone(),
    )
}

#[tokio::test]
async fn the_cluster_list_has_the_documented_fields_and_counts_tenants() {
    let mock = MockServer::start().await;
    let reply = get(mock.address(), "/api/v2/ob/clusters").await;
    let body = reply.checked(Expect::Any);
    assert_eq!(ids(&body), vec![1, 2]);
    let cluster = &body["data"]["contents"][0];
    let sample = &documented_data("GET", "/api/v2/ob/clusters")["contents"][0];
    // The sample's fields, and those the table adds (4.3.4 documents deadLockDetectionEnabled).
    let mut expected = keys(sample);
    expected.extend(["partitionCount", "updateTime", "deadLockDetectionEnabled"].map(String::from));
    expected.sort();
    assert_eq!(keys(cluster), expected);
    assert_json_eq!(shape(&cluster["zones"][0]), shape(&sample["zones"][0]));
    assert_json_eq!(
        shape(&cluster["rootServers"][0]),
        shape(&sample["rootServers"][0])
    );
    assert_eq!(cluster["tenantCount"], 3);
    assert_eq!(cluster["serverCount"], 3);
    assert_eq!(
        cluster["name"], "obcluster",
        "the cluster OBProxy cluster 2 links to"
    );
    let detail = get(mock.address(), "/api/v2/ob/clusters/1").await;
    assert_json_eq!(
        detail.checked(Expect::Any)["data"],
        *cluster,
        "detail and list agree"
    );
}

#[tokio::test]
async fn only_4_3_4_and_later_show_dead_lock_detection() {
    let mock = MockServer::builder()
        .ocp_version(OcpVersion::V4_2_2)
        .start()
        .await;
    let body = get(mock.address(), "/api/v2/ob/clusters/1").await.json();
    assert!(body["data"].get("deadLockDetectionEnabled").is_none());
    assert_eq!(body["data"]["id"], 1);
}

#[tokio::test]
async fn the_cluster_list_filters_by_name_and_status() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    let list = |q: &'static str| async move { get(addr, &format!("/api/v2/ob/clusters{q}")).await };
    assert_eq!(ids(&list("?name=DEV").await.json()), vec![2]);
    assert_eq!(ids(&list("?status=RUNNING").await.json()), vec![1]);
    assert_eq!(ids(&list("?sort=name,desc").await.json()), vec![2, 1]);
    assert_eq!(ids(&list("?page=2&size=1").await.json()), vec![2]);
    assert_eq!(list("?status=NAPPING").await.status, 400);
}

#[tokio::test]
async fn an_unknown_cluster_or_tenant_is_a_404() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    for (path, expected) in [
        ("/api/v2/ob/clusters/77", ("OBE11001", "id")),
        ("/api/v2/ob/clusters/77/tenants", ("OBE11001", "clusterId")),
        (
            "/api/v2/ob/clusters/77/tenants/1001",
            ("OBE11001", "clusterId"),
        ),
        (
            "/api/v2/ob/clusters/1/tenants/9999",
            ("OBE21003", "tenantId"),
        ),
        (
            "/api/v2/ob/clusters/1/tenants/1004",
            ("OBE21003", "tenantId"),
        ),
    ] {
        let reply = get(addr, path).await;
        let body = reply.checked(Expect::Any);
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(
            not_found(&body),
            (json!(expected.0), json!(expected.1)),
            "{path}"
        );
    }
    let body = get(addr, "/api/v2/ob/clusters/77").await.json();
    assert_eq!(
        body["error"]["message"],
        "The specified cluster with the ID of 77 does not exist."
    );
    let body = get(addr, "/api/v2/ob/clusters/1/tenants/9999").await.json();
    assert_eq!(
        body["error"]["message"],
        "The tenant with the ID of 9999 does not exist."
    );
    assert_eq!(get(addr, "/api/v2/ob/clusters/x/tenants").await.status, 400);
}

#[tokio::test]
async fn tenants_list_and_detail_have_the_documented_fields() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    let list = get(addr, "/api/v2/ob/clusters/1/tenants")
        .await
        .checked(Expect::Any);
    assert_eq!(ids(&list), vec![1001, 1002, 1003]);
    let sample = &documented_data("GET", "/api/v2/ob/clusters/{clusterId}/tenants")["contents"][0];
    assert_json_eq!(shape(&list["data"]["contents"][0]), shape(sample));
    assert_eq!(list["data"]["contents"][1]["description"], "orders");
    let detail = get(addr, "/api/v2/ob/clusters/1/tenants/1001")
        .await
        .checked(Expect::Any);
    let sample = documented_data("GET", "/api/v2/ob/cluster/{clusterId}/tenants/{tenantId}");
    assert_json_eq!(shape(&detail["data"]), shape(&sample));
    assert_eq!(detail["data"]["clusterName"], "obcluster");
    assert_eq!(detail["data"]["clusterStatus"], "RUNNING");
    assert_eq!(
        detail["data"]["zones"][0]["resourcePool"]["unitConfig"]["minCpuCoreCount"],
        2.5
    );
    let other = get(addr, "/api/v2/ob/clusters/2/tenants/1004").await.json();
    assert_eq!(other["data"]["clusterStatus"], "STOPPED");
}

#[tokio::test]
async fn the_tenant_list_filters_as_documented() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    let list = |q: &'static str| async move {
        get(addr, &format!("/api/v2/ob/clusters/1/tenants{q}")).await
    };
    assert_eq!(ids(&list("?mode=ORACLE").await.json()), vec![1003]);
    assert_eq!(ids(&list("?locked=true").await.json()), vec![1003]);
    assert_eq!(
        ids(&list("?readonly=false&name=APP").await.json()),
        vec![1002, 1003]
    );
    assert_eq!(
        ids(&list("?status=CREATING").await.json()),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(&list("?sort=asc,name").await.json()),
        vec![1002, 1003, 1001]
    );
    for bad in ["?locked=maybe", "?mode=POSTGRES", "?status=ASLEEP"] {
        let reply = list(bad).await;
        assert_eq!(reply.status, 400, "{bad}");
        assert_eq!(reply.json()["error"]["code"], "COM10001", "{bad}");
    }
}

const OBPROXY_ONLY: &str = r#"{
    "clusters": [{"id": 1, "name": "c", "address": "192.0.2.1", "port": 2883, "workMode": "RS_LIST"}],
    "hosts": [{"id": 1, "ip": "192.0.2.1", "name": "h"}],
    "obproxies": [{"id": 1, "clusterId": 1, "hostId": 1, "sqlPort": 2883, "exporterPort": 2884,
                   "version": "4.2.1.0", "status": "RUNNING", "operateStatus": "NORMAL"}]
}"#;

#[tokio::test]
async fn a_file_with_only_obproxy_families_loads_without_ob_clusters() {
    let inventory = Inventory::parse(OBPROXY_ONLY).expect("the OB families are optional");
    let mock = MockServer::builder().inventory(inventory).start().await;
    let body = get(mock.address(), "/api/v2/ob/clusters").await.json();
    assert_eq!(body["data"]["contents"], json!([]));
    assert_eq!(body["data"]["page"]["totalElements"], 0);
    let host = get(mock.address(), "/api/v2/compute/hosts/1").await.json();
    assert_eq!(host["data"]["hostAgentId"], 6000001, "the sample's value");
}

#[test]
fn a_broken_ob_family_is_refused_with_the_place() {
    let with = |extra: &str| {
        format!(
            "{}, {extra}}}",
            OBPROXY_ONLY.trim_end().trim_end_matches('}')
        )
    };
    let cluster = |id: i64| {
        format!(
            r#"{{"id": {id}, "name": "ob{id}", "obClusterId": {id}, "obVersion": "4.2.1.0", "status": "RUNNING", "type": "PRIMARY"}}"#
        )
    };
    let tenant = |id: i64, cluster: i64| {
        format!(r#"{{"id": {id}, "clusterId": {cluster}, "name": "t{id}", "mode": "MYSQL"}}"#)
    };
    let cases = [
        (
            format!(r#""obClusters": [{}, {}]"#, cluster(1), cluster(1)),
            ("/obClusters/1/id", "duplicate id 1"),
        ),
        (
            format!(r#""obClusters": [{}], "tenants": [{}]"#, cluster(1), tenant(5, 2)),
            ("/tenants/0/clusterId", "no cluster 2"),
        ),
        (
            format!(r#""obClusters": [{}], "tenants": [{}, {}]"#, cluster(1), tenant(5, 1), tenant(5, 1)),
            ("/tenants/1/id", "duplicate id 5"),
        ),
        (
            format!(r#""tenants": [{}]"#, tenant(5, 1)),
            ("/tenants/0/clusterId", "no cluster 1"),
        ),
        (
            r#""obClusters": [{"id": 1, "name": "o", "obClusterId": 1, "obVersion": "4", "status": "RUNNING", "type": "BACKUP"}]"#.to_owned(),
            ("/obClusters/0/type", "unknown type \"BACKUP\""),
        ),
        (
            r#""tenants": {}"#.to_owned(),
            ("/tenants", "missing, or not a list"),
        ),
    ];
    for (extra, (pointer, reason)) in cases {
        let err = Inventory::parse(&with(&extra)).unwrap_err();
        assert_eq!(
            (err.pointer.as_str(), err.reason.as_str()),
            (pointer, reason),
            "{extra}"
        );
    }
    let err = Inventory::parse(&with(
        r#""tenants": [{"id": 5, "clusterId": 1, "name": "t"}]"#,
    ))
    .unwrap_err();
    assert_eq!(err.pointer, "/tenants/0/mode");
}
