//! A real Kafka consumer for end-to-end tests (not part of zkmq): joins
//! `--group`, reads `--count` messages of `--topic` from the earliest offset,
//! commits them synchronously, leaves the group and prints how many it read.
//!
//!     kafka_consume --bootstrap 127.0.0.1:9092 --topic t --group g --count 3
//!
//! With `--groups N` instead of `--count`, it creates N consumer groups
//! `<group>-000` … without joining them: each commits offset 0 of partition 0
//! (what a simple, assign-based consumer does), so each lists as Empty.

use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use std::time::{Duration, Instant};

fn arg(name: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| {
            eprintln!("usage: kafka_consume --bootstrap H:P --topic T --group G --count N");
            std::process::exit(2)
        })
}

fn commit_groups(n: usize) {
    use rdkafka::{Offset, TopicPartitionList};
    let topic = arg("--topic");
    for i in 0..n {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", arg("--bootstrap"))
            .set("group.id", format!("{}-{i:03}", arg("--group")))
            .set("enable.auto.commit", "false")
            .create()
            .expect("consumer");
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(&topic, 0, Offset::Offset(0))
            .expect("partition");
        consumer.commit(&tpl, CommitMode::Sync).expect("commit");
    }
    println!("committed {n} groups");
}

fn main() {
    if std::env::args().any(|a| a == "--groups") {
        return commit_groups(arg("--groups").parse().expect("--groups is a number"));
    }
    let count: usize = arg("--count").parse().expect("--count is a number");
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", arg("--bootstrap"))
        .set("group.id", arg("--group"))
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .create()
        .expect("consumer");
    consumer.subscribe(&[&arg("--topic")]).expect("subscribe");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut read = 0;
    while read < count && Instant::now() < deadline {
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(m)) => {
                consumer
                    .commit_message(&m, CommitMode::Sync)
                    .expect("commit");
                read += 1;
            }
            Some(Err(e)) => eprintln!("poll: {e}"),
            None => {}
        }
    }
    consumer.unsubscribe();
    drop(consumer); // leaves the group: it becomes Empty
    println!("read {read}");
    if read < count {
        std::process::exit(1);
    }
}
