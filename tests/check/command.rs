//! The `check` and `validate` commands as a user runs them: exit status, stdout, the one-line
//! reason on stderr, the environment twins, and the JSON and JUnit formats.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

use super::canned::{Asked, Canned, LIST_PATH, TASK_ID, TASK_PATH, Target};
use super::target::SuiteTarget;
use super::xml;

const BIN: &str = env!("CARGO_BIN_EXE_ocp-mock");
const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/delete-obproxy.json");

/// Runs the binary with a clean `OCP_MOCK_*` environment plus `env`.
pub(super) fn ocp_mock(args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, _) in std::env::vars() {
        if name.starts_with("OCP_MOCK_") || name == "NO_COLOR" {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
    let mut child = command.spawn().expect("start the binary");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(bytes) = stdin {
        input.write_all(bytes).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("the binary ends")
}

pub(super) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[track_caller]
pub(super) fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

fn check_args(uri: &str) -> Vec<String> {
    [
        "check",
        "--target",
        uri,
        "--user",
        "admin:aaAA11__",
        "--delete",
        "1:2",
        "--allow-delete",
        "--poll-interval",
        "1",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn run_check(uri: &str, extra: &[&str]) -> Output {
    let mut args = check_args(uri);
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ocp_mock(&args, &[], None)
}

#[test]
fn checking_the_real_mock_lists_every_probe_as_passed_and_exits_0() {
    let mock = SuiteTarget::mock();
    let out = run_check(&mock.options.target, &[]);
    assert_exit(&out, 0);
    let stdout = text(&out.stdout);
    for name in ocp_mock::check::names::ALL {
        assert!(
            stdout.contains(&format!("PASS  {name}")),
            "{name} in\n{stdout}"
        );
    }
    assert!(
        stdout.ends_with("9 probes: 9 passed, 0 failed, 0 skipped\n"),
        "{stdout}"
    );
    assert!(!stdout.contains('\x1b'), "no colour when stdout is a pipe");
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn a_drifted_target_exits_1_naming_the_probe_and_the_drift() {
    let target = Target::start(|asked: &Asked, mut canned: Canned| {
        if asked.is("GET", LIST_PATH) {
            canned.content_type = "text/html".into();
        }
        canned
    });
    let out = run_check(&target.uri(), &[]);
    assert_exit(&out, 1);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("FAIL  cluster list"), "{stdout}");
    assert!(
        stdout.contains("(root): content-type: expected application/json, got text/html"),
        "{stdout}"
    );
    assert_eq!(
        text(&out.stderr),
        "ocp-mock: 9 probes: 8 passed, 1 failed, 0 skipped\n"
    );
}

#[test]
fn a_task_moving_backwards_fails_as_a_junit_test_case_in_well_formed_xml() {
    let target = Target::start(|asked: &Asked, canned: Canned| {
        match (asked.target == format!("{TASK_PATH}{TASK_ID}"), asked.poll) {
            // Finished subtasks at poll 1, all back to PENDING at poll 2.
            (true, 2) => canned.edit(|body| {
                for subtask in body["data"]["subtasks"].as_array_mut().unwrap() {
                    subtask["status"] = json!("PENDING");
                }
            }),
            // A hostile Content-Type, to exercise escaping: markup, quotes, a control character.
            (false, _) if asked.is("GET", LIST_PATH) => Canned {
                content_type: "text/html; x=\"<&>\"\u{85}".into(),
                ..canned
            },
            _ => canned,
        }
    });
    let out = run_check(&target.uri(), &["--format", "junit"]);
    assert_exit(&out, 1);
    let stdout = text(&out.stdout);
    let suite = xml::parse(&stdout).unwrap_or_else(|e| panic!("{e}:\n{stdout}"));
    assert_eq!(suite.name, "testsuite");
    assert_eq!(suite.attribute("tests"), Some("9"));
    assert_eq!(suite.attribute("failures"), Some("2"));
    assert_eq!(suite.attribute("skipped"), Some("0"));
    let cases: Vec<&xml::Element> = suite
        .children
        .iter()
        .filter(|c| c.name == "testcase")
        .collect();
    assert_eq!(cases.len(), 9);
    let failure = |name: &str| {
        cases
            .iter()
            .find(|c| c.attribute("name") == Some(name))
            .and_then(|c| c.child("failure"))
            .and_then(|f| f.attribute("message"))
            .map(str::to_owned)
    };
    let list = failure("cluster list").expect("the list failed");
    assert!(list.contains("got text/html; x=\"<&>\"\\u{85}"), "{list}");
    let progress = failure("task progress").expect("the task went back");
    assert!(progress.contains("/status: subtask "), "{progress}");
    assert!(
        progress.contains("SUCCESSFUL at poll 1, PENDING at poll 2"),
        "{progress}"
    );
}

#[test]
fn the_json_format_has_counts_and_every_probe_with_its_violations() {
    let target = Target::start(|asked: &Asked, canned: Canned| {
        if asked.target == "/api/v2/obproxy/clusters/abc" {
            canned.edit(|body| {
                body.as_object_mut().unwrap().remove("error");
            })
        } else {
            canned
        }
    });
    let out = run_check(&target.uri(), &["--format", "json"]);
    assert_exit(&out, 1);
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(
        (report["passed"].as_u64(), report["failed"].as_u64()),
        (Some(8), Some(1))
    );
    let probes = report["probes"].as_array().expect("probes");
    assert_eq!(probes.len(), 9);
    let malformed = probes
        .iter()
        .find(|p| p["name"] == "malformed cluster id")
        .expect("the probe");
    assert_eq!(malformed["outcome"], "fail");
    assert_eq!(malformed["status"], 400);
    assert_eq!(malformed["violations"][0]["pointer"], "/error");
}

#[test]
fn an_unreachable_target_exits_2_with_one_line_on_stderr() {
    // A port just freed: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = run_check(&format!("http://127.0.0.1:{port}"), &[]);
    assert_exit(&out, 2);
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(&format!("ocp-mock: cannot connect to 127.0.0.1:{port}: ")),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // The report says it too, for a `> report.txt` that must not be empty.
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("ERROR  could not run: cannot connect"),
        "{stdout}"
    );
}

#[test]
fn delete_without_allow_delete_is_refused_before_any_request_with_exit_2() {
    let out = ocp_mock(
        &[
            "check",
            "--target",
            "http://127.0.0.1:9",
            "--user",
            "a:b",
            "--delete",
            "1:2",
        ],
        &[],
        None,
    );
    assert_exit(&out, 2);
    assert_eq!(
        text(&out.stderr),
        "ocp-mock: --delete deletes OBProxy servers for real: add --allow-delete to confirm\n"
    );
}

#[test]
fn bad_check_arguments_exit_2_with_the_reason() {
    let cases: &[(&[&str], &str)] = &[
        (&["check", "--user", "a:b"], "check needs --target URL"),
        (
            &["check", "--target", "http://x"],
            "check needs --user NAME:PASSWORD or --access-key",
        ),
        (
            &["check", "--target", "ftp://x", "--user", "a:b"],
            "is not an http:// or https:// URL",
        ),
        (
            &["check", "--target", "http://x", "--user", "a"],
            "--user: expected NAME:PASSWORD",
        ),
        (
            &[
                "check",
                "--target",
                "http://x",
                "--user",
                "a:b",
                "--access-key",
                "c:d",
            ],
            "not both",
        ),
        (
            &[
                "check", "--target", "http://x", "--user", "a:b", "--format", "xml",
            ],
            "--format: unknown format",
        ),
        (
            &[
                "check",
                "--target",
                "http://x",
                "--user",
                "a:b",
                "--poll-timeout",
                "soon",
            ],
            "--poll-timeout:",
        ),
        (
            &[
                "check",
                "--target",
                "http://x",
                "--user",
                "a:b",
                "--delete",
                "1:x",
                "--allow-delete",
            ],
            "--delete:",
        ),
    ];
    for (args, reason) in cases {
        let out = ocp_mock(args, &[], None);
        assert_exit(&out, 2);
        let stderr = text(&out.stderr);
        assert!(
            stderr.starts_with("ocp-mock: ") && stderr.contains(reason),
            "{args:?}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn environment_twins_configure_a_whole_check_and_a_flag_wins_over_its_twin() {
    let mock = SuiteTarget::mock();
    let env = [
        ("OCP_MOCK_TARGET", mock.options.target.as_str()),
        ("OCP_MOCK_CHECK_USER", "admin:aaAA11__"),
        ("OCP_MOCK_DELETE", "1:2"),
        ("OCP_MOCK_ALLOW_DELETE", "1"),
        ("OCP_MOCK_POLL_INTERVAL", "1"),
        ("OCP_MOCK_POLL_TIMEOUT", "10000"),
        ("OCP_MOCK_TIMEOUT", "5000"),
        ("OCP_MOCK_MISSING_CLUSTER_ID", "77"),
        ("OCP_MOCK_FORMAT", "json"),
    ];
    let out = ocp_mock(&["check"], &env, None);
    assert_exit(&out, 0);
    let report: Value = serde_json::from_slice(&out.stdout).expect("OCP_MOCK_FORMAT=json");
    let requests: Vec<&str> = report["probes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["request"].as_str())
        .collect();
    assert!(
        requests.contains(&"GET /api/v2/obproxy/clusters/77"),
        "{requests:?}"
    );
    assert!(
        requests.contains(&"DELETE /api/v2/obproxy/clusters/1/obproxies/2"),
        "{requests:?}"
    );
    // A flag wins over its variable.
    let out = ocp_mock(&["check", "--format", "human"], &env, None);
    assert!(text(&out.stdout).starts_with("Checking http://127.0.0.1:"));
}

#[test]
fn checking_with_an_access_key_signs_every_request() {
    let mock = SuiteTarget::mock();
    let out = ocp_mock(
        &["check", "--target", &mock.options.target],
        &[(
            "OCP_MOCK_CHECK_ACCESS_KEY",
            "cqammmxBpfGjFlto:2fc0c299cc94c6be266f2ceece765d4d",
        )],
        None,
    );
    assert_exit(&out, 0);
    assert!(text(&out.stdout).contains("7 passed, 0 failed, 2 skipped"));
}

#[test]
fn credentials_the_target_refuses_stop_the_check_with_exit_2() {
    let mock = SuiteTarget::mock();
    let out = ocp_mock(
        &[
            "check",
            "--target",
            &mock.options.target,
            "--user",
            "admin:not-the-password",
        ],
        &[],
        None,
    );
    assert_exit(&out, 2);
    assert_eq!(
        text(&out.stderr),
        "ocp-mock: the target refused Basic user admin: 401 on GET /api/v2/obproxy/clusters?page=1&size=10\n"
    );
}

#[test]
fn validate_passes_the_documented_example_as_a_new_task() {
    let out = ocp_mock(&["validate", "--expect", "new-task", FIXTURE], &[], None);
    assert_exit(&out, 0);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("saved answer, status from the body -> 200"),
        "{stdout}"
    );
    assert!(!stdout.contains("differs"), "{stdout}");
}

#[test]
fn validate_reads_stdin_and_reports_each_violation_with_its_pointer() {
    let mut body: Value =
        serde_json::from_str(include_str!("../../fixtures/delete-obproxy.json")).unwrap();
    body["data"]["status"] = json!("SUCCESSFUL");
    body["data"]["subtasks"][0]["timeout"] = json!("300");
    let bytes = body.to_string();
    let out = ocp_mock(
        &["validate", "--expect", "new-task", "-"],
        &[],
        Some(bytes.as_bytes()),
    );
    assert_exit(&out, 1);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("FAIL  stdin"), "{stdout}");
    assert!(
        stdout.contains("/data/status: expected RUNNING for a new task, got SUCCESSFUL"),
        "{stdout}"
    );
    assert!(stdout.contains("/data/subtasks/0/timeout: "), "{stdout}");
    assert!(
        stdout.contains("differs from the documented example (informational)"),
        "{stdout}"
    );
}

#[test]
fn validate_takes_the_http_status_from_status_when_given() {
    // The documented example, said to have come with a 201: its body's status disagrees.
    let out = ocp_mock(
        &["validate", "--status", "201", "--format", "json", FIXTURE],
        &[],
        None,
    );
    assert_exit(&out, 1);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["probes"][0]["violations"][0]["pointer"], "/status");
    assert_eq!(
        report["probes"][0]["request"],
        "saved answer, status from --status"
    );
    assert_eq!(report["probes"][0]["status"], 201);
}

#[test]
fn validate_of_a_file_that_cannot_be_read_exits_2() {
    let out = ocp_mock(&["validate", "/nonexistent/answer.json"], &[], None);
    assert_exit(&out, 2);
    assert!(text(&out.stderr).starts_with("ocp-mock: cannot read /nonexistent/answer.json: "));
}

#[test]
fn check_and_validate_each_print_their_own_help_with_their_variables() {
    let out = ocp_mock(&["check", "--help"], &[], None);
    assert_exit(&out, 0);
    let check = text(&out.stdout);
    for needle in [
        "--target <URL>",
        "OCP_MOCK_TARGET",
        "OCP_MOCK_CHECK_USER",
        "OCP_MOCK_CHECK_ACCESS_KEY",
        "--allow-delete",
        "OCP_MOCK_POLL_TIMEOUT",
        "--format <human|json|junit>",
    ] {
        assert!(
            check.contains(needle),
            "check --help lacks {needle}:\n{check}"
        );
    }
    let out = ocp_mock(&["validate", "--help"], &[], None);
    assert_exit(&out, 0);
    let validate = text(&out.stdout);
    for needle in [
        "--expect <any|new-task>",
        "each body's own status field",
        "OCP_MOCK_STATUS",
        "--format <human|json|junit>",
    ] {
        assert!(
            validate.contains(needle),
            "validate --help lacks {needle}:\n{validate}"
        );
    }
    assert!(!check.contains("--expect"), "{check}");
    assert!(!validate.contains("--target"), "{validate}");
}

#[cfg(not(feature = "tls"))]
#[test]
fn an_https_target_needs_the_tls_feature_and_exits_2_without_it() {
    let out = ocp_mock(
        &["check", "--target", "https://127.0.0.1:9", "--user", "a:b"],
        &[],
        None,
    );
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("built without the `tls` feature"),
        "{}",
        text(&out.stderr)
    );
}
