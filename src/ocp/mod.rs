//! The OCP model: what OCP answers, independent of HTTP plumbing.
//!
//! - [`catalogue`]: every endpoint OCP's reference pages document, per version;
//! - [`envelope`]: the response envelope, success and error;
//! - [`error`]: OCP's error ids, statuses and messages;
//! - [`task`]: the "Offline obproxy" task built from the documented example;
//! - [`inventory`]: OBProxy clusters, servers and hosts;
//! - [`holes`]: JSON serialised once and refilled, for the hot path;
//! - [`ids`]: path ids as OCP reads them (Java `Long`);
//! - [`info`]: what `GET /api/v2/info` documents of an OCP's build, per version;
//! - [`router`]: matching a method and path to a route, with OCP's 404 and 405;
//! - [`signature`]: OCP's AK/SK signing rule, shared by the mock and the checker;
//! - [`time`]: OCP's time format;
//! - [`version`]: which OCP release the answers follow.

pub mod catalogue;
pub mod envelope;
pub mod error;
pub mod holes;
pub mod ids;
pub mod info;
pub mod inventory;
pub mod router;
pub mod signature;
pub mod task;
pub mod time;
pub mod version;
