//! Access-token signing settings (`JWT_*`, SPEC §2).

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

use super::error::{ConfigError, Problem, Quoted};
use super::reader::Reader;

/// The shortest `JWT_SECRET` accepted (HS256 keys shorter than the hash are weak).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// The signing algorithm (`JWT_ALGORITHM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum JwtAlgorithm {
    /// HMAC-SHA256 with `JWT_SECRET`.
    #[default]
    Hs256,
    /// Ed25519 with the PEM key at `JWT_PRIVATE_KEY`.
    EdDsa,
    /// ECDSA P-256 with the PEM key at `JWT_PRIVATE_KEY`.
    Es256,
}

impl JwtAlgorithm {
    /// The JOSE name, as written in the `alg` header.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::EdDsa => "EdDSA",
            Self::Es256 => "ES256",
        }
    }

    fn parse(value: &str) -> Result<Self, Problem> {
        if value.eq_ignore_ascii_case("HS256") {
            Ok(Self::Hs256)
        } else if value.eq_ignore_ascii_case("EdDSA") {
            Ok(Self::EdDsa)
        } else if value.eq_ignore_ascii_case("ES256") {
            Ok(Self::Es256)
        } else {
            Err(Problem::NotOneOf {
                expected: "HS256 | EdDSA | ES256",
                got: Quoted::new(value),
            })
        }
    }
}

/// How access tokens are signed and verified.
#[derive(Debug, Clone)]
pub struct JwtSettings {
    /// `JWT_ALGORITHM` (`HS256`).
    pub algorithm: JwtAlgorithm,
    /// `JWT_SECRET`, at least [`MIN_JWT_SECRET_BYTES`] when set. Required in production;
    /// in local mode `None` means the server generates one and keeps it in `DATA_DIR`.
    pub secret: Option<SecretString>,
    /// `JWT_PRIVATE_KEY`: PEM path of the asymmetric signing key (unused with HS256).
    pub private_key: Option<PathBuf>,
    /// `JWT_VERIFY_KEYS`: PEM paths of previous public keys still accepted during a
    /// rotation (unused with HS256).
    pub verify_keys: Vec<PathBuf>,
    /// `JWT_LEEWAY` (30 s): clock skew tolerated when checking `exp` and `nbf`.
    pub leeway: Duration,
    /// `JWT_ISSUER`: the `iss` claim (default `PUBLIC_URL` when set, else `portcullis`).
    pub issuer: String,
    /// `JWT_AUDIENCE`: the `aud` claim (`portcullis`).
    pub audience: String,
}

impl JwtSettings {
    /// Reads the `JWT_*` variables. `explicit_public_url` is `PUBLIC_URL` when it was
    /// set (not defaulted): the default issuer.
    pub(super) fn read<F: Fn(&str) -> Option<String>>(
        env: &Reader<F>,
        explicit_public_url: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let secret = env.secret_at_least("JWT_SECRET", MIN_JWT_SECRET_BYTES)?;
        let algorithm = env.parsed("JWT_ALGORITHM", JwtAlgorithm::Hs256, JwtAlgorithm::parse)?;
        let private_key = env.string("JWT_PRIVATE_KEY").map(PathBuf::from);
        if algorithm != JwtAlgorithm::Hs256 && private_key.is_none() {
            return Err(ConfigError::new(
                "JWT_PRIVATE_KEY",
                Problem::Invalid(
                    "required when JWT_ALGORITHM is EdDSA or ES256 (create one with `portcullis keygen`)",
                ),
            ));
        }
        Ok(Self {
            secret,
            algorithm,
            private_key,
            verify_keys: env
                .list("JWT_VERIFY_KEYS")
                .into_iter()
                .map(PathBuf::from)
                .collect(),
            leeway: env.duration("JWT_LEEWAY", 30 * super::SECOND)?,
            issuer: env
                .string("JWT_ISSUER")
                .or_else(|| explicit_public_url.map(str::to_owned))
                .unwrap_or_else(|| "portcullis".to_owned()),
            audience: env
                .string("JWT_AUDIENCE")
                .unwrap_or_else(|| "portcullis".to_owned()),
        })
    }
}
