//! The audit store on a real SQLite file: the audited path, the hash chain and
//! `zkmq audit verify`.

mod common;

use app::audit::model::Outcome;
use app::audit::ssr::{Applied, Attempt, AuditLog};
use app::error::{AppError, Backend};
use app::runtime::Actor;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

fn attempt(target: &str) -> Attempt {
    Attempt {
        actor: Actor {
            name: "alice".into(),
            via: Some("password".into()),
            client_addr: Some("127.0.0.1".into()),
        },
        backend: Some(Backend::Zookeeper),
        cluster: "local".into(),
        action: "set_znode_data".into(),
        target: target.into(),
        params: serde_json::json!({"version": 3}),
        before: Some("old".into()),
    }
}

async fn open(dir: &tempfile::TempDir) -> AuditLog {
    AuditLog::open(&dir.path().join("audit.db")).await.unwrap()
}

#[tokio::test]
async fn a_successful_change_records_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    let v = log
        .record(attempt("/a"), || async {
            Ok(Applied {
                value: 42,
                after: Some("new".into()),
            })
        })
        .await
        .unwrap();
    assert_eq!(v, 42);
    let recs = log.list(10, None, None).await.unwrap();
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r.outcome, Outcome::Ok);
    assert_eq!(r.before.as_deref(), Some("old"));
    assert_eq!(r.after.as_deref(), Some("new"));
    assert_eq!(
        (r.actor.as_str(), r.actor_via.as_deref()),
        ("alice", Some("password"))
    );
    assert_eq!(r.client_addr.as_deref(), Some("127.0.0.1"));
    assert_eq!(
        (
            r.backend.as_str(),
            r.cluster.as_str(),
            r.action.as_str(),
            r.target.as_str()
        ),
        ("zookeeper", "local", "set_znode_data", "/a")
    );
    assert_eq!(r.params, r#"{"version":3}"#);
    assert!(r.completed_at.is_some());
}

#[tokio::test]
async fn the_attempt_is_committed_before_the_operation_runs() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    let inner = log.clone();
    log.record(attempt("/crash-window"), || async move {
        // Seen from inside the operation (as after a crash right here): the attempt is there, pending.
        let recs = inner.list(10, None, None).await.unwrap();
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].target, "/crash-window");
        assert_eq!(recs[0].outcome, Outcome::Pending);
        assert_eq!(recs[0].before.as_deref(), Some("old"));
        Ok(Applied {
            value: (),
            after: None,
        })
    })
    .await
    .unwrap();
    assert_eq!(
        log.list(10, None, None).await.unwrap()[0].outcome,
        Outcome::Ok
    );
}

#[tokio::test]
async fn a_failed_operation_is_recorded_as_error_with_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    let err = log
        .record(attempt("/b"), || async {
            Err::<Applied<()>, _>(AppError::Conflict(
                "znode /b changed since it was read".into(),
            ))
        })
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)));
    let r = &log.list(10, None, None).await.unwrap()[0];
    assert_eq!(r.outcome, Outcome::Error);
    assert_eq!(
        r.error.as_deref(),
        Some("conflict: znode /b changed since it was read")
    );
    assert_eq!(r.after, None);
}

#[tokio::test]
async fn denials_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    let e = log
        .deny(attempt("/zookeeper/quota"), "/zookeeper is read-only")
        .await;
    assert_eq!(e, AppError::Denied("/zookeeper is read-only".into()));
    let r = &log.list(10, None, None).await.unwrap()[0];
    assert_eq!(r.outcome, Outcome::Denied);
    assert_eq!(r.error.as_deref(), Some("/zookeeper is read-only"));
}

#[tokio::test]
async fn if_the_attempt_cannot_be_written_nothing_runs() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    log.pool().close().await;
    let ran = Arc::new(AtomicBool::new(false));
    let r2 = ran.clone();
    let err = log
        .record(attempt("/c"), || async move {
            r2.store(true, Ordering::SeqCst);
            Ok(Applied {
                value: (),
                after: None,
            })
        })
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Audit(_)), "{err:?}");
    assert!(
        !ran.load(Ordering::SeqCst),
        "the operation ran although its attempt was not recorded"
    );
}

fn write_config(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let cfg = dir.path().join("zkmq.toml");
    std::fs::write(
        &cfg,
        format!(
            "[server]\ndatabase = \"{}\"\n",
            dir.path().join("audit.db").display()
        ),
    )
    .unwrap();
    cfg
}

fn verify(cfg: &std::path::Path) -> (i32, String) {
    common::run_zkmq(&["audit", "verify", "--config", cfg.to_str().unwrap()])
}

#[tokio::test]
async fn audit_verify_reports_the_first_altered_record() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    for t in ["/x1", "/x2", "/x3"] {
        log.record(attempt(t), || async {
            Ok(Applied {
                value: (),
                after: Some("v".into()),
            })
        })
        .await
        .unwrap();
    }
    let cfg = write_config(&dir);
    let (code, out) = verify(&cfg);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact: 6 rows"), "{out}");

    // Someone edits the database directly: the before value of the second change.
    sqlx::query("UPDATE audit_log SET before_value = 'forged' WHERE seq = 3")
        .execute(log.pool())
        .await
        .unwrap();
    let (code, out) = verify(&cfg);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("BROKEN at row 3"), "{out}");
    assert!(out.contains("altered"), "{out}");
}

