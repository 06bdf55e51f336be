//! `one_time_tokens`.

use portcullis_domain::ports::{OneTimeToken, TokenPurpose};
use portcullis_domain::{Timestamp, UserId};
use uuid::Uuid;

use crate::{CorruptRow, digest32};

/// The columns of `one_time_tokens`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeTokenRecord {
    /// SHA-256 of the token.
    pub hash: Vec<u8>,
    /// [`purpose_str`] of the purpose.
    pub purpose: String,
    /// Owner.
    pub user_id: Uuid,
    /// End of validity.
    pub expires_at: Timestamp,
    /// When it was consumed.
    pub used_at: Option<Timestamp>,
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
///
/// # Errors
/// [`CorruptRow`] for any other text.
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

impl From<&OneTimeToken> for OneTimeTokenRecord {
    /// A fresh, unused token.
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

impl TryFrom<OneTimeTokenRecord> for OneTimeToken {
    type Error = CorruptRow;

    fn try_from(row: OneTimeTokenRecord) -> Result<Self, Self::Error> {
        Ok(Self {
            hash: digest32("one_time_tokens", "hash", row.hash)?,
            purpose: parse_purpose(&row.purpose)?,
            user_id: UserId::from_uuid(row.user_id),
            expires_at: row.expires_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_round_trip() {
        for p in [
            TokenPurpose::PasswordReset,
            TokenPurpose::EmailVerification,
            TokenPurpose::MfaLogin,
        ] {
            assert_eq!(parse_purpose(purpose_str(p)).ok(), Some(p));
        }
        assert!(parse_purpose("login").is_err());
    }
}
