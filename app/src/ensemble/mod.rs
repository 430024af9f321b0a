//! Ensemble slice: a ZooKeeper ensemble's members, roles, lag and quorum,
//! live; the leader history; Kafka clusters registered in it.

pub mod api;
pub mod logic;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod view;
