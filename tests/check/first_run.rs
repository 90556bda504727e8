//! A check as a CI job first runs it: the staging job of `.github/workflows/contract.yml` as
//! written (one secret set, the other empty, as GitHub passes an unset secret), a report on
//! stdout in the format asked for even when the check cannot run, a stale `--delete` named as
//! such, and a target that already ends in the API prefix.

use std::process::{Command, Output};

use serde_json::Value;

use super::target::SuiteTarget;
use super::xml;

const BIN: &str = env!("CARGO_BIN_EXE_ocp-mock");
const WORKFLOW: &str = include_str!("../../.github/workflows/contract.yml");

/// The binary with `args` and exactly the `OCP_MOCK_*` variables of `env`.
fn ocp_mock(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command.args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("OCP_MOCK_") || name == "NO_COLOR" {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
    command.output().expect("run the binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[track_caller]
fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// The staging job's text, up to the end of the file (it is the last job).
fn staging_job() -> &'static str {
    WORKFLOW
        .split("\n  staging:\n")
        .nth(1)
        .expect("the workflow has a staging job")
}

/// The arguments of the staging job's `ocp-mock check` step, without the redirection.
fn staging_check_args() -> Vec<&'static str> {
    let line = staging_job()
        .lines()
        .find(|l| l.contains("ocp-mock check"))
        .expect("the staging job runs ocp-mock check");
    let command = line.split("ocp-mock ").nth(1).expect("arguments");
    let command = command.split('>').next().unwrap_or_default();
    command.split_whitespace().collect()
}

#[test]
fn the_workflow_runs_the_ci_script() {
    assert!(WORKFLOW.contains("\n      - run: .ci/run\n"), "{WORKFLOW}");
}

#[test]
fn the_staging_job_passes_with_either_secret_set_and_the_other_empty() {
    let job = staging_job();
    for variable in ["OCP_MOCK_CHECK_USER:", "OCP_MOCK_CHECK_ACCESS_KEY:"] {
        assert!(job.contains(variable), "the staging job sets {variable}");
    }
    let args = staging_check_args();
    assert_eq!(args, ["check", "--format", "junit"]);
    let mock = SuiteTarget::mock();
    let target = mock.options.target.as_str();
    let user = "admin:aaAA11__";
    let key = "cqammmxBpfGjFlto:2fc0c299cc94c6be266f2ceece765d4d";
    for (user, key) in [(user, ""), ("", key)] {
        let env = [
            ("OCP_MOCK_TARGET", target),
            ("OCP_MOCK_CHECK_USER", user),
            ("OCP_MOCK_CHECK_ACCESS_KEY", key),
        ];
        let out = ocp_mock(&args, &env);
        assert_exit(&out, 0);
        let suite = xml::parse(&text(&out.stdout)).expect("well-formed JUnit");
        assert_eq!(suite.attribute("failures"), Some("0"), "user {user:?}");
        assert_eq!(suite.attribute("tests"), Some("9"));
    }
}

/// The one `<testcase>` of a report of a check that could not run, and its `<error>` message.
fn junit_error(stdout: &[u8]) -> String {
    let suite = xml::parse(&text(stdout)).expect("well-formed JUnit");
    assert_eq!(suite.attribute("errors"), Some("1"));
    let case = suite.child("testcase").expect("a test case");
    let error = case.child("error").expect("an <error>");
    error.attribute("message").expect("a message").to_owned()
}

#[test]
fn a_check_that_cannot_run_still_writes_its_report_in_the_format_asked_for() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target = format!("http://127.0.0.1:{port}");
    let base = ["check", "--target", &target, "--user", "a:b"];
    let out = ocp_mock(&[&base[..], &["--format", "junit"]].concat(), &[]);
    assert_exit(&out, 2);
    let reason = format!("cannot connect to 127.0.0.1:{port}: ");
    assert!(junit_error(&out.stdout).starts_with(&reason));
    let out = ocp_mock(&[&base[..], &["--format", "json"]].concat(), &[]);
    assert_exit(&out, 2);
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(report["error"].as_str().unwrap().starts_with(&reason));
    assert_eq!(report["subject"], target.as_str());
    // Refused before any request (both kinds of credentials): still a report.
    let env = [
        ("OCP_MOCK_CHECK_USER", "a:b"),
        ("OCP_MOCK_CHECK_ACCESS_KEY", "c:d"),
        ("OCP_MOCK_FORMAT", "junit"),
    ];
    let out = ocp_mock(&["check", "--target", &target], &env);
    assert_exit(&out, 2);
    assert!(junit_error(&out.stdout).starts_with("give --user or --access-key, not both"));
}

