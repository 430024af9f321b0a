//! The login page and the user menu.
//!
//! Both post plain HTML forms (`/auth/login`, `/auth/logout`): they work
//! before the wasm has loaded, and each ends in a full page load, so no
//! page keeps state from the previous user.

use super::api::{
    add_user, create_api_token, grant_role, list_all_api_tokens, list_api_tokens, list_users,
    revoke_api_token, revoke_role, revoke_user_token, set_user_disabled, set_user_password,
};
use super::logic::{allows_everywhere, login_error_text};
use super::model::{NewToken, Permission, Principal, Role, TokenSummary, UserSummary};
use crate::components::{
    BUTTON, BUTTON_SECONDARY, ConfirmButton, ErrorBanner, Form, FormStatus, Me, SignIn, TableHead,
    TextField, error_banners,
};
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
            {use_context::<SignIn>().and_then(|s| s.sso).map(|label| {
                let href = move || {
                    let next = next();
                    let n = percent_encoding::utf8_percent_encode(
                        &next,
                        percent_encoding::NON_ALPHANUMERIC,
                    );
                    format!("/auth/oidc/start?next={n}")
                };
                view! {
                    <p class="my-3 text-center text-sm text-slate-600 dark:text-slate-400">"or"</p>
                    // rel=external: a full page load to the server's redirect,
                    // not the client router (which would render "not found").
                    <a href=href rel="external" class=format!("{BUTTON_SECONDARY} block text-center")>
                        "Sign in with "{label}
                    </a>
                }
            })}
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
                <ul class="mt-3 space-y-1">
                    <li><a href="/account" class="underline">"Your API tokens"</a></li>
                    {allows_everywhere(&me.grants, Permission::Administer).then(|| view! {
                        <li><a href="/admin/users" class="underline">"Users and roles"</a></li>
                    })}
                </ul>
                <form method="post" action="/auth/logout" class="mt-3">
                    <button type="submit" class=BUTTON_SECONDARY>"Log out"</button>
                </form>
            </div>
        </div>
    }
}

/// `/account`: the caller's API tokens — create one (shown once), revoke.
#[component]
pub fn AccountPage() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let tokens = Resource::new(move || refresh.get(), |_| list_api_tokens());
    let label = RwSignal::new(String::new());
    let days = RwSignal::new("90".to_string());
    let made = RwSignal::new(None::<NewToken>);
    let form = Form::new();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submit(
            create_api_token(label.get_untracked(), days.get_untracked()),
            move |t: NewToken| {
                let line = format!("Token {} created; it expires at {}.", t.label, t.expires_at);
                made.set(Some(t));
                label.set(String::new());
                refresh.update(|n| *n += 1);
                line
            },
        );
    };
    view! {
        <Title text="Your account · zkmq" />
        <h1 class="mb-4 text-2xl font-semibold">"Your account"</h1>
        <section aria-labelledby="tokens-h" class="max-w-3xl">
            <h2 id="tokens-h" class="mb-2 text-lg font-semibold">"API tokens"</h2>
            <p class="mb-2 text-sm">
                "For scripts: send a token in the header "<code>"Authorization: Bearer <token>"</code>
                " (never in a URL). It acts with your roles, and every change it makes is audited with its label."
            </p>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                <ErrorBoundary fallback=error_banners>
                    {move || tokens.get().map(|r| r.map(|list| view! { <TokenTable tokens=list refresh admin=false /> }))}
                </ErrorBoundary>
            </Transition>
            <form class="mt-4 flex flex-wrap items-end gap-3" aria-label="New API token" on:submit=create>
                <TextField label="Label" value=label placeholder="deploy-bot" form field="label" />
                <TextField label="Days until it expires" value=days form field="days" />
                <button type="submit" class=BUTTON>"Create token"</button>
            </form>
            <FormStatus form />
            {move || made.get().map(|t| view! {
                <div role="status" class="mt-2 rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950">
                    <p>"Copy it now: zkmq keeps only its hash and cannot show it again."</p>
                    <label class="mt-1 flex flex-col gap-1">
                        <span>{format!("Token \"{}\"", t.label)}</span>
                        <input readonly class="rounded border border-slate-300 bg-white px-2 py-1 font-mono dark:border-slate-600 dark:bg-slate-900" prop:value=t.token.clone() />
                    </label>
                </div>
            })}
        </section>
    }
}

