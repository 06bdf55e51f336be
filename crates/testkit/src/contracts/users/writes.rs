//! Inserts: round-trip and uniqueness, sequential and concurrent.

use std::sync::Arc;

use anyhow::ensure;
use portcullis_domain::ports::{UserRepository, UserWriteError};
use portcullis_domain::{PasswordHash, Role, User};

use crate::fixtures::{email, sample_user, secs, t0, username};
use crate::suite::{ensure_eq, race};

const RACERS: usize = 50;

pub(super) async fn round_trip(repo: Arc<dyn UserRepository>) -> anyhow::Result<()> {
    let mut user = sample_user("ada@example.com");
    user.username = Some(username("ada"));
    user.role = Role::Admin;
    user.email_verified = true;
    user.mfa_enabled = true;
    user.password_hash = Some(PasswordHash::new("$2b$04$roundtrip".to_owned()));
    user.updated_at = t0() + secs(1);
    repo.insert(&user).await?;

    let oauth_only = User {
        password_hash: None,
        ..sample_user("grace@example.com")
    };
    repo.insert(&oauth_only).await?;

    ensure_eq!(
        repo.find_by_id(user.id).await?,
        Some(user.clone()),
        "find_by_id"
    );
    ensure_eq!(
        repo.find_by_email(&user.email).await?,
        Some(user.clone()),
        "find_by_email"
    );
    ensure_eq!(
        repo.find_by_username(&username("ada")).await?,
        Some(user.clone()),
        "find_by_username"
    );
    ensure_eq!(
        repo.find_by_id(oauth_only.id).await?,
        Some(oauth_only.clone()),
        "an account without a password hash"
    );
    ensure_eq!(
        repo.find_by_email(&email("nobody@example.com")).await?,
        None,
        "find_by_email of an unknown address"
    );
    ensure_eq!(
        repo.find_by_username(&username("nobody")).await?,
        None,
        "find_by_username of an unknown name"
    );
    ensure_eq!(
        repo.find_by_id(sample_user("x@example.com").id).await?,
        None,
        "find_by_id of an unknown id"
    );
    Ok(())
}

pub(super) async fn email_taken(repo: Arc<dyn UserRepository>) -> anyhow::Result<()> {
    let first = sample_user("taken@example.com");
    repo.insert(&first).await?;
    // Email::parse lower-cases: a differently cased address is the same account.
    let mut second = sample_user("TAKEN@Example.COM");
    second.username = Some(username("second"));
    let outcome = repo.insert(&second).await;
    ensure!(
        matches!(outcome, Err(UserWriteError::EmailTaken)),
        "second insert of the email returned {outcome:?}, expected EmailTaken"
    );
    ensure_eq!(repo.find_by_id(second.id).await?, None, "the refused row");
    ensure_eq!(
        repo.find_by_username(&username("second")).await?,
        None,
        "the refused row's username"
    );
    ensure_eq!(
        repo.find_by_email(&first.email).await?,
        Some(first),
        "the first account"
    );
    Ok(())
}

pub(super) async fn username_taken(repo: Arc<dyn UserRepository>) -> anyhow::Result<()> {
    let mut first = sample_user("one@example.com");
    first.username = Some(username("handle"));
    repo.insert(&first).await?;
    let mut second = sample_user("two@example.com");
    second.username = Some(username("HANDLE"));
    let outcome = repo.insert(&second).await;
    ensure!(
        matches!(outcome, Err(UserWriteError::UsernameTaken)),
        "second insert of the username returned {outcome:?}, expected UsernameTaken"
    );
    ensure_eq!(repo.find_by_id(second.id).await?, None, "the refused row");
    ensure_eq!(
        repo.find_by_email(&second.email).await?,
        None,
        "the refused row's email"
    );
    ensure_eq!(
        repo.find_by_username(&username("handle")).await?,
        Some(first),
        "the first account"
    );
    Ok(())
}

pub(super) async fn no_username_no_collision(repo: Arc<dyn UserRepository>) -> anyhow::Result<()> {
    for address in ["a@example.com", "b@example.com", "c@example.com"] {
        let user = sample_user(address);
        repo.insert(&user).await?;
        ensure_eq!(
            repo.find_by_id(user.id).await?,
            Some(user),
            "account {address} without a username"
        );
    }
    Ok(())
}

/// Races `users` through `insert` and checks one winner, the rest refused with `want`.
async fn race_inserts(
    repo: &Arc<dyn UserRepository>,
    users: Vec<User>,
    want: fn(&UserWriteError) -> bool,
    label: &str,
) -> anyhow::Result<User> {
    let results = race(users.len(), |i| {
        let repo = Arc::clone(repo);
        let user = users[i].clone();
        async move { repo.insert(&user).await }
    })
    .await;
    let winners: Vec<usize> = (0..results.len()).filter(|&i| results[i].is_ok()).collect();
    let refused = results
        .iter()
        .filter(|r| r.as_ref().err().is_some_and(want))
        .count();
    ensure_eq!(
        (winners.len(), refused),
        (1, users.len() - 1),
        "(Ok, {label}) among {} concurrent inserts",
        users.len()
    );
    let winner = users[winners[0]].clone();
    ensure_eq!(
        repo.find_by_id(winner.id).await?,
        Some(winner.clone()),
        "the winner is stored"
    );
    for (i, user) in users.iter().enumerate() {
        if i != winners[0] {
            ensure_eq!(repo.find_by_id(user.id).await?, None, "loser {i} is stored");
        }
    }
    Ok(winner)
}

pub(super) async fn concurrent_email_inserts(repo: Arc<dyn UserRepository>) -> anyhow::Result<()> {
    let users: Vec<User> = (0..RACERS)
        .map(|i| {
            let mut user = sample_user("race@example.com");
            user.username = Some(username(&format!("racer{i}")));
            user
        })
        .collect();
    let winner = race_inserts(
        &repo,
        users,
        |e| matches!(e, UserWriteError::EmailTaken),
        "EmailTaken",
    )
    .await?;
    ensure_eq!(
        repo.find_by_email(&email("race@example.com")).await?,
        Some(winner),
        "find_by_email after the race"
    );
    Ok(())
}

pub(super) async fn concurrent_username_inserts(
    repo: Arc<dyn UserRepository>,
) -> anyhow::Result<()> {
    let users: Vec<User> = (0..RACERS)
        .map(|i| {
            let mut user = sample_user(&format!("racer{i}@example.com"));
            user.username = Some(username("racer"));
            user
        })
        .collect();
    let winner = race_inserts(
        &repo,
        users,
        |e| matches!(e, UserWriteError::UsernameTaken),
        "UsernameTaken",
    )
    .await?;
    ensure_eq!(
        repo.find_by_username(&username("racer")).await?,
        Some(winner),
        "find_by_username after the race"
    );
    Ok(())
}
