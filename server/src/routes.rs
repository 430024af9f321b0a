//! Plain HTTP routes beside the Leptos app: health, metrics, websockets.

use crate::state::AppState;
use app::audit::model::Outcome;
use app::auth::model::Principal;
use app::clusters::model::Reachability;
use app::error::Backend;
use axum::Extension;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

/// Liveness of the console itself. Clusters being down does not make zkmq
/// unhealthy; its audit store being unusable does (no change could be made).
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match sqlx_ping(&state).await {
        Ok(()) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"status":"ok"}"#.to_string(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check: audit database unusable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "application/json")],
                serde_json::json!({"status": "unavailable", "reason": "audit database unusable"})
                    .to_string(),
            )
        }
    }
}

async fn sqlx_ping(state: &AppState) -> Result<(), String> {
    state
        .services
        .audit
        .outcome_counts()
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Prometheus text exposition (version 0.0.4).
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let overview = state.services.status.snapshot();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP zkmq_build_info Build information.\n# TYPE zkmq_build_info gauge"
    );
    let _ = writeln!(
        out,
        "zkmq_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        out,
        "# HELP zkmq_cluster_up 1 if the last probe reached the cluster (degraded counts as up).\n# TYPE zkmq_cluster_up gauge"
    );
    for s in &overview.clusters {
        let up = matches!(
            s.reachability,
            Reachability::Reachable | Reachability::Degraded
        ) as u8;
        let _ = writeln!(
            out,
            "zkmq_cluster_up{{{}}} {up}",
            labels(s.cluster.backend.slug(), &s.cluster.id)
        );
    }
    let _ = writeln!(
        out,
        "# HELP zkmq_cluster_probe_latency_seconds Round trip of the last successful probe.\n# TYPE zkmq_cluster_probe_latency_seconds gauge"
    );
    for s in &overview.clusters {
        if let Some(ms) = s.latency_ms {
            let _ = writeln!(
                out,
                "zkmq_cluster_probe_latency_seconds{{{}}} {}",
                labels(s.cluster.backend.slug(), &s.cluster.id),
                ms / 1000.0
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP zkmq_audit_records Audited changes by outcome.\n# TYPE zkmq_audit_records gauge"
    );
    match state.services.audit.outcome_counts().await {
        Ok(counts) => {
            for o in [
                Outcome::Ok,
                Outcome::Error,
                Outcome::Denied,
                Outcome::Pending,
                Outcome::Interrupted,
            ] {
                let n = counts
                    .iter()
                    .find(|(k, _)| *k == o)
                    .map(|(_, n)| *n)
                    .unwrap_or(0);
                let _ = writeln!(out, "zkmq_audit_records{{outcome=\"{}\"}} {n}", o.as_str());
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot count audit records"),
    }
    // The chain's head, outside the database: a scraper that keeps it can
    // tell a cut tail or a rewritten chain later (as the anchor file does).
    let (seq, hash) = state.services.audit.head();
    let _ = writeln!(
        out,
        "# HELP zkmq_audit_head_seq The audit chain's newest row, labelled with its hash.\n# TYPE zkmq_audit_head_seq gauge\nzkmq_audit_head_seq{{hash=\"{hash}\"}} {seq}"
    );
    let _ = writeln!(
        out,
        "# HELP zkmq_live_taps Live taps reading a source now (one per source, shared by its viewers).\n# TYPE zkmq_live_taps gauge"
    );
    for k in state.services.kafka.iter() {
        let _ = writeln!(
            out,
            "zkmq_live_taps{{{}}} {}",
            labels("kafka", k.id()),
            k.running_tails()
        );
    }
    for r in state.services.rabbitmq.iter() {
        let _ = writeln!(
            out,
            "zkmq_live_taps{{{}}} {}",
            labels("rabbitmq", r.id()),
            r.running_taps()
        );
    }
    // The standard process gauge, so the memory budget in docs/PERFORMANCE.md
    // (and a production alert) can read it without access to the host.
    if let Some(bytes) = resident_bytes() {
        let _ = writeln!(
            out,
            "# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {bytes}"
        );
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
}

/// This process's resident set (Linux `/proc/self/status`; None elsewhere).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

fn labels(backend: &str, cluster: &str) -> String {
    format!(
        "backend=\"{}\",cluster=\"{}\"",
        escape(backend),
        escape(cluster)
    )
}

/// Label values escape backslash, double quote and newline.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A socket that needs only a signed-in caller (each view checks its own
/// permissions): the caller and the future that ends with their credential,
/// or the 401 to answer.
fn signed_in(
    state: &AppState,
    principal: Option<Extension<Principal>>,
    headers: &HeaderMap,
) -> Result<
    (
        Principal,
        impl std::future::Future<Output = ()> + Send + 'static,
    ),
    Box<axum::response::Response>,
> {
    let me = crate::session::require(principal)
        .map_err(|e| Box::new(crate::session::error_response(&e)))?;
    let ended = crate::session::ended(state.services.clone(), crate::session::credential(headers));
    Ok((me, ended))
}

/// `/ws/overview`: the statuses of the clusters the caller may see, live
/// (see `snapshot_stream`).
pub async fn overview_ws(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> axum::response::Response {
    let (me, ended) = match signed_in(&state, principal, &headers) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let (ws, slot) = match state.upgrade(ws, &me.user) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    ws.on_upgrade(move |socket| async move {
        let _slot = slot;
        overview_stream(socket, state, me, ended).await
    })
    .into_response()
}

async fn overview_stream(
    socket: WebSocket,
    state: AppState,
    me: Principal,
    ended: impl std::future::Future<Output = ()>,
) {
    let rx = state.services.status.subscribe();
    let seen = move |o: &app::overview::model::Overview| {
        let mut o = o.clone();
        o.clusters
            .retain(|s| app::auth::logic::may_see(&me.grants, &s.cluster));
        serde_json::to_string(&o)
    };
    snapshot_stream(socket, rx, state.shutdown.clone(), "overview", seen, ended).await
}

/// `/ws/ensemble/{cluster}`: the ensemble monitor's snapshots, sent the same
/// way as the overview's (newest only, keep-alive, closed on shutdown).
pub async fn ensemble_ws(
    State(state): State<AppState>,
    axum::extract::Path(cluster): axum::extract::Path<String>,
    principal: Option<Extension<Principal>>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> axum::response::Response {
    let user = principal
        .as_ref()
        .map(|p| p.user.clone())
        .unwrap_or_default();
    let ended = match crate::session::authorize_ws(
        &state,
        principal,
        addr,
        &headers,
        Backend::Zookeeper,
        &cluster,
        "ensemble_ws",
    )
    .await
    {
        Ok(ended) => ended,
        Err(e) => return crate::session::error_response(&e),
    };
    let (ws, slot) = match state.upgrade(ws, &user) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    match state.services.ensemble(&cluster) {
        Ok(m) => ws
            .on_upgrade(move |socket| async move {
                let _slot = slot;
                // Holds `state.live` until the stream ends (see AppState::live).
                snapshot_stream(
                    socket,
                    m.subscribe(),
                    state.shutdown.clone(),
                    "ensemble",
                    serde_json::to_string,
                    ended,
                )
                .await;
                drop(state);
            })
            .into_response(),
        Err(e) => (StatusCode::NOT_FOUND, e.to_string()).into_response(),
    }
}

/// Sends the current value of `rx`, then every change, plus an empty
/// keep-alive frame every 15 s. A watch channel keeps only the newest value,
/// so a slow client gets fewer, fresher frames instead of a backlog.
async fn snapshot_stream<T>(
    mut socket: WebSocket,
    mut rx: tokio::sync::watch::Receiver<T>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
    what: &'static str,
    render: impl Fn(&T) -> serde_json::Result<String>,
    ended: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(ended);
    let mut keepalive = tokio::time::interval(Duration::from_secs(15));
    keepalive.tick().await;
    loop {
        let text = match render(&rx.borrow_and_update()) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, what, "cannot serialise a live snapshot");
                break;
            }
        };
        if socket.send(Message::Text(text.into())).await.is_err() {
            break;
        }
        loop {
            tokio::select! {
                changed = rx.changed() => {
                    if changed.is_err() { return; }
                    break;
                }
                _ = keepalive.tick() => {
                    if socket.send(Message::Text(String::new().into())).await.is_err() { return; }
                }
                msg = socket.recv() => {
                    match msg {
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                        _ => {}
                    }
                }
                _ = shutdown.changed() => {
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
                _ = &mut ended => {
                    let _ = socket.send(session_ended()).await;
                    return;
                }
            }
        }
    }
}

/// The close frame a live socket sends when its session or token ended.
fn session_ended() -> Message {
    Message::Close(Some(axum::extract::ws::CloseFrame {
        code: app::components::SESSION_ENDED_CODE,
        reason: "your session ended: log in again".into(),
    }))
}

/// `/ws/zookeeper/{cluster}`: the explorer's live channel. The page sends
/// `{"watch": path}` / `{"unwatch": path}`; the server sends `LiveEvent`s.
pub async fn zookeeper_ws(
    State(state): State<AppState>,
    axum::extract::Path(cluster): axum::extract::Path<String>,
    principal: Option<Extension<Principal>>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> axum::response::Response {
    // Watches and searches read the whole tree's names and data.
    let user = principal
        .as_ref()
        .map(|p| p.user.clone())
        .unwrap_or_default();
    let ended = match crate::session::authorize_ws(
        &state,
        principal,
        addr,
        &headers,
        Backend::Zookeeper,
        &cluster,
        "zookeeper_ws",
    )
    .await
    {
        Ok(ended) => ended,
        Err(e) => return crate::session::error_response(&e),
    };
    let (ws, slot) = match state.upgrade(ws, &user) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    match state.services.zookeeper(&cluster) {
        Ok(zk) => ws
            .on_upgrade(move |socket| async move {
                let _slot = slot;
                zookeeper_stream(socket, zk, state, ended).await
            })
            .into_response(),
        Err(e) => (StatusCode::NOT_FOUND, e.to_string()).into_response(),
    }
}

async fn zookeeper_stream(
    mut socket: WebSocket,
    zk: std::sync::Arc<app::zookeeper::ssr::ZkCluster>,
    state: AppState,
    ended: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(ended);
    use app::zookeeper::model::LiveCommand;
    use app::zookeeper::ssr::live::WatchSession;
    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let mut session = WatchSession::new(zk, tx);
    let mut shutdown = state.shutdown.clone();
    let mut keepalive = tokio::time::interval(Duration::from_secs(15));
    keepalive.tick().await;
    loop {
        tokio::select! {
            msg = socket.recv() => match msg {
                Some(Ok(Message::Text(t))) => match serde_json::from_str::<LiveCommand>(&t) {
                    Ok(LiveCommand::Watch(p)) => session.watch(p),
                    Ok(LiveCommand::Unwatch(p)) => session.unwatch(&p),
                    Ok(LiveCommand::Search { id, path, pattern, regex }) => session.search(id, path, pattern, regex),
                    Err(e) => tracing::debug!(error = %e, "ignoring a malformed live command"),
                },
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                _ => {}
            },
            Some(ev) = rx.recv() => {
                let Ok(text) = serde_json::to_string(&ev) else { continue };
                if socket.send(Message::Text(text.into())).await.is_err() { return; }
            }
            _ = &mut ended => {
                let _ = socket.send(session_ended()).await;
                return;
            }
            _ = keepalive.tick() => {
                if socket.send(Message::Text(String::new().into())).await.is_err() { return; }
            }
            _ = shutdown.changed() => {
                let _ = socket.send(Message::Close(None)).await;
                return;
            }
        }
    }
}

/// `/ws/live`: one browser tab's live views (`app::live`). Signed in to
/// connect; each subscription checks its own cluster's permissions and is
/// audited as one operation.
pub async fn live_ws(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> axum::response::Response {
    let (me, ended) = match signed_in(&state, principal, &headers) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let (ws, slot) = match state.upgrade(ws, &me.user) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    ws.on_upgrade(move |socket| async move {
        let _slot = slot;
        live_stream(socket, state, me, addr, ended).await
    })
    .into_response()
}

async fn live_stream(
    mut socket: WebSocket,
    state: AppState,
    me: Principal,
    addr: SocketAddr,
    ended: impl std::future::Future<Output = ()>,
) {
    use app::live::model::{LiveFrame, LiveRequest};
    use app::live::ssr::{KEEPALIVE_MS, LiveSession, TICK_MS};
    tokio::pin!(ended);
    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let ctx = app::runtime::RequestContext::of(Some(me.clone()), Some(addr));
    let mut session = LiveSession::new(
        state.services.clone(),
        state.live_limits.clone(),
        me,
        ctx,
        tx,
    );
    let mut shutdown = state.shutdown.clone();
    let mut tick = tokio::time::interval(Duration::from_millis(TICK_MS));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let keepalive = Duration::from_millis(KEEPALIVE_MS);
    let mut last_sent = std::time::Instant::now();
    let send = |f: &LiveFrame| serde_json::to_string(f).map(|t| Message::Text(t.into()));
    loop {
        let frames = tokio::select! {
            msg = socket.recv() => match msg {
                Some(Ok(Message::Text(t))) => match serde_json::from_str::<LiveRequest>(&t) {
                    Ok(r) => {
                        session.handle(r);
                        continue;
                    }
                    Err(e) => vec![LiveFrame::Error {
                        id: 0,
                        error: app::error::AppError::invalid("request", format!("not a live request: {e}")),
                    }],
                },
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                _ => continue,
            },
            Some(f) = rx.recv() => vec![f],
            _ = tick.tick() => {
                let mut frames = session.tick();
                if frames.is_empty() && last_sent.elapsed() >= keepalive {
                    frames.push(LiveFrame::KeepAlive);
                }
                frames
            }
            _ = &mut ended => {
                let _ = socket.send(session_ended()).await;
                return;
            }
            _ = shutdown.changed() => {
                let _ = socket.send(Message::Close(None)).await;
                return;
            }
        };
        for f in &frames {
            let Ok(m) = send(f) else { continue };
            if socket.send(m).await.is_err() {
                return;
            }
            last_sent = std::time::Instant::now();
        }
    }
}

/// `/kafka/local/` → `/kafka/local` (308): pages have one URL each, and a
/// trailing slash matched no route, so the fallback rendered the app without
/// its services ("internal error: server state missing from context").
/// A server function runs to its end even when its caller goes away. hyper
/// drops a request's future when the connection closes; for a change that
/// would stop it between its audited attempt and its outcome (an import or
/// subtree delete half applied, its record left pending). Spawned, only the
/// wait for the answer is dropped.
pub async fn run_to_completion(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    match tokio::spawn(next.run(req)).await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(error = %e, "a server function's task failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub async fn strip_trailing_slash(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = req.uri().path();
    if path.len() > 1 && path.ends_with('/') {
        let mut to = path.trim_end_matches('/').to_string();
        if to.is_empty() {
            to.push('/');
        }
        if let Some(q) = req.uri().query() {
            to.push('?');
            to.push_str(q);
        }
        return axum::response::Redirect::permanent(&to).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape("x\ny"), "x\\ny");
    }
}
