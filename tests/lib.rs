//! The integration tests: one crate, one module per topic.

mod auth;
mod cli;
mod contract;
mod server;
mod support;
