//! Consumer groups: the paged list (lag for the rows on the page), one
//! group's members and offsets, and offset resets (preview, then apply).

use super::{KafkaCluster, KafkaError, ffi};
use crate::error::AppError;
use crate::kafka::logic::{check_resettable, lag, page_groups, parse_assignment, reset_rows};
use crate::kafka::model::{
    GroupDetail, GroupMember, GroupOffset, GroupPage, GroupQuery, GroupRow, ResetRow, ResetTarget,
};
use rdkafka::consumer::Consumer;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Groups whose committed offsets are read at once (each is one OffsetFetch).
const OFFSET_FETCH_PARALLEL: usize = 8;

/// A group as ListGroups + DescribeGroups report it.
#[derive(Debug, Clone)]
pub(super) struct GroupFull {
    pub row: GroupRow,
    pub protocol: String,
    pub members: Vec<GroupMember>,
}

impl KafkaCluster {
    /// Every group with its state and members (one librdkafka call that
    /// lists and describes them all).
    pub(super) async fn groups_full(&self) -> Result<Arc<Vec<GroupFull>>, AppError> {
        let admin = self.admin.clone();
        // Describing thousands of groups takes longer than one request.
        let timeout = self.timeout * 4;
        let groups = self
            .blocking(move || {
                let list = admin.inner().fetch_group_list(None, timeout)?;
                let mut out: Vec<GroupFull> = list
                    .groups()
                    .iter()
                    .map(|g| {
                        let consumer = g.protocol_type() == "consumer";
                        let members: Vec<GroupMember> = g
                            .members()
                            .iter()
                            .map(|m| GroupMember {
                                id: m.id().to_string(),
                                client_id: m.client_id().to_string(),
                                host: m.client_host().to_string(),
                                assignment: if consumer {
                                    m.assignment()
                                        .and_then(parse_assignment)
                                        .unwrap_or_default()
                                        .into_iter()
                                        .map(|(t, p)| format!("{t}-{p}"))
                                        .collect()
                                } else {
                                    Vec::new()
                                },
                            })
                            .collect();
                        let topics: BTreeSet<String> = g
                            .members()
                            .iter()
                            .filter(|_| consumer)
                            .filter_map(|m| m.assignment().and_then(parse_assignment))
                            .flatten()
                            .map(|(t, _)| t)
                            .collect();
                        GroupFull {
                            row: GroupRow {
                                name: g.name().to_string(),
                                state: g.state().to_string(),
                                members: g.members().len(),
                                protocol_type: g.protocol_type().to_string(),
                                lag: None,
                                topics: topics.into_iter().collect(),
                            },
                            protocol: g.protocol().to_string(),
                            members,
                        }
                    })
                    .collect();
                out.sort_by(|a, b| a.row.name.cmp(&b.row.name));
                Ok(out)
            })
            .await?;
        Ok(Arc::new(groups))
    }

    pub(super) async fn group_rows(&self) -> Result<Vec<GroupRow>, AppError> {
        Ok(self
            .groups_full()
            .await?
            .iter()
            .map(|g| g.row.clone())
            .collect())
    }

    /// Committed offsets of one group: (topic, partition, offset ≥ 0).
    async fn committed(&self, group: &str) -> Result<Vec<(String, i32, i64)>, AppError> {
        let admin = self.admin.clone();
        let timeout = self.timeout;
        let g = group.to_string();
        self.blocking(move || {
            ffi::list_group_offsets(admin.inner().native_client(), &g, timeout)
                .map(|v| v.into_iter().filter(|(_, _, o)| *o >= 0).collect())
                .map_err(|e| match e.code {
                    Some(code) => KafkaError::broker(code, format!("group \"{g}\"")),
                    None => KafkaError::Other(e.message),
                })
        })
        .await
    }

    /// Committed offsets of many groups, a few at a time; `None` where a
    /// group's could not be read.
    pub(super) async fn committed_many(
        &self,
        groups: Vec<String>,
    ) -> Vec<Option<Vec<(String, i32, i64)>>> {
        use futures::StreamExt;
        futures::stream::iter(groups)
            .map(|g| async move { self.committed(&g).await.ok() })
            .buffered(OFFSET_FETCH_PARALLEL)
            .collect()
            .await
    }

