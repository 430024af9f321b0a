//! `/rabbitmq/:cluster/live`: a live tap of an exchange, or of a queue
//! through its bindings. The query holds the whole view (vhost, exchange and
//! binding keys or queue, filter), so the address reopens it. The page says
//! what a tap changes on the broker before anyone starts one.

use super::{LINK, RabbitNav, queue_href};
use crate::auth::model::Permission;
use crate::codec::{DataView, render_b64};
use crate::components::{
    BUTTON, ErrorBanner, FilterFields, Form, FormStatus, Guarded, LiveControls, LiveCounters,
    LiveRows, PAGE_TITLE, QueryFields, RateChart, ShowAs, TextField, ViewState, cluster_param,
    use_live_tab,
};
use crate::error::{AppError, Backend};
use crate::fields::grouped;
use crate::live::logic::ROW_PAYLOAD_MAX;
use crate::live::logic::link::{TapLink, TapTarget, tap_href};
use crate::live::model::LiveRow;
use crate::zookeeper::logic::format_millis;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

/// The page: what a tap does, the form, and the tap its query names.
#[component]
pub fn RabbitLivePage() -> impl IntoView {
    let cluster = cluster_param();
    let query = use_query_map();
    let link = Memo::new(move |_| {
        query.with(|q| TapLink::from_query(|k| q.get(k).filter(|v| !v.is_empty())))
    });
    view! {
        <Title text=move || format!("Live tap · RabbitMQ {} · zkmq", cluster.get()) />
        <RabbitNav cluster=cluster.get_untracked() current="Live tap" />
        <h1 class=PAGE_TITLE>"Live tap"</h1>
        <Guarded backend=Backend::Rabbitmq cluster=cluster.get_untracked() need=Permission::ReadPayloads>
            <TapNotice />
            <TapForm cluster=cluster.get_untracked() link=link />
            {move || match link.get() {
                Ok(Some(l)) => view! { <Tap cluster=cluster.get_untracked() link=l /> }.into_any(),
                Ok(None) => view! {
                    <p class="mt-4 text-sm">"Name an exchange (or a queue) and start: messages appear as they are published, every one counted."</p>
                }.into_any(),
                Err(e) => view! { <ErrorBanner message=e.to_string() /> }.into_any(),
            }}
        </Guarded>
    }
}

/// What a tap changes, in plain words, before anyone starts one.
#[component]
fn TapNotice() -> impl IntoView {
    view! {
        <details class="mb-4 max-w-3xl rounded border border-slate-300 p-3 text-sm dark:border-slate-700" open>
            <summary class="cursor-pointer font-semibold">"What a tap does to the broker"</summary>
            <ul class="mt-2 list-disc space-y-1 pl-5">
                <li>"zkmq binds a queue of its own (exclusive, auto-delete, server-named) to the exchange, on a connection named after you. Real queues and their consumers get every message as before; zkmq never consumes from them."</li>
                <li>{format!("The tap queue holds at most {} messages and drops its oldest beyond that (never refusing publishers); a message waits at most {} s in it.", grouped(crate::rabbitmq::model::TAP_MAX_LENGTH as u64), crate::rabbitmq::model::TAP_TTL_MS / 1000)}</li>
                <li>"While it runs, messages that no queue would have taken reach the tap: publishers using mandatory no longer get them returned, and the exchange's alternate exchange receives fewer."</li>
                <li>"The tap ends when you leave the page (or close the tab); its queue goes with its connection."</li>
            </ul>
        </details>
    }
}

/// Vhost, exchange and binding keys or queue, and the filter.
#[component]
fn TapForm(cluster: String, link: Memo<Result<Option<TapLink>, AppError>>) -> impl IntoView {
    let f = QueryFields::from_query(&[
        ("vhost", "/"),
        ("exchange", ""),
        ("keys", ""),
        ("queue", ""),
        ("filter", "none"),
        ("text", ""),
        ("field", ""),
        ("header", ""),
    ]);
    let [vhost, exchange, keys, queue, filter, text, field, header] = [
        "vhost", "exchange", "keys", "queue", "filter", "text", "field", "header",
    ]
    .map(|k| f.get(k));
    let form = Form::new();
    let navigate = use_navigate();
    let submit = move || {
        form.start();
        let parsed = TapLink::from_query(|k| f.value(k)).and_then(|l| {
            l.ok_or_else(|| {
                AppError::invalid("exchange", "name an exchange to tap (or a queue, below)")
            })
        });
        match parsed {
            Ok(l) => {
                form.settle(Ok::<(), _>(()), |()| String::new());
                navigate(&tap_href(&cluster, &l), Default::default());
            }
            Err(e) => form.settle(Err::<(), _>(e), |()| String::new()),
        }
    };
    let running = move || matches!(link.get(), Ok(Some(_)));
    view! {
        <form class="flex flex-wrap items-end gap-3" aria-label="Tap" on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <TextField label="Vhost" value=vhost form field="vhost" />
            <TextField label="Exchange" value=exchange placeholder="amq.topic" form field="exchange" />
            <TextField label="Binding keys (empty: all)" value=keys placeholder="orders.*, eu.#" form field="binding_keys" />
            <TextField label="or Queue (its bindings)" value=queue form field="queue" />
            <FilterFields filter text field header form />
            <button type="submit" class=BUTTON>{move || if running() { "Restart tap" } else { "Start tap" }}</button>
        </form>
        <FormStatus form />
    }
}

