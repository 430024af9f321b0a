//! The RabbitMQ live tap (issue 15) against the sandbox broker, through
//! `zkmq serve` and `/ws/live`: ten tabs on one exchange share one tap queue
//! on one connection, every message is counted in every tab, a real queue
//! bound to the same exchange keeps all its messages, the default exchange
//! is refused, and closing the tabs leaves nothing on the broker.

mod common;

use common::{
    CHANGE_COLUMNS, ChangeRow, audit_rows, open_ws, rabbit_api, read_frames_until, sandbox_config,
    send_text_frame, unique,
};
use lapin::options::{
    BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions, QueueBindOptions,
    QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{FieldTable, ShortString};
use lapin::{BasicProperties, Connection, ConnectionProperties, ExchangeKind};
use serde_json::{Value, json};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn amqp_url() -> String {
    let r = &sandbox_config().rabbitmq[0];
    let mut url = url::Url::parse(r.amqp_url.as_deref().unwrap()).unwrap();
    url.set_username(&r.username).unwrap();
    url.set_password(Some(r.password.expose())).unwrap();
    url.to_string()
}

fn tap(id: u32, exchange: &str) -> Value {
    json!({
        "op": "subscribe", "id": id,
        "source": { "kind": "rabbit_tap", "cluster": "local", "vhost": "/", "exchange": exchange },
    })
}

/// Polls the broker until `ok` holds, or panics with the last answer.
fn wait_broker(path: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let v = rabbit_api(path);
        if ok(&v) {
            return v;
        }
        if Instant::now() > deadline {
            panic!("the broker never got there: /api/{path} = {v}");
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_tabs_share_one_tap_that_robs_nobody_and_leaves_nothing_behind() {
    let s = common::start_with_sandbox_rabbitmq();
    let exchange = unique("zkmq-it-tap-x");
    let real = unique("zkmq-it-tap-q");
    let conn = Connection::connect(&amqp_url(), ConnectionProperties::default())
        .await
        .unwrap();
    let ch = conn.create_channel().await.unwrap();
    ch.exchange_declare(
        ShortString::from(exchange.clone()),
        ExchangeKind::Topic,
        ExchangeDeclareOptions::default(),
        FieldTable::default(),
    )
    .await
    .unwrap();
    ch.queue_declare(
        ShortString::from(real.clone()),
        QueueDeclareOptions::default(),
        FieldTable::default(),
    )
    .await
    .unwrap();
    ch.queue_bind(
        ShortString::from(real.clone()),
        ShortString::from(exchange.clone()),
        ShortString::from("orders.*"),
        QueueBindOptions::default(),
        FieldTable::default(),
    )
    .await
    .unwrap();

    // Ten tabs, each its own socket and view of the same exchange.
    let mut tabs: Vec<TcpStream> = (0..10).map(|_| open_ws(s.port, "/ws/live").0).collect();
    let mut queue = String::new();
    for ws in &mut tabs {
        send_text_frame(ws, &tap(1, &exchange).to_string());
        send_text_frame(
            ws,
            &json!({ "op": "credit", "id": 1, "rows": 50 }).to_string(),
        );
        let f = read_frames_until(ws, |f| f["op"] == "tapping" || f["op"] == "error");
        let last = f.last().unwrap();
        assert_eq!(last["op"], "tapping", "{last}");
        assert_eq!(last["bindings"], json!([[exchange, "#"]]), "{last}");
        let q = last["queue"].as_str().unwrap().to_string();
        assert!(
            queue.is_empty() || q == queue,
            "a second tap queue: {q} besides {queue}"
        );
        queue = q;
    }
    // One tap queue, exclusive, bounded, dropping its oldest; one connection.
    let q = wait_broker(&format!("queues/%2F/{queue}"), |q| q["consumers"] == 1);
    assert_eq!(q["exclusive"], true, "{q}");
    assert_eq!(q["arguments"]["x-overflow"], "drop-head", "{q}");
    assert_eq!(q["arguments"]["x-max-length"], 10_000, "{q}");
    let bound = rabbit_api(&format!("exchanges/%2F/{exchange}/bindings/source"));
    assert_eq!(
        bound.as_array().unwrap().len(),
        2,
        "the real queue and one tap: {bound}"
    );
    let taps: Vec<Value> = rabbit_api("connections")
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["client_properties"]["connection_name"] == "zkmq live tap for admin")
        .cloned()
        .collect();
    assert_eq!(taps.len(), 1, "one tap connection for ten tabs");
    let (_, metrics) = common::http(s.port, "GET", "/metrics", "").unwrap();
    assert!(
        metrics.contains("zkmq_live_taps{backend=\"rabbitmq\",cluster=\"local\"} 1"),
        "{metrics}"
    );

    // 1,000 messages, confirmed by the broker.
    ch.confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    for i in 0..1000 {
        ch.basic_publish(
            ShortString::from(exchange.clone()),
            ShortString::from(if i % 2 == 0 { "orders.eu" } else { "audit.eu" }),
            BasicPublishOptions::default(),
            format!("{{\"n\":{i}}}").as_bytes(),
            BasicProperties::default(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    }
    // Every tab counted all of them; rows only as far as its credit went.
    for ws in &mut tabs {
        let f = read_frames_until(ws, |f| f["op"] == "batch" && f["counters"]["seen"] == 1000);
        let c = &f.last().unwrap()["counters"];
        assert_eq!(c["matched"], 1000, "{c}");
        assert_eq!(c["sent"], 50, "{c}");
        assert_eq!(c["sampled_out"], 950, "{c}");
        let rows: usize = f
            .iter()
            .map(|b| b["rows"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(rows, 50);
    }
    // The real queue got its 500 (orders.*): the tap took nothing from it.
    wait_broker(&format!("queues/%2F/{real}"), |q| q["messages"] == 500);

    // All tabs closed: the tap queue, its binding and its connection are gone.
    drop(tabs);
    wait_broker(&format!("exchanges/%2F/{exchange}/bindings/source"), |b| {
        b.as_array().is_some_and(|b| b.len() == 1)
    });
    wait_broker("connections", |cs| {
        !cs.as_array()
            .unwrap()
            .iter()
            .any(|c| c["client_properties"]["connection_name"] == "zkmq live tap for admin")
    });
    let gone = rabbit_api("queues/%2F")
        .as_array()
        .unwrap()
        .iter()
        .any(|q| q["name"] == queue.as_str());
    assert!(!gone, "the tap queue {queue} is still there");

    // Ten views, ten audited live_tap operations, each with its counts.
    let deadline = Instant::now() + Duration::from_secs(10);
    let target = format!("%2F/{exchange}");
    loop {
        let rows: Vec<ChangeRow> = audit_rows(&s, CHANGE_COLUMNS).await;
        let done: Vec<&ChangeRow> = rows
            .iter()
            .filter(|r| r.0 == "live_tap" && r.1 == target && r.4.as_deref() == Some("ok"))
            .collect();
        if done.len() == 10 {
            assert!(
                done.iter()
                    .all(|r| r.3.as_deref().is_some_and(|a| a.contains("\"seen\":1000"))),
                "{done:?}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "live_tap rows: {rows:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    ch.queue_delete(ShortString::from(real), QueueDeleteOptions::default())
        .await
        .unwrap();
    let _ = conn.close(200, ShortString::from("done")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_exchange_and_unknown_exchanges_are_refused_with_their_reason() {
    let s = common::start_with_sandbox_rabbitmq();
    let (mut ws, _) = open_ws(s.port, "/ws/live");
    for (id, exchange) in [(1, ""), (2, "amq.default")] {
        send_text_frame(&mut ws, &tap(id, exchange).to_string());
        let f = read_frames_until(&mut ws, |f| f["op"] == "error");
        let e = &f.last().unwrap()["error"];
        assert_eq!(e["Invalid"]["field"], "exchange", "{e}");
        assert!(
            e["Invalid"]["reason"]
                .as_str()
                .unwrap()
                .contains("default exchange"),
            "{e}"
        );
    }
    let missing = unique("zkmq-it-tap-none");
    send_text_frame(&mut ws, &tap(3, &missing).to_string());
    let f = read_frames_until(&mut ws, |f| f["op"] == "error");
    let e = &f.last().unwrap()["error"];
    assert!(
        e["NotFound"]["what"].as_str().unwrap().contains(&missing),
        "{e}"
    );
    // The default exchange was refused before anything ran: no audit row;
    // the unknown exchange is a failed attempt, recorded.
    let rows: Vec<ChangeRow> = audit_rows(&s, CHANGE_COLUMNS).await;
    let taps: Vec<(&str, Option<&str>)> = rows
        .iter()
        .filter(|r| r.0 == "live_tap")
        .map(|r| (r.1.as_str(), r.4.as_deref()))
        .collect();
    assert_eq!(taps, [(format!("%2F/{missing}").as_str(), Some("error"))]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_console_leaves_no_tap_queue_behind() {
    let mut s = common::start_with_sandbox_rabbitmq();
    // Its own user: the ten-tabs test counts the admin's tap connections.
    let cookie = common::user_with(&s, "tap_killed", &[("viewer", "*/*"), ("payloads", "*/*")]);
    let own = format!("http://127.0.0.1:{}", s.port);
    let (mut ws, _) =
        common::open_ws_as(s.port, "/ws/live", &[("Origin", &own), ("Cookie", &cookie)]);
    send_text_frame(&mut ws, &tap(1, "amq.topic").to_string());
    let f = read_frames_until(&mut ws, |f| f["op"] == "tapping" || f["op"] == "error");
    let last = f.last().unwrap();
    assert_eq!(last["op"], "tapping", "{last}");
    let queue = last["queue"].as_str().unwrap().to_string();
    wait_broker(&format!("queues/%2F/{queue}"), |q| q["consumers"] == 1);
    // SIGKILL: no close frame, no connection.close — only the socket dies.
    s.child.kill().unwrap();
    s.child.wait().unwrap();
    wait_broker("queues/%2F", |qs| {
        !qs.as_array()
            .unwrap()
            .iter()
            .any(|q| q["name"] == queue.as_str())
    });
}
