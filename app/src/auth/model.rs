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

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}
