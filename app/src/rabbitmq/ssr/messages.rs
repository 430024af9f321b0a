//! Messages over AMQP (`lapin`): publish with confirms, and a real
//! non-destructive read of a stream from an offset. Classic and quorum
//! queues have no such read: for them the management API's "get" is used,
//! which consumes and requeues (and the page says so).

use super::{RabbitCluster, errors, seg};
use crate::codec::encode_b64;
use crate::error::{AppError, Backend};
use crate::rabbitmq::model::{InspectMode, InspectResult, RabbitMessage};
use crate::runtime::bounded;
use futures::StreamExt;
use lapin::options::{
    BasicCancelOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, QueuePurgeOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{BasicProperties, Confirmation, Connection, ConnectionProperties};
use serde_json::json;

/// Where a stream read starts (`x-stream-offset`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamStart {
    First,
    Last,
    Offset(i64),
    /// Seconds since the epoch.
    Timestamp(i64),
}

/// What a publish needs besides the body.
#[derive(Debug, Clone, Default)]
pub struct PublishSpec {
    pub vhost: String,
    pub exchange: String,
    pub routing_key: String,
    pub content_type: Option<String>,
    pub persistent: bool,
    pub headers: Vec<(String, String)>,
}

impl RabbitCluster {
    /// The AMQP URI for `vhost`, with the configured credentials.
    pub(super) fn amqp_uri(&self, vhost: &str) -> Result<String, AppError> {
        let base = self.config.amqp_url.as_deref().ok_or_else(|| {
            AppError::invalid(
                "amqp_url",
                format!(
                    "RabbitMQ cluster \"{}\" has no amqp_url in zkmq's config; publishing and stream reads need it",
                    self.config.id
                ),
            )
        })?;
        let mut url = url::Url::parse(base)
            .map_err(|e| AppError::invalid("amqp_url", format!("\"{base}\" is not a URL: {e}")))?;
        let _ = url.set_username(&self.config.username);
        let _ = url.set_password(Some(self.config.password.expose()));
        url.set_path(&format!("/{}", seg(vhost)));
        Ok(url.to_string())
    }

    async fn connect(&self, vhost: &str) -> Result<Connection, AppError> {
        let uri = self.amqp_uri(vhost)?;
        bounded(self.timeout, Backend::Rabbitmq, self.id(), async {
            Connection::connect(&uri, ConnectionProperties::default())
                .await
                .map_err(|e| errors::amqp(self.id(), &e))
        })
        .await
    }

    /// Publishes one message with publisher confirms and `mandatory`, so a
    /// message no queue would get is reported instead of silently dropped.
    /// Returns whether some queue took it.
    pub(super) async fn publish_raw(
        &self,
        spec: &PublishSpec,
        body: &[u8],
    ) -> Result<bool, AppError> {
        let conn = self.connect(&spec.vhost).await?;
        let result = bounded(self.timeout, Backend::Rabbitmq, self.id(), async {
            let ch = conn
                .create_channel()
                .await
                .map_err(|e| errors::amqp(self.id(), &e))?;
            ch.confirm_select(ConfirmSelectOptions::default())
                .await
                .map_err(|e| errors::amqp(self.id(), &e))?;
            let mut headers = FieldTable::default();
            for (k, v) in &spec.headers {
                headers.insert(
                    ShortString::from(k.clone()),
                    AMQPValue::LongString(LongString::from(v.clone())),
                );
            }
            let mut props = BasicProperties::default()
                .with_headers(headers)
                .with_delivery_mode(if spec.persistent { 2 } else { 1 });
            if let Some(ct) = &spec.content_type {
                props = props.with_content_type(ShortString::from(ct.clone()));
            }
            let missing = errors::missing(|| errors::exchange_words(&spec.exchange, &spec.vhost));
            let confirm = ch
                .basic_publish(
                    ShortString::from(spec.exchange.clone()),
                    ShortString::from(spec.routing_key.clone()),
                    BasicPublishOptions {
                        mandatory: true,
                        ..Default::default()
                    },
                    body,
                    props,
                )
                .await
                .map_err(|e| errors::amqp(self.id(), &e))
                .map_err(&missing)?
                .await
                .map_err(|e| errors::amqp(self.id(), &e))
                .map_err(&missing)?;
            match confirm {
                Confirmation::Ack(None) => Ok(true),
                Confirmation::Ack(Some(_)) => Ok(false),
                Confirmation::Nack(_) => Err(AppError::Conflict(format!(
                    "RabbitMQ refused the message (nack) on exchange \"{}\"",
                    spec.exchange
                ))),
                Confirmation::NotRequested => Ok(true),
            }
        })
        .await;
        let _ = conn.close(200, ShortString::from("bye")).await;
        result
    }

    /// Purges over AMQP, which answers with the exact number of messages
    /// removed (the management API's counters lag by a stats interval).
    pub(super) async fn purge_raw(&self, vhost: &str, queue: &str) -> Result<u64, AppError> {
        let conn = self.connect(vhost).await?;
        let result = bounded(self.timeout, Backend::Rabbitmq, self.id(), async {
            let ch = conn
                .create_channel()
                .await
                .map_err(|e| errors::amqp(self.id(), &e))?;
            ch.queue_purge(
                ShortString::from(queue.to_string()),
                QueuePurgeOptions::default(),
            )
            .await
            .map(u64::from)
            .map_err(|e| errors::amqp(self.id(), &e))
        })
        .await;
        let _ = conn.close(200, ShortString::from("bye")).await;
        result
    }

