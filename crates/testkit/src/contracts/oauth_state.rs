//! `OAuthStateStore` contract.

use std::future::Future;
use std::sync::Arc;

use anyhow::ensure;
use portcullis_domain::oauth::{OAuthDigest, PkceVerifier, ProviderName};
use portcullis_domain::ports::{OAuthStateRecord, OAuthStateStore};
use uuid::Uuid;

use crate::fixtures::{secs, t0};
use crate::suite::{Suite, ensure_eq, race};

/// Checks an [`OAuthStateStore`] adapter against its contract. `make` returns a fresh,
/// empty store for each clause.
///
/// Clauses: a stored record comes back whole, once; unknown states are `None`; a state
/// is refused from its `expires_at` on (and stays refused); states are independent;
/// of N concurrent `take`s of one state exactly one gets the record.
///
/// # Panics
/// Once, after every clause ran, listing each broken clause.
pub async fn oauth_state_store_contract<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn OAuthStateStore>>,
{
    let mut s = Suite::new("OAuthStateStore");
    s.clause(
        "a record round-trips whole and is taken once",
        round_trip(make().await),
    )
    .await;
    s.clause("an unknown state is None", unknown(make().await))
        .await;
    s.clause(
        "a state is refused from its expires_at on",
        expiry(make().await),
    )
    .await;
    s.clause("states are independent", independent(make().await))
        .await;
    s.clause(
        "exactly one of concurrent takes gets the record",
        single_use_under_race(make().await),
    )
    .await;
    s.finish();
}

/// A fresh state digest.
fn state() -> OAuthDigest {
    OAuthDigest::of(&Uuid::new_v4().to_string())
}

/// A record expiring 600 s after [`t0`], with a redirect that needs no escaping.
fn record(provider: ProviderName, seed: u8) -> OAuthStateRecord {
    OAuthStateRecord {
        provider,
        pkce_verifier: PkceVerifier::from_random([seed; 32]),
        redirect_to: format!("https://app.example.com/after?x={seed}&y=a%20b#frag"),
        binding: OAuthDigest::of(&format!("binding-{seed}")),
        expires_at: t0() + secs(600),
    }
}

async fn round_trip(store: Arc<dyn OAuthStateStore>) -> anyhow::Result<()> {
    let (key, stored) = (state(), record(ProviderName::Github, 1));
    store.put(key, &stored, t0()).await?;
    let taken = store.take(key, t0() + secs(1)).await?;
    ensure_eq!(taken, Some(stored), "the first take");
    ensure!(
        store.take(key, t0() + secs(2)).await?.is_none(),
        "a second take got the record again"
    );
    Ok(())
}

async fn unknown(store: Arc<dyn OAuthStateStore>) -> anyhow::Result<()> {
    ensure!(store.take(state(), t0()).await?.is_none(), "never stored");
    Ok(())
}

async fn expiry(store: Arc<dyn OAuthStateStore>) -> anyhow::Result<()> {
    let (live, at_deadline, late) = (state(), state(), state());
    for key in [live, at_deadline, late] {
        store
            .put(key, &record(ProviderName::Google, 2), t0())
            .await?;
    }
    ensure!(
        store.take(live, t0() + secs(599)).await?.is_some(),
        "one second before expires_at"
    );
    ensure!(
        store.take(at_deadline, t0() + secs(600)).await?.is_none(),
        "at expires_at"
    );
    ensure!(
        store.take(late, t0() + secs(601)).await?.is_none(),
        "after expires_at"
    );
    ensure!(
        store.take(late, t0() + secs(1)).await?.is_none(),
        "an expired state came back when asked with an earlier clock"
    );
    Ok(())
}

async fn independent(store: Arc<dyn OAuthStateStore>) -> anyhow::Result<()> {
    let (a, b) = (state(), state());
    let (ra, rb) = (
        record(ProviderName::Google, 3),
        record(ProviderName::Github, 4),
    );
    store.put(a, &ra, t0()).await?;
    store.put(b, &rb, t0()).await?;
    ensure_eq!(store.take(b, t0()).await?, Some(rb), "the second state");
    ensure_eq!(store.take(a, t0()).await?, Some(ra), "the first state");
    Ok(())
}

async fn single_use_under_race(store: Arc<dyn OAuthStateStore>) -> anyhow::Result<()> {
    let key = state();
    store
        .put(key, &record(ProviderName::Google, 5), t0())
        .await?;
    let answers = race(16, |_| {
        let store = Arc::clone(&store);
        async move { store.take(key, t0() + secs(1)).await }
    })
    .await;
    let mut won = 0;
    for answer in answers {
        if answer?.is_some() {
            won += 1;
        }
    }
    ensure_eq!(won, 1, "takes that got the record");
    Ok(())
}
