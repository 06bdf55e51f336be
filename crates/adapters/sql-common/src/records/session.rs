//! `sessions`.

use std::net::IpAddr;

use portcullis_domain::{DeviceFingerprint, RevokeReason, Session, SessionId, Timestamp, UserId};
use uuid::Uuid;

use crate::{CorruptRow, digest32};

/// The columns of `sessions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Primary key, also the refresh-token family id.
    pub id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// Start.
    pub created_at: Timestamp,
    /// Last refresh.
    pub last_used_at: Timestamp,
    /// Absolute end of life.
    pub expires_at: Timestamp,
    /// Revocation time.
    pub revoked_at: Option<Timestamp>,
    /// `RevokeReason::as_str`.
    pub revoked_reason: Option<String>,
    /// User-Agent at the start.
    pub user_agent: Option<String>,
    /// Client IP at the start (one host address).
    pub ip: Option<IpAddr>,
    /// SHA-256 device fingerprint.
    pub fingerprint: Vec<u8>,
}

impl From<&Session> for SessionRecord {
    fn from(s: &Session) -> Self {
        Self {
            id: s.id.as_uuid(),
            user_id: s.user_id.as_uuid(),
            created_at: s.created_at,
            last_used_at: s.last_used_at,
            expires_at: s.expires_at,
            revoked_at: s.revoked_at,
            revoked_reason: s.revoked_reason.map(|r| r.as_str().to_owned()),
            user_agent: s.user_agent.clone(),
            ip: s.ip,
            fingerprint: s.fingerprint.as_bytes().to_vec(),
        }
    }
}

impl TryFrom<SessionRecord> for Session {
    type Error = CorruptRow;

    fn try_from(row: SessionRecord) -> Result<Self, Self::Error> {
        let revoked_reason = row
            .revoked_reason
            .as_deref()
            .map(|r| {
                RevokeReason::parse(r).ok_or(CorruptRow::new(
                    "sessions",
                    "revoked_reason",
                    "is not a known reason",
                ))
            })
            .transpose()?;
        Ok(Self {
            id: SessionId::from_uuid(row.id),
            user_id: UserId::from_uuid(row.user_id),
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            revoked_reason,
            user_agent: row.user_agent,
            ip: row.ip,
            fingerprint: DeviceFingerprint::from_bytes(digest32(
                "sessions",
                "fingerprint",
                row.fingerprint,
            )?),
        })
    }
}
