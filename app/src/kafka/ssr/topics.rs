//! Topics: the paged list, one topic's partitions, configs and readers,
//! and the raw admin calls the audited path uses to change them.

use super::{KafkaCluster, KafkaError, admin_failure};
use crate::error::AppError;
use crate::kafka::logic::{is_internal_topic, lag, page_topics};
use crate::kafka::model::{
    ConfigRow, ConfigSource, PartitionRow, TopicDetail, TopicPage, TopicQuery, TopicReader,
    TopicRow,
};
use rdkafka::admin::{AlterConfig, NewPartitions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::consumer::Consumer;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::HashMap;

/// Low and high watermark per (topic, partition).
pub type Watermarks = HashMap<(String, i32), (i64, i64)>;

/// Most groups whose committed offsets a topic page reads to find its readers.
const READER_SCAN: usize = 200;

impl KafkaCluster {
    pub async fn broker_count(&self) -> Result<usize, AppError> {
        Ok(self.metadata().await?.brokers.len())
    }

    /// Low and high watermarks of many partitions in two batched requests
    /// (ListOffsets for "earliest" and "latest"), not one per partition.
    /// Partial by design: a partition without a leader is not asked (it has
    /// no watermarks to give), and when a batch fails — one broker down
    /// fails librdkafka's whole answer — the partitions are asked again per
    /// leader, so the others still get theirs. Missing keys mean "unknown".
    pub(super) async fn watermarks(
        &self,
        parts: Vec<(String, i32)>,
    ) -> Result<Watermarks, AppError> {
        if parts.is_empty() {
            return Ok(Watermarks::new());
        }
        let meta = self.metadata().await.ok();
        let leader = |t: &str, p: i32| {
            meta.as_ref()
                .and_then(|m| m.topic(t))
                .and_then(|tm| tm.partitions.iter().find(|x| x.id == p))
                .map(|x| x.leader)
        };
        let mut by_leader: std::collections::BTreeMap<Option<i32>, Vec<(String, i32)>> =
            std::collections::BTreeMap::new();
        for (t, p) in parts {
            let l = leader(&t, p);
            if l == Some(-1) {
                continue;
            }
            by_leader.entry(l).or_default().push((t, p));
        }
        let parts: Vec<(String, i32)> = by_leader.values().flatten().cloned().collect();
        let groups: Vec<Vec<(String, i32)>> = by_leader.into_values().collect();
        if parts.is_empty() {
            return Ok(Watermarks::new());
        }
        let consumer = self.offsets.clone();
        let timeout = self.timeout;
        self.blocking(move || {
            let ask = |parts: &[(String, i32)],
                       at: Offset|
             -> Result<HashMap<(String, i32), i64>, KafkaError> {
                let mut tpl = TopicPartitionList::with_capacity(parts.len());
                for (t, p) in parts {
                    tpl.add_partition_offset(t, *p, at)
                        .map_err(|e| KafkaError::Other(e.to_string()))?;
                }
                let got = consumer.offsets_for_times(tpl, timeout)?;
                Ok(got
                    .elements()
                    .iter()
                    .filter_map(|e| match e.offset() {
                        Offset::Offset(o) => Some(((e.topic().to_string(), e.partition()), o)),
                        _ => None,
                    })
                    .collect())
            };
            // All at once; if that fails, leader by leader, keeping what answers.
            let ask_all = |at: Offset| -> Result<HashMap<(String, i32), i64>, KafkaError> {
                match ask(&parts, at) {
                    Ok(m) => Ok(m),
                    Err(e) if groups.len() < 2 => Err(e),
                    Err(e) => {
                        tracing::debug!(error = %e, "watermarks: batch failed; asking per leader");
                        Ok(groups
                            .iter()
                            .filter_map(|g| ask(g, at).ok())
                            .flatten()
                            .collect())
                    }
                }
            };
            let mut low = ask_all(Offset::Beginning)?;
            if low.len() < parts.len() {
                // This client's metadata may not know a partition added a moment
                // ago (librdkafka refreshes it every few minutes): refresh the
                // topics that came back short, then ask once more.
                let missing: std::collections::BTreeSet<&String> = parts
                    .iter()
                    .filter(|(t, p)| !low.contains_key(&(t.clone(), *p)))
                    .map(|(t, _)| t)
                    .collect();
                for t in missing.into_iter().take(20) {
                    let _ = consumer.fetch_metadata(Some(t), timeout);
                }
                low = ask_all(Offset::Beginning)?;
            }
            let high = ask_all(Offset::End)?;
            Ok(high
                .into_iter()
                .filter_map(|(k, h)| low.get(&k).map(|l| (k, (*l, h))))
                .collect())
        })
        .await
    }

    /// One page of topics, filtered and sorted on the server; message counts
    /// (high − low watermarks) only for the rows on the page.
    pub async fn list_topics(&self, q: TopicQuery) -> Result<TopicPage, AppError> {
        let meta = self.metadata().await?;
        let rows: Vec<TopicRow> = meta
            .topics
            .iter()
            .map(|t| TopicRow {
                name: t.name.clone(),
                internal: is_internal_topic(&t.name),
                partitions: t.partitions.len(),
                replication: t
                    .partitions
                    .iter()
                    .map(|p| p.replicas.len())
                    .max()
                    .unwrap_or(0),
                under_replicated: t
                    .partitions
                    .iter()
                    .filter(|p| p.isr.len() < p.replicas.len())
                    .count(),
                offline: t.partitions.iter().filter(|p| p.leader < 0).count(),
                messages: None,
            })
            .collect();
        let (matched, mut page) = page_topics(&rows, &q);
        let parts: Vec<(String, i32)> = page
            .iter()
            .flat_map(|r| {
                let t = meta.topic(&r.name);
                t.into_iter()
                    .flat_map(|t| t.partitions.iter().map(|p| (t.name.clone(), p.id)))
            })
            .collect();
        // Counts are a nicety: a slow ListOffsets must not fail the page.
        if let Ok(wm) = self.watermarks(parts).await {
            for r in &mut page {
                let t = meta.topic(&r.name);
                let sum = t.map(|t| {
                    t.partitions
                        .iter()
                        .map(|p| wm.get(&(t.name.clone(), p.id)).map(|(l, h)| h - l))
                        .sum::<Option<i64>>()
                });
                r.messages = sum.flatten();
            }
        }
        Ok(TopicPage {
            total: rows.len(),
            matched,
            offset: q.offset,
            rows: page,
        })
    }

    /// Configs of a topic, overrides first; sensitive values are never returned.
    pub async fn topic_configs(&self, name: &str) -> Result<Vec<ConfigRow>, AppError> {
        let opts = self.admin_options();
        let res = crate::runtime::bounded(
            self.timeout * 2,
            crate::error::Backend::Kafka,
            self.id(),
            async {
                self.admin
                    .describe_configs([&ResourceSpecifier::Topic(name)], &opts)
                    .await
                    .map_err(|e| KafkaError::from(e).into_app(self.id()))
            },
        )
        .await?;
        let resource = res
            .into_iter()
            .next()
            .ok_or_else(|| AppError::Internal("Kafka sent no configs".into()))?
            .map_err(|code| {
                KafkaError::broker(code, format!("topic \"{name}\"")).into_app(self.id())
            })?;
        let mut rows: Vec<ConfigRow> = resource
            .entries
            .into_iter()
            .map(|e| {
                use rdkafka::admin::ConfigSource as S;
                let source = match e.source {
                    S::DynamicTopic => ConfigSource::Topic,
                    S::DynamicBroker | S::DynamicDefaultBroker | S::StaticBroker => {
                        ConfigSource::Broker
                    }
                    S::Default => ConfigSource::Default,
                    S::Unknown => ConfigSource::Other,
                };
                ConfigRow {
                    name: e.name,
                    value: if e.is_sensitive { None } else { e.value },
                    source,
                    sensitive: e.is_sensitive,
                    read_only: e.is_read_only,
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            (a.source != ConfigSource::Topic, &a.name)
                .cmp(&(b.source != ConfigSource::Topic, &b.name))
        });
        Ok(rows)
    }

    /// The topic's own overrides (name → value), for audit before/after.
    pub async fn topic_overrides(
        &self,
        name: &str,
    ) -> Result<Vec<(String, Option<String>)>, AppError> {
        Ok(self
            .topic_configs(name)
            .await?
            .into_iter()
            .filter(|c| c.source == ConfigSource::Topic)
            .map(|c| (c.name, c.value))
            .collect())
    }

    /// Partitions with watermarks, configs, and the groups that read it.
    pub async fn topic_detail(&self, name: &str) -> Result<TopicDetail, AppError> {
        let mut d = self.topic_state(name).await?;
        let wm: Watermarks = d
            .partitions
            .iter()
            .filter_map(|p| Some(((d.name.clone(), p.id), (p.low?, p.high?))))
            .collect();
        (d.readers, d.readers_note) = self.readers_of(name, &wm).await;
        Ok(d)
    }

    /// Partitions with watermarks and the configs, without the readers
    /// (which read up to 200 groups' offsets): what a change records as its
    /// before value.
    pub async fn topic_state(&self, name: &str) -> Result<TopicDetail, AppError> {
        let meta = self.metadata_knowing(&[name]).await?;
        let t = meta
            .topic(name)
            .cloned()
            .ok_or_else(|| AppError::NotFound {
                what: format!("topic \"{name}\""),
            })?;
        let parts: Vec<(String, i32)> = t
            .partitions
            .iter()
            .map(|p| (t.name.clone(), p.id))
            .collect();
        let wm = self.watermarks(parts).await.unwrap_or_default();
        let mut partitions: Vec<PartitionRow> = t
            .partitions
            .iter()
            .map(|p| {
                let w = wm.get(&(t.name.clone(), p.id));
                PartitionRow {
                    id: p.id,
                    leader: p.leader,
                    replicas: p.replicas.clone(),
                    isr: p.isr.clone(),
                    low: w.map(|w| w.0),
                    high: w.map(|w| w.1),
                }
            })
            .collect();
        partitions.sort_by_key(|p| p.id);
        Ok(TopicDetail {
            cluster: self.cluster_ref(),
            name: t.name.clone(),
            internal: is_internal_topic(&t.name),
            partitions,
            configs: self.topic_configs(name).await?,
            readers: Vec::new(),
            readers_note: None,
        })
    }

    /// Groups with members assigned to the topic or with offsets committed
    /// for it (the latter read for up to `READER_SCAN` groups).
    async fn readers_of(
        &self,
        topic: &str,
        wm: &super::topics::Watermarks,
    ) -> (Vec<TopicReader>, Option<String>) {
        let Ok(groups) = self.group_rows().await else {
            return (
                Vec::new(),
                Some("the consumer groups could not be listed".into()),
            );
        };
        let note = (groups.len() > READER_SCAN).then(|| {
            format!(
                "{} groups exist; committed offsets were read for the first {READER_SCAN} (by name) and for groups with members on this topic",
                groups.len()
            )
        });
        let candidates: Vec<_> = groups
            .iter()
            .enumerate()
            .filter(|(i, g)| *i < READER_SCAN || g.topics.iter().any(|t| t == topic))
            .map(|(_, g)| g.clone())
            .collect();
        let offsets = self
            .committed_many(candidates.iter().map(|g| g.name.clone()).collect())
            .await;
        let mut out = Vec::new();
        for (g, committed) in candidates.into_iter().zip(offsets) {
            let mine: Vec<(i32, i64)> = committed
                .unwrap_or_default()
                .into_iter()
                .filter(|(t, _, o)| t == topic && *o >= 0)
                .map(|(_, p, o)| (p, o))
                .collect();
            if mine.is_empty() && !g.topics.iter().any(|t| t == topic) {
                continue;
            }
            let total = mine
                .iter()
                .map(|(p, o)| lag(Some(*o), wm.get(&(topic.to_string(), *p)).map(|w| w.1)))
                .sum::<Option<i64>>();
            out.push(TopicReader {
                group: g.name,
                state: g.state,
                lag: if mine.is_empty() { None } else { total },
            });
        }
        (out, note)
    }

    pub(super) async fn create_topic_raw(
        &self,
        name: &str,
        partitions: i32,
        replication: i32,
        configs: &[(String, String)],
        validate_only: bool,
    ) -> Result<(), AppError> {
        let mut nt = NewTopic::new(name, partitions, TopicReplication::Fixed(replication));
        for (k, v) in configs {
            nt = nt.set(k, v);
        }
        let opts = self.change_options().validate_only(validate_only);
        let what = format!("topic \"{name}\"");
        let res = self
            .admin
            .create_topics([&nt], &opts)
            .await
            .map_err(|e| self.change_error(admin_failure(e, &what)))?;
        self.invalidate();
        self.one_change_result(res, &what)
    }

    pub(super) async fn delete_topic_raw(&self, name: &str) -> Result<(), AppError> {
        let opts = self.change_options();
        let what = format!("topic \"{name}\"");
        let res = self
            .admin
            .delete_topics(&[name], &opts)
            .await
            .map_err(|e| self.change_error(admin_failure(e, &what)))?;
        self.invalidate();
        self.one_change_result(res, &what)
    }

    pub(super) async fn create_partitions_raw(
        &self,
        name: &str,
        total: usize,
        validate_only: bool,
    ) -> Result<(), AppError> {
        let opts = self.change_options().validate_only(validate_only);
        let what = format!("topic \"{name}\"");
        let res = self
            .admin
            .create_partitions([&NewPartitions::new(name, total)], &opts)
            .await
            .map_err(|e| self.change_error(admin_failure(e, &what)))?;
        self.invalidate();
        self.one_change_result(res, &what)
    }

    /// Replaces the topic's overrides with `overrides` (AlterConfigs is not
    /// incremental: what is not listed returns to its default).
    pub(super) async fn set_overrides_raw(
        &self,
        name: &str,
        overrides: &[(String, String)],
        validate_only: bool,
    ) -> Result<(), AppError> {
        let mut ac = AlterConfig::new(ResourceSpecifier::Topic(name));
        for (k, v) in overrides {
            ac = ac.set(k, v);
        }
        let opts = self.change_options().validate_only(validate_only);
        let what = format!("topic \"{name}\"");
        let res = self
            .admin
            .alter_configs([&ac], &opts)
            .await
            .map_err(|e| self.change_error(admin_failure(e, &what)))?;
        match res.into_iter().next() {
            Some(Ok(_)) => Ok(()),
            Some(Err((_, code))) => Err(self.change_error(KafkaError::broker(code, what))),
            None => Err(AppError::Internal("Kafka sent no result".into())),
        }
    }
}

/// The single per-topic result of a topic admin call.
impl KafkaCluster {
    /// The one result of a change to one topic.
    fn one_change_result(
        &self,
        res: Vec<Result<String, (String, rdkafka::error::RDKafkaErrorCode)>>,
        what: &str,
    ) -> Result<(), AppError> {
        match res.into_iter().next() {
            Some(Ok(_)) => Ok(()),
            Some(Err((_, code))) => Err(self.change_error(KafkaError::broker(code, what))),
            None => Err(AppError::Internal("Kafka sent no result".into())),
        }
    }
}
