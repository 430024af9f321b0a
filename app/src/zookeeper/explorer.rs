//! The znode explorer: `/zookeeper/<cluster>/<path…>`. A lazy tree on the
//! left (children paged and filtered on the server), the selected znode on
//! the right with its data, stat and ACL, and the edit/create/delete forms.

use super::api::{
    CHILD_PAGE, create_znode, delete_subtree, delete_znode, export_znodes, get_znode,
    import_znodes, list_znode_children, list_znode_levels, plan_import_znodes,
    preview_delete_subtree, set_znode_acl, set_znode_data,
};
use super::live_client::{LiveZk, Reader};
use super::logic::{
    ancestors, format_acl, format_millis, format_perms, format_session, format_zxid, is_reserved,
    join, name, parent, parse_znode_href, znode_href,
};
use super::model::{
    ChildPage, CreateKind, DataEncoding, ImportAction, ImportPlan, SEARCH_NODE_BUDGET,
    SEARCH_TIME_BUDGET_MS, Znode,
};
use crate::codec::{DataView, decode_b64, detect_view, is_text, render_data};
use crate::components::{ErrorBanner, Field, TableHead, error_banners};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};

/// (cluster, znode path) of the current URL.
fn use_target() -> Memo<(String, String)> {
    let location = use_location();
    Memo::new(move |_| {
        parse_znode_href(&location.pathname.get()).unwrap_or_else(|| (String::new(), "/".into()))
    })
}

#[component]
pub fn ZnodeExplorer() -> AnyView {
    let target = use_target();
    let cluster = Memo::new(move |_| target.get().0);
    let path = Memo::new(move |_| target.get().1);
    // Bumped after every change made here, so the tree and the panel re-read.
    let refresh = RwSignal::new(0u32);
    // The tree is built in the browser only: its levels load lazily and nest
    // resources inside resources, which server rendering cannot hydrate
    // reliably (leptos 0.8). The selected znode itself is server-rendered.
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let live = LiveZk::provide(&cluster.get_untracked());
    provide_context(FirstLevels::new(
        cluster.get_untracked(),
        path.get_untracked(),
    ));
    view! {
        <Title text=move || format!("{} · ZooKeeper {} · zkmq", path.get(), cluster.get()) />
        <div class="mb-3 flex flex-wrap items-baseline gap-4">
            <h1 class="text-2xl font-semibold">"ZooKeeper " {move || cluster.get()}</h1>
            <A href=move || format!("/ensemble/{}", cluster.get()) attr:class="text-sm underline">"Ensemble"</A>
        </div>
        <Breadcrumbs cluster path />
        <p class="mt-1 text-xs text-slate-500" aria-live="polite">
            "Updates: " <span data-testid="zk-live">{move || if live.connected.get() { "live" } else { "connecting" }}</span>
            {move || live.notice.get().map(|n| view! { <span class="ml-2 text-amber-700 dark:text-amber-300">{n}</span> })}
        </p>
        <ZnodeSearch cluster path live />
        <div class="mt-4 grid gap-6 md:grid-cols-[minmax(16rem,1fr)_2fr]">
            <nav aria-label="Znode tree" class="overflow-x-auto rounded border border-slate-200 p-2 dark:border-slate-800">
                <ul role="tree" aria-label="Znodes" class="text-sm" on:keydown=tree_keys>
                    <Show when=move || mounted.get() fallback=|| view! { <li role="none" class="text-slate-500">"Loading tree…"</li> }>
                        {move || {
                            let c = cluster.get();
                            view! { <TreeNode cluster=c path="/".to_string() selected=path level=1 refresh /> }
                        }}
                    </Show>
                </ul>
            </nav>
            <section aria-label="Znode" class="min-w-0">
                {move || view! { <NodePanel cluster=cluster.get() path=path.get() refresh /> }}
            </section>
        </div>
    }
    .into_any()
}

/// Name search under the open znode, run on the server and streamed in.
#[component]
fn ZnodeSearch(cluster: Memo<String>, path: Memo<String>, live: LiveZk) -> impl IntoView {
    let pattern = RwSignal::new(String::new());
    let regex = RwSignal::new(false);
    let st = live.search;
    let budget = format!(
        "budget {} znodes / {} s",
        SEARCH_NODE_BUDGET,
        SEARCH_TIME_BUDGET_MS / 1000
    );
    view! {
        <form
            role="search"
            aria-label="Search znode names"
            class="mt-3 flex flex-wrap items-center gap-2 text-sm"
            on:submit=move |ev| {
                ev.prevent_default();
                live.start_search(path.get_untracked(), pattern.get_untracked(), regex.get_untracked());
            }
        >
            <label class="flex items-center gap-1">
                {move || format!("Search names under {}", path.get())}
                <input type="search" class="w-48 rounded border border-slate-300 bg-white px-2 py-0.5 font-mono dark:border-slate-700 dark:bg-slate-900"
                    prop:value=move || pattern.get() on:input=move |ev| pattern.set(event_target_value(&ev)) />
            </label>
            <label class="flex items-center gap-1">
                <input type="checkbox" prop:checked=move || regex.get() on:change=move |ev| regex.set(event_target_checked(&ev)) />
                "Regular expression"
            </label>
            <button type="submit" class="rounded border border-slate-400 px-2 py-0.5">"Search"</button>
        </form>
        {move || st.error.get().map(|e| view! { <ErrorBanner message=e /> })}
        {move || st.progress.get().map(|p| {
            let state = if p.done { "done" } else { "searching…" };
            let stopped = p.stopped.clone().map(|s| format!(" · {s}")).unwrap_or_default();
            view! {
                <p data-testid="search-status" aria-live="polite" class="mt-1 text-xs text-slate-600 dark:text-slate-400">
                    {format!("{state} · {} matches in {} znodes · {} ms · {}{stopped}", p.hits, p.visited, p.elapsed_ms, budget.clone())}
                </p>
            }
        })}
        <Show when=move || !st.hits.get().is_empty()>
            <ul aria-label="Search results" class="mt-1 max-h-48 overflow-auto font-mono text-sm">
                {move || {
                    let c = cluster.get();
                    st.hits.get().into_iter().map(|h| view! { <li><A href=znode_href(&c, &h) attr:class="hover:underline">{h.clone()}</A></li> }).collect_view()
                }}
            </ul>
        </Show>
    }
}

