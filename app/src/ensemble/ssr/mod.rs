//! The ensemble monitor (server only): one per configured ensemble, running
//! for as long as zkmq does so leader changes are recorded even when nobody
//! has the page open.
//!
//! Two loops share its state. The fast loop probes every member each
//! `monitor_interval_ms` (roles, zxids, latency) and publishes a snapshot on
//! a watch channel; the slow loop (every 5 s) reads the membership from
//! `/zookeeper/config`, the slow figures (`mntr`) and the Kafka registrations
//! through the shared session. They are separate so that a session stuck
//! reconnecting never delays the role probes.

pub mod history;
pub mod probe;

use super::logic::{
    Bucket, ConfigMember, ENABLE_4LW, ENABLE_ADMIN, KafkaLinkInfo, LeaderTracker, add_sample,
    apply_figures, apply_slow, chroot_path, fill_lag, leader_of, link_kafka, merge_members,
    parse_broker_registration, parse_controller, parse_dynamic_config, parse_kafka_cluster_id,
    quorum, series_points, zxid_epoch,
};
use super::model::{
    EnsembleSnapshot, KafkaInZk, MemberSeries, MemberState, QuorumState, SlowFigures, Source,
};
use crate::clusters::logic::unreachable_status;
use crate::clusters::model::{ClusterStatus, Reachability};
use crate::error::AppError;
use crate::runtime::{elapsed_ms, now_rfc3339};
use crate::zookeeper::ssr::{AdminEndpoints, ZkCluster};
use history::LeaderHistory;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

const SLOW_EVERY: Duration = Duration::from_secs(5);
/// Kafka chroots are looked for again every this many slow rounds (30 s).
const KAFKA_REDISCOVER: u64 = 6;
/// Top-level znodes checked for a Kafka chroot.
const KAFKA_CANDIDATES: usize = 100;

#[derive(Default)]
struct SlowState {
    config: Option<Vec<ConfigMember>>,
    membership_note: Option<String>,
    figures: HashMap<String, SlowFigures>,
    kafka: Vec<KafkaInZk>,
    kafka_chroots: Vec<String>,
}

struct FastState {
    tracker: LeaderTracker,
    rings: HashMap<String, VecDeque<Bucket>>,
    round: u64,
    history_version: u64,
}

pub struct EnsembleMonitor {
    zk: Arc<ZkCluster>,
    admin: AdminEndpoints,
    interval: Duration,
    timeout: Duration,
    http: reqwest::Client,
    history: LeaderHistory,
    kafka_links: Vec<KafkaLinkInfo>,
    tx: watch::Sender<EnsembleSnapshot>,
    slow: Mutex<SlowState>,
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

impl EnsembleMonitor {
    pub fn new(
        zk: Arc<ZkCluster>,
        history: LeaderHistory,
        kafka_links: Vec<KafkaLinkInfo>,
    ) -> Result<Self, String> {
        let settings = zk.monitor_settings();
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()
            .map_err(|e| format!("cannot build the AdminServer HTTP client: {e}"))?;
        let members = merge_members(&[], zk.hosts());
        let snapshot = EnsembleSnapshot {
            cluster: zk.cluster_ref(),
            round: 0,
            at: now_rfc3339(),
            probe_interval_ms: settings.interval.as_millis() as u64,
            quorum: quorum(&members),
            members,
            leader: None,
            epoch: None,
            membership: "zkmq's configured hosts".into(),
            blind_spots: Vec::new(),
            kafka: Vec::new(),
            history_version: 0,
            series: Vec::new(),
        };
        Ok(EnsembleMonitor {
            admin: settings.admin,
            interval: settings.interval,
            timeout: settings.timeout,
            zk,
            http,
            history,
            kafka_links,
            tx: watch::Sender::new(snapshot),
            slow: Mutex::new(SlowState::default()),
        })
    }

    pub fn id(&self) -> &str {
        self.zk.id()
    }

    pub fn cluster_ref(&self) -> crate::clusters::model::ClusterRef {
        self.zk.cluster_ref()
    }

    pub fn history(&self) -> &LeaderHistory {
        &self.history
    }

