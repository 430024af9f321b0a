//! Server functions for cluster identity and health.

use super::model::Overview;
use crate::clusters::model::ClusterRef;
use crate::error::AppError;
use leptos::prelude::*;

/// Every configured cluster the caller may see, for the picker and the navigation.
#[server(endpoint = "list_clusters")]
pub async fn list_clusters() -> Result<Vec<ClusterRef>, AppError> {
    let (svc, me) = crate::services::signed_in().await?;
    let mut all = svc.clusters();
    all.retain(|c| crate::auth::logic::may_see(&me.grants, c));
    Ok(all)
}

/// The latest status of every cluster the caller may see (the websocket
/// then streams changes).
#[server(endpoint = "get_overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    let (svc, me) = crate::services::signed_in().await?;
    let mut o = svc.status.snapshot();
    o.clusters
        .retain(|s| crate::auth::logic::may_see(&me.grants, &s.cluster));
    Ok(o)
}
