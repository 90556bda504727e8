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
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use std::io::{Read, Write};
//!
//! let mock = ocp_mock::MockServer::start().await;
//! let uri = mock.uri(); // http://127.0.0.1:<free port>
//! let address = mock.address();
//!
//! // Any HTTP client works; a blocking std socket keeps the example dependency-free.
//! let answer = tokio::task::spawn_blocking(move || {
//!     let mut s = std::net::TcpStream::connect(address).unwrap();
//!     // admin:aaAA11__, a fresh OCP's administrator and the mock's default identity
//!     write!(s, "DELETE /api/v2/obproxy/clusters/1/obproxies/2 HTTP/1.1\r\n\
//!                Host: {address}\r\nConnection: close\r\n\
//!                Authorization: Basic YWRtaW46YWFBQTExX18=\r\n\r\n").unwrap();
//!     let mut text = String::new();
//!     s.read_to_string(&mut text).unwrap();
//!     text
//! })
//! .await
//! .unwrap();
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
//! `requests()`, `count_requests(method, path_glob)`, `set_scenarios(..)`, `reset()`.
//!
//! # Check a response against the contract
//!
//! ```
//! use ocp_mock::contract::{Contract, Expect};
//!
//! let body: serde_json::Value =
//!     serde_json::from_str(include_str!("../fixtures/delete-obproxy.json")).unwrap();
//! let violations = Contract::global().check_response(200, &body, Expect::NewTask);
//! assert!(violations.is_empty(), "{violations:?}");
//! ```
//!
//! # Layout
//!
//! - [`server`]: the HTTP adapter (hyper): accept loop, limits, graceful shutdown;
//! - [`mock_server`]: [`MockServer`], the mock for other people's tests, and its builder;
//! - [`request`]: the owned request and response types the handlers work on;
//! - [`app`]: the mock as a plain function from request to enveloped response;
//! - `routes`: OCP's paths and their handlers, 404 and 405;
//! - [`auth`]: HTTP Basic and AK/SK signatures, before routing;
//! - [`scenario`]: faults on demand (fail a task, latency, errors, throttling, dropped connections);
//! - [`admin`]: the mock's own API under `/__mock/`; [`journal`]: the bounded request log;
//! - [`store`]: the mutable state behind the handlers (inventory, clock, ids);
//! - [`ocp`]: OCP's model: envelope, errors, tasks, inventory, path ids, clock;
//! - [`contract`]: JSON Schemas, invariants, normalisation and diffs for any OCP response;
//! - [`check`]: the contract applied to any OCP: probes over HTTP(S), saved answers, reports;
//! - [`settings`]: what shapes the answers; the `ocp-mock` command line is the binary's own
//!   (`src/cli.rs`), built on this front door.

pub mod check;
pub mod contract;
pub mod mock;
pub mod ocp;

pub use check::{CheckOptions, Credentials, DeleteTarget, ValidateOptions};
pub use contract::{Contract, Expect};
pub use mock::auth::{AccessKey, AuthSettings, Role, User};
pub use mock::scenario::Scenario;
pub use mock::settings::{Limits, Settings};
pub use mock::sim::clock::ClockMode;
pub use mock::sim::progress::TaskPace;
pub use mock::{MockServer, MockServerBuilder, ServeError, serve};
pub use ocp::error::{ErrorCodeStyle, OcpError};
pub use ocp::inventory::Inventory;
