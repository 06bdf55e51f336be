//! `SessionRepository`: durable session metadata and revocation state.

use async_trait::async_trait;

use crate::Timestamp;
use crate::error::StoreError;
use crate::session::{RevokeReason, Session, SessionId};
use crate::user::UserId;

/// Sessions, the source of truth for whether a session is alive.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SessionRepository: Send + Sync + 'static {
    /// Stores a new active session and, in the same atomic step, revokes the least
    /// recently used active sessions of the same user (reason `Evicted`) so that at most
    /// `max_active` remain, the new one included. Returns the evicted ids.
    ///
    /// # Errors
    /// Only [`StoreError`]. MUST NOT leave the new session stored with the evictions
    /// undone, nor the reverse.
    async fn create(
        &self,
        session: &Session,
        max_active: u32,
    ) -> Result<Vec<SessionId>, StoreError>;

    /// Finds a session, active or not.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn find(&self, id: SessionId) -> Result<Option<Session>, StoreError>;

    /// Marks a refresh: when the session is active at `now` (not revoked, not past its
    /// absolute expiry), sets `last_used_at = now` and returns `true`; otherwise changes
    /// nothing and returns `false`. One conditional write: a concurrent revocation either
    /// happens before (false) or after (true), never half.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn touch(&self, id: SessionId, now: Timestamp) -> Result<bool, StoreError>;

    /// The user's active sessions at `now`, newest first.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn list_active(&self, user: UserId, now: Timestamp) -> Result<Vec<Session>, StoreError>;

    /// Revokes one session if it is not revoked yet. Returns whether this call revoked
    /// it (`false` when unknown or already revoked; the first reason is kept).
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn revoke(
        &self,
        id: SessionId,
        reason: RevokeReason,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Revokes every unrevoked session of a user except `keep`, in one atomic step.
    /// Returns the ids this call revoked.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn revoke_all(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        reason: RevokeReason,
        now: Timestamp,
    ) -> Result<Vec<SessionId>, StoreError>;

    /// Deletes sessions that expired before `expired_before` or were revoked before
    /// `revoked_before` (the retention job). Returns how many were deleted.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn purge(
        &self,
        expired_before: Timestamp,
        revoked_before: Timestamp,
    ) -> Result<u64, StoreError>;
}
