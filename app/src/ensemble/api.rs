//! Ensemble server functions (read-only: the monitor changes nothing).

use super::model::{EnsembleSnapshot, LeaderChange};
use crate::error::AppError;
use leptos::prelude::*;

/// Most leader changes the timeline shows.
pub const HISTORY_LIMIT: u32 = 50;

/// The monitor's latest snapshot of one ensemble (waits for its first round).
#[server(endpoint = "get_ensemble_snapshot")]
pub async fn get_ensemble_snapshot(cluster: String) -> Result<EnsembleSnapshot, AppError> {
    let monitor = crate::services::authorize_read(crate::error::Backend::Zookeeper, &cluster)
        .await?
        .ensemble(&cluster)?;
    Ok(monitor.current().await)
}

/// Stored leader changes of one ensemble, newest first.
#[server(endpoint = "list_leader_changes")]
pub async fn list_leader_changes(
    cluster: String,
    limit: u32,
) -> Result<Vec<LeaderChange>, AppError> {
    let monitor = crate::services::authorize_read(crate::error::Backend::Zookeeper, &cluster)
        .await?
        .ensemble(&cluster)?;
    monitor
        .history()
        .list(&cluster, limit.clamp(1, HISTORY_LIMIT))
        .await
        .map_err(|e| AppError::Internal(format!("cannot read the leader history: {e}")))
}
