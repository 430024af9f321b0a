//! Live views' flow control, pure: what one subscription sends per batch.
//!
//! The browser grants credit (rows it is ready to render); every tick the
//! server sends at most that many, and at most [`BATCH_MAX`] per batch.
//! Matched messages beyond that are counted, not queued: a busy topic never
//! builds a backlog in the console, and the rows that are sent are a uniform
//! sample of the tick (reservoir sampling), not just its first messages.

use super::model::{Counters, Position};
use std::collections::BTreeMap;

pub mod flows;
pub mod link;
pub mod ring;

/// Rows in one batch, whatever the credit.
pub const BATCH_MAX: usize = 500;
/// How often batches go out (ms): fast enough to look live, slow enough to
/// batch a busy source.
pub const TICK_MS: u64 = 150;
/// A frame is sent at least this often, rows or not (ms).
pub const KEEPALIVE_MS: u64 = 15_000;
/// Payload bytes a live row carries; the full message is fetched on click.
pub const ROW_PAYLOAD_MAX: usize = 4_096;

/// One subscription's rows-to-send and exact counters.
#[derive(Debug)]
pub struct Outbox<R> {
    counters: Counters,
    credit: u64,
    paused: bool,
    /// This tick's sample: (arrival number in the tick, row).
    sample: Vec<(u64, R)>,
    /// Matched messages offered this tick.
    offered: u64,
    rng: u64,
    /// Next offset per topic and partition, of everything seen (by topic
    /// first, so the per-message update allocates nothing).
    positions: BTreeMap<String, BTreeMap<i32, i64>>,
}

impl<R> Outbox<R> {
    pub fn new(seed: u64) -> Self {
        Outbox {
            counters: Counters::default(),
            credit: 0,
            paused: false,
            sample: Vec::new(),
            offered: 0,
            // xorshift must not start at zero.
            rng: seed | 1,
            positions: BTreeMap::new(),
        }
    }

    pub fn counters(&self) -> Counters {
        self.counters
    }

    pub fn grant(&mut self, rows: u32) {
        self.credit += u64::from(rows);
    }

    /// While paused everything is still counted; nothing is sent.
    pub fn pause(&mut self, paused: bool) {
        self.paused = paused;
    }

    /// Rows this tick may still hold.
    fn room(&self) -> u64 {
        if self.paused {
            0
        } else {
            self.credit.min(BATCH_MAX as u64)
        }
    }

    /// A message read from the source; `row` is `Some` when the filter passed.
    pub fn offer(&mut self, topic: &str, partition: i32, offset: i64, row: Option<R>) {
        self.counters.seen += 1;
        self.advance(topic, partition, offset + 1);
        let Some(row) = row else { return };
        self.counters.matched += 1;
        self.offered += 1;
        let room = self.room();
        if (self.sample.len() as u64) < room {
            self.sample.push((self.offered, row));
            return;
        }
        // Reservoir: the n-th offer replaces a kept row with chance room/n.
        let j = if room == 0 {
            0
        } else {
            self.next_rand() % self.offered
        };
        if j < room {
            self.sample[j as usize] = (self.offered, row);
        }
        self.counters.sampled_out += 1;
    }

    /// Messages lost before filtering (the view fell behind the shared tap).
    pub fn lost(&mut self, n: u64) {
        self.counters.seen += n;
        self.counters.dropped += n;
    }

    /// Records how far a partition has been read without a message to show
    /// (a resume point, or messages lost in `lost`).
    pub fn advance(&mut self, topic: &str, partition: i32, next: i64) {
        let parts = match self.positions.get_mut(topic) {
            Some(parts) => parts,
            None => self.positions.entry(topic.to_string()).or_default(),
        };
        let p = parts.entry(partition).or_insert(next);
        *p = (*p).max(next);
    }

    /// This tick's rows, in arrival order, charged against the credit.
    pub fn take(&mut self) -> Vec<R> {
        if self.paused {
            // Paused mid-tick: what the tick had kept is only counted.
            self.counters.sampled_out += self.sample.len() as u64;
            self.sample.clear();
        }
        self.sample.sort_by_key(|(n, _)| *n);
        let rows: Vec<R> = std::mem::take(&mut self.sample)
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        self.offered = 0;
        self.credit -= rows.len() as u64;
        self.counters.sent += rows.len() as u64;
        rows
    }

