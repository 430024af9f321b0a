//! The ZooKeeper adapter (server only): one long-lived `zookeeper-client`
//! session per ensemble plus four-letter-word probes of every member.

pub mod audited;
pub mod live;

use super::logic::{join, page_children};
use super::model::{AclEntry, ChildPage, CreateKind, Znode, ZnodeCopy, ZnodeStat};
use crate::clusters::model::ClusterRef;
use crate::codec::encode_b64;
use crate::error::{AppError, Backend};
use crate::runtime::{Secret, bounded};
use serde::Deserialize;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Mutex;
use zookeeper_client as zk;

/// One `[[zookeeper]]` entry of the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZkClusterConfig {
    pub id: String,
    pub name: String,
    /// Client addresses of the members, "host:port".
    pub hosts: Vec<String>,
    #[serde(default = "default_session_timeout_ms")]
    pub session_timeout_ms: u64,
    /// "user:password" for the digest scheme, added to the session at connect.
    #[serde(default)]
    pub digest: Option<Secret>,
    /// Largest znode data zkmq will send: the server's `jute.maxbuffer` (1 MiB by
    /// default) less room for the request around it.
    #[serde(default = "default_max_data_bytes")]
    pub max_data_bytes: usize,
    /// Longest znode path zkmq reads or writes (bytes): far below the packet
    /// limit, so no request can make the server drop the shared session.
    #[serde(default = "default_max_path_bytes")]
    pub max_path_bytes: usize,
    /// Deepest znode path zkmq opens (levels): a page grows with every level.
    #[serde(default = "default_max_path_depth")]
    pub max_path_depth: usize,
    /// The ensemble monitor asks each member this often (milliseconds).
    #[serde(default = "default_monitor_interval_ms")]
    pub monitor_interval_ms: u64,
    /// Bound on one member probe; a hung member costs this, never more.
    #[serde(default = "default_monitor_timeout_ms")]
    pub monitor_timeout_ms: u64,
    /// AdminServer port on every member's host (ZooKeeper's default is 8080);
    /// unset: only `admin_urls`, else four-letter words.
    #[serde(default)]
    pub admin_port: Option<u16>,
    /// Member client address → AdminServer base URL, e.g.
    /// `{ "10.0.0.1:2181" = "http://10.0.0.1:8080" }`; wins over `admin_port`.
    #[serde(default)]
    pub admin_urls: std::collections::BTreeMap<String, String>,
}

fn default_monitor_interval_ms() -> u64 {
    500
}

fn default_monitor_timeout_ms() -> u64 {
    1_000
}

/// How the monitor reaches each member's AdminServer.
#[derive(Debug, Clone, Default)]
pub struct AdminEndpoints {
    /// AdminServer on every member's host at this port.
    pub port: Option<u16>,
    /// Per member client address → AdminServer base URL (wins over `port`).
    pub urls: std::collections::BTreeMap<String, String>,
}

impl AdminEndpoints {
    pub fn url_for(&self, address: &str) -> Option<String> {
        if let Some(u) = self.urls.get(address) {
            return Some(u.clone());
        }
        let port = self.port?;
        let host = address.rsplit_once(':').map(|(h, _)| h).unwrap_or(address);
        Some(format!("http://{host}:{port}"))
    }
}

/// What the ensemble monitor needs from the config.
pub struct MonitorSettings {
    pub interval: Duration,
    pub timeout: Duration,
    pub admin: AdminEndpoints,
}

fn default_max_data_bytes() -> usize {
    1_048_575 - 1_024
}

fn default_max_path_bytes() -> usize {
    4_096
}

fn default_max_path_depth() -> usize {
    128
}

fn default_session_timeout_ms() -> u64 {
    10_000
}

