//! `RateLimiter`: shared request budgets.

use async_trait::async_trait;

use crate::error::StoreError;
use crate::{TimeSpan, Timestamp};

/// A budget: `limit` requests per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitPolicy {
    /// Requests allowed per window.
    pub limit: u32,
    /// Window length.
    pub window: TimeSpan,
}

/// The answer to one check, with what the `RateLimit` headers need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitDecision {
    /// Whether this request may proceed (it was counted).
    pub allowed: bool,
    /// The policy's limit.
    pub limit: u32,
    /// Requests left in the current window after this one.
    pub remaining: u32,
    /// Time until the window resets (and, when refused, until a retry can pass).
    pub reset_after: TimeSpan,
}

/// Atomic check-and-count over a shared store.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait RateLimiter: Send + Sync + 'static {
    /// Counts one request against `key` and decides. Refused requests are not counted.
    /// Exact under concurrency: of N concurrent calls on a fresh key, exactly
    /// `min(N, limit)` are allowed — across processes sharing the store.
    ///
    /// # Errors
    /// Only [`StoreError`] (the caller applies `RATE_LIMIT_FAIL_OPEN`).
    async fn check(
        &self,
        key: &str,
        policy: RateLimitPolicy,
        now: Timestamp,
    ) -> Result<RateLimitDecision, StoreError>;
}
