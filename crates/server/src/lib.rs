//! The Portcullis server: configuration, wiring, CLI and jobs.

pub mod config;
