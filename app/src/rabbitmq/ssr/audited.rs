//! RabbitMQ changes through the audit log: input validated first (nothing
//! changes and nothing is recorded on bad input), then the attempt with the
//! value before, the change, and the outcome with the value after.

use super::messages::PublishSpec;
use super::{RabbitCluster, errors, seg};
use crate::audit::ssr::{Applied, Attempt, Recorder};
use crate::error::{AppError, Backend};
use crate::rabbitmq::logic::{
    APPLY_TO, DEFINITION_KINDS, parse_binding_args, parse_exchange_args, parse_policy_definition,
    parse_queue_args, plan_definitions, validate_exchange_type, validate_name, vhost_object,
};
use crate::rabbitmq::model::{DefinitionAction, DefinitionPlan, InspectResult, MAX_GET};
use reqwest::Method;
use serde_json::{Value, json};

/// Largest message body zkmq publishes.
pub const MAX_PUBLISH_BYTES: usize = 1_000_000;

fn attempt(
    rec: &Recorder,
    cluster: &str,
    action: &str,
    target: String,
    params: Value,
    before: Option<Value>,
) -> Attempt {
    rec.attempt(
        Backend::Rabbitmq,
        cluster,
        action,
        &target,
        params,
        before.map(|b| b.to_string()),
    )
}

/// Records `a` around one management-API call that is the whole change: PUT
/// or POST `body` (recorded as the after value), or DELETE (nothing after).
/// `refused` says what a refusal of the request (HTTP 400) means here: the
/// form field the body carried, or a failed precondition of a delete.
async fn record_call(
    rec: &Recorder,
    r: &RabbitCluster,
    a: Attempt,
    (method, path, body): (Method, &str, Option<Value>),
    refused: impl Fn(AppError) -> AppError,
) -> Result<(), AppError> {
    rec.record(a, || async {
        r.call(method, path, body.as_ref())
            .await
            .map_err(&refused)?;
        Ok(Applied {
            value: (),
            after: body.as_ref().map(Value::to_string),
        })
    })
    .await
}

fn check_vhost(vhost: &str) -> Result<(), AppError> {
    if vhost.is_empty() {
        return Err(AppError::invalid(
            "vhost",
            "is empty (the default vhost is \"/\")",
        ));
    }
    Ok(())
}

pub async fn create_vhost(rec: &Recorder, r: &RabbitCluster, name: &str) -> Result<(), AppError> {
    let cluster = r.id();
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "name",
            "a vhost name is not empty and has no control characters",
        ));
    }
    if r.vhosts().await?.iter().any(|v| v == name) {
        return Err(AppError::Conflict(format!(
            "vhost \"{name}\" already exists"
        )));
    }
    let a = attempt(rec, cluster, "create_vhost", seg(name), json!({}), None);
    rec.record(a, || async {
        r.put(&format!("vhosts/{}", seg(name)), &json!({}))
            .await
            .map_err(errors::on_field("name"))?;
        Ok(Applied {
            value: (),
            after: Some(json!({"vhost": name}).to_string()),
        })
    })
    .await
}

/// Deletes a vhost and everything in it, once its name is typed again.
pub async fn delete_vhost(
    rec: &Recorder,
    r: &RabbitCluster,
    name: &str,
    confirm: &str,
) -> Result<(), AppError> {
    let cluster = r.id();
    if confirm != name {
        return Err(AppError::invalid(
            "confirm",
            format!("type the vhost name \"{name}\" exactly to delete it and everything in it"),
        ));
    }
    if name == "/" {
        return Err(AppError::invalid(
            "name",
            "zkmq does not delete the default vhost \"/\"",
        ));
    }
    let queues = r.queue_count(name).await?;
    let a = attempt(
        rec,
        cluster,
        "delete_vhost",
        seg(name),
        json!({}),
        Some(json!({"queues": queues})),
    );
    let path = format!("vhosts/{}", seg(name));
    record_call(
        rec,
        r,
        a,
        (Method::DELETE, &path, None),
        errors::precondition,
    )
    .await
}

