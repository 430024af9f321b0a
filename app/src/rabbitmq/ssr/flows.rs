//! One round of a vhost's flow graph from the management API: exchanges
//! and queues with the broker's own rates, bindings, and consumers by
//! connection. Only the columns drawn are asked for, and queues a page at
//! a time (the first by name), so a vhost of thousands stays cheap.

use super::{RabbitCluster, seg};
use crate::error::AppError;
use crate::rabbitmq::model::{FlowQueue, RabbitFlowSnapshot};
use serde_json::Value;

/// The broker leaves out the statistics of what has seen no traffic: 0.
fn rate(v: &Value, stat: &str) -> Option<f64> {
    Some(
        v["message_stats"][format!("{stat}_details")]["rate"]
            .as_f64()
            .unwrap_or(0.0),
    )
}

impl RabbitCluster {
    pub async fn flow_snapshot(
        &self,
        vhost: &str,
        max: usize,
    ) -> Result<RabbitFlowSnapshot, AppError> {
        let v = seg(vhost);
        let exchanges = self
            .get_json(&format!(
                "exchanges/{v}?columns=name,type,message_stats.publish_in_details.rate,message_stats.publish_out_details.rate"
            ))
            .await?;
        let queues = self
            .get_json(&format!(
                "queues/{v}?page=1&page_size={max}&sort=name&columns=name,messages,consumers,message_stats.publish_details.rate,message_stats.deliver_get_details.rate,message_stats.ack_details.rate"
            ))
            .await?;
        let bindings = self.get_json(&format!("bindings/{v}")).await?;
        let consumers = self.get_json(&format!("consumers/{v}")).await?;
        let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
        let items = list(&queues["items"]);
        let total = queues["filtered_count"]
            .as_u64()
            .or(queues["total_count"].as_u64())
            .unwrap_or(items.len() as u64) as usize;
        Ok(RabbitFlowSnapshot {
            at_ms: crate::runtime::now_ms(),
            exchanges: list(&exchanges)
                .iter()
                .map(|x| {
                    (
                        x["name"].as_str().unwrap_or_default().to_string(),
                        x["type"].as_str().unwrap_or_default().to_string(),
                        rate(x, "publish_in"),
                        rate(x, "publish_out"),
                    )
                })
                .collect(),
            more_queues: total.saturating_sub(items.len()),
            queues: items
                .iter()
                .map(|q| FlowQueue {
                    name: q["name"].as_str().unwrap_or_default().to_string(),
                    messages: q["messages"].as_u64().unwrap_or(0),
                    consumers: q["consumers"].as_u64().unwrap_or(0),
                    publish: rate(q, "publish"),
                    deliver: rate(q, "deliver_get"),
                    ack: rate(q, "ack"),
                })
                .collect(),
            bindings: list(&bindings)
                .iter()
                .filter(|b| b["destination_type"] == "queue")
                .map(|b| {
                    (
                        b["source"].as_str().unwrap_or_default().to_string(),
                        b["destination"].as_str().unwrap_or_default().to_string(),
                        b["routing_key"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
            consumers: list(&consumers)
                .iter()
                .map(|c| {
                    (
                        c["queue"]["name"].as_str().unwrap_or_default().to_string(),
                        c["channel_details"]["connection_name"]
                            .as_str()
                            .unwrap_or("(unnamed connection)")
                            .to_string(),
                        c["consumer_tag"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
        })
    }
}
