//! Proof that the checker catches drift: a canned target answers like OCP except for one thing,
//! and the check must fail on exactly the probe concerned, with the right JSON pointer.

use std::time::Duration;

use ocp_mock::check::{CheckError, CheckOptions, Credentials, DeleteTarget, Report, check, names};
use ocp_mock::contract::Violation;
use serde_json::{Value, json};

use super::canned::{Asked, Canned, DELETE_PATH, LIST_PATH, TASK_ID, TASK_PATH, Target};

/// The check as the suite runs it: every probe, the delete included, polling fast.
pub fn options(target: &Target) -> CheckOptions {
    let mut options = CheckOptions::new(target.uri(), Credentials::basic("admin", "aaAA11__"));
    options.delete = Some(DeleteTarget {
        cluster_id: 1,
        server_ids: vec![2],
    });
    options.poll_interval = Duration::from_millis(1);
    options.timeout = Duration::from_secs(5);
    options
}

fn run(drift: impl Fn(&Asked, Canned) -> Canned + Send + Sync + 'static) -> Report {
    let target = Target::start(drift);
    check(&options(&target)).expect("the canned target answers")
}

/// Asserts that only `probe` failed, and that one of its violations is at `pointer` with a
/// message containing `words`.
#[track_caller]
fn assert_drift(report: &Report, probe: &str, pointer: &str, words: &str) {
    assert_drift_where(
        report,
        probe,
        &format!("at {pointer:?} saying {words:?}"),
        |v| v.pointer == pointer && v.message.contains(words),
    );
}

/// Asserts that only `probe` failed, and that one of its violations is `wanted`.
#[track_caller]
fn assert_drift_where(
    report: &Report,
    probe: &str,
    described: &str,
    wanted: impl Fn(&Violation) -> bool,
) {
    let shown = report.render(Default::default(), false);
    assert_eq!(report.exit_code(), 1, "{shown}");
    let failed: Vec<&str> = report
        .probes
        .iter()
        .filter(|p| !p.violations().is_empty())
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(failed, [probe], "{shown}");
    let violations = report.probe(probe).expect("the probe ran").violations();
    assert!(
        violations.iter().any(wanted),
        "no violation {described}: {violations:#?}"
    );
}

/// Where the subtask of that name sits in the documented example's `subtasks`.
fn position_of(name: &str) -> usize {
    crate::support::documented_example()["data"]["subtasks"]
        .as_array()
        .expect("subtasks")
        .iter()
        .position(|s| s["name"] == name)
        .expect("a documented subtask")
}

fn on_delete(edit: fn(&mut Value)) -> impl Fn(&Asked, Canned) -> Canned + Send + Sync {
    move |asked, canned| {
        if asked.is("DELETE", DELETE_PATH) {
            canned.edit(edit)
        } else {
            canned
        }
    }
}

#[test]
fn the_faithful_canned_target_passes_every_probe() {
    let report = run(|_, canned| canned);
    assert_eq!(
        report.exit_code(),
        0,
        "{}",
        report.render(Default::default(), false)
    );
    assert_eq!((report.passed(), report.skipped()), (9, 0));
    let progress = report.probe(names::TASK_PROGRESS).unwrap();
    assert_eq!(
        progress
            .notes
            .first()
            .map(|n| n.starts_with("task 33149 ended SUCCESSFUL after 3 polls")),
        Some(true),
        "{:?}",
        progress.notes
    );
}

#[test]
fn a_renamed_field_is_reported_where_the_field_should_be() {
    let report = run(on_delete(|body| {
        let subtask = &mut body["data"]["subtasks"][0];
        let name = subtask["name"].take();
        let fields = subtask.as_object_mut().unwrap();
        fields.remove("name");
        fields.insert("taskName".into(), name);
    }));
    assert_drift(
        &report,
        names::DELETE_OBPROXIES,
        "/data/subtasks/0/name",
        "",
    );
}

