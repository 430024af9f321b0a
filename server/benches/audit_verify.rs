//! `zkmq audit verify` on a long chain (`scripts/bench audit`; figures in
//! docs/PERFORMANCE.md, issue 16).
//!
//! Seeds a chain of `ZKMQ_BENCH_AUDIT_ROWS` (1,000,000) rows keyed like the
//! console keys it (HMAC-SHA256, key from `ZKMQ_AUDIT_KEY`) in a few large
//! transactions, with its anchor, then runs the release `zkmq audit verify`
//! on it: wall time, rows per second and the process's peak memory, which
//! must not grow with the chain (the walk streams). Beside it, the floor:
//! `sqlite3` reading the same rows (every column) without checking anything.

mod common;

use app::audit::logic::{ChainRow, GENESIS_HASH, anchor_line};
use common::{median, root};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::process::Command;
use std::time::Instant;

const KEY_HEX: &str = "7a6b6d71206175646974206b657920666f722062656e63686d61726b7320303030";

fn key() -> Vec<u8> {
    hex::decode(KEY_HEX).unwrap()
}

fn row(seq: i64, prev: String) -> ChainRow {
    let attempt = seq % 2 == 1;
    ChainRow {
        seq,
        record_id: if attempt { seq } else { seq - 1 },
        phase: if attempt { "attempt" } else { "outcome" }.into(),
        ts: "2026-12-04T02:00:00.000000Z".into(),
        actor: "admin".into(),
        actor_via: Some("password".into()),
        client_addr: Some("127.0.0.1".into()),
        backend: "zookeeper".into(),
        cluster: "local".into(),
        action: "set_znode_data".into(),
        target: format!("/bench/node-{}", seq / 2),
        params: r#"{"version":3,"encoding":"text"}"#.into(),
        before_value: attempt.then(|| "x".repeat(100)),
        after_value: (!attempt).then(|| "y".repeat(100)),
        outcome: (!attempt).then(|| "ok".to_string()),
        error: None,
        prev_hash: prev,
    }
}

/// Runs `cmd` to its end; its wall time and peak resident memory (VmHWM,
/// read until it exits).
fn run_measured(cmd: &mut Command) -> (std::process::Output, f64, u64) {
    let t = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let hwm = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let h2 = std::sync::Arc::clone(&hwm);
    let watcher = std::thread::spawn(move || {
        while let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            if let Some(kib) = s
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
            {
                h2.fetch_max(kib, std::sync::atomic::Ordering::Relaxed);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    });
    let out = child.wait_with_output().expect("wait");
    let secs = t.elapsed().as_secs_f64();
    let _ = watcher.join();
    (out, secs, hwm.load(std::sync::atomic::Ordering::Relaxed))
}

/// Appends rows `from..=to` to the chain whose last hash is `prev`, in
/// transactions of 50,000, and rewrites the anchor to the new end.
async fn seed(
    pool: &sqlx::SqlitePool,
    anchor: &std::path::Path,
    from: i64,
    to: i64,
    prev: &mut String,
) {
    let key = key();
    let mut seq = from;
    while seq <= to {
        let mut tx = pool.begin().await.unwrap();
        let end = (seq + 50_000).min(to + 1);
        for s in seq..end {
            let r = row(s, prev.clone());
            let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
            m.update(&r.canonical());
            let hash = hex::encode(m.finalize().into_bytes());
            sqlx::query(
                "INSERT INTO audit_log (seq, record_id, phase, ts, actor, client_addr, backend, cluster, action, target, \
                 params, before_value, after_value, outcome, error, prev_hash, hash, actor_via) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(r.seq).bind(r.record_id).bind(&r.phase).bind(&r.ts).bind(&r.actor).bind(&r.client_addr)
            .bind(&r.backend).bind(&r.cluster).bind(&r.action).bind(&r.target).bind(&r.params)
            .bind(&r.before_value).bind(&r.after_value).bind(&r.outcome).bind(&r.error).bind(&r.prev_hash)
            .bind(&hash).bind(&r.actor_via)
            .execute(&mut *tx)
            .await
            .unwrap();
            *prev = hash;
        }
        tx.commit().await.unwrap();
        seq = end;
    }
    std::fs::write(anchor, anchor_line(to, prev)).unwrap();
}

/// `runs` alternating rounds of the floor and `zkmq audit verify` on the chain of `rows` rows.
fn measure(db: &std::path::Path, config: &std::path::Path, rows: i64, runs: usize) {
    let bin = std::env::var("ZKMQ_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| root().join("target/release/zkmq"));
    let (mut verify_s, mut raw_s, mut rates) = (Vec::new(), Vec::new(), Vec::new());
    let mut peak = 0;
    for _ in 0..runs {
        // Alternating: the floor (every column read, nothing checked), then zkmq.
        let (out, secs, _) = run_measured(Command::new("sqlite3").arg(db).arg(
            "SELECT count(*), sum(length(ts) + length(actor) + length(target) + length(params) \
             + coalesce(length(before_value), 0) + coalesce(length(after_value), 0) \
             + length(prev_hash) + length(hash)) FROM audit_log",
        ));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        raw_s.push(secs);
        let (out, secs, hwm) = run_measured(
            Command::new(&bin)
                .args(["audit", "verify", "--config"])
                .arg(config),
        );
        verify_s.push(secs);
        peak = peak.max(hwm);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success() && text.contains(&format!("intact: {rows} rows")),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rate: f64 = text
            .rsplit('(')
            .next()
            .and_then(|r| r.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0.0);
        rates.push(rate);
    }
    let (v, r) = (median(verify_s), median(raw_s));
    println!(
        "BENCH audit verify rows={rows} median_s={v:.2} rows_per_s={:.0} (its own count {:.0}) \
         peak_rss_mib={:.1} | sqlite3 reading every row median_s={r:.2} | ratio={:.2}",
        rows as f64 / v,
        median(rates),
        peak as f64 / 1024.0,
        v / r
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let rows: i64 = std::env::var("ZKMQ_BENCH_AUDIT_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    // SAFETY of set_var: single-threaded here, before anything reads the environment.
    unsafe { std::env::set_var("ZKMQ_AUDIT_KEY", KEY_HEX) };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    let anchor = dir.path().join("audit.db.anchor");
    let config = dir.path().join("zkmq.toml");
    std::fs::write(
        &config,
        format!("[server]\ndatabase = \"{}\"\n", db.display()),
    )
    .unwrap();
    // The console creates the schema and records that the chain is keyed from row 1.
    let log = app::audit::ssr::AuditLog::open(&db).await.unwrap();
    let pool = log.pool().clone();
    let mut prev = GENESIS_HASH.to_string();
    // A tenth first, then the whole chain: memory must not follow the length.
    let mut done = 0;
    for size in [rows / 10, rows] {
        let t = Instant::now();
        seed(&pool, &anchor, done + 1, size, &mut prev).await;
        done = size;
        println!(
            "BENCH audit seeded rows={size} seconds={:.1} db_mib={:.0}",
            t.elapsed().as_secs_f64(),
            std::fs::metadata(&db).unwrap().len() as f64 / 1_048_576.0
        );
        measure(&db, &config, size, runs);
    }
    pool.close().await;
}
