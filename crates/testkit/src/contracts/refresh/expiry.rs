//! Lifetimes and revocation of families.

use std::sync::Arc;

use portcullis_domain::TimeSpan;
use portcullis_domain::ports::{RefreshTokenStore, RotationVerdict};

use super::{Family, idle_ttl};
use crate::fixtures::{secs, t0};
use crate::suite::ensure_eq;

fn rotated(f: &Family) -> RotationVerdict {
    RotationVerdict::Rotated { user_id: f.user }
}

pub(super) async fn idle_ttl_slides(store: Arc<dyn RefreshTokenStore>) -> anyhow::Result<()> {
    let f = Family::new();
    f.issue(store.as_ref(), t0()).await?;
    // Each rotation comes just before the idle TTL since the previous one: together
    // they span more than one idle TTL, so the TTL must slide.
    let first = t0() + idle_ttl() - secs(1);
    ensure_eq!(
        store.rotate(&f.rotation(1, 2, first)).await?,
        rotated(&f),
        "day 14"
    );
    let second = first + idle_ttl() - secs(1);
    ensure_eq!(
        store.rotate(&f.rotation(2, 3, second)).await?,
        rotated(&f),
        "day 28"
    );

    // The successor lives for the rotation's idle_ttl, not the family's first one.
    let g = Family::new();
    g.issue(store.as_ref(), t0()).await?;
    let mut short = g.rotation(1, 2, t0() + secs(60));
    short.idle_ttl = TimeSpan::hours(1);
    ensure_eq!(
        store.rotate(&short).await?,
        rotated(&g),
        "rotation with a 1 h TTL"
    );
    let late = t0() + secs(60) + TimeSpan::hours(1) + secs(1);
    ensure_eq!(
        store.rotate(&g.rotation(2, 3, late)).await?,
        RotationVerdict::Unknown,
        "the successor one hour and one second after its rotation"
    );
    Ok(())
}

pub(super) async fn idle_expired(store: Arc<dyn RefreshTokenStore>) -> anyhow::Result<()> {
    let f = Family::new();
    f.issue(store.as_ref(), t0()).await?;
    let late = t0() + idle_ttl() + secs(1);
    ensure_eq!(
        store.rotate(&f.rotation(1, 2, late)).await?,
        RotationVerdict::Unknown,
        "the first token after its idle TTL"
    );

    // After expiry even a used token is Unknown, not Reused.
    let g = Family::new();
    g.issue(store.as_ref(), t0()).await?;
    ensure_eq!(
        store.rotate(&g.rotation(1, 2, t0())).await?,
        rotated(&g),
        "1 -> 2"
    );
    let late = t0() + idle_ttl() + secs(1);
    ensure_eq!(
        store.rotate(&g.rotation(1, 9, late)).await?,
        RotationVerdict::Unknown,
        "the previous token of an expired family"
    );
    ensure_eq!(
        store.rotate(&g.rotation(2, 3, late)).await?,
        RotationVerdict::Unknown,
        "the current token of an expired family"
    );
    Ok(())
}

pub(super) async fn absolute_expiry(store: Arc<dyn RefreshTokenStore>) -> anyhow::Result<()> {
    let f = Family::new();
    let end = t0() + TimeSpan::hours(1);
    f.issue_until(store.as_ref(), t0(), end).await?;
    ensure_eq!(
        store.rotate(&f.rotation(1, 2, t0() + secs(1800))).await?,
        rotated(&f),
        "half an hour in"
    );
    ensure_eq!(
        store.rotate(&f.rotation(2, 3, end - secs(1))).await?,
        rotated(&f),
        "one second before the absolute expiry"
    );
    ensure_eq!(
        store.rotate(&f.rotation(3, 4, end + secs(1))).await?,
        RotationVerdict::Unknown,
        "one second after the absolute expiry, well inside the idle TTL"
    );
    Ok(())
}

fn reused(f: &Family) -> RotationVerdict {
    RotationVerdict::Reused { user_id: f.user }
}

