//! The integration tests: one crate, one module per topic.

mod auth;
mod catalogue;
mod check;
mod cli;
mod clusters;
mod contract;
mod errors;
mod handle;
mod hostile;
mod layout;
mod limits;
mod props;
mod races;
mod refusals;
mod scenarios;
mod server;
mod state;
mod support;
mod system;
mod throttling;
mod v435;
