//! Who may do what (issue 14): roles per backend and cluster, and the pure
//! rules that decide whether a call is allowed. Accounts, sessions and the
//! `authorize` step arrive in the next steps of the issue.

pub mod logic;
pub mod model;
