//! In-process adapters for every Portcullis store port, plus a recording [`Mailer`]:
//! the embedded default of the server (until the SQLite adapter lands) and the fast
//! test doubles of the core.
//!
//! **Single-process only.** State lives in this process's memory: two server instances
//! each see their own users, sessions, refresh families, rate-limit counters and
//! deny-list, so none of the cross-instance guarantees of the ports hold across
//! processes, and everything is lost on restart. The server must say so in its start-up
//! log when it runs in this mode (ARCHITECTURE.md, "Scale-out").
//!
//! Within one process every adapter is exact under concurrency: each keeps its state
//! behind one `std::sync::Mutex`, taken only inside a method and never across an
//! `.await`, and every check-and-set (unique email/username, rotation, consumption,
//! rate-limit counting, lockout counting, session eviction) happens under a single lock
//! acquisition. Entries with a lifetime (refresh families, rate-limit windows, lockout
//! counters, deny-list entries, one-time tokens) are purged when expired, so memory does
//! not grow without bound; the audit log and the mailer keep only their newest entries.
//!
//! Unlike the SQL adapters, [`MemoryUserRepository::delete`] cannot cascade into the
//! other stores: the core revokes the account's sessions and refresh families before
//! deleting it.
//!
//! [`Mailer`]: portcullis_domain::ports::Mailer
#![warn(missing_docs)]

mod audit_log;
mod deny_list;
mod lock;
mod lockout;
mod mail_outbox;
mod mailer;
mod mfa;
mod oauth;
mod oauth_state;
mod one_time_tokens;
mod rate_limiter;
mod refresh_tokens;
mod sessions;
mod sweep;
mod users;

pub use audit_log::MemoryAuditLog;
pub use deny_list::MemoryDenyList;
pub use lockout::MemoryLockoutStore;
pub use mail_outbox::MemoryMailOutbox;
pub use mailer::MemoryMailer;
pub use mfa::MemoryMfaRepository;
pub use oauth::MemoryOAuthIdentities;
pub use oauth_state::MemoryOAuthStateStore;
pub use one_time_tokens::MemoryOneTimeTokens;
pub use rate_limiter::MemoryRateLimiter;
pub use refresh_tokens::MemoryRefreshTokenStore;
pub use sessions::MemorySessionRepository;
pub use users::MemoryUserRepository;
