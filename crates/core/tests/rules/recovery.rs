//! Password reset and email verification: single use, expiry, older links dead,
//! sessions ended, lock-out cleared, no enumeration, links from PUBLIC_URL only.

use portcullis_core::{
    AuthPolicy, LoginError, LoginIdentifier, RecoveryError, RegisterOutcome, Registration,
};
use portcullis_domain::ports::LockoutPolicy;
use portcullis_domain::{DisplayName, Email, Notice, PlainPassword, TimeSpan};

use crate::support::{PASSWORD, World, device};

const NEW: &str = "an entirely new secret";

fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap()
}

fn pw(raw: &str) -> PlainPassword {
    PlainPassword::new_unchecked(raw.to_owned())
}

async fn login(
    w: &World,
    who: &str,
    password: &str,
) -> Result<portcullis_core::IssuedSession, LoginError> {
    w.service
        .login(
            LoginIdentifier::Email(email(who)),
            pw(password),
            &device("d"),
        )
        .await
}

#[tokio::test]
async fn reset_sets_the_password_once_ends_every_session_and_logs_nobody_in() {
    let w = World::with_policy(AuthPolicy {
        public_url: "https://app.example.com/".into(),
        ..AuthPolicy::default()
    });
    let s = w.register("a@example.com", &device("d")).await;
    w.service
        .forgot_password(&email("a@example.com"))
        .await
        .unwrap();
    let token = w
        .notifier
        .last_token(
            "a@example.com",
            "https://app.example.com/reset-password?token=",
        )
        .unwrap();
    assert!(token.len() >= 43, "≥ 256 bits");

    let weak = w
        .service
        .reset_password(&token, pw("password1"), &device("d"))
        .await;
    assert!(
        matches!(weak, Err(RecoveryError::WeakPassword(_))),
        "policy checked before the token is spent"
    );
    w.service
        .reset_password(&token, pw(NEW), &device("d"))
        .await
        .unwrap();
    assert!(w.principal(&s).await.is_err(), "every session ended");
    assert!(
        w.service
            .refresh(s.refresh_token.expose(), &device("d"))
            .await
            .is_err()
    );
    assert!(matches!(
        login(&w, "a@example.com", PASSWORD).await,
        Err(LoginError::InvalidCredentials)
    ));
    assert!(login(&w, "a@example.com", NEW).await.is_ok());
    let again = w
        .service
        .reset_password(&token, pw("yet another secret"), &device("d"))
        .await;
    assert!(
        matches!(again, Err(RecoveryError::InvalidResetToken)),
        "single use"
    );
    let sent = w.notifier.sent.lock().unwrap().clone();
    assert!(
        sent.iter()
            .any(|(to, n)| to.as_str() == "a@example.com" && *n == Notice::PasswordChanged)
    );
    assert!(w.audit_kinds().await.contains(&"password_reset"));
}

#[tokio::test]
async fn a_new_reset_request_invalidates_the_older_link_and_links_expire() {
    let w = World::new();
    w.register("a@example.com", &device("d")).await;
    w.service
        .forgot_password(&email("a@example.com"))
        .await
        .unwrap();
    let first = w
        .notifier
        .last_token("a@example.com", "reset-password")
        .unwrap();
    w.service
        .forgot_password(&email("a@example.com"))
        .await
        .unwrap();
    let second = w
        .notifier
        .last_token("a@example.com", "reset-password")
        .unwrap();
    assert_ne!(first, second);
    assert!(matches!(
        w.service
            .reset_password(&first, pw(NEW), &device("d"))
            .await,
        Err(RecoveryError::InvalidResetToken)
    ));
    w.clock.advance(TimeSpan::minutes(61));
    assert!(matches!(
        w.service
            .reset_password(&second, pw(NEW), &device("d"))
            .await,
        Err(RecoveryError::InvalidResetToken)
    ));
    for garbage in ["", "nope", &"A".repeat(43)] {
        assert!(matches!(
            w.service
                .reset_password(garbage, pw(NEW), &device("d"))
                .await,
            Err(RecoveryError::InvalidResetToken)
        ));
    }
}

#[tokio::test]
async fn forgot_for_an_unknown_address_mails_nothing() {
    let w = World::new();
    w.service
        .forgot_password(&email("ghost@example.com"))
        .await
        .unwrap();
    assert!(w.notifier.sent.lock().unwrap().is_empty());
}

