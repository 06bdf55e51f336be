//! The retention job (SPEC §8): deletes sessions expired for more than
//! `EXPIRED_TOKEN_RETENTION_DAYS` and revoked for more than
//! `REVOKED_TOKEN_RETENTION_DAYS`, and audit events older than `AUDIT_RETENTION_DAYS`
//! (unless that is 0: then audit events are kept forever). With Postgres, only one
//! instance runs a pass at a time, sessions and audit events in one transaction under
//! one advisory lock; refresh-token families are not touched (they expire in their own
//! store, and reuse detection keeps working until then).

use std::sync::Arc;
use std::time::Duration;

use portcullis_domain::ports::{AuditLog, Clock, SessionRepository};
use portcullis_domain::{TimeSpan, Timestamp};
use portcullis_postgres::{PgPool, RetentionCutoffs};
use tokio::sync::watch;

/// What a pass deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Removed {
    /// Sessions deleted.
    pub sessions: u64,
    /// Audit events deleted (always 0 when `AUDIT_RETENTION_DAYS` is 0).
    pub audit_events: u64,
}

/// One pass's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// This instance ran the pass and deleted this much.
    Ran(Removed),
    /// Another instance holds the lock; nothing was done.
    Skipped,
}

impl std::fmt::Display for Pass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ran(removed) => write!(
                f,
                "cleanup removed {} session(s) and {} audit event(s)",
                removed.sessions, removed.audit_events
            ),
            Self::Skipped => f.write_str("cleanup skipped: another instance is running it"),
        }
    }
}

/// The job, with what it needs.
pub struct Retention {
    /// Embedded store (no lock needed: one process).
    pub sessions: Arc<dyn SessionRepository>,
    /// Embedded store's audit events.
    pub audit: Arc<dyn AuditLog>,
    /// Postgres pool when the store is Postgres: the pass runs there under the lock.
    pub pool: Option<PgPool>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// `EXPIRED_TOKEN_RETENTION_DAYS`.
    pub expired_days: u32,
    /// `REVOKED_TOKEN_RETENTION_DAYS`.
    pub revoked_days: u32,
    /// `AUDIT_RETENTION_DAYS`; `None` keeps audit events forever.
    pub audit_days: Option<u32>,
}

impl Retention {
    /// Runs one pass.
    ///
    /// # Errors
    /// A store error.
    pub async fn run_once(&self) -> anyhow::Result<Pass> {
        let cutoffs = self.cutoffs(self.clock.now());
        let pass = match &self.pool {
            Some(pool) => match portcullis_postgres::purge_exclusively(pool, &cutoffs).await? {
                Some(purged) => Pass::Ran(Removed {
                    sessions: purged.sessions,
                    audit_events: purged.audit_events,
                }),
                None => Pass::Skipped,
            },
            None => {
                let sessions = self
                    .sessions
                    .purge(
                        cutoffs.sessions_expired_before,
                        cutoffs.sessions_revoked_before,
                    )
                    .await?;
                let audit_events = match cutoffs.audit_events_before {
                    Some(before) => self.audit.purge(before).await?,
                    None => 0,
                };
                Pass::Ran(Removed {
                    sessions,
                    audit_events,
                })
            }
        };
        match pass {
            Pass::Ran(removed) => {
                metrics::counter!("portcullis_cleanup_removed_total", "kind" => "sessions")
                    .increment(removed.sessions);
                metrics::counter!("portcullis_cleanup_removed_total", "kind" => "audit_events")
                    .increment(removed.audit_events);
                tracing::info!(
                    sessions = removed.sessions,
                    audit_events = removed.audit_events,
                    audit_retention_days = self.audit_days.unwrap_or(0),
                    outcome = %pass,
                    "retention pass"
                );
            }
            Pass::Skipped => tracing::info!(outcome = %pass, "retention pass"),
        }
        Ok(pass)
    }

    fn cutoffs(&self, now: Timestamp) -> RetentionCutoffs {
        let days_ago = |days: u32| now - TimeSpan::days(i64::from(days));
        RetentionCutoffs {
            sessions_expired_before: days_ago(self.expired_days),
            sessions_revoked_before: days_ago(self.revoked_days),
            audit_events_before: self.audit_days.map(days_ago),
        }
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

#[cfg(test)]
mod tests {
    use portcullis_domain::{AuditEventType, AuditFilter, RevokeReason};
    use portcullis_memory::{MemoryAuditLog, MemorySessionRepository};
    use portcullis_testkit::{ManualClock, sample_event, sample_session, sample_user, t0};

    use super::*;

    const NOW_DAYS: i64 = 1000;

    /// An embedded-mode job at t0 + 1000 days over: one session expired 31 days ago and
    /// one revoked 91 days ago (both past the defaults), one live session; audit events
    /// 400, 366 and 10 days old.
    async fn seeded(audit_days: Option<u32>) -> (Retention, Arc<MemoryAuditLog>) {
        let now = t0() + TimeSpan::days(NOW_DAYS);
        let user = sample_user("retention@example.com").id;
        let sessions = Arc::new(MemorySessionRepository::new());
        let expired = sample_session(user, now - TimeSpan::days(61));
        let mut revoked = sample_session(user, now - TimeSpan::days(92));
        // Revoked long ago but not expired: only the revocation rule deletes it.
        revoked.expires_at = now + TimeSpan::days(10);
        let live = sample_session(user, now - TimeSpan::days(1));
        for session in [&expired, &revoked, &live] {
            sessions.create(session, 10).await.unwrap();
        }
        sessions
            .revoke(revoked.id, RevokeReason::Logout, now - TimeSpan::days(91))
            .await
            .unwrap();
        let audit = Arc::new(MemoryAuditLog::new());
        for age in [400, 366, 10] {
            let event = sample_event(
                AuditEventType::LoginSucceeded,
                Some(user),
                now - TimeSpan::days(age),
            );
            audit.record(&event).await.unwrap();
        }
        let job = Retention {
            sessions,
            audit: audit.clone(),
            pool: None,
            clock: Arc::new(ManualClock::new(now)),
            expired_days: 30,
            revoked_days: 90,
            audit_days,
        };
        (job, audit)
    }

    async fn events_left(audit: &MemoryAuditLog) -> usize {
        let filter = AuditFilter {
            limit: 100,
            ..AuditFilter::default()
        };
        audit.list(&filter).await.unwrap().len()
    }

    #[tokio::test]
    async fn a_pass_deletes_sessions_and_audit_events_past_retention() {
        let (job, audit) = seeded(Some(365)).await;
        let pass = job.run_once().await.unwrap();
        assert_eq!(
            pass,
            Pass::Ran(Removed {
                sessions: 2,
                audit_events: 2
            })
        );
        assert_eq!(
            pass.to_string(),
            "cleanup removed 2 session(s) and 2 audit event(s)"
        );
        assert_eq!(events_left(&audit).await, 1, "the 10-day-old event");
        assert_eq!(
            job.run_once().await.unwrap(),
            Pass::Ran(Removed::default()),
            "a second pass finds nothing"
        );
    }

    #[tokio::test]
    async fn zero_audit_retention_days_keeps_every_event() {
        let (job, audit) = seeded(None).await;
        let pass = job.run_once().await.unwrap();
        assert_eq!(
            pass,
            Pass::Ran(Removed {
                sessions: 2,
                audit_events: 0
            })
        );
        assert_eq!(events_left(&audit).await, 3);
    }

    #[test]
    fn a_skipped_pass_says_so() {
        assert_eq!(
            Pass::Skipped.to_string(),
            "cleanup skipped: another instance is running it"
        );
    }
}
