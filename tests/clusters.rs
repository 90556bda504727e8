//! OBProxy clusters as OCP documents them: the fields of the list and the detail, the list's
//! paging, and an inventory written before the mock knew every field.

use ocp_mock::contract::{Contract, Expect, Violation};
use ocp_mock::{Inventory, MockServer};
use serde_json::{Value, json};

use crate::support::{assert_json_eq, get};

const DOCUMENTED_LIST: &str = include_str!("data/clusters/list.json");
const DOCUMENTED_DETAIL: &str = include_str!("data/clusters/detail.json");

/// A documented sample, with the detail sample's `"version "` (a stray space, against its own
/// table and the list sample) read as `version`.
fn documented(text: &str) -> Value {
    serde_json::from_str(&text.replace("\"version \"", "\"version\"")).expect("the sample is JSON")
}

/// The value with every leaf replaced by its JSON type and every list by the shape of its first
/// item: what two answers must share to have the same fields.
fn shape(value: &Value) -> Value {
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

/// The keys of the objects `depth` levels down in a JSON text, in the order written (the
/// envelope's own keys are at depth 1, those of its `data` object at depth 2).
fn keys_at_depth(text: &str, depth: usize) -> Vec<String> {
    let (mut level, mut in_string, mut escaped) = (0usize, false, false);
    let (mut current, mut keys) = (String::new(), Vec::new());
    for (at, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    in_string = false;
                    let is_key = text[at + 1..].trim_start().starts_with(':');
                    if is_key && level == depth {
                        keys.push(std::mem::take(&mut current));
                    }
                }
                _ => current.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                current.clear();
            }
            '{' | '[' => level += 1,
            '}' | ']' => level = level.saturating_sub(1),
            _ => {}
        }
    }
    keys
}

#[test]
fn keys_are_read_in_text_order_at_their_depth() {
    let text = r#"{"b": {"z": 1, "a": [{"q": 2}]}, "a": "x:y"}"#;
    assert_eq!(keys_at_depth(text, 1), ["b", "a"]);
    assert_eq!(keys_at_depth(text, 2), ["z", "a"]);
}

#[tokio::test]
async fn the_cluster_detail_has_the_documented_fields_and_no_other() {
    let mock = MockServer::start().await;
    let reply = get(mock.address(), "/api/v2/obproxy/clusters/1").await;
    let body = reply.checked(Expect::Any);
    assert_json_eq!(shape(&body), shape(&documented(DOCUMENTED_DETAIL)));
    // The order on the wire, read from the text (a parsed value would sort its keys anyway).
    let written = String::from_utf8_lossy(&reply.raw_body);
    assert_eq!(
        keys_at_depth(&written, 2),
        keys_at_depth(DOCUMENTED_DETAIL, 2),
        "the cluster's keys in the documented sample's order"
    );
    let cluster = &body["data"];
    assert_eq!(cluster["createTime"], "2021-09-01T16:52:56+08:00");
    assert_eq!(cluster["updateTime"], "2021-09-01T16:59:14+08:00");
    assert_eq!(
        cluster["topo"],
        json!([{"count": 2, "idcName": "am171"}, {"count": 2, "idcName": "am172"}])
    );
    assert_eq!(
        cluster["versions"],
        json!([{"count": 4, "version": "4.2.1.0"}])
    );
    insta::assert_json_snapshot!("cluster_detail", ocp_mock::contract::normalize(&body));
}

#[tokio::test]
async fn the_cluster_list_has_the_documented_fields_and_no_other() {
    let mock = MockServer::start().await;
    let body = get(mock.address(), "/api/v2/obproxy/clusters")
        .await
        .checked(Expect::Any);
    assert_json_eq!(shape(&body), shape(&documented(DOCUMENTED_LIST)));
    let prod = &body["data"]["contents"][1];
    assert_eq!(
        prod["obLinks"],
        json!([{"clusterId": 1, "clusterName": "obcluster", "clusterType": "PRIMARY",
                "obClusterId": 1, "status": "RUNNING", "username": "proxyro"}])
    );
    assert_eq!(prod["obproxies"][1]["architecture"], "aarch64");
}

fn violations(body: &Value) -> Vec<(String, String)> {
    Contract::global()
        .check_response(200, body, Expect::Any)
        .into_iter()
        .map(|Violation { pointer, message }| (pointer, message))
        .collect()
}

