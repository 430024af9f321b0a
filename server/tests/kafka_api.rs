//! The Kafka server functions against the sandbox's three brokers, through
//! `zkmq serve` and HTTP as the browser calls them. Each test works in its
//! own topics and groups (`unique` names) and deletes them.

mod common;

use common::{
    CHANGE_COLUMNS, ChangeRow, Server, api, audit_rows, ok_on_local, on_local, refused_on_local,
    sandbox_config, unique,
};
use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use serde_json::Value;
use std::time::{Duration, Instant};

fn start() -> Server {
    common::start_with_sandbox_kafka()
}

fn call(s: &Server, name: &str, pairs: &[(&str, &str)]) -> (u16, Value) {
    api(s, name, &on_local(pairs))
}

fn ok(s: &Server, name: &str, pairs: &[(&str, &str)]) -> Value {
    ok_on_local(s, name, pairs)
}

/// The `Invalid` error's (field, reason) of a refused call.
fn invalid(s: &Server, name: &str, pairs: &[(&str, &str)]) -> (String, String) {
    let v = refused_on_local(s, name, pairs);
    let inv = &v["Invalid"];
    assert!(inv.is_object(), "expected Invalid, got {v}");
    (
        inv["field"].as_str().unwrap().into(),
        inv["reason"].as_str().unwrap().into(),
    )
}

/// The first page of topics whose name contains `filter`.
/// Resets a group's offsets the way the page does: preview, then apply
/// that preview's plan (its hash).
fn apply_reset(s: &Server, pairs: &[(&str, &str)]) -> Value {
    let plan = preview_reset(s, pairs);
    let mut with = pairs.to_vec();
    with.extend([
        ("preview", "false"),
        ("plan_hash", plan["hash"].as_str().unwrap()),
    ]);
    ok(s, "reset_offsets", &with)
}

/// The plan of an offset reset (nothing changes).
fn preview_reset(s: &Server, pairs: &[(&str, &str)]) -> Value {
    let mut with = pairs.to_vec();
    with.push(("preview", "true"));
    ok(s, "reset_offsets", &with)
}

fn list(s: &Server, filter: &str) -> Value {
    ok(
        s,
        "list_topics",
        &[
            ("filter", filter),
            ("include_internal", "false"),
            ("sort", "name"),
            ("descending", "false"),
            ("offset", "0"),
            ("limit", "100"),
        ],
    )
}

