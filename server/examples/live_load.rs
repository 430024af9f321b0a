//! Real clients for live-view tests and benchmarks (not part of zkmq).
//! Producers send `--count` messages, at `--rate` per second if given (else
//! as fast as they can), and print how many the broker acknowledged:
//!
//!     live_load kafka --bootstrap 127.0.0.1:9092 --topic t --count 1000 [--rate 200] [--key k] [--partition p]
//!     live_load rabbit --url amqp://guest:guest@127.0.0.1:5672/%2f --exchange x \
//!         --routing-key k --count 1000 [--rate 200] [--size 100]
//!
//! Bare consumers, the yardsticks of the benchmarks, read `--count`
//! messages and print how long that took:
//!
//!     live_load kafka-read --bootstrap … --topic t --count N    (assign, from the beginning, no group)
//!     live_load rabbit-consume --url … --queue q --count N      (acks each message)
//!
//! Message `i` (from 0) has the value `{"n":i,"tag":"<--tag or "live">"}`;
//! Kafka messages carry the header `n=i`, RabbitMQ messages `n` = i.

use std::time::{Duration, Instant};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn need(name: &str) -> String {
    arg(name).unwrap_or_else(|| {
        eprintln!("live_load: {name} is required (see the example's header)");
        std::process::exit(2)
    })
}

/// `{"n":i,"tag":…}`, padded with spaces to `--size` bytes if given.
fn value(i: u64, tag: &str) -> String {
    let v = format!("{{\"n\":{i},\"tag\":\"{tag}\"}}");
    match arg("--size").map(|s| s.parse::<usize>().expect("--size is a number")) {
        Some(n) if n > v.len() => format!("{v}{}", " ".repeat(n - v.len())),
        _ => v,
    }
}

/// Sleeps so that `sent` messages take `sent / rate` seconds from `start`.
async fn pace(start: Instant, sent: u64, rate: Option<f64>) {
    if let Some(rate) = rate {
        let due = start + Duration::from_secs_f64(sent as f64 / rate);
        let now = Instant::now();
        if due > now {
            tokio::time::sleep(due - now).await;
        }
    }
}

async fn kafka(count: u64, rate: Option<f64>, tag: &str) -> u64 {
    use rdkafka::ClientConfig;
    use rdkafka::message::{Header, OwnedHeaders};
    use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", need("--bootstrap"))
        .set("linger.ms", "5")
        .set("queue.buffering.max.messages", "1000000")
        .create()
        .expect("producer");
    let topic = need("--topic");
    let key = arg("--key");
    let partition: Option<i32> =
        arg("--partition").map(|p| p.parse().expect("--partition is a number"));
    let start = Instant::now();
    let mut pending = futures::stream::FuturesUnordered::new();
    let mut acked = 0;
    use futures::StreamExt;
    for i in 0..count {
        pace(start, i, rate).await;
        let v = value(i, tag);
        let n = i.to_string();
        let mut rec = FutureRecord::to(&topic)
            .payload(&v)
            .headers(OwnedHeaders::new().insert(Header {
                key: "n",
                value: Some(&n),
            }));
        if let Some(k) = &key {
            rec = rec.key(k);
        }
        if let Some(p) = partition {
            rec = rec.partition(p);
        }
        // send_result enqueues now; its future owns nothing of ours.
        loop {
            match producer.send_result(rec) {
                Ok(f) => {
                    pending.push(f);
                    break;
                }
                Err((_, r)) => {
                    rec = r;
                    if let Some(Ok(Ok(_))) = pending.next().await {
                        acked += 1;
                    }
                }
            }
        }
        // Bounded in flight: the futures hold the records.
        while pending.len() >= 10_000 {
            if let Some(Ok(Ok(_))) = pending.next().await {
                acked += 1;
            }
        }
    }
    while let Some(r) = pending.next().await {
        if matches!(r, Ok(Ok(_))) {
            acked += 1;
        }
    }
    let _ = producer.flush(Duration::from_secs(30));
    acked
}

