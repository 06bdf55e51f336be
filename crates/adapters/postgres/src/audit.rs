//! `AuditLog` on `audit_events`.

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use portcullis_domain::ports::AuditLog;
use portcullis_domain::{AuditEvent, AuditFilter, StoreError, Timestamp};

use crate::error::settle;
use crate::pool::{PgPool, checkout};
use crate::rows::AuditEventRow;
use crate::schema::audit_events;

/// The security event trail in `audit_events`: append-only, listed newest first by id
/// (UUID v7), with keyset pages (`id < before`). Only the retention job deletes
/// ([`AuditLog::purge`], or [`crate::purge_exclusively`] under the retention lock).
#[derive(Clone)]
pub struct PgAuditLog {
    pool: PgPool,
}

impl PgAuditLog {
    /// A log on this pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl AuditLog for PgAuditLog {
    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "AuditLog.record", otel.kind = "client", db.system.name = "postgresql"))]
    async fn record(&self, event: &AuditEvent) -> Result<(), StoreError> {
        let row = AuditEventRow::try_from(event)?;
        let mut conn = checkout(&self.pool).await?;
        let result = diesel::insert_into(audit_events::table)
            .values(row)
            .execute(&mut conn)
            .await;
        settle(&mut conn, "recording an audit event", result).await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "AuditLog.record_many", otel.kind = "client", db.system.name = "postgresql"))]
    async fn record_many(&self, events: &[AuditEvent]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let rows = events
            .iter()
            .map(AuditEventRow::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        let mut conn = checkout(&self.pool).await?;
        // One multi-row INSERT: one round trip and one commit for the batch.
        let result = diesel::insert_into(audit_events::table)
            .values(rows)
            .execute(&mut conn)
            .await;
        settle(&mut conn, "recording audit events", result).await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "AuditLog.list", otel.kind = "client", db.system.name = "postgresql"))]
    async fn list(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        // Served by audit_events_user_id_idx / audit_events_type_id_idx / the primary
        // key, each read backwards from `before`.
        let mut select = audit_events::table
            .select(AuditEventRow::as_select())
            .order(audit_events::id.desc())
            .limit(i64::from(filter.limit))
            .into_boxed();
        if let Some(user) = filter.user_id {
            select = select.filter(audit_events::user_id.eq(user.as_uuid()));
        }
        if let Some(kind) = filter.kind {
            select = select.filter(audit_events::kind.eq(kind.as_str()));
        }
        if let Some(before) = filter.before {
            select = select.filter(audit_events::id.lt(before.0));
        }
        let result = select.load::<AuditEventRow>(&mut conn).await;
        let rows = settle(&mut conn, "listing audit events", result).await?;
        rows.into_iter()
            .map(|row| AuditEvent::try_from(row).map_err(StoreError::from))
            .collect()
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "AuditLog.purge", otel.kind = "client", db.system.name = "postgresql"))]
    async fn purge(&self, before: Timestamp) -> Result<u64, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        // Served by audit_events_at_idx.
        let result = diesel::delete(audit_events::table.filter(audit_events::at.lt(before)))
            .execute(&mut conn)
            .await;
        let deleted = settle(&mut conn, "purging audit events", result).await?;
        u64::try_from(deleted).map_err(StoreError::unexpected)
    }
}
