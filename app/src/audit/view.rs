//! The audit log page: newest first, paged with `?before=<id>`.

use super::api::{AUDIT_PAGE, list_audit_records};
use super::model::{AuditRecord, Outcome};
use crate::auth::logic::audit_scopes;
use crate::components::{Me, TableHead, error_banners};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|s| s.parse::<i64>().ok())
    };
    let records = Resource::new(before, list_audit_records);
    let paged = move || before().is_some();
    // An auditor on some clusters reads only those clusters' rows: say so.
    let part = use_context::<Me>()
        .and_then(|Me(p)| p)
        .and_then(|p| audit_scopes(&p.grants))
        .filter(|scopes| !scopes.is_empty())
        .map(|scopes| {
            let list: Vec<String> = scopes.iter().map(ToString::to_string).collect();
            format!(
                "Changes on {} (your auditor roles). Other clusters' changes and account changes need auditor on */*.",
                list.join(", ")
            )
        });
    view! {
        <Title text="Audit log · zkmq" />
        <h1 class="mb-4 text-2xl font-semibold">"Audit log"</h1>
        {part.map(|p| view! { <p class="mb-2 text-sm" data-testid="audit-part">{p}</p> })}
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=error_banners>
                {move || records.get().map(|r| r.map(|list| view! { <AuditTable records=list paged=paged() /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn AuditTable(records: Vec<AuditRecord>, paged: bool) -> impl IntoView {
    if records.is_empty() {
        return if paged {
            view! { <p>"No older records: this is the start of the log. "<A href="/audit" attr:class="underline">"Newest records"</A></p> }.into_any()
        } else {
            view! { <p>"No changes have been made through zkmq yet."</p> }.into_any()
        };
    }
    let older = (records.len() as i64 == AUDIT_PAGE)
        .then(|| records.last().map(|r| r.id))
        .flatten();
    view! {
        <p class="mb-2 text-sm text-slate-600 dark:text-slate-400">
            "Newest first. # is the record's place in the hash chain: each change is two records, its attempt (shown) and its outcome, so the numbers go up by two."
        </p>
        <table class="w-full border-collapse text-left text-sm">
            <caption class="sr-only">"Audited changes, newest first"</caption>
            <TableHead columns=&["#", "Time", "Actor", "Cluster", "Action", "Target", "Outcome", "Before / after"] />
            <tbody>{records.into_iter().map(|r| view! { <AuditRow record=r /> }).collect_view()}</tbody>
        </table>
        // Keyset pages over an append-only log: "older" continues below the
        // last row shown; "newest" returns to the top (the browser's back
        // button steps through the pages in between).
        <nav aria-label="Audit log pages" class="mt-4 flex gap-4">
            {paged.then(|| view! { <A href="/audit" attr:class="underline">"Newest records"</A> })}
            {older.map(|id| view! { <A href=format!("/audit?before={id}") attr:class="underline">"Older records"</A> })}
        </nav>
    }
    .into_any()
}

#[component]
fn AuditRow(record: AuditRecord) -> impl IntoView {
    let outcome_class = match record.outcome {
        Outcome::Ok => "text-green-800 dark:text-green-300",
        Outcome::Error | Outcome::Denied => "text-red-800 dark:text-red-300",
        Outcome::Pending | Outcome::Interrupted => "text-amber-800 dark:text-amber-300",
    };
    // "alice via password (10.0.0.7)": who, how they proved it, from where.
    let mut actor = record.actor.clone();
    if let Some(via) = &record.actor_via {
        actor.push_str(&format!(" via {via}"));
    }
    if let Some(a) = &record.client_addr {
        actor.push_str(&format!(" ({a})"));
    }
    // Users, roles and sessions are the console's own objects.
    let scope = if record.cluster.is_empty() {
        record.backend.clone()
    } else {
        format!("{}/{}", record.backend, record.cluster)
    };
    // Stored values may contain markup typed by anyone: they are rendered as text, never HTML.
    let before = record.before.clone().unwrap_or_else(|| "(none)".into());
    let after = record.after.clone().unwrap_or_else(|| "(none)".into());
    view! {
        <tr id=format!("record-{}", record.id) class="border-b border-slate-200 align-top dark:border-slate-800">
            <td class="py-2 pr-3 font-mono">{record.id}</td>
            <td class="py-2 pr-3 font-mono text-xs">{record.time.clone()}</td>
            <td class="py-2 pr-3 wrap-anywhere">{actor}</td>
            <td class="py-2 pr-3 wrap-anywhere">{scope}</td>
            <td class="py-2 pr-3 font-mono">{record.action.clone()}</td>
            <td class="py-2 pr-3 font-mono break-all">{record.target.clone()}</td>
            <td class=format!("py-2 pr-3 font-semibold {outcome_class}")>
                <span data-testid="outcome">{record.outcome.as_str()}</span>
                {record.error.clone().map(|e| view! { <div class="font-normal wrap-anywhere" data-testid="outcome-error">{e}</div> })}
            </td>
            <td class="py-2">
                <details>
                    <summary class="cursor-pointer">"values"</summary>
                    <div class="mt-1 text-xs">"params: "<code class="break-all">{record.params.clone()}</code></div>
                    <div class="mt-1 text-xs">"before: "<code class="break-all whitespace-pre-wrap">{before}</code></div>
                    <div class="mt-1 text-xs">"after: "<code class="break-all whitespace-pre-wrap">{after}</code></div>
                </details>
            </td>
        </tr>
    }
}
