//! `zkmq serve` and `zkmq audit verify`.

use crate::config::Config;
use crate::routes;
use crate::state::{AppState, build_services};
use app::audit::ssr::AuditLog;
use app::{App, shell};
use axum::Router;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio::sync::watch;
use tracing_subscriber::EnvFilter;

fn init_tracing() {
    let filter = EnvFilter::try_from_env("ZKMQ_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,rdkafka=warn,zookeeper_client=warn"));
    let json = std::env::var("ZKMQ_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Every websocket route: the router serves exactly these, and
/// `zkmq routes` lists them (the access tests call each one).
pub fn ws_routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        (
            app::overview::model::OVERVIEW_WS_PATH,
            get(routes::overview_ws),
        ),
        ("/ws/zookeeper/{cluster}", get(routes::zookeeper_ws)),
        ("/ws/ensemble/{cluster}", get(routes::ensemble_ws)),
        (app::live::model::LIVE_WS_PATH, get(routes::live_ws)),
    ]
}

/// `zkmq routes`: every server function (`POST /api/…`) and websocket
/// route this binary serves, one per line, from the live route tables.
pub fn print_routes() {
    let mut lines: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| format!("{method} {path}"))
        .collect();
    lines.extend(
        ws_routes()
            .into_iter()
            .map(|(path, _)| format!("WS {path}")),
    );
    lines.extend([
        "POST /auth/login".to_string(),
        "POST /auth/logout".to_string(),
        "GET /auth/oidc/start".to_string(),
        "GET /auth/oidc/callback".to_string(),
    ]);
    lines.sort();
    for l in lines {
        println!("{l}");
    }
}

