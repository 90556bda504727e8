//! The command line without a process: what each flag sets, what is refused, and the help.
//! The environment is taken out of the command here, so a developer's `OCP_MOCK_*` variables
//! cannot change a result; the variables themselves are tested through the binary.

use std::time::Duration;

use ocp_mock::{ClockMode, ErrorCodeStyle, OcpVersion, Role, Settings, TaskPace};

use super::*;

fn without_env() -> clap::Command {
    command().mut_subcommands(|sub| sub.mut_args(|arg| arg.env(None)))
}

fn run(args: &[&str]) -> Result<Invocation, CliError> {
    parse_with(
        without_env(),
        std::iter::once("ocp-mock").chain(args.iter().copied()),
    )
}

fn serve(args: &[&str]) -> ServeOptions {
    let args: Vec<&str> = std::iter::once("serve")
        .chain(args.iter().copied())
        .collect();
    match run(&args) {
        Ok(Invocation::Serve(options)) => *options,
        other => panic!("not serve: {other:?}"),
    }
}

fn refused(args: &[&str]) -> String {
    match run(args) {
        Err(e) if !e.is_help() => e.to_string(),
        other => panic!("{args:?} was not refused: {other:?}"),
    }
}

fn help(args: &[&str]) -> String {
    match run(args) {
        Err(CliError::Clap(e)) if e.kind() == ErrorKind::DisplayHelp => e.render().to_string(),
        other => panic!("{args:?} printed no help: {other:?}"),
    }
}

/// Every `serve` flag with a value that differs from its default.
const EVERY_SERVE_FLAG: &[&str] = &[
    "--addr=127.0.0.1:9999",
    "--ocp-version",
    "V3.1.1",
    "--seed",
    "0x10",
    "--clock",
    "system",
    "--server-name",
    "srv",
    "--executor",
    "exe",
    "--error-code",
    "string",
    "--user",
    "u:p:viewer",
    "--user",
    "w:q",
    "--access-key",
    "k:s",
    "--task-pace",
    "time:5",
    "--scenario",
    "latency:5",
    "--scenario",
    "fail-at:Wait node",
    "--journal-size",
    "7",
    "--task-retention",
    "9",
    "--max-ids",
    "11",
    "--max-uri-bytes",
    "1000",
    "--max-header-bytes",
    "2000",
    "--max-body-bytes",
    "3",
    "--header-read-timeout-ms",
    "4",
    "--idle-timeout-ms",
    "5",
    "--max-connections",
    "6",
    "--shutdown-timeout-ms",
    "7",
    "--respawn-deleted",
    "--no-auth",
    "--no-admin",
    "--quiet",
    "--log-format",
    "json",
    "--port-file",
    "/tmp/p",
];

#[test]
fn every_serve_flag_reaches_its_setting() {
    let o = serve(EVERY_SERVE_FLAG);
    let s = &o.settings;
    assert_eq!(o.addr.to_string(), "127.0.0.1:9999");
    assert_eq!((s.seed, s.clock), (16, ClockMode::System));
    assert_eq!(
        (s.server_name.as_str(), s.executor.as_str()),
        ("srv", "exe")
    );
    assert_eq!(s.error_code, Some(ErrorCodeStyle::String));
    assert_eq!(s.ocp_version, OcpVersion::V3_1_1);
    assert_eq!(s.auth.users.len(), 2);
    assert_eq!(s.auth.users[0].role, Role::Viewer);
    assert_eq!(s.auth.access_keys[0].id, "k");
    assert_eq!(s.task_pace, TaskPace::Time(5));
    assert_eq!(s.scenarios.len(), 2);
    assert_eq!((s.journal_size, s.task_retention), (7, 9));
    let l = s.limits;
    assert_eq!(
        (l.max_ids, l.max_uri_bytes, l.max_header_bytes),
        (11, 1000, 2000)
    );
    assert_eq!((l.max_body_bytes, l.max_connections), (3, 6));
    assert_eq!(l.header_read_timeout, Duration::from_millis(4));
    assert_eq!(l.idle_timeout, Duration::from_millis(5));
    assert_eq!(l.shutdown_timeout, Duration::from_millis(7));
    assert!(s.respawn_deleted && !s.auth.enabled && !s.admin_api && !s.log_requests);
    assert_eq!(s.log_format, ocp_mock::LogFormat::Json);
    assert_eq!(o.port_file, Some("/tmp/p".into()));
}

