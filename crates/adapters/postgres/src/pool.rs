//! The connection pool: deadpool over diesel-async's `AsyncPgConnection`.

use std::time::Duration;

use deadpool::Runtime;
use deadpool::managed::{Hook, HookError};
use diesel::ConnectionError;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use portcullis_domain::StoreError;
use secrecy::ExposeSecret;

use crate::config::{PgConfig, Recycle, VERIFY_AFTER_IDLE};
use crate::error::{ConnectError, pool_error, settle};

/// A pool of Postgres connections, shared by every repository of [`crate::PgStores`].
/// Cloning is cheap (an `Arc`).
pub type PgPool = Pool<AsyncPgConnection>;

/// A connection checked out of a [`PgPool`].
pub(crate) type PgConn = Object<AsyncPgConnection>;

/// How long [`ping`] waits for `SELECT 1`, the pool wait included.
pub const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// Builds the pool without opening a connection: the first use connects. For start-up
/// use [`connect`], which also proves the database answers.
///
/// # Errors
/// [`ConnectError::Config`] when deadpool refuses the settings (a zero size).
pub fn build_pool(config: &PgConfig) -> Result<PgPool, ConnectError> {
    let connect_timeout = config.connect_timeout;
    let mut manager_config = ManagerConfig::<AsyncPgConnection>::default();
    // Verified recycling probes only idle connections: a hook below, since diesel-async's
    // own `Verified` costs a round trip on every checkout.
    manager_config.recycling_method = RecyclingMethod::Fast;
    manager_config.custom_setup = Box::new(move |url| {
        let url = url.to_owned();
        Box::pin(async move {
            tokio::time::timeout(connect_timeout, AsyncPgConnection::establish(&url))
                .await
                .unwrap_or_else(|_| {
                    Err(ConnectionError::BadConnection(format!(
                        "no connection within {connect_timeout:?}"
                    )))
                })
        })
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
        config.url.expose_secret(),
        manager_config,
    );
    let mut builder = Pool::builder(manager)
        .max_size(config.max_size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(config.wait_timeout))
        .create_timeout(Some(connect_timeout))
        .recycle_timeout(Some(connect_timeout));
    if config.recycle == Recycle::Verified {
        builder = builder.post_recycle(Hook::async_fn(|conn: &mut AsyncPgConnection, metrics| {
            Box::pin(async move {
                // `last_used` is still the previous checkout here (deadpool updates it
                // after the hooks).
                if metrics.last_used() <= VERIFY_AFTER_IDLE {
                    return Ok(());
                }
                diesel::sql_query("SELECT 1")
                    .execute(conn)
                    .await
                    .map(|_| ())
                    .map_err(|_| HookError::message("an idle connection failed its probe"))
            })
        }));
    }
    if let Some(max_lifetime) = config.max_lifetime {
        builder = builder.pre_recycle(Hook::sync_fn(move |_, metrics| {
            if metrics.age() > max_lifetime {
                Err(HookError::message(
                    "connection reached its maximum lifetime",
                ))
            } else {
                Ok(())
            }
        }));
    }
    builder
        .build()
        .map_err(|err| ConnectError::Config(anyhow::Error::new(err)))
}

/// Builds the pool and checks that the database answers (one `SELECT 1`), so a bad
/// `DATABASE_URL` stops start-up with one clear line instead of failing requests.
///
/// # Errors
/// [`ConnectError::Config`] for settings deadpool refuses; [`ConnectError::Unreachable`]
/// when no connection could be opened and used (the cause is in the chain).
pub async fn connect(config: &PgConfig) -> Result<PgPool, ConnectError> {
    let pool = build_pool(config)?;
    ping(&pool).await.map_err(ConnectError::Unreachable)?;
    Ok(pool)
}

/// `SELECT 1` through the pool within [`PING_TIMEOUT`]: the `/health` database check.
///
/// # Errors
/// [`StoreError::Unavailable`] when no answer came in time or the database is
/// unreachable; [`StoreError::Unexpected`] for anything stranger.
pub async fn ping(pool: &PgPool) -> Result<(), StoreError> {
    let check = async {
        let mut conn = checkout(pool).await?;
        let result = diesel::sql_query("SELECT 1").execute(&mut conn).await;
        settle(&mut conn, "pinging the database", result).await?;
        Ok(())
    };
    tokio::time::timeout(PING_TIMEOUT, check)
        .await
        .unwrap_or_else(|_| {
            Err(StoreError::unavailable(anyhow::anyhow!(
                "the database did not answer within {PING_TIMEOUT:?}"
            )))
        })
}

/// A snapshot of a [`PgPool`]'s occupancy, for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// The most connections the pool opens.
    pub max_size: usize,
    /// Open connections that no one holds.
    pub idle: usize,
    /// Open connections checked out right now.
    pub in_use: usize,
    /// Callers waiting for a connection.
    pub waiting: usize,
}

/// How full the pool is now. Cheap (no I/O, no await): fit for every scrape.
pub fn pool_stats(pool: &PgPool) -> PoolStats {
    let status = pool.status();
    PoolStats {
        max_size: status.max_size,
        idle: status.available,
        // `available` never exceeds `size`; saturate rather than trust it blindly.
        in_use: status.size.saturating_sub(status.available),
        waiting: status.waiting,
    }
}

/// Checks a connection out of the pool, mapping the failure.
pub(crate) async fn checkout(pool: &PgPool) -> Result<PgConn, StoreError> {
    pool.get().await.map_err(pool_error)
}
