//! The ensemble monitor against the real sandbox ensemble (3 members with
//! AdminServers on 8081-8083, Kafka registered under /kafka) and the optional
//! standalone `zkbare` (no AdminServer, `mntr` not whitelisted). Nothing here
//! stops a member: the fault test lives in `ensemble_faults.rs`.

mod common;

use app::ensemble::logic::zxid_lag;
use app::ensemble::model::{QuorumState, Role, Source, ZxidLag};
use app::zookeeper::ssr::four_letter_word;
use common::{
    http, open_ws, read_text_frame, sandbox, sandbox_config, sandbox_versions, start_monitor,
    start_server, unique, wait_snapshot,
};
use std::time::{Duration, Instant};

fn zk_config() -> app::zookeeper::ssr::ZkClusterConfig {
    sandbox_config().zookeeper[0].clone()
}

/// The leader's client address according to the members themselves.
async fn leader_by_srvr() -> String {
    for h in zk_config().hosts {
        if let Ok(t) = four_letter_word(&h, "srvr").await
            && t.contains("Mode: leader")
        {
            return h;
        }
    }
    panic!("no member says it leads");
}

fn healthy(s: &app::ensemble::model::EnsembleSnapshot) -> bool {
    s.quorum.state == QuorumState::Healthy && s.members.iter().all(|m| m.role().is_serving())
}

#[tokio::test]
async fn roles_from_the_admin_server_one_leader_two_followers() {
    let (m, _g) = start_monitor(zk_config()).await;
    let s = wait_snapshot(&m, Duration::from_secs(10), "healthy ensemble", healthy).await;
    assert_eq!(s.membership, "/zookeeper/config");
    let ids: Vec<_> = s.members.iter().map(|m| m.server_id).collect();
    assert_eq!(ids, vec![Some(1), Some(2), Some(3)]);
    let roles: Vec<Role> = s.members.iter().map(|m| m.role()).collect();
    assert_eq!(
        roles.iter().filter(|r| **r == Role::Leader).count(),
        1,
        "{roles:?}"
    );
    assert_eq!(
        roles.iter().filter(|r| **r == Role::Follower).count(),
        2,
        "{roles:?}"
    );
    assert_eq!(s.leader.as_deref(), Some(leader_by_srvr().await.as_str()));
    assert_eq!(
        (
            s.quorum.voters,
            s.quorum.voters_up,
            s.quorum.needed,
            s.quorum.can_lose
        ),
        (3, 3, 2, 1)
    );
    let version = sandbox_versions().zookeeper;
    for mem in &s.members {
        assert_eq!(mem.source, Some(Source::AdminServer), "{mem:?}");
        assert_eq!(mem.figures.version.as_deref(), Some(version.as_str()));
        assert!(
            mem.figures.zxid.is_some()
                && mem.figures.uptime_ms.is_some()
                && mem.figures.znode_count.is_some(),
            "{mem:?}"
        );
        assert!(
            mem.figures.latency_avg.is_some() && mem.figures.connections.is_some(),
            "{mem:?}"
        );
    }
    assert_eq!(
        s.epoch,
        s.members
            .iter()
            .find(|m| m.role() == Role::Leader)
            .and_then(|l| l.figures.zxid)
            .map(|z| (z >> 32) as u32)
    );
    // The slow round (monitor command): only the leader reports synced followers.
    let s = wait_snapshot(&m, Duration::from_secs(8), "slow figures", |s| {
        s.members
            .iter()
            .all(|m| m.slow.watch_count.is_some() && m.slow.approximate_data_size.is_some())
    })
    .await;
    let leader = s.members.iter().find(|m| m.role() == Role::Leader).unwrap();
    assert_eq!(leader.slow.synced_followers, Some(2));
    assert!(
        s.members
            .iter()
            .filter(|m| m.role() == Role::Follower)
            .all(|m| m.slow.synced_followers.is_none())
    );
    assert!(s.blind_spots.is_empty(), "{:?}", s.blind_spots);
}

#[tokio::test]
async fn four_letter_words_stand_in_when_no_admin_server_is_configured() {
    let mut cfg = zk_config();
    cfg.id = "fourlw".into();
    cfg.admin_urls.clear();
    let (m, _g) = start_monitor(cfg).await;
    let s = wait_snapshot(&m, Duration::from_secs(10), "healthy ensemble", healthy).await;
    assert!(
        s.members
            .iter()
            .all(|m| m.source == Some(Source::FourLetterWords)),
        "{:?}",
        s.members
    );
    assert_eq!(s.leader.as_deref(), Some(leader_by_srvr().await.as_str()));
    let s = wait_snapshot(&m, Duration::from_secs(8), "mntr figures", |s| {
        s.members.iter().all(|m| m.slow.watch_count.is_some())
    })
    .await;
    let leader = s.members.iter().find(|m| m.role() == Role::Leader).unwrap();
    assert_eq!(leader.slow.synced_followers, Some(2));
}

