//! Roles and grants, shared by the server, the CLI and (for disabled
//! controls and their reasons) the browser.

use crate::error::Backend;
use serde::{Deserialize, Serialize};

/// What a grant gives. `Viewer` ⊂ `Operator` ⊂ `Admin` on the clusters the
/// grant names; `Payloads` and `Auditor` stand apart: message payloads are
/// often personal data, and the audit log shows everyone's changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Operator,
    Admin,
    /// Read message payloads and open live message views.
    Payloads,
    /// Read the audit log.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Viewer,
        Role::Operator,
        Role::Admin,
        Role::Payloads,
        Role::Auditor,
    ];

    pub fn from_word(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.word() == s)
    }

    pub fn word(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
            Role::Payloads => "payloads",
            Role::Auditor => "auditor",
        }
    }
}

/// What a call needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Metadata and state: trees, topics, queues, the ensemble.
    Read,
    /// Create, edit, delete, publish, produce, reset offsets.
    Change,
    /// Users, roles, tokens, definitions import, subtree and vhost delete.
    Administer,
    /// Message payloads and live message views.
    ReadPayloads,
    /// The audit log.
    ReadAudit,
}

impl Permission {
    /// The role a user is told to ask for.
    pub fn role(self) -> Role {
        match self {
            Permission::Read => Role::Viewer,
            Permission::Change => Role::Operator,
            Permission::Administer => Role::Admin,
            Permission::ReadPayloads => Role::Payloads,
            Permission::ReadAudit => Role::Auditor,
        }
    }
}

/// Which clusters a grant covers: one backend or all (`None`), and a glob
/// over cluster ids (`*` any run of characters, `?` one character).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Scope {
    pub backend: Option<Backend>,
    pub clusters: String,
}

/// `kafka/prod-*`, `*/*`: as the CLI, the config and the admin page write it.
impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let backend = self.backend.map_or("*", Backend::slug);
        write!(f, "{backend}/{}", self.clusters)
    }
}

/// `operator on kafka/prod-*`.
impl std::fmt::Display for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} on {}", self.role.word(), self.scope)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

/// Who a request acts as once authenticated: what the server checks every
/// call against, and what the browser's user menu and disabled controls read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub user: String,
    /// How they proved it: password, oidc, proxy, token:<id>.
    pub via: String,
    pub grants: Vec<Grant>,
}

/// A user as the admin page and `zkmq user list` show it (never the hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub name: String,
    pub disabled: bool,
    pub has_password: bool,
    pub grants: Vec<Grant>,
    pub created_at: String,
}

/// An API token as its owner's list (or an admin's) shows it (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSummary {
    pub id: i64,
    /// The account it acts for.
    pub user: String,
    pub label: String,
    pub created_at: String,
    pub expires_at: String,
    pub last_used_at: Option<String>,
    pub revoked: bool,
    pub expired: bool,
}

/// A token just created: the secret is in here once, and stored nowhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    pub id: i64,
    pub label: String,
    pub token: String,
    pub expires_at: String,
}
