//! What a server function answers when it refuses: the status says whose
//! mistake it was (4xx the caller's, 5xx zkmq's or a backend's) and the body
//! is always the JSON `AppError` the browser shows at the field — including
//! for requests too large to read.

mod common;

use common::{api, start_server, unique};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn start() -> common::Server {
    start_server(&common::sandbox_zookeeper_table(""))
}

#[test]
fn refusals_have_their_status_and_a_readable_body() {
    let s = start();
    let path = format!("/{}", unique("api-errors"));

    // 3 MB of JSON text, about 9 MB form-encoded: over axum's default body
    // limit (2 MB), which used to answer before the field's own limit did.
    let big = format!("{{\"v\":\"{}\"}}", "x".repeat(3_000_000));
    let (status, v) = api(
        &s,
        "create_znode",
        &[
            ("cluster", "local"),
            ("path", &path),
            ("data", &big),
            ("encoding", "json"),
            ("kind", "persistent"),
        ],
    );
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["Invalid"]["field"], "data", "{v}");
    assert!(
        v["Invalid"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("jute.maxbuffer")),
        "{v}"
    );

    // Unknown cluster: 404; missing arguments: 400 — both with an AppError body.
    let (status, v) = api(&s, "get_znode", &[("cluster", "nope"), ("path", "/")]);
    assert_eq!(status, 404, "{v}");
    assert!(v["UnknownCluster"].is_object(), "{v}");
    let (status, v) = api(&s, "get_znode", &[("cluster", "local")]);
    assert_eq!(status, 400, "{v}");
    assert!(v["Transport"].is_string(), "{v}");
    // A missing znode: 404.
    let (status, v) = api(&s, "get_znode", &[("cluster", "local"), ("path", &path)]);
    assert_eq!(status, 404, "{v}");

    // Larger than any request zkmq reads: refused before the body is read,
    // with a sentence, not axum's plain-text "length limit exceeded".
    let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    write!(
        c,
        "POST /api/create_znode HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\nConnection: close\r\n\
         Cookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\ncluster=local",
        40 * 1024 * 1024,
        port = s.port,
        cookie = common::admin_cookie(s.port),
    )
    .unwrap();
    let mut raw = String::new();
    let _ = c.read_to_string(&mut raw);
    assert!(raw.starts_with("HTTP/1.1 413"), "{raw}");
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {raw}"));
    assert_eq!(v["Invalid"]["field"], "request", "{v}");
    assert!(
        v["Invalid"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("32 MiB")),
        "{v}"
    );
}

/// Pages answer like the server functions behind them: a page of a cluster
/// the configuration lacks, or of an object that does not exist, is a 404
/// (its banner says why), not a 200 that only reads like an error.
#[test]
fn pages_of_unknown_clusters_and_missing_objects_are_404() {
    let s = start();
    let missing = format!("/zookeeper/local/{}", unique("no-such-znode"));
    for (path, want) in [
        ("/zookeeper/local", 200),
        ("/zookeeper/nope", 404),
        ("/zookeeper/nope/a/b", 404),
        (missing.as_str(), 404),
        ("/ensemble/nope", 404),
        ("/kafka/nope", 404),
        ("/kafka/nope/topics/t", 404),
        ("/rabbitmq/nope/queues/%2F/q", 404),
        ("/no/such/page", 404),
    ] {
        let (status, body) = common::http(s.port, "GET", path, "").unwrap();
        assert_eq!(status, want, "GET {path}: {}", &body[..body.len().min(300)]);
        if want == 404 && path != "/no/such/page" {
            assert!(
                body.contains("role=\"alert\""),
                "GET {path} says why: {}",
                &body[..body.len().min(300)]
            );
        }
    }
}
