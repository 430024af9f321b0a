//! RabbitMQ pages.

use super::api::get_rabbitmq_summary;
use super::model::RabbitSummary;
use crate::components::{Field, error_banners, use_ticker};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/rabbitmq/:cluster`: version and object totals, refreshed every 5 s.
#[component]
pub fn RabbitPage() -> impl IntoView {
    let params = use_params_map();
    let cluster = move || params.read().get("cluster").unwrap_or_default();
    let tick = use_ticker(5_000);
    let summary = Resource::new(
        move || (cluster(), tick.get()),
        |(c, _)| get_rabbitmq_summary(c),
    );
    view! {
        <Title text=move || format!("RabbitMQ {} · zkmq", cluster()) />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || summary.get().map(|r| r.map(|s| view! { <RabbitOverview summary=s /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn RabbitOverview(summary: RabbitSummary) -> impl IntoView {
    let unknown = || "unknown".to_string();
    let o = summary.overview;
    view! {
        <h1 class="mb-4 text-2xl font-semibold">{summary.cluster.name.clone()}</h1>
        <dl class="max-w-md">
            <Field label="RabbitMQ version" value=o.version.clone().unwrap_or_else(unknown) />
            <Field label="Erlang version" value=o.erlang_version.clone().unwrap_or_else(unknown) />
            <Field label="Cluster name" value=o.cluster_name.clone().unwrap_or_else(unknown) />
            <Field label="Node" value=o.node.clone().unwrap_or_else(unknown) />
            <Field label="Queues" value=o.queues.to_string() />
            <Field label="Exchanges" value=o.exchanges.to_string() />
            <Field label="Connections" value=o.connections.to_string() />
            <Field label="Channels" value=o.channels.to_string() />
            <Field label="Consumers" value=o.consumers.to_string() />
            <Field label="Messages ready" value=o.messages_ready.to_string() />
            <Field label="Messages unacknowledged" value=o.messages_unacknowledged.to_string() />
        </dl>
    }
}
