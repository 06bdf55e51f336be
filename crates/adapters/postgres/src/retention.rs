//! The retention pass (SPEC §8) as several instances run it: one transaction that takes
//! a transaction-scoped advisory lock, or gives up at once when another instance holds
//! it, then deletes the sessions and the audit events past retention.

use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use portcullis_domain::{StoreError, Timestamp};

use crate::error::settle;
use crate::pool::{PgPool, checkout};
use crate::schema::{audit_events, sessions};

/// What one retention pass deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionCutoffs {
    /// Sessions that expired before this instant.
    pub sessions_expired_before: Timestamp,
    /// Sessions revoked before this instant.
    pub sessions_revoked_before: Timestamp,
    /// Audit events recorded before this instant; `None` keeps every event.
    pub audit_events_before: Option<Timestamp>,
}

/// What one retention pass deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Purged {
    /// Sessions deleted.
    pub sessions: u64,
    /// Audit events deleted.
    pub audit_events: u64,
}

/// Runs the retention pass on at most one instance at a time: in one transaction, take
/// the advisory lock `hashtext('portcullis:retention')` (or give up at once when another
/// instance holds it), then delete what `cutoffs` name, with the same `<` rules as
/// `SessionRepository::purge` and `AuditLog::purge`. `None` means another instance
/// holds the lock and nothing was deleted. Both deletions commit together or not at
/// all.
///
/// # Errors
/// Only [`StoreError`].
pub async fn purge_exclusively(
    pool: &PgPool,
    cutoffs: &RetentionCutoffs,
) -> Result<Option<Purged>, StoreError> {
    let cutoffs = *cutoffs;
    let mut conn = checkout(pool).await?;
    let result = conn
        .transaction::<_, diesel::result::Error, _>(async move |conn| {
            #[derive(QueryableByName)]
            struct Locked {
                #[diesel(sql_type = diesel::sql_types::Bool)]
                locked: bool,
            }
            let lock = diesel::sql_query(
                "SELECT pg_try_advisory_xact_lock(hashtext('portcullis:retention')) AS locked",
            )
            .get_result::<Locked>(conn)
            .await?;
            if !lock.locked {
                return Ok(None);
            }
            // Served by sessions_expires_at_idx and sessions_revoked_at_idx.
            let sessions = diesel::delete(
                sessions::table.filter(
                    sessions::expires_at.lt(cutoffs.sessions_expired_before).or(
                        sessions::revoked_at
                            .lt(cutoffs.sessions_revoked_before)
                            .assume_not_null(),
                    ),
                ),
            )
            .execute(conn)
            .await?;
            // Served by audit_events_at_idx.
            let audit_events = match cutoffs.audit_events_before {
                Some(before) => {
                    diesel::delete(audit_events::table.filter(audit_events::at.lt(before)))
                        .execute(conn)
                        .await?
                }
                None => 0,
            };
            Ok(Some((sessions, audit_events)))
        })
        .await;
    let deleted = settle(&mut conn, "retention pass", result).await?;
    deleted
        .map(|(sessions, audit_events)| {
            Ok(Purged {
                sessions: u64::try_from(sessions).map_err(StoreError::unexpected)?,
                audit_events: u64::try_from(audit_events).map_err(StoreError::unexpected)?,
            })
        })
        .transpose()
}