#[component]
fn Breadcrumbs(cluster: Memo<String>, path: Memo<String>) -> impl IntoView {
    view! {
        <nav aria-label="Breadcrumb" class="font-mono text-sm">
            {move || {
                let c = cluster.get();
                let p = path.get();
                ancestors(&p)
                    .into_iter()
                    .map(|a| {
                        let current = a == p;
                        // "/" then "name/" for each ancestor, the last without a slash.
                        let label = match (a == "/", current) {
                            (true, _) => "/".to_string(),
                            (false, true) => name(&a).to_string(),
                            (false, false) => format!("{}/", name(&a)),
                        };
                        view! {
                            <A href=znode_href(&c, &a) attr:class="hover:underline" attr:aria-current=current.then_some("page")>
                                {label}
                            </A>
                        }
                    })
                    .collect_view()
            }}
        </nav>
    }
}

/// One tree item; expanded when it is an ancestor of the selection, or by hand.
#[component]
fn TreeNode(
    cluster: String,
    path: String,
    selected: Memo<String>,
    level: u32,
    refresh: RwSignal<u32>,
) -> AnyView {
    let on_path = {
        let path = path.clone();
        move || ancestors(&selected.get()).contains(&path)
    };
    let expanded = RwSignal::new(ancestors(&selected.get_untracked()).contains(&path));
    // Following a link deeper expands the ancestors on the way.
    Effect::new(move |_| {
        if on_path() {
            expanded.set(true);
        }
    });
    let is_selected = {
        let path = path.clone();
        Memo::new(move |_| selected.get() == path)
    };
    let label = name(&path).to_string();
    let link_text = label.clone();
    let href = znode_href(&cluster, &path);
    let toggle_label = format!("children of {label}");
    view! {
        <li
            role="treeitem"
            aria-label=label.clone()
            aria-expanded=move || expanded.get().to_string()
            aria-selected=move || is_selected.get().to_string()
        >
            <div class=move || {
                if is_selected.get() { "flex items-center gap-1 rounded bg-slate-200 px-1 dark:bg-slate-800" } else { "flex items-center gap-1 rounded px-1" }
            }>
                <button
                    type="button"
                    class="w-5 text-slate-500"
                    tabindex="-1"
                    aria-label=move || format!("{} {}", if expanded.get() { "Collapse" } else { "Expand" }, toggle_label)
                    on:click=move |_| expanded.update(|e| *e = !*e)
                >
                    {move || if expanded.get() { "▾" } else { "▸" }}
                </button>
                <A href=href attr:class="truncate font-mono hover:underline" attr:data-tree-link="1">{link_text}</A>
            </div>
            <Show when=move || expanded.get()>
                <Children cluster=cluster.clone() path=path.clone() selected level refresh />
            </Show>
        </li>
    }
    .into_any()
}

/// The first page of every tree level a deep link opens, read in one call
/// when the explorer starts (instead of each level after its parent has
/// rendered: one round trip instead of one per level). Each level uses it
/// once; later reads (paging, filters, live changes) ask for themselves.
#[derive(Clone, Copy)]
struct FirstLevels {
    pages: Resource<Result<Vec<ChildPage>, AppError>>,
    claimed: StoredValue<std::collections::HashSet<String>>,
}

impl FirstLevels {
    fn new(cluster: String, path: String) -> Self {
        FirstLevels {
            pages: Resource::new(
                || (),
                move |_| list_znode_levels(cluster.clone(), path.clone()),
            ),
            claimed: StoredValue::new(Default::default()),
        }
    }

    /// True the first time `path` asks.
    fn claim(&self, path: &str) -> bool {
        let mut first = false;
        self.claimed
            .update_value(|c| first = c.insert(path.to_string()));
        first
    }

    async fn level(self, path: &str) -> Option<ChildPage> {
        self.pages
            .await
            .ok()?
            .into_iter()
            .find(|pg| pg.path == path)
    }
}

