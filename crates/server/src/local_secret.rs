//! The local-mode JWT secret: generated once and kept in the data directory, so a
//! fresh `cargo run` works and restarts keep sessions valid.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::SecretString;

/// File name of the generated JWT secret inside the data directory.
pub const FILE_NAME: &str = "jwt_secret";
/// File name of the generated key for secrets at rest (`MFA_ENCRYPTION_KEY`).
pub const MFA_KEY_FILE: &str = "mfa_key";

/// Reads the secret from `dir/jwt_secret`, creating it (mode 0600, 256 random bits)
/// when missing.
///
/// # Errors
/// When the directory or file cannot be created or read, or the OS has no randomness.
pub fn load_or_create(dir: &Path) -> anyhow::Result<SecretString> {
    load_or_create_named(dir, FILE_NAME)
}

/// [`load_or_create`] for another file of the data directory.
///
/// # Errors
/// As [`load_or_create`].
pub fn load_or_create_named(dir: &Path, name: &str) -> anyhow::Result<SecretString> {
    let path = dir.join(name);
    if let Ok(existing) = fs::read_to_string(&path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= 32 {
            return Ok(SecretString::from(existing));
        }
        anyhow::bail!(
            "{}: the stored JWT secret is shorter than 32 bytes; delete the file to regenerate it",
            path.display()
        );
    }
    fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("the OS has no randomness: {e}"))?;
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(secret.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a local secret (APP_ENV=local only)");
    Ok(SecretString::from(secret))
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn created_once_then_reused_with_private_mode() {
        let dir = std::env::temp_dir().join(format!("portcullis-secret-{}", uuid_like()));
        let first = load_or_create(&dir).unwrap();
        let second = load_or_create(&dir).unwrap();
        assert_eq!(first.expose_secret(), second.expose_secret());
        assert!(first.expose_secret().len() >= 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.join(FILE_NAME))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::remove_dir_all(dir).unwrap();
    }

    fn uuid_like() -> String {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).unwrap();
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}
