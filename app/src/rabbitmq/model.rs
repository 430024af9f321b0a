//! RabbitMQ types shared by server and browser.

use crate::clusters::model::ClusterRef;
use serde::{Deserialize, Serialize};

/// The broker page's summary, from the management API's `/api/overview`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RabbitSummary {
    pub cluster: ClusterRef,
    pub version: Option<String>,
    pub erlang_version: Option<String>,
    pub cluster_name: Option<String>,
    pub node: Option<String>,
    pub queues: u64,
    pub exchanges: u64,
    pub connections: u64,
    pub channels: u64,
    pub consumers: u64,
    pub messages_ready: u64,
    pub messages_unacknowledged: u64,
}
