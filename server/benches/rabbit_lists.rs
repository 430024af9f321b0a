//! RabbitMQ queue-list benchmark against the sandbox broker
//! (`scripts/bench rabbitmq` runs it; figures go to docs/PERFORMANCE.md).
//!
//! Declares 10,000 queues over AMQP (8 channels in parallel), then measures
//! side by side, alternating, in one run: the management API's own first
//! page of the queue list with statistics (what its UI asks for), zkmq's
//! `list_queues` first page over HTTP sorted by name and by messages, and the
//! management API's unpaged listing of every queue. Reports medians, ratios and resident memory; deletes the queues.

mod common;

use common::{http_post, median, ms, root, rss_kib};
use futures::StreamExt;
use lapin::options::{QueueDeclareOptions, QueueDeleteOptions};
use lapin::types::{FieldTable, ShortString};
use lapin::{Connection, ConnectionProperties};
use std::time::{Duration, Instant};

const QUEUES: usize = 10_000;
const RUNS: usize = 7;
const PREFIX: &str = "zkmq-bench-q-";

fn name(i: usize) -> String {
    format!("{PREFIX}{i:05}")
}

/// Declares (or deletes) every bench queue, 8 channels at once.
async fn each_queue(conn: &Connection, delete: bool) -> usize {
    let mut channels = Vec::new();
    for _ in 0..8 {
        channels.push(conn.create_channel().await.unwrap());
    }
    futures::stream::iter(0..QUEUES)
        .map(|i| {
            let ch = channels[i % channels.len()].clone();
            async move {
                let q = ShortString::from(name(i));
                if delete {
                    ch.queue_delete(q, QueueDeleteOptions::default())
                        .await
                        .is_ok()
                } else {
                    ch.queue_declare(
                        q,
                        QueueDeclareOptions {
                            durable: true,
                            ..Default::default()
                        },
                        FieldTable::default(),
                    )
                    .await
                    .is_ok()
                }
            }
        })
        .buffer_unordered(64)
        .filter(|ok| futures::future::ready(*ok))
        .count()
        .await
}

fn mgmt_get(url: &str, user: &str, pass: &str) -> (f64, usize) {
    let t = Instant::now();
    let out = std::process::Command::new("curl")
        .args(["-s", "-u", &format!("{user}:{pass}"), url])
        .output()
        .unwrap();
    (ms(t.elapsed()), out.stdout.len())
}

#[tokio::main]
async fn main() {
    let cfg_path = root().join("config/zkmq.toml");
    let config = zkmq::config::Config::load(&cfg_path, |_| None).unwrap();
    let r = &config.rabbitmq[0];
    let (user, pass) = (r.username.clone(), r.password.expose().to_string());
    let amqp = r
        .amqp_url
        .clone()
        .unwrap()
        .replace("amqp://", &format!("amqp://{user}:{pass}@"));
    let conn = Connection::connect(&amqp, ConnectionProperties::default())
        .await
        .unwrap();
    each_queue(&conn, true).await; // leftovers of an interrupted run

    let t = Instant::now();
    let declared = each_queue(&conn, false).await;
    println!(
        "declared {declared} of {QUEUES} queues in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let port = 3192;
    let server = common::start_server(&cfg_path, port);
    let mgmt = r.management_url.trim_end_matches('/').to_string();
    let query = format!(
        "page=1&page_size=100&name={PREFIX}&use_regex=false&sort=name&sort_reverse=false&pagination=true&columns=name,vhost,type,state,messages_ready,messages_unacknowledged,consumers,policy,message_stats.publish_details.rate,message_stats.deliver_get_details.rate"
    );
    let page_url = format!("{mgmt}/api/queues?{query}");
    let all_url = format!("{mgmt}/api/queues");
    let body = |sort: &str| {
        format!(
            "cluster=local&vhost=&filter={PREFIX}&sort={sort}&descending=false&page=1&page_size=100"
        )
    };
    let resp = http_post(port, "/api/list_queues", &body("name"));
    assert!(
        resp.starts_with("HTTP/1.1 200"),
        "{}",
        &resp[..resp.len().min(300)]
    );
    let matched = resp
        .split("\"matched\":")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .unwrap_or("?")
        .to_string();
    assert_eq!(
        matched,
        QUEUES.to_string(),
        "zkmq's page must see every bench queue"
    );
    let zk = |sort: &str| {
        let t = Instant::now();
        let resp = http_post(port, "/api/list_queues", &body(sort));
        assert!(resp.starts_with("HTTP/1.1 200"));
        assert_eq!(resp.matches("\"name\":\"zkmq-bench-q-").count(), 100);
        ms(t.elapsed())
    };
    // Three contenders, each run starting with a different one; the unpaged
    // listing (13 MB, which leaves the broker busy collecting garbage) is
    // timed in its own loop.
    let mut times = [vec![], vec![], vec![]];
    for run in 0..RUNS {
        for k in 0..3 {
            let which = (run + k) % 3;
            times[which].push(match which {
                0 => mgmt_get(&page_url, &user, &pass).0,
                1 => zk("name"),
                _ => zk("messages"),
            });
        }
    }
    let mut api_all = vec![];
    let mut all_bytes = 0;
    for _ in 0..RUNS {
        let (t_all, bytes) = mgmt_get(&all_url, &user, &pass);
        api_all.push(t_all);
        all_bytes = bytes;
    }
    let [a, z, zm] = times.map(median);
    let all = median(api_all);
    println!("median of {RUNS}, side by side ({matched} queues matched the filter):");
    println!("  management API, first page of 100 with statistics: {a:8.1} ms");
    println!(
        "  zkmq list_queues, first page of 100 by name:        {z:8.1} ms  ({:.2}x the API's page)",
        z / a
    );
    println!(
        "  zkmq list_queues, first page of 100 by messages:    {zm:8.1} ms  ({:.2}x the API's page)",
        zm / a
    );
    println!(
        "  management API, every queue unpaged:                {all:8.1} ms  ({} KiB)",
        all_bytes / 1024
    );
    println!(
        "zkmq server RSS: {} MiB",
        rss_kib(server.child.id()).unwrap_or(0) / 1024
    );
    if let Some(pid) = std::fs::read_to_string(root().join(".sandbox/run/rabbitmq.pid"))
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
    {
        println!("rabbitmq RSS: {} MiB", rss_kib(pid).unwrap_or(0) / 1024);
    }
    drop(server);
    let t = Instant::now();
    let deleted = each_queue(&conn, true).await;
    println!(
        "deleted {deleted} queues in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
}
