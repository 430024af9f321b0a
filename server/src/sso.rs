//! Single sign-on at the edge (issue 14, step 3): a trusted proxy's
//! headers, and OpenID Connect's authorization code flow with PKCE.
//!
//! Both end in the same place as a password login: a [`Principal`] whose
//! grants are the account's own plus what its groups map to under
//! `[auth.groups]`. A proxy's headers are believed only from the addresses
//! in `[auth.proxy] trusted`; an OpenID login is bound to the browser that
//! began it (a cookie) so nobody can hand someone else a finished login.

use crate::config::{AuthConfig, OidcConfig, ProxyConfig};
use crate::session::{error_response, see_other, session_cookie, set_cookie};
use crate::state::AppState;
use app::auth::logic::{grants_of_groups, safe_next, split_groups};
use app::auth::model::{Grant, Principal};
use app::auth::ssr::{PendingLogin, audited};
use app::error::AppError;
use app::runtime::RequestContext;
use app::services::Services;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderName, header};
use axum::response::Response;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The cookie that ties an OpenID login to the browser that began it.
const BINDING_COOKIE: &str = "zkmq_oidc";

/// Single sign-on as configured: built once at start.
#[derive(Clone, Default)]
pub struct Sso {
    groups: Arc<Vec<(String, Vec<Grant>)>>,
    proxy: Option<Arc<Proxy>>,
    oidc: Option<Arc<Oidc>>,
}

struct Proxy {
    trusted: Vec<ipnet::IpNet>,
    user: HeaderName,
    groups: HeaderName,
}

impl Sso {
    /// `base` is where browsers reach zkmq (`public_url`, else the bind
    /// address): the provider sends them back to `<base>/auth/oidc/callback`.
    pub fn new(auth: &AuthConfig, base: &str) -> Result<Sso, String> {
        let proxy = auth.proxy.as_ref().map(|p: &ProxyConfig| {
            Arc::new(Proxy {
                trusted: p.networks(),
                // Validated at load.
                user: HeaderName::from_bytes(p.user_header.as_bytes())
                    .unwrap_or(HeaderName::from_static("x-forwarded-user")),
                groups: HeaderName::from_bytes(p.groups_header.as_bytes())
                    .unwrap_or(HeaderName::from_static("x-forwarded-groups")),
            })
        });
        let oidc = match &auth.oidc {
            Some(o) => Some(Arc::new(Oidc::new(o, base)?)),
            None => None,
        };
        Ok(Sso {
            groups: Arc::new(auth.group_table()),
            proxy,
            oidc,
        })
    }

    /// The login page's "Sign in with …" label, when OpenID is configured.
    pub fn oidc_label(&self) -> Option<String> {
        self.oidc.as_ref().map(|o| o.config.label.clone())
    }

    fn mapped(&self, groups: &[String]) -> Vec<Grant> {
        grants_of_groups(&self.groups, groups)
    }

    /// Who a trusted proxy says is calling: `None` when no proxy is
    /// configured, the request names nobody, or it does not come from a
    /// trusted address (the headers are then ignored, as anyone could send
    /// them).
    pub async fn proxy_principal(
        &self,
        svc: &Services,
        peer: Option<SocketAddr>,
        headers: &HeaderMap,
    ) -> Option<Result<Principal, AppError>> {
        let proxy = self.proxy.as_ref()?;
        let user = headers.get(&proxy.user)?.to_str().ok()?.trim();
        if user.is_empty() {
            return None;
        }
        let peer: IpAddr = peer?.ip();
        if !proxy.trusted.iter().any(|n| n.contains(&peer)) {
            tracing::debug!(%peer, "proxy headers from an address not in auth.proxy.trusted: ignored");
            return None;
        }
        let groups: Vec<String> = headers
            .get_all(&proxy.groups)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(split_groups)
            .collect();
        let mapped = self.mapped(&groups);
        Some(match svc.auth.proxy_principal(user, mapped).await {
            Ok(Ok(p)) => Ok(p),
            Ok(Err(why)) => Err(AppError::Denied(why)),
            Err(e) => Err(e),
        })
    }
}

