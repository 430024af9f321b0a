//! Pure ensemble logic: parsing what members answer (AdminServer JSON,
//! four-letter words, `/zookeeper/config`), zxid lag, quorum maths, leader
//! change detection and sparkline buckets. Everything here is unit-tested.

use super::model::{
    Figures, KafkaBroker, LearnerType, MemberState, Quorum, QuorumState, Role, SeriesPoint,
    SlowFigures, ZxidLag,
};
use crate::clusters::model::ClusterRef;
pub use crate::kafka::model::KafkaLinkInfo;
use std::collections::VecDeque;

/// What a member says when it has no quorum (4lw and AdminServer alike).
pub const NOT_SERVING: &str = "not currently serving requests";
/// What a member says to a four-letter word it does not allow.
pub const NOT_WHITELISTED: &str = "is not in the whitelist";

/// The server setting that turns each source on, for the page's blind-spot notes.
pub const ENABLE_ADMIN: &str = "admin.enableServer=true on the members (and admin_port or admin_urls in zkmq's [[zookeeper]] entry)";
pub const ENABLE_4LW: &str = "4lw.commands.whitelist=srvr,mntr on the members";

// ---------------------------------------------------------------------------
// Zxids

pub fn zxid_epoch(zxid: u64) -> u32 {
    (zxid >> 32) as u32
}

pub fn zxid_counter(zxid: u64) -> u32 {
    zxid as u32
}

/// "0x200000005" → 0x200000005.
pub fn parse_zxid_hex(s: &str) -> Option<u64> {
    let s = s.trim();
    let hex = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
    u64::from_str_radix(hex, 16).ok()
}

/// How far `member` is behind `leader`. A member ahead of the leader's last
/// report (the probes are not simultaneous) counts as in sync.
pub fn zxid_lag(member: u64, leader: u64) -> ZxidLag {
    let (me, le) = (zxid_epoch(member), zxid_epoch(leader));
    if me < le {
        return ZxidLag::OlderEpoch {
            epoch: me,
            leader_epoch: le,
        };
    }
    if me > le || member >= leader {
        return ZxidLag::InSync;
    }
    ZxidLag::Behind {
        txns: u64::from(zxid_counter(leader) - zxid_counter(member)),
    }
}

pub fn format_lag(lag: Option<ZxidLag>) -> String {
    match lag {
        None => "—".into(),
        Some(ZxidLag::InSync) => "in sync".into(),
        Some(ZxidLag::Behind { txns: 1 }) => "1 txn behind".into(),
        Some(ZxidLag::Behind { txns }) => format!("{txns} txns behind"),
        Some(ZxidLag::OlderEpoch {
            epoch,
            leader_epoch,
        }) => format!("epoch {epoch} (leader {leader_epoch})"),
    }
}

/// "412 ms", "3.2 s", "12 min", "5 h 3 min", "2 d 4 h".
pub fn format_duration_ms(ms: u64) -> String {
    let s = ms / 1000;
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        60_000..3_600_000 => format!("{} min", s / 60),
        3_600_000..86_400_000 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
    }
}

/// "738 B", "1.5 KiB", "12.0 MiB".
pub fn format_bytes(b: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if b < 1024 {
        return format!("{b} B");
    }
    let mut v = b as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

// ---------------------------------------------------------------------------
// Member answers

/// Why a probe gave no figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The member answers but has no quorum (or is electing).
    NotServing,
    /// The command is switched off on the member.
    Disabled(String),
    /// An answer zkmq does not understand (first line quoted).
    Unexpected(String),
}

pub fn parse_role(mode: &str) -> Role {
    match mode.trim() {
        "leader" | "leading" => Role::Leader,
        "follower" | "following" => Role::Follower,
        "observer" | "observing" => Role::Observer,
        "standalone" => Role::Standalone,
        _ => Role::NotServing,
    }
}

/// "3.8.0-${mvngit.commit.id}, built on …" → "3.8.0" (Debian's build leaves
/// the placeholder in).
pub fn short_version(v: &str) -> String {
    v.split([',', '-']).next().unwrap_or(v).trim().to_string()
}

