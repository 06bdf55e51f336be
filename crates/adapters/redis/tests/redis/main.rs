//! `portcullis-redis` against a real Redis at `TEST_REDIS_URL` (default
//! `redis://127.0.0.1:6379`): the shared port contracts, the failure behaviour, and
//! what a session costs in memory. Every test works under its own random key prefix
//! and deletes its keys when done.

mod contract;
mod faults;
mod footprint;
mod oauth_state;
#[expect(
    clippy::unwrap_used,
    reason = "test code: a failed step should stop the test"
)]
mod replica;
#[expect(
    clippy::expect_used,
    reason = "test fixtures: a broken test environment should stop the test loudly"
)]
mod support;
