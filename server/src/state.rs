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
    /// Websockets open now per user (`server.ws_max_per_user`).
    pub sockets: Arc<SocketLimits>,
}

impl AppState {
    /// The upgrade of `user`'s websocket with zkmq's bounds: on what the
    /// browser may send, and on how many sockets one user holds (the slot
    /// must live as long as the stream). A refusal is a 429 that names the key.
    pub fn upgrade(
        &self,
        ws: axum::extract::ws::WebSocketUpgrade,
        user: &str,
    ) -> Result<(axum::extract::ws::WebSocketUpgrade, SocketSlot), Box<axum::response::Response>>
    {
        let slot = self.sockets.acquire(user)?;
        Ok((
            ws.max_message_size(self.ws_max_message_bytes)
                .max_frame_size(self.ws_max_message_bytes),
            slot,
        ))
    }
}

/// Live connections (websockets) per user: each holds a task, a session
/// check and a share of the backends' watches or taps.
pub struct SocketLimits {
    per_user: usize,
    open: std::sync::Mutex<std::collections::HashMap<String, usize>>,
}

/// One open websocket of a user; dropping it frees the place.
pub struct SocketSlot {
    limits: Arc<SocketLimits>,
    user: String,
}

impl SocketLimits {
    pub fn new(per_user: usize) -> Arc<Self> {
        Arc::new(SocketLimits {
            per_user,
            open: std::sync::Mutex::new(std::collections::HashMap::new()),
        })
    }

    fn acquire(self: &Arc<Self>, user: &str) -> Result<SocketSlot, Box<axum::response::Response>> {
        use axum::response::IntoResponse;
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(user.to_string()).or_insert(0);
        if *n >= self.per_user {
            return Err(Box::new(
                (
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "you have {n} live connections open (pages with live updates, over all your tabs), \
                     the most one user may hold (server.ws_max_per_user): close some tabs"
                ),
            )
                .into_response(),
            ));
        }
        *n += 1;
        Ok(SocketSlot {
            limits: Arc::clone(self),
            user: user.to_string(),
        })
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.limits.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.user) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.user);
            }
        }
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
