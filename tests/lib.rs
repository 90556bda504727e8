//! The integration tests: one crate, one module per topic.

mod auth;
mod check;
mod cli;
mod clusters;
mod contract;
mod errors;
mod handle;
mod hostile;
mod hosts;
mod journal;
mod layout;
mod lifecycle;
mod limits;
mod ob;
mod props;
mod races;
mod record;
mod refusals;
mod scenarios;
mod server;
mod state;
mod support;
mod system;
mod throttling;
mod v435;
