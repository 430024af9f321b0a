//! The config file: which clusters exist and how to reach them.
//!
//! TOML, path from `--config` (or `ZKMQ_CONFIG`). Secrets may be given in the
//! file or, better, in the environment (see [`apply_env_overrides`]). A bad
//! file fails at start with the file, the key and the reason.

use app::kafka::ssr::KafkaClusterConfig;
use app::rabbitmq::ssr::RabbitClusterConfig;
use app::runtime::Secret;
use app::zookeeper::ssr::ZkClusterConfig;
use serde::Deserialize;
use std::collections::HashSet;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub zookeeper: Vec<ZkClusterConfig>,
    #[serde(default)]
    pub kafka: Vec<KafkaClusterConfig>,
    #[serde(default)]
    pub rabbitmq: Vec<RabbitClusterConfig>,
    #[serde(default)]
    pub auth: AuthConfig,
}

/// `[auth]`: single sign-on besides zkmq's own accounts (issue 14).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Group → grants ("operator on kafka/*"): what a group that an OpenID
    /// provider or a trusted proxy names gives its members, on top of the
    /// grants stored for them.
    pub groups: std::collections::BTreeMap<String, Vec<String>>,
    pub proxy: Option<ProxyConfig>,
    pub oidc: Option<OidcConfig>,
}

impl AuthConfig {
    /// `groups` parsed (validated at load, so nothing is dropped here).
    pub fn group_table(&self) -> Vec<(String, Vec<app::auth::model::Grant>)> {
        self.groups
            .iter()
            .map(|(g, grants)| {
                let parsed = grants
                    .iter()
                    .filter_map(|t| app::auth::logic::parse_grant_text(t).ok())
                    .collect();
                (g.clone(), parsed)
            })
            .collect()
    }
}

/// `[auth.proxy]`: a proxy in front of zkmq (oauth2-proxy, say) signs
/// people in and names them in headers. Only requests from `trusted`
/// addresses are believed; from anywhere else the headers are ignored.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProxyConfig {
    /// Addresses or networks of the proxy: "10.0.0.5", "10.0.0.0/24".
    pub trusted: Vec<String>,
    #[serde(default = "default_user_header")]
    pub user_header: String,
    /// Comma-separated group names.
    #[serde(default = "default_groups_header")]
    pub groups_header: String,
}

fn default_user_header() -> String {
    "X-Forwarded-User".into()
}

fn default_groups_header() -> String {
    "X-Forwarded-Groups".into()
}

impl ProxyConfig {
    /// The trusted networks (validated at load; a single address is a /32 or /128).
    pub fn networks(&self) -> Vec<ipnet::IpNet> {
        self.trusted.iter().filter_map(|t| parse_net(t)).collect()
    }
}

fn parse_net(text: &str) -> Option<ipnet::IpNet> {
    let t = text.trim();
    t.parse::<ipnet::IpNet>()
        .ok()
        .or_else(|| t.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
}

/// `[auth.oidc]`: an OpenID Connect provider (authorization code flow with
/// PKCE). zkmq's callback is `<public_url>/auth/oidc/callback`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The issuer URL; its `/.well-known/openid-configuration` is read on
    /// the first sign-in (zkmq starts while the provider is down).
    pub issuer: String,
    pub client_id: String,
    /// Better given as `ZKMQ_OIDC_CLIENT_SECRET`.
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// The login page's button: "Sign in with …".
    #[serde(default = "default_oidc_label")]
    pub label: String,
    /// The ID-token claim that becomes the zkmq user name.
    #[serde(default = "default_user_claim")]
    pub user_claim: String,
    /// The ID-token claim that lists the user's groups (an array or a
    /// comma-separated string), mapped by `[auth.groups]`.
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
    /// Scopes asked for besides `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
}

fn default_oidc_label() -> String {
    "single sign-on".into()
}

fn default_user_claim() -> String {
    "preferred_username".into()
}

fn default_groups_claim() -> String {
    "groups".into()
}

