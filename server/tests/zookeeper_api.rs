//! The ZooKeeper server functions over HTTP (their stable `/api/<name>`
//! endpoints), against the real sandbox ensemble, and what they leave in the
//! audit log.

mod common;

use app::zookeeper::model::{SEARCH_HIT_LIMIT, SEARCH_NODE_BUDGET};
use common::{
    ChangeRow, Server, api, audit_rows, base64_encode, open_ws, read_text_frame, sandbox_config,
    send_text_frame, start_server, unique,
};
use serde_json::Value;
use zookeeper_client as zk;

fn start() -> Server {
    // The sandbox ensemble, with a small data limit to test the size guard.
    start_server(&common::sandbox_zookeeper_table("max_data_bytes = 1000\n"))
}

/// A server-function call on the sandbox cluster "local" at `path`.
fn at(s: &Server, name: &str, path: &str, more: &[(&str, &str)]) -> (u16, Value) {
    let mut pairs = vec![("cluster", "local"), ("path", path)];
    pairs.extend_from_slice(more);
    call(s, name, &pairs)
}

/// Audit rows as (action, target, before, outcome, error).
/// The searches race their time budget while walking 100,000 znodes: the
/// other tests of this file (100,000 creates and deletes among them) never
/// load the ensemble at the same time, so the budget a search meets is the
/// one it tests. The others still run side by side.
static ZK_LOAD: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

async fn alone() -> tokio::sync::RwLockWriteGuard<'static, ()> {
    ZK_LOAD.write().await
}

async fn shared() -> tokio::sync::RwLockReadGuard<'static, ()> {
    ZK_LOAD.read().await
}

async fn outcome_rows(s: &Server) -> Vec<ChangeRow> {
    audit_rows::<ChangeRow>(s, "a.action, a.target, a.before_value, o.outcome, o.error").await
}

fn call(s: &Server, name: &str, pairs: &[(&str, &str)]) -> (u16, Value) {
    api(s, name, pairs)
}

/// `zkc` after a `sync` of `path`: ZooKeeper promises read-your-writes only
/// within one session, and zkmq writes through its own; without the sync this
/// client's member may not have applied the write yet.
async fn synced<'a>(zkc: &'a zk::Client, path: &str) -> &'a zk::Client {
    let _ = zkc.sync(path).await;
    zkc
}

/// The dry run of importing `file` under `target_root` on the sandbox ensemble.
fn plan_import(s: &Server, target_root: &str, file: &str) -> (u16, Value) {
    call(
        s,
        "plan_import_znodes",
        &[
            ("cluster", "local"),
            ("target_root", target_root),
            ("file", file),
        ],
    )
}

/// Applies the import whose dry run's hash is `plan_hash`.
fn import(s: &Server, target_root: &str, file: &str, plan_hash: &str) -> (u16, Value) {
    call(
        s,
        "import_znodes",
        &[
            ("cluster", "local"),
            ("target_root", target_root),
            ("file", file),
            ("plan_hash", plan_hash),
        ],
    )
}

async fn client() -> zk::Client {
    zk::Client::connector()
        .connect(&sandbox_config().zookeeper[0].hosts.join(","))
        .await
        .unwrap()
}

