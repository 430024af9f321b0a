//! Backend-agnostic UI pieces.

mod access;
mod form;
mod live;
mod live_flows;
mod live_rows;
mod live_tab;
mod paging;
mod theme;

pub use access::{Guarded, Me, MeScript, SignIn, principal_of_page, refusal, sign_in_of_page};
pub use form::{FieldError, Form, FormStatus};
pub use paging::{PageSpan, Pager, SearchBox, replace_query, url_state};

pub use live::{LiveState, SESSION_ENDED_CODE, UNOPENED_ATTEMPTS, use_live_json, use_ticker};
#[cfg(feature = "hydrate")]
pub use live::{retry_delay, ws_url};
pub use live_flows::FlowGraphView;
pub use live_rows::{FilterFields, LiveControls, LiveCounters, LiveRows, RateChart};
pub use live_tab::{Gap, LiveTab, LiveView, Tapping, ViewState, use_live_tab};
pub use theme::{ThemeToggle, dark_from_request};

use crate::clusters::logic::is_configured;
use crate::clusters::model::{ClusterRef, Reachability};
use crate::error::{AppError, Backend};
use leptos::prelude::*;

/// The one way an error reaches the screen: a banner with the `AppError`'s
/// message (which names the cluster), as an ARIA alert.
#[component]
pub fn ErrorBanner(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <div role="alert" class="rounded border border-red-300 bg-red-50 px-4 py-3 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
            {message}
        </div>
    }
}

/// A call answered 401: the session ended (idle, expired, logged out
/// elsewhere). The link opens the login page in a new tab, which returns
/// to this page, so whatever is typed here is not lost.
#[component]
pub fn SessionEnded() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let href = move || {
        let here = format!("{}{}", location.pathname.get(), location.search.get());
        let next: String =
            percent_encoding::utf8_percent_encode(&here, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        format!("/login?next={next}")
    };
    view! {
        <div role="alert" class="rounded border border-amber-300 bg-amber-50 px-4 py-3 text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
            "Your session has ended. "
            <a href=href target="_blank" rel="opener" class="underline">"Log in again (new tab)"</a>
            ", then retry here: what you typed on this page is kept."
        </div>
    }
}

/// Fallback for every `ErrorBoundary`: one banner per error.
pub fn error_banners(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <div class="space-y-2">
            {move || {
                errors
                    .get()
                    .into_iter()
                    .map(|(_, e)| {
                        let msg = match e.downcast_ref::<AppError>() {
                            Some(AppError::Unauthenticated(_)) => {
                                return view! { <SessionEnded /> }.into_any();
                            }
                            Some(a) => {
                                // A page rendered in full on the server (a
                                // missing topic, queue, znode) answers with the
                                // error's status, not 200.
                                respond_status(a.http_status());
                                a.to_string()
                            }
                            None => e.to_string(),
                        };
                        view! { <ErrorBanner message=msg /> }.into_any()
                    })
                    .collect_view()
            }}
        </div>
    }
}

/// A coloured pill with the reachability word (colour is never the only signal).
#[component]
pub fn StatusBadge(reachability: Reachability) -> impl IntoView {
    let class = match reachability {
        Reachability::Reachable => {
            "bg-green-100 text-green-900 dark:bg-green-900 dark:text-green-100"
        }
        Reachability::Degraded => {
            "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100"
        }
        Reachability::Unreachable => "bg-red-100 text-red-900 dark:bg-red-900 dark:text-red-100",
        Reachability::Unknown => {
            "bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100"
        }
    };
    view! {
        <span class=format!("inline-block rounded-full px-2 py-0.5 text-xs font-semibold {class}") data-status=reachability.label()>
            {reachability.label()}
        </span>
    }
}

/// A table header row from column names (`scope="col"` for screen readers).
#[component]
pub fn TableHead(columns: &'static [&'static str]) -> impl IntoView {
    view! {
        <thead>
            <tr class="border-b border-slate-300 dark:border-slate-700">
                {columns.iter().map(|c| view! { <th scope="col" class="py-2 pr-4">{*c}</th> }).collect_view()}
            </tr>
        </thead>
    }
}

