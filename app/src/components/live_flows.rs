//! A flow view's graph, drawn as SVG columns (e.g. exchanges → queues →
//! consumers): every node a link to its page, edges as thick as their rate,
//! a filter by name (matches and their neighbours stay) and "only moving",
//! so a graph of 200 nodes per column stays readable.

use super::live_tab::{LiveView, ViewState};
use crate::live::model::{FlowGraph, FlowNode};
use crate::zookeeper::logic::format_millis;
use leptos::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

const ROW: f64 = 48.0;
const TOP: f64 = 36.0;
const WIDTH: f64 = 1100.0;
const NODE_W: f64 = 290.0;
const NODE_H: f64 = 38.0;

/// Which nodes to draw: those matching `filter` and their neighbours, and
/// with `moving` only those with traffic (or a warning).
fn visible(g: &FlowGraph, filter: &str, moving: bool) -> BTreeSet<String> {
    let f = filter.trim().to_lowercase();
    let live = |n: &FlowNode| !moving || n.warn || n.rate.is_some_and(|r| r > 0.0);
    let mut keep: BTreeSet<String> = g
        .nodes
        .iter()
        .filter(|n| live(n) && (f.is_empty() || n.label.to_lowercase().contains(&f)))
        .map(|n| n.id.clone())
        .collect();
    if !f.is_empty() {
        let live_ids: BTreeSet<&str> = g
            .nodes
            .iter()
            .filter(|n| live(n))
            .map(|n| n.id.as_str())
            .collect();
        let extra: Vec<String> = g
            .edges
            .iter()
            .filter_map(|e| {
                if keep.contains(&e.from) && live_ids.contains(e.to.as_str()) {
                    Some(e.to.clone())
                } else if keep.contains(&e.to) && live_ids.contains(e.from.as_str()) {
                    Some(e.from.clone())
                } else {
                    None
                }
            })
            .collect();
        keep.extend(extra);
    }
    keep
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

#[component]
pub fn FlowGraphView(view: LiveView) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let moving = RwSignal::new(false);
    let drawn = move || {
        let g = view.graph.get()?;
        let keep = visible(&g, &filter.get(), moving.get());
        let cols = g.columns.len().max(1);
        let col_x =
            |c: u8| 10.0 + f64::from(c) * (WIDTH - NODE_W - 20.0) / (cols.max(2) - 1) as f64;
        // Position of every drawn node: its column, in the graph's order.
        let mut rows = vec![0usize; cols];
        let mut at: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        let mut nodes = Vec::new();
        for n in g.nodes.iter().filter(|n| keep.contains(&n.id)) {
            let c = usize::from(n.column).min(cols - 1);
            let (x, y) = (col_x(n.column), TOP + rows[c] as f64 * ROW);
            rows[c] += 1;
            at.insert(n.id.clone(), (x, y));
            nodes.push((n.clone(), x, y));
        }
        let height = TOP + rows.iter().copied().max().unwrap_or(0) as f64 * ROW + 10.0;
        let edges: Vec<_> = g
            .edges
            .iter()
            .filter_map(|e| {
                let (fx, fy) = at.get(&e.from)?;
                let (tx, ty) = at.get(&e.to)?;
                Some((
                    e.clone(),
                    fx + NODE_W,
                    fy + NODE_H / 2.0,
                    *tx,
                    ty + NODE_H / 2.0,
                ))
            })
            .collect();
        let summary = format!(
            "{} of {} nodes and {} edges drawn · read {} · {}",
            nodes.len(),
            g.nodes.len(),
            edges.len(),
            format_millis(g.at_ms),
            g.source
        );
        Some((g, nodes, edges, height, summary))
    };
    view! {
        <div class="flex flex-wrap items-end gap-4">
            <label class="flex flex-col gap-1 text-sm">
                <span>"Filter by name"</span>
                <input type="search" class="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-900"
                    prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev)) />
            </label>
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" prop:checked=move || moving.get() on:change=move |ev| moving.set(event_target_checked(&ev)) />
                "Only nodes with traffic (or a warning)"
            </label>
            <span role="status" aria-label="Flow state" class="rounded bg-slate-200 px-2 py-0.5 text-xs dark:bg-slate-800">
                {move || view.state.get().label()}
            </span>
        </div>
        {move || match drawn() {
            None => view! {
                <p class="mt-4 text-sm">{move || if view.state.get() == ViewState::Failed { "The graph could not be read." } else { "Reading the first figures…" }}</p>
            }.into_any(),
            Some((g, nodes, edges, height, summary)) => view! {
                <p class="mt-3 text-sm" aria-label="Flow summary">{summary}</p>
                {g.truncated.map(|t| view! { <p class="text-sm text-amber-700 dark:text-amber-400">{t}</p> })}
                <div class="mt-2 overflow-x-auto rounded border border-slate-200 dark:border-slate-700">
                    // Edges are SVG; nodes are HTML links over it (an `<a>`
                    // made in the browser would be an HTML element inside the
                    // SVG, which draws nothing).
                    <div role="group" aria-label="Flow graph" class="relative text-slate-700 dark:text-slate-300"
                        style=format!("width:{WIDTH}px;height:{height}px")>
                        <svg viewBox=format!("0 0 {WIDTH} {height}") width=WIDTH height=height class="absolute inset-0" aria-hidden="true">
                            {edges.iter().map(|(e, x1, y1, x2, y2)| {
                                let width = 1.0 + e.rate.map_or(0.0, |r| (r + 1.0).log10() * 1.5);
                                let mid = (x1 + x2) / 2.0;
                                view! {
                                    <path d=format!("M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}") fill="none"
                                        class="stroke-sky-500/60 dark:stroke-sky-400/60" stroke-width=width />
                                }
                            }).collect_view()}
                            // Labels only while they can be read.
                            {(edges.len() <= 60).then(|| edges.iter().map(|(e, x1, y1, x2, y2)| view! {
                                <text x=x1 + (x2 - x1) * 0.55 y=y1 + (y2 - y1) * 0.55 - 3.0 class="fill-current text-[10px]">{short(&e.label, 36)}</text>
                            }).collect_view())}
                        </svg>
                        {g.columns.iter().enumerate().map(|(i, c)| {
                            let x = 10.0 + i as f64 * (WIDTH - NODE_W - 20.0) / (g.columns.len().max(2) - 1) as f64;
                            view! { <span class="absolute text-sm font-semibold" style=format!("left:{x}px;top:6px")>{c.clone()}</span> }
                        }).collect_view()}
                        {nodes.into_iter().map(|(n, x, y)| {
                            let label = format!("{}: {}", n.label, n.detail);
                            let border = if n.warn { "border-amber-500 border-2" } else { "border-slate-400 dark:border-slate-500" };
                            let fill = if n.rate.is_some_and(|r| r > 0.0) { "bg-sky-50 dark:bg-sky-950" } else { "bg-white dark:bg-slate-900" };
                            view! {
                                <a href=n.href.clone() aria-label=label.clone() title=label
                                    class=format!("absolute flex flex-col justify-center overflow-hidden rounded border px-2 hover:ring-2 hover:ring-sky-400 focus-visible:ring-2 focus-visible:ring-sky-500 {border} {fill}")
                                    style=format!("left:{x}px;top:{y}px;width:{NODE_W}px;height:{NODE_H}px")>
                                    <span class="truncate font-mono text-xs">{n.label.clone()}</span>
                                    <span class="truncate text-[10px]">{n.detail.clone()}</span>
                                </a>
                            }
                        }).collect_view()}
                    </div>
                </div>
            }.into_any(),
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::model::FlowEdge;

    fn node(id: &str, rate: Option<f64>) -> FlowNode {
        FlowNode {
            id: id.into(),
            column: u8::from(id.starts_with("g:")),
            label: id[2..].into(),
            href: String::new(),
            detail: String::new(),
            rate,
            warn: false,
        }
    }

    #[test]
    fn a_filter_keeps_matches_and_their_neighbours() {
        let g = FlowGraph {
            nodes: vec![
                node("t:orders", Some(5.0)),
                node("t:audit", None),
                node("g:billing", Some(0.0)),
            ],
            edges: vec![FlowEdge {
                from: "t:orders".into(),
                to: "g:billing".into(),
                label: String::new(),
                rate: None,
            }],
            ..Default::default()
        };
        let ids = |f: &str, m: bool| visible(&g, f, m).into_iter().collect::<Vec<_>>();
        assert_eq!(ids("", false).len(), 3);
        assert_eq!(ids("bill", false), ["g:billing", "t:orders"]);
        assert_eq!(ids("", true), ["t:orders"], "only moving");
        assert_eq!(short("abcdef", 4), "abc…");
    }
}
