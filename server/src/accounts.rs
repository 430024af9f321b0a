//! Accounts from the command line and at first start: `zkmq user …`,
//! `zkmq role …`, and the first admin (there is no default password).
//! Every change is audited with the actor `cli:<login name>`.

use crate::config::Config;
use app::audit::ssr::AuditLog;
use app::auth::logic::{check_scope_matches, parse_grant};
use app::auth::ssr::{AuthStore, audited};
use app::clusters::model::ClusterRef;
use app::error::{AppError, Backend};
use app::runtime::RequestContext;
use app::services::Services;
use clap::Subcommand;
use std::io::BufRead;

/// The env variable a first start reads the admin's password from.
pub const ADMIN_PASSWORD_ENV: &str = "ZKMQ_ADMIN_PASSWORD";
/// The first admin's name (default "admin").
pub const ADMIN_USER_ENV: &str = "ZKMQ_ADMIN_USER";

/// With no account yet: creates the admin named by `ZKMQ_ADMIN_USER`
/// ("admin") with the password in `ZKMQ_ADMIN_PASSWORD`, holding admin and
/// payloads on every cluster; without that variable, says how to make one.
/// `sso` names the configured single sign-on ("OpenID Connect", "the
/// trusted proxy"), which signs people in without a local account first.
pub async fn first_start(svc: &Services, sso: Option<&str>) -> Result<(), AppError> {
    if svc.auth.user_count().await? > 0 {
        return Ok(());
    }
    let Ok(password) = std::env::var(ADMIN_PASSWORD_ENV) else {
        match sso {
            Some(via) => tracing::warn!(
                "no accounts yet: people sign in through {via} with the roles [auth.groups] maps their groups to; for a local admin, create one with `zkmq user add NAME` and `zkmq role grant NAME admin '*/*'`, or start once with {ADMIN_PASSWORD_ENV} set"
            ),
            None => tracing::warn!(
                "no accounts yet, so nobody can log in: create one with `zkmq user add NAME` and `zkmq role grant NAME admin '*/*'`, or start once with {ADMIN_PASSWORD_ENV} set"
            ),
        }
        return Ok(());
    };
    let name = std::env::var(ADMIN_USER_ENV).unwrap_or_else(|_| "admin".into());
    let ctx = RequestContext::local("zkmq first start");
    audited::add_user(&svc.auth, &svc.audit, &ctx, &name, Some(&password)).await?;
    for role in ["admin", "payloads"] {
        let grant = parse_grant(role, "*/*")?;
        audited::change_grant(&svc.auth, &svc.audit, &ctx, &name, &grant, true).await?;
    }
    tracing::info!(user = %name, "created the first account (admin and payloads on */*) from {ADMIN_PASSWORD_ENV}");
    Ok(())
}

/// `zkmq user …`.
#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account (with a password unless --no-password: SSO only).
    Add {
        name: String,
        #[arg(long)]
        no_password: bool,
    },
    /// Set a new password; ends the account's sessions.
    Passwd { name: String },
    /// Stop an account from logging in; ends its sessions.
    Disable { name: String },
    /// Let a disabled account log in again.
    Enable { name: String },
    /// Every account, whether it is enabled, and its roles.
    List,
}

/// `zkmq role …`.
#[derive(Subcommand)]
pub enum RoleCommand {
    Grant {
        name: String,
        role: String,
        scope: String,
    },
    Revoke {
        name: String,
        role: String,
        scope: String,
    },
}

/// What `zkmq user` and `zkmq role` do.
pub enum AccountCommand {
    User(UserCommand),
    Role(RoleCommand),
}

