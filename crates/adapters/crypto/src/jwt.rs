//! [`JwtCodec`]: access tokens as compact JWS (SPEC §2), with jsonwebtoken: HS256 with a
//! shared secret, or `EdDSA` / `ES256` with a PEM key pair whose public keys (current and
//! previous, named by their RFC 7638 thumbprint) are published as a JWK Set.
//!
//! Verification is deliberately narrower than the JOSE specs: a token is exactly three
//! base64url segments of at most 8 KiB; its header holds `alg`, `typ: "JWT"` and a
//! known `kid`, nothing else (no key-bearing `jku`/`jwk`/`x5u`/`x5c`, no `crit`); the
//! algorithm is pinned to the key the `kid` names. Time claims are checked against the
//! `now` the caller passes (jsonwebtoken's own clock checks are off), so tests and the
//! service agree on one clock. Every refusal is the same [`InvalidAccessToken`]; the
//! reason goes to a debug log, never the token.

use std::fmt;
use std::time::Duration;

use anyhow::Context as _;
use jsonwebtoken::Header;
use portcullis_domain::Timestamp;
use portcullis_domain::ports::{AccessTokenCodec, InvalidAccessToken};
use portcullis_domain::token::{AccessClaims, AccessToken};

mod error;
mod key;
mod keygen;
mod ring;
mod wire;

#[cfg(test)]
mod tests;

pub use error::{JwtConfigError, PemKeyError};
pub use key::{AsymmetricAlgorithm, EdDsaKeys, Es256Keys, JwtKey, UnknownAlgorithm};
pub use keygen::{KeygenError, generate_keypair};
use ring::KeyRing;
use wire::{Refusal, WireClaims};

/// Longest token accepted, checked before any parsing (a real one is under 1 KiB).
pub(crate) const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// How a [`JwtCodec`] signs and what it accepts.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// `iss` set on every token and required on verification.
    pub issuer: String,
    /// `aud` set on every token and required on verification.
    pub audience: String,
    /// Clock skew allowed on `exp`, `nbf` and `iat` (`JWT_LEEWAY`, default 30 s).
    pub leeway: Duration,
    /// The signing key and the keys that verify.
    pub key: JwtKey,
}

impl JwtConfig {
    /// The leeway of SPEC §7 when `JWT_LEEWAY` is unset.
    pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);
}

/// Signs and verifies access tokens ([`AccessTokenCodec`]).
pub struct JwtCodec {
    issuer: String,
    audience: String,
    leeway_secs: i64,
    keys: KeyRing,
    jwks: String,
}

impl JwtCodec {
    /// Builds a codec from its configuration.
    ///
    /// # Errors
    /// [`JwtConfigError`] for a secret under 32 bytes or an empty issuer or audience
    /// (PEM keys were checked when their [`JwtKey`] was built).
    pub fn new(config: JwtConfig) -> Result<Self, JwtConfigError> {
        if config.issuer.is_empty() {
            return Err(JwtConfigError::EmptyClaim("issuer"));
        }
        if config.audience.is_empty() {
            return Err(JwtConfigError::EmptyClaim("audience"));
        }
        let keys = KeyRing::new(&config.key, &config.issuer, &config.audience)?;
        let jwks = keys.jwks_json();
        Ok(Self {
            leeway_secs: i64::try_from(config.leeway.as_secs()).unwrap_or(i64::MAX),
            issuer: config.issuer,
            audience: config.audience,
            keys,
            jwks,
        })
    }

    /// The `kid` new tokens are signed with.
    pub fn current_kid(&self) -> &str {
        &self.keys.signing().kid
    }

    fn check(&self, token: &str, now: Timestamp) -> Result<AccessClaims, Refusal> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Refusal::TooLong);
        }
        let header = wire::parse_header(token)?;
        let key = self
            .keys
            .verifying(&header.kid)
            .ok_or(Refusal::UnknownKid)?;
        if header.alg != key.alg_name {
            return Err(Refusal::AlgorithmNotAllowed);
        }
        let data = jsonwebtoken::decode::<WireClaims>(token, &key.key, &key.validation)
            .map_err(|e| Refusal::from_library(e.kind()))?;
        data.claims.into_access_claims(now, self.leeway_secs)
    }
}

impl AccessTokenCodec for JwtCodec {
    fn sign(&self, claims: &AccessClaims) -> Result<AccessToken, anyhow::Error> {
        let key = self.keys.signing();
        let mut header = Header::new(key.alg);
        header.kid = Some(key.kid.clone());
        let wire = WireClaims::from_access_claims(claims, &self.issuer, &self.audience);
        jsonwebtoken::encode(&header, &wire, &key.key)
            .map(AccessToken::new)
            .context("signing an access token")
    }

    fn verify(&self, token: &str, now: Timestamp) -> Result<AccessClaims, InvalidAccessToken> {
        self.check(token, now).map_err(|reason| {
            tracing::debug!(%reason, "access token refused");
            InvalidAccessToken
        })
    }

    fn jwks_json(&self) -> String {
        self.jwks.clone()
    }
}

impl fmt::Debug for JwtCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtCodec")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("leeway_secs", &self.leeway_secs)
            .field("kid", &self.current_kid())
            .finish_non_exhaustive()
    }
}
