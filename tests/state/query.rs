//! The task query against OCP's documented one (`fixtures/ocp-examples/01-task-instance-get.json`,
//! the only documented `GET /api/v2/tasks/instances/{taskInstanceId}` answer): the same fields,
//! the same kinds of times, and every status on the way with the default pace.

use std::collections::BTreeSet;

use ocp_mock::MockServer;
use ocp_mock::contract::Expect;
use serde_json::Value;

use super::poll;
use crate::support::{DOCUMENTED_PATH, delete};

/// OCP's documented task query, finished.
fn documented_query() -> Value {
    serde_json::from_str(include_str!(
        "../../fixtures/ocp-examples/01-task-instance-get.json"
    ))
    .unwrap()
}

fn keys(object: &Value) -> BTreeSet<String> {
    object.as_object().unwrap().keys().cloned().collect()
}

/// Epoch milliseconds of an OCP time, read by the `time` crate rather than the mock's own code.
fn instant(v: &Value) -> i128 {
    let text = v.as_str().unwrap_or_else(|| panic!("{v} is not a time"));
    let at = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{text:?}: {e}"));
    at.unix_timestamp_nanos() / 1_000_000
}

#[tokio::test]
async fn a_finished_task_answers_the_fields_and_times_of_the_documented_query() {
    let mock = MockServer::start().await;
    delete(mock.address(), DOCUMENTED_PATH)
        .await
        .checked(Expect::NewTask);
    let mut seen = BTreeSet::new();
    let mut polls = 0;
    let task = loop {
        polls += 1;
        let task = poll(&mock, 33149).await;
        for s in task["subtasks"].as_array().unwrap() {
            seen.insert(s["status"].as_str().unwrap().to_owned());
        }
        if task["status"] != "RUNNING" || polls == 10 {
            break task;
        }
    };
    assert_eq!(task["status"], "SUCCESSFUL");
    assert_eq!(
        polls, 4,
        "the default pace ends the documented chain at the fourth poll"
    );
    let every: BTreeSet<String> = ["PENDING", "READY", "RUNNING", "SUCCESSFUL"]
        .map(String::from)
        .into();
    assert_eq!(seen, every, "statuses seen by the poller");

    // The documented fields, and besides them only what the seed's task has (context,
    // className: the documented Delete OBProxy answer carries them).
    let documented = &documented_query()["data"];
    let mut expected = keys(documented);
    expected.insert("context".into());
    assert_eq!(keys(&task), expected);
    let mut expected = keys(&documented["subtasks"][0]);
    expected.insert("className".into());
    for s in task["subtasks"].as_array().unwrap() {
        assert_eq!(keys(s), expected, "{}", s["name"]);
        assert_eq!(s["executor"], task["executor"]);
        assert_eq!(s["createTime"], task["createTime"]);
        assert!(
            instant(&s["startTime"]) < instant(&s["finishTime"]),
            "{}",
            s["name"]
        );
        assert!(instant(&s["startTime"]) >= instant(&task["startTime"]));
        assert!(instant(&s["finishTime"]) < instant(&task["finishTime"]));
    }
    assert_eq!(task["prohibitRollback"], false);
    // Whole seconds, before the start, as documented ("2021-08-25T15:09:31+08:00").
    assert_eq!(task["createTime"], "2021-09-03T16:31:58+08:00");
    assert_eq!(task["startTime"], "2021-09-03T16:31:58.151+08:00");
}
