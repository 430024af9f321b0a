//! Kafka server functions. Each first checks the caller's permission
//! (`authorized`); reads then go to the adapter; every change goes
//! through `ssr::audited` (validated, previewable, recorded before/after).

// A server function takes its form's fields as arguments, however many there are
// (the #[server] macro drops per-function allows on the browser side).
#![allow(clippy::too_many_arguments)]

use super::model::{
    BrowseResult, ChangePreview, GroupDetail, GroupPage, KafkaSummary, Produced, ResetRow,
    TopicDetail, TopicPage,
};
use crate::error::AppError;
use crate::plan::Plan;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {crate::audit::ssr::Recorder, crate::auth::model::Permission, std::sync::Arc};

/// The authorize step of every function here: the caller's permissions on
/// the cluster, then its adapter and the caller's recorder.
#[cfg(feature = "ssr")]
async fn authorized(
    cluster: &str,
    needs: &[Permission],
) -> Result<(Arc<super::ssr::KafkaCluster>, Recorder), AppError> {
    let (svc, rec) =
        crate::services::authorize(crate::error::Backend::Kafka, cluster, needs).await?;
    Ok((svc.kafka(cluster)?, rec))
}

/// Brokers, controller, cluster id, counts and the release line.
#[server(endpoint = "get_kafka_summary")]
pub async fn get_kafka_summary(cluster: String) -> Result<KafkaSummary, AppError> {
    let svc = crate::services::authorize_read(crate::error::Backend::Kafka, &cluster).await?;
    let mut summary = svc.kafka(&cluster)?.summary().await?;
    // Kafka's metadata has no racks; a ZooKeeper-mode cluster's registrations
    // do, and the ensemble monitor already reads them.
    let registered = svc
        .ensembles
        .iter()
        .flat_map(|m| m.snapshot().kafka)
        .find(|k| k.linked.as_ref().is_some_and(|c| c.id == cluster));
    if let Some(k) = registered {
        for b in &mut summary.brokers {
            b.rack = k
                .brokers
                .iter()
                .find(|r| r.id == b.id)
                .and_then(|r| r.rack.clone());
        }
    }
    Ok(summary)
}

/// One page of topics; `sort`: name, partitions, replication, under_replicated.
#[server(endpoint = "list_topics")]
pub async fn list_topics(
    cluster: String,
    filter: String,
    include_internal: bool,
    sort: super::model::TopicSort,
    descending: bool,
    offset: usize,
    limit: usize,
) -> Result<TopicPage, AppError> {
    let (kafka, _) = authorized(&cluster, &[Permission::Read]).await?;
    kafka
        .list_topics(super::model::TopicQuery {
            filter,
            include_internal,
            sort,
            descending,
            offset,
            limit,
        })
        .await
}

/// Partitions (leader, replicas, ISR, watermarks), configs, readers.
#[server(endpoint = "get_topic")]
pub async fn get_topic(cluster: String, topic: String) -> Result<TopicDetail, AppError> {
    let (kafka, _) = authorized(&cluster, &[Permission::Read]).await?;
    kafka.topic_detail(&topic).await
}

