//! `portcullis keygen`: a fresh EdDSA or ES256 key pair for asymmetric access tokens.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use portcullis_crypto::{AsymmetricAlgorithm, generate_keypair};

/// Writes the private key to `out` (mode 0600, never overwriting) and the public key to
/// `out` with `.pub.pem`, then prints where they are and how to use them.
///
/// # Errors
/// An unknown algorithm, an existing file, an I/O failure, no OS randomness.
pub fn write_keypair(algorithm: &str, out: &Path) -> anyhow::Result<()> {
    let algorithm: AsymmetricAlgorithm = algorithm
        .parse()
        .map_err(|_| anyhow::anyhow!("--algorithm: use eddsa or es256 (got {algorithm:?})"))?;
    let (private, public) =
        generate_keypair(algorithm).map_err(|e| anyhow::anyhow!("key generation failed: {e}"))?;
    let public_path = out.with_extension("pub.pem");
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(out)
        .with_context(|| format!("cannot create {} (it must not exist yet)", out.display()))?;
    file.write_all(private.as_bytes())
        .with_context(|| format!("cannot write {}", out.display()))?;
    fs::write(&public_path, public)
        .with_context(|| format!("cannot write {}", public_path.display()))?;
    eprintln!(
        "wrote {} (private, 0600) and {} (public)\nuse: JWT_ALGORITHM={} JWT_PRIVATE_KEY={}",
        out.display(),
        public_path.display(),
        algorithm.as_str(),
        out.display()
    );
    Ok(())
}
