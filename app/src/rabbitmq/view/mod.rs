//! RabbitMQ pages: broker overview, queues (list and one queue), exchanges,
//! policies and definitions. Every change form sits outside the refreshed
//! data, so typed input survives a refresh.

use super::api::{
    create_binding, create_exchange, create_queue, create_vhost, delete_binding, delete_exchange,
    delete_policy, delete_queue, delete_vhost, export_definitions, get_queue, get_rabbitmq_detail,
    get_rabbitmq_summary, get_requeue_messages, import_definitions, list_bindings, list_exchanges,
    list_policies, list_queues, plan_definitions_import, publish_message, purge_queue, put_policy,
    read_stream,
};
use super::model::{
    DefinitionAction, DefinitionPlan, InspectMode, InspectResult, MAX_GET, MAX_STREAM_READ,
    QueueDetail, QueueSort, RabbitSummary,
};
use crate::auth::model::Permission;
use crate::codec::render_b64;
use crate::components::{
    BUTTON, BUTTON_DANGER, BUTTON_SECONDARY, ConfirmButton, ErrorBanner, Field, Form, FormStatus,
    Guarded, PAGE_TITLE, PageSpan, Pager, SearchBox, TableHead, Tabs, TextArea, TextField,
    TypeToConfirm, cluster_param, error_banners, refusal, url_state, use_ticker,
};
use crate::error::Backend;
use crate::fields::{route_captures, url_segment as seg};
use crate::live::logic::link::{TapLink, TapTarget, tap_href};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_navigate};

mod exchanges;
mod flows;
mod live;
pub use exchanges::{DefinitionsPage, ExchangesPage, PoliciesPage};
pub use flows::RabbitFlowsPage;
pub use live::RabbitLivePage;

/// Queues per page of the queue list.
const QUEUE_PAGE: u64 = 100;

const LINK: &str = "underline decoration-slate-400 hover:decoration-current";

pub fn queue_href(cluster: &str, vhost: &str, name: &str) -> String {
    format!(
        "/rabbitmq/{}/queues/{}/{}",
        seg(cluster),
        seg(vhost),
        seg(name)
    )
}

#[component]
fn RabbitNav(cluster: String, current: &'static str) -> impl IntoView {
    let tabs = vec![
        ("Overview", format!("/rabbitmq/{cluster}")),
        ("Queues", format!("/rabbitmq/{cluster}/queues")),
        ("Exchanges", format!("/rabbitmq/{cluster}/exchanges")),
        ("Policies", format!("/rabbitmq/{cluster}/policies")),
        ("Definitions", format!("/rabbitmq/{cluster}/definitions")),
        ("Live tap", format!("/rabbitmq/{cluster}/live")),
        ("Flows", format!("/rabbitmq/{cluster}/flows")),
    ];
    view! { <Tabs label="RabbitMQ" tabs=tabs current=current /> }
}

/// A labelled checkbox bound to `value`.
#[component]
fn Check(#[prop(into)] label: String, value: RwSignal<bool>) -> impl IntoView {
    view! {
        <label class="flex items-center gap-2 text-sm">
            <input type="checkbox" prop:checked=move || value.get() on:change=move |ev| value.set(event_target_checked(&ev)) />
            {label}
        </label>
    }
}

/// A labelled select of fixed options bound to `value`.
#[component]
fn Choice(
    #[prop(into)] label: String,
    value: RwSignal<String>,
    options: &'static [&'static str],
) -> impl IntoView {
    let name = label.clone();
    view! {
        <label class="flex flex-col gap-1 text-sm">
            <span>{label}</span>
            <select aria-label=name class="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-900"
                on:change=move |ev| value.set(event_target_value(&ev))>
                {options.iter().map(|o| view! { <option value=*o selected=move || value.get() == *o>{*o}</option> }).collect_view()}
            </select>
        </label>
    }
}

// ---------------------------------------------------------------------------
// Overview

