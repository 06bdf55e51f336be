//! Tokens: the opaque refresh token, its stored digest, the sealed successor kept for
//! the grace window, and the claims of an access token.
//!
//! A refresh token is `base64url(session id (16 bytes) ‖ secret (32 bytes))`: 256 bits
//! from the OS CSPRNG plus the family id, so every key of a family shares one Redis
//! Cluster slot and a token never needs a global index. Stores keep only the SHA-256 of
//! the whole token. During the grace window the successor's secret is kept *sealed*:
//! XOR-ed with a pad derived from the presented token (SHA-256 of a domain tag and the
//! token), so only a holder of the presented token can recover it, and each pad seals
//! exactly one value.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::Timestamp;
use crate::session::{SessionId, hex, unhex32};
use crate::user::{Role, UserId};

const SECRET_LEN: usize = 32;
const TOKEN_LEN: usize = 16 + SECRET_LEN;

/// A refresh token in plain: handed to the client once, never stored or logged.
#[derive(Clone)]
pub struct RefreshToken {
    session_id: SessionId,
    secret: [u8; SECRET_LEN],
    encoded: SecretString,
}

impl RefreshToken {
    /// Builds a token for a session from 32 fresh random bytes.
    pub fn new(session_id: SessionId, secret: [u8; SECRET_LEN]) -> Self {
        let mut raw = [0u8; TOKEN_LEN];
        raw[..16].copy_from_slice(session_id.as_uuid().as_bytes());
        raw[16..].copy_from_slice(&secret);
        Self {
            session_id,
            secret,
            encoded: SecretString::from(URL_SAFE_NO_PAD.encode(raw)),
        }
    }

    /// Parses a token presented by a client. `None` for anything that is not exactly the
    /// shape this service issues (the caller answers `invalid_token`).
    pub fn parse(presented: &str) -> Option<Self> {
        if presented.len() != 64 {
            return None;
        }
        let raw = URL_SAFE_NO_PAD.decode(presented).ok()?;
        let raw: [u8; TOKEN_LEN] = raw.try_into().ok()?;
        let session_id = SessionId::from_uuid(Uuid::from_slice(&raw[..16]).ok()?);
        let mut secret = [0u8; SECRET_LEN];
        secret.copy_from_slice(&raw[16..]);
        Some(Self::new(session_id, secret))
    }

    /// The session (token family) this token belongs to.
    pub const fn session_id(&self) -> SessionId {
        self.session_id
    }

    /// The text handed to the client.
    pub fn expose(&self) -> &str {
        self.encoded.expose_secret()
    }

    /// The digest that stores keep instead of the token.
    pub fn hash(&self) -> RefreshTokenHash {
        RefreshTokenHash(Sha256::digest(self.expose().as_bytes()).into())
    }

    /// Seals `successor`'s secret so that only a holder of `self` can open it.
    pub fn seal(&self, successor: &RefreshToken) -> SealedSecret {
        let pad = self.pad();
        SealedSecret(std::array::from_fn(|i| successor.secret[i] ^ pad[i]))
    }

    /// Opens a successor sealed by [`RefreshToken::seal`] with this token.
    pub fn open(&self, sealed: &SealedSecret) -> RefreshToken {
        let pad = self.pad();
        RefreshToken::new(
            self.session_id,
            std::array::from_fn(|i| sealed.0[i] ^ pad[i]),
        )
    }

    fn pad(&self) -> [u8; SECRET_LEN] {
        let mut h = Sha256::new();
        h.update(b"portcullis/refresh-seal/v1\0");
        h.update(self.expose().as_bytes());
        h.finalize().into()
    }
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RefreshToken(session={}, [REDACTED])", self.session_id)
    }
}

impl PartialEq for RefreshToken {
    fn eq(&self, other: &Self) -> bool {
        self.expose()
            .as_bytes()
            .ct_eq(other.expose().as_bytes())
            .into()
    }
}

impl Eq for RefreshToken {}

/// SHA-256 of a refresh token: what stores keep and compare.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RefreshTokenHash([u8; 32]);

