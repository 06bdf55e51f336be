//! User management under the RBAC policy, the last-admin guard, the audit trail.

use std::sync::Arc;

use portcullis_core::{AccountError, AccountUpdate, BootstrapOutcome, NewAccount, Principal};
use portcullis_domain::ports::{UserListQuery, UserRepository};
use portcullis_domain::{AuditEventType, AuditFilter, DisplayName, Email, PlainPassword, Role};

use crate::support::{PASSWORD, World, device};

async fn admin(w: &World, email: &str) -> Principal {
    let outcome = w
        .service
        .bootstrap_admin(
            Email::parse(email).unwrap(),
            DisplayName::parse("Root").unwrap(),
            PlainPassword::new_unchecked(PASSWORD.into()),
        )
        .await
        .unwrap();
    assert_eq!(outcome, BootstrapOutcome::Created);
    let issued = w
        .service
        .login(
            portcullis_core::LoginIdentifier::Email(Email::parse(email).unwrap()),
            PlainPassword::new_unchecked(PASSWORD.into()),
            &device("d"),
        )
        .await
        .unwrap();
    w.principal(&issued).await.unwrap()
}

async fn user(w: &World, email: &str) -> Principal {
    let issued = w.register(email, &device("d")).await;
    w.principal(&issued).await.unwrap()
}

fn new_account(email: &str, role: Role) -> NewAccount {
    NewAccount {
        email: Email::parse(email).unwrap(),
        password: PlainPassword::new_unchecked(PASSWORD.into()),
        name: DisplayName::parse("New").unwrap(),
        username: None,
        role,
    }
}

#[tokio::test]
async fn bootstrap_is_idempotent_and_promotes_existing_accounts() {
    let w = World::new();
    admin(&w, "root@example.com").await;
    let again = w
        .service
        .bootstrap_admin(
            Email::parse("root@example.com").unwrap(),
            DisplayName::parse("R").unwrap(),
            PlainPassword::new_unchecked("other password x".into()),
        )
        .await
        .unwrap();
    assert_eq!(again, BootstrapOutcome::AlreadyAdmin);
    let plain = user(&w, "plain@example.com").await;
    let promoted = w
        .service
        .bootstrap_admin(
            Email::parse("plain@example.com").unwrap(),
            DisplayName::parse("P").unwrap(),
            PlainPassword::new_unchecked("ignored password".into()),
        )
        .await
        .unwrap();
    assert_eq!(promoted, BootstrapOutcome::Promoted);
    assert_eq!(
        w.users
            .find_by_id(plain.user_id)
            .await
            .unwrap()
            .unwrap()
            .role,
        Role::Admin
    );
}