fn first_line(s: &str) -> String {
    let l = s.trim().lines().next().unwrap_or("");
    l.chars().take(120).collect()
}

fn refusal_of_text(text: &str) -> Option<Refusal> {
    if text.contains(NOT_SERVING) {
        return Some(Refusal::NotServing);
    }
    if text.contains(NOT_WHITELISTED) {
        return Some(Refusal::Disabled(first_line(text)));
    }
    None
}

/// The four-letter word `srvr`.
pub fn parse_srvr(text: &str) -> Result<Figures, Refusal> {
    if let Some(r) = refusal_of_text(text) {
        return Err(r);
    }
    let mut f = Figures::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "Zookeeper version" => f.version = Some(short_version(value)),
            "Mode" => f.role = Some(parse_role(value)),
            "Zxid" => f.zxid = parse_zxid_hex(value),
            "Node count" => f.znode_count = value.parse().ok(),
            "Connections" => f.connections = value.parse().ok(),
            "Outstanding" => f.outstanding = value.parse().ok(),
            "Latency min/avg/max" => {
                let mut parts = value.split('/').map(|p| p.trim().parse::<f64>().ok());
                f.latency_min = parts.next().flatten();
                f.latency_avg = parts.next().flatten();
                f.latency_max = parts.next().flatten();
            }
            _ => {}
        }
    }
    if f.role.is_none() {
        return Err(Refusal::Unexpected(first_line(text)));
    }
    Ok(f)
}

/// The four-letter word `mntr`: tab-separated `zk_<key>\t<value>` lines.
pub fn parse_mntr(text: &str) -> Result<SlowFigures, Refusal> {
    if let Some(r) = refusal_of_text(text) {
        return Err(r);
    }
    let mut s = SlowFigures::default();
    let mut seen = false;
    for line in text.lines() {
        let Some((key, value)) = line.split_once('\t') else {
            continue;
        };
        let value = value.trim().parse::<u64>().ok();
        seen = true;
        match key.trim() {
            "zk_watch_count" => s.watch_count = value,
            "zk_approximate_data_size" => s.approximate_data_size = value,
            "zk_synced_followers" => s.synced_followers = value,
            "zk_uptime" => s.uptime_ms = value,
            _ => {}
        }
    }
    if !seen {
        return Err(Refusal::Unexpected(first_line(text)));
    }
    Ok(s)
}

fn json_u64(v: &serde_json::Value, key: &str) -> Option<u64> {
    v.get(key).and_then(|x| {
        x.as_u64()
            .or_else(|| x.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
    })
}

fn json_f64(v: &serde_json::Value, key: &str) -> Option<f64> {
    v.get(key).and_then(|x| x.as_f64())
}

/// An AdminServer answer: HTTP 200 with `"error": null` is good; a non-null
/// error or HTTP 500 (which ZooKeeper 3.8 sends as an HTML page when it has
/// no quorum) is a refusal.
pub fn admin_body(status: u16, body: &str) -> Result<serde_json::Value, Refusal> {
    if let Some(r) = refusal_of_text(body) {
        return Err(r);
    }
    if status == 500 {
        // The HTML page of a member without quorum; nothing else answers 500.
        return Err(Refusal::NotServing);
    }
    if status != 200 {
        return Err(Refusal::Unexpected(format!("HTTP {status}")));
    }
    let v: serde_json::Value = serde_json::from_str(body)
        .map_err(|_| Refusal::Unexpected(format!("not JSON: {}", first_line(body))))?;
    match v.get("error") {
        Some(serde_json::Value::Null) | None => Ok(v),
        Some(e) => {
            let text = e
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| e.to_string());
            Err(refusal_of_text(&text).unwrap_or(Refusal::Unexpected(text)))
        }
    }
}

