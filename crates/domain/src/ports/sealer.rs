//! `SecretSealer`: authenticated encryption of secrets at rest (TOTP seeds).

/// Encrypts and decrypts small secrets with a key from configuration. Implementations
/// use an AEAD with a fresh nonce per seal.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait SecretSealer: Send + Sync + 'static {
    /// Encrypts `plain`.
    ///
    /// # Errors
    /// When no key is configured or the OS has no randomness.
    fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, anyhow::Error>;

    /// Decrypts what [`SecretSealer::seal`] produced with the same key.
    ///
    /// # Errors
    /// When the data was not sealed with this key or was altered.
    fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, anyhow::Error>;
}