#[tokio::test]
async fn zxids_advance_and_lag_is_measured_against_the_leader() {
    let (m, _g) = start_monitor(zk_config()).await;
    let before = wait_snapshot(&m, Duration::from_secs(10), "healthy ensemble", healthy).await;
    let leader_zxid = |s: &app::ensemble::model::EnsembleSnapshot| {
        s.members
            .iter()
            .find(|m| m.role() == Role::Leader)
            .and_then(|m| m.figures.zxid)
            .unwrap()
    };
    for mem in &before.members {
        let expected = zxid_lag(mem.figures.zxid.unwrap(), leader_zxid(&before));
        assert_eq!(mem.lag, Some(expected), "{mem:?}");
    }
    // 20 writes: the leader's zxid must move by at least 20 transactions.
    // Written by a plain client: the load comes from "another application".
    let zk = zookeeper_client::Client::connector()
        .connect(&zk_config().hosts.join(","))
        .await
        .unwrap();
    let anyone =
        zookeeper_client::CreateMode::Persistent.with_acls(zookeeper_client::Acls::anyone_all());
    let root = format!("/{}", unique("zkmq-it-ens"));
    zk.create(&root, b"", &anyone).await.unwrap();
    for i in 0..19 {
        zk.create(&format!("{root}/n{i}"), b"x", &anyone)
            .await
            .unwrap();
    }
    let start_zxid = leader_zxid(&before);
    let after = wait_snapshot(&m, Duration::from_secs(5), "leader zxid +20", |s| {
        healthy(s) && leader_zxid(s) >= start_zxid + 20
    })
    .await;
    // Followers catch up within a probe or two: each is in sync or a few txns behind.
    for mem in &after.members {
        match mem.lag {
            Some(ZxidLag::InSync) => {}
            Some(ZxidLag::Behind { txns }) => assert!(txns <= 20, "{mem:?}"),
            other => panic!("unexpected lag {other:?} for {mem:?}"),
        }
    }
    let mut nodes: Vec<_> = (0..19).map(|i| format!("{root}/n{i}")).collect();
    nodes.push(root);
    for n in nodes {
        zk.delete(&n, None).await.unwrap();
    }
}

#[tokio::test]
async fn a_host_outside_the_ensemble_config_is_unreachable_and_does_not_vote() {
    let mut cfg = zk_config();
    cfg.id = "stray".into();
    cfg.hosts.push("127.0.0.1:1".into());
    let (m, _g) = start_monitor(cfg).await;
    let s = wait_snapshot(&m, Duration::from_secs(10), "stray host unreachable", |s| {
        s.members
            .iter()
            .any(|m| m.address == "127.0.0.1:1" && m.figures.role == Some(Role::Unreachable))
            && s.quorum.state == QuorumState::Healthy
    })
    .await;
    let stray = s
        .members
        .iter()
        .find(|m| m.address == "127.0.0.1:1")
        .unwrap();
    assert_eq!(stray.learner_type, None);
    assert!(
        stray.error.as_deref().unwrap().contains("refused"),
        "{stray:?}"
    );
    assert_eq!((s.quorum.voters, s.quorum.can_lose), (3, 1));
}

