//! Live znode updates for one browser page: one-shot ZooKeeper watches on the
//! znodes the page shows, re-armed after each event, within a budget.
//!
//! One-shot watches (not persistent ones) on purpose: zookeeper-client 0.11
//! re-registers one-shot watches after reconnecting to another member but
//! silently drops persistent ones. When the session itself expires, the loop
//! builds on a fresh session and re-reads, so nothing is missed for long.

use super::super::logic::validate_path;
use super::super::model::{LiveEvent, WATCH_BUDGET};
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
}

impl WatchSession {
    pub fn new(zk: Arc<ZkCluster>, events: mpsc::Sender<LiveEvent>) -> Self {
        WatchSession {
            zk,
            events,
            watches: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.watches.len()
    }

    pub fn is_empty(&self) -> bool {
        self.watches.is_empty()
    }

    /// Starts watching `path` (idempotent). Refusals are sent as events.
    pub fn watch(&mut self, path: String) {
        if self.watches.contains_key(&path) {
            return;
        }
        if let Err(e) = validate_path("path", &path) {
            let _ = self.events.try_send(LiveEvent::Refused {
                path,
                reason: e.to_string(),
            });
            return;
        }
        if self.watches.len() >= WATCH_BUDGET {
            let reason = format!(
                "this page already watches {WATCH_BUDGET} znodes; collapse some tree levels to follow more"
            );
            let _ = self.events.try_send(LiveEvent::Refused { path, reason });
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

impl Drop for WatchSession {
    fn drop(&mut self) {
        for (_, t) in self.watches.drain() {
            t.abort();
        }
    }
}

/// Arms an exists watch (data changes, creation, deletion) and, when the
/// znode exists, a children watch; reports whichever fires and re-arms.
async fn watch_loop(zk: Arc<ZkCluster>, path: String, events: mpsc::Sender<LiveEvent>) {
    let mut backoff = Duration::from_millis(200);
    loop {
        let client = match zk.client().await {
            Ok(c) => c,
            Err(_) => {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        let stat_watch = client.check_and_watch_stat(&path).await;
        let children_watch = match &stat_watch {
            Ok((Some(_), _)) => client
                .get_and_watch_children(&path)
                .await
                .ok()
                .map(|(_, _, w)| w),
            _ => None,
        };
        let Ok((_, stat_watcher)) = stat_watch else {
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
            continue;
        };
        backoff = Duration::from_millis(200);
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