#[test]
fn a_second_delete_of_the_same_server_is_a_failed_precondition_not_drift() {
    let mock = SuiteTarget::mock();
    let target = mock.options.target.as_str();
    let args = |delete: &'static str| {
        let mut args = vec!["check", "--target", target, "--user", "admin:aaAA11__"];
        args.extend(["--delete", delete, "--allow-delete", "--poll-interval", "1"]);
        args
    };
    assert_exit(&ocp_mock(&args("1:2"), &[]), 0);
    let out = ocp_mock(&args("1:2"), &[]);
    assert_exit(&out, 2);
    assert_eq!(
        text(&out.stderr),
        format!(
            "ocp-mock: --delete 1:...: cluster 1 has no server 2 (an earlier run may have deleted \
             it; pick servers GET /api/v2/obproxy/clusters/1 lists)\n"
        )
    );
    let out = ocp_mock(&args("77:2"), &[]);
    assert_exit(&out, 2);
    assert_eq!(
        text(&out.stderr),
        "ocp-mock: --delete 77:...: the target has no cluster 77 (404 on GET /api/v2/obproxy/clusters/77)\n"
    );
    assert!(text(&out.stdout).contains("ERROR  could not run: --delete 77:..."));
}

#[test]
fn a_target_ending_in_the_api_prefix_is_corrected_with_a_note() {
    let mock = SuiteTarget::mock();
    for suffix in ["/api/v2", "/api/v2/"] {
        let target = format!("{}{suffix}", mock.options.target);
        let out = ocp_mock(
            &["check", "--target", &target, "--user", "admin:aaAA11__"],
            &[],
        );
        assert_exit(&out, 0);
        let note = format!(
            "ocp-mock: note: the target {target} ends in /api/v2, which every probe's path starts \
             with: checking {}\n",
            mock.options.target
        );
        assert_eq!(text(&out.stderr), note);
        let stdout = text(&out.stdout);
        assert!(
            stdout.starts_with(&format!("Checking {}\n", mock.options.target)),
            "{stdout}"
        );
        assert!(stdout.contains("7 passed, 0 failed, 2 skipped"), "{stdout}");
    }
}

#[test]
fn a_delete_refused_because_the_server_is_busy_is_a_failed_precondition() {
    use std::io::{Read, Write};
    let mock = SuiteTarget::mock();
    let target = mock.options.target.as_str();
    // Someone else's delete of server 2 is still running.
    let address = target.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "DELETE /api/v2/obproxy/clusters/1/obproxies/2 HTTP/1.1\r\nHost: x\r\n\
         Connection: close\r\nAuthorization: Basic YWRtaW46YWFBQTExX18=\r\n\r\n"
    )
    .unwrap();
    stream.read_to_end(&mut Vec::new()).unwrap();
    let out = ocp_mock(
        &[
            "check",
            "--target",
            target,
            "--user",
            "admin:aaAA11__",
            "--delete",
            "1:2",
            "--allow-delete",
            "--format",
            "json",
        ],
        &[],
    );
    assert_exit(&out, 2);
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("ocp-mock: --delete: the target refused the delete with 409 ("),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_eq!(
        report["error"].as_str(),
        stderr.strip_prefix("ocp-mock: ").map(str::trim_end)
    );
}
