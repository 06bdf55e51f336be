//! The Postgres adapters against a real server: every port contract suite, the
//! migrations, schema drift, and the error mapping. One binary, so the template
//! database is prepared once per run.
//!
//! Each test gets its own databases (`portcullis_postgres::test_support`); tests run in
//! parallel and never see each other's rows. The server is `TEST_DATABASE_URL`
//! (default `postgres://postgres@127.0.0.1:5432/postgres`).
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod concurrency;
mod contracts;
mod errors;
mod isolation;
mod migrations;
mod outbox;
mod pool;
mod retention;
mod schema_drift;
mod support;
