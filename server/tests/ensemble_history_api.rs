//! The leader history as scripts read it (`/api/list_leader_changes`), after a
//! real leader change: the sandbox leader is killed while `zkmq serve` watches
//! the ensemble. Kills a real member, so it lives in its own test binary
//! (binaries run one after another) and restarts it whatever happens.

mod common;

use common::{Server, http, sandbox, start_server};
use serde_json::Value;
use std::time::{Duration, Instant};

/// Puts every member back even when an assertion fails midway.
struct Restore;
impl Drop for Restore {
    fn drop(&mut self) {
        let _ = std::process::Command::new(common::workspace_root().join("scripts/sandbox"))
            .args(["start", "zk"])
            .status();
    }
}

fn post(s: &Server, name: &str, form: &str) -> Value {
    let (code, body) = http(s.port, "POST", &format!("/api/{name}"), form).unwrap();
    assert_eq!(code, 200, "{name}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{name}: {e}: {body}"))
}

/// Polls `f` every 100 ms until it returns Some, or panics after `within`.
fn wait_for<T>(within: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not seen within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// 127.0.0.1:218N → zkN.
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

#[test]
fn a_killed_leader_shows_up_in_the_leader_history_api() {
    let _restore = Restore;
    let server = start_server(&common::sandbox_zookeeper_table(""));
    let snapshot = || post(&server, "get_ensemble_snapshot", "cluster=local");
    let history = || post(&server, "list_leader_changes", "cluster=local&limit=10");

    // A healthy ensemble first, and no change recorded yet (fresh database).
    let old = wait_for(Duration::from_secs(15), "a healthy ensemble", || {
        let s = snapshot();
        (s["quorum"]["state"] == "healthy" && s["quorum"]["can_lose"] == 1)
            .then(|| s["leader"].as_str().map(str::to_string))
            .flatten()
    });
    assert_eq!(
        history(),
        serde_json::json!([]),
        "a fresh database has no history"
    );
    let epoch_before = snapshot()["epoch"].clone();

    sandbox(&["kill", &member_name(&old)]);
    let new = wait_for(Duration::from_secs(10), "a new leader", || {
        snapshot()["leader"]
            .as_str()
            .filter(|l| *l != old)
            .map(str::to_string)
    });
    // The change is stored, closed (a leader is back), with the gap measured.
    let changes = wait_for(Duration::from_secs(10), "a closed leader change", || {
        let h = history();
        (h[0]["ongoing"] == false).then_some(h)
    });
    let rows = changes.as_array().unwrap();
    assert_eq!(rows.len(), 1, "exactly one change: {changes}");
    let c = &rows[0];
    assert_eq!(c["old_leader"], old.as_str(), "{c}");
    assert_eq!(c["new_leader"], new.as_str(), "{c}");
    let (old_epoch, new_epoch) = (c["old_epoch"].as_u64(), c["new_epoch"].as_u64());
    assert!(
        old_epoch.is_some() && new_epoch > old_epoch,
        "epochs must grow: {c}"
    );
    if let Some(e) = epoch_before.as_u64() {
        assert_eq!(
            old_epoch,
            Some(e),
            "the old epoch is the one seen before: {c}"
        );
    }
    assert!(c["leaderless_ms"].is_u64(), "{c}");
    assert!(c["id"].is_i64(), "{c}");
    let at = c["at"].as_str().unwrap();
    assert!(
        at.len() >= 20 && at.as_bytes()[10] == b'T' && (at.ends_with('Z') || at.contains('+')),
        "not RFC 3339: {at}"
    );
    // The sandbox leader agrees with what the history says.
    let out = std::process::Command::new(common::workspace_root().join("scripts/sandbox"))
        .arg("leader")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&member_name(&new)),
        "scripts/sandbox leader: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    sandbox(&["start", "zk"]);
    wait_for(Duration::from_secs(15), "all three members back", || {
        (snapshot()["quorum"]["can_lose"] == 1).then_some(())
    });
}
