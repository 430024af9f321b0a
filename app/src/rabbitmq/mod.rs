//! RabbitMQ slice: broker overview and (in later issues) exchanges, queues,
//! bindings, policies and messages.

pub mod api;
pub mod logic;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod view;
