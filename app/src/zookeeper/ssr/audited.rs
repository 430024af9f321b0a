//! ZooKeeper mutations through the audit log. Input is checked first (a bad
//! path or oversized data changes nothing and is not an attempt); refusals
//! of the reserved `/zookeeper` subtree are recorded as denied.

use super::super::logic::{
    audit_value, check_size, encode_input, exported_bytes, format_acl, import_action,
    import_sources, is_reserved, parent, parse_acl,
};
use super::super::model::{
    CreateKind, DataEncoding, EXPORT_FORMAT, ExportFile, ExportedZnode, ImportAction, ImportItem,
    ImportPlan, SUBTREE_LIMIT, SubtreePreview, Znode, ZnodeStat,
};
use super::ZkCluster;
use crate::audit::ssr::{Applied, Attempt, Recorder};
use crate::codec::{decode_b64, is_text};
use crate::error::{AppError, Backend};

fn attempt(
    rec: &Recorder,
    zk: &ZkCluster,
    action: &str,
    path: &str,
    params: serde_json::Value,
    before: Option<String>,
) -> Attempt {
    rec.attempt(Backend::Zookeeper, zk.id(), action, path, params, before)
}

/// Common checks: a valid path outside `/` and `/zookeeper` (a refusal of
/// those is recorded as denied).
async fn prepare(
    rec: &Recorder,
    zk: &ZkCluster,
    path: &str,
    action: &str,
    params: &serde_json::Value,
) -> Result<(), AppError> {
    zk.check_path("path", path)?;
    if path == "/" || is_reserved(path) {
        let why = if path == "/" {
            "the root znode / cannot be changed"
        } else {
            "/zookeeper is ZooKeeper's own subtree and is read-only in zkmq"
        };
        return Err(rec
            .deny(attempt(rec, zk, action, path, params.clone(), None), why)
            .await);
    }
    Ok(())
}

