//! Kafka changes through the audit log. Input is validated first (a bad
//! name, count or config changes nothing and is not an attempt); a preview
//! asks the brokers in validate-only mode and records nothing; the real
//! change records the attempt with the value before, then the outcome with
//! the value after.

use super::KafkaCluster;
use crate::audit::ssr::{Applied, Attempt, Recorder};
use crate::error::{AppError, Backend};
use crate::fields::{parse_count, parse_headers};
use crate::kafka::logic::{
    MAX_PARTITIONS, guard_internal, parse_config_change, parse_config_lines, parse_replication,
    plan_config_change, validate_topic_name,
};
use crate::kafka::model::{
    ChangePreview, NewTopicForm, ProduceForm, Produced, ResetRow, ResetTarget,
};
use crate::plan::Plan;
use serde_json::json;

/// Largest message value zkmq produces (the brokers' default max.message.bytes is ~1 MiB).
pub const MAX_PRODUCE_BYTES: usize = 1_000_000;
/// How much of a produced value the audit record keeps.
const AUDIT_VALUE_BYTES: usize = 4_096;

fn attempt(
    rec: &Recorder,
    cluster: &str,
    action: &str,
    target: &str,
    params: serde_json::Value,
    before: Option<serde_json::Value>,
) -> Attempt {
    rec.attempt(
        Backend::Kafka,
        cluster,
        action,
        target,
        params,
        before.map(|b| b.to_string()),
    )
}

fn overrides_json(o: &[(String, Option<String>)]) -> serde_json::Value {
    serde_json::Value::Object(
        o.iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.clone()
                        .map_or(serde_json::Value::Null, serde_json::Value::String),
                )
            })
            .collect(),
    )
}

/// Creates a topic, or with `preview` asks the brokers whether they would.
pub async fn create_topic(
    rec: &Recorder,
    k: &KafkaCluster,
    form: &NewTopicForm,
    preview: bool,
) -> Result<ChangePreview, AppError> {
    let cluster = k.id();
    let name = form.name.trim();
    validate_topic_name(name)?;
    let partitions = parse_count("partitions", &form.partitions, 1, MAX_PARTITIONS)?;
    let replication = parse_replication(&form.replication, k.broker_count().await?)?;
    let configs = parse_config_lines("configs", &form.configs)?;
    let result = ChangePreview {
        summary: vec![format!(
            "create topic \"{name}\" with {partitions} partition{} × {replication} replica{}",
            if partitions == 1 { "" } else { "s" },
            if replication == 1 { "" } else { "s" }
        )],
        config_changes: configs
            .iter()
            .map(|(k, v)| (k.clone(), None, Some(v.clone())))
            .collect(),
    };
    if preview {
        k.create_topic_raw(name, partitions as i32, replication as i32, &configs, true)
            .await?;
        return Ok(result);
    }
    let params = json!({"partitions": partitions, "replication": replication, "configs": configs});
    let a = attempt(rec, cluster, "create_topic", name, params, None);
    rec
        .record(a, || async {
            k.create_topic_raw(name, partitions as i32, replication as i32, &configs, false).await?;
            let after = k.topic_overrides(name).await.ok();
            Ok(Applied {
                value: result,
                after: Some(json!({"partitions": partitions, "replication": replication, "overrides": after.as_deref().map(overrides_json)}).to_string()),
            })
        })
        .await
}

/// The parameters of a change, marked when it overrode the internal-topic guard.
fn overridden(mut params: serde_json::Value, override_internal: bool) -> serde_json::Value {
    if override_internal {
        params["override_internal"] = json!(true);
    }
    params
}

/// Deletes a topic once its name is typed again.
pub async fn delete_topic(
    rec: &Recorder,
    k: &KafkaCluster,
    topic: &str,
    confirm: &str,
    override_internal: bool,
) -> Result<(), AppError> {
    let cluster = k.id();
    guard_internal(topic, override_internal, "deleting")?;
    if confirm != topic {
        return Err(AppError::invalid(
            "confirm",
            format!("type the topic name \"{topic}\" exactly to delete it"),
        ));
    }
    let detail = k.topic_state(topic).await?;
    let before = json!({
        "partitions": detail.partitions.len(),
        "replication": detail.partitions.iter().map(|p| p.replicas.len()).max(),
        "messages": detail.partitions.iter().map(|p| Some(p.high? - p.low?)).sum::<Option<i64>>(),
        "overrides": overrides_json(&detail.configs.iter().filter(|c| c.source == crate::kafka::model::ConfigSource::Topic).map(|c| (c.name.clone(), c.value.clone())).collect::<Vec<_>>()),
    });
    let a = attempt(
        rec,
        cluster,
        "delete_topic",
        topic,
        overridden(json!({}), override_internal),
        Some(before),
    );
    rec.record(a, || async {
        k.delete_topic_raw(topic).await?;
        Ok(Applied {
            value: (),
            after: None,
        })
    })
    .await
}

