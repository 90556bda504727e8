//! `check --all-reads`: every documented GET of the target's OCP version, judged by its
//! response schema. Against a fresh mock of each profile every read sent passes and every read
//! skipped says why; against a proxy that drifts one field, that read fails at the field's
//! pointer; only GETs are ever sent, within the per-call timeout and the cap on calls.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ocp_mock::check::reads::plan::why;
use ocp_mock::check::{
    CheckError, CheckOptions, Credentials, DeleteTarget, Outcome, Report, check,
};
use ocp_mock::{MockServer, OcpVersion};
use serde_json::{Value, json};

use super::proxy::{Change, Proxy};

fn options(uri: String) -> CheckOptions {
    let mut options = CheckOptions::new(uri, Credentials::basic("admin", "aaAA11__"));
    options.all_reads = true;
    options.timeout = Duration::from_secs(5);
    options
}

/// The rows of the reads (named `GET <pattern>`), not the probes'.
fn reads(report: &Report) -> impl Iterator<Item = &ocp_mock::check::ProbeResult> {
    report.probes.iter().filter(|p| p.name.starts_with("GET /"))
}

/// Passed reads, failed reads, and skipped reads by the start of their reason.
fn counts(report: &Report) -> (usize, usize, BTreeMap<&'static str, usize>) {
    let (mut passed, mut failed, mut skipped) = (0, 0, BTreeMap::new());
    for read in reads(report) {
        match &read.outcome {
            Outcome::Pass => passed += 1,
            Outcome::Fail(_) => failed += 1,
            Outcome::Skip(reason) => {
                let (kind, _) = why::ALL
                    .into_iter()
                    .find(|(w, _)| reason.starts_with(w))
                    .unwrap_or_else(|| {
                        panic!("{}: a reason of no known kind: {reason}", read.name)
                    });
                *skipped.entry(kind).or_insert(0) += 1;
            }
        }
    }
    (passed, failed, skipped)
}

/// What each profile's catalogue documents that no run can send: reads that need a time range
/// or a filter, and reads whose ids no documented read lists. Each holds on any target.
fn never_sent(version: OcpVersion) -> Vec<(&'static str, &'static str)> {
    let mut out = vec![
        (
            "GET /api/v2/ob/clusters/{clusterId}/tenants/{tenantId}/topSql",
            "needs query parameters startTime, endTime",
        ),
        (
            "GET /api/v2/ob/clusters/{clusterId}/tenants/{tenantId}/sqls/{sqlId}/trends",
            "needs query parameters startTime, endTime",
        ),
        (
            "GET /api/v2/ob/clusters/{clusterId}/tenants/{tenantId}/sql/{sqlId}/text",
            "no documented read lists {sqlId}",
        ),
        (
            "GET /api/v2/ob/clusters/{clusterId}/tenants/{tenantId}/sql/{sqlId}/topPlan",
            "no documented read lists {sqlId}",
        ),
        (
            "GET /api/v2/ob/clusters/{clusterId}/tenants/{tenantId}/plans/{uid}/trends",
            "no documented read lists {uid}",
        ),
        (
            "GET /api/v2/cluters/{clusterId}/tenants/{tenantId}/plans/{uid}/explain",
            "no documented read lists {uid}",
        ),
        (
            "GET /api/v2/monitor/metricGroups",
            "needs query parameters type, scope",
        ),
    ];
    if matches!(version, OcpVersion::V4_3_4 | OcpVersion::V4_3_5) {
        out.extend([
            (
                "GET /api/v2/inspection/report/{id}",
                "no documented read lists {id}",
            ),
            (
                "GET /api/v2/inspection/report/info/item/{itemId}",
                "needs query parameters tagId, objectType",
            ),
            (
                "GET /api/v2/ob/clusters/{clusterId}/tenants/{tenantId}/slowSql",
                "needs query parameters startTime, endTime",
            ),
        ]);
    }
    out.sort();
    out
}

/// The reads skipped, as (name, reason), sorted.
fn skips(report: &Report) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = reads(report)
        .filter_map(|p| match &p.outcome {
            Outcome::Skip(why) => Some((p.name.clone(), why.clone())),
            _ => None,
        })
        .collect();
    out.sort();
    out
}

fn owned(pairs: Vec<(&str, &str)>) -> Vec<(String, String)> {
    pairs
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect()
}

