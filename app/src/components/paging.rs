//! The shared list controls: a search box and a pager. Every paged list uses
//! them, so paging is written (and tested) once.

use super::BUTTON_SECONDARY;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// Sets (or, with `None`, removes) `key` in the address bar's query,
/// replacing the history entry. Straight on `history`, not through the
/// router: two values changed together (a filter and its reset page) would
/// each read the router's query before the other's navigation landed.
pub fn replace_query(key: &str, value: Option<&str>) {
    #[cfg(feature = "hydrate")]
    {
        let Ok(url) = web_sys::Url::new(&window().location().href().unwrap_or_default()) else {
            return;
        };
        let params = url.search_params();
        match value {
            Some(v) => params.set(key, v),
            None => params.delete(key),
        }
        url.set_search(&params.to_string().as_string().unwrap_or_default());
        if let Ok(history) = window().history() {
            let state = history.state().unwrap_or(wasm_bindgen::JsValue::NULL);
            let _ = history.replace_state_with_url(&state, "", Some(&url.href()));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, value);
}

/// A piece of a list's state (filter, sort, page) kept in the URL query:
/// read when the page opens, written back when it changes (replacing the
/// history entry, so typing does not stack up Back steps). A reload or a
/// shared link opens the same view. The default is left out of the URL.
pub fn url_state<T>(key: &'static str, default: T) -> RwSignal<T>
where
    T: Serialize + DeserializeOwned + PartialEq + Clone + Send + Sync + 'static,
{
    let query = use_query_map();
    let initial = query
        .with_untracked(|q| q.get(key))
        .and_then(|text| {
            // Strings and enums are JSON strings; numbers and booleans are JSON.
            serde_json::from_value(Value::String(text.clone()))
                .ok()
                .or_else(|| serde_json::from_str(&text).ok())
        })
        .unwrap_or_else(|| default.clone());
    let value = RwSignal::new(initial);
    Effect::new(move |first: Option<()>| {
        let v = value.get();
        if first.is_none() {
            return; // opening the page reads the URL, it does not write it
        }
        let text = (v != default).then(|| match serde_json::to_value(&v) {
            Ok(Value::String(s)) => s,
            Ok(other) => other.to_string(),
            Err(_) => String::new(),
        });
        replace_query(key, text.as_deref());
    });
    value
}

/// A labelled search input bound to `value`; `on_change` runs after each
/// edit (lists reset to their first page there).
#[component]
pub fn SearchBox(
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(optional, into)] placeholder: String,
    #[prop(optional)] on_change: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <label class="flex flex-col gap-1 text-sm">
            <span>{label}</span>
            <input type="search" placeholder=placeholder
                class="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-900"
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    if let Some(cb) = on_change {
                        cb.run(());
                    }
                } />
        </label>
    }
}

/// What a pager shows: rows `offset+1 ..= offset+shown` of `matched`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSpan {
    pub offset: usize,
    pub shown: usize,
    pub matched: usize,
}

impl PageSpan {
    pub fn has_prev(&self) -> bool {
        self.offset > 0
    }
    pub fn has_next(&self) -> bool {
        self.offset + self.shown < self.matched
    }
    /// "101–200 of 130,000"-style text; "none" when nothing matches.
    pub fn label(&self) -> String {
        if self.matched == 0 || self.shown == 0 {
            return format!("0 of {}", self.matched);
        }
        format!(
            "{}–{} of {}",
            self.offset + 1,
            self.offset + self.shown,
            self.matched
        )
    }
}

/// Previous / next buttons around the span's label, as a navigation landmark
/// named after the list ("Queues pages"). `on_move` gets `-1` or `+1`.
#[component]
pub fn Pager(
    #[prop(into)] label: String,
    span: PageSpan,
    on_move: Callback<i64>,
    /// Small inline buttons (inside the tree) instead of the page-level ones.
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let class = if compact {
        "underline disabled:opacity-40"
    } else {
        BUTTON_SECONDARY
    };
    view! {
        <nav aria-label=format!("{label} pages") class=if compact { "inline-flex items-center gap-2" } else { "mt-2 flex items-center gap-2 text-sm" }>
            <button type="button" class=class disabled={!span.has_prev()} on:click=move |_| on_move.run(-1)>"Previous page"</button>
            <span>{span.label()}</span>
            <button type="button" class=class disabled={!span.has_next()} on:click=move |_| on_move.run(1)>"Next page"</button>
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::PageSpan;

    #[test]
    fn a_span_knows_its_neighbours_and_says_where_it_is() {
        let first = PageSpan {
            offset: 0,
            shown: 100,
            matched: 130,
        };
        assert!(!first.has_prev() && first.has_next());
        assert_eq!(first.label(), "1–100 of 130");
        let last = PageSpan {
            offset: 100,
            shown: 30,
            matched: 130,
        };
        assert!(last.has_prev() && !last.has_next());
        assert_eq!(last.label(), "101–130 of 130");
        let empty = PageSpan {
            offset: 0,
            shown: 0,
            matched: 0,
        };
        assert!(!empty.has_prev() && !empty.has_next());
        assert_eq!(empty.label(), "0 of 0");
    }
}
