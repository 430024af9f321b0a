//! Server-only shared state: the registry of configured clusters, the audit
//! log and the live status hub. Built once by the server from its config and
//! handed to every server function as context.

use crate::audit::ssr::AuditLog;
use crate::clusters::model::ClusterRef;
use crate::clusters::ssr::StatusHub;
use crate::ensemble::ssr::EnsembleMonitor;
use crate::error::{AppError, Backend};
use crate::kafka::ssr::KafkaCluster;
use crate::rabbitmq::ssr::RabbitCluster;
use crate::zookeeper::ssr::ZkCluster;
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// A credential read from config or env. Its `Debug`/`Display` never show the
/// value, so it cannot leak into logs; it is never serialised to the browser.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The only way to read the value: call sites are easy to audit.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

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

/// Who is acting. There is no login yet: everyone is "anonymous", told apart
/// by client address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub client_addr: Option<String>,
}

impl Actor {
    pub fn anonymous(addr: Option<SocketAddr>) -> Self {
        Actor {
            name: "anonymous".into(),
            client_addr: addr.map(|a| a.ip().to_string()),
        }
    }
}

/// The actor of the current server-function call.
pub async fn current_actor() -> Actor {
    let addr = leptos_axum::extract::<axum::extract::ConnectInfo<SocketAddr>>()
        .await
        .ok()
        .map(|c| c.0);
    Actor::anonymous(addr)
}

/// Runs `fut` with the backend timeout; a timeout becomes a clear `AppError`.
pub async fn bounded<T>(
    timeout: Duration,
    backend: Backend,
    cluster: &str,
    fut: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    match tokio::time::timeout(timeout, fut).await {
        Ok(r) => r,
        Err(_) => Err(AppError::Timeout {
            backend,
            cluster: cluster.to_string(),
            timeout_ms: timeout.as_millis() as u64,
        }),
    }
}

/// Milliseconds since `start`, as a float for display.
pub fn elapsed_ms(start: std::time::Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// Current time as RFC 3339 (UTC).
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