fn default_scopes() -> Vec<String> {
    vec!["profile".into(), "email".into()]
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to listen on.
    pub bind: String,
    /// No longer needed (every call needs a login since issue 14); accepted
    /// so older config files still load.
    pub allow_remote: bool,
    /// SQLite file of the audit log (relative paths are relative to the working directory).
    pub database: PathBuf,
    /// How often each cluster is probed for the Overview.
    pub probe_interval_ms: u64,
    /// Upper bound for any single call to a backend.
    pub backend_timeout_ms: u64,
    /// The address people open zkmq at, when it is not the bind address
    /// (behind a proxy): its host is served and its origin may make changes.
    pub public_url: Option<String>,
    /// More host names zkmq answers to (besides localhost, the loopback
    /// addresses, the bind address and public_url's host).
    pub allowed_hosts: Vec<String>,
    /// A session unused this long ends (seconds).
    pub session_idle_secs: u64,
    /// A session ends this long after login, however much it is used (seconds).
    pub session_max_secs: u64,
    /// Live views one user may hold open at once, over all their tabs.
    pub live_max_per_user: u64,
    /// Live views the whole console holds open at once.
    pub live_max_per_console: u64,
    /// Largest websocket message a browser may send (bytes); the pages send
    /// only small commands (watch, subscribe, credit).
    pub ws_max_message_bytes: u64,
    /// Websockets one user may hold open at once, over all their tabs.
    pub ws_max_per_user: u64,
}

