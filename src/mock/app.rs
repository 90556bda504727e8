//! The mock behind the socket: settings, template and state, and the one entry point
//! [`App::handle_until_written`] (with [`App::write`]) that turns a [`MockRequest`] into an enveloped [`MockResponse`].
//!
//! Order of work for a request under `/api/`: authenticate (no lock), then under the state lock
//! stamp it (clock, trace id), advance time-paced tasks, apply scenarios, route and run the
//! handler, record it in the journal; then, lock released, write the envelope.

use std::time::Duration;

use bytes::Bytes;
use http::Method;

use crate::mock::api::profile::{self, Target};
use crate::mock::api::{self, AdminHandler, Call, Ctx, Data, Outcome, system};
use crate::mock::auth::{Identity, Role};
use crate::mock::request::{MockRequest, MockResponse, RATE_LIMIT_HEADERS};
use crate::mock::router::Router;
use crate::mock::scenario::{self, Fault, Scenario, ScenarioError};
use crate::mock::settings::Settings;
use crate::mock::sim::clock::{ClockMode, system_now_ms};
use crate::mock::state::{Faults, Stamp, State, Store};
use crate::ocp::envelope::{self, EnvelopeMeta};
use crate::ocp::error::{INVALID_PARAMETER, Language, OcpError, THROTTLED};
use crate::ocp::task::TaskTemplates;

/// The header that applies scenarios to one request only.
pub const SCENARIO_HEADER: &str = "x-ocp-mock-scenario";

/// [`SCENARIO_HEADER`] as a header name, which a header map looks up without parsing it.
static SCENARIO_HEADER_NAME: http::HeaderName = http::HeaderName::from_static(SCENARIO_HEADER);

/// What a Spring controller returning a `String` sends, as OCP does for `GET /api/v2/time`
/// (its documentation names no type; the body is plain text).
pub const TEXT_PLAIN: &str = "text/plain;charset=UTF-8";

/// The whole mock, shared by every connection.
#[derive(Debug)]
pub struct App {
    /// What shapes the answers.
    pub settings: Settings,
    /// The documented tasks of the profile, parsed once.
    pub templates: TaskTemplates,
    /// The mutable state behind the handlers.
    pub store: Store,
    /// The profile's OCP routes: its documented endpoints, built once.
    routes: Router<Target>,
    /// The mock's own API.
    admin_routes: Router<AdminHandler>,
}

/// A request handled but for writing its answer.
pub enum Handled {
    /// The answer, written.
    Answered(MockResponse),
    /// An answer costly to write: [`App::write`] writes it.
    ToWrite(Pending),
}

/// An answer decided, not yet written.
pub struct Pending {
    stamp: Stamp,
    lang: Language,
    outcome: Outcome,
    faults: Faults,
}

/// What the scenarios and the credentials decided before any handler runs.
struct Gate<'a> {
    own: Result<Vec<Scenario>, OcpError>,
    identity: Result<Identity, OcpError>,
    req: &'a MockRequest,
}

impl App {
    /// Builds the mock; refuses scenarios that name a subtask the task does not have.
    pub fn try_new(settings: Settings) -> Result<Self, ScenarioError> {
        let mut templates = TaskTemplates::for_version(settings.ocp_version);
        profile::register_documented_tasks(settings.ocp_version, &mut templates);
        scenario::check_all(&settings.scenarios, &templates.all())?;
        // A fresh mock's clock and ids start at the example of the profile's recommended delete,
        // so that its documented call answers its documented example.
        let store = Store::new(&settings, templates.lead());
        let routes = profile::ocp_router(settings.ocp_version);
        Ok(Self {
            settings,
            templates,
            store,
            routes,
            admin_routes: profile::admin_router(),
        })
    }