#[tokio::test]
async fn a_hung_member_costs_one_probe_timeout() {
    // Accepts connections, never answers.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = hole.local_addr().unwrap().to_string();
    let mut cfg = zk_config();
    cfg.id = "hung".into();
    cfg.hosts = vec![addr.clone()];
    cfg.admin_urls.clear();
    cfg.monitor_timeout_ms = 300;
    let start = Instant::now();
    let (m, _g) = start_monitor(cfg).await;
    let s = wait_snapshot(&m, Duration::from_secs(10), "hung member", |s| {
        s.members
            .iter()
            .any(|m| m.figures.role == Some(Role::Unreachable))
    })
    .await;
    assert_eq!(
        s.members[0].error.as_deref(),
        Some("no answer within 300 ms")
    );
    assert_eq!(s.quorum.state, QuorumState::Lost);
    // The first slow round (session connect, bounded) plus one probe round.
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn standalone_without_admin_server_or_mntr_says_what_it_cannot_show() {
    sandbox(&["start", "zkbare"]);
    let mut cfg = zk_config();
    cfg.id = "bare".into();
    cfg.hosts = vec!["127.0.0.1:2184".into()];
    cfg.admin_urls.clear();
    cfg.admin_port = Some(8084); // nothing listens there: the AdminServer is off
    let (m, _g) = start_monitor(cfg).await;
    let s = wait_snapshot(
        &m,
        Duration::from_secs(10),
        "standalone with blind spots",
        |s| s.quorum.state == QuorumState::Standalone && !s.blind_spots.is_empty(),
    )
    .await;
    let bare = &s.members[0];
    assert_eq!(bare.figures.role, Some(Role::Standalone));
    // ZooKeeper always allows srvr (zkServer.sh needs it); mntr is refused.
    assert_eq!(bare.source, Some(Source::FourLetterWords));
    assert!(bare.figures.zxid.is_some() && bare.figures.znode_count.is_some());
    assert_eq!(bare.slow.watch_count, None);
    let note = s.blind_spots.join(" ");
    assert!(
        note.contains("Watch count, data size and synced followers of 127.0.0.1:2184"),
        "{note}"
    );
    assert!(note.contains("4lw.commands.whitelist"), "{note}");
    assert!(s.leader.is_none());
}

#[tokio::test]
async fn kafka_registered_under_the_chroot_is_found_and_linked() {
    let (m, _g) = start_monitor(zk_config()).await;
    let s = wait_snapshot(&m, Duration::from_secs(12), "kafka panel", |s| {
        !s.kafka.is_empty()
    })
    .await;
    let k = s
        .kafka
        .iter()
        .find(|k| k.chroot == "/kafka")
        .expect("Kafka under /kafka");
    let ids: Vec<i32> = k.brokers.iter().map(|b| b.id).collect();
    assert_eq!(ids, vec![1, 2, 3]);
    assert!(k.controller.is_some_and(|c| ids.contains(&c)), "{k:?}");
    assert!(k.cluster_id.is_some());
    assert_eq!(k.linked.as_ref().map(|c| c.id.as_str()), Some("local"));
    assert_eq!(k.brokers[0].endpoints, vec!["PLAINTEXT://127.0.0.1:9092"]);
}

#[test]
fn snapshot_server_function_and_websocket_answer_for_the_sandbox() {
    let hosts = zk_config()
        .hosts
        .iter()
        .map(|h| format!("\"{h}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let server = start_server(&format!(
        "\n[[zookeeper]]\nid = \"local\"\nname = \"Sandbox\"\nhosts = [{hosts}]\n"
    ));
    let (code, body) = http(
        server.port,
        "POST",
        "/api/get_ensemble_snapshot",
        "cluster=local",
    )
    .unwrap();
    assert_eq!(code, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(v["round"].as_u64().unwrap() >= 1, "{body}");
    assert!(
        v["leader"].as_str().unwrap().starts_with("127.0.0.1:218"),
        "{body}"
    );
    let (code, body) = http(
        server.port,
        "POST",
        "/api/get_ensemble_snapshot",
        "cluster=nope",
    )
    .unwrap();
    assert_eq!(code, 404, "an unknown cluster is the caller's mistake");
    assert!(body.contains("UnknownCluster"), "{body}");
    let (code, body) = http(
        server.port,
        "POST",
        "/api/list_leader_changes",
        "cluster=local&limit=10",
    )
    .unwrap();
    assert_eq!(code, 200, "{body}");
    // A fresh database: only changes this server saw itself. Nothing in this
    // binary moves the leader (ensemble_history_api.rs kills one and checks
    // the rows' content); whatever is there has the shape of a change.
    let changes: serde_json::Value = serde_json::from_str(&body).unwrap();
    let changes = changes
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {body}"));
    assert!(changes.len() <= 10, "limit=10 ignored: {body}");
    for c in changes {
        assert!(c["id"].is_i64(), "{c}");
        assert!(c["at"].as_str().is_some_and(|t| t.contains('T')), "{c}");
        assert!(c["ongoing"].is_boolean(), "{c}");
        for k in ["old_leader", "new_leader"] {
            assert!(
                c[k].is_null()
                    || c[k]
                        .as_str()
                        .is_some_and(|a| a.starts_with("127.0.0.1:218")),
                "{k}: {c}"
            );
        }
        assert_eq!(c["ongoing"] == true, c["new_leader"].is_null(), "{c}");
    }
    let (_, head) = open_ws(server.port, "/ws/ensemble/nope");
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    // The live feed: the current snapshot at once, then one per probe round.
    let (mut ws, head) = open_ws(server.port, "/ws/ensemble/local");
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    let first: serde_json::Value = serde_json::from_str(&read_text_frame(&mut ws)).unwrap();
    let second: serde_json::Value = serde_json::from_str(&read_text_frame(&mut ws)).unwrap();
    assert_eq!(first["cluster"]["id"], "local");
    assert!(
        second["round"].as_u64() > first["round"].as_u64(),
        "{first} {second}"
    );
    assert_eq!(second["members"].as_array().unwrap().len(), 3);
}
