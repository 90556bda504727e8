//! A mock of the OceanBase Cloud Platform (OCP) REST API, and the contract that keeps it honest.
//!
//! WIP crate docs.

pub mod app;
pub mod cli;
pub mod contract;
pub mod ocp;
pub mod request;
mod routes;
pub mod server;
pub mod settings;
pub mod store;

pub use server::{MockServer, MockServerBuilder};
