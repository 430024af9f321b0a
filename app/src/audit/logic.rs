//! Pure audit rules: what a chain row is and how its hash is computed.
//!
//! The hash covers every stored field of the row plus the previous row's
//! hash, serialised as a JSON array (unambiguous: no field can spill into the
//! next). Changing any field, deleting or reordering rows breaks the chain.

use serde::Serialize;

/// The hash of the (virtual) row before the first one.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored row of the chain, exactly as hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainRow {
    pub seq: i64,
    pub record_id: i64,
    pub phase: String,
    pub ts: String,
    pub actor: String,
    /// How the actor authenticated; `None` on rows written before logins existed.
    pub actor_via: Option<String>,
    pub client_addr: Option<String>,
    pub backend: String,
    pub cluster: String,
    pub action: String,
    pub target: String,
    pub params: String,
    pub before_value: Option<String>,
    pub after_value: Option<String>,
    pub outcome: Option<String>,
    pub error: Option<String>,
    pub prev_hash: String,
}

impl ChainRow {
    /// The canonical bytes the hash is computed over.
    pub fn canonical(&self) -> Vec<u8> {
        let fields = (
            self.seq,
            self.record_id,
            &self.phase,
            &self.ts,
            &self.actor,
            &self.client_addr,
            &self.backend,
            &self.cluster,
            &self.action,
            &self.target,
            &self.params,
            &self.before_value,
            &self.after_value,
            &self.outcome,
            &self.error,
            &self.prev_hash,
        );
        // Rows from before logins have no `actor_via`: their bytes stay as they
        // were hashed. Newer rows add it as a 17th element.
        match &self.actor_via {
            None => serde_json::to_vec(&fields),
            Some(via) => serde_json::to_vec(&(fields, via)),
        }
        .expect("serialising strings and integers cannot fail")
    }
}

/// Checks a chain row by row, in order (bounded memory: only the previous
/// row's hash is kept).
#[derive(Debug)]
pub struct ChainCheck {
    expected_prev: String,
    pub rows: u64,
    /// The last row checked: its seq and stored hash.
    pub last: Option<(i64, String)>,
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck {
            expected_prev: GENESIS_HASH.to_string(),
            rows: 0,
            last: None,
        }
    }
}

impl ChainCheck {
    /// The next row with its stored hash and the hash its content has now;
    /// the broken link (seq, why) if it does not hold: a gap in `seq`, a
    /// `prev_hash` that is not the previous row's hash, or content that does
    /// not match its hash.
    pub fn next(
        &mut self,
        row: &ChainRow,
        stored: &str,
        actual: &str,
    ) -> Result<(), (i64, String)> {
        self.rows += 1;
        let expected_seq = self.last.as_ref().map_or(1, |(s, _)| s + 1);
        if row.seq != expected_seq {
            return Err((
                row.seq,
                format!("expected row {expected_seq} here: rows are missing or reordered"),
            ));
        }
        if row.prev_hash != self.expected_prev {
            return Err((
                row.seq,
                "prev_hash does not match the previous row's hash".into(),
            ));
        }
        if actual != stored {
            return Err((
                row.seq,
                "content does not match its hash: the row was altered (or re-hashed without the chain's key)"
                    .into(),
            ));
        }
        self.expected_prev = stored.to_string();
        self.last = Some((row.seq, stored.to_string()));
        Ok(())
    }
}

/// Checks a chain given each row with its stored hash and a hash function
/// (of the row's seq and canonical bytes). Returns the rows checked and the
/// first broken link.
pub fn verify_chain<'a>(
    rows: impl IntoIterator<Item = (&'a ChainRow, &'a str)>,
    hash: impl Fn(i64, &[u8]) -> String,
) -> (u64, Option<(i64, String)>) {
    let mut check = ChainCheck::default();
    for (row, stored) in rows {
        let actual = hash(row.seq, &row.canonical());
        if let Err(broken) = check.next(row, stored, &actual) {
            return (check.rows, Some(broken));
        }
    }
    (check.rows, None)
}

/// One line of the anchor file: `<seq> <hash>`.
pub fn anchor_line(seq: i64, hash: &str) -> String {
    format!("{seq} {hash}\n")
}

/// The last well-formed line of an anchor file's tail, as (seq, hash). A
/// torn last line (a crash mid-write) is skipped.
pub fn last_anchor(tail: &str) -> Option<(i64, String)> {
    tail.lines().rev().find_map(|l| {
        let (seq, hash) = l.trim().split_once(' ')?;
        let seq = seq.parse().ok()?;
        (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| (seq, hash.to_string()))
    })
}

