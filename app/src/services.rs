//! The services registry (server only): every configured cluster's adapter
//! and monitor, the audit log and the live status hub. Built once by the
//! server from its config and handed to every server function as context.
//! It sits above every adapter and hub and below the server functions:
//! nothing it assembles may import it (see docs/ARCHITECTURE.md).

use crate::audit::ssr::{Attempt, AuditLog, Recorder};
use crate::auth::logic::{allows, allows_everywhere, missing, missing_everywhere};
use crate::auth::model::{Permission, Principal};
use crate::auth::ssr::AuthStore;
use crate::clusters::model::ClusterRef;
use crate::ensemble::ssr::EnsembleMonitor;
use crate::error::{AppError, Backend};
use crate::kafka::ssr::KafkaCluster;
use crate::overview::ssr::StatusHub;
use crate::rabbitmq::ssr::RabbitCluster;
use crate::runtime::RequestContext;
use crate::zookeeper::ssr::ZkCluster;
use std::sync::Arc;

/// Everything server functions need, cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub zookeeper: Arc<Vec<Arc<ZkCluster>>>,
    pub kafka: Arc<Vec<Arc<KafkaCluster>>>,
    pub rabbitmq: Arc<Vec<Arc<RabbitCluster>>>,
    /// One monitor per ZooKeeper ensemble, same order as `zookeeper`.
    pub ensembles: Arc<Vec<Arc<EnsembleMonitor>>>,
    pub audit: AuditLog,
    /// Accounts, grants and sessions.
    pub auth: AuthStore,
    pub status: StatusHub,
}

impl Services {
    pub fn clusters(&self) -> Vec<ClusterRef> {
        let mut v: Vec<ClusterRef> = Vec::new();
        v.extend(self.zookeeper.iter().map(|c| c.cluster_ref()));
        v.extend(self.kafka.iter().map(|c| c.cluster_ref()));
        v.extend(self.rabbitmq.iter().map(|c| c.cluster_ref()));
        v
    }

    pub fn zookeeper(&self, id: &str) -> Result<Arc<ZkCluster>, AppError> {
        find(&self.zookeeper, id, Backend::Zookeeper, |c| c.id())
    }
    pub fn ensemble(&self, id: &str) -> Result<Arc<EnsembleMonitor>, AppError> {
        find(&self.ensembles, id, Backend::Zookeeper, |c| c.id())
    }
    pub fn kafka(&self, id: &str) -> Result<Arc<KafkaCluster>, AppError> {
        find(&self.kafka, id, Backend::Kafka, |c| c.id())
    }
    /// The audit log bound to this request's caller, for the audited paths.
    pub fn recorder(&self, ctx: RequestContext) -> Recorder {
        Recorder::new(self.audit.clone(), ctx)
    }
    pub fn rabbitmq(&self, id: &str) -> Result<Arc<RabbitCluster>, AppError> {
        find(&self.rabbitmq, id, Backend::Rabbitmq, |c| c.id())
    }
}

fn find<T>(
    list: &[Arc<T>],
    id: &str,
    backend: Backend,
    key: impl Fn(&T) -> &str,
) -> Result<Arc<T>, AppError> {
    list.iter()
        .find(|c| key(c) == id)
        .cloned()
        .ok_or_else(|| AppError::UnknownCluster {
            backend,
            cluster: id.to_string(),
        })
}

/// The services for the current server-function call. Private: every
/// server function reaches them through one of the checks below.
fn services() -> Result<Services, AppError> {
    leptos::prelude::use_context::<Services>()
        .ok_or_else(|| AppError::Internal("server state missing from context".into()))
}

/// What the caller is doing, for a refusal's audit row: the server
/// function's name ("create_znode"), or the page a render was for.
async fn called_action() -> String {
    let uri = leptos_axum::extract::<axum::http::Uri>().await.ok();
    let path = uri.as_ref().map_or("", |u| u.path());
    match path.strip_prefix("/api/") {
        Some(name) => name.to_string(),
        None => format!("render {path}"),
    }
}

