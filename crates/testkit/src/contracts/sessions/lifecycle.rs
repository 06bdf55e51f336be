//! find, touch, list, revoke and purge.

use std::sync::Arc;

use anyhow::ensure;
use portcullis_domain::ports::SessionRepository;
use portcullis_domain::{RevokeReason, Session, SessionId, TimeSpan};

use crate::fixtures::{WithUsers, sample_session, secs, t0};
use crate::suite::{ensure_eq, race};

fn ids(sessions: &[Session]) -> Vec<SessionId> {
    sessions.iter().map(|s| s.id).collect()
}

pub(super) async fn round_trip(fx: WithUsers<dyn SessionRepository>) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    let mut session = sample_session(alice, t0());
    session.user_agent = None;
    session.ip = None;
    let full = sample_session(alice, t0() + secs(1));
    ensure_eq!(
        repo.create(&session, 5).await?,
        Vec::<SessionId>::new(),
        "evicted"
    );
    ensure_eq!(
        repo.create(&full, 5).await?,
        Vec::<SessionId>::new(),
        "evicted"
    );
    ensure_eq!(
        repo.find(session.id).await?,
        Some(session),
        "without client info"
    );
    ensure_eq!(repo.find(full.id).await?, Some(full), "with client info");
    let unknown = sample_session(alice, t0()).id;
    ensure_eq!(repo.find(unknown).await?, None, "an unknown id");
    Ok(())
}

pub(super) async fn touch(fx: WithUsers<dyn SessionRepository>) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    let live = sample_session(alice, t0());
    let revoked = sample_session(alice, t0());
    let mut short = sample_session(alice, t0());
    short.expires_at = t0() + secs(60);
    for s in [&live, &revoked, &short] {
        repo.create(s, 10).await?;
    }
    repo.revoke(revoked.id, RevokeReason::Logout, t0() + secs(1))
        .await?;

    let now = t0() + secs(120);
    ensure!(
        repo.touch(live.id, now).await?,
        "touch of an active session"
    );
    let found = repo.find(live.id).await?.map(|s| s.last_used_at);
    ensure_eq!(found, Some(now), "last_used_at after touch");

    ensure!(
        !repo.touch(revoked.id, now).await?,
        "touch of a revoked session"
    );
    let found = repo.find(revoked.id).await?.map(|s| s.last_used_at);
    ensure_eq!(found, Some(t0()), "a revoked session's last_used_at");

    ensure!(
        repo.touch(short.id, t0() + secs(59)).await?,
        "touch one second before expiry"
    );
    ensure!(!repo.touch(short.id, now).await?, "touch after expiry");
    let found = repo.find(short.id).await?.map(|s| s.last_used_at);
    ensure_eq!(
        found,
        Some(t0() + secs(59)),
        "an expired session's last_used_at"
    );

    let unknown = sample_session(alice, t0()).id;
    ensure!(!repo.touch(unknown, now).await?, "touch of an unknown id");
    Ok(())
}

pub(super) async fn touch_races_revoke(fx: WithUsers<dyn SessionRepository>) -> anyhow::Result<()> {
    let alice = fx.seed_user("alice@example.com").await?;
    let touched_at = t0() + secs(30);
    for round in 0..20 {
        let session = sample_session(alice, t0());
        fx.store.create(&session, 100).await?;
        let results = race(2, |i| {
            let repo = Arc::clone(&fx.store);
            async move {
                if i == 0 {
                    repo.touch(session.id, touched_at).await
                } else {
                    repo.revoke(session.id, RevokeReason::Revoked, touched_at)
                        .await
                }
            }
        })
        .await;
        let [touched, revoked] = <[_; 2]>::try_from(results)
            .map_err(|_| anyhow::anyhow!("round {round}: expected two outcomes"))?;
        let touched = touched?;
        ensure!(revoked?, "round {round}: revoke");
        let Some(after) = fx.store.find(session.id).await? else {
            anyhow::bail!("round {round}: the session disappeared");
        };
        ensure!(after.revoked_at.is_some(), "round {round}: not revoked");
        let expected = if touched { touched_at } else { t0() };
        ensure_eq!(
            after.last_used_at,
            expected,
            "round {round}: last_used_at when touch returned {touched}"
        );
    }
    Ok(())
}

pub(super) async fn list_active(fx: WithUsers<dyn SessionRepository>) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    let bob = fx.seed_user("bob@example.com").await?;
    let older = sample_session(alice, t0());
    let newer = sample_session(alice, t0() + secs(60));
    let revoked = sample_session(alice, t0() + secs(90));
    let expired = sample_session(alice, t0() - TimeSpan::days(31));
    let bobs = sample_session(bob, t0() + secs(30));
    for s in [&older, &newer, &revoked, &expired, &bobs] {
        repo.create(s, 10).await?;
    }
    repo.revoke(revoked.id, RevokeReason::Revoked, t0() + secs(100))
        .await?;
    let now = t0() + secs(120);
    ensure_eq!(
        ids(&repo.list_active(alice, now).await?),
        vec![newer.id, older.id],
        "alice's active sessions"
    );
    ensure_eq!(
        repo.list_active(alice, now).await?,
        vec![newer.clone(), older],
        "the listed sessions themselves"
    );
    ensure_eq!(
        ids(&repo.list_active(alice, newer.expires_at + secs(1)).await?),
        Vec::<SessionId>::new(),
        "after every session expired"
    );
    ensure_eq!(
        ids(&repo.list_active(bob, now).await?),
        vec![bobs.id],
        "bob's active sessions"
    );
    Ok(())
}

