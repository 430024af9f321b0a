//! "Who am I" and account administration. (Login and logout are plain
//! form posts to `/auth/login` and `/auth/logout`, handled by the server:
//! they work before the page has hydrated and end in a full page load.)
//! Account changes need admin on every cluster (`*/*`) and go through the
//! audited path.

use super::model::{NewToken, Principal, TokenSummary, UserSummary};
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in user and their grants (the user menu and disabled controls).
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Principal, AppError> {
    let (_, me) = crate::services::signed_in().await?;
    Ok(me)
}

/// Every account and its grants.
#[server(endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    let (svc, _) = crate::services::authorize_console(super::model::Permission::Administer).await?;
    svc.auth.list_users().await
}

/// Creates an account with a password.
#[server(endpoint = "add_user")]
pub async fn add_user(name: String, password: String) -> Result<(), AppError> {
    let (svc, rec) =
        crate::services::authorize_console(super::model::Permission::Administer).await?;
    super::ssr::audited::add_user(&svc.auth, &svc.audit, rec.context(), &name, Some(&password))
        .await
}

/// Grants `role` on `scope` ("kafka/prod-*") to `name`; the scope must name
/// at least one configured cluster.
#[server(endpoint = "grant_role")]
pub async fn grant_role(name: String, role: String, scope: String) -> Result<bool, AppError> {
    let (svc, rec) =
        crate::services::authorize_console(super::model::Permission::Administer).await?;
    let grant = super::logic::parse_grant(&role, &scope)?;
    super::logic::check_scope_matches("scope", &grant.scope, &svc.clusters())?;
    super::ssr::audited::change_grant(&svc.auth, &svc.audit, rec.context(), &name, &grant, true)
        .await
}

/// Revokes `role` on `scope` from `name`.
#[server(endpoint = "revoke_role")]
pub async fn revoke_role(name: String, role: String, scope: String) -> Result<bool, AppError> {
    let (svc, rec) =
        crate::services::authorize_console(super::model::Permission::Administer).await?;
    let grant = super::logic::parse_grant(&role, &scope)?;
    super::ssr::audited::change_grant(&svc.auth, &svc.audit, rec.context(), &name, &grant, false)
        .await
}

/// Disables (`true`) or re-enables an account; disabling ends its sessions.
#[server(endpoint = "set_user_disabled")]
pub async fn set_user_disabled(name: String, disabled: bool) -> Result<(), AppError> {
    let (svc, rec) =
        crate::services::authorize_console(super::model::Permission::Administer).await?;
    super::ssr::audited::set_disabled(&svc.auth, &svc.audit, rec.context(), &name, disabled).await
}

/// Sets a new password for `name` (an admin resetting a forgotten one);
/// the sessions the old password opened end.
#[server(endpoint = "set_user_password")]
pub async fn set_user_password(name: String, password: String) -> Result<(), AppError> {
    let (svc, rec) =
        crate::services::authorize_console(super::model::Permission::Administer).await?;
    super::ssr::audited::set_password(&svc.auth, &svc.audit, rec.context(), &name, &password).await
}

/// Every account's API tokens, newest first (the admin's view; never secrets).
#[server(endpoint = "list_all_api_tokens")]
pub async fn list_all_api_tokens() -> Result<Vec<TokenSummary>, AppError> {
    let (svc, _) = crate::services::authorize_console(super::model::Permission::Administer).await?;
    svc.auth.tokens_of(None).await
}

/// Revokes token `id` of `name` (an admin ending another user's script).
#[server(endpoint = "revoke_user_token")]
pub async fn revoke_user_token(name: String, id: i64) -> Result<(), AppError> {
    let (svc, rec) =
        crate::services::authorize_console(super::model::Permission::Administer).await?;
    super::ssr::audited::revoke_token(&svc.auth, &svc.audit, rec.context(), &name, id).await
}

/// The caller's API tokens, newest first (never their secrets).
#[server(endpoint = "list_api_tokens")]
pub async fn list_api_tokens() -> Result<Vec<TokenSummary>, AppError> {
    let (svc, me) = crate::services::signed_in().await?;
    svc.auth.tokens_of(Some(&me.user)).await
}

/// A new API token for the caller, living `days` days (1–365); its secret
/// is in the answer once and stored nowhere. Send it as
/// `Authorization: Bearer <token>`.
#[server(endpoint = "create_api_token")]
pub async fn create_api_token(label: String, days: String) -> Result<NewToken, AppError> {
    let (svc, rec, me) = crate::services::signed_in_recorder().await?;
    if me.via.starts_with("token:") {
        // A token must not outlive itself by minting its successors.
        return Err(AppError::Denied(
            "API tokens are made from a login session, not with another token".into(),
        ));
    }
    super::ssr::audited::create_token(
        &svc.auth,
        &svc.audit,
        rec.context(),
        &me.user,
        &label,
        &days,
    )
    .await
}

/// Revokes one of the caller's API tokens.
#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    let (svc, rec, me) = crate::services::signed_in_recorder().await?;
    super::ssr::audited::revoke_token(&svc.auth, &svc.audit, rec.context(), &me.user, id).await
}
