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

/// Checks a chain given each row with its stored hash and a hash function.
/// Returns the first broken link: a gap in `seq`, a `prev_hash` that is not
/// the previous row's hash, or a stored hash that does not match the content.
pub fn verify_chain<'a>(
    rows: impl IntoIterator<Item = (&'a ChainRow, &'a str)>,
    hash: impl Fn(&[u8]) -> String,
) -> (u64, Option<(i64, String)>) {
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut n = 0;
    for (expected_seq, (row, stored)) in (1..).zip(rows) {
        n += 1;
        if row.seq != expected_seq {
            return (
                n,
                Some((
                    row.seq,
                    format!("expected row {expected_seq} here: rows are missing or reordered"),
                )),
            );
        }
        if row.prev_hash != expected_prev {
            return (
                n,
                Some((
                    row.seq,
                    "prev_hash does not match the previous row's hash".into(),
                )),
            );
        }
        let actual = hash(&row.canonical());
        if actual != stored {
            return (
                n,
                Some((
                    row.seq,
                    "content does not match its hash: the row was altered".into(),
                )),
            );
        }
        expected_prev = stored.to_string();
    }
    (n, None)
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
        verify_chain(c.iter().map(|(r, h)| (r, h.as_str())), toy)
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
}
