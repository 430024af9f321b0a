//! ZooKeeper mutations through the audit log. Input is checked first (a bad
//! path or oversized data changes nothing and is not an attempt); refusals
//! of the reserved `/zookeeper` subtree are recorded as denied.

use super::super::logic::{
    audit_value, check_size, decode_b64, encode_input, format_acl, is_reserved, parse_acl,
    validate_path,
};
use super::super::model::{CreateKind, DataEncoding, SUBTREE_LIMIT, SubtreePreview, ZnodeStat};
use super::ZkCluster;
use crate::audit::ssr::{Applied, Attempt};
use crate::error::{AppError, Backend};
use crate::ssr::{Services, current_actor, services};
use std::sync::Arc;

async fn attempt(
    cluster: &str,
    action: &str,
    path: &str,
    params: serde_json::Value,
    before: Option<String>,
) -> Attempt {
    Attempt {
        actor: current_actor().await,
        backend: Backend::Zookeeper,
        cluster: cluster.to_string(),
        action: action.to_string(),
        target: path.to_string(),
        params,
        before,
    }
}

/// Common checks; returns the services and the cluster's adapter.
async fn prepare(
    cluster: &str,
    path: &str,
    action: &str,
    params: &serde_json::Value,
) -> Result<(Services, Arc<ZkCluster>), AppError> {
    validate_path("path", path)?;
    let svc = services()?;
    let zk = svc.zookeeper(cluster)?;
    if path == "/" || is_reserved(path) {
        let why = if path == "/" {
            "the root znode / cannot be changed"
        } else {
            "/zookeeper is ZooKeeper's own subtree and is read-only in zkmq"
        };
        return Err(svc
            .audit
            .deny(
                attempt(cluster, action, path, params.clone(), None).await,
                why,
            )
            .await);
    }
    Ok((svc, zk))
}

pub async fn create(
    cluster: &str,
    path: &str,
    data: &str,
    encoding: DataEncoding,
    kind: CreateKind,
    ttl_ms: Option<u64>,
    acl: Option<&str>,
) -> Result<String, AppError> {
    let bytes = encode_input("data", data, encoding)?;
    let acl = match acl.map(str::trim).filter(|a| !a.is_empty()) {
        Some(text) => Some(parse_acl("acl", text)?),
        None => None,
    };
    let params = serde_json::json!({"kind": kind, "encoding": encoding, "ttl_ms": ttl_ms, "acl": acl.as_deref().map(format_acl)});
    if kind == CreateKind::PersistentTtl && !ttl_ms.is_some_and(|t| t > 0) {
        return Err(AppError::invalid(
            "ttl_ms",
            "a TTL node needs a time to live in milliseconds, greater than 0",
        ));
    }
    let (svc, zk) = prepare(cluster, path, "create_znode", &params).await?;
    check_size("data", bytes.len(), zk.max_data_bytes())?;
    svc.audit
        .record(
            attempt(cluster, "create_znode", path, params, None).await,
            || async {
                let created = zk
                    .create_with_acl(path, &bytes, kind, ttl_ms, acl.as_deref())
                    .await?;
                Ok(Applied {
                    value: created,
                    after: Some(audit_value(&bytes)),
                })
            },
        )
        .await
}

pub async fn set_data(
    cluster: &str,
    path: &str,
    data: &str,
    encoding: DataEncoding,
    version: i32,
) -> Result<ZnodeStat, AppError> {
    let bytes = encode_input("data", data, encoding)?;
    let params = serde_json::json!({"expected_version": version, "encoding": encoding});
    let (svc, zk) = prepare(cluster, path, "set_znode_data", &params).await?;
    check_size("data", bytes.len(), zk.max_data_bytes())?;
    // The before value is what is there now, read just before the change.
    let before = zk.get_znode(path).await?;
    let before_value = audit_value(&decode_b64(&before.data_b64));
    svc.audit
        .record(
            attempt(cluster, "set_znode_data", path, params, Some(before_value)).await,
            || async {
                let stat = zk.set_data(path, &bytes, version).await?;
                Ok(Applied {
                    value: stat,
                    after: Some(audit_value(&bytes)),
                })
            },
        )
        .await
}

