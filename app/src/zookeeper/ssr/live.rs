//! Live znode updates for one browser page: one-shot ZooKeeper watches on the
//! znodes the page shows, re-armed after each event, within a budget.
//!
//! One-shot watches (not persistent ones) on purpose: zookeeper-client 0.11
//! re-registers one-shot watches after reconnecting to another member but
//! silently drops persistent ones. When the session itself expires, the loop
//! builds on a fresh session and re-reads, so nothing is missed for long.

use super::super::logic::join;
use super::super::model::{
    LiveEvent, SEARCH_HIT_LIMIT, SEARCH_NODE_BUDGET, SEARCH_TIME_BUDGET_MS, WATCH_BUDGET,
};
use super::ZkCluster;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use zookeeper_client as zk;

pub struct WatchSession {
    zk: Arc<ZkCluster>,
    events: mpsc::Sender<LiveEvent>,
    watches: HashMap<String, JoinHandle<()>>,
    search: Option<JoinHandle<()>>,
}

impl WatchSession {
    pub fn new(zk: Arc<ZkCluster>, events: mpsc::Sender<LiveEvent>) -> Self {
        WatchSession {
            zk,
            events,
            watches: HashMap::new(),
            search: None,
        }
    }

    pub fn len(&self) -> usize {
        self.watches.len()
    }

    pub fn is_empty(&self) -> bool {
        self.watches.is_empty()
    }

    /// Sends without blocking the caller and never drops the event: when the
    /// page's channel is full (a burst of `Watching` and change events), a
    /// task waits for room.
    fn tell(&self, event: LiveEvent) {
        if let Err(mpsc::error::TrySendError::Full(event)) = self.events.try_send(event) {
            let events = self.events.clone();
            tokio::spawn(async move {
                let _ = events.send(event).await;
            });
        }
    }

    /// Starts watching `path` (idempotent). Refusals are sent as events.
    pub fn watch(&mut self, path: String) {
        if self.watches.contains_key(&path) {
            return;
        }
        if let Err(e) = self.zk.check_path("path", &path) {
            self.tell(LiveEvent::Refused {
                path,
                reason: e.to_string(),
            });
            return;
        }
        if self.watches.len() >= WATCH_BUDGET {
            let reason = format!(
                "this page already watches {WATCH_BUDGET} znodes; collapse some tree levels to follow more"
            );
            self.tell(LiveEvent::Refused { path, reason });
            return;
        }
        let task = tokio::spawn(watch_loop(
            self.zk.clone(),
            path.clone(),
            self.events.clone(),
        ));
        self.watches.insert(path, task);
    }

    pub fn unwatch(&mut self, path: &str) {
        if let Some(t) = self.watches.remove(path) {
            t.abort();
        }
    }
}

impl WatchSession {
    /// Starts a name search under `path`, replacing any running one.
    pub fn search(&mut self, id: u32, path: String, pattern: String, regex: bool) {
        if let Some(t) = self.search.take() {
            t.abort();
        }
        let matcher = match Matcher::new(&pattern, regex) {
            Ok(m) => m,
            Err(reason) => {
                self.tell(LiveEvent::SearchFailed { id, reason });
                return;
            }
        };
        if let Err(e) = self.zk.check_path("path", &path) {
            self.tell(LiveEvent::SearchFailed {
                id,
                reason: e.to_string(),
            });
            return;
        }
        self.search = Some(tokio::spawn(search(
            self.zk.clone(),
            id,
            path,
            matcher,
            self.events.clone(),
        )));
    }
}

/// Name matching: case-insensitive substring, or a regex.
enum Matcher {
    Substring(String),
    Regex(regex::Regex),
}

impl Matcher {
    fn new(pattern: &str, regex: bool) -> Result<Matcher, String> {
        if pattern.is_empty() {
            return Err(
                "pattern: is empty; type part of a znode name (or a regular expression)".into(),
            );
        }
        if regex {
            crate::runtime::bounded_regex("pattern", pattern)
                .map(Matcher::Regex)
                .map_err(|e| e.to_string())
        } else {
            crate::fields::check_pattern_len("pattern", pattern).map_err(|e| e.to_string())?;
            Ok(Matcher::Substring(pattern.to_lowercase()))
        }
    }

    fn matches(&self, name: &str) -> bool {
        match self {
            Matcher::Substring(s) => name.to_lowercase().contains(s),
            Matcher::Regex(r) => r.is_match(name),
        }
    }
}

