//! Probing one member: the AdminServer's JSON commands first, the
//! four-letter words when it is off, and a bare TCP connect when both are.
//! Every step is bounded by the probe timeout, so a hung member costs one
//! timeout, never a stuck page.

use crate::ensemble::logic::{
    Refusal, admin_body, parse_admin_monitor, parse_admin_srvr, parse_mntr, parse_srvr,
};
use crate::ensemble::model::{Figures, Role, SlowFigures, Source};
use crate::zookeeper::ssr::four_letter_word;
use std::time::{Duration, Instant};

/// What one fast probe found.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeResult {
    pub role: Role,
    pub source: Source,
    pub figures: Option<Figures>,
    pub error: Option<String>,
    pub probe_ms: Option<f64>,
    /// The member refused four-letter words (not whitelisted).
    pub fourlw_disabled: bool,
    /// The AdminServer answered (so the page need not suggest enabling it).
    pub admin_answered: bool,
}

enum AdminOutcome {
    Figures(Figures),
    Refused(Refusal),
    /// Not configured, not listening, not the AdminServer: use 4lw.
    Absent,
}

async fn admin_get(
    http: &reqwest::Client,
    base: &str,
    command: &str,
) -> Result<Result<serde_json::Value, Refusal>, ()> {
    let url = format!("{}/commands/{command}", base.trim_end_matches('/'));
    let resp = http.get(&url).send().await.map_err(|_| ())?;
    let status = resp.status().as_u16();
    if status == 404 {
        return Err(()); // an old server without this command
    }
    let body = resp.text().await.map_err(|_| ())?;
    Ok(admin_body(status, &body))
}

async fn admin_srvr(http: &reqwest::Client, base: Option<&str>) -> AdminOutcome {
    let Some(base) = base else {
        return AdminOutcome::Absent;
    };
    match admin_get(http, base, "srvr").await {
        Err(()) => AdminOutcome::Absent,
        Ok(Ok(v)) => match parse_admin_srvr(&v) {
            Ok(f) => AdminOutcome::Figures(f),
            Err(r) => AdminOutcome::Refused(r),
        },
        Ok(Err(r)) => AdminOutcome::Refused(r),
    }
}

/// The fast probe: role, zxid, latency, outstanding, connections, znodes.
pub async fn probe_member(
    http: &reqwest::Client,
    address: &str,
    admin: Option<&str>,
    timeout: Duration,
) -> ProbeResult {
    let start = Instant::now();
    let ms = || Some(start.elapsed().as_secs_f64() * 1000.0);
    let admin = tokio::time::timeout(timeout, admin_srvr(http, admin))
        .await
        .unwrap_or(AdminOutcome::Absent);
    let mut result = ProbeResult {
        role: Role::Unknown,
        source: Source::AdminServer,
        figures: None,
        error: None,
        probe_ms: None,
        fourlw_disabled: false,
        admin_answered: false,
    };
    match admin {
        AdminOutcome::Figures(f) => {
            result.role = f.role.unwrap_or(Role::Unknown);
            result.figures = Some(f);
            result.probe_ms = ms();
            result.admin_answered = true;
            return result;
        }
        AdminOutcome::Refused(Refusal::NotServing) => {
            result.role = Role::NotServing;
            result.error =
                Some("not serving requests: no quorum, or an election is running".into());
            result.probe_ms = ms();
            result.admin_answered = true;
            return result;
        }
        // Disabled or odd answers: the four-letter words may still do.
        AdminOutcome::Refused(_) | AdminOutcome::Absent => {}
    }
    let left = timeout
        .saturating_sub(start.elapsed())
        .max(Duration::from_millis(200));
    result.source = Source::FourLetterWords;
    match tokio::time::timeout(left, four_letter_word(address, "srvr")).await {
        Err(_) => {
            result.role = Role::Unreachable;
            result.error = Some(format!("no answer within {} ms", timeout.as_millis()));
        }
        Ok(Err(e)) => {
            result.role = Role::Unreachable;
            result.error = Some(e.to_string());
        }
        Ok(Ok(text)) => {
            result.probe_ms = ms();
            match parse_srvr(&text) {
                Ok(f) => {
                    result.role = f.role.unwrap_or(Role::Unknown);
                    result.figures = Some(f);
                }
                Err(Refusal::NotServing) => {
                    result.role = Role::NotServing;
                    result.error =
                        Some("not serving requests: no quorum, or an election is running".into());
                }
                Err(Refusal::Disabled(_)) => {
                    // It answered, so the process is up; its role is unknown.
                    result.fourlw_disabled = true;
                    result.role = Role::Unknown;
                    result.source = Source::TcpOnly;
                    result.error =
                        Some("srvr is not whitelisted and no AdminServer answered".into());
                }
                Err(Refusal::Unexpected(line)) => {
                    result.role = Role::Unknown;
                    result.source = Source::TcpOnly;
                    result.error = Some(format!("unexpected answer to srvr: {line}"));
                }
            }
        }
    }
    result
}

/// The slow probe (`monitor` / `mntr`): watches, data size, synced followers.
pub async fn probe_slow(
    http: &reqwest::Client,
    address: &str,
    admin: Option<&str>,
    timeout: Duration,
) -> Option<SlowFigures> {
    let work = async {
        if let Some(base) = admin
            && let Ok(Ok(v)) = admin_get(http, base, "monitor").await
        {
            return Some(parse_admin_monitor(&v));
        }
        let text = four_letter_word(address, "mntr").await.ok()?;
        parse_mntr(&text).ok()
    };
    tokio::time::timeout(timeout, work).await.ok().flatten()
}