    /// One page of groups; total lag only for the rows on the page.
    pub async fn list_groups(&self, q: GroupQuery) -> Result<GroupPage, AppError> {
        let rows = self.group_rows().await?;
        let (matched, mut page) = page_groups(&rows, &q);
        let offsets = self
            .committed_many(page.iter().map(|r| r.name.clone()).collect())
            .await;
        let parts: BTreeSet<(String, i32)> = offsets
            .iter()
            .flatten()
            .flatten()
            .map(|(t, p, _)| (t.clone(), *p))
            .collect();
        let wm = self
            .watermarks(parts.into_iter().collect())
            .await
            .unwrap_or_default();
        for (row, committed) in page.iter_mut().zip(offsets) {
            if let Some(c) = committed {
                let mut topics: BTreeSet<String> = row.topics.iter().cloned().collect();
                topics.extend(c.iter().map(|(t, _, _)| t.clone()));
                row.topics = topics.into_iter().collect();
                row.lag = c
                    .iter()
                    .map(|(t, p, o)| lag(Some(*o), wm.get(&(t.clone(), *p)).map(|w| w.1)))
                    .sum();
            }
        }
        Ok(GroupPage {
            total: rows.len(),
            matched,
            offset: q.offset,
            rows: page,
        })
    }

    async fn group_full(&self, name: &str) -> Result<GroupFull, AppError> {
        self.groups_full()
            .await?
            .iter()
            .find(|g| g.row.name == name)
            .cloned()
            .ok_or_else(|| AppError::NotFound {
                what: format!("consumer group \"{name}\""),
            })
    }

    /// Members and, per partition, committed offset, end offset and lag.
    pub async fn group_detail(&self, name: &str) -> Result<GroupDetail, AppError> {
        let g = self.group_full(name).await?;
        let committed = self.committed(name).await?;
        let mut parts: BTreeSet<(String, i32)> =
            committed.iter().map(|(t, p, _)| (t.clone(), *p)).collect();
        for m in &g.members {
            for tp in &m.assignment {
                if let Some((t, p)) = tp
                    .rsplit_once('-')
                    .and_then(|(t, p)| Some((t, p.parse().ok()?)))
                {
                    parts.insert((t.to_string(), p));
                }
            }
        }
        let wm = self
            .watermarks(parts.iter().cloned().collect())
            .await
            .unwrap_or_default();
        let offsets: Vec<GroupOffset> = parts
            .into_iter()
            .map(|(t, p)| {
                let c = committed
                    .iter()
                    .find(|(ct, cp, _)| *ct == t && *cp == p)
                    .map(|x| x.2);
                let end = wm.get(&(t.clone(), p)).map(|w| w.1);
                GroupOffset {
                    topic: t,
                    partition: p,
                    committed: c,
                    end,
                    lag: lag(c, end),
                }
            })
            .collect();
        let total_lag = offsets.iter().map(|o| o.lag).sum::<Option<i64>>();
        Ok(GroupDetail {
            cluster: self.cluster_ref(),
            name: g.row.name,
            state: g.row.state,
            protocol: g.protocol,
            members: g.members,
            offsets,
            total_lag,
        })
    }

    /// The offsets a reset would set, per partition: of `topic`, or of every
    /// topic the group has committed offsets for. Refused unless the group is
    /// empty.
    pub async fn reset_preview(
        &self,
        group: &str,
        topic: Option<&str>,
        target: &ResetTarget,
    ) -> Result<Vec<ResetRow>, AppError> {
        let g = self.group_full(group).await?;
        check_resettable(group, &g.row.state, g.row.members)?;
        let committed = self.committed(group).await?;
        let topics: BTreeSet<String> = match topic {
            Some(t) => [t.to_string()].into(),
            None => committed.iter().map(|(t, _, _)| t.clone()).collect(),
        };
        if topics.is_empty() {
            return Err(AppError::invalid(
                "topic",
                format!("group \"{group}\" has no committed offsets; name the topic to reset"),
            ));
        }
        let meta = self.metadata().await?;
        let mut parts = Vec::new();
        for t in &topics {
            let tm = meta.topic(t).ok_or_else(|| AppError::NotFound {
                what: format!("topic \"{t}\""),
            })?;
            parts.extend(tm.partitions.iter().map(|p| (t.clone(), p.id)));
        }
        let wm = self.watermarks(parts.clone()).await?;
        let by_time = match target {
            ResetTarget::Timestamp(ts) => Some(self.offsets_at(parts.clone(), *ts).await?),
            _ => None,
        };
        reset_rows(target, parts, &committed, &wm, by_time.as_ref())
    }

