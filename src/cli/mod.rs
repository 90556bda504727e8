//! The command line: `ocp-mock serve [OPTIONS]`. Every flag can also come from an
//! `OCP_MOCK_*` environment variable (flag wins), so CI jobs can configure the mock without
//! touching its command line.

pub mod scan;

use std::net::SocketAddr;
use std::time::Duration;

use crate::mock::auth::{AccessKey, User};
use crate::mock::scenario;
use crate::mock::settings::Settings;
use crate::ocp::inventory::Inventory;
use scan::{Env, bad, scan};

/// What the user asked for.
#[derive(Debug, Clone)]
pub enum Command {
    Serve(Box<ServeOptions>),
    /// `ocp-mock check`: contract probes against a target.
    Check(Box<crate::check::CheckOptions>),
    /// `ocp-mock validate`: the contract on saved answers.
    Validate(crate::check::ValidateOptions),
    Help,
    Version,
}

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub addr: SocketAddr,
    pub settings: Settings,
}

/// A command line that cannot be carried out; the message says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError(pub String);

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliError {}

pub const USAGE: &str = "\
ocp-mock: a mock of the OceanBase Cloud Platform (OCP) REST API

Usage:
  ocp-mock serve [OPTIONS]    run the mock until SIGINT or SIGTERM
  ocp-mock check --target URL (--user NAME:PASSWORD | --access-key ID:SECRET) [OPTIONS]
                              run the contract probes against an OCP (or the mock)
  ocp-mock validate [OPTIONS] FILE...
                              check saved answers (JSON bodies; - for stdin) offline
  ocp-mock help               this text
  ocp-mock version            the version

Options of serve (each also from the environment variable shown):
  --addr HOST:PORT            listen address [OCP_MOCK_ADDR] (default 127.0.0.1:8080)
  --seed N                    first traceId, decimal or 0x-hex [OCP_MOCK_SEED]
                              (default 0x0fda4c74b7a84932, the documented traceId)
  --clock fixed|system        fixed: start at the documented instant, +1 s per request;
                              system: real time [OCP_MOCK_CLOCK] (default fixed)
  --server-name NAME          the envelope's server [OCP_MOCK_SERVER_NAME] (default xxx.xxx.xxx.xxx)
  --executor NAME             the task's executor [OCP_MOCK_EXECUTOR] (default xxx.xxx.xxx.xxx)
  --error-code number|string  error.code as 21001 or \"ODP21001\" [OCP_MOCK_ERROR_CODE] (default number)
  --inventory FILE            clusters, servers and hosts as JSON [OCP_MOCK_INVENTORY]
                              (default: the embedded fixtures/inventory.json)
  --user NAME:PASSWORD[:ROLE]  a Basic identity, role admin (default) or viewer; repeatable,
                              replaces the default admin:aaAA11__ [OCP_MOCK_USER, space-separated]
  --access-key ID:SECRET[:ROLE]
                              an AK/SK identity; repeatable, replaces the default documented pair
                              [OCP_MOCK_ACCESS_KEY, space-separated]
  --no-auth                   accept every request as admin [OCP_MOCK_NO_AUTH=1]
  --task-pace polls:N|time:MS each task query advances a task N steps, or each subtask takes
                              MS ms of the mock's clock [OCP_MOCK_TASK_PACE] (default polls:4)
  --scenario SPEC             a fault active from the start; repeatable [OCP_MOCK_SCENARIO,
                              ';'-separated]: fail-at:SUBTASK, latency:MS, error:STATUS,
                              throttle:N/MS or drop, each optionally @[METHOD ]PATH
  --journal-size N            requests kept for GET /__mock/requests [OCP_MOCK_JOURNAL_SIZE]
                              (default 1000)
  --task-retention N          tasks kept before the oldest successful ones are forgotten
                              [OCP_MOCK_TASK_RETENTION] (default 1000)
  --respawn-deleted           a deleted server comes back once its task succeeded, so a load
                              test can delete forever [OCP_MOCK_RESPAWN_DELETED=1]
  --no-admin                  no admin API under /__mock/ [OCP_MOCK_NO_ADMIN=1]

