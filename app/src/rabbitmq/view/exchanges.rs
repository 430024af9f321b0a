//! RabbitMQ exchanges (with bindings), policies and definitions pages.

use super::*;

// ---------------------------------------------------------------------------
// Exchanges

/// `/rabbitmq/:cluster/exchanges`.
#[component]
pub fn ExchangesPage() -> impl IntoView {
    let cluster = cluster_param();
    let refresh = RwSignal::new(0u32);
    let list = Resource::new(
        move || (cluster.get(), refresh.get()),
        |(c, _)| list_exchanges(c),
    );
    view! {
        <Title text=move || format!("Exchanges · RabbitMQ {} · zkmq", cluster.get()) />
        <RabbitNav cluster=cluster.get_untracked() current="Exchanges" />
        <h1 class="mb-4 text-2xl font-semibold">"Exchanges"</h1>
        <Guarded backend=Backend::Rabbitmq cluster=cluster.get_untracked() need=Permission::Change>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || list.get().map(|r| r.map(|rows| {
                    let c = cluster.get_untracked();
                    view! {
                        <table class="w-full border-collapse text-left text-sm">
                            <caption class="sr-only">"Exchanges"</caption>
                            <TableHead columns=&["Exchange", "Vhost", "Type", "Durable", "Auto-delete", "Internal", "Arguments", ""] />
                            <tbody>
                                {rows.into_iter().map(|e| {
                                    let builtin = e.name.is_empty() || e.name.starts_with("amq.");
                                    // The default exchange cannot be bound, so it cannot be tapped.
                                    let tap = (!e.name.is_empty()).then(|| tap_href(&c, &TapLink::of(e.vhost.clone(), TapTarget::Exchange { name: e.name.clone(), keys: vec![] })));
                                    let (c, v, n) = (c.clone(), e.vhost.clone(), e.name.clone());
                                    let form = Form::new();
                                    let question = format!("Delete exchange \"{n}\" in vhost \"{v}\" if nothing uses it?");
                                    let del = move |()| {
                                        let (c, v, n) = (c.clone(), v.clone(), n.clone());
                                        form.submit(delete_exchange(c, v, n, true), move |()| {
                                            refresh.update(|x| *x += 1);
                                            String::new()
                                        });
                                    };
                                    let label = if e.name.is_empty() { "(default)".to_string() } else { e.name.clone() };
                                    let row_label = label.clone();
                                    view! {
                                        <tr class="border-b border-slate-200 dark:border-slate-800" aria-label=row_label>
                                            <th scope="row" class="py-1 pr-4 font-mono font-normal">{label}</th>
                                            <td class="py-1 pr-4 font-mono wrap-anywhere">{e.vhost}</td>
                                            <td class="py-1 pr-4">{e.kind}</td>
                                            <td class="py-1 pr-4">{e.durable.to_string()}</td>
                                            <td class="py-1 pr-4">{e.auto_delete.to_string()}</td>
                                            <td class="py-1 pr-4">{e.internal.to_string()}</td>
                                            <td class="py-1 pr-4 font-mono wrap-anywhere">{e.arguments}</td>
                                            <td class="flex items-center gap-3 py-1">
                                                {tap.map(|href| view! { <a class=LINK href=href>"Live tap"</a> })}
                                                {(!builtin).then(|| view! { <ConfirmButton label="Delete if unused" question on_confirm=Callback::new(del) /> })}
                                                <FormStatus form />
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                }))}
            </ErrorBoundary>
        </Transition>
        </Guarded>
        <Bindings cluster=cluster.get_untracked() />
        <Guarded backend=Backend::Rabbitmq cluster=cluster.get_untracked() need=Permission::Change>
        <div class="mt-8 grid gap-8 lg:grid-cols-2">
            <CreateExchange cluster=cluster.get_untracked() refresh=refresh />
            <Publish cluster=cluster.get_untracked() vhost="/".to_string() exchange=String::new() routing_key=String::new() />
        </div>
        </Guarded>
    }
}

/// Every binding of a vhost (exchange→queue and exchange→exchange), with
/// unbind, and a form to bind an exchange to a queue or another exchange.
#[component]
fn Bindings(cluster: String) -> impl IntoView {
    let vhost = url_state("vhost", "/".to_string());
    let refresh = RwSignal::new(0u32);
    let c0 = cluster.clone();
    let list = Resource::new(
        move || (vhost.get(), refresh.get()),
        move |(v, _)| list_bindings(c0.clone(), v),
    );
    let source = RwSignal::new(String::new());
    let dest_type = RwSignal::new("queue".to_string());
    let dest = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    let args = RwSignal::new(String::new());
    let form = Form::new();
    let c1 = cluster.clone();
    let bind = Action::new(move |_: &()| {
        let c = c1.clone();
        async move {
            form.start();
            let result = create_binding(
                c,
                vhost.get_untracked(),
                source.get_untracked(),
                dest_type.get_untracked(),
                dest.get_untracked(),
                key.get_untracked(),
                args.get_untracked(),
            )
            .await;
            form.settle(result, |_| {
                refresh.update(|x| *x += 1);
                "Bound.".into()
            });
        }
    });
    let guard = cluster.clone();
    view! {
        <section aria-labelledby="bindings-h" class="mt-8">
            <h2 id="bindings-h" class="mb-2 text-lg font-semibold">"Bindings"</h2>
            <div class="mb-2 max-w-xs"><TextField label="Bindings of vhost" value=vhost /></div>
            <Guarded backend=Backend::Rabbitmq cluster=guard need=Permission::Change>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                <ErrorBoundary fallback=error_banners>
                    {move || list.get().map(|r| r.map(|rows| {
                        let c = cluster.clone();
                        view! {
                            <table class="w-full border-collapse text-left text-sm">
                                <caption class="sr-only">"Bindings"</caption>
                                <TableHead columns=&["Source", "Destination", "Type", "Routing key", "Arguments", ""] />
                                <tbody>
                                    {rows.into_iter().filter(|b| !b.source.is_empty()).map(|b| {
                                        let (c, v, src, t, dst, k) = (c.clone(), b.vhost.clone(), b.source.clone(), b.destination_type.clone(), b.destination.clone(), b.properties_key.clone());
                                        let form = Form::new();
                                        let unbind = move |_| {
                                            let (c, v, src, t, dst, k) = (c.clone(), v.clone(), src.clone(), t.clone(), dst.clone(), k.clone());
                                            form.submit(delete_binding(c, v, src, t, dst, k), move |()| {
                                                refresh.update(|x| *x += 1);
                                                String::new()
                                            });
                                        };
                                        view! {
                                            <tr class="border-b border-slate-200 dark:border-slate-800" aria-label=format!("{} to {}", b.source, b.destination)>
                                                <th scope="row" class="py-1 pr-4 font-mono font-normal">{b.source.clone()}</th>
                                                <td class="py-1 pr-4 font-mono wrap-anywhere">{b.destination.clone()}</td>
                                                <td class="py-1 pr-4">{b.destination_type.clone()}</td>
                                                <td class="py-1 pr-4 font-mono wrap-anywhere">{b.routing_key.clone()}</td>
                                                <td class="py-1 pr-4 font-mono wrap-anywhere">{b.arguments.clone()}</td>
                                                <td class="py-1"><button type="button" class=BUTTON_SECONDARY on:click=unbind>"Unbind"</button><FormStatus form /></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }
                    }))}
                </ErrorBoundary>
            </Transition>
            <form class="mt-4 flex flex-col gap-3" aria-label="New binding" on:submit=move |ev| { ev.prevent_default(); bind.dispatch(()); }>
                <div class="flex flex-wrap items-end gap-3">
                    <TextField label="Source exchange" value=source form field="source" />
                    <Choice label="Destination type" value=dest_type options=&["queue", "exchange"] />
                    <TextField label="Destination" value=dest form field="destination" />
                    <TextField label="Binding routing key" value=key form field="routing_key" />
                </div>
                <TextArea label="Binding arguments (key=value per line)" value=args rows=2 placeholder="x-match=any" form field="arguments" />
                <div><button type="submit" class=BUTTON>"Create binding"</button></div>
            </form>
            <FormStatus form />
            </Guarded>
        </section>
    }
}

#[component]
fn CreateExchange(cluster: String, refresh: RwSignal<u32>) -> impl IntoView {
    let vhost = RwSignal::new("/".to_string());
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new("direct".to_string());
    let durable = RwSignal::new(true);
    let auto_delete = RwSignal::new(false);
    let internal = RwSignal::new(false);
    let args = RwSignal::new(String::new());
    let form = Form::new();
    let run = Action::new(move |_: &()| {
        let c = cluster.clone();
        async move {
            form.start();
            let result = create_exchange(
                c,
                vhost.get_untracked(),
                name.get_untracked(),
                kind.get_untracked(),
                durable.get_untracked(),
                auto_delete.get_untracked(),
                internal.get_untracked(),
                args.get_untracked(),
            )
            .await;
            form.settle(result, |_| {
                refresh.update(|x| *x += 1);
                format!("Created exchange {}.", name.get_untracked())
            });
        }
    });
    view! {
        <section aria-labelledby="create-exchange-h">
            <h2 id="create-exchange-h" class="mb-2 text-lg font-semibold">"Create exchange"</h2>
            <form class="flex flex-col gap-2" on:submit=move |ev| { ev.prevent_default(); run.dispatch(()); }>
                <div class="flex gap-4">
                    <TextField label="Vhost" value=vhost form field="vhost" />
                    <TextField label="Name" value=name form field="name" />
                    <Choice label="Type" value=kind options=&["direct", "fanout", "topic", "headers"] />
                </div>
                <div class="flex gap-4">
                    <Check label="Durable" value=durable />
                    <Check label="Auto-delete" value=auto_delete />
                    <Check label="Internal" value=internal />
                </div>
                <TextArea label="Arguments (key=value per line)" value=args rows=2 placeholder="alternate-exchange=unrouted" form field="arguments" />
                <div><button type="submit" class=BUTTON>"Create exchange"</button></div>
            </form>
            <FormStatus form />
        </section>
    }
}

// ---------------------------------------------------------------------------
// Policies

/// `/rabbitmq/:cluster/policies`: user and operator policies; "Edit" loads
/// one into the form, which replaces it on save.
#[component]
pub fn PoliciesPage() -> impl IntoView {
    let cluster = cluster_param();
    let refresh = RwSignal::new(0u32);
    let list = Resource::new(
        move || (cluster.get(), refresh.get()),
        |(c, _)| list_policies(c),
    );
    let vhost = RwSignal::new("/".to_string());
    let name = RwSignal::new(String::new());
    let pattern = RwSignal::new(String::new());
    let apply_to = RwSignal::new("queues".to_string());
    let priority = RwSignal::new("0".to_string());
    let definition = RwSignal::new(String::new());
    let operator = RwSignal::new(false);
    let form = Form::new();
    let c = cluster.get_untracked();
    let save = Action::new(move |_: &()| {
        let c = c.clone();
        async move {
            form.start();
            let result = put_policy(
                c,
                vhost.get_untracked(),
                name.get_untracked(),
                pattern.get_untracked(),
                apply_to.get_untracked(),
                priority.get_untracked(),
                definition.get_untracked(),
                operator.get_untracked(),
            )
            .await;
            form.settle(result, |_| {
                refresh.update(|x| *x += 1);
                format!("Saved policy {}.", name.get_untracked())
            });
        }
    });
    view! {
        <Title text=move || format!("Policies · RabbitMQ {} · zkmq", cluster.get()) />
        <RabbitNav cluster=cluster.get_untracked() current="Policies" />
        <h1 class="mb-4 text-2xl font-semibold">"Policies"</h1>
        <p class="mb-4 text-sm">"Policies are how a live queue's settings change: a queue whose name matches takes the highest-priority policy's definition."</p>
        <Guarded backend=Backend::Rabbitmq cluster=cluster.get_untracked() need=Permission::Change>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || list.get().map(|r| r.map(|rows| {
                    let c = cluster.get_untracked();
                    view! {
                        <table class="w-full border-collapse text-left text-sm">
                            <caption class="sr-only">"Policies"</caption>
                            <TableHead columns=&["Policy", "Kind", "Vhost", "Pattern", "Apply to", "Priority", "Definition", ""] />
                            <tbody>
                                {rows.into_iter().map(|p| {
                                    let (c, v, n, op) = (c.clone(), p.vhost.clone(), p.name.clone(), p.operator);
                                    let form = Form::new();
                                    let question = format!("Delete {} \"{n}\" in vhost \"{v}\"?", if op { "operator policy" } else { "policy" });
                                    let del = move |()| {
                                        let (c, v, n) = (c.clone(), v.clone(), n.clone());
                                        form.submit(delete_policy(c, v, n, op), move |()| {
                                            refresh.update(|x| *x += 1);
                                            String::new()
                                        });
                                    };
                                    let p2 = p.clone();
                                    let edit = move |_| {
                                        vhost.set(p2.vhost.clone());
                                        name.set(p2.name.clone());
                                        pattern.set(p2.pattern.clone());
                                        apply_to.set(p2.apply_to.clone());
                                        priority.set(p2.priority.to_string());
                                        operator.set(p2.operator);
                                        // Back to key=value lines for the form.
                                        let def: serde_json::Value = serde_json::from_str(&p2.definition).unwrap_or_default();
                                        definition.set(def.as_object().map(|o| o.iter().map(|(k, v)| format!("{k}={}", v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))).collect::<Vec<_>>().join("\n")).unwrap_or_default());
                                    };
                                    view! {
                                        <tr class="border-b border-slate-200 dark:border-slate-800" aria-label=p.name.clone()>
                                            <th scope="row" class="py-1 pr-4 font-mono font-normal">{p.name.clone()}</th>
                                            <td class="py-1 pr-4">{if p.operator { "operator" } else { "user" }}</td>
                                            <td class="py-1 pr-4 font-mono wrap-anywhere">{p.vhost.clone()}</td>
                                            <td class="py-1 pr-4 font-mono wrap-anywhere">{p.pattern.clone()}</td>
                                            <td class="py-1 pr-4">{p.apply_to.clone()}</td>
                                            <td class="py-1 pr-4 font-mono">{p.priority}</td>
                                            <td class="py-1 pr-4 font-mono break-all">{p.definition.clone()}</td>
                                            <td class="py-1 flex gap-2">
                                                <button type="button" class=BUTTON_SECONDARY on:click=edit>"Edit"</button>
                                                <ConfirmButton label="Delete" question on_confirm=Callback::new(del) /><FormStatus form />
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                }))}
            </ErrorBoundary>
        </Transition>
        <section aria-labelledby="policy-form-h" class="mt-8 max-w-xl">
            <h2 id="policy-form-h" class="mb-2 text-lg font-semibold">"Create or replace a policy"</h2>
            <form class="flex flex-col gap-2" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
                <div class="flex gap-4">
                    <TextField label="Vhost" value=vhost form field="vhost" />
                    <TextField label="Policy name" value=name form field="name" />
                </div>
                <div class="flex gap-4">
                    <TextField label="Pattern (regex)" value=pattern placeholder="^orders\\." form field="pattern" />
                    <Choice label="Apply to" value=apply_to options=&["queues", "exchanges", "all"] />
                    <TextField label="Priority" value=priority form field="priority" />
                </div>
                <TextArea label="Definition (key=value per line)" value=definition rows=4 placeholder="max-length=10000\noverflow=reject-publish\ndead-letter-exchange=dlx" form field="definition" />
                <Check label="Operator policy (caps that user policies cannot lift)" value=operator />
                <div><button type="submit" class=BUTTON>"Save policy"</button></div>
            </form>
            <FormStatus form />
        </section>
        </Guarded>
    }
}

// ---------------------------------------------------------------------------
// Definitions

/// `/rabbitmq/:cluster/definitions`: export, and import after a dry run.
#[component]
pub fn DefinitionsPage() -> impl IntoView {
    let cluster = cluster_param();
    let exported = RwSignal::new(None::<String>);
    let file = RwSignal::new(String::new());
    let plan = RwSignal::new(None::<DefinitionPlan>);
    let form = Form::new();
    let c1 = cluster.get_untracked();
    let export = Action::new(move |_: &()| {
        let c = c1.clone();
        async move {
            form.settle(export_definitions(c).await, |j| {
                exported.set(Some(j));
                String::new()
            });
        }
    });
    let c2 = cluster.get_untracked();
    let dry = Action::new(move |_: &()| {
        let c = c2.clone();
        async move {
            form.start();
            plan.set(None);
            form.settle(
                plan_definitions_import(c, file.get_untracked()).await,
                |p| {
                    plan.set(Some(p));
                    String::new()
                },
            );
        }
    });
    let c3 = cluster.get_untracked();
    let apply = Action::new(move |_: &()| {
        let c = c3.clone();
        let fp = plan.get_untracked().map(|p| p.hash).unwrap_or_default();
        async move {
            form.start();
            form.settle(import_definitions(c, file.get_untracked(), fp).await, |n| {
                plan.set(None);
                format!("Imported: {n} items created or updated.")
            });
        }
    });
    view! {
        <Title text=move || format!("Definitions · RabbitMQ {} · zkmq", cluster.get()) />
        <RabbitNav cluster=cluster.get_untracked() current="Definitions" />
        <h1 class="mb-4 text-2xl font-semibold">"Definitions"</h1>
        <Guarded backend=Backend::Rabbitmq cluster=cluster.get_untracked() need=Permission::Administer>
        <section aria-labelledby="export-h" class="mb-8">
            <h2 id="export-h" class="mb-2 text-lg font-semibold">"Export"</h2>
            <button type="button" class=BUTTON on:click=move |_| { export.dispatch(()); }>"Export definitions"</button>
            {move || exported.get().map(|j| {
                let href = format!("data:application/json;charset=utf-8,{}", seg(&j));
                view! {
                    <p class="my-2 text-sm"><a class=LINK href=href download="rabbitmq-definitions.json">"Download rabbitmq-definitions.json"</a></p>
                    <textarea aria-label="Exported definitions" readonly rows=12 class="w-full rounded border border-slate-300 bg-white p-2 font-mono text-xs dark:border-slate-600 dark:bg-slate-900" prop:value=j></textarea>
                }
            })}
        </section>
        <section aria-labelledby="import-h">
            <h2 id="import-h" class="mb-2 text-lg font-semibold">"Import"</h2>
            <p class="mb-2 text-sm">"Paste a definitions file. The dry run lists what would be created or updated; nothing is deleted, and users and permissions are left alone."</p>
            <TextArea label="Definitions JSON" value=file rows=10 form field="file" />
            <div class="mt-2 flex gap-2">
                <button type="button" class=BUTTON_SECONDARY on:click=move |_| { dry.dispatch(()); }>"Dry run"</button>
                <button type="button" class=BUTTON disabled=move || plan.with(|p| p.as_ref().is_none_or(|p| p.items.is_empty())) on:click=move |_| { apply.dispatch(()); }>"Import"</button>
            </div>
            {move || plan.get().filter(|p| p.items.is_empty()).map(|_| view! {
                <p role="status" class="mt-2 text-sm">"This file defines nothing zkmq imports (vhosts, exchanges, queues, bindings, policies): there is nothing to import."</p>
            })}
            {move || plan.get().filter(|p| !p.items.is_empty()).map(|p| view! {
                <table class="mt-2 w-full border-collapse text-left text-sm">
                    <caption class="sr-only">"Import plan"</caption>
                    <TableHead columns=&["Kind", "Item", "Action", "What differs"] />
                    <tbody>
                        {p.items.into_iter().map(|i| view! {
                            <tr class="border-b border-slate-200 dark:border-slate-800" aria-label=i.name.clone()>
                                <td class="py-1 pr-4">{i.kind}</td>
                                <th scope="row" class="py-1 pr-4 font-mono font-normal">{i.name.clone()}</th>
                                <td class="py-1 pr-4">{match i.action { DefinitionAction::Create => "create", DefinitionAction::Update => "update", DefinitionAction::Unchanged => "unchanged" }}</td>
                                <td class="py-1 pr-4 wrap-anywhere">{i.detail}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            <FormStatus form />
        </section>
        </Guarded>
    }
}
