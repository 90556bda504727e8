//! A mock of the OceanBase Cloud Platform (OCP) REST API, and the contract that keeps it honest.
//!
//! The mock answers `DELETE /api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}` the way OCP
//! documents it: an envelope whose `data` is the asynchronous "Offline obproxy" task, built from
//! the documented example, with deterministic ids, times and trace ids, and OCP's error envelopes
//! for everything else. The contract (JSON Schemas plus the invariants no schema can state)
//! checks any response, from the mock or from a real OCP.
//!
//! # Use it in a test
//!
//! [`MockServer`] serves on a thread of its own, so a default (current-thread) `#[tokio::test]`
//! may call it with a blocking client, and a plain `#[test]` can use
//! [`MockServer::start_blocking`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use std::io::{Read, Write};
//!
//! let mock = ocp_mock::MockServer::start().await;
//! let uri = mock.uri(); // http://127.0.0.1:<free port>
//!
//! // Any HTTP client works; a blocking std socket keeps the example dependency-free.
//! let mut s = std::net::TcpStream::connect(mock.address()).unwrap();
//! // admin:aaAA11__, a fresh OCP's administrator and the mock's default identity
//! write!(s, "DELETE /api/v2/obproxy/clusters/1/obproxies/2 HTTP/1.1\r\n\
//!            Host: ocp\r\nConnection: close\r\n\
//!            Authorization: Basic YWRtaW46YWFBQTExX18=\r\n\r\n").unwrap();
//! let mut answer = String::new();
//! s.read_to_string(&mut answer).unwrap();
//! assert!(uri.starts_with("http://127.0.0.1:"));
//! assert!(answer.starts_with("HTTP/1.1 200 OK"));
//! assert!(answer.contains(r#""name":"Offline obproxy""#));
//! # }
//! ```
//!
//! Settings go through [`MockServer::builder`] (`seed`, `clock`, `server_name`, `executor`,
//! `error_code`, `inventory`, `user`, `access_key`, `no_auth`, `task_pace`, `scenario`,
//! `journal_size`, `task_retention`, `respawn_deleted`, `admin_api`, `limits`), the same as the
//! `ocp-mock serve` flags. The handle answers `uri()`, and inspects and steers the running mock:
//! `requests()`, `count_requests(method, path_glob)`, `received(&RequestMatcher)` (was it
//! called with this header, this JSON body?), `set_scenarios(..)`, `reset()`.
//! [`serve`] runs a mock on a listener the caller bound until a shutdown future completes (what
//! `ocp-mock serve` does).
//!
//! # Check a response against the contract
//!
//! ```
//! use ocp_mock::contract::{Contract, Expect};
//!
//! // OCP's documented answer to the Delete OBProxy call, as the mock embeds it.
//! let body: serde_json::Value = serde_json::from_str(ocp_mock::DOCUMENTED_EXAMPLE).unwrap();
//! let violations = Contract::global().check_response(200, &body, Expect::NewTask);
//! assert!(violations.is_empty(), "{violations:?}");
//! ```
//!
//! # Layout
//!
//! Imports run one way: the command line uses the server and the checker; the server and the
//! checker use the model and the contract; the contract uses only the model (its status lists),
//! and the model nothing else here. `tests/layout.rs` holds the code to this.
//!
//! - `main.rs`, `cli.rs`: the `ocp-mock` binary and its command line (clap), outside the library;
//! - `mock/`: the server. `mod.rs` is [`MockServer`], its builder and [`serve`]; `http.rs` the
//!   only file that knows hyper (accept loop, limits, graceful shutdown); `app.rs` the pipeline
//!   (authenticate, stamp, scenarios, route, journal, envelope); `api/` the handlers by
//!   family (`obproxy`, `tasks`, `system` for `/api/v2/time` and `/api/v2/info`, `hosts`,
//!   `ob` for OceanBase clusters and tenants, `admin` for the mock's own `/__mock/` API,
//!   `replay` for every other documented endpoint) and the one route table, `profile` the routes of a profile; `later.rs` a large answer
//!   written after the state lock is released; `auth/` HTTP Basic and AK/SK; `state.rs` the
//!   mutable state; `scenario.rs`
//!   faults on demand; `journal.rs` the bounded request log, with `journal/` what it keeps of
//!   headers and bodies (redacted) and the "was called with" matcher; `log.rs` the
//!   non-blocking stderr log; `settings.rs` what shapes the answers; `sim/` the clock and task
//!   progress (subtask calls, rollback and logs in `sim/progress/subtasks.rs`);
//! - `ocp/`: OCP's model, shared by the server and the checker: envelope, error ids and wording
//!   per version (`error/`), path ids, inventory (OBProxy clusters, hosts, OceanBase clusters
//!   and tenants), the task and its template (`task/`), `/info`,
//!   the AK/SK signing rule, OCP's time format, the versions the mock can answer as, the route
//!   matcher with OCP's one 404/405 (`router.rs`, which the server and the endpoint schemas
//!   share), and [`catalogue`]: the endpoints each version's pages document
//!   (`fixtures/ocp-catalogue/`);
//! - [`contract`]: JSON Schemas, invariants, normalisation and diffs for any OCP response;
//! - [`spec`]: a response schema per documented endpoint and OCP version
//!   (`schemas/endpoints/`), generated from the catalogue's response tables and fitted to the
//!   pages' samples; found by pattern or by a concrete path through the route matcher;
//! - [`openapi`]: the OpenAPI 3.1 document of each version's documented API, generated from
//!   the catalogue, the contract's schemas and the endpoints' (`bundle.rs` moves schemas into its components,
//!   `operation.rs` an endpoint's parameters and body, `responses.rs` its answers,
//!   `security.rs` Basic and AK/SK), which `ocp-mock openapi` prints and the mock serves;
//! - [`check`]: the contract applied to any OCP: probes over HTTP(S) on hyper's client, saved
//!   answers, reports, and the OCP version a target reports, its error codes judged by it;
//!   `check/reads/` every documented GET of that version (`--all-reads`), judged by [`spec`].
//! - [`record`]: `ocp-mock record`, a proxy in front of a real OCP writing each exchange as a
//!   fixture (served by the mock's adapter, forwarding on the checker's client), which the mock's
//!   `replay/` (the fixture format, loading and contract check, the pipeline's hook) answers
//!   again: [`Replay`], [`MockServerBuilder::replay`].

