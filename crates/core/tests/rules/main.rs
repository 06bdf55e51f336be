//! The rules of SPEC §2 and §6 as the core enforces them, one named test per rule,
//! against the in-memory adapters with a manual clock (no sleeping, no I/O).

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod support;

mod account;
mod admin;
mod interactions;
mod login;
mod mfa;
mod oauth;
mod recovery;
mod refresh;
mod sessions;
