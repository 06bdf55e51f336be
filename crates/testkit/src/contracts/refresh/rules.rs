//! The verdict rules of `rotate`, one at a time.

use std::sync::Arc;

use anyhow::ensure;
use portcullis_domain::ports::{RefreshTokenStore, Rotation, RotationVerdict};

use super::{Family, OTHER_DEVICE, grace};
use crate::fixtures::{secs, t0};
use crate::suite::ensure_eq;

fn rotated(f: &Family) -> RotationVerdict {
    RotationVerdict::Rotated { user_id: f.user }
}

fn reused(f: &Family) -> RotationVerdict {
    RotationVerdict::Reused { user_id: f.user }
}

fn mismatch(f: &Family) -> RotationVerdict {
    RotationVerdict::DeviceMismatch { user_id: f.user }
}

fn from_other_device(mut r: Rotation) -> Rotation {
    r.fingerprint = OTHER_DEVICE;
    r
}

pub(super) async fn rotates_current(store: Arc<dyn RefreshTokenStore>) -> anyhow::Result<()> {
    let f = Family::new();
    f.issue(store.as_ref(), t0()).await?;
    for n in 1..5u8 {
        let now = t0() + secs(60 * i64::from(n));
        let verdict = store.rotate(&f.rotation(n, n + 1, now)).await?;
        ensure_eq!(verdict, rotated(&f), "rotation of token {n}");
    }
    Ok(())
}

pub(super) async fn within_grace(store: Arc<dyn RefreshTokenStore>) -> anyhow::Result<()> {
    let f = Family::new();
    let at = t0() + secs(60);
    f.issue(store.as_ref(), t0()).await?;
    ensure_eq!(
        store.rotate(&f.rotation(1, 2, at)).await?,
        rotated(&f),
        "1 -> 2"
    );

    // A racing request presents token 1 again, offering its own successor (9).
    let expected_sealed = f.token(1).seal(&f.token(2));
    let verdict = store.rotate(&f.rotation(1, 9, at + secs(10))).await?;
    ensure_eq!(
        verdict,
        RotationVerdict::WithinGrace {
            user_id: f.user,
            sealed_successor: expected_sealed,
        },
        "token 1 again, 10 s later"
    );
    ensure_eq!(
        f.token(1).open(&expected_sealed),
        f.token(2),
        "the sealed successor opens to token 2"
    );
    // Just inside the window, from another device, without device checks.
    let mut lax = from_other_device(f.rotation(1, 8, at + grace() - secs(1)));
    lax.check_device = false;
    let verdict = store.rotate(&lax).await?;
    ensure!(
        matches!(verdict, RotationVerdict::WithinGrace { .. }),
        "another device without check_device: {verdict:?}, expected WithinGrace"
    );
    // The family is unchanged: token 2 is current, 9 and 8 were never installed.
    ensure_eq!(
        store.rotate(&f.rotation(9, 10, at + secs(20))).await?,
        RotationVerdict::Unknown,
        "the losing request's successor"
    );
    ensure_eq!(
        store.rotate(&f.rotation(2, 3, at + secs(20))).await?,
        rotated(&f),
        "token 2 is still current"
    );
    Ok(())
}

pub(super) async fn grace_device_mismatch(store: Arc<dyn RefreshTokenStore>) -> anyhow::Result<()> {
    let f = Family::new();
    f.issue(store.as_ref(), t0()).await?;
    ensure_eq!(
        store.rotate(&f.rotation(1, 2, t0())).await?,
        rotated(&f),
        "1 -> 2"
    );
    let verdict = store
        .rotate(&from_other_device(f.rotation(1, 9, t0() + secs(5))))
        .await?;
    ensure_eq!(
        verdict,
        mismatch(&f),
        "token 1 from another device in the window"
    );
    ensure_eq!(
        store.rotate(&f.rotation(2, 3, t0() + secs(6))).await?,
        RotationVerdict::Unknown,
        "token 2 after the family was revoked"
    );
    ensure_eq!(
        store.rotate(&f.rotation(1, 9, t0() + secs(7))).await?,
        reused(&f),
        "token 1 from the family's device after the revocation, still in the window"
    );
    Ok(())
}

pub(super) async fn current_device_mismatch(
    store: Arc<dyn RefreshTokenStore>,
) -> anyhow::Result<()> {
    let lax = Family::new();
    lax.issue(store.as_ref(), t0()).await?;
    let mut r = from_other_device(lax.rotation(1, 2, t0() + secs(1)));
    r.check_device = false;
    ensure_eq!(store.rotate(&r).await?, rotated(&lax), "device checks off");

    let f = Family::new();
    f.issue(store.as_ref(), t0()).await?;
    let verdict = store
        .rotate(&from_other_device(f.rotation(1, 2, t0() + secs(1))))
        .await?;
    ensure_eq!(verdict, mismatch(&f), "current token from another device");
    ensure_eq!(
        store.rotate(&f.rotation(1, 2, t0() + secs(2))).await?,
        RotationVerdict::Unknown,
        "the current token after the family was revoked"
    );
    ensure_eq!(
        store.rotate(&f.rotation(2, 3, t0() + secs(2))).await?,
        RotationVerdict::Unknown,
        "the offered successor was never installed"
    );
    Ok(())
}

