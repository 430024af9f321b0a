//! Shared helpers for integration tests against the real sandbox services.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use std::time::Instant;
use zkmq::config::Config;

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
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
    _dir: tempfile::TempDir,
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
    let child = Command::new(env!("CARGO_BIN_EXE_zkmq"))
        .args(["serve", "--config"])
        .arg(&cfg)
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .env("LEPTOS_OUTPUT_NAME", "zkmq")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server {
        child,
        port,
        db,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok((200, _)) = http(port, "GET", "/healthz", "") {
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("zkmq serve did not answer /healthz within 20 s");
}

/// A minimal HTTP/1.1 client: (status, body). Form bodies for server functions.
pub fn http(port: u16, method: &str, path: &str, form: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(15)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
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
    let out = Command::new(env!("CARGO_BIN_EXE_zkmq"))
        .args(args)
        .env_remove("ZKMQ_CONFIG")
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
