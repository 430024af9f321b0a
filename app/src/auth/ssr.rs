//! Accounts, grants, sessions and login throttling (server only), kept in
//! the audit database so several console replicas can share them.
//!
//! Passwords are argon2id hashes (the `argon2` crate, RustCrypto, with its
//! OWASP-recommended defaults). A session cookie carries 32 random bytes;
//! only their SHA-256 is stored. Every change to users and grants goes
//! through [`AuditLog::record`] with the console scope, like any other change.

use super::logic::{TOKEN_PREFIX, parse_token_days, validate_token_label};
use super::logic::{throttle_wait_s, validate_password, validate_user_name};
use super::model::{Grant, NewToken, Principal, TokenSummary, UserSummary};
use crate::audit::ssr::{Applied, Attempt, AuditLog};
use crate::error::AppError;
use crate::runtime::{RequestContext, now_rfc3339};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use sqlx::{Row, SqlitePool};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "zkmq_session";

pub use super::logic::LOGIN_FAILED;

/// Failures an address may make (many people can share one, behind NAT)
/// before its tries are slowed down like an account's.
const ADDRESS_ALLOWANCE: i64 = 17;

/// Failures older than this (15 min) no longer count.
const FAILURES_FORGOTTEN_MS: i64 = 15 * 60 * 1000;

/// How long a session lives without use, and at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub max: Duration,
    /// Mark the cookie `Secure` (zkmq is served over https).
    pub secure_cookie: bool,
}

/// The value of cookie `name` in a request's `Cookie` headers, if set.
pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(_, v)| v.to_string())
}

/// The session token in a request's `Cookie` headers, if any.
pub fn session_token(headers: &axum::http::HeaderMap) -> Option<String> {
    cookie_value(headers, SESSION_COOKIE)
}

/// How long an OpenID login may take between leaving for the provider and
/// coming back.
const OIDC_PENDING_MS: i64 = 10 * 60 * 1000;

/// An OpenID login under way (see the `oidc_pending` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLogin {
    pub verifier: String,
    pub nonce: String,
    /// Where the user goes once signed in.
    pub next: String,
}

/// A session just created: the cookie value (shown once, to the browser)
/// and who it signs in.
pub struct NewSession {
    pub token: String,
    pub principal: Principal,
}

#[derive(Clone)]
pub struct AuthStore {
    pool: SqlitePool,
    policy: SessionPolicy,
    /// Verified against when the user does not exist, so an unknown name
    /// costs as long as a wrong password.
    dummy_hash: Arc<String>,
    /// Credentials resolved in the last [`CACHE_TTL`] (hash → principal).
    resolved: Arc<Mutex<HashMap<String, (Principal, Instant)>>>,
}

/// How long a resolved session or token is reused without asking the
/// database: the authorize step is then a hash and a map lookup. Every
/// change to accounts, grants, sessions or tokens made through this store
/// clears the map at once; one made by another replica shows here within
/// this time.
const CACHE_TTL: Duration = Duration::from_secs(1);

fn db_err(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("the account store failed: {e}"))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// An argon2id PHC string for `password`.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("cannot hash the password: {e}")))
}

fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Hashing takes tens of milliseconds of CPU: off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

fn new_token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Why a presented API token does not sign anyone in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRefusal {
    Unknown,
    Revoked,
    Expired(String),
}

impl TokenRefusal {
    pub fn sentence(&self) -> String {
        match self {
            TokenRefusal::Unknown => "this API token is not valid".into(),
            TokenRefusal::Revoked => "this API token was revoked".into(),
            TokenRefusal::Expired(at) => format!("this API token expired at {at}"),
        }
    }
}

fn parse_grant_row(role: &str, scope: &str) -> Option<Grant> {
    super::logic::parse_grant(role, scope).ok()
}

/// `a` and then what `b` adds to it, each grant once.
fn union(mut a: Vec<Grant>, b: Vec<Grant>) -> Vec<Grant> {
    for g in b {
        if !a.contains(&g) {
            a.push(g);
        }
    }
    a
}