#[test]
fn a_number_sent_as_a_string_is_reported() {
    let report = run(on_delete(|body| body["data"]["id"] = json!("33149")));
    assert_drift(&report, names::DELETE_OBPROXIES, "/data/id", "");
    let progress = report.probe(names::TASK_PROGRESS).unwrap();
    assert!(
        matches!(&progress.outcome, ocp_mock::check::Outcome::Skip(why) if why.contains("no integer id"))
    );
}

#[test]
fn a_body_status_that_disagrees_with_the_http_status_is_reported() {
    let report = run(|asked, canned| {
        if asked.target == format!("/api/v2/obproxy/clusters/{}", i64::MAX) {
            canned.edit(|body| body["status"] = json!(500))
        } else {
            canned
        }
    });
    assert_drift(
        &report,
        names::UNKNOWN_CLUSTER,
        "/status",
        "expected 404 (the http status), got 500",
    );
}

#[test]
fn an_unmirrored_edge_in_the_task_dag_is_reported() {
    let report = run(on_delete(|body| {
        let entry = position_of("Start node");
        body["data"]["subtasks"][entry]["downstreams"] = json!([]);
    }));
    let prepare = position_of("Prepare offline obproxy");
    let pointer = format!("/data/subtasks/{prepare}/upstreams/0");
    assert_drift(&report, names::DELETE_OBPROXIES, &pointer, "not mirrored");
}

#[test]
fn a_cycle_in_the_task_dag_is_reported() {
    let report = run(on_delete(|body| {
        let (entry, exit) = (position_of("Start node"), position_of("Finish node"));
        let subtasks = &mut body["data"]["subtasks"];
        let (entry_id, exit_id) = (subtasks[entry]["id"].clone(), subtasks[exit]["id"].clone());
        subtasks[exit]["downstreams"] = json!([entry_id]);
        subtasks[entry]["upstreams"] = json!([exit_id]);
    }));
    // The cycle is reported once, at the edge where the walk closed it, listing every id on it.
    let ids = |name: &str| {
        crate::support::documented_example()["data"]["subtasks"][position_of(name)]["id"]
            .to_string()
    };
    let (entry, exit) = (ids("Start node"), ids("Finish node"));
    assert_drift_where(
        &report,
        names::DELETE_OBPROXIES,
        "naming the cycle at an edge",
        |v| {
            let at_an_edge = v.pointer.starts_with("/data/subtasks/")
                && (v.pointer.contains("/upstreams/") || v.pointer.contains("/downstreams/"));
            at_an_edge
                && v.message.starts_with("cycle: ")
                && v.message.contains(&format!("{exit} -> {entry}"))
        },
    );
}

#[test]
fn a_missing_envelope_field_is_reported() {
    let report = run(on_delete(|body| {
        body.as_object_mut().unwrap().remove("traceId");
    }));
    assert_drift(&report, names::DELETE_OBPROXIES, "/traceId", "");
}

#[test]
fn a_wrong_content_type_is_reported() {
    let report = run(|asked, mut canned| {
        if asked.is("GET", LIST_PATH) {
            canned.content_type = "text/html".into();
        }
        canned
    });
    let words = "content-type: expected application/json, got text/html";
    assert_drift(&report, names::CLUSTER_LIST, "", words);
}

#[test]
fn a_body_that_is_not_json_is_reported() {
    let report = run(|asked, mut canned| {
        if asked.target == format!("{TASK_PATH}{}", i64::MAX) {
            canned.body = b"<html><body>502 Bad Gateway</body></html>".to_vec();
        }
        canned
    });
    assert_drift(&report, names::UNKNOWN_TASK, "", "body is not JSON");
}

