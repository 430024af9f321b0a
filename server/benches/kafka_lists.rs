//! Kafka list benchmark against the sandbox's three brokers (`scripts/bench kafka`
//! runs it; figures go to docs/PERFORMANCE.md).
//!
//! Seeds 10,000 topics (admin batches of 500) and 15,000 consumer groups with
//! a committed offset each (AlterConsumerGroupOffsets, 8 in flight), then
//! measures side by side, alternating, in one run:
//! - the raw librdkafka metadata fetch of every topic vs zkmq's first page of
//!   the topic list over HTTP (with and without its 2 s metadata cache);
//! - the raw ListGroups+DescribeGroups of every group vs zkmq's first page of
//!   the group list (which also reads 100 groups' offsets and the end offsets);
//! - resident memory of zkmq and the brokers.
//!
//! It deletes what it created. Medians of several runs are reported.

mod common;

use common::{http_post, median, ms, root, rss_kib};
use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const TOPICS: usize = 10_000;
const GROUPS: usize = 15_000;
const RUNS: usize = 7;
const TOPIC_PREFIX: &str = "zkmq-bench-t-";
const GROUP_PREFIX: &str = "zkmq-bench-g-";

type Admin = AdminClient<DefaultClientContext>;

fn opts() -> AdminOptions {
    AdminOptions::new()
        .request_timeout(Some(Duration::from_secs(60)))
        .operation_timeout(Some(Duration::from_secs(60)))
}

fn bench_topics(admin: &Admin) -> Vec<String> {
    let md = admin
        .inner()
        .fetch_metadata(None, Duration::from_secs(60))
        .unwrap();
    md.topics()
        .iter()
        .map(|t| t.name().to_string())
        .filter(|n| n.starts_with(TOPIC_PREFIX))
        .collect()
}

async fn delete_everything(admin: &Admin) {
    let groups: Vec<String> = admin
        .inner()
        .fetch_group_list(None, Duration::from_secs(120))
        .map(|l| {
            l.groups()
                .iter()
                .map(|g| g.name().to_string())
                .filter(|n| n.starts_with(GROUP_PREFIX))
                .collect()
        })
        .unwrap_or_default();
    for chunk in groups.chunks(500) {
        let names: Vec<&str> = chunk.iter().map(String::as_str).collect();
        let _ = admin.delete_groups(&names, &opts()).await;
    }
    let topics = bench_topics(admin);
    for chunk in topics.chunks(500) {
        let names: Vec<&str> = chunk.iter().map(String::as_str).collect();
        let _ = admin.delete_topics(&names, &opts()).await;
    }
    if !groups.is_empty() || !topics.is_empty() {
        println!(
            "deleted {} bench groups and {} bench topics",
            groups.len(),
            topics.len()
        );
    }
}

/// The `"matched"` number of a server-function answer (checks it is a 200).
fn matched(response: &str) -> u64 {
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "{}",
        &response[..response.len().min(400)]
    );
    let body = &response[response.find("\r\n\r\n").unwrap() + 4..];
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    v["matched"].as_u64().unwrap()
}

