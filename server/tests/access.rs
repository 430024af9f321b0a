//! Who may call what (issue 14), over the server's own route table: every
//! server function and websocket route that `zkmq routes` lists is called
//! (a) without credentials, (b) as a viewer, (c) from a foreign Origin with
//! a valid admin session and (d) with a foreign Host, against the real
//! sandbox — and afterwards nothing exists on ZooKeeper, Kafka or RabbitMQ.
//! A new server function without an entry in `calls` fails the test, so it
//! cannot ship without someone saying what it needs.

mod common;

use common::{
    ADMIN_PASSWORD, Server, all_audit_rows, api, api_as, http_as, login, open_ws_as, start_server,
    unique, user_with, workspace_root,
};
use std::collections::BTreeSet;

/// What a call needs, as the table below says it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Need {
    /// Any signed-in user.
    SignedIn,
    /// viewer on the cluster.
    Read,
    /// operator on the cluster.
    Change,
    /// admin on the cluster.
    Administer,
    /// payloads on the cluster.
    Payloads,
    /// admin (or auditor) on every cluster.
    Console,
}

/// The whole sandbox (ZooKeeper, Kafka, RabbitMQ), as the shipped config has it.
fn start() -> Server {
    let shipped = std::fs::read_to_string(workspace_root().join("config/zkmq.toml")).unwrap();
    let clusters = &shipped[shipped.find("[[zookeeper]]").unwrap()..];
    start_server(&format!("backend_timeout_ms = 5000\n\n{clusters}"))
}

/// One call of the table: the server function, what it needs, and its
/// arguments as `key=value&…` with `{ns}` for the test's namespace.
type Call = (&'static str, Need, &'static str);

