//! The request guard in front of everything (issue 14, step 1): which Host
//! names zkmq answers, and which requests may change something.
//!
//! * **Host**: only configured names are served. A page on another site that
//!   rebinds its own DNS name to 127.0.0.1 would otherwise read and drive the
//!   console as if it were zkmq's own page (DNS rebinding).
//! * **Origin**: every request that changes state — a server-function POST,
//!   a websocket upgrade — must come from zkmq's own pages. Browsers send
//!   `Origin` on both and `Sec-Fetch-Site` on every request; a foreign page
//!   cannot forge either. A plain HTML form or a no-cors `fetch` from any
//!   site used to reach every mutation, because server functions do not
//!   care about the content type.
//!
//! Refusals are 403 with the JSON `AppError` every caller already reads.

use app::error::AppError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// What the guard lets through, built once from `[server]`.
#[derive(Debug, Clone)]
pub struct Guard {
    /// Lower-case host names (no port) zkmq answers to.
    hosts: Arc<Vec<String>>,
    /// `scheme://host[:port]` of `server.public_url`, lower case, if set.
    public_origin: Option<String>,
}

/// Paths served whatever the Host: load balancers and Prometheus probe by
/// address. They change nothing and hold no cluster data beyond ids.
const ANY_HOST: &[&str] = &["/healthz", "/metrics"];

impl Guard {
    /// The names a browser may use for zkmq: `localhost`, the loopback
    /// addresses, the bind address (unless it is a wildcard), the host of
    /// `public_url` and every `allowed_hosts` entry.
    pub fn new(bind: SocketAddr, public_url: Option<&str>, allowed_hosts: &[String]) -> Guard {
        let mut hosts: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "[::1]".into()];
        if !bind.ip().is_unspecified() {
            hosts.push(match bind {
                SocketAddr::V4(a) => a.ip().to_string(),
                SocketAddr::V6(a) => format!("[{}]", a.ip()),
            });
        }
        let public_origin = public_url.and_then(origin_of);
        if let Some(o) = &public_origin
            && let Some(h) = host_of_origin(o)
        {
            hosts.push(h);
        }
        hosts.extend(allowed_hosts.iter().map(|h| h.trim().to_ascii_lowercase()));
        hosts.sort();
        hosts.dedup();
        Guard {
            hosts: Arc::new(hosts),
            public_origin,
        }
    }

    /// Why `Host` is refused, if it is.
    fn host_refusal(&self, headers: &HeaderMap) -> Option<String> {
        let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
            return Some("the request names no Host".into());
        };
        let name = strip_port(host).to_ascii_lowercase();
        if self.hosts.contains(&name) {
            None
        } else {
            Some(format!(
                "zkmq is not served as \"{name}\" (allowed: {}); add the name to server.allowed_hosts or set server.public_url",
                self.hosts.join(", ")
            ))
        }
    }

    /// Why a state-changing request is refused, if it is: it must carry
    /// zkmq's own `Origin` (the Host it was sent to, or `public_url`), or
    /// `Sec-Fetch-Site: same-origin` / `none` (typed or bookmarked).
    fn origin_refusal(&self, headers: &HeaderMap) -> Option<String> {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if let Some(origin) = text(header::ORIGIN.as_str()) {
            let origin = origin.trim().to_ascii_lowercase();
            let host = text(header::HOST.as_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            let own = authority_of_origin(&origin).is_some_and(|a| a == host)
                || self.public_origin.as_deref() == Some(origin.as_str());
            return (!own).then(|| {
                format!("this request came from another site ({origin}); zkmq accepts changes only from its own pages")
            });
        }
        match text("sec-fetch-site") {
            Some("same-origin" | "none") => None,
            Some(other) => Some(format!(
                "this request came from another site (Sec-Fetch-Site: {other}); zkmq accepts changes only from its own pages"
            )),
            None => Some(
                "this request names no Origin: zkmq accepts changes only from its own pages (send the Origin header of the console's address)"
                    .into(),
            ),
        }
    }
}

/// Whether the request changes (or may change) state: every server-function
/// POST, login and logout, and every websocket upgrade (the live sockets
/// search and stream).
fn changes_state(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    let upgrade = headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    upgrade
        || path.starts_with("/ws/")
        || ((path.starts_with("/api/") || path.starts_with("/auth/")) && method != Method::GET)
}

/// Whether the URL carries something that looks like a token: URLs end up
/// in proxy logs, browser history and Referer headers.
fn token_in_url(query: Option<&str>) -> bool {
    query.is_some_and(|q| {
        url::form_urlencoded::parse(q.as_bytes()).any(|(k, v)| {
            k == "access_token" || k == "token" || v.starts_with(app::auth::logic::TOKEN_PREFIX)
        })
    })
}

/// A script's call: an API token and no cookie. A browser cannot attach an
/// `Authorization` header to a cross-site request without a CORS preflight
/// zkmq never grants, so the Origin rule (against cookie riding) does not
/// apply; the token is checked by the session layer, the Host rule here.
fn token_only(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "))
        && headers.get(header::COOKIE).is_none()
}

