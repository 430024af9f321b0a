//! The live tail (issue 15) against the sandbox's Kafka, through `zkmq
//! serve` and `/ws/live` as a browser tab uses it: exact counters, rows only
//! as far as the credit goes, server-side filters, refusals, and one audit
//! row per view with its counts.

mod common;

use common::{
    CHANGE_COLUMNS, ChangeRow, Server, audit_rows, ok_on_local, open_ws, open_ws_as,
    read_frames_until, sandbox_config, send_text_frame, unique, user_with,
};
use rdkafka::ClientConfig;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use serde_json::{Value, json};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn start() -> Server {
    common::start_with_sandbox_kafka()
}

fn topic(s: &Server, partitions: &str) -> String {
    let name = unique("zkmq-it-live");
    ok_on_local(
        s,
        "create_topic",
        &[
            ("name", name.as_str()),
            ("partitions", partitions),
            ("replication", "1"),
            ("configs", ""),
            ("preview", "false"),
        ],
    );
    name
}

/// Produces `values` round-robin over `partitions` and waits for every ack.
fn produce(topic: &str, partitions: i32, values: impl Iterator<Item = String>) {
    let p: BaseProducer = ClientConfig::new()
        .set(
            "bootstrap.servers",
            sandbox_config().kafka[0].bootstrap_servers.join(","),
        )
        .set("linger.ms", "5")
        .create()
        .unwrap();
    for (i, v) in values.enumerate() {
        let rec = BaseRecord::to(topic)
            .partition(i as i32 % partitions)
            .key("k")
            .payload(&v);
        let mut rec = Some(rec);
        while let Some(r) = rec.take() {
            if let Err((_, r)) = p.send(r) {
                p.poll(Duration::from_millis(10));
                rec = Some(r);
            }
        }
    }
    p.flush(Duration::from_secs(30)).unwrap();
}

fn send(ws: &mut TcpStream, v: Value) {
    send_text_frame(ws, &v.to_string());
}

