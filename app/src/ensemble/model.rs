//! Types of the ensemble view, shared by server and browser: one snapshot of
//! every member's role and figures, the quorum, the leader history and the
//! Kafka clusters registered in the ensemble.

use crate::clusters::model::ClusterRef;
use serde::{Deserialize, Serialize};

/// The websocket path of one ensemble's live snapshots.
pub fn ensemble_ws_path(cluster: &str) -> String {
    format!("/ws/ensemble/{cluster}")
}

/// What a member is doing, as far as zkmq can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Leader,
    Follower,
    Observer,
    Standalone,
    /// The process answers but serves no requests: no quorum, or an election
    /// is running.
    NotServing,
    /// Its client port accepts connections, but neither the AdminServer nor
    /// the four-letter words tell its role.
    Unknown,
    /// Nothing answers on its client port.
    Unreachable,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Leader => "leader",
            Role::Follower => "follower",
            Role::Observer => "observer",
            Role::Standalone => "standalone",
            Role::NotServing => "not serving",
            Role::Unknown => "role unknown",
            Role::Unreachable => "unreachable",
        }
    }
    /// Serving client requests.
    pub fn is_serving(self) -> bool {
        matches!(
            self,
            Role::Leader | Role::Follower | Role::Observer | Role::Standalone
        )
    }
    /// The process is there (it answered something).
    pub fn is_up(self) -> bool {
        self != Role::Unreachable
    }
}

/// Where a member's figures came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    AdminServer,
    FourLetterWords,
    /// Only a TCP connect to the client port.
    TcpOnly,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::AdminServer => "AdminServer",
            Source::FourLetterWords => "four-letter words",
            Source::TcpOnly => "TCP connect only",
        }
    }
}

/// A member's place in `/zookeeper/config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LearnerType {
    Participant,
    Observer,
}

/// How far a member's last zxid is behind the leader's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ZxidLag {
    InSync,
    /// Same epoch, this many transactions behind.
    Behind {
        txns: u64,
    },
    /// Still in an older epoch than the leader.
    OlderEpoch {
        epoch: u32,
        leader_epoch: u32,
    },
}

/// The figures one fast probe (`srvr`) of one member yields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub role: Option<Role>,
    pub zxid: Option<u64>,
    pub latency_min: Option<f64>,
    pub latency_avg: Option<f64>,
    pub latency_max: Option<f64>,
    pub outstanding: Option<u64>,
    pub connections: Option<u64>,
    pub znode_count: Option<u64>,
    pub version: Option<String>,
    pub uptime_ms: Option<u64>,
}

/// The slower-moving figures from `mntr` / `/commands/monitor`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SlowFigures {
    pub watch_count: Option<u64>,
    pub approximate_data_size: Option<u64>,
    /// On the leader: followers in sync with it.
    pub synced_followers: Option<u64>,
    /// `mntr`'s uptime, for members whose `srvr` has none (copied into `Figures`).
    #[serde(skip)]
    pub uptime_ms: Option<u64>,
}

/// One member as seen in the latest probe round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct MemberState {
    /// `server.N` id from the ensemble config (or the member's own report).
    pub server_id: Option<u64>,
    /// Client address "host:port".
    pub address: String,
    /// Participant or observer per `/zookeeper/config`; `None` when the member
    /// is only known from zkmq's configured hosts.
    pub learner_type: Option<LearnerType>,
    pub source: Option<Source>,
    /// Why figures are missing, in one line (e.g. "not serving requests").
    pub error: Option<String>,
    pub lag: Option<ZxidLag>,
    /// Round trip of this round's probe.
    pub probe_ms: Option<f64>,
    #[serde(flatten)]
    pub figures: Figures,
    #[serde(flatten)]
    pub slow: SlowFigures,
}

