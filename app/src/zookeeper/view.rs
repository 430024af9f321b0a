//! ZooKeeper pages.

use super::api::get_ensemble_summary;
use super::logic::has_quorum;
use super::model::{EnsembleSummary, ZkMember};
use crate::clusters::logic::format_latency;
use crate::components::{ErrorBanner, TableHead, error_banners, use_ticker};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/ensemble/:cluster`: the ensemble's members, refreshed every 5 s.
#[component]
pub fn EnsemblePage() -> impl IntoView {
    let params = use_params_map();
    let cluster = move || params.read().get("cluster").unwrap_or_default();
    let tick = use_ticker(5_000);
    let summary = Resource::new(
        move || (cluster(), tick.get()),
        |(c, _)| get_ensemble_summary(c),
    );
    view! {
        <Title text=move || format!("ZooKeeper {} · zkmq", cluster()) />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || summary.get().map(|r| r.map(|s| view! { <Ensemble summary=s /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Ensemble(summary: EnsembleSummary) -> impl IntoView {
    let serving = summary.serving();
    let total = summary.members.len();
    let banner = (!has_quorum(serving, total)).then(|| {
        view! {
            <ErrorBanner message=format!(
                "ZooKeeper cluster \"{}\" is unreachable: only {serving} of {total} members are serving, which is not a quorum.",
                summary.cluster.id,
            ) />
        }
    });
    view! {
        <h1 class="mb-1 text-2xl font-semibold">{summary.cluster.name.clone()}</h1>
        <p class="mb-4 text-sm text-slate-600 dark:text-slate-400">
            {format!("ZooKeeper ensemble \"{}\" · {serving} of {total} members serving", summary.cluster.id)}
        </p>
        {banner}
        <table class="mt-4 w-full border-collapse text-left text-sm">
            <caption class="sr-only">"Ensemble members"</caption>
            <TableHead columns=&["Member", "Mode", "Version", "Zxid", "Znodes", "Connections", "Round trip"] />
            <tbody>{summary.members.into_iter().map(|m| view! { <MemberRow member=m /> }).collect_view()}</tbody>
        </table>
    }
}

#[component]
fn MemberRow(member: ZkMember) -> impl IntoView {
    let info = member.info.clone().unwrap_or_default();
    let mode = info
        .mode
        .clone()
        .unwrap_or_else(|| member.error.clone().unwrap_or_else(|| "not serving".into()));
    let dash = || "—".to_string();
    view! {
        <tr class="border-b border-slate-200 dark:border-slate-800" aria-label=member.address.clone()>
            <th scope="row" class="py-2 pr-4 font-mono font-normal">{member.address.clone()}</th>
            <td class="py-2 pr-4">{mode}</td>
            <td class="py-2 pr-4 font-mono">{info.version.clone().unwrap_or_else(dash)}</td>
            <td class="py-2 pr-4 font-mono">{info.zxid.clone().unwrap_or_else(dash)}</td>
            <td class="py-2 pr-4 font-mono">{info.node_count.map(|n| n.to_string()).unwrap_or_else(dash)}</td>
            <td class="py-2 pr-4 font-mono">{info.connections.map(|n| n.to_string()).unwrap_or_else(dash)}</td>
            <td class="py-2 font-mono">{format_latency(member.rtt_ms)}</td>
        </tr>
    }
}
