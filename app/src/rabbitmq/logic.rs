//! Pure RabbitMQ rules: reading the management API's overview document.

use super::model::BrokerOverview;
use serde_json::Value;

/// Reads `/api/overview`.
pub fn parse_overview(v: &Value) -> BrokerOverview {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let n = |a: &str, b: &str| {
        v.get(a)
            .and_then(|o| o.get(b))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    BrokerOverview {
        version: s("rabbitmq_version"),
        erlang_version: s("erlang_version"),
        cluster_name: s("cluster_name"),
        node: s("node"),
        queues: n("object_totals", "queues"),
        exchanges: n("object_totals", "exchanges"),
        connections: n("object_totals", "connections"),
        channels: n("object_totals", "channels"),
        consumers: n("object_totals", "consumers"),
        messages_ready: n("queue_totals", "messages_ready"),
        messages_unacknowledged: n("queue_totals", "messages_unacknowledged"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fields_it_needs_and_tolerates_missing_ones() {
        let v = serde_json::json!({
            "rabbitmq_version": "3.10.8", "erlang_version": "25.2.3", "cluster_name": "rabbit@localhost",
            "node": "rabbit@localhost",
            "object_totals": {"queues": 4, "exchanges": 9, "connections": 1, "channels": 2, "consumers": 3},
            "queue_totals": {"messages_ready": 10}
        });
        let d = parse_overview(&v);
        assert_eq!(d.version.as_deref(), Some("3.10.8"));
        assert_eq!(d.queues, 4);
        assert_eq!(d.exchanges, 9);
        assert_eq!(d.messages_ready, 10);
        assert_eq!(d.messages_unacknowledged, 0);
        assert_eq!(
            parse_overview(&serde_json::json!({})),
            BrokerOverview::default()
        );
    }
}