/// One running tap: what it is bound to, controls, counters, rate, rows.
#[component]
fn Tap(cluster: String, link: TapLink) -> impl IntoView {
    let view = use_live_tab().open(link.source(&cluster), link.live_filter());
    let opened = RwSignal::new(None::<LiveRow>);
    let on_open = Callback::new(move |r: LiveRow| opened.set(Some(r)));
    let heading = match &link.target {
        TapTarget::Exchange { name, keys } if keys.is_empty() => {
            view! { "Tapping exchange " <span class="font-mono">{name.clone()}</span> }.into_any()
        }
        TapTarget::Exchange { name, keys } => view! {
            "Tapping exchange " <span class="font-mono">{name.clone()}</span>
            " with " <span class="font-mono">{keys.join(", ")}</span>
        }
        .into_any(),
        TapTarget::Queue(q) => view! {
            "Tapping the bindings of queue "
            <a class=format!("font-mono {LINK}") href=queue_href(&cluster, &link.vhost, q)>{q.clone()}</a>
        }
        .into_any(),
    };
    let is_queue = matches!(link.target, TapTarget::Queue(_));
    let vhost = link.vhost.clone();
    view! {
        <section aria-labelledby="tap-h" class="mt-6 flex flex-col gap-4">
            <div class="flex flex-wrap items-center gap-3">
                <h2 id="tap-h" class="text-lg font-semibold">{heading}" in vhost "<span class="font-mono">{vhost}</span></h2>
                <LiveControls view=view state_label="Tap state" stop_href=format!("/rabbitmq/{}/live", crate::fields::url_segment(&cluster))
                    on_clear=Callback::new(move |()| opened.set(None)) />
            </div>
            {move || view.tapping.get().map(|t| view! {
                <p class="text-sm" aria-label="Tap queue">
                    "Tap queue " <span class="font-mono">{t.queue}</span> ", bound to "
                    {t.bindings.iter().map(|(x, k)| format!("{x} ← \"{k}\"")).collect::<Vec<_>>().join(", ")}
                    {is_queue.then_some(". Messages published to the queue by its name (the default exchange) are not seen: that route cannot be bound.")}
                </p>
            })}
            {move || matches!(view.state.get(), ViewState::Reconnecting).then(|| view! {
                <p role="alert" class="text-sm">"Reconnecting: a tap starts again from now, so messages published meanwhile are not shown or counted."</p>
            })}
            {move || view.error.get().map(|e| view! { <ErrorBanner message=e.to_string() /> })}
            <LiveCounters view=view />
            <RateChart view=view />
            <LiveRows view=view label="Live messages" grid="minmax(6rem,1fr) 4rem 14rem minmax(6rem,1fr) minmax(8rem,3fr)"
                columns=&["Exchange", "#", "Time", "Routing key", "Value"] cells=row_cells on_open=on_open />
            {move || opened.get().map(|r| view! { <TappedMessage row=r /> })}
        </section>
    }
}

fn row_cells(r: &LiveRow) -> Vec<String> {
    let text = |b: &Option<String>| {
        b.as_deref()
            .map(|b| render_b64(b, Some(DataView::Text)))
            .unwrap_or_default()
    };
    vec![
        if r.topic.is_empty() {
            "(default)".into()
        } else {
            r.topic.clone()
        },
        r.offset.to_string(),
        r.timestamp.map(format_millis).unwrap_or_else(|| "—".into()),
        text(&r.key_b64),
        text(&r.value_b64),
    ]
}

/// The clicked row as the tap received it. A tapped message cannot be read
/// again (the tap queue hands each one out once), so what the row carries
/// is all there is: the first few KB of the body, and the page says so.
#[component]
fn TappedMessage(row: LiveRow) -> impl IntoView {
    let shown = RwSignal::new(None::<DataView>);
    let value = row.value_b64.clone();
    let cut = (row.value_len > ROW_PAYLOAD_MAX).then(|| {
        format!(
            "The body is {} bytes; the tap keeps its first {} (a tapped message cannot be read again).",
            grouped(row.value_len as u64),
            grouped(ROW_PAYLOAD_MAX as u64)
        )
    });
    let headers = row
        .headers
        .iter()
        .map(|(k, v)| format!("{k}={}", v.clone().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join("\n");
    let key = row
        .key_b64
        .as_deref()
        .map(|b| render_b64(b, Some(DataView::Text)))
        .unwrap_or_default();
    let title = format!(
        "{} · message {}",
        if row.topic.is_empty() {
            "(default)"
        } else {
            &row.topic
        },
        row.offset
    );
    view! {
        <section aria-label="Message" class="rounded border border-slate-200 p-3 dark:border-slate-700">
            <h3 class="mb-2 font-mono text-sm font-semibold wrap-anywhere">{title}</h3>
            <div class="mb-2"><ShowAs label="Show value as" shown=shown /></div>
            {cut.map(|c| view! { <p class="mb-2 text-sm">{c}</p> })}
            <dl class="grid grid-cols-[8rem_1fr] gap-x-4 gap-y-1 text-sm">
                <dt>"Time"</dt><dd class="font-mono text-xs">{row.timestamp.map(format_millis).unwrap_or_else(|| "—".into())}</dd>
                <dt>"Routing key"</dt><dd class="font-mono text-xs wrap-anywhere">{key}</dd>
                <dt>"Value"</dt>
                <dd><pre aria-label="Value" class="max-h-96 overflow-auto font-mono text-xs whitespace-pre-wrap break-all">{move || value.as_deref().map(|b| render_b64(b, shown.get())).unwrap_or_default()}</pre></dd>
                <dt>"Headers"</dt><dd><pre class="font-mono text-xs whitespace-pre-wrap">{headers}</pre></dd>
            </dl>
        </section>
    }
}
