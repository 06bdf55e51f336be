//! Pool configuration. This crate reads no environment: the server maps its variables
//! (`DATABASE_URL`, and pool settings if it exposes them) onto a [`PgConfig`].

use std::time::Duration;

use secrecy::SecretString;

/// How a pooled connection is checked before it is handed out again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Recycle {
    /// Only the connection's own broken flag: no round trip, but the first query after
    /// the database restarted fails (as `Unavailable`) before the pool notices.
    Fast,
    /// A `SELECT 1` before reusing a connection that sat unused for more than
    /// [`VERIFY_AFTER_IDLE`]; a failed probe discards it and the pool takes or opens
    /// another. Under load, connections are reused within the window and cost no
    /// extra round trip (HikariCP's "alive bypass window"); after a quiet spell, a
    /// restart or fail-over is never seen by a request. The default.
    #[default]
    Verified,
}

/// How long a connection may sit unused before [`Recycle::Verified`] probes it.
pub const VERIFY_AFTER_IDLE: Duration = Duration::from_millis(500);

/// Everything [`crate::connect`] needs.
#[derive(Debug, Clone)]
pub struct PgConfig {
    /// `postgres://user:password@host:port/database?options`. Secret: it may hold a
    /// password, so it is redacted in `Debug`.
    pub url: SecretString,
    /// Most connections open at once (default 16). Keep the sum over every instance
    /// below the server's `max_connections`.
    pub max_size: usize,
    /// How long a request waits for a free connection before the operation fails as
    /// `Unavailable` (default 5 s).
    pub wait_timeout: Duration,
    /// How long opening one connection may take (default 5 s).
    pub connect_timeout: Duration,
    /// How a connection is checked when it is reused (default [`Recycle::Verified`]).
    pub recycle: Recycle,
    /// Connections older than this are closed instead of reused, so the pool follows
    /// DNS or fail-over changes (default 30 min; `None` keeps them forever).
    pub max_lifetime: Option<Duration>,
}

impl PgConfig {
    /// Default pool size.
    pub const DEFAULT_MAX_SIZE: usize = 16;
    /// Default wait for a free connection.
    pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(5);
    /// Default time to open a connection.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
    /// Default lifetime of a pooled connection.
    pub const DEFAULT_MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

    /// A configuration with every default and this URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: SecretString::from(url.into()),
            max_size: Self::DEFAULT_MAX_SIZE,
            wait_timeout: Self::DEFAULT_WAIT_TIMEOUT,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            recycle: Recycle::default(),
            max_lifetime: Some(Self::DEFAULT_MAX_LIFETIME),
        }
    }
}
