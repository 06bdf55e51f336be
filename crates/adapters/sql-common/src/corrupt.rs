//! Stored values that are not valid domain values.

use portcullis_domain::StoreError;

/// A stored value that is not a valid domain value: a bad email, an unknown role, a
/// digest of the wrong length written by hand. Repositories report it as
/// `StoreError::Unexpected`. Names the column, never the value (it may be personal
/// data).
#[derive(Debug, thiserror::Error)]
#[error("corrupt row: {table}.{column} {reason}")]
pub struct CorruptRow {
    /// Table of the bad value.
    pub table: &'static str,
    /// Column of the bad value.
    pub column: &'static str,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl CorruptRow {
    /// A bad value in `table.column`.
    pub const fn new(table: &'static str, column: &'static str, reason: &'static str) -> Self {
        Self {
            table,
            column,
            reason,
        }
    }
}

impl From<CorruptRow> for StoreError {
    fn from(err: CorruptRow) -> Self {
        StoreError::unexpected(err)
    }
}

/// A SHA-256 digest column: exactly 32 bytes.
///
/// # Errors
/// [`CorruptRow`] for any other length.
pub fn digest32(
    table: &'static str,
    column: &'static str,
    bytes: Vec<u8>,
) -> Result<[u8; 32], CorruptRow> {
    bytes
        .try_into()
        .map_err(|_| CorruptRow::new(table, column, "is not a 32-byte digest"))
}

/// A TOTP step or other unsigned counter as a signed 64-bit column (`bigint` in
/// Postgres, `INTEGER` in SQLite).
///
/// # Errors
/// [`CorruptRow`] when `n` does not fit.
pub fn to_bigint(table: &'static str, column: &'static str, n: u64) -> Result<i64, CorruptRow> {
    i64::try_from(n).map_err(|_| CorruptRow::new(table, column, "does not fit a bigint"))
}

/// A signed 64-bit column that must not be negative.
///
/// # Errors
/// [`CorruptRow`] for a negative value.
pub fn from_bigint(table: &'static str, column: &'static str, n: i64) -> Result<u64, CorruptRow> {
    u64::try_from(n).map_err(|_| CorruptRow::new(table, column, "is negative"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_must_be_32_bytes() {
        assert_eq!(digest32("t", "h", vec![7; 32]).ok(), Some([7; 32]));
        assert!(digest32("t", "h", vec![7; 31]).is_err());
    }

    #[test]
    fn counters_stay_in_range() {
        assert!(to_bigint("t", "c", u64::MAX).is_err());
        assert!(from_bigint("t", "c", -1).is_err());
        assert_eq!(from_bigint("t", "c", 5).ok(), Some(5));
    }

    #[test]
    fn the_message_names_the_column_not_the_value() {
        let err = CorruptRow::new("users", "email", "is not a valid email");
        assert_eq!(
            err.to_string(),
            "corrupt row: users.email is not a valid email"
        );
        assert!(matches!(StoreError::from(err), StoreError::Unexpected(_)));
    }
}
