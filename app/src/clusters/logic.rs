//! Pure helpers for presenting cluster status.

use super::model::{ClusterRef, ClusterStatus, Reachability};
use crate::error::Backend;

/// Whether `id` is one of `all`'s clusters of `backend`.
pub fn is_configured(all: &[ClusterRef], backend: Backend, id: &str) -> bool {
    all.iter().any(|c| c.backend == backend && c.id == id)
}

/// Clusters grouped in the fixed backend order, as the picker and Overview list them.
pub fn group_by_backend(clusters: &[ClusterRef]) -> Vec<(Backend, Vec<ClusterRef>)> {
    Backend::ALL
        .into_iter()
        .map(|b| {
            (
                b,
                clusters
                    .iter()
                    .filter(|c| c.backend == b)
                    .cloned()
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

/// "12.3 ms" / "0.41 ms" / "—": enough precision to compare, no false precision.
pub fn format_latency(ms: Option<f64>) -> String {
    match ms {
        None => "—".to_string(),
        Some(v) if v < 1.0 => format!("{v:.2} ms"),
        Some(v) if v < 100.0 => format!("{v:.1} ms"),
        Some(v) => format!("{v:.0} ms"),
    }
}

/// A failed probe: why, in the `AppError`'s words (which name the cluster).
pub fn unreachable_status(
    cluster: ClusterRef,
    detail: String,
    checked_at: String,
) -> ClusterStatus {
    ClusterStatus {
        cluster,
        reachability: Reachability::Unreachable,
        version: None,
        latency_ms: None,
        detail,
        checked_at,
    }
}

/// A placeholder status for a cluster that has not been probed yet.
pub fn unknown_status(cluster: ClusterRef) -> ClusterStatus {
    ClusterStatus {
        reachability: Reachability::Unknown,
        ..unreachable_status(cluster, "not checked yet".into(), String::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(b: Backend, id: &str) -> ClusterRef {
        ClusterRef {
            backend: b,
            id: id.into(),
            name: id.into(),
        }
    }

    #[test]
    fn groups_in_backend_order_and_drops_empty_groups() {
        let g = group_by_backend(&[
            r(Backend::Rabbitmq, "r"),
            r(Backend::Zookeeper, "z1"),
            r(Backend::Zookeeper, "z2"),
        ]);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].0, Backend::Zookeeper);
        assert_eq!(
            g[0].1.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["z1", "z2"]
        );
        assert_eq!(g[1].0, Backend::Rabbitmq);
    }

    #[test]
    fn latency_formatting_scales_precision() {
        assert_eq!(format_latency(None), "—");
        assert_eq!(format_latency(Some(0.4123)), "0.41 ms");
        assert_eq!(format_latency(Some(12.34)), "12.3 ms");
        assert_eq!(format_latency(Some(1234.0)), "1234 ms");
    }
}
