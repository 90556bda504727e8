//! The mock behind the socket: settings, template and state, and the one entry point
//! [`App::handle`] that turns a [`MockRequest`] into an enveloped [`MockResponse`].
//!
//! Order of work for a request under `/api/`: authenticate (no lock), then under the state lock
//! stamp it (clock, trace id), advance time-paced tasks, apply scenarios, route and run the
//! handler, record it in the journal; then, lock released, write the envelope.

use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

use crate::mock::admin;
use crate::mock::auth::Identity;
use crate::mock::journal::{RecordedRequest, redact_query};
use crate::mock::request::{MockRequest, MockResponse};
use crate::mock::router::{self as routes, Call};
use crate::mock::scenario::{self, Fault, Scenario, ScenarioError};
use crate::mock::settings::Settings;
use crate::mock::sim::clock::{ClockMode, system_now_ms};
use crate::mock::sim::progress::TaskOrigin;
use crate::mock::state::{Stamp, Store};
use crate::ocp::envelope::{self, EnvelopeMeta};
use crate::ocp::error::{INVALID_PARAMETER, Language, OcpError, THROTTLED};
use crate::ocp::task::TaskTemplate;

/// The `data` of a success envelope.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    Json(Value),
    /// A task just created: written from the template's precomputed text, after the state lock
    /// is released.
    NewTask(TaskOrigin),
}

/// What a handler answers: a status and optional `data`, or an OCP error.
pub type Outcome = Result<(u16, Option<Data>), OcpError>;

/// The header that applies scenarios to one request only.
pub const SCENARIO_HEADER: &str = "x-ocp-mock-scenario";

/// The whole mock, shared by every connection.
#[derive(Debug)]
pub struct App {
    pub settings: Settings,
    pub template: TaskTemplate,
    pub store: Store,
}

impl App {
    /// Builds the mock; refuses scenarios that name a subtask the task does not have.
    pub fn try_new(settings: Settings) -> Result<Self, String> {
        let template = TaskTemplate::documented();
        for s in &settings.scenarios {
            s.check_subtasks(&template).map_err(|e| e.to_string())?;
        }
        let store = Store::new(&settings, &template);
        Ok(Self {
            settings,
            template,
            store,
        })
    }

    /// Builds the mock with settings already checked (`Settings::default()` always is).
    pub fn new(settings: Settings) -> Self {
        Self::try_new(settings).unwrap_or_else(|e| panic!("invalid settings: {e}"))
    }

    /// Checks scenarios against this mock's task (for the admin API and the header).
    pub fn check_scenarios(&self, scenarios: &[Scenario]) -> Result<(), ScenarioError> {
        scenarios
            .iter()
            .try_for_each(|s| s.check_subtasks(&self.template))
    }

    /// Answers one request. Never panics on any input; every answer is an OCP envelope.
    pub fn handle(&self, req: &MockRequest) -> MockResponse {
        if self.settings.admin_api && admin::is_admin_path(&req.path) {
            return admin::handle(self, req);
        }
        let lang = Language::from_accept_language(req.header("accept-language"));
        let own = self.own_scenarios(req);
        let identity = self.authenticate(req);

        let mut state = self.store.lock();
        let stamp = state.stamp();
        state.advance_all(self.settings.task_pace, stamp.arrival_ms);
        let method = req.method.as_str();
        let faults = state.faults(
            method,
            &req.path,
            own.as_deref().unwrap_or_default(),
            stamp.arrival_ms,
        );
        let outcome = if let Err(e) = own {
            Err(e)
        } else if faults.drop {
            // The connection is closed unanswered and the call takes no effect, as when a
            // network drops it before it reaches OCP.
            Ok((0, None))
        } else if faults.throttled {
            Err(OcpError::new(&THROTTLED, Vec::new()))
        } else if let Some(status) = faults.error {
            Err(OcpError::injected(status))
        } else {
            identity.and_then(|identity| {
                let call = Call {
                    req,
                    stamp: &stamp,
                    identity: &identity,
                    fail_at: faults.fail_at.clone(),
                };
                routes::dispatch(self, &mut state, &call)
            })
        };
        let status = match &outcome {
            Ok((status, _)) => *status,
            Err(e) => e.status(),
        };
        state.journal.record(RecordedRequest {
            method: method.to_owned(),
            path: req.path.clone(),
            query: req.query.as_deref().map(redact_query),
            status,
            trace_id: stamp.trace_id.clone(),
            at_ms: stamp.arrival_ms,
        });
        drop(state);

        let mut stamp = stamp;
        if faults.throttled {
            // OCP's documented 429 comes from its gateway, before any trace: an empty traceId.
            stamp.trace_id.clear();
        }
        let mut response = self.render(stamp, lang, outcome);
        if let Some((limit, remaining, reset)) = faults.rate_limit {
            response
                .headers
                .push(("ratelimit-limit", limit.to_string()));
            response
                .headers
                .push(("ratelimit-remaining", remaining.to_string()));
            response
                .headers
                .push(("ratelimit-reset", reset.to_string()));
        }
        response.delay = (faults.latency_ms > 0).then(|| Duration::from_millis(faults.latency_ms));
        response.drop_connection = faults.drop;
        response
    }

