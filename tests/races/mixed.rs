//! Mixed races: deleters and observers over many servers at once, with and without respawn.
//! Every server is deleted once, ids stay fresh, and no two running tasks hold one server.

use super::*;

/// One cluster (1) of `servers` servers, each on its own host, all RUNNING.
fn inventory_of(servers: i64) -> Inventory {
    let hosts: Vec<Value> = (1..=servers)
        .map(|i| json!({"id": i, "ip": format!("192.0.2.{i}"), "name": format!("host-{i}")}))
        .collect();
    let obproxies: Vec<Value> = (1..=servers)
        .map(|i| {
            json!({"id": i, "clusterId": 1, "hostId": i, "sqlPort": 2883, "exporterPort": 2884,
                   "version": "4.2.1.0", "status": "RUNNING", "operateStatus": "NORMAL"})
        })
        .collect();
    let doc = json!({
        "clusters": [{"id": 1, "name": "big", "address": "192.0.2.1", "port": 2883, "workMode": "RS_LIST"}],
        "hosts": hosts,
        "obproxies": obproxies,
    });
    Inventory::parse(&doc.to_string()).expect("a generated inventory is valid")
}

/// A task as its creator last saw it, polled to the end.
#[derive(Debug)]
struct Finished {
    id: i64,
    servers: Vec<i64>,
    subtasks: Vec<i64>,
    start: String,
    finish: String,
}

/// What one client of the mixed race did.
#[derive(Debug, Default)]
struct Log {
    finished: Vec<Finished>,
    /// Refusals: the request and the server the error names.
    refused: Vec<(String, i64)>,
}

/// Deletes random pairs of servers and polls each task it created until it is SUCCESSFUL.
async fn deleter(addr: SocketAddr, servers: i64, seed: u64, attempts: usize) -> Log {
    let mut rng = XorShift(seed);
    let mut log = Log::default();
    for _ in 0..attempts {
        let a = 1 + rng.below(servers as usize) as i64;
        let b = 1 + rng.below(servers as usize) as i64;
        let path = format!("/api/v2/obproxy/clusters/1/obproxies/{a},{b}");
        let reply = tokio::time::timeout(REQUEST_TIMEOUT, call(addr, "DELETE", &path, &[]))
            .await
            .unwrap_or_else(|_| panic!("DELETE {path}: no answer within {REQUEST_TIMEOUT:?}"));
        match reply.status {
            200 => {
                let created = reply.checked(Expect::NewTask)["data"].clone();
                let id = created["id"].as_i64().expect("a task id");
                let mut task = created.clone();
                for _ in 0..16 {
                    if task["status"] == "SUCCESSFUL" {
                        break;
                    }
                    let polled = get(addr, &format!("/api/v2/tasks/instances/{id}")).await;
                    assert_eq!(polled.status, 200, "poll of task {id}");
                    task = polled.checked(Expect::Any)["data"].clone();
                    assert_ne!(task["status"], "FAILED", "task {id}: {task}");
                }
                assert_eq!(task["status"], "SUCCESSFUL", "task {id} after 16 polls");
                log.finished.push(Finished {
                    id,
                    servers: task_servers(&created),
                    subtasks: subtask_ids(&created),
                    start: created["startTime"].as_str().unwrap_or_default().to_owned(),
                    finish: task["finishTime"].as_str().unwrap_or_default().to_owned(),
                });
            }
            404 | 409 => {
                let body = reply.checked(Expect::Any);
                let code = body["error"]["code"].as_str();
                let server = match code {
                    Some("ODP21016") => refused_server(&body),
                    Some("ODP21002") => body["error"]["message"]
                        .as_str()
                        .and_then(|m| m.trim_end_matches(" is not found.").rsplit(' ').next())
                        .and_then(|id| id.parse().ok())
                        .unwrap_or_else(|| panic!("DELETE {path}: {body}")),
                    _ => panic!("DELETE {path}: unexpected error {body}"),
                };
                assert!(server == a || server == b, "DELETE {path}: names {server}");
                log.refused.push((path, server));
            }
            other => panic!("DELETE {path}: status {other}: {}", reply.json()),
        }
    }
    log
}

/// Queries random task ids (running, finished or unknown), as a dashboard would.
async fn observer(addr: SocketAddr, seed: u64, queries: usize) {
    let mut rng = XorShift(seed);
    for _ in 0..queries {
        let id = FIRST_TASK + rng.below(64) as i64;
        let reply = get(addr, &format!("/api/v2/tasks/instances/{id}")).await;
        assert!(
            matches!(reply.status, 200 | 404),
            "GET task {id}: {}",
            reply.status
        );
        reply.checked(Expect::Any);
    }
}

/// Runs 12 deleters and 4 observers on one mock; returns every deleter's log.
async fn mixed_race(mock: &MockServer, servers: i64) -> Vec<Log> {
    let addr = mock.address();
    let deleters: Vec<_> = (0..12u64)
        .map(|i| tokio::spawn(deleter(addr, servers, 0x5eed + i * 7919, 6)))
        .collect();
    let observers: Vec<_> = (0..4u64)
        .map(|i| tokio::spawn(observer(addr, 0xfeed + i * 104_729, 60)))
        .collect();
    let mut logs = Vec::new();
    for d in deleters {
        logs.push(d.await.expect("a deleter ran to its end"));
    }
    for o in observers {
        o.await.expect("an observer ran to its end");
    }
    logs
}