impl ServerConfig {
    /// Whether people reach zkmq over https (`public_url` says so): the
    /// session cookie is then `Secure`, and no plain-http warning is due.
    pub fn served_over_https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// How long sessions live, from `session_idle_secs` / `session_max_secs`.
    pub fn session_policy(&self) -> app::auth::ssr::SessionPolicy {
        app::auth::ssr::SessionPolicy {
            idle: std::time::Duration::from_secs(self.session_idle_secs),
            max: std::time::Duration::from_secs(self.session_max_secs),
            secure_cookie: self.served_over_https(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: "127.0.0.1:3000".into(),
            allow_remote: false,
            database: PathBuf::from("data/zkmq.db"),
            probe_interval_ms: 1_000,
            backend_timeout_ms: 2_000,
            public_url: None,
            allowed_hosts: Vec::new(),
            session_idle_secs: 3_600,
            session_max_secs: 12 * 3_600,
            live_max_per_user: 20,
            live_max_per_console: 200,
            ws_max_message_bytes: 65_536,
            ws_max_per_user: 64,
        }
    }
}

/// A config problem: the file, the key (dotted path) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub key: String,
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "config file {}: key `{}`: {}",
            self.file.display(),
            self.key,
            self.reason
        )
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads, parses and validates the file, then applies env overrides.
    pub fn load(path: &Path, env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_path_buf(),
            key: "(file)".into(),
            reason: format!("cannot read it: {e}"),
        })?;
        let mut config = Config::parse(path, &text)?;
        apply_env_overrides(&mut config, env);
        Ok(config)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let err = |key: String, reason: String| ConfigError {
            file: path.to_path_buf(),
            key,
            reason,
        };
        let de = toml::Deserializer::new(text);
        let config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let key = if key == "." || key.is_empty() {
                "(document)".to_string()
            } else {
                key
            };
            // toml's message carries the line and a caret; keep it, on one line.
            let reason = e
                .into_inner()
                .to_string()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            err(key, reason)
        })?;
        config
            .validate()
            .map_err(|(key, reason)| err(key, reason))?;
        Ok(config)
    }

    /// Rules serde cannot express. Returns (key, reason) of the first problem.
    fn validate(&self) -> Result<(), (String, String)> {
        let s = &self.server;
        let bind: SocketAddr = s.bind.parse().map_err(|_| {
            (
                "server.bind".into(),
                format!("\"{}\" is not an address like 127.0.0.1:3000", s.bind),
            )
        })?;
        let _ = bind;
        range(
            "server.session_idle_secs",
            s.session_idle_secs,
            5,
            7 * 86_400,
        )?;
        range(
            "server.session_max_secs",
            s.session_max_secs,
            s.session_idle_secs,
            30 * 86_400,
        )?;
        range("server.live_max_per_user", s.live_max_per_user, 1, 10_000)?;
        range(
            "server.live_max_per_console",
            s.live_max_per_console,
            s.live_max_per_user,
            100_000,
        )?;
        range(
            "server.ws_max_message_bytes",
            s.ws_max_message_bytes,
            4_096,
            16 << 20,
        )?;
        range("server.ws_max_per_user", s.ws_max_per_user, 2, 100_000)?;
        if let Some(url) = &s.public_url {
            let rest = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"));
            if !rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/')) {
                return Err((
                    "server.public_url".into(),
                    format!("\"{url}\" is not an address like https://zkmq.example.org"),
                ));
            }
        }
        for (i, h) in s.allowed_hosts.iter().enumerate() {
            if h.trim().is_empty() || h.contains(['/', ' ', ':']) && !h.starts_with('[') {
                return Err((
                    format!("server.allowed_hosts[{i}]"),
                    format!(
                        "\"{h}\" is not a host name (no scheme, port or path), like zkmq.example.org"
                    ),
                ));
            }
        }
        if s.database.as_os_str().is_empty() {
            return Err(("server.database".into(), "must be a file path".into()));
        }
        range("server.probe_interval_ms", s.probe_interval_ms, 200, 60_000)?;
        range(
            "server.backend_timeout_ms",
            s.backend_timeout_ms,
            100,
            60_000,
        )?;

        self.auth.validate()?;
        let mut zk_ids = HashSet::new();
        for (i, z) in self.zookeeper.iter().enumerate() {
            let k = |f: &str| format!("zookeeper[{i}].{f}");
            check_id(&k("id"), &z.id, &mut zk_ids)?;
            check_name(&k("name"), &z.name)?;
            if z.hosts.is_empty() {
                return Err((k("hosts"), "must list at least one \"host:port\"".into()));
            }
            for (j, h) in z.hosts.iter().enumerate() {
                check_host_port(&format!("zookeeper[{i}].hosts[{j}]"), h)?;
            }
            range(
                &k("session_timeout_ms"),
                z.session_timeout_ms,
                2_000,
                120_000,
            )?;
            if let Some(d) = &z.digest
                && !d.expose().contains(':')
            {
                return Err((k("digest"), "must be \"user:password\"".into()));
            }
        }
        let mut kafka_ids = HashSet::new();
        for (i, c) in self.kafka.iter().enumerate() {
            let k = |f: &str| format!("kafka[{i}].{f}");
            check_id(&k("id"), &c.id, &mut kafka_ids)?;
            check_name(&k("name"), &c.name)?;
            if c.bootstrap_servers.is_empty() {
                return Err((
                    k("bootstrap_servers"),
                    "must list at least one \"host:port\"".into(),
                ));
            }
            for (j, h) in c.bootstrap_servers.iter().enumerate() {
                check_host_port(&format!("kafka[{i}].bootstrap_servers[{j}]"), h)?;
            }
            if let Some(z) = &c.zookeeper
                && !self.zookeeper.iter().any(|e| &e.id == z)
            {
                return Err((
                    k("zookeeper"),
                    format!("no [[zookeeper]] entry has id \"{z}\""),
                ));
            }
            if let Some(ch) = &c.zookeeper_chroot
                && (!ch.starts_with('/') || (ch.len() > 1 && ch.ends_with('/')))
            {
                return Err((
                    k("zookeeper_chroot"),
                    format!("\"{ch}\" must start with / and not end with /"),
                ));
            }
        }
        let mut rabbit_ids = HashSet::new();
        for (i, r) in self.rabbitmq.iter().enumerate() {
            let k = |f: &str| format!("rabbitmq[{i}].{f}");
            check_id(&k("id"), &r.id, &mut rabbit_ids)?;
            check_name(&k("name"), &r.name)?;
            check_url(&k("management_url"), &r.management_url, &["http", "https"])?;
            if let Some(a) = &r.amqp_url {
                check_url(&k("amqp_url"), a, &["amqp", "amqps"])?;
            }
            if r.username.trim().is_empty() {
                return Err((k("username"), "must not be empty".into()));
            }
        }
        Ok(())
    }
}

impl AuthConfig {
    fn validate(&self) -> Result<(), (String, String)> {
        for (group, grants) in &self.groups {
            for (j, g) in grants.iter().enumerate() {
                if let Err(e) = app::auth::logic::parse_grant_text(g) {
                    return Err((format!("auth.groups.{group}[{j}]"), e.to_string()));
                }
            }
        }
        if let Some(p) = &self.proxy {
            if p.trusted.is_empty() {
                return Err((
                    "auth.proxy.trusted".into(),
                    "must list the proxy's addresses, like [\"10.0.0.5\"] or [\"10.0.0.0/24\"]"
                        .into(),
                ));
            }
            for (i, t) in p.trusted.iter().enumerate() {
                if parse_net(t).is_none() {
                    return Err((
                        format!("auth.proxy.trusted[{i}]"),
                        format!(
                            "\"{t}\" is not an address or network like 10.0.0.5 or 10.0.0.0/24"
                        ),
                    ));
                }
            }
            for (key, h) in [
                ("user_header", &p.user_header),
                ("groups_header", &p.groups_header),
            ] {
                if axum::http::HeaderName::from_bytes(h.as_bytes()).is_err() {
                    return Err((
                        format!("auth.proxy.{key}"),
                        format!("\"{h}\" is not a header name"),
                    ));
                }
            }
        }
        if let Some(o) = &self.oidc {
            check_url("auth.oidc.issuer", &o.issuer, &["http", "https"])?;
            for (key, v) in [
                ("client_id", &o.client_id),
                ("label", &o.label),
                ("user_claim", &o.user_claim),
                ("groups_claim", &o.groups_claim),
            ] {
                check_name(&format!("auth.oidc.{key}"), v)?;
            }
        }
        Ok(())
    }
}