#[tokio::test]
async fn read_edit_conflict_and_guards() {
    let _load = shared().await;
    let s = start();
    let zkc = client().await;
    let root = format!("/{}", unique("zkmq-it-api"));
    zkc.create(
        &root,
        b"v0",
        &zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all()),
    )
    .await
    .unwrap();

    // Read.
    let (st, node) = call(&s, "get_znode", &[("cluster", "local"), ("path", &root)]);
    assert_eq!(st, 200, "{node}");
    assert_eq!(node["data_b64"], "djA=");
    assert_eq!(node["stat"]["version"], 0);
    assert_eq!(node["acl"][0]["scheme"], "world");

    // Edit at the version read.
    let (st, stat) = at(
        &s,
        "set_znode_data",
        &root,
        &[("data", "v1"), ("encoding", "text"), ("version", "0")],
    );
    assert_eq!(st, 200, "{stat}");
    assert_eq!(stat["version"], 1);

    // A save carrying the old version changes nothing.
    let (st, err) = at(
        &s,
        "set_znode_data",
        &root,
        &[("data", "stale"), ("encoding", "text"), ("version", "0")],
    );
    assert_eq!(st, 409, "{err}");
    assert!(
        err["Conflict"]
            .as_str()
            .unwrap()
            .contains("changed since it was read"),
        "{err}"
    );
    assert_eq!(
        synced(&zkc, &root).await.get_data(&root).await.unwrap().0,
        b"v1"
    );

    // Bad input: refused with the field and the reason, nothing sent, nothing audited.
    let (_, err) = call(
        &s,
        "set_znode_data",
        &[
            ("cluster", "local"),
            ("path", &format!("{root}//x")),
            ("data", "x"),
            ("encoding", "text"),
            ("version", "0"),
        ],
    );
    assert_eq!(err["Invalid"]["field"], "path", "{err}");
    let (_, err) = at(
        &s,
        "set_znode_data",
        &root,
        &[("data", "{nope"), ("encoding", "json"), ("version", "1")],
    );
    assert_eq!(err["Invalid"]["field"], "data", "{err}");
    let big = "x".repeat(1001);
    let (_, err) = at(
        &s,
        "set_znode_data",
        &root,
        &[("data", &big), ("encoding", "text"), ("version", "1")],
    );
    assert!(
        err["Invalid"]["reason"]
            .as_str()
            .unwrap()
            .contains("at most 1000 bytes"),
        "{err}"
    );
    assert_eq!(
        synced(&zkc, &root).await.get_data(&root).await.unwrap().0,
        b"v1"
    );

    // /zookeeper is read-only: denied, and the denial is recorded.
    let (_, err) = at(
        &s,
        "create_znode",
        "/zookeeper/zkmq-test",
        &[("data", ""), ("encoding", "text"), ("kind", "persistent")],
    );
    assert!(
        err["Denied"].as_str().unwrap().contains("read-only"),
        "{err}"
    );

    // Unknown cluster.
    let (_, err) = call(&s, "get_znode", &[("cluster", "nope"), ("path", "/")]);
    assert_eq!(err["UnknownCluster"]["cluster"], "nope", "{err}");

    let rows = outcome_rows(&s).await;
    assert_eq!(
        rows.len(),
        3,
        "only attempts are audited, not refused input: {rows:?}"
    );
    assert_eq!(
        rows[0],
        (
            "set_znode_data".into(),
            root.clone(),
            Some("v0".into()),
            Some("ok".into()),
            None
        )
    );
    assert_eq!(rows[1].2.as_deref(), Some("v1"));
    assert_eq!(rows[1].3.as_deref(), Some("error"));
    assert!(
        rows[1]
            .4
            .as_deref()
            .unwrap()
            .contains("changed since it was read")
    );
    assert_eq!(
        (rows[2].0.as_str(), rows[2].3.as_deref()),
        ("create_znode", Some("denied"))
    );

    zkc.delete(&root, None).await.unwrap();
}

