//! `mfa_totp` and `mfa_recovery_codes`.

use diesel::prelude::*;
use portcullis_domain::UserId;
use portcullis_sql_common::TotpRecord;

use crate::schema::{mfa_recovery_codes, mfa_totp};
use crate::types::{Micros, TextUuid};

/// The columns of `mfa_totp` the domain sees (`created_at` is bookkeeping).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mfa_totp, check_for_backend(diesel::sqlite::Sqlite))]
pub(crate) struct TotpRow {
    pub user_id: TextUuid,
    pub encrypted_secret: Vec<u8>,
    pub confirmed_at: Option<Micros>,
    pub last_used_step: Option<i64>,
}

impl From<TotpRow> for TotpRecord {
    fn from(row: TotpRow) -> Self {
        Self {
            user_id: row.user_id.0,
            encrypted_secret: row.encrypted_secret,
            confirmed_at: row.confirmed_at.map(|t| t.0),
            last_used_step: row.last_used_step,
        }
    }
}

/// One row of `mfa_recovery_codes`.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = mfa_recovery_codes, check_for_backend(diesel::sqlite::Sqlite))]
pub(crate) struct RecoveryCodeRow {
    pub user_id: TextUuid,
    pub code_hash: Vec<u8>,
    pub used_at: Option<Micros>,
}

impl RecoveryCodeRow {
    /// The unused codes of `user`.
    pub(crate) fn unused(user: UserId, hashes: &[[u8; 32]]) -> Vec<Self> {
        hashes
            .iter()
            .map(|h| Self {
                user_id: TextUuid(user.as_uuid()),
                code_hash: h.to_vec(),
                used_at: None,
            })
            .collect()
    }
}
