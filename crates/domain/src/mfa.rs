//! Second-factor enrolment state.

use crate::Timestamp;
use crate::user::UserId;

/// A user's TOTP enrolment. The secret is stored encrypted (the core encrypts with a
/// key from configuration before it reaches a repository); recovery codes as digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpEnrollment {
    /// Owner.
    pub user_id: UserId,
    /// The encrypted shared secret.
    pub encrypted_secret: Vec<u8>,
    /// `None` until the user proved possession with a first code.
    pub confirmed_at: Option<Timestamp>,
    /// The last TOTP time step accepted (replay guard).
    pub last_used_step: Option<u64>,
    /// Digests of the unused recovery codes.
    pub recovery_code_hashes: Vec<[u8; 32]>,
}
