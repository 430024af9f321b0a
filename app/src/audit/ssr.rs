//! The audit store (server only): SQLite through sqlx, WAL mode.
//!
//! [`AuditLog::record`] is the one path every mutation takes: it commits the
//! attempt (with the before value) first, runs the operation only if that
//! succeeded, then appends the outcome (with the after value or the error).
//!
//! The chain is keyed: each row's hash is an HMAC-SHA256 with a key kept
//! outside the database (`ZKMQ_AUDIT_KEY`, else `<database>.key`, created
//! 0600 on first start), so whoever can write the database cannot re-hash
//! rows they altered. After each row commits, its seq and hash are appended
//! to `<database>.anchor` (and the head is on `/metrics`), so a cut tail is
//! found too. Rows written before the chain was keyed keep their plain
//! SHA-256; the first keyed row links to them.

use super::logic::{ChainCheck, ChainRow, GENESIS_HASH, anchor_line, check_anchor, last_anchor};
use super::model::{AuditRecord, BrokenLink, Outcome, VerifyReport};
use crate::auth::model::Scope;
use crate::error::{AppError, Backend};
use crate::runtime::{Actor, RequestContext, now_rfc3339};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::future::Future;
use std::path::{Path, PathBuf};
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
    /// Serialises appends: each row needs the previous row's hash. Holds the
    /// anchor file, appended under the same lock.
    append: Arc<Mutex<std::fs::File>>,
    key: Arc<ChainKey>,
    anchor_path: PathBuf,
    /// The newest row's seq and hash (for `/metrics`).
    head: Arc<std::sync::Mutex<(i64, String)>>,
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn hmac_hex(key: &[u8], b: &[u8]) -> String {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(b);
    hex::encode(m.finalize().into_bytes())
}

/// The chain's key, and the first row it applies to (earlier rows were
/// written before the chain was keyed).
struct ChainKey {
    key: Vec<u8>,
    keyed_from: i64,
    /// The stored `keyed_from` does not carry the key's mark: someone moved
    /// the start of the keyed chain (to pass re-hashed rows off as old ones).
    forged_start: bool,
}

impl ChainKey {
    fn hash(&self, seq: i64, bytes: &[u8]) -> String {
        if seq < self.keyed_from {
            sha256_hex(bytes)
        } else {
            hmac_hex(&self.key, bytes)
        }
    }

    fn start_mark(key: &[u8], keyed_from: i64) -> String {
        hmac_hex(
            key,
            format!("zkmq audit keyed from {keyed_from}").as_bytes(),
        )
    }
}

/// `<database><suffix>`, e.g. `zkmq.db.key`.
fn beside(db: &Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_os_string();
    p.push(suffix);
    PathBuf::from(p)
}

