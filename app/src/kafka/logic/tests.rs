//! Unit tests of the Kafka rules.

use super::*;
use crate::fields::{parse_headers, route_captures};

#[test]
fn ibp_versions() {
    assert_eq!(version_from_ibp("3.9-IV0").as_deref(), Some("3.9"));
    assert_eq!(version_from_ibp("2.8").as_deref(), Some("2.8"));
    assert_eq!(version_from_ibp(""), None);
    assert_eq!(version_from_ibp("abc-IV1"), None);
}

#[test]
fn internal_topics() {
    assert!(is_internal_topic("__consumer_offsets"));
    assert!(!is_internal_topic("orders"));
}

use crate::error::invalid_parts as invalid;

#[test]
fn topic_names() {
    assert!(validate_topic_name("orders.v1_x-2").is_ok());
    let (f, r) = invalid(validate_topic_name("or ders").unwrap_err());
    assert_eq!(f, "name");
    assert!(r.contains("contains ' '"), "{r}");
    assert!(
        invalid(validate_topic_name("").unwrap_err())
            .1
            .contains("1 to 249")
    );
    assert!(
        invalid(validate_topic_name("..").unwrap_err())
            .1
            .contains("not allowed")
    );
    assert!(
        invalid(validate_topic_name(&"a".repeat(250)).unwrap_err())
            .1
            .contains("250 characters")
    );
}

#[test]
fn counts_and_replication() {
    assert_eq!(parse_count("partitions", " 3 ", 1, 10).unwrap(), 3);
    assert!(
        invalid(parse_count("partitions", "0", 1, 10).unwrap_err())
            .1
            .contains("out of range: 1 to 10")
    );
    assert!(
        invalid(parse_count("partitions", "x", 1, 10).unwrap_err())
            .1
            .contains("not a whole number")
    );
    assert_eq!(
        invalid(parse_replication("3", 1).unwrap_err()),
        (
            "replication".into(),
            "replication factor 3 larger than the 1 available broker".into()
        )
    );
    assert_eq!(parse_replication("2", 3).unwrap(), 2);
}

#[test]
fn topic_configs() {
    let ok = parse_config_lines("configs", "retention.ms=60000\n# note\n\ncleanup.policy=compact,delete\nmin.cleanable.dirty.ratio=0.2").unwrap();
    assert_eq!(ok.len(), 3);
    let r = invalid(parse_config_lines("configs", "retention.msx=1").unwrap_err()).1;
    assert!(
        r.contains(
            "\"retention.msx\" is not a topic config (did you mean retention.bytes, retention.ms?)"
        ),
        "{r}"
    );
    let r = invalid(parse_config_lines("configs", "retention.ms=soon").unwrap_err()).1;
    assert_eq!(r, "retention.ms: \"soon\" is not a whole number");
    let r = invalid(parse_config_lines("configs", "retention.ms=-5").unwrap_err()).1;
    assert!(r.contains("out of range: -1 to"), "{r}");
    assert!(
        invalid(parse_config_lines("configs", "cleanup.policy=forever").unwrap_err())
            .1
            .contains("comma-separated list of delete, compact")
    );
    assert!(
        invalid(parse_config_lines("configs", "compression.type=brotli").unwrap_err())
            .1
            .contains("one of uncompressed")
    );
    assert!(
        invalid(parse_config_lines("configs", "preallocate=yes").unwrap_err())
            .1
            .contains("true or false")
    );
    assert!(
        invalid(parse_config_lines("configs", "segment.bytes=99999999999").unwrap_err())
            .1
            .contains("out of range")
    );
    assert!(
        invalid(parse_config_lines("configs", "retention.ms").unwrap_err())
            .1
            .contains("not key=value")
    );
    assert!(
        invalid(parse_config_lines("configs", "retention.ms=1\nretention.ms=2").unwrap_err())
            .1
            .contains("given twice")
    );
}

#[test]
fn headers() {
    assert_eq!(
        parse_headers("a=1\n\nb=\nc=x=y").unwrap(),
        vec![
            ("a".into(), "1".into()),
            ("b".into(), "".into()),
            ("c".into(), "x=y".into())
        ]
    );
    assert!(parse_headers("=v").is_err());
}

fn row(name: &str, partitions: usize, urp: usize) -> TopicRow {
    TopicRow {
        name: name.into(),
        internal: is_internal_topic(name),
        partitions,
        replication: 1,
        under_replicated: urp,
        offline: 0,
        messages: None,
    }
}

#[test]
fn topic_pages() {
    let rows = vec![
        row("b", 3, 0),
        row("a", 1, 2),
        row("__consumer_offsets", 50, 0),
        row("ab", 2, 0),
    ];
    let q = TopicQuery {
        limit: 2,
        ..Default::default()
    };
    let (n, page) = page_topics(&rows, &q);
    assert_eq!(n, 3);
    assert_eq!(
        page.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["a", "ab"]
    );
    let q = TopicQuery {
        filter: "A".into(),
        sort: TopicSort::Partitions,
        descending: true,
        limit: 10,
        ..Default::default()
    };
    let (_, page) = page_topics(&rows, &q);
    assert_eq!(
        page.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["ab", "a"]
    );
    let q = TopicQuery {
        include_internal: true,
        offset: 3,
        limit: 10,
        ..Default::default()
    };
    assert_eq!(page_topics(&rows, &q).1[0].name, "b");
}