    /// What a handler sees of the mock.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            settings: &self.settings,
            templates: &self.templates,
            store: &self.store,
        }
    }

    /// Answers one request, but for an answer costly to write (a large page), which it leaves
    /// to [`App::write`] (a server runs that off the threads that serve connections). Never
    /// panics on any input; every answer is an OCP envelope, but for the two routes OCP
    /// documents without one (`/api/v2/time`, `/api/v2/info`).
    pub fn handle_until_written(&self, req: &MockRequest) -> Handled {
        if self.settings.admin_api && api::is_admin_path(&req.path) {
            return Handled::Answered(self.handle_admin(req));
        }
        if let Some(recorded) = self.replayed(req) {
            return Handled::Answered(recorded);
        }
        let lang = Language::from_accept_language(req.header(http::header::ACCEPT_LANGUAGE));
        let identity = self.authenticate(req);
        // A caller's own scenarios can make its request expensive (latency): only a caller whose
        // credentials were checked (OCP's API, not its public time) gets them read, and no one
        // when the mock's own API is switched off.
        let checked = req.path.starts_with("/api/") && req.path != system::TIME_PATH;
        let own = if checked && identity.is_ok() && self.settings.admin_api {
            self.own_scenarios(req)
        } else {
            Ok(Vec::new())
        };
        let gate = Gate { own, identity, req };
        let mut state = self.store.lock();
        let stamp = self.stamp(&mut state, req);
        state.advance_all(self.settings.task_pace, stamp.arrival_ms);
        let faults = state.faults(
            req.method.as_str(),
            &req.path,
            gate.own.as_deref().unwrap_or_default(),
            stamp.arrival_ms,
        );
        let outcome = self.decide(&mut state, gate, &stamp, &faults);
        let status = outcome.as_ref().map_or_else(OcpError::status, |(s, _)| *s);
        journal(&mut state, req, status, &stamp);
        drop(state);
        if let Ok((_, Some(Data::Later(_)))) = &outcome {
            return Handled::ToWrite(Pending {
                stamp,
                lang,
                outcome,
                faults,
            });
        }
        Handled::Answered(self.answer(stamp, lang, outcome, &faults))
    }

    /// Writes an answer [`App::handle_until_written`] left to write (state lock released).
    pub fn write(&self, pending: Pending) -> MockResponse {
        self.answer(
            pending.stamp,
            pending.lang,
            pending.outcome,
            &pending.faults,
        )
    }

    /// The outcome of an OCP call: a fault if a scenario injects one, else the route's handler.
    fn decide(&self, state: &mut State, gate: Gate<'_>, stamp: &Stamp, faults: &Faults) -> Outcome {
        gate.own?;
        if faults.drop {
            // The connection is closed unanswered and the call takes no effect, as when a
            // network drops it before it reaches OCP.
            return Ok((0, None));
        }
        if faults.throttled {
            return Err(OcpError::new(&THROTTLED, Vec::new()));
        }
        if let Some(status) = faults.error {
            return Err(OcpError::injected(status));
        }
        let identity = gate.identity?;
        let req = gate.req;
        let (target, params) = self.routes.resolve(&req.method, &req.path)?;
        identity.authorize(&req.method)?;
        let call = Call {
            req,
            stamp,
            identity: &identity,
            fail_at: faults.fail_at.clone(),
            endpoint: target.endpoint,
        };
        (target.handler)(self.ctx(), state, &params, &call)
    }

    /// When a request arrived and its trace id. Reading OCP's time takes neither a tick of the
    /// fixed clock nor a trace id: it answers the instant of the latest call, and a health check
    /// between two calls leaves what the second answers unchanged.
    fn stamp(&self, state: &mut State, req: &MockRequest) -> Stamp {
        if req.method != Method::GET || req.path != system::TIME_PATH {
            return state.stamp();
        }
        let arrival_ms = match self.settings.clock {
            ClockMode::Fixed => state.now_ms(),
            ClockMode::System => system_now_ms(),
        };
        Stamp {
            arrival_ms,
            trace_id: String::new(),
        }
    }

    /// Writes the envelope of an OCP call, with what the scenarios add to it.
    fn answer(
        &self,
        mut stamp: Stamp,
        lang: Language,
        outcome: Outcome,
        faults: &Faults,
    ) -> MockResponse {
        let mut response = if faults.throttled {
            // OCP's documented 429 comes from its gateway, before any handler or trace: an
            // empty traceId and a duration of 0.
            stamp.trace_id.clear();
            let meta = EnvelopeMeta {
                duration_ms: 0,
                ..self.meta(&stamp)
            };
            let response = self.render_meta(meta, lang, outcome);
            Self::traced(response, stamp)
        } else {
            self.render(stamp, lang, outcome)
        };
        if let Some((limit, remaining, reset)) = faults.rate_limit {
            // Each value is its text's exact size: hyper takes the buffer over without a copy.
            let text = |n: i64| itoa::Buffer::new().format(n).to_owned();
            response.headers.extend([
                (RATE_LIMIT_HEADERS[0], text(limit.into())),
                (RATE_LIMIT_HEADERS[1], text(remaining.into())),
                (RATE_LIMIT_HEADERS[2], text(reset)),
            ]);
        }
        response.delay = (faults.latency_ms > 0).then(|| Duration::from_millis(faults.latency_ms));
        response.drop_connection = faults.drop;
        response
    }

    /// Answers a request to the mock's own API: no credentials, no stamp, not journaled.
    fn handle_admin(&self, req: &MockRequest) -> MockResponse {
        let outcome = self
            .admin_routes
            .resolve(&req.method, &req.path)
            .and_then(|(handler, _)| handler(self.ctx(), req));
        let stamp = Stamp {
            arrival_ms: self.store.lock().now_ms(),
            trace_id: String::new(),
        };
        let lang = Language::from_accept_language(req.header(http::header::ACCEPT_LANGUAGE));
        self.render(stamp, lang, outcome)
    }

    /// Scenarios of the request's own `X-OCP-Mock-Scenario` header.
    fn own_scenarios(&self, req: &MockRequest) -> Result<Vec<Scenario>, OcpError> {
        let mut values = req.headers.get_all(&SCENARIO_HEADER_NAME).iter();
        let Some(value) = values.next() else {
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
        if values.next().is_some() {
            return Err(bad(
                "sent twice: give every scenario in one header, separated by ';'".into(),
            ));
        }
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
        self.ctx()
            .check_scenarios(&list)
            .map_err(|e| bad(e.to_string()))?;
        Ok(list)
    }

    /// OCP's API (`/api/...`) needs credentials, except its time, which OCP documents as
    /// callable without (credentials sent there, even wrong ones, are not read); other paths
    /// are answered without.
    fn authenticate(&self, req: &MockRequest) -> Result<Identity, OcpError> {
        if req.path == system::TIME_PATH {
            Ok(Identity {
                id: 0,
                name: "anonymous".to_owned(),
                role: Role::Viewer,
            })
        } else if req.path.starts_with("/api/") {
            self.settings.auth.authenticate(req, system_now_ms())
        } else {
            Ok(self.settings.auth.identity("admin", Role::Admin))
        }
    }

    /// Answers a request refused by a limit before routing (a body past the limit, one
    /// connection too many) with `err`. The refusal is journaled but takes no trace id and no
    /// clock tick, so the answers after it are those the mock would have given without it.
    pub fn reject(&self, req: &MockRequest, err: OcpError) -> MockResponse {
        let mut state = self.store.lock();
        let stamp = Stamp {
            arrival_ms: state.now_ms(),
            trace_id: String::new(),
        };
        journal(&mut state, req, err.status(), &stamp);
        drop(state);
        let lang = Language::from_accept_language(req.header(http::header::ACCEPT_LANGUAGE));
        self.render(stamp, lang, Err(err))
    }

    /// The envelope's `timestamp` and `duration` for a request stamped `stamp`.
    fn meta<'a>(&'a self, stamp: &'a Stamp) -> EnvelopeMeta<'a> {
        let (timestamp_ms, duration_ms) = match self.settings.clock {
            ClockMode::Fixed => (
                stamp.arrival_ms + self.templates.lead().respond_after_ms,
                self.templates.lead().duration_ms,
            ),
            ClockMode::System => {
                let now = system_now_ms();
                (now, (now - stamp.arrival_ms).max(0))
            }
        };
        EnvelopeMeta {
            timestamp_ms,
            duration_ms,
            trace_id: &stamp.trace_id,
            server: &self.settings.server_name,
        }
    }

    /// Writes the envelope of an outcome, or the bare body of the routes OCP answers without one.
    pub fn render(&self, stamp: Stamp, lang: Language, outcome: Outcome) -> MockResponse {
        let response = self.render_meta(self.meta(&stamp), lang, outcome);
        Self::traced(response, stamp)
    }

    /// The answer with the trace id of its stamp, for the request log.
    fn traced(response: MockResponse, stamp: Stamp) -> MockResponse {
        MockResponse {
            trace_id: stamp.trace_id,
            ..response
        }
    }

    /// Writes the envelope of an outcome with the given bookkeeping.
    fn render_meta(
        &self,
        meta: EnvelopeMeta<'_>,
        lang: Language,
        outcome: Outcome,
    ) -> MockResponse {
        let (status, headers, body) = match outcome {
            Ok((status, data)) => {
                let (headers, body) = self.success_body(status, meta, data);
                (status, headers, body)
            }
            Err(err) => {
                let (version, style) = (self.settings.ocp_version, self.settings.error_code);
                let body = envelope::error(&err, lang, version, style, meta);
                (err.status(), err.headers, body.to_string().into())
            }
        };
        MockResponse {
            status,
            headers,
            body,
            trace_id: String::new(),
            delay: None,
            drop_connection: false,
        }
    }

    /// The headers and body of a success: `data` in an envelope, or the bare body of the few
    /// answers OCP sends without one.
    fn success_body(
        &self,
        status: u16,
        meta: EnvelopeMeta<'_>,
        data: Option<Data>,
    ) -> (Vec<(&'static str, String)>, Bytes) {
        let enveloped = |write: Option<&mut envelope::WriteData<'_>>, hint| {
            (
                Vec::new(),
                envelope::success(status, meta, write, hint).into(),
            )
        };
        match data {
            None => enveloped(None, 0),
            Some(Data::Json(value)) => {
                // Writing JSON into a Vec cannot fail.
                let mut write = |out: &mut Vec<u8>| {
                    let _ = serde_json::to_writer(&mut *out, &value);
                };
                enveloped(Some(&mut write), 1024)
            }
            Some(Data::JsonText(text)) => {
                let mut write = |out: &mut Vec<u8>| out.extend_from_slice(text.as_bytes());
                enveloped(Some(&mut write), text.len())
            }
            Some(Data::NewTask(origin)) => {
                let task = origin.new_task(&self.settings.executor);
                let template = self.templates.of(origin.kind);
                let mut write = |out: &mut Vec<u8>| template.write(&task, out);
                enveloped(Some(&mut write), template.size_hint(origin.servers.len()))
            }
            Some(Data::Later(later)) => {
                let mut write = |out: &mut Vec<u8>| later.write(out);
                let hint = later.size_hint();
                enveloped(Some(&mut write), hint)
            }
            Some(Data::Text(text)) => (vec![("content-type", TEXT_PLAIN.to_owned())], text.into()),
            // Writing JSON into a Vec cannot fail.
            Some(Data::Bare(value)) => (
                Vec::new(),
                serde_json::to_vec(&value).unwrap_or_default().into(),
            ),
            Some(Data::Static(text)) => (Vec::new(), Bytes::from_static(text.as_bytes())),
        }
    }
}

/// Records an answered request in the journal: credentials redacted, headers and body bounded.
fn journal(state: &mut State, req: &MockRequest, status: u16, stamp: &Stamp) {
    state
        .journal
        .record_request(req, status, &stamp.trace_id, stamp.arrival_ms);
}
