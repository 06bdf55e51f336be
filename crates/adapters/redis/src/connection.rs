//! One shared, self-healing connection and the calls every store makes through it.

use std::future::Future;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{RedisResult, ScriptInvocation};
use tracing::Instrument as _;

use portcullis_domain::StoreError;

use crate::config::RedisConfig;
use crate::error::store_error;
use crate::keys::Keys;
use crate::{RedisDenyList, RedisLockoutStore, RedisRateLimiter, RedisRefreshTokenStore};

/// A multiplexed connection to one Redis, shared by every store built from it (cheap to
/// clone). It connects lazily and reconnects by itself: a call that finds Redis down
/// answers [`StoreError::Unavailable`] within the configured timeouts, and a later call
/// succeeds once Redis is back, without rebuilding anything.
#[derive(Clone)]
pub struct RedisConnection {
    manager: ConnectionManager,
    /// For connections that cannot be multiplexed (the replica's subscription).
    client: redis::Client,
    keys: Keys,
    deadline: Duration,
}

impl std::fmt::Debug for RedisConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisConnection")
            .field("keys", &self.keys)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

/// The four Redis-backed stores, sharing one [`RedisConnection`].
#[derive(Debug, Clone)]
pub struct RedisStores {
    /// Refresh-token families.
    pub refresh_tokens: RedisRefreshTokenStore,
    /// Request budgets.
    pub rate_limiter: RedisRateLimiter,
    /// Failed-login counters and locks.
    pub lockout: RedisLockoutStore,
    /// Revoked sessions.
    pub deny_list: RedisDenyList,
    /// The connection itself, for [`ping`].
    pub connection: RedisConnection,
}

/// Builds the stores over one connection manager.
///
/// Does not need Redis to be up: the connection is made on first use (and remade
/// whenever it breaks). When Redis does not answer a first `PING` a warning is logged
/// and the stores are returned anyway; their calls answer `Unavailable` until it does.
///
/// # Errors
/// [`StoreError::Unexpected`] for a configuration that can never work: an unparsable
/// URL or unsupported scheme, a prefix with braces, a zero timeout.
pub async fn connect(config: &RedisConfig) -> Result<RedisStores, StoreError> {
    let connection = RedisConnection::open(config)?;
    if let Err(err) = ping(&connection).await {
        tracing::warn!(
            error = %anyhow::Error::from(err),
            "Redis is not answering at start-up; its stores will answer 503 until it does"
        );
    }
    Ok(RedisStores {
        refresh_tokens: RedisRefreshTokenStore::new(connection.clone()),
        rate_limiter: RedisRateLimiter::new(connection.clone()),
        lockout: RedisLockoutStore::new(connection.clone()),
        deny_list: RedisDenyList::new(connection.clone()),
        connection,
    })
}

/// Checks that Redis answers (the health check).
///
/// # Errors
/// [`StoreError::Unavailable`] when it does not answer in time.
pub async fn ping(connection: &RedisConnection) -> Result<(), StoreError> {
    let mut con = connection.manager.clone();
    let pong: String = connection
        .call("PING", redis::cmd("PING").query_async(&mut con))
        .await?;
    if pong == "PONG" {
        Ok(())
    } else {
        Err(crate::error::bad_reply("PING", "not PONG"))
    }
}

impl RedisConnection {
    /// A lazily connecting manager for `config` (no I/O yet).
    ///
    /// # Errors
    /// As [`connect`].
    pub fn open(config: &RedisConfig) -> Result<Self, StoreError> {
        config.validate()?;
        let client = redis::Client::open(config.url.as_str()).map_err(|err| {
            // The URL may hold a password: say what is wrong, not what it is.
            StoreError::unexpected(anyhow::anyhow!("invalid Redis URL: {}", err.category()))
        })?;
        // Few, short retries: a caller waits at most `call_deadline` anyway, and the
        // next call after a failure starts a fresh reconnection.
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.connect_timeout))
            .set_response_timeout(Some(config.response_timeout))
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(250));
        let manager = ConnectionManager::new_lazy_with_config(client.clone(), manager_config)
            .map_err(|err| store_error("connect", err))?;
        Ok(Self {
            manager,
            client,
            keys: Keys::new(&config.prefix),
            deadline: config.call_deadline(),
        })
    }

    pub(crate) const fn keys(&self) -> &Keys {
        &self.keys
    }

    pub(crate) const fn client(&self) -> &redis::Client {
        &self.client
    }

    /// The bound on one call, reconnection included.
    pub(crate) const fn deadline(&self) -> std::time::Duration {
        self.deadline
    }

    /// Runs one Redis request under the call deadline, mapping its errors.
    pub(crate) async fn call<T>(
        &self,
        op: &'static str,
        request: impl Future<Output = RedisResult<T>>,
    ) -> Result<T, StoreError> {
        let span = tracing::debug_span!(
            "redis",
            otel.name = op,
            otel.kind = "client",
            db.system.name = "redis"
        );
        match tokio::time::timeout(self.deadline, request)
            .instrument(span)
            .await
        {
            Ok(result) => result.map_err(|err| store_error(op, err)),
            Err(_) => Err(StoreError::unavailable(anyhow::anyhow!(
                "Redis {op}: no answer within {:?}",
                self.deadline
            ))),
        }
    }

    /// Runs a script (EVALSHA, loading it on `NOSCRIPT`) under the call deadline.
    pub(crate) async fn script<T: redis::FromRedisValue>(
        &self,
        op: &'static str,
        invocation: &ScriptInvocation<'_>,
    ) -> Result<T, StoreError> {
        let mut con = self.manager.clone();
        self.call(op, invocation.invoke_async(&mut con)).await
    }

    /// Runs a pipeline (not a transaction) under the call deadline.
    pub(crate) async fn pipeline<T: redis::FromRedisValue>(
        &self,
        op: &'static str,
        pipe: &redis::Pipeline,
    ) -> Result<T, StoreError> {
        let mut con = self.manager.clone();
        self.call(op, pipe.query_async(&mut con)).await
    }

    /// Runs a plain command under the call deadline.
    pub(crate) async fn command<T: redis::FromRedisValue>(
        &self,
        op: &'static str,
        cmd: &redis::Cmd,
    ) -> Result<T, StoreError> {
        let mut con = self.manager.clone();
        self.call(op, cmd.query_async(&mut con)).await
    }
}