impl RefreshTokenHash {
    /// Rebuilds a digest from stored bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The digest.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex, for text stores.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// Parses [`RefreshTokenHash::to_hex`] output.
    pub fn from_hex(s: &str) -> Option<Self> {
        unhex32(s).map(Self)
    }
}

impl fmt::Debug for RefreshTokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RefreshTokenHash({}…)", &self.to_hex()[..8])
    }
}

/// A successor secret sealed with the token it replaced (see the module docs).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SealedSecret([u8; SECRET_LEN]);

impl SealedSecret {
    /// Rebuilds a sealed value from stored bytes.
    pub const fn from_bytes(bytes: [u8; SECRET_LEN]) -> Self {
        Self(bytes)
    }

    /// The sealed bytes.
    pub const fn as_bytes(&self) -> &[u8; SECRET_LEN] {
        &self.0
    }

    /// Lower-case hex, for text stores.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// Parses [`SealedSecret::to_hex`] output.
    pub fn from_hex(s: &str) -> Option<Self> {
        unhex32(s).map(Self)
    }
}

impl fmt::Debug for SealedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealedSecret([REDACTED])")
    }
}

/// A single-use secret handed out in a link (password reset, email verification):
/// 256 bits from the OS CSPRNG, base64url; stores keep only its SHA-256.
#[derive(Clone)]
pub struct OneTimeSecret(SecretString);

impl OneTimeSecret {
    /// Encodes 32 fresh random bytes.
    pub fn new(random: [u8; 32]) -> Self {
        Self(SecretString::from(URL_SAFE_NO_PAD.encode(random)))
    }

    /// Wraps a secret presented by a client (any text; unknown ones simply match
    /// nothing).
    pub fn presented(raw: &str) -> Self {
        Self(SecretString::from(raw.to_owned()))
    }

    /// The text for the link.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The digest stores keep.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.expose().as_bytes()).into()
    }
}

impl fmt::Debug for OneTimeSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeSecret([REDACTED])")
    }
}

/// The claims of an access token that the service sets and reads. `iss` and `aud`
/// are the codec's configuration, checked on every verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    /// `sub`: the user.
    pub user_id: UserId,
    /// `sid`: the session, checked against the deny-list.
    pub session_id: SessionId,
    /// `role` at the time of issue.
    pub role: Role,
    /// `iat` (and `nbf`).
    pub issued_at: Timestamp,
    /// `exp`.
    pub expires_at: Timestamp,
    /// `jti`: unique per token.
    pub token_id: Uuid,
}

/// A signed access token (a compact JWS). Redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token produced by an `AccessTokenCodec`.
    pub fn new(compact: String) -> Self {
        Self(compact)
    }

    /// The compact serialization handed to the client.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(seed: u8) -> RefreshToken {
        RefreshToken::new(SessionId::from_uuid(Uuid::now_v7()), [seed; 32])
    }

    #[test]
    fn round_trips_through_text() {
        let t = token(7);
        let parsed = RefreshToken::parse(t.expose()).unwrap();
        assert_eq!(parsed, t);
        assert_eq!(parsed.session_id(), t.session_id());
        assert_eq!(parsed.hash(), t.hash());
    }

    #[test]
    fn refuses_anything_else() {
        let t = token(1);
        let s = t.expose();
        for bad in [
            "",
            "abc",
            &s[1..],
            &format!("{s}A"),
            &s.replace(&s[..2], "!!"),
            &"A".repeat(64),
        ] {
            assert!(RefreshToken::parse(bad).is_none_or(|p| p != t), "{bad:?}");
        }
        assert!(RefreshToken::parse(&"+".repeat(64)).is_none());
    }

    #[test]
    fn sealed_successor_opens_only_with_the_presented_token() {
        let (old, next) = (token(1), token(2));
        let next = RefreshToken::new(old.session_id(), next.secret);
        let sealed = old.seal(&next);
        assert_eq!(old.open(&sealed), next);
        assert_ne!(sealed.as_bytes(), &next.secret);
        let other = RefreshToken::new(old.session_id(), [9; 32]);
        assert_ne!(other.open(&sealed), next);
    }

    #[test]
    fn debug_is_redacted() {
        let t = token(3);
        assert!(!format!("{t:?}").contains(t.expose()));
    }
}