/// Arguments that reach each endpoint's body, all naming the test's own
/// namespace (a znode, topic, queue, exchange, vhost, policy, user).
#[rustfmt::skip]
const CALLS: &[Call] = {
    use Need::*;
    &[
        ("whoami", SignedIn, ""),
        ("list_clusters", SignedIn, ""),
        ("get_overview", SignedIn, ""),
        ("list_audit_records", Console, ""),
        ("list_users", Console, ""),
        ("add_user", Console, "name={ns}&password=a long enough password"),
        ("grant_role", Console, "name=admin&role=viewer&scope=*/*"),
        ("revoke_role", Console, "name=admin&role=admin&scope=*/*"),
        ("set_user_disabled", Console, "name=admin&disabled=true"),
        ("set_user_password", Console, "name=admin&password=a long enough password"),
        ("list_all_api_tokens", Console, ""),
        ("revoke_user_token", Console, "name=admin&id=999999"),
        ("list_api_tokens", SignedIn, ""),
        ("create_api_token", SignedIn, "label={ns}&days=1"),
        ("revoke_api_token", SignedIn, "id=999999"),
        // ZooKeeper
        ("get_ensemble_snapshot", Read, "cluster=local"),
        ("list_leader_changes", Read, "cluster=local&limit=5"),
        ("list_znode_children", Read, "cluster=local&path=/&prefix=&offset=0"),
        ("list_znode_levels", Read, "cluster=local&path=/"),
        ("get_znode", Read, "cluster=local&path=/"),
        ("export_znodes", Read, "cluster=local&path=/zookeeper"),
        ("plan_import_znodes", Read, "cluster=local&target_root=/{ns}&file={}"),
        ("preview_delete_subtree", Read, "cluster=local&path=/{ns}"),
        ("create_znode", Change, "cluster=local&path=/{ns}&data=x&encoding=text&kind=persistent"),
        ("set_znode_data", Change, "cluster=local&path=/{ns}&data=y&encoding=text&version=0"),
        ("set_znode_acl", Change, "cluster=local&path=/{ns}&acl=world:anyone:cdrwa&aversion=0"),
        ("delete_znode", Change, "cluster=local&path=/{ns}&version=0"),
        ("import_znodes", Administer, "cluster=local&target_root=/{ns}&file={}&plan_hash=x"),
        ("delete_subtree", Administer, "cluster=local&path=/{ns}&confirm=/{ns}"),
        // Kafka
        ("get_kafka_summary", Read, "cluster=local"),
        ("list_topics", Read, "cluster=local&filter=&include_internal=false&sort=name&descending=false&offset=0&limit=10"),
        ("get_topic", Read, "cluster=local&topic={ns}"),
        ("list_groups", Read, "cluster=local&filter=&sort=name&descending=false&offset=0&limit=10"),
        ("get_group", Read, "cluster=local&group={ns}"),
        ("create_topic", Change, "cluster=local&name={ns}&partitions=1&replication=1&configs=&preview=false"),
        ("delete_topic", Change, "cluster=local&topic={ns}&confirm={ns}"),
        ("add_partitions", Change, "cluster=local&topic={ns}&total=2&preview=false"),
        ("alter_topic_config", Change, "cluster=local&topic={ns}&set=retention.ms=1000&remove=&preview=false"),
        ("reset_offsets", Change, "cluster=local&group={ns}&topic={ns}&to=earliest&value=&preview=false"),
        ("produce_message", Change, "cluster=local&topic={ns}&partition=&key=&value=x&headers="),
        ("browse_messages", Payloads, "cluster=local&topic={ns}&partition=0&from=earliest&value=&limit=1&filter=&text=&field="),
        // RabbitMQ
        ("get_rabbitmq_summary", Read, "cluster=local"),
        ("get_rabbitmq_detail", Read, "cluster=local"),
        ("list_exchanges", Read, "cluster=local"),
        ("list_queues", Read, "cluster=local&vhost=&filter=&sort=name&descending=false&page=1&page_size=10"),
        ("get_queue", Read, "cluster=local&vhost=/&name={ns}"),
        ("list_bindings", Read, "cluster=local&vhost=/"),
        ("list_policies", Read, "cluster=local"),
        ("plan_definitions_import", Read, "cluster=local&file={}"),
        ("create_vhost", Change, "cluster=local&name={ns}"),
        ("create_exchange", Change, "cluster=local&vhost=/&name={ns}&kind=direct&durable=true&auto_delete=false&internal=false&arguments="),
        ("delete_exchange", Change, "cluster=local&vhost=/&name={ns}&if_unused=false"),
        ("create_queue", Change, "cluster=local&vhost=/&name={ns}&durable=true&auto_delete=false&arguments="),
        ("delete_queue", Change, "cluster=local&vhost=/&name={ns}&if_empty=false&if_unused=false"),
        ("purge_queue", Change, "cluster=local&vhost=/&name={ns}&confirm={ns}"),
        ("create_binding", Change, "cluster=local&vhost=/&source=amq.direct&destination_type=queue&destination={ns}&routing_key={ns}&arguments="),
        ("delete_binding", Change, "cluster=local&vhost=/&source=amq.direct&destination_type=queue&destination={ns}&properties_key={ns}"),
        ("put_policy", Change, "cluster=local&vhost=/&name={ns}&pattern=^{ns}$&apply_to=queues&priority=0&definition={\"max-length\": 1}&operator=false"),
        ("delete_policy", Change, "cluster=local&vhost=/&name={ns}&operator=false"),
        ("publish_message", Change, "cluster=local&vhost=/&exchange=amq.direct&routing_key={ns}&content_type=text/plain&persistent=false&headers=&body=x"),
        ("read_stream", Payloads, "cluster=local&vhost=/&queue={ns}&from=first&value=&count=1"),
        ("get_requeue_messages", Payloads, "cluster=local&vhost=/&queue={ns}&count=1&confirm=true"),
        ("delete_vhost", Administer, "cluster=local&name={ns}&confirm={ns}"),
        ("export_definitions", Administer, "cluster=local"),
        ("import_definitions", Administer, "cluster=local&file={}&plan_hash=x"),
    ]
};

/// A table entry's arguments for namespace `ns`, as (key, value) pairs.
fn args(template: &str, ns: &str) -> Vec<(String, String)> {
    template
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k.to_string(), v.replace("{ns}", ns))
        })
        .collect()
}

