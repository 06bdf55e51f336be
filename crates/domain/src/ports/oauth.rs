//! `OAuthProvider` and `OAuthIdentityRepository`: social login.

use async_trait::async_trait;

use crate::error::StoreError;
use crate::oauth::{OAuthIdentity, OAuthProfile, PkceVerifier, ProviderName};
use crate::user::UserId;

/// A provider-side failure: sent back to the app as `?error=<code>`.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// The provider refused the code or the PKCE verifier.
    #[error("the provider refused the authorization code")]
    ExchangeRefused,
    /// The provider did not answer in time or answered garbage.
    #[error("the provider is unavailable")]
    Unavailable(#[source] anyhow::Error),
}

/// One identity provider.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait OAuthProvider: Send + Sync + 'static {
    /// Which provider this is.
    fn name(&self) -> ProviderName;

    /// The URL to send the browser to: the provider's authorization endpoint with
    /// `response_type=code`, the client id, the callback URL, the scopes, `state`, and
    /// the PKCE challenge of `pkce_verifier`, which MUST be the S256 one (never
    /// `plain`).
    fn authorize_url(&self, state: &str, pkce_verifier: &PkceVerifier) -> String;

    /// Exchanges a code (sending the PKCE verifier) and fetches the normalized profile.
    /// MUST report `email_verified` only when the provider itself says the address is
    /// verified, and MUST use the provider's stable account id as the subject.
    ///
    /// # Errors
    /// [`OAuthError::ExchangeRefused`] when the provider refuses the code or the
    /// verifier; [`OAuthError::Unavailable`] when it does not answer in time or answers
    /// something unusable.
    async fn exchange(
        &self,
        code: &str,
        pkce_verifier: &PkceVerifier,
    ) -> Result<OAuthProfile, OAuthError>;
}

/// Links between provider accounts and local users, unique by (provider, subject).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait OAuthIdentityRepository: Send + Sync + 'static {
    /// The link for a provider account.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn find(
        &self,
        provider: ProviderName,
        subject: &str,
    ) -> Result<Option<OAuthIdentity>, StoreError>;

    /// Stores a link; returns `false` when (provider, subject) is already linked.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn link(&self, identity: &OAuthIdentity) -> Result<bool, StoreError>;

    /// A user's links.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn list_for_user(&self, user: UserId) -> Result<Vec<OAuthIdentity>, StoreError>;

    /// Removes a user's link to a provider; returns whether one existed.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn unlink(&self, user: UserId, provider: ProviderName) -> Result<bool, StoreError>;
}
