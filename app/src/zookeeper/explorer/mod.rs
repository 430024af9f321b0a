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
    ancestor_at, ancestor_ends, child_toward, format_acl, format_millis, format_perms,
    format_session, format_zxid, is_on_path, is_reserved, join, name, parent, parse_znode_href,
    validate_child_name, znode_href,
};
use super::model::{
    ChildPage, CreateKind, DataEncoding, ImportAction, ImportPlan, SEARCH_NODE_BUDGET,
    SEARCH_TIME_BUDGET_MS, Znode,
};
use crate::auth::model::Permission;
use crate::codec::{DataView, decode_b64, detect_view, is_text, render_data};
use crate::components::{
    ErrorBanner, Field, FieldError, Form, FormStatus, Guarded, KnownClusters, PageSpan, Pager,
    TableHead, TextArea, TextField, error_banners, replace_query, respond_status,
};
use crate::error::{AppError, Backend};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::{use_location, use_navigate, use_query_map};

mod panel;
use panel::NodePanel;

/// (cluster, znode path) of the current URL. While the explorer unmounts
/// the location already holds the next page's URL: keep the last znode
/// rather than read "/" of cluster "" for it.
fn use_target() -> Memo<(String, String)> {
    let location = use_location();
    Memo::new(move |prev: Option<&(String, String)>| {
        parse_znode_href(&location.pathname.get())
            .or_else(|| prev.cloned())
            .unwrap_or_else(|| (String::new(), "/".into()))
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
    let live = LiveZk::provide();
    let known = expect_context::<KnownClusters>();
    // Connects once, when the cluster turns out to be configured.
    Effect::new(move |connected: Option<bool>| {
        if connected == Some(true) {
            return true;
        }
        let c = cluster.get_untracked();
        let ok = matches!(known.has(Backend::Zookeeper, &c), Some(Ok(true)));
        if ok {
            live.connect(&c);
        }
        ok
    });
    crate::components::not_found_unless_configured(Backend::Zookeeper, &cluster.get_untracked());
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
        // The child routes render nothing, but the router completes a
        // navigation (updates the address bar) only once their outlet has.
        <Outlet />
        // An unknown cluster gets one banner, not a failing tree, a failing
        // panel and forms that cannot work. A Transition, not a Suspense:
        // resources read beneath it later (the panel's) must never swap the
        // explorer out for a fallback, which would drop the focus.
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || known.has(Backend::Zookeeper, &cluster.get()).map(|known| match known {
                Ok(true) => view! {
                <Breadcrumbs cluster path />
                <p class="mt-1 text-xs text-slate-500" aria-live="polite">
                    "Updates: " <span data-testid="zk-live">{move || if live.connected.get() { "live" } else if live.notice.with(Option::is_some) { "no live updates" } else { "connecting" }}</span>
                    {move || live.notice.get().map(|n| view! { <span class="ml-2 text-amber-700 dark:text-amber-300">{n}</span> })}
                </p>
                <ZnodeSearch cluster path live />
                <div class="mt-4 grid gap-6 md:grid-cols-[minmax(16rem,1fr)_2fr]">
                    <nav aria-label="Znode tree" class="overflow-x-auto rounded border border-slate-200 p-2 dark:border-slate-800">
                        <ul role="tree" aria-label="Znodes" class="text-sm" on:keydown=tree_keys>
                            <Show when=move || mounted.get() fallback=|| view! { <li role="none" class="text-slate-500">"Loading tree…"</li> }>
                                {move || {
                                    let c = cluster.get();
                                    view! { <TreeNode cluster=c path="/".to_string() selected=path level=1 refresh hint=false /> }
                                }}
                            </Show>
                        </ul>
                    </nav>
                    <section aria-label="Znode" class="min-w-0">
                        {move || view! { <NodePanel cluster=cluster.get() path=path.get() refresh /> }}
                    </section>
                </div>
                }.into_any(),
                Ok(false) => view! { <ErrorBanner message=AppError::UnknownCluster { backend: Backend::Zookeeper, cluster: cluster.get_untracked() }.to_string() /> }.into_any(),
                Err(e) => view! { <ErrorBanner message=e.to_string() /> }.into_any(),
            })}
        </Transition>
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

/// Crumbs a deep path shows below `/` (the last levels; the rest elided).
const CRUMBS_SHOWN: usize = 12;

#[component]
fn Breadcrumbs(cluster: Memo<String>, path: Memo<String>) -> impl IntoView {
    view! {
        <nav aria-label="Breadcrumb" class="font-mono text-sm">
            {move || {
                let c = cluster.get();
                let p = path.get();
                let all = ancestor_ends(&p);
                // A deep path shows its top and its last levels: every crumb
                // links its whole path, so all of them would grow with the square.
                let hidden = all.len().saturating_sub(CRUMBS_SHOWN + 1);
                let elided = (hidden > 0).then(|| view! {
                    <span title=format!("{hidden} levels not shown")>"…/"</span>
                });
                let shown = all.into_iter().enumerate().filter(move |(i, _)| *i == 0 || *i > hidden);
                let mut crumbs = shown
                    .map(|(_, end)| {
                        let a = ancestor_at(&p, end).to_string();
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
                        .into_any()
                    })
                    .collect::<Vec<_>>();
                if let Some(e) = elided {
                    crumbs.insert(1, e.into_any());
                }
                crumbs
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
    /// True when the parent's page said this znode has no children.
    #[prop(into)]
    hint: Signal<bool>,
) -> AnyView {
    let on_path = {
        let path = path.clone();
        move || is_on_path(&path, &selected.get())
    };
    let expanded = RwSignal::new(is_on_path(&path, &selected.get_untracked()));
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
    // A leaf is shown as one (no aria-expanded, no toggle): what its own
    // level found once opened, else what its parent's page said (`hint`).
    let own_leaf = RwSignal::new(None::<bool>);
    let leaf = Memo::new(move |_| own_leaf.get().unwrap_or_else(|| hint.get()));
    view! {
        <li
            role="treeitem"
            aria-label=label.clone()
            aria-expanded=move || (!leaf.get()).then(|| expanded.get().to_string())
            aria-selected=move || is_selected.get().to_string()
        >
            <div class=move || {
                if is_selected.get() { "flex items-center gap-1 rounded bg-slate-200 px-1 dark:bg-slate-800" } else { "flex items-center gap-1 rounded px-1" }
            }>
                <button
                    type="button"
                    class=move || if leaf.get() { "invisible w-5" } else { "w-5 text-slate-500" }
                    tabindex="-1"
                    aria-hidden=move || leaf.get().then_some("true")
                    aria-label=move || format!("{} {}", if expanded.get() { "Collapse" } else { "Expand" }, toggle_label)
                    on:click=move |_| expanded.update(|e| *e = !*e)
                >
                    {move || if expanded.get() { "▾" } else { "▸" }}
                </button>
                // One tab stop in the tree (the selected item); arrow keys move it.
                <A href=href attr:class="truncate font-mono hover:underline" attr:data-tree-link="1"
                    attr:title=path.clone()
                    attr:tabindex=move || if is_selected.get() { "0" } else { "-1" }>{link_text}</A>
            </div>
            <Show when=move || expanded.get()>
                <Children cluster=cluster.clone() path=path.clone() selected level refresh leaf=own_leaf />
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
    /// Set when this level turns out to have no children at all.
    leaf: RwSignal<Option<bool>>,
) -> impl IntoView {
    // The selected znode's own children keep their filter and page in the
    // URL (`?prefix=…&page=…`, page counted from 1), so a reload or a shared
    // link lists the same children. Other levels follow the selection: each
    // opens on the page that holds the next znode on its path.
    let own_level = {
        let path = path.clone();
        Memo::new(move |_| selected.get() == path)
    };
    let query = use_query_map();
    let (from_prefix, from_page) = if own_level.get_untracked() {
        query.with_untracked(|q| {
            (
                q.get("prefix").unwrap_or_default(),
                q.get("page")
                    .and_then(|n| n.parse::<usize>().ok())
                    .map_or(0, |n| n.saturating_sub(1)),
            )
        })
    } else {
        (String::new(), 0)
    };
    let prefix = RwSignal::new(from_prefix);
    let page = RwSignal::new(from_page);
    // The child on the way to the selection: a read with it opens the page
    // that holds it (a deep link to child 120 of 130 shows 101–130).
    let around = RwSignal::new(child_toward(&path, &selected.get_untracked()));
    let (c, p) = (cluster.clone(), path.clone());
    let live = expect_context::<LiveZk>();
    live.follow(path.clone());
    let tick = live.tick(&path);
    let first = expect_context::<FirstLevels>();
    // The last page read, for the filter and pager above the list (they sit
    // outside its Transition, where reading the resource itself is not allowed).
    let shown = RwSignal::new(None::<ChildPage>);
    let children = Resource::new(
        move || {
            (
                prefix.get(),
                page.get(),
                around.get(),
                refresh.get(),
                tick.get(),
            )
        },
        move |(prefix, at, toward, again, changed)| {
            // The level's first read, before anything changed: the page's
            // one call for every level of the deep link may already have it.
            let initial = prefix.is_empty() && at == 0 && again == 0 && changed == 0;
            let prefetched = initial && first.claim(&p);
            let (c, p) = (c.clone(), p.clone());
            async move {
                let toward = toward.unwrap_or_default();
                let read = match prefetched {
                    true => match first.level(&p).await {
                        Some(pg) => Ok(pg),
                        None => list_znode_children(c, p, prefix, 0, toward).await,
                    },
                    false => list_znode_children(c, p, prefix, at * CHILD_PAGE, toward).await,
                };
                if let Ok(pg) = &read {
                    live.read_at(&pg.path, Reader::Children, 0, pg.pzxid);
                    // Later reads (paging, live changes) go on from the page
                    // shown, not from the one the selection was found on.
                    // `try_`: the level may have been closed while it read.
                    page.try_update_untracked(|x| *x = pg.offset / CHILD_PAGE);
                    around.try_update_untracked(|a| *a = None);
                    shown.try_set(Some(pg.clone()));
                } else {
                    shown.try_set(None);
                }
                read
            }
        },
    );
    // Following a link (a search hit, a breadcrumb) to a child this level
    // does not show: open the page that holds it.
    {
        let path = path.clone();
        Effect::new(move |_| {
            let Some(child) = child_toward(&path, &selected.get()) else {
                return;
            };
            let on_screen =
                shown.with_untracked(|pg| pg.as_ref().is_some_and(|pg| pg.names.contains(&child)));
            if !on_screen && around.get_untracked().as_ref() != Some(&child) {
                if !child.starts_with(&prefix.get_untracked()) {
                    prefix.set(String::new());
                }
                around.set(Some(child));
            }
        });
    }
    // Filter and pager appear once a level has more than a page (or a
    // filter is typed). They are rendered once, outside the list that each
    // read replaces, so typing in the filter keeps its focus.
    let tools = Memo::new(move |_| {
        !prefix.get().is_empty() || shown.get().is_some_and(|pg| pg.total > CHILD_PAGE)
    });
    Effect::new(move |_| {
        let Some(offset) = shown.with(|pg| pg.as_ref().map(|pg| pg.offset)) else {
            return;
        };
        if own_level.get() {
            let p = prefix.get();
            let n = offset / CHILD_PAGE + 1;
            replace_query("prefix", (!p.is_empty()).then_some(p.as_str()));
            replace_query("page", (n > 1).then(|| n.to_string()).as_deref());
        }
    });
    // No children at all: shown as a leaf. The level stays mounted, so a
    // child created elsewhere still arrives (and the item stops being a leaf).
    Effect::new(move |_| {
        if let Some(empty) = shown.with(|pg| pg.as_ref().map(|pg| pg.total == 0)) {
            leaf.set(Some(empty));
        }
    });
    let filter_label = format!("Filter children of {} by prefix", name(&path));
    let pager_label = StoredValue::new(format!("Children of {path}"));
    // The shown children's paths, keyed by path below: when this level is
    // re-read (a live change, paging back to the same names), the items that
    // stay keep their own state — expanded levels, their loaded pages —
    // instead of being rebuilt, which would re-read every level beneath.
    let child_paths = move || {
        shown
            .get()
            .map(|pg| {
                pg.names
                    .iter()
                    .map(|n| join(&pg.path, n))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    // The shown children with no children of their own, once per read.
    let leaves = Memo::new(move |_| {
        shown.with(|pg| {
            pg.as_ref()
                .map(|pg| {
                    pg.names
                        .iter()
                        .zip(&pg.child_counts)
                        .filter(|(_, count)| **count == 0)
                        .map(|(n, _)| join(&pg.path, n))
                        .collect::<std::collections::HashSet<_>>()
                })
                .unwrap_or_default()
        })
    });
    view! {
        <ul role="group" aria-label=format!("Children of {path}") class="ml-4 border-l border-slate-200 pl-1 dark:border-slate-800">
            <Show when=move || tools.get()>
                <li role="none" class="my-1 flex flex-wrap items-center gap-2 text-xs">
                    <label class="flex items-center gap-1">
                        <span class="sr-only">{filter_label.clone()}</span>
                        <input
                            type="search"
                            placeholder="prefix…"
                            aria-label=filter_label.clone()
                            class="w-28 rounded border border-slate-300 bg-white px-1 dark:border-slate-700 dark:bg-slate-900"
                            prop:value=move || prefix.get()
                            on:input=move |ev| { prefix.set(event_target_value(&ev)); page.set(0); }
                        />
                    </label>
                    {move || shown.get().map(|pg| {
                        let first = pg.offset + 1;
                        let last = pg.offset + pg.names.len();
                        let summary = if pg.matching == 0 && pg.total > 0 {
                            format!("no children match (of {})", pg.total)
                        } else {
                            format!("{first}–{last} of {}{}", pg.matching, if pg.matching != pg.total { format!(" (of {})", pg.total) } else { String::new() })
                        };
                        let span = PageSpan { offset: pg.offset, shown: pg.names.len(), matched: pg.matching };
                        view! {
                            <span>{summary}</span>
                            <Pager label=pager_label.get_value() span=span compact=true on_move=Callback::new(move |d: i64| page.update(|p| *p = if d < 0 { p.saturating_sub(1) } else { *p + 1 })) />
                        }
                    })}
                </li>
            </Show>
            // The read's loading line and error; the items themselves follow
            // the last page read, outside the Transition (a keyed list inside
            // one was mounted before its anchor: an insertBefore warning per item).
            <Transition fallback=|| view! { <li class="text-slate-500">"Loading…"</li> }>
                <ErrorBoundary fallback=|errors| view! { <li>{error_banners(errors)}</li> }>
                    {move || children.get().map(|r| r.map(|_| ()))}
                </ErrorBoundary>
            </Transition>
            <For each=child_paths key=|child| child.clone() let:child>
                <TreeNode cluster=cluster.clone() path=child.clone() selected level=level + 1 refresh
                    hint=Signal::derive(move || leaves.with(|l| l.contains(&child))) />
            </For>
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
        // A roving tab stop: the focused link is the tree's one tab stop.
        let focus_link = |l: &web_sys::HtmlElement| {
            for other in &links {
                let _ = other.set_attribute("tabindex", "-1");
            }
            let _ = l.set_attribute("tabindex", "0");
            let _ = l.focus();
        };
        let focus = |i: usize| focus_link(&links[i]);
        match key.as_str() {
            "ArrowDown" => focus(pos.map(|p| (p + 1).min(links.len() - 1)).unwrap_or(0)),
            "ArrowUp" => focus(pos.map(|p| p.saturating_sub(1)).unwrap_or(0)),
            "Home" => focus(0),
            "End" => focus(links.len() - 1),
            "ArrowRight" | "ArrowLeft" => {
                let Some(item) = item else { return };
                let expanded = item.get_attribute("aria-expanded").as_deref() == Some("true");
                if key == "ArrowRight" && expanded {
                    // Open already: to its first child.
                    if let Some(child) = item
                        .query_selector(":scope > ul [role=treeitem] > div > a")
                        .ok()
                        .flatten()
                        .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
                    {
                        focus_link(&child);
                    }
                } else if (key == "ArrowRight") != expanded {
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
                        focus_link(&parent_link);
                    }
                }
            }
            _ => {}
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}
