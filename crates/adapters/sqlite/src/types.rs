//! How domain-level values are encoded in SQLite columns, as diesel types.
//!
//! SQLite has no uuid, timestamp or inet type, so this crate picks one encoding per
//! kind of value and uses it in every table:
//!
//! - [`TextUuid`]: a UUID as `TEXT`, lower-case and hyphenated (36 characters). Readable
//!   in the `sqlite3` shell, and text order is byte order, so `ORDER BY id` is the
//!   UUID's order (UUID v7 ids sort by time, as in Postgres).
//! - [`Micros`]: a UTC instant as `INTEGER` microseconds since the Unix epoch: the
//!   precision of Postgres' `timestamptz`, so a value round-trips the same on both
//!   backends, and comparisons are integer comparisons.
//! - [`IpText`]: an IP address as `TEXT` in its canonical `Display` form.
//!
//! A stored value that does not decode fails the query with a deserialization error
//! (`StoreError::Unexpected`), naming the type, never the value.

use std::net::IpAddr;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::expression::functions::declare_sql_function;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::{Sqlite, SqliteValue};
use portcullis_domain::Timestamp;
use uuid::Uuid;

/// A UUID stored as hyphenated lower-case `TEXT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct TextUuid(pub Uuid);

impl ToSql<Text, Sqlite> for TextUuid {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.hyphenated().to_string());
        Ok(IsNull::No)
    }
}

impl FromSql<Text, Sqlite> for TextUuid {
    fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        Uuid::try_parse(value.read_text())
            .map(Self)
            .map_err(|_| "a stored id is not a UUID".into())
    }
}

/// A UTC instant stored as `INTEGER` microseconds since the Unix epoch. Sub-microsecond
/// digits are dropped on the way in (as Postgres does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, AsExpression, FromSqlRow)]
#[diesel(sql_type = BigInt)]
pub struct Micros(pub Timestamp);

impl ToSql<BigInt, Sqlite> for Micros {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.timestamp_micros());
        Ok(IsNull::No)
    }
}

impl FromSql<BigInt, Sqlite> for Micros {
    fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        Timestamp::from_timestamp_micros(value.read_long())
            .map(Self)
            .ok_or_else(|| "a stored timestamp is out of range".into())
    }
}

/// An IP address stored as `TEXT` (`203.0.113.7`, `2001:db8::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct IpText(pub IpAddr);

impl ToSql<Text, Sqlite> for IpText {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.to_string());
        Ok(IsNull::No)
    }
}

impl FromSql<Text, Sqlite> for IpText {
    fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        value
            .read_text()
            .parse()
            .map(Self)
            .map_err(|_| "a stored IP address does not parse".into())
    }
}

/// `next_attempt_at` of mail the worker gave up on: never due again (Postgres stores
/// `'infinity'`). Only ever compared, never decoded into a [`Timestamp`].
pub const NEVER: i64 = i64::MAX;

#[declare_sql_function]
extern "SQL" {
    /// A Unicode-aware `lower()` (Rust's `str::to_lowercase`), registered on every
    /// connection: SQLite's own `lower()` and `LIKE` fold ASCII letters only, and a
    /// name search must find "Émile" when asked for "émile".
    fn casefold(x: Text) -> Text;
}

/// SQL for "now" on the database side, in [`Micros`]: what Postgres' `now()` is to the
/// Postgres adapter (`unixepoch('subsec')` needs SQLite 3.42; the bundled one is newer).
pub fn db_now() -> diesel::expression::SqlLiteral<BigInt> {
    diesel::dsl::sql::<BigInt>("CAST(unixepoch('subsec') * 1000000 AS INTEGER)")
}
