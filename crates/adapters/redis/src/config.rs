//! `RedisConfig`: where Redis is and how long to wait for it.

use std::time::Duration;

use portcullis_domain::StoreError;

/// How to reach Redis. The server builds it from `REDIS_URL` (and its own settings);
/// nothing here reads the environment.
#[derive(Clone)]
pub struct RedisConfig {
    /// `redis://[user:password@]host:port[/db]` (or `redis+unix://`). Never logged: it
    /// may carry a password. TLS (`rediss://`) is not compiled in.
    pub url: String,
    /// Prepended to every key (default `portcullis:`), so several deployments or tests
    /// can share one Redis. MUST NOT contain `{` or `}`: keys rely on their own hash tag.
    pub prefix: String,
    /// Limit on one TCP connect (and handshake) attempt.
    pub connect_timeout: Duration,
    /// Limit on waiting for one reply.
    pub response_timeout: Duration,
}

impl RedisConfig {
    /// The default prefix.
    pub const DEFAULT_PREFIX: &'static str = "portcullis:";

    /// A configuration for `url` with the default prefix and 1 s timeouts.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            prefix: Self::DEFAULT_PREFIX.to_owned(),
            connect_timeout: Duration::from_secs(1),
            response_timeout: Duration::from_secs(1),
        }
    }

    /// The same configuration with another key prefix.
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The same configuration with other timeouts.
    #[must_use]
    pub const fn with_timeouts(mut self, connect: Duration, response: Duration) -> Self {
        self.connect_timeout = connect;
        self.response_timeout = response;
        self
    }

    /// The longest one store call may take, reconnection included, before it answers
    /// [`StoreError::Unavailable`]: one connect plus one reply, plus a little slack.
    pub(crate) fn call_deadline(&self) -> Duration {
        self.connect_timeout + self.response_timeout + Duration::from_millis(100)
    }

    pub(crate) fn validate(&self) -> Result<(), StoreError> {
        if self.prefix.contains(['{', '}']) {
            return Err(StoreError::unexpected(anyhow::anyhow!(
                "Redis key prefix {:?} contains '{{' or '}}': keys carry their own hash tag",
                self.prefix
            )));
        }
        if self.connect_timeout.is_zero() || self.response_timeout.is_zero() {
            return Err(StoreError::unexpected(anyhow::anyhow!(
                "Redis connect and response timeouts must be positive"
            )));
        }
        Ok(())
    }
}

impl std::fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisConfig")
            .field("url", &"[REDACTED]")
            .field("prefix", &self.prefix)
            .field("connect_timeout", &self.connect_timeout)
            .field("response_timeout", &self.response_timeout)
            .finish()
    }
}
