//! `/kafka/:cluster/live`: a live tail of one or several topics. The query
//! holds the whole tail (topics, partitions, start, filter), so the address
//! reopens it; the form writes the query, the tail follows it.

use super::{KafkaNav, LINK};
use crate::auth::model::Permission;
use crate::codec::{DataView, render_b64};
use crate::components::{
    BUTTON, ErrorBanner, FilterFields, Form, FormStatus, Guarded, LiveControls, LiveCounters,
    LiveRows, PAGE_TITLE, QueryFields, RateChart, SelectField, ShowAs, TextField, cluster_param,
    use_live_tab,
};
use crate::error::Backend;
use crate::kafka::api::browse_messages;
use crate::kafka::logic::topic_href;
use crate::kafka::model::KafkaMessage;
use crate::live::logic::link::{TailLink, tail_href};
use crate::live::model::{LiveRow, LiveSource};
use crate::zookeeper::logic::format_millis;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

/// The page: the form, and the tail its query names.
#[component]
pub fn KafkaLivePage() -> impl IntoView {
    let cluster = cluster_param();
    let query = use_query_map();
    // The whole query as one key: a changed tail is a new view (the old one
    // is unsubscribed with its component).
    let link = Memo::new(move |_| {
        query.with(|q| TailLink::from_query(|k| q.get(k).filter(|v| !v.is_empty())))
    });
    view! {
        <Title text=move || format!("Live tail · Kafka {} · zkmq", cluster.get()) />
        <KafkaNav cluster=cluster.get_untracked() current="Live tail" />
        <h1 class=PAGE_TITLE>"Live tail"</h1>
        <Guarded backend=Backend::Kafka cluster=cluster.get_untracked() need=Permission::ReadPayloads>
            <TailForm cluster=cluster.get_untracked() link=link />
            {move || match link.get() {
                Ok(Some(l)) => view! { <Tail cluster=cluster.get_untracked() link=l /> }.into_any(),
                Ok(None) => view! {
                    <p class="mt-4 text-sm">"Name one or more topics and start: messages appear as they are produced, every one counted."</p>
                }.into_any(),
                Err(e) => view! { <ErrorBanner message=e.to_string() /> }.into_any(),
            }}
        </Guarded>
    }
}

/// Topics, partitions, start and filter; starting writes them to the address.
#[component]
fn TailForm(
    cluster: String,
    link: Memo<Result<Option<TailLink>, crate::error::AppError>>,
) -> impl IntoView {
    let f = QueryFields::from_query(&[
        ("topics", ""),
        ("pattern", ""),
        ("partitions", ""),
        ("start", "now"),
        ("n", ""),
        ("filter", "none"),
        ("text", ""),
        ("field", ""),
        ("header", ""),
    ]);
    let [
        topics,
        pattern,
        partitions,
        start,
        n,
        filter,
        text,
        field,
        header,
    ] = [
        "topics",
        "pattern",
        "partitions",
        "start",
        "n",
        "filter",
        "text",
        "field",
        "header",
    ]
    .map(|k| f.get(k));
    let form = Form::new();
    let navigate = use_navigate();
    let submit = move || {
        form.start();
        let parsed = TailLink::from_query(|k| f.value(k)).and_then(|l| {
            l.ok_or_else(|| {
                crate::error::AppError::invalid(
                    "topics",
                    "name at least one topic (several: separate them with commas)",
                )
            })
        });
        match parsed {
            Ok(l) => {
                form.settle(Ok::<(), _>(()), |()| String::new());
                navigate(&tail_href(&cluster, &l), Default::default());
            }
            Err(e) => form.settle(Err::<(), _>(e), |()| String::new()),
        }
    };
    let running = move || matches!(link.get(), Ok(Some(_)));
    view! {
        <form class="flex flex-wrap items-end gap-3" aria-label="Tail" on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <TextField label="Topics (comma-separated)" value=topics placeholder="orders, payments" form field="topics" />
            <TextField label="or Topic regex" value=pattern placeholder="^orders\\." form field="pattern" />
            <TextField label="Partitions (empty: all)" value=partitions placeholder="0, 1" form field="partitions" />
            <SelectField label="Start" value=start options=&[("now", "from now"), ("last", "last N per partition"), ("time", "from a time (UTC)")] />
            <TextField label="N / time" value=n placeholder="20 or 2026-12-03T10:00:00Z" form field="n" />
            <FilterFields filter text field header form />
            <button type="submit" class=BUTTON>{move || if running() { "Restart tail" } else { "Start tail" }}</button>
        </form>
        <FormStatus form />
    }
}

