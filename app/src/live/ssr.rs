//! One browser tab's live views, server side: the subscriptions of one
//! websocket, each a task that reads its (shared) tap, filters and offers
//! into its [`Outbox`]; the socket loop calls [`LiveSession::tick`] every
//! [`TICK_MS`] and sends what the credit allows. Each subscription is one
//! audited operation: the attempt when it starts, the outcome (with its
//! counters) when it stops — never a row per message.

use super::logic::{Outbox, cut};
use super::model::{
    Counters, LiveFilter, LiveFrame, LiveRequest, LiveRow, LiveSource, Position, TailStart,
};
use crate::audit::ssr::{Applied, Attempt};
use crate::auth::logic::{allows, missing};
use crate::auth::model::{Permission, Principal};
use crate::codec::encode_b64;
use crate::error::{AppError, Backend};
use crate::kafka::ssr::tail::TailEvent;
use crate::kafka::ssr::{KafkaCluster, Matcher};
use crate::rabbitmq::ssr::RabbitCluster;
use crate::rabbitmq::ssr::tap::TapEvent;
use crate::runtime::RequestContext;
use crate::services::Services;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, mpsc, oneshot};

pub use super::logic::{KEEPALIVE_MS, TICK_MS};

/// Live views one tab may hold at once.
pub const MAX_SUBSCRIPTIONS: usize = 8;

/// Rows are the taps' shared events (always messages), turned into wire
/// rows only when sent: most are counted, never shown.
type Shared = Arc<Mutex<Outbox<Event>>>;

struct Sub {
    outbox: Shared,
    /// Counts against the user's and the console's limits while it lives.
    _slot: LiveSlot,
    /// Counters as last sent: a batch goes out when they moved (and once at
    /// the start, so the page knows the view is live and where it starts).
    last: Option<Counters>,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for Sub {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Live views open now, per user (over all their tabs) and in all: each
/// holds a viewer's tap, a socket's share of the fan-out and a task, so a
/// console bounds them rather than trusting every tab to close its views.
pub struct LiveLimits {
    per_user: usize,
    per_console: usize,
    open: Mutex<(usize, HashMap<String, usize>)>,
}

impl LiveLimits {
    pub fn new(per_user: usize, per_console: usize) -> Self {
        LiveLimits {
            per_user,
            per_console,
            open: Mutex::new((0, HashMap::new())),
        }
    }

    /// A slot for one more view of `user`, or why not.
    fn acquire(self: &Arc<Self>, user: &str) -> Result<LiveSlot, AppError> {
        let mut open = self
            .open
            .lock()
            .map_err(|_| AppError::Internal("live view limits are unavailable".into()))?;
        let (total, users) = &mut *open;
        let mine = users.get(user).copied().unwrap_or(0);
        if mine >= self.per_user {
            return Err(AppError::invalid(
                "source",
                format!(
                    "you have {mine} live views open (in all your tabs), the most one user may hold \
                     (server.live_max_per_user): close one first"
                ),
            ));
        }
        if *total >= self.per_console {
            return Err(AppError::invalid(
                "source",
                format!(
                    "this console holds {total} live views, the most it allows \
                     (server.live_max_per_console): try again when one closes"
                ),
            ));
        }
        *total += 1;
        users.insert(user.to_string(), mine + 1);
        Ok(LiveSlot {
            limits: Arc::clone(self),
            user: user.to_string(),
        })
    }
}

struct LiveSlot {
    limits: Arc<LiveLimits>,
    user: String,
}

impl Drop for LiveSlot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.limits.open.lock() {
            let (total, users) = &mut *open;
            *total = total.saturating_sub(1);
            if let Some(n) = users.get_mut(&self.user) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    users.remove(&self.user);
                }
            }
        }
    }
}

pub struct LiveSession {
    services: Services,
    limits: Arc<LiveLimits>,
    principal: Principal,
    ctx: RequestContext,
    subs: HashMap<u32, Sub>,
    /// Frames that do not wait for a tick (errors, gaps).
    events: mpsc::Sender<LiveFrame>,
    seed: u64,
}

impl LiveSession {
    pub fn new(
        services: Services,
        limits: Arc<LiveLimits>,
        principal: Principal,
        ctx: RequestContext,
        events: mpsc::Sender<LiveFrame>,
    ) -> Self {
        LiveSession {
            services,
            limits,
            principal,
            ctx,
            subs: HashMap::new(),
            events,
            seed: 0x9e37_79b9_7f4a_7c15,
        }
    }

