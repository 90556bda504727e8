//! `ocp-mock serve`: its flags, and how they become the mock's [`Settings`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::FalseyValueParser;
use clap::{ArgMatches, Args};
use ocp_mock::{
    AccessKey, ClockMode, ErrorCodeStyle, Inventory, LogFormat, OcpVersion, RateLimit, Replay,
    Scenario, Settings, TaskPace, User,
};

use super::values;
use super::{CliError, from_env, set};

/// The flags of `serve`. Each is optional: a flag left out keeps [`Settings::default`], the
/// documented behaviour, so the defaults live in one place.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen; a host name binds its first address, port 0 picks a free one
    #[arg(
        long,
        env = "OCP_MOCK_ADDR",
        value_name = "HOST:PORT",
        default_value = "127.0.0.1:8080",
        value_parser = values::listen_addr
    )]
    addr: SocketAddr,
    /// First traceId, decimal or 0x-hex (default 0x0fda4c74b7a84932, the documented traceId)
    #[arg(long, env = "OCP_MOCK_SEED", value_name = "N", value_parser = values::seed)]
    seed: Option<u64>,
    /// fixed: start at the documented instant, +1 s per request; system: real time (default fixed)
    #[arg(long, env = "OCP_MOCK_CLOCK", value_name = "fixed|system")]
    clock: Option<ClockMode>,
    /// The envelope's server (default xxx.xxx.xxx.xxx)
    #[arg(long, env = "OCP_MOCK_SERVER_NAME", value_name = "NAME")]
    server_name: Option<String>,
    /// The task's executor (default xxx.xxx.xxx.xxx)
    #[arg(long, env = "OCP_MOCK_EXECUTOR", value_name = "NAME")]
    executor: Option<String>,
    /// The OCP release to answer as: 3.1.1, 4.2.2, 4.3.4 or 4.3.5 (default 4.3.4)
    #[arg(long, env = "OCP_MOCK_OCP_VERSION", value_name = "VERSION")]
    ocp_version: Option<OcpVersion>,
    /// Force error.code to OCP's numbers (21001) or ids ("ODP21001") (default: the version's)
    #[arg(long, env = "OCP_MOCK_ERROR_CODE", value_name = "number|string")]
    error_code: Option<ErrorCodeStyle>,
    /// Clusters, servers and hosts as JSON (default: the embedded fixtures/inventory.json)
    #[arg(long, env = "OCP_MOCK_INVENTORY", value_name = "FILE")]
    inventory: Option<PathBuf>,
    /// A Basic identity, role admin (default) or viewer; repeatable, replaces the default
    /// admin:aaAA11__ (the variable holds several, space-separated)
    #[arg(
        long,
        env = "OCP_MOCK_USER",
        value_name = "NAME:PASSWORD[:ROLE]",
        hide_env_values = true
    )]
    user: Vec<String>,
    /// An AK/SK identity; repeatable, replaces the default documented pair (the variable holds
    /// several, space-separated)
    #[arg(
        long,
        env = "OCP_MOCK_ACCESS_KEY",
        value_name = "ID:SECRET[:ROLE]",
        hide_env_values = true
    )]
    access_key: Vec<String>,
    /// Accept every request as admin
    #[arg(long, env = "OCP_MOCK_NO_AUTH", value_parser = FalseyValueParser::new())]
    no_auth: bool,
    /// Each task query advances a task N steps, or each subtask takes MS ms of the mock's clock
    /// (default polls:5)
    #[arg(long, env = "OCP_MOCK_TASK_PACE", value_name = "polls:N|time:MS")]
    task_pace: Option<TaskPace>,
    /// A fault active from the start; repeatable (the variable holds several, ';'-separated):
    /// fail-at:SUBTASK, latency:MS, error:STATUS, throttle:N/MS or drop, each optionally
    /// @[METHOD ]PATH
    #[arg(long, env = "OCP_MOCK_SCENARIO", value_name = "SPEC")]
    scenario: Vec<String>,
    /// OCP's throttling of every /api/ call, with RateLimit-* headers: N calls per window of MS
    /// ms of the mock's clock, or off (default 10000/60000)
    #[arg(long, env = "OCP_MOCK_RATE_LIMIT", value_name = "N/MS|off")]
    rate_limit: Option<RateLimit>,
    /// Requests kept for GET /__mock/requests (default 1000)
    #[arg(long, env = "OCP_MOCK_JOURNAL_SIZE", value_name = "N", value_parser = values::count::<0>)]
    journal_size: Option<usize>,
    /// Tasks kept before the oldest successful ones are forgotten (default 1000)
    #[arg(long, env = "OCP_MOCK_TASK_RETENTION", value_name = "N", value_parser = values::count::<1>)]
    task_retention: Option<usize>,
    /// A deleted server comes back once its task succeeded, so a load test can delete forever
    #[arg(long, env = "OCP_MOCK_RESPAWN_DELETED", value_parser = FalseyValueParser::new())]
    respawn_deleted: bool,
    /// No admin API under /__mock/
    #[arg(long, env = "OCP_MOCK_NO_ADMIN", value_parser = FalseyValueParser::new())]
    no_admin: bool,
    /// No request log
    #[arg(long, env = "OCP_MOCK_QUIET", value_parser = FalseyValueParser::new())]
    quiet: bool,
    /// The request log's lines: text, or one JSON object per line with the same fields
    /// (default text)
    #[arg(long, env = "OCP_MOCK_LOG_FORMAT", value_name = "text|json")]
    log_format: Option<LogFormat>,
    /// Also write the port listened on to this file once listening (with --addr HOST:0)
    #[arg(long, env = "OCP_MOCK_PORT_FILE", value_name = "PATH")]
    port_file: Option<PathBuf>,
    /// Answer the calls recorded in DIR (by ocp-mock record) first, as recorded
    #[arg(long, env = "OCP_MOCK_REPLAY", value_name = "DIR")]
    replay: Option<PathBuf>,
    /// Threads answering requests (default: TOKIO_WORKER_THREADS, else half the CPUs, at least 1)
    #[arg(long, env = "OCP_MOCK_WORKER_THREADS", value_name = "N", value_parser = values::threads)]
    worker_threads: Option<usize>,
    #[command(flatten)]
    limits: LimitArgs,
}

