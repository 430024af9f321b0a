//! Shared helpers for integration tests against the real sandbox services.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;
use zkmq::config::Config;

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The shipped config, which points at the sandbox (`scripts/sandbox start`).
pub fn sandbox_config() -> Config {
    Config::load(&workspace_root().join("config/zkmq.toml"), |_| None)
        .expect("shipped config must be valid")
}

pub const TIMEOUT: Duration = Duration::from_secs(5);

/// A name unique to this test run, for znode roots, topics and queues.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}
