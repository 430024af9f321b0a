//! `/kafka/:cluster/flows`: topics → consumer groups with produce and
//! consume rates and lag, live over the tab's socket.

use super::KafkaNav;
use crate::auth::model::Permission;
use crate::components::{FlowGraphView, Guarded, PAGE_TITLE, cluster_param, use_live_tab};
use crate::error::Backend;
use crate::live::model::{LiveFilter, LiveSource};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn KafkaFlowsPage() -> impl IntoView {
    let cluster = cluster_param();
    view! {
        <Title text=move || format!("Flows · Kafka {} · zkmq", cluster.get()) />
        <KafkaNav cluster=cluster.get_untracked() current="Flows" />
        <h1 class=PAGE_TITLE>"Flows"</h1>
        <Guarded backend=Backend::Kafka cluster=cluster.get_untracked() need=Permission::Read>
            <Flows cluster=cluster.get_untracked() />
        </Guarded>
    }
}

#[component]
fn Flows(cluster: String) -> impl IntoView {
    let view = use_live_tab().open(LiveSource::KafkaFlows { cluster }, LiveFilter::default());
    view! {
        <p class="mb-3 max-w-3xl text-sm">
            "Each topic's produce rate (its end offsets), each consumer group's consume rate (its committed offsets) and lag per topic. A group whose lag grew since the last read is outlined in amber."
        </p>
        {move || view.error.get().map(|e| view! { <crate::components::ErrorBanner message=e.to_string() /> })}
        <FlowGraphView view=view />
    }
}
