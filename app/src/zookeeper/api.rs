//! ZooKeeper server functions. Each first checks the caller's permission
//! (`authorized`); reads then go straight to the adapter; every change
//! goes through the audit log (`ssr::audited`) with before and after values.

use super::model::{
    ChildPage, CreateKind, DataEncoding, ImportPlan, SubtreePreview, Znode, ZnodeStat,
};
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {crate::audit::ssr::Recorder, crate::auth::model::Permission, std::sync::Arc};

/// The authorize step of every function here: the caller's permissions on
/// the ensemble, then its adapter and the caller's recorder.
#[cfg(feature = "ssr")]
async fn authorized(
    cluster: &str,
    needs: &[Permission],
) -> Result<(Arc<super::ssr::ZkCluster>, Recorder), AppError> {
    let (svc, rec) =
        crate::services::authorize(crate::error::Backend::Zookeeper, cluster, needs).await?;
    Ok((svc.zookeeper(cluster)?, rec))
}

/// Children per page in the tree.
pub const CHILD_PAGE: usize = 100;

/// One page (sorted, filtered by name prefix) of a znode's children.
#[server(endpoint = "list_znode_children")]
pub async fn list_znode_children(
    cluster: String,
    path: String,
    prefix: String,
    offset: usize,
    // A child's name: answer with the page that holds it (a deep link).
    #[server(default)] around: String,
) -> Result<ChildPage, AppError> {
    let (zk, _) = authorized(&cluster, &[Permission::Read]).await?;
    zk.check_path("path", &path)?;
    zk.sync(&path).await?; // show the latest committed state, not a lagging member's
    let around = Some(around.as_str()).filter(|a| !a.is_empty());
    zk.list_children(&path, &prefix, offset, around, CHILD_PAGE)
        .await
}

/// The page of children of every level from `/` down to `path` that holds
/// the next level (the first page of `path`'s own) — the tree a deep link
/// opens — read concurrently in one call instead of one level after the other. Levels that cannot be read are left out: the tree
/// then reads them itself and shows why.
#[server(endpoint = "list_znode_levels")]
pub async fn list_znode_levels(cluster: String, path: String) -> Result<Vec<ChildPage>, AppError> {
    let (zk, _) = authorized(&cluster, &[Permission::Read]).await?;
    zk.check_path("path", &path)?;
    zk.sync(&path).await?;
    let levels = super::logic::ancestors(&path);
    let pages = futures::future::join_all(levels.iter().map(|l| {
        let zk = zk.clone();
        let next = super::logic::child_toward(l, &path);
        async move {
            zk.list_children(l, "", 0, next.as_deref(), CHILD_PAGE)
                .await
        }
    }))
    .await;
    Ok(pages.into_iter().filter_map(Result::ok).collect())
}

/// Data (base64), stat and ACL of one znode.
#[server(endpoint = "get_znode")]
pub async fn get_znode(cluster: String, path: String) -> Result<Znode, AppError> {
    let (zk, _) = authorized(&cluster, &[Permission::Read]).await?;
    zk.check_path("path", &path)?;
    zk.sync(&path).await?;
    zk.get_znode(&path).await
}

/// Creates a znode; returns its path (with the suffix for sequential ones).
#[server(endpoint = "create_znode")]
pub async fn create_znode(
    cluster: String,
    path: String,
    data: String,
    encoding: DataEncoding,
    kind: CreateKind,
    ttl_ms: Option<u64>,
    /// One `scheme:id:perms` per line; empty or absent: `world:anyone:cdrwa`.
    acl: Option<String>,
) -> Result<String, AppError> {
    let (zk, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::create(
        &rec,
        &zk,
        &path,
        &data,
        encoding,
        kind,
        ttl_ms,
        acl.as_deref(),
    )
    .await
}

/// Replaces a znode's ACL (one `scheme:id:perms` per line) if still at `aversion`.
#[server(endpoint = "set_znode_acl")]
pub async fn set_znode_acl(
    cluster: String,
    path: String,
    acl: String,
    aversion: i32,
) -> Result<ZnodeStat, AppError> {
    let (zk, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::set_acl(&rec, &zk, &path, &acl, aversion).await
}

/// Replaces a znode's data if it is still at `version` (the one the user read).
#[server(endpoint = "set_znode_data")]
pub async fn set_znode_data(
    cluster: String,
    path: String,
    data: String,
    encoding: DataEncoding,
    version: i32,
) -> Result<ZnodeStat, AppError> {
    let (zk, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::set_data(&rec, &zk, &path, &data, encoding, version).await
}

/// Deletes one znode (without children) if it is still at `version`.
#[server(endpoint = "delete_znode")]
pub async fn delete_znode(cluster: String, path: String, version: i32) -> Result<(), AppError> {
    let (zk, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::delete(&rec, &zk, &path, version).await
}

/// The subtree at `path` as a zkmq export file (JSON text).
#[server(endpoint = "export_znodes")]
pub async fn export_znodes(cluster: String, path: String) -> Result<String, AppError> {
    let (zk, _) = authorized(&cluster, &[Permission::Read]).await?;
    super::ssr::audited::export(&zk, &path).await
}

/// Dry run of importing an export file under `target_root`.
#[server(endpoint = "plan_import_znodes")]
pub async fn plan_import_znodes(
    cluster: String,
    target_root: String,
    file: String,
) -> Result<ImportPlan, AppError> {
    let (zk, _) = authorized(&cluster, &[Permission::Read]).await?;
    super::ssr::audited::plan_import(&zk, &target_root, &file).await
}

/// Applies an import whose dry run the user reviewed: `plan_hash` is that
/// dry run's `hash`; the import is refused if the plan is different now.
#[server(endpoint = "import_znodes")]
pub async fn import_znodes(
    cluster: String,
    target_root: String,
    file: String,
    plan_hash: String,
) -> Result<usize, AppError> {
    let (zk, rec) = authorized(&cluster, &[Permission::Administer]).await?;
    super::ssr::audited::apply_import(&rec, &zk, &target_root, &file, &plan_hash).await
}

/// Counts the znodes a recursive delete of `path` would remove.
#[server(endpoint = "preview_delete_subtree")]
pub async fn preview_delete_subtree(
    cluster: String,
    path: String,
) -> Result<SubtreePreview, AppError> {
    let (zk, _) = authorized(&cluster, &[Permission::Read]).await?;
    super::ssr::audited::preview_subtree(&zk, &path).await
}

/// Deletes `path` and all its descendants; `confirm` must repeat the path.
#[server(endpoint = "delete_subtree")]
pub async fn delete_subtree(
    cluster: String,
    path: String,
    confirm: String,
) -> Result<usize, AppError> {
    let (zk, rec) = authorized(&cluster, &[Permission::Administer]).await?;
    super::ssr::audited::delete_subtree(&rec, &zk, &path, &confirm).await
}
