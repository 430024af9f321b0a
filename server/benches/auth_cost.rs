//! What logins and the authorize step cost (`scripts/bench auth`; figures in
//! docs/PERFORMANCE.md, issue 14).
//!
//! A cheap server function (`list_clusters`: no backend call) over HTTP,
//! signed in by a session cookie and by an API token, alternating, with
//! `/healthz` beside it as the floor of an HTTP round trip. Each answer
//! carries the server's own time for finding the caller (`Server-Timing:
//! auth;dur=…`, measured in the request itself), so "before this issue" is
//! the same request less that time: a ratio of one run, one server, the same
//! calls. The role check (a pure function of the grants) is timed apart, as
//! are a cache miss (one SQLite query) and a password login (argon2id verify
//! + session row), which should stay under ~300 ms on 2 cores.

mod common;

use app::auth::logic::{allows, parse_grant};
use app::auth::model::Permission;
use app::auth::ssr::{AuthStore, SessionPolicy, audited};
use app::error::Backend;
use app::runtime::RequestContext;
use common::{ADMIN_PASSWORD, http_post, median, ms, root};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const CALLS: usize = 400;

fn request(port: u16, head: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "{head}").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn ok(resp: &str) {
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
}

/// The server's `Server-Timing: auth;dur=<ms>` of an answer.
fn auth_ms(resp: &str) -> f64 {
    resp.lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("server-timing: auth;dur=")
                .map(str::to_string)
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Server-Timing auth in {resp}"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // In-process: the authorize step on a fresh account store.
    let dir = tempfile::tempdir().unwrap();
    let audit = app::audit::ssr::AuditLog::open(&dir.path().join("auth.db"))
        .await
        .unwrap();
    let store = AuthStore::new(
        audit.pool().clone(),
        SessionPolicy {
            idle: Duration::from_secs(3600),
            max: Duration::from_secs(3600),
            secure_cookie: false,
        },
    )
    .await
    .unwrap();
    let ctx = RequestContext::local("bench");
    audited::add_user(&store, &audit, &ctx, "alice", Some(ADMIN_PASSWORD))
        .await
        .unwrap();
    for (role, scope) in [("operator", "kafka/*"), ("viewer", "*/*")] {
        let g = parse_grant(role, scope).unwrap();
        audited::change_grant(&store, &audit, &ctx, "alice", &g, true)
            .await
            .unwrap();
    }
    let session = audited::login(&store, &audit, &ctx, "alice", ADMIN_PASSWORD)
        .await
        .unwrap();
    // A cache miss: the first lookup of each of 50 fresh sessions (one query).
    let (mut logins, mut misses) = (Vec::new(), Vec::new());
    for _ in 0..50 {
        let t = Instant::now();
        let s = audited::login(&store, &audit, &ctx, "alice", ADMIN_PASSWORD)
            .await
            .unwrap();
        logins.push(ms(t.elapsed()));
        let t = Instant::now();
        let p = store.session(&s.token).await.unwrap().unwrap();
        assert!(allows(
            &p.grants,
            Backend::Kafka,
            "local",
            Permission::Change
        ));
        misses.push(ms(t.elapsed()));
    }

    // Over HTTP against a release server.
    let port = 3194;
    let server = common::start_server(&root().join("config/zkmq.toml"), port);
    let origin = format!("http://127.0.0.1:{port}");
    let token = {
        let resp = http_post(port, "/api/create_api_token", "label=bench&days=1");
        let body = resp.split_once("\r\n\r\n").unwrap().1;
        let start = body.find("zkmq_").expect("a token in the answer");
        body[start..start + 5 + 64].to_string()
    };
    let by_token = format!(
        "POST /api/list_clusters HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\
         Connection: close\r\nContent-Length: 0\r\n\r\n"
    );
    // Each request is one preformatted write, so none waits on Nagle's algorithm.
    let by_cookie = format!(
        "POST /api/list_clusters HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\nCookie: {}\r\n\
         Connection: close\r\nContent-Length: 0\r\n\r\n",
        common::login(port).expect("the bench admin logs in")
    );
    let health = format!(
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\nConnection: close\r\n\r\n"
    );
    // Per request: the whole call as the client sees it, and the server's
    // time for finding the caller within it.
    let (mut cookie, mut cookie_auth, mut cookie_without) = (Vec::new(), Vec::new(), Vec::new());
    let (mut bearer, mut bearer_auth, mut bearer_without) = (Vec::new(), Vec::new(), Vec::new());
    let mut floor = Vec::new();
    for _ in 0..20 {
        ok(&http_post(port, "/api/list_clusters", ""));
    }
    for i in 0..CALLS {
        // Alternating which goes first, so neither always meets a warmer cache.
        let mut round = |k: usize| match k {
            0 => {
                let t = Instant::now();
                let r = request(port, &by_cookie);
                let whole = ms(t.elapsed());
                ok(&r);
                let a = auth_ms(&r);
                cookie.push(whole);
                cookie_auth.push(a);
                cookie_without.push(whole - a);
            }
            1 => {
                let t = Instant::now();
                let r = request(port, &by_token);
                let whole = ms(t.elapsed());
                ok(&r);
                let a = auth_ms(&r);
                bearer.push(whole);
                bearer_auth.push(a);
                bearer_without.push(whole - a);
            }
            _ => {
                let t = Instant::now();
                ok(&request(port, &health));
                floor.push(ms(t.elapsed()));
            }
        };
        for k in 0..3 {
            round((k + i) % 3);
        }
    }
    drop(server);

    // The role check alone: a pure function of the caller's grants.
    let p = store.session(&session.token).await.unwrap().unwrap();
    const CHECKS: u32 = 100_000;
    let t = Instant::now();
    for _ in 0..CHECKS {
        assert!(std::hint::black_box(allows(
            &p.grants,
            Backend::Kafka,
            "local",
            Permission::Change
        )));
    }
    let check_us = t.elapsed().as_secs_f64() * 1e6 / f64::from(CHECKS);

    let miss = median(misses);
    let login = median(logins);
    let (c, ca, cw) = (median(cookie), median(cookie_auth), median(cookie_without));
    let (b, ba, bw) = (median(bearer), median(bearer_auth), median(bearer_without));
    let f = median(floor);
    println!("median of {CALLS} calls each, side by side:");
    println!(
        "  list_clusters, session cookie:   {c:7.3} ms; finding the caller {ca:.3} ms; without it {cw:.3} ms; ratio {:.3}x",
        c / cw
    );
    println!(
        "  list_clusters, API token:        {b:7.3} ms; finding the caller {ba:.3} ms; without it {bw:.3} ms; ratio {:.3}x",
        b / bw
    );
    println!("  /healthz (no auth, no function): {f:7.3} ms");
    println!("  the role check alone: {check_us:.3} µs");
    println!("  finding the caller on a cache miss (one SQLite query), median of 50: {miss:.3} ms");
    println!("  password login (argon2id verify + session), median of 50: {login:.1} ms");
    println!(
        "BENCH auth call_cookie_ms={c:.3} cookie_auth_ms={ca:.3} cookie_ratio={:.3} call_token_ms={b:.3} token_auth_ms={ba:.3} token_ratio={:.3} healthz_ms={f:.3} check_us={check_us:.3} miss_ms={miss:.3} login_ms={login:.1}",
        c / cw,
        b / bw
    );
}
