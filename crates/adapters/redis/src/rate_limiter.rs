//! `RedisRateLimiter`.

use std::sync::LazyLock;

use async_trait::async_trait;
use redis::Script;

use portcullis_domain::ports::{RateLimitDecision, RateLimitPolicy, RateLimiter};
use portcullis_domain::{StoreError, TimeSpan, Timestamp};

use crate::connection::RedisConnection;
use crate::error::bad_reply;
use crate::time::{ms, span_ms};

static CHECK: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/rate_limit.lua")));

/// Shared request budgets in Redis: a fixed window per key that starts at the key's
/// first counted request (see the crate docs for why), checked and counted by one Lua
/// script, so the limit is exact across every instance. Refused requests are not
/// counted.
#[derive(Debug, Clone)]
pub struct RedisRateLimiter {
    redis: RedisConnection,
}

impl RedisRateLimiter {
    /// A limiter over `redis`.
    pub const fn new(redis: RedisConnection) -> Self {
        Self { redis }
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
        let mut invocation = CHECK.key(self.redis.keys().rate_limit(key));
        invocation
            .arg(ms(now))
            .arg(policy.limit)
            .arg(span_ms(policy.window));
        let (allowed, remaining, reset_ms): (i64, i64, i64) =
            self.redis.script(OP, &invocation).await?;
        Ok(RateLimitDecision {
            allowed: allowed == 1,
            limit: policy.limit,
            remaining: u32::try_from(remaining).map_err(|_| bad_reply(OP, "remaining"))?,
            reset_after: TimeSpan::milliseconds(reset_ms),
        })
    }
}
