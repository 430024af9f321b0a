//! The selected znode's panel: data, stat and ACL, and every change form
//! (edit data and ACL, create a child, delete one znode or a subtree,
//! export and import).

use super::*;

/// The selected znode: data, stat, ACL, and what can be done with it.
#[component]
pub(super) fn NodePanel(cluster: String, path: String, refresh: RwSignal<u32>) -> impl IntoView {
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
    // A znode that does not exist (a stale link, deleted meanwhile) offers
    // no export, import or new child. Known in the browser once hydrated:
    // an Effect, so the server's first render and the hydration agree.
    let missing = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(r) = node.get() {
            missing.set(matches!(r, Err(AppError::NotFound { .. })));
        }
    });
    view! {
        // The error is rendered by hand, not through an ErrorBoundary: one
        // here failed to hydrate when the server had rendered its fallback (a
        // deep link to a missing znode panicked the page).
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let cluster = cluster.clone();
                node.get().map(|r| match r {
                    Ok(z) => view! { <NodeDetails cluster znode=z refresh editing editing_acl tick /> }.into_any(),
                    Err(e) => {
                        respond_status(e.http_status());
                        view! { <ErrorBanner message=e.to_string() /> }.into_any()
                    }
                })
            }}
        </Transition>
        <Show when=move || !missing.get()>
            <ExportImport cluster=c2.clone() path=p2.clone() read_only refresh />
            {(!read_only).then(|| {
                let (c, p) = (c2.clone(), p2.clone());
                view! {
                    <Guarded backend=Backend::Zookeeper cluster=c.clone() need=Permission::Change>
                        <CreateChild cluster=c parent_path=p refresh />
                    </Guarded>
                }
            })}
        </Show>
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

        {(!read_only).then(|| {
            let (c, z) = (cluster.clone(), znode.clone());
            view! {
                <Guarded backend=Backend::Zookeeper cluster=c.clone() need=Permission::Change>
                    <EditData cluster=c znode=z refresh editing tick />
                </Guarded>
            }
        })}

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
                            <td class="py-1 pr-4 font-mono wrap-anywhere">{a.id.clone()}</td>
                            <td class="py-1 pr-4 font-mono">{format_perms(a.perms)}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>

        {(!read_only).then(|| {
            let (c, z) = (cluster.clone(), znode.clone());
            view! {
                <Guarded backend=Backend::Zookeeper cluster=c.clone() need=Permission::Change>
                    <EditAcl cluster=c znode=z refresh editing=editing_acl />
                </Guarded>
            }
        })}

        {(!read_only).then(|| {
            // A node with children goes through the subtree delete: an admin's.
            let need = if znode.stat.num_children > 0 { Permission::Administer } else { Permission::Change };
            let (c, z) = (cluster.clone(), znode.clone());
            view! {
                <Guarded backend=Backend::Zookeeper cluster=c.clone() need>
                    <DeleteNode cluster=c znode=z refresh />
                </Guarded>
            }
        })}
    }
    .into_any()
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
    let detected = if binary {
        DataEncoding::Base64
    } else if detect_view(&bytes) == DataView::Json {
        DataEncoding::Json
    } else {
        DataEncoding::Text
    };
    let stored = StoredValue::new((initial.clone(), detected, znode.stat.version));
    let text = RwSignal::new(initial);
    let tick_at_open = RwSignal::new(0u32);
    let encoding = RwSignal::new(detected);
    let version = RwSignal::new(znode.stat.version);
    // Set when a save hit a newer version: the value that is there now.
    let conflict = RwSignal::new(None::<Znode>);
    let form = Form::new();
    let path = znode.path.clone();
    // Cancel throws the draft away: the next edit starts from the stored
    // value and its detected encoding, not from a stale "Store as".
    let discard = move || {
        let (t, e, v) = stored.get_value();
        text.set(t);
        encoding.set(e);
        version.set(v);
        editing.set(false);
        conflict.set(None);
        form.clear();
    };
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
                    form.clear();
                    refresh.update(|n| *n += 1);
                }
                // A newer version: show both values instead of an error.
                Err(AppError::Conflict(_)) => {
                    form.clear();
                    conflict.set(get_znode(c, p).await.ok());
                }
                Err(e) => form.settle(Err::<(), _>(e), |()| String::new()),
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
                <TextArea label="New data" value=text rows=10 form field="data" />
                {encoding_options(encoding, "Store as")}
                {move || (tick.get() != tick_at_open.get() && conflict.get().is_none()).then(|| view! {
                    <p role="status" class="text-sm text-amber-800 dark:text-amber-300">
                        "This znode changed while you were editing. Saving will show both values before anything is overwritten."
                    </p>
                })}
                <FormStatus form />
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
                    <button type="button" class="rounded border border-slate-400 px-3 py-1 text-sm" on:click=move |_| discard()>
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
    let form = Form::new();
    let file_text = RwSignal::new(String::new());
    let plan = RwSignal::new(None::<ImportPlan>);
    let (c1, p1) = (cluster.clone(), path.clone());
    let export = Action::new(move |_: &()| {
        let (c, p) = (c1.clone(), p1.clone());
        async move {
            form.settle(export_znodes(c.clone(), p.clone()).await, |json| {
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
                format!("Exported {} as {name}", p)
            });
        }
    });
    // The file's problems are said under the file input.
    form.register("file");
    let (c2, p2) = (cluster.clone(), path.clone());
    let dry_run = Action::new(move |_: &()| {
        let (c, p, f) = (c2.clone(), p2.clone(), file_text.get_untracked());
        async move {
            plan.set(None);
            form.settle(plan_import_znodes(c, p, f).await, |pl| {
                plan.set(Some(pl));
                String::new()
            });
        }
    });
    let (c3, p3) = (cluster.clone(), path.clone());
    let apply = Action::new(move |_: &()| {
        let (c, p, f) = (c3.clone(), p3.clone(), file_text.get_untracked());
        let reviewed = plan.get_untracked().map(|pl| pl.hash).unwrap_or_default();
        async move {
            form.settle(import_znodes(c, p, f, reviewed).await, |n| {
                plan.set(None);
                refresh.update(|x| *x += 1);
                format!("Imported: {n} znodes created or updated")
            });
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
                <Guarded backend=Backend::Zookeeper cluster=cluster.clone() need=Permission::Administer>
                <div class="space-y-2">
                    <label class="block">
                        {import_label}
                        <input type="file" accept="application/json,.json" class="mt-1 block" on:change=on_file
                            aria-invalid=move || form.reason_for("file").map(|_| "true")
                            aria-describedby=move || form.reason_for("file").map(|_| "error-import-file") />
                    </label>
                    <FieldError form field="file" id="error-import-file".to_string() />
                    <button type="button" class="rounded border border-slate-400 px-3 py-1 disabled:opacity-40"
                        disabled=move || file_text.get().is_empty() on:click=move |_| { dry_run.dispatch(()); }>
                        "Dry run"
                    </button>
                </div>
                </Guarded>
            })}
            <FormStatus form />
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
                                        <td class="py-1 pr-4 font-mono wrap-anywhere">{i.path}</td>
                                        <td class="py-1 pr-4">{format!("{:?}", i.action).to_lowercase()}</td>
                                        <td class="py-1 pr-4 wrap-anywhere">{i.reason.unwrap_or_default()}</td>
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
    let form = Form::new();
    let path = znode.path.clone();
    let aversion = znode.stat.aversion;
    let save = Action::new(move |_: &()| {
        let (c, p, t) = (cluster.clone(), path.clone(), text.get_untracked());
        async move {
            form.start();
            form.settle(set_znode_acl(c, p, t, aversion).await, |_| {
                editing.set(false);
                refresh.update(|n| *n += 1);
                String::new()
            });
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
                <TextArea label="ACL entries (scheme:id:perms, one per line)" value=text rows=5 form field="acl" />
                <FormStatus form />
                <div class="flex gap-2">
                    <button type="submit" class="rounded bg-slate-800 px-3 py-1 text-sm text-white dark:bg-slate-200 dark:text-slate-900">"Save ACL"</button>
                    <button type="button" class="rounded border border-slate-400 px-3 py-1 text-sm" on:click=move |_| { editing.set(false); form.clear(); }>"Cancel"</button>
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
    let form = Form::new();
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
        let name = child.get_untracked().trim().to_string();
        let navigate = navigate.clone();
        async move {
            form.start();
            if let Err(e) = validate_child_name("name", &name) {
                return form.settle(Err::<(), _>(e), |()| String::new());
            }
            let ttl_ms = if k == CreateKind::PersistentTtl {
                match ttl_text.trim().parse::<u64>() {
                    Ok(v) if v > 0 => Some(v),
                    _ => {
                        let e = AppError::invalid(
                            "ttl_ms",
                            "enter the time to live in milliseconds, a whole number above 0",
                        );
                        return form.settle(Err::<(), _>(e), |()| String::new());
                    }
                }
            } else {
                None
            };
            let acl_text = Some(acl.get_untracked()).filter(|a| !a.trim().is_empty());
            match create_znode(c.clone(), path, d, enc, k, ttl_ms, acl_text).await {
                Ok(created) => {
                    form.clear();
                    child.set(String::new());
                    data.set(String::new());
                    refresh.update(|n| *n += 1);
                    navigate(&znode_href(&c, &created), Default::default());
                }
                Err(e) => form.settle(Err::<(), _>(e), |()| String::new()),
            }
        }
    });
    view! {
        <details class="mt-6">
            <summary class="cursor-pointer font-semibold">"Create a child znode"</summary>
            <form class="mt-2 space-y-2" on:submit=move |ev| { ev.prevent_default(); create.dispatch(()); }>
                <TextField label="Name" value=child form field="name" />
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
                    <TextField label="TTL (ms)" value=ttl form field="ttl_ms" />
                </Show>
                <TextArea label="Data" value=data rows=5 form field="data" />
                {encoding_options(encoding, "Data is")}
                <TextArea label="ACL (one scheme:id:perms per line; empty: world:anyone:cdrwa)" value=acl rows=3 placeholder="world:anyone:cdrwa" form field="acl" />
                <FormStatus form />
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
    let form = Form::new();
    let navigate = use_navigate();
    let path = znode.path.clone();
    let version = znode.stat.version;
    let delete = Action::new(move |_: &()| {
        let (c, p) = (cluster.clone(), path.clone());
        let navigate = navigate.clone();
        async move {
            form.start();
            match delete_znode(c.clone(), p.clone(), version).await {
                Ok(()) => {
                    refresh.update(|n| *n += 1);
                    navigate(
                        &znode_href(&c, parent(&p).unwrap_or("/")),
                        Default::default(),
                    );
                }
                Err(e) => form.settle(Err::<(), _>(e), |()| String::new()),
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
            <FormStatus form />
        </div>
    }
    .into_any()
}

/// Recursive delete: first a preview that counts the znodes, then the user
/// types the path to confirm. The audit record keeps a copy of the subtree.
#[component]
fn DeleteSubtree(cluster: String, znode: Znode, refresh: RwSignal<u32>) -> impl IntoView {
    let form = Form::new();
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
            form.start();
            match delete_subtree(c.clone(), p.clone(), confirm).await {
                Ok(_) => {
                    refresh.update(|n| *n += 1);
                    navigate(
                        &znode_href(&c, parent(&p).unwrap_or("/")),
                        Default::default(),
                    );
                }
                Err(e) => form.settle(Err::<(), _>(e), |()| String::new()),
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
            <FormStatus form />
        </div>
    }
}
