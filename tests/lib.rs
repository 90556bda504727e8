//! The integration tests: one crate, one module per topic.

mod auth;
mod cli;
mod contract;
mod scenarios;
mod server;
mod state;
mod support;