#[test]
fn a_task_that_moves_backwards_while_polled_is_reported_at_the_subtask() {
    let entry = position_of("Start node");
    let report = run(move |asked, canned| {
        if asked.poll == 2 {
            canned.edit(move |body| body["data"]["subtasks"][entry]["status"] = json!("RUNNING"))
        } else {
            canned
        }
    });
    let pointer = format!("/data/subtasks/{entry}/status");
    let words = "SUCCESSFUL at poll 1, RUNNING at poll 2";
    assert_drift(&report, names::TASK_PROGRESS, &pointer, words);
}

#[test]
fn a_task_that_fails_ends_the_polling_with_its_end_state_reported() {
    let report = run(|asked, canned| {
        if asked.target == format!("{TASK_PATH}{TASK_ID}") && asked.poll == 2 {
            canned.edit(|body| {
                body["data"]["status"] = json!("FAILED");
                body["data"]["finishTime"] = json!("2021-09-03T16:32:00.000+08:00");
            })
        } else {
            canned
        }
    });
    // A failed task is the deployment's business, not a contract violation.
    assert_eq!(
        report.exit_code(),
        0,
        "{}",
        report.render(Default::default(), false)
    );
    let progress = report.probe(names::TASK_PROGRESS).unwrap();
    assert!(
        progress.notes[0].starts_with("task 33149 ended FAILED after 2 polls"),
        "{:?}",
        progress.notes
    );
}

#[test]
fn an_answer_that_is_not_http_is_reported() {
    let report = run(|asked, mut canned| {
        if asked.target == "/api/v2/obproxy/clusters/abc" {
            canned.raw = Some(b"SSH-2.0-OpenSSH_9.2\r\n".to_vec());
        }
        canned
    });
    assert_drift(
        &report,
        names::MALFORMED_CLUSTER_ID,
        "",
        "not an HTTP answer",
    );
}

#[test]
fn an_answer_over_the_size_limit_is_refused_without_being_read() {
    let report = run(|asked, mut canned| {
        if asked.target == "/api/v2/obproxy/clusters/1" {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17000000\r\n\r\n";
            canned.raw = Some(head.as_bytes().to_vec());
        }
        canned
    });
    assert_drift(
        &report,
        names::CLUSTER_DETAIL,
        "",
        "over the 16777216-byte limit",
    );
}

#[test]
fn a_target_that_never_answers_stops_the_check_at_the_timeout() {
    let target = Target::start(|_, mut canned| {
        canned.stall = Some(Duration::from_millis(1500));
        canned
    });
    let mut options = options(&target);
    options.timeout = Duration::from_millis(300);
    let error = check(&options).expect_err("no answer, no check");
    assert!(matches!(error, CheckError::Timeout { .. }), "{error:?}");
    assert_eq!(error.to_string(), "no complete answer within 300 ms");
}

#[test]
fn detail_probes_point_into_the_cluster_detail() {
    let report = run(|asked, canned| {
        if asked.target == "/api/v2/obproxy/clusters/1" {
            canned.edit(|body| body["data"]["obproxies"][0]["sqlPort"] = json!("2883"))
        } else {
            canned
        }
    });
    assert_drift(
        &report,
        names::CLUSTER_DETAIL,
        "/data/obproxies/0/sqlPort",
        "expected an integer, got a string",
    );
}

#[test]
fn the_human_report_names_each_drift_and_shows_the_documented_difference() {
    let target = Target::start(|asked, mut canned| {
        if asked.is("GET", LIST_PATH) {
            canned.content_type = "text/html; charset=utf-8".into();
        }
        if asked.is("DELETE", DELETE_PATH) {
            canned = canned.edit(|body| body["data"]["operation"] = json!("EXECUTED"));
        }
        canned
    });
    let report = check(&options(&target)).expect("the canned target answers");
    let text = report
        .render(Default::default(), false)
        .replace(&target.uri(), "http://127.0.0.1:PORT");
    insta::with_settings!({snapshot_path => "../snapshots"}, {
        insta::assert_snapshot!("human_report_of_two_drifts", text);
    });
}
