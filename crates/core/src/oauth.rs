//! Social login (SPEC §5 `/auth/oauth/...`, RFC 9700 for a client): sending the
//! browser to a provider with a single-use `state` and PKCE S256, and finishing the
//! sign-in when it comes back.
//!
//! The `state` (256 bits) is stored server-side by its digest, with the PKCE verifier,
//! the checked `redirect_to`, the provider it was issued for and the digest of a random
//! browser binding that only the browser's HttpOnly cookie carries. The callback takes
//! the record atomically (single use) and refuses — as one `InvalidState`, with no
//! session — a state that is missing, unknown, replayed, expired, issued for another
//! provider (mix-up) or presented by another browser. Everything that goes wrong
//! after that is sent back to the (already checked) `redirect_to` as `?error=<code>`.

mod account;
mod identities;
mod redirect;

use std::collections::HashMap;
use std::sync::Arc;

use portcullis_domain::oauth::{OAuthDigest, PkceVerifier, ProviderName, encode_random};
use portcullis_domain::ports::{
    OAuthError, OAuthIdentityRepository, OAuthProvider, OAuthStateRecord, OAuthStateStore,
};
use portcullis_domain::{AuditEventType, ClientInfo, TimeSpan};

use crate::error::{Failure, failure_conversions};
use crate::service::{AuthService, IssuedSession};

pub use account::AccountRefusal;
pub use identities::IdentityError;

/// The ports of social login.
#[derive(Clone)]
pub struct OAuthDeps {
    /// The configured providers (at most one per name).
    pub providers: Vec<Arc<dyn OAuthProvider>>,
    /// Links between provider accounts and local users.
    pub identities: Arc<dyn OAuthIdentityRepository>,
    /// States in flight.
    pub states: Arc<dyn OAuthStateStore>,
}

/// The knobs of social login.
#[derive(Debug, Clone)]
pub struct OAuthPolicy {
    /// `OAUTH_REDIRECT_ALLOWLIST`: origins (`scheme://host[:port]`, normalized).
    pub redirect_allowlist: Vec<String>,
    /// How long a state (and its binding cookie) lives (10 min).
    pub state_ttl: TimeSpan,
}

impl OAuthPolicy {
    /// The default lifetime of a state.
    pub const DEFAULT_STATE_TTL: TimeSpan = TimeSpan::minutes(10);
}

/// Social login as the service holds it.
pub(crate) struct OAuthSetup {
    providers: HashMap<ProviderName, Arc<dyn OAuthProvider>>,
    identities: Arc<dyn OAuthIdentityRepository>,
    states: Arc<dyn OAuthStateStore>,
    policy: OAuthPolicy,
}

/// Where to send the browser, and the binding to set in its cookie.
#[derive(Debug, Clone)]
pub struct OAuthStart {
    /// The provider's authorization URL (with `state` and the PKCE challenge).
    pub authorize_url: String,
    /// The value of the HttpOnly binding cookie (random; only its digest is stored).
    pub binding: String,
    /// The cookie's lifetime: the state's.
    pub binding_ttl: TimeSpan,
}

/// Why a sign-in could not start.
#[derive(Debug, thiserror::Error)]
pub enum OAuthStartError {
    /// No such provider, or it is not configured.
    #[error("provider not configured")]
    ProviderNotConfigured,
    /// `redirect_to` is not on the allow-list.
    #[error("invalid redirect")]
    InvalidRedirect,
    /// A dependency failed.
    #[error(transparent)]
    Failure(Failure),
}
failure_conversions!(OAuthStartError);

/// What the provider sent back, and the browser's binding cookie.
#[derive(Debug, Clone, Copy, Default)]
pub struct OAuthCallback<'a> {
    /// `code`.
    pub code: Option<&'a str>,
    /// `state`.
    pub state: Option<&'a str>,
    /// `error` (the user declined, or the provider failed).
    pub error: Option<&'a str>,
    /// The binding cookie.
    pub binding: Option<&'a str>,
}

/// A finished sign-in: the session, and where the browser goes.
#[derive(Debug)]
pub struct OAuthSignIn {
    /// The new session.
    pub issued: IssuedSession,
    /// The checked `redirect_to` of the state.
    pub redirect_to: String,
}

