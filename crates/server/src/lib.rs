//! The Portcullis server: configuration, wiring, CLI and jobs.

pub mod admin;
pub mod config;
pub mod local_secret;
pub mod telemetry;
pub mod wiring;
