//! `one_time_tokens`.

use diesel::prelude::*;
use portcullis_domain::ports::OneTimeToken;
use portcullis_sql_common::OneTimeTokenRecord;

use super::DomainRow;
use crate::schema::one_time_tokens;
use crate::types::{Micros, TextUuid};

/// One row of `one_time_tokens`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = one_time_tokens, check_for_backend(diesel::sqlite::Sqlite))]
pub(crate) struct OneTimeTokenRow {
    pub hash: Vec<u8>,
    pub purpose: String,
    pub user_id: TextUuid,
    pub expires_at: Micros,
    pub used_at: Option<Micros>,
}

impl From<&OneTimeToken> for OneTimeTokenRow {
    fn from(token: &OneTimeToken) -> Self {
        let r = OneTimeTokenRecord::from(token);
        Self {
            hash: r.hash,
            purpose: r.purpose,
            user_id: TextUuid(r.user_id),
            expires_at: Micros(r.expires_at),
            used_at: r.used_at.map(Micros),
        }
    }
}

impl DomainRow for OneTimeTokenRow {
    type Record = OneTimeTokenRecord;
    type Domain = OneTimeToken;

    fn into_record(self) -> OneTimeTokenRecord {
        let row = self;
        OneTimeTokenRecord {
            hash: row.hash,
            purpose: row.purpose,
            user_id: row.user_id.0,
            expires_at: row.expires_at.0,
            used_at: row.used_at.map(|t| t.0),
        }
    }
}
