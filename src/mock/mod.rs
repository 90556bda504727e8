//! [`MockServer`]: the mock for other people's tests. It binds `127.0.0.1:0` and serves on a
//! thread of its own (with its own tokio runtime), so any test can use it: a default
//! `#[tokio::test]` with a blocking client, a multi-thread runtime, or a plain `#[test]`. It stops
//! when dropped. Its builder takes the same settings as the command line; the handle inspects and
//! steers the running mock directly.
//!
//! Behind it: [`http`] (the only file that knows hyper: accept loop, limits, graceful shutdown),
//! [`app`] (the pipeline: authenticate, stamp, scenarios, route, journal, envelope), [`router`]
//! (one table matcher, 404/405 once) and [`api`] (the handlers by family, and the route table).

mod api;
mod app;
pub mod auth;
pub(crate) mod http;
pub mod journal;
pub mod later;
mod log;
pub mod paging;
pub mod replay;
pub mod request;
/// The route matcher lives with OCP's model (the schemas of `crate::spec` find endpoints with
/// it too); the server names it here.
pub use crate::ocp::router;
pub mod scenario;
pub mod settings;
pub mod sim;
pub mod state;

pub use api::profile::UNDOCUMENTED_ROUTES;
pub use api::stateful_routes;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::mock::app::App;
use crate::mock::auth::{AccessKey, Role, User};
use crate::mock::http::run;
use crate::mock::journal::{RecordedRequest, RequestMatcher};
use crate::mock::replay::Replay;
use crate::mock::scenario::{RateLimit, RouteFilter, Scenario, ScenarioError};
use crate::mock::settings::{Limits, Settings};
use crate::mock::sim::clock::ClockMode;
use crate::mock::sim::progress::TaskPace;
use crate::ocp::error::ErrorCodeStyle;
use crate::ocp::inventory::Inventory;
use crate::ocp::version::OcpVersion;

/// A mock running in the background of a test, on `127.0.0.1` and a free port.
///
/// It serves on a thread of its own, so the test's runtime (or lack of one) does not matter.
/// Dropping the handle stops the server; [`MockServer::shutdown`] also waits for it.
#[derive(Debug)]
pub struct MockServer {
    address: SocketAddr,
    app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    stopped: Option<oneshot::Receiver<()>>,
}

impl MockServer {
    /// Starts a mock with default settings (the documented behaviour).
    ///
    /// # Panics
    /// When no port on 127.0.0.1 can be bound; use [`MockServerBuilder::try_start`] to handle it.
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    /// [`MockServer::start`] for tests without an async runtime.
    ///
    /// # Panics
    /// When no port on 127.0.0.1 can be bound.
    pub fn start_blocking() -> Self {
        Self::builder().start_blocking()
    }

