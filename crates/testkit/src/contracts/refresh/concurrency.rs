//! Many requests presenting one token at the same instant.

use std::sync::Arc;

use portcullis_domain::ports::{RefreshTokenStore, Rotation, RotationVerdict};

use super::Family;
use crate::fixtures::{secs, t0};
use crate::suite::{ensure_eq, race};

const RACERS: usize = 32;

/// Races `RACERS` rotations of token 1, racer `i` offering token `10 + i`.
async fn race_token_one(
    store: &Arc<dyn RefreshTokenStore>,
    f: Family,
    adjust: fn(Rotation) -> Rotation,
) -> anyhow::Result<Vec<RotationVerdict>> {
    f.issue(store.as_ref(), t0()).await?;
    let results = race(RACERS, |i| {
        let store = Arc::clone(store);
        let successor = u8::try_from(10 + i).unwrap_or(u8::MAX);
        let rotation = adjust(f.rotation(1, successor, t0() + secs(5)));
        async move { store.rotate(&rotation).await }
    })
    .await;
    let mut verdicts = Vec::with_capacity(RACERS);
    for result in results {
        verdicts.push(result?);
    }
    Ok(verdicts)
}

pub(super) async fn race_with_grace(store: Arc<dyn RefreshTokenStore>) -> anyhow::Result<()> {
    let f = Family::new();
    let verdicts = race_token_one(&store, f, |r| r).await?;
    let winners: Vec<usize> = (0..RACERS)
        .filter(|&i| verdicts[i] == RotationVerdict::Rotated { user_id: f.user })
        .collect();
    ensure_eq!(winners.len(), 1, "Rotated verdicts among {RACERS} racers");
    let winner = u8::try_from(10 + winners[0])?;
    let sealed = f.token(1).seal(&f.token(winner));
    let graced = verdicts
        .iter()
        .filter(|v| {
            **v == RotationVerdict::WithinGrace {
                user_id: f.user,
                sealed_successor: sealed,
            }
        })
        .count();
    ensure_eq!(
        graced,
        RACERS - 1,
        "WithinGrace verdicts carrying the winner's sealed successor"
    );
    ensure_eq!(
        store
            .rotate(&f.rotation(winner, 99, t0() + secs(6)))
            .await?,
        RotationVerdict::Rotated { user_id: f.user },
        "the winner's successor is current"
    );
    Ok(())
}

pub(super) async fn race_without_grace(store: Arc<dyn RefreshTokenStore>) -> anyhow::Result<()> {
    let f = Family::new();
    let verdicts = race_token_one(&store, f, |mut r| {
        r.grace = secs(0);
        r
    })
    .await?;
    let count = |want: &RotationVerdict| verdicts.iter().filter(|v| *v == want).count();
    let rotated = count(&RotationVerdict::Rotated { user_id: f.user });
    let reused = count(&RotationVerdict::Reused { user_id: f.user });
    ensure_eq!(rotated, 1, "Rotated verdicts among {RACERS} racers");
    // The first loser revokes the family; the tombstone answers Reused to the others.
    ensure_eq!(
        reused,
        RACERS - 1,
        "Reused verdicts among {RACERS} racers (got {verdicts:?})"
    );
    for n in 10..10 + u8::try_from(RACERS)? {
        let mut r = f.rotation(n, 200, t0() + secs(6));
        r.grace = secs(0);
        ensure_eq!(
            store.rotate(&r).await?,
            RotationVerdict::Unknown,
            "offered successor {n} after the family was revoked"
        );
    }
    Ok(())
}
