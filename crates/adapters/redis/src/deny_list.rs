//! `RedisDenyList`.

use std::sync::LazyLock;

use async_trait::async_trait;
use redis::Script;

use portcullis_domain::ports::SessionDenyList;
use portcullis_domain::{SessionId, StoreError, TimeSpan, Timestamp};

use crate::connection::RedisConnection;
use crate::time::{ms, span_ms};

static DENY: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/deny.lua")));

/// Denied session ids in Redis: one key per session holding its deadline, expiring with
/// it. A repeated denial keeps the later deadline (compared in one Lua script), so it
/// never shortens an earlier one. Visible to every instance as soon as `deny` returns.
#[derive(Debug, Clone)]
pub struct RedisDenyList {
    redis: RedisConnection,
}

impl RedisDenyList {
    /// A deny-list over `redis`.
    pub const fn new(redis: RedisConnection) -> Self {
        Self { redis }
    }
}

#[async_trait]
impl SessionDenyList for RedisDenyList {
    async fn deny(
        &self,
        session: SessionId,
        ttl: TimeSpan,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut invocation = DENY.key(self.redis.keys().denied(session));
        invocation
            .arg(ms(now))
            .arg(span_ms(ttl))
            .arg(self.redis.keys().events())
            .arg(session.to_string());
        let _: i64 = self.redis.script("deny session", &invocation).await?;
        Ok(())
    }

    async fn is_denied(&self, session: SessionId, now: Timestamp) -> Result<bool, StoreError> {
        let key = self.redis.keys().denied(session);
        let deadline: Option<i64> = self
            .redis
            .command("deny-list read", redis::cmd("GET").arg(key))
            .await?;
        Ok(deadline.is_some_and(|end| ms(now) < end))
    }
}
