//! What holds in every profile: a delete of several servers is the documented DAG in one lane,
//! the servers named in `context.listMap`, never one lane per server.

use ocp_mock::contract::Expect;
use ocp_mock::{MockServer, OcpVersion};
use serde_json::{Value, json};

use crate::support::delete;

/// The DELETE's documented answer a profile follows: the seed's up to 4.3.4, 4.3.5's page after.
fn documented_delete(version: OcpVersion) -> Value {
    let text = match version {
        OcpVersion::V4_3_5 => include_str!("../fixtures/v4.3.5/delete-obproxy.json"),
        _ => include_str!("../fixtures/delete-obproxy.json"),
    };
    serde_json::from_str(text).expect("fixture is JSON")
}

/// A subtask without what numbers it (its id and edges): what it does and where it stands.
fn what(subtask: &Value) -> Value {
    let mut s = subtask.clone();
    for key in ["id", "upstreams", "downstreams"] {
        s.as_object_mut().unwrap().remove(key);
    }
    s
}

#[tokio::test]
async fn in_every_profile_three_servers_are_deleted_by_the_documented_dag_in_one_lane() {
    for version in OcpVersion::ALL {
        let mock = MockServer::builder().ocp_version(version).start().await;
        let body = delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/1,2,3")
            .await
            .checked(Expect::NewTask);
        let task = &body["data"];
        assert_eq!(
            task["context"]["listMap"],
            json!({"obproxy_server_ids": ["1", "2", "3"], "host_ids": ["1", "2", "3"]}),
            "OCP {version}"
        );
        let documented = documented_delete(version);
        let theirs: Vec<Value> = documented["data"]["subtasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(what)
            .collect();
        let ours: Vec<Value> = task["subtasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(what)
            .collect();
        assert_eq!(
            ours, theirs,
            "OCP {version}: the documented subtasks, once each"
        );
        let mut series: Vec<i64> = ours
            .iter()
            .map(|s| s["seriesId"].as_i64().unwrap())
            .collect();
        series.sort_unstable();
        series.dedup();
        assert_eq!(
            series.len(),
            ours.len(),
            "OCP {version}: every seriesId once"
        );
    }
}
