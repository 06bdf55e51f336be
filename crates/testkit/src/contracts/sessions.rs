//! `SessionRepository` contract.

mod eviction;
mod lifecycle;

use std::future::Future;

use portcullis_domain::ports::SessionRepository;

use crate::fixtures::WithUsers;
use crate::suite::Suite;

/// Checks a [`SessionRepository`] adapter against its contract. `make` returns a fresh,
/// empty repository (with the user repository of the same backend) for each clause.
///
/// Clauses: create/find round-trip; `create` revokes (reason `Evicted`) exactly the
/// least recently used active sessions of the same user beyond `max_active`, returns
/// exactly their ids and never the new one, ignoring other users', revoked and expired
/// sessions; concurrent creates keep exactly `max_active` active and report every
/// eviction once; `touch` is true and sets `last_used_at` only for an active session,
/// and never half-applies when racing a revocation; `list_active` is newest first and
/// only active; `revoke` is true once and keeps the first reason; `revoke_all` spares
/// `keep` and returns exactly what it revoked; `purge` deletes by both cut-offs.
///
/// # Panics
/// Once, after every clause ran, listing each broken clause.
pub async fn session_repository_contract<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = WithUsers<dyn SessionRepository>>,
{
    let mut s = Suite::new("SessionRepository");
    s.clause(
        "create then find returns the session; under the cap nothing is evicted",
        lifecycle::round_trip(make().await),
    )
    .await;
    s.clause(
        "create evicts exactly the least recently used active sessions beyond max_active",
        eviction::evicts_least_recently_used(make().await),
    )
    .await;
    s.clause(
        "create lowers to max_active in one step, evicting several",
        eviction::evicts_several(make().await),
    )
    .await;
    s.clause(
        "eviction ignores other users', revoked and expired sessions",
        eviction::ignores_inactive_and_others(make().await),
    )
    .await;
    s.clause(
        "concurrent creates: exactly max_active remain, every eviction reported once",
        eviction::concurrent_creates(make().await),
    )
    .await;
    s.clause(
        "touch is true and sets last_used_at only for an active session",
        lifecycle::touch(make().await),
    )
    .await;
    s.clause(
        "touch racing revoke never half-applies",
        lifecycle::touch_races_revoke(make().await),
    )
    .await;
    s.clause(
        "list_active is the user's active sessions, newest first",
        lifecycle::list_active(make().await),
    )
    .await;
    s.clause(
        "revoke is true once, keeps the first reason, false for unknown ids",
        lifecycle::revoke(make().await),
    )
    .await;
    s.clause(
        "revoke_all revokes every unrevoked session but keep and returns exactly those",
        lifecycle::revoke_all(make().await),
    )
    .await;
    s.clause(
        "purge deletes sessions expired or revoked before the cut-offs",
        lifecycle::purge(make().await),
    )
    .await;
    s.finish();
}
