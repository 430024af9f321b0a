//! Kafka pages: cluster, topic list, topic (partitions, configs, readers,
//! messages, changes), consumer groups and one group (offsets, reset).

use super::api::{
    add_partitions, alter_topic_config, browse_messages, create_topic, delete_topic, get_group,
    get_kafka_summary, get_topic, list_groups, list_topics, produce_message, reset_offsets,
};
use super::logic::{PAGE, group_href, groups_href, topic_href, topics_href};
use super::model::{
    BrowseResult, BrowseStop, ChangePreview, ConfigRow, ConfigSource, GroupDetail, GroupSort,
    KafkaMessage, KafkaSummary, ResetRow, TopicDetail, TopicSort,
};
use crate::auth::model::Permission;
use crate::codec::{DataView, render_b64};
use crate::components::{
    BUTTON, BUTTON_DANGER, BUTTON_SECONDARY, Field, Form, FormStatus, Guarded, PAGE_TITLE,
    PageSpan, Pager, SearchBox, SelectField, ShowAs, TableHead, Tabs, TextArea, TextField,
    TypeToConfirm, cluster_param, error_banners, url_state,
};
use crate::error::{AppError, Backend};
use crate::fields::route_captures;
use crate::plan::Plan;
use crate::zookeeper::logic::{format_millis, znode_href};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_navigate, use_params_map};

mod flows;
mod groups;
mod live;
pub use flows::KafkaFlowsPage;
pub use groups::{GroupPage, GroupsPage};
pub use live::KafkaLivePage;

const LINK: &str = "underline decoration-slate-400 hover:decoration-current";

/// Tabs shared by every Kafka page of a cluster.
#[component]
fn KafkaNav(cluster: String, current: &'static str) -> impl IntoView {
    let tabs = vec![
        ("Cluster", format!("/kafka/{cluster}")),
        ("Topics", topics_href(&cluster)),
        ("Consumer groups", groups_href(&cluster)),
        (
            "Live tail",
            format!("/kafka/{}/live", crate::fields::url_segment(&cluster)),
        ),
        (
            "Flows",
            format!("/kafka/{}/flows", crate::fields::url_segment(&cluster)),
        ),
    ];
    view! { <Tabs label="Kafka" tabs=tabs current=current /> }
}

// ---------------------------------------------------------------------------
// Cluster

