//! `create` and its least-recently-used eviction.

use std::collections::HashSet;
use std::sync::Arc;

use anyhow::ensure;
use portcullis_domain::ports::SessionRepository;
use portcullis_domain::{RevokeReason, SessionId, TimeSpan};

use crate::fixtures::{WithUsers, sample_session, secs, t0};
use crate::suite::{ensure_eq, race};

/// Checks that `id` is revoked with reason `Evicted`.
async fn ensure_evicted(repo: &dyn SessionRepository, id: SessionId) -> anyhow::Result<()> {
    let Some(session) = repo.find(id).await? else {
        anyhow::bail!("evicted session {id} is gone: it must stay, revoked");
    };
    ensure_eq!(
        session.revoked_reason,
        Some(RevokeReason::Evicted),
        "revoked_reason of evicted session {id}"
    );
    ensure!(
        session.revoked_at.is_some(),
        "evicted session {id} has no revoked_at"
    );
    Ok(())
}

pub(super) async fn evicts_least_recently_used(
    fx: WithUsers<dyn SessionRepository>,
) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    let s1 = sample_session(alice, t0());
    let s2 = sample_session(alice, t0() + secs(60));
    let s3 = sample_session(alice, t0() + secs(120));
    for s in [&s1, &s2, &s3] {
        ensure_eq!(
            repo.create(s, 3).await?,
            Vec::<SessionId>::new(),
            "at the cap"
        );
    }
    // s1 is refreshed: s2 becomes the least recently used.
    ensure!(repo.touch(s1.id, t0() + secs(180)).await?, "touch s1");
    let s4 = sample_session(alice, t0() + secs(240));
    ensure_eq!(repo.create(&s4, 3).await?, vec![s2.id], "evicted ids");
    ensure_evicted(repo, s2.id).await?;
    let now = t0() + secs(300);
    let active: Vec<SessionId> = repo
        .list_active(alice, now)
        .await?
        .iter()
        .map(|s| s.id)
        .collect();
    ensure_eq!(active, vec![s4.id, s3.id, s1.id], "active after eviction");
    Ok(())
}

pub(super) async fn evicts_several(fx: WithUsers<dyn SessionRepository>) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    let mut made = Vec::new();
    for i in 0..5 {
        let s = sample_session(alice, t0() + secs(i * 60));
        repo.create(&s, 10).await?;
        made.push(s.id);
    }
    let newest = sample_session(alice, t0() + secs(600));
    let mut evicted = repo.create(&newest, 2).await?;
    evicted.sort();
    let mut expected = made[..4].to_vec();
    expected.sort();
    ensure_eq!(
        evicted,
        expected,
        "the four least recently used are evicted"
    );
    for id in &made[..4] {
        ensure_evicted(repo, *id).await?;
    }
    let active = repo.list_active(alice, t0() + secs(700)).await?;
    let active: Vec<SessionId> = active.iter().map(|s| s.id).collect();
    ensure_eq!(active, vec![newest.id, made[4]], "the two that remain");
    Ok(())
}

pub(super) async fn ignores_inactive_and_others(
    fx: WithUsers<dyn SessionRepository>,
) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    let bob = fx.seed_user("bob@example.com").await?;
    let mut bobs = Vec::new();
    for i in 0..3 {
        let s = sample_session(bob, t0() + secs(i));
        repo.create(&s, 5).await?;
        bobs.push(s);
    }
    // Expired ten days before t0.
    let expired = sample_session(alice, t0() - TimeSpan::days(40));
    repo.create(&expired, 5).await?;
    let revoked = sample_session(alice, t0());
    repo.create(&revoked, 5).await?;
    ensure!(
        repo.revoke(revoked.id, RevokeReason::Logout, t0() + secs(1))
            .await?,
        "revoke"
    );

    let a1 = sample_session(alice, t0() + secs(10));
    let a2 = sample_session(alice, t0() + secs(20));
    ensure_eq!(repo.create(&a1, 2).await?, Vec::<SessionId>::new(), "a1");
    ensure_eq!(
        repo.create(&a2, 2).await?,
        Vec::<SessionId>::new(),
        "a2: revoked and expired sessions do not count"
    );
    let a3 = sample_session(alice, t0() + secs(30));
    ensure_eq!(repo.create(&a3, 2).await?, vec![a1.id], "a3 evicts a1 only");
    let found = repo.find(revoked.id).await?;
    ensure_eq!(
        found.and_then(|s| s.revoked_reason),
        Some(RevokeReason::Logout),
        "a revoked session keeps its reason"
    );
    for s in bobs {
        ensure_eq!(
            repo.find(s.id).await?,
            Some(s),
            "another user's session is untouched"
        );
    }
    Ok(())
}

pub(super) async fn concurrent_creates(fx: WithUsers<dyn SessionRepository>) -> anyhow::Result<()> {
    const N: usize = 24;
    const CAP: u32 = 3;
    let alice = fx.seed_user("alice@example.com").await?;
    let sessions: Vec<_> = (0..N as i64)
        .map(|i| sample_session(alice, t0() + secs(i)))
        .collect();
    let results = race(N, |i| {
        let repo = Arc::clone(&fx.store);
        let session = sessions[i].clone();
        async move { repo.create(&session, CAP).await }
    })
    .await;
    let mut evicted = Vec::new();
    for result in results {
        evicted.extend(result?);
    }
    let unique: HashSet<SessionId> = evicted.iter().copied().collect();
    ensure_eq!(
        unique.len(),
        evicted.len(),
        "an id was reported evicted twice"
    );
    let active: HashSet<SessionId> = fx
        .store
        .list_active(alice, t0() + secs(3600))
        .await?
        .iter()
        .map(|s| s.id)
        .collect();
    ensure_eq!(active.len(), CAP as usize, "active sessions after the race");
    ensure!(
        unique.is_disjoint(&active),
        "a session reported evicted is still active"
    );
    ensure_eq!(
        unique.len() + active.len(),
        N,
        "every session is either active or reported evicted"
    );
    for id in unique {
        ensure_evicted(fx.store.as_ref(), id).await?;
    }
    Ok(())
}
