//! The Kafka adapter (server only), on `rdkafka`. librdkafka calls that block
//! (metadata) run on the blocking pool; every call is bounded by the timeout.

use super::logic::{is_internal_topic, version_from_ibp};
use super::model::{KafkaBroker, KafkaSummary};
use crate::clusters::logic::unreachable_status;
use crate::clusters::model::{ClusterRef, ClusterStatus, Reachability};
use crate::error::{AppError, Backend};
use crate::ssr::{Secret, bounded, elapsed_ms, now_rfc3339};
use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
use rdkafka::client::DefaultClientContext;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One `[[kafka]]` entry of the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaClusterConfig {
    pub id: String,
    pub name: String,
    /// "host:port" of one or more brokers.
    pub bootstrap_servers: Vec<String>,
    /// Id of the `[[zookeeper]]` ensemble the brokers register in (ZooKeeper mode).
    #[serde(default)]
    pub zookeeper: Option<String>,
    /// Chroot of this cluster in that ensemble, e.g. "/kafka".
    #[serde(default)]
    pub zookeeper_chroot: Option<String>,
    #[serde(default)]
    pub security_protocol: Option<String>,
    #[serde(default)]
    pub sasl_mechanism: Option<String>,
    #[serde(default)]
    pub sasl_username: Option<String>,
    #[serde(default)]
    pub sasl_password: Option<Secret>,
    /// Extra librdkafka properties, passed through as they are.
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum KafkaError {
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Other(String),
}

impl KafkaError {
    pub fn into_app(self, cluster: &str) -> AppError {
        match self {
            KafkaError::Unavailable(reason) => AppError::Unavailable {
                backend: Backend::Kafka,
                cluster: cluster.into(),
                reason,
            },
            KafkaError::Other(reason) => AppError::Internal(format!("Kafka: {reason}")),
        }
    }
}

impl From<rdkafka::error::KafkaError> for KafkaError {
    fn from(e: rdkafka::error::KafkaError) -> Self {
        use rdkafka::error::KafkaError as K;
        match e {
            K::MetadataFetch(_) | K::AdminOp(_) | K::ClientCreation(_) => {
                KafkaError::Unavailable(e.to_string())
            }
            other => KafkaError::Other(other.to_string()),
        }
    }
}

pub struct KafkaCluster {
    config: KafkaClusterConfig,
    timeout: Duration,
    admin: Arc<AdminClient<DefaultClientContext>>,
    /// The release line changes only when the brokers are upgraded (and
    /// restarted), so it is asked once and forgotten when the cluster is lost,
    /// not asked on every one-second probe.
    version_cache: std::sync::Mutex<Option<String>>,
}

impl KafkaCluster {
    /// Builds the client; librdkafka validates the properties here, so a bad
    /// property fails at start, not on first use. No connection is made yet.
    pub fn new(config: KafkaClusterConfig, timeout: Duration) -> Result<Self, String> {
        let mut cc = ClientConfig::new();
        cc.set("bootstrap.servers", config.bootstrap_servers.join(","));
        cc.set("client.id", "zkmq");
        // Without a broker librdkafka logs every reconnect; the status page says it once.
        cc.set("log.connection.close", "false");
        if let Some(p) = &config.security_protocol {
            cc.set("security.protocol", p);
        }
        if let Some(m) = &config.sasl_mechanism {
            cc.set("sasl.mechanism", m);
        }
        if let Some(u) = &config.sasl_username {
            cc.set("sasl.username", u);
        }
        if let Some(p) = &config.sasl_password {
            cc.set("sasl.password", p.expose());
        }
        for (k, v) in &config.properties {
            cc.set(k, v);
        }
        let admin: AdminClient<DefaultClientContext> = cc.create().map_err(|e| e.to_string())?;
        Ok(KafkaCluster {
            config,
            timeout,
            admin: Arc::new(admin),
            version_cache: std::sync::Mutex::new(None),
        })
    }

    pub fn id(&self) -> &str {
        &self.config.id
    }

    pub fn config(&self) -> &KafkaClusterConfig {
        &self.config
    }

    pub fn cluster_ref(&self) -> ClusterRef {
        ClusterRef {
            backend: Backend::Kafka,
            id: self.config.id.clone(),
            name: self.config.name.clone(),
        }
    }

    /// What the ensemble monitor needs to link a registration to this cluster.
    pub fn link_info(&self) -> crate::ensemble::logic::KafkaLinkInfo {
        crate::ensemble::logic::KafkaLinkInfo {
            cluster: self.cluster_ref(),
            zookeeper: self.config.zookeeper.clone(),
            chroot: self.config.zookeeper_chroot.clone(),
            bootstrap: self.config.bootstrap_servers.clone(),
        }
    }

    /// Cluster metadata (brokers, topics, partitions), one blocking librdkafka call.
    async fn metadata(&self) -> Result<MetaSnapshot, AppError> {
        let admin = self.admin.clone();
        let timeout = self.timeout;
        let id = self.config.id.clone();
        bounded(timeout, Backend::Kafka, &id, async {
            tokio::task::spawn_blocking(move || {
                let md = admin.inner().fetch_metadata(None, timeout)?;
                let mut snap = MetaSnapshot::default();
                for b in md.brokers() {
                    snap.brokers.push(KafkaBroker {
                        id: b.id(),
                        host: b.host().to_string(),
                        port: b.port(),
                    });
                }
                snap.brokers.sort_by_key(|b| b.id);
                for t in md.topics() {
                    let internal = is_internal_topic(t.name());
                    if internal {
                        snap.internal_topics += 1;
                    } else {
                        snap.topics += 1;
                    }
                    for p in t.partitions() {
                        // Users count their own topics' partitions; internal ones still count for health.
                        if !internal {
                            snap.partitions += 1;
                        }
                        if p.isr().len() < p.replicas().len() {
                            snap.under_replicated += 1;
                        }
                    }
                }
                Ok::<_, KafkaError>(snap)
            })
            .await
            .map_err(|e| AppError::Internal(format!("metadata task failed: {e}")))?
            .map_err(|e| e.into_app(&id))
        })
        .await
    }

    /// The release line, read from a broker's `inter.broker.protocol.version`.
    async fn version(&self, broker: i32) -> Result<Option<String>, AppError> {
        let opts = AdminOptions::new().request_timeout(Some(self.timeout));
        let res = bounded(self.timeout, Backend::Kafka, &self.config.id, async {
            self.admin
                .describe_configs([&ResourceSpecifier::Broker(broker)], &opts)
                .await
                .map_err(|e| KafkaError::from(e).into_app(&self.config.id))
        })
        .await?;
        Ok(res.into_iter().filter_map(|r| r.ok()).find_map(|r| {
            r.get("inter.broker.protocol.version")
                .and_then(|e| e.value.as_deref())
                .and_then(version_from_ibp)
        }))
    }

    /// The cluster's release line, from the cache or the first broker.
    async fn cluster_version(&self, snap: &MetaSnapshot) -> Option<String> {
        if let Some(v) = self.version_cache.lock().ok().and_then(|c| c.clone()) {
            return Some(v);
        }
        let v = self
            .version(snap.brokers.first()?.id)
            .await
            .ok()
            .flatten()?;
        if let Ok(mut c) = self.version_cache.lock() {
            *c = Some(v.clone());
        }
        Some(v)
    }

    pub async fn summary(&self) -> Result<KafkaSummary, AppError> {
        let snap = self.metadata().await?;
        let version = self.cluster_version(&snap).await;
        Ok(KafkaSummary {
            cluster: self.cluster_ref(),
            version,
            brokers: snap.brokers,
            topics: snap.topics,
            internal_topics: snap.internal_topics,
            partitions: snap.partitions,
            under_replicated: snap.under_replicated,
        })
    }

    /// One health probe: a metadata round trip (its time is the latency) and
    /// the version from broker config.
    pub async fn probe(&self) -> ClusterStatus {
        let start = Instant::now();
        let md = self.metadata().await;
        let latency = elapsed_ms(start);
        match md {
            Ok(snap) => {
                let version = self.cluster_version(&snap).await;
                let n = snap.brokers.len();
                let expected = self.config.bootstrap_servers.len();
                ClusterStatus {
                    cluster: self.cluster_ref(),
                    reachability: if n == 0 {
                        Reachability::Unreachable
                    } else if snap.under_replicated > 0 || n < expected {
                        Reachability::Degraded
                    } else {
                        Reachability::Reachable
                    },
                    version,
                    latency_ms: Some(latency),
                    detail: format!(
                        "{n} broker{}, {} topics, {} partitions{}",
                        if n == 1 { "" } else { "s" },
                        snap.topics,
                        snap.partitions,
                        if snap.under_replicated > 0 {
                            format!(", {} under-replicated", snap.under_replicated)
                        } else {
                            String::new()
                        }
                    ),
                    checked_at: now_rfc3339(),
                }
            }
            Err(e) => {
                if let Ok(mut c) = self.version_cache.lock() {
                    *c = None;
                }
                unreachable_status(self.cluster_ref(), e.to_string(), now_rfc3339())
            }
        }
    }
}

#[derive(Default)]
struct MetaSnapshot {
    brokers: Vec<KafkaBroker>,
    topics: usize,
    internal_topics: usize,
    partitions: usize,
    under_replicated: usize,
}
