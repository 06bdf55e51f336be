//! SQLite adapters for Portcullis: the embedded, single-node default store.
//!
//! Implements these ports of `portcullis-domain` with diesel's SQLite backend (SQLite
//! compiled in, no system library):
//!
//! | port | adapter |
//! |---|---|
//! | `UserRepository` | [`SqliteUserRepository`] |
//! | `SessionRepository` | [`SqliteSessionRepository`] |
//! | `AuditLog` | [`SqliteAuditLog`] |
//! | `OneTimeTokenRepository` | [`SqliteOneTimeTokens`] |
//! | `OAuthIdentityRepository` | [`SqliteOAuthIdentities`] |
//! | `MfaRepository` | [`SqliteMfaRepository`] |
//! | `MailOutbox` | [`SqliteMailOutbox`] |
//!
//! The server wires them as: [`SqliteConfig::from_url`] (or [`DEFAULT_PATH`]) →
//! [`SqliteStores::open_with`], which creates the file, applies the embedded
//! migrations ([`MIGRATIONS`], from the top-level `migrations/sqlite/`) and opens the
//! connections; `portcullis migrate` calls [`run_migrations`]; `/health` calls
//! [`SqliteStores::ping`]; shutdown calls [`SqliteDb::close`].
//!
//! Concurrency (see [`SqliteDb`]): every statement runs on tokio's blocking pool, never
//! on the async executor. Writes go through ONE writer connection (a pool of one:
//! callers queue for it), multi-statement writes inside `BEGIN IMMEDIATE`; reads use a
//! few `query_only` connections. The file is in WAL mode, so readers and the writer
//! never wait for each other, and no write of this process meets `database is locked`.
//!
//! Encodings: UUIDs as lower-case hyphenated `TEXT` (text order is UUID order),
//! instants as `INTEGER` microseconds since the Unix epoch (Postgres' precision),
//! addresses as `TEXT`; `STRICT` tables. The column records and their checks are
//! shared with the Postgres adapter through `portcullis-sql-common`; only the SQL
//! dialect and the encodings are SQLite's own here.
//!
//! Errors follow the domain's policy: a unique violation of email or username is the
//! port's `*Taken` answer; a locked, busy, unreadable or full file is
//! `StoreError::Unavailable`; anything else is `StoreError::Unexpected` with context.
#![warn(missing_docs)]

mod audit;
mod config;
mod connection;
mod db;
mod error;
mod mail_outbox;
mod mfa;
mod migrations;
mod oauth;
mod one_time_tokens;
mod rows;
mod schema;
mod sessions;
mod stores;
mod types;
mod users;

pub use audit::SqliteAuditLog;
pub use config::{DEFAULT_PATH, SqliteConfig};
pub use db::{PING_TIMEOUT, SqliteDb};
pub use error::OpenError;
pub use mail_outbox::SqliteMailOutbox;
pub use mfa::SqliteMfaRepository;
pub use migrations::{MIGRATIONS, embedded_migrations, pending_migrations, run_migrations};
pub use oauth::SqliteOAuthIdentities;
pub use one_time_tokens::SqliteOneTimeTokens;
pub use sessions::SqliteSessionRepository;
pub use stores::SqliteStores;
pub use users::SqliteUserRepository;
