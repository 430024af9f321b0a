//! The request guard against the attacks issue 14 tried on a running
//! console: a foreign page's form POST, DNS rebinding (a foreign Host) and a
//! foreign page's websocket — each refused with 403 and a JSON reason, and
//! nothing changed on the real ZooKeeper.

mod common;

use common::{api, http_as, open_ws, open_ws_as, start_server, unique};

fn start() -> common::Server {
    start_server(&common::sandbox_zookeeper_table(""))
}

fn denied(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    v["Denied"]
        .as_str()
        .unwrap_or_else(|| panic!("not a Denied AppError: {v}"))
        .to_string()
}

#[test]
fn a_foreign_page_cannot_change_anything() {
    let s = start();
    let path = format!("/{}", unique("csrf"));
    let form = format!("cluster=local&path={path}&data=x&encoding=text&kind=persistent");
    // What a plain HTML form or a no-cors fetch on another site sends.
    for headers in [
        vec![
            ("Origin", "http://evil.example"),
            ("Content-Type", "text/plain"),
        ],
        vec![("Sec-Fetch-Site", "cross-site")],
        // Same host, other port: another site too.
        vec![("Origin", "http://127.0.0.1:1")],
        // No Origin and no Sec-Fetch-Site: not from a page of zkmq's.
        vec![],
    ] {
        let (status, body) = http_as(s.port, "POST", "/api/create_znode", &headers, &form).unwrap();
        assert_eq!(status, 403, "{headers:?}: {body}");
        let why = denied(&body);
        assert!(
            why.contains("zkmq accepts changes only from its own pages"),
            "{why}"
        );
    }
    let (status, v) = api(&s, "get_znode", &[("cluster", "local"), ("path", &path)]);
    assert_eq!(status, 404, "the refused create changed nothing: {v}");

    // zkmq's own page: its Origin, or Sec-Fetch-Site same-origin.
    let own = format!("http://127.0.0.1:{}", s.port);
    let (status, body) = http_as(
        s.port,
        "POST",
        "/api/create_znode",
        &[("Origin", &own)],
        &form,
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let (status, body) = http_as(
        s.port,
        "POST",
        "/api/delete_znode",
        &[("Sec-Fetch-Site", "same-origin")],
        &format!("cluster=local&path={path}&version=0"),
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
}

#[test]
fn only_configured_host_names_are_served() {
    let s = start();
    let rebound = [("Host", "rebind.attacker.example:3000")];
    for (method, path) in [
        ("GET", "/"),
        ("GET", "/zookeeper/local"),
        ("POST", "/api/list_clusters"),
    ] {
        let (status, body) = http_as(s.port, method, path, &rebound, "").unwrap();
        assert_eq!(status, 403, "{method} {path}: {body}");
        assert!(
            denied(&body).contains("\"rebind.attacker.example\""),
            "{body}"
        );
    }
    // localhost is zkmq's own name; probes by address reach /healthz whatever the Host.
    let port = s.port.to_string();
    let local = format!("localhost:{port}");
    let (status, _) = http_as(s.port, "GET", "/", &[("Host", &local)], "").unwrap();
    assert_eq!(status, 200);
    let (status, _) = http_as(s.port, "GET", "/healthz", &rebound, "").unwrap();
    assert_eq!(status, 200);
}

#[test]
fn a_foreign_page_cannot_open_a_live_socket() {
    let s = start();
    for path in ["/ws/overview", "/ws/zookeeper/local", "/ws/ensemble/local"] {
        let (_, head) = open_ws_as(s.port, path, &[("Origin", "https://evil.example")]);
        assert!(head.starts_with("HTTP/1.1 403"), "{path}: {head}");
        let (_, head) = open_ws_as(s.port, path, &[("Host", "rebind.attacker.example")]);
        assert!(head.starts_with("HTTP/1.1 403"), "{path}: {head}");
        let (_, head) = open_ws(s.port, path);
        assert!(head.starts_with("HTTP/1.1 101"), "{path}: {head}");
    }
}