#[tokio::main]
async fn main() {
    let cfg_path = root().join("config/zkmq.toml");
    let config = zkmq::config::Config::load(&cfg_path, |_| None).unwrap();
    let bootstrap = config.kafka[0].bootstrap_servers.join(",");
    let admin: Arc<Admin> = Arc::new(
        ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .create()
            .unwrap(),
    );
    delete_everything(&admin).await;

    // Seed topics: 1 partition, 1 replica each, in batches.
    let t = Instant::now();
    let mut created = 0;
    let mut first_error = None;
    let names: Vec<String> = (0..TOPICS)
        .map(|i| format!("{TOPIC_PREFIX}{i:05}"))
        .collect();
    for chunk in names.chunks(500) {
        let nts: Vec<NewTopic> = chunk
            .iter()
            .map(|n| NewTopic::new(n, 1, TopicReplication::Fixed(1)))
            .collect();
        match admin.create_topics(&nts, &opts()).await {
            Ok(res) => {
                for r in res {
                    match r {
                        Ok(_) => created += 1,
                        Err((n, code)) => {
                            first_error.get_or_insert(format!("{n}: {code}"));
                        }
                    }
                }
            }
            Err(e) => {
                first_error.get_or_insert(e.to_string());
            }
        }
    }
    let seed_topics = t.elapsed();
    // Wait until the metadata lists them all (creation is asynchronous).
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut visible = 0;
    while Instant::now() < deadline {
        visible = bench_topics(&admin).len();
        if visible >= created {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    println!(
        "seeded {created} of {TOPICS} topics in {:.1} s ({visible} visible in metadata after {:.1} s){}",
        seed_topics.as_secs_f64(),
        t.elapsed().as_secs_f64(),
        first_error
            .map(|e| format!("; first error: {e}"))
            .unwrap_or_default()
    );

    // Seed groups: one committed offset each, 8 threads.
    let t = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let ok = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (admin, next, ok, names) = (admin.clone(), next.clone(), ok.clone(), names.clone());
            std::thread::spawn(move || {
                loop {
                    let g = next.fetch_add(1, Ordering::Relaxed);
                    if g >= GROUPS {
                        break;
                    }
                    let topic = names[g % created.max(1)].clone();
                    let r = app::kafka::ssr::ffi::alter_group_offsets(
                        admin.inner().native_client(),
                        &format!("{GROUP_PREFIX}{g:05}"),
                        &[(topic, 0, 0)],
                        Duration::from_secs(30),
                    );
                    if r.is_ok() {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let groups = ok.load(Ordering::Relaxed);
    println!(
        "seeded {groups} of {GROUPS} groups with a committed offset in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // zkmq, serving the sandbox config.
    let port = 3191;
    let server = common::start_server(&cfg_path, port);
    let topics_body = "cluster=local&filter=&include_internal=false&sort=name&descending=false&offset=0&limit=100";
    let groups_body = "cluster=local&filter=&sort=name&descending=false&offset=0&limit=100";
    assert!(matched(&http_post(port, "/api/list_topics", topics_body)) >= created as u64);
    let _ = http_post(port, "/api/list_groups", groups_body);

    let (mut raw_md, mut zk_cold, mut zk_warm, mut raw_groups, mut zk_groups) =
        (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..RUNS {
        let t = Instant::now();
        let md = admin
            .inner()
            .fetch_metadata(None, Duration::from_secs(60))
            .unwrap();
        raw_md.push(ms(t.elapsed()));
        assert!(md.topics().len() >= created);

        tokio::time::sleep(Duration::from_millis(2_100)).await; // past zkmq's metadata cache
        let t = Instant::now();
        let n = matched(&http_post(port, "/api/list_topics", topics_body));
        zk_cold.push(ms(t.elapsed()));
        assert!(n >= created as u64);
        let t = Instant::now();
        matched(&http_post(port, "/api/list_topics", topics_body));
        zk_warm.push(ms(t.elapsed()));

        let t = Instant::now();
        let gl = admin
            .inner()
            .fetch_group_list(None, Duration::from_secs(120))
            .unwrap();
        raw_groups.push(ms(t.elapsed()));
        assert!(gl.groups().len() >= groups);
        let t = Instant::now();
        let n = matched(&http_post(port, "/api/list_groups", groups_body));
        zk_groups.push(ms(t.elapsed()));
        assert!(n >= groups as u64);
    }
    let (rm, zc, zw, rg, zg) = (
        median(raw_md),
        median(zk_cold),
        median(zk_warm),
        median(raw_groups),
        median(zk_groups),
    );
    println!("median of {RUNS}, side by side:");
    println!("  raw metadata fetch, all topics:              {rm:8.1} ms");
    println!(
        "  zkmq list_topics first page, cache expired:  {zc:8.1} ms  ({:.2}x raw)",
        zc / rm
    );
    println!(
        "  zkmq list_topics first page, cache warm:     {zw:8.1} ms  ({:.2}x raw)",
        zw / rm
    );
    println!("  raw ListGroups+DescribeGroups, all groups:   {rg:8.1} ms");
    println!(
        "  zkmq list_groups first page (with lag):      {zg:8.1} ms  ({:.2}x raw)",
        zg / rg
    );
    println!(
        "zkmq server RSS: {} MiB",
        rss_kib(server.child.id()).unwrap_or(0) / 1024
    );
    for b in 1..=3 {
        let pidfile = root().join(format!(".sandbox/run/kafka{b}.pid"));
        if let Some(pid) = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
        {
            println!("kafka{b} RSS: {} MiB", rss_kib(pid).unwrap_or(0) / 1024);
        }
    }
    drop(server);
    delete_everything(&admin).await;
}
