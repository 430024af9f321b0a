//! Plan → apply, once for every feature that previews a change: a plan is
//! the list of steps plus a content hash of the steps and of everything that
//! was read to compute them. Apply computes the plan again and refuses unless
//! the user presents the hash of the plan they reviewed — the shape of
//! `terraform plan -out` / `apply`. ZooKeeper import, RabbitMQ definitions
//! import and Kafka offset resets use it.

use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// A reviewed-before-applied change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan<T> {
    pub items: Vec<T>,
    /// SHA-256 (hex) of `items` and of the state they were planned against.
    pub hash: String,
}

impl<T: Serialize> Plan<T> {
    /// A plan of `items`, computed from `basis` (what was read: versions,
    /// offsets, the file). Two plans have the same hash only if both agree.
    #[cfg(feature = "ssr")]
    pub fn new(items: Vec<T>, basis: &impl Serialize) -> Self {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        // serde_json of plain data is deterministic (struct fields in order).
        h.update(serde_json::to_vec(&items).unwrap_or_default());
        h.update(b"\n");
        h.update(serde_json::to_vec(basis).unwrap_or_default());
        Plan {
            items,
            hash: hex::encode(h.finalize()),
        }
    }
}

impl<T> Plan<T> {
    /// Refuses with a conflict when `reviewed` is not this plan's hash: what
    /// the user reviewed is not what would run now.
    pub fn check(&self, field: &str, reviewed: &str) -> Result<(), AppError> {
        if reviewed.trim().is_empty() {
            return Err(AppError::invalid(
                field,
                "is missing: run the preview (dry run) first and apply the plan it shows",
            ));
        }
        if reviewed.trim() != self.hash {
            return Err(AppError::Conflict(
                "the state changed since the preview (dry run): nothing was applied; review the new preview"
                    .into(),
            ));
        }
        Ok(())
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::Plan;
    use crate::error::AppError;

    #[test]
    fn the_hash_covers_the_items_and_what_they_were_planned_against() {
        let a = Plan::new(vec!["create /a"], &("file", 3));
        assert_eq!(a.hash, Plan::new(vec!["create /a"], &("file", 3)).hash);
        assert_ne!(a.hash, Plan::new(vec!["create /b"], &("file", 3)).hash);
        assert_ne!(a.hash, Plan::new(vec!["create /a"], &("file", 4)).hash);
        assert!(a.check("plan_hash", &a.hash).is_ok());
    }

    #[test]
    fn apply_refuses_a_stale_or_missing_plan() {
        let now = Plan::new(vec![1, 2], &"v2");
        let reviewed = Plan::new(vec![1, 2], &"v1");
        assert!(matches!(
            now.check("plan_hash", &reviewed.hash),
            Err(AppError::Conflict(_))
        ));
        assert!(
            matches!(now.check("plan_hash", ""), Err(AppError::Invalid { field, .. }) if field == "plan_hash")
        );
    }
}
