//! The RabbitMQ server functions against the sandbox broker (management API
//! and AMQP), through `zkmq serve` and HTTP. Each test uses its own name
//! prefix and removes what it made.

mod common;

use common::{
    CHANGE_COLUMNS, ChangeRow, Server, api, audit_rows, ok_on_local, on_local, refused_on_local,
    unique,
};
use serde_json::Value;

fn start() -> Server {
    common::start_with_sandbox_rabbitmq()
}

fn call(s: &Server, name: &str, pairs: &[(&str, &str)]) -> (u16, Value) {
    api(s, name, &on_local(pairs))
}

fn ok(s: &Server, name: &str, pairs: &[(&str, &str)]) -> Value {
    ok_on_local(s, name, pairs)
}

fn refused(s: &Server, name: &str, pairs: &[(&str, &str)]) -> Value {
    refused_on_local(s, name, pairs)
}

/// Deletes a test queue in "/" unconditionally (through zkmq, audited).
fn drop_queue(s: &Server, name: &str) {
    ok(
        s,
        "delete_queue",
        &[
            ("vhost", "/"),
            ("name", name),
            ("if_empty", "false"),
            ("if_unused", "false"),
        ],
    );
}

fn queue(s: &Server, name: &str, args: &str) -> (u16, Value) {
    call(
        s,
        "create_queue",
        &[
            ("vhost", "/"),
            ("name", name),
            ("durable", "true"),
            ("auto_delete", "false"),
            ("arguments", args),
        ],
    )
}

