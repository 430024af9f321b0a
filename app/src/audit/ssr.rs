//! The audit store (server only): SQLite through sqlx, WAL mode.
//!
//! [`AuditLog::record`] is the one path every mutation takes: it commits the
//! attempt (with the before value) first, runs the operation only if that
//! succeeded, then appends the outcome (with the after value or the error).

use super::logic::{ChainRow, GENESIS_HASH, verify_chain};
use super::model::{AuditRecord, BrokenLink, Outcome, VerifyReport};
use crate::auth::model::Scope;
use crate::error::{AppError, Backend};
use crate::runtime::{Actor, RequestContext, now_rfc3339};
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::future::Future;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use tokio::sync::Mutex;

/// What is about to be changed, by whom, and its value before.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub actor: Actor,
    /// The backend changed, or `None` for the console's own objects (users,
    /// roles, tokens, sessions), stored as "console".
    pub backend: Option<Backend>,
    pub cluster: String,
    /// verb_noun, e.g. "create_znode".
    pub action: String,
    /// The object: a znode path, topic, queue …
    pub target: String,
    pub params: serde_json::Value,
    pub before: Option<String>,
}

impl Attempt {
    /// An attempt by the caller of `ctx`.
    pub fn new(
        ctx: &RequestContext,
        backend: Backend,
        cluster: &str,
        action: &str,
        target: &str,
        params: serde_json::Value,
        before: Option<String>,
    ) -> Attempt {
        Attempt {
            actor: ctx.actor.clone(),
            backend: Some(backend),
            cluster: cluster.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            params,
            before,
        }
    }
}

/// The audit log bound to one request's caller: the handle every audited
/// path takes, so a change cannot be recorded without saying who made it.
/// It dereferences to the log (`record`, `deny`).
#[derive(Clone)]
pub struct Recorder {
    log: AuditLog,
    ctx: RequestContext,
}

impl Recorder {
    pub fn new(log: AuditLog, ctx: RequestContext) -> Self {
        Recorder { log, ctx }
    }

    /// An attempt by this recorder's caller.
    pub fn attempt(
        &self,
        backend: Backend,
        cluster: &str,
        action: &str,
        target: &str,
        params: serde_json::Value,
        before: Option<String>,
    ) -> Attempt {
        Attempt::new(&self.ctx, backend, cluster, action, target, params, before)
    }

    /// An attempt on the console's own objects (users, roles, sessions).
    pub fn console_attempt(
        &self,
        action: &str,
        target: &str,
        params: serde_json::Value,
    ) -> Attempt {
        Attempt::console(&self.ctx, action, target, params)
    }

    pub fn context(&self) -> &RequestContext {
        &self.ctx
    }
}

impl Attempt {
    /// An attempt on the console's own objects by the caller of `ctx`.
    pub fn console(
        ctx: &RequestContext,
        action: &str,
        target: &str,
        params: serde_json::Value,
    ) -> Attempt {
        Attempt {
            actor: ctx.actor.clone(),
            backend: None,
            cluster: String::new(),
            action: action.to_string(),
            target: target.to_string(),
            params,
            before: None,
        }
    }
}

/// The `backend` column of console rows.
pub const CONSOLE_SCOPE: &str = "console";

impl std::ops::Deref for Recorder {
    type Target = AuditLog;
    fn deref(&self) -> &AuditLog {
        &self.log
    }
}

/// What an operation returns to the audit path: its result and the value after.
pub struct Applied<T> {
    pub value: T,
    pub after: Option<String>,
}