#[tokio::test]
async fn audit_verify_reports_a_deleted_record() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    for t in ["/y1", "/y2"] {
        log.record(attempt(t), || async {
            Ok(Applied {
                value: (),
                after: None,
            })
        })
        .await
        .unwrap();
    }
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(log.pool())
        .await
        .unwrap();
    let (code, out) = verify(&write_config(&dir));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("BROKEN at row 3"), "{out}");
}

#[tokio::test]
async fn the_database_is_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    let mode: (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(log.pool())
        .await
        .unwrap();
    assert_eq!(mode.0, "wal");
}

/// Ten recorded changes (twenty rows).
async fn ten_changes(log: &AuditLog) {
    for i in 0..10 {
        log.record(attempt(&format!("/k{i}")), || async {
            Ok(Applied {
                value: (),
                after: Some("v".into()),
            })
        })
        .await
        .unwrap();
    }
}

/// What someone who can write the database (but has no key) can do: alter
/// a row, then recompute every hash of the chain with plain SHA-256.
async fn forge_and_rehash(log: &AuditLog) {
    use app::audit::logic::GENESIS_HASH;
    use app::audit::ssr::{CHAIN_COLUMNS, chain_row_of};
    use sha2::Digest;
    sqlx::query("UPDATE audit_log SET target = '/forged' WHERE seq = 5")
        .execute(log.pool())
        .await
        .unwrap();
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CHAIN_COLUMNS} FROM audit_log ORDER BY seq"
    )))
    .fetch_all(log.pool())
    .await
    .unwrap();
    let mut prev = GENESIS_HASH.to_string();
    for r in rows {
        let (mut row, _) = chain_row_of(&r);
        row.prev_hash = prev.clone();
        let hash = hex::encode(sha2::Sha256::digest(row.canonical()));
        sqlx::query("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?")
            .bind(&prev)
            .bind(&hash)
            .bind(row.seq)
            .execute(log.pool())
            .await
            .unwrap();
        prev = hash;
    }
}

#[tokio::test]
async fn a_rehashed_chain_is_found_without_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    ten_changes(&log).await;
    assert_eq!(log.verify().await.unwrap().first_broken, None);
    forge_and_rehash(&log).await;
    let b = log.verify().await.unwrap().first_broken.expect("found");
    // The first keyed row no longer carries the key's mark.
    assert_eq!(b.seq, 1, "{b:?}");
    assert!(b.reason.contains("without the chain's key"), "{b:?}");
    // Moving the start of the keyed chain past the end (to pass every row
    // off as written before the key) is found too.
    sqlx::query("UPDATE audit_meta SET value = '999' WHERE name = 'keyed_from'")
        .execute(log.pool())
        .await
        .unwrap();
    drop(log);
    let log = open(&dir).await;
    let b = log.verify().await.unwrap().first_broken.expect("found");
    assert!(b.reason.contains("start of the keyed chain"), "{b:?}");
}

#[tokio::test]
async fn a_cut_tail_is_found_by_the_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    ten_changes(&log).await;
    sqlx::query("DELETE FROM audit_log WHERE seq > 16")
        .execute(log.pool())
        .await
        .unwrap();
    let b = log.verify().await.unwrap().first_broken.expect("found");
    assert_eq!(b.seq, 17, "{b:?}");
    assert!(b.reason.contains("newest 4 rows were cut"), "{b:?}");
    // `zkmq audit verify` says the same.
    let (code, out) = verify(&write_config(&dir));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("BROKEN at row 17") && out.contains("cut"),
        "{out}"
    );
}

#[tokio::test]
async fn the_database_key_and_anchor_are_private_and_the_key_must_match() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    ten_changes(&log).await;
    // While open, so the WAL file is there too.
    for f in [
        "audit.db",
        "audit.db.key",
        "audit.db.anchor",
        "audit.db-wal",
    ] {
        let mode = std::fs::metadata(dir.path().join(f))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{f}: {mode:o}");
    }
    log.pool().close().await;
    drop(log);
    // Another key is refused at open, naming the key.
    std::fs::write(dir.path().join("audit.db.key"), "ab".repeat(32)).unwrap();
    let e = AuditLog::open(&dir.path().join("audit.db"))
        .await
        .err()
        .unwrap();
    assert!(
        e.contains("not the key this audit log was written with"),
        "{e}"
    );
    // So is a missing key for a keyed chain.
    std::fs::remove_file(dir.path().join("audit.db.key")).unwrap();
    let e = AuditLog::open(&dir.path().join("audit.db"))
        .await
        .err()
        .unwrap();
    assert!(e.contains("restore it or set ZKMQ_AUDIT_KEY"), "{e}");
}

#[tokio::test]
async fn a_change_cut_off_mid_way_is_marked_interrupted_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    // The attempt is recorded, then the change never finishes (the console dies).
    let stuck = log.record(attempt("/stuck"), || async {
        std::future::pending::<Result<Applied<()>, AppError>>().await
    });
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(300), stuck)
            .await
            .is_err()
    );
    assert_eq!(
        log.list(1, None, None).await.unwrap()[0].outcome,
        Outcome::Pending
    );
    drop(log);
    let log = open(&dir).await;
    assert_eq!(log.mark_interrupted().await.unwrap(), vec![1]);
    let r = &log.list(1, None, None).await.unwrap()[0];
    assert_eq!(r.outcome, Outcome::Interrupted);
    assert!(
        r.error
            .as_deref()
            .unwrap()
            .contains("stopped before this change finished")
    );
    assert!(log.mark_interrupted().await.unwrap().is_empty());
    let report = log.verify().await.unwrap();
    assert_eq!((report.rows_checked, report.first_broken), (2, None));
}