/// Errors of this adapter; converted to `AppError` in one place.
#[derive(Debug, thiserror::Error)]
pub enum ZkError {
    #[error("{0} does not exist")]
    NoNode(String),
    #[error("{0} already exists")]
    NodeExists(String),
    #[error("{0} changed since it was read")]
    BadVersion(String),
    #[error("{0} has children")]
    NotEmpty(String),
    #[error("not authorised for {0}")]
    NoAuth(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Other(String),
}

impl ZkError {
    fn from_client(e: zk::Error, path: &str) -> Self {
        match e {
            zk::Error::NoNode => ZkError::NoNode(path.to_string()),
            zk::Error::NodeExists => ZkError::NodeExists(path.to_string()),
            zk::Error::BadVersion => ZkError::BadVersion(path.to_string()),
            zk::Error::NotEmpty => ZkError::NotEmpty(path.to_string()),
            zk::Error::NoAuth | zk::Error::AuthFailed => ZkError::NoAuth(path.to_string()),
            zk::Error::Unimplemented => ZkError::Unsupported(format!(
                "this ZooKeeper server does not support that operation on {path} (TTL nodes need zookeeper.extendedTypesEnabled=true)"
            )),
            zk::Error::NoChildrenForEphemerals => {
                ZkError::Other(format!("{path}: ephemeral znodes cannot have children"))
            }
            zk::Error::ConnectionLoss
            | zk::Error::SessionExpired
            | zk::Error::ClientClosed
            | zk::Error::NoHosts
            | zk::Error::Timeout => ZkError::Unavailable(e.to_string()),
            other => ZkError::Other(other.to_string()),
        }
    }

    pub fn into_app(self, cluster: &str) -> AppError {
        match self {
            ZkError::NoNode(p) => AppError::NotFound {
                what: format!("znode {p}"),
            },
            ZkError::NodeExists(p) => AppError::Conflict(format!("znode {p} already exists")),
            ZkError::BadVersion(p) => AppError::Conflict(format!(
                "znode {p} changed since it was read; nothing was overwritten"
            )),
            ZkError::NotEmpty(p) => {
                AppError::Conflict(format!("znode {p} has children; delete them first"))
            }
            ZkError::Unsupported(what) => AppError::invalid("kind", what),
            ZkError::NoAuth(p) => AppError::Denied(format!(
                "ZooKeeper refused access to {p}: check the digest credentials of cluster \"{cluster}\""
            )),
            ZkError::Unavailable(reason) => AppError::Unavailable {
                backend: Backend::Zookeeper,
                cluster: cluster.into(),
                reason,
            },
            ZkError::Other(reason) => AppError::Internal(format!("ZooKeeper: {reason}")),
        }
    }
}

/// One configured ensemble's adapter. Its reads are public; its writes are
/// private to this module, so the only way to change a znode is
/// `audited`, which records the attempt first.
pub struct ZkCluster {
    config: ZkClusterConfig,
    timeout: Duration,
    /// The shared session, rebuilt when it expires or closes (terminal states).
    client: Mutex<Option<zk::Client>>,
}

impl ZkCluster {
    pub fn new(config: ZkClusterConfig, timeout: Duration) -> Self {
        ZkCluster {
            config,
            timeout,
            client: Mutex::new(None),
        }
    }

    pub fn id(&self) -> &str {
        &self.config.id
    }

    pub fn max_data_bytes(&self) -> usize {
        self.config.max_data_bytes
    }

    /// A well-formed path within this ensemble's bounds, or why not
    /// (`field` names the form field).
    pub fn check_path(&self, field: &str, path: &str) -> Result<(), AppError> {
        // Bounds first: a refused path is never walked or echoed.
        super::logic::check_path_bounds(
            field,
            path,
            self.config.max_path_bytes,
            self.config.max_path_depth,
        )?;
        super::logic::validate_path(field, path)
    }

    pub fn cluster_ref(&self) -> ClusterRef {
        ClusterRef {
            backend: Backend::Zookeeper,
            id: self.config.id.clone(),
            name: self.config.name.clone(),
        }
    }

    /// The configured client addresses.
    pub fn hosts(&self) -> &[String] {
        &self.config.hosts
    }

    pub fn monitor_settings(&self) -> MonitorSettings {
        MonitorSettings {
            interval: Duration::from_millis(self.config.monitor_interval_ms.max(100)),
            timeout: Duration::from_millis(self.config.monitor_timeout_ms.max(50)),
            admin: AdminEndpoints {
                port: self.config.admin_port,
                urls: self.config.admin_urls.clone(),
            },
        }
    }

    fn connect_string(&self) -> String {
        self.config.hosts.join(",")
    }

    /// A live session, connecting (bounded by the timeout) if there is none.
    /// The id of the console's current session (tests use it to find the member it is on).
    pub async fn session_id(&self) -> Result<i64, AppError> {
        Ok(self.client().await?.session_id().0)
    }

