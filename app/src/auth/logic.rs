//! The rules: whether grants allow a call, and what to tell someone they
//! lack. Pure, so the server's `authorize` step and the browser's disabled
//! controls read the same answer.

use super::model::{Grant, Permission, Role, Scope};
use crate::clusters::model::ClusterRef;
use crate::error::{AppError, Backend};

/// Whether `role` gives `need` (on a scope that covers the cluster).
pub fn gives(role: Role, need: Permission) -> bool {
    matches!(
        (role, need),
        (
            Role::Viewer | Role::Operator | Role::Admin,
            Permission::Read
        ) | (Role::Operator | Role::Admin, Permission::Change)
            | (Role::Admin, Permission::Administer | Permission::ReadAudit)
            | (Role::Payloads, Permission::ReadPayloads)
            | (Role::Auditor, Permission::ReadAudit)
    )
}

/// Whether `scope` covers cluster `id` of `backend`.
pub fn covers(scope: &Scope, backend: Backend, id: &str) -> bool {
    scope.backend.is_none_or(|b| b == backend)
        && wildmatch::WildMatch::new(&scope.clusters).matches(id)
}

/// Whether any of `grants` allows `need` on cluster `id` of `backend`.
pub fn allows(grants: &[Grant], backend: Backend, id: &str, need: Permission) -> bool {
    grants
        .iter()
        .any(|g| gives(g.role, need) && covers(&g.scope, backend, id))
}

/// Whether the cluster shows up for the caller at all (lists, picker, overview).
pub fn may_see(grants: &[Grant], c: &ClusterRef) -> bool {
    allows(grants, c.backend, &c.id, Permission::Read)
}

/// Whether a grant gives `need` on every cluster of every backend (`*/*`):
/// what the console's own objects (users, roles, the whole audit log) need.
pub fn allows_everywhere(grants: &[Grant], need: Permission) -> bool {
    grants
        .iter()
        .any(|g| gives(g.role, need) && g.scope.backend.is_none() && g.scope.clusters == "*")
}

/// The part of the audit log `grants` may read: `None` for all of it (the
/// auditor or admin on `*/*`, who also reads the console's own rows), else
/// the scopes whose clusters' rows they may read (empty: none).
pub fn audit_scopes(grants: &[Grant]) -> Option<Vec<Scope>> {
    if allows_everywhere(grants, Permission::ReadAudit) {
        return None;
    }
    Some(
        grants
            .iter()
            .filter(|g| gives(g.role, Permission::ReadAudit))
            .map(|g| g.scope.clone())
            .collect(),
    )
}

/// What a refused caller reads for the console's own objects.
pub fn missing_everywhere(need: Permission) -> String {
    format!("needs {} on */*", need.role().word())
}

/// A role word and a scope, as `zkmq role grant NAME ROLE SCOPE` takes them.
pub fn parse_grant(role: &str, scope: &str) -> Result<Grant, AppError> {
    let r = Role::from_word(role.trim()).ok_or_else(|| {
        let words: Vec<&str> = Role::ALL.iter().map(|r| r.word()).collect();
        AppError::invalid(
            "role",
            format!("\"{role}\" is not a role: {}", words.join(", ")),
        )
    })?;
    Ok(Grant {
        role: r,
        scope: parse_scope("scope", scope)?,
    })
}

/// A grant as config files and the admin page write it: `operator on kafka/*`.
pub fn parse_grant_text(text: &str) -> Result<Grant, AppError> {
    let (role, scope) = text.trim().split_once(" on ").ok_or_else(|| {
        AppError::invalid(
            "grant",
            format!("\"{text}\" is not \"ROLE on BACKEND/CLUSTERS\", like \"operator on kafka/*\""),
        )
    })?;
    parse_grant(role, scope)
}

/// Group names as a proxy header or a claim string lists them: split at
/// commas, trimmed, empty ones dropped.
pub fn split_groups(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(String::from)
        .collect()
}

/// The grants `groups` map to under `[auth.groups]` (group → grants), each
/// once, in the table's order. Groups the table does not name give nothing.
pub fn grants_of_groups(table: &[(String, Vec<Grant>)], groups: &[String]) -> Vec<Grant> {
    let mut out: Vec<Grant> = Vec::new();
    for (group, grants) in table {
        if groups.iter().any(|g| g == group) {
            for g in grants {
                if !out.contains(g) {
                    out.push(g.clone());
                }
            }
        }
    }
    out
}

