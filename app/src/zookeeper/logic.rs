//! Pure ZooKeeper rules: parsing four-letter-word answers.

use super::model::SrvrInfo;

/// Marker line a member sends to `srvr`/`mntr` when it has no quorum.
pub const NOT_SERVING: &str = "not currently serving requests";

/// Parses the answer to `srvr`. A member without quorum answers with a
/// sentence instead of key/value lines; that yields `Err` with the sentence.
pub fn parse_srvr(text: &str) -> Result<SrvrInfo, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty answer to srvr".into());
    }
    if text.contains(NOT_SERVING) {
        return Err("not serving requests (no quorum)".into());
    }
    let mut info = SrvrInfo::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "Zookeeper version" => {
                // "3.8.0-${mvngit.commit.id}, built on ..." — the Debian build leaves
                // the placeholder in, so keep only the dotted number.
                let v = value.split([',', '-']).next().unwrap_or(value).trim();
                info.version = Some(v.to_string());
            }
            "Mode" => info.mode = Some(value.to_string()),
            "Zxid" => info.zxid = Some(value.to_string()),
            "Node count" => info.node_count = value.parse().ok(),
            "Connections" => info.connections = value.parse().ok(),
            "Outstanding" => info.outstanding = value.parse().ok(),
            "Latency min/avg/max" => info.latency = Some(value.to_string()),
            _ => {}
        }
    }
    if info.mode.is_none() && info.version.is_none() {
        return Err(format!("unexpected answer to srvr: {}", first_line(text)));
    }
    Ok(info)
}

fn first_line(s: &str) -> &str {
    let l = s.lines().next().unwrap_or("");
    &l[..l.len().min(120)]
}

/// Quorum needs a strict majority of voting members.
pub fn has_quorum(serving: usize, members: usize) -> bool {
    members > 0 && serving * 2 > members
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOLLOWER: &str = "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2023-01-19 18:10 UTC\n\
        Latency min/avg/max: 0/0.1/3\nReceived: 12\nSent: 11\nConnections: 2\nOutstanding: 0\n\
        Zxid: 0x100000004\nMode: follower\nNode count: 7\n";

    #[test]
    fn parses_a_follower() {
        let i = parse_srvr(FOLLOWER).unwrap();
        assert_eq!(i.version.as_deref(), Some("3.8.0"));
        assert_eq!(i.mode.as_deref(), Some("follower"));
        assert_eq!(i.zxid.as_deref(), Some("0x100000004"));
        assert_eq!(i.node_count, Some(7));
        assert_eq!(i.connections, Some(2));
        assert_eq!(i.latency.as_deref(), Some("0/0.1/3"));
    }

    #[test]
    fn a_member_without_quorum_is_an_error() {
        let e =
            parse_srvr("This ZooKeeper instance is not currently serving requests\n").unwrap_err();
        assert!(e.contains("no quorum"), "{e}");
    }

    #[test]
    fn garbage_is_an_error_quoting_it() {
        let e = parse_srvr("HTTP/1.1 400 Bad Request").unwrap_err();
        assert!(e.contains("HTTP/1.1 400"), "{e}");
        assert!(parse_srvr("  ").is_err());
    }

    #[test]
    fn quorum_is_a_strict_majority() {
        assert!(has_quorum(2, 3));
        assert!(!has_quorum(1, 3));
        assert!(!has_quorum(2, 4));
        assert!(has_quorum(1, 1));
        assert!(!has_quorum(0, 0));
    }
}
