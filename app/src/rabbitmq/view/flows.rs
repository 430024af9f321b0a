//! `/rabbitmq/:cluster/flows?vhost=…`: exchanges → queues → consumers of a
//! vhost with the broker's rates, live over the tab's socket.

use super::RabbitNav;
use crate::auth::model::Permission;
use crate::components::{
    ErrorBanner, FlowGraphView, Guarded, PAGE_TITLE, cluster_param, use_live_tab,
};
use crate::error::Backend;
use crate::fields::url_segment;
use crate::live::model::{LiveFilter, LiveSource};
use crate::rabbitmq::api::get_rabbitmq_detail;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

#[component]
pub fn RabbitFlowsPage() -> impl IntoView {
    let cluster = cluster_param();
    let query = use_query_map();
    let vhost = Memo::new(move |_| {
        query.with(|q| {
            q.get("vhost")
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "/".into())
        })
    });
    view! {
        <Title text=move || format!("Flows · RabbitMQ {} · zkmq", cluster.get()) />
        <RabbitNav cluster=cluster.get_untracked() current="Flows" />
        <h1 class=PAGE_TITLE>"Flows"</h1>
        <Guarded backend=Backend::Rabbitmq cluster=cluster.get_untracked() need=Permission::Read>
            <VhostChoice cluster=cluster.get_untracked() vhost=vhost />
            // A new vhost is a new view (the old one closes with its component).
            {move || {
                let v = vhost.get();
                view! { <Flows cluster=cluster.get_untracked() vhost=v /> }
            }}
        </Guarded>
    }
}

/// The vhosts the broker has; choosing one writes it to the address.
#[component]
fn VhostChoice(cluster: String, vhost: Memo<String>) -> impl IntoView {
    let c = cluster.clone();
    let vhosts = Resource::new(
        move || c.clone(),
        |c| async move { get_rabbitmq_detail(c).await.map(|d| d.vhosts) },
    );
    let navigate = use_navigate();
    view! {
        <Suspense fallback=|| ()>
            {move || vhosts.get().map(|r| {
                let list = r.unwrap_or_else(|_| vec![vhost.get_untracked()]);
                let (cluster, navigate) = (cluster.clone(), navigate.clone());
                view! {
                    <label class="mb-3 flex max-w-xs flex-col gap-1 text-sm">
                        <span>"Vhost"</span>
                        <select aria-label="Vhost" class="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-900"
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                navigate(&format!("/rabbitmq/{}/flows?vhost={}", url_segment(&cluster), url_segment(&v)), Default::default());
                            }>
                            {list.into_iter().map(|v| {
                                let selected = v == vhost.get_untracked();
                                view! { <option value=v.clone() selected=selected>{v.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                }
            })}
        </Suspense>
    }
}

#[component]
fn Flows(cluster: String, vhost: String) -> impl IntoView {
    let view = use_live_tab().open(
        LiveSource::RabbitFlows { cluster, vhost },
        LiveFilter::default(),
    );
    view! {
        <p class="mb-3 max-w-3xl text-sm">
            "Exchanges with bindings (or traffic), the queues they feed, and the connections consuming from them. A queue holding messages with no consumer is outlined in amber. An exchange opens its live tap."
        </p>
        {move || view.error.get().map(|e| view! { <ErrorBanner message=e.to_string() /> })}
        <FlowGraphView view=view />
    }
}