#[test]
fn no_flag_keeps_the_documented_defaults() {
    let o = serve(&[]);
    assert_eq!(o.addr.to_string(), "127.0.0.1:8080");
    let defaults = Settings::default();
    assert_eq!(o.settings.seed, defaults.seed);
    assert_eq!(o.settings.limits, defaults.limits);
    assert_eq!(o.settings.ocp_version, OcpVersion::V4_3_4);
    assert!(o.settings.log_requests && o.settings.auth.enabled && o.settings.admin_api);
}

#[test]
fn a_flag_given_twice_takes_its_last_value() {
    assert_eq!(serve(&["--seed", "5", "--seed", "6"]).settings.seed, 6);
}

#[test]
fn a_host_name_is_resolved_to_its_first_address() {
    let o = serve(&["--addr", "localhost:0"]);
    assert!(o.addr.ip().is_loopback(), "{}", o.addr);
    assert_eq!(o.addr.port(), 0);
}

/// Refused arguments, and what the one-line message must say.
const REFUSALS: &[(&[&str], &str)] = &[
    (
        &["serve", "--ocp-version", "4.4"],
        "--ocp-version: unknown OCP version \"4.4\" (known: 3.1.1, 4.2.2, 4.3.4, 4.3.5)",
    ),
    (
        &["serve", "--addr", "nowhere"],
        "--addr: \"nowhere\" is not HOST:PORT",
    ),
    (&["serve", "--addr"], "--addr needs a value"),
    (
        &["serve", "--seed", "12ab"],
        "--seed: \"12ab\" is not a 64-bit number",
    ),
    (
        &["serve", "--max-uri-bytes", "63"],
        "--max-uri-bytes: \"63\" is not a whole number from 64",
    ),
    (
        &["serve", "--idle-timeout-ms", "18446744073709551615"],
        "--idle-timeout-ms: ",
    ),
    (
        &["serve", "--clock", "sundial"],
        "--clock: unknown clock \"sundial\"",
    ),
    (&["serve", "extra"], "unexpected argument \"extra\""),
    (&["launch"], "unknown command \"launch\""),
    (&[], "no command given"),
    (&["check", "--user", "a:b"], "check needs --target URL"),
    (
        &["check", "--target", "http://x"],
        "check needs --user NAME:PASSWORD",
    ),
    (
        &[
            "check",
            "--target",
            "http://x",
            "--user",
            "a:b",
            "--timeout",
            "0",
        ],
        "--timeout: must be more than 0 ms",
    ),
    (
        &[
            "check", "--target", "http://x", "--user", "a:b", "--delete", "1:2",
        ],
        "add --allow-delete",
    ),
    (&["validate"], "missing <FILE>"),
    (
        &["validate", "--status", "99", "f"],
        "--status: \"99\" is not an HTTP status",
    ),
    (
        &["validate", "--expect", "maybe", "f"],
        "--expect: \"maybe\" is not any or new-task",
    ),
];

#[test]
fn refusals_name_the_flag_and_why() {
    for (args, expected) in REFUSALS {
        let message = refused(args);
        assert!(message.contains(expected), "{args:?}: {message}");
        assert_eq!(message.lines().count(), 1, "{message}");
    }
}

#[test]
fn a_mistyped_flag_or_command_gets_a_suggestion() {
    let message = refused(&["serve", "--qiet"]);
    assert!(
        message.starts_with("unknown option \"--qiet\""),
        "{message}"
    );
    assert!(
        message.contains("a similar one exists: --quiet"),
        "{message}"
    );
    assert!(
        message.ends_with("(try: ocp-mock serve --help)"),
        "{message}"
    );
    let message = refused(&["serv"]);
    assert!(message.contains("a similar one exists: serve"), "{message}");
}

#[test]
fn a_refused_secret_is_never_quoted() {
    for args in [
        &["serve", "--user", ":hunter2:admin"][..],
        &["check", "--target", "http://x", "--access-key", "hunter2"][..],
    ] {
        let message = refused(args);
        assert!(!message.contains("hunter2"), "{message}");
    }
}

