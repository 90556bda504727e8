//! The contract against OCP's own documentation: every documented answer that fits it passes,
//! mutations of them fail at the exact pointer, and normalisation makes runs comparable.

use ocp_mock::contract::{Contract, Expect, SCHEMAS, Violation, normalize, unified_diff};
use serde_json::{Value, json};

/// A documented example by file name, with its text embedded.
macro_rules! example {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../fixtures/ocp-examples/", $name)),
        )
    };
}

const DOCUMENTED: &str = include_str!("../fixtures/delete-obproxy.json");

/// Documented answers whose shapes the contract is about: single tasks, the subtask object
/// (a success envelope whose data is not a task), the envelope without data, the errors.
const FITTING: &[(&str, &str)] = &[
    example!("01-task-instance-get.json"),
    example!("02-ocp-agent-stop.json"),
    example!("03-ocp-agent-batch-restart.json"),
    example!("05-ob-zone-stop.json"),
    example!("06-ob-zone-restart.json"),
    example!("09-ob-server-batch-delete.json"),
    example!("11-ob-server-restart.json"),
    example!("16-ob-cluster-switchover.json"),
    example!("17-ob-cluster-failover.json"),
    example!("18-ob-cluster-takeover.json"),
    example!("19-tenant-create.json"),
    example!("20-tenant-replica-add.json"),
    example!("21-tenant-replica-delete.json"),
    example!("23-tenant-switchover.json"),
    example!("24-tenant-failover.json"),
    example!("25-tenant-standby-create.json"),
    example!("26-obproxy-cluster-create.json"),
    example!("27-obproxy-cluster-delete.json"),
    example!("28-obproxy-delete-legacy.json"),
    example!("41-subtask-retry-legacy.json"),
    example!("43-tenant-delete.json"),
    example!("44-error-429-throttled-en-v3.json"),
    example!("45-error-429-throttled-en-v4.json"),
    example!("46-error-429-throttled-zh-v3.json"),
    example!("47-error-429-throttled-zh-v4.json"),
];

/// Documented answers of other shapes (legacy `tasks` key, paged lists): the success envelope
/// must let them through as opaque data.
const OTHER_SHAPES: &[(&str, &str)] = &[
    example!("04-ob-zone-delete.json"),
    example!("07-ob-zone-add.json"),
    example!("08-ob-server-add.json"),
    example!("10-ob-server-stop-legacy.json"),
    example!("12-ob-cluster-create.json"),
    example!("13-ob-cluster-delete.json"),
    example!("14-ob-cluster-restart.json"),
    example!("15-ob-cluster-upgrade.json"),
    example!("22-tenant-replica-modify.json"),
    example!("34-task-list-get.json"),
    example!("36-hosts-batch-create.json"),
    example!("37-obproxy-batch-add.json"),
    example!("38-inspection-run.json"),
    example!("39-tenant-batch-switchover.json"),
    example!("40-tenant-batch-failover.json"),
];

fn parse(name: &str, text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

fn documented() -> Value {
    parse("delete-obproxy.json", DOCUMENTED)
}

fn fitting(name: &str) -> Value {
    let (_, text) = FITTING
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("{name} is not listed"));
    parse(name, text)
}

fn throttled() -> Value {
    fitting("44-error-429-throttled-en-v3.json")
}

/// The documented example with one change.
fn mutated(change: impl FnOnce(&mut Value)) -> Value {
    let mut body = documented();
    change(&mut body);
    body
}

/// The documented 429 with one change.
fn mutated_error(change: impl FnOnce(&mut Value)) -> Value {
    let mut body = throttled();
    change(&mut body);
    body
}

fn check(status: u16, body: &Value, expect: Expect) -> Vec<Violation> {
    Contract::global().check_response(status, body, expect)
}

/// The verdict on a success body sent with HTTP 200.
fn verdict(body: &Value) -> Vec<Violation> {
    check(200, body, Expect::Any)
}

/// The verdict on a success body sent with HTTP 200 as a write's immediate answer.
fn verdict_new(body: &Value) -> Vec<Violation> {
    check(200, body, Expect::NewTask)
}

/// The verdict on an error body sent with HTTP 429, the documented error's status.
fn verdict_error(body: &Value) -> Vec<Violation> {
    check(429, body, Expect::Any)
}