/// API tokens with Revoke: the caller's own (`/account`), or every
/// account's with a User column (`admin`, on `/admin/users`).
#[component]
fn TokenTable(tokens: Vec<TokenSummary>, refresh: RwSignal<u32>, admin: bool) -> impl IntoView {
    if tokens.is_empty() {
        return view! { <p class="text-sm">"No tokens yet."</p> }.into_any();
    }
    let columns: &'static [&'static str] = if admin {
        &[
            "Label",
            "User",
            "Created",
            "Expires",
            "Last used",
            "State",
            "",
        ]
    } else {
        &["Label", "Created", "Expires", "Last used", "State", ""]
    };
    view! {
        <table class="w-full border-collapse text-left text-sm">
            <caption class="sr-only">{if admin { "Every user's API tokens" } else { "Your API tokens" }}</caption>
            <TableHead columns />
            <tbody>
                {tokens.into_iter().map(|t| {
                    let form = Form::new();
                    let (id, user) = (t.id, t.user.clone());
                    let revoke = move |()| {
                        let done = move |()| {
                            refresh.update(|n| *n += 1);
                            "Revoked.".to_string()
                        };
                        if admin {
                            form.submit(revoke_user_token(user.clone(), id), done)
                        } else {
                            form.submit(revoke_api_token(id), done)
                        }
                    };
                    let state = if t.revoked { "revoked" } else if t.expired { "expired" } else { "active" };
                    let whose = if admin { format!("{}'s token {}", t.user, t.label) } else { format!("token {}", t.label) };
                    view! {
                        <tr class="border-b border-slate-200 dark:border-slate-800" aria-label=t.label.clone()>
                            <th scope="row" class="py-1 pr-4 font-normal">{t.label.clone()}</th>
                            {admin.then(|| view! { <td class="py-1 pr-4 wrap-anywhere">{t.user.clone()}</td> })}
                            <td class="py-1 pr-4 font-mono text-xs">{t.created_at.clone()}</td>
                            <td class="py-1 pr-4 font-mono text-xs">{t.expires_at.clone()}</td>
                            <td class="py-1 pr-4 font-mono text-xs">{t.last_used_at.clone().unwrap_or_else(|| "never".into())}</td>
                            <td class="py-1 pr-4">{state}</td>
                            <td class="py-1">
                                {(state == "active").then(|| view! {
                                    <ConfirmButton label="Revoke" question=format!("Revoke {whose}? Scripts using it stop working.") on_confirm=Callback::new(revoke) />
                                })}
                                <FormStatus form />
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// One of the admin page's forms: a heading (`id` labels the section), an
/// optional line about it, its fields, one submit button and its status.
#[component]
fn AdminForm(
    id: &'static str,
    title: &'static str,
    #[prop(optional)] intro: Option<&'static str>,
    form: Form,
    button: &'static str,
    on_submit: impl FnMut(leptos::ev::SubmitEvent) + 'static,
    children: Children,
) -> impl IntoView {
    view! {
        <section aria-labelledby=id>
            <h2 id=id class="mb-2 text-lg font-semibold">{title}</h2>
            {intro.map(|t| view! { <p class="mb-2 text-sm">{t}</p> })}
            <form class="flex flex-col gap-2" aria-label=title on:submit=on_submit>
                {children()}
                <div><button type="submit" class=BUTTON>{button}</button></div>
            </form>
            <FormStatus form />
        </section>
    }
}

/// `/admin/users`: accounts and their roles (admin on `*/*`).
#[component]
pub fn UsersPage() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let users = Resource::new(move || refresh.get(), |_| list_users());
    let (name, password) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let added = Form::new();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = name.get_untracked();
        added.submit(add_user(n.clone(), password.get_untracked()), move |()| {
            name.set(String::new());
            password.set(String::new());
            refresh.update(|x| *x += 1);
            format!("User {n} added. Give them a role below.")
        });
    };
    let (who, role, scope) = (
        RwSignal::new(String::new()),
        RwSignal::new("viewer".to_string()),
        RwSignal::new("*/*".to_string()),
    );
    let granted = Form::new();
    let grant = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (w, r, sc) = (
            who.get_untracked(),
            role.get_untracked(),
            scope.get_untracked(),
        );
        let line = format!("{w} is now {r} on {sc}.");
        granted.submit(grant_role(w, r, sc), move |_| {
            refresh.update(|x| *x += 1);
            line
        });
    };
    let (reset_who, reset_password) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let reset = Form::new();
    let set_password = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = reset_who.get_untracked();
        reset.submit(
            set_user_password(n.clone(), reset_password.get_untracked()),
            move |()| {
                reset_password.set(String::new());
                format!("{n} has a new password; their sessions ended.")
            },
        );
    };
    let tokens = Resource::new(move || refresh.get(), |_| list_all_api_tokens());
    view! {
        <Title text="Users and roles · zkmq" />
        <h1 class="mb-4 text-2xl font-semibold">"Users and roles"</h1>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || users.get().map(|r| r.map(|list| view! { <UserTable users=list refresh /> }))}
            </ErrorBoundary>
        </Transition>
        <div class="mt-8 grid gap-8 lg:grid-cols-2">
            <AdminForm id="add-user-h" title="Add a user" form=added button="Add user" on_submit=add>
                <TextField label="User name" value=name form=added field="name" />
                <TextField label="Password (12 characters or more)" value=password input_type="password" form=added field="password" />
            </AdminForm>
            <AdminForm id="grant-h" title="Grant a role" form=granted button="Grant" on_submit=grant>
                <TextField label="To user" value=who form=granted field="name" />
                <label class="flex flex-col gap-1 text-sm">
                    <span>"Role"</span>
                    <select class="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-900"
                        on:change=move |ev| role.set(event_target_value(&ev))>
                        {Role::ALL.into_iter().map(|r| view! { <option value=r.word() selected=r == Role::Viewer>{r.word()}</option> }).collect_view()}
                    </select>
                </label>
                <TextField label="On clusters (backend/glob: kafka/prod-*, */*)" value=scope form=granted field="scope" />
            </AdminForm>
            <AdminForm id="reset-h" title="Set a password" form=reset button="Set password" on_submit=set_password
                intro="For a forgotten password. The user's sessions end; an account that signs in through single sign-on and gets a password signs in with it from then on.">
                <TextField label="For user" value=reset_who form=reset field="name" />
                <TextField label="New password (12 characters or more)" value=reset_password input_type="password" form=reset field="password" />
            </AdminForm>
        </div>
        <section aria-labelledby="all-tokens-h" class="mt-8">
            <h2 id="all-tokens-h" class="mb-2 text-lg font-semibold">"API tokens"</h2>
            <p class="mb-2 text-sm">"Every user's tokens. Revoke one that leaked or whose script is gone; users make their own on their account page."</p>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                <ErrorBoundary fallback=error_banners>
                    {move || tokens.get().map(|r| r.map(|list| view! { <TokenTable tokens=list refresh admin=true /> }))}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn UserTable(users: Vec<UserSummary>, refresh: RwSignal<u32>) -> impl IntoView {
    view! {
        <table class="w-full border-collapse text-left text-sm">
            <caption class="sr-only">"Users"</caption>
            <TableHead columns=&["User", "State", "Roles", ""] />
            <tbody>
                {users.into_iter().map(|u| {
                    let form = Form::new();
                    let name = u.name.clone();
                    let disabled = u.disabled;
                    let toggle = {
                        let name = name.clone();
                        move |()| {
                            let n = name.clone();
                            form.submit(set_user_disabled(n.clone(), !disabled), move |()| {
                                refresh.update(|x| *x += 1);
                                if disabled { format!("{n} can log in again.") } else { format!("{n} is disabled; their sessions ended.") }
                            })
                        }
                    };
                    view! {
                        <tr class="border-b border-slate-200 align-top dark:border-slate-800" aria-label=name.clone()>
                            <th scope="row" class="py-2 pr-4 font-normal">{name.clone()}</th>
                            <td class="py-2 pr-4">{if u.disabled { "disabled" } else { "enabled" }}</td>
                            <td class="py-2 pr-4">
                                <ul class="space-y-1">
                                    {u.grants.iter().map(|g| {
                                        let (n, r, sc) = (name.clone(), g.role.word().to_string(), g.scope.to_string());
                                        let text = g.to_string();
                                        let revoke = move |()| {
                                            let (n, r, sc) = (n.clone(), r.clone(), sc.clone());
                                            form.submit(revoke_role(n, r, sc), move |_| {
                                                refresh.update(|x| *x += 1);
                                                "Revoked.".into()
                                            })
                                        };
                                        view! {
                                            <li class="flex flex-wrap items-center gap-2">
                                                <span>{text.clone()}</span>
                                                <ConfirmButton label="Revoke" question=format!("Revoke {text} from {name}?") on_confirm=Callback::new(revoke) />
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                {u.grants.is_empty().then_some("(no roles)")}
                            </td>
                            <td class="py-2">
                                <ConfirmButton
                                    label=if disabled { "Enable" } else { "Disable" }
                                    question=if disabled { format!("Let {name} log in again?") } else { format!("Disable {name}? Their sessions end now.") }
                                    on_confirm=Callback::new(toggle)
                                />
                                <FormStatus form />
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
