//! `users`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use portcullis_domain::{DisplayName, Email, PasswordHash, Role, User, UserId, Username};
use uuid::Uuid;

use super::CorruptRow;
use crate::schema::users;

/// One row of `users`. `None` fields are written as NULL on update (clearing a username
/// or a password hash is a change, not "leave as is").
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub struct UserRow {
    /// Primary key.
    pub id: Uuid,
    /// Lower-cased address.
    pub email: String,
    /// Lower-cased handle.
    pub username: Option<String>,
    /// Display name.
    pub name: String,
    /// `user` or `admin`.
    pub role: String,
    /// Whether the address is verified.
    pub email_verified: bool,
    /// Whether TOTP is required.
    pub mfa_enabled: bool,
    /// bcrypt hash, absent for OAuth-only accounts.
    pub password_hash: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<&User> for UserRow {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.as_uuid(),
            email: user.email.as_str().to_owned(),
            username: user.username.as_ref().map(|u| u.as_str().to_owned()),
            name: user.name.as_str().to_owned(),
            role: user.role.as_str().to_owned(),
            email_verified: user.email_verified,
            mfa_enabled: user.mfa_enabled,
            password_hash: user.password_hash.as_ref().map(|h| h.as_str().to_owned()),
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

impl TryFrom<UserRow> for User {
    type Error = CorruptRow;

    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        let bad = |column, reason| CorruptRow::new("users", column, reason);
        Ok(Self {
            id: UserId::from_uuid(row.id),
            email: Email::parse(&row.email).map_err(|_| bad("email", "is not a valid email"))?,
            username: row
                .username
                .as_deref()
                .map(Username::parse)
                .transpose()
                .map_err(|_| bad("username", "is not a valid username"))?,
            name: DisplayName::parse(&row.name).map_err(|_| bad("name", "is not a valid name"))?,
            role: Role::parse(&row.role).map_err(|_| bad("role", "is not a known role"))?,
            email_verified: row.email_verified,
            mfa_enabled: row.mfa_enabled,
            password_hash: row.password_hash.map(PasswordHash::new),
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}
