//! Pure Kafka rules: topic names, config keys and value types, paging,
//! consumer-protocol assignments, offset-reset maths, message filters.

use super::model::{
    BrowseStart, ChangePreview, GroupQuery, GroupRow, GroupSort, MessageFilter, ResetRow,
    ResetTarget, TopicQuery, TopicRow, TopicSort,
};
use crate::error::AppError;
use crate::fields::{parse_count, parse_time, url_segment};

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

/// Refuses `what` (delete, grow, reconfigure) on one of Kafka's internal
/// topics unless an administrator asked for the override: their offsets and
/// transaction state are every consumer group's and producer's, and the
/// brokers' own validate-only check accepts such a change.
pub fn guard_internal(topic: &str, override_internal: bool, what: &str) -> Result<(), AppError> {
    if is_internal_topic(topic) && !override_internal {
        return Err(AppError::invalid(
            "override_internal",
            format!(
                "\"{topic}\" is one of Kafka's internal topics (its name starts with __): {what} it \
                 can break every consumer group or transaction on the cluster. An administrator may \
                 tick \"Override: change an internal topic\"; the change is then recorded as overridden"
            ),
        ));
    }
    Ok(())
}

/// The permissions a topic change needs: an internal-topic override is an
/// administrator's.
pub fn change_needs(override_internal: bool) -> &'static [crate::auth::model::Permission] {
    use crate::auth::model::Permission;
    if override_internal {
        &[Permission::Change, Permission::Administer]
    } else {
        &[Permission::Change]
    }
}

/// Rows per page of the topic and group lists (and the most a request may ask).
pub const PAGE: usize = 100;
pub const MAX_PAGE: usize = 500;
/// Most partitions a topic may be created with or grown to from zkmq.
pub const MAX_PARTITIONS: i64 = 10_000;
/// Most messages one browse returns, and scans.
pub const MAX_BROWSE: usize = 500;
pub const SCAN_BUDGET: u64 = 100_000;
pub const BROWSE_TIME_BUDGET_MS: u64 = 5_000;

// ---------------------------------------------------------------------------
// Validation

/// Kafka's topic name rules (`Topic.validate`), with a message that says
/// what is allowed.
pub fn validate_topic_name(name: &str) -> Result<(), AppError> {
    let bad = |why: String| Err(AppError::invalid("name", why));
    if name.is_empty() {
        return bad("is empty: a topic name has 1 to 249 characters".into());
    }
    if name == "." || name == ".." {
        return bad(format!("\"{name}\" is not allowed as a topic name"));
    }
    if name.chars().count() > 249 {
        return bad(format!(
            "is {} characters long; at most 249 are allowed",
            name.chars().count()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return bad(format!(
            "contains {c:?}; only ASCII letters, digits, '.', '_' and '-' are allowed"
        ));
    }
    Ok(())
}

/// The replication factor, checked against the brokers there are.
pub fn parse_replication(text: &str, brokers: usize) -> Result<i64, AppError> {
    let n = parse_count("replication", text, 1, i16::MAX as i64)?;
    if n as usize > brokers {
        return Err(AppError::invalid(
            "replication",
            format!(
                "replication factor {n} larger than the {brokers} available broker{}",
                if brokers == 1 { "" } else { "s" }
            ),
        ));
    }
    Ok(n)
}

/// What a topic config value must look like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ConfigType {
    /// A 64-bit integer of at least this.
    Long(i64),
    /// A 32-bit integer of at least this.
    Int(i64),
    Bool,
    /// A number in the range.
    Double(f64, f64),
    /// One of these words.
    Enum(&'static [&'static str]),
    /// A comma-separated list of these words.
    List(&'static [&'static str]),
    /// Free text (replica lists, format versions).
    Text,
}

