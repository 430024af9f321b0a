//! ZooKeeper slice: ensemble members and (in later issues) the znode tree.

pub mod api;
pub mod explorer;
pub mod live_client;
pub mod logic;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