/// What one client may ask of the mock ([`ocp_mock::Limits`]), under their own heading.
#[derive(Debug, Args)]
#[command(next_help_heading = "Limits")]
struct LimitArgs {
    /// Ids in one obproxyIds list, 400 past it (default 1000)
    #[arg(long, env = "OCP_MOCK_MAX_IDS", value_name = "N", value_parser = values::count::<1>)]
    max_ids: Option<usize>,
    /// Request target, 414 past it (default 8192)
    #[arg(long, env = "OCP_MOCK_MAX_URI_BYTES", value_name = "N", value_parser = values::count::<64>)]
    max_uri_bytes: Option<usize>,
    /// Header names and values, 431 past it (default 16384)
    #[arg(long, env = "OCP_MOCK_MAX_HEADER_BYTES", value_name = "N", value_parser = values::count::<256>)]
    max_header_bytes: Option<usize>,
    /// Request body, 413 past it (default 1048576)
    #[arg(long, env = "OCP_MOCK_MAX_BODY_BYTES", value_name = "N", value_parser = values::count::<0>)]
    max_body_bytes: Option<usize>,
    /// Time to send a request head, from connect or the previous answer; then the connection
    /// is closed (default 10000)
    #[arg(
        long,
        env = "OCP_MOCK_HEADER_READ_TIMEOUT_MS",
        value_name = "MS",
        value_parser = values::millis_from::<1>
    )]
    header_read_timeout_ms: Option<Duration>,
    /// Idle keep-alive connections are closed (default 60000)
    #[arg(long, env = "OCP_MOCK_IDLE_TIMEOUT_MS", value_name = "MS", value_parser = values::millis_from::<1>)]
    idle_timeout_ms: Option<Duration>,
    /// Connections at once, 503 past it (default 1024)
    #[arg(long, env = "OCP_MOCK_MAX_CONNECTIONS", value_name = "N", value_parser = values::count::<1>)]
    max_connections: Option<usize>,
    /// After SIGINT/SIGTERM, time left to requests in flight (default 10000)
    #[arg(
        long,
        env = "OCP_MOCK_SHUTDOWN_TIMEOUT_MS",
        value_name = "MS",
        value_parser = values::millis_from::<0>
    )]
    shutdown_timeout_ms: Option<Duration>,
}

/// What `serve` runs: where to listen, and the mock's settings.
#[derive(Debug)]
pub struct ServeOptions {
    /// The address to bind, already resolved.
    pub addr: SocketAddr,
    /// Everything that shapes the answers.
    pub settings: Settings,
    /// Where to write the port once listening.
    pub port_file: Option<PathBuf>,
    /// The runtime's worker threads.
    pub worker_threads: usize,
}