    async fn client(&self) -> Result<zk::Client, AppError> {
        let mut guard = self.client.lock().await;
        if let Some(c) = guard.as_ref() {
            if !c.state().is_terminated() {
                return Ok(c.clone());
            }
            tracing::info!(cluster.id = %self.config.id, state = ?c.state(), "zookeeper session ended; reconnecting");
        }
        let mut connector = zk::Client::connector()
            .with_session_timeout(Duration::from_millis(self.config.session_timeout_ms));
        if let Some(d) = &self.config.digest {
            connector = connector.with_auth("digest", d.expose().as_bytes());
        }
        let cs = self.connect_string();
        let client = bounded(self.timeout, Backend::Zookeeper, &self.config.id, async {
            connector
                .connect(&cs)
                .await
                .map_err(|e| ZkError::from_client(e, "/").into_app(&self.config.id))
        })
        .await?;
        *guard = Some(client.clone());
        Ok(client)
    }

    /// Runs one client call with the timeout and maps its error.
    async fn call<T, F, Fut>(&self, path: &str, f: F) -> Result<T, AppError>
    where
        F: FnOnce(zk::Client) -> Fut,
        Fut: std::future::Future<Output = Result<T, zk::Error>>,
    {
        // Every read and write passes here: nothing beyond the bounds reaches the server.
        super::logic::check_path_bounds(
            "path",
            path,
            self.config.max_path_bytes,
            self.config.max_path_depth,
        )?;
        let client = self.client().await?;
        bounded(self.timeout, Backend::Zookeeper, &self.config.id, async {
            f(client)
                .await
                .map_err(|e| ZkError::from_client(e, path).into_app(&self.config.id))
        })
        .await
    }