#[tokio::test]
async fn create_kinds_delete_and_a_large_child_list() {
    let _load = shared().await;
    let s = start();
    let zkc = client().await;
    let root = format!("/{}", unique("zkmq-it-kinds"));
    let (st, created) = at(
        &s,
        "create_znode",
        &root,
        &[
            ("data", "AP8="),
            ("encoding", "base64"),
            ("kind", "persistent"),
        ],
    );
    assert_eq!(st, 200, "{created}");
    assert_eq!(created, root.as_str());
    assert_eq!(
        synced(&zkc, &root).await.get_data(&root).await.unwrap().0,
        [0, 255]
    );

    let (_, seq) = call(
        &s,
        "create_znode",
        &[
            ("cluster", "local"),
            ("path", &format!("{root}/job-")),
            ("data", ""),
            ("encoding", "text"),
            ("kind", "persistent_sequential"),
        ],
    );
    let seq = seq.as_str().unwrap().to_string();
    assert!(
        seq.starts_with(&format!("{root}/job-")) && seq.len() == root.len() + 5 + 10,
        "{seq}"
    );
    let (_, c) = call(
        &s,
        "create_znode",
        &[
            ("cluster", "local"),
            ("path", &format!("{root}/box")),
            ("data", ""),
            ("encoding", "text"),
            ("kind", "container"),
        ],
    );
    assert_eq!(c, format!("{root}/box").as_str());

    // TTL nodes: the sandbox runs without extendedTypesEnabled, so ZooKeeper refuses; the message says why.
    let (_, err) = call(
        &s,
        "create_znode",
        &[
            ("cluster", "local"),
            ("path", &format!("{root}/ttl")),
            ("data", ""),
            ("encoding", "text"),
            ("kind", "persistent_ttl"),
            ("ttl_ms", "60000"),
        ],
    );
    assert_eq!(err["Invalid"]["field"], "kind", "{err}");
    assert!(
        err["Invalid"]["reason"]
            .as_str()
            .unwrap()
            .contains("zookeeper.extendedTypesEnabled"),
        "{err}"
    );

    // 250 children: pages of 100, sorted, with a prefix filter, counted on the server.
    let opts = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
    let many = format!("{root}/many");
    zkc.create(&many, b"", &opts).await.unwrap();
    let mut futs = Vec::new();
    for i in 0..250 {
        let p = format!("{many}/n{i:03}");
        let (zkc, opts) = (&zkc, &opts);
        futs.push(async move { zkc.create(&p, b"", opts).await.map(|_| ()) });
    }
    for r in futures::future::join_all(futs).await {
        r.unwrap();
    }
    let (_, page) = at(
        &s,
        "list_znode_children",
        &many,
        &[("prefix", ""), ("offset", "200")],
    );
    assert_eq!(page["total"], 250, "{page}");
    assert_eq!(page["matching"], 250);
    assert_eq!(page["names"].as_array().unwrap().len(), 50);
    assert_eq!(page["names"][0], "n200");
    let (_, page) = at(
        &s,
        "list_znode_children",
        &many,
        &[("prefix", "n01"), ("offset", "0")],
    );
    assert_eq!(page["matching"], 10);
    assert_eq!(page["names"][9], "n019");
    // Each child's own child count comes along, so the tree knows its leaves.
    zkc.create(&format!("{many}/n012/x"), b"", &opts)
        .await
        .unwrap();
    let (_, page) = at(
        &s,
        "list_znode_children",
        &many,
        &[("prefix", "n01"), ("offset", "0")],
    );
    assert_eq!(
        page["child_counts"],
        serde_json::json!([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]),
        "{page}"
    );

    // A deep link's tree in one call: the first page of every level from "/"
    // down, each with the pzxid the live channel compares with its watch's.
    let (st, levels) = at(&s, "list_znode_levels", &many, &[]);
    assert_eq!(st, 200, "{levels}");
    let paths: Vec<&str> = levels
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/", root.as_str(), many.as_str()]);
    let last = &levels[2];
    assert_eq!(
        (last["total"].as_u64(), last["names"][0].as_str()),
        (Some(250), Some("n000"))
    );
    let stat = synced(&zkc, &many)
        .await
        .check_stat(&many)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last["pzxid"], stat.pzxid);
    // A level that does not exist is left out, not an error.
    let (st, levels) = at(&s, "list_znode_levels", &format!("{many}/nope"), &[]);
    assert_eq!(
        (st, levels.as_array().map(Vec::len)),
        (200, Some(3)),
        "{levels}"
    );

    // Delete with the version read; a node with children is refused.
    let (_, err) = at(&s, "delete_znode", &many, &[("version", "0")]);
    assert!(
        err["Conflict"].as_str().unwrap().contains("has children"),
        "{err}"
    );
    let (st, _) = call(
        &s,
        "delete_znode",
        &[
            ("cluster", "local"),
            ("path", &format!("{root}/box")),
            ("version", "0"),
        ],
    );
    assert_eq!(st, 200);
    assert!(
        synced(&zkc, &format!("{root}/box"))
            .await
            .check_stat(&format!("{root}/box"))
            .await
            .unwrap()
            .is_none()
    );

    let rows = outcome_rows(&s).await;
    let delete = rows
        .iter()
        .find(|r| r.0 == "delete_znode" && r.3.as_deref() == Some("ok"))
        .unwrap();
    let before: Value = serde_json::from_str(delete.2.as_deref().unwrap()).unwrap();
    assert_eq!(before["data"], "");
    assert_eq!(before["acl"][0]["id"], "anyone");
    let create = rows
        .iter()
        .find(|r| r.0 == "create_znode" && r.1 == root)
        .unwrap();
    assert_eq!(create.3.as_deref(), Some("ok"));

    // Recursive delete: a wrong confirmation changes nothing; the right one removes
    // the whole subtree and the audit record keeps a copy of it.
    let (_, preview) = call(
        &s,
        "preview_delete_subtree",
        &[("cluster", "local"), ("path", &many)],
    );
    // 250 children, one grandchild (n012/x) and the node itself.
    assert_eq!(preview["nodes"], 252, "{preview}");
    let (_, err) = at(&s, "delete_subtree", &many, &[("confirm", "/nope")]);
    assert_eq!(err["Invalid"]["field"], "confirm", "{err}");
    assert_eq!(
        synced(&zkc, &many)
            .await
            .list_children(&many)
            .await
            .unwrap()
            .len(),
        250
    );
    let (st, n) = at(&s, "delete_subtree", &many, &[("confirm", &many)]);
    assert_eq!((st, n), (200, Value::from(252)));
    assert!(
        synced(&zkc, &many)
            .await
            .check_stat(&many)
            .await
            .unwrap()
            .is_none()
    );
    let rows = outcome_rows(&s).await;
    let rec = rows.iter().find(|r| r.0 == "delete_subtree").unwrap();
    assert_eq!(rec.3.as_deref(), Some("ok"));
    let copy: Value = serde_json::from_str(rec.2.as_deref().unwrap()).unwrap();
    assert_eq!(copy["znodes"], 252);
    assert_eq!(copy["subtree"][0]["path"], many.as_str());
    assert!(
        copy["subtree"]
            .as_array()
            .unwrap()
            .iter()
            .any(|z| z["path"] == format!("{many}/n249").as_str())
    );

    // Clean up.
    zkc.delete(&seq, None).await.unwrap();
    zkc.delete(&root, None).await.unwrap();
}

