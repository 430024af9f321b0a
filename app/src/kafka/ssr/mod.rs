//! The Kafka adapter (server only): one admin client, one group-less
//! consumer for offsets, a producer made on first use, and a short-lived
//! metadata cache so paging through 10,000 topics costs one metadata fetch.
//! librdkafka calls block: they run on blocking threads, bounded by the
//! backend timeout.

pub mod audited;
pub mod ffi;
mod groups;
mod messages;
pub mod tail;
mod topics;

pub use messages::Matcher;

use super::logic::{is_internal_topic, version_from_ibp};
use super::model::{KafkaBroker, KafkaSummary, ZkMetadataLink};
use crate::clusters::logic::unreachable_status;
use crate::clusters::model::{ClusterRef, ClusterStatus, Reachability};
use crate::error::{AppError, Backend};
use crate::runtime::{Secret, bounded, elapsed_ms, now_rfc3339};
use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::BaseConsumer;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::producer::FutureProducer;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a metadata snapshot serves list pages before it is fetched again.
const METADATA_TTL: Duration = Duration::from_secs(2);

/// Changes wait at least this long for the controller (Kafka's own admin
/// client waits 60 s): under load, or while the controller's ZooKeeper
/// session moves to another member, creating partitions took over 5 s.
const MIN_CHANGE_TIMEOUT: Duration = Duration::from_secs(15);

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

/// Errors of this adapter; converted to `AppError` in one place.
#[derive(Debug, thiserror::Error)]
pub enum KafkaError {
    #[error("{0}")]
    Unavailable(String),
    /// A broker's error code about `what` (a topic, a group).
    #[error("{what}: {code}")]
    Broker {
        code: RDKafkaErrorCode,
        what: String,
    },
    /// The whole request timed out (no answer about `what` in time).
    #[error("{0}: timed out")]
    Timeout(String),
    #[error("{0}")]
    Other(String),
}

impl KafkaError {
    pub fn broker(code: RDKafkaErrorCode, what: impl Into<String>) -> Self {
        KafkaError::Broker {
            code,
            what: what.into(),
        }
    }

