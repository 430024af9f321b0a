//! ZooKeeper server functions.

use super::model::EnsembleSummary;
use crate::error::AppError;
use leptos::prelude::*;

/// Every member of the ensemble with its `srvr` answer.
#[server(endpoint = "get_ensemble_summary")]
pub async fn get_ensemble_summary(cluster: String) -> Result<EnsembleSummary, AppError> {
    let zk = crate::ssr::services()?.zookeeper(&cluster)?;
    Ok(zk.ensemble_summary().await)
}
