//! RabbitMQ server functions. Each first checks the caller's permission
//! (`authorized`); reads then go to the adapter; every change goes
//! through `ssr::audited`.

// A server function takes its form's fields as arguments, however many there are
// (the #[server] macro drops per-function allows on the browser side).
#![allow(clippy::too_many_arguments)]

use super::model::{
    BindingRow, DefinitionPlan, ExchangeRow, InspectResult, PolicyRow, QueueDetail, QueuePage,
    QueueSort, RabbitDetail, RabbitSummary,
};
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {crate::audit::ssr::Recorder, crate::auth::model::Permission, std::sync::Arc};

/// The authorize step of every function here: the caller's permissions on
/// the broker, then its adapter and the caller's recorder.
#[cfg(feature = "ssr")]
async fn authorized(
    cluster: &str,
    needs: &[Permission],
) -> Result<(Arc<super::ssr::RabbitCluster>, Recorder), AppError> {
    let (svc, rec) =
        crate::services::authorize(crate::error::Backend::Rabbitmq, cluster, needs).await?;
    Ok((svc.rabbitmq(cluster)?, rec))
}

/// The broker's version, node and object totals.
#[server(endpoint = "get_rabbitmq_summary")]
pub async fn get_rabbitmq_summary(cluster: String) -> Result<RabbitSummary, AppError> {
    let (rabbit, _) = authorized(&cluster, &[Permission::Read]).await?;
    rabbit.summary().await
}

/// Message rates, nodes with alarms, listeners, vhosts.
#[server(endpoint = "get_rabbitmq_detail")]
pub async fn get_rabbitmq_detail(cluster: String) -> Result<RabbitDetail, AppError> {
    let (rabbit, _) = authorized(&cluster, &[Permission::Read]).await?;
    rabbit.detail().await
}