fn subtask(body: &mut Value, index: usize) -> &mut Value {
    &mut body["data"]["subtasks"][index]
}

fn push(list: &mut Value, item: Value) {
    list.as_array_mut().expect("a list").push(item);
}

/// Asserts that the only violation is at `pointer` and says `fragment`.
#[track_caller]
fn assert_only(violations: &[Violation], pointer: &str, fragment: &str) {
    match violations {
        [one] => {
            assert_eq!(one.pointer, pointer, "{one}");
            assert!(one.message.contains(fragment), "{one}");
        }
        _ => panic!("expected one violation at {pointer}, got {violations:#?}"),
    }
}

/// Asserts that one of the violations is at `pointer` and says `fragment`.
#[track_caller]
fn assert_has(violations: &[Violation], pointer: &str, fragment: &str) {
    assert!(
        violations
            .iter()
            .any(|v| v.pointer == pointer && v.message.contains(fragment)),
        "expected a violation at {pointer} saying {fragment:?}, got {violations:#?}"
    );
}

#[track_caller]
fn assert_passes(violations: &[Violation]) {
    assert!(violations.is_empty(), "{violations:#?}");
}

/// A subtask that fits the documented example's DAG wherever its edges put it.
fn extra_subtask(id: i64, upstreams: Value, downstreams: Value) -> Value {
    json!({
        "className": "com.alipay.ocp.service.task.business.obproxy.ExtraTask",
        "description": "Extra", "downstreams": downstreams, "id": id, "name": "Extra",
        "nodeType": "JAVA_TASK", "operation": "EXECUTE", "parallelIdx": -1,
        "prohibitRollback": false, "runTime": 1, "seriesId": 8, "status": "PENDING",
        "timeout": 30, "upstreams": upstreams
    })
}

// The documentation passes.

#[test]
fn the_documented_example_passes_as_a_new_task() {
    assert_passes(&check(200, &documented(), Expect::NewTask));
}

#[test]
fn every_documented_example_that_fits_the_contract_passes() {
    for (name, text) in FITTING {
        let body = parse(name, text);
        let status = body["status"].as_u64().expect("a status") as u16;
        let violations = check(status, &body, Expect::Any);
        assert!(violations.is_empty(), "{name}: {violations:#?}");
    }
}

#[test]
fn documented_examples_of_other_shapes_pass_as_opaque_data() {
    for (name, text) in OTHER_SHAPES {
        let body = parse(name, text);
        let violations = verdict(&body);
        assert!(violations.is_empty(), "{name}: {violations:#?}");
    }
}

#[test]
fn every_documented_write_answers_a_new_task() {
    for (name, text) in FITTING {
        let body = parse(name, text);
        if body["data"].get("subtasks").is_none() || name.starts_with("01-") {
            continue; // 01 is a query of a finished task, not a write's answer
        }
        let violations = verdict_new(&body);
        assert!(violations.is_empty(), "{name}: {violations:#?}");
    }
}

#[test]
fn every_documented_task_passes_on_its_own() {
    for (name, text) in FITTING {
        let body = parse(name, text);
        if body["data"].get("subtasks").is_some() {
            let violations = Contract::global().check_task(&body["data"], Expect::Any);
            assert!(violations.is_empty(), "{name}: {violations:#?}");
        }
    }
}

#[test]
fn every_documented_example_is_listed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ocp-examples");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .expect("the examples folder")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".json"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = FITTING
        .iter()
        .chain(OTHER_SHAPES)
        .map(|(name, _)| (*name).to_owned())
        .collect();
    listed.sort();
    assert_eq!(listed, on_disk);
}

#[test]
fn the_schemas_are_embedded_named_and_self_contained() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .expect("the schemas folder")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = SCHEMAS.iter().map(|(n, _)| (*n).to_owned()).collect();
    embedded.sort();
    assert_eq!(embedded, on_disk);
    for (name, text) in SCHEMAS {
        let schema = parse(name, text);
        let id = schema["$id"].as_str().expect("an $id");
        assert!(id.ends_with(&format!("/{name}")), "{name}: $id {id}");
        assert!(schema["title"].is_string(), "{name}: no title");
        assert!(schema["description"].is_string(), "{name}: no description");
        for reference in text
            .match_indices("\"$ref\": \"")
            .map(|(at, _)| &text[at + 9..])
        {
            assert!(!reference.starts_with("http"), "{name}: absolute $ref");
        }
    }
}

