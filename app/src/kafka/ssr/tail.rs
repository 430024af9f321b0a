//! The live tail's source: one assign-based consumer per tap (never joins a
//! group, never commits) on its own thread, fanned out to every viewer
//! through a `tokio::sync::broadcast` channel in batches (what one poll
//! round found), so a busy topic costs the fan-out and every viewer one
//! lock and one wake-up per batch rather than per message. The tap stops
//! when its last viewer drops it.

use super::{KafkaCluster, KafkaError, client_config};
use crate::error::AppError;
use crate::live::logic::resume_at;
use crate::live::model::{Position, TailStart};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message, Timestamp};
use rdkafka::{Offset, TopicPartitionList};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::broadcast;

/// Batches the fan-out holds for its slowest viewer; one that falls
/// further behind counts the messages it missed as dropped.
const FANOUT: usize = 4_096;
/// Messages one batch holds at most: a round of polls stops there (or when
/// the consumer has nothing more ready), so a batch waits for nothing.
const BATCH: usize = 1_024;

/// One message as read, shared by every viewer of the tap.
#[derive(Debug)]
pub struct TailMessage {
    /// Shared by every message of the topic (one allocation per topic).
    pub topic: Arc<str>,
    pub partition: i32,
    pub offset: i64,
    pub timestamp: Option<i64>,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

/// What a tap sends its viewers.
#[derive(Debug)]
pub enum TailEvent {
    /// Messages in the order read; `first` is the tap's count of messages
    /// before them, so a viewer that lagged behind the fan-out knows exactly
    /// how many it missed (the channel itself counts batches).
    Messages {
        first: u64,
        messages: Vec<TailMessage>,
    },
    /// The consumer's error, in the user's words (which cluster, what failed).
    Error(AppError),
}

/// A running tap. Dropping the last `Arc` stops its consumer.
pub struct Tail {
    tx: broadcast::Sender<Arc<TailEvent>>,
    stop: Arc<AtomicBool>,
    /// Where each partition started, and the messages retention had removed
    /// before a resumed tail got there.
    pub started: Vec<(Position, i64)>,
}

impl Tail {
    /// A later viewer: it sees what the tap reads from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<TailEvent>> {
        self.tx.subscribe()
    }
}

impl Drop for Tail {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Taps that viewers share: those reading "from now" on the same topics
/// and partitions (sorted). Others start from their own offsets.
pub type SharedTails = crate::runtime::Taps<TailKey, Tail>;

/// Topics and partitions, sorted and without repeats.
type TailKey = (Vec<String>, Vec<i32>);

/// A topic pattern, bounded like every regex zkmq compiles.
pub fn topic_regex(pattern: &str) -> Result<regex::Regex, AppError> {
    crate::runtime::bounded_regex("pattern", pattern)
}

impl KafkaCluster {
    /// The topics a tail reads: those named, and those matching `pattern`
    /// now (internal topics only when named), sorted, without repeats.
    pub async fn tail_topics(
        &self,
        named: &[String],
        pattern: Option<&str>,
    ) -> Result<Vec<String>, AppError> {
        let mut topics = named.to_vec();
        if let Some(p) = pattern {
            let re = topic_regex(p)?;
            let meta = self.metadata().await?;
            let before = topics.len();
            topics.extend(
                meta.topic_names()
                    .filter(|t| !t.starts_with("__") && re.is_match(t))
                    .map(str::to_string),
            );
            if topics.len() == before && named.is_empty() {
                return Err(AppError::invalid(
                    "pattern",
                    format!("no topic matches /{p}/ (internal topics count only when named)"),
                ));
            }
        }
        topics.sort();
        topics.dedup();
        Ok(topics)
    }

    /// A tap for one viewer: the running one for the same source when it
    /// reads from now, else a new one.
    pub async fn tail(
        &self,
        topics: &[String],
        partitions: &[i32],
        start: &TailStart,
        resume: &[Position],
    ) -> Result<(Arc<Tail>, broadcast::Receiver<Arc<TailEvent>>), AppError> {
        let shareable = *start == TailStart::Now && resume.is_empty();
        let key = {
            let (mut t, mut p) = (topics.to_vec(), partitions.to_vec());
            t.sort();
            t.dedup();
            p.sort();
            p.dedup();
            (t, p)
        };
        if shareable && let Some(tail) = self.tails.get(&key) {
            let rx = tail.subscribe();
            return Ok((tail, rx));
        }
        let (tail, rx) = self.open_tail(topics, partitions, start, resume).await?;
        let tail = Arc::new(tail);
        if shareable {
            self.tails.insert(key, &tail);
        }
        Ok((tail, rx))
    }

    /// Taps running on this cluster.
    pub fn running_tails(&self) -> usize {
        self.tails.running()
    }

