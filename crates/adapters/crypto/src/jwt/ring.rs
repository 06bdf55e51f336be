//! The key ring: one signing key, and every verification key by `kid`.
//!
//! With HS256 both are the same secret. Asymmetric algorithms will add their public
//! keys (current and previous) to `verifying`, each with its JWK for the JWKS document.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};
use sha2::{Digest as _, Sha256};

use super::{JwtConfigError, JwtKey};

/// The key new tokens are signed with.
pub(super) struct SigningKey {
    pub(super) alg: Algorithm,
    pub(super) kid: String,
    pub(super) key: EncodingKey,
}

/// A key that verifies tokens carrying its `kid`, with its pinned validation rules.
pub(super) struct VerifyingKey {
    /// The one `alg` header value this key accepts (exact, case-sensitive).
    pub(super) alg_name: &'static str,
    pub(super) key: DecodingKey,
    pub(super) validation: Validation,
    /// The public JWK to publish; `None` for a symmetric key (never published).
    jwk: Option<serde_json::Value>,
}

/// Every key of a codec.
pub(super) struct KeyRing {
    signing: SigningKey,
    verifying: HashMap<String, VerifyingKey>,
}

impl KeyRing {
    pub(super) fn new(key: &JwtKey, issuer: &str, audience: &str) -> Result<Self, JwtConfigError> {
        match key {
            JwtKey::Hs256 { secret } => {
                if secret.len() < JwtKey::MIN_HS256_SECRET_BYTES {
                    return Err(JwtConfigError::SecretTooShort {
                        min: JwtKey::MIN_HS256_SECRET_BYTES,
                        got: secret.len(),
                    });
                }
                let kid = hs256_kid(secret);
                let verifying = VerifyingKey {
                    alg_name: "HS256",
                    key: DecodingKey::from_secret(secret),
                    validation: validation(Algorithm::HS256, issuer, audience),
                    jwk: None,
                };
                Ok(Self {
                    signing: SigningKey {
                        alg: Algorithm::HS256,
                        kid: kid.clone(),
                        key: EncodingKey::from_secret(secret),
                    },
                    verifying: HashMap::from([(kid, verifying)]),
                })
            }
        }
    }

    pub(super) const fn signing(&self) -> &SigningKey {
        &self.signing
    }

    pub(super) fn verifying(&self, kid: &str) -> Option<&VerifyingKey> {
        self.verifying.get(kid)
    }

    /// The JWK Set of the publishable keys: `{"keys":[]}` for HS256.
    pub(super) fn jwks_json(&self) -> String {
        let keys: Vec<&serde_json::Value> = self
            .verifying
            .values()
            .filter_map(|k| k.jwk.as_ref())
            .collect();
        serde_json::json!({ "keys": keys }).to_string()
    }
}

/// The `kid` of an HS256 secret: base64url of the first 16 bytes of
/// SHA-256(`"portcullis/kid"` ‖ secret).
///
/// Stable across restarts and instances sharing the secret, and changes when the secret
/// rotates. It is not an RFC 7638 thumbprint: that is defined over a published JWK, and
/// a symmetric key is never published; the domain tag keeps the value from being a
/// plain hash of the secret.
pub(super) fn hs256_kid(secret: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(b"portcullis/kid")
        .chain_update(secret)
        .finalize();
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// The library-side checks: the pinned algorithm, signature, presence of the registered
/// claims, `iss` and `aud`. Time is checked by the codec against the caller's `now`.
fn validation(alg: Algorithm, issuer: &str, audience: &str) -> Validation {
    let mut v = Validation::new(alg);
    v.validate_exp = false;
    v.validate_nbf = false;
    v.leeway = 0;
    v.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
    v.set_issuer(&[issuer]);
    v.set_audience(&[audience]);
    v
}