/// One running tail: controls, counters, rate, rows and the opened message.
#[component]
fn Tail(cluster: String, link: TailLink) -> impl IntoView {
    let view = use_live_tab().open(
        LiveSource::KafkaTail {
            cluster: cluster.clone(),
            topics: link.topics.clone(),
            topic_pattern: (!link.pattern.is_empty()).then(|| link.pattern.clone()),
            partitions: link.partitions.clone(),
            start: link.start.clone(),
        },
        link.live_filter(),
    );
    let opened = RwSignal::new(None::<LiveRow>);
    let on_open = Callback::new(move |r: LiveRow| opened.set(Some(r)));
    let topics = link.topics.clone();
    let pattern = (!link.pattern.is_empty()).then(|| link.pattern.clone());
    let c = cluster.clone();
    view! {
        <section aria-labelledby="tail-h" class="mt-6 flex flex-col gap-4">
            <div class="flex flex-wrap items-center gap-3">
                <h2 id="tail-h" class="text-lg font-semibold">
                    "Tailing "
                    {topics.iter().enumerate().map(|(i, t)| view! {
                        {(i > 0).then_some(", ")}
                        <a class=format!("font-mono {LINK}") href=topic_href(&c, t)>{t.clone()}</a>
                    }).collect_view()}
                    {pattern.map(|p| view! {
                        {(!topics.is_empty()).then_some(" and ")}
                        "the topics matching " <span class="font-mono">{format!("/{p}/")}</span>
                        <span class="text-sm font-normal">" (as they are now: topics created later are not added)"</span>
                    })}
                </h2>
                <LiveControls view=view state_label="Tail state" stop_href=format!("/kafka/{}/live", crate::fields::url_segment(&cluster))
                    on_clear=Callback::new(move |()| opened.set(None)) />
            </div>
            {move || view.error.get().map(|e| view! { <ErrorBanner message=e.to_string() /> })}
            {move || {
                let gaps = view.gaps.get();
                (!gaps.is_empty()).then(|| view! {
                    <ul role="alert" class="rounded border border-amber-400 bg-amber-50 p-2 text-sm dark:border-amber-700 dark:bg-amber-950">
                        {gaps.into_iter().map(|g| view! {
                            <li>{format!("Gap: {} messages of {} partition {} were removed by retention while this view was away.", g.missed, g.topic, g.partition)}</li>
                        }).collect_view()}
                    </ul>
                })
            }}
            <LiveCounters view=view />
            <RateChart view=view />
            <LiveRows view=view label="Live messages" grid="minmax(6rem,1fr) 3rem 5rem 14rem minmax(4rem,1fr) minmax(8rem,3fr)"
                columns=&["Topic", "Part.", "Offset", "Timestamp", "Key", "Value"] cells=row_cells on_open=on_open />
            {move || opened.get().map(|r| view! { <FullMessage cluster=cluster.clone() row=r /> })}
        </section>
    }
}

fn row_cells(r: &LiveRow) -> Vec<String> {
    let text = |b: &Option<String>| {
        b.as_deref()
            .map(|b| render_b64(b, Some(DataView::Text)))
            .unwrap_or_else(|| "(null)".into())
    };
    vec![
        r.topic.clone(),
        r.partition.to_string(),
        r.offset.to_string(),
        r.timestamp.map(format_millis).unwrap_or_else(|| "—".into()),
        text(&r.key_b64),
        text(&r.value_b64),
    ]
}

/// The clicked row's full message, read again from Kafka (rows carry at
/// most a few KB of it), in the views the message browser offers.
#[component]
fn FullMessage(cluster: String, row: LiveRow) -> impl IntoView {
    let shown = RwSignal::new(None::<DataView>);
    let (topic, partition, offset) = (row.topic.clone(), row.partition, row.offset);
    let message = Resource::new(
        move || (),
        move |_| {
            let (c, t) = (cluster.clone(), topic.clone());
            async move {
                browse_messages(
                    c,
                    t,
                    partition,
                    "offset".into(),
                    offset.to_string(),
                    1,
                    "none".into(),
                    String::new(),
                    String::new(),
                )
                .await
                .map(|r| r.messages.into_iter().find(|m| m.offset == offset))
            }
        },
    );
    let title = format!("{} · partition {partition} · offset {offset}", row.topic);
    view! {
        <section aria-label="Message" class="rounded border border-slate-200 p-3 dark:border-slate-700">
            <h3 class="mb-2 font-mono text-sm font-semibold wrap-anywhere">{title}</h3>
            <div class="mb-2"><ShowAs label="Show value as" shown=shown /></div>
            <Suspense fallback=|| view! { <p>"Reading the message…"</p> }>
                {move || message.get().map(|r| match r {
                    Ok(Some(m)) => view! { <MessageBody message=m shown=shown /> }.into_any(),
                    Ok(None) => view! { <p class="text-sm">"This message is no longer in the partition (retention removed it)."</p> }.into_any(),
                    Err(e) => view! { <ErrorBanner message=e.to_string() /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn MessageBody(message: KafkaMessage, shown: RwSignal<Option<DataView>>) -> impl IntoView {
    let (key, value) = (message.key_b64.clone(), message.value_b64.clone());
    let headers = message
        .headers
        .iter()
        .map(|(k, v)| format!("{k}={}", v.clone().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join("\n");
    let ts = message
        .timestamp
        .map(|t| format!("{} ({})", format_millis(t), message.timestamp_type))
        .unwrap_or_else(|| "—".into());
    view! {
        <dl class="grid grid-cols-[8rem_1fr] gap-x-4 gap-y-1 text-sm">
            <dt>"Timestamp"</dt><dd class="font-mono text-xs">{ts}</dd>
            <dt>"Key"</dt>
            <dd><pre class="font-mono text-xs whitespace-pre-wrap break-all">{move || key.as_deref().map(|b| render_b64(b, shown.get())).unwrap_or_else(|| "(null)".into())}</pre></dd>
            <dt>"Value"</dt>
            <dd><pre aria-label="Value" class="max-h-96 overflow-auto font-mono text-xs whitespace-pre-wrap break-all">{move || value.as_deref().map(|b| render_b64(b, shown.get())).unwrap_or_else(|| "(null)".into())}</pre></dd>
            <dt>"Headers"</dt><dd><pre class="font-mono text-xs whitespace-pre-wrap">{headers}</pre></dd>
        </dl>
    }
}
