//! The mock's settings: one struct shared by the CLI, the library builder and the handlers.

use std::sync::Arc;
use std::time::Duration;

use crate::mock::auth::AuthSettings;
use crate::mock::journal::DEFAULT_CAPACITY;
use crate::mock::replay::Replay;
use crate::mock::scenario::{self, RateLimit, Scenario, ScenarioError};
use crate::mock::sim::clock::ClockMode;
use crate::mock::sim::progress::TaskPace;
use crate::ocp::error::ErrorCodeStyle;
use crate::ocp::inventory::Inventory;
use crate::ocp::task::{TaskTemplate, TaskTemplates};
use crate::ocp::version::OcpVersion;

/// Everything that shapes the mock's answers. `Default` is the documented behaviour.
#[derive(Debug, Clone)]
pub struct Settings {
    /// First `traceId` (as a number); the sequence continues deterministically from it.
    pub seed: u64,
    /// Where the envelope's times come from.
    pub clock: ClockMode,
    /// The envelope's `server`.
    pub server_name: String,
    /// The task's `executor`.
    pub executor: String,
    /// Which OCP release the answers follow.
    pub ocp_version: OcpVersion,
    /// A form of `error.code` forced over the version's own (`None`: 3.1.1 writes integers,
    /// 4.2.2 and later prefixed ids).
    pub error_code: Option<ErrorCodeStyle>,
    /// The OBProxy clusters and servers the mock starts with.
    pub inventory: Inventory,
    /// One line per request on stderr.
    pub log_requests: bool,
    /// How each line of the request log is written.
    pub log_format: LogFormat,
    /// Who may call the mock.
    pub auth: AuthSettings,
    /// How fast tasks progress.
    pub task_pace: TaskPace,
    /// Scenarios active from the start (and after a reset).
    pub scenarios: Vec<Scenario>,
    /// OCP's throttling of every `/api/` call, with its `RateLimit-*` headers (on by default).
    pub rate_limit: RateLimit,
    /// How many requests the journal keeps.
    pub journal_size: usize,
    /// Serve the admin API under `/__mock/`.
    pub admin_api: bool,
    /// What one client may ask of the mock.
    pub limits: Limits,
    /// At most this many tasks are kept; past it the oldest finished task is forgotten (a query
    /// for it is then a 404), so a long run never grows the mock's memory.
    pub task_retention: usize,
    /// A server whose delete task succeeded comes back RUNNING, so load tests can delete forever.
    pub respawn_deleted: bool,
    /// Answers recorded from a real OCP, served before the mock's own (`--replay`).
    pub replay: Option<Arc<Replay>>,
}

/// How the request log writes a request: the same fields either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// `DELETE /api/v2/... 200 0.412ms traceId=...`, for a person.
    #[default]
    Text,
    /// One JSON object per line, `{"method", "path", "status", "ms", "traceId"}`, for a log
    /// collector.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(format!(
                "unknown log format {other:?} (expected text or json)"
            )),
        }
    }
}

/// Bounds on what one client may send or hold, so that no client can exhaust the mock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Ids in one `obproxyIds` list (400 past it).
    pub max_ids: usize,
    /// Bytes of the request target, path and query (414 past it).
    pub max_uri_bytes: usize,
    /// Bytes of all header names and values (431 past it). A head, finished or not, is never
    /// buffered past 72 KiB or `max_uri_bytes + max_header_bytes + 1 KiB`, whichever is more:
    /// past that the connection gets a bare 431 and is closed.
    pub max_header_bytes: usize,
    /// Bytes of the body (413 past it).
    pub max_body_bytes: usize,
    /// Time to receive a whole request head, counted from the connection's start or the end of
    /// the previous answer; past it the connection is closed.
    pub header_read_timeout: Duration,
    /// A keep-alive connection waiting this long for its next request is closed. The head
    /// timer already bounds that wait, so the wait allowed is the shorter of the two (and a
    /// shorter idle timeout also shortens the time to send a head).
    pub idle_timeout: Duration,
    /// Connections at once; one more is answered 503 and closed.
    pub max_connections: usize,
    /// After SIGINT/SIGTERM, how long in-flight requests may take before the mock exits anyway.
    pub shutdown_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_ids: 1000,
            max_uri_bytes: 8 * 1024,
            max_header_bytes: 16 * 1024,
            max_body_bytes: 1 << 20,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

impl Settings {
    /// Refuses settings the mock cannot run, before anything is bound: a `fail-at` scenario
    /// naming a subtask the task does not have.
    pub fn check_scenarios(&self) -> Result<(), ScenarioError> {
        let templates = TaskTemplates::for_version(self.ocp_version);
        scenario::check_all(&self.scenarios, &templates.all())
    }
}

impl Default for Settings {
    fn default() -> Self {
        let template = TaskTemplate::documented();
        Self {
            seed: template.trace_seed,
            clock: ClockMode::Fixed,
            server_name: template.server,
            executor: template.executor,
            ocp_version: OcpVersion::default(),
            error_code: None,
            inventory: Inventory::default_inventory(),
            log_requests: false,
            log_format: LogFormat::Text,
            auth: AuthSettings::default(),
            task_pace: TaskPace::default(),
            scenarios: Vec::new(),
            rate_limit: RateLimit::default(),
            journal_size: DEFAULT_CAPACITY,
            admin_api: true,
            limits: Limits::default(),
            task_retention: 1000,
            respawn_deleted: false,
            replay: None,
        }
    }
}