/// The server's own route table, from `zkmq routes`.
fn route_table() -> (BTreeSet<String>, Vec<String>) {
    let (code, out) = common::run_zkmq(&["routes"]);
    assert_eq!(code, 0, "{out}");
    let mut api = BTreeSet::new();
    let mut ws = Vec::new();
    for line in out.lines() {
        match line.split_once(' ') {
            Some(("POST", p)) if p.starts_with("/api/") => {
                api.insert(p.trim_start_matches("/api/").to_string());
            }
            Some(("WS", p)) => ws.push(p.replace("{cluster}", "local")),
            Some(("POST", "/auth/login" | "/auth/logout")) => {}
            // The OpenID redirects: tests/sso.rs drives them against a real provider.
            Some(("GET", "/auth/oidc/start" | "/auth/oidc/callback")) => {}
            _ => panic!("a route the access table does not know how to call: {line}"),
        }
    }
    (api, ws)
}

fn borrowed(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Nothing the calls name exists: no znode, topic, queue, exchange, vhost,
/// policy or user `ns` (read as the admin).
fn nothing_changed(s: &Server, ns: &str) {
    fn l<'a>(pairs: &[(&'static str, &'a str)]) -> Vec<(&'static str, &'a str)> {
        let mut v = vec![("cluster", "local")];
        v.extend_from_slice(pairs);
        v
    }
    let zpath = format!("/{ns}");
    for (name, pairs) in [
        ("get_znode", l(&[("path", &zpath)])),
        ("get_topic", l(&[("topic", ns)])),
        ("get_queue", l(&[("vhost", "/"), ("name", ns)])),
    ] {
        let (st, v) = api(s, name, &pairs);
        assert_eq!(st, 404, "{name} {ns} should not exist: {v}");
    }
    let (_, v) = api(s, "list_exchanges", &l(&[]));
    assert!(!v.to_string().contains(ns), "an exchange {ns} exists: {v}");
    let (_, v) = api(s, "list_policies", &l(&[]));
    assert!(!v.to_string().contains(ns), "a policy {ns} exists: {v}");
    let (_, v) = api(s, "get_rabbitmq_detail", &l(&[]));
    assert!(!v.to_string().contains(ns), "a vhost {ns} exists: {v}");
    let (_, v) = api(s, "list_users", &[]);
    let users = v.to_string();
    assert!(
        !users.contains(&format!("\"name\":\"{ns}\"")),
        "a user {ns} exists: {users}"
    );
    assert!(
        users.contains("\"name\":\"admin\",\"disabled\":false")
            && users.contains("\"role\":\"admin\""),
        "the admin is unchanged: {users}"
    );
}

