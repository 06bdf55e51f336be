//! [`BcryptHasher`]: bcrypt on dedicated lower-priority threads, with a bound on
//! hashes in flight.
//!
//! Only the non-truncating bcrypt API is used (`clippy.toml` forbids the other): a
//! password bcrypt cannot take whole (72 bytes or more, NUL terminator included) is an
//! error when hashing and a non-match when verifying, never a shorter hash.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::anyhow;
use async_trait::async_trait;
use portcullis_domain::ports::{HashError, PasswordCheck, PasswordHasher};
use portcullis_domain::{PasswordHash, PlainPassword};
use tokio::sync::Semaphore;

mod check;
#[cfg(test)]
mod tests;
mod workers;

/// How a [`BcryptHasher`] is tuned (SPEC §6: `BCRYPT_COST`, bounded hashes in flight).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BcryptConfig {
    /// bcrypt work factor, 4–31 (the service default is 12). Stored hashes of a lower
    /// cost are reported as `needs_rehash`.
    pub cost: u32,
    /// Most hashes or verifications running at once; further callers queue.
    pub max_in_flight: usize,
    /// Longest a caller waits in the queue before it gets [`HashError::Overloaded`].
    pub max_wait: Duration,
}

impl BcryptConfig {
    /// Queue wait used by [`BcryptConfig::new`]: long enough to ride out a burst of
    /// logins, short enough that a saturated instance sheds load instead of piling up.
    pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(3);

    /// A configuration with [`BcryptConfig::DEFAULT_MAX_WAIT`].
    pub const fn new(cost: u32, max_in_flight: usize) -> Self {
        Self {
            cost,
            max_in_flight,
            max_wait: Self::DEFAULT_MAX_WAIT,
        }
    }
}

/// Why a [`BcryptHasher`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BcryptConfigError {
    /// bcrypt accepts costs from 4 to 31 only.
    #[error("the bcrypt cost must be between 4 and 31, got {0}")]
    InvalidCost(u32),
    /// `max_in_flight` must allow at least one hash (and fit a Tokio semaphore).
    #[error("the number of hashes in flight must be between 1 and {max}, got {got}")]
    InvalidMaxInFlight {
        /// The value given.
        got: usize,
        /// The largest accepted value.
        max: usize,
    },
    /// The hashing threads could not be started.
    #[error("could not start the password hashing threads")]
    Threads(#[source] anyhow::Error),
    /// The dummy hash for unknown users could not be computed (no OS randomness).
    #[error("could not compute the dummy password hash")]
    DummyHash(#[source] anyhow::Error),
}

/// bcrypt [`PasswordHasher`]. Every hash and verification runs on one of
/// `max_in_flight` dedicated threads at a lower CPU priority (`workers.rs`: request
/// latency comes first under contention), inside the caller's tracing span, while
/// holding one of `max_in_flight` semaphore permits; a caller that cannot get a permit
/// within `max_wait` gets [`HashError::Overloaded`].
///
/// The permit moves into the blocking task, so a caller that gives up (a cancelled
/// request) does not free a slot until its bcrypt work has really finished: the bound
/// holds for CPU work, not just for waiting futures.
pub struct BcryptHasher {
    config: BcryptConfig,
    workers: workers::Workers,
    permits: Arc<Semaphore>,
    queued: AtomicUsize,
    /// A hash of a random password at the configured cost: unknown users are verified
    /// against it, so they cost the same time as known ones.
    dummy: Arc<str>,
}

impl BcryptHasher {
    /// A hasher with the given cost and bound, waiting at most
    /// [`BcryptConfig::DEFAULT_MAX_WAIT`] for a slot.
    ///
    /// Computes the dummy hash synchronously (one full bcrypt at `cost`): build the
    /// hasher at start-up, not on a request path.
    ///
    /// # Errors
    /// [`BcryptConfigError`] for a cost outside 4–31, a bound of 0, or no randomness.
    pub fn new(cost: u32, max_in_flight: usize) -> Result<Self, BcryptConfigError> {
        Self::from_config(BcryptConfig::new(cost, max_in_flight))
    }

    /// A hasher from a full [`BcryptConfig`]. Like [`BcryptHasher::new`], it computes
    /// the dummy hash synchronously.
    ///
    /// # Errors
    /// [`BcryptConfigError`] for a cost outside 4–31, a bound of 0, or no randomness.
    pub fn from_config(config: BcryptConfig) -> Result<Self, BcryptConfigError> {
        if !(4..=31).contains(&config.cost) {
            return Err(BcryptConfigError::InvalidCost(config.cost));
        }
        if !(1..=Semaphore::MAX_PERMITS).contains(&config.max_in_flight) {
            return Err(BcryptConfigError::InvalidMaxInFlight {
                got: config.max_in_flight,
                max: Semaphore::MAX_PERMITS,
            });
        }
        let dummy = check::dummy_hash(config.cost).map_err(BcryptConfigError::DummyHash)?;
        let workers = workers::Workers::start(config.max_in_flight)
            .map_err(|e| BcryptConfigError::Threads(anyhow!(e)))?;
        Ok(Self {
            config,
            workers,
            permits: Arc::new(Semaphore::new(config.max_in_flight)),
            queued: AtomicUsize::new(0),
            dummy: Arc::from(dummy),
        })
    }

    /// The configuration this hasher runs with.
    pub const fn config(&self) -> &BcryptConfig {
        &self.config
    }

    /// Hashes or verifications running right now (a gauge, at most `max_in_flight`).
    pub fn in_flight(&self) -> usize {
        self.config
            .max_in_flight
            .saturating_sub(self.permits.available_permits())
    }

    /// Callers waiting for a slot right now (a gauge).
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// Waits (at most `max_wait`) for a slot, then runs `work` on a hashing thread in
    /// the current span, holding the slot until `work` returns.
    async fn run_blocking<T, F>(&self, work: F) -> Result<T, HashError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = {
            let _waiting = Waiting::enter(&self.queued);
            let acquire = Arc::clone(&self.permits).acquire_owned();
            match tokio::time::timeout(self.config.max_wait, acquire).await {
                Ok(Ok(permit)) => permit,
                Ok(Err(closed)) => {
                    return Err(HashError::Unexpected(
                        anyhow!(closed).context("the password hasher's semaphore is closed"),
                    ));
                }
                Err(_elapsed) => {
                    tracing::warn!(
                        max_in_flight = self.config.max_in_flight,
                        max_wait_ms =
                            u64::try_from(self.config.max_wait.as_millis()).unwrap_or(u64::MAX),
                        "password hasher overloaded: request shed"
                    );
                    return Err(HashError::Overloaded);
                }
            }
        };
        let span = tracing::Span::current();
        let (done, result) = tokio::sync::oneshot::channel();
        let submitted = self.workers.submit(Box::new(move || {
            let value = span.in_scope(work);
            // Freed when the work is done, even if the caller gave up, and before the
            // answer, so a caller that got its answer sees the slot free.
            drop(permit);
            let _ = done.send(value);
        }));
        if !submitted {
            return Err(HashError::Unexpected(anyhow!(
                "the hashing threads are gone"
            )));
        }
        result.await.map_err(|_| {
            HashError::Unexpected(anyhow!("a hashing thread failed before it answered"))
        })
    }
}

