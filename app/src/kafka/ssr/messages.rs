//! Messages: browse one partition (from an offset, a time or the newest N)
//! with a server-side filter that says how much it scanned and why it
//! stopped; produce one message.

use super::{KafkaCluster, KafkaError, client_config};
use crate::codec::encode_b64;
use crate::error::AppError;
use crate::kafka::logic::{
    BROWSE_TIME_BUDGET_MS, MAX_BROWSE, SCAN_BUDGET, browse_start, contains_text, json_field_equals,
};
use crate::kafka::model::{
    BrowseRequest, BrowseResult, BrowseStart, BrowseStop, KafkaMessage, MessageFilter, Produced,
};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders, Timestamp};
use rdkafka::producer::FutureRecord;
use rdkafka::{Offset, TopicPartitionList};
use std::time::{Duration, Instant};

/// A compiled filter (browsing and the live tail).
pub enum Matcher {
    All,
    Text(String),
    Regex(regex::Regex),
    Json { field: String, value: String },
}

impl Matcher {
    pub fn new(f: &MessageFilter) -> Result<Self, AppError> {
        Ok(match f {
            MessageFilter::None => Matcher::All,
            MessageFilter::Substring { text } if text.is_empty() => Matcher::All,
            MessageFilter::Substring { text } => {
                crate::fields::check_pattern_len("filter", text)?;
                Matcher::Text(text.clone())
            }
            MessageFilter::Regex { pattern } => {
                Matcher::Regex(crate::runtime::bounded_regex("filter", pattern)?)
            }
            MessageFilter::JsonField { field, value } => {
                if field.trim().is_empty() {
                    return Err(AppError::invalid(
                        "filter",
                        "name the JSON field, e.g. order.id",
                    ));
                }
                Matcher::Json {
                    field: field.trim().to_string(),
                    value: value.clone(),
                }
            }
        })
    }

    pub fn matches(&self, key: Option<&[u8]>, value: Option<&[u8]>) -> bool {
        match self {
            Matcher::All => true,
            Matcher::Text(t) => contains_text(key, value, t),
            Matcher::Regex(r) => [key, value]
                .into_iter()
                .flatten()
                .any(|b| r.is_match(&String::from_utf8_lossy(b))),
            Matcher::Json { field, value: v } => {
                value.is_some_and(|b| json_field_equals(b, field, v))
            }
        }
    }
}

