//! Server functions for cluster identity and health.

use super::model::Overview;
use crate::clusters::model::ClusterRef;
use crate::error::AppError;
use leptos::prelude::*;

/// Every configured cluster, for the picker and the navigation.
#[server(endpoint = "list_clusters")]
pub async fn list_clusters() -> Result<Vec<ClusterRef>, AppError> {
    Ok(crate::services::services()?.clusters())
}

/// The latest status of every cluster (the websocket then streams changes).
#[server(endpoint = "get_overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    Ok(crate::services::services()?.status.snapshot())
}
