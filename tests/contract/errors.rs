//! The error envelope, and junk that must be reported, never panicked on.

use super::*;

#[test]
fn an_error_envelope_carries_no_data() {
    let body = mutated_error(|b| b["data"] = json!({}));
    assert_only(
        &verdict_error(&body),
        "/data",
        "not allowed in an error envelope",
    );
}

#[test]
fn an_error_needs_a_message() {
    let body = mutated_error(|b| {
        b["error"]
            .as_object_mut()
            .expect("an error")
            .remove("message");
    });
    assert_only(&verdict_error(&body), "/error/message", "missing");
}

#[test]
fn an_error_code_may_be_an_integer_or_a_string() {
    let body = mutated_error(|b| b["error"]["code"] = json!("ODP21001"));
    assert_passes(&verdict_error(&body));
    let body = mutated_error(|b| b["error"]["code"] = json!(true));
    assert_only(
        &verdict_error(&body),
        "/error/code",
        "expected integer or string, got boolean true",
    );
}

#[test]
fn a_violation_reads_as_pointer_and_message() {
    let body = mutated(|b| b["duration"] = json!("17"));
    let violations = verdict(&body);
    assert_eq!(
        violations[0].to_string(),
        r#"/duration: expected integer, got string "17""#
    );
    let violations = check(200, &json!(null), Expect::Any);
    assert_eq!(
        violations[0].to_string(),
        "(root): expected object, got null"
    );
}

pub(super) fn junk() -> Vec<Value> {
    vec![
        json!(null),
        json!([]),
        json!("x"),
        json!(5),
        json!({}),
        json!({"data": {"subtasks": 5}}),
        json!({"successful": true, "data": {"subtasks": []}}),
        json!({"successful": true, "data": {"subtasks": [1, null, "x", {}]}}),
        json!({"successful": true, "data": {"subtasks": [
            {"id": "a", "upstreams": [], "downstreams": ["b"]},
            {"id": 1.5, "upstreams": ["a"], "downstreams": [1.5]},
            {"id": 2, "upstreams": 7, "downstreams": [2, 2, 99]}
        ]}}),
        json!({"successful": "yes", "error": 3, "data": [{"subtasks": {}}]}),
        json!({"successful": false, "error": {"code": [], "message": null}}),
        cyclic(),
    ]
}

/// Two subtasks each waiting for the other, and nothing else.
pub(super) fn cyclic() -> Value {
    json!({"successful": true, "status": 200, "data": {"subtasks": [
        {"id": 1, "name": "a", "upstreams": [2], "downstreams": [2]},
        {"id": 2, "name": "b", "upstreams": [1], "downstreams": [1]}
    ]}})
}

#[test]
fn junk_yields_violations_not_panics() {
    for value in junk() {
        for expect in [Expect::Any, Expect::NewTask] {
            for status in [0, 200, 404, 999] {
                let violations = check(status, &value, expect);
                assert!(!violations.is_empty(), "{value} passed");
            }
            for (what, task) in [("itself", &value), ("its data", &value["data"])] {
                let violations = Contract::global().check_task(task, expect);
                assert!(!violations.is_empty(), "{value}: {what} passed as a task");
            }
        }
    }
}

#[test]
fn junk_checked_as_a_task_is_refused_where_it_breaks() {
    let task = |value: Value| Contract::global().check_task(&value, Expect::Any);
    assert_only(&task(json!(null)), "", "expected object, got null");
    assert_only(&task(json!("x")), "", r#"expected object, got string "x""#);
    assert_only(
        &task(json!([{"subtasks": {}}])),
        "",
        "expected object, got an array",
    );
    let empty = task(json!({}));
    for field in ["id", "name", "status", "subtasks"] {
        assert_has(&empty, &format!("/{field}"), "missing required field");
    }
    assert_has(
        &task(json!({"subtasks": 5})),
        "/subtasks",
        "expected array, got number 5",
    );
    assert_has(
        &task(json!({"subtasks": []})),
        "/subtasks",
        "expected at least 1 item, got an empty array",
    );
    let odd = task(json!({"subtasks": [1, null, "x", {}]}));
    assert_has(&odd, "/subtasks/0", "expected object, got number 1");
    assert_has(&odd, "/subtasks/1", "expected object, got null");
    assert_has(&odd, "/subtasks/3/id", "missing required field");
    let cycle = task(cyclic()["data"].clone());
    assert_has(&cycle, "/subtasks/1/downstreams/0", "cycle: 1 -> 2 -> 1");
    assert_has(&cycle, "/subtasks", "no entry subtask");
}

#[test]
fn a_cycle_with_no_way_in_is_still_reported() {
    let violations = check(200, &cyclic(), Expect::Any);
    assert_has(
        &violations,
        "/data/subtasks/1/downstreams/0",
        "cycle: 1 -> 2 -> 1",
    );
    assert_has(&violations, "/data/subtasks", "no entry subtask");
    assert_has(&violations, "/data/subtasks", "no exit subtask");
}