#[test]
fn every_route_refuses_whoever_may_not_call_it() {
    let s = start();
    let ns = unique("zkmq-acc").replace('-', "_");
    let table = CALLS;
    let (api_routes, ws_routes) = route_table();
    let known: BTreeSet<String> = table.iter().map(|(n, _, _)| n.to_string()).collect();
    let unlisted: Vec<_> = api_routes.difference(&known).collect();
    assert!(
        unlisted.is_empty(),
        "server functions with no entry in the access table (say what they need): {unlisted:?}"
    );
    let gone: Vec<_> = known.difference(&api_routes).collect();
    assert!(
        gone.is_empty(),
        "entries for server functions that no longer exist: {gone:?}"
    );

    let own = format!("http://127.0.0.1:{}", s.port);
    let viewer = user_with(&s, &format!("viewer_{ns}"), &[("viewer", "*/*")]);
    for (name, need, template) in table {
        let pairs = args(template, &ns);
        let path = format!("/api/{name}");
        let body = common::form(&borrowed(&pairs));
        // (a) No credentials at all.
        let (st, b) = http_as(
            s.port,
            "POST",
            &path,
            &[("Origin", &own), ("Cookie", "")],
            &body,
        )
        .unwrap();
        assert_eq!(st, 401, "{name} without credentials: {b}");
        // A forged cookie is no better.
        let (st, b) = http_as(
            s.port,
            "POST",
            &path,
            &[("Origin", &own), ("Cookie", "zkmq_session=00ff")],
            &body,
        )
        .unwrap();
        assert_eq!(st, 401, "{name} with a forged cookie: {b}");
        // (b) A viewer: reads go through, everything else is refused with
        // the role that is missing.
        let (st, v) = api_as(&s, &viewer, name, &borrowed(&pairs));
        match need {
            Need::SignedIn | Need::Read => assert!(
                st != 401 && st != 403,
                "{name} as a viewer should be allowed: {st} {v}"
            ),
            _ => {
                assert_eq!(st, 403, "{name} as a viewer should be refused: {v}");
                let why = v["Denied"].as_str().unwrap_or_default();
                assert!(why.starts_with("needs "), "{name}: {v}");
            }
        }
        // (c) A foreign page with the admin's valid session cookie.
        let (st, b) = http_as(
            s.port,
            "POST",
            &path,
            &[("Origin", "http://evil.example")],
            &body,
        )
        .unwrap();
        assert_eq!(st, 403, "{name} from a foreign origin: {b}");
        // (d) A foreign Host (DNS rebinding), same cookie.
        let (st, b) = http_as(
            s.port,
            "POST",
            &path,
            &[
                ("Host", "rebind.evil.example"),
                ("Origin", "http://rebind.evil.example"),
            ],
            &body,
        )
        .unwrap();
        assert_eq!(st, 403, "{name} with a foreign Host: {b}");
    }
    for path in &ws_routes {
        let (_, head) = open_ws_as(s.port, path, &[("Origin", &own), ("Cookie", "")]);
        assert!(
            head.starts_with("HTTP/1.1 401"),
            "{path} without credentials: {head}"
        );
        let (_, head) = open_ws_as(s.port, path, &[("Origin", &own), ("Cookie", &viewer)]);
        assert!(
            head.starts_with("HTTP/1.1 101"),
            "{path} as a viewer (reads): {head}"
        );
        let (_, head) = open_ws_as(s.port, path, &[("Origin", "https://evil.example")]);
        assert!(
            head.starts_with("HTTP/1.1 403"),
            "{path} from a foreign origin: {head}"
        );
        let (_, head) = open_ws_as(
            s.port,
            path,
            &[
                ("Host", "rebind.evil.example"),
                ("Origin", "http://rebind.evil.example"),
            ],
        );
        assert!(
            head.starts_with("HTTP/1.1 403"),
            "{path} with a foreign Host: {head}"
        );
    }
    nothing_changed(&s, &ns);
}

