//! Pure RabbitMQ rules: reading the management API's documents, validating
//! names, queue arguments and policy definitions, turning its errors into
//! sentences, and planning a definitions import.

use super::model::{
    BindingRow, BrokerOverview, DefinitionAction, DefinitionItem, ExchangeRow, Listener, NodeInfo,
    PolicyRow, QueueRow, Rates,
};
use crate::error::AppError;
use serde_json::{Map, Value};

/// Reads `/api/overview`.
/// Refuses a tap of the default exchange (also named `amq.default`): it
/// cannot be bound, RabbitMQ delivers it only to the queue its routing key names.
pub fn check_tap_exchange(exchange: &str) -> Result<(), AppError> {
    if exchange.is_empty() || exchange == "amq.default" {
        return Err(AppError::invalid(
            "exchange",
            "the default exchange cannot be bound (RabbitMQ delivers it only to the queue its \
             routing key names): tap a named exchange, or open the queue's live view",
        ));
    }
    Ok(())
}

pub fn parse_overview(v: &Value) -> BrokerOverview {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let n = |a: &str, b: &str| {
        v.get(a)
            .and_then(|o| o.get(b))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    BrokerOverview {
        version: s("rabbitmq_version"),
        erlang_version: s("erlang_version"),
        cluster_name: s("cluster_name"),
        node: s("node"),
        queues: n("object_totals", "queues"),
        exchanges: n("object_totals", "exchanges"),
        connections: n("object_totals", "connections"),
        channels: n("object_totals", "channels"),
        consumers: n("object_totals", "consumers"),
        messages_ready: n("queue_totals", "messages_ready"),
        messages_unacknowledged: n("queue_totals", "messages_unacknowledged"),
    }
}

fn s(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

fn u(v: &Value, k: &str) -> u64 {
    v.get(k).and_then(Value::as_u64).unwrap_or(0)
}

fn b(v: &Value, k: &str) -> bool {
    v.get(k).and_then(Value::as_bool).unwrap_or(false)
}

fn rate(v: &Value, stat: &str) -> Option<f64> {
    v.get("message_stats")?
        .get(format!("{stat}_details"))?
        .get("rate")?
        .as_f64()
}

/// Compact JSON text of an object field ("{}" when absent).
fn json_text(v: &Value, k: &str) -> String {
    v.get(k)
        .map(Value::to_string)
        .unwrap_or_else(|| "{}".into())
}

pub fn parse_rates(overview: &Value) -> Rates {
    Rates {
        publish: rate(overview, "publish").unwrap_or(0.0),
        deliver: rate(overview, "deliver_get").unwrap_or(0.0),
        ack: rate(overview, "ack").unwrap_or(0.0),
    }
}

pub fn parse_listeners(overview: &Value) -> Vec<Listener> {
    overview
        .get("listeners")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|l| Listener {
                    protocol: s(l, "protocol"),
                    ip: s(l, "ip_address"),
                    port: u(l, "port"),
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn parse_node(n: &Value) -> NodeInfo {
    let mut alarms = Vec::new();
    if b(n, "mem_alarm") {
        alarms.push("memory".to_string());
    }
    if b(n, "disk_free_alarm") {
        alarms.push("disk".to_string());
    }
    NodeInfo {
        name: s(n, "name"),
        running: b(n, "running"),
        mem_used: u(n, "mem_used"),
        mem_limit: u(n, "mem_limit"),
        disk_free: u(n, "disk_free"),
        fd_used: u(n, "fd_used"),
        uptime_ms: u(n, "uptime"),
        alarms,
    }
}

pub fn parse_exchange(e: &Value) -> ExchangeRow {
    ExchangeRow {
        vhost: s(e, "vhost"),
        name: s(e, "name"),
        kind: s(e, "type"),
        durable: b(e, "durable"),
        auto_delete: b(e, "auto_delete"),
        internal: b(e, "internal"),
        arguments: json_text(e, "arguments"),
    }
}

pub fn parse_queue(q: &Value) -> QueueRow {
    QueueRow {
        vhost: s(q, "vhost"),
        name: s(q, "name"),
        kind: q
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("classic")
            .to_string(),
        state: q
            .get("state")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string(),
        ready: u(q, "messages_ready"),
        unacked: u(q, "messages_unacknowledged"),
        consumers: u(q, "consumers"),
        publish_rate: rate(q, "publish"),
        deliver_rate: rate(q, "deliver_get"),
        policy: q.get("policy").and_then(Value::as_str).map(str::to_string),
    }
}

pub fn parse_binding(v: &Value) -> BindingRow {
    BindingRow {
        vhost: s(v, "vhost"),
        source: s(v, "source"),
        destination: s(v, "destination"),
        destination_type: s(v, "destination_type"),
        routing_key: s(v, "routing_key"),
        arguments: json_text(v, "arguments"),
        properties_key: s(v, "properties_key"),
    }
}

pub fn parse_policy(p: &Value, operator: bool) -> PolicyRow {
    PolicyRow {
        vhost: s(p, "vhost"),
        name: s(p, "name"),
        pattern: s(p, "pattern"),
        apply_to: s(p, "apply-to"),
        priority: p.get("priority").and_then(Value::as_i64).unwrap_or(0),
        definition: json_text(p, "definition"),
        operator,
    }
}

// ---------------------------------------------------------------------------
// Validation

/// Names of queues and exchanges: up to 255 bytes of UTF-8, not starting
/// with "amq." (reserved by the broker).
pub fn validate_name(field: &str, name: &str) -> Result<(), AppError> {
    if name.trim().is_empty() {
        return Err(AppError::invalid(field, "is empty"));
    }
    if name.len() > 255 {
        return Err(AppError::invalid(
            field,
            format!("is {} bytes long; at most 255 are allowed", name.len()),
        ));
    }
    if name.starts_with("amq.") {
        return Err(AppError::invalid(
            field,
            "names starting with \"amq.\" are reserved by RabbitMQ",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::invalid(field, "contains a control character"));
    }
    Ok(())
}

pub const EXCHANGE_TYPES: &[&str] = &["direct", "fanout", "topic", "headers"];

pub fn validate_exchange_type(kind: &str) -> Result<(), AppError> {
    if EXCHANGE_TYPES.contains(&kind) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "type",
            format!(
                "\"{kind}\" is not an exchange type: {}",
                EXCHANGE_TYPES.join(", ")
            ),
        ))
    }
}

/// What a queue argument or policy key must look like.
#[derive(Debug, Clone, Copy)]
enum ArgType {
    /// A whole number in the range.
    Int(i64, i64),
    Text,
    Bool,
    OneOf(&'static [&'static str]),
    /// A stream age like "7D", "12h", "30m", "10s".
    Age,
}

const QUEUE_ARGS: &[(&str, ArgType)] = &[
    ("x-message-ttl", ArgType::Int(0, u32::MAX as i64)),
    ("x-expires", ArgType::Int(1, u32::MAX as i64)),
    ("x-max-length", ArgType::Int(0, i64::MAX)),
    ("x-max-length-bytes", ArgType::Int(0, i64::MAX)),
    (
        "x-overflow",
        ArgType::OneOf(&["drop-head", "reject-publish", "reject-publish-dlx"]),
    ),
    ("x-dead-letter-exchange", ArgType::Text),
    ("x-dead-letter-routing-key", ArgType::Text),
    (
        "x-dead-letter-strategy",
        ArgType::OneOf(&["at-most-once", "at-least-once"]),
    ),
    (
        "x-queue-type",
        ArgType::OneOf(&["classic", "quorum", "stream"]),
    ),
    ("x-max-priority", ArgType::Int(1, 255)),
    ("x-queue-mode", ArgType::OneOf(&["default", "lazy"])),
    ("x-single-active-consumer", ArgType::Bool),
    ("x-delivery-limit", ArgType::Int(0, i64::MAX)),
    ("x-quorum-initial-group-size", ArgType::Int(1, 255)),
    (
        "x-queue-leader-locator",
        ArgType::OneOf(&["client-local", "balanced"]),
    ),
    ("x-max-age", ArgType::Age),
    ("x-stream-max-segment-size-bytes", ArgType::Int(1, i64::MAX)),
];

const POLICY_KEYS: &[(&str, ArgType)] = &[
    ("message-ttl", ArgType::Int(0, u32::MAX as i64)),
    ("expires", ArgType::Int(1, u32::MAX as i64)),
    ("max-length", ArgType::Int(0, i64::MAX)),
    ("max-length-bytes", ArgType::Int(0, i64::MAX)),
    (
        "overflow",
        ArgType::OneOf(&["drop-head", "reject-publish", "reject-publish-dlx"]),
    ),
    ("dead-letter-exchange", ArgType::Text),
    ("dead-letter-routing-key", ArgType::Text),
    (
        "dead-letter-strategy",
        ArgType::OneOf(&["at-most-once", "at-least-once"]),
    ),
    ("queue-mode", ArgType::OneOf(&["default", "lazy"])),
    ("delivery-limit", ArgType::Int(0, i64::MAX)),
    ("max-age", ArgType::Age),
    ("stream-max-segment-size-bytes", ArgType::Int(1, i64::MAX)),
    (
        "queue-leader-locator",
        ArgType::OneOf(&["client-local", "balanced"]),
    ),
    ("ha-mode", ArgType::OneOf(&["all", "exactly", "nodes"])),
    ("ha-params", ArgType::Text),
    ("ha-sync-mode", ArgType::OneOf(&["manual", "automatic"])),
    (
        "ha-promote-on-shutdown",
        ArgType::OneOf(&["when-synced", "always"]),
    ),
    (
        "ha-promote-on-failure",
        ArgType::OneOf(&["when-synced", "always"]),
    ),
    ("alternate-exchange", ArgType::Text),
    ("federation-upstream", ArgType::Text),
    ("federation-upstream-set", ArgType::Text),
];

/// Checks `value` (typed as text) against `ty`, returning it as JSON of the
/// right type.
fn typed(field: &str, key: &str, value: &str, ty: ArgType) -> Result<Value, AppError> {
    let v = value.trim();
    let bad = |what: String| Err(AppError::invalid(field, format!("{key}: \"{v}\" {what}")));
    match ty {
        ArgType::Int(lo, hi) => match v.parse::<i64>() {
            Ok(n) if n >= lo && n <= hi => Ok(Value::from(n)),
            Ok(_) => bad(format!("is out of range: {lo} to {hi}")),
            Err(_) => bad("is not a whole number".into()),
        },
        ArgType::Bool => match v {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => bad("must be true or false".into()),
        },
        ArgType::OneOf(words) => {
            if words.contains(&v) {
                Ok(Value::from(v))
            } else {
                bad(format!("must be one of {}", words.join(", ")))
            }
        }
        ArgType::Age => {
            let (num, unit) = v.split_at(v.len().saturating_sub(1));
            if !num.is_empty()
                && num.chars().all(|c| c.is_ascii_digit())
                && matches!(unit, "Y" | "M" | "D" | "h" | "m" | "s")
            {
                Ok(Value::from(v))
            } else {
                bad("must be a number and a unit: Y, M, D, h, m or s (e.g. 7D)".into())
            }
        }
        ArgType::Text => Ok(Value::from(v)),
    }
}

fn parse_lines(
    field: &str,
    text: &str,
    known: &[(&str, ArgType)],
    what: &str,
) -> Result<Map<String, Value>, AppError> {
    let mut out = Map::new();
    for (k, v) in crate::fields::key_value_lines(field, text)? {
        let Some((_, ty)) = known.iter().find(|(name, _)| *name == k) else {
            let names: Vec<&str> = known.iter().map(|(n, _)| *n).collect();
            return Err(AppError::invalid(
                field,
                format!("\"{k}\" is not {what}; known: {}", names.join(", ")),
            ));
        };
        let value = typed(field, &k, &v, *ty)?;
        out.insert(k, value);
    }
    Ok(out)
}

/// What an exchange of a built-in type may be declared with (the management
/// UI offers the same one; plugin types are not offered by zkmq).
const EXCHANGE_ARGS: &[(&str, ArgType)] = &[("alternate-exchange", ArgType::Text)];

/// Exchange arguments, `key=value` per line.
pub fn parse_exchange_args(text: &str) -> Result<Map<String, Value>, AppError> {
    parse_lines("arguments", text, EXCHANGE_ARGS, "an exchange argument")
}

/// Binding arguments, `key=value` per line: free header matches for a
/// headers exchange, with `x-match` checked because the broker silently
/// treats a misspelt one as "all".
pub fn parse_binding_args(text: &str) -> Result<Map<String, Value>, AppError> {
    let mut out = Map::new();
    for (k, v) in crate::fields::key_value_lines("arguments", text)? {
        let value = if k == "x-match" {
            typed(
                "arguments",
                &k,
                &v,
                ArgType::OneOf(&["all", "any", "all-with-x", "any-with-x"]),
            )?
        } else {
            Value::from(v)
        };
        out.insert(k, value);
    }
    Ok(out)
}

/// How audit rows and import plans name an object of a vhost: the vhost as
/// zkmq's URLs and the management API write it, then the name — so the
/// default vhost's queue q1 reads "%2F/q1" rather than "//q1", and the
/// default exchange has a name.
pub fn vhost_object(vhost: &str, name: &str) -> String {
    let name = if name.is_empty() {
        "(default exchange)"
    } else {
        name
    };
    format!("{}/{name}", crate::fields::url_segment(vhost))
}

/// Queue arguments, `x-…=value` per line, typed as RabbitMQ expects them.
pub fn parse_queue_args(text: &str) -> Result<Map<String, Value>, AppError> {
    let args = parse_lines("arguments", text, QUEUE_ARGS, "a queue argument")?;
    let kind = args
        .get("x-queue-type")
        .and_then(Value::as_str)
        .unwrap_or("classic");
    if kind != "classic" {
        for only_classic in ["x-max-priority", "x-queue-mode"] {
            if args.contains_key(only_classic) {
                return Err(AppError::invalid(
                    "arguments",
                    format!("{only_classic} applies to classic queues only, not {kind}"),
                ));
            }
        }
    }
    Ok(args)
}

/// What an operator policy may set (measured on the sandbox broker: the
/// management API refuses any other key with an Erlang term).
const OPERATOR_POLICY_KEYS: &[(&str, ArgType)] = &[
    ("expires", ArgType::Int(1, u32::MAX as i64)),
    ("message-ttl", ArgType::Int(0, u32::MAX as i64)),
    ("max-length", ArgType::Int(0, i64::MAX)),
    ("max-length-bytes", ArgType::Int(0, i64::MAX)),
    ("max-in-memory-length", ArgType::Int(0, i64::MAX)),
    ("max-in-memory-bytes", ArgType::Int(0, i64::MAX)),
    ("delivery-limit", ArgType::Int(0, i64::MAX)),
];

/// A policy definition, `key=value` per line; an operator policy accepts
/// fewer keys than a user policy.
pub fn parse_policy_definition(text: &str, operator: bool) -> Result<Map<String, Value>, AppError> {
    let def = if operator {
        parse_lines(
            "definition",
            text,
            OPERATOR_POLICY_KEYS,
            "an operator policy key",
        )?
    } else {
        parse_lines("definition", text, POLICY_KEYS, "a policy key")?
    };
    if def.is_empty() {
        return Err(AppError::invalid(
            "definition",
            "is empty: give at least one key=value",
        ));
    }
    Ok(def)
}

pub const APPLY_TO: &[&str] = &["queues", "exchanges", "all"];

// ---------------------------------------------------------------------------
// Errors

/// Turns the management API's error body into the sentence a user needs,
/// e.g. "PRECONDITION_FAILED: queue exists with different arguments:
/// x-message-ttl 60000 vs 30000".
/// A management-API path (`queues/%2F/orders?…`) as the object a user
/// knows: `queue "orders" in vhost "/"`. Unknown shapes stay the path.
pub fn describe_api_path(path: &str) -> String {
    let bare = path.split('?').next().unwrap_or(path);
    let seg: Vec<String> = bare
        .split('/')
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let s: Vec<&str> = seg.iter().map(String::as_str).collect();
    let kind = |k: &str| if k == "q" { "queue" } else { "exchange" };
    let exchange = |n: &str| {
        if n.is_empty() || n == "amq.default" {
            "the default exchange".to_string()
        } else {
            format!("exchange \"{n}\"")
        }
    };
    match s.as_slice() {
        ["queues", v, n, ..] => format!("queue \"{n}\" in vhost \"{v}\""),
        ["exchanges", v, n, ..] => format!("{} in vhost \"{v}\"", exchange(n)),
        ["bindings", v, "e", src, k, dst, ..] => format!(
            "the binding from {} to {} \"{dst}\" in vhost \"{v}\"",
            exchange(src),
            kind(k)
        ),
        ["policies", v, n] => format!("policy \"{n}\" in vhost \"{v}\""),
        ["operator-policies", v, n] => format!("operator policy \"{n}\" in vhost \"{v}\""),
        ["vhosts", v, ..] | ["queues", v] | ["exchanges", v] | ["policies", v] => {
            format!("vhost \"{v}\"")
        }
        _ => format!("/api/{bare}"),
    }
}

pub fn explain_error(status: u16, body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let reason = v
        .get("reason")
        .and_then(Value::as_str)
        .unwrap_or(body)
        .trim()
        .to_string();
    if let Some(rest) = reason.split("inequivalent arg '").nth(1) {
        // 3.10: "… in vhost '/': received '30000' but current is '60000'"; later:
        // "received the value '30000' of type 'signedint' but current is the value '60000' …".
        let arg = rest.split('\'').next().unwrap_or("");
        let quoted_after = |marker: &str| {
            rest.split(marker)
                .nth(1)
                .map(|r| r.trim_start_matches("the value ").trim_start_matches('\''))
                .and_then(|r| r.split('\'').next())
        };
        let received = quoted_after("received ");
        let current = quoted_after("current is ");
        let what = if rest.contains("for exchange") {
            "exchange"
        } else {
            "queue"
        };
        return match (current, received) {
            (Some(c), Some(r)) => format!(
                "PRECONDITION_FAILED: {what} exists with different arguments: {arg} {c} vs {r}"
            ),
            _ => format!("PRECONDITION_FAILED: {what} exists with different arguments ({arg})"),
        };
    }
    match status {
        404 => format!("not found: {reason}"),
        _ => reason,
    }
}

// ---------------------------------------------------------------------------
// Definitions

/// The identity of a definition item: kind and a readable name.
fn def_key(kind: &str, item: &Value) -> String {
    let vh = item.get("vhost").and_then(Value::as_str).unwrap_or("");
    match kind {
        "vhosts" => s(item, "name"),
        "bindings" => format!(
            "{} → {} {} ({})",
            vhost_object(vh, &s(item, "source")),
            s(item, "destination_type"),
            s(item, "destination"),
            s(item, "routing_key")
        ),
        _ => vhost_object(vh, &s(item, "name")),
    }
}

/// What an export shows instead of a secret.
pub const REDACTED: &str = "(redacted by zkmq)";

/// Takes the secrets out of a definitions export before it leaves the
/// server: users' password hashes (an offline-crackable copy of every
/// broker login) and the passwords in URIs of parameters and global
/// parameters (shovels and federation upstreams keep
/// `amqp://user:password@host` there). An import leaves users alone and
/// never applies parameters, so a redacted file imports the same. Returns
/// how many secrets were taken out.
pub fn redact_definitions(defs: &mut Value) -> usize {
    let mut n = 0;
    if let Some(users) = defs.get_mut("users").and_then(Value::as_array_mut) {
        for u in users {
            if let Some(h) = u
                .get_mut("password_hash")
                .filter(|h| h.as_str().is_some_and(|h| !h.is_empty()))
            {
                *h = Value::String(REDACTED.into());
                n += 1;
            }
        }
    }
    for kind in ["parameters", "global_parameters"] {
        if let Some(list) = defs.get_mut(kind).and_then(Value::as_array_mut) {
            for p in list {
                if let Some(v) = p.get_mut("value") {
                    n += redact_uris(v);
                }
            }
        }
    }
    n
}

/// Every string in `v` that is a URI with a password loses the password.
fn redact_uris(v: &mut Value) -> usize {
    match v {
        Value::String(s) => match without_password(s) {
            Some(r) => {
                *s = r;
                1
            }
            None => 0,
        },
        Value::Array(a) => a.iter_mut().map(redact_uris).sum(),
        Value::Object(o) => o.values_mut().map(redact_uris).sum(),
        _ => 0,
    }
}

/// `scheme://user:secret@host…` → `scheme://user:(redacted by zkmq)@host…`.
fn without_password(s: &str) -> Option<String> {
    let (scheme, rest) = s.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let at = authority.rfind('@')?;
    let (user, _) = authority[..at].split_once(':')?;
    Some(format!("{scheme}://{user}:{REDACTED}{}", &rest[at..]))
}

/// The kinds an import plan covers (users and permissions are left alone).
pub const DEFINITION_KINDS: &[&str] = &["vhosts", "exchanges", "queues", "bindings", "policies"];

/// Compares an uploaded definitions file with the current definitions:
/// every item of the file is a create, an update (with the fields that
/// differ) or unchanged. An import never deletes.
pub fn plan_definitions(current: &Value, file: &Value) -> Result<Vec<DefinitionItem>, AppError> {
    if !file.is_object() {
        return Err(AppError::invalid(
            "file",
            "is not a JSON object of RabbitMQ definitions",
        ));
    }
    let mut items = Vec::new();
    for kind in DEFINITION_KINDS {
        let Some(list) = file.get(*kind) else {
            continue;
        };
        let list = list
            .as_array()
            .ok_or_else(|| AppError::invalid("file", format!("\"{kind}\" is not a list")))?;
        let existing: Vec<&Value> = current
            .get(*kind)
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        for item in list {
            let key = def_key(kind, item);
            let action_detail = match existing.iter().find(|e| def_key(kind, e) == key) {
                None => (DefinitionAction::Create, String::new()),
                Some(e) => {
                    let diff: Vec<String> = item
                        .as_object()
                        .map(|o| {
                            o.iter()
                                .filter(|(k, v)| e.get(k.as_str()) != Some(v))
                                .map(|(k, _)| k.clone())
                                .collect()
                        })
                        .unwrap_or_default();
                    if diff.is_empty() {
                        (DefinitionAction::Unchanged, String::new())
                    } else {
                        (DefinitionAction::Update, diff.join(", "))
                    }
                }
            };
            items.push(DefinitionItem {
                kind: kind.to_string(),
                name: key,
                action: action_detail.0,
                detail: action_detail.1,
            });
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::error::invalid_parts as invalid;

    #[test]
    fn exchange_and_binding_arguments_are_checked() {
        let a = parse_exchange_args("alternate-exchange = unrouted").unwrap();
        assert_eq!(a["alternate-exchange"], "unrouted");
        assert_eq!(
            invalid(parse_exchange_args("x-message-ttl=5").unwrap_err()),
            (
                "arguments".into(),
                "\"x-message-ttl\" is not an exchange argument; known: alternate-exchange".into()
            )
        );
        let b = parse_binding_args("x-match=any\nformat=pdf").unwrap();
        assert_eq!(
            (b["x-match"].as_str(), b["format"].as_str()),
            (Some("any"), Some("pdf"))
        );
        assert!(
            invalid(parse_binding_args("x-match=some").unwrap_err())
                .1
                .contains("must be one of all, any, all-with-x, any-with-x")
        );
        assert_eq!(
            invalid(parse_binding_args("=pdf").unwrap_err()).1,
            "line 1: \"=pdf\" has no key before '='"
        );
    }

    #[test]
    fn objects_of_a_vhost_are_named_as_their_urls_write_them() {
        assert_eq!(vhost_object("/", "q1"), "%2F/q1");
        assert_eq!(vhost_object("/", ""), "%2F/(default exchange)");
        assert_eq!(vhost_object("orders", "a/b"), "orders/a/b");
    }

    #[test]
    fn queue_arguments_are_typed_and_checked() {
        let a = parse_queue_args("x-message-ttl=60000\nx-dead-letter-exchange=dlx\nx-overflow=reject-publish\nx-single-active-consumer=true").unwrap();
        assert_eq!(a["x-message-ttl"], serde_json::json!(60000));
        assert_eq!(a["x-dead-letter-exchange"], "dlx");
        assert_eq!(a["x-single-active-consumer"], true);
        assert_eq!(
            invalid(parse_queue_args("x-message-ttl=-1").unwrap_err()).1,
            "x-message-ttl: \"-1\" is out of range: 0 to 4294967295"
        );
        assert!(
            invalid(parse_queue_args("x-overflow=explode").unwrap_err())
                .1
                .contains("must be one of drop-head")
        );
        assert!(
            invalid(parse_queue_args("x-ttl=5").unwrap_err())
                .1
                .contains("\"x-ttl\" is not a queue argument; known: x-message-ttl")
        );
        assert!(
            invalid(parse_queue_args("x-queue-type=quorum\nx-max-priority=5").unwrap_err())
                .1
                .contains("classic queues only")
        );
        assert!(parse_queue_args("x-queue-type=stream\nx-max-age=7D").is_ok());
        assert!(
            invalid(parse_queue_args("x-max-age=7 days").unwrap_err())
                .1
                .contains("a number and a unit")
        );
    }

    #[test]
    fn policy_definitions() {
        let d = parse_policy_definition("max-length=10\noverflow=reject-publish", false).unwrap();
        let e = invalid(parse_policy_definition("dead-letter-exchange=x", true).unwrap_err()).1;
        assert!(e.contains("not an operator policy key"), "{e}");
        assert!(e.contains("delivery-limit"), "names the allowed keys: {e}");
        assert!(parse_policy_definition("max-length=5", true).is_ok());
        assert_eq!(d["max-length"], serde_json::json!(10));
        assert!(
            invalid(parse_policy_definition("", false).unwrap_err())
                .1
                .contains("is empty")
        );
        assert!(
            invalid(parse_policy_definition("x-max-length=10", false).unwrap_err())
                .1
                .contains("not a policy key")
        );
    }

    #[test]
    fn names() {
        assert!(validate_name("name", "orders").is_ok());
        assert!(
            invalid(validate_name("name", "amq.mine").unwrap_err())
                .1
                .contains("reserved")
        );
        assert!(
            invalid(validate_name("name", " ").unwrap_err())
                .1
                .contains("empty")
        );
        assert!(validate_exchange_type("topic").is_ok());
        assert!(
            invalid(validate_exchange_type("x-delayed").unwrap_err())
                .1
                .contains("not an exchange type")
        );
    }

    #[test]
    fn management_errors_become_sentences() {
        let body = r#"{"error":"bad_request","reason":"inequivalent arg 'x-message-ttl' for queue 'q1' in vhost '/': received the value '30000' of type 'signedint' but current is the value '60000' of type 'signedint'"}"#;
        assert_eq!(
            explain_error(400, body),
            "PRECONDITION_FAILED: queue exists with different arguments: x-message-ttl 60000 vs 30000"
        );
        let v310 = r#"{"error":"bad_request","reason":"inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received '30000' but current is '60000'"}"#;
        assert_eq!(
            explain_error(400, v310),
            "PRECONDITION_FAILED: queue exists with different arguments: x-message-ttl 60000 vs 30000"
        );
        assert_eq!(
            explain_error(404, r#"{"error":"Object Not Found","reason":"Not Found"}"#),
            "not found: Not Found"
        );
        assert_eq!(explain_error(500, "plain"), "plain");
        assert_eq!(
            describe_api_path("queues/%2F/qa-nonexist?page=1&page_size=1"),
            "queue \"qa-nonexist\" in vhost \"/\""
        );
        assert_eq!(
            describe_api_path("bindings/%2F/e/x/q/q1/~"),
            "the binding from exchange \"x\" to queue \"q1\" in vhost \"/\""
        );
        assert_eq!(
            describe_api_path("bindings/%2F/e/amq.default/q/q1"),
            "the binding from the default exchange to queue \"q1\" in vhost \"/\""
        );
        assert_eq!(describe_api_path("vhosts/dev"), "vhost \"dev\"");
        assert_eq!(describe_api_path("overview"), "/api/overview");
    }

    #[test]
    fn definitions_plan() {
        let current = serde_json::json!({"queues": [{"name": "a", "vhost": "/", "durable": true, "arguments": {}}]});
        let file = serde_json::json!({
            "queues": [
                {"name": "a", "vhost": "/", "durable": true, "arguments": {}},
                {"name": "b", "vhost": "/", "durable": true, "arguments": {}}
            ],
            "policies": [{"vhost": "/", "name": "p", "pattern": ".*", "definition": {"max-length": 1}}],
            "users": [{"name": "ignored"}]
        });
        let plan = plan_definitions(&current, &file).unwrap();
        let acts: Vec<(&str, DefinitionAction)> =
            plan.iter().map(|i| (i.name.as_str(), i.action)).collect();
        assert_eq!(
            acts,
            vec![
                ("%2F/a", DefinitionAction::Unchanged),
                ("%2F/b", DefinitionAction::Create),
                ("%2F/p", DefinitionAction::Create)
            ]
        );
        let changed = serde_json::json!({"queues": [{"name": "a", "vhost": "/", "durable": false, "arguments": {}}]});
        let plan = plan_definitions(&current, &changed).unwrap();
        assert_eq!(
            (plan[0].action, plan[0].detail.as_str()),
            (DefinitionAction::Update, "durable")
        );
        assert!(plan_definitions(&current, &serde_json::json!([1])).is_err());
    }

    #[test]
    fn reads_the_fields_it_needs_and_tolerates_missing_ones() {
        let v = serde_json::json!({
            "rabbitmq_version": "3.10.8", "erlang_version": "25.2.3", "cluster_name": "rabbit@localhost",
            "node": "rabbit@localhost",
            "object_totals": {"queues": 4, "exchanges": 9, "connections": 1, "channels": 2, "consumers": 3},
            "queue_totals": {"messages_ready": 10}
        });
        let d = parse_overview(&v);
        assert_eq!(d.version.as_deref(), Some("3.10.8"));
        assert_eq!(d.queues, 4);
        assert_eq!(d.exchanges, 9);
        assert_eq!(d.messages_ready, 10);
        assert_eq!(d.messages_unacknowledged, 0);
        assert_eq!(
            parse_overview(&serde_json::json!({})),
            BrokerOverview::default()
        );
    }

    #[test]
    fn exports_lose_password_hashes_and_uri_passwords() {
        let mut d = serde_json::json!({
            "users": [{"name": "admin", "password_hash": "abc=", "tags": ["administrator"]},
                      {"name": "nopass", "password_hash": ""}],
            "parameters": [{"component": "shovel", "name": "s", "vhost": "/", "value": {
                "src-uri": "amqp://shovel:s3cret@10.0.0.1:5672/%2F",
                "dest-uri": ["amqps://a:b@h1", "amqp://h2"],
                "src-queue": "q"}}],
            "global_parameters": [{"name": "cluster_name", "value": "rabbit@h"}]
        });
        assert_eq!(redact_definitions(&mut d), 3);
        let text = d.to_string();
        for secret in ["abc=", "s3cret", ":b@"] {
            assert!(!text.contains(secret), "{secret} left in {text}");
        }
        assert_eq!(
            d["parameters"][0]["value"]["src-uri"],
            format!("amqp://shovel:{REDACTED}@10.0.0.1:5672/%2F")
        );
        assert_eq!(d["parameters"][0]["value"]["dest-uri"][1], "amqp://h2");
        assert_eq!(d["parameters"][0]["value"]["src-queue"], "q");
        assert_eq!(d["global_parameters"][0]["value"], "rabbit@h");
        assert_eq!(d["users"][0]["tags"][0], "administrator");
    }
}
