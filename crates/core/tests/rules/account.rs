//! `/me`: registration rules, profile edits, password change, deletion.

use portcullis_core::{
    AccountError, LoginIdentifier, ProfilePatch, RefreshError, RegisterError, Registration,
};
use portcullis_domain::ports::UserRepository;
use portcullis_domain::{DisplayName, Email, PasswordRejection, PlainPassword, Role, Username};

use crate::support::{PASSWORD, World, device};

fn registration(email: &str, password: &str) -> Registration {
    Registration {
        email: Email::parse(email).unwrap(),
        password: PlainPassword::new_unchecked(password.to_owned()),
        name: DisplayName::parse("Someone").unwrap(),
        username: None,
    }
}

#[tokio::test]
async fn registration_applies_the_password_policy_and_uniqueness() {
    let w = World::new();
    let err = w
        .service
        .register(registration("ada@example.com", "short"), &device("d"))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        RegisterError::WeakPassword(PasswordRejection::TooShort)
    ));
    let err = w
        .service
        .register(
            registration("ada@example.com", "my ada pass 1"),
            &device("d"),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        RegisterError::WeakPassword(PasswordRejection::ContainsIdentity)
    ));
    let err = w
        .service
        .register(registration("ada@example.com", "password123"), &device("d"))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        RegisterError::WeakPassword(PasswordRejection::TooCommon)
    ));
    w.service
        .register(registration("ada@example.com", PASSWORD), &device("d"))
        .await
        .unwrap();
    let err = w
        .service
        .register(registration("ADA@example.com", PASSWORD), &device("d"))
        .await
        .unwrap_err();
    assert!(matches!(err, RegisterError::EmailTaken));
}

#[tokio::test]
async fn registered_users_are_plain_users_with_a_hashed_password() {
    let w = World::new();
    let s = w.register("a@example.com", &device("d")).await;
    assert_eq!(s.user.role, Role::User);
    assert!(!s.user.email_verified);
    let stored = w.users.find_by_id(s.user.id).await.unwrap().unwrap();
    assert_ne!(stored.password_hash.unwrap().as_str(), PASSWORD);
    assert!(w.audit_kinds().await.contains(&"user_created"));
}

#[tokio::test]
async fn patch_me_changes_name_and_username_and_refuses_a_taken_username() {
    let w = World::new();
    let a = w.register("a@example.com", &device("d")).await;
    let b = w.register("b@example.com", &device("d")).await;
    let pa = w.principal(&a).await.unwrap();
    let pb = w.principal(&b).await.unwrap();
    let patch = ProfilePatch {
        name: Some(DisplayName::parse("Ada").unwrap()),
        username: Some(Some(Username::parse("ada").unwrap())),
    };
    let user = w.service.update_me(&pa, patch, &device("d")).await.unwrap();
    assert_eq!(user.name.as_str(), "Ada");
    let taken = ProfilePatch {
        username: Some(Some(Username::parse("ADA").unwrap())),
        ..Default::default()
    };
    assert!(matches!(
        w.service.update_me(&pb, taken, &device("d")).await,
        Err(AccountError::UsernameTaken)
    ));
    let cleared = ProfilePatch {
        username: Some(None),
        ..Default::default()
    };
    assert_eq!(
        w.service
            .update_me(&pa, cleared, &device("d"))
            .await
            .unwrap()
            .username,
        None
    );
}

#[tokio::test]
async fn rule7_password_change_revokes_every_other_session_and_keeps_this_one() {
    let w = World::new();
    let phone = device("phone");
    let here = w.register("a@example.com", &phone).await;
    let elsewhere = w
        .service
        .login(
            LoginIdentifier::Email(Email::parse("a@example.com").unwrap()),
            PlainPassword::new_unchecked(PASSWORD.into()),
            &phone,
        )
        .await
        .unwrap();
    let principal = w.principal(&here).await.unwrap();
    let wrong = w
        .service
        .change_password(
            &principal,
            PlainPassword::new_unchecked("not it at all".into()),
            PlainPassword::new_unchecked("a brand new secret".into()),
            &phone,
        )
        .await;
    assert!(matches!(wrong, Err(AccountError::InvalidCurrentPassword)));
    let weak = w
        .service
        .change_password(
            &principal,
            PlainPassword::new_unchecked(PASSWORD.into()),
            PlainPassword::new_unchecked("qwertyuiop".into()),
            &phone,
        )
        .await;
    assert!(matches!(
        weak,
        Err(AccountError::WeakPassword(PasswordRejection::TooCommon))
    ));
    w.service
        .change_password(
            &principal,
            PlainPassword::new_unchecked(PASSWORD.into()),
            PlainPassword::new_unchecked("a brand new secret".into()),
            &phone,
        )
        .await
        .unwrap();
    assert!(w.principal(&here).await.is_ok());
    assert!(w.principal(&elsewhere).await.is_err());
    assert!(matches!(
        w.service
            .refresh(elsewhere.refresh_token.expose(), &phone)
            .await,
        Err(RefreshError::InvalidToken)
    ));
    assert!(
        w.service
            .refresh(here.refresh_token.expose(), &phone)
            .await
            .is_ok()
    );
    let old = w
        .service
        .login(
            LoginIdentifier::Email(Email::parse("a@example.com").unwrap()),
            PlainPassword::new_unchecked(PASSWORD.into()),
            &phone,
        )
        .await;
    assert!(old.is_err());
}

#[tokio::test]
async fn rule7_account_deletion_ends_every_session_and_frees_the_email() {
    let w = World::new();
    let phone = device("phone");
    let s = w.register("a@example.com", &phone).await;
    let principal = w.principal(&s).await.unwrap();
    let wrong = w
        .service
        .delete_account(
            &principal,
            PlainPassword::new_unchecked("nope nope nope".into()),
            &phone,
        )
        .await;
    assert!(matches!(wrong, Err(AccountError::InvalidCurrentPassword)));
    w.service
        .delete_account(
            &principal,
            PlainPassword::new_unchecked(PASSWORD.into()),
            &phone,
        )
        .await
        .unwrap();
    assert!(w.principal(&s).await.is_err());
    assert!(
        w.service
            .refresh(s.refresh_token.expose(), &phone)
            .await
            .is_err()
    );
    assert!(w.users.find_by_id(s.user.id).await.unwrap().is_none());
    w.register("a@example.com", &phone).await;
}

#[tokio::test]
async fn the_last_admin_cannot_delete_themself() {
    let w = World::new();
    let s = w.register("root@example.com", &device("d")).await;
    let mut admin = w.users.find_by_id(s.user.id).await.unwrap().unwrap();
    admin.role = Role::Admin;
    w.users.update(&admin).await.unwrap();
    let principal = w.principal(&s).await.unwrap();
    let err = w
        .service
        .delete_account(
            &principal,
            PlainPassword::new_unchecked(PASSWORD.into()),
            &device("d"),
        )
        .await;
    assert!(matches!(err, Err(AccountError::LastAdmin)));
}