/// Creates `path` readable and writable by its owner only (or opens it for
/// appending when it exists).
fn private_file(path: &Path, append: bool) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.create(true);
    if append {
        o.append(true);
    } else {
        o.write(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// The chain's key: `ZKMQ_AUDIT_KEY` (hex), else the key file beside the
/// database; a new random key in a new 0600 file when neither exists and
/// `may_create` (a chain that is already keyed needs its own key back).
fn load_key(db: &Path, may_create: bool) -> Result<Vec<u8>, String> {
    let from_hex = |text: &str, whence: &str| {
        let k = hex::decode(text.trim())
            .map_err(|_| format!("{whence} is not a hex key (64 hex digits)"))?;
        if k.len() < 32 {
            return Err(format!(
                "{whence} holds {} bytes; the audit key needs at least 32 (64 hex digits)",
                k.len()
            ));
        }
        Ok(k)
    };
    if let Ok(text) = std::env::var("ZKMQ_AUDIT_KEY") {
        return from_hex(&text, "ZKMQ_AUDIT_KEY");
    }
    let path = beside(db, ".key");
    match std::fs::read_to_string(&path) {
        Ok(text) => from_hex(&text, &path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && may_create => {
            use rand_core::RngCore;
            let mut key = vec![0u8; 32];
            rand_core::OsRng.fill_bytes(&mut key);
            let mut f = private_file(&path, false)
                .map_err(|e| format!("cannot create the audit key file {}: {e}", path.display()))?;
            std::io::Write::write_all(&mut f, format!("{}\n", hex::encode(&key)).as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(|e| format!("cannot write the audit key file {}: {e}", path.display()))?;
            tracing::info!(key_file = %path.display(), "created the audit chain's key");
            Ok(key)
        }
        Err(e) => Err(format!(
            "cannot read the audit key file {} ({e}): the chain was keyed with it; restore it or set ZKMQ_AUDIT_KEY",
            path.display()
        )),
    }
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
        if !path.exists() {
            // SQLite creates its files with the process umask (often 0644);
            // an empty file it is given is a new database, and its WAL and
            // shared-memory files take this file's mode.
            private_file(path, false)
                .map_err(|e| format!("cannot create audit database {}: {e}", path.display()))?;
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
        let key = Self::chain_key(&pool, path).await?;
        let anchor_path = beside(path, ".anchor");
        let anchor = private_file(&anchor_path, true).map_err(|e| {
            format!(
                "cannot open the audit anchor file {}: {e}",
                anchor_path.display()
            )
        })?;
        let head = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&pool)
            .await
            .map_err(|e| e.to_string())?
            .map_or((0, GENESIS_HASH.to_string()), |r| (r.get(0), r.get(1)));
        Ok(AuditLog {
            pool,
            append: Arc::new(Mutex::new(anchor)),
            key: Arc::new(key),
            anchor_path,
            head: Arc::new(std::sync::Mutex::new(head)),
        })
    }

    /// The key, checked against the mark it left in the database, and the
    /// row the keyed chain starts at (recorded on the first keyed start).
    async fn chain_key(pool: &SqlitePool, db: &Path) -> Result<ChainKey, String> {
        let meta = |name: &'static str| async move {
            sqlx::query_scalar::<_, String>("SELECT value FROM audit_meta WHERE name = ?")
                .bind(name)
                .fetch_optional(pool)
                .await
                .map_err(|e| e.to_string())
        };
        let check = meta("key_check").await?;
        let key = load_key(db, check.is_none())?;
        let mark = hmac_hex(&key, b"zkmq audit key check");
        match check {
            Some(c) if c != mark => {
                return Err(format!(
                    "the audit key (ZKMQ_AUDIT_KEY or {}) is not the key this audit log was written with",
                    beside(db, ".key").display()
                ));
            }
            Some(_) => {}
            None => {
                let next: i64 =
                    sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log")
                        .fetch_one(pool)
                        .await
                        .map_err(|e| e.to_string())?;
                let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
                for (name, value) in [
                    ("key_check", mark),
                    ("keyed_from", next.to_string()),
                    ("keyed_from_mark", ChainKey::start_mark(&key, next)),
                ] {
                    sqlx::query("INSERT INTO audit_meta (name, value) VALUES (?, ?)")
                        .bind(name)
                        .bind(value)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| e.to_string())?;
                }
                tx.commit().await.map_err(|e| e.to_string())?;
            }
        }
        let keyed_from: i64 = meta("keyed_from")
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let forged_start = meta("keyed_from_mark").await?.as_deref()
            != Some(ChainKey::start_mark(&key, keyed_from).as_str());
        Ok(ChainKey {
            key,
            keyed_from,
            forged_start,
        })
    }

    /// Gives every attempt without an outcome (the console was killed or
    /// lost power mid-change) the outcome "interrupted", so no record stays
    /// pending forever. Called once at start-up, before anything else is
    /// recorded; returns the records marked.
    pub async fn mark_interrupted(&self) -> Result<Vec<i64>, AppError> {
        let rows = sqlx::query(
            "SELECT a.seq, a.actor, a.actor_via, a.client_addr, a.backend, a.cluster, a.action, a.target \
             FROM audit_log a LEFT JOIN audit_log o ON o.record_id = a.seq AND o.phase = 'outcome' \
             WHERE a.phase = 'attempt' AND o.seq IS NULL ORDER BY a.seq",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let mut marked = Vec::new();
        for r in rows {
            let backend: String = r.get(4);
            let attempt = Attempt {
                actor: Actor {
                    name: r.get(1),
                    via: r.get(2),
                    client_addr: r.get(3),
                },
                backend: Backend::from_slug(&backend),
                cluster: r.get(5),
                action: r.get(6),
                target: r.get(7),
                params: serde_json::Value::Null,
                before: None,
            };
            let id: i64 = r.get(0);
            self.append_outcome(
                id,
                &attempt,
                Outcome::Interrupted,
                None,
                Some(format!(
                    "the console stopped before this change finished (found at start-up, {}); \
                     read the target to see what it holds now",
                    now_rfc3339()
                )),
            )
            .await?;
            marked.push(id);
        }
        Ok(marked)
    }

    /// The newest row's seq and hash: what the anchor file and `/metrics` show.
    pub fn head(&self) -> (i64, String) {
        self.head.lock().map(|h| h.clone()).unwrap_or_default()
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
        let mut anchor = self.append.lock().await;
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
        let hash = self.key.hash(seq, &row.canonical());
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
        // After the commit: an anchor never names a row the database lacks.
        // A crash before this line leaves the database one row ahead, which
        // verify accepts; a lost write here is logged, never a failed change.
        if let Err(e) = std::io::Write::write_all(&mut *anchor, anchor_line(seq, &hash).as_bytes())
        {
            tracing::error!(anchor = %self.anchor_path.display(), error = %e, "could not append to the audit anchor file");
        }
        if let Ok(mut h) = self.head.lock() {
            *h = (seq, hash);
        }
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

    /// Walks the whole chain in order, streaming (memory stays flat however
    /// long it is), then compares its end with the anchor file; reports the
    /// first broken link and how fast it went.
    pub async fn verify(&self) -> Result<VerifyReport, AppError> {
        use futures::TryStreamExt;
        let started = std::time::Instant::now();
        let anchor = self.read_anchor()?;
        let mut check = ChainCheck::default();
        let mut at_anchor: Option<String> = None;
        let mut broken = None;
        if self.key.forged_start {
            broken = Some((
                self.key.keyed_from,
                "the start of the keyed chain recorded in audit_meta was changed: rows may have been \
                 re-hashed and passed off as written before the chain was keyed"
                    .to_string(),
            ));
        }
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CHAIN_COLUMNS} FROM audit_log ORDER BY seq"
        )))
        .fetch(&self.pool);
        while broken.is_none() {
            let Some(r) = rows.try_next().await.map_err(db_err)? else {
                break;
            };
            let (row, stored) = chain_row_of(&r);
            let actual = self.key.hash(row.seq, &row.canonical());
            if let Err(b) = check.next(&row, &stored, &actual) {
                broken = Some(b);
                break;
            }
            if anchor.as_ref().is_some_and(|(s, _)| *s == row.seq) {
                at_anchor = Some(stored);
            }
        }
        drop(rows);
        if broken.is_none() {
            broken = check_anchor(check.last.as_ref(), anchor.as_ref(), at_anchor.as_deref());
        }
        if broken.is_none()
            && anchor.is_none()
            && check
                .last
                .as_ref()
                .is_some_and(|(s, _)| *s >= self.key.keyed_from)
        {
            broken = Some((
                check.last.as_ref().map_or(0, |(s, _)| *s),
                format!(
                    "the anchor file {} is missing or empty, yet the chain has keyed rows: \
                     whether the newest rows are all there cannot be proven",
                    self.anchor_path.display()
                ),
            ));
        }
        let elapsed = started.elapsed().as_secs_f64();
        Ok(VerifyReport {
            rows_checked: check.rows,
            first_broken: broken.map(|(seq, reason)| BrokenLink { seq, reason }),
            rows_per_second: (elapsed > 0.0).then(|| (check.rows as f64 / elapsed).round() as u64),
        })
    }

    /// The anchor file's last line (only its tail is read).
    fn read_anchor(&self) -> Result<Option<(i64, String)>, AppError> {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = match std::fs::File::open(&self.anchor_path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(AppError::Audit(format!(
                    "cannot read {}: {e}",
                    self.anchor_path.display()
                )));
            }
        };
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        let mut tail = String::new();
        f.seek(SeekFrom::Start(len.saturating_sub(512)))
            .and_then(|_| f.read_to_string(&mut tail))
            .map_err(|e| {
                AppError::Audit(format!("cannot read {}: {e}", self.anchor_path.display()))
            })?;
        Ok(last_anchor(&tail))
    }
}

/// The stored columns of a chain row, in the order [`chain_row_of`] reads them.
pub const CHAIN_COLUMNS: &str = "seq, record_id, phase, ts, actor, client_addr, backend, cluster, action, \
     target, params, before_value, after_value, outcome, error, prev_hash, hash, actor_via";

/// A chain row and its stored hash from a `SELECT {CHAIN_COLUMNS}` row.
pub fn chain_row_of(r: &sqlx::sqlite::SqliteRow) -> (ChainRow, String) {
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
        r.get(16),
    )
}
