//! `RedisLockoutStore`.

use std::sync::LazyLock;

use async_trait::async_trait;
use redis::Script;

use portcullis_domain::ports::{LockoutPolicy, LockoutStore};
use portcullis_domain::{StoreError, Timestamp};

use crate::connection::RedisConnection;
use crate::time::{from_ms, ms, span_ms};

static FAILURE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("lua/lockout_failure.lua")));

/// Failed-login counters and locks in Redis, one hash per identifier as given (the
/// caller normalizes it). Each failure is counted by one Lua script: exact under
/// concurrency, and a failure while locked is not counted and never extends the lock.
#[derive(Debug, Clone)]
pub struct RedisLockoutStore {
    redis: RedisConnection,
}

impl RedisLockoutStore {
    /// A store over `redis`.
    pub const fn new(redis: RedisConnection) -> Self {
        Self { redis }
    }
}

#[async_trait]
impl LockoutStore for RedisLockoutStore {
    async fn locked_until(
        &self,
        identifier: &str,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError> {
        const OP: &str = "lockout read";
        let key = self.redis.keys().lockout(identifier);
        let lock: Option<i64> = self
            .redis
            .command(OP, redis::cmd("HGET").arg(key).arg("lock"))
            .await?;
        match lock {
            Some(end) if ms(now) < end => from_ms(OP, end).map(Some),
            _ => Ok(None),
        }
    }

    async fn record_failure(
        &self,
        identifier: &str,
        policy: LockoutPolicy,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError> {
        const OP: &str = "lockout failure";
        let mut invocation = FAILURE.key(self.redis.keys().lockout(identifier));
        invocation
            .arg(ms(now))
            .arg(policy.threshold)
            .arg(span_ms(policy.window))
            .arg(span_ms(policy.duration));
        let lock: Option<i64> = self.redis.script(OP, &invocation).await?;
        lock.map(|end| from_ms(OP, end)).transpose()
    }

    async fn clear(&self, identifier: &str) -> Result<(), StoreError> {
        let key = self.redis.keys().lockout(identifier);
        let _: i64 = self
            .redis
            .command("lockout clear", redis::cmd("DEL").arg(key))
            .await?;
        Ok(())
    }
}
