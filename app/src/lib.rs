//! zkmq's application crate: pages, server functions and (behind `ssr`) the
//! adapters that talk to ZooKeeper, Kafka, RabbitMQ and the audit store.
//!
//! Each backend is one vertical slice: `model` (serde types shared with the
//! browser), `logic` (pure functions), `api` (`#[server]` functions only),
//! `view` (components) and `ssr` (the real client adapter; server build only).
#![recursion_limit = "512"]

pub mod app;
pub mod audit;
pub mod auth;
pub mod clusters;
pub mod codec;
pub mod components;
pub mod ensemble;
pub mod error;
pub mod fields;
pub mod kafka;
pub mod live;
pub mod overview;
pub mod plan;
pub mod rabbitmq;
pub mod zookeeper;

#[cfg(feature = "ssr")]
pub mod runtime;
#[cfg(feature = "ssr")]
pub mod services;

pub use app::{App, shell};
