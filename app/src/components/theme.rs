//! Light/dark theme switch. The choice is stored in localStorage and in a
//! cookie: the shell's boot script applies it before first paint, and the
//! server reads the cookie so the page (the `dark` class, the switch's
//! pressed state) is rendered right before any script runs.

use leptos::prelude::*;

/// The cookie (and localStorage key) holding "dark" or "light".
pub const THEME_KEY: &str = "zkmq-theme";

/// Whether the request asked for the dark theme (its cookie); false in the
/// browser, which reads the page's class instead.
pub fn dark_from_request() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .and_then(|parts| {
                let cookies = parts
                    .headers
                    .get(axum::http::header::COOKIE)?
                    .to_str()
                    .ok()?
                    .to_string();
                Some(
                    cookies
                        .split(';')
                        .any(|c| c.trim() == format!("{THEME_KEY}=dark")),
                )
            })
            .unwrap_or(false)
    }
    #[cfg(not(feature = "ssr"))]
    false
}

#[component]
pub fn ThemeToggle() -> impl IntoView {
    let dark = RwSignal::new(if cfg!(feature = "ssr") {
        dark_from_request()
    } else {
        is_dark()
    });
    // A choice stored before the cookie existed: the class says it.
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
            title=move || if dark.get() { "Dark theme is on: switch to light" } else { "Dark theme is off: switch to dark" }
            class="rounded border border-slate-300 px-2 py-1 text-sm aria-pressed:border-sky-500 aria-pressed:bg-slate-800 aria-pressed:text-slate-100 dark:border-slate-700"
        >
            <span aria-hidden="true" class="mr-1">{move || if dark.get() { "☾" } else { "☀" }}</span>
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
    use wasm_bindgen::JsCast;
    let value = if dark { "dark" } else { "light" };
    if let Some(el) = document().document_element() {
        let _ = if dark {
            el.class_list().add_1("dark")
        } else {
            el.class_list().remove_1("dark")
        };
    }
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.set_item(THEME_KEY, value);
    }
    if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
        let _ = doc.set_cookie(&format!(
            "{THEME_KEY}={value}; path=/; max-age=31536000; SameSite=Lax"
        ));
    }
}

#[cfg(not(feature = "hydrate"))]
fn is_dark() -> bool {
    false
}

#[cfg(not(feature = "hydrate"))]
fn apply(_dark: bool) {}