/// AdminServer `/commands/srvr` (JSON).
pub fn parse_admin_srvr(v: &serde_json::Value) -> Result<Figures, Refusal> {
    let stats = v
        .get("server_stats")
        .ok_or_else(|| Refusal::Unexpected("srvr without server_stats".into()))?;
    let role = stats
        .get("server_state")
        .and_then(|s| s.as_str())
        .map(parse_role)
        .ok_or_else(|| Refusal::Unexpected("srvr without server_state".into()))?;
    Ok(Figures {
        role: Some(role),
        zxid: json_u64(stats, "last_processed_zxid"),
        latency_min: json_f64(stats, "min_latency"),
        latency_avg: json_f64(stats, "avg_latency"),
        latency_max: json_f64(stats, "max_latency"),
        outstanding: json_u64(stats, "outstanding_requests"),
        connections: json_u64(stats, "num_alive_client_connections"),
        znode_count: json_u64(v, "node_count"),
        version: v.get("version").and_then(|s| s.as_str()).map(short_version),
        uptime_ms: json_u64(stats, "uptime"),
    })
}

/// AdminServer `/commands/monitor` (JSON, the `mntr` keys without `zk_`).
pub fn parse_admin_monitor(v: &serde_json::Value) -> SlowFigures {
    SlowFigures {
        watch_count: json_u64(v, "watch_count"),
        approximate_data_size: json_u64(v, "approximate_data_size"),
        synced_followers: json_u64(v, "synced_followers"),
        uptime_ms: json_u64(v, "uptime"),
    }
}

// ---------------------------------------------------------------------------
// Membership

/// One `server.N=` line of `/zookeeper/config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigMember {
    pub id: u64,
    pub learner_type: LearnerType,
    /// Client "host:port" when the line has the `;host:port` suffix.
    pub client_address: Option<String>,
    /// Quorum host, used when the client address has no host.
    pub host: String,
}

/// Parses the dynamic config text:
/// `server.1=10.0.0.1:2888:3888:participant;0.0.0.0:2181` (role, client
/// address and its host are each optional; `|` separates alternative
/// addresses from 3.6 on, the first is used).
pub fn parse_dynamic_config(text: &str) -> Vec<ConfigMember> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once('=') else {
            continue;
        };
        let Some(id) = key.strip_prefix("server.").and_then(|n| n.parse().ok()) else {
            continue;
        };
        let (server, client) = match value.split_once(';') {
            Some((s, c)) => (s, Some(c.trim())),
            None => (value, None),
        };
        let server = server.split('|').next().unwrap_or(server);
        let mut learner_type = LearnerType::Participant;
        let mut server_part = server;
        if let Some((rest, role)) = server.rsplit_once(':') {
            match role {
                "observer" => {
                    learner_type = LearnerType::Observer;
                    server_part = rest;
                }
                "participant" => server_part = rest,
                _ => {}
            }
        }
        // host:quorumPort:electionPort
        let host = server_part
            .rsplitn(3, ':')
            .nth(2)
            .unwrap_or(server_part)
            .to_string();
        let client_address = client
            .filter(|c| !c.is_empty())
            .map(|c| match c.rsplit_once(':') {
                // 0.0.0.0 means "every interface": reach it through the quorum host.
                Some(("0.0.0.0", port)) | Some(("", port)) => format!("{host}:{port}"),
                Some(_) => c.to_string(),
                None => format!("{host}:{c}"),
            });
        out.push(ConfigMember {
            id,
            learner_type,
            client_address,
            host,
        });
    }
    out.sort_by_key(|m| m.id);
    out
}

/// The members to probe: those in the ensemble config (with their id and
/// type) followed by configured hosts the config does not list.
pub fn merge_members(config: &[ConfigMember], hosts: &[String]) -> Vec<MemberState> {
    let mut out: Vec<MemberState> = config
        .iter()
        .map(|c| MemberState {
            server_id: Some(c.id),
            address: c
                .client_address
                .clone()
                .unwrap_or_else(|| format!("{} (no client address in config)", c.host)),
            learner_type: Some(c.learner_type),
            ..Default::default()
        })
        .collect();
    for h in hosts {
        if !out.iter().any(|m| &m.address == h) {
            out.push(MemberState {
                address: h.clone(),
                ..Default::default()
            });
        }
    }
    out
}

