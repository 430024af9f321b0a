//! ZooKeeper explorer benchmark against the real sandbox ensemble
//! (`scripts/bench zk` runs it; figures go to docs/PERFORMANCE.md).
//!
//! Seeds 300,000 children under one znode and a 100,000-znode tree, then
//! measures side by side, in one run:
//! - the raw `zookeeper-client` list_children call vs zkmq's paged children
//!   call (adapter, and the HTTP server function a browser uses);
//! - name-search throughput over the tree (znodes visited per second);
//! - resident memory of the zkmq server and of the ZooKeeper members.
//!
//! Medians of several runs are reported; the machine is shared and noisy.

mod common;

use app::zookeeper::model::LiveEvent;
use app::zookeeper::ssr::ZkCluster;
use app::zookeeper::ssr::live::WatchSession;
use common::{http_post, median, ms, root, rss_kib};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zookeeper_client as zk;

const WIDE: usize = 300_000;
// 99 × 1,000 leaves + 99 branches: just under the search's 100,000-node budget, so the
// walk lists every znode's children instead of stopping at the budget.
const TREE_BRANCHES: usize = 99;
const TREE_LEAVES: usize = 1_000;
const RUNS: usize = 7;

/// Creates `paths` with multi-op transactions of 2,000, several in flight.
async fn seed(c: &zk::Client, paths: Vec<String>) {
    let opts = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
    let batches: Vec<Vec<String>> = paths.chunks(2_000).map(|b| b.to_vec()).collect();
    for group in batches.chunks(8) {
        let commits = group.iter().map(|b| {
            let opts = &opts;
            async move {
                let mut w = c.new_multi_writer();
                for p in b {
                    w.add_create(p, b"", opts).unwrap();
                }
                w.commit().await.unwrap();
            }
        });
        futures::future::join_all(commits).await;
    }
}

/// Deletes `parent`'s subtree, `depth` levels deep (1: children only; 2: grandchildren too).
async fn delete_all(c: &zk::Client, parent: &str, depth: usize) {
    let mut kids: Vec<String> = c
        .list_children(parent)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|k| format!("{parent}/{k}"))
        .collect();
    let mut all = Vec::new();
    if depth > 1 {
        for k in &kids {
            all.extend(
                c.list_children(k)
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .map(|g| format!("{k}/{g}")),
            );
        }
    }
    all.append(&mut kids);
    for b in all.chunks(2_000) {
        let mut w = c.new_multi_writer();
        for p in b {
            w.add_delete(p, None).unwrap();
        }
        w.commit().await.unwrap();
    }
    let _ = c.delete(parent, None).await;
}