/// A password from `ZKMQ_PASSWORD` or the first line of stdin: never from
/// the command line, where `ps` and shell history would keep it.
fn read_password() -> Result<String, String> {
    if let Ok(p) = std::env::var("ZKMQ_PASSWORD") {
        return Ok(p);
    }
    eprintln!("password (one line on stdin):");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn configured(config: &Config) -> Vec<ClusterRef> {
    let r = |backend, id: &str, name: &str| ClusterRef {
        backend,
        id: id.to_string(),
        name: name.to_string(),
    };
    let mut v = Vec::new();
    v.extend(
        config
            .zookeeper
            .iter()
            .map(|c| r(Backend::Zookeeper, &c.id, &c.name)),
    );
    v.extend(
        config
            .kafka
            .iter()
            .map(|c| r(Backend::Kafka, &c.id, &c.name)),
    );
    v.extend(
        config
            .rabbitmq
            .iter()
            .map(|c| r(Backend::Rabbitmq, &c.id, &c.name)),
    );
    v
}

/// Runs one account command against the database of `config`; returns the
/// line to print.
pub async fn run(config: &Config, cmd: AccountCommand) -> Result<String, String> {
    let audit = AuditLog::open(&config.server.database).await?;
    let auth = AuthStore::new(audit.pool().clone(), config.server.session_policy())
        .await
        .map_err(|e| e.to_string())?;
    let who = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    let ctx = RequestContext::local(&format!("cli:{who}"));
    let shown = |e: AppError| e.to_string();
    match cmd {
        AccountCommand::User(UserCommand::Add { name, no_password }) => {
            let password = if no_password {
                None
            } else {
                Some(read_password()?)
            };
            audited::add_user(&auth, &audit, &ctx, &name, password.as_deref())
                .await
                .map_err(shown)?;
            Ok(format!(
                "user \"{name}\" added; give it a role with `zkmq role grant {name} viewer '*/*'`"
            ))
        }
        AccountCommand::User(UserCommand::Passwd { name }) => {
            let password = read_password()?;
            audited::set_password(&auth, &audit, &ctx, &name, &password)
                .await
                .map_err(shown)?;
            Ok(format!(
                "password of \"{name}\" changed; its sessions were ended"
            ))
        }
        AccountCommand::User(UserCommand::Disable { name }) => {
            audited::set_disabled(&auth, &audit, &ctx, &name, true)
                .await
                .map_err(shown)?;
            Ok(format!("user \"{name}\" disabled; its sessions were ended"))
        }
        AccountCommand::User(UserCommand::Enable { name }) => {
            audited::set_disabled(&auth, &audit, &ctx, &name, false)
                .await
                .map_err(shown)?;
            Ok(format!("user \"{name}\" enabled"))
        }
        AccountCommand::User(UserCommand::List) => {
            let users = auth.list_users().await.map_err(shown)?;
            let mut out = String::new();
            for u in &users {
                let grants: Vec<String> = u.grants.iter().map(|g| g.to_string()).collect();
                out.push_str(&format!(
                    "{}\t{}\t{}\n",
                    u.name,
                    if u.disabled { "disabled" } else { "enabled" },
                    if grants.is_empty() {
                        "(no roles)".into()
                    } else {
                        grants.join(", ")
                    }
                ));
            }
            if users.is_empty() {
                out.push_str("no users\n");
            }
            Ok(out.trim_end().to_string())
        }
        AccountCommand::Role(RoleCommand::Grant { name, role, scope }) => {
            let grant = parse_grant(&role, &scope).map_err(shown)?;
            check_scope_matches("scope", &grant.scope, &configured(config)).map_err(shown)?;
            let changed = audited::change_grant(&auth, &audit, &ctx, &name, &grant, true)
                .await
                .map_err(shown)?;
            Ok(if changed {
                format!("\"{name}\" is now {grant}")
            } else {
                format!("\"{name}\" was {grant} already")
            })
        }
        AccountCommand::Role(RoleCommand::Revoke { name, role, scope }) => {
            let grant = parse_grant(&role, &scope).map_err(shown)?;
            let changed = audited::change_grant(&auth, &audit, &ctx, &name, &grant, false)
                .await
                .map_err(shown)?;
            Ok(if changed {
                format!("\"{name}\" is no longer {grant}")
            } else {
                format!("\"{name}\" was not {grant}")
            })
        }
    }
}
