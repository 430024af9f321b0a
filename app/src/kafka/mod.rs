//! Kafka slice: brokers and (in later issues) topics, groups and messages.

pub mod api;
pub mod logic;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod view;