#[server(endpoint = "create_vhost")]
pub async fn create_vhost(cluster: String, name: String) -> Result<(), AppError> {
    let (rabbit, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::create_vhost(&rec, &rabbit, &name).await
}

/// Deletes a vhost and all it holds; `confirm` must repeat its name.
#[server(endpoint = "delete_vhost")]
pub async fn delete_vhost(cluster: String, name: String, confirm: String) -> Result<(), AppError> {
    let (rabbit, rec) = authorized(&cluster, &[Permission::Administer]).await?;
    super::ssr::audited::delete_vhost(&rec, &rabbit, &name, &confirm).await
}

#[server(endpoint = "list_exchanges")]
pub async fn list_exchanges(cluster: String) -> Result<Vec<ExchangeRow>, AppError> {
    let (rabbit, _) = authorized(&cluster, &[Permission::Read]).await?;
    rabbit.exchanges().await
}

/// Declares an exchange (`kind`: direct, fanout, topic, headers).
#[server(endpoint = "create_exchange")]
pub async fn create_exchange(
    cluster: String,
    vhost: String,
    name: String,
    kind: String,
    durable: bool,
    auto_delete: bool,
    internal: bool,
    arguments: String,
) -> Result<(), AppError> {
    let (rabbit, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::create_exchange(
        &rec,
        &rabbit,
        &vhost,
        &name,
        &kind,
        durable,
        auto_delete,
        internal,
        &arguments,
    )
    .await
}

#[server(endpoint = "delete_exchange")]
pub async fn delete_exchange(
    cluster: String,
    vhost: String,
    name: String,
    if_unused: bool,
) -> Result<(), AppError> {
    let (rabbit, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::delete_exchange(&rec, &rabbit, &vhost, &name, if_unused).await
}

/// One page of queues; `vhost` empty: every vhost; `sort`: name, messages, consumers.
#[server(endpoint = "list_queues")]
pub async fn list_queues(
    cluster: String,
    vhost: String,
    filter: String,
    sort: QueueSort,
    descending: bool,
    page: u64,
    page_size: u64,
) -> Result<QueuePage, AppError> {
    let (r, _) = authorized(&cluster, &[Permission::Read]).await?;
    let vhost = Some(vhost.as_str()).filter(|v| !v.is_empty());
    r.queues(vhost, &filter, sort, descending, page, page_size)
        .await
}

/// Settings, arguments, effective policy and bindings of one queue.
#[server(endpoint = "get_queue")]
pub async fn get_queue(
    cluster: String,
    vhost: String,
    name: String,
) -> Result<QueueDetail, AppError> {
    let (rabbit, _) = authorized(&cluster, &[Permission::Read]).await?;
    rabbit.queue(&vhost, &name).await
}

/// Declares a queue; `arguments` is `x-…=value` per line (validated and typed).
#[server(endpoint = "create_queue")]
pub async fn create_queue(
    cluster: String,
    vhost: String,
    name: String,
    durable: bool,
    auto_delete: bool,
    arguments: String,
) -> Result<(), AppError> {
    let (rabbit, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::create_queue(
        &rec,
        &rabbit,
        &vhost,
        &name,
        durable,
        auto_delete,
        &arguments,
    )
    .await
}

#[server(endpoint = "delete_queue")]
pub async fn delete_queue(
    cluster: String,
    vhost: String,
    name: String,
    if_empty: bool,
    if_unused: bool,
) -> Result<(), AppError> {
    let (rabbit, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::delete_queue(&rec, &rabbit, &vhost, &name, if_empty, if_unused).await
}

/// Purges a queue; `confirm` must repeat its name. Returns the ready count purged.
#[server(endpoint = "purge_queue")]
pub async fn purge_queue(
    cluster: String,
    vhost: String,
    name: String,
    confirm: String,
) -> Result<u64, AppError> {
    let (rabbit, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::purge_queue(&rec, &rabbit, &vhost, &name, &confirm).await
}

#[server(endpoint = "list_bindings")]
pub async fn list_bindings(cluster: String, vhost: String) -> Result<Vec<BindingRow>, AppError> {
    let (rabbit, _) = authorized(&cluster, &[Permission::Read]).await?;
    rabbit.bindings(&vhost).await
}

/// Binds exchange `source` to a queue or exchange (`destination_type`).
#[server(endpoint = "create_binding")]
pub async fn create_binding(
    cluster: String,
    vhost: String,
    source: String,
    destination_type: String,
    destination: String,
    routing_key: String,
    arguments: String,
) -> Result<(), AppError> {
    let (rabbit, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::create_binding(
        &rec,
        &rabbit,
        &vhost,
        &source,
        &destination_type,
        &destination,
        &routing_key,
        &arguments,
    )
    .await
}

#[server(endpoint = "delete_binding")]
pub async fn delete_binding(
    cluster: String,
    vhost: String,
    source: String,
    destination_type: String,
    destination: String,
    properties_key: String,
) -> Result<(), AppError> {
    let (rabbit, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::delete_binding(
        &rec,
        &rabbit,
        &vhost,
        &source,
        &destination_type,
        &destination,
        &properties_key,
    )
    .await
}

/// User and operator policies.
#[server(endpoint = "list_policies")]
pub async fn list_policies(cluster: String) -> Result<Vec<PolicyRow>, AppError> {
    let (rabbit, _) = authorized(&cluster, &[Permission::Read]).await?;
    rabbit.policies().await
}

/// Creates or replaces a policy; `definition` is `key=value` per line.
#[server(endpoint = "put_policy")]
pub async fn put_policy(
    cluster: String,
    vhost: String,
    name: String,
    pattern: String,
    apply_to: String,
    priority: String,
    definition: String,
    operator: bool,
) -> Result<(), AppError> {
    let (rabbit, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::put_policy(
        &rec,
        &rabbit,
        &vhost,
        &name,
        &pattern,
        &apply_to,
        &priority,
        &definition,
        operator,
    )
    .await
}

#[server(endpoint = "delete_policy")]
pub async fn delete_policy(
    cluster: String,
    vhost: String,
    name: String,
    operator: bool,
) -> Result<(), AppError> {
    let (rabbit, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::delete_policy(&rec, &rabbit, &vhost, &name, operator).await
}

/// Publishes a text message over AMQP; returns whether a queue took it.
#[server(endpoint = "publish_message")]
pub async fn publish_message(
    cluster: String,
    vhost: String,
    exchange: String,
    routing_key: String,
    content_type: String,
    persistent: bool,
    headers: String,
    body: String,
) -> Result<bool, AppError> {
    let (rabbit, rec) = authorized(&cluster, &[Permission::Change]).await?;
    super::ssr::audited::publish(
        &rec,
        &rabbit,
        &vhost,
        &exchange,
        &routing_key,
        &content_type,
        persistent,
        &headers,
        &body,
    )
    .await
}

/// Reads a stream queue from `from` (first, last, offset, timestamp) without
/// consuming anything.
#[server(endpoint = "read_stream")]
pub async fn read_stream(
    cluster: String,
    vhost: String,
    queue: String,
    from: String,
    value: String,
    count: String,
) -> Result<InspectResult, AppError> {
    use super::ssr::messages::StreamStart;
    let (rabbit, _) = authorized(&cluster, &[Permission::Read, Permission::ReadPayloads]).await?;
    let max = super::model::MAX_STREAM_READ;
    let count = crate::fields::parse_count("count", &count, 1, max.into())? as u16;
    let start = match from.as_str() {
        "first" => StreamStart::First,
        "last" => StreamStart::Last,
        "offset" => StreamStart::Offset(crate::fields::parse_count("value", &value, 0, i64::MAX)?),
        "timestamp" => StreamStart::Timestamp(crate::fields::parse_time("value", &value)? / 1000),
        other => {
            return Err(AppError::invalid(
                "from",
                format!("\"{other}\" is not a start: first, last, offset or timestamp"),
            ));
        }
    };
    rabbit.read_stream(&vhost, &queue, start, count).await
}

/// Gets and requeues messages of a classic or quorum queue (they come back
/// marked redelivered); `confirm` must be true.
#[server(endpoint = "get_requeue_messages")]
pub async fn get_requeue_messages(
    cluster: String,
    vhost: String,
    queue: String,
    count: String,
    confirm: bool,
) -> Result<InspectResult, AppError> {
    let (rabbit, rec) =
        authorized(&cluster, &[Permission::Change, Permission::ReadPayloads]).await?;
    super::ssr::audited::get_requeue(&rec, &rabbit, &vhost, &queue, &count, confirm).await
}

/// Every definition, as pretty JSON (the management API's export format).
#[server(endpoint = "export_definitions")]
pub async fn export_definitions(cluster: String) -> Result<String, AppError> {
    // The broker's definitions hold its users and their password hashes.
    let (rabbit, _) = authorized(&cluster, &[Permission::Administer]).await?;
    let mut d = rabbit.definitions().await?;
    // Even an administrator's browser gets no password hashes or URI
    // passwords: a downloaded file travels further than the broker's API.
    super::logic::redact_definitions(&mut d);
    serde_json::to_string_pretty(&d).map_err(|e| AppError::Internal(e.to_string()))
}

/// Dry run of an import: create / update / unchanged per item.
#[server(endpoint = "plan_definitions_import")]
pub async fn plan_definitions_import(
    cluster: String,
    file: String,
) -> Result<DefinitionPlan, AppError> {
    let (rabbit, _) = authorized(&cluster, &[Permission::Read]).await?;
    super::ssr::audited::plan_import(&rabbit, &file).await
}

/// Applies an import whose dry run's `hash` is `plan_hash`; returns the items changed.
#[server(endpoint = "import_definitions")]
pub async fn import_definitions(
    cluster: String,
    file: String,
    plan_hash: String,
) -> Result<usize, AppError> {
    let (rabbit, rec) = authorized(&cluster, &[Permission::Administer]).await?;
    super::ssr::audited::import_definitions(&rec, &rabbit, &file, &plan_hash).await
}