/// `/rabbitmq/:cluster`: versions, totals, rates, nodes, alarms, listeners.
#[component]
pub fn RabbitPage() -> impl IntoView {
    let cluster = cluster_param();
    let tick = use_ticker(5_000);
    // Bumped by a vhost change, so the lists show it now, not on the next tick.
    let changed = RwSignal::new(0u32);
    let summary = Resource::new(
        move || (cluster.get(), tick.get(), changed.get()),
        |(c, _, _)| get_rabbitmq_summary(c),
    );
    let detail = Resource::new(
        move || (cluster.get(), tick.get(), changed.get()),
        |(c, _, _)| get_rabbitmq_detail(c),
    );
    view! {
        <Title text=move || format!("RabbitMQ {} · zkmq", cluster.get()) />
        <RabbitNav cluster=cluster.get_untracked() current="Overview" />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || summary.get().map(|r| r.map(|s| view! { <RabbitOverview summary=s /> }))}
                // One banner is enough when the broker is down: the summary's.
                {move || detail.get().and_then(|r| r.ok()).map(|d| {
                    let alarms: Vec<String> = d.nodes.iter().flat_map(|n| n.alarms.iter().map(move |a| format!("{}: {a} alarm", n.name))).collect();
                    view! {
                        {(!alarms.is_empty()).then(|| view! { <ErrorBanner message=format!("Alarms raised: {} — publishers are blocked until they clear.", alarms.join(", ")) /> })}
                        <p class="my-4 text-sm" role="status" aria-label="Message rates">
                            {format!("publish {:.1}/s · deliver {:.1}/s · ack {:.1}/s", d.rates.publish, d.rates.deliver, d.rates.ack)}
                        </p>
                        <table class="mb-4 w-full border-collapse text-left text-sm">
                            <caption class="sr-only">"Nodes"</caption>
                            <TableHead columns=&["Node", "Running", "Memory", "Disk free", "File descriptors", "Alarms"] />
                            <tbody>
                                {d.nodes.into_iter().map(|n| view! {
                                    <tr class="border-b border-slate-200 dark:border-slate-800">
                                        <th scope="row" class="py-1 pr-4 font-mono font-normal">{n.name}</th>
                                        <td class="py-1 pr-4">{if n.running { "yes" } else { "no" }}</td>
                                        <td class="py-1 pr-4 font-mono">{format!("{} / {} MiB", n.mem_used >> 20, n.mem_limit >> 20)}</td>
                                        <td class="py-1 pr-4 font-mono">{format!("{} MiB", n.disk_free >> 20)}</td>
                                        <td class="py-1 pr-4 font-mono">{n.fd_used}</td>
                                        <td class="py-1 pr-4">{if n.alarms.is_empty() { "none".to_string() } else { n.alarms.join(", ") }}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <p class="text-sm">{"Listeners: "}{d.listeners.iter().map(|l| format!("{} {}:{}", l.protocol, l.ip, l.port)).collect::<Vec<_>>().join(" · ")}</p>
                        <p class="text-sm">{"Vhosts: "}{d.vhosts.join(", ")}</p>
                    }
                })}
            </ErrorBoundary>
        </Transition>
        <Vhosts cluster=cluster.get_untracked() changed />
    }
}

#[component]
fn Vhosts(cluster: String, changed: RwSignal<u32>) -> impl IntoView {
    let (may_create, may_delete) = (cluster.clone(), cluster.clone());
    let name = RwSignal::new(String::new());
    let doomed = RwSignal::new(String::new());
    let typed = RwSignal::new(String::new());
    let (made, gone) = (Form::new(), Form::new());
    let c1 = cluster.clone();
    let create = Action::new(move |_: &()| {
        let c = c1.clone();
        async move {
            made.start();
            made.settle(create_vhost(c, name.get_untracked()).await, |()| {
                changed.update(|n| *n += 1);
                format!("Created vhost {}.", name.get_untracked())
            });
        }
    });
    let remove = Action::new(move |_: &()| {
        let c = cluster.clone();
        async move {
            gone.start();
            gone.settle(
                delete_vhost(c, doomed.get_untracked(), typed.get_untracked()).await,
                |()| {
                    changed.update(|n| *n += 1);
                    format!("Deleted vhost {}.", doomed.get_untracked())
                },
            );
        }
    });
    view! {
        <section aria-labelledby="vhosts-h" class="mt-8 max-w-xl">
            <h2 id="vhosts-h" class="mb-2 text-lg font-semibold">"Vhosts"</h2>
            <Guarded backend=Backend::Rabbitmq cluster=may_create need=Permission::Change>
            <form class="flex items-end gap-2" aria-label="Create a vhost" on:submit=move |ev| { ev.prevent_default(); create.dispatch(()); }>
                <TextField label="New vhost" value=name form=made field="name" />
                <button type="submit" class=BUTTON>"Create vhost"</button>
            </form>
            <FormStatus form=made />
            </Guarded>
            <div class="mt-4">
            <Guarded backend=Backend::Rabbitmq cluster=may_delete need=Permission::Administer>
            <form class="flex flex-wrap items-end gap-2" aria-label="Delete a vhost" on:submit=move |ev| { ev.prevent_default(); remove.dispatch(()); }>
                <TextField label="Vhost to delete" value=doomed form=gone field="name" />
                <TextField label="Type its name again" value=typed form=gone field="confirm" />
                <button type="submit" class=BUTTON_DANGER>"Delete vhost and everything in it"</button>
            </form>
            <FormStatus form=gone />
            </Guarded>
            </div>
        </section>
    }
}

#[component]
fn RabbitOverview(summary: RabbitSummary) -> impl IntoView {
    let unknown = || "unknown".to_string();
    let o = summary.overview;
    view! {
        <h1 class="mb-4 text-2xl font-semibold">{summary.cluster.name.clone()}</h1>
        <dl class="max-w-md">
            <Field label="RabbitMQ version" value=o.version.clone().unwrap_or_else(unknown) />
            <Field label="Erlang version" value=o.erlang_version.clone().unwrap_or_else(unknown) />
            <Field label="Cluster name" value=o.cluster_name.clone().unwrap_or_else(unknown) />
            <Field label="Node" value=o.node.clone().unwrap_or_else(unknown) />
            <Field label="Queues" value=o.queues.to_string() />
            <Field label="Exchanges" value=o.exchanges.to_string() />
            <Field label="Connections" value=o.connections.to_string() />
            <Field label="Channels" value=o.channels.to_string() />
            <Field label="Consumers" value=o.consumers.to_string() />
            <Field label="Messages ready" value=o.messages_ready.to_string() />
            <Field label="Messages unacknowledged" value=o.messages_unacknowledged.to_string() />
        </dl>
    }
}

// ---------------------------------------------------------------------------
// Queues

/// `/rabbitmq/:cluster/queues`: paged, filtered and sorted by the broker.
#[component]
pub fn QueuesPage() -> impl IntoView {
    let cluster = cluster_param();
    // In the URL: a reload or a shared link opens the same page of the list.
    let filter = url_state("q", String::new());
    let sort = url_state("sort", "name".to_string());
    let page = url_state("page", 1u64);
    let refresh = RwSignal::new(0u32);
    let list = Resource::new(
        move || {
            (
                cluster.get(),
                filter.get(),
                sort.get(),
                page.get(),
                refresh.get(),
            )
        },
        |(c, f, s, p, _)| {
            let sort = match s.as_str() {
                "messages" => QueueSort::Messages,
                "consumers" => QueueSort::Consumers,
                _ => QueueSort::Name,
            };
            list_queues(
                c,
                String::new(),
                f,
                sort,
                sort != QueueSort::Name,
                p,
                QUEUE_PAGE,
            )
        },
    );
    view! {
        <Title text=move || format!("Queues · RabbitMQ {} · zkmq", cluster.get()) />
        <RabbitNav cluster=cluster.get_untracked() current="Queues" />
        <h1 class="mb-4 text-2xl font-semibold">"Queues"</h1>
        <div class="mb-3 flex items-end gap-4">
            <SearchBox label="Filter by name" value=filter on_change=Callback::new(move |()| page.set(1)) />
            <Choice label="Sort by" value=sort options=&["name", "messages", "consumers"] />
        </div>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || list.get().map(|r| r.map(|p| {
                    let c = cluster.get_untracked();
                    let (cur, count) = (p.page, p.page_count);
                    // The broker pages by number; the pager speaks in rows.
                    let span = PageSpan { offset: (cur.max(1) as usize - 1) * QUEUE_PAGE as usize, shown: p.rows.len(), matched: p.matched as usize };
                    view! {
                        <p class="mb-2 text-sm" role="status" aria-label="Queue count">
                            {format!("page {cur} of {} · {} matching · {} queues", count.max(1), p.matched, p.total)}
                        </p>
                        <table class="w-full border-collapse text-left text-sm">
                            <caption class="sr-only">"Queues"</caption>
                            <TableHead columns=&["Queue", "Vhost", "Type", "State", "Ready", "Unacked", "Consumers", "Publish/s", "Deliver/s", "Policy"] />
                            <tbody>
                                {p.rows.into_iter().map(|q| view! {
                                    <tr class="border-b border-slate-200 dark:border-slate-800" aria-label=q.name.clone()>
                                        <th scope="row" class="py-1 pr-4 font-mono font-normal"><a class=LINK href=queue_href(&c, &q.vhost, &q.name)>{q.name.clone()}</a></th>
                                        <td class="py-1 pr-4 font-mono wrap-anywhere">{q.vhost}</td>
                                        <td class="py-1 pr-4">{q.kind}</td>
                                        <td class="py-1 pr-4">{q.state}</td>
                                        <td class="py-1 pr-4 font-mono">{q.ready}</td>
                                        <td class="py-1 pr-4 font-mono">{q.unacked}</td>
                                        <td class="py-1 pr-4 font-mono">{q.consumers}</td>
                                        <td class="py-1 pr-4 font-mono">{q.publish_rate.map(|r| format!("{r:.1}")).unwrap_or_else(|| "—".into())}</td>
                                        <td class="py-1 pr-4 font-mono">{q.deliver_rate.map(|r| format!("{r:.1}")).unwrap_or_else(|| "—".into())}</td>
                                        <td class="py-1 pr-4 wrap-anywhere">{q.policy.unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <Pager label="Queues" span=span on_move=Callback::new(move |d: i64| page.update(|p| *p = if d < 0 { p.saturating_sub(1).max(1) } else { *p + 1 })) />
                    }
                }))}
            </ErrorBoundary>
        </Transition>
        <Guarded backend=Backend::Rabbitmq cluster=cluster.get_untracked() need=Permission::Change><CreateQueue cluster=cluster.get_untracked() /></Guarded>
    }
}

#[component]
fn CreateQueue(cluster: String) -> impl IntoView {
    let vhost = RwSignal::new("/".to_string());
    let name = RwSignal::new(String::new());
    let durable = RwSignal::new(true);
    let auto_delete = RwSignal::new(false);
    let args = RwSignal::new(String::new());
    let form = Form::new();
    let navigate = use_navigate();
    let run = Action::new(move |_: &()| {
        let c = cluster.clone();
        let navigate = navigate.clone();
        let (v, n) = (vhost.get_untracked(), name.get_untracked());
        async move {
            form.start();
            match create_queue(
                c.clone(),
                v.clone(),
                n.clone(),
                durable.get_untracked(),
                auto_delete.get_untracked(),
                args.get_untracked(),
            )
            .await
            {
                Ok(()) => navigate(&queue_href(&c, &v, &n), Default::default()),
                Err(e) => form.settle(Err::<(), _>(e), |()| String::new()),
            }
        }
    });
    view! {
        <section aria-labelledby="create-queue-h" class="mt-8 max-w-xl">
            <h2 id="create-queue-h" class="mb-2 text-lg font-semibold">"Create queue"</h2>
            <div class="flex flex-col gap-2">
                <div class="flex gap-4">
                    <TextField label="Vhost" value=vhost form field="vhost" />
                    <TextField label="Name" value=name form field="name" />
                </div>
                <div class="flex gap-4">
                    <Check label="Durable" value=durable />
                    <Check label="Auto-delete" value=auto_delete />
                </div>
                <TextArea label="Arguments (x-…=value per line)" value=args rows=4 form field="arguments"
                    placeholder="x-queue-type=quorum\nx-message-ttl=60000\nx-dead-letter-exchange=dlx" />
                <div><button type="button" class=BUTTON on:click=move |_| { run.dispatch(()); }>"Create queue"</button></div>
            </div>
            <FormStatus form />
        </section>
    }
}

/// `/rabbitmq/:cluster/queues/:vhost/:name`.
#[component]
pub fn QueuePage() -> impl IntoView {
    let cluster = cluster_param();
    let location = use_location();
    let parts = Memo::new(move |prev: Option<&(String, String)>| {
        let shape = [Some("rabbitmq"), None, Some("queues"), None, None];
        route_captures(&location.pathname.get(), &shape)
            .map(|c| (c[1].clone(), c[2].clone()))
            .or_else(|| prev.cloned())
            .unwrap_or_default()
    });
    let refresh = RwSignal::new(0u32);
    let tick = use_ticker(5_000);
    let detail = Resource::new(
        move || (cluster.get(), parts.get(), refresh.get(), tick.get()),
        |(c, (v, n), _, _)| get_queue(c, v, n),
    );
    // The queue type never changes: its own resource, so the forms below
    // render once (inside Suspense, the same on server and browser) and keep
    // what the user typed across the five-second refresh.
    let kind = Resource::new(
        move || (cluster.get(), parts.get()),
        |(c, (v, n))| async move { get_queue(c, v, n).await.map(|d| d.row.kind == "stream") },
    );
    view! {
        <Title text=move || format!("{} · RabbitMQ {} · zkmq", parts.get().1, cluster.get()) />
        <RabbitNav cluster=cluster.get_untracked() current="Queues" />
        <h1 class=PAGE_TITLE>{move || parts.get().1}</h1>
        <p class="mb-2 text-sm">
            <a class=LINK href=move || { let (v, n) = parts.get(); tap_href(&cluster.get(), &TapLink::of(v, TapTarget::Queue(n))) }>
                "Live view of this queue"
            </a>
            " (a tap of its bindings; the queue itself is not consumed from)"
        </p>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || detail.get().map(|r| r.map(|d| view! { <QueueDetailView detail=d cluster=cluster.get_untracked() refresh=refresh /> }))}
            </ErrorBoundary>
        </Transition>
        <Suspense fallback=|| ()>
            {move || kind.get().and_then(|r| r.ok()).map(|is_stream| {
                let (c, (vhost, name)) = (cluster.get_untracked(), parts.get_untracked());
                let (c1, v1, n1) = (c.clone(), vhost.clone(), name.clone());
                let (c2, v2, n2) = (c.clone(), vhost.clone(), name.clone());
                let (c3, v3, n3) = (c.clone(), vhost.clone(), name.clone());
                view! {
                    <Guarded backend=Backend::Rabbitmq cluster=c.clone() need=Permission::Change>
                    <div class="mt-8 grid gap-8 lg:grid-cols-2">
                        <BindQueue cluster=c1.clone() vhost=v1.clone() queue=n1.clone() refresh=refresh />
                        <Publish cluster=c1 vhost=v1 exchange=String::new() routing_key=n1 />
                    </div>
                    </Guarded>
                    <div class="mt-8">
                    <Guarded backend=Backend::Rabbitmq cluster=c.clone() need=Permission::ReadPayloads>
                    <Inspect cluster=c2 vhost=v2 queue=n2 is_stream />
                    </Guarded>
                    </div>
                    <Guarded backend=Backend::Rabbitmq cluster=c.clone() need=Permission::Change>
                    <div class="mt-8 grid gap-8 lg:grid-cols-2">
                        <PurgeQueue cluster=c3.clone() vhost=v3.clone() queue=n3.clone() refresh=refresh />
                        <DeleteQueue cluster=c3 vhost=v3 queue=n3 />
                    </div>
                    </Guarded>
                }
                .into_any()
            })}
        </Suspense>
    }
}

#[component]
fn QueueDetailView(detail: QueueDetail, cluster: String, refresh: RwSignal<u32>) -> impl IntoView {
    let q = detail.row.clone();
    // A user who may not change bindings sees the Unbind buttons disabled,
    // with the role they lack as the button's description.
    let may_not = refusal(Backend::Rabbitmq, &cluster, Permission::Change);
    view! {
        <p class="mb-2 text-sm" role="status" aria-label="Queue summary">
            {format!("{} queue in vhost {} · {} · {} ready · {} unacked · {} consumers", q.kind, q.vhost, q.state, q.ready, q.unacked, q.consumers)}
        </p>
        <dl class="mb-4 max-w-2xl">
            <Field label="Durable" value=detail.durable.to_string() />
            <Field label="Auto-delete" value=detail.auto_delete.to_string() />
            <Field label="Exclusive" value=detail.exclusive.to_string() />
            <Field label="Arguments" value=detail.arguments.clone() />
            <Field label="Policy" value=q.policy.clone().unwrap_or_else(|| "none".into()) />
            <Field label="Effective policy" value=detail.effective_policy.clone().unwrap_or_else(|| "none".into()) />
            <Field label="Operator policy" value=detail.operator_policy.clone().unwrap_or_else(|| "none".into()) />
        </dl>
        <h2 class="mb-2 text-lg font-semibold">"Bindings"</h2>
        <table class="w-full border-collapse text-left text-sm">
            <caption class="sr-only">"Bindings of this queue"</caption>
            <TableHead columns=&["From exchange", "Routing key", "Arguments", ""] />
            <tbody>
                {detail.bindings.into_iter().map(|b| {
                    let (c, v, src, dst, key) = (cluster.clone(), b.vhost.clone(), b.source.clone(), b.destination.clone(), b.properties_key.clone());
                    let form = Form::new();
                    let unbind = move |_| {
                        let (c, v, src, dst, key) = (c.clone(), v.clone(), src.clone(), dst.clone(), key.clone());
                        form.submit(delete_binding(c, v, src, "queue".into(), dst, key), move |()| {
                            refresh.update(|n| *n += 1);
                            String::new()
                        });
                    };
                    let default = b.source.is_empty();
                    view! {
                        <tr class="border-b border-slate-200 dark:border-slate-800" aria-label=format!("binding from {}", if default { "(default)" } else { &b.source })>
                            <th scope="row" class="py-1 pr-4 font-mono font-normal">{if default { "(default exchange)".to_string() } else { b.source.clone() }}</th>
                            <td class="py-1 pr-4 font-mono wrap-anywhere">{b.routing_key}</td>
                            <td class="py-1 pr-4 font-mono wrap-anywhere">{b.arguments}</td>
                            <td class="py-1">{(!default).then(|| view! {
                                <button type="button" class=BUTTON_SECONDARY on:click=unbind disabled=may_not.is_some() title=may_not.clone()>"Unbind"</button>
                            })}<FormStatus form /></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn BindQueue(
    cluster: String,
    vhost: String,
    queue: String,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let source = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    let args = RwSignal::new(String::new());
    let form = Form::new();
    let run = Action::new(move |_: &()| {
        let (c, v, q) = (cluster.clone(), vhost.clone(), queue.clone());
        async move {
            form.start();
            let result = create_binding(
                c,
                v,
                source.get_untracked(),
                "queue".into(),
                q,
                key.get_untracked(),
                args.get_untracked(),
            )
            .await;
            form.settle(result, |()| {
                refresh.update(|n| *n += 1);
                format!("Bound from {}.", source.get_untracked())
            });
        }
    });
    view! {
        <section aria-labelledby="bind-h">
            <h2 id="bind-h" class="mb-2 text-lg font-semibold">"Bind from an exchange"</h2>
            <form class="flex flex-col gap-2" on:submit=move |ev| { ev.prevent_default(); run.dispatch(()); }>
                <TextField label="Exchange" value=source form field="source" />
                <TextField label="Routing key" value=key form field="routing_key" />
                <TextArea label="Binding arguments (key=value per line)" value=args rows=2 form field="arguments" />
                <div><button type="submit" class=BUTTON>"Bind"</button></div>
            </form>
            <FormStatus form />
        </section>
    }
}

#[component]
fn Publish(cluster: String, vhost: String, exchange: String, routing_key: String) -> impl IntoView {
    let exchange = RwSignal::new(exchange);
    let key = RwSignal::new(routing_key);
    let content_type = RwSignal::new("text/plain".to_string());
    let persistent = RwSignal::new(true);
    let headers = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let form = Form::new();
    let run = Action::new(move |_: &()| {
        let (c, v) = (cluster.clone(), vhost.clone());
        async move {
            form.start();
            let result = publish_message(
                c,
                v,
                exchange.get_untracked(),
                key.get_untracked(),
                content_type.get_untracked(),
                persistent.get_untracked(),
                headers.get_untracked(),
                body.get_untracked(),
            )
            .await;
            form.settle(result, |routed| {
                if routed {
                    "Published; a queue took it.".into()
                } else {
                    "Published, but no queue is bound for this routing key: the broker returned it."
                        .into()
                }
            });
        }
    });
    view! {
        <section aria-labelledby="publish-h">
            <h2 id="publish-h" class="mb-2 text-lg font-semibold">"Publish a message"</h2>
            <form class="flex flex-col gap-2" on:submit=move |ev| { ev.prevent_default(); run.dispatch(()); }>
                <div class="flex gap-4">
                    <TextField label="Exchange (empty: default)" value=exchange form field="exchange" />
                    <TextField label="Routing key" value=key form field="routing_key" />
                </div>
                <div class="flex items-end gap-4">
                    <TextField label="Content type" value=content_type form field="content_type" />
                    <Check label="Persistent" value=persistent />
                </div>
                <TextArea label="Headers (name=value per line)" value=headers rows=2 form field="headers" />
                <TextArea label="Body" value=body rows=4 form field="body" />
                <div><button type="submit" class=BUTTON>"Publish"</button></div>
            </form>
            <FormStatus form />
        </section>
    }
}

/// Reading messages: a real peek for streams (from an offset); for other
/// queues only "get and requeue", named as such and confirmed. `is_stream`
/// comes from the loaded queue, so the server and the browser render the
/// same branch.
#[component]
fn Inspect(cluster: String, vhost: String, queue: String, is_stream: bool) -> impl IntoView {
    let from = RwSignal::new("first".to_string());
    let value = RwSignal::new(String::new());
    let count = RwSignal::new("10".to_string());
    let confirmed = RwSignal::new(false);
    let result = RwSignal::new(None::<InspectResult>);
    let form = Form::new();
    let run = Action::new(move |_: &()| {
        let (c, v, q) = (cluster.clone(), vhost.clone(), queue.clone());
        async move {
            form.start();
            let n = count.get_untracked();
            let r = if is_stream {
                read_stream(c, v, q, from.get_untracked(), value.get_untracked(), n).await
            } else {
                get_requeue_messages(c, v, q, n, confirmed.get_untracked()).await
            };
            result.set(None);
            form.settle(r, |r| {
                result.set(Some(r));
                String::new()
            });
        }
    });
    view! {
        <section aria-labelledby="inspect-h" class="mt-8">
            <h2 id="inspect-h" class="mb-2 text-lg font-semibold">"Messages"</h2>
            {if is_stream {
                view! {
                    <p class="mb-2 text-sm">"Streams keep their messages: this read consumes nothing. \"last\" starts at the last chunk RabbitMQ wrote, which may hold fewer messages than the count."</p>
                    <form class="flex flex-wrap items-end gap-3" on:submit=move |ev| { ev.prevent_default(); run.dispatch(()); }>
                        <Choice label="Read from" value=from options=&["first", "last", "offset", "timestamp"] />
                        <TextField label="Offset or time (UTC)" value=value form field="value" />
                        <TextField label=format!("Count (1–{MAX_STREAM_READ})") value=count form field="count" />
                        <button type="submit" class=BUTTON>"Read from stream"</button>
                    </form>
                }.into_any()
            } else {
                view! {
                    <p class="mb-2 text-sm">"RabbitMQ has no peek for this queue type. zkmq can get messages and requeue them: they come back marked redelivered and may change order, and consumers see them again."</p>
                    <form class="flex flex-wrap items-end gap-3" on:submit=move |ev| { ev.prevent_default(); run.dispatch(()); }>
                        <TextField label=format!("Count (1–{MAX_GET})") value=count form field="count" />
                        <Check label="I understand: get and requeue marks messages redelivered" value=confirmed />
                        <button type="submit" class=BUTTON_DANGER disabled=move || !confirmed.get()>"Get and requeue (marks messages redelivered)"</button>
                    </form>
                }.into_any()
            }}
            <FormStatus form />
            {move || result.get().map(|r| {
                let what = match r.mode {
                    InspectMode::StreamOffset => "read from the stream, nothing consumed",
                    InspectMode::GetRequeue => "got and requeued (now marked redelivered)",
                };
                view! {
                    <p class="my-2 text-sm" role="status" aria-label="Inspect result">{format!("{} messages {what}", r.messages.len())}</p>
                    <table class="w-full border-collapse text-left text-sm">
                        <caption class="sr-only">"Messages read"</caption>
                        <TableHead columns=&["#", "Exchange", "Routing key", "Redelivered", "Properties", "Body"] />
                        <tbody>
                            {r.messages.into_iter().enumerate().map(|(i, m)| view! {
                                <tr class="border-b border-slate-200 align-top dark:border-slate-800" aria-label=format!("message {}", m.offset.unwrap_or(i as i64))>
                                    <th scope="row" class="py-1 pr-4 font-mono font-normal">{m.offset.map(|o| format!("offset {o}")).unwrap_or_else(|| (i + 1).to_string())}</th>
                                    <td class="py-1 pr-4 font-mono wrap-anywhere">{m.exchange}</td>
                                    <td class="py-1 pr-4 font-mono wrap-anywhere">{m.routing_key}</td>
                                    <td class="py-1 pr-4">{m.redelivered.to_string()}</td>
                                    <td class="py-1 pr-4"><pre class="font-mono text-xs whitespace-pre-wrap break-all">{m.properties}</pre></td>
                                    <td class="py-1"><pre class="max-h-64 overflow-auto font-mono text-xs whitespace-pre-wrap break-all">{render_b64(&m.payload_b64, None)}</pre></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }
            })}
        </section>
    }
}

#[component]
fn PurgeQueue(
    cluster: String,
    vhost: String,
    queue: String,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let form = Form::new();
    let q2 = queue.clone();
    let run = Action::new(move |_: &()| {
        let (c, v, q) = (cluster.clone(), vhost.clone(), queue.clone());
        async move {
            form.start();
            form.settle(purge_queue(c, v, q, typed.get_untracked()).await, |n| {
                refresh.update(|x| *x += 1);
                format!("Purged {n} ready messages.")
            });
        }
    });
    view! {
        <section aria-labelledby="purge-h">
            <h2 id="purge-h" class="mb-2 text-lg font-semibold">"Purge"</h2>
            <p class="mb-2 text-sm">{format!("Removes every ready message of \"{q2}\". Type the queue name to confirm.")}</p>
            <TypeToConfirm label="Queue name to purge" button="Purge queue" typed form on_confirm=Callback::new(move |()| { run.dispatch(()); }) />
        </section>
    }
}

#[component]
fn DeleteQueue(cluster: String, vhost: String, queue: String) -> impl IntoView {
    let if_empty = RwSignal::new(true);
    let if_unused = RwSignal::new(true);
    let form = Form::new();
    let navigate = use_navigate();
    let run = Action::new(move |_: &()| {
        let (c, v, q) = (cluster.clone(), vhost.clone(), queue.clone());
        let navigate = navigate.clone();
        async move {
            form.start();
            match delete_queue(
                c.clone(),
                v,
                q,
                if_empty.get_untracked(),
                if_unused.get_untracked(),
            )
            .await
            {
                Ok(()) => navigate(&format!("/rabbitmq/{c}/queues"), Default::default()),
                Err(e) => form.settle(Err::<(), _>(e), |()| String::new()),
            }
        }
    });
    view! {
        <section aria-labelledby="delete-queue-h">
            <h2 id="delete-queue-h" class="mb-2 text-lg font-semibold">"Delete queue"</h2>
            <div class="flex flex-wrap items-end gap-3">
                <Check label="Only if empty" value=if_empty />
                <Check label="Only if unused" value=if_unused />
                <button type="button" class=BUTTON_DANGER on:click=move |_| { run.dispatch(()); }>"Delete queue"</button>
            </div>
            <FormStatus form />
        </section>
    }
}
