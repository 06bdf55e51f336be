//! `sessions`.

use diesel::prelude::*;
use portcullis_domain::Session;
use portcullis_sql_common::SessionRecord;

use super::DomainRow;
use crate::schema::sessions;
use crate::types::{IpText, Micros, TextUuid};

/// One row of `sessions`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions, check_for_backend(diesel::sqlite::Sqlite))]
pub(crate) struct SessionRow {
    pub id: TextUuid,
    pub user_id: TextUuid,
    pub created_at: Micros,
    pub last_used_at: Micros,
    pub expires_at: Micros,
    pub revoked_at: Option<Micros>,
    pub revoked_reason: Option<String>,
    pub user_agent: Option<String>,
    pub ip: Option<IpText>,
    pub fingerprint: Vec<u8>,
}

impl From<&Session> for SessionRow {
    fn from(session: &Session) -> Self {
        let r = SessionRecord::from(session);
        Self {
            id: TextUuid(r.id),
            user_id: TextUuid(r.user_id),
            created_at: Micros(r.created_at),
            last_used_at: Micros(r.last_used_at),
            expires_at: Micros(r.expires_at),
            revoked_at: r.revoked_at.map(Micros),
            revoked_reason: r.revoked_reason,
            user_agent: r.user_agent,
            ip: r.ip.map(IpText),
            fingerprint: r.fingerprint,
        }
    }
}

impl DomainRow for SessionRow {
    type Record = SessionRecord;
    type Domain = Session;

    fn into_record(self) -> SessionRecord {
        let row = self;
        SessionRecord {
            id: row.id.0,
            user_id: row.user_id.0,
            created_at: row.created_at.0,
            last_used_at: row.last_used_at.0,
            expires_at: row.expires_at.0,
            revoked_at: row.revoked_at.map(|t| t.0),
            revoked_reason: row.revoked_reason,
            user_agent: row.user_agent,
            ip: row.ip.map(|ip| ip.0),
            fingerprint: row.fingerprint,
        }
    }
}