/// Topic-level configs of Kafka 3.9 and their types.
pub const TOPIC_CONFIGS: &[(&str, ConfigType)] = &[
    ("cleanup.policy", ConfigType::List(&["delete", "compact"])),
    ("compression.gzip.level", ConfigType::Int(-1)),
    ("compression.lz4.level", ConfigType::Int(1)),
    (
        "compression.type",
        ConfigType::Enum(&["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
    ),
    ("compression.zstd.level", ConfigType::Int(-131_072)),
    ("delete.retention.ms", ConfigType::Long(0)),
    ("file.delete.delay.ms", ConfigType::Long(0)),
    ("flush.messages", ConfigType::Long(1)),
    ("flush.ms", ConfigType::Long(0)),
    ("follower.replication.throttled.replicas", ConfigType::Text),
    ("index.interval.bytes", ConfigType::Int(0)),
    ("leader.replication.throttled.replicas", ConfigType::Text),
    ("local.retention.bytes", ConfigType::Long(-2)),
    ("local.retention.ms", ConfigType::Long(-2)),
    ("max.compaction.lag.ms", ConfigType::Long(1)),
    ("max.message.bytes", ConfigType::Int(0)),
    ("message.downconversion.enable", ConfigType::Bool),
    ("message.format.version", ConfigType::Text),
    ("message.timestamp.after.max.ms", ConfigType::Long(0)),
    ("message.timestamp.before.max.ms", ConfigType::Long(0)),
    ("message.timestamp.difference.max.ms", ConfigType::Long(0)),
    (
        "message.timestamp.type",
        ConfigType::Enum(&["CreateTime", "LogAppendTime"]),
    ),
    ("min.cleanable.dirty.ratio", ConfigType::Double(0.0, 1.0)),
    ("min.compaction.lag.ms", ConfigType::Long(0)),
    ("min.insync.replicas", ConfigType::Int(1)),
    ("preallocate", ConfigType::Bool),
    ("remote.log.copy.disable", ConfigType::Bool),
    ("remote.log.delete.on.disable", ConfigType::Bool),
    ("remote.storage.enable", ConfigType::Bool),
    ("retention.bytes", ConfigType::Long(-1)),
    ("retention.ms", ConfigType::Long(-1)),
    ("segment.bytes", ConfigType::Int(14)),
    ("segment.index.bytes", ConfigType::Int(4)),
    ("segment.jitter.ms", ConfigType::Long(0)),
    ("segment.ms", ConfigType::Long(1)),
    ("unclean.leader.election.enable", ConfigType::Bool),
];

/// Checks that `key` is a topic config zkmq knows; returns its type.
pub fn validate_config_key(field: &str, key: &str) -> Result<&'static ConfigType, AppError> {
    let Some((_, ty)) = TOPIC_CONFIGS.iter().find(|(k, _)| *k == key) else {
        let near: Vec<&str> = TOPIC_CONFIGS
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| k.split('.').next() == key.split('.').next())
            .collect();
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!(" (did you mean {}?)", near.join(", "))
        };
        return Err(AppError::invalid(
            field,
            format!("\"{key}\" is not a topic config{hint}"),
        ));
    };
    Ok(ty)
}

/// Checks one topic config: a known key and a value of its type.
pub fn validate_topic_config(field: &str, key: &str, value: &str) -> Result<(), AppError> {
    let ty = validate_config_key(field, key)?;
    let v = value.trim();
    let bad = |what: String| Err(AppError::invalid(field, format!("{key}: \"{v}\" {what}")));
    match *ty {
        ConfigType::Long(min) | ConfigType::Int(min) => {
            let max = if matches!(ty, ConfigType::Int(_)) {
                i32::MAX as i64
            } else {
                i64::MAX
            };
            match v.parse::<i64>() {
                Ok(n) if n >= min && n <= max => Ok(()),
                Ok(_) => bad(format!("is out of range: {min} to {max}")),
                Err(_) => bad("is not a whole number".into()),
            }
        }
        ConfigType::Bool => match v {
            "true" | "false" => Ok(()),
            _ => bad("must be true or false".into()),
        },
        ConfigType::Double(lo, hi) => match v.parse::<f64>() {
            Ok(x) if x >= lo && x <= hi => Ok(()),
            _ => bad(format!("must be a number from {lo} to {hi}")),
        },
        ConfigType::Enum(words) => {
            if words.contains(&v) {
                Ok(())
            } else {
                bad(format!("must be one of {}", words.join(", ")))
            }
        }
        ConfigType::List(words) => {
            if !v.is_empty() && v.split(',').all(|w| words.contains(&w.trim())) {
                Ok(())
            } else {
                bad(format!(
                    "must be a comma-separated list of {}",
                    words.join(", ")
                ))
            }
        }
        ConfigType::Text => Ok(()),
    }
}

/// `key=value` lines (blank lines and `#` comments skipped), each validated.
pub fn parse_config_lines(field: &str, text: &str) -> Result<Vec<(String, String)>, AppError> {
    let lines = crate::fields::key_value_lines(field, text)?;
    for (k, v) in &lines {
        validate_topic_config(field, k, v)?;
    }
    Ok(lines)
}

// ---------------------------------------------------------------------------
// Lists

