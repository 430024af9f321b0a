//! Audit types shared by server and browser.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Error,
    Denied,
    /// The attempt was recorded but no outcome followed (crash, or still running).
    Pending,
    /// The console stopped before the change finished; found at the next start.
    Interrupted,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Denied => "denied",
            Outcome::Pending => "pending",
            Outcome::Interrupted => "interrupted",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        [
            Outcome::Ok,
            Outcome::Error,
            Outcome::Denied,
            Outcome::Pending,
            Outcome::Interrupted,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// One audited change: its attempt joined with its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// The attempt's position in the chain; stable id for deep links.
    pub id: i64,
    pub time: String,
    pub completed_at: Option<String>,
    pub actor: String,
    /// How the actor authenticated: password, oidc, proxy, token:<id>, cli.
    pub actor_via: Option<String>,
    pub client_addr: Option<String>,
    pub backend: String,
    pub cluster: String,
    pub action: String,
    pub target: String,
    /// JSON text.
    pub params: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub outcome: Outcome,
    pub error: Option<String>,
}

/// Result of walking the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    pub rows_checked: u64,
    /// The first row whose link does not hold, and why.
    pub first_broken: Option<BrokenLink>,
    /// How fast the walk went (none for an empty chain).
    #[serde(default)]
    pub rows_per_second: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}
