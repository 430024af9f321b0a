//! Fault test of the ensemble monitor: kill the sandbox leader, watch the new
//! one take over and the history record it; restart it; stop two members and
//! see the quorum lost, then regained. Kills real members, so it lives in its
//! own test binary (binaries run one after another) and in one test.

mod common;

use app::ensemble::model::{QuorumState, Role};
use common::{sandbox, sandbox_config, start_monitor, wait_snapshot};
use std::time::{Duration, Instant};

/// The sandbox member name of a client address: 127.0.0.1:218N → zkN.
fn member_name(address: &str) -> String {
    format!(
        "zk{}",
        address
            .rsplit(':')
            .next()
            .unwrap()
            .trim_start_matches("218")
    )
}

fn role_of(s: &app::ensemble::model::EnsembleSnapshot, address: &str) -> Option<Role> {
    s.members
        .iter()
        .find(|m| m.address == address)
        .and_then(|m| m.figures.role)
}

/// Puts every member back even when an assertion fails midway.
struct Restore;
impl Drop for Restore {
    fn drop(&mut self) {
        let _ = std::process::Command::new(common::workspace_root().join("scripts/sandbox"))
            .args(["start", "zk"])
            .status();
    }
}

#[tokio::test]
async fn leader_kill_restart_and_quorum_loss() {
    let _restore = Restore;
    let cfg = sandbox_config().zookeeper[0].clone();
    let (m, _g) = start_monitor(cfg).await;
    let s = wait_snapshot(&m, Duration::from_secs(10), "healthy", |s| {
        s.quorum.state == QuorumState::Healthy && s.quorum.can_lose == 1
    })
    .await;
    let old = s.leader.clone().unwrap();

    // 1. Kill the leader: a new one within 3 s, the old one unreachable.
    let t0 = Instant::now();
    sandbox(&["kill", &member_name(&old)]);
    let s = wait_snapshot(&m, Duration::from_secs(3), "new leader", |s| {
        s.leader.as_ref().is_some_and(|l| *l != old)
    })
    .await;
    let new = s.leader.clone().unwrap();
    eprintln!(
        "new leader {new} seen {:?} after killing {old}",
        t0.elapsed()
    );
    let s = wait_snapshot(&m, Duration::from_secs(3), "old leader unreachable", |s| {
        role_of(s, &old) == Some(Role::Unreachable)
    })
    .await;
    assert_eq!(
        (s.quorum.state, s.quorum.voters_up, s.quorum.can_lose),
        (QuorumState::Healthy, 2, 0)
    );

    // The history has the change, with the gap measured.
    let changes = m.history().list(m.id(), 10).await.unwrap();
    let c = &changes[0];
    assert_eq!(c.old_leader.as_deref(), Some(old.as_str()), "{changes:?}");
    assert_eq!(c.new_leader.as_deref(), Some(new.as_str()), "{changes:?}");
    assert!(!c.ongoing && c.leaderless_ms.is_some(), "{c:?}");
    assert!(c.new_epoch > c.old_epoch, "{c:?}");

    // 2. The restarted member comes back as a follower.
    sandbox(&["start", &member_name(&old)]);
    wait_snapshot(
        &m,
        Duration::from_secs(10),
        "old leader back as follower",
        |s| role_of(s, &old) == Some(Role::Follower) && s.quorum.can_lose == 1,
    )
    .await;

    // 3. Two members down: quorum lost; one back: quorum again.
    let others: Vec<String> = s
        .members
        .iter()
        .map(|m| m.address.clone())
        .filter(|a| *a != new)
        .collect();
    sandbox(&["stop", &member_name(&new), &member_name(&others[0])]);
    let lost = wait_snapshot(&m, Duration::from_secs(5), "quorum lost", |s| {
        s.quorum.state == QuorumState::Lost
    })
    .await;
    assert_eq!(lost.quorum.voters_up, 1);
    assert!(lost.leader.is_none());
    let ongoing = m.history().list(m.id(), 1).await.unwrap();
    assert!(ongoing[0].ongoing, "{ongoing:?}");
    sandbox(&["start", &member_name(&new)]);
    let back = wait_snapshot(&m, Duration::from_secs(10), "quorum regained", |s| {
        s.quorum.state == QuorumState::Healthy
    })
    .await;
    assert_eq!(back.quorum.voters_up, 2);
    let closed = m.history().list(m.id(), 1).await.unwrap();
    assert!(
        !closed[0].ongoing && closed[0].new_leader.is_some(),
        "{closed:?}"
    );
    sandbox(&["start", "zk"]);
    wait_snapshot(&m, Duration::from_secs(10), "all three back", |s| {
        s.quorum.can_lose == 1
    })
    .await;
}
