//! Who is signed in, for the browser: the user menu, and controls a user
//! may not use, which are disabled with the reason ("needs operator on
//! kafka/local"). The server decides every call again; this only keeps
//! people from filling in a form that would be refused.
//!
//! The principal is known synchronously on both sides: the server reads it
//! from the request (the session layer put it there) and writes it into
//! the page as JSON; the browser reads that JSON before it hydrates. So no
//! resource, no suspense, and server and browser render the same controls.

use crate::auth::logic::{allows, missing};
use crate::auth::model::{Permission, Principal};
use crate::error::Backend;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in user of this page load (`None` on the login page).
#[derive(Clone, Debug, PartialEq)]
pub struct Me(pub Option<Principal>);

/// The id of the script element that carries the principal to the browser.
const ME_ID: &str = "zkmq-me";

/// The id of the script element that carries [`SignIn`] to the browser.
const SIGN_IN_ID: &str = "zkmq-sign-in";

/// How people may sign in besides a password: the login page's "Sign in
/// with …" button. The server provides it from `[auth.oidc]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SignIn {
    /// The OpenID provider's label, when one is configured.
    pub sso: Option<String>,
}

/// A value the server wrote into the page with [`JsonScript`].
#[cfg(not(feature = "ssr"))]
fn from_page<T: serde::de::DeserializeOwned>(id: &str) -> Option<T> {
    document()
        .get_element_by_id(id)
        .and_then(|e| e.text_content())
        .and_then(|t| serde_json::from_str(&t).ok())
}

/// Reads the principal for this render: from the request on the server, from
/// the page the server wrote on the browser.
pub fn principal_of_page() -> Option<Principal> {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .and_then(|p| p.extensions.get::<Principal>().cloned())
    }
    #[cfg(not(feature = "ssr"))]
    {
        from_page(ME_ID)
    }
}

/// The sign-in options for this render, read like [`principal_of_page`].
pub fn sign_in_of_page() -> SignIn {
    #[cfg(feature = "ssr")]
    {
        use_context::<SignIn>().unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        from_page(SIGN_IN_ID).unwrap_or_default()
    }
}

/// A value handed to the browser as JSON inside a script element: `<` is
/// escaped so no value can close the element.
#[component]
fn JsonScript(id: &'static str, json: Option<String>) -> impl IntoView {
    let json = json
        .unwrap_or_else(|| "null".into())
        .replace('<', "\\u003c");
    view! { <script id=id type="application/json" inner_html=json></script> }
}

/// The script elements that hand the principal and the sign-in options to
/// the browser.
#[component]
pub fn MeScript() -> impl IntoView {
    let me = use_context::<Me>()
        .and_then(|Me(p)| p)
        .and_then(|p| serde_json::to_string(&p).ok());
    let sign_in = use_context::<SignIn>().and_then(|s| serde_json::to_string(&s).ok());
    view! {
        <JsonScript id=ME_ID json=me />
        <JsonScript id=SIGN_IN_ID json=sign_in />
    }
}

/// Why the signed-in user may not do `need` on the cluster, if they may not.
pub fn refusal(backend: Backend, cluster: &str, need: Permission) -> Option<String> {
    match use_context::<Me>() {
        Some(Me(Some(p))) if allows(&p.grants, backend, cluster, need) => None,
        Some(Me(Some(_))) => Some(missing(need, backend, cluster)),
        // No principal: the server answers with a login prompt anyway.
        _ => None,
    }
}

/// A form (or any controls) that needs `need` on the cluster: for a user
/// without it, every control inside is disabled (one `<fieldset disabled>`)
/// and the reason is said above them.
#[component]
pub fn Guarded(
    backend: Backend,
    #[prop(into)] cluster: String,
    need: Permission,
    children: Children,
) -> impl IntoView {
    let reason = refusal(backend, &cluster, need);
    let disabled = reason.is_some();
    view! {
        <fieldset disabled=disabled class="m-0 min-w-0 border-0 p-0">
            {reason.map(|r| view! {
                <p class="mb-1 text-sm text-amber-800 dark:text-amber-300" data-testid="needs">
                    "Disabled: "{r}
                </p>
            })}
            {children()}
        </fieldset>
    }
}
