//! Updates, deletes, listing and counting.

use std::sync::Arc;

use anyhow::ensure;
use portcullis_domain::ports::{UserListQuery, UserRepository, UserWriteError};
use portcullis_domain::{DisplayName, PasswordHash, Role, User, UserId};

use crate::fixtures::{email, sample_user, secs, t0, username};
use crate::suite::{ensure_eq, race};

pub(super) async fn update_replaces_every_field(
    repo: Arc<dyn UserRepository>,
) -> anyhow::Result<()> {
    let mut user = sample_user("before@example.com");
    user.username = Some(username("before"));
    repo.insert(&user).await?;

    let changed = User {
        id: user.id,
        email: email("after@example.com"),
        username: Some(username("after")),
        name: DisplayName::parse("Changed Name")?,
        role: Role::Admin,
        email_verified: true,
        mfa_enabled: true,
        password_hash: Some(PasswordHash::new("$2b$04$changed".to_owned())),
        created_at: user.created_at,
        updated_at: t0() + secs(60),
    };
    repo.update(&changed).await?;
    ensure_eq!(
        repo.find_by_id(user.id).await?,
        Some(changed.clone()),
        "the account after update"
    );
    ensure_eq!(
        repo.find_by_email(&email("after@example.com")).await?,
        Some(changed.clone()),
        "find_by_email of the new address"
    );
    ensure_eq!(
        repo.find_by_email(&user.email).await?,
        None,
        "find_by_email of the old address"
    );
    ensure_eq!(
        repo.find_by_username(&username("before")).await?,
        None,
        "find_by_username of the old name"
    );

    // The old email and username are free for another account.
    let mut reuse = sample_user("before@example.com");
    reuse.username = Some(username("before"));
    repo.insert(&reuse).await?;

    // Updating an account to its own values is no conflict; clearing fields works.
    let cleared = User {
        username: None,
        password_hash: None,
        ..changed
    };
    repo.update(&cleared).await?;
    ensure_eq!(
        repo.find_by_id(user.id).await?,
        Some(cleared),
        "the account after clearing username and password"
    );
    Ok(())
}

pub(super) async fn update_unknown(repo: Arc<dyn UserRepository>) -> anyhow::Result<()> {
    let ghost = sample_user("ghost@example.com");
    let outcome = repo.update(&ghost).await;
    ensure!(
        matches!(outcome, Err(UserWriteError::NotFound)),
        "update of an unknown id returned {outcome:?}, expected NotFound"
    );
    ensure_eq!(repo.find_by_id(ghost.id).await?, None, "the unknown id");
    ensure_eq!(
        repo.find_by_email(&ghost.email).await?,
        None,
        "the unknown account's email"
    );
    Ok(())
}

pub(super) async fn update_taken(repo: Arc<dyn UserRepository>) -> anyhow::Result<()> {
    let mut alice = sample_user("alice@example.com");
    alice.username = Some(username("alice"));
    let mut bob = sample_user("bob@example.com");
    bob.username = Some(username("bob"));
    repo.insert(&alice).await?;
    repo.insert(&bob).await?;

    let steal_email = User {
        email: alice.email.clone(),
        ..bob.clone()
    };
    let outcome = repo.update(&steal_email).await;
    ensure!(
        matches!(outcome, Err(UserWriteError::EmailTaken)),
        "update to another account's email returned {outcome:?}, expected EmailTaken"
    );
    let steal_name = User {
        username: alice.username.clone(),
        ..bob.clone()
    };
    let outcome = repo.update(&steal_name).await;
    ensure!(
        matches!(outcome, Err(UserWriteError::UsernameTaken)),
        "update to another account's username returned {outcome:?}, expected UsernameTaken"
    );
    ensure_eq!(
        repo.find_by_id(bob.id).await?,
        Some(bob),
        "the refused account"
    );
    ensure_eq!(
        repo.find_by_id(alice.id).await?,
        Some(alice),
        "the other account"
    );
    Ok(())
}