/// `/kafka/:cluster`: brokers, controller, cluster id and counts.
#[component]
pub fn KafkaPage() -> impl IntoView {
    let cluster = cluster_param();
    let summary = Resource::new(move || cluster.get(), get_kafka_summary);
    view! {
        <Title text=move || format!("Kafka {} · zkmq", cluster.get()) />
        <KafkaNav cluster=cluster.get_untracked() current="Cluster" />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || summary.get().map(|r| r.map(|s| view! { <KafkaOverview summary=s /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn KafkaOverview(summary: KafkaSummary) -> impl IntoView {
    let controller = summary.controller;
    view! {
        <h1 class="mb-4 text-2xl font-semibold">{summary.cluster.name.clone()}</h1>
        <dl class="mb-6 max-w-lg">
            <Field label="Cluster id" value=summary.cluster_id.clone().unwrap_or_else(|| "unknown".into()) />
            <Field label="Version" value=summary.version.clone().unwrap_or_else(|| "unknown".into()) />
            <Field label="Controller" value=controller.map(|c| format!("broker {c}")).unwrap_or_else(|| "unknown".into()) />
            <Field label="Brokers" value=summary.brokers.len().to_string() />
            <Field label="Topics" value=summary.topics.to_string() />
            <Field label="Internal topics" value=summary.internal_topics.to_string() />
            <Field label="Partitions" value=summary.partitions.to_string() />
            <Field label="Under-replicated partitions" value=summary.under_replicated.to_string() />
            <Field label="Offline partitions" value=summary.offline.to_string() />
        </dl>
        {summary.zookeeper.clone().map(|z| view! {
            <p class="mb-4 text-sm">
                "ZooKeeper mode: metadata in ensemble \"" {z.zookeeper.clone()} "\" at "
                <a class=LINK href=znode_href(&z.zookeeper, &z.path)>{z.path.clone()}</a>
                " · " <a class=LINK href=format!("/ensemble/{}", z.zookeeper)>"ensemble"</a>
            </p>
        })}
        <table class="w-full border-collapse text-left text-sm">
            <caption class="sr-only">"Brokers"</caption>
            <TableHead columns=&["Broker id", "Address", "Rack", "Role"] />
            <tbody>
                {summary
                    .brokers
                    .into_iter()
                    .map(|b| view! {
                        <tr class="border-b border-slate-200 dark:border-slate-800" aria-label=format!("broker {}", b.id)>
                            <th scope="row" class="py-2 pr-4 font-mono font-normal">{b.id}</th>
                            <td class="py-2 pr-4 font-mono">{format!("{}:{}", b.host, b.port)}</td>
                            <td class="py-2 pr-4">{b.rack.unwrap_or_else(|| "—".into())}</td>
                            <td class="py-2">{if controller == Some(b.id) { "controller" } else { "" }}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

// ---------------------------------------------------------------------------
// Topic list

fn sort_button(
    label: &'static str,
    key: TopicSort,
    sort: RwSignal<TopicSort>,
    desc: RwSignal<bool>,
    offset: RwSignal<usize>,
) -> impl IntoView {
    let arrow = move || match (sort.get() == key, desc.get()) {
        (true, false) => " ▲",
        (true, true) => " ▼",
        _ => "",
    };
    view! {
        <th scope="col" class="py-2 pr-4"
            aria-sort=move || match (sort.get() == key, desc.get()) { (true, false) => "ascending", (true, true) => "descending", _ => "none" }>
            <button type="button" class="font-semibold" on:click=move |_| {
                if sort.get_untracked() == key { desc.update(|d| *d = !*d) } else { sort.set(key); desc.set(false) }
                offset.set(0);
            }>{label}{arrow}</button>
        </th>
    }
}

/// `/kafka/:cluster/topics`: filtered, sorted and paged on the server.
#[component]
pub fn TopicsPage() -> impl IntoView {
    let cluster = cluster_param();
    // In the URL: a reload or a shared link opens the same page of the list.
    let filter = url_state("q", String::new());
    let internal = url_state("internal", false);
    let sort = url_state("sort", TopicSort::Name);
    let desc = url_state("desc", false);
    let offset = url_state("offset", 0usize);
    let refresh = RwSignal::new(0u32);
    let page = Resource::new(
        move || {
            (
                cluster.get(),
                filter.get(),
                internal.get(),
                sort.get(),
                desc.get(),
                offset.get(),
                refresh.get(),
            )
        },
        |(c, f, i, s, d, o, _)| list_topics(c, f, i, s, d, o, PAGE),
    );
    view! {
        <Title text=move || format!("Topics · Kafka {} · zkmq", cluster.get()) />
        <KafkaNav cluster=cluster.get_untracked() current="Topics" />
        <h1 class="mb-4 text-2xl font-semibold">"Topics"</h1>
        <div class="mb-3 flex flex-wrap items-end gap-4">
            <SearchBox label="Filter by name" value=filter on_change=Callback::new(move |()| offset.set(0)) />
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" prop:checked=move || internal.get()
                    on:change=move |ev| { internal.set(event_target_checked(&ev)); offset.set(0); } />
                "Show internal topics"
            </label>
        </div>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || page.get().map(|r| r.map(|p| {
                    let c = cluster.get_untracked();
                    let first = if p.matched == 0 { 0 } else { p.offset + 1 };
                    let last = p.offset + p.rows.len();
                    let span = PageSpan { offset: p.offset, shown: p.rows.len(), matched: p.matched };
                    view! {
                        <p class="mb-2 text-sm" role="status" aria-label="Topic count">
                            {format!("{first}–{last} of {} matching · {} topics in the cluster", p.matched, p.total)}
                        </p>
                        <table class="w-full border-collapse text-left text-sm">
                            <caption class="sr-only">"Topics"</caption>
                            <thead>
                                <tr class="border-b border-slate-300 dark:border-slate-700">
                                    {sort_button("Name", TopicSort::Name, sort, desc, offset)}
                                    {sort_button("Partitions", TopicSort::Partitions, sort, desc, offset)}
                                    {sort_button("Replication", TopicSort::Replication, sort, desc, offset)}
                                    {sort_button("Under-replicated", TopicSort::UnderReplicated, sort, desc, offset)}
                                    <th scope="col" class="py-2 pr-4">"Offline"</th>
                                    <th scope="col" class="py-2 pr-4">"Messages (est.)"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {p.rows.into_iter().map(|t| view! {
                                    <tr class="border-b border-slate-200 dark:border-slate-800" aria-label=t.name.clone()>
                                        <th scope="row" class="py-1 pr-4 font-mono font-normal">
                                            <a class=LINK href=topic_href(&c, &t.name)>{t.name.clone()}</a>
                                            {t.internal.then(|| view! { <span class="ml-2 text-xs text-slate-500">"internal"</span> })}
                                        </th>
                                        <td class="py-1 pr-4 font-mono">{t.partitions}</td>
                                        <td class="py-1 pr-4 font-mono">{t.replication}</td>
                                        <td class={if t.under_replicated > 0 { "py-1 pr-4 font-mono text-amber-700 dark:text-amber-300" } else { "py-1 pr-4 font-mono" }}>{t.under_replicated}</td>
                                        <td class={if t.offline > 0 { "py-1 pr-4 font-mono text-red-700 dark:text-red-300" } else { "py-1 pr-4 font-mono" }}>{t.offline}</td>
                                        <td class="py-1 pr-4 font-mono">{t.messages.map(|m| m.to_string()).unwrap_or_else(|| "—".into())}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <Pager label="Topics" span=span on_move=Callback::new(move |d: i64| offset.update(|o| *o = if d < 0 { o.saturating_sub(PAGE) } else { *o + PAGE })) />
                    }
                }))}
            </ErrorBoundary>
        </Transition>
        <Guarded backend=Backend::Kafka cluster=cluster.get_untracked() need=Permission::Change><CreateTopic cluster=cluster.get_untracked() /></Guarded>
    }
}

/// Shows a preview: its lines and the config changes as before → after.
#[component]
fn PreviewBox(preview: ChangePreview, #[prop(into)] title: String) -> impl IntoView {
    let has_changes = !preview.config_changes.is_empty();
    let label = title.clone();
    view! {
        <section aria-label=label class="my-2 rounded border border-sky-400 p-3 text-sm">
            <h3 class="font-semibold">{title}</h3>
            <ul>{preview.summary.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
            {has_changes.then(|| view! {
                <table class="mt-2 text-left">
                    <TableHead columns=&["Config", "Before", "After"] />
                    <tbody>
                        {preview.config_changes.into_iter().map(|(k, b, a)| view! {
                            <tr aria-label=k.clone()>
                                <th scope="row" class="pr-4 font-mono font-normal">{k.clone()}</th>
                                <td class="pr-4 font-mono">{b.unwrap_or_else(|| "(default)".into())}</td>
                                <td class="font-mono">{a.unwrap_or_else(|| "(default)".into())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

#[component]
fn CreateTopic(cluster: String) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let partitions = RwSignal::new("3".to_string());
    let replication = RwSignal::new("2".to_string());
    let configs = RwSignal::new(String::new());
    let form = Form::new();
    let preview = RwSignal::new(None::<ChangePreview>);
    let navigate = use_navigate();
    let run = Action::new(move |dry: &bool| {
        let (c, dry) = (cluster.clone(), *dry);
        let navigate = navigate.clone();
        let n = name.get_untracked();
        async move {
            form.start();
            preview.set(None);
            match create_topic(
                c.clone(),
                n.clone(),
                partitions.get_untracked(),
                replication.get_untracked(),
                configs.get_untracked(),
                dry,
            )
            .await
            {
                Ok(p) if dry => form.settle(Ok(p), |p| {
                    preview.set(Some(p));
                    String::new()
                }),
                Ok(_) => navigate(&topic_href(&c, n.trim()), Default::default()),
                Err(e) => form.settle(Err::<(), _>(e), |()| String::new()),
            }
        }
    });
    view! {
        <section aria-labelledby="create-topic-h" class="mt-8 max-w-xl">
            <h2 id="create-topic-h" class="mb-2 text-lg font-semibold">"Create topic"</h2>
            <div class="flex flex-col gap-2">
                <TextField label="Name" value=name placeholder="orders.v1" form field="name" />
                <div class="flex gap-4">
                    <TextField label="Partitions" value=partitions form field="partitions" />
                    <TextField label="Replication factor" value=replication form field="replication" />
                </div>
                <TextArea label="Configs (key=value per line)" value=configs placeholder="retention.ms=604800000" form field="configs" />
                <div class="flex gap-2">
                    <button type="button" class=BUTTON_SECONDARY on:click=move |_| { run.dispatch(true); }>"Preview"</button>
                    <button type="button" class=BUTTON on:click=move |_| { run.dispatch(false); }>"Create topic"</button>
                </div>
            </div>
            {move || preview.get().map(|p| view! { <PreviewBox preview=p title="The brokers accept this" /> })}
            <FormStatus form />
        </section>
    }
}

// ---------------------------------------------------------------------------
// One topic

/// `/kafka/:cluster/topics/:topic`.
#[component]
pub fn TopicPage() -> impl IntoView {
    let params = use_params_map();
    let cluster = cluster_param();
    let topic = Memo::new(move |_| params.read().get("topic").unwrap_or_default());
    let refresh = RwSignal::new(0u32);
    let detail = Resource::new(
        move || (cluster.get(), topic.get(), refresh.get()),
        |(c, t, _)| get_topic(c, t),
    );
    let internal = crate::kafka::logic::is_internal_topic(&topic.get_untracked());
    let override_internal = RwSignal::new(false);
    view! {
        <Title text=move || format!("{} · Kafka {} · zkmq", topic.get(), cluster.get()) />
        <KafkaNav cluster=cluster.get_untracked() current="Topics" />
        <h1 class=PAGE_TITLE>{move || topic.get()}</h1>
        <p class="mb-4 text-sm">
            <a class=LINK href=move || crate::live::logic::link::tail_href(&cluster.get(), &crate::live::logic::link::TailLink::of_topic(topic.get()))>"Live tail of this topic"</a>
        </p>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || detail.get().map(|r| r.map(|d| view! { <TopicDetailView detail=d /> }))}
            </ErrorBoundary>
        </Transition>
        // Forms live outside the refreshed detail so typed input survives a refresh.
        {internal.then(|| view! {
            // Kafka's own topics (offsets, transactions): the server refuses
            // changes to them unless an administrator overrides.
            <div role="note" class="mt-8 rounded border border-amber-400 bg-amber-50 p-3 text-sm dark:border-amber-600 dark:bg-amber-950">
                <p>"This is one of Kafka's internal topics: changing its configs, growing it or deleting it can break every consumer group or transaction on the cluster. zkmq refuses such changes unless an administrator overrides, and records the override with the change."</p>
                <Guarded backend=Backend::Kafka cluster=cluster.get_untracked() need=Permission::Administer>
                    <label class="mt-2 flex items-center gap-2 font-medium">
                        <input type="checkbox" prop:checked=move || override_internal.get()
                            on:change=move |ev| override_internal.set(event_target_checked(&ev)) />
                        "Override: change an internal topic"
                    </label>
                </Guarded>
            </div>
        })}
        <div class="mt-8 grid gap-8 lg:grid-cols-2">
            <Guarded backend=Backend::Kafka cluster=cluster.get_untracked() need=Permission::Change><EditConfigs cluster=cluster.get_untracked() topic=topic.get_untracked() refresh=refresh override_internal /></Guarded>
            // Growing or deleting an internal topic is offered only once overridden.
            {move || (!internal || override_internal.get()).then(|| view! {
                <div class="flex flex-col gap-8">
                    <Guarded backend=Backend::Kafka cluster=cluster.get_untracked() need=Permission::Change><AddPartitions cluster=cluster.get_untracked() topic=topic.get_untracked() refresh=refresh override_internal /></Guarded>
                    <Guarded backend=Backend::Kafka cluster=cluster.get_untracked() need=Permission::Change><DeleteTopic cluster=cluster.get_untracked() topic=topic.get_untracked() override_internal /></Guarded>
                </div>
            })}
        </div>
        <Guarded backend=Backend::Kafka cluster=cluster.get_untracked() need=Permission::ReadPayloads><MessageBrowser cluster=cluster.get_untracked() topic=topic.get_untracked() /></Guarded>
        <Guarded backend=Backend::Kafka cluster=cluster.get_untracked() need=Permission::Change><Produce cluster=cluster.get_untracked() topic=topic.get_untracked() refresh=refresh /></Guarded>
    }
}

fn ids(v: &[i32]) -> String {
    v.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
fn TopicDetailView(detail: TopicDetail) -> impl IntoView {
    let c = detail.cluster.id.clone();
    let total: Option<i64> = detail
        .partitions
        .iter()
        .map(|p| Some(p.high? - p.low?))
        .sum();
    view! {
        <p class="mb-2 text-sm" role="status" aria-label="Topic summary">
            {format!(
                "{} partitions · {} messages (high − low watermarks){}",
                detail.partitions.len(),
                total.map(|t| t.to_string()).unwrap_or_else(|| "unknown".into()),
                if detail.internal { " · internal topic" } else { "" }
            )}
        </p>
        <table class="w-full border-collapse text-left text-sm">
            <caption class="sr-only">"Partitions"</caption>
            <TableHead columns=&["Partition", "Leader", "Replicas", "In sync", "Low", "High", "Messages"] />
            <tbody>
                {detail.partitions.into_iter().map(|p| {
                    let urp = p.isr.len() < p.replicas.len();
                    view! {
                        <tr class="border-b border-slate-200 dark:border-slate-800" aria-label=format!("partition {}", p.id)>
                            <th scope="row" class="py-1 pr-4 font-mono font-normal">{p.id}</th>
                            <td class="py-1 pr-4 font-mono">{if p.leader < 0 { "none (offline)".to_string() } else { p.leader.to_string() }}</td>
                            <td class="py-1 pr-4 font-mono">{ids(&p.replicas)}</td>
                            <td class=if urp { "py-1 pr-4 font-mono text-amber-700 dark:text-amber-300" } else { "py-1 pr-4 font-mono" }>{ids(&p.isr)}</td>
                            <td class="py-1 pr-4 font-mono">{p.low.map(|v| v.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td class="py-1 pr-4 font-mono">{p.high.map(|v| v.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td class="py-1 pr-4 font-mono">{p.high.zip(p.low).map(|(h, l)| (h - l).to_string()).unwrap_or_else(|| "—".into())}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <section aria-labelledby="readers-h" class="mt-6">
            <h2 id="readers-h" class="mb-2 text-lg font-semibold">"Consumer groups reading it"</h2>
            {detail.readers_note.map(|n| view! { <p class="text-sm text-slate-600 dark:text-slate-400">{n}</p> })}
            {if detail.readers.is_empty() {
                view! { <p class="text-sm">"None."</p> }.into_any()
            } else {
                view! {
                    <table class="text-left text-sm">
                        <TableHead columns=&["Group", "State", "Lag on this topic"] />
                        <tbody>
                            {detail.readers.into_iter().map(|r| view! {
                                <tr aria-label=r.group.clone()>
                                    <th scope="row" class="pr-4 font-mono font-normal"><a class=LINK href=group_href(&c, &r.group)>{r.group.clone()}</a></th>
                                    <td class="pr-4">{r.state}</td>
                                    <td class="font-mono">{r.lag.map(|l| l.to_string()).unwrap_or_else(|| "—".into())}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <ConfigTable configs=detail.configs />
    }
}

#[component]
fn ConfigTable(configs: Vec<ConfigRow>) -> impl IntoView {
    view! {
        <section aria-labelledby="configs-h" class="mt-6">
            <h2 id="configs-h" class="mb-2 text-lg font-semibold">"Configs"</h2>
            <table class="w-full border-collapse text-left text-sm">
                <caption class="sr-only">"Topic configs"</caption>
                <TableHead columns=&["Config", "Value", "Source"] />
                <tbody>
                    {configs.into_iter().map(|c| {
                        let value = if c.sensitive { "hidden (sensitive)".to_string() } else { c.value.clone().unwrap_or_else(|| "(unset)".into()) };
                        let source = match c.source {
                            ConfigSource::Topic => "override",
                            ConfigSource::Broker => "broker",
                            ConfigSource::Default => "default",
                            ConfigSource::Other => "—",
                        };
                        view! {
                            <tr class=if c.source == ConfigSource::Topic { "border-b border-slate-200 font-semibold dark:border-slate-800" } else { "border-b border-slate-200 dark:border-slate-800" }
                                aria-label=c.name.clone()>
                                <th scope="row" class="py-1 pr-4 font-mono font-normal">{c.name.clone()}</th>
                                <td class="py-1 pr-4 font-mono break-all">{value}</td>
                                <td class="py-1 pr-4">{source}{c.read_only.then_some(" · read-only")}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn EditConfigs(
    cluster: String,
    topic: String,
    refresh: RwSignal<u32>,
    override_internal: RwSignal<bool>,
) -> impl IntoView {
    let set = RwSignal::new(String::new());
    let remove = RwSignal::new(String::new());
    let form = Form::new();
    let preview = RwSignal::new(None::<ChangePreview>);
    let done = RwSignal::new(None::<ChangePreview>);
    let run = Action::new(move |dry: &bool| {
        let (c, t, dry) = (cluster.clone(), topic.clone(), *dry);
        async move {
            // Each attempt replaces the last: no old preview beside a new error.
            form.start();
            done.set(None);
            preview.set(None);
            let result = alter_topic_config(
                c,
                t,
                set.get_untracked(),
                remove.get_untracked(),
                dry,
                override_internal.get_untracked(),
            )
            .await;
            form.settle(result, |p| {
                if dry {
                    preview.set(Some(p));
                } else {
                    preview.set(None);
                    done.set(Some(p));
                    set.set(String::new());
                    remove.set(String::new());
                    refresh.update(|n| *n += 1);
                }
                String::new()
            });
        }
    });
    view! {
        <section aria-labelledby="edit-configs-h">
            <h2 id="edit-configs-h" class="mb-2 text-lg font-semibold">"Change configs"</h2>
            // Enter previews; applying is always a deliberate click.
            <form class="flex flex-col gap-2" on:submit=move |ev| { ev.prevent_default(); run.dispatch(true); }>
                <TextArea label="Set (key=value per line)" value=set placeholder="retention.ms=86400000" form field="set" />
                <TextArea label="Remove overrides (one key per line)" value=remove rows=2 form field="remove" />
                <div class="flex gap-2">
                    <button type="submit" class=BUTTON_SECONDARY>"Preview change"</button>
                    <button type="button" class=BUTTON on:click=move |_| { run.dispatch(false); }>"Apply change"</button>
                </div>
            </form>
            {move || preview.get().map(|p| view! { <PreviewBox preview=p title="Preview (validated by the brokers, not applied)" /> })}
            {move || done.get().map(|p| view! { <PreviewBox preview=p title="Applied" /> })}
            <FormStatus form />
        </section>
    }
}

#[component]
fn AddPartitions(
    cluster: String,
    topic: String,
    refresh: RwSignal<u32>,
    override_internal: RwSignal<bool>,
) -> impl IntoView {
    let total = RwSignal::new(String::new());
    let form = Form::new();
    // The outcome and whether it was the preview or the change itself.
    let note = RwSignal::new(None::<(bool, ChangePreview)>);
    let run = Action::new(move |dry: &bool| {
        let (c, t, dry) = (cluster.clone(), topic.clone(), *dry);
        async move {
            form.start();
            note.set(None);
            form.settle(
                add_partitions(
                    c,
                    t,
                    total.get_untracked(),
                    dry,
                    override_internal.get_untracked(),
                )
                .await,
                |p| {
                    note.set(Some((dry, p)));
                    if !dry {
                        refresh.update(|n| *n += 1);
                    }
                    String::new()
                },
            );
        }
    });
    view! {
        <section aria-labelledby="partitions-h">
            <h2 id="partitions-h" class="mb-2 text-lg font-semibold">"Add partitions"</h2>
            <form class="flex items-end gap-2" on:submit=move |ev| { ev.prevent_default(); run.dispatch(true); }>
                <TextField label="New total" value=total form field="total" />
                <button type="submit" class=BUTTON_SECONDARY>"Preview"</button>
                <button type="button" class=BUTTON on:click=move |_| { run.dispatch(false); }>"Add partitions"</button>
            </form>
            {move || note.get().map(|(dry, p)| view! {
                <PreviewBox preview=p title=if dry { "Preview (validated by the brokers, not applied)" } else { "Applied" } />
            })}
            <FormStatus form />
        </section>
    }
}

#[component]
fn DeleteTopic(cluster: String, topic: String, override_internal: RwSignal<bool>) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let form = Form::new();
    let navigate = use_navigate();
    let t2 = topic.clone();
    let run = Action::new(move |_: &()| {
        let (c, t) = (cluster.clone(), topic.clone());
        let navigate = navigate.clone();
        async move {
            form.start();
            match delete_topic(
                c.clone(),
                t,
                typed.get_untracked(),
                override_internal.get_untracked(),
            )
            .await
            {
                Ok(()) => navigate(&topics_href(&c), Default::default()),
                Err(e) => form.settle(Err::<(), _>(e), |()| String::new()),
            }
        }
    });
    view! {
        <section aria-labelledby="delete-topic-h">
            <h2 id="delete-topic-h" class="mb-2 text-lg font-semibold">"Delete topic"</h2>
            <p class="mb-2 text-sm">{format!("Deletes \"{t2}\" and all its messages. Type the topic name to confirm.")}</p>
            <TypeToConfirm label="Topic name" button="Delete topic" typed form on_confirm=Callback::new(move |()| { run.dispatch(()); }) />
        </section>
    }
}

// ---------------------------------------------------------------------------
// Messages

#[component]
fn MessageBrowser(cluster: String, topic: String) -> impl IntoView {
    let partition = RwSignal::new("0".to_string());
    let from = RwSignal::new("newest".to_string());
    let value = RwSignal::new("20".to_string());
    let limit = RwSignal::new("50".to_string());
    let filter = RwSignal::new("none".to_string());
    let text = RwSignal::new(String::new());
    let field = RwSignal::new(String::new());
    let shown = RwSignal::new(None::<DataView>);
    let form = Form::new();
    let result = RwSignal::new(None::<BrowseResult>);
    // `None` reads afresh; `Some(offset)` loads more from where the last read
    // stopped, with the same partition, filter and limit, and appends.
    let run = Action::new(move |more: &Option<i64>| {
        let (c, t, more) = (cluster.clone(), topic.clone(), *more);
        async move {
            form.start();
            if more.is_none() {
                result.set(None);
            }
            let whole = |field: &str, v: String| {
                v.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| {
                        AppError::invalid(
                            field,
                            format!("\"{}\" is not a whole number of 0 or more", v.trim()),
                        )
                    })
            };
            let (p, l) = match (
                whole("partition", partition.get_untracked()),
                whole("limit", limit.get_untracked()),
            ) {
                (Ok(p), Ok(l)) => (p as i32, l as usize),
                (Err(e), _) | (_, Err(e)) => {
                    return form.settle(Err::<(), _>(e), |()| String::new());
                }
            };
            let (start, at) = match more {
                Some(offset) => ("offset".to_string(), offset.to_string()),
                None => (from.get_untracked(), value.get_untracked()),
            };
            let r = browse_messages(
                c,
                t,
                p,
                start,
                at,
                l,
                filter.get_untracked(),
                text.get_untracked(),
                field.get_untracked(),
            )
            .await;
            form.settle(r, |r| {
                result.update(|shown| match shown {
                    Some(old) if more.is_some() => {
                        old.messages.extend(r.messages);
                        old.scanned += r.scanned;
                        (old.stopped, old.next_offset) = (r.stopped, r.next_offset);
                        (old.low, old.high) = (r.low, r.high);
                    }
                    _ => *shown = Some(r),
                });
                String::new()
            });
        }
    });
    view! {
        <section aria-labelledby="messages-h" class="mt-8">
            <h2 id="messages-h" class="mb-2 text-lg font-semibold">"Messages"</h2>
            <form class="flex flex-wrap items-end gap-3" aria-label="Read messages" on:submit=move |ev| { ev.prevent_default(); run.dispatch(None); }>
                <TextField label="Partition" value=partition form field="partition" />
                <SelectField label="Start from" value=from options=&[("newest", "newest N"), ("offset", "offset"), ("timestamp", "timestamp (UTC)")] />
                <TextField label="N / offset / time" value=value placeholder="20" form field="value" />
                <TextField label="Limit" value=limit form field="limit" />
                <SelectField label="Filter" value=filter options=crate::components::FILTER_OPTIONS />
                <TextField label="Filter text / value" value=text form field="text" />
                <TextField label="JSON field" value=field placeholder="order.id" form field="field" />
                <button type="submit" class=BUTTON>"Read messages"</button>
            </form>
            <div class="mt-2"><ShowAs label="Show values as" shown=shown /></div>
            <FormStatus form />
            {move || result.get().map(|r| {
                let why = match r.stopped {
                    BrowseStop::Limit => "reached the limit",
                    BrowseStop::End => "reached the end of the partition",
                    BrowseStop::ScanBudget => "hit the scan budget — narrow the start or the filter",
                    BrowseStop::TimeBudget => "hit the time budget — narrow the start or the filter",
                };
                // More can be read unless the read reached the partition's end.
                let next = (r.stopped != BrowseStop::End && r.next_offset < r.high).then_some(r.next_offset);
                view! {
                    <p class="my-2 text-sm" role="status" aria-label="Browse result">
                        {format!("{} shown · scanned {} · {why} · partition offsets {}–{} · next offset {}", r.messages.len(), r.scanned, r.low, r.high, r.next_offset)}
                    </p>
                    <MessageTable messages=r.messages shown=shown />
                    {next.map(|at| view! {
                        <button type="button" class=format!("mt-2 {BUTTON_SECONDARY}") on:click=move |_| { run.dispatch(Some(at)); }>
                            {format!("Load more from offset {at}")}
                        </button>
                    })}
                }
            })}
        </section>
    }
}

#[component]
fn MessageTable(messages: Vec<KafkaMessage>, shown: RwSignal<Option<DataView>>) -> impl IntoView {
    view! {
        <table class="w-full border-collapse text-left text-sm">
            <caption class="sr-only">"Messages"</caption>
            <TableHead columns=&["Offset", "Timestamp", "Key", "Value", "Headers"] />
            <tbody>
                {messages.into_iter().map(|m| {
                    let (key, val) = (m.key_b64.clone(), m.value_b64.clone());
                    let ts = m.timestamp.map(|t| format!("{} ({})", format_millis(t), m.timestamp_type)).unwrap_or_else(|| "—".into());
                    let headers = m.headers.iter().map(|(k, v)| format!("{k}={}", v.clone().unwrap_or_default())).collect::<Vec<_>>().join("\n");
                    view! {
                        <tr class="border-b border-slate-200 align-top dark:border-slate-800" aria-label=format!("offset {}", m.offset)>
                            <th scope="row" class="py-1 pr-4 font-mono font-normal">{m.offset}</th>
                            <td class="py-1 pr-4 font-mono text-xs whitespace-nowrap">{ts}</td>
                            <td class="py-1 pr-4"><pre class="font-mono text-xs whitespace-pre-wrap break-all">{move || key.as_deref().map(|b| render_b64(b, shown.get())).unwrap_or_else(|| "(null)".into())}</pre></td>
                            <td class="py-1 pr-4"><pre class="max-h-64 overflow-auto font-mono text-xs whitespace-pre-wrap break-all">{move || val.as_deref().map(|b| render_b64(b, shown.get())).unwrap_or_else(|| "(null)".into())}</pre></td>
                            <td class="py-1"><pre class="font-mono text-xs whitespace-pre-wrap">{headers}</pre></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Produce(cluster: String, topic: String, refresh: RwSignal<u32>) -> impl IntoView {
    let partition = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let headers = RwSignal::new(String::new());
    let form = Form::new();
    let run = Action::new(move |_: &()| {
        let (c, t) = (cluster.clone(), topic.clone());
        async move {
            form.start();
            let result = produce_message(
                c,
                t,
                partition.get_untracked(),
                key.get_untracked(),
                value.get_untracked(),
                headers.get_untracked(),
            )
            .await;
            form.settle(result, |p| {
                refresh.update(|n| *n += 1);
                format!(
                    "Produced to partition {} at offset {}.",
                    p.partition, p.offset
                )
            });
        }
    });
    view! {
        <section aria-labelledby="produce-h" class="mt-8 max-w-xl">
            <h2 id="produce-h" class="mb-2 text-lg font-semibold">"Produce a message"</h2>
            <form class="flex flex-col gap-2" on:submit=move |ev| { ev.prevent_default(); run.dispatch(()); }>
                <div class="flex gap-4">
                    <TextField label="Partition (empty: partitioner)" value=partition form field="partition" />
                    <TextField label="Key" value=key form field="key" />
                </div>
                <TextArea label="Value" value=value rows=4 form field="value" />
                <TextArea label="Headers (name=value per line)" value=headers rows=2 form field="headers" />
                <div><button type="submit" class=BUTTON>"Produce"</button></div>
            </form>
            <FormStatus form />
        </section>
    }
}