#[test]
fn assignments() {
    // version 0; 1 topic "t1" with partitions 0 and 2; empty user data
    let mut b = vec![
        0u8, 0, 0, 0, 0, 1, 0, 2, b't', b'1', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2,
    ];
    b.extend_from_slice(&[0xff, 0xff, 0xff, 0xff]);
    assert_eq!(
        parse_assignment(&b).unwrap(),
        vec![("t1".into(), 0), ("t1".into(), 2)]
    );
    assert_eq!(parse_assignment(&[0, 0, 0]), None);
}

#[test]
fn resets() {
    assert_eq!(lag(Some(5), Some(9)), Some(4));
    assert_eq!(lag(Some(12), Some(9)), Some(0));
    assert_eq!(lag(None, Some(9)), None);
    assert_eq!(reset_offset(&ResetTarget::Earliest, 3, 9, None), 3);
    assert_eq!(reset_offset(&ResetTarget::Latest, 3, 9, None), 9);
    assert_eq!(reset_offset(&ResetTarget::Offset(100), 3, 9, None), 9);
    assert_eq!(reset_offset(&ResetTarget::Offset(1), 3, 9, None), 3);
    assert_eq!(reset_offset(&ResetTarget::Timestamp(5), 3, 9, Some(6)), 6);
    assert_eq!(reset_offset(&ResetTarget::Timestamp(5), 3, 9, None), 9);
    assert!(check_resettable("g", "Empty", 0).is_ok());
    let e = check_resettable("g", "Stable", 1).unwrap_err().to_string();
    assert!(
        e.contains("group \"g\" is Stable with 1 member: stop its consumers first"),
        "{e}"
    );
}

#[test]
fn links() {
    assert_eq!(
        topic_href("local", "orders.v1"),
        "/kafka/local/topics/orders.v1"
    );
    let g = group_href("local", "team a/b%");
    assert_eq!(g, "/kafka/local/groups/team%20a%2Fb%25");
    let shape = [Some("kafka"), None, Some("groups"), None];
    assert_eq!(route_captures(&g, &shape).unwrap()[1], "team a/b%");
    // A clicked link arrives decodeURI-decoded ("%25" → "%"): still the name.
    assert_eq!(
        route_captures("/kafka/local/groups/team%20a%2Fb%", &shape).unwrap()[1],
        "team a/b%"
    );
}

#[test]
fn form_values() {
    assert_eq!(parse_time("t", "1700000000000").unwrap(), 1_700_000_000_000);
    assert_eq!(parse_time("t", "1970-01-01T00:00:00Z").unwrap(), 0);
    assert_eq!(
        parse_time("t", "2026-11-25T12:00:00Z").unwrap(),
        1_795_608_000_000
    );
    assert_eq!(
        parse_time("t", "2026-11-25 12:00").unwrap(),
        1_795_608_000_000
    );
    assert_eq!(parse_time("t", "2000-03-01").unwrap(), 951_868_800_000);
    assert!(
        invalid(parse_time("t", "yesterday").unwrap_err())
            .1
            .contains("not a time")
    );
    assert!(parse_time("t", "2026-13-01").is_err());
    assert_eq!(
        parse_reset_target("offset", "5").unwrap(),
        ResetTarget::Offset(5)
    );
    assert_eq!(
        invalid(parse_reset_target("middle", "").unwrap_err()).0,
        "to"
    );
    assert_eq!(
        parse_browse_start("newest", "10").unwrap(),
        BrowseStart::Newest(10)
    );
    assert!(parse_browse_start("newest", "0").is_err());
    assert_eq!(
        parse_filter("regex", "a.b", "").unwrap(),
        MessageFilter::Regex {
            pattern: "a.b".into()
        }
    );
    assert!(parse_filter("xpath", "", "").is_err());
}

#[test]
fn message_filters() {
    let v = br#"{"order":{"id":42,"sku":"A-1"},"items":[{"n":1}]}"#;
    assert!(json_field_equals(v, "order.id", "42"));
    assert!(json_field_equals(v, "order.sku", "A-1"));
    assert!(json_field_equals(v, "order.sku", "\"A-1\""));
    assert!(json_field_equals(v, "items.0.n", "1"));
    assert!(!json_field_equals(v, "order.id", "43"));
    assert!(!json_field_equals(b"not json", "a", "1"));
    assert!(contains_text(Some(b"k1"), Some(b"hello"), "ell"));
    assert!(!contains_text(None, None, "x"));
}

