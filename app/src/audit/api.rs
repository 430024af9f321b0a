//! Audit server functions (read-only: the log itself is never edited).

use super::model::AuditRecord;
use crate::error::AppError;
use leptos::prelude::*;

/// Page size of the audit list.
pub const AUDIT_PAGE: i64 = 100;

/// The newest records, or those older than `before_id` (for paging).
#[server(endpoint = "list_audit_records")]
pub async fn list_audit_records(before_id: Option<i64>) -> Result<Vec<AuditRecord>, AppError> {
    // An auditor on */* reads every row, console ones included; one on
    // some clusters reads those clusters' rows.
    let (svc, scopes) = crate::services::authorize_audit().await?;
    if let Some(id) = before_id
        && id < 1
    {
        return Err(AppError::invalid(
            "before_id",
            "must be a record id of 1 or more",
        ));
    }
    svc.audit
        .list(AUDIT_PAGE, before_id, scopes.as_deref())
        .await
}
