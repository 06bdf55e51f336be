//! One record per table: the column values in plain Rust types, with the conversions
//! from domain values (infallible) and back (validating: a stored value that is not a
//! valid domain value is a [`CorruptRow`](crate::CorruptRow)).
//!
//! A dialect maps its own row type onto a record and back; that mapping is the only
//! place its encoding (native `uuid` or `TEXT`, `timestamptz` or integer micros,
//! `inet` or text) shows.

mod audit;
mod mail;
mod mfa;
mod oauth;
mod session;
mod token;
mod user;

pub use audit::AuditEventRecord;
pub use mail::QueuedMailRecord;
pub use mfa::TotpRecord;
pub use oauth::OAuthIdentityRecord;
pub use session::SessionRecord;
pub use token::{OneTimeTokenRecord, parse_purpose, purpose_str};
pub use user::UserRecord;
