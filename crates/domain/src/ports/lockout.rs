//! `LockoutStore`: failed-login counting per identifier (SPEC §6).

use async_trait::async_trait;

use crate::error::StoreError;
use crate::{TimeSpan, Timestamp};

/// `LOGIN_LOCKOUT_*`: `threshold` failures within `window` lock the identifier for
/// `duration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failures that trigger the lock.
    pub threshold: u32,
    /// Counting window, from the first failure.
    pub window: TimeSpan,
    /// Lock length.
    pub duration: TimeSpan,
}

/// Failure counters and locks keyed by a normalized identifier (case-folded email or
/// username, whether or not an account exists).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait LockoutStore: Send + Sync + 'static {
    /// When the identifier is locked at `now`, the end of the lock.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn locked_until(
        &self,
        identifier: &str,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError>;

    /// Counts a failure. When it reaches `threshold` within `window`, locks the
    /// identifier until `now + duration`, resets the count and returns the lock end.
    /// MUST NOT extend an existing lock.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn record_failure(
        &self,
        identifier: &str,
        policy: LockoutPolicy,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError>;

    /// Forgets failures and any lock (successful login, password reset).
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn clear(&self, identifier: &str) -> Result<(), StoreError>;
}