#[tokio::test]
async fn acls_create_with_edit_and_enforced_by_zookeeper() {
    let _load = shared().await;
    let s = start();
    let zkc = client().await;
    let root = format!("/{}", unique("zkmq-it-acl"));
    // Created without write permission.
    let (st, _) = at(
        &s,
        "create_znode",
        &root,
        &[
            ("data", "x"),
            ("encoding", "text"),
            ("kind", "persistent"),
            ("acl", "world:anyone:cdra"),
        ],
    );
    assert_eq!(st, 200);
    let (acl, _) = synced(&zkc, &root).await.get_acl(&root).await.unwrap();
    assert_eq!(acl.len(), 1);
    assert!(!acl[0].permission().has(zk::Permission::WRITE));

    // ZooKeeper refuses the write; the message says so.
    let (_, err) = at(
        &s,
        "set_znode_data",
        &root,
        &[("data", "y"), ("encoding", "text"), ("version", "0")],
    );
    assert!(
        err["Denied"]
            .as_str()
            .unwrap()
            .contains("ZooKeeper refused access"),
        "{err}"
    );

    // Bad ACL text: field, line, reason; nothing changes.
    let (_, err) = at(
        &s,
        "set_znode_acl",
        &root,
        &[("acl", "world:anyone:rz"), ("aversion", "0")],
    );
    assert_eq!(err["Invalid"]["field"], "acl", "{err}");
    assert!(
        err["Invalid"]["reason"]
            .as_str()
            .unwrap()
            .contains("line 1"),
        "{err}"
    );

    // Restore write permission at the ACL version read; a stale version is a conflict.
    let (st, stat) = at(
        &s,
        "set_znode_acl",
        &root,
        &[
            ("acl", "world:anyone:cdrwa\nip:127.0.0.1:r"),
            ("aversion", "0"),
        ],
    );
    assert_eq!(st, 200, "{stat}");
    assert_eq!(stat["aversion"], 1);
    let (_, err) = at(
        &s,
        "set_znode_acl",
        &root,
        &[("acl", "world:anyone:r"), ("aversion", "0")],
    );
    assert!(err["Conflict"].is_string(), "{err}");
    let (st, _) = at(
        &s,
        "set_znode_data",
        &root,
        &[("data", "y"), ("encoding", "text"), ("version", "0")],
    );
    assert_eq!(st, 200);

    let rows = outcome_rows(&s).await;
    let acl_ok = rows
        .iter()
        .find(|r| r.0 == "set_znode_acl" && r.3.as_deref() == Some("ok"))
        .unwrap();
    assert_eq!(acl_ok.2.as_deref(), Some("world:anyone:cdra"));
    assert!(
        rows.iter()
            .any(|r| r.0 == "set_znode_data" && r.3.as_deref() == Some("denied")),
        "{rows:?}"
    );
    zkc.delete(&root, None).await.unwrap();
}

