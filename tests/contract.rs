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
        .filter_map(|entry| entry.ok())
        // `schemas/endpoints/` holds the generated schemas, held to the pages by their own test.
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|entry| entry.file_name().into_string().ok())
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

mod errors;
mod normalize;
mod tasks;