// The envelope.

#[test]
fn a_missing_envelope_field_is_reported_where_it_belongs() {
    for field in [
        "successful",
        "timestamp",
        "duration",
        "status",
        "traceId",
        "server",
    ] {
        let body = mutated(|b| {
            b.as_object_mut().expect("an object").remove(field);
        });
        assert_only(&verdict(&body), &format!("/{field}"), "missing");
        let error = mutated_error(|b| {
            b.as_object_mut().expect("an object").remove(field);
        });
        assert_only(&verdict_error(&error), &format!("/{field}"), "missing");
    }
}

#[test]
fn numbers_sent_as_strings_are_rejected() {
    let body = mutated(|b| b["duration"] = json!("17"));
    assert_only(
        &verdict(&body),
        "/duration",
        r#"expected integer, got string "17""#,
    );
    let body = mutated(|b| b["status"] = json!("200"));
    assert_only(&verdict(&body), "/status", "expected integer");
    let body = mutated(|b| b["data"]["id"] = json!("33149"));
    assert_only(&verdict(&body), "/data/id", "expected integer");
}

#[test]
fn a_status_other_than_the_http_status_is_rejected() {
    let body = mutated(|b| b["status"] = json!(201));
    assert_only(
        &verdict(&body),
        "/status",
        "expected 200 (the http status), got 201",
    );
}

#[test]
fn successful_must_agree_with_the_http_status() {
    let violations = check(500, &documented(), Expect::Any);
    assert_has(
        &violations,
        "/successful",
        "expected false for http status 500",
    );
    assert_has(&violations, "/status", "expected 500");

    let body = mutated_error(|b| b["successful"] = json!(true));
    let violations = verdict_error(&body);
    assert_has(
        &violations,
        "/successful",
        "expected false for http status 429",
    );
    assert_has(&violations, "/error", "not allowed in a success envelope");
}

#[test]
fn a_trace_id_must_be_sixteen_lowercase_hex_characters() {
    for bad in ["0FDA4C74B7A84932", "0fda4c74b7a8493"] {
        let body = mutated(|b| b["traceId"] = json!(bad));
        assert_only(&verdict(&body), "/traceId", "16 lowercase hex");
    }
    let body = mutated(|b| b["traceId"] = json!(""));
    assert_passes(&verdict(&body));
}

#[test]
fn a_time_needs_a_numeric_offset_with_a_colon() {
    for bad in [
        "2021-09-03T16:31:58.162+0800",
        "2021-09-03T08:31:58.162Z",
        "yesterday",
        "2021-13-03T16:31:58.162+08:00",
        "2021-09-03T16:31:58.1234567890+08:00",
    ] {
        let body = mutated(|b| b["timestamp"] = json!(bad));
        assert_only(
            &verdict(&body),
            "/timestamp",
            "ISO-8601 time with a numeric offset",
        );
    }
    for good in [
        "2021-09-03T16:31:58+08:00",
        "2021-09-03T16:31:58.16+08:00",
        "2021-09-03T16:31:58.123456789-05:30",
    ] {
        let body = mutated(|b| b["data"]["startTime"] = json!(good));
        assert_passes(&verdict(&body));
    }
}

// The task and its subtasks.

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

// The error envelope.

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

// Never a panic.