/// Filters by name substring (case-insensitive) and `keep`, sorts by `key`
/// then name (reversed when `descending`), and cuts one page. Returns the
/// number that matched and the page.
#[allow(clippy::too_many_arguments)] // one list request's knobs, passed through as they come
fn page_by<T: Clone>(
    rows: &[T],
    name: impl Fn(&T) -> &str,
    filter: &str,
    keep: impl Fn(&T) -> bool,
    key: impl Fn(&T, &T) -> std::cmp::Ordering,
    descending: bool,
    offset: usize,
    limit: usize,
) -> (usize, Vec<T>) {
    let needle = filter.to_lowercase();
    let mut hits: Vec<&T> = rows
        .iter()
        .filter(|r| keep(r))
        .filter(|r| needle.is_empty() || name(r).to_lowercase().contains(&needle))
        .collect();
    hits.sort_by(|a, b| key(a, b).then_with(|| name(a).cmp(name(b))));
    if descending {
        hits.reverse();
    }
    let matched = hits.len();
    let page = hits
        .into_iter()
        .skip(offset)
        .take(limit.clamp(1, MAX_PAGE))
        .cloned()
        .collect();
    (matched, page)
}

/// Filters, sorts and pages the topic list (rows without message counts).
pub fn page_topics(rows: &[TopicRow], q: &TopicQuery) -> (usize, Vec<TopicRow>) {
    page_by(
        rows,
        |r| &r.name,
        &q.filter,
        |r| q.include_internal || !r.internal,
        |a, b| match q.sort {
            TopicSort::Name => std::cmp::Ordering::Equal,
            TopicSort::Partitions => a.partitions.cmp(&b.partitions),
            TopicSort::Replication => a.replication.cmp(&b.replication),
            TopicSort::UnderReplicated => a.under_replicated.cmp(&b.under_replicated),
        },
        q.descending,
        q.offset,
        q.limit,
    )
}

pub fn page_groups(rows: &[GroupRow], q: &GroupQuery) -> (usize, Vec<GroupRow>) {
    page_by(
        rows,
        |r| &r.name,
        &q.filter,
        |_| true,
        |a, b| match q.sort {
            GroupSort::Name => std::cmp::Ordering::Equal,
            GroupSort::State => a.state.cmp(&b.state),
            GroupSort::Members => a.members.cmp(&b.members),
        },
        q.descending,
        q.offset,
        q.limit,
    )
}

// ---------------------------------------------------------------------------
// Consumer groups

