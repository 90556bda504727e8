//! The task family end to end: a task failed by `fail-at`, its failed subtask's log, subtask
//! retry, skip and cancel, a task's rollback, and the task list's filters and paging.

use ocp_mock::MockServer;
use ocp_mock::contract::Expect;
use serde_json::Value;

mod list;

use crate::support::{ADMIN_BASIC, DOCUMENTED_PATH, Reply, call, delete, get, raw};

const TASKS: &str = "/api/v2/tasks/instances";
const FAILING: &str = "fail-at:Stop and uninstall obproxy";

async fn poll(mock: &MockServer, task_id: i64) -> Value {
    let reply = get(mock.address(), &format!("{TASKS}/{task_id}")).await;
    assert_eq!(reply.status, 200);
    reply.checked(Expect::Any)["data"].clone()
}

/// Polls until the task leaves RUNNING (or 10 polls).
async fn settle(mock: &MockServer, task_id: i64) -> Value {
    let mut task = poll(mock, task_id).await;
    for _ in 0..10 {
        if task["status"] != "RUNNING" {
            break;
        }
        task = poll(mock, task_id).await;
    }
    task
}

fn subtask<'a>(task: &'a Value, name: &str) -> &'a Value {
    task["subtasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no subtask {name:?}"))
}

async fn post(mock: &MockServer, path: &str) -> Reply {
    call(mock.address(), "POST", path, &[]).await
}

/// A mock whose first task (33149, server 2) failed at "Stop and uninstall obproxy".
async fn failed_task() -> (MockServer, Value) {
    let mock = MockServer::builder()
        .scenario(FAILING.parse().unwrap())
        .start()
        .await;
    delete(mock.address(), DOCUMENTED_PATH)
        .await
        .checked(Expect::NewTask);
    let task = settle(&mock, 33149).await;
    assert_eq!(task["status"], "FAILED");
    (mock, task)
}

fn error_code(reply: &Reply, status: u16) -> Value {
    assert_eq!(
        reply.status,
        status,
        "{}",
        String::from_utf8_lossy(&reply.raw_body)
    );
    reply.checked(Expect::Any)["error"]["code"].clone()
}