/// Like `list`, once the first row has a message count: leaders of new
/// partitions are elected a moment after the change returns, and until then
/// the count is unknown (null), never wrong.
fn list_counted(s: &Server, filter: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let page = list(s, filter);
        if !page["rows"][0]["messages"].is_null() || Instant::now() > deadline {
            return page;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn create(s: &Server, name: &str, partitions: &str, configs: &str) {
    ok(
        s,
        "create_topic",
        &[
            ("name", name),
            ("partitions", partitions),
            ("replication", "2"),
            ("configs", configs),
            ("preview", "false"),
        ],
    );
}

#[tokio::test]
async fn topic_lifecycle_with_previews_configs_messages_and_audit() {
    let s = start();
    let topic = unique("zkmq-it-topic");
    let create_args = [
        ("name", topic.as_str()),
        ("partitions", "3"),
        ("replication", "2"),
        ("configs", "retention.ms=3600000\ncleanup.policy=delete"),
    ];
    // Preview: the brokers validate, nothing is created or recorded.
    let mut args = create_args.to_vec();
    args.push(("preview", "true"));
    let p = ok(&s, "create_topic", &args);
    assert_eq!(
        p["summary"][0],
        format!("create topic \"{topic}\" with 3 partitions × 2 replicas")
    );
    let page = list(&s, &topic);
    assert_eq!(page["matched"], 0, "a preview must not create: {page}");
    assert!(audit_rows::<ChangeRow>(&s, CHANGE_COLUMNS).await.is_empty());

    args.pop();
    args.push(("preview", "false"));
    ok(&s, "create_topic", &args);
    // Creating it again: a clear conflict.
    let (status, v) = call(&s, "create_topic", &args);
    assert_eq!(status, 409);
    assert_eq!(v["Conflict"], format!("topic \"{topic}\" already exists"));

    let page = list_counted(&s, &topic);
    assert_eq!(page["matched"], 1, "{page}");
    let row = &page["rows"][0];
    assert_eq!(
        (row["partitions"].as_u64(), row["replication"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(row["messages"], 0);

    let d = ok(&s, "get_topic", &[("topic", &topic)]);
    assert_eq!(d["partitions"].as_array().unwrap().len(), 3);
    let cfg = |d: &Value, k: &str| {
        d["configs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == k)
            .cloned()
            .unwrap()
    };
    assert_eq!(cfg(&d, "retention.ms")["value"], "3600000");
    assert_eq!(cfg(&d, "retention.ms")["source"], "topic");
    // Not overridden here: the broker's setting or Kafka's default.
    assert_ne!(cfg(&d, "segment.bytes")["source"], "topic");

    // Alter: preview shows before → after; apply records both.
    let p = ok(
        &s,
        "alter_topic_config",
        &[
            ("topic", &topic),
            ("set", "retention.ms=7200000\nmax.message.bytes=2000000"),
            ("remove", "cleanup.policy"),
            ("preview", "true"),
        ],
    );
    let changes = p["config_changes"].as_array().unwrap();
    assert!(
        changes.contains(&serde_json::json!(["retention.ms", "3600000", "7200000"])),
        "{p}"
    );
    assert!(
        changes.contains(&serde_json::json!(["cleanup.policy", "delete", null])),
        "{p}"
    );
    assert_eq!(
        cfg(&ok(&s, "get_topic", &[("topic", &topic)]), "retention.ms")["value"],
        "3600000"
    );
    ok(
        &s,
        "alter_topic_config",
        &[
            ("topic", &topic),
            ("set", "retention.ms=7200000\nmax.message.bytes=2000000"),
            ("remove", "cleanup.policy"),
            ("preview", "false"),
        ],
    );
    let d = ok(&s, "get_topic", &[("topic", &topic)]);
    assert_eq!(cfg(&d, "retention.ms")["value"], "7200000");
    assert_eq!(cfg(&d, "max.message.bytes")["source"], "topic");
    assert_ne!(cfg(&d, "cleanup.policy")["source"], "topic");
    let (f, r) = invalid(
        &s,
        "alter_topic_config",
        &[
            ("topic", &topic),
            ("set", "retention.ms=soon"),
            ("remove", ""),
            ("preview", "false"),
        ],
    );
    assert_eq!(
        (f.as_str(), r.as_str()),
        ("set", "retention.ms: \"soon\" is not a whole number")
    );

    // Partitions: only up.
    let (f, r) = invalid(
        &s,
        "add_partitions",
        &[("topic", &topic), ("total", "2"), ("preview", "false")],
    );
    assert_eq!(f, "partitions");
    assert!(
        r.contains("has 3 partitions; the new total must be larger"),
        "{r}"
    );
    ok(
        &s,
        "add_partitions",
        &[("topic", &topic), ("total", "4"), ("preview", "false")],
    );
    // The brokers' metadata follows the controller a moment later.
    let deadline = Instant::now() + Duration::from_secs(10);
    while ok(&s, "get_topic", &[("topic", &topic)])["partitions"]
        .as_array()
        .unwrap()
        .len()
        != 4
    {
        assert!(
            Instant::now() < deadline,
            "the fourth partition never appeared"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // Produce three messages to partition 1, then browse and filter them.
    for (i, v) in [
        r#"{"order":{"id":1}}"#,
        r#"{"order":{"id":2}}"#,
        "plain text",
    ]
    .iter()
    .enumerate()
    {
        let p = ok(
            &s,
            "produce_message",
            &[
                ("topic", &topic),
                ("partition", "1"),
                ("key", &format!("k{i}")),
                ("value", v),
                ("headers", "trace=abc\nsource=zkmq-test"),
            ],
        );
        assert_eq!(
            (p["partition"].as_i64(), p["offset"].as_i64()),
            (Some(1), Some(i as i64))
        );
        // Distinct CreateTimes, so "from a time" can start between two messages.
        std::thread::sleep(Duration::from_millis(20));
    }
    let browse = |from: &str, value: &str, filter: &str, text: &str, field: &str| {
        ok(
            &s,
            "browse_messages",
            &[
                ("topic", &topic),
                ("partition", "1"),
                ("from", from),
                ("value", value),
                ("limit", "50"),
                ("filter", filter),
                ("text", text),
                ("field", field),
            ],
        )
    };
    let offsets = |b: &Value| -> Vec<i64> {
        b["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["offset"].as_i64().unwrap())
            .collect()
    };
    let all = browse("offset", "0", "none", "", "");
    assert_eq!(offsets(&all), [0, 1, 2], "{all}");
    assert_eq!(all["stopped"], "end");
    // The newest N, with N smaller than the partition: exactly the last N.
    let b = browse("newest", "2", "none", "", "");
    assert_eq!(offsets(&b), [1, 2], "{b}");
    assert_eq!(b["stopped"], "end");
    let b = browse("newest", "1", "none", "", "");
    assert_eq!(offsets(&b), [2], "{b}");
    let stamps: Vec<i64> = all["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["timestamp"].as_i64().unwrap())
        .collect();
    assert!(
        stamps.windows(2).all(|w| w[0] < w[1]),
        "produced 20 ms apart: {stamps:?}"
    );
    // From a time between the first and the second message: the later two only;
    // from the third's own time: the third only.
    let b = browse("timestamp", &(stamps[0] + 1).to_string(), "none", "", "");
    assert_eq!(offsets(&b), [1, 2], "{b}");
    let b = browse("timestamp", &stamps[2].to_string(), "none", "", "");
    assert_eq!(offsets(&b), [2], "{b}");
    let m0 = &all["messages"][0];
    assert_eq!(m0["key_b64"], "azA="); // "k0"
    assert_eq!(m0["headers"][0], serde_json::json!(["trace", "abc"]));
    assert_eq!(m0["timestamp_type"], "CreateTime");
    let b = browse("offset", "0", "json", "2", "order.id");
    assert_eq!(
        (
            b["messages"].as_array().unwrap().len(),
            b["scanned"].as_u64()
        ),
        (1, Some(3))
    );
    assert_eq!(b["messages"][0]["offset"], 1);
    let b = browse("offset", "0", "regex", "^plain", "");
    assert_eq!(b["messages"][0]["offset"], 2);
    let b = browse(
        "timestamp",
        &(chrono_now_ms() + 60_000).to_string(),
        "none",
        "",
        "",
    );
    assert_eq!(
        (
            b["messages"].as_array().unwrap().len(),
            b["stopped"].as_str()
        ),
        (0, Some("end"))
    );
    let (f, _) = invalid(
        &s,
        "browse_messages",
        &[
            ("topic", &topic),
            ("partition", "9"),
            ("from", "offset"),
            ("value", "0"),
            ("limit", "5"),
            ("filter", "none"),
            ("text", ""),
            ("field", ""),
        ],
    );
    assert_eq!(f, "partition");
    let (f, r) = invalid(
        &s,
        "browse_messages",
        &[
            ("topic", &topic),
            ("partition", "1"),
            ("from", "offset"),
            ("value", "0"),
            ("limit", "5"),
            ("filter", "regex"),
            ("text", "(unclosed"),
            ("field", ""),
        ],
    );
    assert_eq!(f, "filter");
    assert!(r.contains("not a valid regular expression"), "{r}");
    let page = list_counted(&s, &topic);
    assert_eq!(page["rows"][0]["messages"], 3);

    // Delete: the name must be typed again.
    let (f, _) = invalid(
        &s,
        "delete_topic",
        &[("topic", &topic), ("confirm", "nope")],
    );
    assert_eq!(f, "confirm");
    ok(
        &s,
        "delete_topic",
        &[("topic", &topic), ("confirm", &topic)],
    );
    // ZooKeeper-mode deletion is asynchronous: the brokers' metadata drops the
    // topic a moment after the controller accepted the delete.
    let deadline = Instant::now() + Duration::from_secs(10);
    let (status, v) = loop {
        let (status, v) = call(&s, "get_topic", &[("topic", &topic)]);
        if status != 200 || Instant::now() > deadline {
            break (status, v);
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(status, 404, "still there 10 s after the delete: {v}");
    assert!(v["NotFound"].is_object(), "{v}");

    let rows = audit_rows::<ChangeRow>(&s, CHANGE_COLUMNS).await;
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            "create_topic",
            "create_topic",
            "alter_topic_config",
            "add_partitions",
            "produce_message",
            "produce_message",
            "produce_message",
            "delete_topic"
        ]
    );
    assert_eq!(
        rows[1].4.as_deref(),
        Some("error"),
        "the duplicate create is recorded as failed"
    );
    let alter = &rows[2];
    let before: Value = serde_json::from_str(alter.2.as_deref().unwrap()).unwrap();
    let after: Value = serde_json::from_str(alter.3.as_deref().unwrap()).unwrap();
    assert_eq!(
        (
            before["retention.ms"].as_str(),
            after["retention.ms"].as_str()
        ),
        (Some("3600000"), Some("7200000"))
    );
    assert_eq!(
        (
            before["cleanup.policy"].as_str(),
            after.get("cleanup.policy")
        ),
        (Some("delete"), None)
    );
    assert_eq!(rows[3].2.as_deref(), Some(r#"{"partitions":3}"#));
    assert_eq!(rows[3].3.as_deref(), Some(r#"{"partitions":4}"#));
    let deleted: Value = serde_json::from_str(rows[7].2.as_deref().unwrap()).unwrap();
    assert_eq!(
        (deleted["partitions"].as_u64(), deleted["messages"].as_i64()),
        (Some(4), Some(3))
    );
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[test]
fn bad_topic_input_is_refused_with_the_field_and_the_rule() {
    let s = start();
    let base = |name: &str, partitions: &str, replication: &str, configs: &str| {
        invalid(
            &s,
            "create_topic",
            &[
                ("name", name),
                ("partitions", partitions),
                ("replication", replication),
                ("configs", configs),
                ("preview", "false"),
            ],
        )
    };
    assert_eq!(base("bad name", "1", "1", "").0, "name");
    assert_eq!(base("ok-name", "0", "1", "").0, "partitions");
    assert_eq!(
        base("ok-name", "1", "4", ""),
        (
            "replication".into(),
            "replication factor 4 larger than the 3 available brokers".into()
        )
    );
    let (f, r) = base("ok-name", "1", "1", "retention.msec=5");
    assert_eq!(f, "configs");
    assert!(r.contains("is not a topic config"), "{r}");
    let (f, _) = invalid(
        &s,
        "produce_message",
        &[
            ("topic", "ok-name"),
            ("partition", "x"),
            ("key", ""),
            ("value", "v"),
            ("headers", ""),
        ],
    );
    assert_eq!(f, "partition");
}

#[tokio::test]
async fn consumer_group_lag_and_offset_reset_only_when_empty() {
    let s = start();
    let topic = unique("zkmq-it-grp");
    let group = unique("zkmq-it-group");
    create(&s, &topic, "2", "");
    for i in 0..6 {
        ok(
            &s,
            "produce_message",
            &[
                ("topic", &topic),
                ("partition", &(i % 2).to_string()),
                ("key", ""),
                ("value", &format!("m{i}")),
                ("headers", ""),
            ],
        );
        // Distinct CreateTimes, for the reset to a time below.
        std::thread::sleep(Duration::from_millis(20));
    }
    // A real consumer in the group reads 4 of the 6 and commits.
    let k = &sandbox_config().kafka[0];
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", k.bootstrap_servers.join(","))
        .set("group.id", &group)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer.subscribe(&[&topic]).unwrap();
    let mut read = 0;
    let deadline = Instant::now() + Duration::from_secs(30);
    while read < 4 && Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            read += 1;
            let _ = m.offset();
            consumer.commit_message(&m, CommitMode::Sync).unwrap();
        }
    }
    assert_eq!(read, 4, "the test consumer did not get its messages");
    let d = ok(&s, "get_group", &[("group", &group)]);
    assert_eq!(d["state"], "Stable", "{d}");
    assert_eq!(d["members"].as_array().unwrap().len(), 1);
    assert_eq!(d["total_lag"], 2, "{d}");
    let page = ok(
        &s,
        "list_groups",
        &[
            ("filter", &group),
            ("sort", "name"),
            ("descending", "false"),
            ("offset", "0"),
            ("limit", "50"),
        ],
    );
    assert_eq!(page["matched"], 1);
    assert_eq!(page["rows"][0]["lag"], 2);
    assert_eq!(page["rows"][0]["topics"][0], topic);
    let t = ok(&s, "get_topic", &[("topic", &topic)]);
    assert!(
        t["readers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["group"] == group && r["lag"] == 2),
        "{t}"
    );

    // Active group: refused, with what to do.
    let (status, v) = call(
        &s,
        "reset_offsets",
        &[
            ("group", &group),
            ("topic", ""),
            ("to", "earliest"),
            ("value", ""),
            ("preview", "true"),
        ],
    );
    assert_eq!(status, 409);
    assert!(
        v["Conflict"]
            .as_str()
            .unwrap()
            .contains("stop its consumers first"),
        "{v}"
    );

    drop(consumer); // leaves the group
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let d = ok(&s, "get_group", &[("group", &group)]);
        if d["state"] == "Empty" {
            break;
        }
        assert!(Instant::now() < deadline, "group never became empty: {d}");
        std::thread::sleep(Duration::from_millis(300));
    }
    let preview = preview_reset(
        &s,
        &[
            ("group", &group),
            ("topic", &topic),
            ("to", "earliest"),
            ("value", ""),
        ],
    );
    let rows = preview["items"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["new"] == 0), "{preview}");
    assert_eq!(
        rows.iter()
            .map(|r| r["current"].as_i64().unwrap())
            .sum::<i64>(),
        4
    );
    assert_eq!(
        ok(&s, "get_group", &[("group", &group)])["total_lag"],
        2,
        "a preview changes nothing"
    );
    apply_reset(
        &s,
        &[
            ("group", &group),
            ("topic", &topic),
            ("to", "earliest"),
            ("value", ""),
        ],
    );
    assert_eq!(ok(&s, "get_group", &[("group", &group)])["total_lag"], 6);
    apply_reset(
        &s,
        &[
            ("group", &group),
            ("topic", &topic),
            ("to", "offset"),
            ("value", "2"),
        ],
    );
    // (partition, committed, end) of every partition the group has offsets for.
    let committed = || -> Vec<(i64, Option<i64>, Option<i64>)> {
        let d = ok(&s, "get_group", &[("group", &group)]);
        let mut v: Vec<_> = d["offsets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["partition"].as_i64().unwrap(),
                    o["committed"].as_i64(),
                    o["end"].as_i64(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        committed(),
        [(0, Some(2), Some(3)), (1, Some(2), Some(3))],
        "reset to offset 2"
    );

    // A preview is a plan: applied after the group moved, it is refused and
    // changes nothing (the user reviewed other offsets than it would write).
    let stale = preview_reset(
        &s,
        &[
            ("group", &group),
            ("topic", &topic),
            ("to", "earliest"),
            ("value", ""),
        ],
    );
    apply_reset(
        &s,
        &[
            ("group", &group),
            ("topic", &topic),
            ("to", "offset"),
            ("value", "1"),
        ],
    );
    let (status, v) = call(
        &s,
        "reset_offsets",
        &[
            ("group", &group),
            ("topic", &topic),
            ("to", "earliest"),
            ("value", ""),
            ("preview", "false"),
            ("plan_hash", stale["hash"].as_str().unwrap()),
        ],
    );
    assert_eq!(status, 409, "{v}");
    assert!(
        v["Conflict"]
            .as_str()
            .unwrap()
            .contains("changed since the preview (dry run)"),
        "{v}"
    );
    assert_eq!(
        committed(),
        [(0, Some(1), Some(3)), (1, Some(1), Some(3))],
        "the stale plan wrote nothing"
    );

    // To latest: every committed offset equals its partition's end offset.
    let preview = preview_reset(
        &s,
        &[
            ("group", &group),
            ("topic", &topic),
            ("to", "latest"),
            ("value", ""),
        ],
    );
    assert_eq!(
        preview["items"].as_array().map(Vec::len),
        Some(2),
        "{preview}"
    );
    apply_reset(
        &s,
        &[
            ("group", &group),
            ("topic", &topic),
            ("to", "latest"),
            ("value", ""),
        ],
    );
    assert_eq!(
        committed(),
        [(0, Some(3), Some(3)), (1, Some(3), Some(3))],
        "reset to latest"
    );
    assert_eq!(ok(&s, "get_group", &[("group", &group)])["total_lag"], 0);

    // To a time: per partition, the first offset whose timestamp is at or
    // after it. The time of m3 (partition 1, offset 1) is after m2 (partition
    // 0, offset 1) and before m4 (partition 0, offset 2): 2 on partition 0, 1 on 1.
    let stamps = |partition: &str| -> Vec<i64> {
        ok(
            &s,
            "browse_messages",
            &[
                ("topic", &topic),
                ("partition", partition),
                ("from", "offset"),
                ("value", "0"),
                ("limit", "10"),
                ("filter", "none"),
                ("text", ""),
                ("field", ""),
            ],
        )["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["timestamp"].as_i64().unwrap())
            .collect()
    };
    let (p0, p1) = (stamps("0"), stamps("1"));
    assert_eq!((p0.len(), p1.len()), (3, 3), "{p0:?} {p1:?}");
    let at = p1[1];
    assert!(
        p0[1] < at && at <= p0[2],
        "produced 20 ms apart: {p0:?} {p1:?}"
    );
    apply_reset(
        &s,
        &[
            ("group", &group),
            ("topic", &topic),
            ("to", "timestamp"),
            ("value", &at.to_string()),
        ],
    );
    assert_eq!(
        committed(),
        [(0, Some(2), Some(3)), (1, Some(1), Some(3))],
        "reset to the time {at}"
    );
    let (f, _) = invalid(
        &s,
        "reset_offsets",
        &[
            ("group", &group),
            ("topic", &topic),
            ("to", "sideways"),
            ("value", ""),
            ("preview", "true"),
        ],
    );
    assert_eq!(f, "to");

    let rows = audit_rows::<ChangeRow>(&s, CHANGE_COLUMNS).await;
    let resets: Vec<_> = rows.iter().filter(|r| r.0 == "reset_offsets").collect();
    assert_eq!(
        resets.len(),
        5,
        "earliest, offset 2, offset 1, latest, time (not the stale plan)"
    );
    let before: Value = serde_json::from_str(resets[0].2.as_deref().unwrap()).unwrap();
    let after: Value = serde_json::from_str(resets[0].3.as_deref().unwrap()).unwrap();
    assert_eq!(
        before
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["offset"].as_i64().unwrap())
            .sum::<i64>(),
        4
    );
    assert_eq!(after.as_array().map(Vec::len), Some(2), "{after}");
    assert!(after.as_array().unwrap().iter().all(|o| o["offset"] == 0));
    let after_time: Value = serde_json::from_str(resets[4].3.as_deref().unwrap()).unwrap();
    let mut moved: Vec<(i64, i64)> = after_time
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["partition"].as_i64().unwrap(),
                o["offset"].as_i64().unwrap(),
            )
        })
        .collect();
    moved.sort();
    assert_eq!(moved, [(0, 2), (1, 1)], "{after_time}");
    ok(
        &s,
        "delete_topic",
        &[("topic", &topic), ("confirm", &topic)],
    );
}

#[test]
fn internal_topics_are_changed_only_with_an_administrators_override() {
    let s = start();
    let t = "__consumer_offsets";
    // Refused before anything reaches the brokers, naming the override.
    for (name, pairs) in [
        ("delete_topic", vec![("topic", t), ("confirm", t)]),
        (
            "add_partitions",
            vec![("topic", t), ("total", "99"), ("preview", "true")],
        ),
        (
            "alter_topic_config",
            vec![
                ("topic", t),
                ("set", "retention.ms=1000"),
                ("remove", ""),
                ("preview", "true"),
            ],
        ),
    ] {
        let (field, reason) = invalid(&s, name, &pairs);
        assert_eq!(field, "override_internal", "{name}: {reason}");
        assert!(reason.contains("internal topics"), "{name}: {reason}");
    }
    // An operator may not override; an administrator's preview passes the guard.
    let user = unique("zkmq-it-operator");
    let cookie = common::user_with(&s, &user, &[("operator", "kafka/*")]);
    let pairs = [
        ("cluster", "local"),
        ("topic", t),
        ("set", "retention.ms=604800000"),
        ("remove", ""),
        ("preview", "true"),
        ("override_internal", "true"),
    ];
    let (st, v) = common::api_as(&s, &cookie, "alter_topic_config", &pairs);
    assert!(v["Denied"].is_string(), "{st} {v}");
    let preview = ok(&s, "alter_topic_config", &pairs[1..]);
    assert!(preview["summary"].is_array(), "{preview}");
}
