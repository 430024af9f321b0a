//! RabbitMQ types shared by server and browser.

use crate::clusters::model::ClusterRef;
use serde::{Deserialize, Serialize};

/// Most messages one get-and-requeue takes (each is marked redelivered).
pub const MAX_GET: u16 = 100;
/// Most messages one read of a stream returns (nothing is consumed).
pub const MAX_STREAM_READ: u16 = 500;

/// Messages a live tap's own queue holds while zkmq is behind; beyond that
/// the broker drops the oldest (in zkmq's queue only).
pub const TAP_MAX_LENGTH: i64 = 10_000;
/// A tapped message not read within this time expires (ms).
pub const TAP_TTL_MS: i64 = 60_000;

/// What the console shows of the management API's `/api/overview`. Missing
/// fields (older versions, a node still booting) are `None`/0, not errors.

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BrokerOverview {
    pub version: Option<String>,
    pub erlang_version: Option<String>,
    pub cluster_name: Option<String>,
    pub node: Option<String>,
    pub queues: u64,
    pub exchanges: u64,
    pub connections: u64,
    pub channels: u64,
    pub consumers: u64,
    pub messages_ready: u64,
    pub messages_unacknowledged: u64,
}

/// The broker page's summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RabbitSummary {
    pub cluster: ClusterRef,
    pub overview: BrokerOverview,
}

/// Message rates per second from the overview's `message_stats`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Rates {
    pub publish: f64,
    pub deliver: f64,
    pub ack: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeInfo {
    pub name: String,
    pub running: bool,
    pub mem_used: u64,
    pub mem_limit: u64,
    pub disk_free: u64,
    pub fd_used: u64,
    pub uptime_ms: u64,
    /// "memory", "disk" when the node raised that alarm.
    pub alarms: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listener {
    pub protocol: String,
    pub ip: String,
    pub port: u64,
}

/// The broker page beyond the totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RabbitDetail {
    pub rates: Rates,
    pub nodes: Vec<NodeInfo>,
    pub listeners: Vec<Listener>,
    pub vhosts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExchangeRow {
    pub vhost: String,
    /// "" is the default exchange.
    pub name: String,
    pub kind: String,
    pub durable: bool,
    pub auto_delete: bool,
    pub internal: bool,
    /// The arguments as JSON text.
    pub arguments: String,
}

/// Queue list sorting (done by the management API on its side).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum QueueSort {
    #[default]
    Name,
    Messages,
    Consumers,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueRow {
    pub vhost: String,
    pub name: String,
    /// classic, quorum or stream.
    pub kind: String,
    pub state: String,
    pub ready: u64,
    pub unacked: u64,
    pub consumers: u64,
    pub publish_rate: Option<f64>,
    pub deliver_rate: Option<f64>,
    pub policy: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuePage {
    pub total: u64,
    pub matched: u64,
    pub page: u64,
    pub page_count: u64,
    pub rows: Vec<QueueRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BindingRow {
    pub vhost: String,
    pub source: String,
    pub destination: String,
    /// "queue" or "exchange".
    pub destination_type: String,
    pub routing_key: String,
    pub arguments: String,
    /// The management API's id of this binding (for deleting it).
    pub properties_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueDetail {
    pub row: QueueRow,
    pub durable: bool,
    pub auto_delete: bool,
    pub exclusive: bool,
    pub arguments: String,
    /// The policy's definition as applied to this queue, JSON text.
    pub effective_policy: Option<String>,
    pub operator_policy: Option<String>,
    pub bindings: Vec<BindingRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyRow {
    pub vhost: String,
    pub name: String,
    pub pattern: String,
    /// queues, exchanges, all (and classic_queues, quorum_queues, streams from 3.12).
    pub apply_to: String,
    pub priority: i64,
    /// JSON text.
    pub definition: String,
    /// An operator policy (caps set by operators) rather than a user policy.
    pub operator: bool,
}

/// A message read from a queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RabbitMessage {
    pub exchange: String,
    pub routing_key: String,
    pub redelivered: bool,
    /// Stream offset, for stream reads.
    pub offset: Option<i64>,
    pub properties: String,
    pub payload_b64: String,
    pub payload_bytes: u64,
}

/// How messages were read: a true peek, or a get-and-requeue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectMode {
    /// A stream read from an offset: nothing is consumed.
    StreamOffset,
    /// basic.get then requeue: messages come back marked redelivered.
    GetRequeue,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectResult {
    pub mode: InspectMode,
    pub messages: Vec<RabbitMessage>,
}

/// One line of a definitions import plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefinitionAction {
    Create,
    Update,
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefinitionItem {
    /// vhosts, exchanges, queues, bindings, policies.
    pub kind: String,
    /// "vhost/name" or a binding's "vhost/source → destination (key)".
    pub name: String,
    pub action: DefinitionAction,
    /// What differs, for updates ("arguments", "definition" …).
    pub detail: String,
}

/// The dry run of a definitions import, with the hash the import must
/// present (of the file and of the broker's current state of the items listed).
pub type DefinitionPlan = crate::plan::Plan<DefinitionItem>;

/// What a RabbitMQ flow graph is built from: the management API's view of
/// one vhost (its rates are the broker's own, refreshed every stats interval).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RabbitFlowSnapshot {
    pub at_ms: i64,
    /// (name, type, publish in msg/s, publish out msg/s).
    pub exchanges: Vec<(String, String, Option<f64>, Option<f64>)>,
    pub queues: Vec<FlowQueue>,
    /// (exchange, queue, routing key).
    pub bindings: Vec<(String, String, String)>,
    /// (queue, connection name, consumer tag).
    pub consumers: Vec<(String, String, String)>,
    /// Queues beyond those listed (the first by name are).
    pub more_queues: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlowQueue {
    pub name: String,
    pub messages: u64,
    pub consumers: u64,
    pub publish: Option<f64>,
    pub deliver: Option<f64>,
    pub ack: Option<f64>,
}
