//! Shared helpers for integration tests against the real sandbox services.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;
use std::time::Instant;
use zkmq::config::Config;

/// The password of the admin ("admin", admin and payloads on */*) every
/// test server is started with (`ZKMQ_ADMIN_PASSWORD`, first start).
pub const ADMIN_PASSWORD: &str = "admin password for tests";

/// The session cookie (`zkmq_session=…`) of the admin of each test server,
/// by port: [`http`], [`http_as`] and the websocket helpers send it, so
/// every test is signed in through this one helper unless it says otherwise.
static SESSIONS: Mutex<Option<HashMap<u16, String>>> = Mutex::new(None);

/// The admin's `Cookie` value for the server on `port`, for tests that
/// write their own requests.
pub fn admin_cookie(port: u16) -> String {
    session_of(port).expect("a server started by start_server")
}

fn session_of(port: u16) -> Option<String> {
    SESSIONS.lock().unwrap().as_ref()?.get(&port).cloned()
}

/// Logs in with a password; the `Cookie` header value to send, or the
/// refusal (status, body).
pub fn login(port: u16, user: &str, password: &str) -> Result<String, (u16, String)> {
    let body = form(&[("name", user), ("password", password)]);
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    write!(
        s,
        "POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n\
         Connection: close\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status: u16 = raw.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let (head, rest) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let cookie = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .and_then(|(_, v)| v.trim().split(';').next().map(str::to_string));
    match (status, cookie) {
        (200, Some(c)) => Ok(c),
        _ => Err((status, rest.to_string())),
    }
}

/// Creates user `name` (as the server's admin) with `grants` like
/// `("operator", "zookeeper/*")`, logs in as them and returns their cookie.
pub fn user_with(s: &Server, name: &str, grants: &[(&str, &str)]) -> String {
    let password = format!("password of {name}");
    let (st, v) = api(s, "add_user", &[("name", name), ("password", &password)]);
    assert_eq!(st, 200, "add_user {name}: {v}");
    for (role, scope) in grants {
        let (st, v) = api(
            s,
            "grant_role",
            &[("name", name), ("role", role), ("scope", scope)],
        );
        assert_eq!(st, 200, "grant_role {name} {role} {scope}: {v}");
    }
    login(s.port, name, &password).unwrap_or_else(|e| panic!("login as {name}: {e:?}"))
}

/// Logs the holder of `cookie` out (as a script: JSON, no redirect); the status.
pub fn logout(s: &Server, cookie: &str) -> u16 {
    let own = format!("http://127.0.0.1:{}", s.port);
    let headers = [
        ("Origin", own.as_str()),
        ("Cookie", cookie),
        ("Accept", "application/json"),
    ];
    http_as(s.port, "POST", "/auth/logout", &headers, "")
        .unwrap()
        .0
}

/// A server-function call as the holder of `cookie` (from [`user_with`]).
pub fn api_as(
    s: &Server,
    cookie: &str,
    name: &str,
    pairs: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let own = format!("http://127.0.0.1:{}", s.port);
    let (status, body) = http_as(
        s.port,
        "POST",
        &format!("/api/{name}"),
        &[("Origin", &own), ("Cookie", cookie)],
        &form(pairs),
    )
    .unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
    )
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A `[[zookeeper]]` table for the sandbox ensemble as cluster "local",
/// with `extra` keys (e.g. "max_data_bytes = 1000\n").
#[allow(dead_code)] // not every test binary starts a ZooKeeper-only server
pub fn sandbox_zookeeper_table(extra: &str) -> String {
    let hosts = sandbox_config().zookeeper[0]
        .hosts
        .iter()
        .map(|h| format!("\"{h}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!("\n[[zookeeper]]\nid = \"local\"\nname = \"Sandbox\"\nhosts = [{hosts}]\n{extra}")
}

/// The shipped config, which points at the sandbox (`scripts/sandbox start`).
pub fn sandbox_config() -> Config {
    Config::load(&workspace_root().join("config/zkmq.toml"), |_| None)
        .expect("shipped config must be valid")
}

pub const TIMEOUT: Duration = Duration::from_secs(5);

/// A name unique to this test run, for znode roots, topics and queues.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `zkmq serve`, killed on drop.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub db: PathBuf,
    cfg: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    /// `kill -9` (a crash: no shutdown, no outcome rows), then the same
    /// console again on the same port and database.
    pub fn crash_and_restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = spawn_serve(&self.cfg, self.port);
        wait_ready(self.port);
    }
}

