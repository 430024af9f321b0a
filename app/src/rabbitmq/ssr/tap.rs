//! The live tap of an exchange (or of a queue's bindings): zkmq's own
//! queue — exclusive, auto-delete, server-named, bounded — bound beside the
//! real ones, on a connection named after the viewer, fanned out to every
//! viewer of the same bindings through a `tokio::sync::broadcast` channel.
//! zkmq never consumes from a real queue for a live view: the broker copies
//! each routed message to the tap queue as well, and real consumers get
//! theirs as before.
//!
//! The tap queue overflows by dropping its oldest messages (`drop-head`),
//! never by `reject-publish`, which would nack the real publishers; its
//! messages expire after [`TAP_TTL_MS`]. Closing the connection deletes the
//! queue (exclusive), so a crashed console leaves nothing behind either.

use super::{RabbitCluster, errors};
use crate::error::{AppError, Backend};
use crate::rabbitmq::logic::check_tap_exchange;
use crate::rabbitmq::model::BindingRow;
use crate::runtime::{Taps, bounded, now_ms};
use futures::StreamExt;
use lapin::options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{Connection, ConnectionProperties};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::{broadcast, oneshot};

pub use crate::rabbitmq::model::{TAP_MAX_LENGTH, TAP_TTL_MS};
/// Messages the fan-out holds for its slowest viewer.
const FANOUT: usize = 65_536;

/// One binding of the tap queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TapBinding {
    pub exchange: String,
    pub routing_key: String,
    /// Binding arguments as JSON text ("{}" for none): a headers exchange
    /// matches on them.
    pub arguments: String,
}

/// One tapped message, shared by every viewer of the tap.
#[derive(Debug)]
pub struct TapMessage {
    pub exchange: String,
    pub routing_key: String,
    /// 1, 2, … in the order the tap received them.
    pub seq: i64,
    /// The message's timestamp property, else when the tap received it (ms).
    pub timestamp: i64,
    pub body: Vec<u8>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

#[derive(Debug)]
pub enum TapEvent {
    Message(TapMessage),
    /// The tap's connection failed, in the user's words.
    Error(AppError),
}

/// A running tap. Dropping the last `Arc` closes its connection, and with
/// it the tap queue.
pub struct Tap {
    tx: broadcast::Sender<Arc<TapEvent>>,
    _stop: oneshot::Sender<()>,
    ended: Arc<AtomicBool>,
    /// The server-named tap queue (shown on the page, so users can find it
    /// in RabbitMQ's own tools).
    pub queue: String,
    pub bindings: Vec<TapBinding>,
}

impl Tap {
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<TapEvent>> {
        self.tx.subscribe()
    }
}

/// Taps shared by the viewers of the same vhost and bindings.
pub type SharedTaps = Taps<(String, Vec<TapBinding>), Tap>;

impl RabbitCluster {
    /// The bindings that tap `exchange`: the given binding keys, else every
    /// message the exchange type can match (`#` on a topic exchange, any key
    /// on fanout, no header condition on headers), else — a direct exchange
    /// matches exact keys only — the keys its bindings use now.
    pub async fn exchange_tap_bindings(
        &self,
        vhost: &str,
        exchange: &str,
        keys: &[String],
    ) -> Result<Vec<TapBinding>, AppError> {
        check_tap_exchange(exchange)?;
        let x = self.exchange(vhost, exchange).await?;
        let bind = |k: &str| TapBinding {
            exchange: exchange.to_string(),
            routing_key: k.to_string(),
            arguments: "{}".into(),
        };
        let mut out: Vec<TapBinding> = if !keys.is_empty() {
            keys.iter().map(|k| bind(k)).collect()
        } else {
            match x.kind.as_str() {
                "topic" => vec![bind("#")],
                "fanout" | "headers" => vec![bind("")],
                _ => self
                    .source_bindings(vhost, exchange)
                    .await?
                    .iter()
                    .map(|b| bind(&b.routing_key))
                    .collect(),
            }
        };
        out.sort();
        out.dedup();
        if out.is_empty() {
            return Err(AppError::invalid(
                "binding_keys",
                format!(
                    "{} exchange \"{exchange}\" routes by exact routing key and has no bindings yet: \
                     name the binding keys to tap",
                    x.kind
                ),
            ));
        }
        Ok(out)
    }