fn range(key: &str, v: u64, lo: u64, hi: u64) -> Result<(), (String, String)> {
    if v < lo || v > hi {
        return Err((
            key.into(),
            format!("{v} is out of range: allowed {lo} to {hi}"),
        ));
    }
    Ok(())
}

fn check_id(key: &str, id: &str, seen: &mut HashSet<String>) -> Result<(), (String, String)> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !ok {
        return Err((
            key.into(),
            format!(
                "\"{id}\" is not a valid id: use 1 to 64 lowercase letters, digits, '-' or '_' (it appears in URLs)"
            ),
        ));
    }
    if !seen.insert(id.to_string()) {
        return Err((
            key.into(),
            format!("\"{id}\" is used twice; ids must be unique per backend"),
        ));
    }
    Ok(())
}

fn check_name(key: &str, name: &str) -> Result<(), (String, String)> {
    if name.trim().is_empty() {
        return Err((key.into(), "must not be empty".into()));
    }
    Ok(())
}

fn check_host_port(key: &str, hp: &str) -> Result<(), (String, String)> {
    let bad = || {
        (
            key.to_string(),
            format!("\"{hp}\" is not \"host:port\" with a port from 1 to 65535"),
        )
    };
    let (host, port) = hp.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    if host.is_empty() || port == 0 {
        return Err(bad());
    }
    Ok(())
}