#[tokio::main]
async fn main() {
    let cfg_path = root().join("config/zkmq.toml");
    let text = std::fs::read_to_string(&cfg_path).unwrap();
    let hosts: Vec<String> = text
        .lines()
        .find(|l| l.starts_with("hosts"))
        .map(|l| {
            l.split('"')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        })
        .unwrap();
    // Every client of one comparison talks to the same member: a ratio of
    // two different members' answers means nothing (one run once compared
    // the raw client on one member with zkmq on another: 0.78x).
    let member = std::env::var("BENCH_ZK_MEMBER").unwrap_or_else(|_| hosts[0].clone());
    println!("ZooKeeper member for every client (BENCH_ZK_MEMBER): {member}");
    let raw = zk::Client::connector()
        .connect(&member)
        .await
        .expect("sandbox ensemble not reachable: scripts/sandbox start zk");
    let base = "/zkmq-bench";
    delete_all(&raw, &format!("{base}/wide"), 1).await;
    delete_all(&raw, &format!("{base}/tree"), 2).await;
    let _ = raw.delete(base, None).await;
    let opts = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
    raw.create(base, b"", &opts).await.unwrap();

    // Seed.
    let wide = format!("{base}/wide");
    raw.create(&wide, b"", &opts).await.unwrap();
    let t = Instant::now();
    seed(
        &raw,
        (0..WIDE).map(|i| format!("{wide}/child-{i:07}")).collect(),
    )
    .await;
    let seed_wide = t.elapsed();
    let tree = format!("{base}/tree");
    raw.create(&tree, b"", &opts).await.unwrap();
    let t = Instant::now();
    seed(
        &raw,
        (0..TREE_BRANCHES)
            .map(|b| format!("{tree}/branch-{b:03}"))
            .collect(),
    )
    .await;
    let leaves: Vec<String> = (0..TREE_BRANCHES)
        .flat_map(|b| (0..TREE_LEAVES).map(move |l| (b, l)))
        .map(|(b, l)| format!("{tree}/branch-{b:03}/leaf-{l:04}"))
        .collect();
    seed(&raw, leaves).await;
    let seed_tree = t.elapsed();
    println!(
        "seeded {WIDE} children in {:.1} s; {} znode tree in {:.1} s",
        seed_wide.as_secs_f64(),
        TREE_BRANCHES * (TREE_LEAVES + 1),
        seed_tree.as_secs_f64()
    );

    // zkmq's server, on its own port and database.
    let port = 3190;
    let server = common::start_server(&common::pinned_config(&cfg_path, "hosts", &member), port);

    // Side by side, interleaved: raw client, zkmq adapter, zkmq HTTP server function.
    let adapter = Arc::new(ZkCluster::new(
        app::zookeeper::ssr::ZkClusterConfig {
            id: "local".into(),
            name: "bench".into(),
            hosts: vec![member.clone()],
            session_timeout_ms: 10_000,
            digest: None,
            max_data_bytes: 1_047_551,
            max_path_bytes: 4_096,
            max_path_depth: 128,
            monitor_interval_ms: 500,
            monitor_timeout_ms: 1_000,
            admin_port: None,
            admin_urls: Default::default(),
        },
        Duration::from_secs(30),
    ));
    let body = "cluster=local&path=%2Fzkmq-bench%2Fwide&prefix=&offset=0";
    // Warm-up: sessions, and the JIT of the member (one restarted shortly
    // before serves these lists several times slower until HotSpot has
    // compiled its code paths).
    for _ in 0..5 {
        let _ = http_post(port, "/api/list_znode_children", body);
        let _ = adapter
            .list_children(&wide, "", 0, None, 100)
            .await
            .unwrap();
        let _ = raw.list_children(&wide).await.unwrap();
    }
    let (mut raw_ms, mut adapter_ms, mut http_ms) = (Vec::new(), Vec::new(), Vec::new());
    let mut page_bytes = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let n = raw.list_children(&wide).await.unwrap().len();
        raw_ms.push(ms(t.elapsed()));
        assert_eq!(n, WIDE);
        let t = Instant::now();
        let page = adapter
            .list_children(&wide, "", 0, None, 100)
            .await
            .unwrap();
        adapter_ms.push(ms(t.elapsed()));
        assert_eq!((page.total, page.names.len()), (WIDE, 100));
        let t = Instant::now();
        let resp = http_post(port, "/api/list_znode_children", body);
        http_ms.push(ms(t.elapsed()));
        assert!(
            resp.starts_with("HTTP/1.1 200"),
            "{}",
            &resp[..resp.len().min(300)]
        );
        page_bytes = resp.len();
    }
    let (r, a, h) = (median(raw_ms), median(adapter_ms), median(http_ms));
    println!(
        "list {WIDE} children, median of {RUNS}: raw client {r:.1} ms; zkmq adapter (list+sort+page) {a:.1} ms ({:.2}x); zkmq HTTP server fn {h:.1} ms ({:.2}x); first page response {page_bytes} bytes",
        a / r,
        h / r
    );

    // Search throughput over the tree.
    let mut rates = Vec::new();
    let mut visited_last = 0;
    for run in 0..3u32 {
        let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
        let mut session = WatchSession::new(adapter.clone(), tx);
        let t = Instant::now();
        session.search(run, tree.clone(), "leaf-0999".into(), false);
        loop {
            match rx.recv().await {
                Some(LiveEvent::SearchProgress {
                    done: true,
                    visited,
                    hits,
                    stopped,
                    ..
                }) => {
                    let secs = t.elapsed().as_secs_f64();
                    assert_eq!(hits, TREE_BRANCHES);
                    assert_eq!(stopped, None, "the walk must cover the whole tree");
                    visited_last = visited;
                    rates.push(visited as f64 / secs);
                    break;
                }
                Some(_) => {}
                None => panic!("search ended without a result"),
            }
        }
    }
    println!(
        "search by name over {visited_last} znodes (every znode's children listed), median of 3: {:.0} znodes/s",
        median(rates)
    );

    // Memory.
    println!(
        "zkmq server RSS after the runs: {} MiB",
        rss_kib(server.child.id()).unwrap_or(0) / 1024
    );
    for m in 1..=3 {
        let pidfile = root().join(format!(".sandbox/run/zk{m}.pid"));
        if let Some(pid) = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
        {
            println!("zk{m} RSS: {} MiB", rss_kib(pid).unwrap_or(0) / 1024);
        }
    }

    drop(server);
    let t = Instant::now();
    delete_all(&raw, &wide, 1).await;
    delete_all(&raw, &tree, 2).await;
    let _ = raw.delete(base, None).await;
    println!("cleaned up in {:.1} s", t.elapsed().as_secs_f64());
}