    /// Scenarios of the request's own `X-OCP-Mock-Scenario` header.
    fn own_scenarios(&self, req: &MockRequest) -> Result<Vec<Scenario>, OcpError> {
        let Some(value) = req.headers.get(SCENARIO_HEADER) else {
            return Ok(Vec::new());
        };
        let bad = |why: String| {
            OcpError::new(
                &INVALID_PARAMETER,
                vec![format!("X-OCP-Mock-Scenario={why}")],
            )
            .with_target("X-OCP-Mock-Scenario")
            .with_debug(why)
        };
        let text = value
            .to_str()
            .map_err(|_| bad("not visible ASCII".into()))?;
        let list = scenario::parse_list(text).map_err(|e| bad(e.to_string()))?;
        if list
            .iter()
            .any(|s| matches!(s.fault, Fault::Throttle { .. }))
        {
            return Err(bad(
                "throttle counts requests across clients: set it with --scenario or PUT /__mock/scenarios".into(),
            ));
        }
        self.check_scenarios(&list)
            .map_err(|e| bad(e.to_string()))?;
        Ok(list)
    }

    /// OCP's API (`/api/...`) needs credentials; other paths are answered without.
    fn authenticate(&self, req: &MockRequest) -> Result<Identity, OcpError> {
        if req.path.starts_with("/api/") {
            self.settings.auth.authenticate(req, system_now_ms())
        } else {
            Ok(self
                .settings
                .auth
                .identity("admin", crate::mock::auth::Role::Admin))
        }
    }

    /// Answers a request refused before routing (e.g. a body past the limit) with `err`.
    pub fn reject(&self, req: &MockRequest, err: OcpError) -> MockResponse {
        let stamp = self.store.lock().stamp();
        let lang = Language::from_accept_language(req.header("accept-language"));
        self.render(stamp, lang, Err(err))
    }

    /// The envelope's `timestamp` and `duration` for a request stamped `stamp`.
    fn meta(&self, stamp: Stamp) -> EnvelopeMeta {
        let (timestamp_ms, duration_ms) = match self.settings.clock {
            ClockMode::Fixed => (
                stamp.arrival_ms + self.template.respond_after_ms,
                self.template.duration_ms,
            ),
            ClockMode::System => {
                let now = system_now_ms();
                (now, (now - stamp.arrival_ms).max(0))
            }
        };
        EnvelopeMeta {
            timestamp_ms,
            duration_ms,
            trace_id: stamp.trace_id,
            server: self.settings.server_name.clone(),
        }
    }

    /// Writes the envelope of an outcome.
    pub fn render(&self, stamp: Stamp, lang: Language, outcome: Outcome) -> MockResponse {
        let trace_id = stamp.trace_id.clone();
        let meta = self.meta(stamp);
        let (status, headers, body) = match outcome {
            Ok((status, None)) => (status, Vec::new(), envelope::success(status, meta, None, 0)),
            Ok((status, Some(Data::Json(value)))) => {
                let mut write = |out: &mut Vec<u8>| {
                    // Writing JSON into a Vec cannot fail.
                    let _ = serde_json::to_writer(&mut *out, &value);
                };
                let body = envelope::success(status, meta, Some(&mut write), 1024);
                (status, Vec::new(), body)
            }
            Ok((status, Some(Data::NewTask(origin)))) => {
                let task = origin.new_task(&self.settings.executor);
                let mut write = |out: &mut Vec<u8>| self.template.write(&task, out);
                let hint = self.template.size_hint(origin.servers.len());
                let body = envelope::success(status, meta, Some(&mut write), hint);
                (status, Vec::new(), body)
            }
            Err(err) => {
                let body = envelope::error(&err, lang, self.settings.error_code, meta);
                (err.status(), err.headers, body.to_string().into_bytes())
            }
        };
        MockResponse {
            status,
            headers,
            body: Bytes::from(body),
            trace_id,
            delay: None,
            drop_connection: false,
        }
    }
}
