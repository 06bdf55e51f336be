//! `LockoutStore` contract.

use std::future::Future;
use std::sync::Arc;

use anyhow::ensure;
use portcullis_domain::ports::{LockoutPolicy, LockoutStore};
use portcullis_domain::{TimeSpan, Timestamp};

use crate::fixtures::{secs, t0};
use crate::suite::{Suite, ensure_eq, race};

/// Checks a [`LockoutStore`] adapter against its contract. `make` returns a fresh,
/// empty store for each clause.
///
/// Clauses: the threshold-th failure within the window locks until `now + duration` and
/// returns that end, earlier ones return `None`; the lock ends when it says; failures
/// during a lock never extend it; the count resets when the lock is set; failures
/// spread wider than the window (counted from the first failure) do not lock;
/// `clear` forgets both the count and the lock; identifiers are independent; concurrent
/// failures are counted exactly.
///
/// # Panics
/// Once, after every clause ran, listing each broken clause.
pub async fn lockout_store_contract<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn LockoutStore>>,
{
    let mut s = Suite::new("LockoutStore");
    s.clause(
        "the threshold-th failure locks until now + duration, and the lock ends then",
        threshold_locks(make().await),
    )
    .await;
    s.clause(
        "failures during a lock never extend it",
        lock_is_never_extended(make().await),
    )
    .await;
    s.clause(
        "the count restarts after a lock",
        count_resets_on_lock(make().await),
    )
    .await;
    s.clause(
        "failures spread beyond the window do not lock",
        window_from_first_failure(make().await),
    )
    .await;
    s.clause("clear forgets failures and the lock", clear(make().await))
        .await;
    s.clause(
        "identifiers are independent",
        identifiers_are_independent(make().await),
    )
    .await;
    s.clause(
        "concurrent failures are counted exactly",
        concurrent_failures(make().await),
    )
    .await;
    s.finish();
}

fn policy() -> LockoutPolicy {
    LockoutPolicy {
        threshold: 5,
        window: TimeSpan::minutes(15),
        duration: TimeSpan::minutes(15),
    }
}

/// Records `count` failures one second apart from `from`; all must return `None`.
async fn fail_quietly(
    store: &dyn LockoutStore,
    id: &str,
    count: u32,
    from: Timestamp,
) -> anyhow::Result<Timestamp> {
    let mut at = from;
    for i in 0..count {
        at = from + secs(i64::from(i));
        let locked = store.record_failure(id, policy(), at).await?;
        ensure_eq!(locked, None, "failure {} of {id}", i + 1);
    }
    Ok(at)
}

async fn threshold_locks(store: Arc<dyn LockoutStore>) -> anyhow::Result<()> {
    let id = "alice@example.com";
    ensure_eq!(
        store.locked_until(id, t0()).await?,
        None,
        "a fresh identifier"
    );
    let last = fail_quietly(store.as_ref(), id, 4, t0()).await?;
    ensure_eq!(
        store.locked_until(id, last).await?,
        None,
        "after 4 failures"
    );
    let at = last + secs(1);
    let end = at + policy().duration;
    let locked = store.record_failure(id, policy(), at).await?;
    ensure_eq!(locked, Some(end), "the fifth failure");
    ensure_eq!(store.locked_until(id, at).await?, Some(end), "right after");
    ensure_eq!(
        store.locked_until(id, end - secs(1)).await?,
        Some(end),
        "one second before the end"
    );
    ensure_eq!(
        store.locked_until(id, end + secs(1)).await?,
        None,
        "one second after the end"
    );
    Ok(())
}

async fn lock_is_never_extended(store: Arc<dyn LockoutStore>) -> anyhow::Result<()> {
    let id = "bob";
    let last = fail_quietly(store.as_ref(), id, 4, t0()).await?;
    let Some(end) = store.record_failure(id, policy(), last).await? else {
        anyhow::bail!("the fifth failure did not lock");
    };
    for i in 1..=12 {
        let at = last + secs(60 * i);
        if at >= end {
            break;
        }
        let answer = store.record_failure(id, policy(), at).await?;
        ensure!(
            answer.is_none() || answer == Some(end),
            "a failure during the lock answered {answer:?}: only None or the current end \
             ({end:?}) are allowed"
        );
        ensure_eq!(
            store.locked_until(id, at).await?,
            Some(end),
            "the lock end after a failure at +{i} min"
        );
    }
    ensure_eq!(
        store.locked_until(id, end + secs(1)).await?,
        None,
        "after the original end"
    );
    Ok(())
}

