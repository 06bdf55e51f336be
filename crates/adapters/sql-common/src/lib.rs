//! What the SQL adapters (`portcullis-postgres`, `portcullis-sqlite`) share.
//!
//! Each adapter keeps its own diesel schema and `*Row` structs, because the column
//! *types* differ by dialect (Postgres `uuid`/`timestamptz`/`inet`/`jsonb`, SQLite
//! `TEXT`/`INTEGER`). What does not differ lives here, once:
//!
//! - [`records`]: one `*Record` per table, the column values in plain Rust types
//!   (`Uuid`, [`Timestamp`](portcullis_domain::Timestamp), `IpAddr`, `String`, bytes),
//!   with the conversions from domain values and the validating conversions back.
//!   An adapter only maps its row to the record and back (its dialect's encoding).
//! - [`CorruptRow`] and the column checks ([`digest32`], [`to_bigint`],
//!   [`from_bigint`]): a stored value that is not a valid domain value is reported the
//!   same way by every backend, naming the column, never the value.
//! - [`policy`]: names both migrations give their constraints (the error mapping keys
//!   on them) and the small rules both dialects apply (session cap arithmetic, `LIKE`
//!   escaping, outbox batch and error sizes).
#![warn(missing_docs)]

mod corrupt;
pub mod policy;
pub mod records;

pub use corrupt::{CorruptRow, digest32, from_bigint, to_bigint};
pub use records::{
    AuditEventRecord, OAuthIdentityRecord, OneTimeTokenRecord, QueuedMailRecord, SessionRecord,
    TotpRecord, UserRecord, parse_purpose, purpose_str,
};
