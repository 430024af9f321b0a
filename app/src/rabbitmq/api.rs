//! RabbitMQ server functions.

use super::model::RabbitSummary;
use crate::error::AppError;
use leptos::prelude::*;

/// The broker's version, node and object totals.
#[server(endpoint = "get_rabbitmq_summary")]
pub async fn get_rabbitmq_summary(cluster: String) -> Result<RabbitSummary, AppError> {
    let rabbit = crate::ssr::services()?.rabbitmq(&cluster)?;
    rabbit.summary().await
}
