//! Who may do what (issue 14): roles per backend and cluster, the pure rules
//! that decide whether a call is allowed, accounts and sessions (`ssr`), the
//! login and admin server functions (`api`) and their pages (`view`).

pub mod api;
pub mod logic;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod view;
