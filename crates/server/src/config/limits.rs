//! Rate limits and login lock-out (`RATE_LIMIT_*`, `LOGIN_LOCKOUT_*`, SPEC §6).

use std::time::Duration;

use super::error::ConfigError;
use super::reader::Reader;

/// Requests allowed per minute and bucket, and what to do without Redis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `RATE_LIMIT_AUTH_PER_MINUTE` (5): register, login, password forgot/reset, email
    /// verify/resend and mfa, each endpoint its own bucket per client IP.
    pub auth: u32,
    /// `RATE_LIMIT_REFRESH_PER_MINUTE` (10): refresh, per client IP.
    pub refresh: u32,
    /// `RATE_LIMIT_SESSIONS_PER_MINUTE` (60): the sessions endpoints, per user.
    pub sessions: u32,
    /// `RATE_LIMIT_USERS_PER_MINUTE` (100): `/me*`, `/users*` and `/admin/*`, per user.
    pub users: u32,
    /// `RATE_LIMIT_FAIL_OPEN` (false): when the limiter's store is unreachable, let
    /// requests through instead of answering 503.
    pub fail_open: bool,
}

impl RateLimits {
    pub(super) fn read<F: Fn(&str) -> Option<String>>(
        env: &Reader<F>,
    ) -> Result<Self, ConfigError> {
        Ok(Self {
            auth: env.at_least("RATE_LIMIT_AUTH_PER_MINUTE", 5, 1)?,
            refresh: env.at_least("RATE_LIMIT_REFRESH_PER_MINUTE", 10, 1)?,
            sessions: env.at_least("RATE_LIMIT_SESSIONS_PER_MINUTE", 60, 1)?,
            users: env.at_least("RATE_LIMIT_USERS_PER_MINUTE", 100, 1)?,
            fail_open: env.bool("RATE_LIMIT_FAIL_OPEN", false)?,
        })
    }
}

/// Failed logins per normalized identifier before the account answers 423.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLockout {
    /// `LOGIN_LOCKOUT_THRESHOLD` (10): failures within the window that lock.
    pub threshold: u32,
    /// `LOGIN_LOCKOUT_WINDOW` (15 min): the counting window.
    pub window: Duration,
    /// `LOGIN_LOCKOUT_DURATION` (15 min): how long the lock lasts.
    pub duration: Duration,
}

impl LoginLockout {
    pub(super) fn read<F: Fn(&str) -> Option<String>>(
        env: &Reader<F>,
    ) -> Result<Self, ConfigError> {
        Ok(Self {
            threshold: env.at_least("LOGIN_LOCKOUT_THRESHOLD", 10, 1)?,
            window: env.positive_duration("LOGIN_LOCKOUT_WINDOW", 15 * super::MINUTE)?,
            duration: env.positive_duration("LOGIN_LOCKOUT_DURATION", 15 * super::MINUTE)?,
        })
    }
}
