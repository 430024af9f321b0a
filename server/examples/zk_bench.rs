//! A plain ZooKeeper client for the browser benchmark (`scripts/bench`, not
//! part of zkmq): seeds wide znodes fast and plays "another client" whose
//! changes the page must show.
//!
//!     zk_bench seed   --path /p --children 300000   # multi-op batches of 2,000, 8 in flight
//!     zk_bench remove --path /p                     # children (in batches), then the znode
//!     zk_bench list   --path /p                     # times one raw list_children
//!     zk_bench writes --path /p --count 200 --interval-ms 50 --kind data|child
//!
//! `writes` prints one JSON line per change, with wall-clock milliseconds:
//! `{"i":0,"name":"w-0","sent":1764000000000.1,"acked":1764000000001.9}`; for
//! `data` the znode's data becomes `name`, for `child` a child `name` is created.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use zookeeper_client as zk;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn need(name: &str) -> String {
    arg(name).unwrap_or_else(|| {
        eprintln!("missing {name}; see the usage at the top of server/examples/zk_bench.rs");
        std::process::exit(2)
    })
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

fn persistent() -> zk::CreateOptions<'static> {
    zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all())
}

/// Creates `path` and its ancestors when missing.
async fn ensure(c: &zk::Client, path: &str) {
    let mut at = String::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        at.push('/');
        at.push_str(part);
        match c.create(&at, b"", &persistent()).await {
            Ok(_) | Err(zk::Error::NodeExists) => {}
            Err(e) => panic!("create {at}: {e}"),
        }
    }
}

/// Seeds children `c-0000000`…, skipping the ones already there.
async fn seed(c: &zk::Client, path: &str, n: usize) {
    ensure(c, path).await;
    let have = match c.check_stat(path).await {
        Ok(Some(stat)) => stat.num_children as usize,
        _ => 0,
    };
    if have == n {
        println!("{path} already has {n} children");
        return;
    }
    let existing: std::collections::HashSet<String> =
        c.list_children(path).await.unwrap().into_iter().collect();
    let todo: Vec<String> = (0..n)
        .map(|i| format!("c-{i:07}"))
        .filter(|k| !existing.contains(k))
        .map(|k| format!("{path}/{k}"))
        .collect();
    let t = Instant::now();
    let opts = persistent();
    let batches: Vec<&[String]> = todo.chunks(2_000).collect();
    for group in batches.chunks(8) {
        let commits = group.iter().map(|b| {
            let opts = &opts;
            async move {
                let mut w = c.new_multi_writer();
                for p in b.iter() {
                    w.add_create(p, b"", opts).unwrap();
                }
                w.commit().await.unwrap();
            }
        });
        futures::future::join_all(commits).await;
    }
    println!(
        "seeded {} children under {path} in {:.1} s",
        todo.len(),
        t.elapsed().as_secs_f64()
    );
}

async fn remove(c: &zk::Client, path: &str) {
    let kids = c.list_children(path).await.unwrap_or_default();
    for b in kids.chunks(2_000) {
        let mut w = c.new_multi_writer();
        for k in b {
            w.add_delete(&format!("{path}/{k}"), None).unwrap();
        }
        w.commit().await.unwrap();
    }
    let _ = c.delete(path, None).await;
    println!("removed {path} and {} children", kids.len());
}

async fn writes(c: &zk::Client, path: &str, count: usize, interval: Duration, child: bool) {
    ensure(c, path).await;
    for i in 0..count {
        tokio::time::sleep(interval).await;
        let name = format!("w-{i}");
        let sent = now_ms();
        if child {
            c.create(&format!("{path}/{name}"), b"", &persistent())
                .await
                .unwrap();
        } else {
            c.set_data(path, name.as_bytes(), None).await.unwrap();
        }
        let acked = now_ms();
        println!(r#"{{"i":{i},"name":"{name}","sent":{sent:.1},"acked":{acked:.1}}}"#);
    }
}

#[tokio::main]
async fn main() {
    let hosts =
        arg("--hosts").unwrap_or_else(|| "127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183".into());
    let c = zk::Client::connector()
        .with_session_timeout(Duration::from_secs(30))
        .connect(&hosts)
        .await
        .expect("ZooKeeper not reachable: scripts/sandbox start zk");
    let path = need("--path");
    match std::env::args().nth(1).as_deref() {
        Some("seed") => {
            seed(
                &c,
                &path,
                need("--children").parse().expect("--children is a count"),
            )
            .await
        }
        Some("remove") => remove(&c, &path).await,
        Some("list") => {
            let t = Instant::now();
            let n = c.list_children(&path).await.unwrap().len();
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            println!(r#"{{"children":{n},"ms":{ms:.2}}}"#);
        }
        Some("writes") => {
            let count = need("--count").parse().expect("--count is a count");
            let interval =
                Duration::from_millis(need("--interval-ms").parse().expect("--interval-ms"));
            let child = match need("--kind").as_str() {
                "data" => false,
                "child" => true,
                k => panic!("--kind is data or child, not {k}"),
            };
            writes(&c, &path, count, interval, child).await
        }
        _ => {
            eprintln!("usage: zk_bench seed|remove|writes --path P …");
            std::process::exit(2)
        }
    }
}
