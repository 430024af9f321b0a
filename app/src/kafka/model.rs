//! Kafka types shared by server and browser.

use crate::clusters::model::ClusterRef;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KafkaBroker {
    pub id: i32,
    pub host: String,
    pub port: i32,
    /// From the broker's ZooKeeper registration when zkmq can see it.
    pub rack: Option<String>,
}

/// Where a ZooKeeper-mode cluster keeps its metadata, for a link to the explorer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZkMetadataLink {
    pub zookeeper: String,
    pub path: String,
}

/// The Kafka cluster page's summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KafkaSummary {
    pub cluster: ClusterRef,
    pub cluster_id: Option<String>,
    pub controller: Option<i32>,
    /// Derived from the brokers' `inter.broker.protocol.version`, e.g. "3.9".
    pub version: Option<String>,
    pub brokers: Vec<KafkaBroker>,
    pub topics: usize,
    pub internal_topics: usize,
    /// Partitions of non-internal topics.
    pub partitions: usize,
    /// Partitions whose ISR is smaller than their replica set.
    pub under_replicated: usize,
    pub offline: usize,
    pub zookeeper: Option<ZkMetadataLink>,
}

/// Columns the topic list sorts by (on the server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TopicSort {
    #[default]
    Name,
    Partitions,
    Replication,
    UnderReplicated,
}

/// One page request of the topic list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TopicQuery {
    /// Substring of the name (case-insensitive); empty: all.
    pub filter: String,
    pub include_internal: bool,
    pub sort: TopicSort,
    pub descending: bool,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicRow {
    pub name: String,
    pub internal: bool,
    pub partitions: usize,
    pub replication: usize,
    pub under_replicated: usize,
    /// Partitions without a leader.
    pub offline: usize,
    /// Sum of high − low watermarks; `None` when the brokers did not say.
    pub messages: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicPage {
    /// Topics in the cluster (internal ones included).
    pub total: usize,
    /// Topics that pass the filter.
    pub matched: usize,
    pub offset: usize,
    pub rows: Vec<TopicRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionRow {
    pub id: i32,
    /// -1 when the partition has no leader (offline).
    pub leader: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    pub low: Option<i64>,
    pub high: Option<i64>,
}

/// Where a config value comes from, as the broker reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigSource {
    /// Set on this topic: an override.
    Topic,
    /// Set on a broker (dynamically or in server.properties).
    Broker,
    Default,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigRow {
    pub name: String,
    /// `None` for sensitive values (never sent to the browser) or unset ones.
    pub value: Option<String>,
    pub source: ConfigSource,
    pub sensitive: bool,
    pub read_only: bool,
}

/// A consumer group reading a topic, with its lag on that topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicReader {
    pub group: String,
    pub state: String,
    pub lag: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicDetail {
    pub cluster: ClusterRef,
    pub name: String,
    pub internal: bool,
    pub partitions: Vec<PartitionRow>,
    pub configs: Vec<ConfigRow>,
    pub readers: Vec<TopicReader>,
    /// Set when not every group's offsets were read for `readers`.
    pub readers_note: Option<String>,
}

/// A topic to create, as the form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NewTopicForm {
    pub name: String,
    pub partitions: String,
    pub replication: String,
    /// `key=value` per line.
    pub configs: String,
}

/// What a validate-only request (or the real one) says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePreview {
    /// One line per effect, e.g. "create topic orders with 3 partitions × 2 replicas".
    pub summary: Vec<String>,
    /// Config changes: (key, before, after); `None` means default / removed.
    pub config_changes: Vec<(String, Option<String>, Option<String>)>,
}