Limits (each also from the environment variable shown):
  --max-ids N                 ids in one obproxyIds list, 400 past it [OCP_MOCK_MAX_IDS] (1000)
  --max-uri-bytes N           request target, 414 past it [OCP_MOCK_MAX_URI_BYTES] (8192)
  --max-header-bytes N        header names and values, 431 past it [OCP_MOCK_MAX_HEADER_BYTES]
                              (16384)
  --max-body-bytes N          request body, 413 past it [OCP_MOCK_MAX_BODY_BYTES] (1048576)
  --header-read-timeout-ms MS time to send a request head, from connect or the previous answer;
                              then the connection is closed [OCP_MOCK_HEADER_READ_TIMEOUT_MS] (10000)
  --idle-timeout-ms MS        idle keep-alive connections are closed [OCP_MOCK_IDLE_TIMEOUT_MS]
                              (60000)
  --max-connections N         connections at once, 503 past it [OCP_MOCK_MAX_CONNECTIONS] (1024)
  --shutdown-timeout-ms MS    after SIGINT/SIGTERM, time left to requests in flight
                              [OCP_MOCK_SHUTDOWN_TIMEOUT_MS] (10000)
  --quiet                     no request log [OCP_MOCK_QUIET=1]

Options of check (each also from the environment variable shown):
  --target URL                http[s]://HOST[:PORT][/PREFIX] [OCP_MOCK_TARGET]
  --user NAME:PASSWORD        call as this Basic user [OCP_MOCK_CHECK_USER]
  --access-key ID:SECRET      or sign with this AK/SK pair [OCP_MOCK_CHECK_ACCESS_KEY]
  --missing-cluster-id N      a cluster id the target lacks, for the 404 probe
                              [OCP_MOCK_MISSING_CLUSTER_ID] (default 9223372036854775807)
  --delete CLUSTER_ID:SERVER_IDS
                              also delete these OBProxy servers for real and follow the task
                              (needs --allow-delete) [OCP_MOCK_DELETE], e.g. 1:2 or 1:2,3
  --allow-delete              confirm --delete [OCP_MOCK_ALLOW_DELETE=1]
  --poll-interval MS          between task polls [OCP_MOCK_POLL_INTERVAL] (default 2000)
  --poll-timeout MS           give up on the task after [OCP_MOCK_POLL_TIMEOUT] (default 600000)
  --timeout MS                per request: connect, send, answer [OCP_MOCK_TIMEOUT] (default 10000)
  --format human|json|junit   the report on stdout [OCP_MOCK_FORMAT] (default human)
  --ca-cert FILE              also trust these PEM certificates (https) [OCP_MOCK_CA_CERT]
  --insecure                  accept any certificate (https) [OCP_MOCK_INSECURE=1]