pub(super) async fn concurrent_updates_to_one_email(
    repo: Arc<dyn UserRepository>,
) -> anyhow::Result<()> {
    let mut users = Vec::new();
    for i in 0..20 {
        let user = sample_user(&format!("user{i}@example.com"));
        repo.insert(&user).await?;
        users.push(user);
    }
    let results = race(users.len(), |i| {
        let repo = Arc::clone(&repo);
        let wanted = User {
            email: email("wanted@example.com"),
            ..users[i].clone()
        };
        async move { repo.update(&wanted).await }
    })
    .await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let taken = results
        .iter()
        .filter(|r| matches!(r, Err(UserWriteError::EmailTaken)))
        .count();
    ensure_eq!((ok, taken), (1, users.len() - 1), "(Ok, EmailTaken)");
    let holder = repo.find_by_email(&email("wanted@example.com")).await?;
    ensure!(holder.is_some(), "nobody holds the contested email");
    Ok(())
}

pub(super) async fn delete(repo: Arc<dyn UserRepository>) -> anyhow::Result<()> {
    let mut user = sample_user("gone@example.com");
    user.username = Some(username("gone"));
    let other = sample_user("stays@example.com");
    repo.insert(&user).await?;
    repo.insert(&other).await?;
    ensure_eq!(repo.delete(user.id).await?, true, "first delete");
    ensure_eq!(repo.delete(user.id).await?, false, "second delete");
    ensure_eq!(
        repo.find_by_id(user.id).await?,
        None,
        "deleted account by id"
    );
    ensure_eq!(
        repo.find_by_email(&user.email).await?,
        None,
        "deleted account by email"
    );
    ensure_eq!(
        repo.find_by_id(other.id).await?,
        Some(other),
        "another account"
    );
    let mut again = sample_user("gone@example.com");
    again.username = Some(username("gone"));
    repo.insert(&again).await?;
    Ok(())
}

fn query(q: Option<&str>, after: Option<UserId>, limit: u32) -> UserListQuery {
    UserListQuery {
        q: q.map(str::to_owned),
        after,
        limit,
    }
}

fn ids(users: &[User]) -> Vec<UserId> {
    users.iter().map(|u| u.id).collect()
}

pub(super) async fn list_pages(repo: Arc<dyn UserRepository>) -> anyhow::Result<()> {
    let mut all = Vec::new();
    for i in 0..7 {
        let user = sample_user(&format!("page{i}@example.com"));
        repo.insert(&user).await?;
        all.push(user.id);
    }
    all.sort();
    let first = repo.list(&query(None, None, 3)).await?;
    ensure_eq!(ids(&first), all[..3].to_vec(), "first page");
    let second = repo.list(&query(None, Some(all[2]), 3)).await?;
    ensure_eq!(ids(&second), all[3..6].to_vec(), "second page");
    let last = repo.list(&query(None, Some(all[5]), 3)).await?;
    ensure_eq!(ids(&last), all[6..].to_vec(), "last page");
    let past = repo.list(&query(None, Some(all[6]), 3)).await?;
    ensure_eq!(ids(&past), Vec::<UserId>::new(), "after the last id");
    let whole = repo.list(&query(None, None, 100)).await?;
    ensure_eq!(ids(&whole), all, "one page of 100");
    Ok(())
}

pub(super) async fn list_filters(repo: Arc<dyn UserRepository>) -> anyhow::Result<()> {
    let mut by_email = sample_user("zed.findme@example.com");
    by_email.username = Some(username("zed"));
    let mut by_name = sample_user("yan@example.com");
    by_name.name = DisplayName::parse("Yan FindMe Li")?;
    let mut by_username = sample_user("xi@example.com");
    by_username.username = Some(username("the_findme_one"));
    let unrelated = sample_user("other@example.com");
    for user in [&by_email, &by_name, &by_username, &unrelated] {
        repo.insert(user).await?;
    }
    let mut expected = vec![by_email.id, by_name.id, by_username.id];
    expected.sort();
    let found = repo.list(&query(Some("FINDME"), None, 100)).await?;
    ensure_eq!(ids(&found), expected, "q=FINDME");
    let found = repo
        .list(&query(Some("findme"), Some(expected[0]), 1))
        .await?;
    ensure_eq!(ids(&found), vec![expected[1]], "q with after and limit");
    let found = repo
        .list(&query(Some("nothing-matches"), None, 100))
        .await?;
    ensure_eq!(ids(&found), Vec::<UserId>::new(), "q matching nobody");
    Ok(())
}

