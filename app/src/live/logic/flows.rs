//! Flow graphs, pure: what a sampling round of a Kafka cluster (offsets)
//! or a RabbitMQ vhost (the management API's rates) becomes on the page.
//! Kafka rates are differences between two rounds; RabbitMQ's are the
//! broker's own.

use crate::fields::{grouped, url_segment};
use crate::kafka::logic::{group_href, topic_href};
use crate::kafka::model::KafkaFlowSample;
use crate::live::logic::link::{TapLink, TapTarget, tap_href};
use crate::live::model::{FlowEdge, FlowGraph, FlowNode};
use crate::rabbitmq::model::RabbitFlowSnapshot;
use std::collections::{BTreeMap, BTreeSet};

/// Objects per column the graph shows (the rest are counted, not drawn).
pub const FLOW_MAX_PER_COLUMN: usize = 200;
/// How often a flow view samples (ms): RabbitMQ refreshes its statistics
/// every 5 s by default, and Kafka offsets cost a round of requests.
pub const FLOW_SAMPLE_MS: u64 = 5_000;

/// "12.5 msg/s", "1,204 msg/s".
pub fn rate_words(rate: Option<f64>) -> String {
    match rate {
        None => "rate after the next sample".into(),
        Some(r) if r < 10.0 => format!("{r:.1} msg/s"),
        Some(r) => format!("{} msg/s", grouped(r.round() as u64)),
    }
}