#[derive(Clone)]
pub struct AuditLog {
    pool: SqlitePool,
    /// Serialises appends: each row needs the previous row's hash.
    append: Arc<Mutex<()>>,
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// The fields both rows of a record share; the caller adds its phase's own.
fn chain_row(a: &Attempt, seq: i64, record_id: i64, phase: &str, prev_hash: String) -> ChainRow {
    ChainRow {
        seq,
        record_id,
        phase: phase.into(),
        ts: now_rfc3339(),
        actor: a.actor.name.clone(),
        actor_via: a.actor.via.clone(),
        client_addr: a.actor.client_addr.clone(),
        backend: a.backend.map_or(CONSOLE_SCOPE, Backend::slug).into(),
        cluster: a.cluster.clone(),
        action: a.action.clone(),
        target: a.target.clone(),
        params: "{}".into(),
        before_value: None,
        after_value: None,
        outcome: None,
        error: None,
        prev_hash,
    }
}

fn db_err(e: impl std::fmt::Display) -> AppError {
    AppError::Audit(e.to_string())
}

impl AuditLog {
    /// Opens (creating if missing) the database at `path` in WAL mode and applies migrations.
    pub async fn open(path: &Path) -> Result<Self, String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .map_err(|e| e.to_string())?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: an acknowledged attempt survives a power cut, which is the point of writing it first.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await
            .map_err(|e| format!("cannot open audit database {}: {e}", path.display()))?;
        sqlx::migrate!("../migrations")
            .run(&pool)
            .await
            .map_err(|e| format!("cannot migrate audit database {}: {e}", path.display()))?;
        Ok(AuditLog {
            pool,
            append: Arc::new(Mutex::new(())),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Runs `op` through the audit path. If the attempt cannot be recorded,
    /// `op` does not run. The outcome is appended whatever `op` returns.
    pub async fn record<T, F, Fut>(&self, attempt: Attempt, op: F) -> Result<T, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Applied<T>, AppError>>,
    {
        let record_id = self.append_attempt(&attempt).await?;
        let result = op().await;
        let (outcome, after, error) = match &result {
            Ok(a) => (Outcome::Ok, a.after.clone(), None),
            Err(AppError::Denied(why)) => (Outcome::Denied, None, Some(why.clone())),
            Err(e) => (Outcome::Error, None, Some(e.to_string())),
        };
        if let Err(e) = self
            .append_outcome(record_id, &attempt, outcome, after, error)
            .await
        {
            // The change itself happened (or failed) already; reporting a failure
            // now would invite a retry. The attempt row stays, marked pending.
            tracing::error!(audit.record = record_id, error = %e, "could not append audit outcome");
        }
        result.map(|a| a.value)
    }

    /// Records a refusal that happened before any operation ran.
    pub async fn deny(&self, attempt: Attempt, reason: &str) -> AppError {
        match self.append_attempt(&attempt).await {
            Ok(id) => {
                if let Err(e) = self
                    .append_outcome(
                        id,
                        &attempt,
                        Outcome::Denied,
                        None,
                        Some(reason.to_string()),
                    )
                    .await
                {
                    tracing::error!(audit.record = id, error = %e, "could not append audit denial");
                }
                AppError::Denied(reason.to_string())
            }
            Err(e) => e,
        }
    }

    async fn append_attempt(&self, a: &Attempt) -> Result<i64, AppError> {
        self.append(|seq, prev_hash| ChainRow {
            params: a.params.to_string(),
            before_value: a.before.clone(),
            ..chain_row(a, seq, seq, "attempt", prev_hash)
        })
        .await
    }

    async fn append_outcome(
        &self,
        record_id: i64,
        a: &Attempt,
        outcome: Outcome,
        after: Option<String>,
        error: Option<String>,
    ) -> Result<i64, AppError> {
        self.append(|seq, prev_hash| ChainRow {
            after_value: after,
            outcome: Some(outcome.as_str().into()),
            error,
            ..chain_row(a, seq, record_id, "outcome", prev_hash)
        })
        .await
    }

    /// Appends one row in its own committed transaction; returns its seq.
    async fn append(&self, build: impl FnOnce(i64, String) -> ChainRow) -> Result<i64, AppError> {
        let _guard = self.append.lock().await;
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        let (seq, prev_hash) = match last {
            Some(r) => (r.get::<i64, _>(0) + 1, r.get::<String, _>(1)),
            None => (1, GENESIS_HASH.to_string()),
        };
        let row = build(seq, prev_hash);
        let hash = sha256_hex(&row.canonical());
        sqlx::query(
            "INSERT INTO audit_log (seq, record_id, phase, ts, actor, client_addr, backend, cluster, action, target, \
             params, before_value, after_value, outcome, error, prev_hash, hash, actor_via) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(row.seq)
        .bind(row.record_id)
        .bind(&row.phase)
        .bind(&row.ts)
        .bind(&row.actor)
        .bind(&row.client_addr)
        .bind(&row.backend)
        .bind(&row.cluster)
        .bind(&row.action)
        .bind(&row.target)
        .bind(&row.params)
        .bind(&row.before_value)
        .bind(&row.after_value)
        .bind(&row.outcome)
        .bind(&row.error)
        .bind(&row.prev_hash)
        .bind(&hash)
        .bind(&row.actor_via)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(seq)
    }

    /// The newest records first, attempts joined with their outcomes.
    /// `scopes`: only the rows of clusters these cover (never the console's
    /// own rows); `None`: every row.
    pub async fn list(
        &self,
        limit: i64,
        before_id: Option<i64>,
        scopes: Option<&[Scope]>,
    ) -> Result<Vec<AuditRecord>, AppError> {
        // A scope is `backend/cluster-glob`; SQLite's GLOB has wildmatch's
        // `*` and `?`, and `[`, which is escaped (cluster names are literal).
        let covered = scopes.map(|scopes| {
            let terms: Vec<&str> = scopes
                .iter()
                .map(|s| match s.backend {
                    Some(_) => "(a.backend = ? AND a.cluster GLOB ?)",
                    None => "(a.backend != 'console' AND a.cluster GLOB ?)",
                })
                .collect();
            if terms.is_empty() {
                // No scope covers anything: an empty `()` would be a syntax error.
                return " AND 0".to_string();
            }
            format!(" AND ({})", terms.join(" OR "))
        });
        let sql = format!(
            "SELECT a.seq, a.ts, o.ts, a.actor, a.client_addr, a.backend, a.cluster, a.action, a.target, a.params, \
                    a.before_value, o.after_value, o.outcome, o.error, a.actor_via \
             FROM audit_log a LEFT JOIN audit_log o ON o.record_id = a.seq AND o.phase = 'outcome' \
             WHERE a.phase = 'attempt' AND (? IS NULL OR a.seq < ?){} \
             ORDER BY a.seq DESC LIMIT ?",
            covered.as_deref().unwrap_or("")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(before_id)
            .bind(before_id);
        for s in scopes.unwrap_or_default() {
            if let Some(b) = s.backend {
                query = query.bind(b.slug());
            }
            query = query.bind(s.clusters.replace('[', "[[]"));
        }
        let rows = query
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|r| AuditRecord {
                id: r.get(0),
                time: r.get(1),
                completed_at: r.get(2),
                actor: r.get(3),
                actor_via: r.get(14),
                client_addr: r.get(4),
                backend: r.get(5),
                cluster: r.get(6),
                action: r.get(7),
                target: r.get(8),
                params: r.get(9),
                before: r.get(10),
                after: r.get(11),
                outcome: r
                    .get::<Option<String>, _>(12)
                    .as_deref()
                    .and_then(Outcome::parse)
                    .unwrap_or(Outcome::Pending),
                error: r.get(13),
            })
            .collect())
    }

    /// Counts of records per outcome, for `/metrics`.
    pub async fn outcome_counts(&self) -> Result<Vec<(Outcome, i64)>, AppError> {
        let rows = sqlx::query(
            "SELECT COALESCE(o.outcome, 'pending'), COUNT(*) FROM audit_log a \
             LEFT JOIN audit_log o ON o.record_id = a.seq AND o.phase = 'outcome' \
             WHERE a.phase = 'attempt' GROUP BY 1",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| Outcome::parse(&r.get::<String, _>(0)).map(|o| (o, r.get(1))))
            .collect())
    }

    /// Walks the whole chain in order and reports the first broken link.
    pub async fn verify(&self) -> Result<VerifyReport, AppError> {
        let rows = sqlx::query(
            "SELECT seq, record_id, phase, ts, actor, client_addr, backend, cluster, action, target, params, \
                    before_value, after_value, outcome, error, prev_hash, hash, actor_via FROM audit_log ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let chain: Vec<(ChainRow, String)> = rows
            .into_iter()
            .map(|r| {
                (
                    ChainRow {
                        seq: r.get(0),
                        record_id: r.get(1),
                        phase: r.get(2),
                        ts: r.get(3),
                        actor: r.get(4),
                        actor_via: r.get(17),
                        client_addr: r.get(5),
                        backend: r.get(6),
                        cluster: r.get(7),
                        action: r.get(8),
                        target: r.get(9),
                        params: r.get(10),
                        before_value: r.get(11),
                        after_value: r.get(12),
                        outcome: r.get(13),
                        error: r.get(14),
                        prev_hash: r.get(15),
                    },
                    r.get::<String, _>(16),
                )
            })
            .collect();
        let (n, broken) = verify_chain(chain.iter().map(|(r, h)| (r, h.as_str())), sha256_hex);
        Ok(VerifyReport {
            rows_checked: n,
            first_broken: broken.map(|(seq, reason)| BrokenLink { seq, reason }),
        })
    }
}