    /// The bindings that tap a queue: the queue's own, except the default
    /// exchange's (which cannot be bound; the page says what that misses).
    pub async fn queue_tap_bindings(
        &self,
        vhost: &str,
        queue: &str,
    ) -> Result<Vec<TapBinding>, AppError> {
        let q = self.queue(vhost, queue).await?;
        let mut out: Vec<TapBinding> = q
            .bindings
            .iter()
            .filter(|b| !b.source.is_empty())
            .map(|b| TapBinding {
                exchange: b.source.clone(),
                routing_key: b.routing_key.clone(),
                arguments: b.arguments.clone(),
            })
            .collect();
        out.sort();
        out.dedup();
        if out.is_empty() {
            return Err(AppError::invalid(
                "queue",
                format!(
                    "queue \"{queue}\" is bound to the default exchange only, which cannot be \
                     tapped: its messages reach it by its name, and only it receives them"
                ),
            ));
        }
        Ok(out)
    }

    async fn source_bindings(
        &self,
        vhost: &str,
        exchange: &str,
    ) -> Result<Vec<BindingRow>, AppError> {
        Ok(self
            .bindings(vhost)
            .await?
            .into_iter()
            .filter(|b| b.source == exchange)
            .collect())
    }

    /// A tap for one viewer: the running one for the same bindings, else a
    /// new one on a connection named after `viewer`.
    pub async fn tap(
        &self,
        vhost: &str,
        bindings: Vec<TapBinding>,
        viewer: &str,
    ) -> Result<(Arc<Tap>, broadcast::Receiver<Arc<TapEvent>>), AppError> {
        let key = (vhost.to_string(), bindings);
        if let Some(tap) = self.taps.get(&key)
            && !tap.ended.load(Ordering::Relaxed)
        {
            let rx = tap.subscribe();
            return Ok((tap, rx));
        }
        let (tap, rx) = self.open_tap(vhost, key.1.clone(), viewer).await?;
        let tap = Arc::new(tap);
        self.taps.insert(key, &tap);
        Ok((tap, rx))
    }

    /// Taps running on this cluster.
    pub fn running_taps(&self) -> usize {
        self.taps.running()
    }

