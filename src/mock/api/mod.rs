//! What the mock answers, by family: OCP's OBProxy routes ([`obproxy`]), its task routes
//! ([`tasks`]), its system routes ([`system`]), its host routes ([`hosts`]), its OceanBase
//! cluster and tenant routes ([`ob`]) and the mock's own API under `/__mock/` ([`admin`]), in
//! one route table. Lists page alike ([`paging`]).
//!
//! Handlers are plain functions over plain data: the mock's [`Ctx`] (settings, task template,
//! state store), the request and its path parameters. They return an [`Outcome`]; the pipeline in
//! `app.rs` authenticates, stamps, journals and writes the envelope around them.

pub mod admin;
pub mod hosts;
pub mod ob;
pub mod obproxy;
pub mod servers;
pub mod system;
pub mod tasks;

use serde_json::Value;

use crate::mock::auth::Identity;
use crate::mock::request::MockRequest;
use crate::mock::router::{Params, Route, match_path};
use crate::mock::scenario::{self, Scenario, ScenarioError};
use crate::mock::settings::Settings;
use crate::mock::sim::progress::TaskOrigin;
use crate::mock::state::{Stamp, State, Store};
use crate::ocp::error::OcpError;
use crate::ocp::task::TaskTemplates;
use crate::ocp::version::OcpVersion;

/// The `data` of a success envelope, or the whole body of the few answers OCP sends without one.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// Any JSON value, serialised as it is.
    Json(Value),
    /// A task just created: written from the template's precomputed text, after the state lock
    /// is released.
    NewTask(TaskOrigin),
    /// The whole body, as plain text and without an envelope (`GET /api/v2/time`).
    Text(String),
    /// The whole body, a JSON value without an envelope (`GET /api/v2/info`).
    Bare(Value),
    /// JSON written after the state lock is released (a large page), from what the handler
    /// copied under it.
    Later(crate::mock::later::Later),
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

/// Routes that only newer OCP releases have: under an older profile their path is unknown
/// (404 for any method), as it is to the OCP that profile documents.
const SINCE: &[(&str, OcpVersion)] = &[(SERVERS_DELETE, OcpVersion::V4_3_5)];

/// OCP 4.3.5's delete of OBProxy servers.
pub const SERVERS_DELETE: &str = "/api/v2/obproxy/clusters/{id}/servers/delete";

/// Whether `path` is a route the profile `version` has (every path but those of [`SINCE`]).
pub fn exists_in(version: OcpVersion, path: &str) -> bool {
    SINCE
        .iter()
        .all(|(pattern, since)| version >= *since || match_path(pattern, path).is_none())
}

/// Every route the mock answers, one table per family: a family adds its routes to its own
/// table.
pub const ROUTES: &[&[Route<Handler>]] = &[
    obproxy::ROUTES,
    servers::ROUTES,
    tasks::ROUTES,
    system::ROUTES,
    admin::ROUTES,
    hosts::ROUTES,
    ob::ROUTES,
];

/// Whether a path belongs to the mock's own API rather than OCP's.
pub fn is_admin_path(path: &str) -> bool {
    path == "/__mock" || path.starts_with("/__mock/")
}