fn check_url(key: &str, u: &str, schemes: &[&str]) -> Result<(), (String, String)> {
    let parsed =
        url::Url::parse(u).map_err(|e| (key.to_string(), format!("\"{u}\" is not a URL: {e}")))?;
    if !schemes.contains(&parsed.scheme()) {
        return Err((
            key.into(),
            format!(
                "scheme \"{}\" is not allowed here; use {}",
                parsed.scheme(),
                schemes.join(" or ")
            ),
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err((
            key.into(),
            "must not contain credentials; use username/password (or their env variables)".into(),
        ));
    }
    Ok(())
}

/// The env variable that overrides a secret: `ZKMQ_<BACKEND>_<ID>_<FIELD>`,
/// upper case, '-' as '_'. E.g. `ZKMQ_RABBITMQ_LOCAL_PASSWORD`.
pub fn secret_env_name(backend: &str, id: &str, field: &str) -> String {
    format!("ZKMQ_{}_{}_{}", backend, id, field)
        .to_ascii_uppercase()
        .replace('-', "_")
}

/// Secrets from the environment win over the file, so the file can be shared.
pub fn apply_env_overrides(config: &mut Config, env: impl Fn(&str) -> Option<String>) {
    for z in &mut config.zookeeper {
        if let Some(v) = env(&secret_env_name("zookeeper", &z.id, "digest")) {
            z.digest = Some(Secret::new(v));
        }
    }
    for k in &mut config.kafka {
        if let Some(v) = env(&secret_env_name("kafka", &k.id, "sasl_password")) {
            k.sasl_password = Some(Secret::new(v));
        }
    }
    for r in &mut config.rabbitmq {
        if let Some(v) = env(&secret_env_name("rabbitmq", &r.id, "password")) {
            r.password = Secret::new(v);
        }
    }
    if let Some(o) = &mut config.auth.oidc
        && let Some(v) = env("ZKMQ_OIDC_CLIENT_SECRET")
    {
        o.client_secret = Some(Secret::new(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[server]
bind = "127.0.0.1:3000"

[[zookeeper]]
id = "local"
name = "Sandbox"
hosts = ["127.0.0.1:2181", "127.0.0.1:2182"]

[[kafka]]
id = "local"
name = "Sandbox Kafka"
bootstrap_servers = ["127.0.0.1:9092"]
zookeeper = "local"
zookeeper_chroot = "/kafka"

[[rabbitmq]]
id = "local"
name = "Sandbox RabbitMQ"
management_url = "http://127.0.0.1:15672"
username = "guest"
password = "guest"
"#;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("zkmq.toml"), text)
    }

    #[test]
    fn the_good_config_parses() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.zookeeper[0].hosts.len(), 2);
        assert_eq!(c.kafka[0].zookeeper.as_deref(), Some("local"));
        assert_eq!(c.rabbitmq[0].password.expose(), "guest");
        assert_eq!(c.server.probe_interval_ms, 1_000);
    }

    #[test]
    fn a_wrong_type_names_file_key_and_reason() {
        let e = parse(&GOOD.replace(
            "bootstrap_servers = [\"127.0.0.1:9092\"]",
            "bootstrap_servers = 9092",
        ))
        .unwrap_err();
        assert_eq!(e.file, Path::new("zkmq.toml"));
        assert_eq!(e.key, "kafka[0].bootstrap_servers");
        assert!(e.reason.contains("invalid type"), "{e}");
        assert!(
            e.to_string()
                .starts_with("config file zkmq.toml: key `kafka[0].bootstrap_servers`:"),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_key_is_refused_not_ignored() {
        let e = parse(&GOOD.replace(
            "username = \"guest\"",
            "username = \"guest\"\npasword = \"x\"",
        ))
        .unwrap_err();
        assert!(e.key.starts_with("rabbitmq[0]"), "{e}");
        assert!(e.reason.contains("pasword"), "{e}");
    }

    #[test]
    fn syntax_errors_carry_the_line() {
        let e = parse("[server\nbind = 1").unwrap_err();
        assert!(e.reason.contains("line 1"), "{e}");
    }

    #[test]
    fn semantic_rules() {
        let cases = [
            (
                GOOD.replace("127.0.0.1:2182", "127.0.0.1:99999"),
                "zookeeper[0].hosts[1]",
                "host:port",
            ),
            (
                GOOD.replace(
                    "id = \"local\"\nname = \"Sandbox Kafka\"",
                    "id = \"Local!\"\nname = \"Sandbox Kafka\"",
                ),
                "kafka[0].id",
                "not a valid id",
            ),
            (
                GOOD.replace("zookeeper = \"local\"", "zookeeper = \"nope\""),
                "kafka[0].zookeeper",
                "no [[zookeeper]]",
            ),
            (
                GOOD.replace("http://127.0.0.1:15672", "ftp://x"),
                "rabbitmq[0].management_url",
                "scheme",
            ),
            (
                GOOD.replace(
                    "http://127.0.0.1:15672",
                    "http://guest:guest@127.0.0.1:15672",
                ),
                "rabbitmq[0].management_url",
                "credentials",
            ),
            (
                GOOD.replace(
                    "bind = \"127.0.0.1:3000\"",
                    "bind = \"127.0.0.1:3000\"\nsession_idle_secs = 7200\nsession_max_secs = 3600",
                ),
                "server.session_max_secs",
                "allowed 7200",
            ),
            (
                GOOD.replace(
                    "bind = \"127.0.0.1:3000\"",
                    "bind = \"127.0.0.1:3000\"\nprobe_interval_ms = 5",
                ),
                "server.probe_interval_ms",
                "allowed 200",
            ),
        ];
        for (text, key, reason) in cases {
            let e = parse(&text).unwrap_err();
            assert_eq!(e.key, key, "{e}");
            assert!(e.reason.contains(reason), "{e}");
        }
    }

    #[test]
    fn remote_bind_needs_no_flag_now_that_calls_need_a_login() {
        assert!(parse(&GOOD.replace("127.0.0.1:3000", "0.0.0.0:3000")).is_ok());
        // Older files that still say allow_remote keep loading.
        let c = parse(&GOOD.replace(
            "bind = \"127.0.0.1:3000\"",
            "bind = \"0.0.0.0:3000\"\nallow_remote = true",
        ))
        .unwrap();
        assert!(c.server.allow_remote);
    }

    #[test]
    fn public_url_and_allowed_hosts_are_checked() {
        let with = |extra: &str| {
            parse(&GOOD.replace(
                "bind = \"127.0.0.1:3000\"",
                &format!("bind = \"127.0.0.1:3000\"\n{extra}"),
            ))
        };
        let c = with(
            "public_url = \"https://zkmq.example.org\"\nallowed_hosts = [\"console.internal\"]",
        )
        .unwrap();
        assert_eq!(c.server.allowed_hosts, ["console.internal"]);
        let e = with("public_url = \"zkmq.example.org\"").unwrap_err();
        assert_eq!(e.key, "server.public_url");
        assert!(
            e.reason.contains("like https://zkmq.example.org"),
            "{}",
            e.reason
        );
        let e = with("allowed_hosts = [\"https://x.example\"]").unwrap_err();
        assert_eq!(e.key, "server.allowed_hosts[0]");
        assert!(with("allowed_hosts = [\"[::1]\"]").is_ok());
    }

    #[test]
    fn auth_groups_proxy_and_oidc_are_checked() {
        let with = |extra: &str| parse(&format!("{GOOD}\n{extra}"));
        let c = with(
            "[auth.groups]\nkafka-ops = [\"operator on kafka/*\"]\n\
             [auth.proxy]\ntrusted = [\"10.0.0.5\", \"10.1.0.0/16\"]\n\
             [auth.oidc]\nissuer = \"https://idp.example.org\"\nclient_id = \"zkmq\"",
        )
        .unwrap();
        let table = c.auth.group_table();
        assert_eq!(table[0].0, "kafka-ops");
        assert_eq!(table[0].1[0].to_string(), "operator on kafka/*");
        let proxy = c.auth.proxy.unwrap();
        assert_eq!(proxy.user_header, "X-Forwarded-User");
        let nets = proxy.networks();
        assert!(nets[0].contains(&"10.0.0.5".parse::<std::net::IpAddr>().unwrap()));
        assert!(!nets[0].contains(&"10.0.0.6".parse::<std::net::IpAddr>().unwrap()));
        assert!(nets[1].contains(&"10.1.200.3".parse::<std::net::IpAddr>().unwrap()));
        assert_eq!(c.auth.oidc.unwrap().user_claim, "preferred_username");

        let e = with("[auth.groups]\nops = [\"operator kafka/*\"]").unwrap_err();
        assert_eq!(e.key, "auth.groups.ops[0]");
        assert!(
            e.reason.contains("like \"operator on kafka/*\""),
            "{}",
            e.reason
        );
        let e = with("[auth.proxy]\ntrusted = []").unwrap_err();
        assert_eq!(e.key, "auth.proxy.trusted");
        let e = with("[auth.proxy]\ntrusted = [\"proxy.internal\"]").unwrap_err();
        assert_eq!(e.key, "auth.proxy.trusted[0]");
        let e =
            with("[auth.proxy]\ntrusted = [\"10.0.0.5\"]\nuser_header = \"X User\"").unwrap_err();
        assert_eq!(e.key, "auth.proxy.user_header");
        let e =
            with("[auth.oidc]\nissuer = \"idp.example.org\"\nclient_id = \"zkmq\"").unwrap_err();
        assert_eq!(e.key, "auth.oidc.issuer");
        let e = with("[auth.oidc]\nissuer = \"https://idp.example.org\"\nclient_id = \" \"")
            .unwrap_err();
        assert_eq!(e.key, "auth.oidc.client_id");
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let dup = format!(
            "{GOOD}\n[[rabbitmq]]\nid = \"local\"\nname = \"x\"\nmanagement_url = \"http://h:1\"\nusername = \"u\"\npassword = \"p\"\n"
        );
        let e = parse(&dup).unwrap_err();
        assert_eq!(e.key, "rabbitmq[1].id");
        assert!(e.reason.contains("twice"));
    }

    #[test]
    fn env_overrides_secrets_and_secrets_never_print() {
        let mut c = parse(GOOD).unwrap();
        apply_env_overrides(&mut c, |k| {
            (k == "ZKMQ_RABBITMQ_LOCAL_PASSWORD").then(|| "s3cret".to_string())
        });
        assert_eq!(c.rabbitmq[0].password.expose(), "s3cret");
        let printed = format!("{c:?}");
        assert!(
            !printed.contains("s3cret"),
            "secret leaked into Debug output"
        );
        assert_eq!(
            secret_env_name("kafka", "prod-eu", "sasl_password"),
            "ZKMQ_KAFKA_PROD_EU_SASL_PASSWORD"
        );
    }
}
