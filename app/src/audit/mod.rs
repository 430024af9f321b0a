//! Audit slice: the one path every mutation goes through, and its log.

pub mod api;
pub mod logic;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod view;
