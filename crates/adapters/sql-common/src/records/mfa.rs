//! `mfa_totp` and `mfa_recovery_codes`.

use portcullis_domain::mfa::TotpEnrollment;
use portcullis_domain::{Timestamp, UserId};
use uuid::Uuid;

use crate::{CorruptRow, digest32, from_bigint};

/// The columns of `mfa_totp` the domain sees (`created_at` is bookkeeping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpRecord {
    /// Owner (primary key).
    pub user_id: Uuid,
    /// The encrypted shared secret.
    pub encrypted_secret: Vec<u8>,
    /// Confirmation time; `None` while pending.
    pub confirmed_at: Option<Timestamp>,
    /// Last accepted TOTP step.
    pub last_used_step: Option<i64>,
}

impl TotpRecord {
    /// The enrolment, with the digests of its unused recovery codes
    /// (`mfa_recovery_codes.code_hash` where `used_at` is NULL).
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
