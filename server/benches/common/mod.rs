//! Helpers shared by the benchmarks: medians, RSS, a bare HTTP client and a
//! `zkmq serve` child process on its own port and database.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

/// The first-start admin's password of every bench server.
pub const ADMIN_PASSWORD: &str = "admin password for benchmarks";

/// The admin's session cookie per port, sent by [`http_post`].
static SESSIONS: Mutex<Vec<(u16, String)>> = Mutex::new(Vec::new());

fn cookie_of(port: u16) -> String {
    SESSIONS
        .lock()
        .unwrap()
        .iter()
        .find(|(p, _)| *p == port)
        .map_or(String::new(), |(_, c)| format!("Cookie: {c}\r\n"))
}

/// Logs in as the admin; returns the `Cookie` value.
pub fn login(port: u16) -> Option<String> {
    let body = format!("name=admin&password={}", ADMIN_PASSWORD.replace(' ', "+"));
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(s, "POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\nConnection: close\r\nAccept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}", body.len()).ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    out.lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// POSTs a form to the server; returns the whole response (head and body).
pub fn http_post(port: u16, path: &str, body: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n{}Connection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}", cookie_of(port), body.len()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// `zkmq serve` with `config` on `port`, its database in a temp dir; killed on drop.
pub struct Server {
    pub child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(bench_dir());
    }
}

fn bench_dir() -> PathBuf {
    std::env::temp_dir().join(format!("zkmq-bench-{}", std::process::id()))
}

pub fn start_server(config: &Path, port: u16) -> Server {
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_zkmq"))
        .args(["serve", "--config"])
        .arg(config)
        .args([
            "--database",
            dir.join("bench.db").to_str().unwrap(),
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .env("LEPTOS_OUTPUT_NAME", "zkmq")
        .env("ZKMQ_LOG", "warn")
        .env("ZKMQ_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let cookie = login(port).expect("the bench admin cannot log in");
    SESSIONS.lock().unwrap().push((port, cookie));
    Server { child, port }
}

/// A copy of the config at `config` whose first `key = [...]` line (the
/// first cluster's hosts or bootstrap servers) lists only `member`, so that
/// zkmq talks to the same server as the raw client it is compared with.
pub fn pinned_config(config: &Path, key: &str, member: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(config).unwrap();
    let mut done = false;
    let pinned: Vec<String> = text
        .lines()
        .map(|l| {
            if !done && l.trim_start().starts_with(key) {
                done = true;
                format!("{key} = [\"{member}\"]")
            } else {
                l.to_string()
            }
        })
        .collect();
    assert!(done, "no {key} line in {}", config.display());
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join(format!("pinned-{key}.toml"));
    std::fs::write(&out, pinned.join("\n") + "\n").unwrap();
    out
}