/// What every failed login answers, whatever failed: an unknown user, a
/// wrong password and a disabled account read the same (no enumeration).
pub const LOGIN_FAILED: &str = "the user name or password is wrong";

/// The sentence the login page shows for the `?error=` code the login
/// post sent it back with; `None` for a code it did not send.
pub fn login_error_text(code: &str) -> Option<String> {
    match code.split_once(':') {
        None if code == "failed" => Some(format!("Login failed: {LOGIN_FAILED}.")),
        None if code == "unavailable" => {
            Some("zkmq could not check the password just now; try again.".into())
        }
        None if code == "sso_unavailable" => Some(
            "The single sign-on provider cannot be reached just now; try again, or log in with a password.".into(),
        ),
        None if code == "sso_expired" => Some(
            "That sign-in took longer than ten minutes or began in another browser; sign in again.".into(),
        ),
        None if code == "sso_failed" => {
            Some("The single sign-on provider did not sign you in; try again.".into())
        }
        None if code == "sso_denied" => Some(
            "This account may not sign in through single sign-on (it is disabled, or it signs in with a password); ask an admin.".into(),
        ),
        Some(("throttled", s)) => s
            .parse::<u64>()
            .ok()
            .map(|s| format!("Too many failed logins: wait {s} s before the next try.")),
        _ => None,
    }
}

/// The prefix every API token starts with (so a leaked one is recognisable
/// by secret scanners, and one in a URL can be refused).
pub const TOKEN_PREFIX: &str = "zkmq_";

/// A token's label: 1 to 64 characters, no control characters (it is
/// written into audit rows and shown in lists).
pub fn validate_token_label(label: &str) -> Result<(), AppError> {
    let n = label.trim().chars().count();
    if n == 0 || n > 64 {
        return Err(AppError::invalid(
            "label",
            "must be 1 to 64 characters, e.g. deploy-bot",
        ));
    }
    if label.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "label",
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// How many days a new token lives: a whole number from 1 to 365.
pub fn parse_token_days(text: &str) -> Result<u32, AppError> {
    match text.trim().parse::<u32>() {
        Ok(d) if (1..=365).contains(&d) => Ok(d),
        _ => Err(AppError::invalid(
            "days",
            format!("\"{}\" is not a number of days from 1 to 365", text.trim()),
        )),
    }
}

/// Where to go after login: only a path on this site ("/kafka/local"),
/// never another origin ("//evil.example", "https://…"): an open redirect
/// would let a phishing link borrow zkmq's login page.
pub fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\')
        && !next.starts_with("/login");
    if ok {
        next.to_string()
    } else {
        "/".to_string()
    }
}

/// Seconds to wait before the next login try after `failures` failed ones
/// in a row: free for the first three (typos), then 1, 2, 4 … up to 5 min.
pub fn throttle_wait_s(failures: i64) -> u64 {
    if failures < 3 {
        0
    } else {
        1u64 << (failures - 3).min(9) as u32
    }
    .min(300)
}

/// What a refused caller reads: "needs operator on kafka/local".
pub fn missing(need: Permission, backend: Backend, id: &str) -> String {
    format!("needs {} on {}/{id}", need.role().word(), backend.slug())
}

/// `kafka/prod-*`, `zookeeper/local`, `*/*` (every cluster of every
/// backend): a scope as the CLI and the config write it.
pub fn parse_scope(field: &str, text: &str) -> Result<Scope, AppError> {
    let text = text.trim();
    let Some((backend, clusters)) = text.split_once('/') else {
        return Err(AppError::invalid(
            field,
            format!("\"{text}\" is not backend/clusters, like kafka/prod-* or */*"),
        ));
    };
    let backend = match backend {
        "*" => None,
        b => Some(Backend::from_slug(b).ok_or_else(|| {
            AppError::invalid(
                field,
                format!("\"{b}\" is not a backend: zookeeper, kafka, rabbitmq or *"),
            )
        })?),
    };
    if clusters.is_empty()
        || !clusters
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '*' | '?'))
    {
        return Err(AppError::invalid(
            field,
            format!(
                "\"{clusters}\" is not a cluster id pattern: letters, digits, '-', '_', '*' and '?'"
            ),
        ));
    }
    Ok(Scope {
        backend,
        clusters: clusters.to_string(),
    })
}

