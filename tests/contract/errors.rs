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
            let _ = Contract::global().check_task(&value, expect);
            let _ = Contract::global().check_task(&value["data"], expect);
        }
    }
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
