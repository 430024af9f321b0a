//! Sessions at the edge (issue 14): every request's session cookie becomes
//! the principal that server functions and websockets check; a page request
//! without one goes to the login page (and comes back after); login and
//! logout are plain form posts, so they work before the page hydrates and
//! end in a full page load with fresh state.

use crate::state::AppState;
use app::auth::logic::safe_next;
use app::auth::model::Principal;
use app::auth::ssr::{LOGIN_FAILED, SESSION_COOKIE, audited, session_token};
use app::error::AppError;
use app::runtime::RequestContext;
use app::services::Services;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form, Json};
use serde::Deserialize;
use std::net::SocketAddr;

/// Paths whose answer is the same for everyone.
fn needs_nobody(path: &str) -> bool {
    matches!(path, "/favicon.svg" | "/healthz" | "/metrics") || path.starts_with("/pkg/")
}

/// Page paths anyone may load: the login page, the wasm and styles it
/// needs, the icon, and the probes. `/api` and `/ws` answer 401 themselves.
fn open_to_all(path: &str) -> bool {
    path == "/login"
        || needs_nobody(path)
        || ["/api/", "/ws/", "/auth/"]
            .iter()
            .any(|p| path.starts_with(p))
}

/// The API token of an `Authorization: Bearer …` header, if any.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Resolves the API token (`Authorization: Bearer`), else a trusted
/// proxy's headers, else the session cookie into a [`Principal`] request
/// extension.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // The wasm, styles, icon and probes need no caller: no lookup for them.
    if needs_nobody(req.uri().path()) {
        return next.run(req).await;
    }
    // How long finding the caller took, sent back as `Server-Timing: auth`
    // (browser dev tools show it; the auth benchmark reads it per request).
    let started = std::time::Instant::now();
    let svc = &state.services;
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let principal = if let Some(token) = bearer(req.headers()) {
        match svc.auth.token(token).await {
            Ok(Ok(p)) => Some(p),
            Ok(Err(why)) => return error_response(&AppError::Unauthenticated(why.sentence())),
            Err(e) => return error_response(&e),
        }
    } else if let Some(from_proxy) = state.sso.proxy_principal(svc, peer, req.headers()).await {
        match from_proxy {
            Ok(p) => Some(p),
            Err(e) => return error_response(&e),
        }
    } else {
        match session_token(req.headers()) {
            Some(token) => match svc.auth.session(&token).await {
                Ok(p) => p,
                Err(e) => return error_response(&e),
            },
            None => None,
        }
    };
    match principal {
        Some(p) => {
            req.extensions_mut().insert(p);
        }
        // No server function or websocket runs for an anonymous caller, not
        // even its argument parsing; each still checks its own permission.
        None if req.uri().path().starts_with("/api/") || req.uri().path().starts_with("/ws/") => {
            return error_response(&AppError::Unauthenticated("log in to use zkmq".into()));
        }
        None if req.method() == Method::GET && !open_to_all(req.uri().path()) => {
            let here = req
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_string();
            return see_other(&login_url(&here, None));
        }
        None => {}
    }
    let took = started.elapsed();
    let mut resp = next.run(req).await;
    let timing = format!("auth;dur={:.3}", took.as_secs_f64() * 1000.0);
    if let Ok(v) = HeaderValue::from_str(&timing) {
        resp.headers_mut().append(SERVER_TIMING, v);
    }
    resp
}

/// `Server-Timing` (not among axum's named headers).
const SERVER_TIMING: header::HeaderName = header::HeaderName::from_static("server-timing");

/// `/login?next=…` (and why the last try failed).
pub(crate) fn login_url(next: &str, error: Option<&str>) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut u = format!("/login?next={}", enc(next));
    if let Some(e) = error {
        u.push_str("&error=");
        u.push_str(&enc(e));
    }
    u
}

