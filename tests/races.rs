//! Races: many clients at once, each on its own connection, released together by a barrier.
//! Whatever the interleaving, a server is claimed by at most one running task, a refused delete
//! creates nothing, task and subtask ids never repeat, and the cluster view agrees with the
//! answers.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ocp_mock::Inventory;
use ocp_mock::MockServer;
use ocp_mock::TaskPace;
use ocp_mock::contract::Expect;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Barrier;

use crate::support::{ADMIN_BASIC, Reply, call, fold, parse_reply};

const FIRST_TASK: i64 = 33149;

/// How long one request of a race may take before the test fails instead of hanging.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends every `(method, path)` on its own connection, all released by one barrier once every
/// connection is open; answers in the order of `requests`.
async fn at_once(addr: SocketAddr, requests: &[(&str, String)]) -> Vec<Reply> {
    let barrier = Arc::new(Barrier::new(requests.len()));
    let clients: Vec<_> = requests
        .iter()
        .map(|(method, path)| {
            let barrier = barrier.clone();
            let request = format!(
                "{method} {path} HTTP/1.1\r\nHost: mock\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
            );
            tokio::spawn(async move {
                let mut stream = TcpStream::connect(addr).await.expect("connect to the mock");
                barrier.wait().await;
                stream
                    .write_all(request.as_bytes())
                    .await
                    .expect("send the request");
                let mut buf = Vec::new();
                tokio::time::timeout(REQUEST_TIMEOUT, stream.read_to_end(&mut buf))
                    .await
                    .unwrap_or_else(|_| panic!("no answer within {REQUEST_TIMEOUT:?}: {request}"))
                    .expect("read the answer");
                parse_reply(&buf)
            })
        })
        .collect();
    let mut replies = Vec::new();
    for client in clients {
        replies.push(client.await.expect("the client task ran to its end"));
    }
    replies
}

async fn get(addr: SocketAddr, path: &str) -> Reply {
    tokio::time::timeout(REQUEST_TIMEOUT, call(addr, "GET", path, &[]))
        .await
        .unwrap_or_else(|_| panic!("GET {path}: no answer within {REQUEST_TIMEOUT:?}"))
}

/// The cluster's servers as `id -> "STATUS/OPERATESTATUS"`.
async fn cluster_view(addr: SocketAddr, id: i64) -> BTreeMap<i64, String> {
    let reply = get(addr, &format!("/api/v2/obproxy/clusters/{id}")).await;
    assert_eq!(reply.status, 200, "GET cluster {id}");
    let body = reply.checked(Expect::Any);
    body["data"]["obproxies"]
        .as_array()
        .expect("the cluster lists its obproxies")
        .iter()
        .map(|s| {
            let state = format!(
                "{}/{}",
                s["status"].as_str().unwrap_or("?"),
                s["operateStatus"].as_str().unwrap_or("?")
            );
            (s["id"].as_i64().expect("a server id"), state)
        })
        .collect()
}

fn subtask_ids(task: &Value) -> Vec<i64> {
    task["subtasks"]
        .as_array()
        .expect("a task has subtasks")
        .iter()
        .map(|s| s["id"].as_i64().expect("a subtask id"))
        .collect()
}

/// The servers a new task deletes, from its `context.listMap.obproxy_server_ids`.
fn task_servers(task: &Value) -> Vec<i64> {
    task["context"]["listMap"]["obproxy_server_ids"]
        .as_array()
        .expect("the task lists its servers")
        .iter()
        .map(|s| {
            s.as_str()
                .and_then(|s| s.parse().ok())
                .expect("a numeric id string")
        })
        .collect()
}

/// The server a 409 `ODP21016` names: "The status of the OBProxy server [N] is invalid...".
fn refused_server(body: &Value) -> i64 {
    let message = body["error"]["message"].as_str().unwrap_or_default();
    message
        .split_once('[')
        .and_then(|(_, rest)| rest.split_once(']'))
        .and_then(|(id, _)| id.parse().ok())
        .unwrap_or_else(|| panic!("a 409 that names no server: {body}"))
}

