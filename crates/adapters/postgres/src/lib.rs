//! Postgres adapters for Portcullis: the production store.
//!
//! Implements these ports of `portcullis-domain` with diesel-async
//! ([`diesel_async::AsyncPgConnection`]) on a deadpool pool:
//!
//! | port | adapter |
//! |---|---|
//! | `UserRepository` | [`PgUserRepository`] |
//! | `SessionRepository` | [`PgSessionRepository`] |
//! | `AuditLog` | [`PgAuditLog`] |
//! | `OneTimeTokenRepository` | [`PgOneTimeTokens`] |
//! | `OAuthIdentityRepository` | [`PgOAuthIdentities`] |
//! | `MfaRepository` | [`PgMfaRepository`] |
//! | `MailOutbox` | [`PgMailOutbox`] |
//!
//! The server wires them as: [`PgConfig`] → [`connect`] → [`PgStores::new`]; before
//! serving, [`pending_migrations`] (refuse to start when behind) or [`run_migrations`]
//! (`AUTO_MIGRATE`, `portcullis migrate`); `/health` calls [`ping`], `/metrics` reads
//! [`pool_stats`], and the retention job calls [`purge_exclusively`] (one instance at a
//! time, under an advisory lock).
//!
//! The SQL lives in the top-level `migrations/postgres/` folder and is embedded in the
//! binary ([`MIGRATIONS`]). No libpq is needed: connections are tokio-postgres, and
//! migrations run over diesel-async's blocking connection wrapper.
//!
//! Errors follow the domain's policy (see [`error`]): unique violations become the
//! port's `*Taken` variant, an unreachable or overloaded database is
//! `StoreError::Unavailable`, everything else `StoreError::Unexpected` with context.

#![warn(missing_docs)]

pub mod config;
pub mod error;
pub mod migrations;
pub mod pool;
pub mod rows;
pub mod schema;
#[cfg(feature = "test-support")]
pub mod test_support;

mod audit;
mod mail_outbox;
mod mfa;
mod oauth;
mod one_time_tokens;
mod retention;
mod sessions;
mod stores;
mod users;

pub use audit::PgAuditLog;
pub use config::{PgConfig, Recycle, VERIFY_AFTER_IDLE};
pub use error::ConnectError;
pub use mail_outbox::PgMailOutbox;
pub use mfa::PgMfaRepository;
pub use migrations::{MIGRATIONS, embedded_migrations, pending_migrations, run_migrations};
pub use oauth::PgOAuthIdentities;
pub use one_time_tokens::PgOneTimeTokens;
pub use pool::{PING_TIMEOUT, PgPool, PoolStats, build_pool, connect, ping, pool_stats};
pub use retention::{Purged, RetentionCutoffs, purge_exclusively};
pub use sessions::PgSessionRepository;
pub use stores::PgStores;
pub use users::PgUserRepository;
