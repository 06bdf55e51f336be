//! Portcullis testkit: the port contract suites and deterministic test doubles.
//!
//! Every adapter of a store port runs the same suite (ARCHITECTURE.md): the memory
//! adapters, SQLite, Postgres and Redis. A suite is one `async fn` per port,
//! generic over the port through a factory that returns a fresh, empty store for each
//! sub-case:
//!
//! ```text
//! #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
//! async fn refresh_tokens() {
//!     portcullis_testkit::refresh_token_store_contract(|| async {
//!         Arc::new(MemoryRefreshTokenStore::new()) as Arc<dyn RefreshTokenStore>
//!     })
//!     .await;
//! }
//! ```
//!
//! A suite runs every clause, then panics once, listing each broken clause with the
//! reason, so one run shows everything an adapter gets wrong. Time is never read from a
//! clock inside a suite: every port method takes `now`, and the suites pass fixed,
//! whole-second timestamps (see [`t0`]) that round-trip through any database.
//!
//! Ports whose rows belong to an account (sessions, one-time tokens, OAuth identities,
//! MFA) take a [`WithUsers`] factory: the suite first stores the owning users through the
//! user repository of the same backend, so adapters with foreign keys pass unchanged.
//!
//! Concurrency clauses spawn real tasks released together by a barrier; run those suites
//! on a multi-thread runtime (`#[tokio::test(flavor = "multi_thread")]`) so they race.
#![warn(missing_docs)]

mod contracts;
mod fixtures;
mod suite;
mod system;

pub use contracts::{
    audit_log_contract, lockout_store_contract, mfa_repository_contract,
    oauth_identity_repository_contract, oauth_state_store_contract,
    one_time_token_repository_contract, rate_limiter_contract, refresh_token_store_contract,
    session_deny_list_contract, session_repository_contract, user_repository_contract,
};
pub use fixtures::{
    WithUsers, email, sample_client, sample_enrollment, sample_event, sample_identity,
    sample_session, sample_user, secs, t0, username,
};
pub use system::{CounterRandom, FailingRandom, FixedRandom, ManualClock, SequentialIds};
