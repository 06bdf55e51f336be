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
    leases: Arc<Mutex<HashMap<String, Lease>>>,
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
        let lease = leases.get_mut(key)?;
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
        if leases.len() >= PRUNE_AT {
            leases.retain(|_, lease| lease.ends_ms > now_ms && lease.units > 0);
        }
        let fresh = Lease {
            units: extra,
            remaining,
            ends_ms,
        };
        let lease = leases
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
