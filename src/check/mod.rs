//! Contract checks of any OCP deployment: `ocp-mock check` and `ocp-mock validate`.
//!
//! The mock is only worth trusting if the contract that holds it also holds a real OCP. `check`
//! sends probes (calls whose answers OCP documents) to a target, the mock or a staging OCP, and
//! judges every answer with [`crate::contract`]: HTTP status, `Content-Type`, a JSON body, the
//! schemas and invariants. `validate` applies the same judgement to answers saved earlier.
//!
//! - Safe by default: the probes only read, or provoke errors (401, 404, 400).
//! - Every documented read with `--all-reads` ([`reads`]): GETs only, each judged by its
//!   endpoint's response schema ([`crate::spec`]), path ids learned from earlier answers.
//! - Destructive only when asked twice: `--delete CLUSTER_ID:SERVER_IDS --allow-delete` deletes
//!   OBProxy servers and follows the task until it ends, checking that it only moves forward.
//! - Exit status: 0 every probe passed, 1 a violation, 2 the check could not run.
//!
//! ```
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 1)]
//! # async fn main() {
//! use ocp_mock::check::{CheckOptions, Credentials, check};
//!
//! let mock = ocp_mock::MockServer::start().await;
//! let options = CheckOptions::new(mock.uri(), Credentials::basic("admin", "aaAA11__"));
//! // The checker blocks its thread (it runs its own client runtime): keep it off the
//! // runtime that serves the mock.
//! let report = tokio::task::spawn_blocking(move || check(&options)).await.unwrap().unwrap();
//! let unknown = report.probe("malformed cluster id").unwrap();
//! assert!(unknown.passed(), "{:?}", unknown.violations());
//! # }
//! ```
//!
//! # Layout
//!
//! - `client`: the target URL (`http::Uri`) and a blocking client over hyper's HTTP/1.1 client
//!   connection, with deadlines and size limits; [`CheckError`]: why a check could not run;
//! - `tls` (feature `tls`): tokio-rustls with the ring provider and Mozilla's roots;
//! - [`probes`]: the [`Checker`] and its safe probes; `task`: the delete and its polling;
//! - [`reads`]: `--all-reads`, its plan (which reads, in which order, each id from which
//!   answer) and the ids learned;
//! - `judge`: the checks every answer gets; `validate`: saved answers;
//! - [`version`]: which OCP the target reports (`/api/v2/info`), and the form of its error codes;
//! - [`report`]: verdicts, and the human, JSON and JUnit renderings.

pub mod aborted;
pub(crate) mod client;
mod error;
mod judge;
mod precondition;
pub mod probes;
pub mod reads;
pub mod report;
mod task;
#[cfg(feature = "tls")]
mod tls;
mod validate;
pub mod version;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

pub use error::CheckError;
pub use probes::Checker;
pub use report::{Format, Outcome, ProbeResult, Report};
pub use validate::{ValidateOptions, validate};

use crate::ocp::version::OcpVersion;

/// The probes' names: stable, used in every report format and as JUnit test case names.
pub mod names {
    /// A call with no credentials: OCP's 401 envelope.
    pub const UNAUTHENTICATED: &str = "unauthenticated call";
    /// A call with wrong credentials: the 401 envelope again.
    pub const WRONG_CREDENTIALS: &str = "wrong credentials";
    /// `GET /api/v2/obproxy/clusters`: a page of OBProxy clusters.
    pub const CLUSTER_LIST: &str = "cluster list";
    /// `GET /api/v2/obproxy/clusters/{id}` for a cluster the list named.
    pub const CLUSTER_DETAIL: &str = "cluster detail";
    /// A well-formed cluster id the target does not have: the 404 envelope.
    pub const UNKNOWN_CLUSTER: &str = "unknown cluster";
    /// A cluster id that is not a Long: the 400 envelope.
    pub const MALFORMED_CLUSTER_ID: &str = "malformed cluster id";
    /// A task id the target does not have: the 404 envelope.
    pub const UNKNOWN_TASK: &str = "unknown task";
    /// The documented call itself (only with `--allow-delete`): a new task.
    pub const DELETE_OBPROXIES: &str = "delete obproxies";
    /// Polling that task until it ends: subtasks only move forward.
    pub const TASK_PROGRESS: &str = "task progress";
    /// Every probe, in the order a check runs them.
    pub const ALL: [&str; 9] = [
        UNAUTHENTICATED,
        WRONG_CREDENTIALS,
        CLUSTER_LIST,
        CLUSTER_DETAIL,
        UNKNOWN_CLUSTER,
        MALFORMED_CLUSTER_ID,
        UNKNOWN_TASK,
        DELETE_OBPROXIES,
        TASK_PROGRESS,
    ];
}

