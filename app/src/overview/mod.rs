//! The Overview slice: the status hub that probes every cluster, its live
//! feed, the Overview page and the cluster picker.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod view;