#![warn(missing_docs)]

pub mod check;
pub mod contract;
mod mock;
mod ocp;
pub mod openapi;
pub mod record;
pub mod spec;

pub use check::{CheckOptions, Credentials, DeleteTarget, ValidateOptions};
pub use contract::{Contract, Expect};
pub use mock::auth::{AccessKey, AuthSettings, Role, User};
pub use mock::journal::{RecordedRequest, RequestMatcher};
pub use mock::replay::{Replay, ReplayError};
/// The route matcher the mock answers through, public so that its cost can be timed against
/// its number of routes (the benchmark does).
pub use mock::router;
pub use mock::scenario::{BadRateLimit, Fault, RateLimit, RouteFilter, Scenario, ScenarioError};
pub use mock::settings::{Limits, LogFormat, Settings};
pub use mock::sim::clock::ClockMode;
pub use mock::sim::progress::TaskPace;
pub use mock::{
    MockServer, MockServerBuilder, ServeError, UNDOCUMENTED_ROUTES, default_worker_threads, serve,
    stateful_routes,
};
/// Every endpoint OCP's reference pages document, per version: the routes the mock answers.
pub use ocp::catalogue;
pub use ocp::error::{ErrorCodeStyle, OcpError};
pub use ocp::inventory::Inventory;
/// OCP's AK/SK signing rule, for clients that sign their own requests (and for checking that a
/// client signs the way the mock verifies).
pub use ocp::signature;
pub use ocp::task::DOCUMENTED_EXAMPLE;
pub use ocp::version::{OcpVersion, UnknownOcpVersion};

/// The README's Rust examples, compiled and run with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
