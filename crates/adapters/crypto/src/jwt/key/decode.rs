//! PEM files to validated keys, with aws-lc-rs (jsonwebtoken's own backend) doing all
//! the DER parsing and the key checks: on-curve points, private/public consistency in a
//! PKCS#8 v2 document, the named curve.

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, ED25519, EcdsaKeyPair,
    Ed25519KeyPair, KeyPair as _, ParsedPublicKey,
};
use zeroize::Zeroizing;

use super::{AsymmetricAlgorithm, PublicKey};
use crate::jwt::PemKeyError;

/// DER `SubjectPublicKeyInfo` header of an Ed25519 key (RFC 8410 §4): the raw 32-byte
/// key follows.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// DER `SubjectPublicKeyInfo` header of a P-256 key (RFC 5480: id-ecPublicKey,
/// prime256v1), up to the uncompressed point `04 || x || y` that follows.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

const PRIVATE_LABEL: &str = "PRIVATE KEY";
const PUBLIC_LABEL: &str = "PUBLIC KEY";

/// Decodes a PKCS#8 private key of `algorithm`: its DER (for signing) and its public half.
pub(super) fn private_key(
    algorithm: AsymmetricAlgorithm,
    pem: &[u8],
) -> Result<(Zeroizing<Vec<u8>>, PublicKey), PemKeyError> {
    let block = single_block(pem)?;
    match block.tag() {
        PRIVATE_LABEL => {}
        "EC PRIVATE KEY" => return Err(PemKeyError::Sec1PrivateKey),
        "ENCRYPTED PRIVATE KEY" => return Err(PemKeyError::EncryptedPrivateKey),
        found => {
            return Err(PemKeyError::WrongLabel {
                expected: PRIVATE_LABEL,
                found: label(found),
            });
        }
    }
    let der = Zeroizing::new(block.into_contents());
    match public_half(algorithm, &der) {
        Some(public) => Ok((der, public)),
        None if public_half(algorithm.other(), &der).is_some() => {
            Err(PemKeyError::AlgorithmMismatch {
                expected: algorithm,
                found: algorithm.other(),
            })
        }
        None => Err(PemKeyError::Invalid(algorithm)),
    }
}

/// Decodes an SPKI public key of `algorithm`.
pub(super) fn public_key(
    algorithm: AsymmetricAlgorithm,
    pem: &[u8],
) -> Result<PublicKey, PemKeyError> {
    let block = single_block(pem)?;
    match block.tag() {
        PUBLIC_LABEL => {}
        "PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => {
            return Err(PemKeyError::PrivateWhereOnlyPublic);
        }
        found => {
            return Err(PemKeyError::WrongLabel {
                expected: PUBLIC_LABEL,
                found: label(found),
            });
        }
    }
    let der = block.contents();
    match spki(algorithm, der) {
        Ok(key) => Ok(key),
        Err(PemKeyError::Invalid(_)) if spki(algorithm.other(), der).is_ok() => {
            Err(PemKeyError::AlgorithmMismatch {
                expected: algorithm,
                found: algorithm.other(),
            })
        }
        Err(e) => Err(e),
    }
}

fn single_block(pem: &[u8]) -> Result<::pem::Pem, PemKeyError> {
    let mut blocks = ::pem::parse_many(pem).map_err(|_| PemKeyError::NotPem)?;
    match blocks.len() {
        0 => Err(PemKeyError::NotPem),
        1 => blocks.pop().ok_or(PemKeyError::NotPem),
        n => Err(PemKeyError::BlockCount(n)),
    }
}

/// A PEM label as shown in an error: bounded, never key content.
fn label(found: &str) -> String {
    found.chars().take(40).collect()
}

/// The public key of a PKCS#8 document, when it is a valid private key of `algorithm`.
fn public_half(algorithm: AsymmetricAlgorithm, pkcs8: &[u8]) -> Option<PublicKey> {
    match algorithm {
        AsymmetricAlgorithm::EdDsa => {
            let pair = Ed25519KeyPair::from_pkcs8(pkcs8).ok()?;
            PublicKey::from_ed25519(pair.public_key().as_ref())
        }
        AsymmetricAlgorithm::Es256 => {
            let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8).ok()?;
            PublicKey::from_p256_point(pair.public_key().as_ref())
        }
    }
}

/// A DER `SubjectPublicKeyInfo` of `algorithm`. aws-lc-rs parses and validates it; the
/// raw key is then read from its canonical re-encoding, whose layout is fixed (a
/// compressed P-256 point comes back uncompressed).
fn spki(algorithm: AsymmetricAlgorithm, der: &[u8]) -> Result<PublicKey, PemKeyError> {
    let invalid = PemKeyError::Invalid(algorithm);
    let (verification, prefix): (
        &'static dyn aws_lc_rs::signature::VerificationAlgorithm,
        &[u8],
    ) = match algorithm {
        AsymmetricAlgorithm::EdDsa => (&ED25519, &ED25519_SPKI_PREFIX),
        AsymmetricAlgorithm::Es256 => (&ECDSA_P256_SHA256_FIXED, &P256_SPKI_PREFIX),
    };
    // aws-lc-rs also takes a bare key (32 raw bytes, a SEC1 point) and ignores bytes
    // after the SPKI; a PUBLIC KEY block must hold one SPKI and nothing else: a DER
    // SEQUENCE (a SEC1 point never starts like one) whose short-form length, as for
    // every Ed25519 or P-256 SPKI, covers the whole block.
    let [0x30, length, ..] = *der else {
        return Err(invalid);
    };
    if length >= 0x80 || usize::from(length) + 2 != der.len() {
        return Err(invalid);
    }
    let parsed = ParsedPublicKey::new(verification, der).map_err(|_| invalid.clone())?;
    let canonical = parsed.as_der().map_err(|_| invalid.clone())?;
    // An Ed25519 SPKI has one encoding: anything else was taken as a raw key.
    if algorithm == AsymmetricAlgorithm::EdDsa && canonical.as_ref() != der {
        return Err(invalid);
    }
    let raw = canonical
        .as_ref()
        .strip_prefix(prefix)
        .ok_or(invalid.clone())?;
    match algorithm {
        AsymmetricAlgorithm::EdDsa => PublicKey::from_ed25519(raw),
        AsymmetricAlgorithm::Es256 => PublicKey::from_p256_point(raw),
    }
    .ok_or(invalid)
}
