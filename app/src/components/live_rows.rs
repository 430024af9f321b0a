//! What every live view shows: its counters, a rate chart of the last five
//! minutes, and its rows in a virtualized list (only the rows on screen are
//! in the DOM, whatever the ring holds).

use super::live_tab::{LiveView, ViewState};
use super::use_ticker;
use crate::fields::grouped;
use crate::live::logic::ring::{RING_ROWS, chart_points, visible_rows};
use crate::live::model::LiveRow;
use leptos::prelude::*;

/// Height of one list row (px); fixed, so the list knows where each row is.
pub const ROW_PX: f64 = 28.0;
/// The list's viewport (px): 16 rows.
const VIEWPORT_PX: f64 = 448.0;
/// Rows rendered above and below the viewport.
const OVERSCAN: usize = 8;

/// Exact counts, as the server sent them, and what the page keeps.
#[component]
pub fn LiveCounters(view: LiveView) -> impl IntoView {
    let item = |label: &'static str, help: &'static str, value: Signal<String>| {
        view! {
            <div class="flex flex-col" title=help>
                <dt class="text-xs text-slate-600 dark:text-slate-400">{label}</dt>
                <dd class="font-mono text-lg tabular-nums" aria-label=label>{value}</dd>
            </div>
        }
    };
    let c = view.counters;
    let kept = Signal::derive(move || {
        let (len, evicted) = view.with_rows(|r| (r.len(), r.evicted()));
        if evicted > 0 {
            format!(
                "{} (oldest {} let go)",
                grouped(len as u64),
                grouped(evicted)
            )
        } else {
            grouped(len as u64)
        }
    });
    view! {
        <dl class="flex flex-wrap gap-x-8 gap-y-2" aria-label="Counters">
            {item("Seen", "messages the tap read from the source", Signal::derive(move || grouped(c.get().seen)))}
            {item("Matched", "of those, the ones the filter passed", Signal::derive(move || grouped(c.get().matched)))}
            {item("Shown", "rows sent to this page", Signal::derive(move || grouped(c.get().sent)))}
            {item("Sampled out", "matched but only counted: more than a person can read, or paused", Signal::derive(move || grouped(c.get().sampled_out)))}
            {item("Dropped", "read but lost before filtering: the view fell behind its source", Signal::derive(move || grouped(c.get().dropped)))}
            {item("Kept here", "rows this page holds (the newest, at most 10,000)", kept)}
        </dl>
        <p class="sr-only">{format!("This page keeps the newest {} rows.", grouped(RING_ROWS as u64))}</p>
    }
}

/// Messages per second seen by the view, one point a second, last 5 minutes
/// (`RATE_SECONDS`).
#[component]
pub fn RateChart(view: LiveView) -> impl IntoView {
    let tick = use_ticker(1_000);
    let series = Memo::new(move |_| {
        tick.track();
        view.counters.track();
        now_ms().map(|now| view.with_rate(|r| (r.series(now), r.current(now))))
    });
    let (w, h) = (600.0, 64.0);
    let summary = move || match series.get() {
        Some((s, now)) => {
            let peak = s.iter().copied().max().unwrap_or(0);
            format!(
                "{} msg/s now · peak {} msg/s in the last 5 minutes",
                grouped(now),
                grouped(peak)
            )
        }
        None => "rate: once the page is live".to_string(),
    };
    view! {
        <figure class="flex flex-col gap-1">
            <svg viewBox=format!("0 0 {w} {h}") class="h-16 w-full max-w-2xl rounded border border-slate-200 bg-white text-sky-600 dark:border-slate-700 dark:bg-slate-900 dark:text-sky-400"
                role="img" aria-label=summary preserveAspectRatio="none">
                <polyline fill="none" stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke"
                    points=move || series.get().map(|(s, _)| chart_points(&s, w, h - 2.0)).unwrap_or_default() />
            </svg>
            <figcaption class="text-sm">{summary}</figcaption>
        </figure>
    }
}