fn spawn_serve(cfg: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_zkmq"))
        .args(["serve", "--config"])
        .arg(cfg)
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .env("LEPTOS_OUTPUT_NAME", "zkmq")
        .env("ZKMQ_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits for `/healthz`, then logs the test admin in (the cookie every call sends).
fn wait_ready(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok((200, _)) = http(port, "GET", "/healthz", "") {
            let cookie = login(port, "admin", ADMIN_PASSWORD)
                .unwrap_or_else(|e| panic!("the test admin cannot log in: {e:?}"));
            SESSIONS
                .lock()
                .unwrap()
                .get_or_insert_with(HashMap::new)
                .insert(port, cookie);
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("zkmq serve did not answer /healthz within 20 s");
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `zkmq serve` on a free port with its own audit database; `rest` is
/// appended to the `[server]` table (more keys, then cluster tables).
pub fn start_server(rest: &str) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    let cfg = dir.path().join("zkmq.toml");
    std::fs::write(
        &cfg,
        format!("[server]\ndatabase = \"{}\"\n{rest}", db.display()),
    )
    .unwrap();
    let port = free_port();
    let child = spawn_serve(&cfg, port);
    let server = Server {
        child,
        port,
        db,
        cfg,
        _dir: dir,
    };
    wait_ready(port);
    server
}

/// A server with the sandbox's Kafka as cluster `local` (and nothing else).
pub fn start_with_sandbox_kafka() -> Server {
    start_with_sandbox_kafka_and("")
}

/// The same, with more `[server]` keys (`extra`, one per line).
pub fn start_with_sandbox_kafka_and(extra: &str) -> Server {
    let k = &sandbox_config().kafka[0];
    let servers = k
        .bootstrap_servers
        .iter()
        .map(|h| format!("\"{h}\""))
        .collect::<Vec<_>>()
        .join(", ");
    start_server(&format!(
        "backend_timeout_ms = 5000\n{extra}\n[[kafka]]\nid = \"local\"\nname = \"Sandbox Kafka\"\nbootstrap_servers = [{servers}]\n"
    ))
}

/// A server with the sandbox's RabbitMQ as cluster `local` (and nothing else).
pub fn start_with_sandbox_rabbitmq() -> Server {
    let r = &sandbox_config().rabbitmq[0];
    start_server(&format!(
        "backend_timeout_ms = 5000\n\n[[rabbitmq]]\nid = \"local\"\nname = \"Sandbox RabbitMQ\"\nmanagement_url = \"{}\"\namqp_url = \"{}\"\nusername = \"{}\"\npassword = \"{}\"\n",
        r.management_url,
        r.amqp_url.as_deref().unwrap(),
        r.username,
        r.password.expose()
    ))
}

/// GET `/api/<path>` of the sandbox RabbitMQ's management API, as JSON
/// (the broker's own view, to check what zkmq did there).
pub fn rabbit_api(path: &str) -> serde_json::Value {
    let cfg = sandbox_config();
    let r = &cfg.rabbitmq[0];
    let url = url::Url::parse(&r.management_url).unwrap();
    let addr = format!(
        "{}:{}",
        url.host_str().unwrap(),
        url.port_or_known_default().unwrap()
    );
    let mut s = TcpStream::connect(&addr).expect("RabbitMQ management API");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let auth = base64_encode(format!("{}:{}", r.username, r.password.expose()).as_bytes());
    write!(
        s,
        "GET /api/{path} HTTP/1.0\r\nHost: {addr}\r\nAuthorization: Basic {auth}\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("/api/{path}: {e}: {raw}"))
}

/// Live-socket frames as JSON until `done` says so (keep-alives skipped),
/// or panics after 30 s with what came.
pub fn read_frames_until(
    ws: &mut TcpStream,
    mut done: impl FnMut(&serde_json::Value) -> bool,
) -> Vec<serde_json::Value> {
    ws.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut frames = Vec::new();
    while Instant::now() < deadline {
        let f: serde_json::Value = serde_json::from_str(&read_text_frame(ws)).unwrap();
        if f["op"] == "keep_alive" {
            continue;
        }
        let stop = done(&f);
        frames.push(f);
        if stop {
            return frames;
        }
    }
    panic!("no end after 30 s: {frames:?}");
}

/// A minimal HTTP/1.1 client: (status, body). Form bodies for server
/// functions. Sent as zkmq's own pages send it (Host and Origin of the
/// console), which the request guard requires of every change.
pub fn http(port: u16, method: &str, path: &str, form: &str) -> std::io::Result<(u16, String)> {
    let own = format!("http://127.0.0.1:{port}");
    http_as(port, method, path, &[("Origin", &own)], form)
}

/// [`http`] with the given headers instead of the Origin (`Host` too, when
/// one is given; otherwise the console's own).
pub fn http_as(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    form: &str,
) -> std::io::Result<(u16, String)> {
    exchange(
        TcpStream::connect(("127.0.0.1", port))?,
        port,
        method,
        path,
        headers,
        form,
    )
}

/// [`http_as`] from the local address `source` (another loopback address
/// such as 127.0.0.2): what a proxy on another host looks like to zkmq.
pub fn http_from(
    source: &str,
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    form: &str,
) -> std::io::Result<(u16, String)> {
    let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    let from: std::net::SocketAddr = format!("{source}:0").parse().expect("an IPv4 address");
    sock.bind(&from.into())?;
    let to: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
    sock.connect(&to.into())?;
    exchange(sock.into(), port, method, path, headers, form)
}

/// Sends a server-function call as the admin and hangs up without waiting
/// for the answer (a closed tab, a dropped connection).
pub fn call_and_hang_up(port: u16, name: &str, pairs: &[(&str, &str)]) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let own = format!("http://127.0.0.1:{port}");
    let body = form(pairs);
    write!(
        s,
        "POST /api/{name} HTTP/1.1\r\n{}Accept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        head_lines(port, &[("Origin", &own)]),
        body.len()
    )
    .unwrap();
    // Long enough for the server to read the request and start; then gone.
    std::thread::sleep(Duration::from_millis(150));
    s.shutdown(std::net::Shutdown::Both).unwrap();
}

/// A GET's whole answer, head and body, as sent (for redirects and cookies).
pub fn raw_get(port: u16, path: &str, headers: &[(&str, &str)]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\n{}Connection: close\r\n\r\n",
        head_lines(port, headers)
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    String::from_utf8_lossy(&raw).into_owned()
}

fn exchange(
    mut s: TcpStream,
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    form: &str,
) -> std::io::Result<(u16, String)> {
    s.set_read_timeout(Some(Duration::from_secs(15)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\n{}Connection: close\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        head_lines(port, headers),
        form.len()
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    Ok((status, body))
}

/// `Host` (the console's, unless `headers` names one), the admin's session
/// cookie (unless `headers` names a `Cookie`; an empty one sends none) and
/// `headers`, as request head lines.
fn head_lines(port: u16, headers: &[(&str, &str)]) -> String {
    let mut out = String::new();
    let has = |name: &str| headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    if !has("host") {
        out.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    if !has("cookie")
        && let Some(c) = session_of(port)
    {
        out.push_str(&format!("Cookie: {c}\r\n"));
    }
    for (k, v) in headers {
        if !v.is_empty() || !k.eq_ignore_ascii_case("cookie") {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    out
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((len, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(len.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// Form-encodes pairs for a server-function call.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn url_encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Runs the `zkmq` binary; (exit code, stdout + stderr).
pub fn run_zkmq(args: &[&str]) -> (i32, String) {
    run_zkmq_with(args, &[])
}

/// [`run_zkmq`] with `env` set (and nothing on stdin).
pub fn run_zkmq_with(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zkmq"))
        .args(args)
        .env_remove("ZKMQ_CONFIG")
        .env_remove("ZKMQ_PASSWORD")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Runs `scripts/sandbox` with `args`; panics if it fails.
pub fn sandbox(args: &[&str]) {
    let st = Command::new(workspace_root().join("scripts/sandbox"))
        .args(args)
        .status()
        .unwrap();
    assert!(st.success(), "scripts/sandbox {args:?} failed");
}

/// An ensemble monitor for `cfg`, started, with its own history database.
/// Dropping the returned guard stops it.
pub async fn start_monitor(
    cfg: app::zookeeper::ssr::ZkClusterConfig,
) -> (
    std::sync::Arc<app::ensemble::ssr::EnsembleMonitor>,
    MonitorGuard,
) {
    let dir = tempfile::tempdir().unwrap();
    let audit = app::audit::ssr::AuditLog::open(&dir.path().join("m.db"))
        .await
        .unwrap();
    let history = app::ensemble::ssr::history::LeaderHistory::new(audit.pool().clone());
    let config = sandbox_config();
    let links = config
        .kafka
        .iter()
        .map(|k| {
            app::kafka::ssr::KafkaCluster::new(k.clone(), TIMEOUT)
                .unwrap()
                .link_info()
        })
        .collect();
    let zk = std::sync::Arc::new(app::zookeeper::ssr::ZkCluster::new(cfg, TIMEOUT));
    let m =
        std::sync::Arc::new(app::ensemble::ssr::EnsembleMonitor::new(zk, history, links).unwrap());
    let (tx, rx) = tokio::sync::watch::channel(false);
    m.clone().start(rx);
    (
        m,
        MonitorGuard {
            _stop: tx,
            _dir: dir,
        },
    )
}

pub struct MonitorGuard {
    _stop: tokio::sync::watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

/// Waits (bounded) until the monitor publishes a snapshot `ok` accepts;
/// returns it, or panics with the last snapshot seen.
pub async fn wait_snapshot(
    m: &app::ensemble::ssr::EnsembleMonitor,
    within: Duration,
    what: &str,
    ok: impl Fn(&app::ensemble::model::EnsembleSnapshot) -> bool,
) -> app::ensemble::model::EnsembleSnapshot {
    let mut rx = m.subscribe();
    match tokio::time::timeout(within, rx.wait_for(|s| s.round > 0 && ok(s))).await {
        Ok(Ok(s)) => s.clone(),
        _ => panic!(
            "{what}: not seen within {within:?}; last snapshot: {:#?}",
            m.snapshot()
        ),
    }
}

/// Opens a websocket at `path` with a hand-written handshake; returns the
/// socket and the answer's head ("HTTP/1.1 101 …" when it upgraded).
pub fn open_ws(port: u16, path: &str) -> (TcpStream, String) {
    let own = format!("http://127.0.0.1:{port}");
    open_ws_as(port, path, &[("Origin", &own)])
}

/// [`open_ws`] with the given headers instead of the Origin.
pub fn open_ws_as(port: u16, path: &str, headers: &[(&str, &str)]) -> (TcpStream, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\n{}Upgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        head_lines(port, headers)
    )
    .unwrap();
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if s.read_exact(&mut b).is_err() {
            break;
        }
        head.push(b[0]);
    }
    (s, String::from_utf8_lossy(&head).into_owned())
}

/// Reads one unmasked server text frame and returns its payload.
pub fn read_text_frame(s: &mut TcpStream) -> String {
    let mut h = [0u8; 2];
    s.read_exact(&mut h).unwrap();
    assert_eq!(
        h[0] & 0x0f,
        1,
        "expected a text frame, got opcode {}",
        h[0] & 0x0f
    );
    let len = match h[1] & 0x7f {
        126 => {
            let mut l = [0u8; 2];
            s.read_exact(&mut l).unwrap();
            u16::from_be_bytes(l) as usize
        }
        127 => {
            let mut l = [0u8; 8];
            s.read_exact(&mut l).unwrap();
            u64::from_be_bytes(l) as usize
        }
        n => n as usize,
    };
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).unwrap();
    String::from_utf8(body).unwrap()
}

/// A server-function call: (status, JSON body, or the body as a string).
pub fn api(s: &Server, name: &str, pairs: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let (status, body) = http(s.port, "POST", &format!("/api/{name}"), &form(pairs)).unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
    )
}

/// `pairs` with `cluster=local` in front (the sandbox cluster's id).
pub fn on_local<'a>(pairs: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![("cluster", "local")];
    all.extend_from_slice(pairs);
    all
}

/// A call on the cluster "local" that must succeed; returns its JSON.
pub fn ok_on_local(s: &Server, name: &str, pairs: &[(&str, &str)]) -> serde_json::Value {
    let (status, v) = api(s, name, &on_local(pairs));
    assert_eq!(status, 200, "{name} {pairs:?}: {v}");
    v
}

/// A call on the cluster "local" that must be refused; returns the error JSON.
pub fn refused_on_local(s: &Server, name: &str, pairs: &[(&str, &str)]) -> serde_json::Value {
    let (status, v) = api(s, name, &on_local(pairs));
    let e: app::error::AppError = serde_json::from_value(v.clone())
        .unwrap_or_else(|err| panic!("{name} should be refused with an AppError body: {err}: {v}"));
    assert_eq!(status, e.http_status(), "{name}: the status of {v}");
    assert_ne!(status, 500, "{name} should be refused, not fail: {v}");
    v
}

/// Audit records (attempt joined with its outcome), oldest first; `columns`
/// picks from `a` (attempt) and `o` (outcome), e.g. "a.action, o.outcome".
pub async fn audit_rows<T>(s: &Server, columns: &str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    // The first-start admin, its grants and logins are the console's own
    // records ("console"); the tests of a backend count that backend's.
    query_audit(s, columns, "a.backend != 'console'").await
}

/// Every audit record, the console's own (accounts, logins) included.
pub async fn all_audit_rows<T>(s: &Server, columns: &str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    query_audit(s, columns, "1 = 1").await
}

async fn query_audit<T>(s: &Server, columns: &str, filter: &str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", s.db.display()))
        .await
        .unwrap();
    // The columns and filter are the tests' own constants, not input.
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {columns} FROM audit_log a \
         LEFT JOIN audit_log o ON o.record_id = a.seq AND o.phase = 'outcome' \
         WHERE a.phase = 'attempt' AND {filter} ORDER BY a.seq"
    )))
    .fetch_all(&pool)
    .await
    .unwrap()
}

/// Action, target, before, after and outcome of every audit record.
pub type ChangeRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);
pub const CHANGE_COLUMNS: &str = "a.action, a.target, a.before_value, o.after_value, o.outcome";

/// Standard base64 (with padding) of `bytes`, for test data and credentials.
pub fn base64_encode(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The versions the sandbox's servers report about themselves, read from
/// them (not from what the tests expect): ZooKeeper's `srvr` answer, the
/// Kafka release `scripts/sandbox` runs, RabbitMQ's management overview.
#[derive(Debug, Clone)]
pub struct SandboxVersions {
    /// e.g. "3.8.0" (`srvr`'s "Zookeeper version: 3.8.0-<commit>, built on …").
    pub zookeeper: String,
    /// e.g. "3.9.2".
    pub kafka: String,
    /// The release line zkmq shows for Kafka, e.g. "3.9".
    pub kafka_line: String,
    /// e.g. "3.10.8".
    pub rabbitmq: String,
}

pub fn sandbox_versions() -> SandboxVersions {
    let cfg = sandbox_config();
    // ZooKeeper: the first line of `srvr`, up to the `-`.
    let zk_host = cfg.zookeeper[0].hosts[0].clone();
    let mut s = TcpStream::connect(&zk_host).expect("ZooKeeper srvr");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"srvr").unwrap();
    let mut srvr = String::new();
    s.read_to_string(&mut srvr).unwrap();
    let zookeeper = srvr
        .lines()
        .next()
        .and_then(|l| l.split_once("version:"))
        .map(|(_, v)| v.trim())
        .and_then(|v| v.split(['-', ',', ' ']).next())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| panic!("no version in srvr's answer: {srvr}"))
        .to_string();
    // Kafka: the release scripts/sandbox installs and runs.
    let env = Command::new(workspace_root().join("scripts/sandbox"))
        .arg("env")
        .output()
        .unwrap();
    let env = String::from_utf8_lossy(&env.stdout);
    let kafka = env
        .lines()
        .find_map(|l| l.strip_prefix("ZKMQ_KAFKA_VERSION="))
        .unwrap_or_else(|| panic!("no ZKMQ_KAFKA_VERSION in scripts/sandbox env: {env}"))
        .trim()
        .to_string();
    let kafka_line = kafka.split('.').take(2).collect::<Vec<_>>().join(".");
    // RabbitMQ: the management API's overview.
    let v = rabbit_api("overview");
    let rabbitmq = v["rabbitmq_version"]
        .as_str()
        .unwrap_or_else(|| panic!("no rabbitmq_version in {v}"))
        .to_string();
    SandboxVersions {
        zookeeper,
        kafka,
        kafka_line,
        rabbitmq,
    }
}

/// Sends one masked client text frame (clients must mask, RFC 6455 5.3).
pub fn send_text_frame(s: &mut TcpStream, text: &str) {
    let payload = text.as_bytes();
    let mut frame = vec![0x81u8];
    match payload.len() {
        n if n < 126 => frame.push(0x80 | n as u8),
        n if n <= u16::MAX as usize => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    let mask = [0x37u8, 0xfa, 0x21, 0x3d];
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    s.write_all(&frame).unwrap();
}

/// Splits raw server→client websocket bytes into (opcode, payload) frames;
/// panics on a truncated frame.
pub fn parse_server_frames(mut raw: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut frames = Vec::new();
    while !raw.is_empty() {
        assert!(raw.len() >= 2, "truncated frame header: {raw:?}");
        let opcode = raw[0] & 0x0f;
        assert_eq!(raw[1] & 0x80, 0, "server frames are not masked");
        let (len, head) = match raw[1] & 0x7f {
            126 => (u16::from_be_bytes([raw[2], raw[3]]) as usize, 4),
            127 => (
                u64::from_be_bytes(raw[2..10].try_into().unwrap()) as usize,
                10,
            ),
            n => (n as usize, 2),
        };
        assert!(raw.len() >= head + len, "truncated frame body");
        frames.push((opcode, raw[head..head + len].to_vec()));
        raw = &raw[head + len..];
    }
    frames
}