/// Applies one probe's figures to a member; a version or uptime the probe
/// could not tell stays as last known.
pub fn apply_figures(m: &mut MemberState, f: Figures) {
    let (version, uptime) = (m.figures.version.take(), m.figures.uptime_ms);
    m.figures = f;
    m.figures.version = m.figures.version.take().or(version);
    m.figures.uptime_ms = m.figures.uptime_ms.or(uptime);
}

pub fn apply_slow(m: &mut MemberState, s: &SlowFigures) {
    m.slow = s.clone();
    // Only the leader reports synced followers.
    if m.figures.role != Some(Role::Leader) {
        m.slow.synced_followers = None;
    }
    if m.figures.uptime_ms.is_none() {
        m.figures.uptime_ms = s.uptime_ms;
    }
}

// ---------------------------------------------------------------------------
// Quorum and leader

/// The serving leader with the highest zxid (two can briefly claim it while
/// an old leader has not noticed it lost the quorum).
pub fn leader_of(members: &[MemberState]) -> Option<&MemberState> {
    members
        .iter()
        .filter(|m| m.figures.role == Some(Role::Leader))
        .max_by_key(|m| m.figures.zxid.unwrap_or(0))
}

/// Fills every member's lag behind the leader.
pub fn fill_lag(members: &mut [MemberState]) {
    let leader_zxid = leader_of(members).and_then(|l| l.figures.zxid);
    for m in members.iter_mut() {
        m.lag = match (m.figures.zxid, leader_zxid) {
            (Some(z), Some(l)) if m.role().is_serving() => Some(zxid_lag(z, l)),
            _ => None,
        };
    }
}

pub fn quorum(members: &[MemberState]) -> Quorum {
    // With the ensemble config known, hosts it does not list are not voters.
    let config_known = members.iter().any(|m| m.learner_type.is_some());
    let voters: Vec<&MemberState> = members
        .iter()
        .filter(|m| m.is_voter() && (!config_known || m.learner_type.is_some()))
        .collect();
    let needed = voters.len() / 2 + 1;
    let voters_up = voters.iter().filter(|m| m.role().is_up()).count();
    let voters_serving = voters.iter().filter(|m| m.role().is_serving()).count();
    let mut q = Quorum {
        voters: voters.len(),
        voters_up,
        voters_serving,
        needed,
        can_lose: 0,
        state: QuorumState::Healthy,
    };
    if members
        .iter()
        .any(|m| m.figures.role == Some(Role::Standalone))
    {
        q.state = QuorumState::Standalone;
        q.needed = 1;
        return q;
    }
    let known = voters
        .iter()
        .filter(|m| !matches!(m.figures.role, None | Some(Role::Unknown)))
        .count();
    if voters_up < needed {
        q.state = QuorumState::Lost;
    } else if known == 0
        || voters.iter().any(|m| m.figures.role == Some(Role::Unknown))
            && leader_of(members).is_none()
    {
        // Up, but the roles cannot be read: assume nothing about the leader.
        q.state = QuorumState::Unknown;
        q.can_lose = voters_up - needed;
    } else if leader_of(members).is_some() && voters_serving >= needed {
        q.can_lose = voters_serving - needed;
    } else {
        q.state = QuorumState::Electing;
    }
    q
}

/// The health line: "3 of 3 voting members up; can lose 1 more".
pub fn quorum_summary(q: &Quorum) -> String {
    let up = format!("{} of {} voting members up", q.voters_up, q.voters);
    match q.state {
        QuorumState::Healthy => match q.can_lose {
            0 => format!("{up}; cannot lose any more"),
            k => format!("{up}; can lose {k} more"),
        },
        QuorumState::Electing => format!(
            "{up}; no leader yet — an election is running ({} serving, {} needed)",
            q.voters_serving, q.needed
        ),
        QuorumState::Lost => format!("Quorum lost: {up}, {} needed", q.needed),
        QuorumState::Standalone => "Standalone server: no quorum, no failover".into(),
        QuorumState::Unknown => format!("{up}; roles unknown (see below)"),
    }
}

