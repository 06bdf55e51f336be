//! The one-time values of an OAuth sign-in: the PKCE verifier (RFC 7636) and the
//! digests under which the `state` and the browser binding are stored.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A PKCE code verifier: 43–128 characters of `[A-Za-z0-9-._~]` (RFC 7636 §4.1). It
/// never leaves the server except in the token request to the provider, and is never
/// logged (`Debug` is redacted).
#[derive(Clone)]
pub struct PkceVerifier(SecretString);

impl PkceVerifier {
    /// A verifier from 32 fresh random bytes: 43 base64url characters (256 bits).
    pub fn from_random(bytes: [u8; 32]) -> Self {
        Self(SecretString::from(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Parses a stored verifier; `None` outside the RFC 7636 alphabet and length.
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = (43..=128).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        ok.then(|| Self(SecretString::from(raw.to_owned())))
    }

    /// The verifier text (for the token request and the state store only).
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The S256 challenge: `base64url(SHA-256(verifier))`.
    pub fn s256_challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.expose().as_bytes()))
    }
}

impl fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PkceVerifier([REDACTED])")
    }
}

impl PartialEq for PkceVerifier {
    fn eq(&self, other: &Self) -> bool {
        self.expose()
            .as_bytes()
            .ct_eq(other.expose().as_bytes())
            .into()
    }
}

impl Eq for PkceVerifier {}

/// SHA-256 of a random value handed to the browser (the `state`, or the binding
/// cookie). Stores key and compare by digest, so a store dump holds no usable value.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OAuthDigest([u8; 32]);

impl OAuthDigest {
    /// The digest of a value as the browser presents it.
    pub fn of(value: &str) -> Self {
        Self(Sha256::digest(value.as_bytes()).into())
    }

    /// Wraps a stored digest.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw digest.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex (storage keys).
    pub fn to_hex(&self) -> String {
        crate::session::hex(&self.0)
    }

    /// Parses [`OAuthDigest::to_hex`].
    pub fn from_hex(s: &str) -> Option<Self> {
        crate::session::unhex32(s).map(Self)
    }

    /// Compares in constant time.
    pub fn matches(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for OAuthDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A prefix is enough to tell digests apart in a failing test.
        write!(f, "OAuthDigest({}…)", &self.to_hex()[..8])
    }
}

/// A fresh random value for the browser (state or binding): 43 base64url characters.
pub fn encode_random(bytes: [u8; 32]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc_7636_appendix_b() {
        let verifier = PkceVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(
            verifier.s256_challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_43_chars_and_parse_strictly() {
        let v = PkceVerifier::from_random([7; 32]);
        assert_eq!(v.expose().len(), 43);
        assert_eq!(PkceVerifier::parse(v.expose()), Some(v.clone()));
        assert!(PkceVerifier::parse("short").is_none());
        assert!(PkceVerifier::parse(&"a".repeat(129)).is_none());
        assert!(PkceVerifier::parse(&format!("{}+", "a".repeat(43))).is_none());
        assert!(!format!("{v:?}").contains(v.expose()));
    }

    #[test]
    fn digests_round_trip_through_hex() {
        let d = OAuthDigest::of("state");
        assert_eq!(OAuthDigest::from_hex(&d.to_hex()), Some(d));
        assert!(d.matches(&OAuthDigest::of("state")));
        assert!(!d.matches(&OAuthDigest::of("other")));
    }
}
