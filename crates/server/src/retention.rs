//! The retention job (SPEC §8): deletes sessions expired for more than
//! `EXPIRED_TOKEN_RETENTION_DAYS` and revoked for more than
//! `REVOKED_TOKEN_RETENTION_DAYS`. With Postgres, only one instance runs a pass at a
//! time (a transaction-scoped advisory lock); refresh-token families are not touched
//! (they expire in their own store, and reuse detection keeps working until then).

use std::sync::Arc;
use std::time::Duration;

use portcullis_domain::TimeSpan;
use portcullis_domain::ports::{Clock, SessionRepository};
use portcullis_postgres::PgPool;
use tokio::sync::watch;

/// One pass's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// This instance ran the pass and deleted this many sessions.
    Removed(u64),
    /// Another instance holds the lock; nothing was done.
    Skipped,
}

impl std::fmt::Display for Pass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Removed(n) => write!(f, "cleanup removed {n} session(s)"),
            Self::Skipped => f.write_str("cleanup skipped: another instance is running it"),
        }
    }
}

/// The job, with what it needs.
pub struct Retention {
    /// Embedded store (no lock needed: one process).
    pub sessions: Arc<dyn SessionRepository>,
    /// Postgres pool when the store is Postgres: the pass runs there under the lock.
    pub pool: Option<PgPool>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// `EXPIRED_TOKEN_RETENTION_DAYS`.
    pub expired_days: u32,
    /// `REVOKED_TOKEN_RETENTION_DAYS`.
    pub revoked_days: u32,
}

impl Retention {
    /// Runs one pass.
    ///
    /// # Errors
    /// A store error.
    pub async fn run_once(&self) -> anyhow::Result<Pass> {
        let now = self.clock.now();
        let expired_before = now - TimeSpan::days(i64::from(self.expired_days));
        let revoked_before = now - TimeSpan::days(i64::from(self.revoked_days));
        let pass = match &self.pool {
            Some(pool) => match portcullis_postgres::purge_sessions_exclusively(
                pool,
                expired_before,
                revoked_before,
            )
            .await?
            {
                Some(n) => Pass::Removed(n),
                None => Pass::Skipped,
            },
            None => Pass::Removed(self.sessions.purge(expired_before, revoked_before).await?),
        };
        if let Pass::Removed(n) = pass {
            metrics::counter!("portcullis_cleanup_removed_total").increment(n);
        }
        tracing::info!(outcome = %pass, "retention pass");
        Ok(pass)
    }

    /// Runs a pass every `every` until `stop` flips.
    pub async fn run_periodically(self, every: Duration, mut stop: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => return,
            }
            if let Err(err) = self.run_once().await {
                tracing::warn!(error = %format!("{err:#}"), "retention pass failed; will retry");
            }
        }
    }
}
