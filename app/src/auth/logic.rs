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
