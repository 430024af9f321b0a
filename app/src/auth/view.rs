//! The login page and the user menu.
//!
//! Both post plain HTML forms (`/auth/login`, `/auth/logout`): they work
//! before the wasm has loaded, and each ends in a full page load, so no
//! page keeps state from the previous user.

use super::logic::login_error_text;
use super::model::Principal;
use crate::components::{BUTTON, BUTTON_SECONDARY, ErrorBanner, Me};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const INPUT: &str =
    "rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-900";

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".into());
    let error = move || {
        query
            .read()
            .get("error")
            .and_then(|code| login_error_text(&code))
    };
    view! {
        <Title text="Log in · zkmq" />
        <div class="mx-auto mt-10 max-w-sm rounded border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-900">
            <h1 class="mb-4 text-2xl font-semibold">"Log in to zkmq"</h1>
            {move || error().map(|e| view! { <ErrorBanner message=e /> })}
            <form method="post" action="/auth/login" aria-label="Log in" class="mt-4 flex flex-col gap-3">
                <input type="hidden" name="next" value=next />
                <label class="flex flex-col gap-1 text-sm">
                    <span>"User name"</span>
                    <input name="name" autocomplete="username" required autofocus class=INPUT />
                </label>
                <label class="flex flex-col gap-1 text-sm">
                    <span>"Password"</span>
                    <input name="password" type="password" autocomplete="current-password" required class=INPUT />
                </label>
                <button type="submit" class=BUTTON>"Log in"</button>
            </form>
            <p class="mt-4 text-xs text-slate-600 dark:text-slate-400">
                "No account? An admin creates one with "<code>"zkmq user add"</code>"."
            </p>
        </div>
    }
}

/// Who is signed in, their roles, and the logout button.
#[component]
pub fn UserMenu() -> impl IntoView {
    use_context::<Me>()
        .and_then(|Me(p)| p)
        .map(|p| view! { <MenuFor me=p /> })
}

#[component]
fn MenuFor(me: Principal) -> impl IntoView {
    let roles: Vec<String> = me.grants.iter().map(|g| g.to_string()).collect();
    let open = RwSignal::new(false);
    view! {
        <div class="relative" on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
            <button
                type="button"
                class=BUTTON_SECONDARY
                aria-expanded=move || open.get().to_string()
                aria-controls="user-menu"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="sr-only">"Signed in as "</span>{me.user.clone()}
            </button>
            <div
                id="user-menu"
                hidden=move || !open.get()
                class="absolute right-0 z-20 mt-1 w-72 rounded border border-slate-200 bg-white p-3 text-sm shadow dark:border-slate-700 dark:bg-slate-900"
            >
                <p>"Signed in as "<strong>{me.user.clone()}</strong>" ("{me.via.clone()}")"</p>
                <h2 class="mt-2 text-xs font-semibold uppercase text-slate-600 dark:text-slate-400">"Roles"</h2>
                {if roles.is_empty() {
                    view! { <p>"None yet: ask an admin for one."</p> }.into_any()
                } else {
                    view! { <ul class="list-disc pl-5">{roles.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul> }.into_any()
                }}
                <form method="post" action="/auth/logout" class="mt-3">
                    <button type="submit" class=BUTTON_SECONDARY>"Log out"</button>
                </form>
            </div>
        </div>
    }
}