#[tokio::test]
async fn import_dry_run_reports_conflicts_and_refuses_to_apply_them() {
    let _load = shared().await;
    let s = start();
    let root = format!("/{}", unique("zkmq-it-import"));
    let file = serde_json::json!({
        "format": "zkmq-znodes/1", "cluster": "x", "root": "/src", "exported_at": "t",
        "znodes": [
            {"path": "/src/a", "data": "1", "acl": []},
            {"path": "/src/a/b", "data_b64": "AP8=", "acl": []},
        ]
    })
    .to_string();
    // Under a parent that does not exist: /src/a maps to <root>/missing/a, whose parent is absent.
    let target = format!("{root}/missing");
    let (st, plan) = plan_import(&s, &target, &file);
    assert_eq!(st, 200, "{plan}");
    assert_eq!(plan["items"][0]["action"], "conflict", "{plan}");
    assert!(
        plan["items"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("parent"),
        "{plan}"
    );
    assert_eq!(plan["items"][1]["action"], "create");
    let (_, err) = import(&s, &target, &file, plan["hash"].as_str().unwrap());
    assert!(
        err["Conflict"]
            .as_str()
            .unwrap()
            .contains("1 znodes are in conflict; nothing was imported"),
        "{err}"
    );

    // Into /zookeeper: every item is a conflict.
    let (_, plan) = plan_import(&s, "/zookeeper", &file);
    assert_eq!(plan["items"].as_array().map(Vec::len), Some(2), "{plan}");
    assert!(
        plan["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["action"] == "conflict"),
        "{plan}"
    );

    // A file that is not an export is refused with the field and the reason.
    let (_, err) = plan_import(&s, "/", "{}");
    assert_eq!(err["Invalid"]["field"], "file", "{err}");

    // A stale dry run (another client changed a planned znode after it) is refused.
    let zkc = client().await;
    let anyone = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
    zkc.create(&root, b"", &anyone).await.unwrap();
    let (_, stale) = plan_import(&s, &root, &file);
    let meanwhile = format!("{root}/a");
    zkc.create(&meanwhile, b"meanwhile", &anyone).await.unwrap();
    let (_, err) = import(&s, &root, &file, stale["hash"].as_str().unwrap());
    assert!(
        err["Conflict"]
            .as_str()
            .unwrap()
            .contains("changed since the preview (dry run)"),
        "{err}"
    );
    assert_eq!(
        zkc.get_data(&meanwhile).await.unwrap().0,
        b"meanwhile",
        "nothing was applied"
    );
    zkc.delete(&meanwhile, None).await.unwrap();
    let (_, plan) = plan_import(&s, &root, &file);
    let actions: Vec<&str> = plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "create"], "{plan}");
    let (st, n) = import(&s, &root, &file, plan["hash"].as_str().unwrap());
    assert_eq!((st, n), (200, Value::from(2)));
    assert_eq!(
        synced(&zkc, &format!("{root}/a/b"))
            .await
            .get_data(&format!("{root}/a/b"))
            .await
            .unwrap()
            .0,
        [0, 255]
    );
    // Importing again changes nothing: everything is unchanged.
    let (_, plan) = plan_import(&s, &root, &file);
    assert_eq!(plan["items"].as_array().map(Vec::len), Some(2), "{plan}");
    assert!(
        plan["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["action"] == "unchanged"),
        "{plan}"
    );
    zkc.delete(&format!("{root}/a/b"), None).await.unwrap();
    zkc.delete(&format!("{root}/a"), None).await.unwrap();
    zkc.delete(&root, None).await.unwrap();
}

/// Creates `parent/<name>` for every name, empty and open to anyone, in
/// multi-op transactions of 1,000 with several in flight.
async fn create_children(zkc: &zk::Client, parent: &str, names: &[String]) {
    let opts = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
    for wave in names.chunks(8_000) {
        let mut commits = Vec::new();
        for batch in wave.chunks(1_000) {
            let mut w = zkc.new_multi_writer();
            for n in batch {
                w.add_create(&format!("{parent}/{n}"), b"", &opts).unwrap();
            }
            commits.push(w.commit());
        }
        for r in futures::future::join_all(commits).await {
            r.unwrap();
        }
    }
}

/// Deletes `root` and everything under it (deepest first, in multi-ops).
async fn delete_tree(zkc: &zk::Client, root: &str) {
    let mut levels = vec![vec![root.to_string()]];
    loop {
        let mut next = Vec::new();
        for p in levels.last().unwrap() {
            for k in zkc.list_children(p).await.unwrap_or_default() {
                next.push(format!("{p}/{k}"));
            }
        }
        if next.is_empty() {
            break;
        }
        levels.push(next);
    }
    for level in levels.iter().rev() {
        // Eight transactions in flight at most, as for the creates: more keeps
        // a busy ensemble from answering within the session's timeout.
        for wave in level.chunks(8_000) {
            let mut commits = Vec::new();
            for batch in wave.chunks(1_000) {
                let mut w = zkc.new_multi_writer();
                for p in batch {
                    w.add_delete(p, None).unwrap();
                }
                commits.push(w.commit());
            }
            for r in futures::future::join_all(commits).await {
                r.unwrap();
            }
        }
    }
}

/// Runs a name search over the explorer's websocket; returns every path the
/// hits reported and the final progress event (`done`).
fn ws_search(s: &Server, path: &str, pattern: &str) -> (Vec<String>, Value) {
    let (mut ws, head) = open_ws(s.port, "/ws/zookeeper/local");
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    ws.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let cmd =
        serde_json::json!({"search": {"id": 7, "path": path, "pattern": pattern, "regex": false}});
    send_text_frame(&mut ws, &cmd.to_string());
    let mut hits = Vec::new();
    loop {
        let text = read_text_frame(&mut ws);
        let Ok(ev) = serde_json::from_str::<Value>(&text) else {
            continue; // keep-alive
        };
        if let Some(h) = ev.get("search_hits") {
            assert_eq!(h["id"], 7, "{ev}");
            hits.extend(
                h["paths"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap().to_string()),
            );
        } else if let Some(p) = ev.get("search_progress") {
            if p["done"] == true {
                return (hits, p.clone());
            }
        } else {
            assert!(ev.get("search_failed").is_none(), "{ev}");
        }
    }
}

#[tokio::test]
async fn a_search_stops_at_the_node_budget() {
    let _load = alone().await;
    let s = start();
    // 100,000 creates and deletes keep the ensemble busy for seconds: a
    // session that outlasts that, so the cleanup cannot fail half-way.
    let zkc = zk::Client::connector()
        .with_session_timeout(std::time::Duration::from_secs(30))
        .connect(&sandbox_config().zookeeper[0].hosts.join(","))
        .await
        .unwrap();
    let root = format!("/{}", unique("zkmq-it-budget"));
    let opts = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
    zkc.create(&root, b"", &opts).await.unwrap();
    // One level wider than the node budget, and a match one level below it
    // that only a walk past the budget would reach.
    let names: Vec<String> = (0..=SEARCH_NODE_BUDGET)
        .map(|i| format!("n{i:06}"))
        .collect();
    create_children(&zkc, &root, &names).await;
    zkc.create(&format!("{root}/n000000/zz-needle"), b"", &opts)
        .await
        .unwrap();
    // The websocket client blocks: off the runtime, so the ZooKeeper session
    // keeps its heartbeats while a long walk runs.
    let at = root.clone();
    let searched = tokio::task::spawn_blocking(move || (ws_search(&s, &at, "zz-needle"), s)).await;
    delete_tree(&zkc, &root).await; // 100,000 znodes: never leave them behind
    let ((hits, done), _server) =
        searched.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    assert_eq!(
        done["stopped"],
        format!("stopped after {SEARCH_NODE_BUDGET} znodes (the node budget)"),
        "{done}"
    );
    assert_eq!(done["visited"], SEARCH_NODE_BUDGET + 1, "{done}");
    assert_eq!(
        (hits.len(), done["hits"].as_u64()),
        (0, Some(0)),
        "{hits:?}"
    );
}

#[tokio::test]
async fn a_search_stops_at_the_match_limit() {
    let _load = alone().await;
    let s = start();
    let zkc = client().await;
    let root = format!("/{}", unique("zkmq-it-hitlimit"));
    let opts = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
    zkc.create(&root, b"", &opts).await.unwrap();
    let names: Vec<String> = (0..SEARCH_HIT_LIMIT + 50)
        .map(|i| format!("hit-{i:05}"))
        .collect();
    create_children(&zkc, &root, &names).await;
    let (hits, done) = ws_search(&s, &root, "HIT");
    delete_tree(&zkc, &root).await;
    assert_eq!(
        done["stopped"],
        format!("stopped at {SEARCH_HIT_LIMIT} matches"),
        "{done}"
    );
    assert_eq!(hits.len(), SEARCH_HIT_LIMIT, "{done}");
    assert_eq!(done["hits"], SEARCH_HIT_LIMIT, "{done}");
    assert!(hits.iter().all(|h| h.starts_with(&format!("{root}/hit-"))));
    // And a search within the budgets ends without a stop reason.
    let (hits, done) = ws_search(&s, "/zookeeper", "quota");
    assert_eq!(done["stopped"], Value::Null, "{done}");
    assert_eq!(hits, ["/zookeeper/quota"], "{done}");
}

/// `getAcl` through ZooKeeper's own CLI (a Java client independent of zkmq).
fn zkcli_get_acl(path: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("/usr/share/zookeeper/bin/zkCli.sh")
        .args(["-server", &sandbox_config().zookeeper[0].hosts.join(",")])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "getAcl {path}\nquit").unwrap();
    String::from_utf8_lossy(&child.wait_with_output().unwrap().stdout).into_owned()
}