async fn count_resets_on_lock(store: Arc<dyn LockoutStore>) -> anyhow::Result<()> {
    let id = "carol";
    let last = fail_quietly(store.as_ref(), id, 4, t0()).await?;
    let Some(end) = store.record_failure(id, policy(), last).await? else {
        anyhow::bail!("the fifth failure did not lock");
    };
    let after = end + secs(1);
    let last = fail_quietly(store.as_ref(), id, 4, after).await?;
    let again = store.record_failure(id, policy(), last + secs(1)).await?;
    ensure_eq!(
        again,
        Some(last + secs(1) + policy().duration),
        "the fifth failure after the lock"
    );
    Ok(())
}

async fn window_from_first_failure(store: Arc<dyn LockoutStore>) -> anyhow::Result<()> {
    let id = "dave";
    fail_quietly(store.as_ref(), id, 4, t0()).await?;
    // The window of the first failure has passed: this one starts a new count.
    let late = t0() + policy().window + secs(1);
    let last = fail_quietly(store.as_ref(), id, 4, late).await?;
    ensure_eq!(
        store.locked_until(id, last).await?,
        None,
        "eight spread failures"
    );
    let locked = store.record_failure(id, policy(), last + secs(1)).await?;
    ensure_eq!(
        locked,
        Some(last + secs(1) + policy().duration),
        "the fifth failure of the new window"
    );
    Ok(())
}

async fn clear(store: Arc<dyn LockoutStore>) -> anyhow::Result<()> {
    let id = "erin";
    let last = fail_quietly(store.as_ref(), id, 4, t0()).await?;
    store.clear(id).await?;
    let last = fail_quietly(store.as_ref(), id, 4, last + secs(1)).await?;
    let Some(end) = store.record_failure(id, policy(), last + secs(1)).await? else {
        anyhow::bail!("five failures after clear did not lock");
    };
    store.clear(id).await?;
    ensure_eq!(
        store.locked_until(id, end - secs(60)).await?,
        None,
        "after clear"
    );
    store.clear("never-seen").await?;
    Ok(())
}

async fn identifiers_are_independent(store: Arc<dyn LockoutStore>) -> anyhow::Result<()> {
    let last = fail_quietly(store.as_ref(), "frank", 4, t0()).await?;
    fail_quietly(store.as_ref(), "grace", 4, t0()).await?;
    let locked = store
        .record_failure("frank", policy(), last + secs(1))
        .await?;
    ensure!(locked.is_some(), "frank's fifth failure did not lock");
    ensure_eq!(
        store.locked_until("grace", last + secs(1)).await?,
        None,
        "grace is not locked by frank's failures"
    );
    Ok(())
}

/// Races `n` failures of `id`, all at `t0`.
async fn race_failures(
    store: &Arc<dyn LockoutStore>,
    id: &'static str,
    n: usize,
) -> Vec<Result<Option<Timestamp>, portcullis_domain::StoreError>> {
    race(n, |_| {
        let store = Arc::clone(store);
        async move { store.record_failure(id, policy(), t0()).await }
    })
    .await
}

async fn concurrent_failures(store: Arc<dyn LockoutStore>) -> anyhow::Result<()> {
    let end = t0() + policy().duration;
    for result in race_failures(&store, "below", 4).await {
        ensure_eq!(result?, None, "one of 4 concurrent failures");
    }
    ensure_eq!(
        store.locked_until("below", t0()).await?,
        None,
        "after 4 concurrent failures"
    );
    let results = race_failures(&store, "above", 20).await;
    let mut lockers = 0;
    for result in results {
        match result? {
            Some(at) if at == end => lockers += 1,
            None => {}
            other => anyhow::bail!("a concurrent failure answered {other:?}, expected {end:?}"),
        }
    }
    ensure!(
        lockers >= 1,
        "none of 20 concurrent failures reported the lock"
    );
    ensure_eq!(
        store.locked_until("above", t0()).await?,
        Some(end),
        "after 20 concurrent failures"
    );
    Ok(())
}