/// Refuses a scope that names no configured cluster (a typo would
/// otherwise grant nothing, silently).
pub fn check_scope_matches(
    field: &str,
    scope: &Scope,
    configured: &[ClusterRef],
) -> Result<(), AppError> {
    if configured.iter().any(|c| covers(scope, c.backend, &c.id)) {
        Ok(())
    } else {
        let known: Vec<String> = configured
            .iter()
            .map(|c| format!("{}/{}", c.backend.slug(), c.id))
            .collect();
        Err(AppError::invalid(
            field,
            format!(
                "matches no configured cluster (configured: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ),
        ))
    }
}

/// A user name: 1 to 64 of letters, digits, '.', '_', '-' and '@' (an
/// e-mail address works; nothing a log line or URL would mangle).
pub fn validate_user_name(name: &str) -> Result<(), AppError> {
    if name.is_empty() || name.len() > 64 {
        return Err(AppError::invalid("name", "must be 1 to 64 characters"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')))
    {
        return Err(AppError::invalid(
            "name",
            format!("{c:?} is not allowed: letters, digits, '.', '_', '-' and '@'"),
        ));
    }
    Ok(())
}

/// A password: at least 12 characters (length beats composition rules),
/// at most 1,024 (hashing cost stays bounded).
pub fn validate_password(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < 12 {
        return Err(AppError::invalid(
            "password",
            format!("is {n} characters; at least 12 are needed"),
        ));
    }
    if password.len() > 1_024 {
        return Err(AppError::invalid("password", "is longer than 1,024 bytes"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::invalid_parts as invalid;

    fn grant(role: Role, scope: &str) -> Grant {
        Grant {
            role,
            scope: parse_scope("scope", scope).unwrap(),
        }
    }

    #[test]
    fn groups_map_to_the_union_of_their_grants() {
        let ops = parse_grant_text("operator on kafka/*").unwrap();
        assert_eq!(ops, grant(Role::Operator, "kafka/*"));
        let table = vec![
            (
                "kafka-ops".to_string(),
                vec![ops.clone(), grant(Role::Viewer, "*/*")],
            ),
            ("readers".to_string(), vec![grant(Role::Viewer, "*/*")]),
            ("admins".to_string(), vec![grant(Role::Admin, "*/*")]),
        ];
        let groups = split_groups(" readers, kafka-ops ,,unknown");
        assert_eq!(groups, ["readers", "kafka-ops", "unknown"]);
        assert_eq!(
            grants_of_groups(&table, &groups),
            [ops, grant(Role::Viewer, "*/*")]
        );
        assert!(grants_of_groups(&table, &["nobody".into()]).is_empty());
        assert_eq!(
            invalid(parse_grant_text("operator kafka/*").unwrap_err()).0,
            "grant"
        );
        assert_eq!(
            invalid(parse_grant_text("boss on kafka/*").unwrap_err()).0,
            "role"
        );
    }

    #[test]
    fn roles_give_what_they_say_and_no_more() {
        assert!(gives(Role::Viewer, Permission::Read));
        assert!(!gives(Role::Viewer, Permission::Change));
        assert!(gives(Role::Operator, Permission::Change));
        assert!(!gives(Role::Operator, Permission::Administer));
        assert!(gives(Role::Admin, Permission::Administer));
        // Payloads are personal data: not even an admin reads them unasked.
        assert!(!gives(Role::Admin, Permission::ReadPayloads));
        assert!(gives(Role::Payloads, Permission::ReadPayloads));
        assert!(!gives(Role::Payloads, Permission::Read));
        assert!(gives(Role::Auditor, Permission::ReadAudit));
    }

    #[test]
    fn grants_apply_to_the_clusters_they_name() {
        let g = [
            grant(Role::Operator, "kafka/prod-*"),
            grant(Role::Viewer, "*/*"),
        ];
        assert!(allows(&g, Backend::Kafka, "prod-eu", Permission::Change));
        assert!(!allows(&g, Backend::Kafka, "staging", Permission::Change));
        assert!(allows(&g, Backend::Kafka, "staging", Permission::Read));
        assert!(!allows(
            &g,
            Backend::Rabbitmq,
            "prod-eu",
            Permission::Change
        ));
        assert!(allows(&g, Backend::Zookeeper, "local", Permission::Read));
        assert!(!allows(&[], Backend::Zookeeper, "local", Permission::Read));
        let one = [grant(Role::Admin, "zookeeper/zk?")];
        assert!(allows(
            &one,
            Backend::Zookeeper,
            "zk1",
            Permission::Administer
        ));
        assert!(!allows(
            &one,
            Backend::Zookeeper,
            "zk12",
            Permission::Administer
        ));
        assert_eq!(
            missing(Permission::Change, Backend::Kafka, "local"),
            "needs operator on kafka/local"
        );
    }

    #[test]
    fn scopes_are_checked_as_written() {
        assert_eq!(
            invalid(parse_scope("scope", "kafka").unwrap_err()).1,
            "\"kafka\" is not backend/clusters, like kafka/prod-* or */*"
        );
        assert!(
            invalid(parse_scope("scope", "redis/x").unwrap_err())
                .1
                .contains("zookeeper, kafka, rabbitmq or *")
        );
        assert!(
            invalid(parse_scope("scope", "kafka/a b").unwrap_err())
                .1
                .contains("not a cluster id pattern")
        );
        let configured = [ClusterRef {
            backend: Backend::Kafka,
            id: "local".into(),
            name: "Sandbox Kafka".into(),
        }];
        let typo = parse_scope("scope", "kafka/lcoal").unwrap();
        assert_eq!(
            invalid(check_scope_matches("scope", &typo, &configured).unwrap_err()).1,
            "matches no configured cluster (configured: kafka/local)"
        );
        let all = parse_scope("scope", "*/*").unwrap();
        assert!(check_scope_matches("scope", &all, &configured).is_ok());
    }

    #[test]
    fn console_objects_need_a_grant_on_everything() {
        let ops = [grant(Role::Admin, "kafka/*")];
        assert!(!allows_everywhere(&ops, Permission::Administer));
        let admin = [grant(Role::Admin, "*/*")];
        assert!(allows_everywhere(&admin, Permission::Administer));
        assert!(allows_everywhere(&admin, Permission::ReadAudit));
        assert!(!allows_everywhere(&admin, Permission::ReadPayloads));
        assert_eq!(
            parse_grant("operator", "kafka/prod-*").unwrap().to_string(),
            "operator on kafka/prod-*"
        );
        assert_eq!(
            invalid(parse_grant("root", "*/*").unwrap_err()),
            (
                "role".into(),
                "\"root\" is not a role: viewer, operator, admin, payloads, auditor".into()
            )
        );
    }

    #[test]
    fn login_returns_only_to_this_site() {
        assert_eq!(
            safe_next("/kafka/local/topics?page=2"),
            "/kafka/local/topics?page=2"
        );
        for bad in [
            "//evil.example/x",
            "https://evil.example",
            "/\\evil.example",
            "evil",
            "",
            "/login?next=/x",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad}");
        }
    }

    #[test]
    fn token_labels_and_lifetimes() {
        assert!(validate_token_label("deploy-bot").is_ok());
        assert_eq!(invalid(validate_token_label(" ").unwrap_err()).0, "label");
        assert!(validate_token_label("a\nb").is_err());
        assert_eq!(parse_token_days(" 30 ").unwrap(), 30);
        assert_eq!(
            invalid(parse_token_days("0").unwrap_err()).1,
            "\"0\" is not a number of days from 1 to 365"
        );
        assert!(parse_token_days("366").is_err());
    }

    #[test]
    fn login_errors_are_fixed_sentences() {
        assert_eq!(
            login_error_text("failed").unwrap(),
            "Login failed: the user name or password is wrong."
        );
        assert!(
            login_error_text("throttled:8")
                .unwrap()
                .contains("wait 8 s")
        );
        // A crafted link cannot make the page say something else.
        assert_eq!(login_error_text("<b>pwned</b>"), None);
        assert_eq!(login_error_text("throttled:soon"), None);
    }

    #[test]
    fn failed_logins_wait_longer_each_time() {
        let waits: Vec<u64> = (0..6).map(throttle_wait_s).collect();
        assert_eq!(waits, [0, 0, 0, 1, 2, 4]);
        assert_eq!(throttle_wait_s(1_000), 300);
    }

    #[test]
    fn names_and_passwords() {
        assert!(validate_user_name("alice.ops@example.org").is_ok());
        assert_eq!(
            invalid(validate_user_name("al ice").unwrap_err()).1,
            "' ' is not allowed: letters, digits, '.', '_', '-' and '@'"
        );
        assert!(validate_user_name("").is_err());
        assert_eq!(
            invalid(validate_password("short").unwrap_err()),
            (
                "password".into(),
                "is 5 characters; at least 12 are needed".into()
            )
        );
        assert!(validate_password("correct horse battery").is_ok());
    }
}