async fn rabbit(count: u64, rate: Option<f64>, tag: &str) -> u64 {
    use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
    use lapin::types::{AMQPValue, FieldTable, ShortString};
    use lapin::{BasicProperties, Connection, ConnectionProperties};
    let conn = Connection::connect(&need("--url"), ConnectionProperties::default())
        .await
        .expect("connect");
    let ch = conn.create_channel().await.expect("channel");
    ch.confirm_select(ConfirmSelectOptions::default())
        .await
        .expect("confirms");
    let (exchange, key) = (need("--exchange"), need("--routing-key"));
    let start = Instant::now();
    let mut confirms = std::collections::VecDeque::new();
    let mut acked = 0;
    for i in 0..count {
        pace(start, i, rate).await;
        let mut headers = FieldTable::default();
        headers.insert(ShortString::from("n"), AMQPValue::LongLongInt(i as i64));
        let c = ch
            .basic_publish(
                ShortString::from(exchange.clone()),
                ShortString::from(key.clone()),
                BasicPublishOptions::default(),
                value(i, tag).as_bytes(),
                BasicProperties::default().with_headers(headers),
            )
            .await
            .expect("publish");
        confirms.push_back(c);
        while confirms.len() >= 1_000 {
            if let Some(c) = confirms.pop_front()
                && c.await.is_ok()
            {
                acked += 1;
            }
        }
    }
    for c in confirms {
        if c.await.is_ok() {
            acked += 1;
        }
    }
    let _ = conn.close(200, ShortString::from("done")).await;
    acked
}

/// Reads `count` messages of every partition of `--topic` from the
/// beginning, as zkmq's tail does (assign, no group, no commits).
fn kafka_read(count: u64) -> (u64, f64) {
    use rdkafka::ClientConfig;
    use rdkafka::consumer::{BaseConsumer, Consumer};
    use rdkafka::{Offset, TopicPartitionList};
    let topic = need("--topic");
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", need("--bootstrap"))
        .set("group.id", "zkmq-bench-bare")
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let md = consumer
        .fetch_metadata(Some(&topic), Duration::from_secs(10))
        .expect("metadata");
    let mut tpl = TopicPartitionList::new();
    for p in md.topics()[0].partitions() {
        tpl.add_partition_offset(&topic, p.id(), Offset::Beginning)
            .expect("partition");
    }
    consumer.assign(&tpl).expect("assign");
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut read = 0;
    // Steady ingest: from the first message to the last, as the page's
    // figure is taken (set-up and the first fetch excluded on both sides).
    let mut first: Option<Instant> = None;
    while read < count && Instant::now() < deadline {
        if let Some(Ok(_)) = consumer.poll(Duration::from_millis(100)) {
            read += 1;
            first.get_or_insert_with(Instant::now);
        }
    }
    let steady = first.map_or(0.0, |f| {
        (read.saturating_sub(1)) as f64 / f.elapsed().as_secs_f64()
    });
    (read, steady)
}

/// Consumes `count` messages of `--queue`, acking each (a real consumer).
async fn rabbit_consume(count: u64) -> u64 {
    use futures::StreamExt;
    use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicQosOptions};
    use lapin::types::{FieldTable, ShortString};
    use lapin::{Connection, ConnectionProperties};
    let conn = Connection::connect(&need("--url"), ConnectionProperties::default())
        .await
        .expect("connect");
    let ch = conn.create_channel().await.expect("channel");
    ch.basic_qos(500, BasicQosOptions::default())
        .await
        .expect("qos");
    let mut consumer = ch
        .basic_consume(
            ShortString::from(need("--queue")),
            ShortString::from("bench-consumer"),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .expect("consume");
    let mut got = 0;
    while got < count {
        match tokio::time::timeout(Duration::from_secs(30), consumer.next()).await {
            Ok(Some(Ok(d))) => {
                d.ack(BasicAckOptions::default()).await.expect("ack");
                got += 1;
            }
            _ => break,
        }
    }
    let _ = conn.close(200, ShortString::from("done")).await;
    got
}

#[tokio::main]
async fn main() {
    let count: u64 = need("--count").parse().expect("--count is a number");
    let rate: Option<f64> = arg("--rate").map(|r| r.parse().expect("--rate is a number"));
    let tag = arg("--tag").unwrap_or_else(|| "live".into());
    let started = Instant::now();
    let acked = match std::env::args().nth(1).as_deref() {
        Some("kafka") => kafka(count, rate, &tag).await,
        Some("rabbit") => rabbit(count, rate, &tag).await,
        Some("kafka-read") => {
            let (read, steady) = tokio::task::spawn_blocking(move || kafka_read(count))
                .await
                .expect("reader");
            println!(
                "read {read} in {:.3} s (steady {steady:.0} msg/s from the first message)",
                started.elapsed().as_secs_f64()
            );
            std::process::exit(if read == count { 0 } else { 1 });
        }
        Some("rabbit-consume") => {
            let got = rabbit_consume(count).await;
            println!("consumed {got} in {:.3} s", started.elapsed().as_secs_f64());
            std::process::exit(if got == count { 0 } else { 1 });
        }
        _ => {
            eprintln!(
                "usage: live_load kafka|rabbit|kafka-read|rabbit-consume … (see the example's header)"
            );
            std::process::exit(2)
        }
    };
    let secs = started.elapsed().as_secs_f64();
    println!("produced {acked} in {secs:.2} s");
    if acked < count {
        std::process::exit(1);
    }
}