/// What the history store must do after a probe round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaderEvent {
    /// The leader is gone and none has replaced it yet.
    Lost {
        at_ms: i64,
        old: Option<(String, u32)>,
    },
    /// A (new) leader serves. `leaderless_ms` is `Some(0)` when the switch
    /// happened between two probes, `None` when zkmq was not watching.
    Elected {
        at_ms: i64,
        old: Option<(String, u32)>,
        new: (String, u32),
        leaderless_ms: Option<u64>,
    },
    /// The same leader in the same epoch is back after a probe missed it:
    /// no election happened, forget the open `Lost`.
    Restored,
}

/// Follows the leader across probe rounds (address and epoch).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeaderTracker {
    current: Option<(String, u32)>,
    last_known: Option<(String, u32)>,
    leaderless_since_ms: Option<i64>,
}

impl LeaderTracker {
    /// `last_known`: the newest leader in the stored history;
    /// `open_since_ms`: set when that history ends in an open `Lost`.
    pub fn resume(last_known: Option<(String, u32)>, open_since_ms: Option<i64>) -> Self {
        LeaderTracker {
            current: None,
            last_known,
            leaderless_since_ms: open_since_ms,
        }
    }

    pub fn observe(&mut self, now_ms: i64, seen: Option<(String, u32)>) -> Option<LeaderEvent> {
        match seen {
            None => {
                if let Some(old) = self.current.take() {
                    self.leaderless_since_ms = Some(now_ms);
                    self.last_known = Some(old.clone());
                    return Some(LeaderEvent::Lost {
                        at_ms: now_ms,
                        old: Some(old),
                    });
                }
                None
            }
            Some(new) => {
                let event = match (&self.current, self.leaderless_since_ms) {
                    (Some(cur), _) if *cur == new => None,
                    (Some(cur), _) => Some(LeaderEvent::Elected {
                        at_ms: now_ms,
                        old: Some(cur.clone()),
                        new: new.clone(),
                        leaderless_ms: Some(0),
                    }),
                    (None, Some(since)) if self.last_known.as_ref() == Some(&new) => {
                        let _ = since;
                        Some(LeaderEvent::Restored)
                    }
                    (None, Some(since)) => Some(LeaderEvent::Elected {
                        at_ms: now_ms,
                        old: self.last_known.clone(),
                        new: new.clone(),
                        leaderless_ms: Some((now_ms - since).max(0) as u64),
                    }),
                    (None, None) => match &self.last_known {
                        Some(k) if *k != new => Some(LeaderEvent::Elected {
                            at_ms: now_ms,
                            old: Some(k.clone()),
                            new: new.clone(),
                            leaderless_ms: None,
                        }),
                        _ => None,
                    },
                };
                self.current = Some(new.clone());
                self.last_known = Some(new);
                self.leaderless_since_ms = None;
                event
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Sparklines

/// Width of one sparkline bucket and how many are kept (15 minutes).
pub const BUCKET_MS: i64 = 10_000;
pub const BUCKETS_KEPT: usize = 90;

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bucket {
    pub at_ms: i64,
    lat_sum: f64,
    lat_n: u32,
    outstanding: Option<u64>,
}

/// Adds one sample to a member's ring of buckets, dropping the oldest.
pub fn add_sample(
    ring: &mut VecDeque<Bucket>,
    at_ms: i64,
    latency_avg: Option<f64>,
    outstanding: Option<u64>,
) {
    let start = at_ms - at_ms.rem_euclid(BUCKET_MS);
    if ring.back().is_none_or(|b| b.at_ms != start) {
        ring.push_back(Bucket {
            at_ms: start,
            ..Default::default()
        });
        while ring.len() > BUCKETS_KEPT {
            ring.pop_front();
        }
    }
    if let Some(b) = ring.back_mut() {
        if let Some(l) = latency_avg {
            b.lat_sum += l;
            b.lat_n += 1;
        }
        if let Some(o) = outstanding {
            b.outstanding = Some(b.outstanding.map_or(o, |x| x.max(o)));
        }
    }
}

pub fn series_points(ring: &VecDeque<Bucket>) -> Vec<SeriesPoint> {
    ring.iter()
        .map(|b| SeriesPoint {
            at_ms: b.at_ms,
            latency_avg: (b.lat_n > 0).then(|| b.lat_sum / f64::from(b.lat_n)),
            outstanding: b.outstanding,
        })
        .collect()
}

/// SVG polyline points for a sparkline `w`×`h`, scaled to the largest value
/// (at least `floor`, so an idle member draws a flat line at the bottom).
/// Gaps (no value) break nothing: they are skipped.
pub fn sparkline_points(values: &[Option<f64>], w: f64, h: f64, floor: f64) -> String {
    let max = values.iter().flatten().fold(floor, |a, b| a.max(*b));
    let n = values.len().max(2) as f64 - 1.0;
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            v.map(|v| {
                format!(
                    "{:.1},{:.1}",
                    i as f64 / n * w,
                    h - (v / max * (h - 2.0)) - 1.0
                )
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------
// Kafka registered in the ensemble

/// `<chroot>/brokers/ids/<id>` data.
pub fn parse_broker_registration(id: i32, data: &[u8]) -> KafkaBroker {
    let v: serde_json::Value = serde_json::from_slice(data).unwrap_or_default();
    KafkaBroker {
        id,
        host: v.get("host").and_then(|h| h.as_str()).map(str::to_string),
        port: v.get("port").and_then(|p| p.as_i64()).map(|p| p as i32),
        rack: v.get("rack").and_then(|r| r.as_str()).map(str::to_string),
        endpoints: v
            .get("endpoints")
            .and_then(|e| e.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// `<chroot>/controller` data: `{"version":2,"brokerid":1,…}`.
pub fn parse_controller(data: &[u8]) -> Option<i32> {
    let v: serde_json::Value = serde_json::from_slice(data).ok()?;
    v.get("brokerid")?.as_i64().map(|i| i as i32)
}

/// `<chroot>/cluster/id` data: `{"version":"1","id":"…"}`.
pub fn parse_kafka_cluster_id(data: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(data).ok()?;
    v.get("id")?.as_str().map(str::to_string)
}

fn normal_chroot(c: Option<&str>) -> String {
    match c.map(|c| c.trim_end_matches('/')) {
        None | Some("") => "/".into(),
        Some(c) if c.starts_with('/') => c.to_string(),
        Some(c) => format!("/{c}"),
    }
}

/// The configured Kafka cluster registered at `chroot` of ensemble `zk`:
/// named by its `zookeeper`/`zookeeper_chroot` settings, else by a bootstrap
/// address among the brokers' endpoints.
pub fn link_kafka(
    zk: &str,
    chroot: &str,
    brokers: &[KafkaBroker],
    configured: &[KafkaLinkInfo],
) -> Option<ClusterRef> {
    let by_config = configured.iter().find(|k| {
        k.zookeeper.as_deref() == Some(zk) && normal_chroot(k.chroot.as_deref()) == chroot
    });
    let by_address = || {
        configured.iter().find(|k| {
            k.bootstrap.iter().any(|b| {
                brokers.iter().any(|br| {
                    br.endpoints
                        .iter()
                        .any(|e| e.rsplit("://").next() == Some(b.as_str()))
                        || br
                            .host
                            .as_ref()
                            .zip(br.port)
                            .is_some_and(|(h, p)| format!("{h}:{p}") == *b)
                })
            })
        })
    };
    by_config.or_else(by_address).map(|k| k.cluster.clone())
}

/// The chroot a Kafka registration lives under: "/" or "/<child>".
pub fn chroot_path(chroot: &str, rest: &str) -> String {
    if chroot == "/" {
        format!("/{rest}")
    } else {
        format!("{chroot}/{rest}")
    }
}

#[cfg(test)]
mod tests;