#[test]
fn check_and_validate_take_their_flags_and_defaults() {
    let Ok(Invocation::Check(o)) = run(&[
        "check",
        "--target",
        "http://x",
        "--access-key",
        "id:secret",
        "--delete",
        "1:2,3",
        "--allow-delete",
        "--poll-interval",
        "1",
        "--format",
        "junit",
        "--missing-cluster-id",
        "7",
    ]) else {
        panic!("not check");
    };
    assert_eq!(
        o.credentials,
        ocp_mock::Credentials::access_key("id", "secret")
    );
    assert_eq!(
        o.delete.as_ref().map(|d| d.server_ids.clone()),
        Some(vec![2, 3])
    );
    assert_eq!(
        (o.poll_interval, o.missing_cluster_id),
        (Duration::from_millis(1), 7)
    );
    assert_eq!(o.timeout, ocp_mock::check::DEFAULT_TIMEOUT);
    assert_eq!(o.format, ocp_mock::check::Format::Junit);
    assert!(!o.all_reads, "reads only when asked");
    let Ok(Invocation::Validate(v)) = run(&["validate", "a.json", "-"]) else {
        panic!("not validate");
    };
    assert_eq!(v.files, ["a.json", "-"]);
    assert_eq!((v.status, v.expect), (None, ocp_mock::Expect::Any));
}

#[test]
fn each_subcommand_prints_its_own_help() {
    let serve = help(&["serve", "--help"]);
    assert!(
        serve.contains("--max-connections <N>") && serve.contains("Limits:"),
        "{serve}"
    );
    assert!(
        !serve.contains("--target") && !serve.contains("--expect"),
        "{serve}"
    );
    let check = help(&["check", "--help"]);
    assert!(
        check.contains("--target <URL>") && check.contains("--allow-delete"),
        "{check}"
    );
    assert!(
        !check.contains("--max-ids") && !check.contains("--expect"),
        "{check}"
    );
    let validate = help(&["validate", "-h"]);
    assert!(validate.contains("--expect <any|new-task>") && validate.contains("<FILE>..."));
    assert!(
        !validate.contains("--target") && !validate.contains("--quiet"),
        "{validate}"
    );
    assert_eq!(help(&["help", "check"]), check);
    assert!(help(&["--help"]).contains("validate"));
}

#[test]
fn every_form_of_all_interfaces_is_recognised() {
    for all in ["0.0.0.0", "::", "::ffff:0.0.0.0"] {
        assert!(super::all_interfaces(all.parse().unwrap()), "{all}");
    }
    for one in ["127.0.0.1", "::1", "::ffff:127.0.0.1", "192.0.2.7"] {
        assert!(!super::all_interfaces(one.parse().unwrap()), "{one}");
    }
}

#[test]
fn worker_threads_are_half_the_cpus_unless_given_from_1_to_256() {
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    assert_eq!(
        serve(&[]).worker_threads,
        ocp_mock::default_worker_threads(cpus)
    );
    assert_eq!(
        [1, 2, 3, 8, 1024].map(ocp_mock::default_worker_threads),
        [1, 1, 1, 4, 256]
    );
    assert_eq!(serve(&["--worker-threads", "3"]).worker_threads, 3);
    for bad in ["0", "257", "two"] {
        let why = refused(&["serve", "--worker-threads", bad]);
        assert!(why.contains("--worker-threads"), "{why}");
    }
}

#[test]
fn check_takes_all_reads_with_its_cap_and_version() {
    let base = [
        "check",
        "--target",
        "http://x",
        "--user",
        "a:b",
        "--all-reads",
    ];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        base.iter().chain(extra).copied().collect()
    };
    let Ok(Invocation::Check(o)) = run(&with(&[])) else {
        panic!("not check");
    };
    assert!(o.all_reads);
    assert_eq!(
        (o.max_calls, o.ocp_version),
        (ocp_mock::check::DEFAULT_MAX_CALLS, None)
    );
    let Ok(Invocation::Check(o)) = run(&with(&["--max-calls", "5", "--ocp-version", "3.1.1"]))
    else {
        panic!("not check");
    };
    assert_eq!((o.max_calls, o.ocp_version), (5, Some(OcpVersion::V3_1_1)));
    for (extra, message) in [
        (
            &["--max-calls", "0"][..],
            "--max-calls: \"0\" is not a whole number from 1 to 10000",
        ),
        (
            &["--ocp-version", "4.4"][..],
            "--ocp-version: unknown OCP version \"4.4\" (known: 3.1.1, 4.2.2, 4.3.4, 4.3.5)",
        ),
    ] {
        assert_eq!(refused(&with(extra)), message);
    }
}
