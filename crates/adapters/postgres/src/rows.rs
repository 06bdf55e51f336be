//! Row structs (`*Row`, one per table) and their conversions to and from domain values.
//!
//! A row that does not convert — a bad email, an unknown role, a digest of the wrong
//! length written by hand — is a [`CorruptRow`], which the repositories report as
//! `StoreError::Unexpected`. The checks themselves are plain functions over plain
//! values, so the SQLite adapter can follow the same rules.

mod audit;
mod mfa;
mod oauth;
mod session;
mod token;
mod user;

use std::net::IpAddr;

use ipnet::IpNet;
use portcullis_domain::StoreError;

pub use audit::AuditEventRow;
pub use mfa::{RecoveryCodeRow, TotpRow};
pub use oauth::OAuthIdentityRow;
pub use session::SessionRow;
pub use token::{OneTimeTokenRow, parse_purpose, purpose_str};
pub use user::UserRow;

/// A stored value that is not a valid domain value. Names the column, never the value
/// (it may be personal data).
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
pub fn digest32(
    table: &'static str,
    column: &'static str,
    bytes: Vec<u8>,
) -> Result<[u8; 32], CorruptRow> {
    bytes
        .try_into()
        .map_err(|_| CorruptRow::new(table, column, "is not a 32-byte digest"))
}

/// An `inet` column that holds one host address (what [`to_inet`] writes).
pub fn host_ip(
    table: &'static str,
    column: &'static str,
    net: IpNet,
) -> Result<IpAddr, CorruptRow> {
    if net.prefix_len() == net.max_prefix_len() {
        Ok(net.addr())
    } else {
        Err(CorruptRow::new(
            table,
            column,
            "is a network, not a host address",
        ))
    }
}

/// The `inet` form of a host address.
pub fn to_inet(ip: IpAddr) -> IpNet {
    IpNet::from(ip)
}

/// A TOTP step or other unsigned counter as a `bigint`.
pub fn to_bigint(table: &'static str, column: &'static str, n: u64) -> Result<i64, CorruptRow> {
    i64::try_from(n).map_err(|_| CorruptRow::new(table, column, "does not fit a bigint"))
}

/// A `bigint` that must not be negative.
pub fn from_bigint(table: &'static str, column: &'static str, n: i64) -> Result<u64, CorruptRow> {
    u64::try_from(n).map_err(|_| CorruptRow::new(table, column, "is negative"))
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use super::*;

    #[test]
    fn inet_round_trips_host_addresses_and_refuses_networks() {
        for ip in [
            IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7)),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ] {
            assert_eq!(host_ip("t", "ip", to_inet(ip)).ok(), Some(ip));
        }
        let net: IpNet = "10.0.0.0/8".parse().unwrap();
        assert!(host_ip("t", "ip", net).is_err());
    }

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
}
