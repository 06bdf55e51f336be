//! `OneTimeTokenRepository`: password-reset and email-verification tokens.

use async_trait::async_trait;

use crate::Timestamp;
use crate::error::StoreError;
use crate::user::UserId;

/// What a one-time token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenPurpose {
    /// `POST /auth/password/reset`.
    PasswordReset,
    /// `POST /auth/email/verify`.
    EmailVerification,
    /// `POST /auth/mfa`: the second step of a login (5 minutes, bound to the device).
    MfaLogin,
}

/// A stored one-time token: only its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeToken {
    /// SHA-256 of the token.
    pub hash: [u8; 32],
    /// What it is for.
    pub purpose: TokenPurpose,
    /// Whose it is.
    pub user_id: UserId,
    /// End of validity.
    pub expires_at: Timestamp,
}

/// Single-use tokens, stored hashed (the `ResetTokenRepository` of the architecture).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait OneTimeTokenRepository: Send + Sync + 'static {
    /// Stores a token and, in the same step, invalidates the user's older tokens of the
    /// same purpose.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn replace(&self, token: &OneTimeToken) -> Result<(), StoreError>;

    /// Consumes a token atomically: returns its user the first time it is presented
    /// before expiry, `None` for unknown, used, expired or other-purpose tokens.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn consume(
        &self,
        hash: [u8; 32],
        purpose: TokenPurpose,
        now: Timestamp,
    ) -> Result<Option<UserId>, StoreError>;
}
