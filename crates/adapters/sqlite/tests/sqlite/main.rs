//! The SQLite adapters against real database files: every port contract suite, the
//! mail outbox, the races the issue names, migrations, and the error mapping.
//!
//! Each test (and each contract clause) gets its own database file in its own temporary
//! directory, removed when the test ends; tests run in parallel and share nothing.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod concurrency;
mod contracts;
mod errors;
mod migrations;
mod outbox;
mod search;
mod support;