impl KafkaCluster {
    /// Reads one partition with a group-less consumer (nothing is committed,
    /// no group is created).
    pub async fn browse(&self, req: BrowseRequest) -> Result<BrowseResult, AppError> {
        let matcher = Matcher::new(&req.filter)?;
        if req.limit == 0 || req.limit > MAX_BROWSE {
            return Err(AppError::invalid(
                "limit",
                format!("must be 1 to {MAX_BROWSE}"),
            ));
        }
        let meta = self.metadata_knowing(&[&req.topic]).await?;
        let topic = meta.topic(&req.topic).ok_or_else(|| AppError::NotFound {
            what: format!("topic \"{}\"", req.topic),
        })?;
        if !topic.partitions.iter().any(|p| p.id == req.partition) {
            return Err(AppError::invalid(
                "partition",
                format!(
                    "topic \"{}\" has partitions 0 to {}",
                    req.topic,
                    topic.partitions.len() - 1
                ),
            ));
        }
        let wm = self
            .watermarks(vec![(req.topic.clone(), req.partition)])
            .await?;
        let (low, high) = wm
            .get(&(req.topic.clone(), req.partition))
            .copied()
            .unwrap_or((0, 0));
        let by_time = match req.start {
            BrowseStart::Timestamp(ts) => self
                .offsets_at(vec![(req.topic.clone(), req.partition)], ts)
                .await?
                .into_values()
                .next()
                .flatten(),
            _ => None,
        };
        let start = browse_start(&req.start, low, high, by_time);
        if start >= high {
            return Ok(BrowseResult {
                messages: Vec::new(),
                scanned: 0,
                stopped: BrowseStop::End,
                next_offset: high,
                low,
                high,
            });
        }
        let mut cc = client_config(&self.config);
        cc.set("enable.auto.commit", "false");
        cc.set("enable.partition.eof", "true");
        // librdkafka's assign() needs a group id, but assign() never joins the
        // group and nothing is committed, so the brokers never record it.
        cc.set("group.id", "zkmq-browse");
        let timeout = self.timeout;
        let cluster = self.id().to_string();
        let topic = req.topic.clone();
        let partition = req.partition;
        let limit = req.limit;
        tokio::task::spawn_blocking(move || {
            let consumer: BaseConsumer = cc
                .create()
                .map_err(|e| KafkaError::from(e).into_app(&cluster))?;
            let mut tpl = TopicPartitionList::new();
            tpl.add_partition_offset(&topic, partition, Offset::Offset(start))
                .map_err(|e| AppError::Internal(e.to_string()))?;
            consumer
                .assign(&tpl)
                .map_err(|e| KafkaError::from(e).into_app(&cluster))?;
            let began = Instant::now();
            let budget = Duration::from_millis(BROWSE_TIME_BUDGET_MS);
            let mut out = Vec::new();
            let mut scanned = 0u64;
            let mut next = start;
            let stopped = loop {
                if out.len() >= limit {
                    break BrowseStop::Limit;
                }
                if next >= high {
                    break BrowseStop::End;
                }
                if scanned >= SCAN_BUDGET {
                    break BrowseStop::ScanBudget;
                }
                let left = budget.saturating_sub(began.elapsed());
                if left.is_zero() {
                    break BrowseStop::TimeBudget;
                }
                match consumer.poll(left.min(timeout)) {
                    None => continue,
                    Some(Err(rdkafka::error::KafkaError::PartitionEOF(_))) => {
                        break BrowseStop::End;
                    }
                    Some(Err(e)) => return Err(KafkaError::from(e).into_app(&cluster)),
                    Some(Ok(m)) => {
                        scanned += 1;
                        next = m.offset() + 1;
                        if matcher.matches(m.key(), m.payload()) {
                            out.push(to_message(&m));
                        }
                    }
                }
            };
            Ok(BrowseResult {
                messages: out,
                scanned,
                stopped,
                next_offset: next,
                low,
                high,
            })
        })
        .await
        .map_err(|e| AppError::Internal(format!("browse task failed: {e}")))?
    }

    /// Produces one message (acks=all) and waits for its offset.
    pub(super) async fn produce_raw(
        &self,
        topic: &str,
        partition: Option<i32>,
        key: Option<&str>,
        value: &str,
        headers: &[(String, String)],
    ) -> Result<Produced, AppError> {
        let producer = self.producer()?;
        let mut h = OwnedHeaders::new_with_capacity(headers.len());
        for (k, v) in headers {
            h = h.insert(Header {
                key: k,
                value: Some(v.as_bytes()),
            });
        }
        let mut rec = FutureRecord::to(topic).payload(value).headers(h);
        if let Some(k) = key {
            rec = rec.key(k);
        }
        if let Some(p) = partition {
            rec = rec.partition(p);
        }
        match producer.send(rec, self.timeout).await {
            Ok(d) => {
                self.invalidate();
                Ok(Produced {
                    partition: d.partition,
                    offset: d.offset,
                })
            }
            Err((e, _)) => Err(match e.rdkafka_error_code() {
                Some(code) => {
                    KafkaError::broker(code, format!("topic \"{topic}\"")).into_app(self.id())
                }
                None => KafkaError::from(e).into_app(self.id()),
            }),
        }
    }
}

fn to_message<M: Message>(m: &M) -> KafkaMessage {
    let (timestamp, timestamp_type) = match m.timestamp() {
        Timestamp::CreateTime(t) => (Some(t), "CreateTime"),
        Timestamp::LogAppendTime(t) => (Some(t), "LogAppendTime"),
        Timestamp::NotAvailable => (None, "none"),
    };
    KafkaMessage {
        partition: m.partition(),
        offset: m.offset(),
        timestamp,
        timestamp_type: timestamp_type.into(),
        key_b64: m.key().map(encode_b64),
        value_b64: m.payload().map(encode_b64),
        headers: m
            .headers()
            .map(|hs| {
                hs.iter()
                    .map(|h| {
                        (
                            h.key.to_string(),
                            h.value.map(|v| String::from_utf8_lossy(v).into_owned()),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}