    async fn open_tap(
        &self,
        vhost: &str,
        bindings: Vec<TapBinding>,
        viewer: &str,
    ) -> Result<(Tap, broadcast::Receiver<Arc<TapEvent>>), AppError> {
        let uri = self.amqp_uri(vhost)?;
        let id = self.id().to_string();
        let name = format!("zkmq live tap for {viewer}");
        let conn = bounded(self.timeout, Backend::Rabbitmq, &id, async {
            Connection::connect(
                &uri,
                ConnectionProperties::default().with_connection_name(LongString::from(name)),
            )
            .await
            .map_err(|e| errors::amqp(&id, &e))
        })
        .await?;
        let declared = bounded(self.timeout, Backend::Rabbitmq, &id, async {
            let ch = conn
                .create_channel()
                .await
                .map_err(|e| errors::amqp(&id, &e))?;
            let mut args = FieldTable::default();
            // Exclusive queues are classic; say so in case a policy or the
            // vhost's default queue type would make it something else.
            args.insert(
                ShortString::from("x-queue-type"),
                AMQPValue::LongString(LongString::from("classic")),
            );
            args.insert(
                ShortString::from("x-max-length"),
                AMQPValue::LongLongInt(TAP_MAX_LENGTH),
            );
            args.insert(
                ShortString::from("x-overflow"),
                AMQPValue::LongString(LongString::from("drop-head")),
            );
            args.insert(
                ShortString::from("x-message-ttl"),
                AMQPValue::LongLongInt(TAP_TTL_MS),
            );
            let q = ch
                .queue_declare(
                    ShortString::from(""),
                    QueueDeclareOptions {
                        exclusive: true,
                        auto_delete: true,
                        durable: false,
                        ..Default::default()
                    },
                    args,
                )
                .await
                .map_err(|e| errors::amqp(&id, &e))?;
            let queue = q.name().to_string();
            for b in &bindings {
                let missing = errors::missing(|| errors::exchange_words(&b.exchange, vhost));
                ch.queue_bind(
                    ShortString::from(queue.clone()),
                    ShortString::from(b.exchange.clone()),
                    ShortString::from(b.routing_key.clone()),
                    QueueBindOptions::default(),
                    binding_arguments(&b.arguments),
                )
                .await
                .map_err(|e| errors::amqp(&id, &e))
                .map_err(&missing)?;
            }
            // No acks: the queue is the tap's own, and unacknowledged
            // delivery is the fastest the broker offers. When zkmq falls
            // behind, TCP back-pressure fills the tap queue, which drops its
            // oldest (x-max-length) — real queues are never touched.
            let consumer = ch
                .basic_consume(
                    ShortString::from(queue.clone()),
                    ShortString::from("zkmq-live-tap"),
                    BasicConsumeOptions {
                        no_ack: true,
                        exclusive: true,
                        ..Default::default()
                    },
                    FieldTable::default(),
                )
                .await
                .map_err(|e| errors::amqp(&id, &e))?;
            Ok((queue, consumer))
        })
        .await;
        let (queue, mut consumer) = match declared {
            Ok(v) => v,
            Err(e) => {
                let _ = conn.close(200, ShortString::from("tap refused")).await;
                return Err(e);
            }
        };
        let (tx, first) = broadcast::channel(FANOUT);
        let (stop, mut stopped) = oneshot::channel::<()>();
        let ended = Arc::new(AtomicBool::new(false));
        let (tx2, ended2) = (tx.clone(), Arc::clone(&ended));
        tokio::spawn(async move {
            let mut seq = 0i64;
            loop {
                tokio::select! {
                    // The last viewer dropped the tap.
                    _ = &mut stopped => break,
                    d = consumer.next() => match d {
                        Some(Ok(d)) => {
                            seq += 1;
                            let msg = TapMessage {
                                exchange: d.exchange.to_string(),
                                routing_key: d.routing_key.to_string(),
                                seq,
                                timestamp: d
                                    .properties
                                    .timestamp()
                                    .map(|s| (s as i64).saturating_mul(1000))
                                    .unwrap_or_else(now_ms),
                                headers: headers(&d.properties),
                                body: d.data,
                            };
                            let _ = tx2.send(Arc::new(TapEvent::Message(msg)));
                        }
                        Some(Err(e)) => {
                            let _ = tx2.send(Arc::new(TapEvent::Error(errors::amqp(&id, &e))));
                            break;
                        }
                        None => break,
                    },
                }
            }
            ended2.store(true, Ordering::Relaxed);
            // Closing the connection deletes the exclusive tap queue.
            let _ = conn.close(200, ShortString::from("live view closed")).await;
        });
        Ok((
            Tap {
                tx,
                _stop: stop,
                ended,
                queue,
                bindings,
            },
            first,
        ))
    }
}

/// A binding's JSON arguments as AMQP (headers exchanges match on them).
fn binding_arguments(json: &str) -> FieldTable {
    let mut t = FieldTable::default();
    if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(json) {
        for (k, v) in m {
            let v = match v {
                serde_json::Value::String(s) => AMQPValue::LongString(LongString::from(s)),
                serde_json::Value::Bool(b) => AMQPValue::Boolean(b),
                serde_json::Value::Number(n) if n.is_i64() => {
                    AMQPValue::LongLongInt(n.as_i64().unwrap_or_default())
                }
                other => AMQPValue::LongString(LongString::from(other.to_string())),
            };
            t.insert(ShortString::from(k), v);
        }
    }
    t
}

/// Headers as text bytes (long strings as they are, other values as shown).
fn headers(p: &lapin::BasicProperties) -> Vec<(String, Option<Vec<u8>>)> {
    p.headers()
        .as_ref()
        .map(|h| {
            h.inner()
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        AMQPValue::LongString(s) => s.as_bytes().to_vec(),
                        AMQPValue::ShortString(s) => s.as_str().as_bytes().to_vec(),
                        AMQPValue::Boolean(b) => b.to_string().into_bytes(),
                        AMQPValue::ShortShortInt(n) => n.to_string().into_bytes(),
                        AMQPValue::ShortShortUInt(n) => n.to_string().into_bytes(),
                        AMQPValue::ShortInt(n) => n.to_string().into_bytes(),
                        AMQPValue::ShortUInt(n) => n.to_string().into_bytes(),
                        AMQPValue::LongInt(n) => n.to_string().into_bytes(),
                        AMQPValue::LongUInt(n) => n.to_string().into_bytes(),
                        AMQPValue::LongLongInt(n) => n.to_string().into_bytes(),
                        AMQPValue::Float(n) => n.to_string().into_bytes(),
                        AMQPValue::Double(n) => n.to_string().into_bytes(),
                        AMQPValue::Timestamp(n) => n.to_string().into_bytes(),
                        // Tables, arrays, decimals, bytes: as the client library shows them.
                        other => format!("{other:?}").into_bytes(),
                    };
                    (k.to_string(), Some(v))
                })
                .collect()
        })
        .unwrap_or_default()
}
