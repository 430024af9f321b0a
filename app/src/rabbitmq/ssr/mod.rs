//! The RabbitMQ adapter (server only): the management HTTP API for objects,
//! policies and definitions; AMQP (`lapin`) for publishing and for reading
//! streams without consuming them.

pub mod audited;
mod errors;
pub mod flows;
pub mod messages;
pub mod tap;

use super::logic::{
    parse_binding, parse_exchange, parse_listeners, parse_node, parse_overview, parse_policy,
    parse_queue, parse_rates,
};
use super::model::{
    BindingRow, ExchangeRow, PolicyRow, QueueDetail, QueuePage, QueueRow, QueueSort, RabbitDetail,
    RabbitSummary,
};
use crate::clusters::logic::unreachable_status;
use crate::clusters::model::{ClusterRef, ClusterStatus, Reachability};
use crate::error::{AppError, Backend};
use crate::runtime::{Secret, bounded, elapsed_ms, now_rfc3339};
use futures::StreamExt;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The queue-list columns zkmq shows.
const QUEUE_COLUMNS: &str = "name,vhost,type,state,messages_ready,messages_unacknowledged,consumers,policy,message_stats.publish_details.rate,message_stats.deliver_get_details.rate";
/// Queue reads in flight while filling a page (each is ≈ 1 ms for the broker).
const QUEUE_READS_IN_FLIGHT: usize = 16;

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
    /// Live taps running on this cluster, shared by their viewers.
    taps: tap::SharedTaps,
}

