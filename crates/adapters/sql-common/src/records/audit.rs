//! `audit_events`.

use std::net::IpAddr;

use portcullis_domain::{AuditEvent, AuditEventType, AuditId, Timestamp, UserId};
use uuid::Uuid;

use crate::CorruptRow;

/// The columns of `audit_events`. `details` is the JSON object as text; a dialect with
/// a JSON column type parses it on the way in and prints it on the way out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEventRecord {
    /// Primary key (UUID v7: sorts by time).
    pub id: Uuid,
    /// `AuditEventType::as_str` (column `type`).
    pub kind: String,
    /// When.
    pub at: Timestamp,
    /// Subject account (not a foreign key: events outlive accounts).
    pub user_id: Option<Uuid>,
    /// Acting admin, if not the subject.
    pub actor_id: Option<Uuid>,
    /// Client IP (one host address).
    pub ip: Option<IpAddr>,
    /// Client User-Agent.
    pub user_agent: Option<String>,
    /// A JSON object, as text.
    pub details: String,
}

impl From<&AuditEvent> for AuditEventRecord {
    fn from(e: &AuditEvent) -> Self {
        Self {
            id: e.id.0,
            kind: e.kind.as_str().to_owned(),
            at: e.at,
            user_id: e.user_id.map(|u| u.as_uuid()),
            actor_id: e.actor_id.map(|u| u.as_uuid()),
            ip: e.ip,
            user_agent: e.user_agent.clone(),
            details: e.details.clone(),
        }
    }
}

impl TryFrom<AuditEventRecord> for AuditEvent {
    type Error = CorruptRow;

    fn try_from(row: AuditEventRecord) -> Result<Self, Self::Error> {
        Ok(Self {
            id: AuditId(row.id),
            kind: AuditEventType::parse(&row.kind).ok_or(CorruptRow::new(
                "audit_events",
                "type",
                "is not a known type",
            ))?,
            at: row.at,
            user_id: row.user_id.map(UserId::from_uuid),
            actor_id: row.actor_id.map(UserId::from_uuid),
            ip: row.ip,
            user_agent: row.user_agent,
            details: row.details,
        })
    }
}