/// Creates a topic; with `preview` the brokers only validate it.
#[server(endpoint = "create_topic")]
pub async fn create_topic(
    cluster: String,
    name: String,
    partitions: String,
    replication: String,
    configs: String,
    preview: bool,
) -> Result<ChangePreview, AppError> {
    let form = super::model::NewTopicForm {
        name,
        partitions,
        replication,
        configs,
    };
    let (kafka, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::create_topic(&rec, &kafka, &form, preview).await
}

/// Deletes a topic; `confirm` must repeat its name.
#[server(endpoint = "delete_topic")]
pub async fn delete_topic(
    cluster: String,
    topic: String,
    confirm: String,
    /// An administrator's override for Kafka's internal topics.
    #[server(default)]
    override_internal: bool,
) -> Result<(), AppError> {
    let (kafka, rec) = authorized(&cluster, super::logic::change_needs(override_internal)).await?;
    super::ssr::audited::delete_topic(&rec, &kafka, &topic, &confirm, override_internal).await
}

/// Grows a topic to `total` partitions; with `preview` only validates.
#[server(endpoint = "add_partitions")]
pub async fn add_partitions(
    cluster: String,
    topic: String,
    total: String,
    preview: bool,
    #[server(default)] override_internal: bool,
) -> Result<ChangePreview, AppError> {
    let (kafka, rec) = authorized(&cluster, super::logic::change_needs(override_internal)).await?;
    super::ssr::audited::add_partitions(&rec, &kafka, &topic, &total, preview, override_internal)
        .await
}

/// Sets (`key=value` lines) and removes (key lines) topic overrides.
#[server(endpoint = "alter_topic_config")]
pub async fn alter_topic_config(
    cluster: String,
    topic: String,
    set: String,
    remove: String,
    preview: bool,
    #[server(default)] override_internal: bool,
) -> Result<ChangePreview, AppError> {
    let (kafka, rec) = authorized(&cluster, super::logic::change_needs(override_internal)).await?;
    super::ssr::audited::alter_topic_config(
        &rec,
        &kafka,
        &topic,
        &set,
        &remove,
        preview,
        override_internal,
    )
    .await
}

/// One page of consumer groups; `sort`: name, state, members.
#[server(endpoint = "list_groups")]
pub async fn list_groups(
    cluster: String,
    filter: String,
    sort: super::model::GroupSort,
    descending: bool,
    offset: usize,
    limit: usize,
) -> Result<GroupPage, AppError> {
    let (kafka, _) = authorized(&cluster, &[Permission::Read]).await?;
    kafka
        .list_groups(super::model::GroupQuery {
            filter,
            sort,
            descending,
            offset,
            limit,
        })
        .await
}

/// Members and per-partition committed offset, end offset and lag.
#[server(endpoint = "get_group")]
pub async fn get_group(cluster: String, group: String) -> Result<GroupDetail, AppError> {
    let (kafka, _) = authorized(&cluster, &[Permission::Read]).await?;
    kafka.group_detail(&group).await
}

/// Resets an empty group's offsets (`to`: earliest, latest, timestamp,
/// offset; `value` for the last two) on `topic` or on every topic it has
/// offsets for. With `preview` it only plans the new offsets; without it,
/// `plan_hash` must be the `hash` of that preview, and a group whose
/// offsets moved since is refused.
#[server(endpoint = "reset_offsets")]
pub async fn reset_offsets(
    cluster: String,
    group: String,
    topic: String,
    to: String,
    value: String,
    preview: bool,
    #[server(default)] plan_hash: String,
) -> Result<Plan<ResetRow>, AppError> {
    let target = super::logic::parse_reset_target(&to, &value)?;
    let topic = Some(topic.trim()).filter(|t| !t.is_empty());
    let (kafka, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::reset_offsets(&rec, &kafka, &group, topic, &target, preview, &plan_hash)
        .await
}

/// Reads messages of one partition (`from`: offset, timestamp, newest;
/// `filter`: none, substring, regex, json with `text` and `field`).
#[server(endpoint = "browse_messages")]
pub async fn browse_messages(
    cluster: String,
    topic: String,
    partition: i32,
    from: String,
    value: String,
    limit: usize,
    filter: String,
    text: String,
    field: String,
) -> Result<BrowseResult, AppError> {
    use super::logic::{parse_browse_start, parse_filter};
    // Message payloads are often personal data: a permission of their own.
    let (kafka, _) = authorized(&cluster, &[Permission::Read, Permission::ReadPayloads]).await?;
    let req = super::model::BrowseRequest {
        topic,
        partition,
        start: parse_browse_start(&from, &value)?,
        limit,
        filter: parse_filter(&filter, &text, &field)?,
    };
    kafka.browse(req).await
}

/// Produces one message; `partition` empty lets the partitioner choose.
#[server(endpoint = "produce_message")]
pub async fn produce_message(
    cluster: String,
    topic: String,
    partition: String,
    key: String,
    value: String,
    headers: String,
) -> Result<Produced, AppError> {
    let form = super::model::ProduceForm {
        topic,
        partition,
        key,
        value,
        headers,
    };
    let (kafka, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::produce(&rec, &kafka, &form).await
}