/// Task ids consecutive from the first, subtask ids never reused.
fn assert_ids_are_fresh(tasks: &[&Finished]) {
    let mut ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    ids.sort_unstable();
    let expected: Vec<i64> = (FIRST_TASK..FIRST_TASK + ids.len() as i64).collect();
    assert_eq!(ids, expected, "task ids, consecutive, no repeats");
    let mut seen = BTreeSet::new();
    for t in tasks {
        for s in &t.subtasks {
            assert!(
                seen.insert(*s),
                "subtask id {s} of task {} used before",
                t.id
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_and_polls_racing_over_48_servers_delete_each_server_once() {
    let mock = MockServer::builder()
        .inventory(inventory_of(48))
        .task_pace(TaskPace::Polls(2))
        .start()
        .await;
    let logs = mixed_race(&mock, 48).await;
    let tasks: Vec<&Finished> = logs.iter().flat_map(|l| &l.finished).collect();
    assert!(!tasks.is_empty(), "no delete succeeded: {logs:?}");
    assert_ids_are_fresh(&tasks);
    let mut deleted = BTreeMap::new();
    for t in &tasks {
        for s in &t.servers {
            if let Some(other) = deleted.insert(*s, t.id) {
                panic!("server {s} deleted by tasks {other} and {}", t.id);
            }
        }
    }
    for (path, server) in logs.iter().flat_map(|l| &l.refused) {
        assert!(
            deleted.contains_key(server),
            "DELETE {path} refused for server {server}, which no task deleted"
        );
    }
    let view = cluster_view(mock.address(), 1).await;
    let remaining: BTreeSet<i64> = (1..=48).filter(|s| !deleted.contains_key(s)).collect();
    assert_eq!(
        view.keys().copied().collect::<BTreeSet<_>>(),
        remaining,
        "the cluster keeps exactly the servers no task deleted"
    );
    assert!(
        view.values().all(|s| s == "RUNNING/NORMAL"),
        "every task finished, so no server is left deleting: {view:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_respawn_racing_tasks_never_hold_the_same_server_at_once() {
    let mock = MockServer::builder()
        .inventory(inventory_of(8))
        .task_pace(TaskPace::Polls(2))
        .respawn_deleted(true)
        .start()
        .await;
    let logs = mixed_race(&mock, 8).await;
    let tasks: Vec<&Finished> = logs.iter().flat_map(|l| &l.finished).collect();
    assert_ids_are_fresh(&tasks);
    let mut by_server = BTreeMap::<i64, Vec<&Finished>>::new();
    for t in &tasks {
        for s in &t.servers {
            by_server.entry(*s).or_default().push(t);
        }
    }
    // The race must have exercised what it checks: a server deleted by more than one task.
    assert!(
        by_server.values().any(|holders| holders.len() >= 2),
        "no server was deleted twice in {} finished tasks",
        tasks.len()
    );
    // Times come from the fixed clock, one tick per request: they order every event.
    for (server, mut holders) in by_server {
        holders.sort_by(|a, b| a.start.cmp(&b.start));
        for pair in holders.windows(2) {
            assert!(
                pair[0].finish < pair[1].start,
                "server {server}: task {} ({} to {}) overlaps task {} ({} to {})",
                pair[0].id,
                pair[0].start,
                pair[0].finish,
                pair[1].id,
                pair[1].start,
                pair[1].finish
            );
        }
    }
    let view = cluster_view(mock.address(), 1).await;
    assert_eq!(view.len(), 8, "respawned servers come back: {view:?}");
    assert!(view.values().all(|s| s == "RUNNING/NORMAL"), "{view:?}");
}

#[tokio::test]
async fn with_respawn_a_query_of_a_finished_task_frees_no_server_a_later_task_holds() {
    let mock = MockServer::builder()
        .task_pace(TaskPace::Polls(4))
        .respawn_deleted(true)
        .start()
        .await;
    let addr = mock.address();
    let path = "/api/v2/obproxy/clusters/1/obproxies/2";
    let first = call(addr, "DELETE", path, &[]).await;
    assert_eq!(first.status, 200, "the first delete");
    for _ in 0..4 {
        get(addr, &format!("/api/v2/tasks/instances/{FIRST_TASK}")).await;
    }
    assert_eq!(
        cluster_view(addr, 1).await[&2],
        "RUNNING/NORMAL",
        "respawned"
    );
    let second = call(addr, "DELETE", path, &[]).await;
    assert_eq!(
        second.status, 200,
        "the second delete, of the respawned server"
    );
    let old = get(addr, &format!("/api/v2/tasks/instances/{FIRST_TASK}")).await;
    assert_eq!(old.checked(Expect::Any)["data"]["status"], "SUCCESSFUL");
    let view = cluster_view(addr, 1).await;
    assert_eq!(
        view[&2],
        "DELETING/OPERATING",
        "querying finished task {FIRST_TASK} must not free server 2, which task {} holds",
        FIRST_TASK + 1
    );
    let third = call(addr, "DELETE", path, &[]).await;
    assert_eq!(
        third.status,
        409,
        "a third delete while task {} runs: {}",
        FIRST_TASK + 1,
        String::from_utf8_lossy(&third.raw_body)
    );
}
