//! What the mock answers, by family: OCP's OBProxy routes ([`obproxy`]), its task routes
//! ([`tasks`]), its system routes ([`system`]), its host routes ([`hosts`]), its OceanBase
//! cluster and tenant routes ([`ob`]) and the mock's own API under `/__mock/` ([`admin`]), in
//! one route table; every other documented endpoint replays its page's sample ([`replay`]).
//! [`profile`] builds a profile's routes from its documented endpoints.
//!
//! Handlers are plain functions over plain data: the mock's [`Ctx`] (settings, task template,
//! state store), the request and its path parameters. They return an [`Outcome`]; the pipeline in
//! `app.rs` authenticates, stamps, journals and writes the envelope around them.

pub mod admin;
pub mod hosts;
pub mod ob;
pub mod obproxy;
pub mod profile;
pub mod replay;
pub mod servers;
pub mod system;
pub mod tasks;

use std::sync::Arc;

use serde_json::Value;

use crate::mock::auth::Identity;
use crate::mock::request::MockRequest;
use crate::mock::router::{Params, Route};
use crate::mock::scenario::{self, Scenario, ScenarioError};
use crate::mock::settings::Settings;
use crate::mock::sim::progress::TaskOrigin;
use crate::mock::state::{Stamp, State, Store};
use crate::ocp::catalogue::{Endpoint, RequestParts};
use crate::ocp::error::OcpError;
use crate::ocp::task::TaskTemplates;

/// The `data` of a success envelope, or the whole body of the few answers OCP sends without one.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// Any JSON value, serialised as it is.
    Json(Value),
    /// JSON text serialised once per process, written as it is (a documented sample's `data`).
    JsonText(&'static str),
    /// A task just created: written from the template's precomputed text, after the state lock
    /// is released.
    NewTask(Arc<TaskOrigin>),
    /// The whole body, as plain text and without an envelope (`GET /api/v2/time`).
    Text(String),
    /// The whole body, a JSON value without an envelope (`GET /api/v2/info`).
    Bare(Value),
    /// JSON written after the state lock is released (a large page), from what the handler
    /// copied under it.
    Later(crate::mock::later::Later),
    /// The whole body, JSON text built once per process and sent as it is, without an envelope
    /// and without a copy (`GET /__mock/openapi.json`).
    Static(&'static str),
}

/// What a handler answers: a status and optional `data`, or an OCP error.
pub type Outcome = Result<(u16, Option<Data>), OcpError>;

/// The mock a handler works on: what shapes the answers, and the state behind them.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The settings the mock started with.
    pub settings: &'a Settings,
    /// The documented tasks of the profile, which every new task is built from.
    pub templates: &'a TaskTemplates,
    /// The mutable state (inventory, tasks, clock, journal, scenarios).
    pub store: &'a Store,
}

impl Ctx<'_> {
    /// Refuses scenarios that name a subtask none of this mock's tasks has.
    pub fn check_scenarios(&self, scenarios: &[Scenario]) -> Result<(), ScenarioError> {
        scenario::check_all(scenarios, &self.templates.all())
    }
}

/// One OCP call on its way through a handler: what was asked, when, by whom, with which faults.
pub struct Call<'a> {
    /// The request as received.
    pub req: &'a MockRequest,
    /// When it arrived and its trace id.
    pub stamp: &'a Stamp,
    /// Who is calling (already authenticated).
    pub identity: &'a Identity,
    /// The subtask a task created by this call fails at (the `fail-at` scenario).
    pub fail_at: Option<String>,
    /// The endpoint OCP's pages document for this call: its parameters, for
    /// [`Endpoint::check`], and its sample; none for a family route no version documents.
    pub endpoint: Option<&'static Endpoint>,
}

impl Call<'_> {
    /// Refuses the request where it breaks what its page documents (path and query parameter
    /// types, required query and body parameters, a JSON body): OCP's 400 `COM10001` naming the
    /// parameter. The replay runs it before every answer; a family handler may run it first.
    pub fn check_documented(&self, params: &Params<'_>) -> Result<(), OcpError> {
        let Some(endpoint) = self.endpoint else {
            return Ok(());
        };
        endpoint.check(&RequestParts {
            path: params.iter().collect(),
            query: self.req.query.as_deref(),
            body: &self.req.body,
        })
    }
}

/// A handler of OCP's API: authenticated, stamped, run under the state lock and journaled.
pub type OcpHandler = fn(Ctx<'_>, &mut State, &Params<'_>, &Call<'_>) -> Outcome;
/// A handler of the mock's own API: no credentials, no stamp, locks what it needs itself.
pub type AdminHandler = fn(Ctx<'_>, &MockRequest) -> Outcome;

/// Which pipeline a route's handler runs in.
#[derive(Clone, Copy)]
pub enum Handler {
    /// OCP's API under `/api/`.
    Ocp(OcpHandler),
    /// The mock's own API under `/__mock/`.
    Admin(AdminHandler),
}

/// OCP 4.3.5's delete of OBProxy servers.
pub const SERVERS_DELETE: &str = "/api/v2/obproxy/clusters/{id}/servers/delete";

/// Every handler of the mock, one table per family: a family adds its routes to its own
/// table. An OCP route answers only in the profiles whose catalogue documents its method and
/// pattern (see [`profile`]); every other documented endpoint replays its sample ([`replay`]).
pub const ROUTES: &[&[Route<Handler>]] = &[
    obproxy::ROUTES,
    servers::ROUTES,
    tasks::ROUTES,
    system::ROUTES,
    admin::ROUTES,
    hosts::ROUTES,
    ob::ROUTES,
];

/// The OCP routes a family handles with state of its own, as (method, pattern): the rest of
/// the documented API replays its pages' samples. Patterns write captures `{name}` as the
/// catalogue does.
pub fn stateful_routes() -> impl Iterator<Item = (&'static str, &'static str)> {
    ROUTES
        .iter()
        .flat_map(|t| t.iter())
        .flat_map(|r| r.methods.iter().map(move |(m, h)| (m, h, r.pattern)))
        .filter_map(|(m, h, pattern)| match h {
            Handler::Ocp(_) => Some((m.as_str(), pattern)),
            Handler::Admin(_) => None,
        })
}

/// Whether a path belongs to the mock's own API rather than OCP's.
pub fn is_admin_path(path: &str) -> bool {
    path == "/__mock" || path.starts_with("/__mock/")
}