#[tokio::test]
async fn admins_create_list_and_read_users_and_users_cannot() {
    let w = World::new();
    let root = admin(&w, "root@example.com").await;
    let alice = user(&w, "alice@example.com").await;
    let created = w
        .service
        .create_user(
            &root,
            new_account("bob@example.com", Role::User),
            &device("d"),
        )
        .await
        .unwrap();
    assert!(matches!(
        w.service
            .create_user(
                &alice,
                new_account("eve@example.com", Role::Admin),
                &device("d")
            )
            .await,
        Err(AccountError::Forbidden)
    ));
    assert!(matches!(
        w.service
            .list_users(
                &alice,
                UserListQuery {
                    limit: 10,
                    ..Default::default()
                }
            )
            .await,
        Err(AccountError::Forbidden)
    ));

    // Pages of 2 in a stable order, then the end.
    let (page, next) = w
        .service
        .list_users(
            &root,
            UserListQuery {
                limit: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.len(), 2);
    let (rest, end) = w
        .service
        .list_users(
            &root,
            UserListQuery {
                limit: 2,
                after: next,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(end, None);
    let (found, _) = w
        .service
        .list_users(
            &root,
            UserListQuery {
                limit: 10,
                q: Some("BOB".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.iter().map(|u| u.id).collect::<Vec<_>>(), [created.id]);

    // Self or admin; a stranger's id is "not found", never "forbidden".
    assert!(w.service.get_user(&alice, alice.user_id).await.is_ok());
    assert!(matches!(
        w.service.get_user(&alice, created.id).await,
        Err(AccountError::NotFound)
    ));
    assert!(matches!(
        w.service.get_user(&alice, root.user_id).await,
        Err(AccountError::NotFound)
    ));
    assert!(w.service.get_user(&root, alice.user_id).await.is_ok());
    assert!(matches!(
        w.service
            .get_user_by_email(&alice, &Email::parse("bob@example.com").unwrap())
            .await,
        Err(AccountError::Forbidden)
    ));
    assert_eq!(
        w.service
            .get_user_by_email(&root, &Email::parse("BOB@example.com").unwrap())
            .await
            .unwrap()
            .id,
        created.id
    );
}

#[tokio::test]
async fn users_edit_themselves_but_not_their_role_or_email_and_prove_their_password() {
    let w = World::new();
    let alice = user(&w, "alice@example.com").await;
    let role = AccountUpdate {
        role: Some(Role::Admin),
        ..Default::default()
    };
    assert!(matches!(
        w.service
            .update_user(&alice, alice.user_id, role, &device("d"))
            .await,
        Err(AccountError::Forbidden)
    ));
    let email = AccountUpdate {
        email: Some(Email::parse("new@example.com").unwrap()),
        ..Default::default()
    };
    assert!(matches!(
        w.service
            .update_user(&alice, alice.user_id, email, &device("d"))
            .await,
        Err(AccountError::Forbidden)
    ));
    let no_current = AccountUpdate {
        password: Some(PlainPassword::new_unchecked("a brand new secret".into())),
        ..Default::default()
    };
    assert!(matches!(
        w.service
            .update_user(&alice, alice.user_id, no_current, &device("d"))
            .await,
        Err(AccountError::InvalidCurrentPassword)
    ));
    let ok = AccountUpdate {
        name: Some(DisplayName::parse("Alice A.").unwrap()),
        password: Some(PlainPassword::new_unchecked("a brand new secret".into())),
        current_password: Some(PlainPassword::new_unchecked(PASSWORD.into())),
        ..Default::default()
    };
    let updated = w
        .service
        .update_user(&alice, alice.user_id, ok, &device("d"))
        .await
        .unwrap();
    assert_eq!(updated.name.as_str(), "Alice A.");
}

#[tokio::test]
async fn an_admin_sets_a_password_and_the_users_sessions_end() {
    let w = World::new();
    let root = admin(&w, "root@example.com").await;
    let issued = w.register("alice@example.com", &device("d")).await;
    let weak = AccountUpdate {
        password: Some(PlainPassword::new_unchecked("password".into())),
        ..Default::default()
    };
    assert!(matches!(
        w.service
            .update_user(&root, issued.user.id, weak, &device("d"))
            .await,
        Err(AccountError::WeakPassword(_))
    ));
    let set = AccountUpdate {
        password: Some(PlainPassword::new_unchecked("a brand new secret".into())),
        ..Default::default()
    };
    w.service
        .update_user(&root, issued.user.id, set, &device("d"))
        .await
        .unwrap();
    assert!(w.principal(&issued).await.is_err());
    assert!(w.principal_is_ok(&root).await);
}

#[tokio::test]
async fn a_demoted_admin_loses_admin_access_at_once() {
    let w = World::new();
    let root = admin(&w, "root@example.com").await;
    let second = w
        .service
        .create_user(
            &root,
            new_account("second@example.com", Role::Admin),
            &device("d"),
        )
        .await
        .unwrap();
    let issued = w
        .service
        .login(
            portcullis_core::LoginIdentifier::Email(Email::parse("second@example.com").unwrap()),
            PlainPassword::new_unchecked(PASSWORD.into()),
            &device("d"),
        )
        .await
        .unwrap();
    let demote = AccountUpdate {
        role: Some(Role::User),
        ..Default::default()
    };
    w.service
        .update_user(&root, second.id, demote, &device("d"))
        .await
        .unwrap();
    assert!(
        w.principal(&issued).await.is_err(),
        "the admin token of the demoted user is dead"
    );
    let kinds = w.audit_kinds().await;
    assert!(kinds.contains(&"role_changed"));
}

#[tokio::test]
async fn the_last_admin_can_be_neither_demoted_nor_deleted_even_by_themself() {
    let w = World::new();
    let root = admin(&w, "root@example.com").await;
    let demote = AccountUpdate {
        role: Some(Role::User),
        ..Default::default()
    };
    assert!(matches!(
        w.service
            .update_user(&root, root.user_id, demote, &device("d"))
            .await,
        Err(AccountError::LastAdmin)
    ));
    assert!(matches!(
        w.service
            .delete_user(&root, root.user_id, &device("d"))
            .await,
        Err(AccountError::LastAdmin)
    ));
    assert!(
        w.principal_is_ok(&root).await,
        "a refused change touches nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_admins_demoting_each_other_concurrently_leave_one_admin() {
    let w = Arc::new(World::new());
    let a = admin(&w, "a@example.com").await;
    let b_user = w
        .service
        .create_user(&a, new_account("b@example.com", Role::Admin), &device("d"))
        .await
        .unwrap();
    let b = Principal {
        user_id: b_user.id,
        session_id: a.session_id,
        role: Role::Admin,
    };
    let (wa, wb) = (w.clone(), w.clone());
    let (x, y) = tokio::join!(
        tokio::spawn(async move {
            wa.service
                .update_user(
                    &a,
                    b_user.id,
                    AccountUpdate {
                        role: Some(Role::User),
                        ..Default::default()
                    },
                    &device("d"),
                )
                .await
        }),
        tokio::spawn(async move {
            wb.service
                .update_user(
                    &b,
                    a.user_id,
                    AccountUpdate {
                        role: Some(Role::User),
                        ..Default::default()
                    },
                    &device("d"),
                )
                .await
        })
    );
    let results = [x.unwrap(), y.unwrap()];
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert_eq!(
        results
            .iter()
            .filter(|r| matches!(r, Err(AccountError::LastAdmin)))
            .count(),
        1
    );
    assert_eq!(w.users.count_admins().await.unwrap(), 1);
}

#[tokio::test]
async fn admin_revokes_all_sessions_and_deletes_users() {
    let w = World::new();
    let root = admin(&w, "root@example.com").await;
    let alice = w.register("alice@example.com", &device("d")).await;
    let bob = user(&w, "bob@example.com").await;
    assert!(matches!(
        w.service
            .revoke_user_sessions(&bob, alice.user.id, &device("d"))
            .await,
        Err(AccountError::NotFound)
    ));
    w.service
        .revoke_user_sessions(&root, alice.user.id, &device("d"))
        .await
        .unwrap();
    assert!(w.principal(&alice).await.is_err());
    assert!(
        w.service
            .refresh(alice.refresh_token.expose(), &device("d"))
            .await
            .is_err()
    );
    assert!(matches!(
        w.service
            .delete_user(&bob, alice.user.id, &device("d"))
            .await,
        Err(AccountError::NotFound)
    ));
    w.service
        .delete_user(&root, alice.user.id, &device("d"))
        .await
        .unwrap();
    assert!(w.users.find_by_id(alice.user.id).await.unwrap().is_none());
    assert!(matches!(
        w.service.get_user(&root, alice.user.id).await,
        Err(AccountError::NotFound)
    ));
}

#[tokio::test]
async fn every_flow_writes_its_audit_event_readable_by_admins_only() {
    let w = World::new();
    let root = admin(&w, "root@example.com").await;
    let alice = user(&w, "alice@example.com").await;
    let _ = w
        .service
        .login(
            portcullis_core::LoginIdentifier::Email(Email::parse("alice@example.com").unwrap()),
            PlainPassword::new_unchecked("wrong password!".into()),
            &device("d"),
        )
        .await;
    assert!(matches!(
        w.service
            .list_audit(
                &alice,
                AuditFilter {
                    limit: 10,
                    ..Default::default()
                }
            )
            .await,
        Err(AccountError::Forbidden)
    ));
    let (events, _) = w
        .service
        .list_audit(
            &root,
            AuditFilter {
                user_id: Some(alice.user_id),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let kinds: Vec<AuditEventType> = events.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&AuditEventType::UserCreated), "{kinds:?}");
    assert!(kinds.contains(&AuditEventType::LoginFailed), "{kinds:?}");
    assert!(events.windows(2).all(|p| p[0].id > p[1].id), "newest first");
    assert!(events.iter().all(|e| e.user_id == Some(alice.user_id)));
    let (only, _) = w
        .service
        .list_audit(
            &root,
            AuditFilter {
                kind: Some(AuditEventType::LoginFailed),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(only.iter().all(|e| e.kind == AuditEventType::LoginFailed) && !only.is_empty());
    for e in &events {
        assert!(!e.details.contains(PASSWORD), "no secret in audit details");
    }
}
