//! Normalisation and diff.

use super::errors::{cyclic, junk};
use super::*;

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