/// A path segment for the management API (vhosts and names may hold "/";
/// the default vhost is "/").
pub use crate::fields::url_segment as seg;

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
            taps: tap::SharedTaps::default(),
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

    /// One management API call; returns the status and body of a 2xx answer.
    /// Errors are sentences: 401 names the user, 400 explains the broker's
    /// refusal (e.g. inequivalent arguments), 404 says what was not found.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, String), AppError> {
        check_no_dot_segments(path)?;
        let url = format!(
            "{}/api/{}",
            self.config.management_url.trim_end_matches('/'),
            path
        );
        bounded(self.timeout, Backend::Rabbitmq, &self.config.id, async {
            let mut req = self
                .http
                .request(method, &url)
                .basic_auth(&self.config.username, Some(self.config.password.expose()));
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = req
                .send()
                .await
                .map_err(|e| self.unavailable(describe_reqwest(&e)))?;
            let status = resp.status().as_u16();
            let text = resp
                .text()
                .await
                .map_err(|e| self.unavailable(describe_reqwest(&e)))?;
            if (200..=299).contains(&status) {
                return Ok((status, text));
            }
            // A 401 is either the configured login failing or the broker
            // refusing this one operation (e.g. binding from the default
            // exchange): asking who we are tells which, without reading the text.
            let login_ok = status == 401 && self.login_works().await;
            Err(errors::management(
                &self.config.id,
                &self.config.username,
                path,
                status,
                &text,
                login_ok,
            ))
        })
        .await
    }

    /// Whether the configured user can log in to the management API.
    async fn login_works(&self) -> bool {
        let url = format!(
            "{}/api/whoami",
            self.config.management_url.trim_end_matches('/')
        );
        self.http
            .get(&url)
            .basic_auth(&self.config.username, Some(self.config.password.expose()))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    }

    /// GET a management API path and parse the JSON body.
    async fn get_json(&self, path: &str) -> Result<Value, AppError> {
        let (_, body) = self.call(Method::GET, path, None).await?;
        serde_json::from_str(&body).map_err(|_| {
            self.unavailable(format!(
                "management API sent a body that is not JSON for /api/{path}"
            ))
        })
    }

    pub async fn summary(&self) -> Result<RabbitSummary, AppError> {
        Ok(RabbitSummary {
            cluster: self.cluster_ref(),
            overview: parse_overview(&self.get_json("overview").await?),
        })
    }

    /// Rates, nodes (with alarms), listeners and vhosts.
    pub async fn detail(&self) -> Result<RabbitDetail, AppError> {
        let overview = self.get_json("overview").await?;
        let nodes = self.get_json("nodes").await?;
        let vhosts = self.vhosts().await?;
        Ok(RabbitDetail {
            rates: parse_rates(&overview),
            nodes: nodes
                .as_array()
                .map(|a| a.iter().map(parse_node).collect())
                .unwrap_or_default(),
            listeners: parse_listeners(&overview),
            vhosts,
        })
    }

    pub async fn vhosts(&self) -> Result<Vec<String>, AppError> {
        let v = self.get_json("vhosts?columns=name").await?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }

    pub async fn exchanges(&self) -> Result<Vec<ExchangeRow>, AppError> {
        let v = self.get_json("exchanges").await?;
        Ok(v.as_array()
            .map(|a| a.iter().map(parse_exchange).collect())
            .unwrap_or_default())
    }

    pub(super) async fn exchange(&self, vhost: &str, name: &str) -> Result<ExchangeRow, AppError> {
        Ok(parse_exchange(
            &self
                .get_json(&format!("exchanges/{}/{}", seg(vhost), seg(name)))
                .await?,
        ))
    }

    /// One page of queues. The management API filters, sorts and pages; zkmq
    /// then reads the shown queues' figures one by one.
    ///
    /// Why two steps: asked for a page with statistics, RabbitMQ 3.x joins the
    /// statistics of *every* queue before it sorts and pages (≈ 390 ms at
    /// 10,000 queues on the sandbox). With `disable_stats` it pages names in
    /// ≈ 130 ms, and one queue's figures take ≈ 1 ms, so 100 of them, 16 in
    /// flight, cost far less than the join (docs/PERFORMANCE.md). Sorting by
    /// consumers needs every queue's statistics, so that sort stays one
    /// request with statistics.
    pub async fn queues(
        &self,
        vhost: Option<&str>,
        filter: &str,
        sort: QueueSort,
        descending: bool,
        page: u64,
        page_size: u64,
    ) -> Result<QueuePage, AppError> {
        let joined = sort == QueueSort::Consumers;
        let (sort, stats) = match sort {
            QueueSort::Name => ("name", "disable_stats=true&columns=name,vhost".to_string()),
            // Message totals come from the queues themselves, without statistics.
            QueueSort::Messages => (
                "messages",
                "disable_stats=true&enable_queue_totals=true&columns=name,vhost,messages".into(),
            ),
            QueueSort::Consumers => ("consumers", format!("columns={QUEUE_COLUMNS}")),
        };
        let base = match vhost {
            Some(v) => format!("queues/{}", seg(v)),
            None => "queues".into(),
        };
        let path = format!(
            "{base}?page={}&page_size={}&name={}&use_regex=false&sort={sort}&sort_reverse={descending}&pagination=true&{stats}",
            page.max(1),
            page_size.clamp(1, 500),
            seg(filter)
        );
        let v = self.get_json(&path).await?;
        let items = v["items"].as_array().cloned().unwrap_or_default();
        let rows = if joined {
            items.iter().map(parse_queue).collect()
        } else {
            futures::stream::iter(items.into_iter().map(|q| self.queue_row(q)))
                .buffered(QUEUE_READS_IN_FLIGHT)
                .collect::<Vec<_>>()
                .await
                .into_iter()
                .collect::<Result<_, _>>()?
        };
        Ok(QueuePage {
            total: v["total_count"].as_u64().unwrap_or(0),
            matched: v["filtered_count"].as_u64().unwrap_or(0),
            page: v["page"].as_u64().unwrap_or(1),
            page_count: v["page_count"].as_u64().unwrap_or(1),
            rows,
        })
    }

    /// How many queues `vhost` holds (one page of one name, no statistics).
    pub async fn queue_count(&self, vhost: &str) -> Result<u64, AppError> {
        let v = self
            .get_json(&format!(
                "queues/{}?page=1&page_size=1&pagination=true&disable_stats=true&columns=name",
                seg(vhost)
            ))
            .await?;
        Ok(v["total_count"].as_u64().unwrap_or(0))
    }

    /// The shown figures of one queue named in a page. A queue deleted since
    /// the page was listed keeps its row, marked "deleted", so the page does
    /// not silently shrink.
    async fn queue_row(&self, listed: Value) -> Result<QueueRow, AppError> {
        let (vhost, name) = (
            listed["vhost"].as_str().unwrap_or_default(),
            listed["name"].as_str().unwrap_or_default(),
        );
        let path = format!(
            "queues/{}/{}?columns={QUEUE_COLUMNS}",
            seg(vhost),
            seg(name)
        );
        match self.get_json(&path).await {
            Ok(q) => Ok(parse_queue(&q)),
            Err(AppError::NotFound { .. }) => Ok(QueueRow {
                state: "deleted".into(),
                ..parse_queue(&listed)
            }),
            Err(e) => Err(e),
        }
    }

    pub async fn queue(&self, vhost: &str, name: &str) -> Result<QueueDetail, AppError> {
        let q = self
            .get_json(&format!("queues/{}/{}", seg(vhost), seg(name)))
            .await?;
        let bindings = self
            .get_json(&format!("queues/{}/{}/bindings", seg(vhost), seg(name)))
            .await?;
        let text = |k: &str| q.get(k).filter(|v| !v.is_null()).map(Value::to_string);
        Ok(QueueDetail {
            row: parse_queue(&q),
            durable: q["durable"].as_bool().unwrap_or(false),
            auto_delete: q["auto_delete"].as_bool().unwrap_or(false),
            exclusive: q["exclusive"].as_bool().unwrap_or(false),
            arguments: q["arguments"].to_string(),
            effective_policy: text("effective_policy_definition")
                .filter(|d| d != "{}" && d != "[]"),
            operator_policy: q["operator_policy"].as_str().map(str::to_string),
            bindings: bindings
                .as_array()
                .map(|a| a.iter().map(parse_binding).collect())
                .unwrap_or_default(),
        })
    }

    pub async fn bindings(&self, vhost: &str) -> Result<Vec<BindingRow>, AppError> {
        let v = self.get_json(&format!("bindings/{}", seg(vhost))).await?;
        Ok(v.as_array()
            .map(|a| a.iter().map(parse_binding).collect())
            .unwrap_or_default())
    }

    pub async fn policies(&self) -> Result<Vec<PolicyRow>, AppError> {
        let user = self.get_json("policies").await?;
        let operator = self.get_json("operator-policies").await?;
        let mut out: Vec<PolicyRow> = user
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| parse_policy(p, false))
            .chain(
                operator
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| parse_policy(p, true)),
            )
            .collect();
        out.sort_by(|a, b| (a.operator, &a.vhost, &a.name).cmp(&(b.operator, &b.vhost, &b.name)));
        Ok(out)
    }

    pub(super) async fn policy(
        &self,
        vhost: &str,
        name: &str,
        operator: bool,
    ) -> Result<Option<PolicyRow>, AppError> {
        let kind = if operator {
            "operator-policies"
        } else {
            "policies"
        };
        match self
            .get_json(&format!("{kind}/{}/{}", seg(vhost), seg(name)))
            .await
        {
            Ok(v) => Ok(Some(parse_policy(&v, operator))),
            Err(AppError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// All definitions (vhosts, users, permissions, policies, queues,
    /// exchanges, bindings) as the management API exports them.
    pub async fn definitions(&self) -> Result<Value, AppError> {
        self.get_json("definitions").await
    }

    pub(super) async fn put(&self, path: &str, body: &Value) -> Result<(), AppError> {
        self.call(Method::PUT, path, Some(body)).await.map(|_| ())
    }

    pub(super) async fn post(&self, path: &str, body: &Value) -> Result<String, AppError> {
        self.call(Method::POST, path, Some(body))
            .await
            .map(|(_, b)| b)
    }

    pub(super) async fn delete(&self, path: &str) -> Result<(), AppError> {
        self.call(Method::DELETE, path, None).await.map(|_| ())
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
/// Refuses a management-API path with a segment "." or "..": HTTP clients
/// resolve those as relative paths (WHATWG URLs treat "%2e" alike, so
/// encoding cannot help), and the request would reach another object than
/// the one named — and audited. RabbitMQ allows such names; zkmq says it
/// cannot address them rather than act on something else.
fn check_no_dot_segments(path: &str) -> Result<(), AppError> {
    let path = path.split('?').next().unwrap_or(path);
    if path.split('/').any(|s| s == "." || s == "..") {
        return Err(AppError::invalid(
            "name",
            "a vhost, queue, exchange or policy named \".\" or \"..\" cannot be addressed through \
             RabbitMQ's management API (HTTP resolves those as relative paths, so the request would \
             reach another object): rename it with rabbitmqctl, or use another name",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_are_refused_before_any_request() {
        for p in [
            "queues/%2F/..",
            "queues/../x",
            "exchanges/%2F/./bindings/source",
            "vhosts/..",
        ] {
            let e = check_no_dot_segments(p).unwrap_err().to_string();
            assert!(e.contains("cannot be addressed"), "{p}: {e}");
        }
        for p in [
            "queues/%2F/...",
            "queues/%2F/a.b",
            "queues/%2F/.x",
            "queues?page=1&name=..",
        ] {
            assert!(check_no_dot_segments(p).is_ok(), "{p}");
        }
    }
}