/// Grows a topic to `total` partitions (Kafka cannot shrink one).
pub async fn add_partitions(
    rec: &Recorder,
    k: &KafkaCluster,
    topic: &str,
    total: &str,
    preview: bool,
    override_internal: bool,
) -> Result<ChangePreview, AppError> {
    let cluster = k.id();
    guard_internal(topic, override_internal, "adding partitions to")?;
    let detail = k.topic_state(topic).await?;
    let current = detail.partitions.len() as i64;
    let total = parse_count("partitions", total, 1, MAX_PARTITIONS)?;
    if total <= current {
        return Err(AppError::invalid(
            "partitions",
            format!(
                "topic \"{topic}\" has {current} partitions; the new total must be larger (Kafka cannot remove partitions)"
            ),
        ));
    }
    let result = ChangePreview {
        summary: vec![format!(
            "grow topic \"{topic}\" from {current} to {total} partitions (keys may map to different partitions afterwards)"
        )],
        config_changes: Vec::new(),
    };
    if preview {
        k.create_partitions_raw(topic, total as usize, true).await?;
        return Ok(result);
    }
    let a = attempt(
        rec,
        cluster,
        "add_partitions",
        topic,
        overridden(json!({"total": total}), override_internal),
        Some(json!({"partitions": current})),
    );
    rec.record(a, || async {
        k.create_partitions_raw(topic, total as usize, false)
            .await?;
        Ok(Applied {
            value: result,
            after: Some(json!({"partitions": total}).to_string()),
        })
    })
    .await
}

/// Sets and removes topic config overrides. `set` is `key=value` lines;
/// `remove` is one key per line (back to the broker default).
pub async fn alter_topic_config(
    rec: &Recorder,
    k: &KafkaCluster,
    topic: &str,
    set: &str,
    remove: &str,
    preview: bool,
    override_internal: bool,
) -> Result<ChangePreview, AppError> {
    let cluster = k.id();
    guard_internal(topic, override_internal, "changing the configs of")?;
    let (set, remove) = parse_config_change(set, remove)?;
    let before = k.topic_overrides(topic).await?;
    let plan = plan_config_change(topic, &before, &set, &remove)?;
    let (after, result) = (plan.write, plan.preview);
    if preview {
        k.set_overrides_raw(topic, &after, true).await?;
        return Ok(result);
    }
    let params = overridden(json!({"set": set, "remove": remove}), override_internal);
    let a = attempt(
        rec,
        cluster,
        "alter_topic_config",
        topic,
        params,
        Some(overrides_json(&before)),
    );
    rec.record(a, || async {
        k.set_overrides_raw(topic, &after, false).await?;
        let now = k.topic_overrides(topic).await.unwrap_or_default();
        Ok(Applied {
            value: result,
            after: Some(overrides_json(&now).to_string()),
        })
    })
    .await
}

/// Moves an empty group's committed offsets; `preview` only computes them.
pub async fn reset_offsets(
    rec: &Recorder,
    k: &KafkaCluster,
    group: &str,
    topic: Option<&str>,
    target: &ResetTarget,
    preview: bool,
    reviewed: &str,
) -> Result<Plan<ResetRow>, AppError> {
    let cluster = k.id();
    if let Some(t) = topic {
        validate_topic_name(t).map_err(|e| match e {
            AppError::Invalid { reason, .. } => AppError::invalid("topic", reason),
            other => other,
        })?;
    }
    // The plan is hashed with what it was computed from: the group's
    // committed offsets are in its rows, the request in the basis, so a
    // group that moved between preview and apply is refused.
    let plan = Plan::new(
        k.reset_preview(group, topic, target).await?,
        &(group, topic, target),
    );
    if preview {
        return Ok(plan);
    }
    plan.check("plan_hash", reviewed)?;
    let rows = plan.items.clone();
    let before: serde_json::Value = rows
        .iter()
        .map(|r| json!({"topic": r.topic, "partition": r.partition, "offset": r.current}))
        .collect();
    let a = attempt(
        rec,
        cluster,
        "reset_offsets",
        group,
        json!({"topic": topic, "target": target}),
        Some(before),
    );
    rec.record(a, || async {
        k.alter_offsets_raw(group, &rows).await?;
        let after: serde_json::Value = rows
            .iter()
            .map(|r| json!({"topic": r.topic, "partition": r.partition, "offset": r.new}))
            .collect();
        Ok(Applied {
            value: plan.clone(),
            after: Some(after.to_string()),
        })
    })
    .await
}

/// Produces one message (text key and value, text headers).
pub async fn produce(
    rec: &Recorder,
    k: &KafkaCluster,
    form: &ProduceForm,
) -> Result<Produced, AppError> {
    let cluster = k.id();
    let topic = form.topic.trim();
    validate_topic_name(topic)?;
    let partition = match form.partition.trim() {
        "" => None,
        p => Some(parse_count("partition", p, 0, i32::MAX as i64)? as i32),
    };
    if let Some(p) = partition {
        // Said before sending: librdkafka's answer is "UnknownPartition (Local: …)".
        let count = k.topic_state(topic).await?.partitions.len() as i32;
        if p >= count {
            return Err(AppError::invalid(
                "partition",
                format!(
                    "topic \"{topic}\" has {count} partition{} (0–{}): there is no partition {p}",
                    if count == 1 { "" } else { "s" },
                    count - 1
                ),
            ));
        }
    }
    if form.value.len() > MAX_PRODUCE_BYTES {
        return Err(AppError::invalid(
            "value",
            format!(
                "is {} bytes; zkmq produces at most {MAX_PRODUCE_BYTES}",
                form.value.len()
            ),
        ));
    }
    let headers = parse_headers(&form.headers)?;
    let key = (!form.key.is_empty()).then_some(form.key.as_str());
    let kept: String = form.value.chars().take(AUDIT_VALUE_BYTES).collect();
    let params = json!({
        "partition": partition, "key": key, "headers": headers,
        "value": kept, "value_bytes": form.value.len(),
        "value_truncated": kept.len() < form.value.len(),
    });
    let a = attempt(rec, cluster, "produce_message", topic, params, None);
    rec.record(a, || async {
        let p = k
            .produce_raw(topic, partition, key, &form.value, &headers)
            .await?;
        Ok(Applied {
            after: Some(json!({"partition": p.partition, "offset": p.offset}).to_string()),
            value: p,
        })
    })
    .await
}