/// The client once the provider's metadata is known.
type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

struct Oidc {
    config: OidcConfig,
    redirect: RedirectUrl,
    http: openidconnect::reqwest::Client,
    /// Discovered on the first sign-in, and again after a failure: zkmq
    /// starts, and password logins work, while the provider is down.
    client: tokio::sync::OnceCell<Client>,
}

impl Oidc {
    fn new(config: &OidcConfig, base: &str) -> Result<Oidc, String> {
        let redirect =
            RedirectUrl::new(format!("{}/auth/oidc/callback", base.trim_end_matches('/')))
                .map_err(|e| {
                    format!("auth.oidc: cannot build the callback URL from \"{base}\": {e}")
                })?;
        // No redirects: the library's advice against SSRF, and a provider
        // that answers discovery with a redirect is misconfigured.
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| format!("auth.oidc: cannot build an HTTP client: {e}"))?;
        Ok(Oidc {
            config: config.clone(),
            redirect,
            http,
            client: tokio::sync::OnceCell::new(),
        })
    }

    async fn client(&self) -> Result<&Client, String> {
        self.client
            .get_or_try_init(|| async {
                let issuer = IssuerUrl::new(self.config.issuer.clone())
                    .map_err(|e| format!("the issuer URL is not valid: {e}"))?;
                let meta = CoreProviderMetadata::discover_async(issuer, &self.http)
                    .await
                    .map_err(|e| format!("discovery failed: {e}"))?;
                let secret = self
                    .config
                    .client_secret
                    .as_ref()
                    .map(|s| ClientSecret::new(s.expose().to_string()));
                Ok(CoreClient::from_provider_metadata(
                    meta,
                    ClientId::new(self.config.client_id.clone()),
                    secret,
                )
                .set_redirect_uri(self.redirect.clone()))
            })
            .await
    }
}

#[derive(Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    next: String,
}

/// `GET /auth/oidc/start?next=…`: off to the provider, with a fresh state,
/// nonce and PKCE challenge kept for the way back.
pub async fn start(State(state): State<AppState>, Query(q): Query<StartQuery>) -> Response {
    let Some(oidc) = state.sso.oidc.clone() else {
        return error_response(&AppError::NotFound {
            what: "single sign-on (no [auth.oidc] is configured)".into(),
        });
    };
    let next = safe_next(&q.next);
    let client = match oidc.client().await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(issuer = %oidc.config.issuer, error = %e, "the OpenID provider cannot be reached");
            return see_other(&crate::session::login_url(&next, Some("sso_unavailable")));
        }
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for s in &oidc.config.scopes {
        req = req.add_scope(Scope::new(s.clone()));
    }
    let (url, csrf, nonce) = req.url();
    let binding = CsrfToken::new_random().secret().clone();
    let pending = PendingLogin {
        verifier: verifier.secret().clone(),
        nonce: nonce.secret().clone(),
        next,
    };
    if let Err(e) = state
        .services
        .auth
        .begin_oidc(csrf.secret(), &binding, &pending)
        .await
    {
        return error_response(&e);
    }
    let mut r = see_other(url.as_str());
    let secure = state.services.auth.policy().secure_cookie;
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(BINDING_COOKIE, &binding, "/auth/oidc", 600, secure),
    );
    r
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

fn binding_of(headers: &HeaderMap) -> Option<String> {
    app::auth::ssr::cookie_value(headers, BINDING_COOKIE)
}

