//! Live message flows (issue 15): a Kafka tail (and, later, a RabbitMQ tap
//! and the flow graph) over one websocket per browser tab, with credit-based
//! flow control and exact counters. `model` is the wire format, `logic` the
//! flow control; the taps themselves are server-only (`ssr`).

pub mod logic;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