#[allow(clippy::too_many_arguments)] // the form's fields, as the server function receives them
pub async fn create_exchange(
    rec: &Recorder,
    r: &RabbitCluster,
    vhost: &str,
    name: &str,
    kind: &str,
    durable: bool,
    auto_delete: bool,
    internal: bool,
    arguments: &str,
) -> Result<(), AppError> {
    let cluster = r.id();
    check_vhost(vhost)?;
    validate_name("name", name)?;
    validate_exchange_type(kind)?;
    let args = parse_exchange_args(arguments)?;
    if r.exchange(vhost, name).await.is_ok() {
        return Err(AppError::Conflict(format!(
            "exchange \"{name}\" already exists in vhost \"{vhost}\""
        )));
    }
    let body = json!({"type": kind, "durable": durable, "auto_delete": auto_delete, "internal": internal, "arguments": args});
    let a = attempt(
        rec,
        cluster,
        "create_exchange",
        vhost_object(vhost, name),
        body.clone(),
        None,
    );
    let path = format!("exchanges/{}/{}", seg(vhost), seg(name));
    record_call(
        rec,
        r,
        a,
        (Method::PUT, &path, Some(body)),
        errors::on_field("arguments"),
    )
    .await
}

pub async fn delete_exchange(
    rec: &Recorder,
    r: &RabbitCluster,
    vhost: &str,
    name: &str,
    if_unused: bool,
) -> Result<(), AppError> {
    let cluster = r.id();
    check_vhost(vhost)?;
    if name.is_empty() || name.starts_with("amq.") {
        return Err(AppError::invalid(
            "name",
            "the default and amq.* exchanges cannot be deleted",
        ));
    }
    let before = r.exchange(vhost, name).await?;
    let a = attempt(
        rec,
        cluster,
        "delete_exchange",
        vhost_object(vhost, name),
        json!({"if_unused": if_unused}),
        Some(serde_json::to_value(&before).unwrap_or_default()),
    );
    let path = format!(
        "exchanges/{}/{}?if-unused={if_unused}",
        seg(vhost),
        seg(name)
    );
    record_call(
        rec,
        r,
        a,
        (Method::DELETE, &path, None),
        errors::precondition,
    )
    .await
}

pub async fn create_queue(
    rec: &Recorder,
    r: &RabbitCluster,
    vhost: &str,
    name: &str,
    durable: bool,
    auto_delete: bool,
    arguments: &str,
) -> Result<(), AppError> {
    let cluster = r.id();
    check_vhost(vhost)?;
    validate_name("name", name)?;
    let args = parse_queue_args(arguments)?;
    if args
        .get("x-queue-type")
        .and_then(Value::as_str)
        .is_some_and(|t| t != "classic")
        && (!durable || auto_delete)
    {
        return Err(AppError::invalid(
            "durable",
            "quorum queues and streams must be durable and not auto-delete",
        ));
    }
    let body = json!({"durable": durable, "auto_delete": auto_delete, "arguments": args});
    let a = attempt(
        rec,
        cluster,
        "create_queue",
        vhost_object(vhost, name),
        body.clone(),
        None,
    );
    rec
        .record(a, || async {
            let (status, _) = r
                .call(Method::PUT, &format!("queues/{}/{}", seg(vhost), seg(name)), Some(&body))
                .await
                .map_err(errors::on_field("arguments"))?;
            if status == 204 {
                // RabbitMQ answers 204 to a declare of a queue that already has these settings.
                return Err(AppError::Conflict(format!(
                    "queue \"{name}\" already exists in vhost \"{vhost}\" with the same settings; nothing changed"
                )));
            }
            Ok(Applied { value: (), after: Some(body.to_string()) })
        })
        .await
}

pub async fn delete_queue(
    rec: &Recorder,
    r: &RabbitCluster,
    vhost: &str,
    name: &str,
    if_empty: bool,
    if_unused: bool,
) -> Result<(), AppError> {
    let cluster = r.id();
    check_vhost(vhost)?;
    let before = r.queue(vhost, name).await?;
    let a = attempt(
        rec,
        cluster,
        "delete_queue",
        vhost_object(vhost, name),
        json!({"if_empty": if_empty, "if_unused": if_unused}),
        Some(
            json!({"type": before.row.kind, "ready": before.row.ready, "unacked": before.row.unacked, "consumers": before.row.consumers, "arguments": before.arguments, "durable": before.durable}),
        ),
    );
    rec.record(a, || async {
        let mut q = Vec::new();
        if if_empty {
            q.push("if-empty=true");
        }
        if if_unused {
            q.push("if-unused=true");
        }
        r.delete(&format!(
            "queues/{}/{}?{}",
            seg(vhost),
            seg(name),
            q.join("&")
        ))
        .await
        .map_err(errors::precondition)
        .map_err(|e| match e {
            AppError::Conflict(_) if if_empty || if_unused => AppError::Conflict(format!(
                "queue \"{name}\" was not deleted: it is not {}",
                if if_empty && if_unused {
                    "empty and unused"
                } else if if_empty {
                    "empty"
                } else {
                    "unused (it has consumers)"
                }
            )),
            other => other,
        })?;
        Ok(Applied {
            value: (),
            after: None,
        })
    })
    .await
}

