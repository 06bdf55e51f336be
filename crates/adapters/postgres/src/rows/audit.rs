//! `audit_events`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use ipnet::IpNet;
use portcullis_domain::{AuditEvent, AuditEventType, AuditId, UserId};
use uuid::Uuid;

use super::{CorruptRow, host_ip, to_inet};
use crate::schema::audit_events;

/// One row of `audit_events`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg))]
pub struct AuditEventRow {
    /// Primary key (UUID v7: sorts by time).
    pub id: Uuid,
    /// `AuditEventType::as_str` (column `type`).
    pub kind: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Subject account (not a foreign key: events outlive accounts).
    pub user_id: Option<Uuid>,
    /// Acting admin, if not the subject.
    pub actor_id: Option<Uuid>,
    /// Client IP as a host `inet`.
    pub ip: Option<IpNet>,
    /// Client User-Agent.
    pub user_agent: Option<String>,
    /// A JSON object.
    pub details: serde_json::Value,
}

impl TryFrom<&AuditEvent> for AuditEventRow {
    type Error = CorruptRow;

    /// Fails when `details` is not a JSON object: the column only holds objects.
    fn try_from(e: &AuditEvent) -> Result<Self, Self::Error> {
        let details: serde_json::Value = serde_json::from_str(&e.details)
            .map_err(|_| CorruptRow::new("audit_events", "details", "is not JSON"))?;
        if !details.is_object() {
            return Err(CorruptRow::new(
                "audit_events",
                "details",
                "is not a JSON object",
            ));
        }
        Ok(Self {
            id: e.id.0,
            kind: e.kind.as_str().to_owned(),
            at: e.at,
            user_id: e.user_id.map(|u| u.as_uuid()),
            actor_id: e.actor_id.map(|u| u.as_uuid()),
            ip: e.ip.map(to_inet),
            user_agent: e.user_agent.clone(),
            details,
        })
    }
}

impl TryFrom<AuditEventRow> for AuditEvent {
    type Error = CorruptRow;

    /// `details` comes back in `jsonb`'s canonical form: compact, keys sorted (the form
    /// `serde_json` writes a `json!` object in), not necessarily byte-for-byte the text
    /// that was recorded.
    fn try_from(row: AuditEventRow) -> Result<Self, Self::Error> {
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
            ip: row
                .ip
                .map(|ip| host_ip("audit_events", "ip", ip))
                .transpose()?,
            user_agent: row.user_agent,
            details: canonical_json(&row.details),
        })
    }
}

/// Compact JSON with object keys in sorted order, whatever map type `serde_json` was
/// built with (a `preserve_order` build would keep `jsonb`'s length-first order).
fn canonical_json(value: &serde_json::Value) -> String {
    fn sorted(value: &serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                serde_json::Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sorted(v)))
                        .collect(),
                )
            }
            serde_json::Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(sorted).collect())
            }
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_come_back_compact_with_sorted_keys() {
        let value = serde_json::json!({"to": "admin", "from": {"b": 1, "a": [2]}});
        assert_eq!(
            canonical_json(&value),
            r#"{"from":{"a":[2],"b":1},"to":"admin"}"#
        );
    }
}