#[tokio::test]
async fn export_keeps_acls_and_binary_data_and_import_restores_them() {
    let _load = shared().await;
    let s = start();
    let zkc = client().await;
    let root = format!("/{}", unique("zkmq-it-export"));
    let all = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
    // Not the default ACL: anyone without write, and one IP that may read and write.
    let custom = [
        zk::Acl::new(
            zk::Permission::CREATE
                | zk::Permission::DELETE
                | zk::Permission::READ
                | zk::Permission::ADMIN,
            zk::AuthId::anyone(),
        ),
        zk::Acl::new(
            zk::Permission::READ | zk::Permission::WRITE,
            zk::AuthId::new("ip", "10.1.2.3"),
        ),
    ];
    let binary: &[u8] = &[0x00, 0xff, 0xfe, 0x80, b'A', 0xc3];
    zkc.create(&root, b"r", &all).await.unwrap();
    zkc.create(
        &format!("{root}/sub"),
        b"s",
        &zk::CreateMode::Persistent.with_acls(zk::Acls::new(&custom)),
    )
    .await
    .unwrap();
    zkc.create(&format!("{root}/sub/leaf"), b"l", &all)
        .await
        .unwrap();
    zkc.create(&format!("{root}/bin"), binary, &all)
        .await
        .unwrap();

    let (st, file) = at(&s, "export_znodes", &root, &[]);
    assert_eq!(st, 200, "{file}");
    let file = file.as_str().unwrap().to_string();
    let export: Value = serde_json::from_str(&file).unwrap();
    let entry = |p: &str| {
        export["znodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|z| z["path"] == p)
            .cloned()
            .unwrap_or_else(|| panic!("{p} not exported: {export}"))
    };
    assert_eq!(
        export["znodes"].as_array().map(Vec::len),
        Some(4),
        "{export}"
    );
    // Binary data goes out as base64 (and only so), text as it is.
    let bin = entry(&format!("{root}/bin"));
    assert_eq!(bin["data_b64"], base64_encode(binary), "{bin}");
    assert!(bin.get("data").is_none(), "{bin}");
    let top = entry(&root);
    assert_eq!(
        (top["data"].as_str(), top.get("data_b64")),
        (Some("r"), None),
        "{top}"
    );
    let mut acl: Vec<(String, String, i64)> = entry(&format!("{root}/sub"))["acl"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["scheme"].as_str().unwrap().into(),
                a["id"].as_str().unwrap().into(),
                a["perms"].as_i64().unwrap(),
            )
        })
        .collect();
    acl.sort();
    assert_eq!(
        acl,
        [
            ("ip".to_string(), "10.1.2.3".to_string(), 1 | 2),
            ("world".to_string(), "anyone".to_string(), 1 | 4 | 8 | 16)
        ]
    );

    // Lost: the ACL-protected branch and the binary znode. The import puts them back.
    for p in ["sub/leaf", "sub", "bin"] {
        zkc.delete(&format!("{root}/{p}"), None).await.unwrap();
    }
    let (st, plan) = plan_import(&s, &root, &file);
    assert_eq!(st, 200, "{plan}");
    let mut actions: Vec<(String, String)> = plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["path"].as_str().unwrap().to_string(),
                i["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            (root.clone(), "unchanged".to_string()),
            (format!("{root}/bin"), "create".to_string()),
            (format!("{root}/sub"), "create".to_string()),
            (format!("{root}/sub/leaf"), "create".to_string()),
        ]
    );
    let (st, n) = import(&s, &root, &file, plan["hash"].as_str().unwrap());
    assert_eq!((st, n), (200, Value::from(3)));
    // Byte for byte.
    let bin_path = format!("{root}/bin");
    assert_eq!(
        synced(&zkc, &bin_path)
            .await
            .get_data(&bin_path)
            .await
            .unwrap()
            .0,
        binary
    );
    // The ACL is back, as ZooKeeper's own CLI reads it.
    let sub = format!("{root}/sub");
    let _ = synced(&zkc, &sub).await;
    let cli = zkcli_get_acl(&sub);
    assert!(
        cli.contains("'world,'anyone\n: cdra") && cli.contains("'ip,'10.1.2.3\n: rw"),
        "zkCli getAcl {sub}:\n{cli}"
    );
    assert!(
        !cli.contains(": cdrwa"),
        "the default ACL came back instead:\n{cli}"
    );
    delete_tree(&zkc, &root).await;
}

