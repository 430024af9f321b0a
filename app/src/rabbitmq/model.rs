//! RabbitMQ types shared by server and browser.

use crate::clusters::model::ClusterRef;
use serde::{Deserialize, Serialize};

/// What the console shows of the management API's `/api/overview`. Missing
/// fields (older versions, a node still booting) are `None`/0, not errors.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BrokerOverview {
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

/// The broker page's summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RabbitSummary {
    pub cluster: ClusterRef,
    pub overview: BrokerOverview,
}