    pub fn handle(&mut self, req: LiveRequest) {
        match req {
            LiveRequest::Subscribe {
                id,
                source,
                filter,
                resume,
            } => {
                if let Err(error) = self.subscribe(id, source, filter, resume) {
                    let _ = self.events.try_send(LiveFrame::Error { id, error });
                }
            }
            LiveRequest::Unsubscribe { id } => {
                self.subs.remove(&id);
            }
            LiveRequest::Credit { id, rows } => self.with(id, |o| o.grant(rows)),
            LiveRequest::Pause { id, paused } => self.with(id, |o| o.pause(paused)),
        }
    }

    fn with(&self, id: u32, f: impl FnOnce(&mut Outbox<Event>)) {
        if let Some(s) = self.subs.get(&id)
            && let Ok(mut o) = s.outbox.lock()
        {
            f(&mut o);
        }
    }

    /// Every subscription's batch for this tick (rows, or counters that moved).
    pub fn tick(&mut self) -> Vec<LiveFrame> {
        let mut out = Vec::new();
        for (id, s) in &mut self.subs {
            let Ok(mut o) = s.outbox.lock() else { continue };
            if s.last.is_none() && !o.started() {
                // Still assigning: the first batch says where it starts.
                continue;
            }
            let rows = o.take();
            let counters = o.counters();
            if rows.is_empty() && s.last == Some(counters) {
                continue;
            }
            s.last = Some(counters);
            let positions = o.positions();
            drop(o);
            out.push(LiveFrame::Batch {
                id: *id,
                rows: rows
                    .iter()
                    .filter_map(|e| e.message().map(|m| row(&m)))
                    .collect(),
                counters,
                positions,
            });
        }
        out
    }

    fn subscribe(
        &mut self,
        id: u32,
        source: LiveSource,
        filter: LiveFilter,
        resume: Vec<Position>,
    ) -> Result<(), AppError> {
        if self.subs.contains_key(&id) {
            return Err(AppError::invalid(
                "id",
                format!("live view {id} is already open"),
            ));
        }
        if self.subs.len() >= MAX_SUBSCRIPTIONS {
            return Err(AppError::invalid(
                "source",
                format!("a tab may hold {MAX_SUBSCRIPTIONS} live views at once; close one first"),
            ));
        }
        // Bad input is refused before anything runs or is recorded.
        let matcher = match &filter.message {
            Some(f) => Matcher::new(f)?,
            None => Matcher::new(&crate::kafka::model::MessageFilter::None)?,
        };
        let header = parse_header_filter(filter.header.as_deref())?;
        match &source {
            LiveSource::RabbitTap { exchange, .. } => {
                crate::rabbitmq::logic::check_tap_exchange(exchange)?;
            }
            LiveSource::KafkaTail {
                topic_pattern: Some(p),
                ..
            } => {
                crate::kafka::ssr::tail::topic_regex(p)?;
            }
            _ => {}
        }
        let cluster = source.cluster().to_string();
        let (backend, op, target, run) = match &source {
            LiveSource::KafkaTail {
                topics,
                topic_pattern,
                partitions,
                start,
                ..
            } => (
                Backend::Kafka,
                "live_tail",
                match topic_pattern {
                    Some(p) if topics.is_empty() => format!("/{p}/"),
                    Some(p) => format!("{},/{p}/", topics.join(",")),
                    None => topics.join(","),
                },
                Run::Kafka {
                    kafka: self.services.kafka(&cluster)?,
                    topics: topics.clone(),
                    pattern: topic_pattern.clone(),
                    partitions: partitions.clone(),
                    start: start.clone(),
                    resume: resume.clone(),
                },
            ),
            LiveSource::RabbitTap {
                vhost,
                exchange,
                binding_keys,
                ..
            } => (
                Backend::Rabbitmq,
                "live_tap",
                crate::rabbitmq::logic::vhost_object(vhost, exchange),
                Run::Rabbit {
                    rabbit: self.services.rabbitmq(&cluster)?,
                    vhost: vhost.clone(),
                    what: TapOf::Exchange(exchange.clone(), binding_keys.clone()),
                },
            ),
            LiveSource::RabbitQueue { vhost, queue, .. } => (
                Backend::Rabbitmq,
                "live_tap",
                crate::rabbitmq::logic::vhost_object(vhost, queue),
                Run::Rabbit {
                    rabbit: self.services.rabbitmq(&cluster)?,
                    vhost: vhost.clone(),
                    what: TapOf::Queue(queue.clone()),
                },
            ),
            LiveSource::KafkaFlows { .. } => (
                Backend::Kafka,
                "live_flows",
                "flows".to_string(),
                Run::Flows(FlowOf::Kafka(self.services.kafka(&cluster)?)),
            ),
            LiveSource::RabbitFlows { vhost, .. } => (
                Backend::Rabbitmq,
                "live_flows",
                crate::fields::url_segment(vhost),
                Run::Flows(FlowOf::Rabbit(
                    self.services.rabbitmq(&cluster)?,
                    vhost.clone(),
                )),
            ),
        };
        let slot = self.limits.acquire(&self.principal.user)?;
        self.seed = self.seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        let outbox: Shared = Arc::new(Mutex::new(Outbox::new(self.seed)));
        let (stop, stopped) = oneshot::channel();
        self.subs.insert(
            id,
            Sub {
                _slot: slot,
                outbox: Arc::clone(&outbox),
                last: None,
                stop: Some(stop),
            },
        );
        let attempt = Attempt::new(
            &self.ctx,
            backend,
            &cluster,
            op,
            &target,
            serde_json::json!({
                "source": source,
                "filter": filter,
                "resume": resume.len(),
            }),
            None,
        );
        let audit = self.services.audit.clone();
        let events = self.events.clone();
        let grants = self.principal.grants.clone();
        let viewer = self.principal.user.clone();
        tokio::spawn(async move {
            // Message payloads are often personal data: a permission of their
            // own. A flow graph shows figures only.
            let needs: &[Permission] = match &run {
                Run::Flows(_) => &[Permission::Read],
                _ => &[Permission::Read, Permission::ReadPayloads],
            };
            for need in needs {
                if !allows(&grants, backend, &cluster, *need) {
                    let why = missing(*need, backend, &cluster);
                    let error = audit.deny(attempt, &why).await;
                    let _ = events.send(LiveFrame::Error { id, error }).await;
                    return;
                }
            }
            // Figures are read like any page reads them: not a change, not recorded.
            if let Run::Flows(of) = run {
                of.run(&cluster, id, &events, stopped).await;
                return;
            }
            let pump = Pump {
                outbox: &outbox,
                matcher: &matcher,
                header: header.as_ref(),
                events: &events,
                id,
            };
            let record = audit.record(attempt, || async {
                let ended = run.go(&pump, stopped, &viewer).await?;
                let counters = outbox.lock().map(|o| o.counters()).unwrap_or_default();
                let after = serde_json::json!({ "counters": counters, "ended": ended }).to_string();
                Ok(Applied {
                    value: (),
                    after: Some(after),
                })
            });
            if let Err(error) = record.await {
                let _ = events.send(LiveFrame::Error { id, error }).await;
            }
        });
        Ok(())
    }
}

