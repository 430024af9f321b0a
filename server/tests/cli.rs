//! The `zkmq` command line: config errors name the file, the key and the reason.

mod common;

use common::run_zkmq as zkmq;

#[test]
fn the_shipped_config_is_valid() {
    let cfg = common::workspace_root().join("config/zkmq.toml");
    let (code, out) = zkmq(&["config", "check", "--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("ok (1 ZooKeeper, 1 Kafka, 1 RabbitMQ)"),
        "{out}"
    );
}

#[test]
fn a_malformed_config_names_file_key_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[[rabbitmq]]\nid = \"r\"\nname = \"R\"\nmanagement_url = \"http://127.0.0.1:15672\"\nusername = \"guest\"\npassword = 5\n").unwrap();
    for cmd in [&["config", "check"][..], &["serve"][..]] {
        let mut args = cmd.to_vec();
        args.extend(["--config", path.to_str().unwrap()]);
        let (code, out) = zkmq(&args);
        assert_eq!(code, 2, "{out}");
        assert!(
            out.contains(&format!("config file {}", path.display())),
            "{out}"
        );
        assert!(out.contains("key `rabbitmq[0].password`"), "{out}");
        assert!(
            out.contains("invalid type: integer `5`, expected a string"),
            "{out}"
        );
    }
}

#[test]
fn a_missing_config_file_is_named() {
    let (code, out) = zkmq(&["config", "check", "--config", "/nonexistent/zkmq.toml"]);
    assert_eq!(code, 2);
    assert!(
        out.contains("config file /nonexistent/zkmq.toml: key `(file)`: cannot read it"),
        "{out}"
    );
}

#[test]
fn serve_beyond_loopback_over_plain_http_warns_loudly() {
    // Every call needs a login now, so a remote bind needs no flag — but
    // passwords would cross the network in clear, and zkmq says so.
    let cfg = common::workspace_root().join("config/zkmq.toml");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let port = common::free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zkmq"))
        .args(["serve", "--config"])
        .arg(&cfg)
        .arg("--database")
        .arg(&db)
        .args(["--bind", &format!("0.0.0.0:{port}")])
        .env("LEPTOS_OUTPUT_NAME", "zkmq")
        .env("ZKMQ_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    use std::io::BufRead;
    let mut seen = String::new();
    while out.read_line(&mut line).unwrap_or(0) > 0 {
        seen.push_str(&line);
        if line.contains("PLAIN HTTP") {
            break;
        }
        line.clear();
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        seen.contains("served over PLAIN HTTP beyond loopback"),
        "{seen}"
    );
}

fn with_db(db: &std::path::Path, args: &[&str], password: Option<&str>) -> (i32, String) {
    let cfg = common::workspace_root().join("config/zkmq.toml");
    let (cfg, db) = (cfg.to_str().unwrap(), db.to_str().unwrap());
    let mut all = vec!["--config", cfg, "--database", db];
    all.extend_from_slice(args);
    let env: Vec<(&str, &str)> = password.map(|p| ("ZKMQ_PASSWORD", p)).into_iter().collect();
    common::run_zkmq_with(&all, &env)
}

#[test]
fn accounts_and_roles_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let (code, out) = with_db(
        &db,
        &["user", "add", "alice"],
        Some("a long enough password"),
    );
    assert_eq!(code, 0, "{out}");
    // Bad input changes nothing and says why.
    let (code, out) = with_db(
        &db,
        &["user", "add", "alice"],
        Some("a long enough password"),
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("user \"alice\" exists already"), "{out}");
    let (code, out) = with_db(&db, &["user", "add", "bob"], Some("short"));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("password: is 5 characters; at least 12 are needed"),
        "{out}"
    );
    let (code, out) = with_db(
        &db,
        &["role", "grant", "alice", "operator", "kafka/lcoal"],
        None,
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("matches no configured cluster (configured: zookeeper/local, kafka/local, rabbitmq/local)"), "{out}");
    let (code, out) = with_db(&db, &["role", "grant", "alice", "root", "*/*"], None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("is not a role"), "{out}");
    let (code, out) = with_db(
        &db,
        &["role", "grant", "alice", "operator", "kafka/*"],
        None,
    );
    assert_eq!(
        (code, out.trim()),
        (0, "\"alice\" is now operator on kafka/*")
    );
    let (code, out) = with_db(&db, &["user", "disable", "alice"], None);
    assert_eq!(code, 0, "{out}");
    let (code, out) = with_db(&db, &["user", "list"], None);
    assert_eq!(
        (code, out.trim()),
        (0, "alice\tdisabled\toperator on kafka/*")
    );
    // Each change is in the audit log, by the CLI's user, and the chain holds.
    let (code, out) = with_db(&db, &["audit", "verify"], None);
    assert_eq!(code, 0, "{out}");
    let rows: Vec<(String, String, String)> = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
                .await
                .unwrap();
            sqlx::query_as(
                "SELECT a.action, a.actor_via, COALESCE(o.outcome, '') FROM audit_log a \
                 LEFT JOIN audit_log o ON o.record_id = a.seq AND o.phase = 'outcome' \
                 WHERE a.phase = 'attempt' ORDER BY a.seq",
            )
            .fetch_all(&pool)
            .await
            .unwrap()
        });
    let summary: Vec<String> = rows
        .iter()
        .map(|(a, v, o)| format!("{a} {v} {o}"))
        .collect();
    assert_eq!(
        summary,
        [
            "add_user cli ok",
            "add_user cli error",
            "add_user cli error",
            "grant_role cli ok",
            "disable_user cli ok",
        ],
        "refusals before the store (scope, role) are not attempts; the store's are"
    );
}

#[test]
fn the_last_admin_cannot_be_disabled_or_lose_admin() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    assert_eq!(
        with_db(
            &db,
            &["user", "add", "root"],
            Some("a long enough password")
        )
        .0,
        0
    );
    assert_eq!(
        with_db(&db, &["role", "grant", "root", "admin", "*/*"], None).0,
        0
    );
    let (code, out) = with_db(&db, &["role", "revoke", "root", "admin", "*/*"], None);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("\"root\" is the last enabled admin on */*"),
        "{out}"
    );
    let (code, out) = with_db(&db, &["user", "disable", "root"], None);
    assert_eq!(code, 1, "{out}");
    // With a second admin, the first may go.
    assert_eq!(
        with_db(
            &db,
            &["user", "add", "second"],
            Some("a long enough password")
        )
        .0,
        0
    );
    assert_eq!(
        with_db(&db, &["role", "grant", "second", "admin", "*/*"], None).0,
        0
    );
    let (code, out) = with_db(&db, &["user", "disable", "root"], None);
    assert_eq!(code, 0, "{out}");
}