/// Polling every 2 s finds a task's end soon enough without loading the target.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(2);
/// Deleting servers on a real OCP takes minutes, not hours.
pub const DEFAULT_POLL_TIMEOUT: Duration = Duration::from_secs(600);
/// Per request: connect, send and the whole answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Reads `--all-reads` sends at most: the largest catalogue documents 73 GETs, so the default
/// never cuts a run short, while a wrong loop could not flood the target.
pub const DEFAULT_MAX_CALLS: usize = 200;

/// Who the probes call as.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// HTTP Basic, all OCP versions.
    Basic {
        /// The user's name.
        user: String,
        /// The user's password.
        password: String,
    },
    /// An AK/SK signature (OCP V4.0.3 and later).
    AccessKey {
        /// The AccessKey ID.
        id: String,
        /// The AccessKey secret the signature is made with.
        secret: String,
    },
}

impl Credentials {
    /// HTTP Basic as `user`.
    pub fn basic(user: &str, password: &str) -> Self {
        Self::Basic {
            user: user.into(),
            password: password.into(),
        }
    }

    /// AK/SK signatures with this pair.
    pub fn access_key(id: &str, secret: &str) -> Self {
        Self::AccessKey {
            id: id.into(),
            secret: secret.into(),
        }
    }

    /// Who, without the secret: `Basic user admin`, `access key cqammmxBpfGjFlto`.
    pub fn describe(&self) -> String {
        match self {
            Self::Basic { user, .. } => format!("Basic user {user}"),
            Self::AccessKey { id, .. } => format!("access key {id}"),
        }
    }
}

// Hand-written so a secret never reaches a log through `{:?}`.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Basic { user, .. } => write!(f, "Basic({user})"),
            Self::AccessKey { id, .. } => write!(f, "AccessKey({id})"),
        }
    }
}

/// The servers the destructive probe deletes: `CLUSTER_ID:SERVER_IDS`, e.g. `1:2` or `1:2,3`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteTarget {
    /// The OBProxy cluster.
    pub cluster_id: i64,
    /// Its servers to delete, in the order the path lists them.
    pub server_ids: Vec<i64>,
}

impl DeleteTarget {
    /// Reads `CLUSTER_ID:SERVER_IDS`; the error says what form was expected.
    pub fn parse(spec: &str) -> Result<Self, BadDeleteTarget> {
        let form = || BadDeleteTarget(spec.to_owned());
        let (cluster, servers) = spec.split_once(':').ok_or_else(form)?;
        let cluster_id = cluster.trim().parse().map_err(|_| form())?;
        let server_ids = servers
            .split(',')
            .map(|id| id.trim().parse::<i64>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| form())?;
        Ok(Self {
            cluster_id,
            server_ids,
        })
    }

    /// The documented call's path for these servers.
    pub fn path(&self) -> String {
        let ids: Vec<String> = self.server_ids.iter().map(i64::to_string).collect();
        format!(
            "/api/v2/obproxy/clusters/{}/obproxies/{}",
            self.cluster_id,
            ids.join(",")
        )
    }
}

/// A `--delete` value that is not `CLUSTER_ID:SERVER_IDS`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not CLUSTER_ID:SERVER_IDS (e.g. 1:2 or 1:2,3)")]
pub struct BadDeleteTarget(pub String);

/// Everything `ocp-mock check` takes; [`CheckOptions::new`] fills in the defaults.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// `http[s]://HOST[:PORT][/PREFIX]`.
    pub target: String,
    /// Who the probes call as.
    pub credentials: Credentials,
    /// A well-formed cluster id the target does not have, for the 404 probe.
    pub missing_cluster_id: i64,
    /// The destructive probe, when asked for (with `--allow-delete`).
    pub delete: Option<DeleteTarget>,
    /// Time between two polls of the deleted servers' task.
    pub poll_interval: Duration,
    /// How long the task may take before the progress probe gives up.
    pub poll_timeout: Duration,
    /// Per request: connect, send and the whole answer.
    pub timeout: Duration,
    /// How the report is written.
    pub format: Format,
    /// Extra PEM roots for an https target behind an internal CA.
    pub ca_cert: Option<PathBuf>,
    /// Accept any certificate (a self-signed test box).
    pub insecure: bool,
    /// Also send every documented GET of the target's OCP version and judge each answer with
    /// that endpoint's response schema (see [`reads`]). Reads only: never a write.
    pub all_reads: bool,
    /// How many reads `all_reads` sends at most; the rest are reported as skipped.
    pub max_calls: usize,
    /// The OCP version whose documented reads `all_reads` sends, when the target's
    /// `/api/v2/info` names none (or names another: this wins, and a note says so).
    pub ocp_version: Option<OcpVersion>,
}

