//! Portcullis cryptography adapters: the bcrypt [`BcryptHasher`], the JWT
//! [`JwtCodec`] for access tokens, and the production sources of randomness, time and
//! identifiers ([`OsRandom`], [`SystemClock`], [`UuidV7Ids`]).
//!
//! Everything CPU-heavy (bcrypt) runs on Tokio's blocking pool behind a bound on work
//! in flight; nothing here ever logs a password, token, hash or key.

#![warn(missing_docs)]

mod hasher;
mod jwt;
mod system;

pub use hasher::{BcryptConfig, BcryptConfigError, BcryptHasher};
pub use jwt::{JwtCodec, JwtConfig, JwtConfigError, JwtKey};
pub use system::{OsRandom, SystemClock, UuidV7Ids};