fn junk() -> Vec<Value> {
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
fn cyclic() -> Value {
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

// Normalisation and diff.

#[test]
fn normalized_documented_example() {
    insta::assert_json_snapshot!("normalized_documented_example", normalize(&documented()));
}

#[test]
fn answers_differing_only_in_volatile_fields_normalize_equal() {
    let other = mutated(|b| {
        b["timestamp"] = json!("2025-01-01T00:00:00+00:00");
        b["duration"] = json!(3);
        b["traceId"] = json!("1234567890abcdef");
        b["server"] = json!("ocp-2");
        let task = &mut b["data"];
        task["id"] = json!(1);
        task["startTime"] = json!("2025-01-01T00:00:00+00:00");
        task["executor"] = json!("10.0.0.1");
        task["context"]["listMap"]["host_ids"] = json!(["7"]);
        let subtasks = task["subtasks"].as_array_mut().expect("subtasks");
        subtasks.reverse();
        let shift = |id: &Value| json!(id.as_i64().expect("an id") + 1000);
        for subtask in subtasks.iter_mut() {
            subtask["id"] = shift(&subtask["id"]);
            for key in ["upstreams", "downstreams"] {
                let shifted: Vec<Value> = subtask[key]
                    .as_array()
                    .expect("a list")
                    .iter()
                    .map(shift)
                    .collect();
                subtask[key] = json!(shifted);
            }
        }
    });
    assert_passes(&verdict_new(&other));
    assert_eq!(normalize(&documented()), normalize(&other));
    assert_eq!(
        normalize(&throttled()),
        normalize(&fitting("45-error-429-throttled-en-v4.json"))
    );
}

#[test]
fn normalize_keeps_what_is_stable() {
    let changed = mutated(|b| subtask(b, 0)["timeout"] = json!(301));
    assert_ne!(normalize(&documented()), normalize(&changed));
    let error = normalize(&throttled());
    assert_eq!(error["error"], throttled()["error"]);
    assert_eq!(error["traceId"], json!("[traceId]"));
}

#[test]
fn the_diff_shows_the_changed_field() {
    let expected = normalize(&documented());
    let actual = normalize(&mutated(|b| b["data"]["name"] = json!("Delete obproxy")));
    let diff = unified_diff(&expected, &actual, false);
    assert!(diff.starts_with("--- expected\n+++ actual\n"), "{diff}");
    assert!(
        diff.contains("\n-    \"name\": \"Offline obproxy\","),
        "{diff}"
    );
    assert!(
        diff.contains("\n+    \"name\": \"Delete obproxy\","),
        "{diff}"
    );
    assert_eq!(unified_diff(&expected, &expected.clone(), false), "");

    let coloured = unified_diff(&expected, &actual, true);
    assert!(coloured.contains("\x1b[31m-    \"name\": \"Offline obproxy\",\x1b[0m\n"));
    assert!(coloured.contains("\x1b[32m+    \"name\": \"Delete obproxy\",\x1b[0m\n"));
    assert_eq!(unified_diff(&expected, &expected, true), "");
}

#[test]
fn normalize_accepts_any_json() {
    for value in junk() {
        let once = normalize(&value);
        assert_eq!(normalize(&value), once, "{value}");
    }
    let normalized = normalize(&cyclic());
    assert_eq!(normalized["data"]["subtasks"][0]["id"], json!("#1"));
    assert_eq!(
        normalized["data"]["subtasks"][0]["upstreams"],
        json!(["#2"])
    );
}

#[test]
fn normalize_reads_parallel_lanes_one_after_the_other() {
    fn node(id: i64, lane: i64, name: &str, upstreams: Value, downstreams: Value) -> Value {
        json!({"id": id, "parallelIdx": lane, "name": name,
               "upstreams": upstreams, "downstreams": downstreams})
    }
    let task = json!({"id": 1, "subtasks": [
        node(15, -1, "Finish", json!([14, 12]), json!([])),
        node(14, 1, "Stop", json!([13]), json!([15])),
        node(13, 1, "Prepare", json!([10]), json!([14])),
        node(12, 0, "Stop", json!([11]), json!([15])),
        node(11, 0, "Prepare", json!([10]), json!([12])),
        node(10, -1, "Start", json!([]), json!([13, 11])),
    ]});
    let normalized = normalize(&task);
    let read: Vec<String> = normalized["subtasks"]
        .as_array()
        .expect("subtasks")
        .iter()
        .map(|s| {
            let text = |key: &str| s[key].as_str().unwrap_or_default().to_owned();
            format!("{} {} {}", text("id"), s["parallelIdx"], text("name"))
        })
        .collect();
    assert_eq!(
        read,
        [
            "#1 -1 Start",
            "#2 0 Prepare",
            "#3 0 Stop",
            "#4 1 Prepare",
            "#5 1 Stop",
            "#6 -1 Finish",
        ]
    );
    assert_eq!(
        normalized["subtasks"][0]["downstreams"],
        json!(["#2", "#4"])
    );
    assert_eq!(normalized["subtasks"][5]["upstreams"], json!(["#3", "#5"]));
    assert_eq!(normalized["id"], json!("[task id]"));
}