/// A failure after the state was accepted: the browser goes back to the app with
/// `?error=<code>`.
#[derive(Debug)]
pub struct OAuthRefusal {
    /// The stable code (`access_denied`, `provider_error`, `provider_unavailable`,
    /// `email_required`, `account_exists_unverified`, `email_not_verified`,
    /// `mfa_required`, `service_unavailable`, `internal_error`).
    pub code: &'static str,
    /// `redirect_to` with `error=<code>`.
    pub location: String,
    /// With `mfa_required`: the token for `POST /auth/mfa` (a cookie-mode login), which
    /// the HTTP layer hands over in the URL fragment (never sent to a server).
    pub mfa_token: Option<String>,
}

/// Why a callback did not sign anyone in.
#[derive(Debug, thiserror::Error)]
pub enum OAuthCallbackError {
    /// No such provider, or it is not configured.
    #[error("provider not configured")]
    ProviderNotConfigured,
    /// Missing, forged, replayed or expired state, or another provider's or another
    /// browser's: no safe redirect is known.
    #[error("invalid oauth state")]
    InvalidState,
    /// The state was good; the sign-in failed later.
    #[error("oauth sign-in refused: {}", .0.code)]
    Refused(OAuthRefusal),
    /// The state store failed (no redirect is known yet).
    #[error(transparent)]
    Failure(Failure),
}
failure_conversions!(OAuthCallbackError);

/// Longest `state` or binding looked at (ours are 43 characters).
const MAX_TOKEN_LEN: usize = 128;

/// A `state` or binding worth looking up: present, non-empty, not over-long.
fn present(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty() && v.len() <= MAX_TOKEN_LEN)
}

impl AuthService {
    /// Turns social login on with these providers and stores.
    #[must_use]
    pub fn with_oauth(mut self, deps: OAuthDeps, policy: OAuthPolicy) -> Self {
        let providers = deps.providers.into_iter().map(|p| (p.name(), p)).collect();
        self.oauth = Some(Arc::new(OAuthSetup {
            providers,
            identities: deps.identities,
            states: deps.states,
            policy,
        }));
        self
    }

    /// The configured providers.
    pub fn oauth_providers(&self) -> Vec<ProviderName> {
        self.oauth
            .as_ref()
            .map(|s| s.providers.keys().copied().collect())
            .unwrap_or_default()
    }

    fn oauth_provider(&self, name: ProviderName) -> Option<(&OAuthSetup, &Arc<dyn OAuthProvider>)> {
        let setup = self.oauth.as_deref()?;
        setup.providers.get(&name).map(|p| (setup, p))
    }

    /// Starts a sign-in with `provider`: checks `redirect_to` (default `PUBLIC_URL`),
    /// stores a fresh state with its PKCE verifier and browser binding, and returns the
    /// authorization URL and the binding for the cookie.
    ///
    /// # Errors
    /// [`OAuthStartError`].
    #[tracing::instrument(skip_all, fields(provider = %provider))]
    pub async fn start_oauth(
        &self,
        provider: ProviderName,
        redirect_to: Option<&str>,
    ) -> Result<OAuthStart, OAuthStartError> {
        let (setup, client) = self
            .oauth_provider(provider)
            .ok_or(OAuthStartError::ProviderNotConfigured)?;
        let redirect_to = match redirect_to {
            Some(raw) => redirect::checked(raw, &setup.policy.redirect_allowlist)
                .ok_or(OAuthStartError::InvalidRedirect)?,
            None => self.policy.public_url.clone(),
        };
        let random = |r: &Self| r.deps.random.bytes32().map_err(Failure::Internal);
        let state = encode_random(random(self)?);
        let binding = encode_random(random(self)?);
        let pkce_verifier = PkceVerifier::from_random(random(self)?);
        let now = self.deps.clock.now();
        let record = OAuthStateRecord {
            provider,
            pkce_verifier,
            redirect_to,
            binding: OAuthDigest::of(&binding),
            expires_at: now + setup.policy.state_ttl,
        };
        setup
            .states
            .put(OAuthDigest::of(&state), &record, now)
            .await?;
        Ok(OAuthStart {
            authorize_url: client.authorize_url(&state, &record.pkce_verifier),
            binding,
            binding_ttl: setup.policy.state_ttl,
        })
    }