/// A definition-list row for summary cards.
#[component]
pub fn Field(#[prop(into)] label: String, #[prop(into)] value: String) -> impl IntoView {
    view! {
        <div class="flex justify-between gap-4 border-b border-slate-100 py-1 dark:border-slate-800">
            <dt class="text-slate-600 dark:text-slate-400">{label}</dt>
            <dd class="font-mono text-sm">{value}</dd>
        </div>
    }
}

/// A live page body: the server-rendered first value (from `initial`) until
/// the websocket delivers one, then each live value, rendered by `render`;
/// errors of the first load become banners.
#[component]
pub fn LiveOrFirst<T, V, F>(
    initial: Resource<Result<T, AppError>>,
    live: ReadSignal<Option<T>>,
    render: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || {
                    let render = render.clone();
                    initial
                        .get()
                        .map(|r| {
                            r.map(|first| {
                                move || render(live.get().unwrap_or_else(|| first.clone()))
                            })
                        })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

/// The id of the reason shown under a field, from its label (unique per form).
fn error_id(label: &str) -> String {
    let slug: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("error-{slug}")
}

/// Whether `form`'s last error names `field` — what `aria-invalid` says.
fn invalid(form: Option<Form>, field: &'static str) -> impl Fn() -> Option<&'static str> + Copy {
    move || {
        form.filter(|_| !field.is_empty())
            .and_then(|f| f.reason_for(field))
            .map(|_| "true")
    }
}

/// A labelled one-line text input bound to `value`. With `form` and
/// `field`, an `AppError::Invalid` naming `field` marks it and shows the
/// reason under it.
#[component]
pub fn TextField(
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(optional, into)] placeholder: String,
    #[prop(optional, into)] input_type: Option<String>,
    #[prop(optional)] form: Option<Form>,
    #[prop(optional)] field: &'static str,
) -> impl IntoView {
    let id = error_id(&label);
    let reason_id = id.clone();
    let marked = invalid(form, field);
    if let Some(f) = form {
        f.register(field);
    }
    // The reason sits outside the <label>, so it describes the field
    // (aria-describedby) without becoming part of its name.
    view! {
        <div class="flex flex-col gap-1 text-sm">
        <label class="flex flex-col gap-1">
            <span>{label}</span>
            <input
                type=input_type.unwrap_or_else(|| "text".into())
                class="rounded border border-slate-300 bg-white px-2 py-1 font-mono aria-[invalid=true]:border-red-600 dark:border-slate-600 dark:bg-slate-900"
                placeholder=placeholder
                aria-invalid=marked
                aria-describedby=move || marked().map(|_| id.clone())
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
        {form.map(|f| view! { <FieldError form=f field id=reason_id /> })}
        </div>
    }
}

/// A labelled multi-line text input bound to `value`; `form`/`field` as for [`TextField`].
#[component]
pub fn TextArea(
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(optional, into)] placeholder: String,
    #[prop(default = 3)] rows: u32,
    #[prop(optional)] form: Option<Form>,
    #[prop(optional)] field: &'static str,
) -> impl IntoView {
    let id = error_id(&label);
    let reason_id = id.clone();
    let marked = invalid(form, field);
    if let Some(f) = form {
        f.register(field);
    }
    view! {
        <div class="flex flex-col gap-1 text-sm">
        <label class="flex flex-col gap-1">
            <span>{label}</span>
            <textarea
                rows=rows
                class="rounded border border-slate-300 bg-white px-2 py-1 font-mono aria-[invalid=true]:border-red-600 dark:border-slate-600 dark:bg-slate-900"
                placeholder=placeholder
                aria-invalid=marked
                aria-describedby=move || marked().map(|_| id.clone())
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
        </label>
        {form.map(|f| view! { <FieldError form=f field id=reason_id /> })}
        </div>
    }
}

/// The heading of an object page: names can be long and have no spaces, so
/// they break anywhere rather than push the page wider than the window.
/// "Show as: Auto Text JSON Hex Base64" for a message's payloads
/// (`None`: chosen from the bytes).
#[component]
pub fn ShowAs(
    #[prop(into)] label: String,
    shown: RwSignal<Option<crate::codec::DataView>>,
) -> impl IntoView {
    use crate::codec::DataView;
    view! {
        <div class="flex gap-2 text-sm" role="group" aria-label=label>
            <span>"Show as:"</span>
            <button type="button" class=BUTTON_SECONDARY aria-pressed=move || shown.get().is_none().to_string() on:click=move |_| shown.set(None)>"Auto"</button>
            {DataView::ALL.into_iter().map(|v| view! {
                <button type="button" class=BUTTON_SECONDARY aria-pressed=move || (shown.get() == Some(v)).to_string() on:click=move |_| shown.set(Some(v))>{v.label()}</button>
            }).collect_view()}
        </div>
    }
}

/// A labelled select of fixed (value, label) options bound to `value`.
#[component]
pub fn SelectField(
    label: &'static str,
    value: RwSignal<String>,
    options: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    view! {
        <label class="flex flex-col gap-1 text-sm">
            <span>{label}</span>
            <select aria-label=label class="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-900"
                on:change=move |ev| value.set(event_target_value(&ev))>
                {options.iter().map(|(v, l)| view! { <option value=*v selected=move || value.get() == *v>{*l}</option> }).collect_view()}
            </select>
        </label>
    }
}

/// The server-side message filter's options, as every message form offers them.
pub const FILTER_OPTIONS: &[(&str, &str)] = &[
    ("none", "none"),
    ("substring", "text contains"),
    ("regex", "regex"),
    ("json", "JSON field equals"),
];

/// A form whose fields are query keys: each opens with what the address
/// holds (or its default), and the form reads them back as a query, so the
/// same parser checks a typed form and a deep link.
#[derive(Clone, Copy)]
pub struct QueryFields(StoredValue<Vec<(&'static str, RwSignal<String>)>>);

impl QueryFields {
    /// `(key, default)` per field.
    pub fn from_query(keys: &[(&'static str, &'static str)]) -> Self {
        let q = leptos_router::hooks::use_query_map().get_untracked();
        QueryFields(StoredValue::new(
            keys.iter()
                .map(|(k, d)| (*k, RwSignal::new(q.get(k).unwrap_or_else(|| d.to_string()))))
                .collect(),
        ))
    }

    /// The field of `key` (one of those given).
    pub fn get(&self, key: &str) -> RwSignal<String> {
        self.0
            .with_value(|f| f.iter().find(|(k, _)| *k == key).map(|(_, s)| *s))
            .unwrap_or_else(|| RwSignal::new(String::new()))
    }

    /// What the user typed for `key`, if anything.
    pub fn value(&self, key: &str) -> Option<String> {
        Some(self.get(key).get_untracked()).filter(|v| !v.trim().is_empty())
    }
}

pub const PAGE_TITLE: &str = "mb-4 font-mono text-2xl font-semibold break-all";
/// Button classes: the primary action, a secondary one, a destructive one.
pub const BUTTON: &str =
    "rounded bg-sky-700 px-3 py-1 text-sm text-white hover:bg-sky-800 disabled:opacity-50";
pub const BUTTON_SECONDARY: &str = "rounded border border-slate-400 px-3 py-1 text-sm hover:bg-slate-100 dark:hover:bg-slate-800 disabled:opacity-50";
pub const BUTTON_DANGER: &str =
    "rounded bg-red-700 px-3 py-1 text-sm text-white hover:bg-red-800 disabled:opacity-50";

/// A destructive action confirmed by typing the object's name: the field
/// (reported on as `confirm`), the danger button and the form's outcome.
#[component]
pub fn TypeToConfirm(
    #[prop(into)] label: String,
    #[prop(into)] button: String,
    typed: RwSignal<String>,
    form: Form,
    on_confirm: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="flex items-end gap-2">
            <TextField label value=typed form field="confirm" />
            <button type="button" class=BUTTON_DANGER on:click=move |_| on_confirm.run(())>{button}</button>
        </div>
        <FormStatus form />
    }
}

/// A destructive action on one row (delete a policy, an exchange), asked
/// twice like every other delete: the first click says what will happen and
/// offers the action and Cancel.
#[component]
pub fn ConfirmButton(
    #[prop(into)] label: String,
    #[prop(into)] question: String,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let ask = label.clone();
    view! {
        <Show
            when=move || asking.get()
            fallback=move || view! { <button type="button" class=BUTTON_SECONDARY on:click=move |_| asking.set(true)>{ask.clone()}</button> }
        >
            <span role="group" aria-label=question.clone() class="inline-flex flex-wrap items-center gap-2">
                <span class="text-xs">{question.clone()}</span>
                <button type="button" class=BUTTON_DANGER on:click=move |_| { asking.set(false); on_confirm.run(()); }>{format!("Yes: {}", label.to_lowercase())}</button>
                <button type="button" class=BUTTON_SECONDARY on:click=move |_| asking.set(false)>"Cancel"</button>
            </span>
        </Show>
    }
}

/// Section tabs of one cluster's pages; `current` is the active label.
#[component]
pub fn Tabs(
    #[prop(into)] label: String,
    tabs: Vec<(&'static str, String)>,
    current: &'static str,
) -> impl IntoView {
    view! {
        <nav aria-label=label class="mb-4 flex gap-4 border-b border-slate-200 dark:border-slate-800">
            {tabs.into_iter().map(|(name, href)| {
                let active = name == current;
                view! {
                    <a href=href aria-current=if active { Some("page") } else { None }
                        class=if active { "border-b-2 border-sky-600 px-2 pb-1 font-semibold" } else { "px-2 pb-1 text-slate-600 dark:text-slate-400" }>
                        {name}
                    </a>
                }
            }).collect_view()}
        </nav>
    }
}

/// Every configured cluster, read once per page load and shared by the
/// picker and the pages that must know whether their cluster exists
/// (the shell provides it, from `list_clusters`).
#[derive(Clone, Copy)]
pub struct KnownClusters(pub Resource<Result<Vec<ClusterRef>, AppError>>);

impl KnownClusters {
    /// Whether `id` is a configured cluster of `backend`: `None` while the
    /// list loads; read it inside a `Suspense`.
    pub fn has(self, backend: Backend, id: &str) -> Option<Result<bool, AppError>> {
        self.0
            .get()
            .map(|r| r.map(|all| is_configured(&all, backend, id)))
    }
}

/// The `:cluster` route parameter of the current page. A server-rendered
/// page of a cluster the configuration lacks answers 404 (its banner says why).
pub fn cluster_param() -> Memo<String> {
    let params = leptos_router::hooks::use_params_map();
    let cluster = Memo::new(move |_| params.read().get("cluster").unwrap_or_default());
    #[cfg(feature = "ssr")]
    {
        let path = leptos_router::hooks::use_location()
            .pathname
            .get_untracked();
        let slug = path.trim_start_matches('/').split('/').next().unwrap_or("");
        let backend = match slug {
            "ensemble" => Some(Backend::Zookeeper),
            other => Backend::from_slug(other),
        };
        if let Some(b) = backend {
            not_found_unless_configured(b, &cluster.get_untracked());
        }
    }
    cluster
}

/// Server rendering: answers 404 for a page of a cluster that is not
/// configured. (Nothing to do in the browser: the status is long sent.)
pub fn not_found_unless_configured(backend: Backend, id: &str) {
    #[cfg(feature = "ssr")]
    if let Some(crate::clusters::model::Configured(all)) =
        use_context::<crate::clusters::model::Configured>()
        && !is_configured(&all, backend, id)
    {
        respond_status(404);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = (backend, id);
}

/// Server rendering: the HTTP status of the page being rendered. Pages
/// whose routes render in `SsrMode::Async` can still set it once their data
/// is in (a missing object: 404); streamed pages only before their first chunk.
pub fn respond_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(resp), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::StatusCode::from_u16(code),
    ) {
        resp.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}
