//! `RedisRateLimiter`.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use async_trait::async_trait;
use redis::Script;

use portcullis_domain::ports::{RateLimitDecision, RateLimitPolicy, RateLimiter};
use portcullis_domain::{StoreError, TimeSpan, Timestamp};

use crate::connection::RedisConnection;
use crate::error::bad_reply;
use crate::time::{ms, span_ms};

static CHECK: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/rate_limit.lua")));

/// The largest lease one script call grants.
const MAX_LEASE: u32 = 64;
/// Past this many keys with a lease, expired ones are dropped.
const PRUNE_AT: usize = 10_000;

/// Shared request budgets in Redis: a fixed window per key that starts at the key's
/// first counted request (see the crate docs for why), checked and counted by one Lua
/// script, so the limit is never exceeded across instances. Refused requests are not
/// counted.
///
/// While much of a budget is left, one script call leases several requests (a
/// sixteenth of what remains, at most 64) and this instance spends them without
/// asking Redis again; the last 31 of a window are always granted one by one. So the
/// limit holds exactly, one instance counts exactly, and a hot key costs one round
/// trip per lease instead of one per request. With several instances, requests a
/// neighbour has leased but not spent are refused here until the window ends: at most
/// a sixteenth of the remaining budget per instance, and nothing under 32 left.
#[derive(Debug, Clone)]
pub struct RedisRateLimiter {
    redis: RedisConnection,
    leases: Arc<Mutex<Leases>>,
}

/// The leases this instance holds, by limiter key.
#[derive(Debug, Default)]
struct Leases {
    by_key: HashMap<String, Lease>,
    /// Size at which spent and expired leases are dropped; doubles with the live ones,
    /// so pruning stays amortised O(1) per request however many keys are live.
    prune_at: usize,
}

/// Requests granted to this instance and not yet spent.
#[derive(Debug, Clone, Copy)]
struct Lease {
    units: u32,
    /// What Redis had left after its latest grant.
    remaining: u32,
    /// The window's end (ms, the callers' clock).
    ends_ms: i64,
}

impl RedisRateLimiter {
    /// A limiter over `redis`.
    pub fn new(redis: RedisConnection) -> Self {
        Self {
            redis,
            leases: Arc::default(),
        }
    }

    /// Spends one leased request for `key`, if this instance holds one.
    fn spend(&self, key: &str, policy: RateLimitPolicy, now_ms: i64) -> Option<RateLimitDecision> {
        let mut leases = self.leases.lock().unwrap_or_else(PoisonError::into_inner);
        let lease = leases.by_key.get_mut(key)?;
        if now_ms >= lease.ends_ms || lease.units == 0 {
            return None;
        }
        lease.units -= 1;
        Some(RateLimitDecision {
            allowed: true,
            limit: policy.limit,
            remaining: lease.remaining.saturating_add(lease.units),
            reset_after: TimeSpan::milliseconds(lease.ends_ms - now_ms),
        })
    }

    /// Keeps the unspent part of a grant; returns the requests held for `key` now.
    fn keep(&self, key: &str, extra: u32, remaining: u32, now_ms: i64, ends_ms: i64) -> u32 {
        let mut leases = self.leases.lock().unwrap_or_else(PoisonError::into_inner);
        if extra == 0 && !leases.by_key.contains_key(key) {
            return 0;
        }
        if leases.by_key.len() >= leases.prune_at.max(PRUNE_AT) {
            leases
                .by_key
                .retain(|_, lease| lease.ends_ms > now_ms && lease.units > 0);
            leases.prune_at = 2 * leases.by_key.len();
        }
        let fresh = Lease {
            units: extra,
            remaining,
            ends_ms,
        };
        let lease = leases
            .by_key
            .entry(key.to_owned())
            .or_insert(Lease { units: 0, ..fresh });
        if lease.ends_ms == ends_ms {
            lease.units = lease.units.saturating_add(extra);
            lease.remaining = lease.remaining.min(remaining);
        } else {
            *lease = fresh;
        }
        lease.units
    }
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn check(
        &self,
        key: &str,
        policy: RateLimitPolicy,
        now: Timestamp,
    ) -> Result<RateLimitDecision, StoreError> {
        const OP: &str = "rate limit check";
        let now_ms = ms(now);
        if let Some(decision) = self.spend(key, policy, now_ms) {
            return Ok(decision);
        }
        let mut invocation = CHECK.key(self.redis.keys().rate_limit(key));
        invocation
            .arg(now_ms)
            .arg(policy.limit)
            .arg(span_ms(policy.window))
            .arg(MAX_LEASE);
        let (granted, remaining, reset_ms): (i64, i64, i64) =
            self.redis.script(OP, &invocation).await?;
        let granted = u32::try_from(granted).map_err(|_| bad_reply(OP, "granted"))?;
        let remaining = u32::try_from(remaining).map_err(|_| bad_reply(OP, "remaining"))?;
        let reset_after = TimeSpan::milliseconds(reset_ms);
        if granted == 0 {
            return Ok(RateLimitDecision {
                allowed: false,
                limit: policy.limit,
                remaining,
                reset_after,
            });
        }
        let held = self.keep(key, granted - 1, remaining, now_ms, now_ms + reset_ms);
        Ok(RateLimitDecision {
            allowed: true,
            limit: policy.limit,
            remaining: remaining.saturating_add(held),
            reset_after,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RedisConfig;

    fn limiter() -> RedisRateLimiter {
        // Lazy: nothing connects, and `keep` never talks to Redis.
        let config = RedisConfig::new("redis://127.0.0.1:1");
        RedisRateLimiter::new(RedisConnection::open(&config).unwrap())
    }

    fn held(limiter: &RedisRateLimiter) -> usize {
        limiter.leases.lock().unwrap().by_key.len()
    }

    #[tokio::test]
    async fn nothing_is_kept_for_a_key_without_a_lease() {
        let limiter = limiter();
        assert_eq!(limiter.keep("k", 0, 5, 0, 1_000), 0);
        assert_eq!(held(&limiter), 0);
        assert_eq!(limiter.keep("k", 3, 40, 0, 1_000), 3);
        assert_eq!(limiter.keep("k", 2, 30, 10, 1_000), 5, "same window: added");
        assert_eq!(
            limiter.keep("k", 1, 90, 2_000, 3_000),
            1,
            "new window: replaced"
        );
    }

    #[tokio::test]
    async fn spent_and_expired_leases_are_dropped_once_many_keys_are_held() {
        let limiter = limiter();
        for i in 0..PRUNE_AT - 1 {
            limiter.keep(&format!("old-{i}"), 1, 10, 0, 1_000);
        }
        limiter.keep("late-1", 1, 10, 2_000, 3_000);
        assert_eq!(held(&limiter), PRUNE_AT, "no pruning below the threshold");
        limiter.keep("late-2", 1, 10, 2_000, 3_000);
        assert_eq!(held(&limiter), 2, "the expired ones are gone");
    }
}
