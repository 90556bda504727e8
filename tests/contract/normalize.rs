//! Normalisation and diff.

use super::errors::junk;
use super::*;
use crate::support::assert_json_eq;

#[test]
fn normalized_documented_example() {
    // Kept with every other snapshot, in tests/snapshots/.
    insta::with_settings!({snapshot_path => "../snapshots"}, {
        insta::assert_json_snapshot!("normalized_documented_example", normalize(&documented()));
    });
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
    // normalize(documented()) is pinned by the snapshot above.
    assert_json_eq!(normalize(&other), normalize(&documented()));
}

#[test]
fn an_error_keeps_its_error_and_loses_its_bookkeeping() {
    let expected = json!({
        "duration": "[duration]",
        "error": {
            "code": 0,
            "message": "Excessive number of requests. You have exceeded the request limit for the current throttling window."
        },
        "server": "[server]",
        "status": 429,
        "successful": false,
        "timestamp": "[timestamp]",
        "traceId": "[traceId]"
    });
    assert_json_eq!(normalize(&throttled()), expected, "v3");
    let v4 = fitting("45-error-429-throttled-en-v4.json");
    assert_json_eq!(normalize(&v4), expected, "v4, another server");
}

#[test]
fn normalize_keeps_what_is_stable() {
    // Raw subtask 0 is "Delete obproxy info", fifth in DAG order.
    let changed = mutated(|b| subtask(b, 0)["timeout"] = json!(301));
    let mut expected = normalize(&documented());
    assert_eq!(
        expected["data"]["subtasks"][4]["name"],
        "Delete obproxy info"
    );
    assert_eq!(expected["data"]["subtasks"][4]["timeout"], 300);
    expected["data"]["subtasks"][4]["timeout"] = json!(301);
    assert_json_eq!(normalize(&changed), expected);
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
    // What is no envelope, no task, or a task with nothing volatile comes back as it went in.
    let unchanged = junk()[..8].to_vec();
    let expected = [
        unchanged,
        vec![
            json!({"successful": true, "data": {"subtasks": [
                {"id": "#1", "upstreams": [], "downstreams": ["[unknown id]"]},
                {"id": "#2", "upstreams": ["[unknown id]"], "downstreams": ["[unknown id]"]},
                {"id": "#3", "upstreams": 7, "downstreams": ["#3", "#3", "[unknown id]"]}
            ]}}),
            json!({"successful": "yes", "error": 3, "data": [{"subtasks": {}}]}),
            json!({"successful": false, "error": {"code": [], "message": null}}),
            json!({"successful": true, "status": 200, "data": {"subtasks": [
                {"id": "#1", "name": "a", "upstreams": ["#2"], "downstreams": ["#2"]},
                {"id": "#2", "name": "b", "upstreams": ["#1"], "downstreams": ["#1"]}
            ]}}),
        ],
    ]
    .concat();
    let junk = junk();
    assert_eq!(
        junk.len(),
        expected.len(),
        "one expected answer per junk value"
    );
    for (value, expected) in junk.iter().zip(expected) {
        assert_json_eq!(normalize(value), expected, "{value}");
    }
}

#[test]
fn normalizing_twice_changes_nothing_more() {
    let mut values: Vec<(String, Value)> = FITTING
        .iter()
        .chain(OTHER_SHAPES)
        .map(|(name, text)| ((*name).to_owned(), parse(name, text)))
        .collect();
    values.push(("the documented example".to_owned(), documented()));
    values.extend(junk().into_iter().map(|value| (value.to_string(), value)));
    values.push(("parallel lanes".to_owned(), parallel_lanes()));
    for (name, value) in values {
        let once = normalize(&value);
        assert_json_eq!(normalize(&once), once, "{name}");
    }
    let twice = normalize(&normalize(&documented()));
    assert_eq!(twice["data"]["subtasks"][0]["downstreams"], json!(["#2"]));
    assert_eq!(twice["data"]["subtasks"][7]["upstreams"], json!(["#7"]));
}

/// A task with two parallel lanes between its start and its finish, its subtasks listed
/// backwards.
fn parallel_lanes() -> Value {
    fn node(id: i64, lane: i64, name: &str, upstreams: Value, downstreams: Value) -> Value {
        json!({"id": id, "parallelIdx": lane, "name": name,
               "upstreams": upstreams, "downstreams": downstreams})
    }
    json!({"id": 1, "subtasks": [
        node(15, -1, "Finish", json!([14, 12]), json!([])),
        node(14, 1, "Stop", json!([13]), json!([15])),
        node(13, 1, "Prepare", json!([10]), json!([14])),
        node(12, 0, "Stop", json!([11]), json!([15])),
        node(11, 0, "Prepare", json!([10]), json!([12])),
        node(10, -1, "Start", json!([]), json!([13, 11])),
    ]})
}

#[test]
fn normalize_reads_parallel_lanes_one_after_the_other() {
    fn node(id: &str, lane: i64, name: &str, upstreams: Value, downstreams: Value) -> Value {
        json!({"id": id, "parallelIdx": lane, "name": name,
               "upstreams": upstreams, "downstreams": downstreams})
    }
    let expected = json!({"id": "[task id]", "subtasks": [
        node("#1", -1, "Start", json!([]), json!(["#2", "#4"])),
        node("#2", 0, "Prepare", json!(["#1"]), json!(["#3"])),
        node("#3", 0, "Stop", json!(["#2"]), json!(["#6"])),
        node("#4", 1, "Prepare", json!(["#1"]), json!(["#5"])),
        node("#5", 1, "Stop", json!(["#4"]), json!(["#6"])),
        node("#6", -1, "Finish", json!(["#3", "#5"]), json!([])),
    ]});
    assert_json_eq!(normalize(&parallel_lanes()), expected);
}
