//! The HTTP adapter: the only place that knows hyper.
//!
//! [`run`] accepts connections on a listener the caller binds, collects each request once into a
//! [`MockRequest`], hands it to [`App::handle`] and writes the envelope back. When the caller's
//! shutdown future completes it stops accepting, lets in-flight requests finish, and returns.
//! [`MockServer`] wraps it for tests: bind `127.0.0.1:0`, serve in the background, stop on drop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::http::{HeaderValue, Response, StatusCode, header};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;

use crate::app::App;
use crate::auth::{AccessKey, Role, User};
use crate::journal::RecordedRequest;
use crate::ocp::clock::ClockMode;
use crate::ocp::error::{ErrorCodeStyle, OcpError};
use crate::ocp::inventory::Inventory;
use crate::ocp::progress::TaskPace;
use crate::request::{MockRequest, MockResponse};
use crate::scenario::{Fault, RouteFilter, Scenario};
use crate::settings::Settings;

/// The largest request body the mock reads; a larger one is a 413 envelope.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Serves `app` on `listener` until `shutdown` completes, then drains open connections.
pub async fn run(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                // Out of file descriptors or a reset before accept: keep serving the others.
                Err(_) => continue,
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let mut stop_rx = stop_rx.clone();
        connections.spawn(async move {
            let service = service_fn(move |req| serve(app.clone(), req));
            let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = async { let _ = stop_rx.wait_for(|stop| *stop).await; } => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// The `drop` scenario: the service fails, so hyper closes the connection without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a scenario")
    }
}

impl std::error::Error for Dropped {}

async fn serve(
    app: Arc<App>,
    req: hyper::Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let mut request = MockRequest {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body: Bytes::new(),
    };
    let response = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => {
            request.body = collected.to_bytes();
            app.handle(&request)
        }
        Err(_) => app.reject(&request, OcpError::payload_too_large(MAX_BODY_BYTES)),
    };
    if app.settings.log_requests {
        eprintln!(
            "{} {} {} {:.3}ms traceId={}",
            request.method,
            request.path,
            response.status,
            started.elapsed().as_secs_f64() * 1000.0,
            response.trace_id
        );
    }
    if let Some(delay) = response.delay {
        tokio::time::sleep(delay).await;
    }
    if response.drop_connection {
        return Err(Dropped);
    }
    Ok(into_hyper(response))
}

fn into_hyper(response: MockResponse) -> Response<Full<Bytes>> {
    let mut out = Response::new(Full::new(response.body));
    *out.status_mut() =
        StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = out.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for (name, value) in response.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    out
}

/// A mock running in the background of a test, on `127.0.0.1` and a free port.
///
/// Dropping the handle stops the server.
#[derive(Debug)]
pub struct MockServer {
    address: SocketAddr,
    app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl MockServer {
    /// Starts a mock with default settings (the documented behaviour).
    ///
    /// # Panics
    /// When no port on 127.0.0.1 can be bound; use [`MockServerBuilder::try_start`] to handle it.
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The base URI, e.g. `http://127.0.0.1:41234`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The mock itself, to call without a socket or inspect its settings.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// The newest requests the mock answered, oldest first (bounded by the journal size).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.app.store.lock().journal.entries().cloned().collect()
    }

    /// How many of the journal's requests had this method and a path matching `path_glob`
    /// (`*` matches anything): `assert_eq!(mock.count_requests("DELETE", "/api/*"), 1)`.
    pub fn count_requests(&self, method: &str, path_glob: &str) -> usize {
        let filter = Scenario {
            fault: Fault::Drop,
            route: Some(RouteFilter {
                method: Some(method.to_ascii_uppercase()),
                path: path_glob.to_owned(),
            }),
        };
        self.app
            .store
            .lock()
            .journal
            .entries()
            .filter(|r| filter.applies_to(&r.method, &r.path))
            .count()
    }

    /// Inventory, tasks, ids, clock, scenarios and journal back to their start values.
    pub fn reset(&self) {
        self.app.store.reset();
    }

    /// Replaces the active scenarios, as `PUT /__mock/scenarios` does.
    pub fn set_scenarios(&self, scenarios: Vec<Scenario>) -> Result<(), String> {
        self.app.check_scenarios(&scenarios)?;
        self.app.store.lock().set_scenarios(scenarios);
        Ok(())
    }

    /// Stops accepting, waits for in-flight requests to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
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
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings.seed = seed;
        self
    }

    pub fn clock(mut self, clock: ClockMode) -> Self {
        self.settings.clock = clock;
        self
    }

    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.settings.server_name = name.into();
        self
    }

    pub fn executor(mut self, executor: impl Into<String>) -> Self {
        self.settings.executor = executor.into();
        self
    }

    pub fn error_code(mut self, style: ErrorCodeStyle) -> Self {
        self.settings.error_code = style;
        self
    }

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

    pub fn journal_size(mut self, size: usize) -> Self {
        self.settings.journal_size = size;
        self
    }

    /// Serve the admin API under `/__mock/` (on by default).
    pub fn admin_api(mut self, on: bool) -> Self {
        self.settings.admin_api = on;
        self
    }

    pub fn log_requests(mut self, on: bool) -> Self {
        self.settings.log_requests = on;
        self
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Starts the mock on `127.0.0.1:0`.
    ///
    /// # Panics
    /// When no port on 127.0.0.1 can be bound, or a scenario names a subtask the task lacks.
    pub async fn start(self) -> MockServer {
        self.try_start()
            .await
            .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:0 for the mock: {e}"))
    }

    pub async fn try_start(self) -> std::io::Result<MockServer> {
        let app = App::try_new(self.settings)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let app = Arc::new(app);
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(run(listener, app.clone(), async move {
            let _ = stopped.await;
        }));
        Ok(MockServer {
            address,
            app,
            stop: Some(stop),
            task: Some(task),
        })
    }
}