    /// Whether the source has said where it starts (or sent anything).
    pub fn started(&self) -> bool {
        !self.positions.is_empty()
    }

    pub fn positions(&self) -> Vec<Position> {
        self.positions
            .iter()
            .flat_map(|(topic, parts)| {
                parts.iter().map(move |(partition, next)| Position {
                    topic: topic.clone(),
                    partition: *partition,
                    next: *next,
                })
            })
            .collect()
    }

    fn next_rand(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x
    }
}

/// Where a resumed tail starts on one partition and how many messages it
/// missed: retention may have removed what the view had not read yet.
pub fn resume_at(wanted_next: i64, low: i64, high: i64) -> (i64, i64) {
    let start = wanted_next.clamp(low, high);
    (start, (low - wanted_next).max(0))
}

/// Cuts a payload to what a live row carries (the full length is kept
/// beside it).
pub fn cut(payload: &[u8]) -> &[u8] {
    &payload[..payload.len().min(ROW_PAYLOAD_MAX)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(o: &mut Outbox<i64>, n: i64, matched: impl Fn(i64) -> bool) {
        for i in 0..n {
            o.offer("t", (i % 3) as i32, i / 3, matched(i).then_some(i));
        }
    }

    #[test]
    fn without_credit_everything_is_counted_and_nothing_sent() {
        let mut o = Outbox::new(7);
        fill(&mut o, 1000, |i| i % 2 == 0);
        assert!(o.take().is_empty());
        let c = o.counters();
        assert_eq!(
            (c.seen, c.matched, c.sent, c.sampled_out),
            (1000, 500, 0, 500)
        );
    }

    #[test]
    fn credit_bounds_a_batch_and_the_counts_add_up() {
        let mut o = Outbox::new(7);
        o.grant(100);
        fill(&mut o, 10_000, |_| true);
        let rows = o.take();
        assert_eq!(rows.len(), 100);
        let c = o.counters();
        assert_eq!(c.sent + c.sampled_out, c.matched);
        // Credit is spent: the next tick sends nothing until more is granted.
        fill(&mut o, 10, |_| true);
        assert!(o.take().is_empty());
        o.grant(5);
        fill(&mut o, 3, |_| true);
        assert_eq!(o.take().len(), 3);
        let c = o.counters();
        assert_eq!(
            (c.seen, c.matched, c.sent, c.sampled_out),
            (10_013, 10_013, 103, 9_910)
        );
    }

    #[test]
    fn a_batch_is_a_spread_of_the_tick_in_arrival_order() {
        let mut o = Outbox::new(42);
        o.grant(1_000_000);
        fill(&mut o, 100_000, |_| true);
        let rows = o.take();
        assert_eq!(rows.len(), BATCH_MAX);
        assert!(rows.windows(2).all(|w| w[0] < w[1]), "arrival order");
        // Uniform: about half the sample from each half of the tick.
        let early = rows.iter().filter(|&&i| i < 50_000).count();
        assert!(
            (200..=300).contains(&early),
            "{early} of {BATCH_MAX} from the first half"
        );
    }

    #[test]
    fn paused_views_count_but_do_not_send() {
        let mut o = Outbox::new(1);
        o.grant(50);
        o.pause(true);
        fill(&mut o, 20, |_| true);
        assert!(o.take().is_empty());
        o.pause(false);
        fill(&mut o, 20, |_| true);
        assert_eq!(o.take().len(), 20);
        assert_eq!(o.counters().sampled_out, 20);
    }

    #[test]
    fn positions_follow_everything_seen_and_losses_count_as_dropped() {
        let mut o: Outbox<i64> = Outbox::new(1);
        o.offer("t", 0, 41, None);
        o.lost(10);
        o.advance("t", 0, 52);
        o.offer("u", 2, 5, None);
        let p = o.positions();
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].topic.as_str(), p[0].partition, p[0].next),
            ("t", 0, 52)
        );
        assert_eq!((p[1].topic.as_str(), p[1].next), ("u", 6));
        let c = o.counters();
        assert_eq!((c.seen, c.dropped, c.matched), (12, 10, 0));
    }

    #[test]
    fn a_resume_behind_retention_reports_the_gap() {
        assert_eq!(resume_at(100, 0, 500), (100, 0));
        assert_eq!(resume_at(100, 160, 500), (160, 60));
        // Ahead of the end (the topic was recreated): start at the end.
        assert_eq!(resume_at(900, 0, 500), (500, 0));
    }
}
