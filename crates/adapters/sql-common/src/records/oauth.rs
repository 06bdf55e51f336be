//! `oauth_identities`.

use portcullis_domain::oauth::{OAuthIdentity, ProviderName};
use portcullis_domain::{Email, Timestamp, UserId};
use uuid::Uuid;

use crate::CorruptRow;

/// The columns of `oauth_identities`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthIdentityRecord {
    /// `ProviderName::as_str`.
    pub provider: String,
    /// The provider's stable user id.
    pub subject: String,
    /// Local account.
    pub user_id: Uuid,
    /// Provider's email at the last sign-in.
    pub email: Option<String>,
    /// When linked.
    pub created_at: Timestamp,
}

impl From<&OAuthIdentity> for OAuthIdentityRecord {
    fn from(i: &OAuthIdentity) -> Self {
        Self {
            provider: i.provider.as_str().to_owned(),
            subject: i.subject.clone(),
            user_id: i.user_id.as_uuid(),
            email: i.email.as_ref().map(|e| e.as_str().to_owned()),
            created_at: i.created_at,
        }
    }
}

impl TryFrom<OAuthIdentityRecord> for OAuthIdentity {
    type Error = CorruptRow;

    fn try_from(row: OAuthIdentityRecord) -> Result<Self, Self::Error> {
        let bad = |column, reason| CorruptRow::new("oauth_identities", column, reason);
        Ok(Self {
            provider: ProviderName::parse(&row.provider)
                .ok_or(bad("provider", "is not a known provider"))?,
            subject: row.subject,
            user_id: UserId::from_uuid(row.user_id),
            email: row
                .email
                .as_deref()
                .map(Email::parse)
                .transpose()
                .map_err(|_| bad("email", "is not a valid email"))?,
            created_at: row.created_at,
        })
    }
}