#[tokio::test]
async fn a_subtree_delete_that_fails_half_way_says_what_it_deleted() {
    let _load = shared().await;
    let s = start();
    let zkc = client().await;
    let root = format!("/{}", unique("zkmq-it-halfway"));
    let all = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
    for p in ["", "/bulk", "/bulk/many", "/locked", "/locked/kid"] {
        zkc.create(&format!("{root}{p}"), b"", &all).await.unwrap();
    }
    // 600 leaves: zkmq deletes deepest first in transactions of 500, so the
    // first 500 go, then the transaction holding /locked/kid is refused:
    // deleting a child needs DELETE on its parent, which /locked no longer grants.
    let leaves: Vec<String> = (0..600).map(|i| format!("l{i:03}")).collect();
    create_children(&zkc, &format!("{root}/bulk/many"), &leaves).await;
    let no_delete = [zk::Acl::new(
        zk::Permission::CREATE
            | zk::Permission::READ
            | zk::Permission::WRITE
            | zk::Permission::ADMIN,
        zk::AuthId::anyone(),
    )];
    zkc.set_acl(&format!("{root}/locked"), &no_delete, None)
        .await
        .unwrap();
    let total = 605;
    let (_, preview) = at(&s, "preview_delete_subtree", &root, &[]);
    assert_eq!(preview["nodes"], total, "{preview}");

    let (st, err) = at(&s, "delete_subtree", &root, &[("confirm", &root)]);
    let remaining = synced(&zkc, &root)
        .await
        .list_children(&format!("{root}/bulk/many"))
        .await
        .map(|c| c.len());
    let kid = zkc.check_stat(&format!("{root}/locked/kid")).await.unwrap();
    zkc.set_acl(&format!("{root}/locked"), &zk::Acls::anyone_all(), None)
        .await
        .unwrap();
    delete_tree(&zkc, &root).await;

    assert_eq!(st, 409, "{err}");
    let msg = err["Conflict"].as_str().unwrap_or_else(|| panic!("{err}"));
    assert!(
        msg.contains(&format!("deleted 500 of {total} znodes, then stopped")),
        "{msg}"
    );
    assert!(msg.contains("refused access"), "the reason: {msg}");
    // What it says matches what happened: 500 leaves gone, the rest still there.
    assert_eq!(remaining.ok(), Some(100));
    assert!(kid.is_some(), "{root}/locked/kid must still exist");
    // The audit records the failure, what was deleted, and the copy of all of it.
    let rows = outcome_rows(&s).await;
    let rec = rows
        .iter()
        .find(|r| r.0 == "delete_subtree" && r.1 == root)
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(rec.3.as_deref(), Some("error"), "{rec:?}");
    assert!(
        rec.4
            .as_deref()
            .is_some_and(|e| e.contains(&format!("deleted 500 of {total} znodes"))),
        "{rec:?}"
    );
    let copy: Value = serde_json::from_str(rec.2.as_deref().unwrap()).unwrap();
    assert_eq!(copy["znodes"], total);
}