/// Grants as the `sso_grants` column keeps them: `role scope` per line.
fn grants_text(grants: &[Grant]) -> String {
    grants
        .iter()
        .map(|g| format!("{} {}", g.role.word(), g.scope))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The grants a session or token lookup reads in the same query (one
/// `role scope` per line), so the authorize step is one round trip.
fn grants_column(text: Option<String>) -> Vec<Grant> {
    text.unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter_map(|(role, scope)| parse_grant_row(role, scope))
        .collect()
}

impl AuthStore {
    pub async fn new(pool: SqlitePool, policy: SessionPolicy) -> Result<Self, AppError> {
        let dummy = blocking(|| hash_password("not a password anyone has")).await??;
        Ok(AuthStore {
            pool,
            policy,
            dummy_hash: Arc::new(dummy),
            resolved: Arc::default(),
        })
    }

    fn cached(&self, key: &str) -> Option<Principal> {
        let map = self.resolved.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|(_, at)| at.elapsed() < CACHE_TTL)
            .map(|(p, _)| p.clone())
    }

    fn remember(&self, key: String, p: &Principal) {
        let mut map = self.resolved.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, (_, at)| at.elapsed() < CACHE_TTL);
        map.insert(key, (p.clone(), Instant::now()));
    }

    /// Drops every cached credential: called by every change that could
    /// end or narrow one.
    fn forget(&self) {
        self.resolved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    pub fn policy(&self) -> SessionPolicy {
        self.policy
    }

    pub async fn user_count(&self) -> Result<i64, AppError> {
        sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await
            .map(|r| r.get(0))
            .map_err(db_err)
    }

    async fn user_id(&self, name: &str) -> Result<i64, AppError> {
        sqlx::query("SELECT id FROM users WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .map(|r| r.get(0))
            .ok_or_else(|| AppError::NotFound {
                what: format!("user \"{name}\""),
            })
    }

    async fn grants_of(&self, user_id: i64) -> Result<Vec<Grant>, AppError> {
        let rows =
            sqlx::query("SELECT role, scope FROM grants WHERE user_id = ? ORDER BY scope, role")
                .bind(user_id)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
        Ok(rows
            .iter()
            .filter_map(|r| parse_grant_row(r.get(0), r.get(1)))
            .collect())
    }

    /// Every account, with its grants (never a hash).
    pub async fn list_users(&self) -> Result<Vec<UserSummary>, AppError> {
        let rows = sqlx::query(
            "SELECT id, name, disabled, password_hash IS NOT NULL, created_at FROM users ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(UserSummary {
                name: r.get(1),
                disabled: r.get::<i64, _>(2) != 0,
                has_password: r.get::<i64, _>(3) != 0,
                grants: self.grants_of(r.get(0)).await?,
                created_at: r.get(4),
            });
        }
        Ok(out)
    }

    /// Creates an account; refuses a name that is taken.
    async fn insert_user(&self, name: &str, password: Option<&str>) -> Result<(), AppError> {
        validate_user_name(name)?;
        let hash = match password {
            Some(p) => {
                validate_password(p)?;
                let p = p.to_string();
                Some(blocking(move || hash_password(&p)).await??)
            }
            None => None,
        };
        let done = sqlx::query(
            "INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(hash)
        .bind(now_rfc3339())
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(AppError::Conflict(format!(
                "user \"{name}\" exists already"
            )));
        }
        Ok(())
    }

    async fn update_password(&self, name: &str, password: &str) -> Result<(), AppError> {
        validate_password(password)?;
        let id = self.user_id(name).await?;
        let p = password.to_string();
        let hash = blocking(move || hash_password(&p)).await??;
        sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(hash)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        // A new password ends the sessions the old one opened.
        self.end_sessions_of(id).await
    }

    /// Refuses a change that would leave no enabled admin on `*/*`: nobody
    /// could then manage accounts from the console.
    async fn keep_an_admin(&self, losing: i64, name: &str) -> Result<(), AppError> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(u.id = ?1), 0), COALESCE(SUM(u.id != ?1), 0) \
             FROM grants g JOIN users u ON u.id = g.user_id \
             WHERE g.role = 'admin' AND g.scope = '*/*' AND u.disabled = 0",
        )
        .bind(losing)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        let (is_admin, others): (i64, i64) = (row.get(0), row.get(1));
        if is_admin > 0 && others == 0 {
            return Err(AppError::Conflict(format!(
                "\"{name}\" is the last enabled admin on */*; make another user admin on */* first"
            )));
        }
        Ok(())
    }

    async fn update_disabled(&self, name: &str, disabled: bool) -> Result<(), AppError> {
        let id = self.user_id(name).await?;
        if disabled {
            self.keep_an_admin(id, name).await?;
        }
        sqlx::query("UPDATE users SET disabled = ? WHERE id = ?")
            .bind(disabled as i64)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        self.forget();
        if disabled {
            self.end_sessions_of(id).await?;
        }
        Ok(())
    }

    async fn end_sessions_of(&self, user_id: i64) -> Result<(), AppError> {
        self.forget();
        sqlx::query("DELETE FROM sessions WHERE user_id = ?")
            .bind(user_id)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// Adds (`true`) or removes (`false`) a grant; returns whether anything changed.
    async fn change_grant(&self, name: &str, grant: &Grant, add: bool) -> Result<bool, AppError> {
        let id = self.user_id(name).await?;
        if !add && grant.role == super::model::Role::Admin && grant.scope.to_string() == "*/*" {
            self.keep_an_admin(id, name).await?;
        }
        let q = if add {
            "INSERT INTO grants (user_id, role, scope) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM grants WHERE user_id = ? AND role = ? AND scope = ?"
        };
        let done = sqlx::query(q)
            .bind(id)
            .bind(grant.role.word())
            .bind(grant.scope.to_string())
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        self.forget();
        Ok(done.rows_affected() > 0)
    }

    /// The wait still owed by `key` ("user:alice", "addr:10.0.0.7"), in
    /// seconds, after its first `free` failures (which cost nothing).
    async fn owed_wait(&self, key: &str, free: i64, now: i64) -> Result<u64, AppError> {
        let row = sqlx::query("SELECT failures, last_ms FROM login_failures WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(row.map_or(0, |r| {
            let (failures, last): (i64, i64) = (r.get(0), r.get(1));
            if now - last > FAILURES_FORGOTTEN_MS {
                return 0;
            }
            let until = last + throttle_wait_s(failures - free) as i64 * 1000;
            ((until - now).max(0) as u64).div_ceil(1000)
        }))
    }

    async fn note_failure(&self, key: &str, now: i64) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO login_failures (key, failures, last_ms) VALUES (?, 1, ?) \
             ON CONFLICT (key) DO UPDATE SET last_ms = excluded.last_ms, \
             failures = CASE WHEN excluded.last_ms - last_ms > ? THEN 1 ELSE failures + 1 END",
        )
        .bind(key)
        .bind(now)
        .bind(FAILURES_FORGOTTEN_MS)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn clear_failures(&self, key: &str) -> Result<(), AppError> {
        sqlx::query("DELETE FROM login_failures WHERE key = ?")
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// Checks a password and opens a session. Throttled per account name
    /// (whether it exists or not) and per client address; every failure
    /// answers [`LOGIN_FAILED`].
    async fn check_password(
        &self,
        name: &str,
        password: &str,
        addr: Option<&str>,
    ) -> Result<NewSession, AppError> {
        let now = now_ms();
        let user_key = format!("user:{name}");
        let addr_key = addr.map(|a| format!("addr:{a}"));
        let mut wait = self.owed_wait(&user_key, 0, now).await?;
        if let Some(k) = &addr_key {
            wait = wait.max(self.owed_wait(k, ADDRESS_ALLOWANCE, now).await?);
        }
        if wait > 0 {
            return Err(AppError::Throttled {
                retry_after_s: wait,
            });
        }
        let row = sqlx::query("SELECT id, password_hash, disabled FROM users WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        let (id, hash, disabled) = match &row {
            Some(r) => (
                Some(r.get::<i64, _>(0)),
                r.get::<Option<String>, _>(1),
                r.get::<i64, _>(2) != 0,
            ),
            None => (None, None, false),
        };
        let checked = hash.unwrap_or_else(|| self.dummy_hash.to_string());
        let pw = password.to_string();
        let matches = blocking(move || verify_password(&checked, &pw)).await?;
        match id {
            Some(id) if matches && !disabled => {
                // The address keeps its count: one good account must not
                // reset a guessing run against the others.
                self.clear_failures(&user_key).await?;
                self.create_session(id, name, "password", &[], addr).await
            }
            _ => {
                self.note_failure(&user_key, now).await?;
                if let Some(k) = &addr_key {
                    self.note_failure(k, now).await?;
                }
                Err(AppError::Unauthenticated(LOGIN_FAILED.into()))
            }
        }
    }

    async fn create_session(
        &self,
        user_id: i64,
        name: &str,
        method: &str,
        sso_grants: &[Grant],
        addr: Option<&str>,
    ) -> Result<NewSession, AppError> {
        let token = new_token();
        let now = now_ms();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, method, created_ms, seen_ms, client_addr, sso_grants) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(method)
        .bind(now)
        .bind(now)
        .bind(addr)
        .bind((!sso_grants.is_empty()).then(|| grants_text(sso_grants)))
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(NewSession {
            token,
            principal: Principal {
                user: name.to_string(),
                via: method.to_string(),
                grants: union(self.grants_of(user_id).await?, sso_grants.to_vec()),
            },
        })
    }

    /// The principal a session cookie signs in, or `None` when the cookie is
    /// unknown, expired (idle or absolute) or its account is disabled. An
    /// expired row is deleted; a used one has its last-seen time moved on
    /// (at most every 30 s, so reads do not turn into writes).
    pub async fn session(&self, token: &str) -> Result<Option<Principal>, AppError> {
        let key = token_hash(token);
        if let Some(p) = self.cached(&key) {
            return Ok(Some(p));
        }
        let row = sqlx::query(
            "SELECT s.user_id, s.method, s.created_ms, s.seen_ms, u.name, u.disabled, \
             (SELECT group_concat(role || ' ' || scope, char(10)) FROM grants WHERE user_id = u.id), \
             s.sso_grants \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        )
        .bind(&key)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        let Some(r) = row else { return Ok(None) };
        let now = now_ms();
        let (created, seen): (i64, i64) = (r.get(2), r.get(3));
        let expired = now - seen > self.policy.idle.as_millis() as i64
            || now - created > self.policy.max.as_millis() as i64
            || r.get::<i64, _>(5) != 0;
        if expired {
            self.end_session(token).await?;
            return Ok(None);
        }
        if now - seen > 30_000 {
            sqlx::query("UPDATE sessions SET seen_ms = ? WHERE token_hash = ?")
                .bind(now)
                .bind(&key)
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
        }
        let p = Principal {
            user: r.get(4),
            via: r.get(1),
            grants: union(grants_column(r.get(6)), grants_column(r.get(7))),
        };
        self.remember(key, &p);
        Ok(Some(p))
    }

    async fn insert_token(
        &self,
        user: &str,
        label: &str,
        days: &str,
    ) -> Result<NewToken, AppError> {
        validate_token_label(label)?;
        let days = parse_token_days(days)?;
        let user_id = self.user_id(user).await?;
        let token = format!("{TOKEN_PREFIX}{}", new_token());
        let now = now_ms();
        let expires = now + i64::from(days) * 86_400_000;
        let id: i64 = sqlx::query(
            "INSERT INTO api_tokens (user_id, label, token_hash, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(user_id)
        .bind(label.trim())
        .bind(token_hash(&token))
        .bind(now)
        .bind(expires)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?
        .get(0);
        Ok(NewToken {
            id,
            label: label.trim().to_string(),
            token,
            expires_at: rfc3339(expires),
        })
    }

    /// The tokens of `user` (of every account with `None`: the admin's
    /// view), newest first.
    pub async fn tokens_of(&self, user: Option<&str>) -> Result<Vec<TokenSummary>, AppError> {
        let rows = sqlx::query(
            "SELECT t.id, t.label, t.created_ms, t.expires_ms, t.last_used_ms, t.revoked, u.name \
             FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE ?1 IS NULL OR u.name = ?1 ORDER BY t.id DESC",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let now = now_ms();
        Ok(rows
            .iter()
            .map(|r| TokenSummary {
                id: r.get(0),
                user: r.get(6),
                label: r.get(1),
                created_at: rfc3339(r.get(2)),
                expires_at: rfc3339(r.get(3)),
                last_used_at: r.get::<Option<i64>, _>(4).map(rfc3339),
                revoked: r.get::<i64, _>(5) != 0,
                expired: r.get::<i64, _>(3) <= now,
            })
            .collect())
    }

    /// Revokes token `id` of `user` (someone else's token is not found).
    async fn revoke_token(&self, user: &str, id: i64) -> Result<(), AppError> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked = 1 WHERE id = ? AND user_id = (SELECT id FROM users WHERE name = ?)",
        )
        .bind(id)
        .bind(user)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        self.forget();
        if done.rows_affected() == 0 {
            return Err(AppError::NotFound {
                what: format!("API token {id} of \"{user}\""),
            });
        }
        Ok(())
    }

    /// The principal an API token signs in (via `token:<id>:<label>`), or
    /// why it does not.
    pub async fn token(&self, token: &str) -> Result<Result<Principal, TokenRefusal>, AppError> {
        let key = format!("token {}", token_hash(token));
        if let Some(p) = self.cached(&key) {
            return Ok(Ok(p));
        }
        let row = sqlx::query(
            "SELECT t.id, t.label, t.expires_ms, t.revoked, t.last_used_ms, u.id, u.name, u.disabled, \
             (SELECT group_concat(role || ' ' || scope, char(10)) FROM grants WHERE user_id = u.id) \
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
        )
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        let Some(r) = row else {
            return Ok(Err(TokenRefusal::Unknown));
        };
        let now = now_ms();
        let (id, label): (i64, String) = (r.get(0), r.get(1));
        if r.get::<i64, _>(3) != 0 || r.get::<i64, _>(7) != 0 {
            return Ok(Err(TokenRefusal::Revoked));
        }
        let expires: i64 = r.get(2);
        if expires <= now {
            return Ok(Err(TokenRefusal::Expired(rfc3339(expires))));
        }
        if r.get::<Option<i64>, _>(4)
            .is_none_or(|seen| now - seen > 60_000)
        {
            sqlx::query("UPDATE api_tokens SET last_used_ms = ? WHERE id = ?")
                .bind(now)
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
        }
        let p = Principal {
            user: r.get(6),
            via: format!("token:{id}:{label}"),
            grants: grants_column(r.get(8)),
        };
        self.remember(key, &p);
        Ok(Ok(p))
    }

    /// The account a single sign-on names, or why it may not sign in.
    /// An account with a password is never taken over by a provider's or a
    /// proxy's claim of its name; a disabled one stays out.
    async fn sso_account(&self, name: &str) -> Result<Result<Option<i64>, String>, AppError> {
        if let Err(e) = validate_user_name(name) {
            return Ok(Err(format!(
                "the signed-in name \"{name}\" cannot be a zkmq user: {e}"
            )));
        }
        let row =
            sqlx::query("SELECT id, password_hash IS NOT NULL, disabled FROM users WHERE name = ?")
                .bind(name)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
        Ok(match row {
            None => Ok(None),
            Some(r) if r.get::<i64, _>(2) != 0 => {
                Err(format!("the account \"{name}\" is disabled"))
            }
            Some(r) if r.get::<i64, _>(1) != 0 => Err(format!(
                "\"{name}\" is a zkmq account with a password: it signs in with that password, not through single sign-on"
            )),
            Some(r) => Ok(Some(r.get(0))),
        })
    }

    /// Opens a session for `name`, whom an OpenID provider signed in
    /// (`method` "oidc"), with `mapped` (the grants of its groups) on top of
    /// the account's own. The account is created on first sign-in, without
    /// a password, so admins can see it and grant it more.
    async fn sso_session(
        &self,
        name: &str,
        method: &str,
        mapped: &[Grant],
        addr: Option<&str>,
    ) -> Result<NewSession, AppError> {
        let id = match self.sso_account(name).await? {
            Ok(Some(id)) => id,
            Ok(None) => {
                // Two first sign-ins of one name at once: the second finds
                // the account the first made (Conflict) and is checked again,
                // as an admin may have made it a password account meanwhile.
                match self.insert_user(name, None).await {
                    Ok(()) | Err(AppError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
                match self.sso_account(name).await? {
                    Ok(Some(id)) => id,
                    Ok(None) => self.user_id(name).await?,
                    Err(why) => return Err(AppError::Denied(why)),
                }
            }
            Err(why) => return Err(AppError::Denied(why)),
        };
        self.create_session(id, name, method, mapped, addr).await
    }

    /// Who a trusted proxy's headers sign in (via "proxy"): `name` with
    /// `mapped` on top of the grants of its account, if it has one (none is
    /// created: every request carries the identity anew).
    pub async fn proxy_principal(
        &self,
        name: &str,
        mapped: Vec<Grant>,
    ) -> Result<Result<Principal, String>, AppError> {
        let key = format!("proxy {name}\n{}", grants_text(&mapped));
        if let Some(p) = self.cached(&key) {
            return Ok(Ok(p));
        }
        let stored = match self.sso_account(name).await? {
            Ok(Some(id)) => self.grants_of(id).await?,
            Ok(None) => Vec::new(),
            Err(why) => return Ok(Err(why)),
        };
        let p = Principal {
            user: name.to_string(),
            via: "proxy".into(),
            grants: union(stored, mapped),
        };
        self.remember(key, &p);
        Ok(Ok(p))
    }

    /// Keeps what an OpenID login needs when the browser comes back.
    pub async fn begin_oidc(
        &self,
        state: &str,
        binding: &str,
        p: &PendingLogin,
    ) -> Result<(), AppError> {
        let now = now_ms();
        sqlx::query("DELETE FROM oidc_pending WHERE created_ms < ?")
            .bind(now - OIDC_PENDING_MS)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        sqlx::query(
            "INSERT INTO oidc_pending (state_hash, binding, verifier, nonce, next, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(token_hash(state))
        .bind(token_hash(binding))
        .bind(&p.verifier)
        .bind(&p.nonce)
        .bind(&p.next)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    /// The login `state` belongs to, once (the row is gone afterwards), if
    /// it is younger than ten minutes and this browser (`binding`) began it.
    pub async fn take_oidc(
        &self,
        state: &str,
        binding: &str,
    ) -> Result<Option<PendingLogin>, AppError> {
        let row = sqlx::query(
            "DELETE FROM oidc_pending WHERE state_hash = ? RETURNING binding, verifier, nonce, next, created_ms",
        )
        .bind(token_hash(state))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(row
            .filter(|r| r.get::<String, _>(0) == token_hash(binding))
            .filter(|r| now_ms() - r.get::<i64, _>(4) <= OIDC_PENDING_MS)
            .map(|r| PendingLogin {
                verifier: r.get(1),
                nonce: r.get(2),
                next: r.get(3),
            }))
    }

    pub async fn end_session(&self, token: &str) -> Result<(), AppError> {
        self.forget();
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash(token))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}

/// The audited account operations: each writes its attempt to the audit
/// log (console scope) before it runs, and its outcome after.
pub mod audited {
    use super::*;

    async fn run<T>(
        audit: &AuditLog,
        attempt: Attempt,
        op: impl Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        audit
            .record(attempt, || async {
                op.await.map(|value| Applied { value, after: None })
            })
            .await
    }

    pub async fn add_user(
        store: &AuthStore,
        audit: &AuditLog,
        ctx: &RequestContext,
        name: &str,
        password: Option<&str>,
    ) -> Result<(), AppError> {
        let params = serde_json::json!({ "password": password.is_some() });
        let a = Attempt::console(ctx, "add_user", name, params);
        run(audit, a, store.insert_user(name, password)).await
    }

    pub async fn set_password(
        store: &AuthStore,
        audit: &AuditLog,
        ctx: &RequestContext,
        name: &str,
        password: &str,
    ) -> Result<(), AppError> {
        let a = Attempt::console(ctx, "set_password", name, serde_json::json!({}));
        run(audit, a, store.update_password(name, password)).await
    }

    pub async fn set_disabled(
        store: &AuthStore,
        audit: &AuditLog,
        ctx: &RequestContext,
        name: &str,
        disabled: bool,
    ) -> Result<(), AppError> {
        let action = if disabled {
            "disable_user"
        } else {
            "enable_user"
        };
        let a = Attempt::console(ctx, action, name, serde_json::json!({}));
        run(audit, a, store.update_disabled(name, disabled)).await
    }

    /// Grants (`add`) or revokes a role; `Ok(false)` when it was already so.
    pub async fn change_grant(
        store: &AuthStore,
        audit: &AuditLog,
        ctx: &RequestContext,
        name: &str,
        grant: &Grant,
        add: bool,
    ) -> Result<bool, AppError> {
        let action = if add { "grant_role" } else { "revoke_role" };
        let params =
            serde_json::json!({ "role": grant.role.word(), "scope": grant.scope.to_string() });
        let a = Attempt::console(ctx, action, name, params);
        run(audit, a, store.change_grant(name, grant, add)).await
    }

    /// A password login, audited as `login` (see [`record_login`]).
    pub async fn login(
        store: &AuthStore,
        audit: &AuditLog,
        ctx: &RequestContext,
        name: &str,
        password: &str,
    ) -> Result<NewSession, AppError> {
        let result = store
            .check_password(name, password, ctx.actor.client_addr.as_deref())
            .await;
        record_login(
            store,
            audit,
            ctx,
            name,
            serde_json::json!({ "method": "password" }),
            result,
        )
        .await
    }

    /// A single sign-on through an OpenID provider: `name` and the `groups`
    /// its claims carry, `mapped` to grants by `[auth.groups]`. Audited like
    /// a password login, with the groups and grants in the parameters.
    pub async fn sso_login(
        store: &AuthStore,
        audit: &AuditLog,
        ctx: &RequestContext,
        name: &str,
        groups: &[String],
        mapped: &[Grant],
    ) -> Result<NewSession, AppError> {
        let result = store
            .sso_session(name, "oidc", mapped, ctx.actor.client_addr.as_deref())
            .await;
        let grants: Vec<String> = mapped.iter().map(ToString::to_string).collect();
        let params = serde_json::json!({ "method": "oidc", "groups": groups, "grants": grants });
        record_login(store, audit, ctx, name, params, result).await
    }

    /// Writes the `login` row of a sign-in whose outcome is known: the user
    /// is the actor when it succeeded, "anonymous" naming the tried account
    /// when it did not (the log is for admins; the caller learns nothing).
    async fn record_login(
        store: &AuthStore,
        audit: &AuditLog,
        ctx: &RequestContext,
        name: &str,
        params: serde_json::Value,
        result: Result<NewSession, AppError>,
    ) -> Result<NewSession, AppError> {
        let actor_ctx = match &result {
            Ok(s) => RequestContext {
                actor: crate::runtime::Actor {
                    name: s.principal.user.clone(),
                    via: Some(s.principal.via.clone()),
                    client_addr: ctx.actor.client_addr.clone(),
                },
                principal: Some(s.principal.clone()),
            },
            Err(_) => ctx.clone(),
        };
        let a = Attempt::console(&actor_ctx, "login", name, params);
        let outcome = match &result {
            Ok(_) => Ok(()),
            Err(e) => Err(e.clone()),
        };
        // The outcome is known already; record() writes it with the attempt.
        // A login the log cannot record does not open a session.
        if let Err(e @ AppError::Audit(_)) = run(audit, a, async { outcome }).await {
            if let Ok(s) = &result {
                store.end_session(&s.token).await?;
            }
            return Err(e);
        }
        result
    }

    /// A new API token for the caller; the secret is in the result only.
    pub async fn create_token(
        store: &AuthStore,
        audit: &AuditLog,
        ctx: &RequestContext,
        user: &str,
        label: &str,
        days: &str,
    ) -> Result<NewToken, AppError> {
        let params = serde_json::json!({ "label": label, "days": days });
        let a = Attempt::console(ctx, "create_api_token", user, params);
        audit
            .record(a, || async {
                let t = store.insert_token(user, label, days).await?;
                let after =
                    serde_json::json!({ "id": t.id, "label": t.label, "expires_at": t.expires_at });
                Ok(Applied {
                    after: Some(after.to_string()),
                    value: t,
                })
            })
            .await
    }

    pub async fn revoke_token(
        store: &AuthStore,
        audit: &AuditLog,
        ctx: &RequestContext,
        user: &str,
        id: i64,
    ) -> Result<(), AppError> {
        let a = Attempt::console(
            ctx,
            "revoke_api_token",
            user,
            serde_json::json!({ "id": id }),
        );
        run(audit, a, store.revoke_token(user, id)).await
    }

    pub async fn logout(
        store: &AuthStore,
        audit: &AuditLog,
        ctx: &RequestContext,
        token: &str,
    ) -> Result<(), AppError> {
        let who = ctx.actor.name.clone();
        let a = Attempt::console(ctx, "logout", &who, serde_json::json!({}));
        run(audit, a, store.end_session(token)).await
    }
}