/// A small deterministic generator, so each round of a race asks for different sets.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_clients_deleting_one_server_get_one_200_and_sixty_three_409s() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    for round in 0..4 {
        mock.reset();
        let requests = vec![
            (
                "DELETE",
                "/api/v2/obproxy/clusters/1/obproxies/2".to_owned()
            );
            64
        ];
        let replies = at_once(addr, &requests).await;
        let mut statuses = BTreeMap::<u16, usize>::new();
        for reply in &replies {
            *statuses.entry(reply.status).or_default() += 1;
            let expect = if reply.status == 200 {
                Expect::NewTask
            } else {
                Expect::Any
            };
            let body = reply.checked(expect);
            match reply.status {
                200 => {
                    assert_eq!(body["data"]["id"], FIRST_TASK, "round {round}: {body}");
                    assert_eq!(task_servers(&body["data"]), vec![2], "round {round}");
                }
                409 => {
                    assert_eq!(body["error"]["code"], 21016, "round {round}: {body}");
                    assert_eq!(refused_server(&body), 2, "round {round}: {body}");
                }
                other => panic!("round {round}: status {other}: {body}"),
            }
        }
        assert_eq!(
            statuses,
            BTreeMap::from([(200, 1), (409, 63)]),
            "round {round}: statuses of 64 deletes of server 2 at once"
        );
        let created = get(addr, &format!("/api/v2/tasks/instances/{FIRST_TASK}")).await;
        assert_eq!(created.status, 200, "round {round}: the one task exists");
        let next = get(addr, &format!("/api/v2/tasks/instances/{}", FIRST_TASK + 1)).await;
        assert_eq!(next.status, 404, "round {round}: a second task exists");
        assert_eq!(next.checked(Expect::Any)["error"]["code"], 10001);
        let view = cluster_view(addr, 1).await;
        assert_eq!(view[&2], "DELETING/OPERATING", "round {round}: {view:?}");
        assert_eq!(
            mock.count_requests("DELETE", "/api/v2/obproxy/*"),
            64,
            "round {round}: every delete was journalled"
        );
    }
}

/// Subsets of cluster 1's servers (1 to 4) that overlap each other.
const OVERLAPPING: &[&[i64]] = &[
    &[1, 2],
    &[2, 3],
    &[3, 4],
    &[4, 1],
    &[1, 3],
    &[2, 4],
    &[1],
    &[2],
    &[3],
    &[4],
    &[1, 2, 3],
    &[2, 3, 4],
    &[3, 4, 1],
    &[4, 1, 2],
    &[1, 2, 3, 4],
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_deletes_at_once_are_all_or_nothing() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for round in 0..24 {
        mock.reset();
        // 32 clients, each asking for an overlapping set in a shuffled order, some ids repeated.
        let asked: Vec<Vec<i64>> = (0..32)
            .map(|_| {
                let mut set = OVERLAPPING[rng.below(OVERLAPPING.len())].to_vec();
                for i in (1..set.len()).rev() {
                    set.swap(i, rng.below(i + 1));
                }
                if rng.below(4) == 0 {
                    set.push(set[0]);
                }
                set
            })
            .collect();
        let requests: Vec<(&str, String)> = asked
            .iter()
            .map(|ids| {
                let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                let path = format!("/api/v2/obproxy/clusters/1/obproxies/{}", list.join(","));
                ("DELETE", path)
            })
            .collect();
        let replies = at_once(addr, &requests).await;

        let mut claimed = BTreeMap::<i64, i64>::new();
        let mut task_ids = Vec::new();
        let mut subtasks = BTreeSet::new();
        let mut refusals = Vec::new();
        for ((ids, (_, path)), reply) in asked.iter().zip(&requests).zip(&replies) {
            let at = format!("round {round}: DELETE {path}");
            let folded = fold(ids);
            match reply.status {
                200 => {
                    let task = reply.checked(Expect::NewTask)["data"].clone();
                    let id = task["id"].as_i64().expect("a task id");
                    task_ids.push(id);
                    for s in subtask_ids(&task) {
                        assert!(subtasks.insert(s), "{at}: subtask id {s} used twice");
                    }
                    assert_eq!(task_servers(&task), folded, "{at}: the task's servers");
                    for server in folded {
                        if let Some(other) = claimed.insert(server, id) {
                            panic!("{at}: server {server} claimed by tasks {other} and {id}");
                        }
                    }
                }
                409 => {
                    let body = reply.checked(Expect::Any);
                    assert_eq!(body["error"]["code"], 21016, "{at}: {body}");
                    let server = refused_server(&body);
                    assert!(
                        folded.contains(&server),
                        "{at}: refused for server {server}"
                    );
                    refusals.push((at, server));
                }
                other => panic!("{at}: status {other}: {}", reply.json()),
            }
        }
        for (at, server) in refusals {
            assert!(
                claimed.contains_key(&server),
                "{at}: refused for server {server}, which no successful delete claimed ({claimed:?})"
            );
        }
        task_ids.sort_unstable();
        let expected: Vec<i64> = (FIRST_TASK..FIRST_TASK + task_ids.len() as i64).collect();
        assert_eq!(
            task_ids, expected,
            "round {round}: task ids, consecutive, no repeats"
        );
        let after = get(
            addr,
            &format!(
                "/api/v2/tasks/instances/{}",
                expected.last().map_or(FIRST_TASK, |l| l + 1)
            ),
        )
        .await;
        assert_eq!(
            after.status, 404,
            "round {round}: a refused delete created a task"
        );

        let view = cluster_view(addr, 1).await;
        for (server, state) in &view {
            let want = if claimed.contains_key(server) {
                "DELETING/OPERATING"
            } else {
                "RUNNING/NORMAL"
            };
            assert_eq!(state, want, "round {round}: server {server} ({claimed:?})");
        }
        assert_eq!(view.len(), 4, "round {round}: {view:?}");
    }
}

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
                let code = body["error"]["code"].as_i64();
                let server = match code {
                    Some(21016) => refused_server(&body),
                    Some(21002) => body["error"]["message"]
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