/// Where a flow graph's figures come from.
enum FlowOf {
    Kafka(Arc<KafkaCluster>),
    Rabbit(Arc<RabbitCluster>, String),
}

impl FlowOf {
    /// Samples every [`FLOW_SAMPLE_MS`] and sends the graph until the view
    /// closes; a failed round is reported and the next one tried.
    async fn run(
        self,
        cluster: &str,
        id: u32,
        events: &mpsc::Sender<LiveFrame>,
        mut stopped: oneshot::Receiver<()>,
    ) {
        use super::logic::flows::{FLOW_MAX_PER_COLUMN, FLOW_SAMPLE_MS, kafka_graph, rabbit_graph};
        let mut prev = None;
        loop {
            let graph = match &self {
                FlowOf::Kafka(k) => k.flow_sample(FLOW_MAX_PER_COLUMN).await.map(|s| {
                    let g = kafka_graph(cluster, prev.as_ref(), &s);
                    prev = Some(s);
                    g
                }),
                FlowOf::Rabbit(r, vhost) => r
                    .flow_snapshot(vhost, FLOW_MAX_PER_COLUMN)
                    .await
                    .map(|s| rabbit_graph(cluster, vhost, &s)),
            };
            let frame = match graph {
                Ok(graph) => LiveFrame::Flows { id, graph },
                Err(error) => LiveFrame::Error { id, error },
            };
            if events.send(frame).await.is_err() {
                return;
            }
            tokio::select! {
                _ = &mut stopped => return,
                _ = tokio::time::sleep(std::time::Duration::from_millis(FLOW_SAMPLE_MS)) => {}
            }
        }
    }
}