/// Actor, action, how the actor authenticated, backend/cluster, outcome, error.
type AuditLine = (
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

#[test]
fn grants_are_per_backend_and_cluster_and_refusals_are_audited() {
    let s = start();
    let ns = unique("zkmq-acc2").replace('-', "_");
    let ops = user_with(&s, &format!("ops_{ns}"), &[("operator", "zookeeper/*")]);
    let zpath = format!("/{ns}");
    let create = [
        ("cluster", "local"),
        ("path", zpath.as_str()),
        ("data", "x"),
        ("encoding", "text"),
        ("kind", "persistent"),
    ];
    let (st, v) = api_as(&s, &ops, "create_znode", &create);
    assert_eq!(st, 200, "an operator on zookeeper/* changes ZooKeeper: {v}");
    // …but is nobody on Kafka: no reads, no changes, and the cluster is not listed.
    let (st, v) = api_as(&s, &ops, "get_kafka_summary", &[("cluster", "local")]);
    assert_eq!(
        (st, v["Denied"].as_str()),
        (403, Some("needs viewer on kafka/local")),
        "{v}"
    );
    let (_, v) = api_as(&s, &ops, "list_clusters", &[]);
    let listed: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}/{}",
                c["backend"].as_str().unwrap(),
                c["id"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(listed, ["zookeeper/local"], "{v}");
    // Subtree delete is an admin's.
    let (st, v) = api_as(
        &s,
        &ops,
        "delete_subtree",
        &[("cluster", "local"), ("path", &zpath), ("confirm", &zpath)],
    );
    assert_eq!(
        (st, v["Denied"].as_str()),
        (403, Some("needs admin on zookeeper/local")),
        "{v}"
    );
    let (st, _) = api(
        &s,
        "delete_subtree",
        &[("cluster", "local"), ("path", &zpath), ("confirm", &zpath)],
    );
    assert_eq!(st, 200);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let rows: Vec<AuditLine> = rt.block_on(all_audit_rows(
        &s,
        "a.actor, a.action, a.actor_via, a.backend || '/' || a.cluster, o.outcome, o.error",
    ));
    let who = format!("ops_{ns}");
    assert!(
        rows.contains(&(
            who.clone(),
            "create_znode".into(),
            Some("password".into()),
            "zookeeper/local".into(),
            Some("ok".into()),
            None
        )),
        "the change names its user and how they logged in: {rows:?}"
    );
    assert!(
        rows.contains(&(
            who.clone(),
            "get_kafka_summary".into(),
            Some("password".into()),
            "kafka/local".into(),
            Some("denied".into()),
            Some("needs viewer on kafka/local".into())
        )),
        "a refusal is audited with what was missing: {rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.0 == "admin" && r.1 == "delete_subtree" && r.4.as_deref() == Some("ok")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.0 == "admin" && r.1 == "grant_role" && r.3 == "console/"),
        "role changes are audited too: {rows:?}"
    );
}

#[test]
fn logins_fail_alike_are_throttled_and_sessions_end() {
    let s = start();
    let ns = unique("zkmq-login").replace('-', "_");
    let name = format!("u_{ns}");
    let cookie = user_with(&s, &name, &[("viewer", "*/*")]);
    // Wrong password, unknown user and empty fields read the same.
    let wrong = login(s.port, &name, "not the password").unwrap_err();
    let unknown = login(s.port, &format!("nobody_{ns}"), "not the password").unwrap_err();
    assert_eq!(wrong.0, 401, "{wrong:?}");
    assert_eq!(wrong, unknown, "no user enumeration");
    assert!(
        wrong.1.contains("the user name or password is wrong"),
        "{wrong:?}"
    );
    // Two more failures for the account: the next try must wait, even with
    // the right password, and says for how long.
    let _ = login(s.port, &name, "not the password either");
    let _ = login(s.port, &name, "still not the password");
    let throttled = login(s.port, &name, &format!("password of {name}")).unwrap_err();
    assert_eq!(throttled.0, 429, "{throttled:?}");
    assert!(throttled.1.contains("retry_after_s"), "{throttled:?}");
    // The session opened before still works; logout ends it for good.
    let (st, v) = api_as(&s, &cookie, "whoami", &[]);
    assert_eq!((st, v["user"].as_str()), (200, Some(name.as_str())), "{v}");
    assert_eq!(common::logout(&s, &cookie), 204);
    let (st, v) = api_as(&s, &cookie, "whoami", &[]);
    assert_eq!(st, 401, "a logged-out cookie is dead: {v}");
    // A disabled account cannot log in, and gets the same sentence.
    let other = format!("d_{ns}");
    user_with(&s, &other, &[]);
    let (st, v) = api(
        &s,
        "set_user_disabled",
        &[("name", &other), ("disabled", "true")],
    );
    assert_eq!(st, 200, "{v}");
    let refused = login(s.port, &other, &format!("password of {other}")).unwrap_err();
    assert_eq!(
        refused, wrong,
        "a disabled account reads like a wrong password"
    );
    // The admin of the shared helper is still in.
    assert!(login(s.port, "admin", ADMIN_PASSWORD).is_ok());
}

#[test]
fn an_idle_session_ends() {
    let shipped = std::fs::read_to_string(workspace_root().join("config/zkmq.toml")).unwrap();
    let zk = &shipped[shipped.find("[[zookeeper]]").unwrap()..shipped.find("[[kafka]]").unwrap()];
    let s = start_server(&format!(
        "session_idle_secs = 5\nsession_max_secs = 60\n\n{zk}"
    ));
    let (st, _) = api(&s, "whoami", &[]);
    assert_eq!(st, 200);
    std::thread::sleep(std::time::Duration::from_secs(6));
    let (st, v) = api(&s, "whoami", &[]);
    assert_eq!(st, 401, "idle for longer than session_idle_secs: {v}");
    // A page then goes to the login page, which brings the user back.
    let (st, _) = http_as(
        s.port,
        "GET",
        "/zookeeper/local?page=2",
        &[("Cookie", "")],
        "",
    )
    .unwrap();
    assert_eq!(st, 303);
}

#[test]
fn api_tokens_sign_scripts_in_until_revoked_or_expired() {
    let s = start();
    let ns = unique("zkmq-token").replace('-', "_");
    let (st, v) = api(
        &s,
        "create_api_token",
        &[("label", "ci deploy"), ("days", "30")],
    );
    assert_eq!(st, 200, "{v}");
    let token = v["token"].as_str().unwrap().to_string();
    let id = v["id"].as_i64().unwrap();
    assert!(token.starts_with("zkmq_"), "{v}");
    // Bad input names its field and creates nothing.
    let (st, v) = api(&s, "create_api_token", &[("label", ""), ("days", "30")]);
    assert_eq!(
        (st, v["Invalid"]["field"].as_str()),
        (422, Some("label")),
        "{v}"
    );
    let (st, v) = api(&s, "create_api_token", &[("label", "x"), ("days", "999")]);
    assert_eq!(
        (st, v["Invalid"]["field"].as_str()),
        (422, Some("days")),
        "{v}"
    );

    let bearer = format!("Bearer {token}");
    let call = |name: &str, form: &str, extra: &[(&str, &str)]| {
        let mut headers = vec![("Authorization", bearer.as_str()), ("Cookie", "")];
        headers.extend_from_slice(extra);
        http_as(s.port, "POST", &format!("/api/{name}"), &headers, form).unwrap()
    };
    // A script: no cookie, no Origin — the token is enough.
    let zpath = format!("/{ns}");
    let create = format!("cluster=local&path={zpath}&data=x&encoding=text&kind=persistent");
    let (st, b) = call("create_znode", &create, &[]);
    assert_eq!(st, 200, "{b}");
    // …but not under a foreign Host, and never in a URL.
    let (st, b) = call(
        "get_znode",
        "cluster=local&path=/",
        &[("Host", "rebind.evil.example")],
    );
    assert_eq!(st, 403, "{b}");
    let (st, b) = http_as(
        s.port,
        "POST",
        &format!("/api/get_znode?access_token={token}"),
        &[("Cookie", "")],
        "cluster=local&path=/",
    )
    .unwrap();
    assert_eq!(st, 422, "{b}");
    assert!(b.contains("never in a URL"), "{b}");
    // A token cannot mint tokens.
    let (st, b) = call("create_api_token", "label=more&days=365", &[]);
    assert_eq!(st, 403, "{b}");

    // The change names the user and the token.
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
            "admin".into(),
            "create_znode".into(),
            Some(format!("token:{id}:ci deploy")),
            Some("ok".into())
        )),
        "{rows:?}"
    );

    // Forged, revoked and expired tokens are refused, each saying which.
    let (st, b) = http_as(
        s.port,
        "POST",
        "/api/whoami",
        &[("Authorization", "Bearer zkmq_00"), ("Cookie", "")],
        "",
    )
    .unwrap();
    assert_eq!(st, 401, "{b}");
    assert!(b.contains("this API token is not valid"), "{b}");
    let (st, v) = api(
        &s,
        "create_api_token",
        &[("label", "short-lived"), ("days", "1")],
    );
    assert_eq!(st, 200, "{v}");
    let (short, short_id) = (
        v["token"].as_str().unwrap().to_string(),
        v["id"].as_i64().unwrap(),
    );
    rt.block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", s.db.display()))
            .await
            .unwrap();
        sqlx::query("UPDATE api_tokens SET expires_ms = 1000 WHERE id = ?")
            .bind(short_id)
            .execute(&pool)
            .await
            .unwrap();
    });
    let (st, b) = http_as(
        s.port,
        "POST",
        "/api/whoami",
        &[
            ("Authorization", &format!("Bearer {short}")),
            ("Cookie", ""),
        ],
        "",
    )
    .unwrap();
    assert_eq!(st, 401, "{b}");
    assert!(
        b.contains("this API token expired at 1970-01-01T00:00:01Z"),
        "{b}"
    );
    let (st, v) = api(&s, "revoke_api_token", &[("id", &id.to_string())]);
    assert_eq!(st, 200, "{v}");
    let (st, b) = call("whoami", "", &[]);
    assert_eq!(st, 401, "{b}");
    assert!(b.contains("this API token was revoked"), "{b}");
    let (_, v) = api(&s, "list_api_tokens", &[]);
    let listed = v.to_string();
    assert!(
        listed.contains("\"revoked\":true") && !listed.contains(&token),
        "{listed}"
    );
    let (st, _) = api(
        &s,
        "delete_znode",
        &[("cluster", "local"), ("path", &zpath), ("version", "0")],
    );
    assert_eq!(st, 200);
}