/// Purges a queue once its name is typed again; records how many messages
/// it removed.
pub async fn purge_queue(
    rec: &Recorder,
    r: &RabbitCluster,
    vhost: &str,
    name: &str,
    confirm: &str,
) -> Result<u64, AppError> {
    let cluster = r.id();
    if confirm != name {
        return Err(AppError::invalid(
            "confirm",
            format!("type the queue name \"{name}\" exactly to purge it"),
        ));
    }
    let before = r.queue(vhost, name).await?;
    let a = attempt(
        rec,
        cluster,
        "purge_queue",
        vhost_object(vhost, name),
        json!({}),
        Some(json!({"ready": before.row.ready, "unacked": before.row.unacked})),
    );
    rec.record(a, || async {
        // AMQP's purge-ok carries the exact count removed; the management
        // API's counters (the "before" above) lag by a stats interval.
        let count = r.purge_raw(vhost, name).await?;
        Ok(Applied {
            value: count,
            after: Some(json!({"purged": count}).to_string()),
        })
    })
    .await
}

fn binding_path(
    vhost: &str,
    source: &str,
    dest_type: &str,
    dest: &str,
) -> Result<String, AppError> {
    let t = match dest_type {
        "queue" => "q",
        "exchange" => "e",
        other => {
            return Err(AppError::invalid(
                "destination_type",
                format!("\"{other}\" is not a destination type: queue or exchange"),
            ));
        }
    };
    Ok(format!(
        "bindings/{}/e/{}/{t}/{}",
        seg(vhost),
        seg(source),
        seg(dest)
    ))
}

// One argument per field of the binding form, after the recorder and the adapter.
#[allow(clippy::too_many_arguments)]
pub async fn create_binding(
    rec: &Recorder,
    r: &RabbitCluster,
    vhost: &str,
    source: &str,
    dest_type: &str,
    dest: &str,
    routing_key: &str,
    arguments: &str,
) -> Result<(), AppError> {
    let cluster = r.id();
    check_vhost(vhost)?;
    if source.is_empty() {
        return Err(AppError::invalid(
            "source",
            "the default exchange cannot be bound explicitly",
        ));
    }
    validate_name("destination", dest).or_else(|e| {
        if dest.starts_with("amq.") && dest_type == "exchange" {
            Ok(())
        } else {
            Err(e)
        }
    })?;
    let path = binding_path(vhost, source, dest_type, dest)?;
    let args = parse_binding_args(arguments)?;
    let body = json!({"routing_key": routing_key, "arguments": args});
    let a = attempt(
        rec,
        cluster,
        "create_binding",
        format!("{} → {dest_type} {dest}", vhost_object(vhost, source)),
        body.clone(),
        None,
    );
    record_call(
        rec,
        r,
        a,
        (Method::POST, &path, Some(body)),
        errors::on_field("arguments"),
    )
    .await
}

pub async fn delete_binding(
    rec: &Recorder,
    r: &RabbitCluster,
    vhost: &str,
    source: &str,
    dest_type: &str,
    dest: &str,
    properties_key: &str,
) -> Result<(), AppError> {
    let cluster = r.id();
    check_vhost(vhost)?;
    let path = binding_path(vhost, source, dest_type, dest)?;
    let before = r
        .bindings(vhost)
        .await?
        .into_iter()
        .find(|b| {
            b.source == source
                && b.destination == dest
                && b.destination_type == dest_type
                && b.properties_key == properties_key
        })
        .ok_or_else(|| AppError::NotFound {
            what: format!("binding {source} → {dest} ({properties_key}) in vhost \"{vhost}\""),
        })?;
    let a = attempt(
        rec,
        cluster,
        "delete_binding",
        format!("{} → {dest_type} {dest}", vhost_object(vhost, source)),
        json!({"properties_key": properties_key}),
        Some(serde_json::to_value(&before).unwrap_or_default()),
    );
    let path = format!("{path}/{}", seg(properties_key));
    record_call(
        rec,
        r,
        a,
        (Method::DELETE, &path, None),
        errors::precondition,
    )
    .await
}

