//! Kafka consumer groups: the list, one group's offsets and lag, and the
//! offset reset (preview, then apply that plan).

use super::*;

/// `/kafka/:cluster/groups`.
#[component]
pub fn GroupsPage() -> impl IntoView {
    let cluster = cluster_param();
    // In the URL: a reload or a shared link opens the same page of the list.
    let filter = url_state("q", String::new());
    let sort = url_state("sort", GroupSort::Name);
    let desc = url_state("desc", false);
    let offset = url_state("offset", 0usize);
    let page = Resource::new(
        move || {
            (
                cluster.get(),
                filter.get(),
                sort.get(),
                desc.get(),
                offset.get(),
            )
        },
        |(c, f, s, d, o)| list_groups(c, f, s, d, o, PAGE),
    );
    view! {
        <Title text=move || format!("Consumer groups · Kafka {} · zkmq", cluster.get()) />
        <KafkaNav cluster=cluster.get_untracked() current="Consumer groups" />
        <h1 class="mb-4 text-2xl font-semibold">"Consumer groups"</h1>
        <div class="mb-3 flex items-end gap-4">
            <SearchBox label="Filter by name" value=filter on_change=Callback::new(move |()| offset.set(0)) />
            <label class="flex flex-col gap-1 text-sm">
                <span>"Sort by"</span>
                <select aria-label="Sort by" class="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-900"
                    on:change=move |ev| {
                        let s = match event_target_value(&ev).as_str() { "state" => GroupSort::State, "members" => GroupSort::Members, _ => GroupSort::Name };
                        // Members: the busiest groups first, where one looks for them.
                        desc.set(s == GroupSort::Members);
                        sort.set(s);
                        offset.set(0);
                    }>
                    <option value="name" selected=move || sort.get() == GroupSort::Name>"name"</option>
                    <option value="state" selected=move || sort.get() == GroupSort::State>"state"</option>
                    <option value="members" selected=move || sort.get() == GroupSort::Members>"members"</option>
                </select>
            </label>
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" prop:checked=move || desc.get()
                    on:change=move |ev| { desc.set(event_target_checked(&ev)); offset.set(0); } />
                "Descending"
            </label>
        </div>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || page.get().map(|r| r.map(|p| {
                    let c = cluster.get_untracked();
                    let last = p.offset + p.rows.len();
                    let span = PageSpan { offset: p.offset, shown: p.rows.len(), matched: p.matched };
                    view! {
                        <p class="mb-2 text-sm" role="status" aria-label="Group count">
                            {format!("{}–{last} of {} matching · {} groups in the cluster", if p.matched == 0 { 0 } else { p.offset + 1 }, p.matched, p.total)}
                        </p>
                        <table class="w-full border-collapse text-left text-sm">
                            <caption class="sr-only">"Consumer groups"</caption>
                            <TableHead columns=&["Group", "State", "Members", "Topics", "Total lag"] />
                            <tbody>
                                {p.rows.into_iter().map(|g| view! {
                                    <tr class="border-b border-slate-200 dark:border-slate-800" aria-label=g.name.clone()>
                                        <th scope="row" class="py-1 pr-4 font-mono font-normal"><a class=LINK href=group_href(&c, &g.name)>{g.name.clone()}</a></th>
                                        <td class="py-1 pr-4">{g.state}</td>
                                        <td class="py-1 pr-4 font-mono">{g.members}</td>
                                        <td class="py-1 pr-4 font-mono wrap-anywhere">{g.topics.join(", ")}</td>
                                        <td class="py-1 pr-4 font-mono">{g.lag.map(|l| l.to_string()).unwrap_or_else(|| "—".into())}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <Pager label="Consumer groups" span=span on_move=Callback::new(move |d: i64| offset.update(|o| *o = if d < 0 { o.saturating_sub(PAGE) } else { *o + PAGE })) />
                    }
                }))}
            </ErrorBoundary>
        </Transition>
    }
}

/// `/kafka/:cluster/groups/:group`: refreshed every 5 s (lag moves).
#[component]
pub fn GroupPage() -> impl IntoView {
    let cluster = cluster_param();
    let location = use_location();
    let group = Memo::new(move |prev: Option<&String>| {
        let shape = [Some("kafka"), None, Some("groups"), None];
        route_captures(&location.pathname.get(), &shape)
            .map(|c| c[1].clone())
            .or_else(|| prev.cloned())
            .unwrap_or_default()
    });
    let refresh = RwSignal::new(0u32);
    let tick = crate::components::use_ticker(5_000);
    let detail = Resource::new(
        move || (cluster.get(), group.get(), refresh.get(), tick.get()),
        |(c, g, _, _)| get_group(c, g),
    );
    view! {
        <Title text=move || format!("{} · Kafka {} · zkmq", group.get(), cluster.get()) />
        <KafkaNav cluster=cluster.get_untracked() current="Consumer groups" />
        <h1 class=PAGE_TITLE>{move || group.get()}</h1>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || detail.get().map(|r| r.map(|d| view! { <GroupDetailView detail=d /> }))}
            </ErrorBoundary>
        </Transition>
        <Guarded backend=Backend::Kafka cluster=cluster.get_untracked() need=Permission::Change><ResetOffsets cluster=cluster.get_untracked() group=group.get_untracked() refresh=refresh /></Guarded>
    }
}

#[component]
fn GroupDetailView(detail: GroupDetail) -> impl IntoView {
    let c = detail.cluster.id.clone();
    view! {
        <p class="mb-2 text-sm" role="status" aria-label="Group summary">
            {format!(
                "{} · {} member{} · total lag {}",
                detail.state,
                detail.members.len(),
                if detail.members.len() == 1 { "" } else { "s" },
                detail.total_lag.map(|l| l.to_string()).unwrap_or_else(|| "unknown".into())
            )}
        </p>
        <table class="w-full border-collapse text-left text-sm">
            <caption class="sr-only">"Offsets"</caption>
            <TableHead columns=&["Topic", "Partition", "Committed", "End", "Lag"] />
            <tbody>
                {detail.offsets.into_iter().map(|o| view! {
                    <tr class="border-b border-slate-200 dark:border-slate-800" aria-label=format!("{}-{}", o.topic, o.partition)>
                        <th scope="row" class="py-1 pr-4 font-mono font-normal"><a class=LINK href=topic_href(&c, &o.topic)>{o.topic.clone()}</a></th>
                        <td class="py-1 pr-4 font-mono">{o.partition}</td>
                        <td class="py-1 pr-4 font-mono">{o.committed.map(|v| v.to_string()).unwrap_or_else(|| "none".into())}</td>
                        <td class="py-1 pr-4 font-mono">{o.end.map(|v| v.to_string()).unwrap_or_else(|| "—".into())}</td>
                        <td class="py-1 pr-4 font-mono">{o.lag.map(|v| v.to_string()).unwrap_or_else(|| "—".into())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <h2 class="mt-6 mb-2 text-lg font-semibold">"Members"</h2>
        {if detail.members.is_empty() {
            view! { <p class="text-sm">"No members: the group is not consuming."</p> }.into_any()
        } else {
            view! {
                <table class="w-full border-collapse text-left text-sm">
                    <TableHead columns=&["Client id", "Host", "Assigned partitions"] />
                    <tbody>
                        {detail.members.into_iter().map(|m| view! {
                            <tr class="border-b border-slate-200 dark:border-slate-800">
                                <th scope="row" class="py-1 pr-4 font-mono font-normal">{m.client_id}</th>
                                <td class="py-1 pr-4 font-mono wrap-anywhere">{m.host}</td>
                                <td class="py-1 pr-4 font-mono wrap-anywhere">{m.assignment.join(", ")}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

#[component]
fn ResetOffsets(cluster: String, group: String, refresh: RwSignal<u32>) -> impl IntoView {
    let topic = RwSignal::new(String::new());
    let to = RwSignal::new("earliest".to_string());
    let value = RwSignal::new(String::new());
    let form = Form::new();
    let rows = RwSignal::new(None::<(bool, Plan<ResetRow>)>);
    let run = Action::new(move |dry: &bool| {
        let (c, g, dry) = (cluster.clone(), group.clone(), *dry);
        // Apply sends the hash of the preview on screen: the server refuses
        // if the group's offsets (or the form) no longer give that plan.
        let reviewed = rows
            .get_untracked()
            .filter(|(was_dry, _)| *was_dry)
            .map(|(_, p)| p.hash)
            .unwrap_or_default();
        async move {
            form.start();
            let result = reset_offsets(
                c,
                g,
                topic.get_untracked(),
                to.get_untracked(),
                value.get_untracked(),
                dry,
                reviewed,
            )
            .await;
            if result.is_err() {
                rows.set(None);
            }
            form.settle(result, |r| {
                rows.set(Some((dry, r)));
                if !dry {
                    refresh.update(|n| *n += 1);
                }
                String::new()
            });
        }
    });
    view! {
        <section aria-labelledby="reset-h" class="mt-8 max-w-2xl">
            <h2 id="reset-h" class="mb-2 text-lg font-semibold">"Reset offsets"</h2>
            <p class="mb-2 text-sm">"Only for a group without members (stop its consumers first). Preview shows the new offsets; nothing changes until you apply."</p>
            <div class="flex flex-wrap items-end gap-3">
                <TextField label="Topic (empty: all its topics)" value=topic form field="topic" />
                <label class="flex flex-col gap-1 text-sm">
                    <span>"Reset to"</span>
                    <select aria-label="Reset to" class="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-900"
                        on:change=move |ev| to.set(event_target_value(&ev))>
                        <option value="earliest">"earliest"</option>
                        <option value="latest">"latest"</option>
                        <option value="timestamp">"timestamp (UTC)"</option>
                        <option value="offset">"offset"</option>
                    </select>
                </label>
                <TextField label="Time or offset" value=value placeholder="2026-11-25T12:00:00Z" form field="value" />
                <button type="button" class=BUTTON_SECONDARY on:click=move |_| { run.dispatch(true); }>"Preview reset"</button>
                <button type="button" class=BUTTON_DANGER on:click=move |_| { run.dispatch(false); }>"Apply reset"</button>
            </div>
            <FormStatus form />
            {move || rows.get().map(|(dry, r)| view! {
                <section aria-label=if dry { "Reset preview" } else { "Reset applied" } class="mt-2 rounded border border-sky-400 p-3 text-sm">
                    <h3 class="font-semibold">{if dry { "Preview: new offsets (not applied)" } else { "Applied" }}</h3>
                    <table class="text-left">
                        <TableHead columns=&["Topic", "Partition", "Current", "New"] />
                        <tbody>
                            {r.items.into_iter().map(|row| {
                                let label = format!("{}-{}", row.topic, row.partition);
                                view! {
                                <tr aria-label=label>
                                    <th scope="row" class="pr-4 font-mono font-normal">{row.topic}</th>
                                    <td class="pr-4 font-mono">{row.partition}</td>
                                    <td class="pr-4 font-mono">{row.current.map(|c| c.to_string()).unwrap_or_else(|| "none".into())}</td>
                                    <td class="font-mono">{row.new}</td>
                                </tr>
                            }}).collect_view()}
                        </tbody>
                    </table>
                </section>
            })}
        </section>
    }
}