pub(super) async fn revoke_family(store: Arc<dyn RefreshTokenStore>) -> anyhow::Result<()> {
    let a = Family::new();
    let b = Family::new();
    a.issue(store.as_ref(), t0()).await?;
    b.issue(store.as_ref(), t0()).await?;
    for (n, label) in [(1, "a: 1 -> 2"), (2, "a: 2 -> 3")] {
        ensure_eq!(
            store.rotate(&a.rotation(n, n + 1, t0())).await?,
            rotated(&a),
            "{label}"
        );
    }
    store.revoke_family(a.sid).await?;
    store.revoke_family(a.sid).await?;
    store.revoke_family(Family::new().sid).await?;
    let now = t0() + secs(1);
    ensure_eq!(
        store.rotate(&a.rotation(3, 9, now)).await?,
        RotationVerdict::Unknown,
        "a's current token after revoke_family"
    );
    for (n, label) in [(2, "previous, inside the window"), (1, "older")] {
        ensure_eq!(
            store.rotate(&a.rotation(n, 9, now)).await?,
            reused(&a),
            "a's {label} token after revoke_family"
        );
    }
    store.revoke_family(a.sid).await?;
    ensure_eq!(
        store.rotate(&a.rotation(2, 9, now)).await?,
        reused(&a),
        "a's previous token after a third revoke_family"
    );
    ensure_eq!(
        store.rotate(&a.rotation(3, 9, now)).await?,
        RotationVerdict::Unknown,
        "a's current token, still Unknown after the Reused answers"
    );
    ensure_eq!(
        store.rotate(&b.rotation(1, 2, now)).await?,
        rotated(&b),
        "b rotates"
    );
    Ok(())
}

pub(super) async fn revoke_user(store: Arc<dyn RefreshTokenStore>) -> anyhow::Result<()> {
    let a1 = Family::new();
    let a2 = Family::of_user(a1.user);
    let b = Family::new();
    for f in [&a1, &a2, &b] {
        f.issue(store.as_ref(), t0()).await?;
    }
    ensure_eq!(
        store.rotate(&a1.rotation(1, 2, t0())).await?,
        rotated(&a1),
        "a1: 1 -> 2"
    );
    store.revoke_user(a1.user).await?;
    store.revoke_user(a1.user).await?;
    store.revoke_user(Family::new().user).await?;
    let now = t0() + secs(1);
    for (f, n, label) in [(&a1, 2, "first"), (&a2, 1, "second")] {
        ensure_eq!(
            store.rotate(&f.rotation(n, 9, now)).await?,
            RotationVerdict::Unknown,
            "the current token of the user's {label} family after revoke_user"
        );
    }
    ensure_eq!(
        store.rotate(&a1.rotation(1, 9, now)).await?,
        reused(&a1),
        "the used token of the user's first family after revoke_user"
    );
    ensure_eq!(
        store.rotate(&b.rotation(1, 2, now)).await?,
        rotated(&b),
        "another user's family"
    );
    Ok(())
}

pub(super) async fn tombstone_expires(store: Arc<dyn RefreshTokenStore>) -> anyhow::Result<()> {
    // Idle expiry: the last rotation at t0 + 60 s sets the end, revocation keeps it.
    let f = Family::new();
    f.issue(store.as_ref(), t0()).await?;
    let at = t0() + secs(60);
    ensure_eq!(
        store.rotate(&f.rotation(1, 2, at)).await?,
        rotated(&f),
        "f: 1 -> 2"
    );
    store.revoke_family(f.sid).await?;
    let end = at + idle_ttl();
    ensure_eq!(
        store.rotate(&f.rotation(1, 9, end - secs(1))).await?,
        reused(&f),
        "f's used token one second before the idle expiry"
    );
    ensure_eq!(
        store.rotate(&f.rotation(1, 9, end + secs(1))).await?,
        RotationVerdict::Unknown,
        "f's used token one second after the idle expiry"
    );

    // Absolute expiry, reached through a Reused verdict.
    let g = Family::new();
    let end = t0() + TimeSpan::hours(1);
    g.issue_until(store.as_ref(), t0(), end).await?;
    ensure_eq!(
        store.rotate(&g.rotation(1, 2, t0())).await?,
        rotated(&g),
        "g: 1 -> 2"
    );
    ensure_eq!(
        store.rotate(&g.rotation(1, 9, t0() + secs(60))).await?,
        reused(&g),
        "g's token 1 after the window"
    );
    ensure_eq!(
        store.rotate(&g.rotation(1, 9, end - secs(1))).await?,
        reused(&g),
        "g's token 1 one second before the absolute expiry"
    );
    ensure_eq!(
        store.rotate(&g.rotation(1, 9, end + secs(1))).await?,
        RotationVerdict::Unknown,
        "g's token 1 one second after the absolute expiry"
    );
    Ok(())
}
