//! The OCP model: what OCP answers, independent of HTTP plumbing.
//!
//! - [`envelope`]: the response envelope, success and error;
//! - [`error`]: OCP's error ids, statuses and messages;
//! - [`task`]: the "Offline obproxy" task built from the documented example;
//! - [`progress`]: how a task advances through its DAG once created;
//! - [`inventory`]: OBProxy clusters, servers and hosts;
//! - [`holes`]: JSON serialised once and refilled, for the hot path;
//! - [`ids`]: path ids as OCP reads them (Java `Long`);
//! - [`clock`]: deterministic time and trace ids.

pub mod clock;
pub mod envelope;
pub mod error;
pub mod holes;
pub mod ids;
pub mod inventory;
pub mod progress;
pub mod task;
