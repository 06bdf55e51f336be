//! `MfaRepository` contract.

use std::future::Future;
use std::sync::Arc;

use anyhow::ensure;
use portcullis_domain::mfa::TotpEnrollment;
use portcullis_domain::ports::MfaRepository;

use crate::fixtures::{WithUsers, sample_enrollment, secs, t0};
use crate::suite::{Suite, ensure_eq, race};

/// Checks an [`MfaRepository`] adapter against its contract. `make` returns a fresh,
/// empty repository (with the user repository of the same backend) per clause.
///
/// Clauses: a pending enrolment round-trips and is replaced by the next `save_pending`;
/// `confirm` is true once for a pending enrolment (storing the time, step and recovery
/// digests) and false without one; `save_pending` is false and changes nothing while a
/// confirmed enrolment exists; `use_step` is true only for a step above the last used
/// one (the confirming step included); `consume_recovery_code` is true once per code;
/// `delete` reports existence; of 20 concurrent `use_step` (or recovery-code uses) with
/// one value exactly one is true.
///
/// # Panics
/// Once, after every clause ran, listing each broken clause.
pub async fn mfa_repository_contract<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = WithUsers<dyn MfaRepository>>,
{
    let mut s = Suite::new("MfaRepository");
    s.clause(
        "save_pending stores and replaces a pending enrolment",
        pending(make().await),
    )
    .await;
    s.clause(
        "confirm is true once for a pending enrolment and stores step and codes",
        confirm(make().await),
    )
    .await;
    s.clause(
        "save_pending is false and changes nothing while confirmed",
        confirmed_is_kept(make().await),
    )
    .await;
    s.clause(
        "use_step is true only above the last used step",
        use_step(make().await),
    )
    .await;
    s.clause(
        "consume_recovery_code is true once per code",
        recovery_codes(make().await),
    )
    .await;
    s.clause(
        "delete reports whether an enrolment existed",
        delete(make().await),
    )
    .await;
    s.clause(
        "of 20 concurrent uses of one step or one recovery code exactly one is true",
        concurrent_uses(make().await),
    )
    .await;
    s.finish();
}

const CONFIRM_STEP: u64 = 58_907_520;

fn codes() -> Vec<[u8; 32]> {
    (1..=3).map(|n| [n; 32]).collect()
}

/// Saves and confirms an enrolment for a new user; returns the confirmed state.
async fn confirmed(
    fx: &WithUsers<dyn MfaRepository>,
    email: &str,
) -> anyhow::Result<TotpEnrollment> {
    let user = fx.seed_user(email).await?;
    let pending = sample_enrollment(user, 1);
    ensure!(fx.store.save_pending(&pending).await?, "save_pending");
    ensure!(
        fx.store.confirm(user, CONFIRM_STEP, &codes(), t0()).await?,
        "confirm"
    );
    Ok(TotpEnrollment {
        confirmed_at: Some(t0()),
        last_used_step: Some(CONFIRM_STEP),
        recovery_code_hashes: codes(),
        ..pending
    })
}

async fn pending(fx: WithUsers<dyn MfaRepository>) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    ensure_eq!(repo.find(alice).await?, None, "before enrolment");
    let first = sample_enrollment(alice, 1);
    ensure!(repo.save_pending(&first).await?, "first save_pending");
    ensure_eq!(
        repo.find(alice).await?,
        Some(first),
        "the pending enrolment"
    );
    let second = sample_enrollment(alice, 2);
    ensure!(repo.save_pending(&second).await?, "second save_pending");
    ensure_eq!(
        repo.find(alice).await?,
        Some(second),
        "the replaced enrolment"
    );
    Ok(())
}

async fn confirm(fx: WithUsers<dyn MfaRepository>) -> anyhow::Result<()> {
    let expected = confirmed(&fx, "alice@example.com").await?;
    let repo = fx.store.as_ref();
    let alice = expected.user_id;
    ensure_eq!(
        repo.find(alice).await?,
        Some(expected),
        "the confirmed enrolment"
    );
    ensure!(
        !repo
            .confirm(alice, CONFIRM_STEP + 1, &codes(), t0() + secs(30))
            .await?,
        "confirming a confirmed enrolment"
    );
    let bob = fx.seed_user("bob@example.com").await?;
    ensure!(
        !repo.confirm(bob, CONFIRM_STEP, &codes(), t0()).await?,
        "confirming without an enrolment"
    );
    ensure_eq!(repo.find(bob).await?, None, "no enrolment appears");
    Ok(())
}

