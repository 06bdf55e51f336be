//! `one_time_tokens`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use portcullis_domain::ports::{OneTimeToken, TokenPurpose};
use uuid::Uuid;

use super::CorruptRow;
use crate::schema::one_time_tokens;

/// One row of `one_time_tokens`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = one_time_tokens, check_for_backend(diesel::pg::Pg))]
pub struct OneTimeTokenRow {
    /// SHA-256 of the token.
    pub hash: Vec<u8>,
    /// [`purpose_str`] of the purpose.
    pub purpose: String,
    /// Owner.
    pub user_id: Uuid,
    /// End of validity.
    pub expires_at: DateTime<Utc>,
    /// When it was consumed.
    pub used_at: Option<DateTime<Utc>>,
}

/// The storage form of a purpose.
pub const fn purpose_str(purpose: TokenPurpose) -> &'static str {
    match purpose {
        TokenPurpose::PasswordReset => "password_reset",
        TokenPurpose::EmailVerification => "email_verification",
        TokenPurpose::MfaLogin => "mfa_login",
    }
}

/// Parses [`purpose_str`] output.
pub fn parse_purpose(s: &str) -> Result<TokenPurpose, CorruptRow> {
    match s {
        "password_reset" => Ok(TokenPurpose::PasswordReset),
        "email_verification" => Ok(TokenPurpose::EmailVerification),
        "mfa_login" => Ok(TokenPurpose::MfaLogin),
        _ => Err(CorruptRow::new(
            "one_time_tokens",
            "purpose",
            "is not a known purpose",
        )),
    }
}

impl From<&OneTimeToken> for OneTimeTokenRow {
    fn from(t: &OneTimeToken) -> Self {
        Self {
            hash: t.hash.to_vec(),
            purpose: purpose_str(t.purpose).to_owned(),
            user_id: t.user_id.as_uuid(),
            expires_at: t.expires_at,
            used_at: None,
        }
    }
}

impl TryFrom<OneTimeTokenRow> for OneTimeToken {
    type Error = CorruptRow;

    fn try_from(row: OneTimeTokenRow) -> Result<Self, Self::Error> {
        Ok(Self {
            hash: super::digest32("one_time_tokens", "hash", row.hash)?,
            purpose: parse_purpose(&row.purpose)?,
            user_id: portcullis_domain::UserId::from_uuid(row.user_id),
            expires_at: row.expires_at,
        })
    }
}
