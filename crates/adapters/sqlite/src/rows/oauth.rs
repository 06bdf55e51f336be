//! `oauth_identities`.

use diesel::prelude::*;
use portcullis_domain::oauth::OAuthIdentity;
use portcullis_sql_common::OAuthIdentityRecord;

use super::DomainRow;
use crate::schema::oauth_identities;
use crate::types::{Micros, TextUuid};

/// One row of `oauth_identities`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = oauth_identities, check_for_backend(diesel::sqlite::Sqlite))]
pub(crate) struct OAuthIdentityRow {
    pub provider: String,
    pub subject: String,
    pub user_id: TextUuid,
    pub email: Option<String>,
    pub created_at: Micros,
}

impl From<&OAuthIdentity> for OAuthIdentityRow {
    fn from(identity: &OAuthIdentity) -> Self {
        let r = OAuthIdentityRecord::from(identity);
        Self {
            provider: r.provider,
            subject: r.subject,
            user_id: TextUuid(r.user_id),
            email: r.email,
            created_at: Micros(r.created_at),
        }
    }
}

impl DomainRow for OAuthIdentityRow {
    type Record = OAuthIdentityRecord;
    type Domain = OAuthIdentity;

    fn into_record(self) -> OAuthIdentityRecord {
        let row = self;
        OAuthIdentityRecord {
            provider: row.provider,
            subject: row.subject,
            user_id: row.user_id.0,
            email: row.email,
            created_at: row.created_at.0,
        }
    }
}