    /// The first offset at or after `ts` per partition (`None`: no such message).
    pub(super) async fn offsets_at(
        &self,
        parts: Vec<(String, i32)>,
        ts: i64,
    ) -> Result<std::collections::HashMap<(String, i32), Option<i64>>, AppError> {
        let consumer = self.offsets.clone();
        let timeout = self.timeout;
        self.blocking(move || {
            let mut tpl = TopicPartitionList::with_capacity(parts.len());
            for (t, p) in &parts {
                tpl.add_partition_offset(t, *p, Offset::Offset(ts))
                    .map_err(|e| KafkaError::Other(e.to_string()))?;
            }
            let got = consumer.offsets_for_times(tpl, timeout)?;
            Ok(got
                .elements()
                .iter()
                .map(|e| {
                    let o = match e.offset() {
                        Offset::Offset(o) => Some(o),
                        _ => None,
                    };
                    ((e.topic().to_string(), e.partition()), o)
                })
                .collect())
        })
        .await
    }

    pub(super) async fn alter_offsets_raw(
        &self,
        group: &str,
        rows: &[ResetRow],
    ) -> Result<(), AppError> {
        let admin = self.admin.clone();
        let timeout = self.change_timeout;
        let g = group.to_string();
        let offsets: Vec<(String, i32, i64)> = rows
            .iter()
            .map(|r| (r.topic.clone(), r.partition, r.new))
            .collect();
        let what = format!("group \"{group}\"");
        let result = self
            .blocking_for(timeout * 2, move || {
                Ok(
                    ffi::alter_group_offsets(admin.inner().native_client(), &g, &offsets, timeout)
                        .map_err(|e| match e.code {
                            Some(code) => KafkaError::broker(code, what),
                            None => KafkaError::Other(e.message),
                        }),
                )
            })
            .await?;
        result.map_err(|e| self.change_error(e))
    }
}

impl KafkaCluster {
    /// One round of a flow graph: end offsets of the (first, by name)
    /// topics and committed offsets and lag of the (first) consumer groups.
    pub async fn flow_sample(
        &self,
        max: usize,
    ) -> Result<crate::kafka::model::KafkaFlowSample, AppError> {
        use crate::kafka::model::{FlowGroup, KafkaFlowSample};
        let meta = self.metadata().await?;
        let mut names: Vec<&str> = meta
            .topic_names()
            .filter(|t| !t.starts_with("__"))
            .collect();
        names.sort_unstable();
        let more_topics = names.len().saturating_sub(max);
        names.truncate(max);
        let mut rows: Vec<GroupRow> = self
            .group_rows()
            .await?
            .into_iter()
            .filter(|g| g.protocol_type == "consumer" || g.protocol_type.is_empty())
            .collect();
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        let more_groups = rows.len().saturating_sub(max);
        rows.truncate(max);
        let committed = self
            .committed_many(rows.iter().map(|r| r.name.clone()).collect())
            .await;
        let mut parts: BTreeSet<(String, i32)> = BTreeSet::new();
        for t in &names {
            if let Some(tm) = meta.topic(t) {
                parts.extend(tm.partitions.iter().map(|p| (t.to_string(), p.id)));
            }
        }
        parts.extend(
            committed
                .iter()
                .flatten()
                .flatten()
                .map(|(t, p, _)| (t.clone(), *p)),
        );
        let wm = self.watermarks(parts.into_iter().collect()).await?;
        let at_ms = crate::runtime::now_ms();
        // One pass over the watermarks, not one per topic.
        let mut ends: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
        for ((t, _), (_, high)) in &wm {
            *ends.entry(t.as_str()).or_default() += high;
        }
        let topics = names
            .iter()
            .map(|t| (t.to_string(), ends.get(t).copied().unwrap_or(0)))
            .collect();
        let groups = rows
            .into_iter()
            .zip(committed)
            .map(|(g, c)| {
                let mut by_topic: std::collections::BTreeMap<String, (i64, i64)> =
                    Default::default();
                for (t, p, o) in c.into_iter().flatten() {
                    let e = by_topic.entry(t.clone()).or_default();
                    e.0 += o;
                    e.1 += lag(Some(o), wm.get(&(t, p)).map(|w| w.1)).unwrap_or(0);
                }
                FlowGroup {
                    name: g.name,
                    state: g.state,
                    members: g.members,
                    topics: by_topic.into_iter().map(|(t, (c, l))| (t, c, l)).collect(),
                }
            })
            .collect();
        Ok(KafkaFlowSample {
            at_ms,
            topics,
            groups,
            more_topics,
            more_groups,
        })
    }
}
