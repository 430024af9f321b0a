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
fn serve_refuses_a_remote_bind_without_allow_remote() {
    let cfg = common::workspace_root().join("config/zkmq.toml");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let (code, out) = zkmq(&[
        "serve",
        "--config",
        cfg.to_str().unwrap(),
        "--database",
        db.to_str().unwrap(),
        "--bind",
        "0.0.0.0:3999",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no login"), "{out}");
    assert!(!db.exists(), "nothing should have been created");
}