    /// Starts a tap on `topics` (`partitions` empty: all), from `start`, or
    /// from `resume` where it names a partition. The receiver is the first
    /// viewer's, subscribed before the consumer starts so it misses nothing.
    async fn open_tail(
        &self,
        topics: &[String],
        partitions: &[i32],
        start: &TailStart,
        resume: &[Position],
    ) -> Result<(Tail, broadcast::Receiver<Arc<TailEvent>>), AppError> {
        if topics.is_empty() {
            return Err(AppError::invalid("topics", "name at least one topic"));
        }
        let names: Vec<&str> = topics.iter().map(String::as_str).collect();
        let meta = self.metadata_knowing(&names).await?;
        let mut parts = Vec::new();
        for t in topics {
            let topic = meta.topic(t).ok_or_else(|| AppError::NotFound {
                what: format!("topic \"{t}\""),
            })?;
            for p in &topic.partitions {
                if partitions.is_empty() || partitions.contains(&p.id) {
                    parts.push((t.clone(), p.id));
                }
            }
        }
        if parts.is_empty() {
            return Err(AppError::invalid(
                "partitions",
                "none of these partitions exist in the chosen topics",
            ));
        }
        let wm = self.watermarks(parts.clone()).await?;
        let by_time = match start {
            TailStart::Time { ms } => Some(self.offsets_at(parts.clone(), *ms).await?),
            _ => None,
        };
        let mut started = Vec::new();
        for (t, p) in &parts {
            let (low, high) = wm.get(&(t.clone(), *p)).copied().unwrap_or((0, 0));
            let resumed = resume.iter().find(|r| &r.topic == t && r.partition == *p);
            let (at, missed) = match (resumed, start) {
                (Some(r), _) => resume_at(r.next, low, high),
                (None, TailStart::Now) => (high, 0),
                (None, TailStart::LastPerPartition { n }) => ((high - i64::from(*n)).max(low), 0),
                (None, TailStart::Time { .. }) => (
                    by_time
                        .as_ref()
                        .and_then(|m| m.get(&(t.clone(), *p)).copied().flatten())
                        .unwrap_or(high),
                    0,
                ),
            };
            started.push((
                Position {
                    topic: t.clone(),
                    partition: *p,
                    next: at,
                },
                missed,
            ));
        }
        let mut cc = client_config(&self.config);
        cc.set("enable.auto.commit", "false");
        cc.set("enable.auto.offset.store", "false");
        // assign() needs a group id but never joins the group; nothing is
        // committed, so the brokers never record it (as for browsing).
        cc.set("group.id", "zkmq-tail");
        let consumer: BaseConsumer = cc
            .create()
            .map_err(|e| KafkaError::from(e).into_app(self.id()))?;
        let mut tpl = TopicPartitionList::new();
        for (pos, _) in &started {
            tpl.add_partition_offset(&pos.topic, pos.partition, Offset::Offset(pos.next))
                .map_err(|e| AppError::Internal(e.to_string()))?;
        }
        consumer
            .assign(&tpl)
            .map_err(|e| KafkaError::from(e).into_app(self.id()))?;
        let (tx, first) = broadcast::channel(FANOUT);
        let stop = Arc::new(AtomicBool::new(false));
        let (tx2, stop2) = (tx.clone(), Arc::clone(&stop));
        let cluster = self.id().to_string();
        std::thread::Builder::new()
            .name(format!("zkmq-tail-{cluster}"))
            .spawn(move || run(consumer, tx2, stop2, cluster))
            .map_err(|e| AppError::Internal(format!("could not start the tail: {e}")))?;
        Ok((Tail { tx, stop, started }, first))
    }
}

/// The consumer loop: polls until the tap is dropped. Each round waits for
/// one message, then takes what else is ready (up to [`BATCH`]) without
/// waiting, and sends it as one batch.
fn run(
    consumer: BaseConsumer,
    tx: broadcast::Sender<Arc<TailEvent>>,
    stop: Arc<AtomicBool>,
    cluster: String,
) {
    let mut topics: Vec<Arc<str>> = Vec::new();
    let mut read = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let mut messages = Vec::new();
        let mut wait = Duration::from_millis(100);
        while messages.len() < BATCH {
            match consumer.poll(wait) {
                None => break,
                Some(Ok(m)) => messages.push(owned(&m, &mut topics)),
                Some(Err(e)) => {
                    tracing::warn!(cluster = %cluster, error = %e, "live tail: consumer error");
                    send_batch(&tx, &mut read, &mut messages);
                    let _ = tx.send(Arc::new(TailEvent::Error(
                        KafkaError::from(e).into_app(&cluster),
                    )));
                    break;
                }
            }
            wait = Duration::ZERO;
        }
        send_batch(&tx, &mut read, &mut messages);
    }
}

/// Sends what a round read (if anything); no receiver right now is fine:
/// viewers come and go.
fn send_batch(
    tx: &broadcast::Sender<Arc<TailEvent>>,
    read: &mut u64,
    messages: &mut Vec<TailMessage>,
) {
    if messages.is_empty() {
        return;
    }
    let messages = std::mem::take(messages);
    let first = *read;
    *read += messages.len() as u64;
    let _ = tx.send(Arc::new(TailEvent::Messages { first, messages }));
}

/// A message copied out of the consumer's buffer (it outlives the poll).
fn owned(m: &rdkafka::message::BorrowedMessage<'_>, topics: &mut Vec<Arc<str>>) -> TailMessage {
    let topic = match topics.iter().find(|t| &***t == m.topic()) {
        Some(t) => Arc::clone(t),
        None => {
            let t: Arc<str> = Arc::from(m.topic());
            topics.push(Arc::clone(&t));
            t
        }
    };
    TailMessage {
        topic,
        partition: m.partition(),
        offset: m.offset(),
        timestamp: match m.timestamp() {
            Timestamp::CreateTime(t) | Timestamp::LogAppendTime(t) => Some(t),
            Timestamp::NotAvailable => None,
        },
        key: m.key().map(<[u8]>::to_vec),
        value: m.payload().map(<[u8]>::to_vec),
        headers: m
            .headers()
            .map(|hs| {
                hs.iter()
                    .map(|h| (h.key.to_string(), h.value.map(<[u8]>::to_vec)))
                    .collect()
            })
            .unwrap_or_default(),
    }
}