#[test]
fn a_config_change_keeps_other_overrides_and_says_what_changes() {
    let before = vec![
        ("retention.ms".to_string(), Some("3600000".to_string())),
        ("cleanup.policy".to_string(), Some("compact".to_string())),
        ("segment.ms".to_string(), Some("600000".to_string())),
    ];
    let (set, remove) = parse_config_change("retention.ms=7200000", "segment.ms").unwrap();
    let ConfigPlan {
        write: after,
        preview,
    } = plan_config_change("t", &before, &set, &remove).unwrap();
    assert_eq!(
        after,
        [
            ("cleanup.policy".to_string(), "compact".to_string()),
            ("retention.ms".to_string(), "7200000".to_string()),
        ]
    );
    assert_eq!(
        preview.config_changes,
        [
            (
                "retention.ms".to_string(),
                Some("3600000".to_string()),
                Some("7200000".to_string())
            ),
            ("segment.ms".to_string(), Some("600000".to_string()), None),
        ]
    );
    assert_eq!(preview.summary, ["topic \"t\": set 1, remove 1"]);
}

#[test]
fn a_config_change_refuses_unknown_keys_nothing_to_do_a_lost_secret_and_removing_a_default() {
    assert_eq!(
        invalid(parse_config_change("", "retention.bogus").unwrap_err()).0,
        "remove"
    );
    assert_eq!(
        invalid(parse_config_change(" ", "\n").unwrap_err()).0,
        "set"
    );
    let secret = vec![("sasl.jaas.config".to_string(), None)];
    let set = vec![("retention.ms".to_string(), "1".to_string())];
    assert!(matches!(
        plan_config_change("t", &secret, &set, &[]),
        Err(AppError::Conflict(_))
    ));
    let (f, reason) =
        invalid(plan_config_change("t", &[], &[], &["retention.ms".to_string()]).unwrap_err());
    assert_eq!(
        (f.as_str(), reason.as_str()),
        ("remove", "retention.ms is not overridden on topic \"t\"")
    );
}

#[test]
fn reset_rows_pair_each_partition_with_its_committed_and_new_offset() {
    use std::collections::HashMap;
    let parts = vec![("t".to_string(), 1), ("t".to_string(), 0)];
    let committed = [("t".to_string(), 0, 5), ("other".to_string(), 1, 9)];
    let wm: HashMap<_, _> = [
        (("t".to_string(), 0), (2, 10)),
        (("t".to_string(), 1), (0, 4)),
    ]
    .into();
    let latest = reset_rows(&ResetTarget::Latest, parts.clone(), &committed, &wm, None).unwrap();
    assert_eq!(
        latest,
        [
            ResetRow {
                topic: "t".into(),
                partition: 0,
                current: Some(5),
                new: 10
            },
            ResetRow {
                topic: "t".into(),
                partition: 1,
                current: None,
                new: 4
            },
        ]
    );
    // A time: the broker's offset where it has one, else the end.
    let at: HashMap<_, _> = [
        (("t".to_string(), 0), Some(7)),
        (("t".to_string(), 1), None),
    ]
    .into();
    let by_time = reset_rows(
        &ResetTarget::Timestamp(1),
        parts.clone(),
        &committed,
        &wm,
        Some(&at),
    )
    .unwrap();
    assert_eq!(by_time.iter().map(|r| r.new).collect::<Vec<_>>(), [7, 4]);
    // A partition without watermarks (leader down) refuses the reset, never writes 0.
    let mut parts = parts;
    parts.push(("t".to_string(), 2));
    let e = reset_rows(&ResetTarget::Latest, parts, &committed, &wm, None).unwrap_err();
    assert!(
        matches!(&e, AppError::Conflict(m) if m.contains("1 partition (t-2)") && m.contains("Nothing was reset")),
        "{e}"
    );
}

#[test]
fn a_browse_starts_within_the_partition() {
    assert_eq!(browse_start(&BrowseStart::Offset(-5), 3, 10, None), 3);
    assert_eq!(browse_start(&BrowseStart::Offset(99), 3, 10, None), 10);
    assert_eq!(browse_start(&BrowseStart::Newest(4), 3, 10, None), 6);
    assert_eq!(browse_start(&BrowseStart::Newest(0), 3, 10, None), 9);
    assert_eq!(browse_start(&BrowseStart::Newest(50), 3, 10, None), 3);
    assert_eq!(browse_start(&BrowseStart::Timestamp(1), 3, 10, Some(5)), 5);
    assert_eq!(browse_start(&BrowseStart::Timestamp(1), 3, 10, None), 10);
}

#[test]
fn internal_topics_need_the_override() {
    for t in ["__consumer_offsets", "__transaction_state"] {
        let e = guard_internal(t, false, "deleting").unwrap_err();
        assert!(
            matches!(&e, AppError::Invalid { field, reason } if field == "override_internal" && reason.contains("deleting it")),
            "{e}"
        );
        assert!(guard_internal(t, true, "deleting").is_ok());
    }
    assert!(guard_internal("orders", false, "deleting").is_ok());
    assert_eq!(change_needs(false).len(), 1);
    assert!(change_needs(true).contains(&crate::auth::model::Permission::Administer));
}
