//! Unit tests of the ensemble logic.

use super::*;
use crate::error::Backend;

#[test]
fn human_figures() {
    assert_eq!(format_duration_ms(412), "412 ms");
    assert_eq!(format_duration_ms(3_210), "3.2 s");
    assert_eq!(format_duration_ms(720_000), "12 min");
    assert_eq!(format_duration_ms(18_180_000), "5 h 3 min");
    assert_eq!(format_duration_ms(187_200_000), "2 d 4 h");
    assert_eq!(format_bytes(738), "738 B");
    assert_eq!(format_bytes(1536), "1.5 KiB");
    assert_eq!(format_bytes(12 * 1024 * 1024), "12.0 MiB");
}

#[test]
fn zxid_parts_and_lag() {
    let z = parse_zxid_hex("0x200000005").unwrap();
    assert_eq!((zxid_epoch(z), zxid_counter(z)), (2, 5));
    assert_eq!(zxid_lag(z, z), ZxidLag::InSync);
    assert_eq!(zxid_lag(0x2_0000_0001, z), ZxidLag::Behind { txns: 4 });
    assert_eq!(
        zxid_lag(0x1_0000_00ff, z),
        ZxidLag::OlderEpoch {
            epoch: 1,
            leader_epoch: 2
        }
    );
    // Probed a moment after the leader: ahead counts as in sync.
    assert_eq!(zxid_lag(0x2_0000_0009, z), ZxidLag::InSync);
    assert_eq!(
        format_lag(Some(ZxidLag::Behind { txns: 4 })),
        "4 txns behind"
    );
    assert_eq!(parse_zxid_hex("200"), None);
}

const SRVR: &str = "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\nLatency min/avg/max: 0/0.5/7\nReceived: 10\nSent: 9\nConnections: 2\nOutstanding: 1\nZxid: 0x20000001a\nMode: follower\nNode count: 27\n";

#[test]
fn srvr_text() {
    let f = parse_srvr(SRVR).unwrap();
    assert_eq!(f.role, Some(Role::Follower));
    assert_eq!(f.version.as_deref(), Some("3.8.0"));
    assert_eq!(f.zxid, Some(0x2_0000_001a));
    assert_eq!(
        (f.latency_min, f.latency_avg, f.latency_max),
        (Some(0.0), Some(0.5), Some(7.0))
    );
    assert_eq!(
        (f.connections, f.outstanding, f.znode_count),
        (Some(2), Some(1), Some(27))
    );
    assert_eq!(
        parse_srvr("This ZooKeeper instance is not currently serving requests\n"),
        Err(Refusal::NotServing)
    );
    assert!(matches!(
        parse_srvr("srvr is not executed because it is not in the whitelist.\n"),
        Err(Refusal::Disabled(_))
    ));
    assert!(matches!(parse_srvr("imok"), Err(Refusal::Unexpected(_))));
    assert_eq!(
        parse_srvr("Mode: standalone\n").unwrap().role,
        Some(Role::Standalone)
    );
}

#[test]
fn mntr_text() {
    let s = parse_mntr("zk_version\t3.8.0\nzk_watch_count\t4\nzk_approximate_data_size\t738\nzk_synced_followers\t2\nzk_uptime\t5000\n").unwrap();
    assert_eq!(
        s,
        SlowFigures {
            watch_count: Some(4),
            approximate_data_size: Some(738),
            synced_followers: Some(2),
            uptime_ms: Some(5000)
        }
    );
    assert_eq!(
        parse_mntr("This ZooKeeper instance is not currently serving requests"),
        Err(Refusal::NotServing)
    );
    assert!(matches!(
        parse_mntr("mntr is not executed because it is not in the whitelist."),
        Err(Refusal::Disabled(_))
    ));
}

#[test]
fn admin_answers() {
    let body = r#"{"version":"3.8.0-${mvngit.commit.id}, built on x","server_stats":{"server_state":"leader","outstanding_requests":0,"min_latency":0,"avg_latency":1.5,"max_latency":9,"last_processed_zxid":8589934592,"num_alive_client_connections":3,"uptime":5004},"node_count":27,"command":"server_stats","error":null}"#;
    let f = parse_admin_srvr(&admin_body(200, body).unwrap()).unwrap();
    assert_eq!(f.role, Some(Role::Leader));
    assert_eq!(f.zxid, Some(0x2_0000_0000));
    assert_eq!(f.latency_avg, Some(1.5));
    assert_eq!(f.connections, Some(3));
    assert_eq!(f.uptime_ms, Some(5004));
    assert_eq!(f.version.as_deref(), Some("3.8.0"));
    // No quorum: 200 with an error, or 500 with an HTML page.
    assert_eq!(
        admin_body(
            200,
            r#"{"command":"leader","error":"This ZooKeeper instance is not currently serving requests"}"#
        ),
        Err(Refusal::NotServing)
    );
    assert_eq!(
        admin_body(
            500,
            "<html><body><h2>HTTP ERROR 500 java.lang.NullPointerException</h2></body></html>"
        ),
        Err(Refusal::NotServing)
    );
    assert!(matches!(
        admin_body(404, "nope"),
        Err(Refusal::Unexpected(_))
    ));
    assert!(matches!(
        admin_body(200, "<html>"),
        Err(Refusal::Unexpected(_))
    ));
    let mon = serde_json::json!({"watch_count": 4, "approximate_data_size": 738, "synced_followers": 2, "error": null});
    assert_eq!(parse_admin_monitor(&mon).synced_followers, Some(2));
}

