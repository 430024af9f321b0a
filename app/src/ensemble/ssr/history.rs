//! The leader history in SQLite (same database as the audit log, own table):
//! one row per election, opened when the leader disappears and closed when
//! one serves again.

use crate::ensemble::logic::LeaderEvent;
use crate::ensemble::model::LeaderChange;
use sqlx::{Row, SqlitePool};

#[derive(Clone)]
pub struct LeaderHistory {
    pool: SqlitePool,
}

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn split(l: &Option<(String, u32)>) -> (Option<String>, Option<i64>) {
    match l {
        Some((a, e)) => (Some(a.clone()), Some(i64::from(*e))),
        None => (None, None),
    }
}

impl LeaderHistory {
    pub fn new(pool: SqlitePool) -> Self {
        LeaderHistory { pool }
    }

    /// Stores what the tracker saw.
    pub async fn record(&self, cluster: &str, event: &LeaderEvent) -> Result<(), sqlx::Error> {
        match event {
            LeaderEvent::Lost { at_ms, old } => {
                let (old_leader, old_epoch) = split(old);
                sqlx::query(
                    "INSERT INTO ensemble_leader_changes (cluster, at, at_ms, old_leader, old_epoch, ongoing) VALUES (?, ?, ?, ?, ?, 1)",
                )
                .bind(cluster)
                .bind(rfc3339(*at_ms))
                .bind(at_ms)
                .bind(old_leader)
                .bind(old_epoch)
                .execute(&self.pool)
                .await?;
            }
            LeaderEvent::Restored => {
                sqlx::query(
                    "DELETE FROM ensemble_leader_changes WHERE cluster = ? AND ongoing = 1",
                )
                .bind(cluster)
                .execute(&self.pool)
                .await?;
            }
            LeaderEvent::Elected {
                at_ms,
                old,
                new,
                leaderless_ms,
            } => {
                let (new_leader, new_epoch) = split(&Some(new.clone()));
                let closed = sqlx::query(
                    "UPDATE ensemble_leader_changes SET new_leader = ?, new_epoch = ?, leaderless_ms = ?, ongoing = 0 WHERE cluster = ? AND ongoing = 1",
                )
                .bind(&new_leader)
                .bind(new_epoch)
                .bind(leaderless_ms.map(|v| v as i64))
                .bind(cluster)
                .execute(&self.pool)
                .await?;
                if closed.rows_affected() == 0 {
                    let (old_leader, old_epoch) = split(old);
                    sqlx::query(
                        "INSERT INTO ensemble_leader_changes (cluster, at, at_ms, old_leader, old_epoch, new_leader, new_epoch, leaderless_ms, ongoing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
                    )
                    .bind(cluster)
                    .bind(rfc3339(*at_ms))
                    .bind(at_ms)
                    .bind(old_leader)
                    .bind(old_epoch)
                    .bind(new_leader)
                    .bind(new_epoch)
                    .bind(leaderless_ms.map(|v| v as i64))
                    .execute(&self.pool)
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// The newest changes first.
    pub async fn list(&self, cluster: &str, limit: u32) -> Result<Vec<LeaderChange>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, at, old_leader, old_epoch, new_leader, new_epoch, leaderless_ms, ongoing FROM ensemble_leader_changes WHERE cluster = ? ORDER BY id DESC LIMIT ?",
        )
        .bind(cluster)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| LeaderChange {
                id: r.get("id"),
                at: r.get("at"),
                old_leader: r.get("old_leader"),
                new_leader: r.get("new_leader"),
                old_epoch: r.get::<Option<i64>, _>("old_epoch").map(|e| e as u32),
                new_epoch: r.get::<Option<i64>, _>("new_epoch").map(|e| e as u32),
                leaderless_ms: r.get::<Option<i64>, _>("leaderless_ms").map(|v| v as u64),
                ongoing: r.get::<i64, _>("ongoing") != 0,
            })
            .collect())
    }

    /// Where the tracker resumes: the last known leader, and the start of an
    /// election still open in the store.
    pub async fn resume_point(
        &self,
        cluster: &str,
    ) -> Result<(Option<(String, u32)>, Option<i64>), sqlx::Error> {
        let row = sqlx::query(
            "SELECT at_ms, old_leader, old_epoch, new_leader, new_epoch, ongoing FROM ensemble_leader_changes WHERE cluster = ? ORDER BY id DESC LIMIT 1",
        )
        .bind(cluster)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else {
            return Ok((None, None));
        };
        let pair = |a: Option<String>, e: Option<i64>| a.zip(e.map(|e| e as u32));
        if r.get::<i64, _>("ongoing") != 0 {
            Ok((
                pair(r.get("old_leader"), r.get("old_epoch")),
                Some(r.get("at_ms")),
            ))
        } else {
            Ok((pair(r.get("new_leader"), r.get("new_epoch")), None))
        }
    }
}
