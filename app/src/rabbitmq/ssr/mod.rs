//! The RabbitMQ adapter (server only): the management HTTP API.
//! (AMQP through `lapin` arrives with message browsing.)

use super::logic::parse_overview;
use super::model::RabbitSummary;
use crate::clusters::logic::unreachable_status;
use crate::clusters::model::{ClusterRef, ClusterStatus, Reachability};
use crate::error::{AppError, Backend};
use crate::ssr::{Secret, bounded, elapsed_ms, now_rfc3339};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// One `[[rabbitmq]]` entry of the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RabbitClusterConfig {
    pub id: String,
    pub name: String,
    /// Base URL of the management plugin, e.g. "http://127.0.0.1:15672".
    pub management_url: String,
    /// AMQP URL (without credentials), e.g. "amqp://127.0.0.1:5672/%2f".
    #[serde(default)]
    pub amqp_url: Option<String>,
    pub username: String,
    pub password: Secret,
}

pub struct RabbitCluster {
    config: RabbitClusterConfig,
    timeout: Duration,
    http: reqwest::Client,
}

impl RabbitCluster {
    pub fn new(config: RabbitClusterConfig, timeout: Duration) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(RabbitCluster {
            config,
            timeout,
            http,
        })
    }

    pub fn id(&self) -> &str {
        &self.config.id
    }

    pub fn cluster_ref(&self) -> ClusterRef {
        ClusterRef {
            backend: Backend::Rabbitmq,
            id: self.config.id.clone(),
            name: self.config.name.clone(),
        }
    }

    fn unavailable(&self, reason: impl Into<String>) -> AppError {
        AppError::Unavailable {
            backend: Backend::Rabbitmq,
            cluster: self.config.id.clone(),
            reason: reason.into(),
        }
    }

    /// GET a management API path and parse the JSON body. Non-200 answers and
    /// non-JSON bodies (a proxy's HTML page) become clear errors.
    async fn get_json(&self, path: &str) -> Result<serde_json::Value, AppError> {
        let url = format!(
            "{}/api/{}",
            self.config.management_url.trim_end_matches('/'),
            path
        );
        bounded(self.timeout, Backend::Rabbitmq, &self.config.id, async {
            let resp = self
                .http
                .get(&url)
                .basic_auth(&self.config.username, Some(self.config.password.expose()))
                .send()
                .await
                .map_err(|e| self.unavailable(describe_reqwest(&e)))?;
            let status = resp.status();
            if status == reqwest::StatusCode::UNAUTHORIZED {
                return Err(AppError::Denied(format!(
                    "RabbitMQ cluster \"{}\" rejected the configured user \"{}\" (HTTP 401): check username and password",
                    self.config.id, self.config.username
                )));
            }
            if !status.is_success() {
                return Err(self.unavailable(format!("management API answered HTTP {status} for /api/{path}")));
            }
            resp.json::<serde_json::Value>()
                .await
                .map_err(|_| self.unavailable(format!("management API sent a body that is not JSON for /api/{path}")))
        })
        .await
    }

    pub async fn summary(&self) -> Result<RabbitSummary, AppError> {
        Ok(RabbitSummary {
            cluster: self.cluster_ref(),
            overview: parse_overview(&self.get_json("overview").await?),
        })
    }

    /// One health probe: `/api/overview`, timed.
    pub async fn probe(&self) -> ClusterStatus {
        let start = Instant::now();
        let res = self.get_json("overview").await;
        let latency = elapsed_ms(start);
        match res {
            Ok(v) => {
                let d = parse_overview(&v);
                ClusterStatus {
                    cluster: self.cluster_ref(),
                    reachability: Reachability::Reachable,
                    version: d.version,
                    latency_ms: Some(latency),
                    detail: format!(
                        "{} queues, {} connections, {} messages ready",
                        d.queues, d.connections, d.messages_ready
                    ),
                    checked_at: now_rfc3339(),
                }
            }
            Err(e) => unreachable_status(self.cluster_ref(), e.to_string(), now_rfc3339()),
        }
    }
}

/// reqwest's Display omits the cause ("error sending request"); the cause
/// (connection refused, timed out) is what the user needs.
fn describe_reqwest(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".into();
    }
    if e.is_connect() {
        let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
        let mut last = None;
        while let Some(s) = src {
            last = Some(s.to_string());
            src = s.source();
        }
        return format!(
            "cannot connect ({})",
            last.unwrap_or_else(|| "connection failed".into())
        );
    }
    e.to_string()
}