pub async fn run(config: Config, config_path: PathBuf) -> ExitCode {
    init_tracing();
    let addr: SocketAddr = match config.server.bind.parse() {
        Ok(a) => a,
        Err(_) => {
            tracing::error!(bind = %config.server.bind, "not a listen address like 127.0.0.1:3000");
            return ExitCode::from(2);
        }
    };
    if !addr.ip().is_loopback() && !config.server.served_over_https() {
        tracing::warn!(%addr, "zkmq is served over PLAIN HTTP beyond loopback: passwords and session cookies cross the network unencrypted; put it behind TLS and set server.public_url = \"https://…\"");
    }

    let (services, probed) = match build_services(&config).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(config = %config_path.display(), error = %e, "cannot start");
            return ExitCode::from(2);
        }
    };
    let sso = match (&config.auth.oidc, &config.auth.proxy) {
        (Some(_), Some(_)) => Some("OpenID Connect or the trusted proxy"),
        (Some(_), None) => Some("OpenID Connect"),
        (None, Some(_)) => Some("the trusted proxy"),
        (None, None) => None,
    };
    if let Err(e) = crate::accounts::first_start(&services, sso).await {
        tracing::error!(error = %e, "cannot prepare the first account");
        return ExitCode::from(2);
    }
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    for m in services.ensembles.iter() {
        m.clone().start(shutdown_rx.clone());
    }
    services.status.start(
        probed,
        Duration::from_millis(config.server.probe_interval_ms),
        shutdown_rx.clone(),
    );

    // Leptos reads site root, pkg dir and output name from the environment
    // cargo-leptos baked in (or LEPTOS_* variables); not from a Cargo.toml at run time.
    let conf = match get_configuration(None) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the Leptos site configuration");
            return ExitCode::FAILURE;
        }
    };
    let mut leptos_options = conf.leptos_options;
    leptos_options.site_addr = addr;
    let (live_tx, mut live_rx) = tokio::sync::mpsc::channel::<()>(1);
    let base = config
        .server
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let sso = match crate::sso::Sso::new(&config.auth, &base) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(config = %config_path.display(), error = %e, "cannot start");
            return ExitCode::from(2);
        }
    };
    let sign_in = app::components::SignIn {
        sso: sso.oidc_label(),
    };
    let state = AppState {
        leptos_options: leptos_options.clone(),
        services: services.clone(),
        shutdown: shutdown_rx,
        live: live_tx,
        sso,
        live_limits: std::sync::Arc::new(app::live::ssr::LiveLimits::new(
            config.server.live_max_per_user as usize,
            config.server.live_max_per_console as usize,
        )),
        ws_max_message_bytes: config.server.ws_max_message_bytes as usize,
        sockets: crate::state::SocketLimits::new(config.server.ws_max_per_user as usize),
    };
    let route_list = generate_route_list(App);
    let ctx_services = services.clone();
    let app =
        Router::new()
            .route("/healthz", get(routes::healthz))
            .route("/metrics", get(routes::metrics))
            .merge(
                ws_routes()
                    .into_iter()
                    .fold(Router::new(), |r, (path, route)| r.route(path, route)),
            )
            .route("/auth/login", axum::routing::post(crate::session::login))
            .route("/auth/logout", axum::routing::post(crate::session::logout))
            .route("/auth/oidc/start", get(crate::sso::start))
            .route("/auth/oidc/callback", get(crate::sso::callback))
            .leptos_routes_with_context(
                &state,
                route_list,
                move || {
                    provide_context(app::clusters::model::Configured(ctx_services.clusters()));
                    provide_context(ctx_services.clone());
                    provide_context(sign_in.clone());
                },
                {
                    let o = leptos_options.clone();
                    move || shell(o.clone())
                },
            )
            .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
            .layer(axum::middleware::from_fn(routes::run_to_completion))
            .layer(axum::extract::DefaultBodyLimit::max(
                crate::errors::MAX_REQUEST_BYTES,
            ))
            .layer(axum::middleware::from_fn(crate::errors::api_errors))
            .layer(axum::middleware::from_fn(routes::strip_trailing_slash))
            // Who is calling, for everything below; pages without a session
            // go to the login page.
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                crate::session::resolve,
            ))
            // Outermost but for tracing: a foreign Host or Origin reaches nothing.
            .layer(axum::middleware::from_fn_with_state(
                crate::guard::Guard::new(
                    addr,
                    config.server.public_url.as_deref(),
                    &config.server.allowed_hosts,
                ),
                crate::guard::guard,
            ))
            // Refusals (4xx) are the caller's; 5xx of a backend being down are
            // expected in operation too: neither is logged as an error.
            .layer(tower_http::trace::TraceLayer::new_for_http().on_failure(
                tower_http::trace::DefaultOnFailure::new().level(tracing::Level::DEBUG),
            ))
            .with_state(state);

    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(%addr, error = %e, "cannot listen");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(url = %format!("http://{addr}"), config = %config_path.display(), database = %config.server.database.display(),
        zookeeper = config.zookeeper.len(), kafka = config.kafka.len(), rabbitmq = config.rabbitmq.len(), "zkmq serving");
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: closing live streams and finishing requests");
        let _ = shutdown_tx.send(true);
    })
    .await;
    // The router (and its copy of `live`) is gone: wait for the live streams
    // to close their websockets, bounded so a stuck client cannot hold us.
    if tokio::time::timeout(Duration::from_secs(3), live_rx.recv())
        .await
        .is_err()
    {
        tracing::warn!("live streams still open 3 s after shutdown; exiting anyway");
    }
    match served {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!(error = %e, "server failed");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// `zkmq audit verify`: exit 0 if the chain holds, 1 with the first broken record otherwise.
pub async fn verify_audit(config: &Config) -> ExitCode {
    let db = &config.server.database;
    if !db.exists() {
        eprintln!("zkmq: audit database {} does not exist", db.display());
        return ExitCode::from(2);
    }
    let log = match AuditLog::open(db).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("zkmq: {e}");
            return ExitCode::from(2);
        }
    };
    match log.verify().await {
        Ok(r) => match r.first_broken {
            None => {
                println!(
                    "audit chain intact: {} rows checked in {}{}",
                    r.rows_checked,
                    db.display(),
                    r.rows_per_second
                        .map(|n| format!(" ({n} rows/s)"))
                        .unwrap_or_default()
                );
                ExitCode::SUCCESS
            }
            Some(b) => {
                println!(
                    "audit chain BROKEN at row {}: {} ({} rows checked in {})",
                    b.seq,
                    b.reason,
                    r.rows_checked,
                    db.display()
                );
                ExitCode::from(1)
            }
        },
        Err(e) => {
            eprintln!("zkmq: {e}");
            ExitCode::from(2)
        }
    }
}
