//! Kafka server functions.

use super::model::KafkaSummary;
use crate::error::AppError;
use leptos::prelude::*;

/// Brokers, topic and partition counts, and the release line.
#[server(endpoint = "get_kafka_summary")]
pub async fn get_kafka_summary(cluster: String) -> Result<KafkaSummary, AppError> {
    let kafka = crate::ssr::services()?.kafka(&cluster)?;
    kafka.summary().await
}