    pub fn subscribe(&self) -> watch::Receiver<EnsembleSnapshot> {
        self.tx.subscribe()
    }

    pub fn snapshot(&self) -> EnsembleSnapshot {
        self.tx.borrow().clone()
    }

    /// The latest snapshot, waiting (bounded) for the first probe round so a
    /// freshly started console does not render an empty page.
    pub async fn current(&self) -> EnsembleSnapshot {
        let mut rx = self.tx.subscribe();
        let _ = tokio::time::timeout(self.timeout * 3, rx.wait_for(|s| s.round > 0)).await;
        self.snapshot()
    }

    /// Starts both loops; they end when `shutdown` flips.
    pub fn start(self: Arc<Self>, shutdown: watch::Receiver<bool>) {
        let me = self.clone();
        let mut stop = shutdown.clone();
        tokio::spawn(async move {
            let (last, open) = match me.history.resume_point(me.id()).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(cluster.id = %me.id(), error = %e, "cannot read the leader history; starting without it");
                    (None, None)
                }
            };
            let mut fast = FastState {
                tracker: LeaderTracker::resume(last, open),
                rings: HashMap::new(),
                round: 0,
                history_version: 0,
            };
            // One slow round first (bounded), so the first snapshot has the membership.
            let _ = tokio::time::timeout(me.timeout * 2, me.slow_round(0)).await;
            let slow = me.clone();
            let mut slow_stop = stop.clone();
            tokio::spawn(async move {
                let mut n = 1u64;
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(SLOW_EVERY) => {}
                        _ = slow_stop.changed() => break,
                    }
                    slow.slow_round(n).await;
                    n += 1;
                }
            });
            let mut ticker = tokio::time::interval(me.interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticker.tick() => {}
                    _ = stop.changed() => break,
                }
                me.fast_round(&mut fast).await;
            }
        });
    }

    async fn fast_round(&self, st: &mut FastState) {
        let (mut members, slow_figures, membership_note, kafka) = {
            let slow = self.slow.lock().unwrap_or_else(|p| p.into_inner());
            (
                merge_members(slow.config.as_deref().unwrap_or(&[]), self.zk.hosts()),
                slow.figures.clone(),
                slow.membership_note.clone(),
                slow.kafka.clone(),
            )
        };
        let probes = members.iter().map(|m| {
            let admin = self.admin.url_for(&m.address);
            let address = m.address.clone();
            let http = &self.http;
            let timeout = self.timeout;
            async move { probe::probe_member(http, &address, admin.as_deref(), timeout).await }
        });
        let results = futures::future::join_all(probes).await;
        let mut blind: Vec<String> = Vec::new();
        let mut no_source = Vec::new();
        let mut no_slow = Vec::new();
        for (m, r) in members.iter_mut().zip(results) {
            if let Some(f) = r.figures {
                apply_figures(m, f);
            }
            m.figures.role = Some(r.role);
            m.source = Some(r.source);
            m.error = r.error;
            m.probe_ms = r.probe_ms;
            if r.role.is_serving() {
                match slow_figures.get(&m.address) {
                    Some(s) => apply_slow(m, s),
                    None => no_slow.push(m.address.clone()),
                }
            }
            if r.source == Source::TcpOnly {
                no_source.push(m.address.clone());
            }
        }
        if !no_source.is_empty() {
            blind.push(format!(
                "Role, zxid, latency and counts of {} are unknown: no AdminServer answered and the four-letter words are disabled. Enable either: {ENABLE_ADMIN}; or {ENABLE_4LW}.",
                no_source.join(", ")
            ));
        }
        if !no_slow.is_empty() && st.round > 0 {
            blind.push(format!(
                "Watch count, data size and synced followers of {} need the AdminServer's monitor command or the mntr four-letter word ({ENABLE_4LW}).",
                no_slow.join(", ")
            ));
        }
        if let Some(note) = membership_note {
            blind.push(note);
        }
        fill_lag(&mut members);
        let q = quorum(&members);
        let leader = leader_of(&members)
            .map(|l| (l.address.clone(), zxid_epoch(l.figures.zxid.unwrap_or(0))));
        let now = now_ms();
        if let Some(event) = st.tracker.observe(now, leader.clone()) {
            tracing::info!(cluster.id = %self.id(), ?event, "ensemble leader change");
            match self.history.record(self.id(), &event).await {
                Ok(()) => st.history_version += 1,
                Err(e) => {
                    tracing::error!(cluster.id = %self.id(), error = %e, "cannot store the leader change")
                }
            }
        }
        for m in &members {
            let ring = st.rings.entry(m.address.clone()).or_default();
            add_sample(ring, now, m.figures.latency_avg, m.figures.outstanding);
        }
        st.rings
            .retain(|a, _| members.iter().any(|m| &m.address == a));
        let series = members
            .iter()
            .map(|m| MemberSeries {
                address: m.address.clone(),
                points: st
                    .rings
                    .get(&m.address)
                    .map(series_points)
                    .unwrap_or_default(),
            })
            .collect();
        st.round += 1;
        let membership = if members.iter().any(|m| m.learner_type.is_some()) {
            "/zookeeper/config".to_string()
        } else {
            "zkmq's configured hosts".to_string()
        };
        let snapshot = EnsembleSnapshot {
            cluster: self.zk.cluster_ref(),
            round: st.round,
            at: now_rfc3339(),
            probe_interval_ms: self.interval.as_millis() as u64,
            quorum: q,
            leader: leader.as_ref().map(|l| l.0.clone()),
            epoch: leader.map(|l| l.1),
            members,
            membership,
            blind_spots: blind,
            kafka,
            history_version: st.history_version,
            series,
        };
        let old = self.tx.borrow().quorum.state;
        if old != snapshot.quorum.state {
            tracing::info!(cluster.id = %self.id(), from = ?old, to = ?snapshot.quorum.state, "ensemble quorum state changed");
        }
        self.tx.send_replace(snapshot);
    }

    async fn slow_round(&self, n: u64) {
        // Membership: /zookeeper/config through the session.
        let (config, note) = match self.zk.get_data("/zookeeper/config").await {
            Ok(Some(data)) => {
                let parsed = parse_dynamic_config(&String::from_utf8_lossy(&data));
                if parsed.is_empty() {
                    (None, None)
                } else {
                    (Some(parsed), None)
                }
            }
            Ok(None) => (None, None),
            Err(e) => (
                None,
                Some(format!(
                    "Membership could not be read from /zookeeper/config ({e}); showing the last known members."
                )),
            ),
        };
        let members: Vec<MemberState> = {
            let mut slow = self.slow.lock().unwrap_or_else(|p| p.into_inner());
            if config.is_some() {
                slow.config = config;
            }
            slow.membership_note = if slow.config.is_some() || note.is_none() {
                // A failed read with a known membership is visible enough in the roles.
                None
            } else {
                note
            };
            merge_members(slow.config.as_deref().unwrap_or(&[]), self.zk.hosts())
        };
        let figures = futures::future::join_all(members.iter().map(|m| {
            let admin = self.admin.url_for(&m.address);
            let address = m.address.clone();
            async move {
                let f =
                    probe::probe_slow(&self.http, &address, admin.as_deref(), self.timeout).await;
                (address, f)
            }
        }))
        .await;
        let rediscover = n.is_multiple_of(KAFKA_REDISCOVER);
        let chroots = {
            let slow = self.slow.lock().unwrap_or_else(|p| p.into_inner());
            slow.kafka_chroots.clone()
        };
        let chroots = if rediscover || chroots.is_empty() && n.is_multiple_of(2) {
            self.kafka_chroots().await.unwrap_or(chroots)
        } else {
            chroots
        };
        let kafka = self.read_kafka(&chroots).await;
        let mut slow = self.slow.lock().unwrap_or_else(|p| p.into_inner());
        slow.figures = figures
            .into_iter()
            .filter_map(|(a, f)| f.map(|f| (a, f)))
            .collect();
        slow.kafka_chroots = chroots;
        if let Some(k) = kafka {
            slow.kafka = k;
        }
    }

    /// Where ZooKeeper-mode Kafka clusters register: "/" and top-level znodes
    /// with `brokers/ids` under them, plus chroots named in zkmq's Kafka config.
    async fn kafka_chroots(&self) -> Option<Vec<String>> {
        let mut candidates = vec!["/".to_string()];
        let top = self.zk.list_all_children("/").await.ok()?;
        candidates.extend(
            top.into_iter()
                .filter(|c| c != "zookeeper")
                .take(KAFKA_CANDIDATES)
                .map(|c| format!("/{c}")),
        );
        for k in &self.kafka_links {
            if k.zookeeper.as_deref() == Some(self.id())
                && let Some(c) = &k.chroot
            {
                let c = c.trim_end_matches('/').to_string();
                if !c.is_empty() && !candidates.contains(&c) {
                    candidates.push(c);
                }
            }
        }
        let checks = candidates.into_iter().map(|c| async move {
            let path = chroot_path(&c, "brokers/ids");
            match self.zk.get_data(&path).await {
                Ok(Some(_)) => Some(c),
                _ => None,
            }
        });
        Some(
            futures::future::join_all(checks)
                .await
                .into_iter()
                .flatten()
                .collect(),
        )
    }

    /// Brokers, controller and cluster id of each chroot; `None` when the
    /// session is unusable (the last known panel stays).
    async fn read_kafka(&self, chroots: &[String]) -> Option<Vec<KafkaInZk>> {
        let mut out = Vec::new();
        for chroot in chroots {
            let ids = match self
                .zk
                .list_all_children(&chroot_path(chroot, "brokers/ids"))
                .await
            {
                Ok(ids) => ids,
                Err(AppError::NotFound { .. }) => continue,
                Err(_) => return None,
            };
            let mut brokers = futures::future::join_all(
                ids.iter().filter_map(|i| i.parse::<i32>().ok()).map(|id| {
                    let path = chroot_path(chroot, &format!("brokers/ids/{id}"));
                    async move {
                        let data = self.zk.get_data(&path).await.ok().flatten()?;
                        Some(parse_broker_registration(id, &data))
                    }
                }),
            )
            .await
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
            brokers.sort_by_key(|b| b.id);
            let read = |rest: &str| {
                let path = chroot_path(chroot, rest);
                async move { self.zk.get_data(&path).await.ok().flatten() }
            };
            let controller = read("controller").await.and_then(|d| parse_controller(&d));
            let cluster_id = read("cluster/id")
                .await
                .and_then(|d| parse_kafka_cluster_id(&d));
            let linked = link_kafka(self.id(), chroot, &brokers, &self.kafka_links);
            out.push(KafkaInZk {
                chroot: chroot.clone(),
                cluster_id,
                controller,
                brokers,
                linked,
            });
        }
        Some(out)
    }

    /// The Overview's probe: the latest snapshot plus one real round trip
    /// through the session (a quorum on paper is not a working session).
    pub async fn probe(&self) -> ClusterStatus {
        let snap = self.snapshot();
        let cluster = self.zk.cluster_ref();
        let version = snap.members.iter().find_map(|m| m.figures.version.clone());
        let start = Instant::now();
        let rtt = self.zk.get_data("/").await;
        let checked_at = now_rfc3339();
        let serving = snap
            .members
            .iter()
            .filter(|m| m.role().is_serving())
            .count();
        let total = snap.members.len();
        let detail = match &snap.leader {
            Some(l) => format!("{serving} of {total} members serving, leader {l}"),
            None => format!("{serving} of {total} members serving"),
        };
        let down = match (&rtt, snap.quorum.state) {
            (Err(e), _) => Some(format!("{detail}; {e}")),
            (Ok(_), QuorumState::Lost) => Some(format!("{detail}; quorum lost")),
            (Ok(_), _) => None,
        };
        if let Some(why) = down {
            return ClusterStatus {
                version,
                ..unreachable_status(cluster, why, checked_at)
            };
        }
        let state = snap.quorum.state;
        ClusterStatus {
            cluster,
            reachability: if state == QuorumState::Healthy && serving == total
                || state == QuorumState::Standalone
            {
                Reachability::Reachable
            } else {
                Reachability::Degraded
            },
            version,
            latency_ms: Some(elapsed_ms(start)),
            detail,
            checked_at,
        }
    }
}