/// The signed-in caller, or 401.
fn principal(ctx: &RequestContext) -> Result<&Principal, AppError> {
    ctx.principal
        .as_ref()
        .ok_or_else(|| AppError::Unauthenticated("log in to use zkmq".into()))
}

/// The authorize step at the top of every server function that touches a
/// cluster: the caller must be signed in (else 401) and hold every one of
/// `needs` on `backend`/`cluster` (else 403, "needs operator on
/// kafka/local", and the refusal is audited). Returns the services and
/// the caller's recorder for the audited path.
pub async fn authorize(
    backend: Backend,
    cluster: &str,
    needs: &[Permission],
) -> Result<(Services, Recorder), AppError> {
    let svc = services()?;
    let ctx = RequestContext::current().await;
    let p = principal(&ctx)?;
    if let Some(need) = needs
        .iter()
        .find(|n| !allows(&p.grants, backend, cluster, **n))
    {
        let why = missing(*need, backend, cluster);
        let attempt = Attempt::new(
            &ctx,
            backend,
            cluster,
            &called_action().await,
            cluster,
            serde_json::json!({ "needs": need.role().word() }),
            None,
        );
        return Err(svc.audit.deny(attempt, &why).await);
    }
    let rec = svc.recorder(ctx);
    Ok((svc, rec))
}

/// [`authorize`] for a read that needs only `Permission::Read`.
pub async fn authorize_read(backend: Backend, cluster: &str) -> Result<Services, AppError> {
    authorize(backend, cluster, &[Permission::Read])
        .await
        .map(|(svc, _)| svc)
}

/// For calls about the console's own objects (users, roles, the whole
/// audit log): `need` on every cluster (`*/*`).
pub async fn authorize_console(need: Permission) -> Result<(Services, Recorder), AppError> {
    let svc = services()?;
    let ctx = RequestContext::current().await;
    let p = principal(&ctx)?;
    if !allows_everywhere(&p.grants, need) {
        let attempt = Attempt::console(
            &ctx,
            &called_action().await,
            "",
            serde_json::json!({ "needs": need.role().word() }),
        );
        return Err(svc.audit.deny(attempt, &missing_everywhere(need)).await);
    }
    let rec = svc.recorder(ctx);
    Ok((svc, rec))
}

/// The authorize step of the audit log: the whole log for an auditor (or
/// admin) on `*/*`, the rows of their clusters for one on some clusters
/// (`Some(scopes)`), refused (audited) for anyone else.
pub async fn authorize_audit()
-> Result<(Services, Option<Vec<crate::auth::model::Scope>>), AppError> {
    let svc = services()?;
    let ctx = RequestContext::current().await;
    let p = principal(&ctx)?;
    match crate::auth::logic::audit_scopes(&p.grants) {
        Some(scopes) if scopes.is_empty() => {
            let attempt = Attempt::console(
                &ctx,
                &called_action().await,
                "",
                serde_json::json!({ "needs": "auditor" }),
            );
            let why = "needs auditor on */* or on the clusters whose changes you read";
            Err(svc.audit.deny(attempt, why).await)
        }
        scopes => Ok((svc, scopes)),
    }
}

/// For calls any signed-in user may make (the cluster list, their own
/// account): the services and who they are.
pub async fn signed_in() -> Result<(Services, Principal), AppError> {
    signed_in_recorder().await.map(|(svc, _, p)| (svc, p))
}

/// [`signed_in`] with the caller's recorder, for changes to their own
/// account (API tokens).
pub async fn signed_in_recorder() -> Result<(Services, Recorder, Principal), AppError> {
    let svc = services()?;
    let ctx = RequestContext::current().await;
    let p = principal(&ctx)?.clone();
    let rec = svc.recorder(ctx);
    Ok((svc, rec, p))
}

/// For login and logout, which run before (or after) there is a principal:
/// the services and the request's context, with no check.
pub async fn unauthenticated() -> Result<(Services, RequestContext), AppError> {
    Ok((services()?, RequestContext::current().await))
}