pub(super) async fn revoke(fx: WithUsers<dyn SessionRepository>) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    let session = sample_session(alice, t0());
    repo.create(&session, 10).await?;
    let first = t0() + secs(10);
    ensure!(
        repo.revoke(session.id, RevokeReason::Logout, first).await?,
        "first revoke"
    );
    ensure!(
        !repo
            .revoke(session.id, RevokeReason::AdminRevoked, first + secs(10))
            .await?,
        "second revoke"
    );
    let Some(found) = repo.find(session.id).await? else {
        anyhow::bail!("a revoked session disappeared");
    };
    ensure_eq!(
        (found.revoked_at, found.revoked_reason),
        (Some(first), Some(RevokeReason::Logout)),
        "the first revocation is kept"
    );
    let unknown = sample_session(alice, t0()).id;
    ensure!(
        !repo.revoke(unknown, RevokeReason::Logout, first).await?,
        "revoke of an unknown id"
    );
    Ok(())
}

pub(super) async fn revoke_all(fx: WithUsers<dyn SessionRepository>) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    let bob = fx.seed_user("bob@example.com").await?;
    let keep = sample_session(alice, t0());
    let a = sample_session(alice, t0() + secs(1));
    let b = sample_session(alice, t0() + secs(2));
    let already = sample_session(alice, t0() + secs(3));
    let bobs = sample_session(bob, t0());
    for s in [&keep, &a, &b, &already, &bobs] {
        repo.create(s, 10).await?;
    }
    repo.revoke(already.id, RevokeReason::Logout, t0() + secs(5))
        .await?;
    let now = t0() + secs(10);
    let mut revoked = repo
        .revoke_all(alice, Some(keep.id), RevokeReason::PasswordChanged, now)
        .await?;
    revoked.sort();
    let mut expected = vec![a.id, b.id];
    expected.sort();
    ensure_eq!(revoked, expected, "ids revoked with keep");
    for id in [a.id, b.id] {
        let found = repo.find(id).await?;
        ensure_eq!(
            found.map(|s| (s.revoked_at, s.revoked_reason)),
            Some((Some(now), Some(RevokeReason::PasswordChanged))),
            "revocation of {id}"
        );
    }
    let found = repo.find(already.id).await?.and_then(|s| s.revoked_reason);
    ensure_eq!(
        found,
        Some(RevokeReason::Logout),
        "an earlier reason is kept"
    );
    ensure_eq!(
        ids(&repo.list_active(alice, now).await?),
        vec![keep.id],
        "only keep stays active"
    );
    ensure_eq!(
        repo.find(bobs.id).await?,
        Some(bobs),
        "another user's session"
    );

    let all = repo
        .revoke_all(alice, None, RevokeReason::LogoutAll, now + secs(1))
        .await?;
    ensure_eq!(all, vec![keep.id], "revoke_all without keep");
    ensure_eq!(
        repo.revoke_all(alice, None, RevokeReason::LogoutAll, now + secs(2))
            .await?,
        Vec::<SessionId>::new(),
        "nothing left to revoke"
    );
    Ok(())
}

pub(super) async fn purge(fx: WithUsers<dyn SessionRepository>) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    let mut expired_early = sample_session(alice, t0());
    expired_early.expires_at = t0() + TimeSpan::days(1);
    let revoked_early = sample_session(alice, t0());
    let live = sample_session(alice, t0());
    let revoked_late = sample_session(alice, t0());
    for s in [&expired_early, &revoked_early, &live, &revoked_late] {
        repo.create(s, 10).await?;
    }
    repo.revoke(revoked_early.id, RevokeReason::Logout, t0() + secs(3600))
        .await?;
    repo.revoke(
        revoked_late.id,
        RevokeReason::Logout,
        t0() + TimeSpan::days(10),
    )
    .await?;
    let deleted = repo
        .purge(t0() + TimeSpan::days(2), t0() + TimeSpan::days(5))
        .await?;
    ensure_eq!(deleted, 2, "purged count");
    ensure_eq!(repo.find(expired_early.id).await?, None, "expired early");
    ensure_eq!(repo.find(revoked_early.id).await?, None, "revoked early");
    ensure_eq!(repo.find(live.id).await?, Some(live), "a live session");
    ensure!(
        repo.find(revoked_late.id).await?.is_some(),
        "a session revoked after the cut-off"
    );
    Ok(())
}