#[tokio::test]
async fn a_subtree_delete_finishes_when_its_caller_hangs_up() {
    let _load = shared().await;
    let s = start();
    let zkc = client().await;
    let root = format!("/{}", unique("zkmq-it-hangup"));
    let mode = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
    zkc.create(&root, b"", &mode).await.unwrap();
    // 2,000 children, created in multi-op batches.
    for batch in 0..20 {
        let mut w = zkc.new_multi_writer();
        for i in 0..100 {
            w.add_create(&format!("{root}/c{:04}", batch * 100 + i), b"x", &mode)
                .unwrap();
        }
        w.commit().await.unwrap();
    }
    common::call_and_hang_up(
        s.port,
        "delete_subtree",
        &[("cluster", "local"), ("path", &root), ("confirm", &root)],
    );
    // The change runs to its end: its record gets an outcome and the
    // subtree is gone, however soon the caller left.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let outcome = loop {
        let rows = outcome_rows(&s).await;
        let rec = rows.iter().find(|r| r.0 == "delete_subtree" && r.1 == root);
        if let Some(o) = rec.and_then(|r| r.3.clone()) {
            break o;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still pending: {rec:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(outcome, "ok");
    assert!(
        synced(&zkc, &root)
            .await
            .check_stat(&root)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn deep_and_long_paths_are_refused_with_their_limit() {
    let s = start();
    let deep = "/a".repeat(2_000);
    for name in ["get_znode", "list_znode_levels"] {
        let (st, v) = call(&s, name, &[("cluster", "local"), ("path", &deep)]);
        assert_eq!(st, 422, "{name}: {v}");
        assert_eq!(v["Invalid"]["field"], "path", "{v}");
        let why = v["Invalid"]["reason"].as_str().unwrap();
        assert!(
            why.contains("2,000 levels deep") && why.contains("zookeeper.max_path_depth"),
            "{why}"
        );
    }
    let long = format!("/{}", "x".repeat(5_000));
    let (_, v) = call(&s, "get_znode", &[("cluster", "local"), ("path", &long)]);
    assert!(
        v["Invalid"]["reason"]
            .as_str()
            .unwrap()
            .contains("zookeeper.max_path_bytes"),
        "{v}"
    );
    // The page of a deep link grows linearly with its depth (the URL is
    // carried a few times), not with its square: 2,000 levels once answered
    // 4.2 MB. Ten times the depth, at most twenty times the bytes.
    let page_of = |levels: usize| {
        let url = format!("/zookeeper/local{}", "/a".repeat(levels));
        common::raw_get(s.port, &url, &[])
    };
    let (small, page) = (page_of(1_000), page_of(10_000));
    // The page answers with the refusal's status, as its server calls do.
    assert!(
        page.starts_with("HTTP/1.1 422"),
        "{}",
        &page[..page.len().min(300)]
    );
    assert!(
        page.len() < 20 * small.len(),
        "{} bytes vs {} bytes",
        page.len(),
        small.len()
    );
    assert!(
        page.contains("zkmq accepts znode paths of up to 4,096 bytes"),
        "the page says why"
    );
}
