//! `ChaChaSealer`: ChaCha20-Poly1305 for secrets at rest. The output is
//! `nonce (12 bytes) ‖ ciphertext ‖ tag`, with a fresh random nonce per seal.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use portcullis_domain::ports::SecretSealer;

const NONCE_LEN: usize = 12;

/// Seals with a 256-bit key from configuration (`MFA_ENCRYPTION_KEY`).
pub struct ChaChaSealer {
    cipher: ChaCha20Poly1305,
}

impl ChaChaSealer {
    /// A sealer with this key.
    pub fn new(key: [u8; 32]) -> Self {
        Self {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&key)),
        }
    }
}

impl std::fmt::Debug for ChaChaSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChaChaSealer([REDACTED])")
    }
}

impl SecretSealer for ChaChaSealer {
    fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, anyhow::Error> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain)
            .map_err(|_| anyhow::anyhow!("sealing failed"))?;
        Ok([nonce.as_slice(), sealed.as_slice()].concat())
    }

    fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, anyhow::Error> {
        if sealed.len() < NONCE_LEN + 16 {
            anyhow::bail!("sealed secret too short");
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| {
                anyhow::anyhow!(
                    "sealed secret does not open with this key (altered, or another key)"
                )
            })
    }
}

/// A sealer that refuses to seal: MFA enrolment answers 503 until a key is configured.
#[derive(Debug, Default)]
pub struct NoSealer;

impl SecretSealer for NoSealer {
    fn seal(&self, _: &[u8]) -> Result<Vec<u8>, anyhow::Error> {
        anyhow::bail!("MFA_ENCRYPTION_KEY is not set: TOTP secrets cannot be stored")
    }

    fn open(&self, _: &[u8]) -> Result<Vec<u8>, anyhow::Error> {
        anyhow::bail!("MFA_ENCRYPTION_KEY is not set: TOTP secrets cannot be read")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_opens_and_detects_tampering_and_other_keys() {
        let sealer = ChaChaSealer::new([7; 32]);
        let a = sealer.seal(b"totp seed").unwrap();
        let b = sealer.seal(b"totp seed").unwrap();
        assert_ne!(a, b, "fresh nonce per seal");
        assert!(!a.windows(9).any(|w| w == b"totp seed"), "not in plain");
        assert_eq!(sealer.open(&a).unwrap(), b"totp seed");
        let mut tampered = a.clone();
        tampered[20] ^= 1;
        assert!(sealer.open(&tampered).is_err());
        assert!(ChaChaSealer::new([8; 32]).open(&a).is_err());
        assert!(sealer.open(&a[..10]).is_err());
        assert!(NoSealer.seal(b"x").is_err());
    }
}
