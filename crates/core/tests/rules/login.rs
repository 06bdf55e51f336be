//! Login: one answer for every credential failure, the lock-out of SPEC §6, hash
//! upgrades.

use std::sync::atomic::Ordering;

use portcullis_core::{AuthPolicy, LoginError, LoginIdentifier};
use portcullis_domain::ports::{LockoutPolicy, UserRepository};
use portcullis_domain::{Email, PasswordHash, PlainPassword, TimeSpan, Username};

use crate::support::{PASSWORD, World, device};

fn by_email(raw: &str) -> LoginIdentifier {
    LoginIdentifier::Email(Email::parse(raw).unwrap())
}

fn pw(raw: &str) -> PlainPassword {
    PlainPassword::new_unchecked(raw.to_owned())
}

fn lockout(threshold: u32) -> AuthPolicy {
    AuthPolicy {
        lockout: LockoutPolicy {
            threshold,
            window: TimeSpan::minutes(15),
            duration: TimeSpan::minutes(15),
        },
        ..AuthPolicy::default()
    }
}

#[tokio::test]
async fn unknown_account_wrong_password_and_passwordless_account_give_the_same_error_after_the_same_work()
 {
    let w = World::new();
    w.register("a@example.com", &device("d")).await;
    let mut oauth_only = portcullis_testkit::sample_user("oauth@example.com");
    oauth_only.password_hash = None;
    w.users.insert(&oauth_only).await.unwrap();

    for (who, password) in [
        ("ghost@example.com", PASSWORD),
        ("a@example.com", "wrong password!"),
        ("oauth@example.com", PASSWORD),
    ] {
        let before = w.hasher.verifies.load(Ordering::SeqCst);
        let err = w
            .service
            .login(by_email(who), pw(password), &device("d"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, LoginError::InvalidCredentials),
            "{who}: {err:?}"
        );
        assert_eq!(
            w.hasher.verifies.load(Ordering::SeqCst),
            before + 1,
            "{who}: exactly one verify, dummy or real"
        );
    }
}

#[tokio::test]
async fn an_over_long_password_is_refused_without_being_truncated() {
    let w = World::new();
    w.register("a@example.com", &device("d")).await;
    let long = format!("{PASSWORD}{}", "x".repeat(80));
    let err = w
        .service
        .login(by_email("a@example.com"), pw(&long), &device("d"))
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::InvalidCredentials));
}

#[tokio::test]
async fn login_by_username_or_email_case_insensitively() {
    let w = World::new();
    let s = w.register("Ada@Example.com", &device("d")).await;
    let principal = w.principal(&s).await.unwrap();
    let patch = portcullis_core::ProfilePatch {
        username: Some(Some(Username::parse("Countess").unwrap())),
        ..Default::default()
    };
    w.service
        .update_me(&principal, patch, &device("d"))
        .await
        .unwrap();
    assert!(
        w.service
            .login(by_email("ADA@example.COM"), pw(PASSWORD), &device("d"))
            .await
            .is_ok()
    );
    let by_name = LoginIdentifier::Username(Username::parse("COUNTESS").unwrap());
    assert!(
        w.service
            .login(by_name, pw(PASSWORD), &device("d"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn lockout_the_eleventh_attempt_is_locked_and_checks_no_password() {
    let w = World::with_policy(lockout(10));
    w.register("a@example.com", &device("d")).await;
    for i in 0..10 {
        let err = w
            .service
            .login(
                by_email("a@example.com"),
                pw("wrong password!"),
                &device("d"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, LoginError::InvalidCredentials),
            "attempt {i}: {err:?}"
        );
    }
    let verifies = w.hasher.verifies.load(Ordering::SeqCst);
    // Even the right password is not checked while locked.
    let err = w
        .service
        .login(by_email("a@example.com"), pw(PASSWORD), &device("d"))
        .await
        .unwrap_err();
    let LoginError::AccountLocked { retry_after } = err else {
        panic!("{err:?}")
    };
    assert_eq!(retry_after, TimeSpan::minutes(15));
    assert_eq!(
        w.hasher.verifies.load(Ordering::SeqCst),
        verifies,
        "no password checked while locked"
    );
    assert!(w.audit_kinds().await.contains(&"account_locked"));
}

#[tokio::test]
async fn lockout_attempts_while_locked_do_not_extend_the_lock() {
    let w = World::with_policy(lockout(3));
    w.register("a@example.com", &device("d")).await;
    for _ in 0..3 {
        let _ = w
            .service
            .login(
                by_email("a@example.com"),
                pw("wrong password!"),
                &device("d"),
            )
            .await;
    }
    w.clock.advance(TimeSpan::minutes(10));
    let err = w
        .service
        .login(
            by_email("a@example.com"),
            pw("wrong password!"),
            &device("d"),
        )
        .await
        .unwrap_err();
    let LoginError::AccountLocked { retry_after } = err else {
        panic!("{err:?}")
    };
    assert_eq!(retry_after, TimeSpan::minutes(5));
    w.clock.advance(TimeSpan::minutes(5));
    assert!(
        w.service
            .login(by_email("a@example.com"), pw(PASSWORD), &device("d"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn lockout_counts_unknown_identifiers_too_so_it_reveals_nothing() {
    let w = World::with_policy(lockout(2));
    for _ in 0..2 {
        let _ = w
            .service
            .login(
                by_email("ghost@example.com"),
                pw("whatever pw"),
                &device("d"),
            )
            .await;
    }
    let err = w
        .service
        .login(
            by_email("GHOST@example.com"),
            pw("whatever pw"),
            &device("d"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::AccountLocked { .. }), "{err:?}");
}

#[tokio::test]
async fn lockout_success_resets_the_count() {
    let w = World::with_policy(lockout(3));
    w.register("a@example.com", &device("d")).await;
    for _ in 0..2 {
        let _ = w
            .service
            .login(
                by_email("a@example.com"),
                pw("wrong password!"),
                &device("d"),
            )
            .await;
    }
    w.service
        .login(by_email("a@example.com"), pw(PASSWORD), &device("d"))
        .await
        .unwrap();
    for _ in 0..2 {
        let err = w
            .service
            .login(
                by_email("a@example.com"),
                pw("wrong password!"),
                &device("d"),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, LoginError::InvalidCredentials), "{err:?}");
    }
}

#[tokio::test]
async fn lockout_never_blocks_registration() {
    let w = World::with_policy(lockout(1));
    let _ = w
        .service
        .login(by_email("new@example.com"), pw("whatever pw"), &device("d"))
        .await;
    w.register("new@example.com", &device("d")).await;
}

#[tokio::test]
async fn a_weaker_hash_is_upgraded_at_the_next_successful_login() {
    let w = World::new();
    let s = w.register("a@example.com", &device("d")).await;
    let mut user = w.users.find_by_id(s.user.id).await.unwrap().unwrap();
    user.password_hash = Some(PasswordHash::new(format!("fake$2${PASSWORD}")));
    w.users.update(&user).await.unwrap();
    w.service
        .login(by_email("a@example.com"), pw(PASSWORD), &device("d"))
        .await
        .unwrap();
    let stored = w
        .users
        .find_by_id(s.user.id)
        .await
        .unwrap()
        .unwrap()
        .password_hash
        .unwrap();
    assert_eq!(stored.as_str(), format!("fake$4${PASSWORD}"));
}