/// What a subscription reads, resolved before anything runs.
enum Run {
    Flows(FlowOf),
    Kafka {
        kafka: Arc<KafkaCluster>,
        topics: Vec<String>,
        pattern: Option<String>,
        partitions: Vec<i32>,
        start: TailStart,
        resume: Vec<Position>,
    },
    Rabbit {
        rabbit: Arc<RabbitCluster>,
        vhost: String,
        what: TapOf,
    },
}

enum TapOf {
    /// An exchange, with the binding keys asked for (none: all it routes).
    Exchange(String, Vec<String>),
    /// A queue's own bindings.
    Queue(String),
}

impl Run {
    /// Opens (or joins) the tap and reads it until the view closes; says why it ended.
    async fn go(
        self,
        pump: &Pump<'_>,
        stopped: oneshot::Receiver<()>,
        viewer: &str,
    ) -> Result<&'static str, AppError> {
        match self {
            // Flow views never reach here (they are not recorded).
            Run::Flows(_) => Ok("closed"),
            Run::Kafka {
                kafka,
                topics,
                pattern,
                partitions,
                start,
                resume,
            } => {
                let topics = kafka.tail_topics(&topics, pattern.as_deref()).await?;
                let (tail, rx) = kafka.tail(&topics, &partitions, &start, &resume).await?;
                for (pos, missed) in &tail.started {
                    if let Ok(mut o) = pump.outbox.lock() {
                        o.advance(&pos.topic, pos.partition, pos.next);
                    }
                    if *missed > 0 {
                        let _ = pump
                            .events
                            .send(LiveFrame::Gap {
                                id: pump.id,
                                topic: pos.topic.clone(),
                                partition: pos.partition,
                                missed: *missed,
                            })
                            .await;
                    }
                }
                let ended = pump.run(rx, stopped).await;
                drop(tail);
                Ok(ended)
            }
            Run::Rabbit {
                rabbit,
                vhost,
                what,
            } => {
                let bindings = match &what {
                    TapOf::Exchange(x, keys) => {
                        rabbit.exchange_tap_bindings(&vhost, x, keys).await?
                    }
                    TapOf::Queue(q) => rabbit.queue_tap_bindings(&vhost, q).await?,
                };
                let (tap, rx) = rabbit.tap(&vhost, bindings, viewer).await?;
                if let Ok(mut o) = pump.outbox.lock() {
                    for b in &tap.bindings {
                        o.advance(&b.exchange, 0, 0);
                    }
                }
                let _ = pump
                    .events
                    .send(LiveFrame::Tapping {
                        id: pump.id,
                        queue: tap.queue.clone(),
                        bindings: tap
                            .bindings
                            .iter()
                            .map(|b| (b.exchange.clone(), b.routing_key.clone()))
                            .collect(),
                    })
                    .await;
                let ended = pump.run(rx, stopped).await;
                drop(tap);
                Ok(ended)
            }
        }
    }
}

/// One tapped message, whichever the source (rows hold these until sent):
/// a Kafka batch and the message's place in it, or a RabbitMQ message.
#[derive(Clone)]
enum Event {
    Kafka(Arc<TailEvent>, usize),
    Rabbit(Arc<TapEvent>),
}

/// A message's fields as the filters and rows read them.
struct Msg<'a> {
    topic: &'a str,
    partition: i32,
    offset: i64,
    timestamp: Option<i64>,
    key: Option<&'a [u8]>,
    value: Option<&'a [u8]>,
    headers: &'a [(String, Option<Vec<u8>>)],
}

impl Event {
    fn message(&self) -> Option<Msg<'_>> {
        match self {
            Event::Kafka(e, i) => match &**e {
                TailEvent::Messages { messages, .. } => messages.get(*i).map(|m| Msg {
                    topic: &m.topic,
                    partition: m.partition,
                    offset: m.offset,
                    timestamp: m.timestamp,
                    key: m.key.as_deref(),
                    value: m.value.as_deref(),
                    headers: &m.headers,
                }),
                TailEvent::Error(_) => None,
            },
            Event::Rabbit(e) => match &**e {
                TapEvent::Message(m) => Some(Msg {
                    topic: &m.exchange,
                    partition: 0,
                    offset: m.seq,
                    timestamp: Some(m.timestamp),
                    key: Some(m.routing_key.as_bytes()),
                    value: Some(&m.body),
                    headers: &m.headers,
                }),
                TapEvent::Error(_) => None,
            },
        }
    }
}

/// What a tap's fan-out carries: some messages, numbered by the tap, or
/// the tap's error.
trait Tapped: Clone {
    /// The error this item reports, if it is one.
    fn error(&self) -> Option<&AppError>;
    /// The tap's count of messages before this item, and how many it holds.
    fn span(&self) -> (u64, usize);
    fn event(&self, i: usize) -> Event;
}

