//! Two jobs around the embedded migrations:
//!
//! - `embed_migrations!` reads `migrations/postgres` at compile time but does not tell
//!   cargo about it: without `rerun-if-changed`, a new migration would not be embedded
//!   until something else in the crate changed.
//! - `PORTCULLIS_PG_MIGRATIONS_HASH` fingerprints the folder (names and contents), so the
//!   test helpers name their template database after the exact migration set it holds.

use std::fs;
use std::path::Path;

const FOLDER: &str = "../../../migrations/postgres";

/// FNV-1a, 64 bits: a fingerprint, not a security boundary.
fn fnv1a(hash: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *hash ^= u64::from(*b);
        *hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
}

fn visit(dir: &Path, hash: &mut u64) -> std::io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        fnv1a(hash, entry.file_name().as_encoded_bytes());
        if path.is_dir() {
            visit(&path, hash)?;
        } else {
            fnv1a(hash, &fs::read(&path)?);
        }
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    println!("cargo:rerun-if-changed={FOLDER}");
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    visit(Path::new(FOLDER), &mut hash)?;
    println!("cargo:rustc-env=PORTCULLIS_PG_MIGRATIONS_HASH={hash:016x}");
    Ok(())
}
