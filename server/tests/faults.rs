//! The fault suite (issue 16): real faults in the middle of real changes,
//! against the sandbox — the console killed with SIGKILL, the ZooKeeper
//! leader killed — and afterwards: no audit record lost, none left without
//! an outcome (an interrupted one is marked at the next start), the chain
//! verifies, and what the cluster holds matches what the audit says was
//! applied. Prints one table. Kills and restarts real servers, so it lives
//! in its own test binary (binaries run one after another) and its
//! scenarios run one after another.

mod common;

use app::audit::ssr::AuditLog;
use common::{ChangeRow, Server, audit_rows, sandbox, sandbox_config, start_server, unique};
use std::time::{Duration, Instant};
use zookeeper_client as zk;

/// Znodes each change works on.
const N: usize = 2_000;

struct Row {
    fault: &'static str,
    operation: &'static str,
    in_flight: usize,
    outcome: String,
    applied: usize,
    audit_says: String,
    mismatches: usize,
}

async fn client() -> zk::Client {
    zk::Client::connector()
        .with_session_timeout(Duration::from_secs(30))
        .connect(&sandbox_config().zookeeper[0].hosts.join(","))
        .await
        .unwrap()
}

fn console() -> Server {
    // A generous timeout: the change must outlive an election, not give up.
    start_server(
        &common::sandbox_zookeeper_table("")
            .replace("[[zookeeper]]", "backend_timeout_ms = 10000\n[[zookeeper]]"),
    )
}

