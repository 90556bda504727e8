//! The lifecycle's effects, checked on the state without HTTP: each lands once, when its task
//! succeeds, and a refused call changes nothing.

use super::*;
use crate::mock::auth::{Identity, Role};
use crate::mock::settings::Settings;
use crate::ocp::version::OcpVersion;

/// Hosts 1-6 run servers 1-6 in the default inventory; 7 and 8 are free.
const INVENTORY: &str = r#"{
  "clusters": [{"id": 1, "name": "test", "address": "192.0.2.1", "port": 2883, "workMode": "RS_LIST"}],
  "hosts": [
    {"id": 1, "ip": "192.0.2.1", "name": "h1"},
    {"id": 7, "ip": "192.0.2.7", "name": "h7"},
    {"id": 8, "ip": "192.0.2.8", "name": "h8"}
  ],
  "obproxies": [{"id": 1, "clusterId": 1, "hostId": 1, "sqlPort": 2883, "exporterPort": 2884,
                 "version": "3.2.3", "status": "RUNNING", "operateStatus": "NORMAL"}]
}"#;

fn admin() -> Identity {
    Identity {
        id: 100,
        name: "admin".into(),
        role: Role::Admin,
    }
}

fn fresh() -> (Store, TaskTemplates) {
    let settings = Settings {
        inventory: Inventory::parse(INVENTORY).expect("a valid inventory"),
        ..Settings::default()
    };
    let templates = TaskTemplates::for_version(OcpVersion::V4_3_4);
    (Store::new(&settings, templates.lead()), templates)
}

fn caller<'a>(
    who: &'a Identity,
    templates: &TaskTemplates,
    method: &str,
    pattern: &str,
) -> Caller<'a> {
    Caller {
        kind: templates
            .documented(method, pattern)
            .expect("a documented call"),
        creator: who,
        start_ms: 0,
        fail_at: None,
    }
}

/// Polls task `id` until it ends; its final status.
fn run(state: &mut State, templates: &TaskTemplates, id: i64) -> String {
    for poll in 1..100 {
        let task = state
            .query_task(templates, "x", id, TaskPace::Polls(5), poll * 1000)
            .expect("a task");
        if task["status"] != "RUNNING" {
            return task["status"].as_str().unwrap_or_default().to_owned();
        }
    }
    panic!("task {id} never ended");
}

fn status(state: &State, id: i64) -> (String, String) {
    let s = state.inventory.server(id).expect("a server");
    (s.status.clone(), s.operate_status.clone())
}

fn new_cluster(name: &str, hosts: Vec<i64>) -> NewCluster {
    NewCluster {
        name: name.into(),
        address: "a".into(),
        port: 2883,
        work_mode: "RS_LIST".into(),
        host_ids: hosts,
        sql_port: 2883,
        exporter_port: 2884,
        version: "4.2.1".into(),
        ob_links: Vec::new(),
        creator: (100, "admin".into()),
    }
}

#[test]
fn a_created_cluster_appears_with_its_servers_only_once_its_task_succeeds() {
    let (store, templates) = fresh();
    let mut state = store.lock();
    let who = admin();
    let call = ClusterCreate {
        caller: caller(&who, &templates, "POST", "/api/v2/obproxy/clusters"),
        cluster: new_cluster("fresh", vec![7]),
    };
    let task = state.create_cluster(&templates, call).expect("created");
    assert!(state.inventory.cluster_named("fresh").is_none());
    let again = ClusterCreate {
        caller: caller(&who, &templates, "POST", "/api/v2/obproxy/clusters"),
        cluster: new_cluster("fresh", Vec::new()),
    };
    let refused = state
        .create_cluster(&templates, again)
        .expect_err("name taken");
    assert_eq!(refused.code.id, "COM10006");
    assert_eq!(refused.status(), 409);
    assert_eq!(run(&mut state, &templates, task.task_id), "SUCCESSFUL");
    let cluster = state.inventory.cluster_named("fresh").expect("created").id;
    assert_eq!(cluster, 2, "the id after the inventory's");
    let servers: Vec<(i64, i64, &str)> = state
        .inventory
        .servers_of(cluster)
        .map(|s| (s.id, s.host_id, s.status.as_str()))
        .collect();
    assert_eq!(servers, [(2, 7, "RUNNING")]);
}

