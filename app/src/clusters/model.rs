//! Types shared by server and browser for cluster identity and health.

use crate::error::Backend;
use serde::{Deserialize, Serialize};

/// A configured cluster as the browser may see it: no connection details, no secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterRef {
    pub backend: Backend,
    pub id: String,
    pub name: String,
}

impl ClusterRef {
    /// The deep link to this cluster's page.
    pub fn href(&self) -> String {
        format!("/{}/{}", self.backend.slug(), self.id)
    }
}

/// Every configured cluster, put in the context of each server-rendered
/// page (pages of an unknown cluster answer 404 before their first chunk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Configured(pub Vec<ClusterRef>);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reachability {
    /// Not probed yet (the console just started).
    Unknown,
    Reachable,
    /// Reachable but not fully healthy, e.g. one ensemble member down.
    Degraded,
    Unreachable,
}

impl Reachability {
    pub fn label(self) -> &'static str {
        match self {
            Reachability::Unknown => "checking",
            Reachability::Reachable => "reachable",
            Reachability::Degraded => "degraded",
            Reachability::Unreachable => "unreachable",
        }
    }
}

/// The latest probe result for one cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterStatus {
    pub cluster: ClusterRef,
    pub reachability: Reachability,
    /// Server version as reported by the cluster itself, e.g. "3.8.0".
    pub version: Option<String>,
    /// Round-trip time of the probe request.
    pub latency_ms: Option<f64>,
    /// One human line: "3 of 3 members serving" or why it is unreachable.
    pub detail: String,
    /// RFC 3339 time of this probe.
    pub checked_at: String,
}
