//! Backend-agnostic view of every configured cluster: the Overview page, its
//! live status feed and the cluster picker.

pub mod api;
pub mod logic;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod view;