    /// Settings other than the documented defaults.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The base URI, e.g. `http://127.0.0.1:41234`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The address the mock listens on, for clients that take a socket address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The newest requests the mock answered, oldest first (bounded by the journal size).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.app.store.lock().journal.entries().cloned().collect()
    }

    /// Every request the journal holds, oldest first, with its headers and body (credentials
    /// redacted, see [`RecordedRequest`]): what a test reads to see what its client sent.
    pub fn received_requests(&self) -> Vec<RecordedRequest> {
        self.requests()
    }

    /// The journal's requests `matcher` describes, oldest first: "was my client's call sent
    /// with this header and this JSON body?"
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::io::{Read, Write};
    /// use ocp_mock::{MockServer, RequestMatcher};
    /// use serde_json::json;
    ///
    /// let mock = MockServer::start().await;
    /// let body = r#"{"reason":"cleanup","ids":[2]}"#;
    /// let mut s = std::net::TcpStream::connect(mock.address()).unwrap();
    /// write!(s, "DELETE /api/v2/obproxy/clusters/1/obproxies/2 HTTP/1.1\r\n\
    ///            Host: ocp\r\nConnection: close\r\n\
    ///            Authorization: Basic YWRtaW46YWFBQTExX18=\r\n\
    ///            Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
    ///        body.len()).unwrap();
    /// s.read_to_string(&mut String::new()).unwrap();
    ///
    /// let sent = RequestMatcher::new()
    ///     .method("DELETE")
    ///     .path("/api/v2/obproxy/clusters/1/obproxies/*")
    ///     .header("Content-Type", "application/json")
    ///     .json_body_contains(json!({"ids": [2]}));
    /// assert_eq!(mock.received(&sent).len(), 1);
    /// // The credential's scheme and user stay; the password does not.
    /// let request = &mock.received_requests()[0];
    /// assert_eq!(request.header("authorization"), Some("Basic admin:[redacted]"));
    /// assert_eq!(request.body, Some(json!({"reason": "cleanup", "ids": [2]})));
    /// # }
    /// ```
    pub fn received(&self, matcher: &RequestMatcher) -> Vec<RecordedRequest> {
        let state = self.app.store.lock();
        let entries = state.journal.entries();
        entries.filter(|r| matcher.matches(r)).cloned().collect()
    }

    /// How many of the journal's requests had this method and a path matching `path_glob`
    /// (`*` matches anything): `assert_eq!(mock.count_requests("DELETE", "/api/*"), 1)`.
    pub fn count_requests(&self, method: &str, path_glob: &str) -> usize {
        let filter = RouteFilter {
            method: Some(method.to_ascii_uppercase()),
            path: path_glob.to_owned(),
        };
        self.app
            .store
            .lock()
            .journal
            .entries()
            .filter(|r| filter.matches(&r.method, &r.path))
            .count()
    }

    /// Inventory, tasks, ids, clock, scenarios and journal back to their start values.
    pub fn reset(&self) {
        self.app.store.reset();
    }

    /// Replaces the active scenarios, as `PUT /__mock/scenarios` does; refuses (and keeps the
    /// active ones) when one names a subtask the task does not have.
    pub fn set_scenarios(&self, scenarios: Vec<Scenario>) -> Result<(), ScenarioError> {
        self.app.ctx().check_scenarios(&scenarios)?;
        self.app.store.lock().set_scenarios(scenarios);
        Ok(())
    }

    /// Stops accepting, and waits until in-flight requests have finished (or were cut off at
    /// `limits.shutdown_timeout`).
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(stopped) = self.stopped.take() {
            // An error means the server thread ended without saying so: stopped all the same.
            let _ = stopped.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Settings for a [`MockServer`]; each has the CLI flag of the same name.
#[derive(Debug, Clone, Default)]
pub struct MockServerBuilder {
    settings: Settings,
    users_set: bool,
    keys_set: bool,
}

impl MockServerBuilder {
    /// `--seed`: what trace ids and generated ids are derived from (same seed, same answers).
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings.seed = seed;
        self
    }

    /// `--clock`: the documented fixed clock, or the system's.
    pub fn clock(mut self, clock: ClockMode) -> Self {
        self.settings.clock = clock;
        self
    }

    /// `--server-name`: the envelope's `server` field.
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.settings.server_name = name.into();
        self
    }

    /// `--executor`: the host:port new tasks say they run on.
    pub fn executor(mut self, executor: impl Into<String>) -> Self {
        self.settings.executor = executor.into();
        self
    }

    /// `--ocp-version`: which OCP release the answers follow.
    pub fn ocp_version(mut self, version: OcpVersion) -> Self {
        self.settings.ocp_version = version;
        self
    }

    /// `--error-code`: errors' `code` forced to OCP's numbers (V3.1.1's) or its prefixed ids
    /// (V4's), whatever `ocp_version` writes.
    pub fn error_code(mut self, style: ErrorCodeStyle) -> Self {
        self.settings.error_code = Some(style);
        self
    }

    /// `--inventory`: the OBProxy clusters and servers the mock starts with.
    pub fn inventory(mut self, inventory: Inventory) -> Self {
        self.settings.inventory = inventory;
        self
    }

    /// Every request acts as `admin`, as with `--no-auth`.
    pub fn no_auth(mut self) -> Self {
        self.settings.auth.enabled = false;
        self
    }

    /// Adds a Basic identity; the first call replaces the default `admin`.
    pub fn user(mut self, name: &str, password: &str, role: Role) -> Self {
        if !self.users_set {
            self.settings.auth.users.clear();
            self.users_set = true;
        }
        self.settings.auth.users.push(User {
            name: name.into(),
            password: password.into(),
            role,
        });
        self
    }

    /// Adds an AK/SK identity; the first call replaces the documented default pair.
    pub fn access_key(mut self, id: &str, secret: &str, role: Role) -> Self {
        if !self.keys_set {
            self.settings.auth.access_keys.clear();
            self.keys_set = true;
        }
        self.settings.auth.access_keys.push(AccessKey {
            id: id.into(),
            secret: secret.into(),
            role,
        });
        self
    }

    /// `--task-pace`: steps per task query, or milliseconds per subtask.
    pub fn task_pace(mut self, pace: TaskPace) -> Self {
        self.settings.task_pace = pace;
        self
    }

    /// Adds a scenario active from the start (a `--scenario`).
    pub fn scenario(mut self, scenario: Scenario) -> Self {
        self.settings.scenarios.push(scenario);
        self
    }

    /// `--rate-limit`: OCP's throttling of every `/api/` call, `RateLimit::PerWindow` (10000
    /// calls a minute by default) or `RateLimit::Off` for no throttling and no `RateLimit-*`
    /// headers.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.settings.rate_limit = limit;
        self
    }

    /// `--journal-size`: how many requests the journal keeps (the newest).
    pub fn journal_size(mut self, size: usize) -> Self {
        self.settings.journal_size = size;
        self
    }

    /// Serve the admin API under `/__mock/` (on by default).
    pub fn admin_api(mut self, on: bool) -> Self {
        self.settings.admin_api = on;
        self
    }

    /// Bounds on request sizes, timeouts and connections.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.settings.limits = limits;
        self
    }

    /// How many tasks are kept before the oldest finished ones are forgotten.
    pub fn task_retention(mut self, tasks: usize) -> Self {
        self.settings.task_retention = tasks;
        self
    }

    /// Deleted servers come back once their task succeeded (for load tests).
    pub fn respawn_deleted(mut self, on: bool) -> Self {
        self.settings.respawn_deleted = on;
        self
    }

    /// `--replay`: answers recorded by `ocp-mock record` ([`Replay::load`]), served before the
    /// mock's own.
    pub fn replay(mut self, replay: Replay) -> Self {
        self.settings.replay = Some(Arc::new(replay));
        self
    }

    /// Starts the mock on `127.0.0.1:0`.
    ///
    /// # Panics
    /// When no port on 127.0.0.1 can be bound, or a scenario names a subtask the task lacks.
    pub async fn start(self) -> MockServer {
        self.start_blocking()
    }

    /// [`MockServerBuilder::start`] for tests without an async runtime.
    ///
    /// # Panics
    /// As [`MockServerBuilder::start`].
    pub fn start_blocking(self) -> MockServer {
        self.try_start_blocking()
            .unwrap_or_else(|e| panic!("cannot start the mock: {e}"))
    }

    /// Starts the mock on `127.0.0.1:0`, or says why it cannot.
    pub async fn try_start(self) -> Result<MockServer, ServeError> {
        self.try_start_blocking()
    }

    /// [`MockServerBuilder::try_start`] for tests without an async runtime.
    pub fn try_start_blocking(self) -> Result<MockServer, ServeError> {
        let app = Arc::new(App::try_new(self.settings)?);
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let (stop, stop_rx) = oneshot::channel();
        let (stopped_tx, stopped) = oneshot::channel();
        // The server thread says whether its runtime and listener are up before `start` returns:
        // a mock that cannot serve is an error here, never a handle to a dead port.
        let (ready_tx, ready) = std::sync::mpsc::channel::<std::io::Result<()>>();
        let served = app.clone();
        std::thread::Builder::new()
            .name("ocp-mock-server".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("ocp-mock")
                    .enable_all()
                    .build();
                let runtime = match runtime {
                    Ok(runtime) => runtime,
                    Err(e) => return drop(ready_tx.send(Err(e))),
                };
                runtime.block_on(async move {
                    let listener = match TcpListener::from_std(listener) {
                        Ok(listener) => listener,
                        Err(e) => return drop(ready_tx.send(Err(e))),
                    };
                    let _ = ready_tx.send(Ok(()));
                    let _ = run(listener, served, async move {
                        let _ = stop_rx.await;
                    })
                    .await;
                });
                let _ = stopped_tx.send(());
            })?;
        ready
            .recv()
            .map_err(|_| std::io::Error::other("the server thread ended before serving"))??;
        Ok(MockServer {
            address,
            app,
            stop: Some(stop),
            stopped: Some(stopped),
        })
    }
}

/// The worker threads when none are asked for (`ocp-mock serve` without `--worker-threads`), for
/// a machine of `cpus` CPUs: half of them, from 1 to 256. The mock shares its machine with the
/// clients that call it (a CI job, a laptop's tests); on 2 cores under the benchmark's load, one thread answered more than two
/// in every one of 6 alternating rounds of DELETEs and of GETs (medians: 18% and 21% more).
pub fn default_worker_threads(cpus: usize) -> usize {
    (cpus / 2).clamp(1, 256)
}

/// Why [`serve`] could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A scenario in the settings names a subtask the task does not have.
    #[error("scenario: {0}")]
    Scenario(#[from] ScenarioError),
    /// The listener failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Serves a mock with `settings` on a listener the caller bound, until `shutdown` completes;
/// then lets in-flight requests finish (up to `limits.shutdown_timeout`) and returns.
///
/// This is what `ocp-mock serve` runs: the binary passes SIGINT/SIGTERM as `shutdown`.
pub async fn serve(
    listener: TcpListener,
    settings: Settings,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), ServeError> {
    let app = App::try_new(settings)?;
    run(listener, Arc::new(app), shutdown).await?;
    Ok(())
}