fn subscribe(id: u32, topic: &str, filter: Value) -> Value {
    json!({
        "op": "subscribe", "id": id,
        "source": { "kind": "kafka_tail", "cluster": "local", "topics": [topic], "partitions": [], "start": { "kind": "now" } },
        "filter": filter,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tail_counts_every_message_and_sends_only_what_the_credit_allows() {
    let s = start();
    let t = topic(&s, "3");
    let (mut ws, head) = open_ws(s.port, "/ws/live");
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    send(
        &mut ws,
        subscribe(
            1,
            &t,
            json!({ "message": { "kind": "substring", "text": "needle" } }),
        ),
    );
    send(&mut ws, json!({ "op": "credit", "id": 1, "rows": 50 }));
    // The first batch says the tail is assigned: where each partition starts.
    let first = read_frames_until(&mut ws, |f| f["op"] == "batch");
    assert_eq!(
        first.last().unwrap()["positions"].as_array().unwrap().len(),
        3,
        "{first:?}"
    );

    let total = 2_000;
    produce(
        &t,
        3,
        (0..total).map(|i| {
            if i % 4 == 0 {
                format!("needle {i}")
            } else {
                format!("hay {i}")
            }
        }),
    );
    let mut rows = Vec::new();
    let frames = read_frames_until(&mut ws, |f| {
        if let Some(r) = f["rows"].as_array() {
            rows.extend(r.iter().cloned());
        }
        f["counters"]["seen"] == total
    });
    let c = &frames.last().unwrap()["counters"];
    assert_eq!(c["matched"], 500, "{c}");
    assert_eq!(c["sent"], 50, "{c}");
    assert_eq!(c["sampled_out"], 450, "{c}");
    assert_eq!(c["dropped"], 0, "{c}");
    assert_eq!(rows.len(), 50);
    for r in &rows {
        let v = app::codec::decode_b64(r["value_b64"].as_str().unwrap());
        assert!(v.starts_with(b"needle"), "{r}");
    }
    // Positions: every partition read to its end.
    let next: i64 = frames.last().unwrap()["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["next"].as_i64().unwrap())
        .sum();
    assert_eq!(next, total);

    // More credit: new matches flow again; the counters keep adding up.
    send(&mut ws, json!({ "op": "credit", "id": 1, "rows": 100 }));
    produce(&t, 3, (0..10).map(|i| format!("needle late {i}")));
    let mut late = 0;
    read_frames_until(&mut ws, |f| {
        late += f["rows"].as_array().map_or(0, Vec::len);
        f["counters"]["seen"] == total + 10
    });
    assert_eq!(late, 10);

    // Closing the view writes its one audit row, with the counts.
    send(&mut ws, json!({ "op": "unsubscribe", "id": 1 }));
    let deadline = Instant::now() + Duration::from_secs(10);
    let row = loop {
        let rows: Vec<ChangeRow> = audit_rows(&s, CHANGE_COLUMNS).await;
        if let Some(r) = rows
            .into_iter()
            .find(|r| r.0 == "live_tail" && r.4.is_some())
        {
            break r;
        }
        assert!(Instant::now() < deadline, "no live_tail outcome");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(row.1, t);
    assert_eq!(row.4.as_deref(), Some("ok"));
    let after: Value = serde_json::from_str(row.3.as_deref().unwrap()).unwrap();
    assert_eq!(after["counters"]["seen"], total + 10);
    assert_eq!(after["counters"]["matched"], 510);
    assert_eq!(after["ended"], "closed");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_subscriptions_are_refused_with_their_reason() {
    let s = start();
    let t = topic(&s, "1");
    let (mut ws, _) = open_ws(s.port, "/ws/live");
    let error_of = |ws: &mut TcpStream| {
        let f = read_frames_until(ws, |f| f["op"] == "error");
        f.last().unwrap()["error"].clone()
    };
    send(
        &mut ws,
        subscribe(
            1,
            &t,
            json!({ "message": { "kind": "regex", "pattern": "(" } }),
        ),
    );
    let e = error_of(&mut ws);
    assert_eq!(e["Invalid"]["field"], "filter", "{e}");
    send(
        &mut ws,
        subscribe(2, "zkmq-it-live-no-such-topic", json!({})),
    );
    let e = error_of(&mut ws);
    assert!(
        e["NotFound"]["what"]
            .as_str()
            .unwrap()
            .contains("no-such-topic"),
        "{e}"
    );
    send(&mut ws, subscribe(3, &t, json!({ "header": "=x" })));
    assert_eq!(error_of(&mut ws)["Invalid"]["field"], "header");
    send(&mut ws, json!({ "op": "nonsense" }));
    assert_eq!(error_of(&mut ws)["Invalid"]["field"], "request");

    // A viewer may read the cluster but not its payloads: refused, audited.
    let cookie = user_with(&s, "live_viewer", &[("viewer", "*/*")]);
    let own = format!("http://127.0.0.1:{}", s.port);
    let (mut ws2, head) = open_ws_as(s.port, "/ws/live", &[("Origin", &own), ("Cookie", &cookie)]);
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    send(&mut ws2, subscribe(1, &t, json!({})));
    let e = error_of(&mut ws2);
    assert!(e["Denied"].as_str().unwrap().contains("payloads"), "{e}");
    let rows: Vec<ChangeRow> = audit_rows(&s, CHANGE_COLUMNS).await;
    // Bad filters are refused before anything runs (no row); an unknown
    // topic is a failed attempt and the refusal a denial, both recorded.
    let tails: Vec<(&str, Option<&str>)> = rows
        .iter()
        .filter(|r| r.0 == "live_tail")
        .map(|r| (r.1.as_str(), r.4.as_deref()))
        .collect();
    assert_eq!(
        tails,
        [
            ("zkmq-it-live-no-such-topic", Some("error")),
            (t.as_str(), Some("denied"))
        ],
    );

    // Nobody signed in: no socket at all.
    let (_, head) = open_ws_as(s.port, "/ws/live", &[("Origin", &own), ("Cookie", "")]);
    assert!(head.starts_with("HTTP/1.1 401"), "{head}");
}

#[tokio::test(flavor = "multi_thread")]
async fn live_views_are_bounded_per_user_over_all_tabs_and_per_console() {
    let s = common::start_with_sandbox_kafka_and("live_max_per_user = 2\nlive_max_per_console = 3");
    let t = topic(&s, "1");
    let started = |ws: &mut TcpStream| {
        let f = read_frames_until(ws, |f| f["op"] == "batch" || f["op"] == "error");
        f.last().unwrap().clone()
    };
    // Two views of the admin's, in two tabs: fine; a third in either: refused.
    let (mut a, _) = open_ws(s.port, "/ws/live");
    let (mut b, _) = open_ws(s.port, "/ws/live");
    send(&mut a, subscribe(1, &t, json!({})));
    let f = started(&mut a);
    assert_eq!(f["op"], "batch", "{f}");
    send(&mut b, subscribe(1, &t, json!({})));
    let f = started(&mut b);
    assert_eq!(f["op"], "batch", "{f}");
    send(&mut b, subscribe(2, &t, json!({})));
    let e = started(&mut b);
    let why = e["error"]["Invalid"]["reason"].as_str().unwrap_or_default();
    assert!(
        why.contains("2 live views open") && why.contains("live_max_per_user"),
        "{e}"
    );

    // Another user's view fills the console; the next user's is refused.
    let own = format!("http://127.0.0.1:{}", s.port);
    let open_as = |name: &str| {
        let cookie = user_with(&s, name, &[("viewer", "*/*"), ("payloads", "*/*")]);
        open_ws_as(s.port, "/ws/live", &[("Origin", &own), ("Cookie", &cookie)]).0
    };
    let mut c = open_as("live_limit_c");
    send(&mut c, subscribe(1, &t, json!({})));
    let f = started(&mut c);
    assert_eq!(f["op"], "batch", "{f}");
    let mut d = open_as("live_limit_d");
    send(&mut d, subscribe(1, &t, json!({})));
    let e = started(&mut d);
    let why = e["error"]["Invalid"]["reason"].as_str().unwrap_or_default();
    assert!(why.contains("live_max_per_console"), "{e}");

    // Closing a view frees its place: the admin's third view now starts.
    send(&mut a, json!({ "op": "unsubscribe", "id": 1 }));
    drop(c);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut id = 3;
    loop {
        send(&mut b, subscribe(id, &t, json!({})));
        let f = started(&mut b);
        if f["op"] == "batch" {
            break;
        }
        assert!(Instant::now() < deadline, "never freed: {f}");
        id += 1;
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_topic_regex_tails_every_topic_it_matches_and_a_bad_one_names_its_field() {
    let s = start();
    let (a, b) = (topic(&s, "2"), topic(&s, "1"));
    let other = topic(&s, "1");
    // The two topics by a pattern that matches exactly them.
    let pattern = format!("^({}|{})$", regex_escape(&a), regex_escape(&b));
    let (mut ws, _) = open_ws(s.port, "/ws/live");
    send(
        &mut ws,
        json!({
            "op": "subscribe", "id": 1,
            "source": { "kind": "kafka_tail", "cluster": "local", "topics": [], "topic_pattern": pattern,
                        "partitions": [], "start": { "kind": "now" } },
        }),
    );
    let f = read_frames_until(&mut ws, |f| f["op"] == "batch" || f["op"] == "error");
    let first = f.last().unwrap();
    assert_eq!(first["op"], "batch", "{first}");
    let mut parts: Vec<(String, i64)> = first["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["topic"].as_str().unwrap().to_string(),
                p["partition"].as_i64().unwrap(),
            )
        })
        .collect();
    parts.sort();
    let mut want = vec![(a.clone(), 0), (a.clone(), 1), (b.clone(), 0)];
    want.sort();
    assert_eq!(
        parts, want,
        "the matching topics' partitions, and only those"
    );
    produce(&a, 2, (0..30).map(|i| format!("a{i}")));
    produce(&b, 1, (0..20).map(|i| format!("b{i}")));
    produce(&other, 1, (0..10).map(|i| format!("o{i}")));
    read_frames_until(&mut ws, |f| {
        f["op"] == "batch" && f["counters"]["seen"] == 50
    });

    send(
        &mut ws,
        json!({
            "op": "subscribe", "id": 2,
            "source": { "kind": "kafka_tail", "cluster": "local", "topics": [], "topic_pattern": "(",
                        "partitions": [], "start": { "kind": "now" } },
        }),
    );
    let f = read_frames_until(&mut ws, |f| f["op"] == "error");
    let e = &f.last().unwrap()["error"];
    assert_eq!(e["Invalid"]["field"], "pattern", "{e}");
    let rows: Vec<ChangeRow> = audit_rows(&s, CHANGE_COLUMNS).await;
    let targets: Vec<&str> = rows
        .iter()
        .filter(|r| r.0 == "live_tail")
        .map(|r| r.1.as_str())
        .collect();
    assert_eq!(
        targets,
        [format!("/{pattern}/").as_str()],
        "the bad pattern is refused unrecorded"
    );
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                vec![c]
            } else {
                vec!['\\', c]
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn websockets_are_bounded_per_user_and_oversized_messages_refused() {
    use std::io::Read;
    let s =
        common::start_with_sandbox_kafka_and("ws_max_per_user = 2\nws_max_message_bytes = 4096");
    let (a, head) = open_ws(s.port, "/ws/overview");
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    let (mut b, head) = open_ws(s.port, "/ws/live");
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    // A third socket of the same user, on any live page: refused with the key.
    let (mut c, head) = open_ws(s.port, "/ws/overview");
    assert!(head.starts_with("HTTP/1.1 429"), "{head}");
    let mut body = String::new();
    let _ = c.read_to_string(&mut body);
    assert!(body.contains("server.ws_max_per_user"), "{body}");
    // Closing one frees its place.
    drop(a);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (_d, head) = open_ws(s.port, "/ws/overview");
        if head.starts_with("HTTP/1.1 101") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{head}");
        std::thread::sleep(Duration::from_millis(100));
    }
    // A message over the size limit ends that socket (the server closes it
    // rather than buffer it: read_to_end meets the end, not the read timeout),
    // and only that socket.
    send(
        &mut b,
        json!({"op": "pause", "id": 1, "paused": true, "pad": "x".repeat(8_000)}),
    );
    let mut rest = Vec::new();
    assert!(b.read_to_end(&mut rest).is_ok(), "the socket stayed open");
    let (st, _) = common::http(s.port, "GET", "/healthz", "").unwrap();
    assert_eq!(st, 200);
}
