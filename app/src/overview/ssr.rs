//! The status hub (server only): one probe loop per configured cluster, each
//! publishing into a shared `watch` channel, so a slow or dead cluster never
//! delays the others' updates. The Overview websocket and `/metrics` read it.

use super::model::Overview;
use crate::clusters::logic::unknown_status;
use crate::clusters::model::{ClusterRef, ClusterStatus};
use crate::ensemble::ssr::EnsembleMonitor;
use crate::kafka::ssr::KafkaCluster;
use crate::rabbitmq::ssr::RabbitCluster;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Clone)]
pub struct StatusHub {
    tx: Arc<watch::Sender<Overview>>,
}

/// A cluster the hub can probe.
#[derive(Clone)]
pub enum Probed {
    /// Its ensemble monitor, which already probes every member.
    Zookeeper(Arc<EnsembleMonitor>),
    Kafka(Arc<KafkaCluster>),
    Rabbitmq(Arc<RabbitCluster>),
}

impl Probed {
    async fn probe(&self) -> ClusterStatus {
        match self {
            Probed::Zookeeper(c) => c.probe().await,
            Probed::Kafka(c) => c.probe().await,
            Probed::Rabbitmq(c) => c.probe().await,
        }
    }
    fn cluster_ref(&self) -> ClusterRef {
        match self {
            Probed::Zookeeper(c) => c.cluster_ref(),
            Probed::Kafka(c) => c.cluster_ref(),
            Probed::Rabbitmq(c) => c.cluster_ref(),
        }
    }
}

impl StatusHub {
    /// Creates the hub with every cluster in state "checking". Call
    /// [`StatusHub::start`] to begin probing.
    pub fn new(clusters: &[Probed], interval: Duration) -> Self {
        let overview = Overview {
            clusters: clusters
                .iter()
                .map(|c| unknown_status(c.cluster_ref()))
                .collect(),
            probe_interval_ms: interval.as_millis() as u64,
        };
        StatusHub {
            tx: Arc::new(watch::Sender::new(overview)),
        }
    }

    /// Spawns one probe loop per cluster; they stop when `shutdown` fires.
    pub fn start(
        &self,
        clusters: Vec<Probed>,
        interval: Duration,
        shutdown: watch::Receiver<bool>,
    ) {
        for (slot, cluster) in clusters.into_iter().enumerate() {
            let tx = self.tx.clone();
            let mut shutdown = shutdown.clone();
            tokio::spawn(async move {
                let mut ticker = tokio::time::interval(interval);
                ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tokio::select! {
                        _ = ticker.tick() => {}
                        _ = shutdown.changed() => break,
                    }
                    let status = cluster.probe().await;
                    tx.send_if_modified(|o| {
                        let Some(s) = o.clusters.get_mut(slot) else { return false };
                        let was = s.reachability;
                        if was != status.reachability {
                            tracing::info!(
                                backend = %status.cluster.backend, cluster.id = %status.cluster.id,
                                from = was.label(), to = status.reachability.label(), detail = %status.detail,
                                "cluster status changed"
                            );
                        }
                        *s = status;
                        true
                    });
                }
            });
        }
    }

    pub fn snapshot(&self) -> Overview {
        self.tx.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<Overview> {
        self.tx.subscribe()
    }
}