async fn confirmed_is_kept(fx: WithUsers<dyn MfaRepository>) -> anyhow::Result<()> {
    let expected = confirmed(&fx, "alice@example.com").await?;
    let repo = fx.store.as_ref();
    let replacement = sample_enrollment(expected.user_id, 9);
    ensure!(
        !repo.save_pending(&replacement).await?,
        "save_pending over a confirmed enrolment"
    );
    ensure_eq!(
        repo.find(expected.user_id).await?,
        Some(expected),
        "the confirmed enrolment is kept"
    );
    Ok(())
}

async fn use_step(fx: WithUsers<dyn MfaRepository>) -> anyhow::Result<()> {
    let enrolment = confirmed(&fx, "alice@example.com").await?;
    let (repo, alice) = (fx.store.as_ref(), enrolment.user_id);
    let s = CONFIRM_STEP;
    for (step, want, why) in [
        (s, false, "the confirming step again"),
        (s + 1, true, "the next step"),
        (s + 1, false, "the same step again"),
        (s, false, "an older step"),
        (s + 5, true, "a later step"),
        (s + 3, false, "a step between"),
    ] {
        ensure_eq!(repo.use_step(alice, step).await?, want, "{why} ({step})");
    }
    let found = repo.find(alice).await?.and_then(|e| e.last_used_step);
    ensure_eq!(found, Some(s + 5), "last_used_step");
    Ok(())
}

async fn recovery_codes(fx: WithUsers<dyn MfaRepository>) -> anyhow::Result<()> {
    let enrolment = confirmed(&fx, "alice@example.com").await?;
    let (repo, alice) = (fx.store.as_ref(), enrolment.user_id);
    ensure!(
        repo.consume_recovery_code(alice, [2; 32]).await?,
        "first use of code 2"
    );
    ensure!(
        !repo.consume_recovery_code(alice, [2; 32]).await?,
        "second use of code 2"
    );
    ensure!(
        !repo.consume_recovery_code(alice, [9; 32]).await?,
        "an unknown code"
    );
    let left = repo.find(alice).await?.map(|e| e.recovery_code_hashes);
    ensure_eq!(left, Some(vec![[1; 32], [3; 32]]), "the unused codes");
    let bob = fx.seed_user("bob@example.com").await?;
    ensure!(
        !repo.consume_recovery_code(bob, [1; 32]).await?,
        "alice's code for another user"
    );
    Ok(())
}

async fn delete(fx: WithUsers<dyn MfaRepository>) -> anyhow::Result<()> {
    let enrolment = confirmed(&fx, "alice@example.com").await?;
    let (repo, alice) = (fx.store.as_ref(), enrolment.user_id);
    ensure!(repo.delete(alice).await?, "first delete");
    ensure!(!repo.delete(alice).await?, "second delete");
    ensure_eq!(repo.find(alice).await?, None, "after delete");
    ensure!(
        repo.save_pending(&sample_enrollment(alice, 3)).await?,
        "a new enrolment after delete"
    );
    Ok(())
}

async fn concurrent_uses(fx: WithUsers<dyn MfaRepository>) -> anyhow::Result<()> {
    let enrolment = confirmed(&fx, "alice@example.com").await?;
    let alice = enrolment.user_id;
    let steps = race(20, |_| {
        let repo = Arc::clone(&fx.store);
        async move { repo.use_step(alice, CONFIRM_STEP + 1).await }
    })
    .await;
    let codes = race(20, |_| {
        let repo = Arc::clone(&fx.store);
        async move { repo.consume_recovery_code(alice, [1; 32]).await }
    })
    .await;
    for (label, results) in [("use_step", steps), ("consume_recovery_code", codes)] {
        let mut accepted = 0;
        for result in results {
            if result? {
                accepted += 1;
            }
        }
        ensure_eq!(accepted, 1, "{label} calls that returned true");
    }
    Ok(())
}
