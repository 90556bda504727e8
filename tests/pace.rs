//! The README's claims about `--task-pace polls:N`, run: with the default (5) a poller sees a
//! subtask RUNNING at the 1st and 3rd polls, READY at the 2nd, and the task SUCCESSFUL at the
//! 4th; with an even N no answer ever shows a RUNNING subtask.

use std::net::SocketAddr;

use ocp_mock::contract::Expect;
use ocp_mock::{MockServer, OcpVersion, TaskPace};

use crate::support::{DOCUMENTED_PATH, call, delete};

/// Polls the task of a fresh DELETE until it ends; each answer's task status with the set of
/// its subtasks' statuses.
async fn polls(addr: SocketAddr) -> Vec<(String, Vec<String>)> {
    let created = delete(addr, DOCUMENTED_PATH).await.checked(Expect::NewTask);
    let path = format!("/api/v2/tasks/instances/{}", created["data"]["id"]);
    let mut seen = Vec::new();
    for _ in 0..40 {
        let data = call(addr, "GET", &path, &[]).await.checked(Expect::Any)["data"].clone();
        let mut statuses: Vec<String> = data["subtasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["status"].as_str().map(str::to_owned))
            .collect();
        statuses.sort();
        statuses.dedup();
        let task = data["status"].as_str().unwrap_or_default().to_owned();
        let done = task != "RUNNING";
        seen.push((task, statuses));
        if done {
            break;
        }
    }
    seen
}

fn has(statuses: &[String], status: &str) -> bool {
    statuses.iter().any(|s| s == status)
}

#[tokio::test]
async fn the_default_pace_shows_running_ready_running_then_successful() {
    let readme = include_str!("../README.md");
    assert!(readme.contains(
        "with the default a poller sees\n  a subtask RUNNING at the 1st and 3rd polls, READY at the 2nd, and the task SUCCESSFUL at the\n  4th"
    ));
    for version in OcpVersion::ALL {
        let mock = MockServer::builder().ocp_version(version).start().await;
        let seen = polls(mock.address()).await;
        assert_eq!(seen.len(), 4, "OCP {version}: {seen:?}");
        assert!(
            has(&seen[0].1, "RUNNING") && has(&seen[2].1, "RUNNING"),
            "{seen:?}"
        );
        assert!(
            has(&seen[1].1, "READY") && !has(&seen[1].1, "RUNNING"),
            "{seen:?}"
        );
        assert_eq!(seen[3].0, "SUCCESSFUL", "OCP {version}");
    }
}

#[tokio::test]
async fn an_even_pace_never_shows_a_running_subtask() {
    let readme = include_str!("../README.md");
    assert!(
        readme.contains("(an even N always stops between two subtasks and never shows RUNNING)")
    );
    for n in [2, 4, 6, 8, 10] {
        let mock = MockServer::builder()
            .task_pace(TaskPace::Polls(n))
            .start()
            .await;
        let seen = polls(mock.address()).await;
        assert_eq!(seen.last().unwrap().0, "SUCCESSFUL", "polls:{n}");
        for (i, (_, statuses)) in seen.iter().enumerate() {
            assert!(
                !has(statuses, "RUNNING"),
                "polls:{n}, poll {}: {statuses:?}",
                i + 1
            );
        }
    }
    // An odd N does show one: the claim is about evenness, not about any pace.
    let mock = MockServer::builder()
        .task_pace(TaskPace::Polls(3))
        .start()
        .await;
    let seen = polls(mock.address()).await;
    assert!(seen.iter().any(|(_, s)| has(s, "RUNNING")), "{seen:?}");
}
