//! `AppState`: built once from the config, shared by every route.

use crate::config::Config;
use app::audit::ssr::AuditLog;
use app::auth::ssr::AuthStore;
use app::ensemble::ssr::EnsembleMonitor;
use app::ensemble::ssr::history::LeaderHistory;
use app::kafka::ssr::KafkaCluster;
use app::overview::ssr::{Probed, StatusHub};
use app::rabbitmq::ssr::RabbitCluster;
use app::services::Services;
use app::zookeeper::ssr::ZkCluster;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos site settings (output name, site root, pkg dir).
    pub leptos_options: LeptosOptions,
    /// Clusters, audit log and status hub: what server functions use.
    pub services: Services,
    /// Flips to `true` on shutdown; long-lived tasks (websockets, probes) watch it.
    pub shutdown: watch::Receiver<bool>,
    /// Held by every live stream while it runs. Upgraded websockets outlive
    /// axum's graceful shutdown, so the server waits until every copy is
    /// dropped — each stream has sent its close frame — before it exits.
    pub live: tokio::sync::mpsc::Sender<()>,
    /// Single sign-on: the trusted proxy and the OpenID provider, if any.
    pub sso: crate::sso::Sso,
    /// Live views open now, per user and in all (`server.live_max_*`).
    pub live_limits: Arc<app::live::ssr::LiveLimits>,
    /// Largest message (and frame) a browser may send on a websocket
    /// (`server.ws_max_message_bytes`); tungstenite's own default is 64 MiB.
    pub ws_max_message_bytes: usize,
}

impl AppState {
    /// The upgrade with zkmq's bounds on what the browser may send.
    pub fn bounded(
        &self,
        ws: axum::extract::ws::WebSocketUpgrade,
    ) -> axum::extract::ws::WebSocketUpgrade {
        ws.max_message_size(self.ws_max_message_bytes)
            .max_frame_size(self.ws_max_message_bytes)
    }
}

/// Builds the services from a validated config. Fails (with the cluster id)
/// only on problems a client library finds in its own settings.
pub async fn build_services(config: &Config) -> Result<(Services, Vec<Probed>), String> {
    let timeout = Duration::from_millis(config.server.backend_timeout_ms);
    let zookeeper: Vec<Arc<ZkCluster>> = config
        .zookeeper
        .iter()
        .map(|c| Arc::new(ZkCluster::new(c.clone(), timeout)))
        .collect();
    let mut kafka = Vec::new();
    for (i, c) in config.kafka.iter().enumerate() {
        let k = KafkaCluster::new(c.clone(), timeout)
            .map_err(|e| format!("kafka[{i}] (id \"{}\"): {e}", c.id))?;
        kafka.push(Arc::new(k));
    }
    let mut rabbitmq = Vec::new();
    for (i, c) in config.rabbitmq.iter().enumerate() {
        let r = RabbitCluster::new(c.clone(), timeout)
            .map_err(|e| format!("rabbitmq[{i}] (id \"{}\"): {e}", c.id))?;
        rabbitmq.push(Arc::new(r));
    }
    let audit = AuditLog::open(&config.server.database).await?;
    // Before anything new is recorded: what a killed console left pending.
    let marked = audit.mark_interrupted().await.map_err(|e| e.to_string())?;
    if !marked.is_empty() {
        tracing::warn!(records = ?marked, "audit: changes the last run did not finish are marked interrupted");
    }
    let auth = AuthStore::new(audit.pool().clone(), config.server.session_policy())
        .await
        .map_err(|e| e.to_string())?;
    let history = LeaderHistory::new(audit.pool().clone());
    let kafka_links: Vec<_> = kafka.iter().map(|k| k.link_info()).collect();
    let mut ensembles = Vec::new();
    for (i, zk) in zookeeper.iter().enumerate() {
        let m = EnsembleMonitor::new(zk.clone(), history.clone(), kafka_links.clone())
            .map_err(|e| format!("zookeeper[{i}] (id \"{}\"): {e}", zk.id()))?;
        ensembles.push(Arc::new(m));
    }
    let mut probed: Vec<Probed> = Vec::new();
    probed.extend(ensembles.iter().cloned().map(Probed::Zookeeper));
    probed.extend(kafka.iter().cloned().map(Probed::Kafka));
    probed.extend(rabbitmq.iter().cloned().map(Probed::Rabbitmq));
    let status = StatusHub::new(
        &probed,
        Duration::from_millis(config.server.probe_interval_ms),
    );
    let services = Services {
        zookeeper: Arc::new(zookeeper),
        ensembles: Arc::new(ensembles),
        kafka: Arc::new(kafka),
        rabbitmq: Arc::new(rabbitmq),
        audit,
        auth,
        status,
    };
    Ok((services, probed))
}
