//! Pure Kafka rules.

/// Turns `inter.broker.protocol.version` ("3.9-IV0", "3.9") into a version
/// to display ("3.9"). Kafka exposes no version string over the protocol;
/// this config follows the broker's release line.
pub fn version_from_ibp(ibp: &str) -> Option<String> {
    let v = ibp.trim().split('-').next()?.trim();
    if v.is_empty() || !v.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    Some(v.to_string())
}

/// Topics whose name starts with `__` are Kafka's own (offsets, transactions).
pub fn is_internal_topic(name: &str) -> bool {
    name.starts_with("__")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibp_versions() {
        assert_eq!(version_from_ibp("3.9-IV0").as_deref(), Some("3.9"));
        assert_eq!(version_from_ibp("2.8").as_deref(), Some("2.8"));
        assert_eq!(version_from_ibp(""), None);
        assert_eq!(version_from_ibp("abc-IV1"), None);
    }

    #[test]
    fn internal_topics() {
        assert!(is_internal_topic("__consumer_offsets"));
        assert!(!is_internal_topic("orders"));
    }
}
