//! `MfaRepository`: TOTP enrolments.

use async_trait::async_trait;

use crate::Timestamp;
use crate::error::StoreError;
use crate::mfa::TotpEnrollment;
use crate::user::UserId;

/// TOTP secrets (encrypted), replay guards and recovery-code digests.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait MfaRepository: Send + Sync + 'static {
    /// The user's enrolment, confirmed or pending.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn find(&self, user: UserId) -> Result<Option<TotpEnrollment>, StoreError>;

    /// Replaces the user's pending enrolment (a confirmed one is kept until deleted).
    /// Returns `false` when a confirmed enrolment exists.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn save_pending(&self, enrollment: &TotpEnrollment) -> Result<bool, StoreError>;

    /// Confirms a pending enrolment with its recovery-code digests and the step of the
    /// confirming code. Returns `false` when there is no pending enrolment.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn confirm(
        &self,
        user: UserId,
        step: u64,
        recovery_code_hashes: &[[u8; 32]],
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Records a used time step atomically: `true` only if `step` is greater than the
    /// last used one (a code is accepted once).
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn use_step(&self, user: UserId, step: u64) -> Result<bool, StoreError>;

    /// Consumes one recovery code atomically: `true` only the first time.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn consume_recovery_code(
        &self,
        user: UserId,
        code_hash: [u8; 32],
    ) -> Result<bool, StoreError>;

    /// Removes the enrolment. Returns whether one existed.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn delete(&self, user: UserId) -> Result<bool, StoreError>;
}