#[tokio::test]
async fn reset_clears_the_lock_out() {
    let w = World::with_policy(AuthPolicy {
        lockout: LockoutPolicy {
            threshold: 2,
            window: TimeSpan::minutes(15),
            duration: TimeSpan::minutes(15),
        },
        ..AuthPolicy::default()
    });
    w.register("a@example.com", &device("d")).await;
    for _ in 0..2 {
        let _ = login(&w, "a@example.com", "wrong password!").await;
    }
    assert!(matches!(
        login(&w, "a@example.com", PASSWORD).await,
        Err(LoginError::AccountLocked { .. })
    ));
    w.service
        .forgot_password(&email("a@example.com"))
        .await
        .unwrap();
    let token = w
        .notifier
        .last_token("a@example.com", "reset-password")
        .unwrap();
    w.service
        .reset_password(&token, pw(NEW), &device("d"))
        .await
        .unwrap();
    assert!(login(&w, "a@example.com", NEW).await.is_ok());
}

#[tokio::test]
async fn verification_marks_the_address_once() {
    let w = World::new();
    let s = w.register("a@example.com", &device("d")).await;
    assert!(!s.user.email_verified);
    let token = w
        .notifier
        .last_token("a@example.com", "/verify-email?token=")
        .unwrap();
    w.service.verify_email(&token, &device("d")).await.unwrap();
    let principal = w.principal(&s).await.unwrap();
    assert!(w.service.me(&principal).await.unwrap().email_verified);
    assert!(matches!(
        w.service.verify_email(&token, &device("d")).await,
        Err(RecoveryError::InvalidVerificationToken)
    ));
    // Verified accounts get no new link; unknown addresses neither.
    let before = w.notifier.sent.lock().unwrap().len();
    w.service
        .resend_verification(&email("a@example.com"))
        .await
        .unwrap();
    w.service
        .resend_verification(&email("ghost@example.com"))
        .await
        .unwrap();
    assert_eq!(w.notifier.sent.lock().unwrap().len(), before);
    assert!(w.audit_kinds().await.contains(&"email_verified"));
}

#[tokio::test]
async fn with_verification_required_registration_reveals_nothing_and_login_waits() {
    let w = World::with_policy(AuthPolicy {
        require_email_verification: true,
        ..AuthPolicy::default()
    });
    let registration = |raw: &str| Registration {
        email: email(raw),
        password: pw(PASSWORD),
        name: DisplayName::parse("N").unwrap(),
        username: None,
    };
    let first = w
        .service
        .register(registration("a@example.com"), &device("d"))
        .await
        .unwrap();
    assert!(matches!(first, RegisterOutcome::VerificationSent));
    let again = w
        .service
        .register(registration("A@example.com"), &device("d"))
        .await
        .unwrap();
    assert!(
        matches!(again, RegisterOutcome::VerificationSent),
        "a taken email gets the very same answer"
    );
    let sent = w.notifier.sent.lock().unwrap().clone();
    assert!(
        sent.iter()
            .any(|(_, n)| matches!(n, Notice::AccountExists { .. })),
        "the owner is told instead"
    );

    assert!(matches!(
        login(&w, "a@example.com", "wrong password!").await,
        Err(LoginError::InvalidCredentials)
    ));
    assert!(matches!(
        login(&w, "a@example.com", PASSWORD).await,
        Err(LoginError::EmailNotVerified)
    ));
    let token = w
        .notifier
        .last_token("a@example.com", "verify-email")
        .unwrap();
    w.service.verify_email(&token, &device("d")).await.unwrap();
    assert!(login(&w, "a@example.com", PASSWORD).await.is_ok());
}

#[tokio::test]
async fn changing_the_password_sends_the_notice() {
    let w = World::new();
    let s = w.register("a@example.com", &device("d")).await;
    let principal = w.principal(&s).await.unwrap();
    w.service
        .change_password(&principal, pw(PASSWORD), pw(NEW), &device("d"))
        .await
        .unwrap();
    let sent = w.notifier.sent.lock().unwrap().clone();
    assert!(sent.iter().any(|(_, n)| *n == Notice::PasswordChanged));
}
