//! A public key of the ring: its RFC 7638 thumbprint (the `kid`), its JWK (RFC 7517,
//! RFC 8037 for Ed25519) and the jsonwebtoken key that verifies with it.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::DecodingKey;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::AsymmetricAlgorithm;

/// The raw public key material, validated when it was decoded.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum PublicKey {
    /// An Ed25519 public key (`x` of an `OKP` JWK).
    Ed25519 { x: [u8; 32] },
    /// A P-256 point, by its affine coordinates (big-endian, 32 bytes each).
    P256 { x: [u8; 32], y: [u8; 32] },
}

impl PublicKey {
    /// From the 32 raw bytes of an Ed25519 key.
    pub(crate) fn from_ed25519(raw: &[u8]) -> Option<Self> {
        Some(Self::Ed25519 {
            x: raw.try_into().ok()?,
        })
    }

    /// From an uncompressed SEC1 point `04 || x || y`.
    pub(crate) fn from_p256_point(point: &[u8]) -> Option<Self> {
        let (&tag, coordinates) = point.split_first()?;
        if tag != 0x04 || coordinates.len() != 64 {
            return None;
        }
        let (x, y) = coordinates.split_at(32);
        Some(Self::P256 {
            x: x.try_into().ok()?,
            y: y.try_into().ok()?,
        })
    }

    pub(crate) const fn algorithm(&self) -> AsymmetricAlgorithm {
        match self {
            Self::Ed25519 { .. } => AsymmetricAlgorithm::EdDsa,
            Self::P256 { .. } => AsymmetricAlgorithm::Es256,
        }
    }

    /// The RFC 7638 JWK thumbprint: base64url(SHA-256) of the required members in
    /// lexicographic order, without whitespace. Used as the `kid`.
    pub(crate) fn thumbprint(&self) -> String {
        // The values are base64url, so they need no JSON escaping.
        let canonical = match self {
            Self::Ed25519 { x } => format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, b64(x)),
            Self::P256 { x, y } => format!(
                r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
                b64(x),
                b64(y)
            ),
        };
        URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
    }

    /// The public JWK as published in the JWKS document.
    pub(crate) fn jwk(&self) -> Value {
        let alg = self.algorithm().as_str();
        let kid = self.thumbprint();
        match self {
            Self::Ed25519 { x } => json!({
                "kty": "OKP", "crv": "Ed25519", "x": b64(x),
                "kid": kid, "alg": alg, "use": "sig",
            }),
            Self::P256 { x, y } => json!({
                "kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y),
                "kid": kid, "alg": alg, "use": "sig",
            }),
        }
    }

    /// The key jsonwebtoken verifies with: the raw Ed25519 key, or the uncompressed
    /// P-256 point (what its own `from_jwk` builds).
    pub(crate) fn decoding_key(&self) -> DecodingKey {
        match self {
            Self::Ed25519 { x } => DecodingKey::from_ed_der(x),
            Self::P256 { x, y } => {
                let mut point = Vec::with_capacity(65);
                point.push(0x04);
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                DecodingKey::from_ec_der(&point)
            }
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}
