//! Fault test: live watches survive the loss of the ensemble member the
//! console's session is connected to. Stops and restarts a real member, so it
//! lives in its own test binary (binaries run one after another).

mod common;

use app::zookeeper::model::LiveEvent;
use app::zookeeper::ssr::ZkCluster;
use app::zookeeper::ssr::live::WatchSession;
use common::{TIMEOUT, sandbox, sandbox_config, unique};
use futures::FutureExt;
use std::sync::Arc;
use std::time::Duration;
use zookeeper_client as zk;

/// Which member holds `session` (from each member's `cons` answer).
async fn member_of(session: i64, hosts: &[String]) -> Option<usize> {
    let needle = format!("sid=0x{session:x}");
    for (i, h) in hosts.iter().enumerate() {
        if let Ok(text) = app::zookeeper::ssr::four_letter_word(h, "cons").await
            && text.contains(&needle)
        {
            return Some(i);
        }
    }
    None
}

/// The next event other than a watch reporting itself (`Watching`), within `within` each.
async fn next_change(
    rx: &mut tokio::sync::mpsc::Receiver<LiveEvent>,
    within: Duration,
) -> Option<LiveEvent> {
    loop {
        match tokio::time::timeout(within, rx.recv())
            .await
            .ok()
            .flatten()?
        {
            LiveEvent::Watching { .. } => continue,
            ev => return Some(ev),
        }
    }
}

#[tokio::test]
async fn watches_survive_losing_the_connected_member() {
    let cfg = sandbox_config().zookeeper[0].clone();
    let hosts = cfg.hosts.clone();
    let console = Arc::new(ZkCluster::new(cfg, TIMEOUT));
    let writer = zk::Client::connector()
        .connect(&hosts.join(","))
        .await
        .unwrap();
    let path = format!("/{}", unique("zkmq-it-failover"));
    writer
        .create(
            &path,
            b"0",
            &zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all()),
        )
        .await
        .unwrap();

    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let mut session = WatchSession::new(console.clone(), tx);
    session.watch(path.clone());
    // Change the data only once the watch reports itself armed.
    let armed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match rx.recv().await {
                Some(LiveEvent::Watching { path: p, mzxid, .. }) if p == path => break mzxid,
                Some(_) => continue,
                None => panic!("the watch session ended before arming"),
            }
        }
    })
    .await
    .expect("no Watching event within 5 s");
    assert!(armed > 0, "the watch saw {path} as missing: mzxid {armed}");

    writer.set_data(&path, b"1", None).await.unwrap();
    let ev = next_change(&mut rx, Duration::from_secs(2))
        .await
        .expect("no event before failover");
    assert_eq!(
        ev,
        LiveEvent::Changed {
            path: path.clone(),
            what: "data".into()
        }
    );

    // Stop the member the console is connected to.
    let sid = console.session_id().await.unwrap();
    let idx = member_of(sid, &hosts)
        .await
        .expect("console session not found on any member");
    let member = format!("zk{}", idx + 1);
    sandbox(&["stop", &member]);
    // Restart the member even when an assertion fails, so later tests find a full ensemble.
    let result = std::panic::AssertUnwindSafe(async {
        // Give the client a moment to move to another member, then change the data.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let mut ok = false;
        for _ in 0..20 {
            if writer.set_data(&path, b"2", None).await.is_ok() {
                ok = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        assert!(ok, "could not write through the remaining members");
        // The watch was re-registered on the new member: the change still arrives.
        let mut seen = None;
        while let Some(ev) = next_change(&mut rx, Duration::from_secs(5)).await {
            if ev
                == (LiveEvent::Changed {
                    path: path.clone(),
                    what: "data".into(),
                })
            {
                seen = Some(ev);
                break;
            }
        }
        assert!(
            seen.is_some(),
            "no data event after the connected member {member} stopped"
        );
        assert_ne!(
            member_of(console.session_id().await.unwrap(), &hosts).await,
            Some(idx)
        );
    })
    .catch_unwind()
    .await;
    sandbox(&["start", &member]);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
    // The writer may itself be reconnecting after the restart: retry the cleanup.
    for _ in 0..40 {
        if writer.delete(&path, None).await.is_ok()
            || writer.check_stat(&path).await.is_ok_and(|s| s.is_none())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("could not delete {path}");
}
