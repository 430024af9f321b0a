//! The browser's side of a live view, pure: the bounded ring of rows it
//! keeps, the rate it draws, and which rows of a long list are on screen.
//! Kept here (not in the page) so it is unit-tested without a browser.

use std::collections::VecDeque;
use std::ops::Range;

/// Rows a live view keeps; older ones fall off the end. Enough to scroll
/// back through a few minutes of a sampled busy topic, small enough that a
/// tab left open for hours stays the same size.
pub const RING_ROWS: usize = 10_000;

/// Rows a view may receive before it has rendered anything; afterwards it
/// grants back what each animation frame rendered, so a tab that cannot keep
/// up (or is hidden, and gets no frames) is sent less, not queued more.
pub const INITIAL_CREDIT: u32 = 1_000;

/// Seconds of rate history a view draws.
pub const RATE_SECONDS: usize = 300;

/// The newest `cap` rows, newest first.
#[derive(Debug, Clone)]
pub struct Ring<T> {
    rows: VecDeque<T>,
    cap: usize,
    /// Rows pushed out by newer ones since the last clear.
    evicted: u64,
}

impl<T> Ring<T> {
    pub fn new(cap: usize) -> Self {
        Ring {
            rows: VecDeque::with_capacity(cap.min(1024)),
            cap: cap.max(1),
            evicted: 0,
        }
    }

    /// Adds rows that arrived oldest first.
    pub fn push_all(&mut self, rows: impl IntoIterator<Item = T>) {
        for r in rows {
            if self.rows.len() == self.cap {
                self.rows.pop_back();
                self.evicted += 1;
            }
            self.rows.push_front(r);
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The `i`-th newest row (0: the newest).
    pub fn get(&self, i: usize) -> Option<&T> {
        self.rows.get(i)
    }

    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    pub fn clear(&mut self) {
        self.rows.clear();
        self.evicted = 0;
    }
}

/// Messages per second over the last [`RATE_SECONDS`], from a view's exact
/// `seen` counter: each batch's increase is booked to the second it arrived.
#[derive(Debug, Clone, Default)]
pub struct RateWindow {
    /// (second since the epoch, messages booked to it), oldest first.
    seconds: VecDeque<(i64, u64)>,
    last_seen: Option<u64>,
}

impl RateWindow {
    /// Books the increase of `seen` (a running total) since the last call.
    pub fn record(&mut self, now_ms: i64, seen: u64) {
        let delta = match self.last_seen {
            Some(last) => seen.saturating_sub(last),
            // The first total covers the time before the view opened
            // (a "last N" start): it is the starting point, not a rate.
            None => 0,
        };
        self.last_seen = Some(seen);
        let sec = now_ms.div_euclid(1000);
        match self.seconds.back_mut() {
            Some((s, n)) if *s == sec => *n += delta,
            _ => self.seconds.push_back((sec, delta)),
        }
        while self
            .seconds
            .front()
            .is_some_and(|(s, _)| *s <= sec - RATE_SECONDS as i64)
        {
            self.seconds.pop_front();
        }
    }

    /// Starts over from the next total (the view was restarted).
    pub fn reset(&mut self) {
        self.seconds.clear();
        self.last_seen = None;
    }

    /// One value per second, oldest first, ending at the second before
    /// `now_ms` (the current second is still filling up).
    pub fn series(&self, now_ms: i64) -> Vec<u64> {
        let end = now_ms.div_euclid(1000);
        let first = end - RATE_SECONDS as i64;
        let mut out = vec![0; RATE_SECONDS];
        for (s, n) in &self.seconds {
            if (first..end).contains(s) {
                out[(s - first) as usize] = *n;
            }
        }
        out
    }

    /// The rate of the last complete second.
    pub fn current(&self, now_ms: i64) -> u64 {
        let last = now_ms.div_euclid(1000) - 1;
        self.seconds
            .iter()
            .rev()
            .find(|(s, _)| *s == last)
            .map_or(0, |(_, n)| *n)
    }
}

/// The rows of a list of `len` fixed-height rows that a viewport shows,
/// with `overscan` more on each side so fast scrolling does not flash.
pub fn visible_rows(
    scroll_top: f64,
    viewport: f64,
    row_height: f64,
    len: usize,
    overscan: usize,
) -> Range<usize> {
    if len == 0 || row_height <= 0.0 {
        return 0..0;
    }
    let first = (scroll_top.max(0.0) / row_height).floor() as usize;
    let count = (viewport.max(0.0) / row_height).ceil() as usize + 1;
    let start = first.saturating_sub(overscan).min(len);
    let end = (first + count + overscan).min(len);
    start..end
}

/// The points of a rate chart `width` × `height` (SVG `polyline` syntax),
/// scaled to the series' own peak (at least 1, so an idle view is flat at 0).
pub fn chart_points(series: &[u64], width: f64, height: f64) -> String {
    let peak = series.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = if series.len() > 1 {
        width / (series.len() - 1) as f64
    } else {
        0.0
    };
    series
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let x = i as f64 * step;
            let y = height - (*n as f64 / peak) * height;
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_keeps_the_newest_rows_newest_first() {
        let mut r = Ring::new(3);
        r.push_all([1, 2]);
        assert_eq!((r.get(0), r.get(1), r.len()), (Some(&2), Some(&1), 2));
        r.push_all([3, 4, 5]);
        assert_eq!(r.len(), 3);
        assert_eq!((r.get(0), r.get(2), r.get(3)), (Some(&5), Some(&3), None));
        assert_eq!(r.evicted(), 2);
        r.clear();
        assert!(r.is_empty());
        assert_eq!(r.evicted(), 0);
    }

    #[test]
    fn the_rate_books_increases_to_their_second_and_forgets_after_five_minutes() {
        let mut w = RateWindow::default();
        w.record(10_000, 500); // the starting total is not a rate
        w.record(10_400, 700);
        w.record(10_900, 1_000);
        w.record(11_200, 1_100);
        let s = w.series(12_000);
        assert_eq!(s.len(), RATE_SECONDS);
        assert_eq!(&s[RATE_SECONDS - 2..], &[500, 100]);
        assert_eq!(w.current(12_000), 100);
        assert_eq!(w.current(13_500), 0, "nothing in the last full second");
        // Five minutes later the old seconds are gone.
        w.record(11_200 + 300_000, 1_100);
        assert!(w.series(11_200 + 301_000).iter().all(|n| *n == 0));
        w.reset();
        w.record(400_000, 9_999);
        assert_eq!(w.series(401_000).iter().sum::<u64>(), 0);
    }

    #[test]
    fn only_the_rows_on_screen_and_a_margin_are_rendered() {
        // 10,000 rows of 28 px in a 560 px viewport scrolled to row 100.
        let r = visible_rows(2_800.0, 560.0, 28.0, 10_000, 10);
        assert_eq!(r, 90..131);
        assert_eq!(visible_rows(0.0, 560.0, 28.0, 5, 10), 0..5);
        assert_eq!(visible_rows(1e9, 560.0, 28.0, 50, 10), 50..50);
        assert_eq!(visible_rows(0.0, 560.0, 28.0, 0, 10), 0..0);
    }

    #[test]
    fn the_chart_scales_to_its_peak() {
        assert_eq!(
            chart_points(&[0, 5, 10], 100.0, 50.0),
            "0.0,50.0 50.0,25.0 100.0,0.0"
        );
        assert_eq!(chart_points(&[0, 0], 10.0, 4.0), "0.0,4.0 10.0,4.0");
    }
}
