//! The stand-in: state, task progress, cluster views, retry, reset and the admin API.

use ocp_mock::MockServer;
use ocp_mock::TaskPace;
use ocp_mock::contract::{Expect, normalize};
use serde_json::{Value, json};

mod query;

use crate::support::{
    DOCUMENTED_PATH, assert_json_eq, assert_same_bytes, call, delete, documented_example, get,
};

async fn poll(mock: &MockServer, task_id: i64) -> Value {
    let reply = get(
        mock.address(),
        &format!("/api/v2/tasks/instances/{task_id}"),
    )
    .await;
    assert_eq!(reply.status, 200);
    reply.checked(Expect::Any)["data"].clone()
}

/// One line per subtask in DAG order: `Start node: SUCCESSFUL`.
fn statuses(task: &Value) -> Vec<String> {
    let normalized = normalize(&json!({ "data": task }));
    normalized["data"]["subtasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}: {}",
                s["name"].as_str().unwrap(),
                s["status"].as_str().unwrap()
            )
        })
        .collect()
}

fn server_ids(cluster: &Value) -> Vec<i64> {
    cluster["obproxies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}

fn server(cluster: &Value, id: i64) -> &Value {
    cluster["obproxies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()
}

async fn cluster(mock: &MockServer, id: i64) -> Value {
    let reply = get(mock.address(), &format!("/api/v2/obproxy/clusters/{id}")).await;
    assert_eq!(reply.status, 200);
    reply.checked(Expect::Any)["data"].clone()
}

#[tokio::test]
async fn delete_poll_to_success_then_the_server_is_gone() {
    let mock = MockServer::start().await;
    let created = delete(mock.address(), DOCUMENTED_PATH)
        .await
        .checked(Expect::NewTask);
    assert_json_eq!(created, documented_example());
    let before = cluster(&mock, 1).await;
    assert_eq!(server(&before, 2)["status"], "DELETING");
    assert_eq!(server(&before, 2)["operateStatus"], "OPERATING");

    let mut history = Vec::new();
    let mut last_task = Value::Null;
    for _ in 0..10 {
        let task = poll(&mock, 33149).await;
        history.push(json!({"task": task["status"], "subtasks": statuses(&task)}));
        last_task = task;
        if last_task["status"] != "RUNNING" {
            break;
        }
    }
    assert_eq!(last_task["status"], "SUCCESSFUL");
    assert_eq!(last_task["creator"], json!({"id": 100, "name": "admin"}));
    assert!(last_task["finishTime"].is_string());
    assert!(last_task["createTime"].is_string());
    insta::assert_json_snapshot!("task_states_while_polled", history);

    let after = cluster(&mock, 1).await;
    assert_eq!(server_ids(&after), vec![1, 3, 4]);
    let again = delete(mock.address(), DOCUMENTED_PATH).await;
    assert_eq!(again.status, 404);
    assert_eq!(again.checked(Expect::Any)["error"]["code"], "ODP21002");
}

#[tokio::test]
async fn a_second_delete_while_deleting_is_409_and_changes_nothing() {
    let mock = MockServer::start().await;
    delete(mock.address(), DOCUMENTED_PATH)
        .await
        .checked(Expect::NewTask);
    let before = cluster(&mock, 1).await;
    let reply = delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/3,2").await;
    assert_eq!(reply.status, 409);
    let body = reply.checked(Expect::Any);
    assert_eq!(body["error"]["code"], "ODP21016");
    insta::assert_json_snapshot!("error_server_being_deleted", normalize(&body));
    assert_json_eq!(cluster(&mock, 1).await, before, "server 3 untouched");
    let unknown = get(mock.address(), "/api/v2/tasks/instances/33150").await;
    assert_eq!(unknown.status, 404, "no task was created");
}

#[tokio::test]
async fn a_delete_naming_an_unknown_server_deletes_nothing() {
    let mock = MockServer::start().await;
    let before = cluster(&mock, 1).await;
    let reply = delete(
        mock.address(),
        "/api/v2/obproxy/clusters/1/obproxies/3,4,42",
    )
    .await;
    assert_eq!(reply.status, 404);
    assert_json_eq!(cluster(&mock, 1).await, before);
    let ok = delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/3,4").await;
    let body = ok.checked(Expect::NewTask);
    assert_eq!(
        body["data"]["id"], 33149,
        "the refused call took no task id"
    );
}

#[tokio::test]
async fn a_task_failing_at_a_subtask_can_be_retried_to_success() {
    let mock = MockServer::builder()
        .scenario("fail-at:Stop and uninstall obproxy".parse().unwrap())
        .start()
        .await;
    delete(mock.address(), DOCUMENTED_PATH)
        .await
        .checked(Expect::NewTask);
    let mut task = Value::Null;
    for _ in 0..10 {
        task = poll(&mock, 33149).await;
        if task["status"] != "RUNNING" {
            break;
        }
    }
    assert_eq!(task["status"], "FAILED");
    let lines = statuses(&task);
    assert!(
        lines.contains(&"Stop and uninstall obproxy: FAILED".to_owned()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"Delete obproxy info: PENDING".to_owned()),
        "{lines:?}"
    );
    assert_eq!(server(&cluster(&mock, 1).await, 2)["status"], "DELETING");
    let still = poll(&mock, 33149).await;
    assert_eq!(still["status"], "FAILED", "a failed task does not move");

    let retried = call(
        mock.address(),
        "POST",
        "/api/v2/tasks/instances/33149/retry",
        &[],
    )
    .await;
    assert_eq!(retried.status, 200);
    let retried = retried.checked(Expect::Any)["data"].clone();
    assert_eq!(retried["status"], "RUNNING");
    for _ in 0..10 {
        task = poll(&mock, 33149).await;
        if task["status"] != "RUNNING" {
            break;
        }
    }
    assert_eq!(task["status"], "SUCCESSFUL");
    let stop = task["subtasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Stop and uninstall obproxy")
        .unwrap();
    assert_eq!(stop["runTime"], 2, "the retried subtask ran twice");
    assert_eq!(server_ids(&cluster(&mock, 1).await), vec![1, 3, 4]);

    let again = call(
        mock.address(),
        "POST",
        "/api/v2/tasks/instances/33149/retry",
        &[],
    )
    .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.checked(Expect::Any)["error"]["code"], "TSK10007");
}

#[tokio::test]
async fn an_unknown_or_malformed_task_id_is_an_error_envelope() {
    let mock = MockServer::start().await;
    let reply = get(mock.address(), "/api/v2/tasks/instances/9").await;
    assert_eq!(reply.status, 404);
    let body = reply.checked(Expect::Any);
    assert_eq!(body["error"]["code"], "TSK10001");
    assert_eq!(
        body["error"]["target"], "taskInstanceId",
        "the documented parameter name"
    );
    insta::assert_json_snapshot!("error_unknown_task", normalize(&body));
    let reply = get(mock.address(), "/api/v2/tasks/instances/nine").await;
    assert_eq!(reply.status, 400);
    let body = reply.checked(Expect::Any);
    assert_eq!(
        body["error"]["target"], "taskInstanceId",
        "one name per parameter"
    );
}

#[tokio::test]
async fn the_time_pace_runs_tasks_on_the_mock_clock() {
    // The fixed clock moves 1 s per request; each subtask takes 1 s: eight requests finish it.
    let mock = MockServer::builder()
        .task_pace(TaskPace::Time(1000))
        .start()
        .await;
    delete(mock.address(), DOCUMENTED_PATH)
        .await
        .checked(Expect::NewTask);
    let mut seen = Vec::new();
    for _ in 0..9 {
        let task = poll(&mock, 33149).await;
        seen.push(task["status"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        seen.iter().filter(|s| *s == "RUNNING").count(),
        7,
        "{seen:?}"
    );
    assert_eq!(seen.last().unwrap(), "SUCCESSFUL");
    assert_eq!(server_ids(&cluster(&mock, 1).await), vec![1, 3, 4]);
}

#[tokio::test]
async fn the_cluster_list_is_paged_from_one() {
    let mock = MockServer::start().await;
    let body = get(mock.address(), "/api/v2/obproxy/clusters?page=1&size=10")
        .await
        .checked(Expect::Any);
    assert_eq!(
        body["data"]["page"],
        json!({"number": 1, "size": 10, "totalElements": 2, "totalPages": 1})
    );
    assert_eq!(body["data"]["contents"][0]["name"], "test");
    insta::assert_json_snapshot!("cluster_list", normalize(&body));
    let second = get(mock.address(), "/api/v2/obproxy/clusters?page=2&size=1")
        .await
        .checked(Expect::Any);
    assert_eq!(second["data"]["contents"].as_array().unwrap().len(), 1);
    assert_eq!(second["data"]["contents"][0]["name"], "prod");
    assert_eq!(second["data"]["page"]["totalPages"], 2);
}

#[tokio::test]
async fn reset_restores_the_first_answer_byte_for_byte() {
    let mock = MockServer::start().await;
    let first = delete(mock.address(), DOCUMENTED_PATH).await.raw_body;
    poll(&mock, 33149).await;
    delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/3").await;
    let reset = call(mock.address(), "POST", "/__mock/reset", &[]).await;
    assert_eq!(reset.status, 200);
    reset.checked(Expect::Any);
    let again = delete(mock.address(), DOCUMENTED_PATH).await.raw_body;
    assert_same_bytes(&again, &first, "after POST /__mock/reset");
    mock.reset();
    let after_reset = delete(mock.address(), DOCUMENTED_PATH).await.raw_body;
    assert_same_bytes(&after_reset, &first, "after MockServer::reset");
}

#[tokio::test]
async fn the_same_requests_give_the_same_bytes() {
    let (a, b) = (MockServer::start().await, MockServer::start().await);
    let script = [
        ("DELETE", "/api/v2/obproxy/clusters/1/obproxies/1,2"),
        ("GET", "/api/v2/tasks/instances/33149"),
        ("GET", "/api/v2/obproxy/clusters/1"),
        ("GET", "/api/v2/tasks/instances/33149"),
        ("GET", "/api/v2/tasks/instances/33149"),
        ("GET", "/api/v2/obproxy/clusters?page=1&size=10"),
    ];
    for (method, path) in script {
        let ra = call(a.address(), method, path, &[]).await.raw_body;
        let rb = call(b.address(), method, path, &[]).await.raw_body;
        assert_same_bytes(&ra, &rb, format_args!("{method} {path}"));
    }
}

#[tokio::test]
async fn the_journal_lists_requests_without_secrets_and_counts_them() {
    let mock = MockServer::builder().journal_size(3).start().await;
    delete(mock.address(), DOCUMENTED_PATH).await;
    get(
        mock.address(),
        "/api/v2/obproxy/clusters?page=1&accessToken=s3cr3t&pass%77ord=hunter2",
    )
    .await;
    delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/3").await;
    delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/4").await;
    assert_eq!(
        mock.count_requests("DELETE", "/api/v2/obproxy/*"),
        2,
        "the ring keeps 3"
    );
    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[0].query.as_deref(),
        Some("page=1&accessToken=[redacted]&pass%77ord=[redacted]")
    );

    let reply = get(mock.address(), "/__mock/requests?method=delete").await;
    let body = reply.checked(Expect::Any);
    assert_eq!(body["data"]["total"], 4);
    assert_eq!(body["data"]["capacity"], 3);
    let listed = body["data"]["requests"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1]["path"], "/api/v2/obproxy/clusters/1/obproxies/4");
    assert_eq!(listed[1]["status"], 200);
    let text = String::from_utf8(reply.raw_body).unwrap();
    assert!(
        !text.contains("YWRtaW46YWFBQTExX18="),
        "no credential in the journal"
    );
    assert!(!text.contains("s3cr3t"));
    let all = call(mock.address(), "GET", "/__mock/requests", &[]).await;
    let all = String::from_utf8(all.raw_body).unwrap();
    assert!(!all.contains("s3cr3t") && !all.contains("hunter2"), "{all}");
    assert!(
        all.contains("pass%77ord=[redacted]"),
        "an encoded name is read decoded: {all}"
    );
}

#[tokio::test]
async fn the_admin_api_answers_health_and_can_be_switched_off() {
    let mock = MockServer::start().await;
    let health = get(mock.address(), "/__mock/health").await;
    assert_eq!(health.status, 200);
    assert_eq!(health.checked(Expect::Any)["data"]["status"], "UP");
    let wrong = call(mock.address(), "DELETE", "/__mock/reset", &[]).await;
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.header("allow"), Some("POST"));
    let unknown = get(mock.address(), "/__mock/nothing").await;
    assert_eq!(unknown.status, 404);
    unknown.checked(Expect::Any);

    let off = MockServer::builder().admin_api(false).start().await;
    let reply = get(off.address(), "/__mock/health").await;
    assert_eq!(reply.status, 404);
    reply.checked(Expect::Any);
}

#[tokio::test]
async fn a_viewer_may_poll_tasks_and_read_clusters() {
    let mock = MockServer::builder()
        .user("admin", "aaAA11__", ocp_mock::Role::Admin)
        .user("watcher", "pw", ocp_mock::Role::Viewer)
        .start()
        .await;
    delete(mock.address(), DOCUMENTED_PATH)
        .await
        .checked(Expect::NewTask);
    let viewer = "Basic d2F0Y2hlcjpwdw=="; // watcher:pw
    let auth = [("Authorization", viewer)];
    let reply = call(
        mock.address(),
        "GET",
        "/api/v2/tasks/instances/33149",
        &auth,
    )
    .await;
    assert_eq!(reply.status, 200);
    let reply = call(mock.address(), "GET", "/api/v2/obproxy/clusters/1", &auth).await;
    assert_eq!(reply.status, 200);
    let reply = call(
        mock.address(),
        "POST",
        "/api/v2/tasks/instances/33149/retry",
        &auth,
    )
    .await;
    assert_eq!(reply.status, 403);
}

#[tokio::test]
async fn admin_calls_change_nothing_ocp_answers() {
    let (quiet, busy) = (MockServer::start().await, MockServer::start().await);
    for path in ["/__mock/health", "/__mock/requests", "/__mock/scenarios"] {
        let reply = get(busy.address(), path).await;
        assert_eq!(reply.checked(Expect::Any)["traceId"], "", "{path}");
    }
    let a = delete(quiet.address(), DOCUMENTED_PATH).await.raw_body;
    let b = delete(busy.address(), DOCUMENTED_PATH).await.raw_body;
    assert_same_bytes(&a, &b, "the clock and trace ids did not move");
}

#[tokio::test]
async fn the_journal_filters_by_method_and_path() {
    let mock = MockServer::start().await;
    delete(mock.address(), DOCUMENTED_PATH).await;
    get(mock.address(), "/api/v2/obproxy/clusters/1").await;
    get(mock.address(), "/api/v2/tasks/instances/33149").await;
    let body = get(mock.address(), "/__mock/requests?path=/api/v2/tasks/*")
        .await
        .checked(Expect::Any);
    let listed = body["data"]["requests"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["path"], "/api/v2/tasks/instances/33149");
    let body = get(
        mock.address(),
        "/__mock/requests?method=GET&path=/api/v2/obproxy/*",
    )
    .await
    .checked(Expect::Any);
    assert_eq!(body["data"]["requests"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn past_the_retention_the_oldest_successful_task_is_forgotten() {
    let mock = MockServer::builder()
        .task_retention(2)
        .scenario(
            "fail-at:Wait node@DELETE /api/v2/obproxy/clusters/1/obproxies/1"
                .parse()
                .unwrap(),
        )
        .start()
        .await;
    for (server, task) in [(1, 33149), (2, 33150), (3, 33151)] {
        let path = format!("/api/v2/obproxy/clusters/1/obproxies/{server}");
        delete(mock.address(), &path).await.checked(Expect::NewTask);
        for _ in 0..6 {
            poll(&mock, task).await;
        }
    }
    assert_eq!(
        poll(&mock, 33149).await["status"],
        "FAILED",
        "a failed task is kept"
    );
    assert_eq!(
        get(mock.address(), "/api/v2/tasks/instances/33150")
            .await
            .status,
        404,
        "forgotten"
    );
    assert_eq!(poll(&mock, 33151).await["status"], "SUCCESSFUL");
    let retried = call(
        mock.address(),
        "POST",
        "/api/v2/tasks/instances/33149/retry",
        &[],
    )
    .await;
    assert_eq!(retried.status, 200, "the failed task can still be retried");
}

#[tokio::test]
async fn retention_holds_as_tasks_finish_not_only_when_the_next_one_is_created() {
    let mock = MockServer::builder().task_retention(1).start().await;
    delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/1")
        .await
        .checked(Expect::NewTask);
    delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/2")
        .await
        .checked(Expect::NewTask);
    // Two running tasks are both kept (a running task is never forgotten); once the first
    // succeeds, it is the one past the retention of 1.
    let mut status = Value::Null;
    for _ in 0..10 {
        status = poll(&mock, 33149).await["status"].clone();
        if status == "SUCCESSFUL" {
            break;
        }
    }
    assert_eq!(status, "SUCCESSFUL");
    assert_eq!(
        get(mock.address(), "/api/v2/tasks/instances/33149")
            .await
            .status,
        404,
        "forgotten as soon as it succeeded, with another task over the retention"
    );
    assert_eq!(
        get(mock.address(), "/api/v2/tasks/instances/33150")
            .await
            .status,
        200
    );
}
