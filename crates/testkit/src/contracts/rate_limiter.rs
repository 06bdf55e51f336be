//! `RateLimiter` contract.

use std::future::Future;
use std::sync::Arc;

use anyhow::ensure;
use portcullis_domain::ports::{RateLimitDecision, RateLimitPolicy, RateLimiter};

use crate::fixtures::{secs, t0};
use crate::suite::{Suite, ensure_eq, race};

/// Checks a [`RateLimiter`] adapter against its contract. `make` returns a fresh, empty
/// limiter for each clause.
///
/// Clauses: a fixed window starts at the first counted request of a key; each allowed
/// request reports `remaining` after counting and `reset_after` = time to the window's
/// end; past the limit requests are refused with `remaining = 0` and are not counted (so
/// they neither extend the window nor eat the next one); a new window starts after the
/// end; keys are independent; of N concurrent checks on a fresh key exactly
/// `min(N, limit)` are allowed, with distinct `remaining` values.
///
/// # Panics
/// Once, after every clause ran, listing each broken clause.
pub async fn rate_limiter_contract<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn RateLimiter>>,
{
    let mut s = Suite::new("RateLimiter");
    s.clause(
        "allowed requests count down remaining; reset_after is the time to the window end",
        counts_down(make().await),
    )
    .await;
    s.clause(
        "past the limit requests are refused and not counted",
        refuses_without_counting(make().await),
    )
    .await;
    s.clause(
        "the window starts at the first counted request; a new one starts after its end",
        window_starts_at_first_request(make().await),
    )
    .await;
    s.clause("keys are independent", keys_are_independent(make().await))
        .await;
    s.clause(
        "of 50 concurrent checks with limit 10 exactly 10 are allowed",
        concurrent(make().await, 50, 10),
    )
    .await;
    s.clause(
        "of 8 concurrent checks with limit 10 all 8 are allowed",
        concurrent(make().await, 8, 10),
    )
    .await;
    s.finish();
}

fn policy(limit: u32) -> RateLimitPolicy {
    RateLimitPolicy {
        limit,
        window: secs(60),
    }
}

fn allowed(limit: u32, remaining: u32, reset_after_secs: i64) -> RateLimitDecision {
    RateLimitDecision {
        allowed: true,
        limit,
        remaining,
        reset_after: secs(reset_after_secs),
    }
}

fn refused(limit: u32, reset_after_secs: i64) -> RateLimitDecision {
    RateLimitDecision {
        allowed: false,
        remaining: 0,
        ..allowed(limit, 0, reset_after_secs)
    }
}

async fn counts_down(limiter: Arc<dyn RateLimiter>) -> anyhow::Result<()> {
    for (i, remaining) in [2, 1, 0].into_iter().enumerate() {
        let elapsed = 10 * i64::try_from(i)?;
        let decision = limiter
            .check("login:203.0.113.7", policy(3), t0() + secs(elapsed))
            .await?;
        ensure_eq!(
            decision,
            allowed(3, remaining, 60 - elapsed),
            "request {} at +{elapsed} s",
            i + 1
        );
    }
    Ok(())
}

async fn refuses_without_counting(limiter: Arc<dyn RateLimiter>) -> anyhow::Result<()> {
    let key = "register:198.51.100.1";
    limiter.check(key, policy(2), t0()).await?;
    limiter.check(key, policy(2), t0() + secs(1)).await?;
    for at in [5, 30, 59] {
        let decision = limiter.check(key, policy(2), t0() + secs(at)).await?;
        ensure_eq!(decision, refused(2, 60 - at), "request at +{at} s");
    }
    // The refusals neither extended the window nor counted against the next one.
    let decision = limiter.check(key, policy(2), t0() + secs(61)).await?;
    ensure_eq!(
        decision,
        allowed(2, 1, 60),
        "first request of the next window"
    );
    let decision = limiter.check(key, policy(2), t0() + secs(62)).await?;
    ensure_eq!(
        decision,
        allowed(2, 0, 59),
        "second request of the next window"
    );
    Ok(())
}

async fn window_starts_at_first_request(limiter: Arc<dyn RateLimiter>) -> anyhow::Result<()> {
    let key = "refresh:user-1";
    // The key is first seen 25 s after t0: its window ends 60 s later, not on a grid.
    let start = t0() + secs(25);
    ensure_eq!(
        limiter.check(key, policy(2), start).await?,
        allowed(2, 1, 60),
        "first request"
    );
    ensure_eq!(
        limiter.check(key, policy(2), start + secs(59)).await?,
        allowed(2, 0, 1),
        "one second before the end"
    );
    ensure_eq!(
        limiter
            .check(key, policy(2), start + secs(60) + secs(10))
            .await?,
        allowed(2, 1, 60),
        "after the end a new window starts at this request"
    );
    Ok(())
}

async fn keys_are_independent(limiter: Arc<dyn RateLimiter>) -> anyhow::Result<()> {
    ensure_eq!(
        limiter.check("a", policy(1), t0()).await?,
        allowed(1, 0, 60),
        "key a"
    );
    ensure_eq!(
        limiter.check("a", policy(1), t0()).await?,
        refused(1, 60),
        "key a again"
    );
    ensure_eq!(
        limiter.check("b", policy(1), t0() + secs(1)).await?,
        allowed(1, 0, 60),
        "key b"
    );
    Ok(())
}

async fn concurrent(limiter: Arc<dyn RateLimiter>, n: usize, limit: u32) -> anyhow::Result<()> {
    let results = race(n, |_| {
        let limiter = Arc::clone(&limiter);
        async move { limiter.check("hot-key", policy(limit), t0()).await }
    })
    .await;
    let mut remaining = Vec::new();
    let mut refusals = 0;
    for result in results {
        let decision = result?;
        if decision.allowed {
            remaining.push(decision.remaining);
        } else {
            refusals += 1;
            ensure_eq!(decision.remaining, 0, "remaining of a refusal");
        }
    }
    let expected_allowed = n.min(usize::try_from(limit)?);
    ensure_eq!(
        remaining.len(),
        expected_allowed,
        "allowed among {n} racers"
    );
    ensure_eq!(refusals, n - expected_allowed, "refused among {n} racers");
    remaining.sort_unstable();
    let expected: Vec<u32> = (0..limit).rev().take(expected_allowed).rev().collect();
    ensure!(
        remaining == expected,
        "remaining values of the allowed requests {remaining:?}, expected {expected:?}"
    );
    Ok(())
}