#[tokio::test]
async fn exchange_queue_binding_publish_inspect_policy_purge_delete() {
    let s = start();
    let p = unique("zkmq-it-rmq");
    let (ex, dlx, q, pol) = (
        format!("{p}-ex"),
        format!("{p}-dlx"),
        format!("{p}-q"),
        format!("{p}-pol"),
    );
    for e in [&ex, &dlx] {
        ok(
            &s,
            "create_exchange",
            &[
                ("vhost", "/"),
                ("name", e),
                ("kind", "direct"),
                ("durable", "true"),
                ("auto_delete", "false"),
                ("internal", "false"),
                ("arguments", ""),
            ],
        );
    }
    let v = refused(
        &s,
        "create_exchange",
        &[
            ("vhost", "/"),
            ("name", &ex),
            ("kind", "direct"),
            ("durable", "true"),
            ("auto_delete", "false"),
            ("internal", "false"),
            ("arguments", ""),
        ],
    );
    assert_eq!(
        v["Conflict"],
        format!("exchange \"{ex}\" already exists in vhost \"/\"")
    );
    let (status, v) = queue(
        &s,
        &q,
        &format!("x-message-ttl=60000\nx-dead-letter-exchange={dlx}"),
    );
    assert_eq!(status, 200, "{v}");
    // Declaring it again with another TTL: the broker's refusal, in words,
    // on the field that carried the arguments.
    let (_, v) = queue(
        &s,
        &q,
        &format!("x-message-ttl=30000\nx-dead-letter-exchange={dlx}"),
    );
    assert_eq!(v["Invalid"]["field"], "arguments", "{v}");
    assert_eq!(
        v["Invalid"]["reason"],
        "PRECONDITION_FAILED: queue exists with different arguments: x-message-ttl 60000 vs 30000"
    );
    let (_, v) = queue(
        &s,
        &q,
        &format!("x-message-ttl=60000\nx-dead-letter-exchange={dlx}"),
    );
    assert!(
        v["Conflict"]
            .as_str()
            .unwrap()
            .contains("same settings; nothing changed"),
        "{v}"
    );

    ok(
        &s,
        "create_binding",
        &[
            ("vhost", "/"),
            ("source", &ex),
            ("destination_type", "queue"),
            ("destination", &q),
            ("routing_key", "orders"),
            ("arguments", ""),
        ],
    );
    let d = ok(&s, "get_queue", &[("vhost", "/"), ("name", &q)]);
    assert!(
        d["bindings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["source"] == ex.as_str() && b["routing_key"] == "orders"),
        "{d}"
    );
    assert!(
        d["arguments"]
            .as_str()
            .unwrap()
            .contains("\"x-message-ttl\":60000"),
        "{d}"
    );

    // Publish: routed through the binding; unroutable is reported, not dropped silently.
    assert_eq!(
        ok(
            &s,
            "publish_message",
            &[
                ("vhost", "/"),
                ("exchange", &ex),
                ("routing_key", "orders"),
                ("content_type", "application/json"),
                ("persistent", "true"),
                ("headers", "trace=t1"),
                ("body", r#"{"id":1}"#)
            ]
        ),
        true
    );
    assert_eq!(
        ok(
            &s,
            "publish_message",
            &[
                ("vhost", "/"),
                ("exchange", &ex),
                ("routing_key", "nowhere"),
                ("content_type", ""),
                ("persistent", "false"),
                ("headers", ""),
                ("body", "x")
            ]
        ),
        false
    );

    // Inspect a classic queue: only with the confirmation, and it says what it did.
    let v = refused(
        &s,
        "get_requeue_messages",
        &[
            ("vhost", "/"),
            ("queue", &q),
            ("count", "5"),
            ("confirm", "false"),
        ],
    );
    assert!(
        v["Invalid"]["reason"]
            .as_str()
            .unwrap()
            .contains("marks the messages redelivered"),
        "{v}"
    );
    let got = ok(
        &s,
        "get_requeue_messages",
        &[
            ("vhost", "/"),
            ("queue", &q),
            ("count", "5"),
            ("confirm", "true"),
        ],
    );
    assert_eq!(got["mode"], "get_requeue");
    assert_eq!(got["messages"].as_array().unwrap().len(), 1);
    assert_eq!(got["messages"][0]["payload_b64"], "eyJpZCI6MX0="); // {"id":1}
    let again = ok(
        &s,
        "get_requeue_messages",
        &[
            ("vhost", "/"),
            ("queue", &q),
            ("count", "5"),
            ("confirm", "true"),
        ],
    );
    assert_eq!(
        again["messages"][0]["redelivered"], true,
        "requeued messages come back redelivered"
    );

    // A policy applies to the queue: its effective policy shows it.
    ok(
        &s,
        "put_policy",
        &[
            ("vhost", "/"),
            ("name", &pol),
            ("pattern", &format!("^{p}-q$")),
            ("apply_to", "queues"),
            ("priority", "5"),
            ("definition", "max-length=1000\noverflow=reject-publish"),
            ("operator", "false"),
        ],
    );
    // The management API shows a queue's policy after its next stats round (5 s).
    let mut effective = Value::Null;
    for _ in 0..150 {
        let d = ok(&s, "get_queue", &[("vhost", "/"), ("name", &q)]);
        if d["row"]["policy"] == pol.as_str() {
            effective = d;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        effective["effective_policy"]
            .as_str()
            .unwrap_or("")
            .contains("\"max-length\":1000"),
        "{effective}"
    );
    // Replacing the policy (same name, another definition): the second wins,
    // on the policy list and on the live queue, and the audit keeps the first.
    ok(
        &s,
        "put_policy",
        &[
            ("vhost", "/"),
            ("name", &pol),
            ("pattern", &format!("^{p}-q$")),
            ("apply_to", "queues"),
            ("priority", "5"),
            ("definition", "max-length=3000"),
            ("operator", "false"),
        ],
    );
    let listed = ok(&s, "list_policies", &[]);
    let mine: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["name"] == pol.as_str())
        .collect();
    assert_eq!(mine.len(), 1, "one policy of that name: {listed}");
    assert_eq!(mine[0]["definition"], r#"{"max-length":3000}"#, "{listed}");
    let mut replaced = Value::Null;
    for _ in 0..150 {
        let d = ok(&s, "get_queue", &[("vhost", "/"), ("name", &q)]);
        if d["effective_policy"]
            .as_str()
            .is_some_and(|e| e.contains("\"max-length\":3000"))
        {
            replaced = d;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let effective = replaced["effective_policy"].as_str().unwrap_or("");
    assert!(
        effective.contains("\"max-length\":3000") && !effective.contains("overflow"),
        "the replaced definition applies as a whole: {replaced}"
    );
    let v = refused(
        &s,
        "put_policy",
        &[
            ("vhost", "/"),
            ("name", &pol),
            ("pattern", "^x"),
            ("apply_to", "queues"),
            ("priority", "0"),
            ("definition", "x-max-length=1"),
            ("operator", "false"),
        ],
    );
    assert!(
        v["Invalid"]["reason"]
            .as_str()
            .unwrap()
            .contains("is not a policy key"),
        "{v}"
    );

    // Purge (typed name), then delete.
    let v = refused(
        &s,
        "purge_queue",
        &[("vhost", "/"), ("name", &q), ("confirm", "nope")],
    );
    assert_eq!(v["Invalid"]["field"], "confirm");
    assert_eq!(
        ok(
            &s,
            "purge_queue",
            &[("vhost", "/"), ("name", &q), ("confirm", &q)]
        ),
        1
    );
    ok(
        &s,
        "delete_policy",
        &[("vhost", "/"), ("name", &pol), ("operator", "false")],
    );
    ok(
        &s,
        "delete_queue",
        &[
            ("vhost", "/"),
            ("name", &q),
            ("if_empty", "true"),
            ("if_unused", "false"),
        ],
    );
    for e in [&ex, &dlx] {
        ok(
            &s,
            "delete_exchange",
            &[("vhost", "/"), ("name", e), ("if_unused", "false")],
        );
    }
    let v = refused(&s, "get_queue", &[("vhost", "/"), ("name", &q)]);
    assert!(v["NotFound"].is_object(), "{v}");

    let rows = audit_rows::<ChangeRow>(&s, CHANGE_COLUMNS).await;
    let find = |action: &str| {
        rows.iter()
            .find(|r| r.0 == action)
            .unwrap_or_else(|| panic!("no {action} in {rows:?}"))
    };
    let purge = find("purge_queue");
    // The before value is the management API's (lagging) counters; the after is AMQP's exact count.
    assert!(
        purge.2.as_deref().unwrap().contains("\"ready\":"),
        "{purge:?}"
    );
    assert_eq!(purge.3.as_deref(), Some(r#"{"purged":1}"#));
    let puts: Vec<&ChangeRow> = rows.iter().filter(|r| r.0 == "put_policy").collect();
    assert_eq!(puts.len(), 2, "{puts:?}");
    assert_eq!(
        puts[0].2, None,
        "a new policy has no before value: {:?}",
        puts[0]
    );
    assert!(
        puts[0]
            .3
            .as_deref()
            .unwrap()
            .contains("\"max-length\":1000"),
        "{:?}",
        puts[0]
    );
    // The replacement's before value is the first definition, its after the second.
    let before = puts[1].2.as_deref().unwrap_or("");
    assert!(
        before.contains("max-length")
            && before.contains("1000")
            && before.contains("reject-publish"),
        "{:?}",
        puts[1]
    );
    assert!(
        puts[1]
            .3
            .as_deref()
            .unwrap()
            .contains("\"max-length\":3000"),
        "{:?}",
        puts[1]
    );
    assert_eq!(
        (puts[0].4.as_deref(), puts[1].4.as_deref()),
        (Some("ok"), Some("ok"))
    );
    assert!(
        find("delete_policy")
            .2
            .as_deref()
            .unwrap()
            .contains("max-length")
    );
    assert_eq!(find("publish_message").4.as_deref(), Some("ok"));
    assert_eq!(
        rows.iter()
            .filter(|r| r.0 == "get_requeue_messages")
            .count(),
        2
    );
    assert!(
        find("delete_queue")
            .2
            .as_deref()
            .unwrap()
            .contains("x-message-ttl")
    );
}

#[tokio::test]
async fn stream_reads_do_not_consume() {
    let s = start();
    let q = unique("zkmq-it-stream");
    let (status, v) = queue(&s, &q, "x-queue-type=stream\nx-max-age=1D");
    assert_eq!(status, 200, "{v}");
    for i in 0..3 {
        assert_eq!(
            ok(
                &s,
                "publish_message",
                &[
                    ("vhost", "/"),
                    ("exchange", ""),
                    ("routing_key", &q),
                    ("content_type", "text/plain"),
                    ("persistent", "true"),
                    ("headers", ""),
                    ("body", &format!("m{i}"))
                ]
            ),
            true
        );
    }
    for _ in 0..2 {
        let r = ok(
            &s,
            "read_stream",
            &[
                ("vhost", "/"),
                ("queue", &q),
                ("from", "first"),
                ("value", ""),
                ("count", "10"),
            ],
        );
        assert_eq!(r["mode"], "stream_offset");
        let offsets: Vec<i64> = r["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["offset"].as_i64().unwrap())
            .collect();
        assert_eq!(offsets, vec![0, 1, 2], "{r}");
    }
    let r = ok(
        &s,
        "read_stream",
        &[
            ("vhost", "/"),
            ("queue", &q),
            ("from", "offset"),
            ("value", "2"),
            ("count", "10"),
        ],
    );
    assert_eq!(r["messages"].as_array().unwrap().len(), 1);
    assert_eq!(r["messages"][0]["payload_b64"], "bTI="); // m2
    let v = refused(
        &s,
        "create_queue",
        &[
            ("vhost", "/"),
            ("name", &format!("{q}-x")),
            ("durable", "true"),
            ("auto_delete", "false"),
            ("arguments", "x-queue-type=stream\nx-max-priority=5"),
        ],
    );
    assert!(
        v["Invalid"]["reason"]
            .as_str()
            .unwrap()
            .contains("classic queues only"),
        "{v}"
    );
    drop_queue(&s, &q);
    // A classic queue is not read from an offset: the same consume would
    // take its messages and hand them back marked redelivered, unaudited.
    let c = unique("zkmq-it-not-stream");
    assert_eq!(queue(&s, &c, "").0, 200);
    let publish = [
        ("vhost", "/"),
        ("exchange", ""),
        ("routing_key", c.as_str()),
        ("content_type", "text/plain"),
        ("persistent", "false"),
        ("headers", ""),
        ("body", "kept"),
    ];
    assert_eq!(ok(&s, "publish_message", &publish), true);
    let v = refused(
        &s,
        "read_stream",
        &[
            ("vhost", "/"),
            ("queue", &c),
            ("from", "first"),
            ("value", ""),
            ("count", "10"),
        ],
    );
    assert_eq!(v["Invalid"]["field"], "queue", "{v}");
    assert!(
        v["Invalid"]["reason"]
            .as_str()
            .unwrap()
            .contains("is a classic queue"),
        "{v}"
    );
    let got = ok(
        &s,
        "get_requeue_messages",
        &[
            ("vhost", "/"),
            ("queue", &c),
            ("count", "1"),
            ("confirm", "true"),
        ],
    );
    assert_eq!(
        got["messages"][0]["redelivered"], false,
        "the refused read touched it: {got}"
    );
    drop_queue(&s, &c);
}

#[tokio::test]
async fn queue_list_is_paged_and_filtered_by_the_broker() {
    let s = start();
    let p = unique("zkmq-it-page");
    for i in 0..5 {
        assert_eq!(queue(&s, &format!("{p}-{i}"), "").0, 200);
    }
    let page = ok(
        &s,
        "list_queues",
        &[
            ("vhost", "/"),
            ("filter", &p),
            ("sort", "name"),
            ("descending", "true"),
            ("page", "1"),
            ("page_size", "2"),
        ],
    );
    assert_eq!(
        (page["matched"].as_u64(), page["page_count"].as_u64()),
        (Some(5), Some(3)),
        "{page}"
    );
    assert_eq!(page["rows"][0]["name"], format!("{p}-4"));
    assert_eq!(page["rows"][0]["kind"], "classic");

    // By messages: the broker pages by its totals, zkmq reads the figures of
    // the queues shown. Two messages in -2: it leads once the broker's next
    // stats round (5 s) counts them.
    for _ in 0..2 {
        ok(
            &s,
            "publish_message",
            &[
                ("vhost", "/"),
                ("exchange", ""),
                ("routing_key", &format!("{p}-2")),
                ("content_type", ""),
                ("persistent", "false"),
                ("headers", ""),
                ("body", "m"),
            ],
        );
    }
    let by = |sort: &str| {
        ok(
            &s,
            "list_queues",
            &[
                ("vhost", ""),
                ("filter", &p),
                ("sort", sort),
                ("descending", "true"),
                ("page", "1"),
                ("page_size", "5"),
            ],
        )
    };
    let mut led = Value::Null;
    for _ in 0..150 {
        let page = by("messages");
        if page["rows"][0]["ready"] == 2 {
            led = page;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(led["rows"][0]["name"], format!("{p}-2"), "{led}");
    assert_eq!(led["rows"].as_array().map(Vec::len), Some(5), "{led}");
    assert_eq!(led["rows"][1]["ready"], 0, "{led}");
    // Known once the broker's stats round has seen the queue.
    assert_eq!(led["rows"][0]["state"], "running", "{led}");
    // By consumers (the broker sorts with every queue's statistics): same rows.
    let page = by("consumers");
    assert_eq!(page["matched"], 5, "{page}");
    let mut names: Vec<&str> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    names.sort();
    let want: Vec<String> = (0..5).map(|i| format!("{p}-{i}")).collect();
    assert_eq!(names, want);
    for i in 0..5 {
        drop_queue(&s, &format!("{p}-{i}"));
    }
}

#[tokio::test]
async fn definitions_export_dry_run_and_import() {
    let s = start();
    let q = unique("zkmq-it-defs");
    assert_eq!(queue(&s, &q, "x-max-length=10").0, 200);
    let export: Value =
        serde_json::from_str(ok(&s, "export_definitions", &[]).as_str().unwrap()).unwrap();
    assert!(
        export["queues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["name"] == q.as_str())
    );
    // The broker's users are in the export, their password hashes are not.
    let users = export["users"].as_array().expect("users in the export");
    assert!(!users.is_empty());
    for u in users {
        assert_eq!(u["password_hash"], app::rabbitmq::logic::REDACTED, "{u}");
    }
    let new_q = format!("{q}-imported");
    let file = serde_json::json!({
        "queues": [
            {"name": q, "vhost": "/", "durable": true, "auto_delete": false, "arguments": {"x-max-length": 10}},
            {"name": new_q, "vhost": "/", "durable": true, "auto_delete": false, "arguments": {}}
        ]
    })
    .to_string();
    let plan = ok(&s, "plan_definitions_import", &[("file", &file)]);
    let actions: Vec<(String, String)> = plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().to_string(),
                i["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            (format!("%2F/{q}"), "unchanged".into()),
            (format!("%2F/{new_q}"), "create".into())
        ]
    );
    // A dry run does nothing.
    assert!(refused(&s, "get_queue", &[("vhost", "/"), ("name", &new_q)])["NotFound"].is_object());
    let v = refused(
        &s,
        "import_definitions",
        &[("file", &file), ("plan_hash", "stale")],
    );
    assert!(
        v["Conflict"]
            .as_str()
            .unwrap()
            .contains("changed since the preview (dry run)"),
        "{v}"
    );
    let fp = plan["hash"].as_str().unwrap();
    assert_eq!(
        ok(
            &s,
            "import_definitions",
            &[("file", &file), ("plan_hash", fp)]
        ),
        1
    );
    ok(&s, "get_queue", &[("vhost", "/"), ("name", &new_q)]);
    let v = refused(&s, "plan_definitions_import", &[("file", "not json")]);
    assert_eq!(v["Invalid"]["field"], "file");
    for n in [&q, &new_q] {
        drop_queue(&s, n);
    }
}

#[tokio::test]
async fn vhosts_and_exchange_to_exchange_bindings() {
    let s = start();
    let vh = unique("zkmq-it-vh");
    ok(&s, "create_vhost", &[("name", &vh)]);
    assert!(
        refused(&s, "create_vhost", &[("name", &vh)])["Conflict"]
            .as_str()
            .unwrap()
            .contains("already exists")
    );
    for e in ["up", "down"] {
        ok(
            &s,
            "create_exchange",
            &[
                ("vhost", &vh),
                ("name", e),
                ("kind", "topic"),
                ("durable", "true"),
                ("auto_delete", "false"),
                ("internal", "false"),
                ("arguments", ""),
            ],
        );
    }
    ok(
        &s,
        "create_binding",
        &[
            ("vhost", &vh),
            ("source", "up"),
            ("destination_type", "exchange"),
            ("destination", "down"),
            ("routing_key", "a.#"),
            ("arguments", ""),
        ],
    );
    ok(
        &s,
        "create_binding",
        &[
            ("vhost", &vh),
            ("source", "up"),
            ("destination_type", "exchange"),
            ("destination", "down"),
            ("routing_key", "b.*"),
            ("arguments", ""),
        ],
    );
    let b = ok(&s, "list_bindings", &[("vhost", &vh)]);
    let e2e = b
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["source"] == "up" && b["routing_key"] == "a.#")
        .cloned()
        .unwrap();
    assert_eq!(
        (
            e2e["destination"].as_str(),
            e2e["destination_type"].as_str(),
            e2e["routing_key"].as_str()
        ),
        (Some("down"), Some("exchange"), Some("a.#"))
    );
    let v = refused(
        &s,
        "create_binding",
        &[
            ("vhost", &vh),
            ("source", "up"),
            ("destination_type", "topic"),
            ("destination", "down"),
            ("routing_key", ""),
            ("arguments", ""),
        ],
    );
    assert_eq!(v["Invalid"]["field"], "destination_type");
    ok(
        &s,
        "delete_binding",
        &[
            ("vhost", &vh),
            ("source", "up"),
            ("destination_type", "exchange"),
            ("destination", "down"),
            ("properties_key", e2e["properties_key"].as_str().unwrap()),
        ],
    );
    // Exactly the one binding is gone; the other from "up" stays.
    let left = ok(&s, "list_bindings", &[("vhost", &vh)]);
    let from_up: Vec<&str> = left
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["source"] == "up")
        .map(|b| b["routing_key"].as_str().unwrap())
        .collect();
    assert_eq!(from_up, ["b.*"], "{left}");
    assert_eq!(
        refused(&s, "delete_vhost", &[("name", &vh), ("confirm", "x")])["Invalid"]["field"],
        "confirm"
    );
    ok(&s, "delete_vhost", &[("name", &vh), ("confirm", &vh)]);
    let d = ok(&s, "get_rabbitmq_detail", &[]);
    assert!(
        !d["vhosts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == vh.as_str()),
        "{d}"
    );
    assert!(d["vhosts"].as_array().unwrap().iter().any(|v| v == "/"));
    let rows = audit_rows::<ChangeRow>(&s, CHANGE_COLUMNS).await;
    assert_eq!(
        rows.iter()
            .filter(|r| r.0 == "delete_vhost" && r.4.as_deref() == Some("ok"))
            .count(),
        1
    );
}

/// Publishes `body` to the default exchange, routed to queue `q`; asserts a queue took it.
fn publish_to(s: &Server, q: &str, body: &str) {
    assert_eq!(
        ok(
            s,
            "publish_message",
            &[
                ("vhost", "/"),
                ("exchange", ""),
                ("routing_key", q),
                ("content_type", "text/plain"),
                ("persistent", "true"),
                ("headers", ""),
                ("body", body),
            ],
        ),
        true
    );
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn operator_policy_applies_to_a_live_queue() {
    let s = start();
    let q = unique("zkmq-it-oppol");
    let pol = format!("{q}-op");
    assert_eq!(queue(&s, &q, "").0, 200);
    ok(
        &s,
        "put_policy",
        &[
            ("vhost", "/"),
            ("name", &pol),
            ("pattern", &format!("^{q}$")),
            ("apply_to", "queues"),
            ("priority", "0"),
            ("definition", "max-length=2000"),
            ("operator", "true"),
        ],
    );
    // Listed as an operator policy, not a user one.
    let listed = ok(&s, "list_policies", &[]);
    let row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == pol.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("{pol} not listed: {listed}"));
    assert_eq!(row["operator"], true, "{row}");
    assert_eq!(row["definition"], r#"{"max-length":2000}"#, "{row}");
    // The queue shows it as its operator policy after the broker's next stats round (≤ 5 s).
    let mut seen = Value::Null;
    for _ in 0..150 {
        let d = ok(&s, "get_queue", &[("vhost", "/"), ("name", &q)]);
        if d["operator_policy"] == pol.as_str() {
            seen = d;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(seen["operator_policy"], pol.as_str(), "{seen}");
    assert!(
        seen["effective_policy"]
            .as_str()
            .unwrap_or("")
            .contains("\"max-length\":2000"),
        "{seen}"
    );
    ok(
        &s,
        "delete_policy",
        &[("vhost", "/"), ("name", &pol), ("operator", "true")],
    );
    let listed = ok(&s, "list_policies", &[]);
    assert!(
        !listed
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == pol.as_str()),
        "{listed}"
    );
    drop_queue(&s, &q);
    let rows = audit_rows::<ChangeRow>(&s, CHANGE_COLUMNS).await;
    let put = rows
        .iter()
        .find(|r| r.0 == "put_operator_policy")
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(put.1, format!("%2F/{pol}"), "{put:?}");
    assert_eq!(put.4.as_deref(), Some("ok"), "{put:?}");
    let del = rows
        .iter()
        .find(|r| r.0 == "delete_operator_policy")
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert!(
        del.2.as_deref().unwrap_or("").contains("max-length"),
        "{del:?}"
    );
}

#[tokio::test]
async fn stream_reads_from_last_and_from_a_time() {
    let s = start();
    let q = unique("zkmq-it-stream-t");
    let (status, v) = queue(&s, &q, "x-queue-type=stream\nx-max-age=1D");
    assert_eq!(status, 200, "{v}");
    let read = |from: &str, value: &str| -> Vec<(i64, String)> {
        let r = ok(
            &s,
            "read_stream",
            &[
                ("vhost", "/"),
                ("queue", &q),
                ("from", from),
                ("value", value),
                ("count", "20"),
            ],
        );
        assert_eq!(r["mode"], "stream_offset", "{r}");
        r["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["offset"].as_i64().unwrap(),
                    m["payload_b64"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    // Two batches, a whole second apart: stream timestamps are read in seconds.
    for i in 0..3 {
        publish_to(&s, &q, &format!("early-{i}"));
    }
    let split_s = now_ms() / 1000 + 1;
    while now_ms() < split_s * 1000 + 300 {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    for i in 0..3 {
        publish_to(&s, &q, &format!("late-{i}"));
    }
    let b64 = |t: &str| common::base64_encode(t.as_bytes());
    let all = read("first", "");
    assert_eq!(
        all.iter().map(|m| m.0).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5],
        "{all:?}"
    );
    // From the time between the batches: exactly the second batch.
    let late = read("timestamp", &(split_s * 1000).to_string());
    assert_eq!(
        late,
        (0..3)
            .map(|i| (3 + i, b64(&format!("late-{i}"))))
            .collect::<Vec<_>>(),
        "from {split_s} s"
    );
    // From "last": the last chunk only, so never the first batch, and it ends
    // with the newest message (each confirmed publish is its own chunk here).
    let last = read("last", "");
    assert_eq!(last.last(), Some(&(5, b64("late-2"))), "{last:?}");
    assert!(last.iter().all(|m| m.0 >= 3), "{last:?}");
    assert_eq!(
        last,
        [(5, b64("late-2"))],
        "the last chunk is the last publish"
    );
    drop_queue(&s, &q);
}
