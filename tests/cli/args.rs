//! The binary's arguments: refusals and their exit status, suggestions, per-command help,
//! host names, and the `OCP_MOCK_*` twins (an empty one counts as unset).

use std::collections::BTreeSet;
use std::io::Read;
use std::process::Stdio;

use crate::support::{ADMIN_BASIC, ChildGuard, DOCUMENTED_PATH, documented_example};

use super::{binary, send, spawn_serve, terminate, wait_with_timeout};

/// Environment variables for one run.
type Env<'a> = &'a [(&'a str, &'a str)];

/// Runs the binary, which must refuse its arguments: exit 2 within 10 s (a binary that starts
/// serving instead is stopped and the test fails).
fn run_failing(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut child = binary()
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map(ChildGuard)
        .expect("run the binary");
    let status = wait_with_timeout(&mut child);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("utf-8");
    assert_eq!(status.code(), Some(2), "{args:?}: {stderr}");
    stderr
}

#[test]
fn bad_arguments_get_a_message_and_exit_2() {
    let cases: &[(&[&str], Env, &str)] = &[
        (
            &["serve", "--clock", "sundial"],
            &[],
            "--clock: unknown clock \"sundial\"",
        ),
        (&["serve", "--bogus"], &[], "unknown option \"--bogus\""),
        (&["serve", "--addr"], &[], "--addr needs a value"),
        (
            &["serve"],
            &[("OCP_MOCK_ADDR", "nowhere")],
            "--addr: \"nowhere\" is not HOST:PORT",
        ),
        (
            &["serve", "--seed", "12ab"],
            &[],
            "--seed: \"12ab\" is not a 64-bit number",
        ),
        (
            &["serve", "--error-code", "roman"],
            &[],
            "unknown error code style \"roman\"",
        ),
        (
            &["serve", "--inventory", "/nonexistent/inventory.json"],
            &[],
            "cannot read /nonexistent/inventory.json",
        ),
        // Endless or blocking: refused before anything is read (and before listening).
        (
            &["serve", "--inventory", "/dev/zero"],
            &[],
            "/dev/zero is not a regular file",
        ),
        (
            &["serve", "--inventory", "/tmp"],
            &[],
            "/tmp is not a regular file",
        ),
        (&["launch"], &[], "unknown command \"launch\""),
        (&[], &[], "no command given"),
    ];
    for (args, env, expected) in cases {
        let stderr = run_failing(args, env);
        assert!(stderr.starts_with("ocp-mock: "), "{stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn a_broken_inventory_file_is_refused_with_its_place() {
    let dir = std::env::temp_dir().join(format!("ocp-mock-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("inventory.json");
    std::fs::write(
        &file,
        r#"{"clusters": [], "hosts": [], "obproxies": [{"id": 1, "clusterId": 1, "hostId": 1, "sqlPort": 2883, "exporterPort": 2884, "version": "4", "status": "RUNNING", "operateStatus": "NORMAL"}]}"#,
    )
    .unwrap();
    let stderr = run_failing(&["serve", "--inventory", file.to_str().unwrap()], &[]);
    assert!(stderr.contains("/obproxies/0/clusterId"), "{stderr}");
    assert!(stderr.contains("no cluster 1"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The `(flag, variable)` pairs of the tables in a text: README rows
/// (`| \`--seed N\` | \`OCP_MOCK_SEED\` | ...`) or `--help` lines (`--seed <N> ... [env: OCP_MOCK_SEED=]`).
fn flag_variable_pairs(text: &str) -> BTreeSet<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let flag = line.trim_start_matches(['|', ' ', '`']);
            let flag = flag.strip_prefix("--")?.split([' ', '`']).next()?;
            let at = line.find("OCP_MOCK_")?;
            let var = line[at..].split(['=', '`', ']', ' ']).next()?;
            Some((format!("--{flag}"), var.to_owned()))
        })
        .collect()
}

#[test]
fn serve_help_lists_every_flag_with_its_variable_and_exits_0() {
    let out = binary().args(["serve", "--help"]).output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let readme = include_str!("../../README.md");
    let settings = readme
        .split("\n## Settings")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README's Settings section");
    let documented = flag_variable_pairs(settings);
    assert_eq!(documented.len(), 31, "{documented:#?}");
    assert_eq!(flag_variable_pairs(&text), documented);
    // Only serve's own: no flag of check or validate.
    for other in [
        "--target",
        "OCP_MOCK_CHECK_USER",
        "--expect",
        "--allow-delete",
    ] {
        assert!(!text.contains(other), "serve --help shows {other}");
    }
}

#[test]
fn a_mistyped_flag_gets_a_suggestion_and_exit_2() {
    let stderr = run_failing(&["serve", "--qiet"], &[]);
    assert!(
        stderr.starts_with("ocp-mock: unknown option \"--qiet\""),
        "{stderr}"
    );
    assert!(stderr.contains("--quiet"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn bad_values_from_flags_or_variables_exit_2() {
    let cases: &[(&[&str], Env, &str)] = &[
        (
            &["serve", "--max-connections", "0"],
            &[],
            "--max-connections: \"0\"",
        ),
        (
            &["serve"],
            &[("OCP_MOCK_MAX_IDS", "many")],
            "--max-ids: \"many\"",
        ),
        (
            &["serve"],
            &[("OCP_MOCK_QUIET", "1"), ("OCP_MOCK_CLOCK", "sundial")],
            "--clock:",
        ),
        (
            &["serve", "--rate-limit", "0/1000"],
            &[],
            "--rate-limit: rate limit \"0/1000\" is not off or N/MS",
        ),
        (&["serve", "--rate-limit", "fast"], &[], "--rate-limit: "),
        (&["serve", "--rate-limit", "5/0"], &[], "--rate-limit: "),
        (
            &["serve", "--rate-limit", "5/86400001"],
            &[],
            "--rate-limit: ",
        ),
        (
            &["serve"],
            &[("OCP_MOCK_RATE_LIMIT", "10")],
            "--rate-limit: rate limit \"10\"",
        ),
        (
            &["serve", "--ocp-version", "4.4"],
            &[],
            "--ocp-version: unknown OCP version \"4.4\" (known: 3.1.1, 4.2.2, 4.3.4, 4.3.5)",
        ),
        (
            &["serve"],
            &[("OCP_MOCK_OCP_VERSION", "latest")],
            "unknown OCP version \"latest\" (known: 3.1.1, 4.2.2, 4.3.4, 4.3.5)",
        ),
        (&["serve", "stray"], &[], "unexpected argument \"stray\""),
        (&["validate"], &[], "missing <FILE>"),
    ];
    for (args, env, expected) in cases {
        let stderr = run_failing(args, env);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn serve_listens_on_a_host_name() {
    let (mut child, addr) = spawn_serve(&["--addr", "localhost:0", "--quiet"], &[]);
    let reply = send(
        &addr,
        &format!(
            "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
        ),
    );
    assert_eq!(reply.status, 200);
    terminate(&child);
    assert!(wait_with_timeout(&mut child).success());
}

#[test]
fn an_empty_variable_counts_as_unset() {
    // Empty: the defaults (127.0.0.1 and the documented server name); a non-empty twin of
    // another flag still applies.
    let (mut child, addr) = spawn_serve(
        &["--quiet"],
        &[
            ("OCP_MOCK_ADDR", ""),
            ("OCP_MOCK_SERVER_NAME", ""),
            ("OCP_MOCK_SEED", ""),
            ("OCP_MOCK_NO_AUTH", ""),
            ("OCP_MOCK_EXECUTOR", "from-env"),
        ],
    );
    let reply = send(
        &addr,
        &format!(
            "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
        ),
    );
    let body = reply.json();
    assert_eq!(body["server"], documented_example()["server"]);
    assert_eq!(body["traceId"], documented_example()["traceId"]);
    assert_eq!(body["data"]["executor"], "from-env");
    let anonymous = send(
        &addr,
        &format!(
            "GET /api/v2/obproxy/clusters HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        ),
    );
    assert_eq!(
        anonymous.status, 401,
        "OCP_MOCK_NO_AUTH= leaves authentication on"
    );
    terminate(&child);
    assert!(wait_with_timeout(&mut child).success());
}

#[test]
fn a_scenario_naming_an_unknown_subtask_stops_the_binary_with_exit_2() {
    let stderr = run_failing(&["serve", "--scenario", "fail-at:Nope"], &[]);
    assert!(stderr.contains("has no subtask \"Nope\""), "{stderr}");
    let stderr = run_failing(&["serve", "--task-pace", "polls:0"], &[]);
    assert!(stderr.contains("--task-pace"), "{stderr}");
    let stderr = run_failing(&["serve", "--user", "nopassword"], &[]);
    assert!(
        stderr.contains("--user: expected NAME:PASSWORD[:ROLE]"),
        "{stderr}"
    );
    let stderr = run_failing(&["serve", "--access-key", "id:"], &[]);
    assert!(
        stderr.contains("--access-key: expected ID:SECRET[:ROLE]"),
        "{stderr}"
    );
    let stderr = run_failing(&["serve", "--user", ":hunter2:admin"], &[]);
    assert!(
        !stderr.contains("hunter2"),
        "a refused secret is never echoed: {stderr}"
    );
}

#[test]
fn a_secret_in_a_variable_is_never_shown_by_help() {
    let out = binary()
        .args(["check", "--help"])
        .env("OCP_MOCK_CHECK_USER", "admin:hunter2")
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hunter2"));
}

#[test]
fn an_inventory_file_past_64_mib_is_refused_unread() {
    let dir = std::env::temp_dir().join(format!("ocp-mock-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("inventory.json");
    // A sparse file: 64 MiB and one byte of zeros, written in no time.
    std::fs::File::create(&file)
        .and_then(|f| f.set_len((64 << 20) + 1))
        .unwrap();
    let stderr = run_failing(&["serve", "--inventory", file.to_str().unwrap()], &[]);
    assert!(stderr.contains("is over 64 MiB"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_fifo_as_inventory_is_refused_without_waiting_for_a_writer() {
    let dir = std::env::temp_dir().join(format!("ocp-mock-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("inventory.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        std::fs::remove_dir_all(&dir).unwrap();
        panic!("mkfifo is needed for this test");
    }
    // Opening a FIFO for reading blocks until a writer comes: the binary must not open it.
    let stderr = run_failing(&["serve", "--inventory", fifo.to_str().unwrap()], &[]);
    assert!(stderr.contains("is not a regular file"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
