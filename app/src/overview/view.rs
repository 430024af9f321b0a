//! Overview page (every cluster, live), backend index pages and the picker.

use super::api::get_overview;
use super::model::{OVERVIEW_WS_PATH, Overview};
use crate::clusters::logic::{format_latency, group_by_backend};
use crate::clusters::model::ClusterStatus;
use crate::components::{
    KnownClusters, LiveOrFirst, StatusBadge, TableHead, error_banners, use_live_json,
};
use crate::error::Backend;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};

#[component]
pub fn OverviewPage() -> impl IntoView {
    let initial = Resource::new(|| (), |_| get_overview());
    let (live, state) = use_live_json::<Overview>(OVERVIEW_WS_PATH);
    view! {
        <Title text="Overview · zkmq" />
        <div class="mb-4 flex items-baseline justify-between">
            <h1 class="text-2xl font-semibold">"Overview"</h1>
            <p class="text-sm text-slate-600 dark:text-slate-400" aria-live="polite">
                "Status: " <span data-testid="live-state">{move || state.get().label()}</span>
            </p>
        </div>
        <LiveOrFirst
            initial=initial
            live=live
            render=|ov: Overview| view! { <OverviewTable overview=ov /> }
        />
    }
}

#[component]
fn OverviewTable(overview: Overview) -> impl IntoView {
    if overview.clusters.is_empty() {
        // The list holds only what the caller may read: no grant, no clusters.
        let roleless = use_context::<crate::components::Me>()
            .and_then(|crate::components::Me(p)| p)
            .is_some_and(|p| p.grants.is_empty());
        return if roleless {
            view! { <p>"You have no role on any cluster yet. Ask an admin to grant you one (for example viewer on */*)."</p> }.into_any()
        } else {
            view! { <p>"No clusters are configured. Add [[zookeeper]], [[kafka]] or [[rabbitmq]] entries to the config file."</p> }.into_any()
        };
    }
    let every = format!("Probed every {} ms.", overview.probe_interval_ms);
    view! {
        <table class="w-full border-collapse text-left text-sm">
            <caption class="sr-only">"Configured clusters and their health"</caption>
            <TableHead columns=&["Cluster", "Backend", "Status", "Version", "Latency", "Detail"] />
            <tbody>
                {overview.clusters.into_iter().map(|s| view! { <OverviewRow status=s /> }).collect_view()}
            </tbody>
        </table>
        <p class="mt-2 text-xs text-slate-500">{every}</p>
    }
    .into_any()
}

#[component]
fn OverviewRow(status: ClusterStatus) -> impl IntoView {
    let c = status.cluster.clone();
    let row_name = format!("{} {}", c.backend, c.name);
    view! {
        <tr class="border-b border-slate-200 dark:border-slate-800" aria-label=row_name data-cluster=format!("{}/{}", c.backend.slug(), c.id)>
            <td class="py-2 pr-4"><A href=c.href() attr:class="font-medium underline">{c.name.clone()}</A></td>
            <td class="py-2 pr-4">{c.backend.to_string()}</td>
            <td class="py-2 pr-4"><StatusBadge reachability=status.reachability /></td>
            <td class="py-2 pr-4 font-mono" data-field="version">{status.version.clone().unwrap_or_else(|| "—".into())}</td>
            <td class="py-2 pr-4 font-mono" data-field="latency">{format_latency(status.latency_ms)}</td>
            <td class="py-2 text-slate-700 dark:text-slate-300">{status.detail.clone()}</td>
        </tr>
    }
}

/// `/zookeeper`, `/kafka`, `/rabbitmq`: the clusters of one backend.
#[component]
pub fn BackendIndexPage(backend: Backend) -> impl IntoView {
    let clusters = expect_context::<KnownClusters>().0;
    view! {
        <Title text=format!("{backend} · zkmq") />
        <h1 class="mb-4 text-2xl font-semibold">{backend.to_string()}</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || {
                    clusters
                        .get()
                        .map(|r| {
                            r.map(|all| {
                                let mine: Vec<_> = all.into_iter().filter(|c| c.backend == backend).collect();
                                if mine.is_empty() {
                                    view! { <p>{format!("No {backend} cluster is configured.")}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="list-disc pl-6">
                                            {mine
                                                .into_iter()
                                                .map(|c| view! { <li><A href=c.href() attr:class="underline">{c.name.clone()}</A>" (" {c.id.clone()} ")"</li> })
                                                .collect_view()}
                                        </ul>
                                    }
                                        .into_any()
                                }
                            })
                        })
                }}
            </ErrorBoundary>
        </Suspense>
    }
}

/// Header select that jumps to any configured cluster's page.
#[component]
pub fn ClusterPicker() -> impl IntoView {
    let clusters = expect_context::<KnownClusters>().0;
    let location = use_location();
    let navigate = use_navigate();
    let on_change = move |ev: leptos::ev::Event| {
        let href = event_target_value(&ev);
        if !href.is_empty() {
            navigate(&href, Default::default());
        }
    };
    view! {
        <label class="flex items-center gap-2 text-sm">
            "Cluster"
            <select
                on:change=on_change
                class="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
            >
                <option value="">"Choose…"</option>
                <Suspense>
                    {move || {
                        let path = location.pathname.get();
                        clusters
                            .get()
                            .and_then(|r| r.ok())
                            .map(|all| {
                                group_by_backend(&all)
                                    .into_iter()
                                    .map(|(b, list)| {
                                        let path = path.clone();
                                        view! {
                                            <optgroup label=b.to_string()>
                                                {list
                                                    .into_iter()
                                                    .map(|c| {
                                                        let href = c.href();
                                                        let selected = path == href || path.starts_with(&format!("{href}/"));
                                                        // The property as well as the attribute: once someone has
                                                        // picked an option, the attribute no longer moves the
                                                        // selection (and unselecting all resets it to "Choose…").
                                                        view! { <option value=href selected=selected prop:selected=selected>{c.name.clone()}</option> }
                                                    })
                                                    .collect_view()}
                                            </optgroup>
                                        }
                                    })
                                    .collect_view()
                            })
                    }}
                </Suspense>
            </select>
        </label>
    }
}
