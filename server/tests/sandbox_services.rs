//! The adapters against the real sandbox (`scripts/sandbox start`): a 3-node
//! ZooKeeper ensemble, 3 Kafka brokers registered in it, RabbitMQ.

mod common;

use app::audit::model::Outcome;
use app::audit::ssr::{AuditLog, Recorder};
use app::clusters::model::Reachability;
use app::error::{AppError, Backend};
use app::kafka::ssr::KafkaCluster;
use app::rabbitmq::ssr::RabbitCluster;
use app::runtime::{RequestContext, Secret};
use app::zookeeper::model::{CreateKind, DataEncoding};
use app::zookeeper::ssr::{ZkCluster, audited};
use common::{TIMEOUT, sandbox_config, sandbox_versions, start_monitor, unique, wait_snapshot};

fn zk() -> ZkCluster {
    ZkCluster::new(sandbox_config().zookeeper[0].clone(), TIMEOUT)
}

#[tokio::test]
async fn overview_probe_of_the_ensemble_sees_three_serving_members_and_the_leader() {
    let (m, _g) = start_monitor(sandbox_config().zookeeper[0].clone()).await;
    wait_snapshot(&m, std::time::Duration::from_secs(10), "leader", |s| {
        s.leader.is_some()
    })
    .await;
    let s = m.probe().await;
    assert_eq!(s.reachability, Reachability::Reachable, "{}", s.detail);
    assert_eq!(s.version, Some(sandbox_versions().zookeeper));
    assert!(s.latency_ms.unwrap() > 0.0);
    assert!(
        s.detail
            .starts_with("3 of 3 members serving, leader 127.0.0.1:218"),
        "{}",
        s.detail
    );
}

#[tokio::test]
async fn kafka_brokers_are_registered_in_the_ensemble_under_the_chroot() {
    let zk = zk();
    let cfg = sandbox_config();
    let chroot = cfg.kafka[0].zookeeper_chroot.clone().unwrap();
    let mut ids = zk
        .list_all_children(&format!("{chroot}/brokers/ids"))
        .await
        .unwrap();
    ids.sort();
    assert_eq!(ids, ["1", "2", "3"]);
}

/// A recorder on a throw-away audit database, acting as "it".
async fn recorder(dir: &tempfile::TempDir) -> (AuditLog, Recorder) {
    let log = AuditLog::open(&dir.path().join("a.db")).await.unwrap();
    let rec = Recorder::new(log.clone(), RequestContext::local("it"));
    (log, rec)
}

/// Creates a persistent znode through the audited path.
async fn create(rec: &Recorder, zk: &ZkCluster, path: &str, data: &str, acl: Option<&str>) {
    audited::create(
        rec,
        zk,
        path,
        data,
        DataEncoding::Text,
        CreateKind::Persistent,
        None,
        acl,
    )
    .await
    .unwrap();
}

/// Deletes a znode and what is under it, through the audited path.
async fn remove(rec: &Recorder, zk: &ZkCluster, path: &str) {
    audited::delete_subtree(rec, zk, path, path).await.unwrap();
}

#[tokio::test]
async fn an_audited_znode_change_against_the_real_ensemble() {
    let dir = tempfile::tempdir().unwrap();
    let (log, rec) = recorder(&dir).await;
    let zk = zk();
    let root = format!("/{}", unique("zkmq-it-audit"));

    // Succeeds: the after value is what was written.
    create(&rec, &zk, &root, "hello", None).await;
    assert_eq!(
        zk.get_data(&root).await.unwrap().as_deref(),
        Some(&b"hello"[..])
    );

    // Fails for real: the parent does not exist.
    let orphan = format!("{root}-missing/child");
    let err = audited::create(
        &rec,
        &zk,
        &orphan,
        "x",
        DataEncoding::Text,
        CreateKind::Persistent,
        None,
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::NotFound { .. }), "{err:?}");

    let recs = log.list(10, None, None).await.unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1].target, root);
    assert_eq!(recs[1].actor, "it");
    assert_eq!(recs[1].outcome, Outcome::Ok);
    assert_eq!(recs[1].after.as_deref(), Some("hello"));
    assert_eq!(recs[0].target, orphan);
    assert_eq!(recs[0].outcome, Outcome::Error);
    assert!(
        recs[0].error.as_deref().unwrap().contains("was not found"),
        "{:?}",
        recs[0].error
    );
    assert!(log.verify().await.unwrap().first_broken.is_none());

    remove(&rec, &zk, &root).await;
    assert_eq!(zk.get_data(&root).await.unwrap(), None);
}

