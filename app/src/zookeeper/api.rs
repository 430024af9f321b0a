//! ZooKeeper server functions. Reads go straight to the adapter; every change
//! goes through the audit log (`ssr::audited`) with before and after values.

use super::model::{
    ChildPage, CreateKind, DataEncoding, ImportPlan, SubtreePreview, Znode, ZnodeStat,
};
use crate::error::AppError;
use leptos::prelude::*;

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
    super::logic::validate_path("path", &path)?;
    let zk = crate::services::services()?.zookeeper(&cluster)?;
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
    super::logic::validate_path("path", &path)?;
    let zk = crate::services::services()?.zookeeper(&cluster)?;
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
    super::logic::validate_path("path", &path)?;
    let zk = crate::services::services()?.zookeeper(&cluster)?;
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
    let (svc, rec) = crate::services::for_change().await?;
    super::ssr::audited::create(
        &rec,
        &*svc.zookeeper(&cluster)?,
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
    let (svc, rec) = crate::services::for_change().await?;
    super::ssr::audited::set_acl(&rec, &*svc.zookeeper(&cluster)?, &path, &acl, aversion).await
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
    let (svc, rec) = crate::services::for_change().await?;
    super::ssr::audited::set_data(
        &rec,
        &*svc.zookeeper(&cluster)?,
        &path,
        &data,
        encoding,
        version,
    )
    .await
}

/// Deletes one znode (without children) if it is still at `version`.
#[server(endpoint = "delete_znode")]
pub async fn delete_znode(cluster: String, path: String, version: i32) -> Result<(), AppError> {
    let (svc, rec) = crate::services::for_change().await?;
    super::ssr::audited::delete(&rec, &*svc.zookeeper(&cluster)?, &path, version).await
}

/// The subtree at `path` as a zkmq export file (JSON text).
#[server(endpoint = "export_znodes")]
pub async fn export_znodes(cluster: String, path: String) -> Result<String, AppError> {
    super::ssr::audited::export(&*crate::services::services()?.zookeeper(&cluster)?, &path).await
}

/// Dry run of importing an export file under `target_root`.
#[server(endpoint = "plan_import_znodes")]
pub async fn plan_import_znodes(
    cluster: String,
    target_root: String,
    file: String,
) -> Result<ImportPlan, AppError> {
    super::ssr::audited::plan_import(
        &*crate::services::services()?.zookeeper(&cluster)?,
        &target_root,
        &file,
    )
    .await
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
    let (svc, rec) = crate::services::for_change().await?;
    super::ssr::audited::apply_import(
        &rec,
        &*svc.zookeeper(&cluster)?,
        &target_root,
        &file,
        &plan_hash,
    )
    .await
}

/// Counts the znodes a recursive delete of `path` would remove.
#[server(endpoint = "preview_delete_subtree")]
pub async fn preview_delete_subtree(
    cluster: String,
    path: String,
) -> Result<SubtreePreview, AppError> {
    super::ssr::audited::preview_subtree(&*crate::services::services()?.zookeeper(&cluster)?, &path)
        .await
}

/// Deletes `path` and all its descendants; `confirm` must repeat the path.
#[server(endpoint = "delete_subtree")]
pub async fn delete_subtree(
    cluster: String,
    path: String,
    confirm: String,
) -> Result<usize, AppError> {
    let (svc, rec) = crate::services::for_change().await?;
    super::ssr::audited::delete_subtree(&rec, &*svc.zookeeper(&cluster)?, &path, &confirm).await
}
