//! Single sign-on against the real thing (issue 14, step 3): a trusted
//! proxy's headers, believed only from the configured address, and the
//! OpenID redirects' refusals. The full OpenID login runs in a real browser
//! against the sandbox's oidc-provider (end2end/tests/sso.spec.ts).

mod common;

use common::{
    Server, all_audit_rows, api, http_as, http_from, sandbox_zookeeper_table, start_server, unique,
};

const GROUPS: &str = "
[auth.groups]
zk-ops = [\"operator on zookeeper/*\"]
readers = [\"viewer on */*\"]
";

/// A console that believes proxy headers from 127.0.0.2 only.
fn behind_proxy() -> Server {
    start_server(&format!(
        "{}{GROUPS}\n[auth.proxy]\ntrusted = [\"127.0.0.2\"]\n",
        sandbox_zookeeper_table("")
    ))
}

/// A server-function call that carries proxy headers and no cookie, from `source`.
fn call_from(
    s: &Server,
    source: &str,
    user: &str,
    groups: &str,
    name: &str,
    form: &str,
) -> (u16, serde_json::Value) {
    let own = format!("http://127.0.0.1:{}", s.port);
    let mut headers = vec![("Origin", own.as_str()), ("Cookie", "")];
    if !user.is_empty() {
        headers.push(("X-Forwarded-User", user));
        headers.push(("X-Forwarded-Groups", groups));
    }
    let (st, body) = http_from(
        source,
        s.port,
        "POST",
        &format!("/api/{name}"),
        &headers,
        form,
    )
    .unwrap();
    (
        st,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
    )
}

#[test]
fn a_trusted_proxy_signs_people_in_with_their_groups_and_nobody_else_can() {
    let s = behind_proxy();
    let ns = unique("zkmq-proxy").replace('-', "_");
    let create = format!("cluster=local&path=/{ns}&data=x&encoding=text&kind=persistent");

    // The same headers from an address that is not the proxy are anyone's
    // to send: ignored, so the caller is nobody.
    let (st, v) = call_from(&s, "127.0.0.1", "olga", "zk-ops", "whoami", "");
    assert_eq!(
        st, 401,
        "headers from 127.0.0.1 must not sign anyone in: {v}"
    );
    let (st, v) = call_from(&s, "127.0.0.1", "olga", "zk-ops", "create_znode", &create);
    assert_eq!(st, 401, "{v}");

    // From the proxy: the named user, with what their groups map to.
    let (st, v) = call_from(
        &s,
        "127.0.0.2",
        "pat",
        "readers, unknown-group",
        "whoami",
        "",
    );
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["user"], "pat");
    assert_eq!(v["via"], "proxy");
    let grants: Vec<String> = v["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            format!(
                "{} {}/{}",
                g["role"].as_str().unwrap(),
                g["scope"]["backend"].as_str().unwrap_or("*"),
                g["scope"]["clusters"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(grants, ["viewer */*"], "{v}");
    // A viewer reads but does not change.
    let (st, v) = call_from(
        &s,
        "127.0.0.2",
        "pat",
        "readers",
        "list_znode_children",
        "cluster=local&path=/&prefix=&offset=0",
    );
    assert_eq!(st, 200, "{v}");
    let (st, v) = call_from(&s, "127.0.0.2", "pat", "readers", "create_znode", &create);
    assert_eq!(
        (st, v["Denied"].as_str()),
        (403, Some("needs operator on zookeeper/local")),
        "{v}"
    );
    // An operator's group changes ZooKeeper, and the audit log names them.
    let (st, v) = call_from(
        &s,
        "127.0.0.2",
        "olga",
        "readers,zk-ops",
        "create_znode",
        &create,
    );
    assert_eq!(st, 200, "{v}");
    // A zkmq account with a password is never taken over by a header.
    let (st, v) = call_from(&s, "127.0.0.2", "admin", "readers", "whoami", "");
    assert_eq!(st, 403, "{v}");
    assert!(
        v["Denied"]
            .as_str()
            .unwrap()
            .contains("signs in with that password"),
        "{v}"
    );
    // A proxy request without a user is nobody's.
    let (st, _) = call_from(&s, "127.0.0.2", "", "", "whoami", "");
    assert_eq!(st, 401);
    // The Origin rule still holds for changes behind the proxy.
    let foreign = [
        ("Origin", "http://evil.example"),
        ("Cookie", ""),
        ("X-Forwarded-User", "olga"),
        ("X-Forwarded-Groups", "zk-ops"),
    ];
    let (st, body) = http_from(
        "127.0.0.2",
        s.port,
        "POST",
        "/api/create_znode",
        &foreign,
        &create,
    )
    .unwrap();
    assert_eq!(st, 403, "{body}");
    // Pages load for a proxied user without the login page.
    let page = [
        ("Cookie", ""),
        ("X-Forwarded-User", "pat"),
        ("X-Forwarded-Groups", "readers"),
    ];
    let (st, body) = http_from("127.0.0.2", s.port, "GET", "/zookeeper/local", &page, "").unwrap();
    assert_ne!(st, 303, "a proxied user is not sent to the login page");
    assert!(
        body.contains(
            r#"<script id="zkmq-me" type="application/json">{"user":"pat","via":"proxy""#
        ),
        "the page is rendered for pat via proxy: {}",
        &body[..body.len().min(2000)]
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let rows: Vec<(String, String, Option<String>, Option<String>)> = rt.block_on(all_audit_rows(
        &s,
        "a.actor, a.action, a.actor_via, o.outcome",
    ));
    assert!(
        rows.contains(&(
            "olga".into(),
            "create_znode".into(),
            Some("proxy".into()),
            Some("ok".into())
        )),
        "{rows:?}"
    );
    assert!(
        rows.contains(&(
            "pat".into(),
            "create_znode".into(),
            Some("proxy".into()),
            Some("denied".into())
        )),
        "{rows:?}"
    );
    let (st, _) = api(
        &s,
        "delete_znode",
        &[
            ("cluster", "local"),
            ("path", &format!("/{ns}")),
            ("version", "0"),
        ],
    );
    assert_eq!(st, 200);
}

/// A console with OpenID configured against a provider that is not there
/// (a port nobody listens on).
fn with_absent_provider() -> Server {
    let nobody = common::free_port();
    start_server(&format!(
        "{}{GROUPS}\n[auth.oidc]\nissuer = \"http://127.0.0.1:{nobody}\"\nclient_id = \"zkmq\"\nlabel = \"Nowhere IdP\"\n",
        sandbox_zookeeper_table("")
    ))
}

/// The `Location` of a GET that answers 303.
fn redirect_of(s: &Server, path: &str, headers: &[(&str, &str)]) -> String {
    let raw = common::raw_get(s.port, path, headers);
    assert!(raw.starts_with("HTTP/1.1 303"), "{path}: {raw}");
    raw.lines()
        .find_map(|l| {
            l.strip_prefix("location: ")
                .or_else(|| l.strip_prefix("Location: "))
        })
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[test]
fn openid_sign_in_says_what_went_wrong_and_signs_nobody_in() {
    let s = with_absent_provider();
    let none = [("Cookie", "")];
    // The login page offers the provider.
    let (st, page) = http_as(s.port, "GET", "/login?next=%2Fzookeeper%2Flocal", &none, "").unwrap();
    assert_eq!(st, 200);
    // (Leptos puts a `<!>` marker between the text and the label.)
    let link = page.split("/auth/oidc/start").nth(1).unwrap_or_default();
    let text = link
        .split("</a>")
        .next()
        .unwrap_or_default()
        .replace("<!>", "");
    assert!(text.ends_with(">Sign in with Nowhere IdP"), "{text}");
    assert!(
        page.contains("/auth/oidc/start?next=%2Fzookeeper%2Flocal"),
        "{page}"
    );
    // A provider that cannot be reached: back to the login page, keeping the deep link.
    let to = redirect_of(&s, "/auth/oidc/start?next=%2Fzookeeper%2Flocal", &none);
    assert_eq!(to, "/login?next=%2Fzookeeper%2Flocal&error=sso_unavailable");
    // A callback nobody began (a forged or replayed state, or no binding
    // cookie): refused, no session.
    let to = redirect_of(&s, "/auth/oidc/callback?code=abc&state=forged", &none);
    assert_eq!(to, "/login?next=%2F&error=sso_expired");
    let to = redirect_of(
        &s,
        "/auth/oidc/callback?code=abc&state=forged",
        &[("Cookie", "zkmq_oidc=someone-elses")],
    );
    assert_eq!(to, "/login?next=%2F&error=sso_expired");
    let (st, page) = http_as(
        s.port,
        "GET",
        "/login?next=%2F&error=sso_expired",
        &none,
        "",
    )
    .unwrap();
    assert_eq!(st, 200);
    assert!(page.contains("began in another browser"), "{page}");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let logins: Vec<(String, String)> = rt.block_on(all_audit_rows(&s, "a.actor, a.action"));
    assert!(
        logins
            .iter()
            .all(|(who, action)| action != "login" || who == "admin"),
        "no sign-in happened: {logins:?}"
    );
}