/// Breadth-first walk under `root`, reading each level's children
/// concurrently, sending matches in batches and stopping at the budgets.
async fn search(
    zk: Arc<ZkCluster>,
    id: u32,
    root: String,
    matcher: Matcher,
    events: mpsc::Sender<LiveEvent>,
) {
    let start = std::time::Instant::now();
    // Search what other clients just wrote: zkmq's session may be on a member
    // that lags (a run here saw a walk find 99,001 of 100,002 fresh znodes). One sync
    // of the root catches that member up for the whole walk, as read_subtree does;
    // if it fails, the reads below fail too and say so.
    let _ = zk.sync(&root).await;
    let (mut visited, mut hits) = (0usize, 0usize);
    let mut level = vec![root];
    let mut stopped = None;
    'walk: while !level.is_empty() {
        let mut next = Vec::new();
        for chunk in level.chunks(64) {
            let lists =
                futures::future::join_all(chunk.iter().map(|p| zk.list_all_children(p))).await;
            let mut batch = Vec::new();
            for (parent, kids) in chunk.iter().zip(lists) {
                // A znode deleted meanwhile simply has no children to visit.
                for k in kids.unwrap_or_default() {
                    let child = join(parent, &k);
                    visited += 1;
                    if matcher.matches(&k) && hits < SEARCH_HIT_LIMIT {
                        hits += 1;
                        batch.push(child.clone());
                    }
                    next.push(child);
                }
            }
            let elapsed_ms = start.elapsed().as_millis() as u64;
            if !batch.is_empty()
                && events
                    .send(LiveEvent::SearchHits { id, paths: batch })
                    .await
                    .is_err()
            {
                return;
            }
            if visited >= SEARCH_NODE_BUDGET {
                stopped = Some(format!(
                    "stopped after {SEARCH_NODE_BUDGET} znodes (the node budget)"
                ));
                break 'walk;
            }
            if elapsed_ms >= SEARCH_TIME_BUDGET_MS {
                stopped = Some(format!(
                    "stopped after {} s (the time budget)",
                    SEARCH_TIME_BUDGET_MS / 1000
                ));
                break 'walk;
            }
            if hits >= SEARCH_HIT_LIMIT {
                stopped = Some(format!("stopped at {SEARCH_HIT_LIMIT} matches"));
                break 'walk;
            }
            let progress = LiveEvent::SearchProgress {
                id,
                visited,
                hits,
                elapsed_ms,
                done: false,
                stopped: None,
            };
            if events.send(progress).await.is_err() {
                return;
            }
        }
        level = next;
    }
    let elapsed_ms = start.elapsed().as_millis() as u64;
    let _ = events
        .send(LiveEvent::SearchProgress {
            id,
            visited,
            hits,
            elapsed_ms,
            done: true,
            stopped,
        })
        .await;
}

impl Drop for WatchSession {
    fn drop(&mut self) {
        if let Some(t) = self.search.take() {
            t.abort();
        }
        for (_, t) in self.watches.drain() {
            t.abort();
        }
    }
}

/// Arms an exists watch (data changes, creation, deletion) and, when the
/// znode exists, a children watch; reports whichever fires and re-arms.
/// Waits `backoff`, returns the next one (doubling, at most 5 s).
async fn pause(backoff: Duration) -> Duration {
    tokio::time::sleep(backoff).await;
    (backoff * 2).min(Duration::from_secs(5))
}

async fn watch_loop(zk: Arc<ZkCluster>, path: String, events: mpsc::Sender<LiveEvent>) {
    let mut backoff = Duration::from_millis(200);
    let mut placed = false;
    loop {
        let Ok(client) = zk.client().await else {
            backoff = pause(backoff).await;
            continue;
        };
        let stat_watch = client.check_and_watch_stat(&path).await;
        let children_watch = match &stat_watch {
            Ok((Some(_), _)) => client.get_and_watch_children(&path).await.ok(),
            _ => None,
        };
        let Ok((stat, stat_watcher)) = stat_watch else {
            backoff = pause(backoff).await;
            continue;
        };
        backoff = Duration::from_millis(200);
        // Once: the page compares these with what it read before the watch
        // was in place (later changes arrive as events).
        if !placed {
            placed = true;
            let watching = LiveEvent::Watching {
                path: path.clone(),
                mzxid: stat.as_ref().map_or(0, |s| s.mzxid),
                // From the children read, which came after the stat read.
                pzxid: children_watch
                    .as_ref()
                    .map(|(_, s, _)| s.pzxid)
                    .or(stat.as_ref().map(|s| s.pzxid))
                    .unwrap_or(0),
            };
            if events.send(watching).await.is_err() {
                return;
            }
        }
        let children_watch = children_watch.map(|(_, _, w)| w);
        let event = match children_watch {
            Some(cw) => tokio::select! { e = stat_watcher.changed() => e, e = cw.changed() => e },
            None => stat_watcher.changed().await,
        };
        let what = match event.event_type {
            zk::EventType::NodeDataChanged => "data",
            zk::EventType::NodeChildrenChanged => "children",
            zk::EventType::NodeCreated => "created",
            zk::EventType::NodeDeleted => "deleted",
            // Session expired or closed: re-arm on a new session and tell the
            // page to re-read, since changes may have been missed meanwhile.
            zk::EventType::Session => "session",
        };
        if events
            .send(LiveEvent::Changed {
                path: path.clone(),
                what: what.into(),
            })
            .await
            .is_err()
        {
            return; // the page went away
        }
    }
}