/// Why a finished login came back without a session: the login page's
/// error code, and what the log (never the page) says.
struct Failed(&'static str, String);

/// `GET /auth/oidc/callback?code=…&state=…`: the provider sent the browser
/// back. Exchanges the code (with the PKCE verifier), checks the ID token
/// (signature, issuer, audience, expiry, nonce), maps the groups and opens
/// a session, audited as `login` via "oidc".
pub async fn callback(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let Some(oidc) = state.sso.oidc.clone() else {
        return error_response(&AppError::NotFound {
            what: "single sign-on (no [auth.oidc] is configured)".into(),
        });
    };
    let svc = &state.services;
    let pending = match (&q.state, binding_of(&headers)) {
        (Some(s), Some(b)) => match svc.auth.take_oidc(s, &b).await {
            Ok(p) => p,
            Err(e) => return error_response(&e),
        },
        _ => None,
    };
    let Some(pending) = pending else {
        // Unknown, used, older than ten minutes, or begun in another browser.
        return see_other(&crate::session::login_url("/", Some("sso_expired")));
    };
    let next = pending.next.clone();
    let signed = match signed_in(&oidc, &state.sso, &q, pending).await {
        Ok(s) => s,
        Err(Failed(code, detail)) => {
            tracing::warn!(issuer = %oidc.config.issuer, error = %detail, "an OpenID sign-in failed");
            return see_other(&crate::session::login_url(&next, Some(code)));
        }
    };
    let ctx = RequestContext::of(None, Some(addr));
    let (name, groups, mapped) = signed;
    match audited::sso_login(&svc.auth, &svc.audit, &ctx, &name, &groups, &mapped).await {
        Ok(session) => {
            let policy = svc.auth.policy();
            let mut r = see_other(&next);
            r.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(&session.token, policy.max.as_secs(), policy.secure_cookie),
            );
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(BINDING_COOKIE, "", "/auth/oidc", 0, policy.secure_cookie),
            );
            r
        }
        Err(AppError::Denied(why)) => {
            tracing::warn!(user = %name, reason = %why, "an OpenID sign-in was refused");
            see_other(&crate::session::login_url(&next, Some("sso_denied")))
        }
        Err(e) => error_response(&e),
    }
}

/// The user name, groups and mapped grants of a finished login.
async fn signed_in(
    oidc: &Oidc,
    sso: &Sso,
    q: &CallbackQuery,
    pending: PendingLogin,
) -> Result<(String, Vec<String>, Vec<Grant>), Failed> {
    if let Some(e) = &q.error {
        return Err(Failed(
            "sso_failed",
            format!(
                "the provider answered {e}: {}",
                q.error_description.as_deref().unwrap_or("")
            ),
        ));
    }
    let code = q
        .code
        .clone()
        .ok_or_else(|| Failed("sso_failed", "the provider sent no code".into()))?;
    let client = oidc
        .client()
        .await
        .map_err(|e| Failed("sso_unavailable", e))?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| Failed("sso_failed", format!("no token endpoint: {e}")))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&oidc.http)
        .await
        .map_err(|e| Failed("sso_failed", format!("the code exchange failed: {e}")))?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| Failed("sso_failed", "the provider sent no ID token".into()))?;
    id_token
        .claims(&client.id_token_verifier(), &Nonce::new(pending.nonce))
        .map_err(|e| Failed("sso_failed", format!("the ID token is not valid: {e}")))?;
    // The claims were just verified against this token's signature; read
    // the configured ones from its payload as JSON (their names are config).
    let claims = payload(&id_token.to_string())
        .ok_or_else(|| Failed("sso_failed", "the ID token's payload is not JSON".into()))?;
    let name = claims
        .get(&oidc.config.user_claim)
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            Failed(
                "sso_failed",
                format!(
                    "the ID token has no \"{}\" claim (auth.oidc.user_claim)",
                    oidc.config.user_claim
                ),
            )
        })?
        .to_string();
    let groups = match claims.get(&oidc.config.groups_claim) {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|g| g.as_str())
            .map(String::from)
            .collect(),
        Some(serde_json::Value::String(s)) => split_groups(s),
        _ => Vec::new(),
    };
    let mapped = sso.mapped(&groups);
    Ok((name, groups, mapped))
}

/// The JSON payload of a compact JWS (`header.payload.signature`).
fn payload(jwt: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    use base64::Engine as _;
    let part = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jwt_payload_is_read_as_json() {
        // header {"alg":"none"} . payload {"sub":"alice","groups":["a","b"]} . (no signature)
        let jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSIsImdyb3VwcyI6WyJhIiwiYiJdfQ.";
        let p = payload(jwt).unwrap();
        assert_eq!(p["sub"], "alice");
        assert_eq!(p["groups"][1], "b");
        assert!(payload("not a jwt").is_none());
    }
}