/// Children of `root`, as the ensemble has them now (after a sync), retried
/// while the ensemble elects a leader.
async fn children(zkc: &zk::Client, root: &str) -> usize {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let _ = zkc.sync(root).await;
        match zkc.list_children(root).await {
            Ok(c) => return c.len(),
            Err(zk::Error::NoNode) => return 0,
            Err(e) if Instant::now() < deadline => {
                eprintln!("faults: listing {root}: {e}; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => panic!("cannot list {root}: {e}"),
        }
    }
}

/// The sandbox member (zk1..zk3) that leads now.
async fn leader() -> String {
    let hosts = &sandbox_config().zookeeper[0].hosts;
    for _ in 0..50 {
        for (i, h) in hosts.iter().enumerate() {
            if let Ok(t) = app::zookeeper::ssr::four_letter_word(h, "srvr").await
                && t.contains("Mode: leader")
            {
                return format!("zk{}", i + 1);
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no ZooKeeper member says it leads");
}

/// An import file of `N` children under its root.
fn import_file() -> String {
    let znodes: Vec<serde_json::Value> = (0..N)
        .map(|i| serde_json::json!({"path": format!("/src/c{i:04}"), "data": "x", "acl": []}))
        .collect();
    serde_json::json!({"format": "zkmq-znodes/1", "cluster": "x", "root": "/src", "exported_at": "t", "znodes": znodes})
        .to_string()
}

/// Waits until `ready` says the change is under way (or 30 s).
async fn until(mut ready: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline && !ready().await {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A server-function call in a thread (it may never be answered).
fn call_in_background(
    port: u16,
    name: &'static str,
    pairs: Vec<(String, String)>,
) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        common::http(port, "POST", &format!("/api/{name}"), &common::form(&pairs))
            .map(|(st, body)| format!("{st} {body}"))
            .unwrap_or_else(|e| format!("no answer: {e}"))
    })
}

/// The one record of `action` on `target`: its outcome and error (none: lost or pending).
async fn record_of(
    s: &Server,
    action: &str,
    target: &str,
) -> (Option<String>, Option<String>, usize, usize) {
    let rows =
        audit_rows::<ChangeRow>(s, "a.action, a.target, a.before_value, o.outcome, o.error").await;
    let mine: Vec<&ChangeRow> = rows
        .iter()
        .filter(|r| r.0 == action && r.1 == target)
        .collect();
    let pending = rows.iter().filter(|r| r.3.is_none()).count();
    let rec = mine.first();
    (
        rec.and_then(|r| r.3.clone()),
        rec.and_then(|r| r.4.clone()),
        mine.len(),
        pending,
    )
}

/// The number in "<verb> <n> …" of an error text ("imported 812 znodes, then …").
fn count_after(text: &str, verb: &str) -> Option<usize> {
    text.split(verb)
        .nth(1)?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Compares what the audit says with what the cluster holds; counts what does not add up.
fn judge(
    outcome: &Option<String>,
    error: &Option<String>,
    records: usize,
    pending: usize,
    applied: usize,
    expect_all: usize,
    verb: &str,
) -> (String, String, usize) {
    let mut mismatches = pending + records.abs_diff(1);
    let says = match (outcome.as_deref(), error.as_deref()) {
        (Some("ok"), _) => {
            mismatches += usize::from(applied != expect_all);
            format!("all {expect_all}")
        }
        (Some("interrupted"), _) => "interrupted: read the target".to_string(),
        (Some(_), Some(e)) => match count_after(e, verb) {
            Some(n) => {
                mismatches += usize::from(n != applied);
                format!("{verb} {n}")
            }
            None => {
                mismatches += usize::from(applied != 0);
                "nothing".to_string()
            }
        },
        _ => {
            mismatches += 1;
            "no outcome".to_string()
        }
    };
    (
        outcome.clone().unwrap_or_else(|| "lost".into()),
        says,
        mismatches,
    )
}

async fn chain_intact(s: &Server) -> bool {
    let log = AuditLog::open(&s.db).await.unwrap();
    let r = log.verify().await.unwrap();
    if let Some(b) = &r.first_broken {
        eprintln!("faults: audit chain broken: {b:?}");
    }
    r.first_broken.is_none()
}

/// Starts importing `N` znodes under a new root through `s` (in the
/// background) and returns once a tenth of them exist.
async fn import_under_way(s: &Server) -> (zk::Client, String, std::thread::JoinHandle<String>) {
    let zkc = client().await;
    let root = format!("/{}", unique("zkmq-fault-import"));
    let mode = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
    zkc.create(&root, b"", &mode).await.unwrap();
    let file = import_file();
    let (_, plan) = common::api(
        s,
        "plan_import_znodes",
        &[
            ("cluster", "local"),
            ("target_root", &root),
            ("file", &file),
        ],
    );
    let hash = plan["hash"].as_str().expect("a plan").to_string();
    let call = call_in_background(
        s.port,
        "import_znodes",
        vec![
            ("cluster".into(), "local".into()),
            ("target_root".into(), root.clone()),
            ("file".into(), file),
            ("plan_hash".into(), hash),
        ],
    );
    until(async || children(&zkc, &root).await >= N / 10).await;
    (zkc, root, call)
}

/// Kills the ZooKeeper leader while `call` runs, waits for its answer,
/// then starts the member again.
async fn kill_leader_while(call: std::thread::JoinHandle<String>, what: &str) {
    let member = leader().await;
    sandbox(&["kill", &member]);
    let answer = call.join().unwrap();
    eprintln!(
        "faults: {what} answered {}",
        &answer[..answer.len().min(200)]
    );
    sandbox(&["start", &member]);
}

/// The table row: what the audit says of `action` on `target` against
/// `applied` (of `expect_all`), and whether the chain still verifies.
#[allow(clippy::too_many_arguments)]
async fn verdict(
    s: &Server,
    fault: &'static str,
    operation: &'static str,
    action: &str,
    target: &str,
    applied: usize,
    expect_all: usize,
    verb: &str,
) -> Row {
    let (outcome, error, records, pending) = record_of(s, action, target).await;
    let (outcome, audit_says, mut mismatches) = judge(
        &outcome, &error, records, pending, applied, expect_all, verb,
    );
    mismatches += usize::from(!chain_intact(s).await);
    Row {
        fault,
        operation,
        in_flight: 1,
        outcome,
        applied,
        audit_says,
        mismatches,
    }
}

async fn console_killed_mid_import() -> Row {
    let mut s = console();
    let (zkc, root, call) = import_under_way(&s).await;
    s.crash_and_restart();
    let _ = call.join();
    let applied = children(&zkc, &root).await;
    let (fault, op) = ("kill -9 the console", "import 2,000 znodes");
    verdict(
        &s,
        fault,
        op,
        "import_znodes",
        &root,
        applied,
        N,
        "imported",
    )
    .await
}

async fn leader_killed_mid_import() -> Row {
    let s = console();
    let (zkc, root, call) = import_under_way(&s).await;
    kill_leader_while(call, "import").await;
    let applied = children(&zkc, &root).await;
    let (fault, op) = ("kill the ZooKeeper leader", "import 2,000 znodes");
    verdict(
        &s,
        fault,
        op,
        "import_znodes",
        &root,
        applied,
        N,
        "imported",
    )
    .await
}

async fn leader_killed_mid_subtree_delete() -> Row {
    let s = console();
    let zkc = client().await;
    let root = format!("/{}", unique("zkmq-fault-delete"));
    let mode = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
    zkc.create(&root, b"", &mode).await.unwrap();
    for batch in 0..N / 100 {
        let mut w = zkc.new_multi_writer();
        for i in 0..100 {
            w.add_create(&format!("{root}/c{:04}", batch * 100 + i), b"x", &mode)
                .unwrap();
        }
        w.commit().await.unwrap();
    }
    let call = call_in_background(
        s.port,
        "delete_subtree",
        vec![
            ("cluster".into(), "local".into()),
            ("path".into(), root.clone()),
            ("confirm".into(), root.clone()),
        ],
    );
    until(async || children(&zkc, &root).await <= N - 200).await;
    kill_leader_while(call, "delete").await;
    let left = children(&zkc, &root).await;
    // The subtree is N children and the root itself.
    let exists = zkc.check_stat(&root).await.ok().flatten().is_some();
    let deleted = N + 1 - left - usize::from(exists);
    let (fault, op) = ("kill the ZooKeeper leader", "delete a 2,001-znode subtree");
    verdict(
        &s,
        fault,
        op,
        "delete_subtree",
        &root,
        deleted,
        N + 1,
        "deleted",
    )
    .await
}

#[tokio::test]
async fn faults_lose_no_audit_row_and_leave_none_unexplained() {
    let rows = vec![
        console_killed_mid_import().await,
        leader_killed_mid_import().await,
        leader_killed_mid_subtree_delete().await,
    ];
    println!(
        "| fault | operation | in flight | audited outcome | applied on the cluster | the audit says | mismatches |"
    );
    println!("|---|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.fault, r.operation, r.in_flight, r.outcome, r.applied, r.audit_says, r.mismatches
        );
    }
    assert!(
        rows.iter().all(|r| r.mismatches == 0),
        "see the table above"
    );
}