impl ServeArgs {
    /// The settings these flags ask for. `matches` tells which repeatable identities came from
    /// their variable, whose value holds several separated by whitespace.
    pub fn into_options(self, matches: &ArgMatches) -> Result<ServeOptions, CliError> {
        let mut settings = Settings {
            log_requests: !self.quiet,
            respawn_deleted: self.respawn_deleted,
            admin_api: !self.no_admin,
            ..Settings::default()
        };
        set(&mut settings.seed, self.seed);
        set(&mut settings.clock, self.clock);
        set(&mut settings.server_name, self.server_name);
        set(&mut settings.executor, self.executor);
        set(&mut settings.ocp_version, self.ocp_version);
        set(&mut settings.error_code, self.error_code.map(Some));
        set(&mut settings.task_pace, self.task_pace);
        set(&mut settings.rate_limit, self.rate_limit);
        set(&mut settings.journal_size, self.journal_size);
        set(&mut settings.task_retention, self.task_retention);
        set(&mut settings.log_format, self.log_format);
        if let Some(path) = &self.inventory {
            settings.inventory = inventory(path)?;
        }
        if let Some(dir) = &self.replay {
            let replay = Replay::load(dir).map_err(|e| CliError::bad("--replay", e))?;
            settings.replay = Some(std::sync::Arc::new(replay));
        }
        let users = identities(self.user, from_env(matches, "user"));
        let keys = identities(self.access_key, from_env(matches, "access_key"));
        if !users.is_empty() {
            settings.auth.users = parse_all(&users, User::parse, "--user")?;
        }
        if !keys.is_empty() {
            settings.auth.access_keys = parse_all(&keys, AccessKey::parse, "--access-key")?;
        }
        settings.auth.enabled = !self.no_auth;
        // A scenario may hold spaces (`fail-at:Wait node`), so several are separated by `;`.
        settings.scenarios = scenarios(&self.scenario)?;
        self.limits.apply(&mut settings.limits);
        Ok(ServeOptions {
            addr: self.addr,
            settings,
            port_file: self.port_file,
            // Without the flag, tokio's own variable is still honoured, as it was before the mock
            // chose its default.
            worker_threads: self
                .worker_threads
                .or_else(|| {
                    let tokio = std::env::var("TOKIO_WORKER_THREADS").ok()?;
                    values::threads(&tokio).ok()
                })
                .unwrap_or_else(|| {
                    ocp_mock::default_worker_threads(
                        std::thread::available_parallelism().map_or(1, usize::from),
                    )
                }),
        })
    }
}

impl LimitArgs {
    fn apply(self, limits: &mut ocp_mock::Limits) {
        set(&mut limits.max_ids, self.max_ids);
        set(&mut limits.max_uri_bytes, self.max_uri_bytes);
        set(&mut limits.max_header_bytes, self.max_header_bytes);
        set(&mut limits.max_body_bytes, self.max_body_bytes);
        set(&mut limits.header_read_timeout, self.header_read_timeout_ms);
        set(&mut limits.idle_timeout, self.idle_timeout_ms);
        set(&mut limits.max_connections, self.max_connections);
        set(&mut limits.shutdown_timeout, self.shutdown_timeout_ms);
    }
}

/// The identities as given: one per flag, or the variable split at whitespace.
fn identities(given: Vec<String>, from_env: bool) -> Vec<String> {
    if !from_env {
        return given;
    }
    given
        .iter()
        .flat_map(|v| v.split_whitespace())
        .map(str::to_owned)
        .collect()
}

fn parse_all<T, E: std::fmt::Display>(
    specs: &[String],
    parse: fn(&str) -> Result<T, E>,
    flag: &'static str,
) -> Result<Vec<T>, CliError> {
    specs
        .iter()
        .map(|s| parse(s).map_err(|e| CliError::bad(flag, e)))
        .collect()
}

fn scenarios(specs: &[String]) -> Result<Vec<Scenario>, CliError> {
    specs
        .iter()
        .flat_map(|s| s.split(';'))
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.parse().map_err(|e| CliError::bad("--scenario", e)))
        .collect()
}

/// The largest inventory file read: far more than any real inventory's JSON.
const MAX_INVENTORY_BYTES: u64 = 64 << 20;

/// Reads an inventory file: a regular file (never a device or a FIFO, which could be endless or
/// block before the mock listens) of at most [`MAX_INVENTORY_BYTES`].
fn inventory(path: &std::path::Path) -> Result<Inventory, CliError> {
    use std::io::Read;
    let shown = path.display();
    let bad = |why: String| CliError::bad("--inventory", why);
    let meta = std::fs::metadata(path).map_err(|e| bad(format!("cannot read {shown}: {e}")))?;
    if !meta.is_file() {
        return Err(bad(format!("{shown} is not a regular file")));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_INVENTORY_BYTES + 1).read_to_string(&mut text))
        .map_err(|e| bad(format!("cannot read {shown}: {e}")))?;
    if text.len() as u64 > MAX_INVENTORY_BYTES {
        return Err(bad(format!(
            "{shown} is over {} MiB",
            MAX_INVENTORY_BYTES >> 20
        )));
    }
    Inventory::parse(&text).map_err(|e| bad(format!("{shown}: {e}")))
}
