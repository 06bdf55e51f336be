//! The Portcullis server: configuration, wiring, CLI and jobs.

pub mod admin;
pub mod audit_buffer;
pub mod config;
pub mod keygen;
pub mod local_secret;
pub mod mail;
pub mod oauth;
pub mod retention;
pub mod telemetry;
pub mod wiring;