impl MemberState {
    pub fn role(&self) -> Role {
        self.figures.role.unwrap_or(Role::Unknown)
    }
    /// Voting members are participants (everything not listed as observer).
    pub fn is_voter(&self) -> bool {
        match self.learner_type {
            Some(LearnerType::Observer) => false,
            Some(LearnerType::Participant) => true,
            None => self.figures.role != Some(Role::Observer),
        }
    }
    /// The label in the graph and table: "3 · 127.0.0.1:2183".
    pub fn title(&self) -> String {
        match self.server_id {
            Some(id) => format!("{id} · {}", self.address),
            None => self.address.clone(),
        }
    }
}

/// The quorum's state, computed from the voting members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Quorum {
    pub voters: usize,
    /// Voting members whose process answers.
    pub voters_up: usize,
    /// Voting members serving requests.
    pub voters_serving: usize,
    /// Majority size.
    pub needed: usize,
    /// How many more voting members may fail with the quorum intact.
    pub can_lose: usize,
    pub state: QuorumState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum QuorumState {
    /// A leader serves with a majority.
    #[default]
    Healthy,
    /// Enough members are up, but none leads yet (an election is running).
    Electing,
    /// Fewer than a majority of voting members are up.
    Lost,
    /// A single standalone server: no quorum to speak of.
    Standalone,
    /// Roles cannot be read (AdminServer and four-letter words both off).
    Unknown,
}

/// A change of leader, as stored in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderChange {
    pub id: i64,
    /// RFC 3339 time zkmq saw the new leader (or lost the old one).
    pub at: String,
    pub old_leader: Option<String>,
    pub new_leader: Option<String>,
    pub old_epoch: Option<u32>,
    pub new_epoch: Option<u32>,
    /// How long there was no leader, as far as the probes saw (their interval
    /// bounds the precision); `None` when unknown (e.g. zkmq was not running).
    pub leaderless_ms: Option<u64>,
    /// No leader is back yet: `new_leader` is empty, the gap still growing.
    pub ongoing: bool,
}

/// One sparkline bucket.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// Bucket start, milliseconds since the epoch.
    pub at_ms: i64,
    /// Mean of the member's average latency over the bucket.
    pub latency_avg: Option<f64>,
    /// Largest outstanding-requests figure in the bucket.
    pub outstanding: Option<u64>,
}

/// A member's last 15 minutes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct MemberSeries {
    pub address: String,
    pub points: Vec<SeriesPoint>,
}

/// A Kafka broker registered in the ensemble (`<chroot>/brokers/ids/<id>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KafkaBroker {
    pub id: i32,
    pub host: Option<String>,
    pub port: Option<i32>,
    pub rack: Option<String>,
    pub endpoints: Vec<String>,
}

/// A ZooKeeper-mode Kafka cluster found in the ensemble.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KafkaInZk {
    /// "/" or the chroot, e.g. "/kafka".
    pub chroot: String,
    pub cluster_id: Option<String>,
    pub controller: Option<i32>,
    pub brokers: Vec<KafkaBroker>,
    /// The configured zkmq Kafka cluster this is, if any.
    pub linked: Option<ClusterRef>,
}

/// Everything the ensemble page shows; also the websocket message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnsembleSnapshot {
    pub cluster: ClusterRef,
    /// Probe round number since zkmq started (0: nothing probed yet).
    pub round: u64,
    /// RFC 3339 time of this round.
    pub at: String,
    pub probe_interval_ms: u64,
    pub members: Vec<MemberState>,
    pub quorum: Quorum,
    /// Address of the leader, if one is serving.
    pub leader: Option<String>,
    pub epoch: Option<u32>,
    /// Where the member list came from.
    pub membership: String,
    /// What zkmq cannot show and which server setting would enable it.
    pub blind_spots: Vec<String>,
    pub kafka: Vec<KafkaInZk>,
    /// Bumped whenever the stored leader history changes; the page reloads
    /// the timeline when it moves.
    pub history_version: u64,
    pub series: Vec<MemberSeries>,
}
