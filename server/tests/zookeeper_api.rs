//! The ZooKeeper server functions over HTTP (their stable `/api/<name>`
//! endpoints), against the real sandbox ensemble, and what they leave in the
//! audit log.

mod common;

use common::{ChangeRow, Server, api, audit_rows, sandbox_config, start_server, unique};
use serde_json::Value;
use zookeeper_client as zk;

fn start() -> Server {
    // The sandbox ensemble, with a small data limit to test the size guard.
    let hosts = sandbox_config().zookeeper[0]
        .hosts
        .iter()
        .map(|h| format!("\"{h}\""))
        .collect::<Vec<_>>()
        .join(", ");
    start_server(&format!(
        "\n[[zookeeper]]\nid = \"local\"\nname = \"Sandbox\"\nhosts = [{hosts}]\nmax_data_bytes = 1000\n"
    ))
}

/// A server-function call on the sandbox cluster "local" at `path`.
fn at(s: &Server, name: &str, path: &str, more: &[(&str, &str)]) -> (u16, Value) {
    let mut pairs = vec![("cluster", "local"), ("path", path)];
    pairs.extend_from_slice(more);
    call(s, name, &pairs)
}

/// Audit rows as (action, target, before, outcome, error).
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

async fn client() -> zk::Client {
    zk::Client::connector()
        .connect(&sandbox_config().zookeeper[0].hosts.join(","))
        .await
        .unwrap()
}

#[tokio::test]
async fn read_edit_conflict_and_guards() {
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
    assert_eq!(st, 500, "{err}");
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
    assert_eq!(preview["nodes"], 251, "{preview}");
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
    assert_eq!((st, n), (200, Value::from(251)));
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
    assert_eq!(copy["znodes"], 251);
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
    let (st, plan) = call(
        &s,
        "plan_import_znodes",
        &[
            ("cluster", "local"),
            ("target_root", &target),
            ("file", &file),
        ],
    );
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
    let (_, err) = call(
        &s,
        "import_znodes",
        &[
            ("cluster", "local"),
            ("target_root", &target),
            ("file", &file),
            ("expect_create", "1"),
            ("expect_update", "0"),
        ],
    );
    assert!(
        err["Conflict"]
            .as_str()
            .unwrap()
            .contains("1 znodes are in conflict; nothing was imported"),
        "{err}"
    );

    // Into /zookeeper: every item is a conflict.
    let (_, plan) = call(
        &s,
        "plan_import_znodes",
        &[
            ("cluster", "local"),
            ("target_root", "/zookeeper"),
            ("file", &file),
        ],
    );
    assert!(
        plan["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["action"] == "conflict"),
        "{plan}"
    );

    // A file that is not an export is refused with the field and the reason.
    let (_, err) = call(
        &s,
        "plan_import_znodes",
        &[("cluster", "local"), ("target_root", "/"), ("file", "{}")],
    );
    assert_eq!(err["Invalid"]["field"], "file", "{err}");

    // A stale dry run (the user saw other counts) is refused.
    let zkc = client().await;
    zkc.create(
        &root,
        b"",
        &zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all()),
    )
    .await
    .unwrap();
    let (_, err) = call(
        &s,
        "import_znodes",
        &[
            ("cluster", "local"),
            ("target_root", &root),
            ("file", &file),
            ("expect_create", "5"),
            ("expect_update", "0"),
        ],
    );
    assert!(
        err["Conflict"]
            .as_str()
            .unwrap()
            .contains("changed since the dry run"),
        "{err}"
    );
    let (_, plan) = call(
        &s,
        "plan_import_znodes",
        &[
            ("cluster", "local"),
            ("target_root", &root),
            ("file", &file),
        ],
    );
    let actions: Vec<&str> = plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "create"], "{plan}");
    let (st, n) = call(
        &s,
        "import_znodes",
        &[
            ("cluster", "local"),
            ("target_root", &root),
            ("file", &file),
            ("expect_create", "2"),
            ("expect_update", "0"),
        ],
    );
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
    let (_, plan) = call(
        &s,
        "plan_import_znodes",
        &[
            ("cluster", "local"),
            ("target_root", &root),
            ("file", &file),
        ],
    );
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
