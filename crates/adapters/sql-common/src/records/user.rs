//! `users`.

use portcullis_domain::{
    DisplayName, Email, PasswordHash, Role, Timestamp, User, UserId, Username,
};
use uuid::Uuid;

use crate::CorruptRow;

/// The columns of `users`. `None` fields are NULL, also on update (clearing a username
/// or a password hash is a change, not "leave as is").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Primary key.
    pub id: Uuid,
    /// Lower-cased address.
    pub email: String,
    /// Lower-cased handle.
    pub username: Option<String>,
    /// Display name.
    pub name: String,
    /// `Role::as_str`: `user` or `admin`.
    pub role: String,
    /// Whether the address is verified.
    pub email_verified: bool,
    /// Whether TOTP is required.
    pub mfa_enabled: bool,
    /// bcrypt hash, absent for OAuth-only accounts.
    pub password_hash: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl From<&User> for UserRecord {
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

impl TryFrom<UserRecord> for User {
    type Error = CorruptRow;

    fn try_from(row: UserRecord) -> Result<Self, Self::Error> {
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

#[cfg(test)]
mod tests {
    use chrono::{TimeZone as _, Utc};

    use super::*;

    fn record() -> UserRecord {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        UserRecord {
            id: Uuid::now_v7(),
            email: "ada@example.com".into(),
            username: Some("ada".into()),
            name: "Ada".into(),
            role: "admin".into(),
            email_verified: true,
            mfa_enabled: false,
            password_hash: None,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn round_trips() {
        let user = User::try_from(record()).unwrap();
        assert_eq!(UserRecord::from(&user), record_with_id(user.id.as_uuid()));
    }

    fn record_with_id(id: Uuid) -> UserRecord {
        UserRecord { id, ..record() }
    }

    #[test]
    fn bad_values_name_their_column() {
        let err = User::try_from(UserRecord {
            role: "root".into(),
            ..record()
        })
        .unwrap_err();
        assert_eq!((err.table, err.column), ("users", "role"));
        let err = User::try_from(UserRecord {
            username: Some("x".into()),
            ..record()
        })
        .unwrap_err();
        assert_eq!(err.column, "username");
    }
}
