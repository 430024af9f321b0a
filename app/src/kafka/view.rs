//! Kafka pages.

use super::api::get_kafka_summary;
use super::model::KafkaSummary;
use crate::components::{Field, TableHead, error_banners, use_ticker};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/kafka/:cluster`: brokers and counts, refreshed every 5 s.
#[component]
pub fn KafkaPage() -> impl IntoView {
    let params = use_params_map();
    let cluster = move || params.read().get("cluster").unwrap_or_default();
    let tick = use_ticker(5_000);
    let summary = Resource::new(
        move || (cluster(), tick.get()),
        |(c, _)| get_kafka_summary(c),
    );
    view! {
        <Title text=move || format!("Kafka {} · zkmq", cluster()) />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || summary.get().map(|r| r.map(|s| view! { <KafkaOverview summary=s /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn KafkaOverview(summary: KafkaSummary) -> impl IntoView {
    view! {
        <h1 class="mb-4 text-2xl font-semibold">{summary.cluster.name.clone()}</h1>
        <dl class="mb-6 max-w-md">
            <Field label="Version" value=summary.version.clone().unwrap_or_else(|| "unknown".into()) />
            <Field label="Brokers" value=summary.brokers.len().to_string() />
            <Field label="Topics" value=summary.topics.to_string() />
            <Field label="Internal topics" value=summary.internal_topics.to_string() />
            <Field label="Partitions" value=summary.partitions.to_string() />
            <Field label="Under-replicated partitions" value=summary.under_replicated.to_string() />
        </dl>
        <table class="w-full border-collapse text-left text-sm">
            <caption class="sr-only">"Brokers"</caption>
            <TableHead columns=&["Broker id", "Address"] />
            <tbody>
                {summary
                    .brokers
                    .into_iter()
                    .map(|b| view! {
                        <tr class="border-b border-slate-200 dark:border-slate-800">
                            <th scope="row" class="py-2 pr-4 font-mono font-normal">{b.id}</th>
                            <td class="py-2 font-mono">{format!("{}:{}", b.host, b.port)}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
