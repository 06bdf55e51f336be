//! `users`.

use diesel::prelude::*;
use portcullis_domain::User;
use portcullis_sql_common::UserRecord;

use super::DomainRow;
use crate::schema::users;
use crate::types::{Micros, TextUuid};

/// One row of `users`. `None` fields are written as NULL on update.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users, check_for_backend(diesel::sqlite::Sqlite), treat_none_as_null = true)]
pub(crate) struct UserRow {
    pub id: TextUuid,
    pub email: String,
    pub username: Option<String>,
    pub name: String,
    pub role: String,
    pub email_verified: bool,
    pub mfa_enabled: bool,
    pub password_hash: Option<String>,
    pub created_at: Micros,
    pub updated_at: Micros,
}

impl From<&User> for UserRow {
    fn from(user: &User) -> Self {
        let r = UserRecord::from(user);
        Self {
            id: TextUuid(r.id),
            email: r.email,
            username: r.username,
            name: r.name,
            role: r.role,
            email_verified: r.email_verified,
            mfa_enabled: r.mfa_enabled,
            password_hash: r.password_hash,
            created_at: Micros(r.created_at),
            updated_at: Micros(r.updated_at),
        }
    }
}

impl DomainRow for UserRow {
    type Record = UserRecord;
    type Domain = User;

    fn into_record(self) -> UserRecord {
        let row = self;
        UserRecord {
            id: row.id.0,
            email: row.email,
            username: row.username,
            name: row.name,
            role: row.role,
            email_verified: row.email_verified,
            mfa_enabled: row.mfa_enabled,
            password_hash: row.password_hash,
            created_at: row.created_at.0,
            updated_at: row.updated_at.0,
        }
    }
}