/// Consumer group list sorting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GroupSort {
    #[default]
    Name,
    State,
    Members,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct GroupQuery {
    pub filter: String,
    pub sort: GroupSort,
    pub descending: bool,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRow {
    pub name: String,
    /// Stable, Empty, PreparingRebalance, CompletingRebalance, Dead.
    pub state: String,
    pub members: usize,
    pub protocol_type: String,
    /// Total lag over every partition it has committed offsets for (page rows only).
    pub lag: Option<i64>,
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupPage {
    pub total: usize,
    pub matched: usize,
    pub offset: usize,
    pub rows: Vec<GroupRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    pub id: String,
    pub client_id: String,
    pub host: String,
    /// "topic-partition" it is assigned.
    pub assignment: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupOffset {
    pub topic: String,
    pub partition: i32,
    /// `None`: no committed offset.
    pub committed: Option<i64>,
    pub end: Option<i64>,
    pub lag: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDetail {
    pub cluster: ClusterRef,
    pub name: String,
    pub state: String,
    pub protocol: String,
    pub members: Vec<GroupMember>,
    pub offsets: Vec<GroupOffset>,
    pub total_lag: Option<i64>,
}

/// Where an offset reset moves a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "to", content = "value")]
pub enum ResetTarget {
    Earliest,
    Latest,
    /// Milliseconds since the epoch: the first offset at or after it.
    Timestamp(i64),
    /// An absolute offset (clamped to each partition's range).
    Offset(i64),
}

/// One partition of a reset preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetRow {
    pub topic: String,
    pub partition: i32,
    pub current: Option<i64>,
    pub new: i64,
}

/// Where a message browse starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "from", content = "value")]
pub enum BrowseStart {
    Offset(i64),
    Timestamp(i64),
    /// The newest N messages.
    Newest(i64),
}

/// The server-side message filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MessageFilter {
    None,
    /// In key or value (as text).
    Substring {
        text: String,
    },
    Regex {
        pattern: String,
    },
    /// The value is JSON and `field` (a dotted path) equals `value` (as text or JSON).
    JsonField {
        field: String,
        value: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrowseRequest {
    pub topic: String,
    pub partition: i32,
    pub start: BrowseStart,
    /// Most messages to return.
    pub limit: usize,
    pub filter: MessageFilter,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KafkaMessage {
    pub partition: i32,
    pub offset: i64,
    /// Milliseconds since the epoch, and whether the producer or the broker set it.
    pub timestamp: Option<i64>,
    pub timestamp_type: String,
    /// Base64 (binary-safe); `None` for a null key or value.
    pub key_b64: Option<String>,
    pub value_b64: Option<String>,
    pub headers: Vec<(String, Option<String>)>,
}

/// Why a browse stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BrowseStop {
    /// Returned `limit` matching messages.
    Limit,
    /// Reached the end of the partition.
    End,
    /// Scanned the most messages one browse may read.
    ScanBudget,
    /// Ran out of time.
    TimeBudget,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrowseResult {
    pub messages: Vec<KafkaMessage>,
    pub scanned: u64,
    pub stopped: BrowseStop,
    /// Where to continue from.
    pub next_offset: i64,
    pub low: i64,
    pub high: i64,
}

/// A message to produce, as the form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ProduceForm {
    pub topic: String,
    /// Empty: let the partitioner choose.
    pub partition: String,
    pub key: String,
    pub value: String,
    /// `name=value` per line.
    pub headers: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Produced {
    pub partition: i32,
    pub offset: i64,
}

/// A configured Kafka cluster, as far as the ensemble view needs it to link a
/// registration in ZooKeeper to its Kafka page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaLinkInfo {
    pub cluster: ClusterRef,
    pub zookeeper: Option<String>,
    pub chroot: Option<String>,
    pub bootstrap: Vec<String>,
}

/// What a Kafka flow graph is built from, read in one round: per topic the
/// sum of its partitions' end offsets, per group the sum of its committed
/// offsets and its lag per topic.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KafkaFlowSample {
    pub at_ms: i64,
    pub topics: Vec<(String, i64)>,
    pub groups: Vec<FlowGroup>,
    /// Topics and groups left out beyond the graph's limits.
    pub more_topics: usize,
    pub more_groups: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlowGroup {
    pub name: String,
    pub state: String,
    pub members: usize,
    /// (topic, sum of committed offsets, lag).
    pub topics: Vec<(String, i64, i64)>,
}
