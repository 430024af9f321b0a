//! Light/dark theme switch. The choice is stored in localStorage and applied
//! before first paint by the shell's boot script.

use leptos::prelude::*;

#[component]
pub fn ThemeToggle() -> impl IntoView {
    // Server render cannot know the browser's theme; the browser fixes the
    // label right after hydration.
    let dark = RwSignal::new(false);
    Effect::new(move |_| dark.set(is_dark()));
    let toggle = move |_| {
        let next = !dark.get_untracked();
        apply(next);
        dark.set(next);
    };
    view! {
        <button
            type="button"
            on:click=toggle
            aria-pressed=move || dark.get().to_string()
            class="rounded border border-slate-300 px-2 py-1 text-sm dark:border-slate-700"
        >
            "Dark theme"
        </button>
    }
}

#[cfg(feature = "hydrate")]
fn is_dark() -> bool {
    document()
        .document_element()
        .map(|e| e.class_list().contains("dark"))
        .unwrap_or(false)
}

#[cfg(feature = "hydrate")]
fn apply(dark: bool) {
    if let Some(el) = document().document_element() {
        let _ = if dark {
            el.class_list().add_1("dark")
        } else {
            el.class_list().remove_1("dark")
        };
    }
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.set_item("zkmq-theme", if dark { "dark" } else { "light" });
    }
}

#[cfg(not(feature = "hydrate"))]
fn is_dark() -> bool {
    false
}

#[cfg(not(feature = "hydrate"))]
fn apply(_dark: bool) {}
