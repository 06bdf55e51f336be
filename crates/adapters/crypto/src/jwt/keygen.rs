//! [`generate_keypair`]: new signing keys for operators (`portcullis keygen`).

use aws_lc_rs::agreement::{ECDH_P256, PrivateKey as EcdhPrivateKey};
use aws_lc_rs::encoding::{AsDer as _, Pkcs8V1Der};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _,
};
use zeroize::Zeroizing;

use super::AsymmetricAlgorithm;

/// Draws of a P-256 scalar before giving up: one draw fails (falls outside the group
/// order) with probability below 2⁻³², so a second failure means a broken source.
const P256_DRAWS: usize = 4;

/// Why a key pair could not be generated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeygenError {
    /// The operating system's random source failed.
    #[error("the OS random source failed: {0}")]
    Random(getrandom::Error),
    /// The crypto library refused the key material or could not encode it.
    #[error("the key pair could not be built or encoded ({0})")]
    Crypto(&'static str),
}

/// Generates a key pair for `algorithm` from the operating system's CSPRNG.
///
/// Returns `(private, public)`: the private key as an unencrypted PKCS#8 PEM
/// (`-----BEGIN PRIVATE KEY-----`, for `JWT_PRIVATE_KEY`; store it with mode 0600) and
/// its public key as an SPKI PEM (`-----BEGIN PUBLIC KEY-----`, for `JWT_VERIFY_KEYS`
/// on a later rotation). Both load back with [`JwtKey::from_pem`](super::JwtKey::from_pem)
/// and with OpenSSL. Lines end with `\n`.
///
/// # Errors
/// [`KeygenError`] when the OS random source fails or the crypto library refuses the
/// key (neither happens on a working system).
pub fn generate_keypair(algorithm: AsymmetricAlgorithm) -> Result<(String, String), KeygenError> {
    let (pkcs8, spki) = match algorithm {
        AsymmetricAlgorithm::EdDsa => ed25519()?,
        AsymmetricAlgorithm::Es256 => p256()?,
    };
    Ok((pem("PRIVATE KEY", &pkcs8), pem("PUBLIC KEY", &spki)))
}

/// (PKCS#8 v1 DER, SPKI DER) of a new Ed25519 key: the 32-byte seed is the private key.
fn ed25519() -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), KeygenError> {
    let seed = os_random_32()?;
    let pair = Ed25519KeyPair::from_seed_unchecked(seed.as_slice())
        .map_err(|_| KeygenError::Crypto("Ed25519 seed"))?;
    let pkcs8 = pair
        .to_pkcs8v1()
        .map_err(|_| KeygenError::Crypto("Ed25519 PKCS#8"))?;
    let spki = pair
        .public_key()
        .as_der()
        .map_err(|_| KeygenError::Crypto("Ed25519 SPKI"))?;
    Ok((
        Zeroizing::new(pkcs8.as_ref().to_vec()),
        spki.as_ref().to_vec(),
    ))
}

/// (PKCS#8 v1 DER, SPKI DER) of a new P-256 key: a scalar drawn uniformly in
/// `[1, n-1]` by rejection (aws-lc refuses 0 and anything ≥ the group order).
fn p256() -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), KeygenError> {
    for _ in 0..P256_DRAWS {
        let scalar = os_random_32()?;
        let Ok(key) = EcdhPrivateKey::from_private_key(&ECDH_P256, scalar.as_slice()) else {
            continue;
        };
        // The PKCS#8 of an EC key names the curve, not a use: the ECDH key's document
        // is the ECDSA key's document.
        let der: Pkcs8V1Der<'static> = key
            .as_der()
            .map_err(|_| KeygenError::Crypto("P-256 PKCS#8"))?;
        let pkcs8 = Zeroizing::new(der.as_ref().to_vec());
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &pkcs8)
            .map_err(|_| KeygenError::Crypto("P-256 key pair"))?;
        let spki = pair
            .public_key()
            .as_der()
            .map_err(|_| KeygenError::Crypto("P-256 SPKI"))?;
        return Ok((pkcs8, spki.as_ref().to_vec()));
    }
    Err(KeygenError::Crypto("no valid P-256 scalar drawn"))
}

fn os_random_32() -> Result<Zeroizing<[u8; 32]>, KeygenError> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut_slice()).map_err(KeygenError::Random)?;
    Ok(bytes)
}

fn pem(label: &str, der: &[u8]) -> String {
    let block = ::pem::Pem::new(label, der);
    ::pem::encode_config(
        &block,
        ::pem::EncodeConfig::new().set_line_ending(::pem::LineEnding::LF),
    )
}
