//! [`JwtKey`]: what a codec signs and verifies with, and the asymmetric key sets built
//! from PEM files (a PKCS#8 private key, plus the SPKI public keys of a rotation).

use std::fmt;
use std::str::FromStr;

use jsonwebtoken::{Algorithm, EncodingKey};

use super::JwtConfigError;

mod decode;
mod public;

pub(crate) use public::PublicKey;

/// The keys a [`JwtCodec`](super::JwtCodec) signs and verifies with.
///
/// HS256 uses one shared secret. `EdDSA` and `ES256` sign with a private key and verify
/// with its public key and any previous public keys still trusted during a rotation;
/// build them with [`JwtKey::from_pem`]. Every asymmetric key is named by its RFC 7638
/// thumbprint (`kid`) and published in the JWKS document.
#[derive(Clone)]
#[non_exhaustive]
pub enum JwtKey {
    /// HMAC-SHA-256 with a shared secret of at least 32 bytes (`JWT_SECRET`).
    Hs256 {
        /// The secret. Never logged; `Debug` shows only its length.
        secret: Vec<u8>,
    },
    /// `EdDSA` with Ed25519 keys (RFC 8037).
    EdDsa(EdDsaKeys),
    /// `ES256`: ECDSA over P-256 with SHA-256 (RFC 7518 §3.4).
    Es256(Es256Keys),
}

/// An asymmetric signing algorithm (`JWT_ALGORITHM` other than `HS256`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AsymmetricAlgorithm {
    /// `EdDSA` over Ed25519.
    EdDsa,
    /// `ES256`: ECDSA over P-256 with SHA-256.
    Es256,
}

/// Ed25519 keys for [`JwtKey::EdDsa`]; built only by [`JwtKey::from_pem`].
#[derive(Clone)]
pub struct EdDsaKeys(pub(crate) KeySet);

/// P-256 keys for [`JwtKey::Es256`]; built only by [`JwtKey::from_pem`].
#[derive(Clone)]
pub struct Es256Keys(pub(crate) KeySet);

/// A decoded, validated asymmetric key ring: every key is of one algorithm.
#[derive(Clone)]
pub(crate) struct KeySet {
    /// The private key, as the PKCS#8 DER jsonwebtoken signs with (zeroized on drop).
    pub(crate) signing: EncodingKey,
    /// The public half of `signing`.
    pub(crate) current: PublicKey,
    /// Previous public keys that still verify, in the order given, without duplicates.
    pub(crate) previous: Vec<PublicKey>,
}

impl JwtKey {
    /// Shortest HS256 secret accepted, in bytes (SPEC §2: the server refuses to start).
    pub const MIN_HS256_SECRET_BYTES: usize = 32;

    /// Builds an asymmetric key from PEM files: `private_pem` is the unencrypted PKCS#8
    /// signing key (`-----BEGIN PRIVATE KEY-----`, as written by `openssl genpkey` or
    /// [`generate_keypair`](super::generate_keypair)); each of `verify_pems` is a
    /// previous SPKI public key (`-----BEGIN PUBLIC KEY-----`) whose tokens must keep
    /// verifying during a rotation. A verify key equal to the signing key's public half,
    /// or repeated, is kept once.
    ///
    /// # Errors
    /// [`JwtConfigError::PrivateKey`] or [`JwtConfigError::VerifyKey`] (with the
    /// 1-based position in `verify_pems`) when a file is not exactly one PEM block of
    /// the right kind, is not a valid key, or is a key of another algorithm than
    /// `algorithm` (mixing algorithms in one ring is refused).
    pub fn from_pem(
        algorithm: AsymmetricAlgorithm,
        private_pem: &[u8],
        verify_pems: &[Vec<u8>],
    ) -> Result<Self, JwtConfigError> {
        let (pkcs8, current) =
            decode::private_key(algorithm, private_pem).map_err(JwtConfigError::PrivateKey)?;
        let mut previous: Vec<PublicKey> = Vec::with_capacity(verify_pems.len());
        for (index, pem) in verify_pems.iter().enumerate() {
            let key = decode::public_key(algorithm, pem).map_err(|problem| {
                JwtConfigError::VerifyKey {
                    position: index + 1,
                    problem,
                }
            })?;
            if key != current && !previous.contains(&key) {
                previous.push(key);
            }
        }
        let set = |signing| KeySet {
            signing,
            current,
            previous,
        };
        Ok(match algorithm {
            AsymmetricAlgorithm::EdDsa => {
                Self::EdDsa(EdDsaKeys(set(EncodingKey::from_ed_der(&pkcs8))))
            }
            AsymmetricAlgorithm::Es256 => {
                Self::Es256(Es256Keys(set(EncodingKey::from_ec_der(&pkcs8))))
            }
        })
    }

    /// The JOSE `alg` this key signs with: `HS256`, `EdDSA` or `ES256`.
    pub const fn algorithm_name(&self) -> &'static str {
        match self {
            Self::Hs256 { .. } => "HS256",
            Self::EdDsa(_) => AsymmetricAlgorithm::EdDsa.as_str(),
            Self::Es256(_) => AsymmetricAlgorithm::Es256.as_str(),
        }
    }
}

impl fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hs256 { secret } => write!(f, "Hs256([REDACTED; {} bytes])", secret.len()),
            Self::EdDsa(keys) => f.debug_tuple("EdDsa").field(keys).finish(),
            Self::Es256(keys) => f.debug_tuple("Es256").field(keys).finish(),
        }
    }
}

impl fmt::Debug for EdDsaKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for Es256Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for KeySet {
    /// Only the `kid`s: public, and enough to tell which keys are loaded.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let previous: Vec<String> = self.previous.iter().map(PublicKey::thumbprint).collect();
        f.debug_struct("Keys")
            .field("private_key", &"[REDACTED]")
            .field("kid", &self.current.thumbprint())
            .field("previous_kids", &previous)
            .finish()
    }
}

impl AsymmetricAlgorithm {
    /// The JOSE name, as written in the `alg` header and the JWK: `EdDSA` or `ES256`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::EdDsa => "EdDSA",
            Self::Es256 => "ES256",
        }
    }

    /// The key type, for messages: `Ed25519` or `P-256`.
    pub(crate) const fn key_kind(self) -> &'static str {
        match self {
            Self::EdDsa => "Ed25519",
            Self::Es256 => "P-256",
        }
    }

    pub(crate) const fn jose(self) -> Algorithm {
        match self {
            Self::EdDsa => Algorithm::EdDSA,
            Self::Es256 => Algorithm::ES256,
        }
    }

    /// The other supported algorithm, to name it when a key of it is given by mistake.
    const fn other(self) -> Self {
        match self {
            Self::EdDsa => Self::Es256,
            Self::Es256 => Self::EdDsa,
        }
    }
}

impl fmt::Display for AsymmetricAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not `EdDSA` or `ES256` (in any case).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown asymmetric JWT algorithm {0:?}: expected EdDSA or ES256")]
pub struct UnknownAlgorithm(String);

impl FromStr for AsymmetricAlgorithm {
    type Err = UnknownAlgorithm;

    /// Parses `EdDSA` or `ES256`, case-insensitively (`--algorithm eddsa` works).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("EdDSA") {
            Ok(Self::EdDsa)
        } else if s.eq_ignore_ascii_case("ES256") {
            Ok(Self::Es256)
        } else {
            Err(UnknownAlgorithm(s.chars().take(32).collect()))
        }
    }
}