impl Tapped for Arc<TailEvent> {
    fn error(&self) -> Option<&AppError> {
        match &**self {
            TailEvent::Error(e) => Some(e),
            TailEvent::Messages { .. } => None,
        }
    }
    fn span(&self) -> (u64, usize) {
        match &**self {
            TailEvent::Messages { first, messages } => (*first, messages.len()),
            TailEvent::Error(_) => (0, 0),
        }
    }
    fn event(&self, i: usize) -> Event {
        Event::Kafka(Arc::clone(self), i)
    }
}

impl Tapped for Arc<TapEvent> {
    fn error(&self) -> Option<&AppError> {
        match &**self {
            TapEvent::Error(e) => Some(e),
            TapEvent::Message(_) => None,
        }
    }
    fn span(&self) -> (u64, usize) {
        match &**self {
            // seq is 1, 2, … in the order the tap received them.
            TapEvent::Message(m) => (u64::try_from(m.seq - 1).unwrap_or(0), 1),
            TapEvent::Error(_) => (0, 0),
        }
    }
    fn event(&self, _: usize) -> Event {
        Event::Rabbit(Arc::clone(self))
    }
}

/// Moves a tap's messages through one view's filter into its outbox.
struct Pump<'a> {
    outbox: &'a Shared,
    matcher: &'a Matcher,
    header: Option<&'a (String, Option<String>)>,
    events: &'a mpsc::Sender<LiveFrame>,
    id: u32,
}

impl Pump<'_> {
    /// Reads the tap until the view is closed; says why it ended. Messages
    /// this view missed because it fell behind the fan-out are counted as
    /// dropped, exactly: each item says where it starts in the tap's count.
    async fn run<T: Tapped>(
        &self,
        mut rx: broadcast::Receiver<T>,
        mut stopped: oneshot::Receiver<()>,
    ) -> &'static str {
        let mut expected: Option<u64> = None;
        loop {
            tokio::select! {
                _ = &mut stopped => return "closed",
                item = rx.recv() => match item {
                    Ok(item) => {
                        if let Some(e) = item.error() {
                            let error = e.clone();
                            let _ = self.events.send(LiveFrame::Error { id: self.id, error }).await;
                            continue;
                        }
                        let (first, n) = item.span();
                        // One lock per batch: the outbox is shared with the socket's tick.
                        let Ok(mut o) = self.outbox.lock() else { return "failed" };
                        if let Some(at) = expected && first > at {
                            o.lost(first - at);
                        }
                        expected = Some(first + n as u64);
                        for i in 0..n {
                            let ev = item.event(i);
                            let Some(m) = ev.message() else { continue };
                            let pass = self.matcher.matches(m.key, m.value)
                                && self.header.is_none_or(|h| has_header(m.headers, h));
                            let (topic, partition, offset) = (m.topic, m.partition, m.offset);
                            o.offer(topic, partition, offset, pass.then(|| ev.clone()));
                        }
                    }
                    // The next item says how many messages were missed.
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return "source closed",
                },
            }
        }
    }
}

/// `name` or `name=value`.
fn parse_header_filter(h: Option<&str>) -> Result<Option<(String, Option<String>)>, AppError> {
    let Some(h) = h.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(None);
    };
    let (name, value) = match h.split_once('=') {
        Some((n, v)) => (n.trim(), Some(v.to_string())),
        None => (h, None),
    };
    if name.is_empty() {
        return Err(AppError::invalid(
            "header",
            "name the header: name, or name=value",
        ));
    }
    Ok(Some((name.to_string(), value)))
}

fn has_header(
    headers: &[(String, Option<Vec<u8>>)],
    (name, value): &(String, Option<String>),
) -> bool {
    headers.iter().any(|(k, v)| {
        k == name
            && value
                .as_ref()
                .is_none_or(|want| v.as_deref() == Some(want.as_bytes()))
    })
}

fn row(m: &Msg<'_>) -> LiveRow {
    LiveRow {
        topic: m.topic.to_string(),
        partition: m.partition,
        offset: m.offset,
        timestamp: m.timestamp,
        key_b64: m.key.map(|k| encode_b64(cut(k))),
        value_b64: m.value.map(|v| encode_b64(cut(v))),
        value_len: m.value.map_or(0, <[u8]>::len),
        headers: m
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_deref()
                        .map(|v| String::from_utf8_lossy(cut(v)).into_owned()),
                )
            })
            .collect(),
    }
}