/// Creates or replaces a (user or operator) policy.
#[allow(clippy::too_many_arguments)]
pub async fn put_policy(
    rec: &Recorder,
    r: &RabbitCluster,
    vhost: &str,
    name: &str,
    pattern: &str,
    apply_to: &str,
    priority: &str,
    definition: &str,
    operator: bool,
) -> Result<(), AppError> {
    let cluster = r.id();
    check_vhost(vhost)?;
    validate_name("name", name)?;
    if pattern.is_empty() {
        return Err(AppError::invalid(
            "pattern",
            "is empty: a regex over queue/exchange names, e.g. ^orders\\.",
        ));
    }
    crate::fields::check_pattern_len("pattern", pattern)?;
    if crate::runtime::bounded_regex("pattern", pattern).is_err() {
        return Err(AppError::invalid(
            "pattern",
            format!("\"{pattern}\" is not a valid regex"),
        ));
    }
    if !APPLY_TO.contains(&apply_to) {
        return Err(AppError::invalid(
            "apply_to",
            format!("must be one of {}", APPLY_TO.join(", ")),
        ));
    }
    let priority: i64 = priority.trim().parse().map_err(|_| {
        AppError::invalid("priority", format!("\"{priority}\" is not a whole number"))
    })?;
    let def = parse_policy_definition(definition, operator)?;
    let before = r.policy(vhost, name, operator).await?;
    let body =
        json!({"pattern": pattern, "apply-to": apply_to, "priority": priority, "definition": def});
    let kind = if operator {
        "operator-policies"
    } else {
        "policies"
    };
    let a = attempt(
        rec,
        cluster,
        if operator {
            "put_operator_policy"
        } else {
            "put_policy"
        },
        vhost_object(vhost, name),
        body.clone(),
        before.map(|b| serde_json::to_value(&b).unwrap_or_default()),
    );
    let path = format!("{kind}/{}/{}", seg(vhost), seg(name));
    record_call(
        rec,
        r,
        a,
        (Method::PUT, &path, Some(body)),
        errors::on_field("definition"),
    )
    .await
}

pub async fn delete_policy(
    rec: &Recorder,
    r: &RabbitCluster,
    vhost: &str,
    name: &str,
    operator: bool,
) -> Result<(), AppError> {
    let cluster = r.id();
    check_vhost(vhost)?;
    let before = r
        .policy(vhost, name, operator)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: format!("policy \"{name}\" in vhost \"{vhost}\""),
        })?;
    let kind = if operator {
        "operator-policies"
    } else {
        "policies"
    };
    let a = attempt(
        rec,
        cluster,
        if operator {
            "delete_operator_policy"
        } else {
            "delete_policy"
        },
        vhost_object(vhost, name),
        json!({}),
        Some(serde_json::to_value(&before).unwrap_or_default()),
    );
    let path = format!("{kind}/{}/{}", seg(vhost), seg(name));
    record_call(
        rec,
        r,
        a,
        (Method::DELETE, &path, None),
        errors::precondition,
    )
    .await
}

/// Publishes one text message; says whether a queue took it.
#[allow(clippy::too_many_arguments)]
pub async fn publish(
    rec: &Recorder,
    r: &RabbitCluster,
    vhost: &str,
    exchange: &str,
    routing_key: &str,
    content_type: &str,
    persistent: bool,
    headers: &str,
    body: &str,
) -> Result<bool, AppError> {
    let cluster = r.id();
    check_vhost(vhost)?;
    if body.len() > MAX_PUBLISH_BYTES {
        return Err(AppError::invalid(
            "body",
            format!(
                "is {} bytes; zkmq publishes at most {MAX_PUBLISH_BYTES}",
                body.len()
            ),
        ));
    }
    let headers = crate::fields::parse_headers(headers)?;
    let spec = PublishSpec {
        vhost: vhost.to_string(),
        exchange: exchange.to_string(),
        routing_key: routing_key.to_string(),
        content_type: Some(content_type.trim().to_string()).filter(|c| !c.is_empty()),
        persistent,
        headers,
    };
    let kept: String = body.chars().take(4_096).collect();
    let params = json!({
        "routing_key": routing_key, "content_type": spec.content_type, "persistent": persistent,
        "headers": spec.headers, "body": kept, "body_bytes": body.len(),
    });
    let target = vhost_object(vhost, exchange);
    let a = attempt(rec, cluster, "publish_message", target, params, None);
    rec.record(a, || async {
        let routed = r.publish_raw(&spec, body.as_bytes()).await?;
        Ok(Applied {
            value: routed,
            after: Some(json!({"routed": routed}).to_string()),
        })
    })
    .await
}