impl CheckOptions {
    /// The safe probes against `target` as `credentials`, with the defaults above.
    pub fn new(target: impl Into<String>, credentials: Credentials) -> Self {
        Self {
            target: target.into(),
            credentials,
            missing_cluster_id: i64::MAX,
            delete: None,
            poll_interval: DEFAULT_POLL_INTERVAL,
            poll_timeout: DEFAULT_POLL_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            format: Format::Human,
            ca_cert: None,
            insecure: false,
            all_reads: false,
            max_calls: DEFAULT_MAX_CALLS,
            ocp_version: None,
        }
    }
}

/// Runs every probe against the target. Blocking, and safe to call from inside a tokio runtime
/// (a `#[tokio::test]`): the client then runs its own runtime on another thread.
pub fn check(options: &CheckOptions) -> Result<Report, CheckError> {
    Checker::new(options)?.run()
}

/// `ocp-mock check`: runs, prints the report on stdout, returns the exit status. A target
/// ending in the API prefix is corrected with a note on stderr.
pub fn run_check(options: &CheckOptions) -> u8 {
    let (subject, note) = match corrected_target(&options.target) {
        Some((url, note)) => (url, Some(note)),
        None => (options.target.clone(), None),
    };
    if let Some(note) = note {
        eprintln!("ocp-mock: note: {note}");
    }
    finish(check(options), options.format, "check", &subject)
}

/// `ocp-mock validate`: runs, prints the report on stdout, returns the exit status.
pub fn run_validate(options: &ValidateOptions) -> u8 {
    finish(
        validate(options),
        options.format,
        "validate",
        validate::SUBJECT,
    )
}

/// The prefix every probe's path starts with: OCP's API, below the target.
pub const API_PREFIX: &str = "/api/v2";

/// A target URL that ends in [`API_PREFIX`] (`http://host/api/v2`, with or without a trailing
/// slash) would have every path doubled (`/api/v2/api/v2/...`): the URL without it, and a note
/// saying so. `None` for any other URL.
pub fn corrected_target(url: &str) -> Option<(String, String)> {
    let trimmed = url.trim_end_matches('/');
    let base = trimmed.strip_suffix(API_PREFIX)?;
    // `http://api/v2` names a host `api`: only a path may end in the prefix.
    let (_, rest) = base.split_once("://")?;
    if rest.is_empty() {
        return None;
    }
    let note = format!(
        "the target {url} ends in {API_PREFIX}, which every probe's path starts with: checking {base}"
    );
    Some((base.to_owned(), note))
}

/// Prints the report (or, when the run could not happen, a report of why, in the same format)
/// and returns the exit status.
fn finish(result: Result<Report, CheckError>, format: Format, command: &str, subject: &str) -> u8 {
    let mut stdout = std::io::stdout();
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            let reason = e.to_string();
            eprintln!("ocp-mock: {reason}");
            let text = aborted::render_error(command, subject, &reason, format);
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
            return 2;
        }
    };
    let color = format == Format::Human
        && wants_color(
            stdout.is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        );
    // A closed pipe (`| head`) must not turn a verdict into a panic.
    let _ = stdout.write_all(report.render(format, color).as_bytes());
    let _ = stdout.flush();
    if report.failed() > 0 {
        eprintln!("ocp-mock: {}", report.summary());
    }
    report.exit_code()
}

/// Colour only for a terminal, and never when `NO_COLOR` is set to anything but the empty
/// string (no-color.org): escapes in a CI log or a piped file are noise.
fn wants_color(is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    is_terminal && no_color.is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn colour_needs_a_terminal_and_no_no_color() {
        assert!(wants_color(true, None));
        assert!(wants_color(true, Some(OsStr::new(""))));
        assert!(!wants_color(true, Some(OsStr::new("1"))));
        assert!(!wants_color(false, None));
    }

    #[test]
    fn a_target_ending_in_the_api_prefix_is_corrected() {
        for url in [
            "http://h:1/api/v2",
            "http://h:1/api/v2/",
            "http://h:1/api/v2//",
        ] {
            let (fixed, note) = corrected_target(url).expect(url);
            assert_eq!(fixed, "http://h:1", "{url}");
            assert!(note.ends_with("checking http://h:1"), "{note}");
        }
        assert_eq!(
            corrected_target("https://h/gw/api/v2").map(|c| c.0),
            Some("https://h/gw".to_owned())
        );
        for url in [
            "http://h:1",
            "http://h/api",
            "http://h/api/v21",
            "http://api/v2",
        ] {
            assert_eq!(corrected_target(url), None, "{url}");
        }
    }

    #[test]
    fn delete_targets_read_cluster_and_servers() {
        let target = DeleteTarget::parse("1:2, 3").unwrap();
        assert_eq!(target.path(), "/api/v2/obproxy/clusters/1/obproxies/2,3");
        for bad in ["1", "1:", "x:2", "1:2,,3", "1:99999999999999999999"] {
            assert!(DeleteTarget::parse(bad).is_err(), "{bad}");
        }
    }
}