    /// Finishes a sign-in: takes the state (single use) and checks it, exchanges the
    /// code, finds or creates the account by (provider, subject), and starts a session.
    ///
    /// # Errors
    /// [`OAuthCallbackError`]: `InvalidState` for every state failure; `Refused` with
    /// the redirect for everything after.
    #[tracing::instrument(skip_all, fields(provider = %provider))]
    pub async fn finish_oauth(
        &self,
        provider: ProviderName,
        callback: OAuthCallback<'_>,
        client: &ClientInfo,
    ) -> Result<OAuthSignIn, OAuthCallbackError> {
        let (setup, oauth_client) = self
            .oauth_provider(provider)
            .ok_or(OAuthCallbackError::ProviderNotConfigured)?;
        let state = present(callback.state).ok_or(OAuthCallbackError::InvalidState)?;
        let now = self.deps.clock.now();
        // Taken before any other check: a state presented once is spent, whatever
        // else is wrong with the request.
        let record = setup
            .states
            .take(OAuthDigest::of(state), now)
            .await?
            .ok_or(OAuthCallbackError::InvalidState)?;
        if record.provider != provider {
            tracing::warn!(issued_for = %record.provider, "oauth state presented to another provider's callback");
            return Err(OAuthCallbackError::InvalidState);
        }
        let bound =
            present(callback.binding).is_some_and(|b| record.binding.matches(&OAuthDigest::of(b)));
        if !bound {
            tracing::warn!("oauth state presented by another browser");
            return Err(OAuthCallbackError::InvalidState);
        }
        let refuse = |code: &'static str| {
            tracing::info!(code, "oauth sign-in refused");
            OAuthCallbackError::Refused(OAuthRefusal {
                code,
                location: redirect::with_error(&record.redirect_to, code),
                mfa_token: None,
            })
        };
        if let Some(error) = callback.error {
            return Err(refuse(if error == "access_denied" {
                "access_denied"
            } else {
                "provider_error"
            }));
        }
        let Some(code) = callback.code.filter(|c| !c.is_empty() && c.len() <= 2048) else {
            return Err(refuse("provider_error"));
        };
        let profile = match oauth_client.exchange(code, &record.pkce_verifier).await {
            Ok(profile) if profile.provider == provider => profile,
            Ok(_) => return Err(refuse("provider_error")),
            Err(OAuthError::ExchangeRefused) => return Err(refuse("provider_error")),
            Err(OAuthError::Unavailable(err)) => {
                tracing::warn!(error = ?err, "oauth provider unavailable");
                return Err(refuse("provider_unavailable"));
            }
        };
        let user = match self.oauth_account(setup, &profile, client).await {
            Ok(user) => user,
            Err(refusal) => return Err(refuse(refusal.code())),
        };
        if self.policy.require_email_verification && !user.email_verified {
            return Err(refuse("email_not_verified"));
        }
        if user.mfa_enabled {
            // No session yet: the app asks for the code and finishes with POST /auth/mfa,
            // exactly as after a password login that answered `mfa_required`.
            let mfa_token = match self.issue_mfa_token(&user, client).await {
                Ok(token) => token,
                Err(failure) => return Err(refuse(failure_code(&failure))),
            };
            tracing::info!("oauth sign-in waits for the second factor");
            return Err(OAuthCallbackError::Refused(OAuthRefusal {
                code: "mfa_required",
                location: redirect::with_error(&record.redirect_to, "mfa_required"),
                mfa_token: Some(mfa_token),
            }));
        }
        let issued = match self.start_session(user, client).await {
            Ok(issued) => issued,
            Err(failure) => return Err(refuse(failure_code(&failure))),
        };
        crate::counters::login("success");
        self.audit(
            AuditEventType::LoginSucceeded,
            Some(issued.user.id),
            None,
            client,
            format!(
                r#"{{"session_id":"{}","via":"oauth","provider":"{provider}"}}"#,
                issued.session_id
            ),
        )
        .await;
        Ok(OAuthSignIn {
            issued,
            redirect_to: record.redirect_to,
        })
    }
}

/// The `?error=` code of an infrastructure failure (logged here, with its cause).
fn failure_code(failure: &Failure) -> &'static str {
    tracing::error!(error = ?failure, "oauth sign-in failed");
    if failure.is_unavailable() {
        "service_unavailable"
    } else {
        "internal_error"
    }
}
