//! `OneTimeTokenRepository` contract.

use std::future::Future;
use std::sync::Arc;

use anyhow::ensure;
use portcullis_domain::UserId;
use portcullis_domain::ports::{OneTimeToken, OneTimeTokenRepository, TokenPurpose};

use crate::fixtures::{WithUsers, secs, t0};
use crate::suite::{Suite, ensure_eq, race};

/// Checks a [`OneTimeTokenRepository`] adapter against its contract. `make` returns a
/// fresh, empty repository (with the user repository of the same backend) per clause.
///
/// Clauses: `consume` returns the user once, before expiry only, and `None` for unknown,
/// used, expired and other-purpose tokens (an other-purpose attempt leaves the token
/// usable); `replace` invalidates the user's older tokens of the same purpose only;
/// of 50 concurrent consumptions of one token exactly one gets the user.
///
/// # Panics
/// Once, after every clause ran, listing each broken clause.
pub async fn one_time_token_repository_contract<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = WithUsers<dyn OneTimeTokenRepository>>,
{
    let mut s = Suite::new("OneTimeTokenRepository");
    s.clause(
        "consume returns the user once; unknown and used tokens are None",
        consume_once(make().await),
    )
    .await;
    s.clause("an expired token is None", expired(make().await))
        .await;
    s.clause(
        "another purpose is None and leaves the token usable",
        other_purpose(make().await),
    )
    .await;
    s.clause(
        "replace invalidates the user's older tokens of the same purpose only",
        replace_invalidates(make().await),
    )
    .await;
    s.clause(
        "of 50 concurrent consumptions exactly one gets the user",
        concurrent_consume(make().await),
    )
    .await;
    s.finish();
}

fn token(seed: u8, purpose: TokenPurpose, user_id: UserId) -> OneTimeToken {
    OneTimeToken {
        hash: [seed; 32],
        purpose,
        user_id,
        expires_at: t0() + secs(3600),
    }
}

const RESET: TokenPurpose = TokenPurpose::PasswordReset;
const VERIFY: TokenPurpose = TokenPurpose::EmailVerification;

async fn consume_once(fx: WithUsers<dyn OneTimeTokenRepository>) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    repo.replace(&token(1, RESET, alice)).await?;
    let now = t0() + secs(60);
    ensure_eq!(
        repo.consume([1; 32], RESET, now).await?,
        Some(alice),
        "first use"
    );
    ensure_eq!(repo.consume([1; 32], RESET, now).await?, None, "second use");
    ensure_eq!(
        repo.consume([9; 32], RESET, now).await?,
        None,
        "an unknown token"
    );
    Ok(())
}

async fn expired(fx: WithUsers<dyn OneTimeTokenRepository>) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    let bob = fx.seed_user("bob@example.com").await?;
    let early = token(1, RESET, alice);
    let late = token(2, RESET, bob);
    repo.replace(&early).await?;
    repo.replace(&late).await?;
    ensure_eq!(
        repo.consume([1; 32], RESET, early.expires_at + secs(1))
            .await?,
        None,
        "one second after expiry"
    );
    ensure_eq!(
        repo.consume([2; 32], RESET, late.expires_at - secs(1))
            .await?,
        Some(bob),
        "one second before expiry"
    );
    Ok(())
}

async fn other_purpose(fx: WithUsers<dyn OneTimeTokenRepository>) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    repo.replace(&token(1, VERIFY, alice)).await?;
    ensure_eq!(
        repo.consume([1; 32], RESET, t0()).await?,
        None,
        "a verification token presented as a reset token"
    );
    ensure_eq!(
        repo.consume([1; 32], VERIFY, t0()).await?,
        Some(alice),
        "the verification token afterwards"
    );
    Ok(())
}

async fn replace_invalidates(fx: WithUsers<dyn OneTimeTokenRepository>) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    let bob = fx.seed_user("bob@example.com").await?;
    repo.replace(&token(1, RESET, alice)).await?;
    repo.replace(&token(2, VERIFY, alice)).await?;
    repo.replace(&token(3, RESET, bob)).await?;
    repo.replace(&token(4, RESET, alice)).await?;
    ensure_eq!(
        repo.consume([1; 32], RESET, t0()).await?,
        None,
        "alice's replaced token"
    );
    ensure_eq!(
        repo.consume([4; 32], RESET, t0()).await?,
        Some(alice),
        "alice's newest reset token"
    );
    ensure_eq!(
        repo.consume([2; 32], VERIFY, t0()).await?,
        Some(alice),
        "alice's verification token"
    );
    ensure_eq!(
        repo.consume([3; 32], RESET, t0()).await?,
        Some(bob),
        "bob's reset token"
    );
    Ok(())
}

async fn concurrent_consume(fx: WithUsers<dyn OneTimeTokenRepository>) -> anyhow::Result<()> {
    let alice = fx.seed_user("alice@example.com").await?;
    fx.store.replace(&token(7, RESET, alice)).await?;
    let results = race(50, |_| {
        let repo = Arc::clone(&fx.store);
        async move { repo.consume([7; 32], RESET, t0()).await }
    })
    .await;
    let mut winners = 0;
    for result in results {
        match result? {
            Some(user) if user == alice => winners += 1,
            None => {}
            Some(other) => anyhow::bail!("consume returned another user {other}"),
        }
    }
    ensure!(
        winners == 1,
        "{winners} of 50 concurrent consumptions got the user"
    );
    Ok(())
}