/// Parses a member assignment of the `consumer` protocol (ConsumerProtocol
/// Assignment: version, [topic, [partition]], user data) into topic/partition
/// pairs. `None` when the bytes are not that format.
pub fn parse_assignment(bytes: &[u8]) -> Option<Vec<(String, i32)>> {
    let mut r = Reader(bytes);
    let _version = r.i16()?;
    let topics = r.i32()?;
    let mut out = Vec::new();
    for _ in 0..topics.max(0) {
        let len = r.i16()?;
        let name = String::from_utf8(r.take(len.max(0) as usize)?.to_vec()).ok()?;
        let n = r.i32()?;
        for _ in 0..n.max(0) {
            out.push((name.clone(), r.i32()?));
        }
    }
    Some(out)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn i16(&mut self) -> Option<i16> {
        Some(i16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }
    fn i32(&mut self) -> Option<i32> {
        Some(i32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }
}

/// Lag of one partition: end − committed, never negative; unknown without both.
pub fn lag(committed: Option<i64>, end: Option<i64>) -> Option<i64> {
    Some((end? - committed?).max(0))
}

/// Only an empty (or dead) group may have its offsets moved: a live member
/// would overwrite them at its next commit.
pub fn check_resettable(group: &str, state: &str, members: usize) -> Result<(), AppError> {
    if members > 0 || !matches!(state, "Empty" | "Dead") {
        return Err(AppError::Conflict(format!(
            "group \"{group}\" is {state} with {members} member{}: stop its consumers first, then reset (a running consumer would commit over the new offsets)",
            if members == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

/// The new offset of one partition for a reset target. `by_time` is the
/// broker's answer for a timestamp (`None`: no message at or after it, so
/// the end). Results stay within `low..=high`.
pub fn reset_offset(target: &ResetTarget, low: i64, high: i64, by_time: Option<i64>) -> i64 {
    match target {
        ResetTarget::Earliest => low,
        ResetTarget::Latest => high,
        ResetTarget::Timestamp(_) => by_time.unwrap_or(high).clamp(low, high),
        ResetTarget::Offset(o) => (*o).clamp(low, high),
    }
}

/// The rows of an offset reset: per partition (`parts`, as topic and id) its
/// committed offset (`committed`: topic, partition, offset) and the new one
/// from its watermarks (`low`, `high`) and, for a time, the broker's offset
/// for it (`by_time`). Sorted by topic and partition. A partition whose
/// watermarks the brokers did not give (its leader is down) refuses the
/// whole reset: any offset written for it would be a guess.
pub fn reset_rows(
    target: &ResetTarget,
    parts: Vec<(String, i32)>,
    committed: &[(String, i32, i64)],
    watermarks: &std::collections::HashMap<(String, i32), (i64, i64)>,
    by_time: Option<&std::collections::HashMap<(String, i32), Option<i64>>>,
) -> Result<Vec<ResetRow>, AppError> {
    let mut unknown: Vec<String> = parts
        .iter()
        .filter(|k| !watermarks.contains_key(k))
        .map(|(t, p)| format!("{t}-{p}"))
        .collect();
    if !unknown.is_empty() {
        unknown.sort();
        let n = unknown.len();
        let shown = unknown
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        return Err(AppError::Conflict(format!(
            "the brokers gave no watermarks for {n} partition{} ({shown}{}): their leader may be down. \
             Nothing was reset; try again when every partition has a leader",
            if n == 1 { "" } else { "s" },
            if n > 10 { ", …" } else { "" }
        )));
    }
    let mut rows: Vec<ResetRow> = parts
        .into_iter()
        .map(|(t, p)| {
            let key = (t, p);
            let (low, high) = watermarks[&key];
            let at = by_time.and_then(|m| m.get(&key).copied().flatten());
            let (topic, partition) = key;
            ResetRow {
                current: committed
                    .iter()
                    .find(|(ct, cp, _)| *ct == topic && *cp == partition)
                    .map(|x| x.2),
                new: reset_offset(target, low, high, at),
                topic,
                partition,
            }
        })
        .collect();
    rows.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    Ok(rows)
}

/// Where a browse of a partition with watermarks `low..high` starts: an
/// offset (clamped), the newest `n` (at least one), or a time (`by_time`: the
/// broker's first offset at or after it; none means the end).
pub fn browse_start(start: &BrowseStart, low: i64, high: i64, by_time: Option<i64>) -> i64 {
    match start {
        BrowseStart::Offset(o) => (*o).clamp(low, high),
        BrowseStart::Newest(n) => (high - (*n).max(1)).max(low),
        BrowseStart::Timestamp(_) => by_time.unwrap_or(high).clamp(low, high),
    }
}

// ---------------------------------------------------------------------------
// Message filters

/// Looks up a dotted path ("order.id", "items.0.sku") in a JSON value and
/// compares it with `expected`: as JSON if `expected` parses, else as text.
pub fn json_field_equals(value: &[u8], field: &str, expected: &str) -> bool {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(value) else {
        return false;
    };
    let mut cur = &v;
    for seg in field.split('.').filter(|s| !s.is_empty()) {
        let next = match cur {
            serde_json::Value::Object(m) => m.get(seg),
            serde_json::Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return false,
        }
    }
    match serde_json::from_str::<serde_json::Value>(expected.trim()) {
        Ok(e) if e == *cur => true,
        _ => cur.as_str() == Some(expected) || *cur == expected.trim(),
    }
}

/// Substring in the key or the value, read as (lossy) text.
pub fn contains_text(key: Option<&[u8]>, value: Option<&[u8]>, needle: &str) -> bool {
    [key, value]
        .into_iter()
        .flatten()
        .any(|b| String::from_utf8_lossy(b).contains(needle))
}

// ---------------------------------------------------------------------------
// Links

pub fn topics_href(cluster: &str) -> String {
    format!("/kafka/{}/topics", url_segment(cluster))
}

pub fn topic_href(cluster: &str, topic: &str) -> String {
    format!(
        "/kafka/{}/topics/{}",
        url_segment(cluster),
        url_segment(topic)
    )
}

pub fn groups_href(cluster: &str) -> String {
    format!("/kafka/{}/groups", url_segment(cluster))
}

/// Group names may hold any character: the segment is percent-encoded.
pub fn group_href(cluster: &str, group: &str) -> String {
    format!(
        "/kafka/{}/groups/{}",
        url_segment(cluster),
        url_segment(group)
    )
}

// ---------------------------------------------------------------------------
// Form values

/// The reset form's "to" choice and value.
pub fn parse_reset_target(to: &str, value: &str) -> Result<ResetTarget, AppError> {
    match to {
        "earliest" => Ok(ResetTarget::Earliest),
        "latest" => Ok(ResetTarget::Latest),
        "timestamp" => Ok(ResetTarget::Timestamp(parse_time("value", value)?)),
        "offset" => Ok(ResetTarget::Offset(parse_count(
            "value",
            value,
            0,
            i64::MAX,
        )?)),
        other => Err(AppError::invalid(
            "to",
            format!("\"{other}\" is not a reset target: earliest, latest, timestamp or offset"),
        )),
    }
}

/// The browse form's "from" choice and value.
pub fn parse_browse_start(from: &str, value: &str) -> Result<BrowseStart, AppError> {
    match from {
        "offset" => Ok(BrowseStart::Offset(parse_count(
            "value",
            value,
            0,
            i64::MAX,
        )?)),
        "timestamp" => Ok(BrowseStart::Timestamp(parse_time("value", value)?)),
        "newest" => Ok(BrowseStart::Newest(parse_count(
            "value",
            value,
            1,
            MAX_BROWSE as i64,
        )?)),
        other => Err(AppError::invalid(
            "from",
            format!("\"{other}\" is not a start: offset, timestamp or newest"),
        )),
    }
}

/// The browse form's filter choice.
pub fn parse_filter(kind: &str, text: &str, field: &str) -> Result<MessageFilter, AppError> {
    match kind {
        "" | "none" => Ok(MessageFilter::None),
        "substring" => Ok(MessageFilter::Substring {
            text: text.to_string(),
        }),
        "regex" => Ok(MessageFilter::Regex {
            pattern: text.to_string(),
        }),
        "json" => Ok(MessageFilter::JsonField {
            field: field.to_string(),
            value: text.to_string(),
        }),
        other => Err(AppError::invalid(
            "filter",
            format!("\"{other}\" is not a filter: none, substring, regex or json"),
        )),
    }
}

// ---------------------------------------------------------------------------
// Topic config changes

/// A topic's overrides: key and value (`None`: sensitive, not readable).
pub type Overrides = [(String, Option<String>)];

/// A planned config change: every override to write (AlterConfigs replaces
/// them all) and what changes, for the preview.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigPlan {
    pub write: Vec<(String, String)>,
    pub preview: ChangePreview,
}

/// Config entries to set (key, value) and keys to remove.
pub type ConfigEdits = (Vec<(String, String)>, Vec<String>);

/// The `set` (key=value lines) and `remove` (a key per line) fields of a
/// config change, checked: known keys and values of their types, and not
/// both empty.
pub fn parse_config_change(set: &str, remove: &str) -> Result<ConfigEdits, AppError> {
    let set = parse_config_lines("set", set)?;
    let remove: Vec<String> = remove
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    for key in &remove {
        validate_config_key("remove", key)?;
    }
    if set.is_empty() && remove.is_empty() {
        return Err(AppError::invalid(
            "set",
            "nothing to change: give key=value lines to set or keys to remove",
        ));
    }
    Ok((set, remove))
}

/// Plans a config change against the overrides `before`: the full list of
/// overrides to write (AlterConfigs replaces them all) and the preview of
/// what changes. Refuses when a sensitive override would be lost (it cannot
/// be read back, so writing the others would drop it) or a key to remove is
/// not overridden.
pub fn plan_config_change(
    topic: &str,
    before: &Overrides,
    set: &[(String, String)],
    remove: &[String],
) -> Result<ConfigPlan, AppError> {
    if let Some((name, _)) = before.iter().find(|(_, v)| v.is_none()) {
        return Err(AppError::Conflict(format!(
            "topic \"{topic}\" has a sensitive override ({name}) that zkmq cannot read back; change its configs with kafka-configs instead"
        )));
    }
    let current = |key: &str| {
        before
            .iter()
            .find(|(b, _)| b == key)
            .and_then(|(_, v)| v.clone())
    };
    for key in remove {
        if !before.iter().any(|(k, _)| k == key) {
            return Err(AppError::invalid(
                "remove",
                format!("{key} is not overridden on topic \"{topic}\""),
            ));
        }
    }
    let mut after: Vec<(String, String)> = before
        .iter()
        .filter(|(k, _)| !remove.contains(k) && !set.iter().any(|(s, _)| s == k))
        .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
        .collect();
    after.extend(set.iter().cloned());
    after.sort();
    let config_changes = set
        .iter()
        .map(|(key, v)| (key.clone(), current(key), Some(v.clone())))
        .chain(remove.iter().map(|key| (key.clone(), current(key), None)))
        .collect();
    let preview = ChangePreview {
        summary: vec![format!(
            "topic \"{topic}\": set {}, remove {}",
            set.len(),
            remove.len()
        )],
        config_changes,
    };
    Ok(ConfigPlan {
        write: after,
        preview,
    })
}

#[cfg(test)]
mod tests;