#[test]
fn admins_reset_passwords_and_revoke_other_users_tokens() {
    let s = start();
    let ns = unique("zkmq-reset").replace('-', "_");
    let who = format!("forgetful_{ns}");
    let old = user_with(&s, &who, &[("viewer", "*/*")]);
    let (st, v) = api_as(
        &s,
        &old,
        "create_api_token",
        &[("label", "nightly"), ("days", "7")],
    );
    assert_eq!(st, 200, "{v}");
    let (token, id) = (
        v["token"].as_str().unwrap().to_string(),
        v["id"].as_i64().unwrap(),
    );

    // A viewer may do neither.
    let (st, v) = api_as(
        &s,
        &old,
        "set_user_password",
        &[("name", &who), ("password", "a new long password")],
    );
    assert_eq!(
        (st, v["Denied"].as_str()),
        (403, Some("needs admin on */*")),
        "{v}"
    );
    let (st, v) = api_as(&s, &old, "list_all_api_tokens", &[]);
    assert_eq!(st, 403, "{v}");

    // A bad password names its field and changes nothing.
    let (st, v) = api(
        &s,
        "set_user_password",
        &[("name", &who), ("password", "short")],
    );
    assert_eq!(
        (st, v["Invalid"]["field"].as_str()),
        (422, Some("password")),
        "{v}"
    );
    let (st, _) = api_as(&s, &old, "whoami", &[]);
    assert_eq!(st, 200, "a refused reset leaves the session alone");
    let (st, v) = api(
        &s,
        "set_user_password",
        &[
            ("name", "nobody_at_all"),
            ("password", "a new long password"),
        ],
    );
    assert_eq!(st, 404, "{v}");

    // The reset: the old password and its sessions end, the new one works.
    let (st, v) = api(
        &s,
        "set_user_password",
        &[("name", &who), ("password", "a new long password")],
    );
    assert_eq!(st, 200, "{v}");
    let (st, _) = api_as(&s, &old, "whoami", &[]);
    assert_eq!(st, 401, "the old password's session ended");
    assert!(login(s.port, &who, &format!("password of {who}")).is_err());
    let fresh = login(s.port, &who, "a new long password").expect("the new password signs in");
    let (st, v) = api_as(&s, &fresh, "whoami", &[]);
    assert_eq!((st, v["user"].as_str()), (200, Some(who.as_str())), "{v}");

    // The admin sees the user's token and revokes it; the script is out.
    let (st, v) = api(&s, "list_all_api_tokens", &[]);
    assert_eq!(st, 200, "{v}");
    let row = v
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"].as_i64() == Some(id))
        .cloned();
    let row = row.unwrap_or_else(|| panic!("the user's token is listed: {v}"));
    assert_eq!(
        (row["user"].as_str(), row["label"].as_str()),
        (Some(who.as_str()), Some("nightly"))
    );
    assert!(!v.to_string().contains(&token), "never the secret: {v}");
    let (st, v) = api(
        &s,
        "revoke_user_token",
        &[("name", "admin"), ("id", &id.to_string())],
    );
    assert_eq!(st, 404, "a token is revoked under its own user only: {v}");
    let (st, v) = api(
        &s,
        "revoke_user_token",
        &[("name", &who), ("id", &id.to_string())],
    );
    assert_eq!(st, 200, "{v}");
    let bearer = format!("Bearer {token}");
    let (st, b) = http_as(
        s.port,
        "POST",
        "/api/whoami",
        &[("Authorization", &bearer), ("Cookie", "")],
        "",
    )
    .unwrap();
    assert_eq!(st, 401, "{b}");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let rows: Vec<(String, String, String, Option<String>)> =
        rt.block_on(all_audit_rows(&s, "a.actor, a.action, a.target, o.outcome"));
    for action in ["set_password", "revoke_api_token"] {
        assert!(
            rows.contains(&(
                "admin".into(),
                action.into(),
                who.clone(),
                Some("ok".into())
            )),
            "{action} by the admin is audited: {rows:?}"
        );
    }
}

