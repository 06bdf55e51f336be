//! `AuditLog` on `audit_events`.

use async_trait::async_trait;
use diesel::prelude::*;
use portcullis_domain::ports::AuditLog;
use portcullis_domain::{AuditEvent, AuditFilter, StoreError, Timestamp};

use crate::db::SqliteDb;
use crate::rows::{AuditEventRow, decode_all};
use crate::schema::audit_events;
use crate::types::{Micros, TextUuid};

/// The security event trail in `audit_events`: append-only, listed newest first by id
/// (UUID v7), with keyset pages (`id < before`). `details` comes back byte for byte as
/// recorded.
#[derive(Clone, Debug)]
pub struct SqliteAuditLog {
    db: SqliteDb,
}

impl SqliteAuditLog {
    /// A log on this database.
    pub fn new(db: SqliteDb) -> Self {
        Self { db }
    }
}

#[async_trait]
impl AuditLog for SqliteAuditLog {
    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "AuditLog.record", otel.kind = "client", db.system.name = "sqlite"))]
    async fn record(&self, event: &AuditEvent) -> Result<(), StoreError> {
        let row = AuditEventRow::from(event);
        self.db
            .write("recording an audit event", move |conn| {
                diesel::insert_into(audit_events::table)
                    .values(row)
                    .execute(conn)
            })
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "AuditLog.list", otel.kind = "client", db.system.name = "sqlite"))]
    async fn list(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        let limit = i64::from(filter.limit);
        let user = filter.user_id.map(|u| TextUuid(u.as_uuid()));
        let kind = filter.kind.map(|k| k.as_str());
        let before = filter.before.map(|b| TextUuid(b.0));
        // Served by audit_events_user_id_idx / audit_events_type_id_idx / the primary
        // key, each read backwards from `before`.
        let rows = self
            .db
            .read("listing audit events", move |conn| {
                let mut select = audit_events::table
                    .select(AuditEventRow::as_select())
                    .order(audit_events::id.desc())
                    .limit(limit)
                    .into_boxed();
                if let Some(user) = user {
                    select = select.filter(audit_events::user_id.eq(user));
                }
                if let Some(kind) = kind {
                    select = select.filter(audit_events::kind.eq(kind));
                }
                if let Some(before) = before {
                    select = select.filter(audit_events::id.lt(before));
                }
                select.load::<AuditEventRow>(conn)
            })
            .await?;
        decode_all(rows)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "AuditLog.purge", otel.kind = "client", db.system.name = "sqlite"))]
    async fn purge(&self, before: Timestamp) -> Result<u64, StoreError> {
        let before = Micros(before);
        // Served by audit_events_at_idx.
        let deleted = self
            .db
            .write("purging audit events", move |conn| {
                diesel::delete(audit_events::table.filter(audit_events::at.lt(before)))
                    .execute(conn)
            })
            .await?;
        u64::try_from(deleted).map_err(StoreError::unexpected)
    }
}