/// A page of children with a prefix filter and paging controls.
#[component]
fn Children(
    cluster: String,
    path: String,
    selected: Memo<String>,
    level: u32,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let prefix = RwSignal::new(String::new());
    let page = RwSignal::new(0usize);
    let (c, p) = (cluster.clone(), path.clone());
    let live = expect_context::<LiveZk>();
    live.follow(path.clone());
    let tick = live.tick(&path);
    let first = expect_context::<FirstLevels>();
    let children = Resource::new(
        move || (prefix.get(), page.get(), refresh.get(), tick.get()),
        move |(prefix, page, again, changed)| {
            // The level's first read, before anything changed: the page's
            // one call for every level of the deep link may already have it.
            let initial = prefix.is_empty() && page == 0 && again == 0 && changed == 0;
            let prefetched = initial && first.claim(&p);
            let (c, p) = (c.clone(), p.clone());
            async move {
                let read = match prefetched {
                    true => match first.level(&p).await {
                        Some(pg) => Ok(pg),
                        None => list_znode_children(c, p, prefix, 0).await,
                    },
                    false => list_znode_children(c, p, prefix, page * CHILD_PAGE).await,
                };
                if let Ok(pg) = &read {
                    live.read_at(&pg.path, Reader::Children, 0, pg.pzxid);
                }
                read
            }
        },
    );
    let filter_label = format!("Filter children of {} by prefix", name(&path));
    // The shown children's paths, keyed by path below: when this level is
    // re-read (a live change, paging back to the same names), the items that
    // stay keep their own state — expanded levels, their loaded pages —
    // instead of being rebuilt, which would re-read every level beneath.
    let child_paths = move || {
        children
            .get()
            .and_then(Result::ok)
            .map(|pg| {
                pg.names
                    .iter()
                    .map(|n| join(&pg.path, n))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    view! {
        <ul role="group" class="ml-4 border-l border-slate-200 pl-1 dark:border-slate-800">
            <Transition fallback=|| view! { <li class="text-slate-500">"Loading…"</li> }>
                <ErrorBoundary fallback=|errors| view! { <li>{error_banners(errors)}</li> }>
                    {move || {
                        children
                            .get()
                            .map(|r| {
                                r.map(|pg| {
                                    let show_tools = pg.total > CHILD_PAGE || !prefix.get_untracked().is_empty();
                                    let first = pg.offset + 1;
                                    let last = pg.offset + pg.names.len();
                                    let has_next = last < pg.matching;
                                    let has_prev = pg.offset > 0;
                                    let summary = if pg.matching == 0 && pg.total > 0 {
                                        format!("no children match (of {})", pg.total)
                                    } else {
                                        format!("{first}–{last} of {}{}", pg.matching, if pg.matching != pg.total { format!(" (of {})", pg.total) } else { String::new() })
                                    };
                                    show_tools.then(|| view! {
                                        <li role="none" class="my-1 flex flex-wrap items-center gap-2 text-xs">
                                            <label class="flex items-center gap-1">
                                                <span class="sr-only">{filter_label.clone()}</span>
                                                <input
                                                    type="search"
                                                    placeholder="prefix…"
                                                    aria-label=filter_label.clone()
                                                    class="w-28 rounded border border-slate-300 bg-white px-1 dark:border-slate-700 dark:bg-slate-900"
                                                    prop:value=move || prefix.get()
                                                    on:change=move |ev| { prefix.set(event_target_value(&ev)); page.set(0); }
                                                />
                                            </label>
                                            <span>{summary}</span>
                                            <button type="button" class="underline disabled:opacity-40" disabled=!has_prev on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"Previous"</button>
                                            <button type="button" class="underline disabled:opacity-40" disabled=!has_next on:click=move |_| page.update(|p| *p += 1)>"Next"</button>
                                        </li>
                                    })
                                })
                            })
                    }}
                    <For each=child_paths key=|child| child.clone() let:child>
                        <TreeNode cluster=cluster.clone() path=child selected level=level + 1 refresh />
                    </For>
                </ErrorBoundary>
            </Transition>
        </ul>
    }
}

/// Arrow keys move between visible tree links; Right/Left expand/collapse.
fn tree_keys(ev: leptos::ev::KeyboardEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let key = ev.key();
        if !matches!(
            key.as_str(),
            "ArrowDown" | "ArrowUp" | "ArrowRight" | "ArrowLeft" | "Home" | "End"
        ) {
            return;
        }
        let Some(tree) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let Ok(list) = tree.query_selector_all("a[data-tree-link]") else {
            return;
        };
        let links: Vec<web_sys::HtmlElement> = (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            .collect();
        if links.is_empty() {
            return;
        }
        let active = document().active_element();
        let pos = links.iter().position(|l| {
            active
                .as_ref()
                .is_some_and(|a| a == l.as_ref() as &web_sys::Element)
        });
        let item = active
            .as_ref()
            .and_then(|a| a.closest("[role=treeitem]").ok().flatten());
        ev.prevent_default();
        let focus = |i: usize| {
            let _ = links[i].focus();
        };
        match key.as_str() {
            "ArrowDown" => focus(pos.map(|p| (p + 1).min(links.len() - 1)).unwrap_or(0)),
            "ArrowUp" => focus(pos.map(|p| p.saturating_sub(1)).unwrap_or(0)),
            "Home" => focus(0),
            "End" => focus(links.len() - 1),
            "ArrowRight" | "ArrowLeft" => {
                let Some(item) = item else { return };
                let expanded = item.get_attribute("aria-expanded").as_deref() == Some("true");
                if (key == "ArrowRight") != expanded {
                    if let Ok(Some(btn)) = item.query_selector(":scope > div > button")
                        && let Ok(btn) = btn.dyn_into::<web_sys::HtmlElement>()
                    {
                        btn.click();
                    }
                } else if key == "ArrowLeft" {
                    // Already collapsed: go to the parent item.
                    if let Some(parent_link) = item
                        .parent_element()
                        .and_then(|g| g.closest("[role=treeitem]").ok().flatten())
                        .and_then(|p| p.query_selector(":scope > div > a").ok().flatten())
                        .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
                    {
                        let _ = parent_link.focus();
                    }
                }
            }
            _ => {}
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// The selected znode: data, stat, ACL, and what can be done with it.
#[component]
fn NodePanel(cluster: String, path: String, refresh: RwSignal<u32>) -> impl IntoView {
    let (c, p) = (cluster.clone(), path.clone());
    let live = expect_context::<LiveZk>();
    live.follow(path.clone());
    let tick = live.tick(&path);
    // While the user edits, live changes do not re-render the form (their
    // text would be lost); the save then meets the version check instead.
    let editing = RwSignal::new(false);
    let editing_acl = RwSignal::new(false);
    let shown_tick = Memo::new(move |prev: Option<&u32>| match prev {
        Some(p) if editing.get() || editing_acl.get() => *p,
        _ => tick.get(),
    });
    // Forms that do not depend on the znode's current value live outside the
    // re-rendered details, so a live refresh never clears what was typed there.
    let read_only = path == "/" || is_reserved(&path);
    let (c2, p2) = (cluster.clone(), path.clone());
    let node = Resource::new(
        move || (refresh.get(), shown_tick.get()),
        move |_| {
            let (c, p) = (c.clone(), p.clone());
            async move {
                let read = get_znode(c, p.clone()).await;
                match &read {
                    Ok(z) => live.read_at(&p, Reader::Node, z.stat.mzxid, z.stat.pzxid),
                    Err(AppError::NotFound { .. }) => live.read_at(&p, Reader::Node, 0, 0),
                    Err(_) => {}
                }
                read
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || {
                    let cluster = cluster.clone();
                    node.get().map(|r| r.map(|z| view! { <NodeDetails cluster znode=z refresh editing editing_acl tick /> }))
                }}
            </ErrorBoundary>
        </Transition>
        <ExportImport cluster=c2.clone() path=p2.clone() read_only refresh />
        {(!read_only).then(|| view! { <CreateChild cluster=c2.clone() parent_path=p2.clone() refresh /> })}
    }
}

#[component]
fn NodeDetails(
    cluster: String,
    znode: Znode,
    refresh: RwSignal<u32>,
    editing: RwSignal<bool>,
    editing_acl: RwSignal<bool>,
    tick: RwSignal<u32>,
) -> AnyView {
    let bytes = decode_b64(&znode.data_b64);
    let view_mode = RwSignal::new(detect_view(&bytes));
    let s = znode.stat;
    let read_only = znode.path == "/" || is_reserved(&znode.path);
    let data_for_view = bytes.clone();
    view! {
        <h2 class="break-all font-mono text-xl font-semibold">{znode.path.clone()}</h2>
        <p class="text-sm text-slate-600 dark:text-slate-400">
            {format!("{} bytes · version {} · {} children", bytes.len(), s.version, s.num_children)}
            {read_only.then_some(" · read-only in zkmq")}
        </p>

        <h3 class="mt-4 font-semibold">"Data"</h3>
        <div role="group" aria-label="Data view" class="mt-1 flex gap-1 text-sm">
            {DataView::ALL
                .into_iter()
                .map(|v| view! {
                    <button
                        type="button"
                        class="rounded border border-slate-300 px-2 py-0.5 aria-pressed:bg-slate-200 dark:border-slate-700 dark:aria-pressed:bg-slate-800"
                        aria-pressed=move || (view_mode.get() == v).to_string()
                        on:click=move |_| view_mode.set(v)
                    >
                        {v.label()}
                    </button>
                })
                .collect_view()}
        </div>
        {move || match render_data(&data_for_view, view_mode.get()) {
            // Rendered as text: markup or script in data is shown, never run.
            Ok(text) if text.is_empty() => view! { <p class="mt-2 text-sm italic text-slate-500">"(no data)"</p> }.into_any(),
            Ok(text) => view! {
                <pre data-testid="znode-data" class="mt-2 max-h-96 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-2 font-mono text-sm dark:bg-slate-900">{text}</pre>
            }
            .into_any(),
            Err(why) => view! { <p class="mt-2 text-sm text-amber-800 dark:text-amber-300">{why}</p> }.into_any(),
        }}

        {(!read_only).then(|| view! { <EditData cluster=cluster.clone() znode=znode.clone() refresh editing tick /> })}

        <h3 class="mt-6 font-semibold">"Stat"</h3>
        <dl class="mt-1 max-w-xl">
            <Field label="czxid (created)" value=format_zxid(s.czxid) />
            <Field label="mzxid (modified)" value=format_zxid(s.mzxid) />
            <Field label="pzxid (children changed)" value=format_zxid(s.pzxid) />
            <Field label="ctime" value=format_millis(s.ctime) />
            <Field label="mtime" value=format_millis(s.mtime) />
            <Field label="version" value=s.version.to_string() />
            <Field label="cversion" value=s.cversion.to_string() />
            <Field label="aversion" value=s.aversion.to_string() />
            <Field label="ephemeralOwner" value=format_session(s.ephemeral_owner) />
            <Field label="dataLength" value=s.data_length.to_string() />
            <Field label="numChildren" value=s.num_children.to_string() />
        </dl>

        <h3 class="mt-6 font-semibold">"ACL"</h3>
        <table class="mt-1 text-left text-sm">
            <TableHead columns=&["Scheme", "Id", "Permissions"] />
            <tbody>
                {znode
                    .acl
                    .iter()
                    .map(|a| view! {
                        <tr class="border-b border-slate-200 dark:border-slate-800">
                            <td class="py-1 pr-4 font-mono">{a.scheme.clone()}</td>
                            <td class="py-1 pr-4 font-mono">{a.id.clone()}</td>
                            <td class="py-1 pr-4 font-mono">{format_perms(a.perms)}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>

        {(!read_only).then(|| view! { <EditAcl cluster=cluster.clone() znode=znode.clone() refresh editing=editing_acl /> })}

        {(!read_only).then(|| view! { <DeleteNode cluster=cluster.clone() znode=znode.clone() refresh /> })}
    }
    .into_any()
}

/// A labelled monospace textarea bound to `value`.
fn text_field(
    label: &'static str,
    value: RwSignal<String>,
    height: &'static str,
    placeholder: &'static str,
) -> impl IntoView {
    view! {
        <label class="block text-sm">
            {label}
            <textarea
                class=format!("mt-1 block {height} w-full rounded border border-slate-300 bg-white p-2 font-mono text-sm dark:border-slate-700 dark:bg-slate-900")
                placeholder=placeholder
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
        </label>
    }
}

fn encoding_options(selected: RwSignal<DataEncoding>, label: &'static str) -> impl IntoView {
    view! {
        <label class="flex items-center gap-2 text-sm">
            {label}
            <select
                class="rounded border border-slate-300 bg-white px-1 dark:border-slate-700 dark:bg-slate-900"
                on:change=move |ev| selected.set(match event_target_value(&ev).as_str() {
                    "json" => DataEncoding::Json,
                    "base64" => DataEncoding::Base64,
                    _ => DataEncoding::Text,
                })
            >
                <option value="text" selected=move || selected.get() == DataEncoding::Text>"Text"</option>
                <option value="json" selected=move || selected.get() == DataEncoding::Json>"JSON (validated)"</option>
                <option value="base64" selected=move || selected.get() == DataEncoding::Base64>"Base64 (binary)"</option>
            </select>
        </label>
    }
}

/// Edit with optimistic concurrency: the save carries the version that was
/// read. If someone changed the znode meanwhile, nothing is overwritten: both
/// values are shown side by side and the user chooses.
#[component]
fn EditData(
    cluster: String,
    znode: Znode,
    refresh: RwSignal<u32>,
    editing: RwSignal<bool>,
    tick: RwSignal<u32>,
) -> impl IntoView {
    let bytes = decode_b64(&znode.data_b64);
    let binary = !is_text(&bytes);
    let initial = if binary {
        znode.data_b64.clone()
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let text = RwSignal::new(initial);
    let tick_at_open = RwSignal::new(0u32);
    let encoding = RwSignal::new(if binary {
        DataEncoding::Base64
    } else if detect_view(&bytes) == DataView::Json {
        DataEncoding::Json
    } else {
        DataEncoding::Text
    });
    let version = RwSignal::new(znode.stat.version);
    // Set when a save hit a newer version: the value that is there now.
    let conflict = RwSignal::new(None::<Znode>);
    let error = RwSignal::new(None::<String>);
    let path = znode.path.clone();
    let save = Action::new(move |_: &()| {
        let (c, p) = (cluster.clone(), path.clone());
        let (data, enc, ver) = (
            text.get_untracked(),
            encoding.get_untracked(),
            version.get_untracked(),
        );
        async move {
            match set_znode_data(c.clone(), p.clone(), data, enc, ver).await {
                Ok(_) => {
                    editing.set(false);
                    conflict.set(None);
                    error.set(None);
                    refresh.update(|n| *n += 1);
                }
                Err(AppError::Conflict(_)) => {
                    error.set(None);
                    conflict.set(get_znode(c, p).await.ok());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    view! {
        <Show
            when=move || editing.get()
            fallback=move || view! {
                <button type="button" class="mt-2 rounded bg-slate-800 px-3 py-1 text-sm text-white dark:bg-slate-200 dark:text-slate-900" on:click=move |_| { tick_at_open.set(tick.get_untracked()); editing.set(true); }>
                    "Edit data"
                </button>
            }
        >
            <form class="mt-3 space-y-2" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
                {text_field("New data", text, "h-40", "")}
                {encoding_options(encoding, "Store as")}
                {move || (tick.get() != tick_at_open.get() && conflict.get().is_none()).then(|| view! {
                    <p role="status" class="text-sm text-amber-800 dark:text-amber-300">
                        "This znode changed while you were editing. Saving will show both values before anything is overwritten."
                    </p>
                })}
                {move || error.get().map(|e| view! { <ErrorBanner message=e /> })}
                {move || conflict.get().map(|current| {
                    let theirs = render_data(&decode_b64(&current.data_b64), DataView::Text)
                        .unwrap_or_else(|_| format!("base64:{}", current.data_b64));
                    let newer = current.stat.version;
                    view! {
                        <div role="alert" class="rounded border border-amber-400 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950">
                            <p class="font-semibold">
                                {format!("Someone changed this znode since you opened it (now version {newer}). Nothing was overwritten.")}
                            </p>
                            <div class="mt-2 grid gap-3 md:grid-cols-2">
                                <div>
                                    <h4 class="font-semibold">"Your edit"</h4>
                                    <pre data-testid="conflict-mine" class="whitespace-pre-wrap break-all rounded bg-white p-2 font-mono dark:bg-slate-900">{text.get_untracked()}</pre>
                                </div>
                                <div>
                                    <h4 class="font-semibold">{format!("Current value (version {newer})")}</h4>
                                    <pre data-testid="conflict-theirs" class="whitespace-pre-wrap break-all rounded bg-white p-2 font-mono dark:bg-slate-900">{theirs}</pre>
                                </div>
                            </div>
                            <div class="mt-2 flex gap-2">
                                <button type="button" class="rounded bg-amber-700 px-3 py-1 text-white" on:click=move |_| { version.set(newer); save.dispatch(()); }>
                                    "Overwrite with my edit"
                                </button>
                                <button type="button" class="rounded border border-slate-400 px-3 py-1" on:click=move |_| { conflict.set(None); editing.set(false); refresh.update(|n| *n += 1); }>
                                    "Discard my edit"
                                </button>
                            </div>
                        </div>
                    }
                })}
                <div class="flex gap-2">
                    <button type="submit" class="rounded bg-slate-800 px-3 py-1 text-sm text-white dark:bg-slate-200 dark:text-slate-900" disabled=move || save.pending().get()>
                        "Save"
                    </button>
                    <button type="button" class="rounded border border-slate-400 px-3 py-1 text-sm" on:click=move |_| { editing.set(false); conflict.set(None); error.set(None); }>
                        "Cancel"
                    </button>
                </div>
            </form>
        </Show>
    }
}

/// Export the subtree to a JSON file; import one under this znode after a dry run.
#[component]
fn ExportImport(
    cluster: String,
    path: String,
    read_only: bool,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let message = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let file_text = RwSignal::new(String::new());
    let plan = RwSignal::new(None::<ImportPlan>);
    let (c1, p1) = (cluster.clone(), path.clone());
    let export = Action::new(move |_: &()| {
        let (c, p) = (c1.clone(), p1.clone());
        async move {
            match export_znodes(c.clone(), p.clone()).await {
                Ok(json) => {
                    let name = format!(
                        "zkmq-{}{}.json",
                        c,
                        if p == "/" {
                            String::new()
                        } else {
                            p.replace('/', "_")
                        }
                    );
                    save_file(&name, &json);
                    error.set(None);
                    message.set(Some(format!("Exported {} as {name}", p)));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    let (c2, p2) = (cluster.clone(), path.clone());
    let dry_run = Action::new(move |_: &()| {
        let (c, p, f) = (c2.clone(), p2.clone(), file_text.get_untracked());
        async move {
            match plan_import_znodes(c, p, f).await {
                Ok(pl) => {
                    error.set(None);
                    plan.set(Some(pl));
                }
                Err(e) => {
                    plan.set(None);
                    error.set(Some(e.to_string()));
                }
            }
        }
    });
    let (c3, p3) = (cluster.clone(), path.clone());
    let apply = Action::new(move |_: &()| {
        let (c, p, f) = (c3.clone(), p3.clone(), file_text.get_untracked());
        let (create, update) = plan
            .get_untracked()
            .map(|pl| {
                (
                    pl.count(ImportAction::Create),
                    pl.count(ImportAction::Update),
                )
            })
            .unwrap_or((0, 0));
        async move {
            match import_znodes(c, p, f, create, update).await {
                Ok(n) => {
                    error.set(None);
                    plan.set(None);
                    message.set(Some(format!("Imported: {n} znodes created or updated")));
                    refresh.update(|x| *x += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let file = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|i| i.files())
                .and_then(|f| f.get(0));
            if let Some(file) = file {
                leptos::task::spawn_local(async move {
                    if let Ok(v) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                        file_text.set(v.as_string().unwrap_or_default());
                        plan.set(None);
                    }
                });
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let import_label = format!("Import a zkmq export file under {path}");
    view! {
        <h3 class="mt-6 font-semibold">"Export / import"</h3>
        <div class="mt-1 space-y-2 text-sm">
            <button type="button" class="rounded border border-slate-400 px-3 py-1" on:click=move |_| { export.dispatch(()); }>"Export subtree"</button>
            {(!read_only).then(|| view! {
                <div class="space-y-2">
                    <label class="block">
                        {import_label}
                        <input type="file" accept="application/json,.json" class="mt-1 block" on:change=on_file />
                    </label>
                    <button type="button" class="rounded border border-slate-400 px-3 py-1 disabled:opacity-40"
                        disabled=move || file_text.get().is_empty() on:click=move |_| { dry_run.dispatch(()); }>
                        "Dry run"
                    </button>
                </div>
            })}
            {move || message.get().map(|m| view! { <p role="status">{m}</p> })}
            {move || error.get().map(|e| view! { <ErrorBanner message=e /> })}
            {move || plan.get().map(|pl| {
                let (create, update, same, conflict) = (
                    pl.count(ImportAction::Create),
                    pl.count(ImportAction::Update),
                    pl.count(ImportAction::Unchanged),
                    pl.count(ImportAction::Conflict),
                );
                view! {
                    <div class="space-y-2 rounded border border-slate-300 p-3 dark:border-slate-700">
                        <p data-testid="import-summary">{format!("Dry run: {create} to create, {update} to update, {same} unchanged, {conflict} in conflict")}</p>
                        <table class="text-left text-sm">
                            <TableHead columns=&["Znode", "Action", "Why"] />
                            <tbody>
                                {pl.items.into_iter().map(|i| view! {
                                    <tr class="border-b border-slate-200 dark:border-slate-800">
                                        <td class="py-1 pr-4 font-mono">{i.path}</td>
                                        <td class="py-1 pr-4">{format!("{:?}", i.action).to_lowercase()}</td>
                                        <td class="py-1 pr-4">{i.reason.unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <button type="button" class="rounded bg-slate-800 px-3 py-1 text-white disabled:opacity-40 dark:bg-slate-200 dark:text-slate-900"
                            disabled={conflict > 0 || create + update == 0} on:click=move |_| { apply.dispatch(()); }>
                            {format!("Apply import ({create} create, {update} update)")}
                        </button>
                    </div>
                }
            })}
        </div>
    }
}

/// Offers `text` to the browser as a downloaded file.
fn save_file(name: &str, text: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let parts = js_sys_array(text);
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type("application/json");
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
            return;
        };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
            return;
        };
        if let Some(a) = document()
            .create_element("a")
            .ok()
            .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        {
            a.set_href(&url);
            a.set_download(name);
            a.click();
        }
        let _ = web_sys::Url::revoke_object_url(&url);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (name, text);
}

#[cfg(feature = "hydrate")]
fn js_sys_array(text: &str) -> wasm_bindgen::JsValue {
    let arr = leptos::web_sys::js_sys::Array::new();
    arr.push(&wasm_bindgen::JsValue::from_str(text));
    arr.into()
}

/// ACL editing: the list as `scheme:id:perms` lines; the save carries the
/// ACL version that was read.
#[component]
fn EditAcl(
    cluster: String,
    znode: Znode,
    refresh: RwSignal<u32>,
    editing: RwSignal<bool>,
) -> impl IntoView {
    let text = RwSignal::new(format_acl(&znode.acl));
    let error = RwSignal::new(None::<String>);
    let path = znode.path.clone();
    let aversion = znode.stat.aversion;
    let save = Action::new(move |_: &()| {
        let (c, p, t) = (cluster.clone(), path.clone(), text.get_untracked());
        async move {
            match set_znode_acl(c, p, t, aversion).await {
                Ok(_) => {
                    error.set(None);
                    editing.set(false);
                    refresh.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    view! {
        <Show
            when=move || editing.get()
            fallback=move || view! {
                <button type="button" class="mt-2 rounded border border-slate-400 px-3 py-1 text-sm" on:click=move |_| editing.set(true)>"Edit ACL"</button>
            }
        >
            <form class="mt-2 space-y-2" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
                {text_field("ACL entries (scheme:id:perms, one per line)", text, "h-24", "")}
                {move || error.get().map(|e| view! { <ErrorBanner message=e /> })}
                <div class="flex gap-2">
                    <button type="submit" class="rounded bg-slate-800 px-3 py-1 text-sm text-white dark:bg-slate-200 dark:text-slate-900">"Save ACL"</button>
                    <button type="button" class="rounded border border-slate-400 px-3 py-1 text-sm" on:click=move |_| { editing.set(false); error.set(None); }>"Cancel"</button>
                </div>
            </form>
        </Show>
    }
}

#[component]
fn CreateChild(cluster: String, parent_path: String, refresh: RwSignal<u32>) -> impl IntoView {
    let child = RwSignal::new(String::new());
    let data = RwSignal::new(String::new());
    let kind = RwSignal::new(CreateKind::Persistent);
    let ttl = RwSignal::new(String::new());
    let encoding = RwSignal::new(DataEncoding::Text);
    let acl = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let create = Action::new(move |_: &()| {
        let c = cluster.clone();
        let path = join(&parent_path, child.get_untracked().trim());
        let (d, enc, k) = (
            data.get_untracked(),
            encoding.get_untracked(),
            kind.get_untracked(),
        );
        let ttl_text = ttl.get_untracked();
        let navigate = navigate.clone();
        async move {
            let ttl_ms = if k == CreateKind::PersistentTtl {
                match ttl_text.trim().parse::<u64>() {
                    Ok(v) => Some(v),
                    Err(_) => {
                        error.set(Some("ttl_ms: enter the time to live in milliseconds, a whole number above 0".into()));
                        return;
                    }
                }
            } else {
                None
            };
            let acl_text = Some(acl.get_untracked()).filter(|a| !a.trim().is_empty());
            match create_znode(c.clone(), path, d, enc, k, ttl_ms, acl_text).await {
                Ok(created) => {
                    error.set(None);
                    child.set(String::new());
                    data.set(String::new());
                    refresh.update(|n| *n += 1);
                    navigate(&znode_href(&c, &created), Default::default());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    view! {
        <details class="mt-6">
            <summary class="cursor-pointer font-semibold">"Create a child znode"</summary>
            <form class="mt-2 space-y-2" on:submit=move |ev| { ev.prevent_default(); create.dispatch(()); }>
                <label class="block text-sm">
                    "Name"
                    <input
                        type="text"
                        required
                        class="mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1 font-mono dark:border-slate-700 dark:bg-slate-900"
                        prop:value=move || child.get()
                        on:input=move |ev| child.set(event_target_value(&ev))
                    />
                </label>
                <label class="flex items-center gap-2 text-sm">
                    "Kind"
                    <select
                        class="rounded border border-slate-300 bg-white px-1 dark:border-slate-700 dark:bg-slate-900"
                        on:change=move |ev| kind.set(match event_target_value(&ev).as_str() {
                            "persistent_sequential" => CreateKind::PersistentSequential,
                            "container" => CreateKind::Container,
                            "persistent_ttl" => CreateKind::PersistentTtl,
                            _ => CreateKind::Persistent,
                        })
                    >
                        <option value="persistent">"Persistent"</option>
                        <option value="persistent_sequential">"Persistent sequential"</option>
                        <option value="container">"Container"</option>
                        <option value="persistent_ttl">"Persistent with TTL"</option>
                    </select>
                </label>
                <Show when=move || kind.get() == CreateKind::PersistentTtl>
                    <label class="flex items-center gap-2 text-sm">
                        "TTL (ms)"
                        <input type="number" min="1" class="w-32 rounded border border-slate-300 bg-white px-1 dark:border-slate-700 dark:bg-slate-900"
                            prop:value=move || ttl.get() on:input=move |ev| ttl.set(event_target_value(&ev)) />
                    </label>
                </Show>
                {text_field("Data", data, "h-24", "")}
                {encoding_options(encoding, "Data is")}
                {text_field("ACL (one scheme:id:perms per line; empty: world:anyone:cdrwa)", acl, "h-16", "world:anyone:cdrwa")}
                {move || error.get().map(|e| view! { <ErrorBanner message=e /> })}
                <button type="submit" class="rounded bg-slate-800 px-3 py-1 text-sm text-white dark:bg-slate-200 dark:text-slate-900" disabled=move || create.pending().get()>
                    "Create"
                </button>
            </form>
        </details>
    }
}

#[component]
fn DeleteNode(cluster: String, znode: Znode, refresh: RwSignal<u32>) -> impl IntoView {
    let has_children = znode.stat.num_children > 0;
    if has_children {
        return view! { <DeleteSubtree cluster znode refresh /> }.into_any();
    }
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let path = znode.path.clone();
    let version = znode.stat.version;
    let delete = Action::new(move |_: &()| {
        let (c, p) = (cluster.clone(), path.clone());
        let navigate = navigate.clone();
        async move {
            match delete_znode(c.clone(), p.clone(), version).await {
                Ok(()) => {
                    refresh.update(|n| *n += 1);
                    navigate(
                        &znode_href(&c, parent(&p).unwrap_or("/")),
                        Default::default(),
                    );
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    view! {
        <div class="mt-6">
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <button type="button" class="rounded border border-red-600 px-3 py-1 text-sm text-red-700 dark:text-red-300"
                        on:click=move |_| confirming.set(true)>
                        "Delete znode"
                    </button>
                }
            >
                <div class="flex items-center gap-2 text-sm">
                    <span>{format!("Delete {} (version {version})?", znode.path)}</span>
                    <button type="button" class="rounded bg-red-700 px-3 py-1 text-white" on:click=move |_| { delete.dispatch(()); }>"Confirm delete"</button>
                    <button type="button" class="rounded border border-slate-400 px-3 py-1" on:click=move |_| confirming.set(false)>"Cancel"</button>
                </div>
            </Show>
            {move || error.get().map(|e| view! { <ErrorBanner message=e /> })}
        </div>
    }
    .into_any()
}

/// Recursive delete: first a preview that counts the znodes, then the user
/// types the path to confirm. The audit record keeps a copy of the subtree.
#[component]
fn DeleteSubtree(cluster: String, znode: Znode, refresh: RwSignal<u32>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let typed = RwSignal::new(String::new());
    let navigate = use_navigate();
    let path = znode.path.clone();
    let (c1, p1) = (cluster.clone(), path.clone());
    let preview = Action::new(move |_: &()| {
        let (c, p) = (c1.clone(), p1.clone());
        async move { preview_delete_subtree(c, p).await }
    });
    let delete = Action::new(move |_: &()| {
        let (c, p) = (cluster.clone(), path.clone());
        let confirm = typed.get_untracked();
        let navigate = navigate.clone();
        async move {
            match delete_subtree(c.clone(), p.clone(), confirm).await {
                Ok(_) => {
                    refresh.update(|n| *n += 1);
                    navigate(
                        &znode_href(&c, parent(&p).unwrap_or("/")),
                        Default::default(),
                    );
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    let target = znode.path.clone();
    view! {
        <div class="mt-6 space-y-2">
            <button type="button" class="rounded border border-red-600 px-3 py-1 text-sm text-red-700 dark:text-red-300"
                on:click=move |_| { preview.dispatch(()); }>
                "Delete subtree…"
            </button>
            {move || preview.value().get().map(|r| match r {
                Err(e) => view! { <ErrorBanner message=e.to_string() /> }.into_any(),
                Ok(p) => {
                    let target = target.clone();
                    let expected = target.clone();
                    let label = format!("Type {target} to confirm");
                    view! {
                        <div role="group" aria-label="Confirm subtree deletion" class="space-y-2 rounded border border-red-300 p-3 text-sm dark:border-red-800">
                            <p data-testid="subtree-preview">
                                {format!("This deletes {} znodes ({} levels deep) under and including {}.", p.nodes, p.max_depth + 1, p.path)}
                            </p>
                            <label class="block">
                                {label}
                                <input type="text" class="mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1 font-mono dark:border-slate-700 dark:bg-slate-900"
                                    prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                            </label>
                            <button type="button" class="rounded bg-red-700 px-3 py-1 text-white disabled:opacity-40"
                                disabled=move || typed.get() != expected || delete.pending().get()
                                on:click=move |_| { delete.dispatch(()); }>
                                {format!("Delete {} znodes", p.nodes)}
                            </button>
                        </div>
                    }
                    .into_any()
                }
            })}
            {move || error.get().map(|e| view! { <ErrorBanner message=e /> })}
        </div>
    }
}