#[test]
fn dynamic_config() {
    let text = "server.2=127.0.0.1:28882:38882:participant;127.0.0.1:2182\nserver.1=10.0.0.1:2888:3888;0.0.0.0:2181\nserver.3=zk3:2888:3888:observer;2181\nserver.4=zk4:2888:3888\nversion=100000000\n";
    let m = parse_dynamic_config(text);
    assert_eq!(m.len(), 4);
    assert_eq!(m[0].id, 1);
    assert_eq!(m[0].client_address.as_deref(), Some("10.0.0.1:2181"));
    assert_eq!(m[1].client_address.as_deref(), Some("127.0.0.1:2182"));
    assert_eq!(m[1].learner_type, LearnerType::Participant);
    assert_eq!(m[2].learner_type, LearnerType::Observer);
    assert_eq!(m[2].client_address.as_deref(), Some("zk3:2181"));
    assert_eq!(m[3].client_address, None);
    assert_eq!(m[3].host, "zk4");
    let merged = merge_members(&m, &["127.0.0.1:2182".into(), "other:2181".into()]);
    assert_eq!(merged.len(), 5);
    assert_eq!(merged[4].address, "other:2181");
    assert_eq!(merged[4].server_id, None);
}

fn member(id: u64, role: Role, zxid: u64) -> MemberState {
    MemberState {
        server_id: Some(id),
        address: format!("h:{id}"),
        learner_type: Some(LearnerType::Participant),
        figures: Figures {
            role: Some(role),
            zxid: Some(zxid),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[test]
fn quorum_states() {
    let mut ms = vec![
        member(1, Role::Follower, 0x2_0000_0003),
        member(2, Role::Leader, 0x2_0000_0005),
        member(3, Role::Follower, 0x2_0000_0005),
    ];
    fill_lag(&mut ms);
    assert_eq!(ms[0].lag, Some(ZxidLag::Behind { txns: 2 }));
    assert_eq!(ms[2].lag, Some(ZxidLag::InSync));
    let q = quorum(&ms);
    assert_eq!(
        (q.state, q.voters_up, q.needed, q.can_lose),
        (QuorumState::Healthy, 3, 2, 1)
    );
    assert_eq!(
        quorum_summary(&q),
        "3 of 3 voting members up; can lose 1 more"
    );

    ms[1].figures.role = Some(Role::Unreachable);
    let q = quorum(&ms);
    assert_eq!(q.state, QuorumState::Electing);
    ms[0].figures.role = Some(Role::Leader);
    let q = quorum(&ms);
    assert_eq!((q.state, q.can_lose), (QuorumState::Healthy, 0));
    assert_eq!(
        quorum_summary(&q),
        "2 of 3 voting members up; cannot lose any more"
    );

    ms[0].figures.role = Some(Role::Unreachable);
    ms[2].figures.role = Some(Role::NotServing);
    let q = quorum(&ms);
    assert_eq!(q.state, QuorumState::Lost);
    assert_eq!(
        quorum_summary(&q),
        "Quorum lost: 1 of 3 voting members up, 2 needed"
    );

    // Observers do not vote.
    let mut obs = member(4, Role::Observer, 0);
    obs.learner_type = Some(LearnerType::Observer);
    let mut stray = member(5, Role::Unreachable, 0);
    stray.learner_type = None;
    let ms = vec![member(1, Role::Leader, 1), obs, stray];
    assert_eq!(quorum(&ms).voters, 1);

    let unknown = vec![
        member(1, Role::Unknown, 0),
        member(2, Role::Unknown, 0),
        member(3, Role::Unreachable, 0),
    ];
    let q = quorum(&unknown);
    assert_eq!(
        (q.state, q.voters_up, q.can_lose),
        (QuorumState::Unknown, 2, 0)
    );
    assert_eq!(
        quorum(&[member(1, Role::Standalone, 0)]).state,
        QuorumState::Standalone
    );
}

#[test]
fn leader_tracking() {
    let a = ("a:1".to_string(), 2);
    let b = ("b:1".to_string(), 3);
    let mut t = LeaderTracker::default();
    // First sight after a fresh start: nothing to record.
    assert_eq!(t.observe(0, Some(a.clone())), None);
    assert_eq!(t.observe(500, Some(a.clone())), None);
    assert_eq!(
        t.observe(1000, None),
        Some(LeaderEvent::Lost {
            at_ms: 1000,
            old: Some(a.clone())
        })
    );
    assert_eq!(t.observe(1500, None), None);
    assert_eq!(
        t.observe(1800, Some(b.clone())),
        Some(LeaderEvent::Elected {
            at_ms: 1800,
            old: Some(a.clone()),
            new: b.clone(),
            leaderless_ms: Some(800)
        })
    );
    // A switch between two probes.
    assert_eq!(
        t.observe(2300, Some(a.clone())),
        Some(LeaderEvent::Elected {
            at_ms: 2300,
            old: Some(b.clone()),
            new: a.clone(),
            leaderless_ms: Some(0)
        })
    );
    // A missed probe of the same leader is not an election.
    assert!(matches!(
        t.observe(2800, None),
        Some(LeaderEvent::Lost { .. })
    ));
    assert_eq!(
        t.observe(3300, Some(a.clone())),
        Some(LeaderEvent::Restored)
    );
    // Same leader re-elected in a new epoch is an election.
    let a3 = ("a:1".to_string(), 4);
    assert!(matches!(
        t.observe(3800, Some(a3)),
        Some(LeaderEvent::Elected { .. })
    ));

    // Resumed from history: a different leader while zkmq was away.
    let mut t = LeaderTracker::resume(Some(a.clone()), None);
    assert_eq!(
        t.observe(10, Some(b.clone())),
        Some(LeaderEvent::Elected {
            at_ms: 10,
            old: Some(a.clone()),
            new: b.clone(),
            leaderless_ms: None
        })
    );
    let mut t = LeaderTracker::resume(Some(a.clone()), None);
    assert_eq!(t.observe(10, Some(a.clone())), None);
    // Resumed with an open loss: it closes with the measured gap.
    let mut t = LeaderTracker::resume(Some(a.clone()), Some(0));
    assert!(matches!(
        t.observe(700, Some(b)),
        Some(LeaderEvent::Elected {
            leaderless_ms: Some(700),
            ..
        })
    ));
}

#[test]
fn sparkline_buckets() {
    let mut ring = VecDeque::new();
    add_sample(&mut ring, 10_000, Some(1.0), Some(2));
    add_sample(&mut ring, 15_000, Some(3.0), Some(1));
    add_sample(&mut ring, 20_000, None, None);
    let p = series_points(&ring);
    assert_eq!(p.len(), 2);
    assert_eq!((p[0].latency_avg, p[0].outstanding), (Some(2.0), Some(2)));
    assert_eq!((p[1].latency_avg, p[1].outstanding), (None, None));
    for i in 0..200 {
        add_sample(&mut ring, 30_000 + i * BUCKET_MS, Some(1.0), None);
    }
    assert_eq!(ring.len(), BUCKETS_KEPT);
    let pts = sparkline_points(&[Some(0.0), None, Some(4.0)], 100.0, 20.0, 1.0);
    assert_eq!(pts, "0.0,19.0 100.0,1.0");
}

#[test]
fn kafka_registrations() {
    let b = parse_broker_registration(
        1,
        br#"{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://127.0.0.1:9092"],"jmx_port":-1,"features":{},"host":"127.0.0.1","timestamp":"1","port":9092,"version":5,"rack":null}"#,
    );
    assert_eq!(b.host.as_deref(), Some("127.0.0.1"));
    assert_eq!(b.port, Some(9092));
    assert_eq!(b.rack, None);
    assert_eq!(b.endpoints, vec!["PLAINTEXT://127.0.0.1:9092"]);
    assert_eq!(
        parse_controller(br#"{"version":2,"brokerid":2,"timestamp":"1"}"#),
        Some(2)
    );
    assert_eq!(
        parse_kafka_cluster_id(br#"{"version":"1","id":"abc"}"#).as_deref(),
        Some("abc")
    );
    let cref = |id: &str| ClusterRef {
        backend: Backend::Kafka,
        id: id.into(),
        name: id.into(),
    };
    let configured = vec![
        KafkaLinkInfo {
            cluster: cref("x"),
            zookeeper: Some("other".into()),
            chroot: Some("/kafka".into()),
            bootstrap: vec!["10.0.0.1:9092".into()],
        },
        KafkaLinkInfo {
            cluster: cref("local"),
            zookeeper: Some("local".into()),
            chroot: Some("/kafka/".into()),
            bootstrap: vec![],
        },
        KafkaLinkInfo {
            cluster: cref("byaddr"),
            zookeeper: None,
            chroot: None,
            bootstrap: vec!["127.0.0.1:9092".into()],
        },
    ];
    assert_eq!(
        link_kafka("local", "/kafka", std::slice::from_ref(&b), &configured).map(|c| c.id),
        Some("local".into())
    );
    assert_eq!(
        link_kafka("zk2", "/", std::slice::from_ref(&b), &configured).map(|c| c.id),
        Some("byaddr".into())
    );
    assert_eq!(link_kafka("zk2", "/", &[], &configured), None);
    assert_eq!(chroot_path("/", "brokers/ids"), "/brokers/ids");
    assert_eq!(chroot_path("/kafka", "brokers/ids"), "/kafka/brokers/ids");
}
