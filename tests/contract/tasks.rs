//! The task and its subtasks: the DAG and a new task's statuses.

use super::*;

#[test]
fn an_unknown_task_status_is_rejected() {
    let body = mutated(|b| b["data"]["status"] = json!("PAUSED"));
    assert_only(
        &verdict_new(&body),
        "/data/status",
        r#"expected one of RUNNING, FAILED, SUCCESSFUL, got string "PAUSED""#,
    );
}

#[test]
fn an_unknown_subtask_status_is_rejected() {
    let body = mutated(|b| subtask(b, 0)["status"] = json!("WAITING"));
    assert_only(
        &verdict_new(&body),
        "/data/subtasks/0/status",
        "expected one of PENDING, READY, RUNNING, CANCELING, FAILED, SUCCESSFUL",
    );
}

#[test]
fn a_duplicate_subtask_id_is_rejected() {
    let body = mutated(|b| subtask(b, 1)["id"] = json!(34964));
    assert_only(
        &verdict(&body),
        "/data/subtasks/1/id",
        "duplicate id 34964, also at /data/subtasks/0",
    );
}

#[test]
fn an_upstream_naming_no_subtask_is_rejected() {
    let body = mutated(|b| push(&mut subtask(b, 0)["upstreams"], json!(99999)));
    assert_only(
        &verdict(&body),
        "/data/subtasks/0/upstreams/1",
        "no subtask has id 99999",
    );
}

#[test]
fn an_edge_listed_on_one_side_only_is_rejected() {
    let body = mutated(|b| push(&mut subtask(b, 7)["downstreams"], json!(34968)));
    assert_only(
        &verdict(&body),
        "/data/subtasks/7/downstreams/1",
        "not mirrored: /data/subtasks/3 (34968) does not list 34969 in its upstreams",
    );
    let body = mutated(|b| push(&mut subtask(b, 3)["upstreams"], json!(34969)));
    assert_only(
        &verdict(&body),
        "/data/subtasks/3/upstreams/1",
        "not mirrored: /data/subtasks/7 (34969) does not list 34968 in its downstreams",
    );
}

#[test]
fn a_cycle_is_rejected_at_the_edge_that_leads_back() {
    // Delete obproxy info -> Wait node, closing Wait -> Stop -> Delete.
    let body = mutated(|b| {
        push(&mut subtask(b, 0)["downstreams"], json!(34965));
        push(&mut subtask(b, 6)["upstreams"], json!(34964));
    });
    assert_only(
        &verdict(&body),
        "/data/subtasks/0/downstreams/1",
        "cycle: 34965 -> 34963 -> 34964 -> 34965",
    );
}

#[test]
fn a_second_entry_is_rejected() {
    let body = mutated(|b| {
        push(&mut subtask(b, 3)["upstreams"], json!(34971));
        push(
            &mut b["data"]["subtasks"],
            extra_subtask(34971, json!([]), json!([34968])),
        );
    });
    assert_only(
        &verdict(&body),
        "/data/subtasks/8/upstreams",
        "more than one entry: /data/subtasks/7 has no upstreams either",
    );
}

#[test]
fn a_second_exit_is_rejected() {
    let body = mutated(|b| {
        push(&mut subtask(b, 7)["downstreams"], json!(34971));
        push(
            &mut b["data"]["subtasks"],
            extra_subtask(34971, json!([34969]), json!([])),
        );
    });
    assert_only(
        &verdict(&body),
        "/data/subtasks/8/downstreams",
        "more than one exit: /data/subtasks/3 has no downstreams either",
    );
}

#[test]
fn a_new_task_starts_at_its_entry() {
    let body = mutated(|b| subtask(b, 7)["status"] = json!("PENDING"));
    assert_only(
        &verdict_new(&body),
        "/data/subtasks/7/status",
        "expected READY for the entry of a new task, got PENDING",
    );
    assert_passes(&verdict(&body));

    let body = mutated(|b| subtask(b, 0)["status"] = json!("RUNNING"));
    assert_only(
        &verdict_new(&body),
        "/data/subtasks/0/status",
        "expected PENDING for a subtask after the entry of a new task, got RUNNING",
    );
}

#[test]
fn a_new_task_is_running_and_unfinished() {
    let body = mutated(|b| b["data"]["status"] = json!("SUCCESSFUL"));
    assert_only(
        &verdict_new(&body),
        "/data/status",
        "expected RUNNING for a new task, got SUCCESSFUL",
    );
    let body = mutated(|b| b["data"]["finishTime"] = json!("2021-09-03T16:32:58.151+08:00"));
    assert_only(
        &verdict_new(&body),
        "/data/finishTime",
        "it has not finished",
    );
    assert_passes(&verdict(&body));
}

#[test]
fn a_new_task_is_required_when_one_is_expected() {
    let body = fitting("43-tenant-delete.json");
    assert_only(&verdict_new(&body), "/data", "expected a new task");
}

#[test]
fn a_task_checked_on_its_own_is_pointed_into_relatively() {
    let mut task = documented()["data"].clone();
    assert_passes(&Contract::global().check_task(&task, Expect::NewTask));
    task["subtasks"][1]["id"] = json!(34964);
    assert_only(
        &Contract::global().check_task(&task, Expect::Any),
        "/subtasks/1/id",
        "duplicate id",
    );
}

#[test]
fn creator_may_be_a_name_or_an_object() {
    let body = mutated(|b| b["data"]["creator"] = json!({"id": 100, "name": "admin"}));
    assert_passes(&verdict_new(&body));
    let body = mutated(|b| b["data"]["creator"] = json!(100));
    assert_only(
        &verdict(&body),
        "/data/creator",
        "expected string or object, got number 100",
    );
}

#[test]
fn context_may_be_an_object_a_string_or_absent() {
    let body = mutated(|b| b["data"]["context"] = json!("Context(parallelIdx=-1)"));
    assert_passes(&verdict_new(&body));
    let body = mutated(|b| {
        b["data"].as_object_mut().expect("a task").remove("context");
    });
    assert_passes(&verdict_new(&body));
    let body = mutated(|b| b["data"]["context"]["listMap"]["host_ids"] = json!([2]));
    assert_only(
        &verdict(&body),
        "/data/context/listMap/host_ids/0",
        "expected string, got number 2",
    );
}

#[test]
fn fields_the_contract_does_not_know_are_accepted() {
    let body = mutated(|b| {
        b["traceSpan"] = json!("x");
        b["data"]["prohibitRollback"] = json!(false);
        b["data"]["newField"] = json!({"any": ["thing"]});
        subtask(b, 0)["prohibitSkip"] = json!(false);
        subtask(b, 0)["newField"] = json!(1);
    });
    assert_passes(&verdict_new(&body));
    let error = mutated_error(|b| b["error"]["newField"] = json!(true));
    assert_passes(&verdict_error(&error));
}
