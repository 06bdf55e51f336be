//! Passwords: the secret as typed ([`PlainPassword`]), its stored form
//! ([`PasswordHash`]) and the policy of SPEC §6.

use std::fmt;
use std::sync::LazyLock;

use secrecy::{ExposeSecret, SecretString};

use crate::user::{Email, Username};

/// The most common passwords of 8+ characters from the top 10,000 of a public
/// breach-derived list (the one Django ships), lower-cased and sorted.
static BLOCKLIST: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .filter(|l| !l.is_empty())
        .collect()
});

/// Why a password is refused. Every variant is a 400 `validation_failed` on the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRejection {
    /// Fewer than 8 characters.
    #[error("a password has at least 8 characters")]
    TooShort,
    /// More than 71 bytes of UTF-8: bcrypt would truncate it.
    #[error("a password has at most 71 bytes")]
    TooLong,
    /// Contains a NUL character, which bcrypt treats as the end.
    #[error("a password cannot contain NUL characters")]
    ContainsNul,
    /// Equals or contains the email's local part or the username.
    #[error("a password cannot contain your email name or username")]
    ContainsIdentity,
    /// In the shipped list of common passwords.
    #[error("this password is too common")]
    TooCommon,
}

impl PasswordRejection {
    /// The stable code for the field error.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::TooShort => "password_too_short",
            Self::TooLong => "password_too_long",
            Self::ContainsNul => "password_invalid",
            Self::ContainsIdentity => "password_contains_identity",
            Self::TooCommon => "password_too_common",
        }
    }
}

/// A password as the user typed it. Never printed, serialized or logged: it has no
/// `Debug` that shows the value and no `Serialize` at all.
#[derive(Clone)]
pub struct PlainPassword(SecretString);

impl PlainPassword {
    /// Shortest accepted password, in characters.
    pub const MIN_CHARS: usize = 8;
    /// Longest accepted password, in UTF-8 bytes: bcrypt's non-truncating limit
    /// (72 bytes including the NUL terminator it appends).
    pub const MAX_BYTES: usize = 71;

    /// Wraps a password without checking it: for verifying a login, where the stored
    /// hash is the judge. New passwords go through [`PlainPassword::new_checked`].
    pub fn new_unchecked(raw: String) -> Self {
        Self(SecretString::from(raw))
    }

    /// Wraps and checks a *new* password (see [`PlainPassword::checked`]).
    ///
    /// # Errors
    /// As [`PlainPassword::checked`].
    pub fn new_checked(
        raw: String,
        email: &Email,
        username: Option<&Username>,
    ) -> Result<Self, PasswordRejection> {
        Self::new_unchecked(raw).checked(email, username)
    }

    /// Checks this password, as a *new* password of the account, against the policy of
    /// SPEC §6.
    ///
    /// # Errors
    /// The first [`PasswordRejection`] that applies, in the order: NUL, length, identity,
    /// blocklist.
    pub fn checked(
        self,
        email: &Email,
        username: Option<&Username>,
    ) -> Result<Self, PasswordRejection> {
        let raw = self.expose();
        check_shape(raw)?;
        let lower = raw.to_lowercase();
        let local = email.local_part();
        let contains = |needle: &str| !needle.is_empty() && lower.contains(needle);
        if (local.chars().count() >= 3 && contains(local))
            || username.is_some_and(|u| contains(u.as_str()))
        {
            return Err(PasswordRejection::ContainsIdentity);
        }
        if BLOCKLIST.binary_search(&lower.as_str()).is_ok() {
            return Err(PasswordRejection::TooCommon);
        }
        Ok(self)
    }

    /// The secret text, for the hasher only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Whether the password could be stored by bcrypt without truncation. Login uses it
    /// to refuse over-long input without hashing it.
    pub fn fits_hasher(&self) -> bool {
        check_shape(self.expose()).is_ok()
    }
}

fn check_shape(raw: &str) -> Result<(), PasswordRejection> {
    if raw.contains('\0') {
        return Err(PasswordRejection::ContainsNul);
    }
    if raw.len() > PlainPassword::MAX_BYTES {
        return Err(PasswordRejection::TooLong);
    }
    if raw.chars().count() < PlainPassword::MIN_CHARS {
        return Err(PasswordRejection::TooShort);
    }
    Ok(())
}

impl fmt::Debug for PlainPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlainPassword([REDACTED])")
    }
}

/// A stored password hash (a bcrypt modular-crypt string). Redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a hash produced by a `PasswordHasher` or read from storage.
    pub fn new(encoded: String) -> Self {
        Self(encoded)
    }

    /// The encoded hash, for storage and the hasher.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("ada.lovelace@example.com").unwrap()
    }

    fn check(raw: &str) -> Result<PlainPassword, PasswordRejection> {
        PlainPassword::new_checked(
            raw.to_owned(),
            &email(),
            Username::parse("countess").ok().as_ref(),
        )
    }

    #[test]
    fn length_is_counted_in_chars_below_and_bytes_above() {
        assert_eq!(check("Tz9#kq2").unwrap_err(), PasswordRejection::TooShort);
        assert!(check("Tz9#kq2!").is_ok());
        assert!(check(&"é".repeat(35)).is_ok(), "70 bytes");
        assert_eq!(
            check(&"é".repeat(36)).unwrap_err(),
            PasswordRejection::TooLong
        );
        assert!(
            check(&"x7".repeat(35).chars().chain(['Q']).collect::<String>()).is_ok(),
            "71 bytes"
        );
        assert_eq!(
            check(&"x7".repeat(36)).unwrap_err(),
            PasswordRejection::TooLong
        );
    }

    #[test]
    fn nul_is_refused() {
        assert_eq!(
            check("abcdefgh\0ijk").unwrap_err(),
            PasswordRejection::ContainsNul
        );
    }

    #[test]
    fn identity_is_refused_case_insensitively() {
        assert_eq!(
            check("ADA.LOVELACE").unwrap_err(),
            PasswordRejection::ContainsIdentity
        );
        assert_eq!(
            check("xx-Ada.Lovelace-99").unwrap_err(),
            PasswordRejection::ContainsIdentity
        );
        assert_eq!(
            check("my-COUNTESS-pw").unwrap_err(),
            PasswordRejection::ContainsIdentity
        );
    }

    #[test]
    fn common_passwords_are_refused_case_insensitively() {
        assert!(
            BLOCKLIST.windows(2).all(|w| w[0] < w[1]),
            "blocklist must be sorted for binary search"
        );
        assert_eq!(check("password").unwrap_err(), PasswordRejection::TooCommon);
        assert_eq!(
            check("PassWord1").unwrap_err(),
            PasswordRejection::TooCommon
        );
        assert_eq!(check("12345678").unwrap_err(), PasswordRejection::TooCommon);
        assert!(check("correct horse battery").is_ok());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let p = PlainPassword::new_unchecked("hunter2-secret".into());
        assert!(!format!("{p:?}").contains("hunter2"));
        let h = PasswordHash::new("$2b$12$abcdefghijklmnopqrstuv".into());
        assert!(!format!("{h:?}").contains("$2b$"));
    }
}