/// Replaces a znode's ACL if it is still at `aversion`.
pub async fn set_acl(
    cluster: &str,
    path: &str,
    acl: &str,
    aversion: i32,
) -> Result<ZnodeStat, AppError> {
    let entries = parse_acl("acl", acl)?;
    let params = serde_json::json!({"expected_aversion": aversion});
    let (svc, zk) = prepare(cluster, path, "set_znode_acl", &params).await?;
    let before = format_acl(&zk.get_znode(path).await?.acl);
    svc.audit
        .record(
            attempt(cluster, "set_znode_acl", path, params, Some(before)).await,
            || async {
                let stat = zk.set_acl(path, &entries, aversion).await?;
                Ok(Applied {
                    value: stat,
                    after: Some(format_acl(&entries)),
                })
            },
        )
        .await
}

pub async fn delete(cluster: &str, path: &str, version: i32) -> Result<(), AppError> {
    let params = serde_json::json!({"expected_version": version});
    let (svc, zk) = prepare(cluster, path, "delete_znode", &params).await?;
    let before = zk.get_znode(path).await?;
    // Keep everything needed to restore it: data, ACL and stat.
    let before_value = serde_json::json!({
        "data": audit_value(&decode_b64(&before.data_b64)),
        "acl": before.acl,
        "stat": before.stat,
    })
    .to_string();
    svc.audit
        .record(
            attempt(cluster, "delete_znode", path, params, Some(before_value)).await,
            || async {
                zk.delete_versioned(path, Some(version)).await?;
                Ok(Applied {
                    value: (),
                    after: None,
                })
            },
        )
        .await
}

/// Counts what deleting the subtree at `path` would remove (nothing is changed).
pub async fn preview_subtree(cluster: &str, path: &str) -> Result<SubtreePreview, AppError> {
    validate_path("path", path)?;
    let zk = services()?.zookeeper(cluster)?;
    let nodes = zk.read_subtree(path, SUBTREE_LIMIT).await?;
    let base = path.matches('/').count();
    let max_depth = nodes
        .iter()
        .map(|n| n.path.matches('/').count() - base)
        .max()
        .unwrap_or(0);
    Ok(SubtreePreview {
        path: path.to_string(),
        nodes: nodes.len(),
        max_depth,
    })
}

/// Deletes `path` and everything under it. `confirm` must repeat the path.
/// The audit record's before value is a copy of the whole subtree (paths,
/// data, ACLs, stats), so it can be restored.
pub async fn delete_subtree(cluster: &str, path: &str, confirm: &str) -> Result<usize, AppError> {
    if confirm != path {
        return Err(AppError::invalid(
            "confirm",
            format!("type the path {path} exactly to confirm the deletion"),
        ));
    }
    let params = serde_json::json!({"recursive": true});
    let (svc, zk) = prepare(cluster, path, "delete_subtree", &params).await?;
    let nodes = zk.read_subtree(path, SUBTREE_LIMIT).await?;
    if nodes.is_empty() {
        return Err(AppError::NotFound {
            what: format!("znode {path}"),
        });
    }
    let copy: Vec<serde_json::Value> = nodes
        .iter()
        .map(|n| serde_json::json!({"path": n.path, "data": audit_value(&decode_b64(&n.data_b64)), "acl": n.acl, "stat": n.stat}))
        .collect();
    let before = serde_json::json!({"znodes": nodes.len(), "subtree": copy}).to_string();
    let total = nodes.len();
    svc.audit
        .record(attempt(cluster, "delete_subtree", path, params, Some(before)).await, || async {
            match zk.delete_many(&nodes).await {
                Ok(n) => Ok(Applied { value: n, after: Some(format!("deleted {n} of {total} znodes")) }),
                Err((e, n)) if n > 0 => Err(AppError::Conflict(format!(
                    "deleted {n} of {total} znodes, then stopped: {e} (someone may have added znodes meanwhile; the audit record keeps a copy of all {total})"
                ))),
                Err((e, _)) => Err(e),
            }
        })
        .await
}