async fn log_of(mock: &MockServer, task_id: i64, subtask_id: &Value) -> String {
    let reply = get(
        mock.address(),
        &format!("{TASKS}/{task_id}/subtasks/{subtask_id}/log"),
    )
    .await;
    assert_eq!(reply.status, 200);
    let body = reply.checked(Expect::Any);
    body["data"]["log"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_failed_subtask_logs_why_and_a_retry_of_it_finishes_the_task() {
    let (mock, task) = failed_task().await;
    let failed = subtask(&task, "Stop and uninstall obproxy");
    let log = log_of(&mock, 33149, &failed["id"]).await;
    for needle in [
        "name=Stop and uninstall obproxy",
        &format!("id={}", failed["id"]),
        "task_instance_id=33149",
        "status=FAILED",
        "fail-at:Stop and uninstall obproxy",
        "new state: FAILED",
    ] {
        assert!(log.contains(needle), "{needle:?} not in {log}");
    }
    let pending = subtask(&task, "Delete obproxy info");
    let waiting = log_of(&mock, 33149, &pending["id"]).await;
    assert!(waiting.contains("status=PENDING"), "{waiting}");
    assert!(!waiting.contains("fail-at"), "{waiting}");

    let at = |s: &Value| format!("{TASKS}/33149/subtasks/{}/retry", s["id"]);
    assert_eq!(
        error_code(&post(&mock, &at(pending)).await, 409),
        "TSK10007"
    );
    let retried = post(&mock, &at(failed)).await;
    assert_eq!(retried.status, 200);
    let retried = retried.checked(Expect::Any)["data"].clone();
    assert_eq!(retried["id"], failed["id"]);
    assert_eq!(retried["status"], "READY");
    assert_eq!(retried["operation"], "RETRY");
    assert_eq!(retried["runTime"], 2);

    let done = settle(&mock, 33149).await;
    assert_eq!(done["status"], "SUCCESSFUL");
    assert_eq!(subtask(&done, "Stop and uninstall obproxy")["runTime"], 2);
}

#[tokio::test]
async fn a_skipped_subtask_is_successful_and_the_task_goes_on_past_it() {
    let (mock, task) = failed_task().await;
    let failed = subtask(&task, "Stop and uninstall obproxy");
    let pending = subtask(&task, "Delete obproxy info");
    let at = |s: &Value| format!("{TASKS}/33149/subtasks/{}/skip", s["id"]);
    assert_eq!(
        error_code(&post(&mock, &at(pending)).await, 409),
        "TSK10010"
    );

    let skipped = post(&mock, &at(failed)).await;
    assert_eq!(skipped.status, 200);
    let body = skipped.checked(Expect::Any);
    assert!(
        body.get("data").is_none(),
        "documented without data: {body}"
    );

    let done = settle(&mock, 33149).await;
    assert_eq!(done["status"], "SUCCESSFUL");
    let stop = subtask(&done, "Stop and uninstall obproxy");
    assert_eq!(stop["status"], "SUCCESSFUL");
    assert_eq!(stop["operation"], "SKIP");
    assert_eq!(stop["runTime"], 1, "a skipped subtask does not run again");
    assert_eq!(
        subtask(&done, "Delete obproxy info")["status"],
        "SUCCESSFUL"
    );
    assert!(log_of(&mock, 33149, &stop["id"]).await.contains("Skipped"));
}

#[tokio::test]
async fn a_canceled_subtask_is_failed_and_so_is_its_task() {
    let mock = MockServer::start().await;
    delete(mock.address(), DOCUMENTED_PATH)
        .await
        .checked(Expect::NewTask);
    // Five steps per poll: the start, the preparation, then the wait node runs.
    let task = poll(&mock, 33149).await;
    let running = subtask(&task, "Wait node");
    assert_eq!(running["status"], "RUNNING");
    let at = |s: &Value| format!("{TASKS}/33149/subtasks/{}/cancel", s["id"]);
    let done = subtask(&task, "Start node");
    assert_eq!(error_code(&post(&mock, &at(done)).await, 409), "TSK10007");

    let canceled = post(&mock, &at(running)).await;
    assert_eq!(canceled.status, 200);
    assert!(canceled.checked(Expect::Any).get("data").is_none());
    let task = poll(&mock, 33149).await;
    assert_eq!(task["status"], "FAILED");
    let wait = subtask(&task, "Wait node");
    assert_eq!(
        (&wait["status"], &wait["operation"]),
        (&"FAILED".into(), &"CANCEL".into())
    );
    assert_eq!(error_code(&post(&mock, &at(wait)).await, 409), "TSK10007");
    let log = log_of(&mock, 33149, &wait["id"]).await;
    assert!(
        log.contains("TSK10014 The subtask execution is canceled."),
        "{log}"
    );

    let unknown = post(&mock, &format!("{TASKS}/33149/subtasks/1/cancel")).await;
    assert_eq!(error_code(&unknown, 404), "TSK10001");
    delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/3")
        .await
        .checked(Expect::NewTask);
    let elsewhere = post(
        &mock,
        &format!("{TASKS}/33150/subtasks/{}/cancel", wait["id"]),
    )
    .await;
    assert_eq!(error_code(&elsewhere, 404), "TSK10001");
}

#[tokio::test]
async fn a_rolled_back_task_ends_successful_as_a_rollback_with_its_server_back() {
    let (mock, task) = failed_task().await;
    let rollback = format!("{TASKS}/33149/rollback");
    let reply = post(&mock, &rollback).await;
    assert_eq!(reply.status, 200);
    let started = reply.checked(Expect::Any)["data"].clone();
    assert_eq!(started["status"], "RUNNING");
    assert_eq!(started["operation"], "ROLLBACK");
    let undoing = subtask(&started, "Stop and uninstall obproxy");
    assert_eq!(undoing["operation"], "ROLLBACK");
    assert_eq!(undoing["runTime"], 2);

    let done = settle(&mock, 33149).await;
    assert_eq!(done["status"], "SUCCESSFUL");
    assert_eq!(done["operation"], "ROLLBACK");
    let undone = subtask(&done, "Stop and uninstall obproxy");
    assert_eq!(undone["status"], "SUCCESSFUL");
    assert_eq!(
        subtask(&done, "Delete obproxy info"),
        subtask(&task, "Delete obproxy info"),
        "the subtasks after the failed one never run"
    );
    let cluster = get(mock.address(), "/api/v2/obproxy/clusters/1").await;
    let cluster = cluster.checked(Expect::Any)["data"].clone();
    let server = cluster["obproxies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == 2)
        .expect("the rollback kept server 2");
    assert_eq!(
        (&server["status"], &server["operateStatus"]),
        (&"RUNNING".into(), &"NORMAL".into())
    );
    assert_eq!(error_code(&post(&mock, &rollback).await, 409), "TSK10007");
}

#[tokio::test]
async fn a_running_task_cannot_be_rolled_back_nor_an_unknown_one() {
    let mock = MockServer::start().await;
    delete(mock.address(), DOCUMENTED_PATH)
        .await
        .checked(Expect::NewTask);
    let running = post(&mock, &format!("{TASKS}/33149/rollback")).await;
    assert_eq!(error_code(&running, 409), "TSK10007");
    let unknown = post(&mock, &format!("{TASKS}/4242/rollback")).await;
    assert_eq!(error_code(&unknown, 404), "TSK10001");
}

#[tokio::test]
async fn under_4_3_5_a_failed_subtask_that_forbids_rollback_keeps_its_task_from_one() {
    let mock = MockServer::builder()
        .ocp_version(ocp_mock::OcpVersion::V4_3_5)
        .scenario("fail-at:Stop obproxy".parse().unwrap())
        .start()
        .await;
    let body = r#"{"obproxyServerIds":[2]}"#;
    let request = format!(
        "POST /api/v2/obproxy/clusters/1/servers/delete HTTP/1.1\r\nHost: x\r\n\
         Connection: close\r\nAuthorization: {ADMIN_BASIC}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let created = raw(mock.address(), request.as_bytes()).await;
    let id = created.checked(Expect::NewTask)["data"]["id"]
        .as_i64()
        .unwrap();
    let task = settle(&mock, id).await;
    assert_eq!(task["status"], "FAILED");
    let stop = subtask(&task, "Stop obproxy");
    assert_eq!(
        stop["prohibitRollback"], true,
        "as the documented task has it"
    );
    let refused = post(&mock, &format!("{TASKS}/{id}/rollback")).await;
    assert_eq!(error_code(&refused, 409), "TSK10009");

    let retried = post(
        &mock,
        &format!("{TASKS}/{id}/subtasks/{}/retry", stop["id"]),
    )
    .await;
    assert_eq!(retried.status, 200);
    let retried = retried.checked(Expect::Any)["data"].clone();
    assert_eq!(retried["taskId"], id, "4.3.5's answer names the task");
    assert_eq!(retried["prohibitSkip"], false);
    assert_eq!(retried["status"], "READY");
}

#[tokio::test]
async fn under_the_time_pace_a_skipped_or_rolled_back_task_runs_on_by_itself() {
    for (call, end) in [("skip", "EXECUTE"), ("rollback", "ROLLBACK")] {
        let mock = MockServer::builder()
            .task_pace(ocp_mock::TaskPace::Time(1000))
            .scenario(FAILING.parse().unwrap())
            .start()
            .await;
        delete(mock.address(), DOCUMENTED_PATH)
            .await
            .checked(Expect::NewTask);
        let task = settle(&mock, 33149).await;
        assert_eq!(task["status"], "FAILED");
        let path = match call {
            "skip" => {
                let failed = subtask(&task, "Stop and uninstall obproxy");
                format!("{TASKS}/33149/subtasks/{}/skip", failed["id"])
            }
            _ => format!("{TASKS}/33149/rollback"),
        };
        assert_eq!(post(&mock, &path).await.status, 200, "{call}");
        // Each request moves the fixed clock 1 s: the task ends without being polled.
        for _ in 0..6 {
            get(mock.address(), "/api/v2/obproxy/clusters").await;
        }
        let done = poll(&mock, 33149).await;
        assert_eq!(done["status"], "SUCCESSFUL", "{call}");
        assert_eq!(done["operation"], end, "{call}");
    }
}
