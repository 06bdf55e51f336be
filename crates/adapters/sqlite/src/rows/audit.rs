//! `audit_events`.

use diesel::prelude::*;
use portcullis_domain::AuditEvent;
use portcullis_sql_common::AuditEventRecord;

use super::DomainRow;
use crate::schema::audit_events;
use crate::types::{IpText, Micros, TextUuid};

/// One row of `audit_events`. `details` is stored as recorded (the table's CHECK
/// refuses anything but a JSON object).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::sqlite::Sqlite))]
pub(crate) struct AuditEventRow {
    pub id: TextUuid,
    pub kind: String,
    pub at: Micros,
    pub user_id: Option<TextUuid>,
    pub actor_id: Option<TextUuid>,
    pub ip: Option<IpText>,
    pub user_agent: Option<String>,
    pub details: String,
}

impl From<&AuditEvent> for AuditEventRow {
    fn from(event: &AuditEvent) -> Self {
        let r = AuditEventRecord::from(event);
        Self {
            id: TextUuid(r.id),
            kind: r.kind,
            at: Micros(r.at),
            user_id: r.user_id.map(TextUuid),
            actor_id: r.actor_id.map(TextUuid),
            ip: r.ip.map(IpText),
            user_agent: r.user_agent,
            details: r.details,
        }
    }
}

impl DomainRow for AuditEventRow {
    type Record = AuditEventRecord;
    type Domain = AuditEvent;

    fn into_record(self) -> AuditEventRecord {
        let row = self;
        AuditEventRecord {
            id: row.id.0,
            kind: row.kind,
            at: row.at.0,
            user_id: row.user_id.map(|u| u.0),
            actor_id: row.actor_id.map(|u| u.0),
            ip: row.ip.map(|ip| ip.0),
            user_agent: row.user_agent,
            details: row.details,
        }
    }
}
