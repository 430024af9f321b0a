//! Kafka types shared by server and browser.

use crate::clusters::model::ClusterRef;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KafkaBroker {
    pub id: i32,
    pub host: String,
    pub port: i32,
}

/// The Kafka cluster page's summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KafkaSummary {
    pub cluster: ClusterRef,
    /// Derived from the brokers' `inter.broker.protocol.version`, e.g. "3.9".
    pub version: Option<String>,
    pub brokers: Vec<KafkaBroker>,
    pub topics: usize,
    pub internal_topics: usize,
    /// Partitions of non-internal topics.
    pub partitions: usize,
    /// Partitions whose ISR is smaller than their replica set.
    pub under_replicated: usize,
}