pub(super) async fn count_admins(repo: Arc<dyn UserRepository>) -> anyhow::Result<()> {
    ensure_eq!(repo.count_admins().await?, 0, "empty repository");
    let mut admin = sample_user("root@example.com");
    admin.role = Role::Admin;
    repo.insert(&admin).await?;
    repo.insert(&sample_user("plain@example.com")).await?;
    let mut second = sample_user("root2@example.com");
    second.role = Role::Admin;
    repo.insert(&second).await?;
    ensure_eq!(repo.count_admins().await?, 2, "two admins, one user");
    repo.update(&User {
        role: Role::User,
        updated_at: t0() + secs(5),
        ..second
    })
    .await?;
    ensure_eq!(repo.count_admins().await?, 1, "after a demotion");
    Ok(())
}

pub(super) async fn last_admin_is_kept(repo: Arc<dyn UserRepository>) -> anyhow::Result<()> {
    let mut admin = sample_user("root@example.com");
    admin.role = Role::Admin;
    repo.insert(&admin).await?;
    let demoted = repo
        .update(&User {
            role: Role::User,
            ..admin.clone()
        })
        .await;
    anyhow::ensure!(
        matches!(demoted, Err(UserWriteError::LastAdmin)),
        "demoting the only admin must be LastAdmin, got {demoted:?}"
    );
    let deleted = repo.delete(admin.id).await;
    anyhow::ensure!(
        matches!(deleted, Err(UserWriteError::LastAdmin)),
        "deleting the only admin must be LastAdmin, got {deleted:?}"
    );
    ensure_eq!(
        repo.find_by_id(admin.id).await?.map(|u| u.role),
        Some(Role::Admin),
        "still there, still admin"
    );
    // A renamed admin stays admin: not a demotion.
    repo.update(&User {
        updated_at: t0() + secs(1),
        ..admin.clone()
    })
    .await?;
    Ok(())
}

pub(super) async fn last_admin_race(repo: Arc<dyn UserRepository>) -> anyhow::Result<()> {
    let mut keeper = User {
        role: Role::Admin,
        ..sample_user("keeper@example.com")
    };
    repo.insert(&keeper).await?;
    for round in 0..10 {
        let other = User {
            role: Role::Admin,
            ..sample_user(&format!("admin{round}@example.com"))
        };
        repo.insert(&other).await?;
        let (ra, rb) = (repo.clone(), repo.clone());
        let da = User {
            role: Role::User,
            ..keeper.clone()
        };
        let db = User {
            role: Role::User,
            ..other.clone()
        };
        let (x, y) = tokio::join!(
            tokio::spawn(async move { ra.update(&da).await }),
            tokio::spawn(async move { rb.update(&db).await })
        );
        let results = [x?, y?];
        let ok = results.iter().filter(|r| r.is_ok()).count();
        let last = results
            .iter()
            .filter(|r| matches!(r, Err(UserWriteError::LastAdmin)))
            .count();
        ensure_eq!(
            (ok, last),
            (1, 1),
            "round {round}: two admins demoting each other concurrently"
        );
        ensure_eq!(
            repo.count_admins().await?,
            1,
            "round {round}: one admin left"
        );
        if repo.find_by_id(keeper.id).await?.map(|u| u.role) != Some(Role::Admin) {
            keeper = other;
        }
    }
    Ok(())
}
