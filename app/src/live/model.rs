//! Live views' wire types, shared by server and browser: what a tab asks
//! for over its one websocket (`/ws/live`) and the batches it gets back.

use crate::kafka::model::MessageFilter;
use serde::{Deserialize, Serialize};

/// The one websocket a browser tab opens for all its live views.
pub const LIVE_WS_PATH: &str = "/ws/live";

/// Where a Kafka tail starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TailStart {
    /// Only what is produced from now on.
    Now,
    /// The last `n` messages of every partition, then onwards.
    LastPerPartition { n: u32 },
    /// From a time (milliseconds since the epoch).
    Time { ms: i64 },
}

/// What one live view shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LiveSource {
    /// Topics of a Kafka cluster — named, or matching `topic_pattern` (a
    /// regex over the topics that exist when the tail starts), or both;
    /// `partitions` empty: all of them.
    KafkaTail {
        cluster: String,
        topics: Vec<String>,
        #[serde(default)]
        topic_pattern: Option<String>,
        partitions: Vec<i32>,
        start: TailStart,
    },
    /// An exchange of a RabbitMQ vhost, through zkmq's own tap queue;
    /// `binding_keys` empty: every message the exchange type allows.
    RabbitTap {
        cluster: String,
        vhost: String,
        exchange: String,
        #[serde(default)]
        binding_keys: Vec<String>,
    },
    /// A queue's live view: a tap with the queue's own bindings (the queue
    /// itself is never consumed from).
    RabbitQueue {
        cluster: String,
        vhost: String,
        queue: String,
    },
    /// Topics → consumer groups, with produce and consume rates and lag.
    KafkaFlows { cluster: String },
    /// Exchanges → queues → consumers of one vhost, with the broker's rates.
    RabbitFlows { cluster: String, vhost: String },
}

impl LiveSource {
    pub fn cluster(&self) -> &str {
        match self {
            LiveSource::KafkaTail { cluster, .. }
            | LiveSource::RabbitTap { cluster, .. }
            | LiveSource::RabbitQueue { cluster, .. }
            | LiveSource::KafkaFlows { cluster }
            | LiveSource::RabbitFlows { cluster, .. } => cluster,
        }
    }
}

/// A subscription's own filter (applied per viewer; the tap is shared).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LiveFilter {
    pub message: Option<MessageFilter>,
    /// `name` or `name=value`: a header that must be present (with that value).
    pub header: Option<String>,
}

/// Browser → server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
// One request at a time, parsed and handled at once: the size of the rare
// subscribe does not matter.
#[allow(clippy::large_enum_variant)]
pub enum LiveRequest {
    Subscribe {
        id: u32,
        source: LiveSource,
        #[serde(default)]
        filter: LiveFilter,
        /// After a reconnect: the next offset per (topic, partition) the
        /// view had seen, so the tail resumes there and reports any gap.
        #[serde(default)]
        resume: Vec<Position>,
    },
    Unsubscribe {
        id: u32,
    },
    /// Lets the server send `rows` more rows to subscription `id`.
    Credit {
        id: u32,
        rows: u32,
    },
    Pause {
        id: u32,
        paused: bool,
    },
}

/// The next offset of one partition (what a tail has read up to).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Position {
    pub topic: String,
    pub partition: i32,
    pub next: i64,
}

/// Exact counts of one subscription since it began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counters {
    /// Messages the tap read from the source for this view.
    pub seen: u64,
    /// Of those, the ones its filter passed.
    pub matched: u64,
    /// Of those, the rows sent to the browser.
    pub sent: u64,
    /// Matched but only counted: the browser had no credit, or a batch was full.
    pub sampled_out: u64,
    /// Read but lost before filtering (the view fell behind the shared tap,
    /// or a RabbitMQ tap queue dropped its oldest).
    pub dropped: u64,
}

/// One message as a live row: payloads cut to a few KB (the full message
/// is one click away). From a RabbitMQ tap: `topic` is the exchange, `key`
/// the routing key, `offset` the tap's count (1, 2, …), `partition` 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveRow {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub timestamp: Option<i64>,
    pub key_b64: Option<String>,
    pub value_b64: Option<String>,
    /// The value's full length in bytes (more than shown when cut).
    pub value_len: usize,
    pub headers: Vec<(String, Option<String>)>,
}

/// Server → browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum LiveFrame {
    Batch {
        id: u32,
        rows: Vec<LiveRow>,
        counters: Counters,
        positions: Vec<Position>,
    },
    /// Messages that were gone when the tail resumed (retention removed them).
    Gap {
        id: u32,
        topic: String,
        partition: i32,
        missed: i64,
    },
    Error {
        id: u32,
        error: crate::error::AppError,
    },
    /// A flow view's graph, every sampling round.
    Flows {
        id: u32,
        graph: FlowGraph,
    },
    /// A RabbitMQ view's tap is bound: its queue and (exchange, binding key)s.
    Tapping {
        id: u32,
        queue: String,
        bindings: Vec<(String, String)>,
    },
    KeepAlive,
}

/// A flow graph: columns of nodes (e.g. topics → consumer groups) and the
/// edges between them, with rates. Built on the server every sampling
/// round and sent whole (a few hundred nodes at most).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FlowGraph {
    /// Column headings, left to right.
    pub columns: Vec<String>,
    pub nodes: Vec<FlowNode>,
    pub edges: Vec<FlowEdge>,
    /// When the figures were read (ms since the epoch).
    pub at_ms: i64,
    /// Where the figures come from and how fresh they are, in words.
    pub source: String,
    /// Set when there were more objects than the graph shows.
    pub truncated: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowNode {
    /// Unique in the graph (column and name).
    pub id: String,
    pub column: u8,
    pub label: String,
    /// The object's own page.
    pub href: String,
    /// Figures in words ("1,204 msg/s in · lag 12").
    pub detail: String,
    /// Messages per second through the node; `None` until two samples.
    pub rate: Option<f64>,
    /// Something needs a look (lag growing, no consumers on a queue with messages).
    pub warn: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowEdge {
    pub from: String,
    pub to: String,
    pub label: String,
    pub rate: Option<f64>,
}
