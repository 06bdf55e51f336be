//! Social login: `GET /api/v1/auth/oauth/{provider}` (to the provider) and
//! `GET /api/v1/auth/oauth/{provider}/callback` (back from it), plus the caller's links
//! `GET /api/v1/me/identities` and `DELETE /api/v1/me/identities/{provider}`.

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use portcullis_core::{IdentityError, OAuthCallback, OAuthCallbackError, OAuthStartError};
use portcullis_domain::oauth::{OAuthIdentity, ProviderName};
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::client::client_info;
use crate::cookies;
use crate::dto::rfc3339;
use crate::error::ApiError;
use crate::state::{AppState, CookieSettings};

/// Path of the binding cookie: only the OAuth endpoints ever see it.
const BINDING_PATH: &str = "/api/v1/auth/oauth";

/// The binding cookie's name (`__Secure-` prefixed in production; `__Host-` would
/// need `Path=/`).
fn binding_name(settings: &CookieSettings) -> &'static str {
    if settings.prefixed {
        "__Secure-oauth_binding"
    } else {
        "oauth_binding"
    }
}

/// The binding cookie: HttpOnly, `SameSite=Lax` whatever `COOKIE_SAMESITE` says (it
/// must come back on the provider's top-level redirect, which `Strict` would drop).
fn binding_cookie(settings: &CookieSettings, value: String, max_age: i64) -> Cookie<'static> {
    Cookie::build(binding_name(settings), value)
        .path(BINDING_PATH)
        .http_only(true)
        .secure(settings.secure)
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::seconds(max_age))
        .finish()
}

fn provider(raw: &str) -> Result<ProviderName, ApiError> {
    ProviderName::parse(raw).ok_or_else(ApiError::not_found)
}

/// `?redirect_to=`.
#[derive(Debug, Deserialize)]
struct StartQuery {
    #[serde(default)]
    redirect_to: Option<String>,
}

/// Sends the browser to the provider with a fresh `state` and PKCE S256 challenge,
/// and sets the HttpOnly cookie that binds the state to this browser.
#[utoipa::path(
    get,
    path = "/api/v1/auth/oauth/{provider}",
    operation_id = "oauth_start",
    tag = "auth",
    params(
        ("provider" = String, Path, description = "google or github"),
        ("redirect_to" = Option<String>, Query, description = "Absolute URL whose origin is in OAUTH_REDIRECT_ALLOWLIST; default PUBLIC_URL."),
    ),
    responses(
        (status = 302, description = "To the provider's consent page. Sets the HttpOnly oauth_binding cookie (Path=/api/v1/auth/oauth, SameSite=Lax, 10 minutes).", headers(("Location" = String, description = "The provider's authorization URL."))),
        (status = 400, description = "`invalid_redirect`"),
        (status = 404, description = "`not_found`: no such provider, or it is not configured."),
    ),
)]
pub async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let provider = provider(&path.into_inner())?;
    let query: StartQuery =
        crate::query::parse(req.query_string()).map_err(|_| ApiError::invalid_redirect())?;
    let started = state
        .service
        .start_oauth(provider, query.redirect_to.as_deref())
        .await
        .map_err(|e| match e {
            OAuthStartError::ProviderNotConfigured => ApiError::not_found(),
            OAuthStartError::InvalidRedirect => ApiError::invalid_redirect(),
            OAuthStartError::Failure(f) => f.into(),
        })?;
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, started.authorize_url))
        .cookie(binding_cookie(
            &state.settings.cookies,
            started.binding,
            started.binding_ttl.num_seconds(),
        ))
        .finish())
}