// One argument per field of the create form, after the recorder and the adapter.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    rec: &Recorder,
    zk: &ZkCluster,
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
    if kind == CreateKind::PersistentTtl && ttl_ms.is_none_or(|t| t == 0) {
        return Err(AppError::invalid(
            "ttl_ms",
            "a TTL node needs a time to live in milliseconds, greater than 0",
        ));
    }
    prepare(rec, zk, path, "create_znode", &params).await?;
    check_size("data", bytes.len(), zk.max_data_bytes())?;
    rec.record(
        attempt(rec, zk, "create_znode", path, params, None),
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
    rec: &Recorder,
    zk: &ZkCluster,
    path: &str,
    data: &str,
    encoding: DataEncoding,
    version: i32,
) -> Result<ZnodeStat, AppError> {
    let bytes = encode_input("data", data, encoding)?;
    let params = serde_json::json!({"expected_version": version, "encoding": encoding});
    prepare(rec, zk, path, "set_znode_data", &params).await?;
    check_size("data", bytes.len(), zk.max_data_bytes())?;
    // The before value is what is there now, read just before the change.
    let before = zk.get_znode(path).await?;
    let before_value = audit_value(&decode_b64(&before.data_b64));
    rec.record(
        attempt(rec, zk, "set_znode_data", path, params, Some(before_value)),
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
    rec: &Recorder,
    zk: &ZkCluster,
    path: &str,
    acl: &str,
    aversion: i32,
) -> Result<ZnodeStat, AppError> {
    let entries = parse_acl("acl", acl)?;
    let params = serde_json::json!({"expected_aversion": aversion});
    prepare(rec, zk, path, "set_znode_acl", &params).await?;
    let before = format_acl(&zk.get_znode(path).await?.acl);
    rec.record(
        attempt(rec, zk, "set_znode_acl", path, params, Some(before)),
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

pub async fn delete(
    rec: &Recorder,
    zk: &ZkCluster,
    path: &str,
    version: i32,
) -> Result<(), AppError> {
    let params = serde_json::json!({"expected_version": version});
    prepare(rec, zk, path, "delete_znode", &params).await?;
    let before = zk.get_znode(path).await?;
    // Keep everything needed to restore it: data, ACL and stat.
    let before_value = serde_json::json!({
        "data": audit_value(&decode_b64(&before.data_b64)),
        "acl": before.acl,
        "stat": before.stat,
    })
    .to_string();
    rec.record(
        attempt(rec, zk, "delete_znode", path, params, Some(before_value)),
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
pub async fn preview_subtree(zk: &ZkCluster, path: &str) -> Result<SubtreePreview, AppError> {
    zk.check_path("path", path)?;
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
pub async fn delete_subtree(
    rec: &Recorder,
    zk: &ZkCluster,
    path: &str,
    confirm: &str,
) -> Result<usize, AppError> {
    if confirm != path {
        return Err(AppError::invalid(
            "confirm",
            format!("type the path {path} exactly to confirm the deletion"),
        ));
    }
    let params = serde_json::json!({"recursive": true});
    prepare(rec, zk, path, "delete_subtree", &params).await?;
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
    rec
        .record(attempt(rec, zk, "delete_subtree", path, params, Some(before)), || async {
            match zk.delete_many(&nodes).await {
                Ok(n) => Ok(Applied { value: n, after: Some(format!("deleted {n} of {total} znodes")) }),
                Err((e, reported)) => {
                    // A batch the ensemble applied may still come back as a lost
                    // connection: the record says what is gone, read afresh.
                    let paths: Vec<&str> = nodes.iter().map(|n| n.path.as_str()).collect();
                    let n = match zk.count_existing(&paths).await {
                        Ok(left) => total - left,
                        Err(_) => reported,
                    };
                    if n == 0 {
                        return Err(e);
                    }
                    Err(AppError::Conflict(format!(
                        "deleted {n} of {total} znodes, then stopped: {e} (someone may have added znodes meanwhile; the audit record keeps a copy of all {total})"
                    )))
                }
            }
        })
        .await
}

/// The subtree at `path` as an export file (JSON text). Read-only.
pub async fn export(zk: &ZkCluster, path: &str) -> Result<String, AppError> {
    zk.check_path("path", path)?;
    let nodes = zk.read_subtree(path, SUBTREE_LIMIT).await?;
    if nodes.is_empty() {
        return Err(AppError::NotFound {
            what: format!("znode {path}"),
        });
    }
    let znodes = nodes
        .into_iter()
        .map(|n| {
            let bytes = decode_b64(&n.data_b64);
            let text = is_text(&bytes);
            ExportedZnode {
                path: n.path,
                data: text.then(|| String::from_utf8_lossy(&bytes).into_owned()),
                data_b64: (!text).then_some(n.data_b64),
                acl: n.acl,
                stat: Some(n.stat),
            }
        })
        .collect();
    let file = ExportFile {
        format: EXPORT_FORMAT.into(),
        cluster: zk.id().into(),
        root: path.into(),
        exported_at: crate::runtime::now_rfc3339(),
        znodes,
    };
    serde_json::to_string_pretty(&file).map_err(|e| AppError::Internal(e.to_string()))
}

/// A planned step with what was read to plan it.
struct Step {
    item: ImportItem,
    source: ExportedZnode,
    current: Option<Znode>,
}

async fn plan_steps(zk: &ZkCluster, target_root: &str, file: &str) -> Result<Vec<Step>, AppError> {
    let sources = import_sources(target_root, file)?;
    // A plan compares with the latest committed state, not a lagging
    // member's: what another client just changed must show as changed.
    if let Some((first, _)) = sources.first() {
        zk.sync(first).await?;
    }
    let mut currents = Vec::with_capacity(sources.len());
    for chunk in sources.chunks(64) {
        let reads = chunk.iter().map(|(p, _)| async move {
            match zk.get_znode(p).await {
                Ok(z) => Ok(Some(z)),
                Err(AppError::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        });
        for r in futures::future::join_all(reads).await {
            currents.push(r?);
        }
    }
    let planned: std::collections::HashSet<String> =
        sources.iter().map(|(p, _)| p.clone()).collect();
    let mut steps = Vec::new();
    for ((path, source), current) in sources.into_iter().zip(currents) {
        // A missing znode needs its parent: one the file creates, or one
        // that exists (read only then).
        let parent_ok = current.is_some()
            || parent(&path).is_some_and(|p| planned.contains(p) || p == "/")
            || parent_exists(zk, &path).await?;
        let (action, reason) = import_action(
            &path,
            &source,
            current.as_ref(),
            parent_ok,
            zk.max_data_bytes(),
        );
        steps.push(Step {
            item: ImportItem {
                path,
                action,
                reason,
            },
            source,
            current,
        });
    }
    Ok(steps)
}

async fn parent_exists(zk: &ZkCluster, path: &str) -> Result<bool, AppError> {
    match parent(path) {
        None => Ok(false),
        Some(p) => zk.get_data(p).await.map(|d| d.is_some()),
    }
}

/// The plan of the steps: their items, hashed with the file and the
/// versions of every znode they were planned against.
fn plan_of(steps: &[Step], file: &str) -> ImportPlan {
    let read: Vec<_> = steps
        .iter()
        .map(|s| {
            s.current
                .as_ref()
                .map(|z| (z.stat.version, z.stat.aversion, z.stat.mzxid))
        })
        .collect();
    ImportPlan::new(
        steps.iter().map(|s| s.item.clone()).collect(),
        &(file, read),
    )
}

/// The dry run of an import: what would be created, updated, left alone, or is in conflict.
pub async fn plan_import(
    zk: &ZkCluster,
    target_root: &str,
    file: &str,
) -> Result<ImportPlan, AppError> {
    let steps = plan_steps(zk, target_root, file).await?;
    Ok(plan_of(&steps, file))
}

/// Applies an import the user has reviewed: the plan is computed again and
/// its hash must still be `reviewed` (any znode created, changed or removed
/// since the dry run refuses it); nothing is applied while any conflict
/// remains. One audit record holds the previous values of every updated
/// znode and the list of what was done.
pub async fn apply_import(
    rec: &Recorder,
    zk: &ZkCluster,
    target_root: &str,
    file: &str,
    reviewed: &str,
) -> Result<usize, AppError> {
    let steps = plan_steps(zk, target_root, file).await?;
    let plan = plan_of(&steps, file);
    let conflicts = plan.count(ImportAction::Conflict);
    if conflicts > 0 {
        return Err(AppError::Conflict(format!(
            "{conflicts} znodes are in conflict; nothing was imported"
        )));
    }
    plan.check("plan_hash", reviewed)?;
    let (expect_create, expect_update) = (
        plan.count(ImportAction::Create),
        plan.count(ImportAction::Update),
    );
    let before: Vec<serde_json::Value> = steps
        .iter()
        .filter(|s| s.item.action == ImportAction::Update)
        .filter_map(|s| s.current.as_ref())
        .map(|z| serde_json::json!({"path": z.path, "data": audit_value(&decode_b64(&z.data_b64)), "acl": z.acl, "stat": z.stat}))
        .collect();
    let params = serde_json::json!({"create": expect_create, "update": expect_update, "znodes": steps.len()});
    let attempt = attempt(
        rec,
        zk,
        "import_znodes",
        target_root,
        params,
        Some(serde_json::json!({ "updated": before }).to_string()),
    );
    rec.record(attempt, || async {
        let mut done: Vec<serde_json::Value> = Vec::new();
        for s in steps
            .iter()
            .filter(|s| matches!(s.item.action, ImportAction::Create | ImportAction::Update))
        {
            let bytes = exported_bytes(&s.source);
            let acl = (!s.source.acl.is_empty()).then_some(s.source.acl.as_slice());
            let r = match (&s.item.action, &s.current) {
                (ImportAction::Create, _) => zk
                    .create_with_acl(&s.item.path, &bytes, CreateKind::Persistent, None, acl)
                    .await
                    .map(|_| ()),
                (_, Some(cur)) => {
                    let mut r = Ok(());
                    if decode_b64(&cur.data_b64) != bytes {
                        r = zk
                            .set_data(&s.item.path, &bytes, cur.stat.version)
                            .await
                            .map(|_| ());
                    }
                    if r.is_ok()
                        && let Some(a) = acl.filter(|a| *a != cur.acl.as_slice())
                    {
                        r = zk
                            .set_acl(&s.item.path, a, cur.stat.aversion)
                            .await
                            .map(|_| ());
                    }
                    r
                }
                _ => Ok(()),
            };
            if let Err(e) = r {
                // A create the ensemble applied may still come back as a lost
                // connection: count the planned creates that exist now.
                let updated = done
                    .iter()
                    .filter(|d| d["action"] == serde_json::json!(ImportAction::Update))
                    .count();
                let creates: Vec<&str> = steps
                    .iter()
                    .filter(|s| s.item.action == ImportAction::Create)
                    .map(|s| s.item.path.as_str())
                    .collect();
                let n = match zk.count_existing(&creates).await {
                    Ok(created) => created + updated,
                    Err(_) => done.len(),
                };
                return Err(AppError::Conflict(format!(
                    "imported {n} znodes, then {}: {e}",
                    s.item.path
                )));
            }
            done.push(serde_json::json!({"path": s.item.path, "action": s.item.action}));
        }
        let n = done.len();
        Ok(Applied {
            value: n,
            after: Some(serde_json::json!({ "applied": done }).to_string()),
        })
    })
    .await
}