pub(crate) fn see_other(location: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// An `AppError` as the JSON answer with its status.
pub fn error_response(e: &AppError) -> Response {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(e).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Scripts ask for JSON and get the status and `AppError` a server
/// function would answer with; the login form gets redirects.
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json") && !v.contains("text/html"))
}

/// A `Set-Cookie` value for one of zkmq's cookies: `HttpOnly`,
/// `SameSite=Lax`, `Secure` when served over https; max age 0 clears it.
pub(crate) fn set_cookie(
    name: &str,
    value: &str,
    path: &str,
    max_age_s: u64,
    secure: bool,
) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub(crate) fn session_cookie(token: &str, max_age_s: u64, secure: bool) -> HeaderValue {
    set_cookie(SESSION_COOKIE, token, "/", max_age_s, secure)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// `POST /auth/login`: checks the password (throttled, audited), ends the
/// session the browser had (rotation), sets the new cookie and returns to
/// `next`. A failure returns to the login page with one generic reason.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let svc = &state.services;
    let json = wants_json(&headers);
    let next = safe_next(&form.next);
    if let Some(old) = session_token(&headers)
        && let Err(e) = svc.auth.end_session(&old).await
    {
        return error_response(&e);
    }
    let ctx = RequestContext::of(None, Some(addr));
    let name = form.name.trim();
    let result = if name.is_empty() || form.password.is_empty() {
        Err(AppError::Unauthenticated(LOGIN_FAILED.into()))
    } else {
        audited::login(&svc.auth, &svc.audit, &ctx, name, &form.password).await
    };
    match result {
        Ok(session) => {
            let policy = svc.auth.policy();
            let mut r = if json {
                Json(serde_json::json!({ "user": session.principal.user, "next": next }))
                    .into_response()
            } else {
                see_other(&next)
            };
            r.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(&session.token, policy.max.as_secs(), policy.secure_cookie),
            );
            r
        }
        Err(e) if json => error_response(&e),
        Err(e) => {
            let code = match e {
                AppError::Unauthenticated(_) => "failed".to_string(),
                AppError::Throttled { retry_after_s } => format!("throttled:{retry_after_s}"),
                _ => "unavailable".to_string(),
            };
            see_other(&login_url(&next, Some(&code)))
        }
    }
}

/// `POST /auth/logout`: ends the session (audited) and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    principal: Option<Extension<Principal>>,
    headers: HeaderMap,
) -> Response {
    let svc = &state.services;
    if let (Some(token), Some(Extension(p))) = (session_token(&headers), principal) {
        let ctx = RequestContext::of(Some(p), Some(addr));
        if let Err(e) = audited::logout(&svc.auth, &svc.audit, &ctx, &token).await {
            return error_response(&e);
        }
    }
    let mut r = if wants_json(&headers) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        see_other("/login")
    };
    r.headers_mut().append(
        header::SET_COOKIE,
        session_cookie("", 0, svc.auth.policy().secure_cookie),
    );
    r
}

/// The principal of a websocket upgrade, or the 401 it is refused with.
pub fn require(principal: Option<Extension<Principal>>) -> Result<Principal, AppError> {
    principal
        .map(|Extension(p)| p)
        .ok_or_else(|| AppError::Unauthenticated("log in to use zkmq".into()))
}

/// The authorize step of a websocket route: signed in (else 401) and allowed
/// to read `backend`/`cluster` (else 403, audited as `action`). Returns the
/// future that resolves when the caller's credential ends ([`ended`]).
pub async fn authorize_ws(
    state: &AppState,
    principal: Option<Extension<Principal>>,
    addr: SocketAddr,
    headers: &HeaderMap,
    backend: app::error::Backend,
    cluster: &str,
    action: &str,
) -> Result<impl Future<Output = ()> + Send + 'static, AppError> {
    use app::auth::logic::{allows, missing};
    use app::auth::model::Permission;
    let p = require(principal)?;
    if allows(&p.grants, backend, cluster, Permission::Read) {
        return Ok(ended(state.services.clone(), credential(headers)));
    }
    let why = missing(Permission::Read, backend, cluster);
    let ctx = RequestContext::of(Some(p), Some(addr));
    let attempt = app::audit::ssr::Attempt::new(
        &ctx,
        backend,
        cluster,
        action,
        cluster,
        serde_json::json!({ "needs": "viewer" }),
        None,
    );
    Err(state.services.audit.deny(attempt, &why).await)
}

/// How a request was signed in, kept by a live socket so it notices when
/// that ends.
#[derive(Debug, Clone)]
pub enum Credential {
    Session(String),
    Token(String),
}

/// The request's credential (a Bearer token wins over the cookie, as in [`resolve`]).
pub fn credential(headers: &HeaderMap) -> Option<Credential> {
    bearer(headers)
        .map(|t| Credential::Token(t.to_string()))
        .or_else(|| session_token(headers).map(Credential::Session))
}

/// How often a live socket checks that its credential still signs someone in.
pub const RECHECK: std::time::Duration = std::time::Duration::from_secs(5);

/// Resolves once `cred` no longer signs anyone in — logout, expiry, a
/// disabled account, a revoked token — checked every [`RECHECK`]; a live
/// socket then closes instead of streaming on. (A check counts as use of a
/// session: a page left open with a live view stays signed in until the
/// session's absolute lifetime.) A store that cannot answer is not an end.
pub async fn ended(svc: Services, cred: Option<Credential>) {
    let Some(cred) = cred else {
        return std::future::pending().await;
    };
    let mut tick = tokio::time::interval(RECHECK);
    tick.tick().await;
    loop {
        tick.tick().await;
        let still = match &cred {
            Credential::Session(t) => svc.auth.session(t).await.map(|p| p.is_some()),
            Credential::Token(t) => svc.auth.token(t).await.map(|r| r.is_ok()),
        };
        if let Ok(false) = still {
            return;
        }
    }
}