#[test]
fn an_auditor_on_some_clusters_reads_only_their_rows() {
    let s = start();
    let ns = unique("zkmq-auditor").replace('-', "_");
    let auditor = user_with(&s, &format!("aud_{ns}"), &[("auditor", "zookeeper/loc*")]);
    let nobody = user_with(&s, &format!("viewer_{ns}"), &[("viewer", "*/*")]);
    // Rows of three kinds: ZooKeeper (theirs), Kafka (not theirs), console.
    let zpath = format!("/{ns}");
    let (st, _) = api(
        &s,
        "create_znode",
        &[
            ("cluster", "local"),
            ("path", &zpath),
            ("data", ""),
            ("encoding", "text"),
            ("kind", "persistent"),
        ],
    );
    assert_eq!(st, 200);
    let (st, _) = api(&s, "get_topic", &[("cluster", "local"), ("topic", &ns)]);
    assert_ne!(st, 200, "a missing topic, so no Kafka change is needed");
    let (st, v) = api_as(
        &s,
        &nobody,
        "create_topic",
        &[
            ("cluster", "local"),
            ("name", &ns),
            ("partitions", "1"),
            ("replication", "1"),
            ("configs", ""),
            ("preview", "false"),
        ],
    );
    assert_eq!(st, 403, "a denied Kafka row: {v}");

    let (st, v) = api_as(&s, &auditor, "list_audit_records", &[]);
    assert_eq!(st, 200, "{v}");
    let rows = v.as_array().unwrap();
    let scopes: std::collections::BTreeSet<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}/{}",
                r["backend"].as_str().unwrap(),
                r["cluster"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        scopes.into_iter().collect::<Vec<_>>(),
        ["zookeeper/local"],
        "{v}"
    );
    assert!(
        rows.iter()
            .any(|r| r["action"] == "create_znode" && r["target"] == zpath.as_str()),
        "{v}"
    );
    // The whole log (console rows too) is for an auditor on */*.
    let (st, v) = api(&s, "list_audit_records", &[]);
    assert_eq!(st, 200);
    let all = v.to_string();
    assert!(
        all.contains("\"backend\":\"console\"") && all.contains("\"backend\":\"kafka\""),
        "{all}"
    );
    // No auditor role at all: refused, and the refusal says what would do.
    let (st, v) = api_as(&s, &nobody, "list_audit_records", &[]);
    assert_eq!(
        (st, v["Denied"].as_str()),
        (
            403,
            Some("needs auditor on */* or on the clusters whose changes you read")
        ),
        "{v}"
    );
    let (st, _) = api(
        &s,
        "delete_znode",
        &[("cluster", "local"), ("path", &zpath), ("version", "0")],
    );
    assert_eq!(st, 200);
}

#[test]
fn a_live_socket_closes_when_its_session_ends() {
    use std::io::Read;
    let s = start();
    let ns = unique("zkmq-live").replace('-', "_");
    let cookie = user_with(&s, &format!("l_{ns}"), &[("viewer", "*/*")]);
    let own = format!("http://127.0.0.1:{}", s.port);
    let (mut ws, head) = open_ws_as(
        s.port,
        "/ws/zookeeper/local",
        &[("Origin", &own), ("Cookie", &cookie)],
    );
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    assert_eq!(common::logout(&s, &cookie), 204);
    // Within one recheck (5 s) the server closes the socket with 4401.
    ws.set_read_timeout(Some(std::time::Duration::from_secs(12)))
        .unwrap();
    let started = std::time::Instant::now();
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = ws.read(&mut buf) {
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let frames = common::parse_server_frames(&raw);
    let close = frames
        .iter()
        .find(|(op, _)| *op == 8)
        .unwrap_or_else(|| panic!("no close frame: {frames:?}"));
    assert_eq!(u16::from_be_bytes([close.1[0], close.1[1]]), 4401);
    assert_eq!(&close.1[2..], b"your session ended: log in again");
    assert!(started.elapsed() < std::time::Duration::from_secs(8));
}