/// What the provider appends to the callback.
#[derive(Debug, Deserialize)]
struct CallbackQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// Finishes the sign-in: checks the state, exchanges the code, signs in and
/// redirects to `redirect_to` (with `?error=<code>` when the provider side failed).
#[utoipa::path(
    get,
    path = "/api/v1/auth/oauth/{provider}/callback",
    operation_id = "oauth_callback",
    tag = "auth",
    params(
        ("provider" = String, Path, description = "google or github"),
        ("code" = Option<String>, Query, description = "The provider's authorization code."),
        ("state" = Option<String>, Query, description = "The state sent to the provider."),
        ("error" = Option<String>, Query, description = "The provider's error (e.g. access_denied)."),
    ),
    responses(
        (status = 302, description = "Signed in: the session cookies are set and the browser goes to redirect_to. Or refused after a valid state: to redirect_to?error=code, with code one of access_denied, provider_error, provider_unavailable, email_required, account_exists_unverified, email_not_verified, mfa_required, service_unavailable, internal_error; no session. With mfa_required (an account with TOTP) the URL fragment carries `mfa_token=…`: the app asks for a code and finishes with POST /api/v1/auth/mfa, which sets the session cookies.", headers(("Location" = String, description = "redirect_to, possibly with error."))),
        (status = 400, description = "`invalid_oauth_state`: missing, forged, replayed or expired state, or one issued for another provider or another browser; no session."),
        (status = 404, description = "`not_found`: no such provider, or it is not configured."),
    ),
)]
pub async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let provider = provider(&path.into_inner())?;
    let query: CallbackQuery =
        crate::query::parse(req.query_string()).map_err(|_| ApiError::invalid_oauth_state())?;
    let settings = &state.settings.cookies;
    let binding = req.cookie(binding_name(settings));
    let client = client_info(&req, &state.settings.trusted_proxies);
    let callback = OAuthCallback {
        code: query.code.as_deref(),
        state: query.state.as_deref(),
        error: query.error.as_deref(),
        binding: binding.as_ref().map(Cookie::value),
    };
    let spent = binding_cookie(settings, String::new(), 0);
    match state
        .service
        .finish_oauth(provider, callback, &client)
        .await
    {
        Ok(signed_in) => {
            let mut res = HttpResponse::Found();
            cookies::set_session(&mut res, settings, &signed_in.issued);
            Ok(res
                .cookie(spent)
                .insert_header((header::LOCATION, signed_in.redirect_to))
                .finish())
        }
        Err(OAuthCallbackError::Refused(refusal)) => {
            let location = match &refusal.mfa_token {
                // In the fragment: browsers never send it to a server nor in a Referer.
                // `c.`: finish in cookie mode, like a browser's password login.
                Some(token) => format!(
                    "{}#mfa_token=c.{token}",
                    refusal.location.split('#').next().unwrap_or_default()
                ),
                None => refusal.location,
            };
            Ok(HttpResponse::Found()
                .cookie(spent)
                .insert_header((header::LOCATION, location))
                .finish())
        }
        Err(OAuthCallbackError::InvalidState) => Err(ApiError::invalid_oauth_state()),
        Err(OAuthCallbackError::ProviderNotConfigured) => Err(ApiError::not_found()),
        Err(OAuthCallbackError::Failure(f)) => Err(f.into()),
    }
}

/// One link between the caller and a provider account.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IdentityItem {
    /// `google` or `github`.
    pub provider: String,
    /// The provider's address when the link was made.
    pub email: Option<String>,
    /// When the link was made (RFC 3339).
    pub created_at: String,
}

impl From<&OAuthIdentity> for IdentityItem {
    fn from(i: &OAuthIdentity) -> Self {
        Self {
            provider: i.provider.as_str().to_owned(),
            email: i.email.as_ref().map(|e| e.as_str().to_owned()),
            created_at: rfc3339(i.created_at),
        }
    }
}

/// `{identities}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IdentityList {
    /// Oldest first.
    pub identities: Vec<IdentityItem>,
}

fn identity_error(e: IdentityError) -> ApiError {
    match e {
        IdentityError::NotFound => ApiError::not_found(),
        IdentityError::LastLoginMethod => ApiError::conflict(
            "last_login_method",
            "This is the account's only way to sign in: set a password or link another provider first.",
        ),
        IdentityError::AccountGone => ApiError::invalid_token(),
        IdentityError::Failure(f) => f.into(),
    }
}

/// The caller's provider links.
#[utoipa::path(
    get,
    path = "/api/v1/me/identities",
    operation_id = "list_identities",
    tag = "account",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The caller's provider links, oldest first.", body = IdentityList),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn list_identities(
    state: web::Data<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<HttpResponse, ApiError> {
    let links = state
        .service
        .list_identities(&principal)
        .await
        .map_err(identity_error)?;
    Ok(HttpResponse::Ok().json(IdentityList {
        identities: links.iter().map(Into::into).collect(),
    }))
}

/// Removes the caller's link to a provider, unless it is their last way to sign in.
#[utoipa::path(
    delete,
    path = "/api/v1/me/identities/{provider}",
    operation_id = "unlink_identity",
    tag = "account",
    params(("provider" = String, Path, description = "google or github")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "Unlinked."),
        (status = 404, description = "`not_found`: the caller has no link to this provider."),
        (status = 409, description = "`last_login_method`: no password and no other link."),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn unlink_identity(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(principal): AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let provider = provider(&path.into_inner())?;
    let client = client_info(&req, &state.settings.trusted_proxies);
    state
        .service
        .unlink_identity(&principal, provider, &client)
        .await
        .map_err(identity_error)?;
    Ok(HttpResponse::NoContent().finish())
}
