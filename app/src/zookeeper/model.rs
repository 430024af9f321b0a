//! ZooKeeper types shared by server and browser.

use crate::clusters::model::ClusterRef;
use serde::{Deserialize, Serialize};

/// What one member said to the `srvr` four-letter word.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SrvrInfo {
    /// Version up to the first `-` ("3.8.0-${mvngit.commit.id}" → "3.8.0").
    pub version: Option<String>,
    /// leader / follower / observer / standalone; `None` when not serving.
    pub mode: Option<String>,
    pub zxid: Option<String>,
    pub node_count: Option<u64>,
    pub connections: Option<u64>,
    pub outstanding: Option<u64>,
    /// "min/avg/max" request latency in ms as the server reports it.
    pub latency: Option<String>,
}

/// One ensemble member as seen by the console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZkMember {
    pub address: String,
    /// `None` when the member did not answer or is not serving.
    pub info: Option<SrvrInfo>,
    pub rtt_ms: Option<f64>,
    /// Why the member is not serving, in one line.
    pub error: Option<String>,
}

impl ZkMember {
    pub fn is_serving(&self) -> bool {
        self.info.as_ref().and_then(|i| i.mode.as_ref()).is_some()
    }
}

/// The ensemble page's summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnsembleSummary {
    pub cluster: ClusterRef,
    pub members: Vec<ZkMember>,
}

impl EnsembleSummary {
    pub fn serving(&self) -> usize {
        self.members.iter().filter(|m| m.is_serving()).count()
    }
    pub fn leader(&self) -> Option<&ZkMember> {
        self.members
            .iter()
            .find(|m| m.info.as_ref().and_then(|i| i.mode.as_deref()) == Some("leader"))
    }
}
