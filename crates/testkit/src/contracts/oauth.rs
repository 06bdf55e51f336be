//! `OAuthIdentityRepository` contract.

use std::future::Future;
use std::sync::Arc;

use anyhow::ensure;
use portcullis_domain::oauth::{OAuthIdentity, ProviderName};
use portcullis_domain::ports::OAuthIdentityRepository;

use crate::fixtures::{WithUsers, email, sample_identity, secs, t0};
use crate::suite::{Suite, ensure_eq, race};

const GOOGLE: ProviderName = ProviderName::Google;
const GITHUB: ProviderName = ProviderName::Github;

/// Checks an [`OAuthIdentityRepository`] adapter against its contract. `make` returns a
/// fresh, empty repository (with the user repository of the same backend) per clause.
///
/// Clauses: a link round-trips through `find`; `link` is `false` when (provider,
/// subject) is already linked, to anyone, and keeps the first link; the same subject at
/// another provider is another identity; `list_for_user` is exactly the user's links;
/// `unlink` reports existence and touches only that user's link to that provider; of 20
/// concurrent links of one (provider, subject) exactly one is `true`.
///
/// # Panics
/// Once, after every clause ran, listing each broken clause.
pub async fn oauth_identity_repository_contract<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = WithUsers<dyn OAuthIdentityRepository>>,
{
    let mut s = Suite::new("OAuthIdentityRepository");
    s.clause(
        "link then find returns the link; unknown is None",
        round_trip(make().await),
    )
    .await;
    s.clause(
        "link is false for an already linked (provider, subject) and keeps the first",
        unique_by_provider_subject(make().await),
    )
    .await;
    s.clause(
        "list_for_user is exactly the user's links",
        list_for_user(make().await),
    )
    .await;
    s.clause(
        "unlink reports existence and removes only that user's link to that provider",
        unlink(make().await),
    )
    .await;
    s.clause(
        "of 20 concurrent links of one (provider, subject) exactly one is true",
        concurrent_links(make().await),
    )
    .await;
    s.finish();
}

fn sorted(mut links: Vec<OAuthIdentity>) -> Vec<OAuthIdentity> {
    links.sort_by(|a, b| (a.provider.as_str(), &a.subject).cmp(&(b.provider.as_str(), &b.subject)));
    links
}

async fn round_trip(fx: WithUsers<dyn OAuthIdentityRepository>) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    let mut link = sample_identity(GOOGLE, "google-sub-1", alice, t0());
    link.email = Some(email("alice@gmail.example"));
    ensure!(repo.link(&link).await?, "first link");
    ensure_eq!(repo.find(GOOGLE, "google-sub-1").await?, Some(link), "find");
    ensure_eq!(
        repo.find(GOOGLE, "google-sub-2").await?,
        None,
        "an unknown subject"
    );
    ensure_eq!(
        repo.find(GITHUB, "google-sub-1").await?,
        None,
        "another provider"
    );
    Ok(())
}

async fn unique_by_provider_subject(
    fx: WithUsers<dyn OAuthIdentityRepository>,
) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    let bob = fx.seed_user("bob@example.com").await?;
    let first = sample_identity(GITHUB, "12345", alice, t0());
    ensure!(repo.link(&first).await?, "first link");
    let again = sample_identity(GITHUB, "12345", alice, t0() + secs(5));
    ensure!(!repo.link(&again).await?, "the same link again");
    let stolen = sample_identity(GITHUB, "12345", bob, t0() + secs(10));
    ensure!(
        !repo.link(&stolen).await?,
        "the same subject for another user"
    );
    ensure_eq!(
        repo.find(GITHUB, "12345").await?,
        Some(first),
        "the first link stays"
    );
    let other_provider = sample_identity(GOOGLE, "12345", bob, t0());
    ensure!(
        repo.link(&other_provider).await?,
        "the same subject at another provider"
    );
    Ok(())
}

async fn list_for_user(fx: WithUsers<dyn OAuthIdentityRepository>) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    let bob = fx.seed_user("bob@example.com").await?;
    let carol = fx.seed_user("carol@example.com").await?;
    let alices = vec![
        sample_identity(GOOGLE, "a-google", alice, t0()),
        sample_identity(GITHUB, "a-github", alice, t0() + secs(1)),
    ];
    for link in &alices {
        repo.link(link).await?;
    }
    repo.link(&sample_identity(GOOGLE, "b-google", bob, t0()))
        .await?;
    ensure_eq!(
        sorted(repo.list_for_user(alice).await?),
        sorted(alices),
        "alice's links"
    );
    ensure_eq!(
        repo.list_for_user(carol).await?,
        Vec::new(),
        "a user without links"
    );
    Ok(())
}

async fn unlink(fx: WithUsers<dyn OAuthIdentityRepository>) -> anyhow::Result<()> {
    let repo = fx.store.as_ref();
    let alice = fx.seed_user("alice@example.com").await?;
    let bob = fx.seed_user("bob@example.com").await?;
    let a_google = sample_identity(GOOGLE, "a-google", alice, t0());
    let a_github = sample_identity(GITHUB, "a-github", alice, t0());
    let b_google = sample_identity(GOOGLE, "b-google", bob, t0());
    for link in [&a_google, &a_github, &b_google] {
        repo.link(link).await?;
    }
    ensure!(repo.unlink(alice, GOOGLE).await?, "first unlink");
    ensure!(!repo.unlink(alice, GOOGLE).await?, "second unlink");
    ensure_eq!(
        repo.find(GOOGLE, "a-google").await?,
        None,
        "the unlinked identity"
    );
    ensure_eq!(
        repo.list_for_user(alice).await?,
        vec![a_github],
        "alice's remaining link"
    );
    ensure_eq!(
        repo.find(GOOGLE, "b-google").await?,
        Some(b_google),
        "bob's link to the same provider"
    );
    // The subject is free again.
    let relinked = sample_identity(GOOGLE, "a-google", bob, t0() + secs(60));
    ensure!(repo.link(&relinked).await?, "linking the freed subject");
    Ok(())
}

async fn concurrent_links(fx: WithUsers<dyn OAuthIdentityRepository>) -> anyhow::Result<()> {
    let mut users = Vec::new();
    for i in 0..20 {
        users.push(fx.seed_user(&format!("user{i}@example.com")).await?);
    }
    let results = race(users.len(), |i| {
        let repo = Arc::clone(&fx.store);
        let link = sample_identity(GOOGLE, "contested", users[i], t0());
        async move { repo.link(&link).await }
    })
    .await;
    let mut winners = Vec::new();
    for (i, result) in results.into_iter().enumerate() {
        if result? {
            winners.push(users[i]);
        }
    }
    ensure_eq!(winners.len(), 1, "links that returned true");
    let holder = repo_holder(&fx).await?;
    ensure_eq!(
        holder,
        Some(winners[0]),
        "the stored link belongs to the winner"
    );
    Ok(())
}

async fn repo_holder(
    fx: &WithUsers<dyn OAuthIdentityRepository>,
) -> anyhow::Result<Option<portcullis_domain::UserId>> {
    Ok(fx
        .store
        .find(GOOGLE, "contested")
        .await?
        .map(|link| link.user_id))
}
