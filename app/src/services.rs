//! The services registry (server only): every configured cluster's adapter
//! and monitor, the audit log and the live status hub. Built once by the
//! server from its config and handed to every server function as context.
//! It sits above every adapter and hub and below the server functions:
//! nothing it assembles may import it (see docs/ARCHITECTURE.md).

use crate::audit::ssr::{AuditLog, Recorder};
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

/// The services for the current server-function call.
pub fn services() -> Result<Services, AppError> {
    leptos::prelude::use_context::<Services>()
        .ok_or_else(|| AppError::Internal("server state missing from context".into()))
}

/// The services and the caller's recorder, for a server function that changes something.
pub async fn for_change() -> Result<(Services, Recorder), AppError> {
    let svc = services()?;
    let rec = svc.recorder(RequestContext::current().await);
    Ok((svc, rec))
}
