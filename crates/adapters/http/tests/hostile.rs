//! The HTTP face under attack, through `actix_web::test` on in-memory stores: a
//! property test that throws arbitrary bytes and JSON at every documented operation,
//! and one named test per hostile-input rule of SPEC §3–§4 and §6 not pinned
//! elsewhere (`tests/api.rs` holds the first round: CSRF origins, CORS variants, 413
//! on a streamed body, RFC 6750 answers).

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

#[path = "hostile/bodies.rs"]
mod bodies;
#[path = "hostile/inputs.rs"]
mod inputs;
#[path = "hostile/origins.rs"]
mod origins;
#[path = "hostile/passwords.rs"]
mod passwords;
#[path = "hostile/properties.rs"]
mod properties;
#[path = "hostile/support.rs"]
mod support;
#[path = "hostile/tokens.rs"]
mod tokens;
