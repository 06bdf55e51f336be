//! Row structs (`*Row`, one per table) in SQLite's encodings, and their mapping onto the
//! shared records of `portcullis-sql-common`, which hold the conversions to and from
//! domain values. Only the encoding ([`crate::types`]) is SQLite's own here.

mod audit;
mod mfa;
mod oauth;
mod session;
mod token;
mod user;

use portcullis_domain::StoreError;
use portcullis_sql_common::CorruptRow;

pub(crate) use audit::AuditEventRow;
pub(crate) use mfa::{RecoveryCodeRow, TotpRow};
pub(crate) use oauth::OAuthIdentityRow;
pub(crate) use session::SessionRow;
pub(crate) use token::OneTimeTokenRow;
pub(crate) use user::UserRow;

/// A row type whose shared record converts into a domain value.
pub(crate) trait DomainRow: Sized {
    /// The shared record of the table.
    type Record;
    /// The domain value the record converts into.
    type Domain: TryFrom<Self::Record, Error = CorruptRow>;

    /// The row's values, decoded from SQLite's encodings.
    fn into_record(self) -> Self::Record;
}

/// Converts one loaded row into its domain value (through the shared record).
pub(crate) fn decode<R: DomainRow>(row: R) -> Result<R::Domain, StoreError> {
    R::Domain::try_from(row.into_record()).map_err(StoreError::from)
}

/// Converts every loaded row into its domain value.
pub(crate) fn decode_all<R: DomainRow>(rows: Vec<R>) -> Result<Vec<R::Domain>, StoreError> {
    rows.into_iter().map(decode).collect()
}