/// Topics → consumer groups. `prev` is the round before (none: no rates yet).
pub fn kafka_graph(
    cluster: &str,
    prev: Option<&KafkaFlowSample>,
    now: &KafkaFlowSample,
) -> FlowGraph {
    let dt = prev
        .map(|p| (now.at_ms - p.at_ms) as f64 / 1000.0)
        .filter(|dt| *dt > 0.0);
    let per_second = |before: Option<i64>, after: i64| -> Option<f64> {
        let (b, dt) = (before?, dt?);
        // A topic deleted and re-created, or offsets reset: no honest rate.
        (after >= b).then(|| (after - b) as f64 / dt)
    };
    let prev_end: BTreeMap<&str, i64> = prev
        .map(|p| p.topics.iter().map(|(t, e)| (t.as_str(), *e)).collect())
        .unwrap_or_default();
    let prev_groups: BTreeMap<(&str, &str), (i64, i64)> = prev
        .map(|p| {
            p.groups
                .iter()
                .flat_map(|g| {
                    g.topics
                        .iter()
                        .map(move |(t, c, l)| ((g.name.as_str(), t.as_str()), (*c, *l)))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut nodes: Vec<FlowNode> = now
        .topics
        .iter()
        .map(|(t, end)| {
            let rate = per_second(prev_end.get(t.as_str()).copied(), *end);
            FlowNode {
                id: format!("t:{t}"),
                column: 0,
                label: t.clone(),
                href: topic_href(cluster, t),
                detail: format!("in {}", rate_words(rate)),
                rate,
                warn: false,
            }
        })
        .collect();
    let shown: BTreeSet<&str> = now.topics.iter().map(|(t, _)| t.as_str()).collect();
    let mut edges = Vec::new();
    for g in &now.groups {
        let mut group_rate: Option<f64> = Some(0.0);
        let mut lag_total = 0;
        let mut growing = false;
        for (t, committed, lag) in &g.topics {
            let before = prev_groups.get(&(g.name.as_str(), t.as_str()));
            let rate = per_second(before.map(|b| b.0), *committed);
            group_rate = group_rate.zip(rate).map(|(a, b)| a + b);
            lag_total += lag;
            growing |= before.is_some_and(|b| *lag > b.1);
            if shown.contains(t.as_str()) {
                edges.push(FlowEdge {
                    from: format!("t:{t}"),
                    to: format!("g:{}", g.name),
                    label: format!("{} · lag {}", rate_words(rate), grouped(*lag as u64)),
                    rate,
                });
            }
        }
        let rate = if g.topics.is_empty() {
            None
        } else {
            group_rate
        };
        nodes.push(FlowNode {
            id: format!("g:{}", g.name),
            column: 1,
            label: g.name.clone(),
            href: group_href(cluster, &g.name),
            detail: format!(
                "{} · {} member{} · consumes {} · lag {}{}",
                g.state,
                g.members,
                if g.members == 1 { "" } else { "s" },
                rate_words(rate),
                grouped(lag_total.max(0) as u64),
                if growing { " (growing)" } else { "" }
            ),
            rate,
            warn: growing,
        });
    }
    let truncated = (now.more_topics + now.more_groups > 0).then(|| {
        format!(
            "{} more topics and {} more groups are not drawn (the graph shows {FLOW_MAX_PER_COLUMN} of each): filter to see others",
            grouped(now.more_topics as u64),
            grouped(now.more_groups as u64)
        )
    });
    FlowGraph {
        columns: vec!["Topics".into(), "Consumer groups".into()],
        nodes,
        edges,
        at_ms: now.at_ms,
        source: format!(
            "End offsets and committed offsets read every {} s; a rate is the difference between the last two reads.",
            FLOW_SAMPLE_MS / 1000
        ),
        truncated,
    }
}

/// Exchanges → queues → consumers of one vhost.
pub fn rabbit_graph(cluster: &str, vhost: &str, snap: &RabbitFlowSnapshot) -> FlowGraph {
    // The default exchange reaches every queue by its name: drawing that
    // would hide the bindings people made.
    let bound: BTreeSet<&str> = snap.bindings.iter().map(|(x, _, _)| x.as_str()).collect();
    let mut nodes = Vec::new();
    let mut more_exchanges = 0;
    for (name, kind, pin, pout) in &snap.exchanges {
        if name.is_empty() || (!bound.contains(name.as_str()) && pin.unwrap_or(0.0) == 0.0) {
            continue;
        }
        if nodes.len() >= FLOW_MAX_PER_COLUMN {
            more_exchanges += 1;
            continue;
        }
        let tap = TapLink::of(
            vhost.to_string(),
            TapTarget::Exchange {
                name: name.clone(),
                keys: vec![],
            },
        );
        nodes.push(FlowNode {
            id: format!("x:{name}"),
            column: 0,
            label: name.clone(),
            href: tap_href(cluster, &tap),
            detail: format!(
                "{kind} · in {} · out {}",
                rate_words(*pin),
                rate_words(*pout)
            ),
            rate: *pin,
            warn: false,
        });
    }
    let exchanges: BTreeSet<String> = nodes.iter().map(|n| n.label.clone()).collect();
    let queues: Vec<_> = snap.queues.iter().take(FLOW_MAX_PER_COLUMN).collect();
    let more_queues = snap.queues.len() - queues.len() + snap.more_queues;
    for q in &queues {
        nodes.push(FlowNode {
            id: format!("q:{}", q.name),
            column: 1,
            label: q.name.clone(),
            href: format!(
                "/rabbitmq/{}/queues/{}/{}",
                url_segment(cluster),
                url_segment(vhost),
                url_segment(&q.name)
            ),
            detail: format!(
                "{} messages · in {} · delivered {} · acked {} · {} consumer{}",
                grouped(q.messages),
                rate_words(q.publish),
                rate_words(q.deliver),
                rate_words(q.ack),
                q.consumers,
                if q.consumers == 1 { "" } else { "s" }
            ),
            rate: q.deliver,
            // Messages waiting and nobody to take them.
            warn: q.messages > 0 && q.consumers == 0,
        });
    }
    let shown_queues: BTreeMap<&str, Option<f64>> = queues
        .iter()
        .map(|q| (q.name.as_str(), q.publish))
        .collect();
    let mut edges: Vec<FlowEdge> = snap
        .bindings
        .iter()
        .filter(|(x, q, _)| exchanges.contains(x) && shown_queues.contains_key(q.as_str()))
        .map(|(x, q, key)| FlowEdge {
            from: format!("x:{x}"),
            to: format!("q:{q}"),
            label: if key.is_empty() {
                "(any key)".into()
            } else {
                key.clone()
            },
            rate: None,
        })
        .collect();
    // Consumers by connection: one node per connection, an edge per queue it reads.
    let mut conns: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (q, conn, _) in &snap.consumers {
        if shown_queues.contains_key(q.as_str()) {
            conns.entry(conn.as_str()).or_default().insert(q.as_str());
        }
    }
    let delivered: BTreeMap<&str, Option<f64>> = queues
        .iter()
        .map(|q| (q.name.as_str(), q.deliver))
        .collect();
    for (conn, qs) in &conns {
        let first = qs.iter().next().copied().unwrap_or_default();
        nodes.push(FlowNode {
            id: format!("c:{conn}"),
            column: 2,
            label: conn.to_string(),
            href: format!(
                "/rabbitmq/{}/queues/{}/{}",
                url_segment(cluster),
                url_segment(vhost),
                url_segment(first)
            ),
            detail: format!(
                "consumes from {} queue{}",
                qs.len(),
                if qs.len() == 1 { "" } else { "s" }
            ),
            rate: None,
            warn: false,
        });
        for q in qs {
            let rate = delivered.get(q).copied().flatten();
            edges.push(FlowEdge {
                from: format!("q:{q}"),
                to: format!("c:{conn}"),
                label: format!("delivered {}", rate_words(rate)),
                rate,
            });
        }
    }
    let truncated = (more_exchanges + more_queues > 0).then(|| {
        format!(
            "{} more exchanges and {} more queues are not drawn (the graph shows {FLOW_MAX_PER_COLUMN} of each)",
            grouped(more_exchanges as u64),
            grouped(more_queues as u64)
        )
    });
    FlowGraph {
        columns: vec!["Exchanges".into(), "Queues".into(), "Consumers (by connection)".into()],
        nodes,
        edges,
        at_ms: snap.at_ms,
        source: "Rates from the management API, which refreshes them every statistics interval (5 s by default); read every 5 s.".into(),
        truncated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::model::FlowGroup;
    use crate::rabbitmq::model::FlowQueue;

    fn sample(at_ms: i64, end: i64, committed: i64, lag: i64) -> KafkaFlowSample {
        KafkaFlowSample {
            at_ms,
            topics: vec![("orders".into(), end)],
            groups: vec![FlowGroup {
                name: "billing".into(),
                state: "Stable".into(),
                members: 2,
                topics: vec![("orders".into(), committed, lag)],
            }],
            more_topics: 0,
            more_groups: 0,
        }
    }

    #[test]
    fn kafka_rates_are_differences_between_two_rounds() {
        let first = kafka_graph("local", None, &sample(0, 1_000, 900, 100));
        assert_eq!(first.nodes[0].rate, None, "one round: no rate yet");
        let a = sample(10_000, 1_000, 900, 100);
        let b = sample(15_000, 6_000, 5_000, 1_000);
        let g = kafka_graph("local", Some(&a), &b);
        assert_eq!(g.nodes[0].rate, Some(1_000.0), "5,000 more messages in 5 s");
        assert_eq!(g.nodes[0].href, "/kafka/local/topics/orders");
        assert_eq!(g.nodes[1].rate, Some(820.0), "4,100 more committed in 5 s");
        assert!(g.nodes[1].warn, "lag grew from 100 to 1,000");
        assert!(
            g.nodes[1].detail.contains("lag 1,000 (growing)"),
            "{}",
            g.nodes[1].detail
        );
        assert_eq!(g.edges[0].label, "820 msg/s · lag 1,000");
        // Offsets that went back (a reset, a re-created topic) give no rate.
        let back = kafka_graph("local", Some(&b), &sample(20_000, 10, 10, 0));
        assert_eq!(back.nodes[0].rate, None);
    }

    #[test]
    fn rabbit_graph_draws_bound_exchanges_queues_and_consumers() {
        let snap = RabbitFlowSnapshot {
            at_ms: 1,
            exchanges: vec![
                ("".into(), "direct".into(), Some(5.0), None),
                ("orders".into(), "topic".into(), Some(120.0), Some(120.0)),
                ("amq.fanout".into(), "fanout".into(), None, None),
            ],
            queues: vec![
                FlowQueue {
                    name: "billing".into(),
                    messages: 0,
                    consumers: 1,
                    publish: Some(120.0),
                    deliver: Some(119.5),
                    ack: Some(119.5),
                },
                FlowQueue {
                    name: "stuck".into(),
                    messages: 40,
                    consumers: 0,
                    publish: None,
                    deliver: None,
                    ack: None,
                },
            ],
            bindings: vec![("orders".into(), "billing".into(), "orders.#".into())],
            consumers: vec![("billing".into(), "billing-service-1".into(), "ctag1".into())],
            more_queues: 0,
        };
        let g = rabbit_graph("local", "/", &snap);
        let ids: Vec<&str> = g.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(
            ids,
            ["x:orders", "q:billing", "q:stuck", "c:billing-service-1"],
            "default and idle unbound exchanges left out"
        );
        assert_eq!(
            g.nodes[0].href,
            "/rabbitmq/local/live?vhost=%2F&exchange=orders"
        );
        assert!(g.nodes[2].warn, "40 messages and no consumer");
        assert_eq!(g.edges.len(), 2);
        assert_eq!(g.edges[0].label, "orders.#");
        assert_eq!(g.edges[1].label, "delivered 120 msg/s");
    }
}
