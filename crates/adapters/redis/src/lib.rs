//! Redis adapters for the shared, short-lived state of Portcullis (ARCHITECTURE.md,
//! "Where state lives"): refresh-token families, rate-limit windows, login lock-out
//! counters and the session deny-list. Every check-and-set is one Lua script, so any
//! number of server instances sharing one Redis get the exact answers of the ports.
//!
//! # Wiring
//!
//! ```no_run
//! # async fn wire() -> Result<(), portcullis_domain::StoreError> {
//! use std::sync::Arc;
//! use portcullis_domain::ports::RefreshTokenStore;
//! use portcullis_redis::{RedisConfig, connect, ping};
//!
//! let stores = connect(&RedisConfig::new("redis://127.0.0.1:6379")).await?;
//! let refresh: Arc<dyn RefreshTokenStore> = Arc::new(stores.refresh_tokens);
//! ping(&stores.connection).await?; // the health check
//! # Ok(()) }
//! ```
//!
//! One [`redis::aio::ConnectionManager`] (a multiplexed connection, pipelining every
//! concurrent request over one socket) is shared by all four stores. It connects lazily
//! and reconnects by itself, so [`connect`] succeeds while Redis is down (it logs a
//! warning) and the stores recover without a restart when Redis returns.
//!
//! # Failures
//!
//! Every call is bounded: each connect attempt by `connect_timeout`, each reply by
//! `response_timeout`, and the whole call (reconnection included) by their sum plus
//! 100 ms. Refused, dropped or timed-out connections and a loading / failing-over
//! server are [`StoreError::Unavailable`] (the edge answers 503, or applies
//! `RATE_LIMIT_FAIL_OPEN`); script, type and reply errors are
//! [`StoreError::Unexpected`]. A call that fails leaves the data as it was: each write
//! is one script, which Redis runs entirely or not at all.
//!
//! # Key layout
//!
//! `P` is the configured prefix (default `portcullis:`, no braces allowed). The part
//! in braces is the Redis Cluster hash tag: the keys one script touches share it, so
//! every script runs on one slot and the layout works unchanged on Redis Cluster.
//!
//! | key | type | content | expires |
//! |---|---|---|---|
//! | `P rt:{<session-uuid>}` | hash | `user` (16 bytes), `fp` device fingerprint, `cur` current digest, `prev` previous digest, `prev_at` its rotation time, `prev_seal` sealed successor (32 bytes each), `idle_exp`, `abs_exp` (ms), `revoked` (`1` on a tombstone) | at `min(idle_exp, abs_exp)` |
//! | `P rt:{<session-uuid>}:used` | set | digests of every token before `prev` | with its family |
//! | `P rtu:{<user-uuid>}` | set | the user's session ids (16 bytes), for `revoke_user` | at the latest `abs_exp` |
//! | `P rl:{<limiter key>}` | hash | `end` (ms), `n` requests counted | at `end` |
//! | `P lo:{<identifier>}` | hash | `n` failures, `win` window end, `lock` lock end (ms) | at `max(win, lock)` |
//! | `P deny:{<session-uuid>}` | string | deadline (ms) | at the deadline |
//! | `P oauth:{<state digest hex>}` | string | an OAuth state record (`oauth_state.rs`), taken with `GETDEL` | at its `expires_at` |
//! | `P events` | pub/sub channel | `d <session> <deadline> <ttl>` (published by the deny script), `u <user>` (a user changed) | — |
//!
//! # The replica
//!
//! [`Replica`] keeps the deny-list and a short-lived user cache in process, fed by the
//! events channel with a snapshot on every (re)subscription and a heartbeat that
//! withdraws trust within [`TRUSTED_FOR`]: the access-token check and `GET /me` then
//! cost no round trip, and revocations still reach every instance within a second
//! (details in `replica.rs`).
//!
//! No plain token is ever stored: only SHA-256 digests and the successor sealed with
//! the presented token (see `portcullis_domain::token`). `revoke_user` reads the user
//! index (its own slot) and then runs the per-family revoke script once per session,
//! pruning ids whose family is gone. Limiter keys and identifiers are put in the hash
//! tag as given: each of their scripts touches that one key only.
//!
//! # Time
//!
//! Every port method receives `now`; scripts get it and every span in milliseconds,
//! compute deadlines from it and store them as fields, and verdicts compare against
//! those fields. Key expiry is set with `PEXPIRE` to the *remaining* time (deadline −
//! `now`), never `PEXPIREAT`: Redis's own clock only collects garbage, so the stores
//! behave the same under a test clock in the past and under skew between instances.
//!
//! # Refresh-token families
//!
//! The rotate script applies the rules of [`RefreshTokenStore::rotate`] in one step.
//! A revoked family (by `revoke_family`, `revoke_user`, or a `Reused` /
//! `DeviceMismatch` verdict) keeps its keys and deadlines with `revoked = 1`: until it
//! would have expired its used tokens answer `Reused` and its current token `Unknown`.
//! Memory grows by one digest per rotation (the used set) for the life of a family.
//!
//! # Rate limiting: a fixed window from the first request, leased in blocks
//!
//! Each key has a window that opens at its first counted request and lasts
//! `policy.window`; up to `limit` requests pass in it, refused ones are not counted,
//! and the next request after its end opens a new one. Why this and not GCRA or a
//! sliding window:
//! - it is the [`RateLimiter`] contract: exact `remaining` counting down to 0, and a
//!   `reset_after` that is the time to the window's end, which is what
//!   `X-RateLimit-Reset` / `RateLimit` announce (SPEC §6). GCRA answers "next token in
//!   t" and refills continuously, so "5 per minute" would not mean "the 6th request
//!   within the minute is refused"; a sliding-window counter only approximates;
//! - one small hash and O(1) work per check, whatever the limit; a sliding log would
//!   keep one entry per request;
//! - anchoring at the first request (not at the clock's minute) avoids the herd at
//!   every minute boundary. The known cost of fixed windows remains: a client can pass
//!   up to `2 × limit` requests in a span of one window straddling a window's end.
//!
//! While much of a budget is left, one script call grants a lease of several requests
//! (a sixteenth of what remains, at most 64) that the instance spends locally; the last
//! 31 of a window go one by one. The limit is never exceeded and one instance counts
//! exactly; with several, a neighbour's unspent lease can refuse a request early (at
//! most a sixteenth of the remaining budget, never below 32 left). See
//! [`RedisRateLimiter`].
//!
//! [`StoreError::Unavailable`]: portcullis_domain::StoreError::Unavailable
//! [`StoreError::Unexpected`]: portcullis_domain::StoreError::Unexpected
//! [`RefreshTokenStore::rotate`]: portcullis_domain::ports::RefreshTokenStore::rotate
//! [`RateLimiter`]: portcullis_domain::ports::RateLimiter
#![warn(missing_docs)]

mod config;
mod connection;
mod deny_list;
mod error;
mod keys;
mod lockout;
mod oauth_state;
mod rate_limiter;
mod refresh_tokens;
mod replica;
mod time;

pub use config::RedisConfig;
pub use connection::{RedisConnection, RedisStores, connect, ping};
pub use deny_list::RedisDenyList;
pub use lockout::RedisLockoutStore;
pub use oauth_state::RedisOAuthStateStore;
pub use rate_limiter::RedisRateLimiter;
pub use refresh_tokens::RedisRefreshTokenStore;
pub use replica::{
    CachedUserRepository, HEARTBEAT, Replica, ReplicatedDenyList, TRUSTED_FOR, USER_TTL,
};