Options of validate (each also from the environment variable shown):
  --status N                  the HTTP status the answers came with [OCP_MOCK_STATUS]
                              (default: each body's own status field)
  --expect any|new-task       new-task: the answer of an asynchronous write, a task just
                              created [OCP_MOCK_EXPECT] (default any)
  --format human|json|junit   as for check [OCP_MOCK_FORMAT]

Exit status of check and validate: 0 every probe passed, 1 a contract violation,
2 the check could not run (bad arguments, no connection, TLS failure, unreadable file).
";

/// The flags of `serve` that take a value, with their environment twins (the one list --help,
/// parsing and tests use).
pub const SERVE_VALUES: &[(&str, &str)] = &[
    ("--addr", "OCP_MOCK_ADDR"),
    ("--seed", "OCP_MOCK_SEED"),
    ("--clock", "OCP_MOCK_CLOCK"),
    ("--server-name", "OCP_MOCK_SERVER_NAME"),
    ("--executor", "OCP_MOCK_EXECUTOR"),
    ("--error-code", "OCP_MOCK_ERROR_CODE"),
    ("--inventory", "OCP_MOCK_INVENTORY"),
    ("--user", "OCP_MOCK_USER"),
    ("--access-key", "OCP_MOCK_ACCESS_KEY"),
    ("--task-pace", "OCP_MOCK_TASK_PACE"),
    ("--scenario", "OCP_MOCK_SCENARIO"),
    ("--journal-size", "OCP_MOCK_JOURNAL_SIZE"),
    ("--task-retention", "OCP_MOCK_TASK_RETENTION"),
    ("--max-ids", "OCP_MOCK_MAX_IDS"),
    ("--max-uri-bytes", "OCP_MOCK_MAX_URI_BYTES"),
    ("--max-header-bytes", "OCP_MOCK_MAX_HEADER_BYTES"),
    ("--max-body-bytes", "OCP_MOCK_MAX_BODY_BYTES"),
    (
        "--header-read-timeout-ms",
        "OCP_MOCK_HEADER_READ_TIMEOUT_MS",
    ),
    ("--idle-timeout-ms", "OCP_MOCK_IDLE_TIMEOUT_MS"),
    ("--max-connections", "OCP_MOCK_MAX_CONNECTIONS"),
    ("--shutdown-timeout-ms", "OCP_MOCK_SHUTDOWN_TIMEOUT_MS"),
];

/// The switches of `serve`, with their environment twins (on unless empty, `0` or `false`).
pub const SERVE_SWITCHES: &[(&str, &str)] = &[
    ("--respawn-deleted", "OCP_MOCK_RESPAWN_DELETED"),
    ("--no-auth", "OCP_MOCK_NO_AUTH"),
    ("--no-admin", "OCP_MOCK_NO_ADMIN"),
    ("--quiet", "OCP_MOCK_QUIET"),
];

/// Parses the arguments after the program name; `env` looks up environment variables.
pub fn parse(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> Result<Command, CliError> {
    let Some((command, rest)) = args.split_first() else {
        return Err(CliError("no command given (try: ocp-mock serve)".into()));
    };
    match command.as_str() {
        "serve" => parse_serve(rest, env),
        "check" => crate::check::parse_check(rest, env),
        "validate" => crate::check::parse_validate(rest, env),
        "help" | "--help" | "-h" => Ok(Command::Help),
        "version" | "--version" | "-V" => Ok(Command::Version),
        other => Err(CliError(format!(
            "unknown command {other:?} (try: ocp-mock help)"
        ))),
    }
}

fn parse_serve(args: &[String], env: Env<'_>) -> Result<Command, CliError> {
    let Some(scanned) = scan(args, SERVE_VALUES, SERVE_SWITCHES, env)? else {
        return Ok(Command::Help);
    };
    if let Some(extra) = scanned.operands.first() {
        return Err(CliError(format!(
            "unexpected argument {extra:?} (try: ocp-mock help)"
        )));
    }
    let get = |flag: &str| scanned.get(flag);
    // Repeatable identities: their variables hold several, separated by whitespace.
    let get_all = |flag: &str| scanned.all(flag, char::is_whitespace);

    let mut settings = Settings {
        log_requests: !scanned.switch("--quiet"),
        ..Settings::default()
    };
    let addr = match get("--addr") {
        Some(a) => a.parse().map_err(|_| {
            bad(
                "--addr",
                format!("{a:?} is not HOST:PORT (e.g. 127.0.0.1:8080)"),
            )
        })?,
        None => SocketAddr::from(([127, 0, 0, 1], 8080)),
    };
    if let Some(s) = get("--seed") {
        settings.seed = parse_seed(&s).map_err(|e| bad("--seed", e))?;
    }
    if let Some(c) = get("--clock") {
        settings.clock = c.parse().map_err(|e| bad("--clock", e))?;
    }
    if let Some(n) = get("--server-name") {
        settings.server_name = n;
    }
    if let Some(e) = get("--executor") {
        settings.executor = e;
    }
    if let Some(s) = get("--error-code") {
        settings.error_code = s.parse().map_err(|e| bad("--error-code", e))?;
    }
    if let Some(path) = get("--inventory") {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| bad("--inventory", format!("cannot read {path}: {e}")))?;
        settings.inventory =
            Inventory::parse(&text).map_err(|e| bad("--inventory", format!("{path}: {e}")))?;
    }
    let users = get_all("--user");
    if !users.is_empty() {
        settings.auth.users = users
            .iter()
            .map(|u| User::parse(u))
            .collect::<Result<_, _>>()
            .map_err(|e| bad("--user", e))?;
    }
    let keys = get_all("--access-key");
    if !keys.is_empty() {
        settings.auth.access_keys = keys
            .iter()
            .map(|k| AccessKey::parse(k))
            .collect::<Result<_, _>>()
            .map_err(|e| bad("--access-key", e))?;
    }
    settings.auth.enabled = !scanned.switch("--no-auth");
    settings.admin_api = !scanned.switch("--no-admin");
    settings.respawn_deleted = scanned.switch("--respawn-deleted");
    let count = |flag: &str, min: u64| -> Result<Option<u64>, CliError> {
        // Durations are bounded like every other millisecond flag, so no clock can overflow.
        let max = if flag.ends_with("-ms") {
            scan::MAX_MILLIS
        } else {
            u64::MAX
        };
        get(flag)
            .map(|v| match v.parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(bad(
                    flag,
                    format!("{v:?} is not a whole number from {min} to {max}"),
                )),
            })
            .transpose()
    };
    let limits = &mut settings.limits;
    let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    if let Some(n) = count("--task-retention", 1)? {
        settings.task_retention = size(n);
    }
    if let Some(n) = count("--max-ids", 1)? {
        limits.max_ids = size(n);
    }
    if let Some(n) = count("--max-uri-bytes", 64)? {
        limits.max_uri_bytes = size(n);
    }
    if let Some(n) = count("--max-header-bytes", 256)? {
        limits.max_header_bytes = size(n);
    }
    if let Some(n) = count("--max-body-bytes", 0)? {
        limits.max_body_bytes = size(n);
    }
    if let Some(n) = count("--header-read-timeout-ms", 1)? {
        limits.header_read_timeout = Duration::from_millis(n);
    }
    if let Some(n) = count("--idle-timeout-ms", 1)? {
        limits.idle_timeout = Duration::from_millis(n);
    }
    if let Some(n) = count("--max-connections", 1)? {
        limits.max_connections = size(n);
    }
    if let Some(n) = count("--shutdown-timeout-ms", 0)? {
        limits.shutdown_timeout = Duration::from_millis(n);
    }
    if let Some(p) = get("--task-pace") {
        settings.task_pace = p.parse().map_err(|e| bad("--task-pace", e))?;
    }
    if let Some(n) = get("--journal-size") {
        settings.journal_size = n
            .parse()
            .map_err(|_| bad("--journal-size", format!("{n:?} is not a count")))?;
    }
    // A scenario may hold spaces (`fail-at:Wait node`): their variable separates them by `;`.
    let specs = scanned.all("--scenario", |c| c == ';').join(";");
    settings.scenarios = scenario::parse_list(&specs).map_err(|e| bad("--scenario", e))?;
    Ok(Command::Serve(Box::new(ServeOptions { addr, settings })))
}