    /// Reads up to `count` messages of a stream queue from `start` without
    /// consuming anything (streams keep their messages; the read is a cursor).
    pub async fn read_stream(
        &self,
        vhost: &str,
        queue: &str,
        start: StreamStart,
        count: u16,
    ) -> Result<InspectResult, AppError> {
        // On a classic or quorum queue the same consume would take messages
        // and hand them back marked redelivered: a change, unconfirmed and
        // unaudited. Only streams keep their messages under a cursor.
        let q = self
            .get_json(&format!("queues/{}/{}", seg(vhost), seg(queue)))
            .await?;
        let kind = q["type"].as_str().unwrap_or("classic");
        if kind != "stream" {
            return Err(AppError::invalid(
                "queue",
                format!(
                    "\"{queue}\" is a {kind} queue: reading from an offset needs a stream queue. \
                     Reading a {kind} queue takes its messages and puts them back marked redelivered; \
                     \"Get and requeue\" does that after asking, and records it"
                ),
            ));
        }
        let conn = self.connect(vhost).await?;
        let id = self.id().to_string();
        let result = async {
            let ch = conn
                .create_channel()
                .await
                .map_err(|e| errors::amqp(&id, &e))?;
            // Streams require a prefetch: it also bounds what the broker sends.
            ch.basic_qos(count.max(1), BasicQosOptions::default())
                .await
                .map_err(|e| errors::amqp(&id, &e))?;
            let mut args = FieldTable::default();
            let offset = match start {
                StreamStart::First => AMQPValue::LongString(LongString::from("first")),
                StreamStart::Last => AMQPValue::LongString(LongString::from("last")),
                StreamStart::Offset(o) => AMQPValue::LongLongInt(o),
                StreamStart::Timestamp(t) => AMQPValue::Timestamp(t.max(0) as u64),
            };
            args.insert(ShortString::from("x-stream-offset"), offset);
            let mut consumer = ch
                .basic_consume(
                    ShortString::from(queue.to_string()),
                    ShortString::from("zkmq-peek"),
                    BasicConsumeOptions::default(),
                    args,
                )
                .await
                .map_err(|e| errors::amqp(&id, &e))?;
            let mut out = Vec::new();
            // Stop at `count`, or when nothing more arrives for a moment (the end).
            while out.len() < count as usize {
                match tokio::time::timeout(std::time::Duration::from_millis(700), consumer.next())
                    .await
                {
                    Ok(Some(Ok(d))) => {
                        let offset = d
                            .properties
                            .headers()
                            .as_ref()
                            .and_then(|h| h.inner().get("x-stream-offset").cloned())
                            .and_then(|v| match v {
                                AMQPValue::LongLongInt(o) => Some(o),
                                AMQPValue::LongInt(o) => Some(o.into()),
                                _ => None,
                            });
                        out.push(RabbitMessage {
                            exchange: d.exchange.to_string(),
                            routing_key: d.routing_key.to_string(),
                            redelivered: d.redelivered,
                            offset,
                            properties: properties_json(&d.properties).to_string(),
                            payload_bytes: d.data.len() as u64,
                            payload_b64: encode_b64(&d.data),
                        });
                    }
                    Ok(Some(Err(e))) => return Err(errors::amqp(&id, &e)),
                    Ok(None) | Err(_) => break,
                }
            }
            let _ = ch
                .basic_cancel(
                    ShortString::from("zkmq-peek"),
                    BasicCancelOptions::default(),
                )
                .await;
            Ok(InspectResult {
                mode: InspectMode::StreamOffset,
                messages: out,
            })
        };
        let result = bounded(self.timeout * 3, Backend::Rabbitmq, self.id(), result).await;
        let _ = conn.close(200, ShortString::from("bye")).await;
        result
    }

    /// The management API's get with requeue: the broker hands the messages
    /// out and takes them back; they are marked redelivered and may change
    /// position. Only used after the user confirmed exactly that.
    pub(super) async fn get_requeue_raw(
        &self,
        vhost: &str,
        queue: &str,
        count: u16,
    ) -> Result<InspectResult, AppError> {
        let body = self
            .post(
                &format!("queues/{}/{}/get", seg(vhost), seg(queue)),
                &json!({"count": count, "ackmode": "ack_requeue_true", "encoding": "base64", "truncate": 50_000}),
            )
            .await?;
        let v: serde_json::Value = serde_json::from_str(&body)
            .map_err(|_| AppError::Internal("RabbitMQ sent messages that are not JSON".into()))?;
        let messages = v
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| RabbitMessage {
                exchange: m["exchange"].as_str().unwrap_or("").into(),
                routing_key: m["routing_key"].as_str().unwrap_or("").into(),
                redelivered: m["redelivered"].as_bool().unwrap_or(false),
                offset: None,
                properties: m["properties"].to_string(),
                payload_b64: m["payload"].as_str().unwrap_or("").into(),
                payload_bytes: m["payload_bytes"].as_u64().unwrap_or(0),
            })
            .collect();
        Ok(InspectResult {
            mode: InspectMode::GetRequeue,
            messages,
        })
    }
}

fn properties_json(p: &BasicProperties) -> serde_json::Value {
    let headers: serde_json::Map<String, serde_json::Value> = p
        .headers()
        .as_ref()
        .map(|h| {
            h.inner()
                .iter()
                .map(|(k, v)| (k.to_string(), json!(format!("{v:?}"))))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "content_type": p.content_type().as_ref().map(|s| s.to_string()),
        "delivery_mode": p.delivery_mode(),
        "message_id": p.message_id().as_ref().map(|s| s.to_string()),
        "timestamp": p.timestamp(),
        "headers": headers,
    })
}
