//! One browser tab's live views, server side: the subscriptions of one
//! websocket, each a task that reads its (shared) tap, filters and offers
//! into its [`Outbox`]; the socket loop calls [`LiveSession::tick`] every
//! [`TICK_MS`] and sends what the credit allows. Each subscription is one
//! audited operation: the attempt when it starts, the outcome (with its
//! counters) when it stops — never a row per message.

use super::logic::{Outbox, cut};
use super::model::{Counters, LiveFilter, LiveFrame, LiveRequest, LiveRow, LiveSource, Position};
use crate::audit::ssr::{Applied, Attempt};
use crate::auth::logic::{allows, missing};
use crate::auth::model::{Permission, Principal};
use crate::codec::encode_b64;
use crate::error::{AppError, Backend};
use crate::kafka::ssr::Matcher;
use crate::kafka::ssr::tail::{TailEvent, TailMessage};
use crate::runtime::RequestContext;
use crate::services::Services;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, mpsc, oneshot};

pub use super::logic::{KEEPALIVE_MS, TICK_MS};

/// Live views one tab may hold at once.
pub const MAX_SUBSCRIPTIONS: usize = 8;

/// Rows are the tap's shared events (always messages), turned into wire
/// rows only when sent: most are counted, never shown.
type Shared = Arc<Mutex<Outbox<Arc<TailEvent>>>>;

struct Sub {
    outbox: Shared,
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

pub struct LiveSession {
    services: Services,
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
        principal: Principal,
        ctx: RequestContext,
        events: mpsc::Sender<LiveFrame>,
    ) -> Self {
        LiveSession {
            services,
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

    fn with(&self, id: u32, f: impl FnOnce(&mut Outbox<Arc<TailEvent>>)) {
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
                    .filter_map(|e| match &**e {
                        TailEvent::Message(m) => Some(row(m)),
                        TailEvent::Error(_) => None,
                    })
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
        let LiveSource::KafkaTail {
            cluster,
            topics,
            partitions,
            start,
        } = source.clone();
        let kafka = self.services.kafka(&cluster)?;
        self.seed = self.seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        let outbox: Shared = Arc::new(Mutex::new(Outbox::new(self.seed)));
        let (stop, stopped) = oneshot::channel();
        self.subs.insert(
            id,
            Sub {
                outbox: Arc::clone(&outbox),
                last: None,
                stop: Some(stop),
            },
        );
        let attempt = Attempt::new(
            &self.ctx,
            Backend::Kafka,
            &cluster,
            "live_tail",
            &topics.join(","),
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
        tokio::spawn(async move {
            // Message payloads are often personal data: a permission of their own.
            for need in [Permission::Read, Permission::ReadPayloads] {
                if !allows(&grants, Backend::Kafka, &cluster, need) {
                    let why = missing(need, Backend::Kafka, &cluster);
                    let error = audit.deny(attempt, &why).await;
                    let _ = events.send(LiveFrame::Error { id, error }).await;
                    return;
                }
            }
            let run = audit.record(attempt, || async {
                let (tail, rx) = kafka.tail(&topics, &partitions, &start, &resume).await?;
                for (pos, missed) in &tail.started {
                    if let Ok(mut o) = outbox.lock() {
                        o.advance(&pos.topic, pos.partition, pos.next);
                    }
                    if *missed > 0 {
                        let _ = events
                            .send(LiveFrame::Gap {
                                id,
                                topic: pos.topic.clone(),
                                partition: pos.partition,
                                missed: *missed,
                            })
                            .await;
                    }
                }
                let ended =
                    pump(rx, &outbox, &matcher, header.as_ref(), stopped, &events, id).await;
                drop(tail);
                let counters = outbox.lock().map(|o| o.counters()).unwrap_or_default();
                let after = serde_json::json!({ "counters": counters, "ended": ended }).to_string();
                Ok(Applied {
                    value: (),
                    after: Some(after),
                })
            });
            if let Err(error) = run.await {
                let _ = events.send(LiveFrame::Error { id, error }).await;
            }
        });
        Ok(())
    }
}

/// Reads the tap until the view is closed; says why it ended.
async fn pump(
    mut rx: broadcast::Receiver<Arc<TailEvent>>,
    outbox: &Shared,
    matcher: &Matcher,
    header: Option<&(String, Option<String>)>,
    mut stopped: oneshot::Receiver<()>,
    events: &mpsc::Sender<LiveFrame>,
    id: u32,
) -> &'static str {
    loop {
        tokio::select! {
            _ = &mut stopped => return "closed",
            ev = rx.recv() => match ev {
                Ok(ev) => match &*ev {
                    TailEvent::Message(m) => {
                        let pass = matcher.matches(m.key.as_deref(), m.value.as_deref())
                            && header.is_none_or(|h| has_header(m, h));
                        let Ok(mut o) = outbox.lock() else { return "failed" };
                        o.offer(&m.topic, m.partition, m.offset, pass.then(|| Arc::clone(&ev)));
                    }
                    TailEvent::Error(e) => {
                        let _ = events
                            .send(LiveFrame::Error { id, error: e.clone() })
                            .await;
                    }
                },
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    if let Ok(mut o) = outbox.lock() {
                        o.lost(n);
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return "source closed",
            },
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

fn has_header(m: &TailMessage, (name, value): &(String, Option<String>)) -> bool {
    m.headers.iter().any(|(k, v)| {
        k == name
            && value
                .as_ref()
                .is_none_or(|want| v.as_deref() == Some(want.as_bytes()))
    })
}

fn row(m: &TailMessage) -> LiveRow {
    LiveRow {
        topic: m.topic.clone(),
        partition: m.partition,
        offset: m.offset,
        timestamp: m.timestamp,
        key_b64: m.key.as_deref().map(|k| encode_b64(cut(k))),
        value_b64: m.value.as_deref().map(|v| encode_b64(cut(v))),
        value_len: m.value.as_ref().map_or(0, Vec::len),
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