/// The view's rows, newest first, in a fixed-height scrolling list that
/// renders only what is on screen. Scrolled down, the list holds its place
/// while new rows arrive above.
#[component]
pub fn LiveRows(
    view: LiveView,
    #[prop(into)] label: String,
    /// Column headings, and the CSS grid columns they take.
    columns: &'static [&'static str],
    grid: &'static str,
    /// A row's cells, in column order.
    cells: fn(&LiveRow) -> Vec<String>,
    /// Opens a row (its full message).
    on_open: Callback<LiveRow>,
) -> impl IntoView {
    let scroll = RwSignal::new(0.0f64);
    let list = NodeRef::<leptos::html::Div>::new();
    // Rows ever pushed (kept + let go): how many arrived since the last frame.
    let pushed = StoredValue::new(0u64);
    Effect::new(move |_| {
        let total = view.with_rows(|r| r.len() as u64 + r.evicted());
        let before = pushed.get_value();
        pushed.set_value(total);
        if let Some(el) = list.get()
            && el.scroll_top() > 0
            && total > before
        {
            // Keep the rows being read in place: move down by what came in above.
            let by = ((total - before) as f64 * ROW_PX) as i32;
            el.set_scroll_top(el.scroll_top() + by);
            scroll.set(el.scroll_top() as f64);
        }
    });
    let body = move || {
        view.with_rows(|ring| {
            let len = ring.len();
            let range = visible_rows(scroll.get(), VIEWPORT_PX, ROW_PX, len, OVERSCAN);
            range
                .filter_map(|i| ring.get(i).map(|r| (i, r.clone())))
                .map(|(i, r)| {
                    let texts = cells(&r);
                    let name = columns
                        .iter()
                        .zip(&texts)
                        .map(|(c, t)| format!("{c} {t}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    view! {
                        <div role="listitem" aria-posinset=i + 1 aria-setsize=len
                            class="absolute inset-x-0" style=format!("top:{}px;height:{ROW_PX}px", i as f64 * ROW_PX)>
                            <button type="button" aria-label=name
                                class="grid h-full w-full items-center gap-3 border-b border-slate-100 px-2 text-left font-mono text-xs hover:bg-sky-50 focus:bg-sky-100 focus:outline-none dark:border-slate-800 dark:hover:bg-slate-800 dark:focus:bg-slate-700"
                                style=format!("grid-template-columns:{grid}")
                                on:click=move |_| on_open.run(r.clone())>
                                {texts.into_iter().map(|t| view! { <span class="truncate">{t}</span> }).collect_view()}
                            </button>
                        </div>
                    }
                })
                .collect_view()
        })
    };
    let height = move || view.with_rows(|r| r.len() as f64 * ROW_PX);
    let empty = move || {
        view.with_rows(|r| r.is_empty()).then(|| {
            let why = match view.state.get() {
                ViewState::Paused => "Paused: messages are counted, not shown.",
                ViewState::Opening => "Starting…",
                _ => "No messages yet: they appear here as they are produced.",
            };
            view! { <p class="p-3 text-sm text-slate-600 dark:text-slate-400">{why}</p> }
        })
    };
    view! {
        <div class="rounded border border-slate-200 dark:border-slate-700">
            <div aria-hidden="true" class="grid gap-3 border-b border-slate-300 bg-slate-100 px-2 py-1 text-xs font-semibold dark:border-slate-700 dark:bg-slate-900"
                style=format!("grid-template-columns:{grid}")>
                {columns.iter().map(|c| view! { <span>{*c}</span> }).collect_view()}
            </div>
            <div node_ref=list class="relative overflow-y-auto" style=format!("height:{VIEWPORT_PX}px")
                on:scroll=move |_| if let Some(el) = list.get() { scroll.set(el.scroll_top() as f64) }>
                {empty}
                <div role="list" aria-label=label class="relative" style=move || format!("height:{}px", height())>
                    {body}
                </div>
            </div>
        </div>
    }
}

/// Milliseconds since the epoch, in the browser (the rate's clock);
/// `None` in server rendering, where nothing is live yet.
fn now_ms() -> Option<i64> {
    #[cfg(feature = "hydrate")]
    return Some(js_sys::Date::now() as i64);
    #[cfg(not(feature = "hydrate"))]
    None
}

/// A live view's state and its controls: pause / resume, clear (`on_clear`
/// too, e.g. to close the opened message), and stop (back to `stop_href`).
#[component]
pub fn LiveControls(
    view: LiveView,
    /// The state badge's name ("Tail state", "Tap state").
    state_label: &'static str,
    stop_href: String,
    on_clear: Callback<()>,
) -> impl IntoView {
    let paused = move || view.state.get() == ViewState::Paused;
    view! {
        <span role="status" aria-label=state_label
            class="rounded bg-slate-200 px-2 py-0.5 text-xs dark:bg-slate-800">{move || view.state.get().label()}</span>
        <button type="button" class=super::BUTTON_SECONDARY aria-pressed=move || paused().to_string()
            disabled=move || !matches!(view.state.get(), ViewState::Live | ViewState::Paused)
            on:click=move |_| view.pause(!paused())>
            {move || if paused() { "Resume" } else { "Pause" }}
        </button>
        <button type="button" class=super::BUTTON_SECONDARY on:click=move |_| { view.clear(); on_clear.run(()); }>"Clear"</button>
        <a class=super::BUTTON_SECONDARY href=stop_href>"Stop"</a>
    }
}

/// A live view's filter fields (the query keys `filter`, `text`, `field`, `header`).
#[component]
pub fn FilterFields(
    filter: RwSignal<String>,
    text: RwSignal<String>,
    field: RwSignal<String>,
    header: RwSignal<String>,
    form: super::Form,
) -> impl IntoView {
    view! {
        <super::SelectField label="Filter" value=filter options=super::FILTER_OPTIONS />
        <super::TextField label="Filter text / value" value=text form field="text" />
        <super::TextField label="JSON field" value=field placeholder="order.id" form field="field" />
        <super::TextField label="Header (name or name=value)" value=header form field="header" />
    }
}