#[test]
fn the_contract_accepts_the_documented_clusters_and_points_at_a_wrong_field() {
    for text in [DOCUMENTED_LIST, DOCUMENTED_DETAIL] {
        assert_eq!(violations(&documented(text)), vec![]);
    }
    let mut detail = documented(DOCUMENTED_DETAIL);
    detail["data"]["obproxies"][0]["lastActiveTime"] = json!(1_630_486_746_000_i64);
    detail["data"]["obproxies"][0]["status"] = json!("ASLEEP");
    detail["data"]["topo"][0]["count"] = json!("1");
    let found = violations(&detail);
    let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/data/obproxies/0/lastActiveTime",
            "/data/obproxies/0/status",
            "/data/topo/0/count"
        ],
        "{found:#?}"
    );
    let mut list = documented(DOCUMENTED_LIST);
    list["data"]["contents"][0]["createTime"] = json!("2021-09-01 16:52:56");
    list["data"]["contents"][0]
        .as_object_mut()
        .unwrap()
        .remove("obproxies");
    assert_eq!(
        violations(&list),
        vec![],
        "no obproxies: not recognised as a cluster"
    );
    list["data"]["contents"][0]["obproxies"] = json!([]);
    assert_eq!(
        violations(&list),
        vec![(
            "/data/contents/0/createTime".to_owned(),
            "expected an ISO-8601 time with a numeric offset like +08:00, got string \"2021-09-01 16:52:56\""
                .to_owned()
        )]
    );
}

/// An inventory as files were written before the mock answered every documented field.
const OLD_INVENTORY: &str = r#"{
    "clusters": [{"id": 1, "name": "test", "address": "192.0.2.1", "port": 2883, "workMode": "RS_LIST"}],
    "hosts": [{"id": 1, "ip": "192.0.2.1", "name": "obproxy-host-1"}],
    "obproxies": [{"id": 1, "clusterId": 1, "hostId": 1, "sqlPort": 2883, "exporterPort": 2884,
                   "version": "4.2.1.0", "status": "RUNNING", "operateStatus": "NORMAL"}]
}"#;

#[tokio::test]
async fn an_old_inventory_file_still_loads_and_answers_every_documented_field() {
    let inventory = Inventory::parse(OLD_INVENTORY).expect("an old inventory loads");
    let mock = MockServer::builder().inventory(inventory).start().await;
    let reply = get(mock.address(), "/api/v2/obproxy/clusters/1").await;
    let body = reply.checked(Expect::Any);
    assert_json_eq!(shape(&body), shape(&documented(DOCUMENTED_DETAIL)));
    // The order on the wire, read from the text (a parsed value would sort its keys anyway).
    let written = String::from_utf8_lossy(&reply.raw_body);
    assert_eq!(
        keys_at_depth(&written, 2),
        keys_at_depth(DOCUMENTED_DETAIL, 2),
        "the cluster's keys in the documented sample's order"
    );
    let sample = documented(DOCUMENTED_DETAIL);
    for field in [
        "createTime",
        "updateTime",
        "creatorId",
        "creatorName",
        "parameterVersion",
    ] {
        assert_eq!(body["data"][field], sample["data"][field], "{field}");
    }
    for field in [
        "idcName",
        "architecture",
        "lastActiveTime",
        "parameterVersion",
    ] {
        assert_eq!(
            body["data"]["obproxies"][0][field], sample["data"]["obproxies"][0][field],
            "{field}"
        );
    }
}

/// OCP documents no parameter for the cluster list, so no value of `page` or `size` is refused:
/// they are read as Spring Data's one-indexed resolver reads them. Known answers:
/// (query, page.number, page.size).
const PAGING: &[(&str, i64, i64)] = &[
    ("", 1, 10),
    ("page=2&size=1", 2, 1),
    ("page=0", 1, 10),
    ("page=-5&size=-1", 1, 10),
    ("size=0", 1, 10),
    ("size=2000", 1, 2000),
    ("size=2001", 1, 2000),
    ("size=99999999999", 1, 10),
    ("page=abc&size=ten", 1, 10),
    ("page=&size=", 1, 10),
    ("page=2147483648", 1, 10),
    ("page=2147483647&size=1", 2147483647, 1),
    ("name=test&sort=id,desc&page=1&size=1", 1, 1),
];

#[tokio::test]
async fn the_cluster_list_refuses_no_paging_values_and_ignores_unknown_parameters() {
    let mock = MockServer::start().await;
    for &(query, number, size) in PAGING {
        let reply = get(mock.address(), &format!("/api/v2/obproxy/clusters?{query}")).await;
        assert_eq!(reply.status, 200, "{query}");
        let page = &reply.checked(Expect::Any)["data"]["page"];
        assert_eq!(page["number"], number, "{query}");
        assert_eq!(page["size"], size, "{query}");
        assert_eq!(page["totalElements"], 2, "{query}");
    }
    let unfiltered = get(mock.address(), "/api/v2/obproxy/clusters?name=prod").await;
    let body = unfiltered.checked(Expect::Any);
    assert_eq!(
        body["data"]["contents"][0]["name"], "test",
        "name is no documented filter: ignored"
    );
}