#[tokio::test]
async fn kafka_probe_reports_three_brokers_and_the_release_line() {
    let k = KafkaCluster::new(sandbox_config().kafka[0].clone(), TIMEOUT).unwrap();
    // All three brokers up and no partition under-replicated: nothing less
    // than reachable (degraded would mean a broker or a replica is missing).
    let s = k.probe().await;
    assert_eq!(s.reachability, Reachability::Reachable, "{}", s.detail);
    assert_eq!(s.version, Some(sandbox_versions().kafka_line));
    let summary = k.summary().await.unwrap();
    assert_eq!(
        summary.brokers.iter().map(|b| b.id).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(summary.brokers.iter().all(|b| b.host == "127.0.0.1"));
}

#[tokio::test]
async fn kafka_that_is_not_there_is_unreachable_within_the_timeout() {
    let mut cfg = sandbox_config().kafka[0].clone();
    cfg.id = "ghost".into();
    cfg.bootstrap_servers = vec!["127.0.0.1:1".into()];
    let k = KafkaCluster::new(cfg, std::time::Duration::from_millis(1500)).unwrap();
    let start = std::time::Instant::now();
    let s = k.probe().await;
    assert_eq!(s.reachability, Reachability::Unreachable);
    assert!(s.detail.contains("Kafka cluster \"ghost\""), "{}", s.detail);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn rabbitmq_probe_reports_its_version() {
    let r = RabbitCluster::new(sandbox_config().rabbitmq[0].clone(), TIMEOUT).unwrap();
    let s = r.probe().await;
    assert_eq!(s.reachability, Reachability::Reachable, "{}", s.detail);
    assert_eq!(s.version, Some(sandbox_versions().rabbitmq));
    let summary = r.summary().await.unwrap();
    assert!(
        summary.overview.exchanges >= 7,
        "a fresh vhost has the default exchanges: {}",
        summary.overview.exchanges
    );
}

#[tokio::test]
async fn rabbitmq_with_a_wrong_password_says_so() {
    let mut cfg = sandbox_config().rabbitmq[0].clone();
    cfg.password = Secret::new("wrong");
    let r = RabbitCluster::new(cfg, TIMEOUT).unwrap();
    let e = r.summary().await.unwrap_err();
    assert!(matches!(e, AppError::Denied(_)), "{e:?}");
    assert!(e.to_string().contains("HTTP 401"), "{e}");
}

#[tokio::test]
async fn zookeeper_that_is_not_there_is_unreachable_within_the_timeout() {
    let mut cfg = sandbox_config().zookeeper[0].clone();
    cfg.id = "ghost".into();
    cfg.hosts = vec!["127.0.0.1:1".into()];
    cfg.admin_urls.clear();
    let (m, _g) = start_monitor(cfg).await;
    wait_snapshot(&m, std::time::Duration::from_secs(5), "probed", |_| true).await;
    let start = std::time::Instant::now();
    let s = m.probe().await;
    assert_eq!(s.reachability, Reachability::Unreachable);
    assert!(
        s.detail.starts_with("0 of 1 members serving"),
        "{}",
        s.detail
    );
    assert!(
        start.elapsed() < std::time::Duration::from_secs(7),
        "{:?}",
        start.elapsed()
    );
}

/// A server that accepts connections and never answers: a hung backend.
fn black_hole() -> (std::net::TcpListener, String) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    (l, addr)
}

#[tokio::test]
async fn a_hung_rabbitmq_gives_a_timeout_naming_the_cluster() {
    let (_hole, addr) = black_hole();
    let mut cfg = sandbox_config().rabbitmq[0].clone();
    cfg.id = "hung".into();
    cfg.management_url = format!("http://{addr}");
    let r = RabbitCluster::new(cfg, std::time::Duration::from_millis(500)).unwrap();
    let start = std::time::Instant::now();
    let e = r.summary().await.unwrap_err();
    assert!(
        start.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(e.to_string().contains("RabbitMQ cluster \"hung\""), "{e}");
    assert_eq!(e.backend(), Some(Backend::Rabbitmq));
}

#[tokio::test]
async fn digest_credentials_from_config_open_znodes_restricted_to_them() {
    let dir = tempfile::tempdir().unwrap();
    let (_log, rec) = recorder(&dir).await;
    let mut cfg = sandbox_config().zookeeper[0].clone();
    cfg.digest = Some(Secret::new("alice:s3cret"));
    let alice = ZkCluster::new(cfg, TIMEOUT);
    let path = format!("/{}", unique("zkmq-it-digest"));
    // `auth::cdrwa`: only the session's authenticated identity (alice) may touch it.
    create(&rec, &alice, &path, "private", Some("auth::cdrwa")).await;
    let z = alice.get_znode(&path).await.unwrap();
    assert_eq!(z.acl[0].scheme, "digest");
    assert!(z.acl[0].id.starts_with("alice:"), "{:?}", z.acl);

    // The console without those credentials is refused, with a message that says what to check.
    let anonymous = zk();
    let e = anonymous.get_znode(&path).await.unwrap_err();
    assert!(matches!(e, AppError::Denied(_)), "{e:?}");
    assert!(
        e.to_string()
            .contains("check the digest credentials of cluster \"local\""),
        "{e}"
    );
    remove(&rec, &alice, &path).await;
}

/// The next refusal a watch session sends, skipping other events.
async fn next_refusal(
    rx: &mut tokio::sync::mpsc::Receiver<app::zookeeper::model::LiveEvent>,
) -> Option<app::zookeeper::model::LiveEvent> {
    use app::zookeeper::model::LiveEvent;
    while let Ok(Some(ev)) = tokio::time::timeout(TIMEOUT, rx.recv()).await {
        if let LiveEvent::Refused { .. } = ev {
            return Some(ev);
        }
    }
    None
}

#[tokio::test]
async fn a_page_cannot_watch_more_than_its_budget() {
    use app::zookeeper::model::{LiveEvent, WATCH_BUDGET};
    use app::zookeeper::ssr::live::WatchSession;
    let zk = std::sync::Arc::new(zk());
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let mut session = WatchSession::new(zk, tx);
    let base = format!("/{}", unique("zkmq-it-budget"));
    for i in 0..WATCH_BUDGET {
        session.watch(format!("{base}/n{i}"));
    }
    assert_eq!(session.len(), WATCH_BUDGET);
    session.watch(format!("{base}/one-too-many"));
    assert_eq!(session.len(), WATCH_BUDGET);
    // Each placed watch reports itself (`Watching`); the refusal is not lost among them.
    match next_refusal(&mut rx).await {
        Some(LiveEvent::Refused { path, reason }) => {
            assert_eq!(path, format!("{base}/one-too-many"));
            assert!(reason.contains("already watches 200 znodes"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Unwatching frees room; a bad path is refused with the reason.
    session.unwatch(&format!("{base}/n0"));
    session.watch("relative/path".into());
    match next_refusal(&mut rx).await {
        Some(LiveEvent::Refused { reason, .. }) => {
            assert!(reason.contains("must start with /"), "{reason}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    session.watch(format!("{base}/one-too-many"));
    assert_eq!(session.len(), WATCH_BUDGET);
}

/// A placed watch reports the zxids it saw, so a page can tell whether what
/// it read before the watch existed is already out of date.
#[tokio::test]
async fn a_placed_watch_reports_the_zxids_it_saw() {
    use app::zookeeper::model::LiveEvent;
    use app::zookeeper::ssr::live::WatchSession;
    let dir = tempfile::tempdir().unwrap();
    let (_log, rec) = recorder(&dir).await;
    let zk = std::sync::Arc::new(zk());
    let path = format!("/{}", unique("zkmq-it-watching"));
    create(&rec, &zk, &path, "one", None).await;
    let child = format!("{path}/c");
    create(&rec, &zk, &child, "", None).await;
    let read = zk.get_znode(&path).await.unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let mut session = WatchSession::new(zk.clone(), tx);
    session.watch(path.clone());
    let absent = format!("{path}/absent");
    session.watch(absent.clone());
    let mut stamps = std::collections::HashMap::new();
    while stamps.len() < 2 {
        match tokio::time::timeout(TIMEOUT, rx.recv()).await {
            Ok(Some(LiveEvent::Watching { path, mzxid, pzxid })) => {
                stamps.insert(path, (mzxid, pzxid));
            }
            other => panic!("expected Watching events, got {other:?}"),
        }
    }
    assert_eq!(stamps[&path], (read.stat.mzxid, read.stat.pzxid));
    assert!(
        read.stat.pzxid > read.stat.mzxid,
        "the child came after the data"
    );
    assert_eq!(stamps[&absent], (0, 0));
    drop(session);
    remove(&rec, &zk, &path).await;
}