pub(super) async fn previous_after_window(store: Arc<dyn RefreshTokenStore>) -> anyhow::Result<()> {
    let f = Family::new();
    let at = t0() + secs(60);
    f.issue(store.as_ref(), t0()).await?;
    ensure_eq!(
        store.rotate(&f.rotation(1, 2, at)).await?,
        rotated(&f),
        "1 -> 2"
    );
    // `now < rotated_at + grace` is the window: its end is already outside.
    let verdict = store.rotate(&f.rotation(1, 9, at + grace())).await?;
    ensure_eq!(verdict, reused(&f), "token 1 at rotated_at + grace");
    ensure_eq!(
        store.rotate(&f.rotation(2, 3, at + grace())).await?,
        RotationVerdict::Unknown,
        "token 2 after the family was revoked"
    );
    ensure_eq!(
        store
            .rotate(&from_other_device(f.rotation(1, 9, at + grace() + secs(1))))
            .await?,
        reused(&f),
        "token 1 replayed from another device: Reused again, no device check"
    );
    ensure_eq!(
        store
            .rotate(&f.rotation(2, 3, at + grace() + secs(2)))
            .await?,
        RotationVerdict::Unknown,
        "token 2 after the replay: the tombstone did not change"
    );

    let g = Family::new();
    g.issue(store.as_ref(), t0()).await?;
    store.rotate(&g.rotation(1, 2, at)).await?;
    let verdict = store
        .rotate(&from_other_device(g.rotation(1, 9, at + secs(3600))))
        .await?;
    ensure_eq!(
        verdict,
        reused(&g),
        "token 1 an hour later from another device"
    );
    Ok(())
}

pub(super) async fn older_token_reused(store: Arc<dyn RefreshTokenStore>) -> anyhow::Result<()> {
    let f = Family::new();
    f.issue(store.as_ref(), t0()).await?;
    ensure_eq!(
        store.rotate(&f.rotation(1, 2, t0())).await?,
        rotated(&f),
        "1 -> 2"
    );
    ensure_eq!(
        store.rotate(&f.rotation(2, 3, t0() + secs(1))).await?,
        rotated(&f),
        "2 -> 3"
    );
    let verdict = store.rotate(&f.rotation(1, 9, t0() + secs(2))).await?;
    ensure_eq!(
        verdict,
        reused(&f),
        "token 1, two rotations old, inside 30 s"
    );
    ensure_eq!(
        store.rotate(&f.rotation(3, 4, t0() + secs(3))).await?,
        RotationVerdict::Unknown,
        "token 3 after the family was revoked"
    );
    for (n, label) in [
        (2, "the previous token, inside the window"),
        (1, "token 1 again"),
    ] {
        ensure_eq!(
            store.rotate(&f.rotation(n, 9, t0() + secs(4))).await?,
            reused(&f),
            "{label}, after the revocation"
        );
    }
    Ok(())
}

pub(super) async fn zero_grace(store: Arc<dyn RefreshTokenStore>) -> anyhow::Result<()> {
    let f = Family::new();
    f.issue(store.as_ref(), t0()).await?;
    let no_window = |mut r: Rotation| {
        r.grace = secs(0);
        r
    };
    ensure_eq!(
        store.rotate(&no_window(f.rotation(1, 2, t0()))).await?,
        rotated(&f),
        "1 -> 2"
    );
    ensure_eq!(
        store.rotate(&no_window(f.rotation(1, 9, t0()))).await?,
        reused(&f),
        "token 1 at the same instant, zero window"
    );
    ensure_eq!(
        store.rotate(&no_window(f.rotation(2, 3, t0()))).await?,
        RotationVerdict::Unknown,
        "token 2 after the family was revoked"
    );
    ensure_eq!(
        store.rotate(&no_window(f.rotation(1, 9, t0()))).await?,
        reused(&f),
        "token 1 once more"
    );
    Ok(())
}

pub(super) async fn unknown_never_touches(store: Arc<dyn RefreshTokenStore>) -> anyhow::Result<()> {
    let a = Family::new();
    let b = Family::new();
    a.issue(store.as_ref(), t0()).await?;
    b.issue(store.as_ref(), t0()).await?;
    ensure_eq!(
        store.rotate(&a.rotation(1, 2, t0())).await?,
        rotated(&a),
        "a: 1 -> 2"
    );
    let now = t0() + secs(1);

    let guess = a.rotation(200, 201, now);
    ensure_eq!(
        store.rotate(&guess).await?,
        RotationVerdict::Unknown,
        "a guess"
    );
    let guess = from_other_device(a.rotation(200, 201, now));
    ensure_eq!(
        store.rotate(&guess).await?,
        RotationVerdict::Unknown,
        "a guess from another device"
    );
    // B's current token presented under A's family id.
    let b_current = b.token(1);
    let mut crossed = a.rotation(1, 3, now);
    crossed.presented = b_current.hash();
    crossed.sealed_successor = b_current.seal(&a.token(3));
    ensure_eq!(
        store.rotate(&crossed).await?,
        RotationVerdict::Unknown,
        "another family's token"
    );
    let missing = Family::new();
    ensure_eq!(
        store.rotate(&missing.rotation(1, 2, now)).await?,
        RotationVerdict::Unknown,
        "a family that was never issued"
    );
    // Both families are intact: the window of A still answers, B still rotates.
    let verdict = store.rotate(&a.rotation(1, 9, now)).await?;
    ensure!(
        matches!(verdict, RotationVerdict::WithinGrace { .. }),
        "a's previous token after the guesses: {verdict:?}, expected WithinGrace"
    );
    ensure_eq!(
        store.rotate(&a.rotation(2, 3, now)).await?,
        rotated(&a),
        "a: 2 -> 3"
    );
    ensure_eq!(
        store.rotate(&b.rotation(1, 2, now)).await?,
        rotated(&b),
        "b: 1 -> 2"
    );
    Ok(())
}