#[test]
fn every_read_of_each_profile_passes_against_a_fresh_mock_and_each_skip_says_why() {
    // (version, documented GETs, passed); the skips are `never_sent` plus the two task reads
    // a fresh mock, which has run no task, names no id for.
    let known = [
        (OcpVersion::V3_1_1, 50, 41),
        (OcpVersion::V4_2_2, 59, 50),
        (OcpVersion::V4_3_4, 73, 61),
        (OcpVersion::V4_3_5, 73, 61),
    ];
    for (version, gets, passed) in known {
        let mock = MockServer::builder().ocp_version(version).start_blocking();
        let started = Instant::now();
        let report = check(&options(mock.uri())).expect("the mock answers");
        let shown = report.render(Default::default(), false);
        assert!(started.elapsed() < Duration::from_secs(10), "{shown}");
        assert_eq!(report.exit_code(), 0, "OCP {version}:\n{shown}");
        assert_eq!(reads(&report).count(), gets, "OCP {version}");
        let no_task = "no id learned for {taskInstanceId}: GET /api/v2/tasks/instances named none";
        let mut expected = never_sent(version);
        expected.extend([
            ("GET /api/v2/tasks/instances/{taskInstanceId}", no_task),
            (
                "GET /api/v2/tasks/instances/{taskInstanceId}/subtasks/{subtaskInstanceId}/log",
                no_task,
            ),
        ]);
        expected.sort();
        assert_eq!(skips(&report), owned(expected), "OCP {version}");
        let (sent, failed, by_reason) = counts(&report);
        assert_eq!((sent, failed), (passed, 0), "OCP {version}");
        let queries = never_sent(version)
            .iter()
            .filter(|(_, w)| w.starts_with(why::NEEDS_QUERY))
            .count();
        assert_eq!(by_reason[why::NEEDS_QUERY], queries, "OCP {version}");
        assert_eq!(by_reason[why::NO_ID], 2, "OCP {version}");
        assert_eq!(by_reason.values().sum::<usize>() + passed, gets);
        let note = format!(
            "--all-reads: the {gets} documented GETs of OCP {version}, each judged by its response schema; no write is sent"
        );
        let (queries, lists) = if gets == 73 { (5, 5) } else { (3, 4) };
        let tally = format!(
            "--all-reads: {passed} of {gets} reads passed, 0 failed, {} skipped: \
             {queries} need query parameters, {lists} have no documented list of their ids, \
             2 learned no id",
            gets - passed
        );
        assert_eq!(report.notes[1..], [note, tally], "OCP {version}");
        let methods: Vec<String> = mock.requests().into_iter().map(|r| r.method).collect();
        assert!(methods.iter().all(|m| m == "GET"), "{methods:?}");
    }
}

#[test]
fn after_a_delete_the_task_reads_learn_their_ids_from_the_task_list() {
    let mock = MockServer::builder()
        .ocp_version(OcpVersion::V4_3_4)
        .start_blocking();
    let mut options = options(mock.uri());
    options.delete = Some(DeleteTarget::parse("1:2").unwrap());
    options.poll_interval = Duration::from_millis(1);
    let report = check(&options).expect("the mock answers");
    let shown = report.render(Default::default(), false);
    assert_eq!(report.exit_code(), 0, "{shown}");
    assert_eq!(
        skips(&report),
        owned(never_sent(OcpVersion::V4_3_4)),
        "{shown}"
    );
    let log = report
        .probe("GET /api/v2/tasks/instances/{taskInstanceId}/subtasks/{subtaskInstanceId}/log")
        .unwrap();
    assert!(log.passed(), "{shown}");
    // The task the delete started, and the first subtask its detail lists (the documented
    // example's ids and order).
    assert_eq!(
        log.request,
        "GET /api/v2/tasks/instances/33149/subtasks/34964/log"
    );
}

/// `sshPort` of the host detail sent as a string.
fn ssh_port_as_text(path: &str) -> Change {
    if path == "/api/v2/compute/hosts/1" {
        Change::Edit(|body| body["data"]["sshPort"] = json!("22"))
    } else {
        Change::Keep
    }
}

