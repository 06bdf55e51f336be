//! Portcullis cryptography adapters: the bcrypt [`BcryptHasher`], the JWT
//! [`JwtCodec`] for access tokens (HS256, `EdDSA`, `ES256`, with [`generate_keypair`]
//! for operators), and the production sources of randomness, time and
//! identifiers ([`OsRandom`], [`SystemClock`], [`UuidV7Ids`]), and [`ChaChaSealer`]
//! for secrets at rest.
//!
//! Everything CPU-heavy (bcrypt) runs on Tokio's blocking pool behind a bound on work
//! in flight; nothing here ever logs a password, token, hash or key.

#![warn(missing_docs)]

mod hasher;
mod jwt;
mod sealer;
mod system;

pub use hasher::{BcryptConfig, BcryptConfigError, BcryptHasher};
pub use jwt::{
    AsymmetricAlgorithm, EdDsaKeys, Es256Keys, JwtCodec, JwtConfig, JwtConfigError, JwtKey,
    KeygenError, PemKeyError, UnknownAlgorithm, generate_keypair,
};
pub use sealer::{ChaChaSealer, NoSealer};
pub use system::{OsRandom, SystemClock, UuidV7Ids};
