//! `SessionDenyList`: revoked sessions whose access tokens may still be unexpired.

use async_trait::async_trait;

use crate::error::StoreError;
use crate::session::SessionId;
use crate::{TimeSpan, Timestamp};

/// Session ids refused by the access-token check until their tokens have expired.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SessionDenyList: Send + Sync + 'static {
    /// Denies a session for `ttl` (the access-token lifetime plus leeway). Idempotent;
    /// the visible effect MUST be immediate for every reader in this process and reach
    /// readers in other processes sharing the store within one second (SPEC §2 rule 7).
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn deny(
        &self,
        session: SessionId,
        ttl: TimeSpan,
        now: Timestamp,
    ) -> Result<(), StoreError>;

    /// Whether the session is denied at `now`.
    ///
    /// # Errors
    /// Only [`StoreError`] (the caller decides fail-open or fail-closed).
    async fn is_denied(&self, session: SessionId, now: Timestamp) -> Result<bool, StoreError>;
}
