#![recursion_limit = "512"]
//! The zkmq server: config, state, routes and the `zkmq` command line.

pub mod accounts;
pub mod config;
pub mod errors;
pub mod guard;
pub mod routes;
pub mod serve;
pub mod session;
pub mod sso;
pub mod state;
