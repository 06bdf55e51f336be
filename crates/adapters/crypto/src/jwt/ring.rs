//! The key ring: one signing key, and every verification key by `kid`.
//!
//! With HS256 both are the same secret. With `EdDSA` or `ES256` the private key signs,
//! and its public key and the previous public keys verify, each pinned to the one
//! configured algorithm and published in the JWKS document (current key first).

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};
use sha2::{Digest as _, Sha256};

use super::key::{EdDsaKeys, Es256Keys, KeySet};
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
}

/// Every key of a codec.
pub(super) struct KeyRing {
    signing: SigningKey,
    verifying: HashMap<String, VerifyingKey>,
    /// The public JWKs to publish, current first; empty for a symmetric key.
    jwks: Vec<serde_json::Value>,
}

impl KeyRing {
    pub(super) fn new(key: &JwtKey, issuer: &str, audience: &str) -> Result<Self, JwtConfigError> {
        match key {
            JwtKey::Hs256 { secret } => Self::hs256(secret, issuer, audience),
            JwtKey::EdDsa(EdDsaKeys(set)) | JwtKey::Es256(Es256Keys(set)) => {
                Ok(Self::asymmetric(set, issuer, audience))
            }
        }
    }

    fn hs256(secret: &[u8], issuer: &str, audience: &str) -> Result<Self, JwtConfigError> {
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
        };
        Ok(Self {
            signing: SigningKey {
                alg: Algorithm::HS256,
                kid: kid.clone(),
                key: EncodingKey::from_secret(secret),
            },
            verifying: HashMap::from([(kid, verifying)]),
            jwks: Vec::new(),
        })
    }

    /// Every key of `set` is of one algorithm (checked when it was decoded), so one
    /// `alg` is pinned for the whole ring.
    fn asymmetric(set: &KeySet, issuer: &str, audience: &str) -> Self {
        let algorithm = set.current.algorithm();
        let alg = algorithm.jose();
        let mut verifying = HashMap::with_capacity(1 + set.previous.len());
        let mut jwks = Vec::with_capacity(1 + set.previous.len());
        for public in std::iter::once(&set.current).chain(&set.previous) {
            jwks.push(public.jwk());
            verifying.insert(
                public.thumbprint(),
                VerifyingKey {
                    alg_name: algorithm.as_str(),
                    key: public.decoding_key(),
                    validation: validation(alg, issuer, audience),
                },
            );
        }
        Self {
            signing: SigningKey {
                alg,
                kid: set.current.thumbprint(),
                key: set.signing.clone(),
            },
            verifying,
            jwks,
        }
    }

    pub(super) const fn signing(&self) -> &SigningKey {
        &self.signing
    }

    pub(super) fn verifying(&self, kid: &str) -> Option<&VerifyingKey> {
        self.verifying.get(kid)
    }

    /// The JWK Set of the publishable keys: current first, then the previous ones in
    /// the configured order; `{"keys":[]}` for HS256.
    pub(super) fn jwks_json(&self) -> String {
        serde_json::json!({ "keys": self.jwks }).to_string()
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
