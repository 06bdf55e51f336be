//! `PasswordHasher`: slow, salted password hashing off the async executor.

use async_trait::async_trait;

use crate::password::{PasswordHash, PlainPassword};

/// Hashing failed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Too many hashes are queued; the request should be shed (503).
    #[error("password hasher overloaded")]
    Overloaded,
    /// The hashing library or the blocking pool failed.
    #[error("password hashing failed")]
    Unexpected(#[source] anyhow::Error),
}

/// The outcome of checking a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordCheck {
    /// Whether the password matches.
    pub matches: bool,
    /// Whether the stored hash should be replaced (weaker than the configured cost).
    pub needs_rehash: bool,
}

/// Password hashing. Implementations run the work on a blocking pool with a bound on
/// hashes in flight, never on the async executor.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync + 'static {
    /// Hashes a password that passed the policy (≤ 71 bytes, no NUL).
    ///
    /// # Errors
    /// [`HashError`]. MUST NOT truncate: a password the hasher cannot take whole is an
    /// error, never a shorter hash.
    async fn hash(&self, password: &PlainPassword) -> Result<PasswordHash, HashError>;

    /// Checks a password against a stored hash. With `None` (unknown user, OAuth-only
    /// account) it MUST do the same work against a dummy hash and report no match, so
    /// both paths take the same time.
    ///
    /// # Errors
    /// [`HashError`]; a malformed stored hash is `matches: false`, not an error.
    async fn verify<'a>(
        &self,
        password: &PlainPassword,
        hash: Option<&'a PasswordHash>,
    ) -> Result<PasswordCheck, HashError>;
}