pub async fn guard(State(g): State<Guard>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !ANY_HOST.contains(&path)
        && let Some(why) = g.host_refusal(req.headers())
    {
        return refuse(why);
    }
    if token_in_url(req.uri().query()) {
        let e = AppError::invalid(
            "token",
            "API tokens go in the Authorization header (Bearer), never in a URL: URLs are logged",
        );
        return answer(StatusCode::UNPROCESSABLE_ENTITY, &e);
    }
    if changes_state(req.method(), path, req.headers())
        && !token_only(req.headers())
        && let Some(why) = g.origin_refusal(req.headers())
    {
        return refuse(why);
    }
    next.run(req).await
}

fn refuse(why: String) -> Response {
    tracing::warn!(reason = %why, "request refused by the guard");
    answer(StatusCode::FORBIDDEN, &AppError::Denied(why))
}

fn answer(status: StatusCode, e: &AppError) -> Response {
    let body = serde_json::to_string(e).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// "example.com:3000" → "example.com"; "[::1]:3000" → "[::1]".
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |i| &host[..=i]);
    }
    host.rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(name, _)| name)
}

/// "https://zkmq.example/app" → "https://zkmq.example" (lower case).
fn origin_of(url: &str) -> Option<String> {
    let url = url.trim().to_ascii_lowercase();
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split('/').next().filter(|a| !a.is_empty())?;
    Some(format!("{scheme}://{authority}"))
}

fn authority_of_origin(origin: &str) -> Option<&str> {
    origin.split_once("://").map(|(_, a)| a)
}

fn host_of_origin(origin: &str) -> Option<String> {
    authority_of_origin(origin).map(|a| strip_port(a).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn guard() -> Guard {
        Guard::new(
            "127.0.0.1:3000".parse().unwrap(),
            Some("https://zkmq.example.org/"),
            &["console.internal".into()],
        )
    }

    #[test]
    fn only_configured_host_names_are_served() {
        let g = guard();
        for ok in [
            "127.0.0.1:3000",
            "localhost:3000",
            "LOCALHOST",
            "zkmq.example.org",
            "console.internal:8443",
            "[::1]:3000",
        ] {
            let h = HeaderMap::from_iter([(header::HOST, HeaderValue::from_str(ok).unwrap())]);
            assert_eq!(g.host_refusal(&h), None, "{ok}");
        }
        let why = g
            .host_refusal(&headers(&[("host", "rebind.attacker.example:3000")]))
            .unwrap();
        assert!(why.contains("\"rebind.attacker.example\""), "{why}");
        assert!(g.host_refusal(&HeaderMap::new()).is_some());
        // A wildcard bind adds no name of its own.
        let any = Guard::new("0.0.0.0:3000".parse().unwrap(), None, &[]);
        assert!(
            any.host_refusal(&headers(&[("host", "0.0.0.0:3000")]))
                .is_some()
        );
    }

    #[test]
    fn changes_come_only_from_zkmqs_own_pages() {
        let g = guard();
        let own = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ]);
        assert_eq!(g.origin_refusal(&own), None);
        let public = headers(&[
            ("host", "10.0.0.5:3000"),
            ("origin", "https://zkmq.example.org"),
        ]);
        assert_eq!(g.origin_refusal(&public), None);
        let fetch_site = headers(&[
            ("host", "127.0.0.1:3000"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert_eq!(g.origin_refusal(&fetch_site), None);

        let evil = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://evil.example"),
        ]);
        assert!(
            g.origin_refusal(&evil)
                .unwrap()
                .contains("http://evil.example")
        );
        // Another port on the same host is another site.
        let port = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3001"),
        ]);
        assert!(g.origin_refusal(&port).is_some());
        let cross = headers(&[("host", "127.0.0.1:3000"), ("sec-fetch-site", "cross-site")]);
        assert!(g.origin_refusal(&cross).unwrap().contains("cross-site"));
        let bare = headers(&[("host", "127.0.0.1:3000")]);
        assert!(g.origin_refusal(&bare).unwrap().contains("names no Origin"));
    }

    #[test]
    fn what_changes_state() {
        let none = HeaderMap::new();
        assert!(changes_state(&Method::POST, "/api/create_znode", &none));
        assert!(changes_state(&Method::GET, "/ws/overview", &none));
        assert!(changes_state(
            &Method::GET,
            "/anything",
            &headers(&[("upgrade", "WebSocket")])
        ));
        assert!(!changes_state(&Method::GET, "/api/get_znode", &none));
        assert!(!changes_state(&Method::GET, "/zookeeper/local", &none));
        assert_eq!(strip_port("[::1]:3000"), "[::1]");
        assert_eq!(strip_port("example.com"), "example.com");
        assert_eq!(
            origin_of("HTTPS://Zkmq.Example.org:8443/x"),
            Some("https://zkmq.example.org:8443".into())
        );
    }
}