#[test]
fn a_field_of_another_type_fails_that_read_at_its_pointer() {
    let mock = MockServer::start_blocking();
    let proxy = Proxy::start(mock.address(), ssh_port_as_text);
    let report = check(&options(proxy.uri())).expect("the proxy answers");
    let shown = report.render(Default::default(), false);
    assert_eq!(report.exit_code(), 1, "{shown}");
    let failed: Vec<&str> = report
        .probes
        .iter()
        .filter(|p| !p.violations().is_empty())
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(failed, ["GET /api/v2/compute/hosts/{hostId}"], "{shown}");
    let lines = "FAIL  GET /api/v2/compute/hosts/{hostId}  GET /api/v2/compute/hosts/1 -> 200\n      \
                 /data/sshPort: expected integer, got string \"22\"\n";
    assert!(shown.contains(lines), "{shown}");
    // The README shows these lines as the example of a drift.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("the README");
    assert!(readme.contains(lines), "README.md must show:\n{lines}");
    // The same verdict in the other formats.
    let json = report.json();
    let row = json["probes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "GET /api/v2/compute/hosts/{hostId}")
        .unwrap();
    assert_eq!(row["outcome"], "fail");
    assert_eq!(row["violations"][0]["pointer"], "/data/sshPort");
    let junit = report.render(ocp_mock::check::Format::Junit, false);
    let case = junit
        .lines()
        .find(|l| l.contains("name=\"GET /api/v2/compute/hosts/{hostId}\""))
        .expect("a test case per read");
    assert!(
        case.contains(
            "<failure message=\"/data/sshPort: expected integer, got string &quot;22&quot;\" type=\"contract\">"
        ),
        "{case}"
    );
    assert_eq!(
        junit.matches("<failure ").count(),
        1,
        "one failed test case: {junit}"
    );
}

#[test]
fn the_binary_exits_1_on_a_drifted_read() {
    let mock = MockServer::start_blocking();
    let proxy = Proxy::start(mock.address(), ssh_port_as_text);
    let uri = proxy.uri();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ocp-mock"))
        .args(["check", "--target", &uri, "--user", "admin:aaAA11__"])
        .args(["--all-reads", "--format", "json"])
        .env_remove("OCP_MOCK_CHECK_OCP_VERSION")
        .env_remove("OCP_MOCK_MAX_CALLS")
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_eq!(report["failed"], 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 failed"), "{stderr}");
}

#[test]
fn a_target_that_names_no_version_it_knows_needs_ocp_version() {
    let mock = MockServer::start_blocking();
    let proxy = Proxy::start(mock.address(), |path| {
        if path == "/api/v2/info" {
            Change::Edit(|body| body["buildVersion"] = json!("9.9.9"))
        } else {
            Change::Keep
        }
    });
    let mut options = options(proxy.uri());
    match check(&options) {
        Err(e @ CheckError::UnknownVersion(_)) => assert_eq!(
            e.to_string(),
            "--all-reads needs the target's OCP version, and GET /api/v2/info gave none \
             (buildVersion \"9.9.9\" names no OCP version the mock knows (3.1.1, 4.2.2, 4.3.4, 4.3.5)): \
             give --ocp-version"
        ),
        other => panic!("not refused for its version: {other:?}"),
    }
    // Nothing was sent past the version, the two 401 probes that tell the target answers and
    // the cluster list that tells it takes the credentials.
    let sent: Vec<String> = mock.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        sent,
        [
            "/api/v2/info",
            "/api/v2/obproxy/clusters",
            "/api/v2/obproxy/clusters",
            "/api/v2/obproxy/clusters"
        ]
    );
    options.ocp_version = Some(OcpVersion::V4_3_4);
    let report = check(&options).expect("the proxy answers");
    assert_eq!(report.exit_code(), 0);
    assert!(
        report.notes[1].ends_with("no write is sent (--ocp-version)"),
        "{:?}",
        report.notes
    );
}

#[test]
fn reads_past_the_cap_are_skipped_unsent() {
    let mock = MockServer::start_blocking();
    let mut options = options(mock.uri());
    options.max_calls = 5;
    let report = check(&options).expect("the mock answers");
    let (passed, _, by_reason) = counts(&report);
    assert_eq!(passed, 5);
    // Of the 63 reads a run could send to a fresh 4.3.4 mock, the first 5 are sent and the
    // other 58 are skipped for the cap, whatever else they lack.
    assert_eq!(by_reason[why::CAP], 58, "{by_reason:?}");
    assert_eq!(by_reason.get(why::NO_ID), None, "{by_reason:?}");
    let first = reads(&report)
        .find(|p| matches!(&p.outcome, Outcome::Skip(w) if w.starts_with(why::CAP)))
        .unwrap();
    assert_eq!(
        first.outcome,
        Outcome::Skip("the cap of 5 calls was reached (--max-calls)".into())
    );
    // The probes' own calls and the five reads.
    let sent = mock.requests().len();
    assert_eq!(sent, 8 + 5, "{sent} requests");
}

#[test]
fn a_read_with_no_answer_in_time_fails_and_three_in_a_row_end_the_reads() {
    let mock = MockServer::start_blocking();
    // The compute family hangs: the first three of its reads time out.
    let proxy = Proxy::start(mock.address(), |path| {
        if path.starts_with("/api/v2/compute/") {
            Change::Stall(Duration::from_secs(3))
        } else {
            Change::Keep
        }
    });
    let mut options = options(proxy.uri());
    options.timeout = Duration::from_millis(300);
    let started = Instant::now();
    let report = check(&options).expect("the proxy answers the probes");
    assert!(started.elapsed() < Duration::from_secs(5));
    let timed_out: Vec<&str> = reads(&report)
        .filter(|p| {
            p.violations()
                .iter()
                .any(|v| v.message == "no complete answer within 300 ms")
        })
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        timed_out,
        [
            "GET /api/v2/compute/regions",
            "GET /api/v2/compute/hostTypes",
            "GET /api/v2/compute/hosts",
        ]
    );
    assert_eq!(report.exit_code(), 1);
    let (_, _, by_reason) = counts(&report);
    assert!(by_reason[why::GONE] > 10, "{by_reason:?}");
}

#[test]
fn refused_credentials_are_said_before_the_version_is_asked_for() {
    let mock = MockServer::start_blocking();
    let mut options = options(mock.uri());
    options.credentials = Credentials::basic("admin", "wrong");
    match check(&options) {
        Err(e @ CheckError::Refused { .. }) => {
            assert!(e.to_string().contains("admin"), "{e}")
        }
        other => panic!("not refused for its credentials: {other:?}"),
    }
}
