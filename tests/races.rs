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

mod mixed;

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
                    assert_eq!(body["error"]["code"], "ODP21016", "round {round}: {body}");
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
        assert_eq!(next.checked(Expect::Any)["error"]["code"], "TSK10001");
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
                    assert_eq!(body["error"]["code"], "ODP21016", "{at}: {body}");
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