#[async_trait]
impl PasswordHasher for BcryptHasher {
    #[tracing::instrument(name = "password_hash", skip_all, fields(cost = self.config.cost))]
    async fn hash(&self, password: &PlainPassword) -> Result<PasswordHash, HashError> {
        // Refuse up front what bcrypt would refuse: no slot is spent on it, and the
        // error names the rule without showing the password.
        if !check::fits_bcrypt(password.expose()) {
            return Err(HashError::Unexpected(anyhow!(
                "refusing to hash a password of more than {} bytes or with a NUL",
                PlainPassword::MAX_BYTES
            )));
        }
        let password = password.clone();
        let cost = self.config.cost;
        self.run_blocking(move || ::bcrypt::non_truncating_hash(password.expose(), cost))
            .await?
            .map(PasswordHash::new)
            .map_err(|e| HashError::Unexpected(anyhow!(e).context("bcrypt hashing failed")))
    }

    #[tracing::instrument(
        name = "password_verify",
        skip_all,
        fields(cost = self.config.cost, known_hash = hash.is_some())
    )]
    async fn verify<'a>(
        &self,
        password: &PlainPassword,
        hash: Option<&'a PasswordHash>,
    ) -> Result<PasswordCheck, HashError> {
        let password = password.clone();
        let stored = hash.map(|h| h.as_str().to_owned());
        let dummy = Arc::clone(&self.dummy);
        let cost = self.config.cost;
        self.run_blocking(move || check::verify(password.expose(), stored.as_deref(), &dummy, cost))
            .await
    }
}

impl std::fmt::Debug for BcryptHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The dummy hash stays out of logs like every other hash.
        f.debug_struct("BcryptHasher")
            .field("config", &self.config)
            .field("in_flight", &self.in_flight())
            .field("queued", &self.queued())
            .finish_non_exhaustive()
    }
}

/// Counts a caller in the queue for as long as it lives (also when the caller's future
/// is dropped mid-wait).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn enter(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Self(counter)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}