/// Gets messages from a classic or quorum queue and requeues them — they
/// come back marked redelivered. Recorded, because it changes them.
pub async fn get_requeue(
    rec: &Recorder,
    r: &RabbitCluster,
    vhost: &str,
    queue: &str,
    count: &str,
    confirmed: bool,
) -> Result<InspectResult, AppError> {
    let cluster = r.id();
    let count = crate::fields::parse_count("count", count, 1, MAX_GET.into())? as u16;
    if !confirmed {
        return Err(AppError::invalid(
            "confirm",
            "this is not a peek: getting and requeueing marks the messages redelivered; confirm to go ahead",
        ));
    }
    let a = attempt(
        rec,
        cluster,
        "get_requeue_messages",
        vhost_object(vhost, queue),
        json!({"count": count}),
        None,
    );
    rec.record(a, || async {
        let res = r.get_requeue_raw(vhost, queue, count).await?;
        let n = res.messages.len();
        Ok(Applied {
            value: res,
            after: Some(json!({"requeued": n}).to_string()),
        })
    })
    .await
}

/// The parts of the definitions an import plan compares.
fn comparable(defs: &Value) -> Value {
    Value::Object(
        DEFINITION_KINDS
            .iter()
            .filter_map(|k| defs.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect(),
    )
}

/// The plan of an import: its items hashed with the file. The items carry
/// the current state of what they name (not the whole broker: unrelated
/// changes must not void a plan).
fn plan_of(file: &str, current: &Value, parsed: &Value) -> Result<DefinitionPlan, AppError> {
    Ok(DefinitionPlan::new(
        plan_definitions(current, parsed)?,
        &file,
    ))
}

fn parse_file(file: &str) -> Result<Value, AppError> {
    serde_json::from_str(file).map_err(|e| AppError::invalid("file", format!("is not JSON: {e}")))
}

/// The dry run: what an import of `file` would create, update or leave.
pub async fn plan_import(r: &RabbitCluster, file: &str) -> Result<DefinitionPlan, AppError> {
    let parsed = parse_file(file)?;
    let current = r.definitions().await?;
    plan_of(file, &current, &parsed)
}

/// Applies an import whose plan hash is `planned`; refuses if the file or the
/// broker's definitions changed since. Users and permissions in the file are
/// left out (zkmq does not manage credentials).
pub async fn import_definitions(
    rec: &Recorder,
    r: &RabbitCluster,
    file: &str,
    planned: &str,
) -> Result<usize, AppError> {
    let cluster = r.id();
    let parsed = parse_file(file)?;
    let current = r.definitions().await?;
    let plan = plan_of(file, &current, &parsed)?;
    plan.check("plan_hash", planned)?;
    let items = plan.items;
    let changes = items
        .iter()
        .filter(|i| i.action != DefinitionAction::Unchanged)
        .count();
    let body = comparable(&parsed);
    let before = comparable(&current);
    let summary = json!({
        "create": items.iter().filter(|i| i.action == DefinitionAction::Create).map(|i| format!("{} {}", i.kind, i.name)).collect::<Vec<_>>(),
        "update": items.iter().filter(|i| i.action == DefinitionAction::Update).map(|i| format!("{} {} ({})", i.kind, i.name, i.detail)).collect::<Vec<_>>(),
    });
    let a = attempt(
        rec,
        cluster,
        "import_definitions",
        "definitions".into(),
        summary,
        Some(before),
    );
    rec.record(a, || async {
        r.post("definitions", &body)
            .await
            .map_err(errors::on_field("file"))?;
        let after = r
            .definitions()
            .await
            .map(|d| comparable(&d).to_string())
            .ok();
        Ok(Applied {
            value: changes,
            after,
        })
    })
    .await
}
