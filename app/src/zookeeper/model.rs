//! ZooKeeper types shared by server and browser.

use serde::{Deserialize, Serialize};

/// Every field of a znode's `Stat`, as ZooKeeper reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ZnodeStat {
    pub czxid: i64,
    pub mzxid: i64,
    pub pzxid: i64,
    /// Milliseconds since the epoch.
    pub ctime: i64,
    pub mtime: i64,
    pub version: i32,
    pub cversion: i32,
    pub aversion: i32,
    /// Session id of the owner for ephemeral znodes, 0 otherwise.
    pub ephemeral_owner: i64,
    pub data_length: i32,
    pub num_children: i32,
}

/// One ACL entry: scheme (world, digest, ip, auth, sasl …), id, permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclEntry {
    pub scheme: String,
    pub id: String,
    /// Bit set: READ 1, WRITE 2, CREATE 4, DELETE 8, ADMIN 16.
    pub perms: i32,
}

/// A znode with its data (base64, so binary survives JSON), stat and ACL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Znode {
    pub path: String,
    pub data_b64: String,
    pub stat: ZnodeStat,
    pub acl: Vec<AclEntry>,
}

/// One page of a znode's children, sorted by name, after the prefix filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildPage {
    pub path: String,
    pub names: Vec<String>,
    /// Children matching the filter (all pages).
    pub matching: usize,
    /// Children in total, unfiltered.
    pub total: usize,
    pub offset: usize,
    /// The znode's pzxid when the list was read (the last change to its
    /// children): the live channel compares it with the watch's.
    pub pzxid: i64,
    /// How many children each of `names` has (same order; -1 when it went
    /// away while the page was read), so the tree shows leaves as leaves
    /// before anyone opens them.
    #[serde(default)]
    pub child_counts: Vec<i32>,
}

/// Kinds of znode the console can create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreateKind {
    Persistent,
    PersistentSequential,
    Container,
    /// Persistent with a time to live (needs `zookeeper.extendedTypesEnabled` on the server).
    PersistentTtl,
}

/// How the text the user typed turns into bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataEncoding {
    /// UTF-8 text as typed.
    Text,
    /// Must be valid JSON; stored as typed.
    Json,
    /// Base64 of arbitrary bytes.
    Base64,
}

/// Browser → server on the explorer's websocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveCommand {
    /// Tell me when this znode's data, existence or children change.
    Watch(String),
    Unwatch(String),
    /// Search names under `path` (a new search replaces the running one).
    Search {
        id: u32,
        path: String,
        pattern: String,
        regex: bool,
    },
}

/// Server → browser on the explorer's websocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveEvent {
    /// Something about this znode changed: re-read it.
    Changed { path: String, what: String },
    /// The watch is in place; the znode's mzxid and pzxid when it was placed
    /// (0 when it does not exist). A page that read the znode at an older
    /// zxid missed a change and reads it again.
    Watching {
        path: String,
        mzxid: i64,
        pzxid: i64,
    },
    /// The watch was not placed, and why (budget, bad path).
    Refused { path: String, reason: String },
    /// Matches found since the last batch.
    SearchHits { id: u32, paths: Vec<String> },
    /// Progress, sent with each batch and once at the end (`done`).
    SearchProgress {
        id: u32,
        visited: usize,
        hits: usize,
        elapsed_ms: u64,
        done: bool,
        stopped: Option<String>,
    },
    /// The search could not start (bad pattern or path).
    SearchFailed { id: u32, reason: String },
}

/// Bounds of one name search: it stops at whichever comes first.
pub const SEARCH_NODE_BUDGET: usize = 100_000;
pub const SEARCH_TIME_BUDGET_MS: u64 = 10_000;
/// At most this many matches are listed.
pub const SEARCH_HIT_LIMIT: usize = 1_000;

/// Watches one explorer page may hold at once (the open znode plus expanded
/// tree levels). Watches follow what is on screen, never the whole tree.
pub const WATCH_BUDGET: usize = 200;

/// The explorer's websocket path for a cluster.
pub fn live_ws_path(cluster: &str) -> String {
    format!("/ws/zookeeper/{cluster}")
}

/// What deleting a subtree would remove, counted before anything is deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubtreePreview {
    pub path: String,
    /// Znodes including `path` itself.
    pub nodes: usize,
    pub max_depth: usize,
}

/// Largest subtree zkmq deletes in one go (its copy goes into the audit log).
pub const SUBTREE_LIMIT: usize = 10_000;

/// One znode of a deleted subtree as kept in the audit log, enough to restore it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZnodeCopy {
    pub path: String,
    pub data_b64: String,
    pub acl: Vec<AclEntry>,
    pub stat: ZnodeStat,
}

/// The export file format (JSON), versioned.
pub const EXPORT_FORMAT: &str = "zkmq-znodes/1";

/// One exported znode. `data` holds text data as is; binary data goes into
/// `data_b64` instead, so nothing is lost either way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedZnode {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_b64: Option<String>,
    pub acl: Vec<AclEntry>,
    #[serde(default)]
    pub stat: Option<ZnodeStat>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportFile {
    pub format: String,
    pub cluster: String,
    pub root: String,
    pub exported_at: String,
    pub znodes: Vec<ExportedZnode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportAction {
    Create,
    Update,
    Unchanged,
    /// Cannot be applied as is; `reason` says why. Nothing is applied while any remain.
    Conflict,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportItem {
    pub path: String,
    pub action: ImportAction,
    pub reason: Option<String>,
}

/// The dry run: what importing would do to each znode, with the hash the
/// import must present.
pub type ImportPlan = crate::plan::Plan<ImportItem>;

impl ImportPlan {
    pub fn count(&self, a: ImportAction) -> usize {
        self.items.iter().filter(|i| i.action == a).count()
    }
}
