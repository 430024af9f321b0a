//! Core types of every configured cluster, whatever its backend: its identity
//! (`ClusterRef`), reachability and probe status, and the pure helpers on
//! them. Every layer may import this; it imports only `error`.

pub mod logic;
pub mod model;
