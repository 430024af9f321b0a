//! Pure RabbitMQ rules: reading the management API's overview document.

use serde_json::Value;

/// Fields of `/api/overview` the console shows. Missing fields (older
/// versions, a node still booting) become `None`/0 rather than errors.
#[derive(Debug, Default, PartialEq)]
pub struct OverviewDoc {
    pub version: Option<String>,
    pub erlang_version: Option<String>,
    pub cluster_name: Option<String>,
    pub node: Option<String>,
    pub queues: u64,
    pub exchanges: u64,
    pub connections: u64,
    pub channels: u64,
    pub consumers: u64,
    pub messages_ready: u64,
    pub messages_unacknowledged: u64,
}

pub fn parse_overview(v: &Value) -> OverviewDoc {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let n = |a: &str, b: &str| v.get(a).and_then(|o| o.get(b)).and_then(Value::as_u64).unwrap_or(0);
    OverviewDoc {
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
        assert_eq!(parse_overview(&serde_json::json!({})), OverviewDoc::default());
    }
}