    /// Broker codes in words a user can act on.
    pub fn into_app(self, cluster: &str) -> AppError {
        use RDKafkaErrorCode as C;
        let unavailable = |reason: String| AppError::Unavailable {
            backend: Backend::Kafka,
            cluster: cluster.into(),
            reason,
        };
        match self {
            KafkaError::Unavailable(reason) => unavailable(reason),
            KafkaError::Timeout(what) => unavailable(format!("{what}: no answer in time")),
            KafkaError::Other(reason) => AppError::Internal(format!("Kafka: {reason}")),
            KafkaError::Broker { code, what } => match code {
                C::TopicAlreadyExists => AppError::Conflict(format!("{what} already exists")),
                C::UnknownTopicOrPartition => AppError::NotFound { what },
                C::UnknownPartition => {
                    AppError::invalid("partition", format!("{what} has no such partition"))
                }
                C::GroupIdNotFound => AppError::NotFound { what },
                C::InvalidTopic => {
                    AppError::invalid("name", format!("the brokers refuse {what} as a topic name"))
                }
                C::InvalidPartitions => AppError::invalid(
                    "partitions",
                    format!("the brokers refuse this partition count for {what}"),
                ),
                C::InvalidReplicationFactor => AppError::invalid(
                    "replication",
                    format!("the brokers refuse this replication factor for {what}"),
                ),
                C::InvalidReplicaAssignment => AppError::invalid(
                    "replication",
                    format!("the brokers refuse the replica assignment of {what}"),
                ),
                C::InvalidConfig => AppError::invalid(
                    "configs",
                    format!("the brokers refuse a config value of {what}"),
                ),
                C::PolicyViolation => {
                    AppError::Denied(format!("a broker policy forbids this change to {what}"))
                }
                C::TopicDeletionDisabled => AppError::Denied(format!(
                    "the brokers do not allow deleting topics (delete.topic.enable=false); {what} was not deleted"
                )),
                C::TopicAuthorizationFailed
                | C::ClusterAuthorizationFailed
                | C::GroupAuthorizationFailed => AppError::Denied(format!(
                    "Kafka refused access to {what}: check zkmq's credentials for cluster \"{cluster}\""
                )),
                C::NonEmptyGroup
                | C::UnknownMemberId
                | C::IllegalGeneration
                | C::RebalanceInProgress => AppError::Conflict(format!(
                    "{what} has active members: stop its consumers first"
                )),
                C::RequestTimedOut
                | C::OperationTimedOut
                | C::NotController
                | C::BrokerNotAvailable
                | C::LeaderNotAvailable
                | C::NetworkException
                | C::CoordinatorNotAvailable
                | C::CoordinatorLoadInProgress => unavailable(format!("{what}: {code}")),
                other => {
                    AppError::Internal(format!("Kafka refused the request for {what}: {other}"))
                }
            },
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

/// An admin request's own failure: a local timeout names what it was about.
fn admin_failure(e: rdkafka::error::KafkaError, what: &str) -> KafkaError {
    use rdkafka::error::KafkaError as K;
    match e {
        K::AdminOp(RDKafkaErrorCode::OperationTimedOut | RDKafkaErrorCode::RequestTimedOut) => {
            KafkaError::Timeout(what.into())
        }
        e => e.into(),
    }
}

/// One partition in a metadata snapshot.
#[derive(Debug, Clone)]
struct PartMeta {
    id: i32,
    leader: i32,
    replicas: Vec<i32>,
    isr: Vec<i32>,
}

#[derive(Debug, Clone)]
struct TopicMeta {
    name: String,
    partitions: Vec<PartMeta>,
}

/// Brokers and topics as of one metadata fetch.
#[derive(Debug, Default)]
struct Meta {
    brokers: Vec<KafkaBroker>,
    topics: Vec<TopicMeta>,
}

impl Meta {
    fn topic(&self, name: &str) -> Option<&TopicMeta> {
        self.topics.iter().find(|t| t.name == name)
    }

    fn topic_names(&self) -> impl Iterator<Item = &str> {
        self.topics.iter().map(|t| t.name.as_str())
    }
}

pub struct KafkaCluster {
    config: KafkaClusterConfig,
    timeout: Duration,
    /// Bound on a change (create, delete, grow, alter, offset reset). Longer
    /// than `timeout`: a change that times out on zkmq's side has an unknown
    /// outcome, which is worse than waiting for the controller a while.
    change_timeout: Duration,
    admin: Arc<AdminClient<DefaultClientContext>>,
    /// Group-less consumer for watermarks and offset lookups.
    offsets: Arc<BaseConsumer>,
    producer: OnceLock<FutureProducer>,
    meta: Mutex<Option<(Instant, Arc<Meta>)>>,
    /// The release line changes only when the brokers are upgraded (and
    /// restarted), so it is asked once and forgotten when the cluster is lost,
    /// not asked on every one-second probe.
    version_cache: Mutex<Option<String>>,
    /// Live-tail taps viewers share (`tail.rs`).
    tails: tail::SharedTails,
}

impl KafkaCluster {
    /// Builds the clients; librdkafka validates the properties here, so a bad
    /// property fails at start, not on first use. No connection is made yet.
    pub fn new(config: KafkaClusterConfig, timeout: Duration) -> Result<Self, String> {
        let base = client_config(&config);
        let admin: AdminClient<DefaultClientContext> = base.create().map_err(|e| e.to_string())?;
        let offsets: BaseConsumer = base.create().map_err(|e| e.to_string())?;
        Ok(KafkaCluster {
            config,
            timeout,
            change_timeout: timeout.max(MIN_CHANGE_TIMEOUT),
            admin: Arc::new(admin),
            offsets: Arc::new(offsets),
            producer: OnceLock::new(),
            meta: Mutex::new(None),
            version_cache: Mutex::new(None),
            tails: tail::SharedTails::default(),
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
    pub fn link_info(&self) -> crate::kafka::model::KafkaLinkInfo {
        crate::kafka::model::KafkaLinkInfo {
            cluster: self.cluster_ref(),
            zookeeper: self.config.zookeeper.clone(),
            chroot: self.config.zookeeper_chroot.clone(),
            bootstrap: self.config.bootstrap_servers.clone(),
        }
    }

    /// Runs a blocking librdkafka call on a blocking thread, bounded by the
    /// backend timeout, with its error converted.
    async fn blocking<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, KafkaError> + Send + 'static,
    {
        self.blocking_for(self.timeout * 2, f).await
    }

    /// [`Self::blocking`] with its own bound.
    async fn blocking_for<T, F>(&self, bound: Duration, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, KafkaError> + Send + 'static,
    {
        let id = self.config.id.clone();
        bounded(bound, Backend::Kafka, &id, async {
            tokio::task::spawn_blocking(f)
                .await
                .map_err(|e| AppError::Internal(format!("Kafka task failed: {e}")))?
                .map_err(|e| e.into_app(&id))
        })
        .await
    }

    fn admin_options(&self) -> AdminOptions {
        AdminOptions::new()
            .request_timeout(Some(self.timeout))
            .operation_timeout(Some(self.timeout))
    }

    /// Options of a change. The broker's operation timeout is shorter than
    /// zkmq's request timeout, so the broker answers "accepted, not yet done
    /// everywhere" (REQUEST_TIMED_OUT) before zkmq gives up on the request.
    fn change_options(&self) -> AdminOptions {
        AdminOptions::new()
            .request_timeout(Some(self.change_timeout))
            .operation_timeout(Some(self.change_timeout * 2 / 3))
    }

    /// A change's failure in words: a timeout does not mean "not applied".
    fn change_error(&self, e: KafkaError) -> AppError {
        use RDKafkaErrorCode as C;
        let what = match e {
            KafkaError::Broker {
                code: C::RequestTimedOut | C::OperationTimedOut,
                what,
            }
            | KafkaError::Timeout(what) => what,
            other => return other.into_app(self.id()),
        };
        AppError::Unavailable {
            backend: Backend::Kafka,
            cluster: self.id().into(),
            reason: format!(
                "Kafka did not confirm the change to {what} within {} s; it may still take effect: reload to see whether it did",
                self.change_timeout.as_secs()
            ),
        }
    }

    /// Brokers and topics, from the cache when it is younger than the TTL.
    async fn metadata(&self) -> Result<Arc<Meta>, AppError> {
        if let Some((at, m)) = self.meta.lock().ok().and_then(|g| g.clone())
            && at.elapsed() < METADATA_TTL
        {
            return Ok(m);
        }
        let admin = self.admin.clone();
        let timeout = self.timeout;
        let meta = self
            .blocking(move || {
                let md = admin.inner().fetch_metadata(None, timeout)?;
                let mut brokers: Vec<KafkaBroker> = md
                    .brokers()
                    .iter()
                    .map(|b| KafkaBroker {
                        id: b.id(),
                        host: b.host().to_string(),
                        port: b.port(),
                        rack: None,
                    })
                    .collect();
                brokers.sort_by_key(|b| b.id);
                let topics = md
                    .topics()
                    .iter()
                    .filter(|t| t.error().is_none())
                    .map(|t| TopicMeta {
                        name: t.name().to_string(),
                        partitions: t
                            .partitions()
                            .iter()
                            .map(|p| PartMeta {
                                id: p.id(),
                                leader: p.leader(),
                                replicas: p.replicas().to_vec(),
                                isr: p.isr().to_vec(),
                            })
                            .collect(),
                    })
                    .collect();
                Ok(Meta { brokers, topics })
            })
            .await?;
        let meta = Arc::new(meta);
        if let Ok(mut g) = self.meta.lock() {
            *g = Some((Instant::now(), meta.clone()));
        }
        Ok(meta)
    }

    /// Drops the cached metadata (after a change made through zkmq).
    /// Metadata that knows `topics` if the cluster does: a topic created a
    /// moment ago may not have reached the broker that answered yet, so ask
    /// again (fresh, for up to a second) before anyone calls it unknown.
    async fn metadata_knowing(&self, topics: &[&str]) -> Result<Arc<Meta>, AppError> {
        let mut meta = self.metadata().await?;
        for _ in 0..4 {
            if topics.iter().all(|t| meta.topic(t).is_some()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
            self.invalidate();
            meta = self.metadata().await?;
        }
        Ok(meta)
    }

    fn invalidate(&self) {
        if let Ok(mut g) = self.meta.lock() {
            *g = None;
        }
    }

    /// The release line, read from a broker's `inter.broker.protocol.version`.
    async fn version(&self, broker: i32) -> Result<Option<String>, AppError> {
        let opts = self.admin_options();
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
    async fn cluster_version(&self, meta: &Meta) -> Option<String> {
        if let Some(v) = self.version_cache.lock().ok().and_then(|c| c.clone()) {
            return Some(v);
        }
        let v = self
            .version(meta.brokers.first()?.id)
            .await
            .ok()
            .flatten()?;
        if let Ok(mut c) = self.version_cache.lock() {
            *c = Some(v.clone());
        }
        Some(v)
    }

    pub async fn summary(&self) -> Result<KafkaSummary, AppError> {
        let meta = self.metadata().await?;
        let version = self.cluster_version(&meta).await;
        let admin = self.admin.clone();
        let timeout = self.timeout;
        let (cluster_id, controller) = self
            .blocking(move || {
                let id = admin.inner().fetch_cluster_id(timeout);
                let controller = ffi::controller_id(admin.inner().native_client(), timeout);
                Ok((id, controller))
            })
            .await?;
        let c = counts(&meta);
        Ok(KafkaSummary {
            cluster: self.cluster_ref(),
            cluster_id,
            controller,
            version,
            brokers: meta.brokers.clone(),
            topics: c.topics,
            internal_topics: c.internal,
            partitions: c.partitions,
            under_replicated: c.under_replicated,
            offline: c.offline,
            zookeeper: self.config.zookeeper.clone().map(|zk| ZkMetadataLink {
                zookeeper: zk,
                path: self
                    .config
                    .zookeeper_chroot
                    .clone()
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| "/".into()),
            }),
        })
    }

    /// One health probe: a metadata round trip (its time is the latency;
    /// the cache keeps this cheap at 10,000 topics) and the version.
    pub async fn probe(&self) -> ClusterStatus {
        let start = Instant::now();
        let md = self.metadata().await;
        let latency = elapsed_ms(start);
        match md {
            Ok(meta) => {
                let version = self.cluster_version(&meta).await;
                let n = meta.brokers.len();
                let expected = self.config.bootstrap_servers.len();
                let c = counts(&meta);
                ClusterStatus {
                    cluster: self.cluster_ref(),
                    reachability: if n == 0 {
                        Reachability::Unreachable
                    } else if c.under_replicated > 0 || n < expected {
                        Reachability::Degraded
                    } else {
                        Reachability::Reachable
                    },
                    version,
                    latency_ms: Some(latency),
                    detail: format!(
                        "{n} broker{}, {} topics, {} partitions{}",
                        if n == 1 { "" } else { "s" },
                        c.topics,
                        c.partitions,
                        if c.under_replicated > 0 {
                            format!(", {} under-replicated", c.under_replicated)
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

    fn producer(&self) -> Result<&FutureProducer, AppError> {
        if let Some(p) = self.producer.get() {
            return Ok(p);
        }
        let mut cc = client_config(&self.config);
        cc.set("acks", "all");
        cc.set("message.timeout.ms", self.timeout.as_millis().to_string());
        let p: FutureProducer = cc
            .create()
            .map_err(|e| AppError::Internal(format!("cannot create a Kafka producer: {e}")))?;
        Ok(self.producer.get_or_init(|| p))
    }
}

struct Counts {
    topics: usize,
    internal: usize,
    partitions: usize,
    under_replicated: usize,
    offline: usize,
}

fn counts(meta: &Meta) -> Counts {
    let mut c = Counts {
        topics: 0,
        internal: 0,
        partitions: 0,
        under_replicated: 0,
        offline: 0,
    };
    for t in &meta.topics {
        let internal = is_internal_topic(&t.name);
        if internal {
            c.internal += 1;
        } else {
            c.topics += 1;
        }
        for p in &t.partitions {
            // Users count their own topics' partitions; internal ones still count for health.
            if !internal {
                c.partitions += 1;
            }
            if p.isr.len() < p.replicas.len() {
                c.under_replicated += 1;
            }
            if p.leader < 0 {
                c.offline += 1;
            }
        }
    }
    c
}

/// The librdkafka settings every client of this cluster shares.
fn client_config(config: &KafkaClusterConfig) -> ClientConfig {
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
    cc
}