#[test]
fn added_servers_are_creating_then_running_and_a_busy_host_is_refused() {
    let (store, templates) = fresh();
    let mut state = store.lock();
    let who = admin();
    let add = |hosts: Vec<(i64, u16)>| ServerAdd {
        caller: caller(
            &who,
            &templates,
            "POST",
            "/api/v2/obproxy/clusters/{id}/obproxies/batchAdd",
        ),
        cluster_id: 1,
        target: "hostIds",
        hosts,
        exporter_port: 2884,
        version: "4.2.1".into(),
        status: "CREATING",
    };
    let busy = state.add_servers(&templates, add(vec![(7, 2883), (1, 2883)]));
    assert_eq!(busy.expect_err("host 1 runs server 1").code.id, "ODP21116");
    assert!(state.inventory.server(2).is_none(), "all or nothing");
    let unknown = state.add_servers(&templates, add(vec![(9, 2883)]));
    assert_eq!(unknown.expect_err("no host 9").code.id, "CMP07005");
    let tasks = state
        .add_servers(&templates, add(vec![(7, 2883), (8, 2883)]))
        .expect("added");
    assert_eq!(tasks.len(), 2);
    assert_eq!(status(&state, 2), ("CREATING".into(), "OPERATING".into()));
    assert_eq!(run(&mut state, &templates, tasks[0].task_id), "SUCCESSFUL");
    assert_eq!(status(&state, 2), ("RUNNING".into(), "NORMAL".into()));
    assert_eq!(status(&state, 3), ("CREATING".into(), "OPERATING".into()));
}

#[test]
fn an_upgrade_that_fails_keeps_its_servers_upgrading_until_a_retry_succeeds() {
    let (store, templates) = fresh();
    let mut state = store.lock();
    let who = admin();
    let upgrade = "/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}/upgrade";
    let call = ServersOperation {
        caller: Caller {
            fail_at: Some("Wait node".into()),
            ..caller(&who, &templates, "POST", upgrade)
        },
        cluster_id: 1,
        server_ids: &[1],
        status: "UPGRADING",
        version: Some("4.3.0".into()),
    };
    let task = state.operate_servers(&templates, call).expect("started");
    assert_eq!(run(&mut state, &templates, task.task_id), "FAILED");
    assert_eq!(status(&state, 1), ("UPGRADING".into(), "OPERATING".into()));
    assert_eq!(state.inventory.server(1).expect("kept").version, "3.2.3");
    state
        .retry_task(&templates, "x", task.task_id, 100_000)
        .expect("a failed task is retried");
    assert_eq!(run(&mut state, &templates, task.task_id), "SUCCESSFUL");
    assert_eq!(status(&state, 1), ("RUNNING".into(), "NORMAL".into()));
    assert_eq!(state.inventory.server(1).expect("kept").version, "4.3.0");
}

#[test]
fn a_deleted_cluster_is_gone_with_its_servers_and_cannot_be_deleted_twice() {
    let (store, templates) = fresh();
    let mut state = store.lock();
    let who = admin();
    let pattern = "/api/v2/obproxy/clusters/{id}";
    let task = state
        .delete_cluster(&templates, 1, caller(&who, &templates, "DELETE", pattern))
        .expect("started");
    assert_eq!(status(&state, 1), ("DELETING".into(), "OPERATING".into()));
    let twice = state.delete_cluster(&templates, 1, caller(&who, &templates, "DELETE", pattern));
    assert_eq!(twice.expect_err("being deleted").code.id, "ODP21010");
    let patch = state.update_cluster(1, Some("b".into()), None, 0);
    assert_eq!(patch.expect_err("being deleted").code.id, "ODP21010");
    assert_eq!(run(&mut state, &templates, task.task_id), "SUCCESSFUL");
    assert!(state.inventory.cluster(1).is_none() && state.inventory.server(1).is_none());
    let gone = state.delete_cluster(&templates, 1, caller(&who, &templates, "DELETE", pattern));
    assert_eq!(gone.expect_err("gone").code.id, "ODP21001");
}

#[test]
fn links_change_at_once() {
    let (store, _) = fresh();
    let mut state = store.lock();
    let link = ObLink {
        cluster_id: 5,
        cluster_name: "ob".into(),
        username: "proxyro".into(),
        status: "RUNNING".into(),
        ob_cluster_id: 5,
        cluster_type: "PRIMARY".into(),
    };
    state.add_links(1, vec![link.clone()]).expect("linked");
    assert_eq!(state.inventory.cluster(1).expect("c").ob_links, [link]);
    state.remove_link(1, "ob").expect("unlinked");
    assert!(state.inventory.cluster(1).expect("c").ob_links.is_empty());
    assert_eq!(
        state
            .add_links(9, Vec::new())
            .expect_err("no cluster")
            .code
            .id,
        "ODP21001"
    );
}
