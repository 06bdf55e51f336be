//! `AccessTokenCodec`: signing and verifying access tokens, publishing public keys.

use crate::Timestamp;
use crate::token::{AccessClaims, AccessToken};

/// Any reason an access token is refused. Deliberately carries no detail: every bad
/// token gets the same answer (no oracle). Adapters log the reason at debug level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid access token")]
pub struct InvalidAccessToken;

/// Signs and verifies access tokens (JWS).
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait AccessTokenCodec: Send + Sync + 'static {
    /// Signs claims with the current key; the header carries its `kid`.
    ///
    /// # Errors
    /// Only a signing-library failure (a bug or a broken key).
    fn sign(&self, claims: &AccessClaims) -> Result<AccessToken, anyhow::Error>;

    /// Verifies a compact token at `now`: the configured algorithm only (never `none`,
    /// never another family), a known `kid`, the signature, `iss`, `aud`, `exp`
    /// (required), `nbf` — with the configured leeway.
    ///
    /// # Errors
    /// [`InvalidAccessToken`] for every failure.
    fn verify(&self, token: &str, now: Timestamp) -> Result<AccessClaims, InvalidAccessToken>;

    /// The JWK Set (RFC 7517) of the public keys that verify, as JSON text; an empty
    /// set for symmetric signing.
    fn jwks_json(&self) -> String;
}
