//! What the Overview page shows: every cluster's status, also the websocket message.

use crate::clusters::model::ClusterStatus;
use crate::error::Backend;
use serde::{Deserialize, Serialize};

/// Everything the Overview page shows; also the websocket message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Overview {
    pub clusters: Vec<ClusterStatus>,
    /// How often the server probes, so the page can say how fresh it is.
    pub probe_interval_ms: u64,
}

impl Overview {
    pub fn status_of(&self, backend: Backend, id: &str) -> Option<&ClusterStatus> {
        self.clusters
            .iter()
            .find(|s| s.cluster.backend == backend && s.cluster.id == id)
    }
}

/// The websocket path that streams [`Overview`] snapshots as JSON text frames.
pub const OVERVIEW_WS_PATH: &str = "/ws/overview";