/// Compares the chain's end with the anchor kept outside the database:
/// `last` is the chain's last row (seq, hash), `at_anchor` the stored hash
/// of the row the anchor names (if the chain has it). A cut tail or a
/// rewritten chain is a broken link; a chain ahead of its anchor is not
/// (the anchor is written just after each row commits).
pub fn check_anchor(
    last: Option<&(i64, String)>,
    anchor: Option<&(i64, String)>,
    at_anchor: Option<&str>,
) -> Option<(i64, String)> {
    let (aseq, ahash) = anchor?;
    let end = last.map_or(0, |(s, _)| *s);
    if end < *aseq {
        return Some((
            end + 1,
            format!(
                "the anchor file records row {aseq}, but the database ends at row {end}: \
                 the newest {} rows were cut",
                aseq - end
            ),
        ));
    }
    if at_anchor != Some(ahash.as_str()) {
        return Some((
            *aseq,
            format!("row {aseq} is not the row the anchor file recorded: the chain was rewritten"),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    // A toy hash keeps these tests independent of the real digest.
    fn toy(b: &[u8]) -> String {
        format!(
            "{:016x}",
            b.iter().fold(0xcbf29ce484222325u64, |h, x| (h ^ *x as u64)
                .wrapping_mul(0x100000001b3))
        )
    }

    fn chain(n: i64) -> Vec<(ChainRow, String)> {
        let mut out = Vec::new();
        let mut prev = GENESIS_HASH.to_string();
        for seq in 1..=n {
            let row = ChainRow {
                seq,
                record_id: seq,
                phase: "attempt".into(),
                ts: format!("2026-11-25T00:00:0{seq}Z"),
                actor: "anonymous".into(),
                actor_via: None,
                client_addr: None,
                backend: "zookeeper".into(),
                cluster: "local".into(),
                action: "create".into(),
                target: format!("/t{seq}"),
                params: "{}".into(),
                before_value: None,
                after_value: None,
                outcome: None,
                error: None,
                prev_hash: prev.clone(),
            };
            let h = toy(&row.canonical());
            prev = h.clone();
            out.push((row, h));
        }
        out
    }

    fn check(c: &[(ChainRow, String)]) -> (u64, Option<(i64, String)>) {
        verify_chain(c.iter().map(|(r, h)| (r, h.as_str())), |_, b| toy(b))
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(check(&chain(4)), (4, None));
        assert_eq!(check(&[]), (0, None));
    }

    #[test]
    fn altered_content_is_found_at_its_row() {
        let mut c = chain(4);
        c[2].0.target = "/elsewhere".into();
        let (_, broken) = check(&c);
        let (seq, why) = broken.unwrap();
        assert_eq!(seq, 3);
        assert!(why.contains("altered"), "{why}");
    }

    #[test]
    fn a_deleted_row_is_found() {
        let mut c = chain(4);
        c.remove(1);
        assert_eq!(check(&c).1.unwrap().0, 3);
    }

    #[test]
    fn a_rehashed_row_still_breaks_the_next_link() {
        // Someone alters row 2 and recomputes its hash: row 3's prev_hash no longer matches.
        let mut c = chain(3);
        c[1].0.target = "/forged".into();
        c[1].1 = toy(&c[1].0.canonical());
        let (seq, why) = check(&c).1.unwrap();
        assert_eq!(seq, 3);
        assert!(why.contains("prev_hash"), "{why}");
    }

    #[test]
    fn canonical_form_separates_fields() {
        let a = &chain(1)[0].0;
        let mut b = a.clone();
        // Moving a character from one field to the next must change the bytes.
        b.actor = "anonymou".into();
        b.client_addr = Some("s".into());
        assert_ne!(a.canonical(), b.canonical());
        // How the actor logged in is covered too; rows from before logins
        // (no actor_via) keep the bytes they were hashed with.
        let mut c = a.clone();
        c.actor_via = Some("password".into());
        assert_ne!(a.canonical(), c.canonical());
        assert!(a.canonical().starts_with(b"[1,"));
    }

    #[test]
    fn the_anchor_finds_a_cut_tail_and_a_rewritten_chain() {
        let h = |c: char| c.to_string().repeat(64);
        let anchor = (10, h('a'));
        // Intact, and ahead of the anchor (written after each commit): fine.
        assert_eq!(
            check_anchor(Some(&(10, h('a'))), Some(&anchor), Some(&h('a'))),
            None
        );
        assert_eq!(
            check_anchor(Some(&(12, h('c'))), Some(&anchor), Some(&h('a'))),
            None
        );
        // The newest rows deleted.
        let (seq, why) = check_anchor(Some(&(7, h('b'))), Some(&anchor), None).unwrap();
        assert_eq!(seq, 8);
        assert!(why.contains("newest 3 rows were cut"), "{why}");
        let (_, why) = check_anchor(None, Some(&anchor), None).unwrap();
        assert!(why.contains("ends at row 0"), "{why}");
        // Every row re-hashed: the anchored row's hash differs.
        let (seq, why) = check_anchor(Some(&(10, h('d'))), Some(&anchor), Some(&h('d'))).unwrap();
        assert_eq!(seq, 10);
        assert!(why.contains("rewritten"), "{why}");
        // No anchor: nothing to compare.
        assert_eq!(check_anchor(Some(&(3, h('a'))), None, None), None);
    }

    #[test]
    fn anchor_lines_round_trip_and_torn_lines_are_skipped() {
        let h = "ab".repeat(32);
        let text = format!("{}{}17 abc", anchor_line(1, &h), anchor_line(2, &h));
        assert_eq!(last_anchor(&text), Some((2, h.clone())));
        assert_eq!(last_anchor(""), None);
    }
}