    /// Reads a znode's data (used for audit before/after values and tests).
    pub async fn get_data(&self, path: &str) -> Result<Option<Vec<u8>>, AppError> {
        let p = path.to_string();
        match self
            .call(path, |c| async move { c.get_data(&p).await })
            .await
        {
            Ok((data, _)) => Ok(Some(data)),
            Err(AppError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// One page of children, filtered and sorted here: the browser only ever
    /// receives `limit` names, whatever the znode holds.
    /// A page of `path`'s children from `offset`, or, when `around` names a
    /// child, the page that holds it.
    pub async fn list_children(
        &self,
        path: &str,
        prefix: &str,
        offset: usize,
        around: Option<&str>,
        limit: usize,
    ) -> Result<ChildPage, AppError> {
        let p = path.to_string();
        let (names, stat) = self
            .call(path, |c| async move { c.get_children(&p).await })
            .await?;
        let offset = match around {
            Some(name) => crate::zookeeper::logic::page_holding(&names, prefix, name, limit),
            None if offset == 0 => 0,
            None => crate::zookeeper::logic::within_pages(
                offset,
                names.iter().filter(|n| n.starts_with(prefix)).count(),
                limit,
            ),
        };
        let (names, matching, total) = page_children(names, prefix, offset, limit);
        // One stat per shown child, all in flight at once on the session's
        // pipeline (a page is at most `limit` of them, whatever the parent holds).
        let paths: Vec<String> = names.iter().map(|n| join(path, n)).collect();
        let child_counts = self
            .call(path, |c| async move {
                let stats = futures::future::join_all(paths.iter().map(|p| c.check_stat(p))).await;
                stats
                    .into_iter()
                    .map(|s| s.map(|s| s.map_or(-1, |s| s.num_children)))
                    .collect::<Result<Vec<i32>, _>>()
            })
            .await?;
        Ok(ChildPage {
            path: path.to_string(),
            names,
            matching,
            total,
            offset,
            pzxid: stat.pzxid,
            child_counts,
        })
    }

    /// Makes this session's member catch up with the leader on `path`.
    /// ZooKeeper promises read-your-writes only within a session: without
    /// this, a page could show a member's lagging view of a change that
    /// another client already made.
    pub async fn sync(&self, path: &str) -> Result<(), AppError> {
        let p = path.to_string();
        match self.call(path, |c| async move { c.sync(&p).await }).await {
            Err(AppError::NotFound { .. }) => Ok(()),
            other => other,
        }
    }

    /// How many of `paths` exist now, read after a sync. Used after a
    /// change failed mid-way, so the ensemble may be electing a leader: the
    /// count is retried for up to 15 s while the ensemble cannot answer.
    pub async fn count_existing(&self, paths: &[&str]) -> Result<usize, AppError> {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let attempt = async {
                if let Some(first) = paths.first() {
                    self.sync(first).await?;
                }
                let mut n = 0;
                for chunk in paths.chunks(64) {
                    let reads = chunk.iter().map(|p| self.get_data(p));
                    for r in futures::future::join_all(reads).await {
                        n += usize::from(r?.is_some());
                    }
                }
                Ok::<usize, AppError>(n)
            };
            match attempt.await {
                Err(AppError::Unavailable { .. } | AppError::Timeout { .. })
                    if std::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                other => return other,
            }
        }
    }

    /// Data, stat and ACL of one znode.
    pub async fn get_znode(&self, path: &str) -> Result<Znode, AppError> {
        let p = path.to_string();
        let ((data, stat), (acl, _)) = self
            .call(path, |c| async move {
                let d = c.get_data(&p).await?;
                let a = c.get_acl(&p).await?;
                Ok((d, a))
            })
            .await?;
        Ok(Znode {
            path: path.to_string(),
            data_b64: encode_b64(&data),
            stat: stat_of(&stat),
            acl: acl
                .iter()
                .map(|a| AclEntry {
                    scheme: a.scheme().to_string(),
                    id: a.id().to_string(),
                    perms: perms_of(a.permission()),
                })
                .collect(),
        })
    }

    /// Creates a znode with the given ACL (`None`: open to anyone).
    /// Returns the created path (sequential nodes get a suffix).
    async fn create_with_acl(
        &self,
        path: &str,
        data: &[u8],
        kind: CreateKind,
        ttl_ms: Option<u64>,
        acl: Option<&[AclEntry]>,
    ) -> Result<String, AppError> {
        let p = path.to_string();
        let d = data.to_vec();
        let acls = acl.map(to_client_acl);
        self.call(path, |c| async move {
            let mode = match kind {
                CreateKind::Persistent | CreateKind::PersistentTtl => zk::CreateMode::Persistent,
                CreateKind::PersistentSequential => zk::CreateMode::PersistentSequential,
                CreateKind::Container => zk::CreateMode::Container,
            };
            let mut opts = match &acls {
                Some(a) => mode.with_acls(zk::Acls::new(a)),
                None => mode.with_acls(zk::Acls::anyone_all()),
            };
            if kind == CreateKind::PersistentTtl {
                opts = opts.with_ttl(Duration::from_millis(ttl_ms.unwrap_or(0)));
            }
            let (_, seq) = c.create(&p, &d, &opts).await?;
            Ok(if kind == CreateKind::PersistentSequential {
                format!("{p}{seq}")
            } else {
                p
            })
        })
        .await
    }

    /// Replaces the ACL if it is still at `aversion`.
    async fn set_acl(
        &self,
        path: &str,
        acl: &[AclEntry],
        aversion: i32,
    ) -> Result<ZnodeStat, AppError> {
        let p = path.to_string();
        let acls = to_client_acl(acl);
        self.call(path, |c| async move {
            c.set_acl(&p, &acls, Some(aversion)).await
        })
        .await
        .map(|s| stat_of(&s))
    }

    /// Replaces the data if the znode is still at `version`; returns the new stat.
    async fn set_data(&self, path: &str, data: &[u8], version: i32) -> Result<ZnodeStat, AppError> {
        let p = path.to_string();
        let d = data.to_vec();
        self.call(
            path,
            |c| async move { c.set_data(&p, &d, Some(version)).await },
        )
        .await
        .map(|s| stat_of(&s))
    }

    /// Deletes one znode if it is still at `version` (`None`: any version).
    async fn delete_versioned(&self, path: &str, version: Option<i32>) -> Result<(), AppError> {
        let p = path.to_string();
        self.call(path, |c| async move { c.delete(&p, version).await })
            .await
    }

    /// Every znode under `path` (itself first, parents before children), read
    /// level by level with concurrent requests. Refuses subtrees larger than `limit`.
    pub async fn read_subtree(&self, path: &str, limit: usize) -> Result<Vec<ZnodeCopy>, AppError> {
        // Export, the delete preview and the delete itself must see what other
        // clients just wrote: zkmq's session may be on a member that lags
        // (CI caught an export missing three fresh children after a member
        // restart). One sync of the root catches the member up for the whole walk.
        self.sync(path).await?;
        let mut out = Vec::new();
        let mut level = vec![path.to_string()];
        while !level.is_empty() {
            let mut next = Vec::new();
            for chunk in level.chunks(64) {
                let reads = chunk.iter().map(|p| async move {
                    let z = self.get_znode(p).await?;
                    let kids = if z.stat.num_children > 0 {
                        self.list_all_children(p).await?
                    } else {
                        Vec::new()
                    };
                    Ok::<_, AppError>((z, kids))
                });
                for r in futures::future::join_all(reads).await {
                    match r {
                        Ok((z, kids)) => {
                            next.extend(kids.iter().map(|k| join(&z.path, k)));
                            out.push(ZnodeCopy {
                                path: z.path,
                                data_b64: z.data_b64,
                                acl: z.acl,
                                stat: z.stat,
                            });
                        }
                        // Deleted by someone else while we walk: nothing to copy.
                        Err(AppError::NotFound { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
                if out.len() + next.len() > limit {
                    return Err(AppError::invalid(
                        "path",
                        format!(
                            "{path} has more than {limit} znodes; zkmq deletes at most {limit} at a time (delete its larger children first)"
                        ),
                    ));
                }
            }
            level = next;
        }
        Ok(out)
    }

    /// Every child name of `path`, unsorted (for walks; pages use `list_children`).
    pub async fn list_all_children(&self, path: &str) -> Result<Vec<String>, AppError> {
        let p = path.to_string();
        self.call(path, |c| async move { c.list_children(&p).await })
            .await
    }

    /// Deletes the given znodes deepest first, in multi-op batches (each batch
    /// atomic). Returns how many were deleted; on failure, the error and the count so far.
    async fn delete_many(&self, nodes: &[ZnodeCopy]) -> Result<usize, (AppError, usize)> {
        let mut order: Vec<&ZnodeCopy> = nodes.iter().collect();
        order.sort_by_key(|n| std::cmp::Reverse(n.path.matches('/').count()));
        let mut done = 0;
        for batch in order.chunks(500) {
            let paths: Vec<String> = batch.iter().map(|n| n.path.clone()).collect();
            let first = paths.first().cloned().unwrap_or_default();
            let r = self
                .call(&first, |c| async move {
                    let mut w = c.new_multi_writer();
                    for p in &paths {
                        w.add_delete(p, None)?;
                    }
                    w.commit().await.map(|_| ()).map_err(|e| match e {
                        zk::MultiWriteError::RequestFailed { source } => source,
                        zk::MultiWriteError::OperationFailed { source, .. } => source,
                    })
                })
                .await;
            match r {
                Ok(()) => done += batch.len(),
                Err(e) => return Err((e, done)),
            }
        }
        Ok(done)
    }
}

fn stat_of(s: &zk::Stat) -> ZnodeStat {
    ZnodeStat {
        czxid: s.czxid,
        mzxid: s.mzxid,
        pzxid: s.pzxid,
        ctime: s.ctime,
        mtime: s.mtime,
        version: s.version,
        cversion: s.cversion,
        aversion: s.aversion,
        ephemeral_owner: s.ephemeral_owner,
        data_length: s.data_length,
        num_children: s.num_children,
    }
}

fn to_client_acl(acl: &[AclEntry]) -> Vec<zk::Acl> {
    acl.iter()
        .map(|a| {
            let perm = [
                (1, zk::Permission::READ),
                (2, zk::Permission::WRITE),
                (4, zk::Permission::CREATE),
                (8, zk::Permission::DELETE),
                (16, zk::Permission::ADMIN),
            ]
            .into_iter()
            .filter(|(bit, _)| a.perms & bit != 0)
            .fold(zk::Permission::NONE, |acc, (_, p)| acc | p);
            zk::Acl::new(perm, zk::AuthId::new(&a.scheme, &a.id))
        })
        .collect()
}

fn perms_of(p: zk::Permission) -> i32 {
    [
        zk::Permission::READ,
        zk::Permission::WRITE,
        zk::Permission::CREATE,
        zk::Permission::DELETE,
        zk::Permission::ADMIN,
    ]
    .into_iter()
    .zip([1, 2, 4, 8, 16])
    .filter(|(perm, _)| p.has(*perm))
    .map(|(_, bit)| bit)
    .sum()
}

/// Sends a four-letter word and reads the answer until the server closes.
pub async fn four_letter_word(address: &str, word: &str) -> std::io::Result<String> {
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    stream.write_all(word.as_bytes()).await?;
    let mut buf = Vec::with_capacity(1024);
    // Answers are small (srvr < 1 KiB, mntr ~ 30 KiB); cap to be safe.
    stream.take(1 << 20).read_to_end(&mut buf).await?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}
