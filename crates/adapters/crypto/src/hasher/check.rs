//! The blocking half of the hasher: plain functions run on the blocking pool.

use std::fmt::Write as _;

use anyhow::Context as _;
use portcullis_domain::PlainPassword;
use portcullis_domain::ports::PasswordCheck;

const NO_MATCH: PasswordCheck = PasswordCheck {
    matches: false,
    needs_rehash: false,
};

/// Stands in for a password bcrypt cannot take, so refusing it costs a full verify too.
const FILLER: &str = "portcullis/dummy-password";

/// Whether bcrypt takes `password` whole: at most 71 bytes (it appends a NUL, 72 in
/// all) and no NUL of its own (other bcrypt implementations stop at the first one).
pub(super) fn fits_bcrypt(password: &str) -> bool {
    password.len() <= PlainPassword::MAX_BYTES && !password.contains('\0')
}

/// A bcrypt hash of 32 random hex characters at `cost`.
pub(super) fn dummy_hash(cost: u32) -> anyhow::Result<String> {
    let mut seed = [0u8; 16];
    // getrandom's error is `std::error::Error` only with its `std` feature.
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("the OS random source failed: {e}"))?;
    let mut password = String::with_capacity(32);
    for byte in seed {
        write!(password, "{byte:02x}").context("formatting the dummy password")?;
    }
    ::bcrypt::non_truncating_hash(password, cost).context("hashing the dummy password")
}

/// Checks `password` against `stored`, or against `dummy` when there is no stored hash.
/// Every path runs one full bcrypt verification, so the answer's timing says nothing
/// about which path was taken.
pub(super) fn verify(
    password: &str,
    stored: Option<&str>,
    dummy: &str,
    configured_cost: u32,
) -> PasswordCheck {
    let Some(stored) = stored else {
        burn(password, dummy);
        return NO_MATCH;
    };
    match ::bcrypt::non_truncating_verify(password, stored) {
        Ok(matches) => PasswordCheck {
            matches,
            // Only a proven password may be rehashed; a wrong one changes nothing.
            needs_rehash: matches && cost_of(stored).is_some_and(|cost| cost < configured_cost),
        },
        Err(error) => {
            // Name the kind of problem only: never the hash, the password or its length.
            let reason = match error {
                ::bcrypt::BcryptError::InvalidHash(_) => "malformed stored hash",
                ::bcrypt::BcryptError::CostNotAllowed(_) => "stored hash cost out of range",
                ::bcrypt::BcryptError::Truncation(_) => "password too long for bcrypt",
                _ => "bcrypt refused the input",
            };
            tracing::debug!(reason, "password check treated as a non-match");
            burn(password, dummy);
            NO_MATCH
        }
    }
}

/// One full verification whose result is thrown away.
fn burn(password: &str, dummy: &str) {
    let input = if fits_bcrypt(password) {
        password
    } else {
        FILLER
    };
    // The outcome is irrelevant (the dummy's password is random); only the work counts.
    let _ = ::bcrypt::non_truncating_verify(input, dummy);
}

/// The cost of a modular-crypt bcrypt hash (`$2b$NN$…`, also `2a`, `2x`, `2y`).
pub(super) fn cost_of(stored: &str) -> Option<u32> {
    let prefix = stored.as_bytes().get(..7)?;
    let version_ok = prefix[0] == b'$'
        && prefix[1] == b'2'
        && matches!(prefix[2], b'a' | b'b' | b'x' | b'y')
        && prefix[3] == b'$'
        && prefix[6] == b'$';
    if !version_ok || !prefix[4..6].iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(u32::from(prefix[4] - b'0') * 10 + u32::from(prefix[5] - b'0'))
}
