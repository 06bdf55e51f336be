//! Why JWT keys could not be loaded: start-up errors for the operator.
//!
//! Policy: every message names the setting at fault and what to do about it, and never
//! carries key material (no PEM, no DER, no secret bytes), only labels, sizes and kinds.

use super::AsymmetricAlgorithm;

/// Why a [`JwtCodec`](super::JwtCodec) or a [`JwtKey`](super::JwtKey) could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JwtConfigError {
    /// The HS256 secret is shorter than [`JwtKey::MIN_HS256_SECRET_BYTES`](super::JwtKey::MIN_HS256_SECRET_BYTES).
    #[error("JWT_SECRET must be at least {min} bytes, got {got}")]
    SecretTooShort {
        /// The required minimum.
        min: usize,
        /// The length given.
        got: usize,
    },
    /// The issuer or the audience is empty.
    #[error("the JWT {0} must not be empty")]
    EmptyClaim(&'static str),
    /// The private signing key (`JWT_PRIVATE_KEY`) cannot be used.
    #[error("JWT_PRIVATE_KEY: {0}")]
    PrivateKey(PemKeyError),
    /// One of the previous public keys (`JWT_VERIFY_KEYS`) cannot be used.
    #[error("JWT_VERIFY_KEYS (entry {position}): {problem}")]
    VerifyKey {
        /// 1-based position of the key in the list given.
        position: usize,
        /// What is wrong with it.
        problem: PemKeyError,
    },
}

/// What is wrong with one PEM key file. Carries no key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PemKeyError {
    /// The bytes are not a PEM document.
    #[error("not a PEM file (expected `-----BEGIN ...-----` armour)")]
    NotPem,
    /// The file holds several PEM blocks; exactly one key per file is accepted.
    #[error("expected exactly one PEM block, found {0}")]
    BlockCount(usize),
    /// A SEC1 `EC PRIVATE KEY` where PKCS#8 is expected.
    #[error(
        "this is a SEC1 `EC PRIVATE KEY`; convert it to PKCS#8 with \
         `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pkcs8.pem`"
    )]
    Sec1PrivateKey,
    /// A passphrase-protected private key.
    #[error(
        "encrypted private keys are not supported; store the key unencrypted with file \
         permissions 0600 (`openssl pkcs8 -topk8 -nocrypt`)"
    )]
    EncryptedPrivateKey,
    /// A private key where only a public key belongs.
    #[error(
        "this is a private key; verify keys must be public keys (`BEGIN PUBLIC KEY`): \
         derive one with `openssl pkey -in key.pem -pubout` and keep the private key off \
         this list"
    )]
    PrivateWhereOnlyPublic,
    /// Another PEM label than the one expected.
    #[error("expected a `-----BEGIN {expected}-----` block, found `{found}`")]
    WrongLabel {
        /// The label required here.
        expected: &'static str,
        /// The label found (a PEM label, never key content).
        found: String,
    },
    /// A valid key of the other supported algorithm.
    #[error(
        "this is an {found} key but JWT_ALGORITHM is {expected}; every key of the ring \
         must use the configured algorithm (mixing algorithms during a rotation is not \
         supported)"
    )]
    AlgorithmMismatch {
        /// The configured algorithm.
        expected: AsymmetricAlgorithm,
        /// The algorithm of the key found.
        found: AsymmetricAlgorithm,
    },
    /// Not a valid key of the configured algorithm (corrupt, another curve, RSA, ...).
    #[error("not a valid {kind} key for {0}", kind = .0.key_kind())]
    Invalid(AsymmetricAlgorithm),
}
