//! `AppError`: the one error type every server function returns.
//!
//! It carries what a user needs to act — which cluster, what failed, what to
//! do — and never raw driver output. Backend adapters convert their own
//! errors into it in one place (`ssr` modules); internal detail is logged once
//! there, with fields, and not repeated here.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The three kinds of system zkmq manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Zookeeper,
    Kafka,
    Rabbitmq,
}

impl Backend {
    pub const ALL: [Backend; 3] = [Backend::Zookeeper, Backend::Kafka, Backend::Rabbitmq];

    /// The URL segment and the stored audit value.
    pub fn slug(self) -> &'static str {
        match self {
            Backend::Zookeeper => "zookeeper",
            Backend::Kafka => "kafka",
            Backend::Rabbitmq => "rabbitmq",
        }
    }

    pub fn from_slug(s: &str) -> Option<Backend> {
        Backend::ALL.into_iter().find(|b| b.slug() == s)
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Zookeeper => "ZooKeeper",
            Backend::Kafka => "Kafka",
            Backend::Rabbitmq => "RabbitMQ",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The cluster answered with an error or could not be connected to.
    #[error("{backend} cluster \"{cluster}\" is unreachable: {reason}")]
    Unavailable {
        backend: Backend,
        cluster: String,
        reason: String,
    },
    /// The cluster did not answer within the configured timeout.
    #[error("{backend} cluster \"{cluster}\" did not answer within {timeout_ms} ms")]
    Timeout {
        backend: Backend,
        cluster: String,
        timeout_ms: u64,
    },
    /// A URL or form named a cluster id that is not in the configuration.
    #[error("no {backend} cluster with id \"{cluster}\" is configured")]
    UnknownCluster { backend: Backend, cluster: String },
    #[error("{what} was not found")]
    NotFound { what: String },
    /// Bad input: which field, why, and what is allowed.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The object changed since it was read; nothing was overwritten.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Signed in (or a request from elsewhere) but not allowed: says what is missing.
    #[error("not allowed: {0}")]
    Denied(String),
    /// No valid session or token: the caller must log in (again). The text
    /// never says whether a user name exists.
    #[error("not signed in: {0}")]
    Unauthenticated(String),
    /// Too many failed logins for this account or address.
    #[error("too many failed logins: try again in {retry_after_s} s")]
    Throttled { retry_after_s: u64 },
    /// The audit store could not record the attempt, so nothing was changed.
    #[error("the audit log could not be written, so nothing was changed: {0}")]
    Audit(String),
    #[error("internal error: {0}")]
    Internal(String),
    /// The browser could not reach the zkmq server itself.
    #[error("could not reach the zkmq server: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The HTTP status a server function answers this error with: 4xx for
    /// the caller's mistakes, 5xx for failures of zkmq or a backend.
    pub fn http_status(&self) -> u16 {
        match self {
            AppError::Invalid { .. } => 422,
            AppError::NotFound { .. } | AppError::UnknownCluster { .. } => 404,
            AppError::Conflict(_) => 409,
            AppError::Denied(_) => 403,
            AppError::Unauthenticated(_) => 401,
            AppError::Throttled { .. } => 429,
            // Made on the server only when the framework could not read the
            // request (its arguments): the caller's request was malformed.
            AppError::Transport(_) => 400,
            AppError::Unavailable { .. } => 503,
            AppError::Timeout { .. } => 504,
            AppError::Audit(_) | AppError::Internal(_) => 500,
        }
    }

    /// The backend this error concerns, if any: lets a page grey out only the
    /// backend that is down.
    pub fn backend(&self) -> Option<Backend> {
        match self {
            AppError::Unavailable { backend, .. }
            | AppError::Timeout { backend, .. }
            | AppError::UnknownCluster { backend, .. } => Some(*backend),
            _ => None,
        }
    }
}

impl server_fn_error::FromServerFnError for AppError {
    type Encoder = server_fn_error::JsonEncoding;

    fn from_server_fn_error(value: server_fn_error::ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

mod server_fn_error {
    pub use leptos::server_fn::codec::JsonEncoding;
    pub use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
}

/// Tests: the (field, reason) of an `Invalid` error; panics on any other.
#[cfg(test)]
pub fn invalid_parts(e: AppError) -> (String, String) {
    match e {
        AppError::Invalid { field, reason } => (field, reason),
        other => panic!("expected Invalid, got {other:?}"),
    }
}
