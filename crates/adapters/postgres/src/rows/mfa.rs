//! `mfa_totp` and `mfa_recovery_codes`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use portcullis_domain::UserId;
use portcullis_domain::mfa::TotpEnrollment;
use uuid::Uuid;

use super::{CorruptRow, digest32, from_bigint};
use crate::schema::{mfa_recovery_codes, mfa_totp};

/// One row of `mfa_totp` (`created_at` is set by the database).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mfa_totp, check_for_backend(diesel::pg::Pg))]
pub struct TotpRow {
    /// Owner (primary key).
    pub user_id: Uuid,
    /// The encrypted shared secret.
    pub encrypted_secret: Vec<u8>,
    /// Confirmation time; `None` while pending.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Last accepted TOTP step.
    pub last_used_step: Option<i64>,
}

/// One row of `mfa_recovery_codes`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mfa_recovery_codes, check_for_backend(diesel::pg::Pg))]
pub struct RecoveryCodeRow {
    /// Owner.
    pub user_id: Uuid,
    /// SHA-256 of the code.
    pub code_hash: Vec<u8>,
    /// When it was used.
    pub used_at: Option<DateTime<Utc>>,
}

impl RecoveryCodeRow {
    /// An unused code of `user`.
    pub fn unused(user: UserId, code_hash: &[u8; 32]) -> Self {
        Self {
            user_id: user.as_uuid(),
            code_hash: code_hash.to_vec(),
            used_at: None,
        }
    }
}

impl TotpRow {
    /// The enrolment, with the digests of its unused recovery codes.
    ///
    /// # Errors
    /// [`CorruptRow`] for a negative step or a digest that is not 32 bytes.
    pub fn into_enrollment(self, unused_codes: Vec<Vec<u8>>) -> Result<TotpEnrollment, CorruptRow> {
        Ok(TotpEnrollment {
            user_id: UserId::from_uuid(self.user_id),
            encrypted_secret: self.encrypted_secret,
            confirmed_at: self.confirmed_at,
            last_used_step: self
                .last_used_step
                .map(|s| from_bigint("mfa_totp", "last_used_step", s))
                .transpose()?,
            recovery_code_hashes: unused_codes
                .into_iter()
                .map(|c| digest32("mfa_recovery_codes", "code_hash", c))
                .collect::<Result<_, _>>()?,
        })
    }
}
