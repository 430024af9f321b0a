//! Runtime helpers (server only) that every adapter may use: secrets, the
//! bound on backend calls, the clock, and who is calling. They import only
//! the core types (`error`, `auth::model`), so every layer above can depend on them.

use crate::auth::model::Principal;
use crate::error::{AppError, Backend};
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

/// A credential read from config or env. Its `Debug`/`Display` never show the
/// value, so it cannot leak into logs; it is never serialised to the browser.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The only way to read the value: call sites are easy to audit.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Who is acting, as the audit log writes it: a user name (or "anonymous"
/// before login), how they authenticated, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    /// password, oidc, proxy, token:<id>, cli; `None` for anonymous callers.
    pub via: Option<String>,
    pub client_addr: Option<String>,
}

impl Actor {
    pub fn anonymous(addr: Option<SocketAddr>) -> Self {
        Actor {
            name: "anonymous".into(),
            via: None,
            client_addr: addr.map(|a| a.ip().to_string()),
        }
    }
}

/// One request's caller, read once at the edge (a server function or a
/// websocket upgrade) and passed down explicitly to whatever records or
/// authorises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    pub actor: Actor,
    /// The signed-in user and their grants; `None` for a caller with no
    /// valid session or token (every call then answers 401).
    pub principal: Option<Principal>,
}

impl RequestContext {
    /// The context of a call made without a request (CLI, start-up): the
    /// actor is `name`, authenticated "cli", with no grants to check.
    pub fn local(name: &str) -> Self {
        RequestContext {
            actor: Actor {
                name: name.to_string(),
                via: Some("cli".into()),
                client_addr: None,
            },
            principal: None,
        }
    }

    /// The context of a request whose session (or token) resolved to `principal`.
    pub fn of(principal: Option<Principal>, addr: Option<SocketAddr>) -> Self {
        let actor = match &principal {
            Some(p) => Actor {
                name: p.user.clone(),
                via: Some(p.via.clone()),
                client_addr: addr.map(|a| a.ip().to_string()),
            },
            None => Actor::anonymous(addr),
        };
        RequestContext { actor, principal }
    }

    /// The context of the current server-function call. The server's
    /// session layer put the principal into the request's extensions.
    pub async fn current() -> Self {
        let addr = leptos_axum::extract::<axum::extract::ConnectInfo<SocketAddr>>()
            .await
            .ok()
            .map(|c| c.0);
        let principal = leptos_axum::extract::<axum::Extension<Principal>>()
            .await
            .ok()
            .map(|e| e.0);
        RequestContext::of(principal, addr)
    }
}

/// Runs `fut` with the backend timeout; a timeout becomes a clear `AppError`.
pub async fn bounded<T>(
    timeout: Duration,
    backend: Backend,
    cluster: &str,
    fut: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    match tokio::time::timeout(timeout, fut).await {
        Ok(r) => r,
        Err(_) => Err(AppError::Timeout {
            backend,
            cluster: cluster.to_string(),
            timeout_ms: timeout.as_millis() as u64,
        }),
    }
}

/// Milliseconds since `start`, as a float for display.
/// The one way zkmq compiles a user's regex: its length checked before it
/// is parsed, its compiled size bounded (1 MiB), errors naming `field`.
pub fn bounded_regex(field: &str, pattern: &str) -> Result<regex::Regex, AppError> {
    crate::fields::check_pattern_len(field, pattern)?;
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .dfa_size_limit(1 << 20)
        .build()
        .map_err(|e| AppError::invalid(field, format!("not a valid regular expression: {e}")))
}

pub fn elapsed_ms(start: std::time::Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// Milliseconds since the epoch, now (the unit live frames and graphs carry).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Current time as RFC 3339 (UTC).
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Running live taps, shared by the viewers of the same source: the map
/// holds them weakly, so a tap stops when its last viewer drops it and the
/// next viewer of that source starts a new one.
pub struct Taps<K, T>(std::sync::Mutex<std::collections::HashMap<K, std::sync::Weak<T>>>);

impl<K, T> Default for Taps<K, T> {
    fn default() -> Self {
        Taps(std::sync::Mutex::new(std::collections::HashMap::new()))
    }
}

impl<K: std::hash::Hash + Eq, T> Taps<K, T> {
    /// The running tap for `key`, if a viewer still holds it.
    pub fn get(&self, key: &K) -> Option<std::sync::Arc<T>> {
        self.0
            .lock()
            .ok()
            .and_then(|m| m.get(key).and_then(std::sync::Weak::upgrade))
    }

    /// Registers a new tap for later viewers of `key` (and forgets stopped ones).
    pub fn insert(&self, key: K, tap: &std::sync::Arc<T>) {
        if let Ok(mut m) = self.0.lock() {
            m.retain(|_, w| w.strong_count() > 0);
            m.insert(key, std::sync::Arc::downgrade(tap));
        }
    }

    /// Taps running now (for metrics, and tests: ten viewers, one consumer).
    pub fn running(&self) -> usize {
        self.0
            .lock()
            .map(|m| m.values().filter(|w| w.strong_count() > 0).count())
            .unwrap_or(0)
    }
}