/// A seed in decimal or `0x` hexadecimal.
fn parse_seed(s: &str) -> Result<u64, String> {
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.map_err(|_| format!("{s:?} is not a 64-bit number (decimal or 0x-hex)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::auth::Role;
    use crate::mock::sim::clock::ClockMode;
    use crate::mock::sim::progress::TaskPace;
    use crate::ocp::error::ErrorCodeStyle;

    fn serve(args: &[&str], vars: &[(&str, &str)]) -> Result<ServeOptions, CliError> {
        let args: Vec<String> = std::iter::once("serve")
            .chain(args.iter().copied())
            .map(str::to_owned)
            .collect();
        let env = |name: &str| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        };
        match parse(&args, &env)? {
            Command::Serve(options) => Ok(*options),
            other => panic!("not serve: {other:?}"),
        }
    }

    #[test]
    fn every_serve_flag_is_read_from_its_variable() {
        let inventory =
            std::env::temp_dir().join(format!("ocp-mock-env-{}.json", std::process::id()));
        std::fs::write(&inventory, crate::ocp::inventory::DEFAULT_INVENTORY).unwrap();
        let inventory = inventory.to_str().unwrap().to_owned();
        let values: Vec<(&str, &str)> = vec![
            ("OCP_MOCK_ADDR", "127.0.0.1:9999"),
            ("OCP_MOCK_SEED", "0x10"),
            ("OCP_MOCK_CLOCK", "system"),
            ("OCP_MOCK_SERVER_NAME", "srv"),
            ("OCP_MOCK_EXECUTOR", "exe"),
            ("OCP_MOCK_ERROR_CODE", "string"),
            ("OCP_MOCK_INVENTORY", &inventory),
            ("OCP_MOCK_USER", "u:p:viewer w:q"),
            ("OCP_MOCK_ACCESS_KEY", "k:s"),
            ("OCP_MOCK_TASK_PACE", "time:5"),
            ("OCP_MOCK_SCENARIO", "latency:5;fail-at:Wait node"),
            ("OCP_MOCK_JOURNAL_SIZE", "7"),
            ("OCP_MOCK_TASK_RETENTION", "9"),
            ("OCP_MOCK_MAX_IDS", "11"),
            ("OCP_MOCK_MAX_URI_BYTES", "1000"),
            ("OCP_MOCK_MAX_HEADER_BYTES", "2000"),
            ("OCP_MOCK_MAX_BODY_BYTES", "3"),
            ("OCP_MOCK_HEADER_READ_TIMEOUT_MS", "4"),
            ("OCP_MOCK_IDLE_TIMEOUT_MS", "5"),
            ("OCP_MOCK_MAX_CONNECTIONS", "6"),
            ("OCP_MOCK_SHUTDOWN_TIMEOUT_MS", "7"),
            ("OCP_MOCK_RESPAWN_DELETED", "1"),
            ("OCP_MOCK_NO_AUTH", "1"),
            ("OCP_MOCK_NO_ADMIN", "1"),
            ("OCP_MOCK_QUIET", "1"),
        ];
        let listed = SERVE_VALUES.iter().chain(SERVE_SWITCHES).count();
        assert_eq!(values.len(), listed, "every variable is exercised here");
        let o = serve(&[], &values).unwrap();
        let s = &o.settings;
        assert_eq!(o.addr.to_string(), "127.0.0.1:9999");
        assert_eq!((s.seed, s.clock), (16, ClockMode::System));
        assert_eq!(
            (s.server_name.as_str(), s.executor.as_str()),
            ("srv", "exe")
        );
        assert_eq!(s.error_code, ErrorCodeStyle::String);
        assert_eq!(
            s.inventory,
            crate::ocp::inventory::Inventory::default_inventory()
        );
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
    }

    #[test]
    fn a_flag_wins_over_its_variable_and_switch_variables_can_say_no() {
        let o = serve(
            &["--seed", "5"],
            &[("OCP_MOCK_SEED", "6"), ("OCP_MOCK_QUIET", "0")],
        )
        .unwrap();
        assert_eq!(o.settings.seed, 5);
        assert!(o.settings.log_requests);
    }

    #[test]
    fn durations_past_a_day_are_refused() {
        let err = serve(&["--idle-timeout-ms", "18446744073709551615"], &[]).unwrap_err();
        assert!(err.0.contains("--idle-timeout-ms"), "{err}");
    }
}
