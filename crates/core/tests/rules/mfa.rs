//! TOTP: enrolment, confirmation, login in two steps, replay, drift, recovery codes,
//! device binding of the mfa_token, lock-out, removal.

use portcullis_core::{LoginError, LoginIdentifier, MfaError};
use portcullis_domain::ports::{Clock, MfaRepository};
use portcullis_domain::{Email, PlainPassword, TimeSpan};
use totp_rs::{Algorithm, Builder, Secret};

use crate::support::{PASSWORD, World, device};

fn code(w: &World, secret: &str, offset_steps: i64) -> String {
    let seed = Secret::try_from_base32(secret).unwrap();
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_secret(seed)
        .with_account_name("t")
        .build()
        .unwrap();
    let at = w.clock.now().timestamp() + offset_steps * 30;
    totp.generate(u64::try_from(at).unwrap()).to_string()
}

async fn password_step(w: &World, ua: &str) -> Result<portcullis_core::IssuedSession, LoginError> {
    w.service
        .login(
            LoginIdentifier::Email(Email::parse("a@example.com").unwrap()),
            PlainPassword::new_unchecked(PASSWORD.into()),
            &device(ua),
        )
        .await
}

async fn enrolled(w: &World) -> (String, Vec<String>) {
    let s = w.register("a@example.com", &device("phone")).await;
    let me = w.principal(&s).await.unwrap();
    let wrong = w
        .service
        .enroll_totp(&me, PlainPassword::new_unchecked("not my password".into()))
        .await;
    assert!(matches!(wrong, Err(MfaError::InvalidCurrentPassword)));
    let setup = w
        .service
        .enroll_totp(&me, PlainPassword::new_unchecked(PASSWORD.into()))
        .await
        .unwrap();
    assert!(
        setup.otpauth_uri.starts_with("otpauth://totp/Portcullis"),
        "{}",
        setup.otpauth_uri
    );
    // Nothing is active before confirmation.
    assert!(password_step(w, "phone").await.is_ok());
    assert!(matches!(
        w.service
            .confirm_totp(&me, "000000", &device("phone"))
            .await,
        Err(MfaError::InvalidCode)
    ));
    let codes = w
        .service
        .confirm_totp(&me, &code(w, &setup.secret, 0), &device("phone"))
        .await
        .unwrap();
    assert_eq!(codes.len(), 10);
    let stored = w.sessions_user_mfa(&me).await;
    assert!(stored, "mfa_enabled is set");
    (setup.secret, codes)
}

impl World {
    async fn sessions_user_mfa(&self, p: &portcullis_core::Principal) -> bool {
        self.service.me(p).await.unwrap().mfa_enabled
    }
}

#[tokio::test]
async fn login_takes_two_steps_and_a_code_is_accepted_once() {
    let w = World::new();
    let (secret, _) = enrolled(&w).await;
    w.clock.advance(TimeSpan::seconds(60));
    let Err(LoginError::MfaRequired { mfa_token }) = password_step(&w, "phone").await else {
        panic!("mfa required")
    };
    assert!(matches!(
        w.service
            .complete_mfa(&mfa_token, "123456", &device("phone"))
            .await,
        Err(MfaError::InvalidCode)
    ));
    let Err(LoginError::MfaRequired { mfa_token }) = password_step(&w, "phone").await else {
        panic!("mfa required")
    };
    let good = code(&w, &secret, 0);
    let session = w
        .service
        .complete_mfa(&mfa_token, &good, &device("phone"))
        .await
        .unwrap();
    assert!(w.principal(&session).await.is_ok());
    assert!(
        matches!(
            w.service
                .complete_mfa(&mfa_token, &good, &device("phone"))
                .await,
            Err(MfaError::InvalidMfaToken)
        ),
        "token single use"
    );
    let Err(LoginError::MfaRequired { mfa_token }) = password_step(&w, "phone").await else {
        panic!("mfa required")
    };
    assert!(
        matches!(
            w.service
                .complete_mfa(&mfa_token, &good, &device("phone"))
                .await,
            Err(MfaError::InvalidCode)
        ),
        "code replay refused"
    );
    assert!(w.audit_kinds().await.contains(&"mfa_enabled"));
}

#[tokio::test]
async fn one_step_of_drift_is_tolerated_two_are_not() {
    let w = World::new();
    let (secret, _) = enrolled(&w).await;
    w.clock.advance(TimeSpan::seconds(120));
    let Err(LoginError::MfaRequired { mfa_token }) = password_step(&w, "phone").await else {
        panic!()
    };
    assert!(
        w.service
            .complete_mfa(&mfa_token, &code(&w, &secret, -1), &device("phone"))
            .await
            .is_ok()
    );
    w.clock.advance(TimeSpan::seconds(120));
    let Err(LoginError::MfaRequired { mfa_token }) = password_step(&w, "phone").await else {
        panic!()
    };
    assert!(matches!(
        w.service
            .complete_mfa(&mfa_token, &code(&w, &secret, 2), &device("phone"))
            .await,
        Err(MfaError::InvalidCode)
    ));
}

#[tokio::test]
async fn the_mfa_token_works_only_on_the_device_that_passed_the_password() {
    let w = World::new();
    let (secret, _) = enrolled(&w).await;
    w.clock.advance(TimeSpan::seconds(60));
    let Err(LoginError::MfaRequired { mfa_token }) = password_step(&w, "phone").await else {
        panic!()
    };
    let err = w
        .service
        .complete_mfa(&mfa_token, &code(&w, &secret, 0), &device("laptop"))
        .await;
    assert!(matches!(err, Err(MfaError::InvalidMfaToken)));
    w.clock.advance(TimeSpan::minutes(6));
    let err = w
        .service
        .complete_mfa(&mfa_token, &code(&w, &secret, 0), &device("phone"))
        .await;
    assert!(
        matches!(err, Err(MfaError::InvalidMfaToken)),
        "expired after 5 minutes"
    );
}

#[tokio::test]
async fn recovery_codes_work_once_and_removal_needs_a_code() {
    let w = World::new();
    let (secret, codes) = enrolled(&w).await;
    let Err(LoginError::MfaRequired { mfa_token }) = password_step(&w, "phone").await else {
        panic!()
    };
    let session = w
        .service
        .complete_mfa(&mfa_token, &codes[3], &device("phone"))
        .await
        .unwrap();
    let Err(LoginError::MfaRequired { mfa_token }) = password_step(&w, "phone").await else {
        panic!()
    };
    assert!(matches!(
        w.service
            .complete_mfa(&mfa_token, &codes[3], &device("phone"))
            .await,
        Err(MfaError::InvalidCode)
    ));
    let me = w.principal(&session).await.unwrap();
    assert!(matches!(
        w.service
            .disable_totp(&me, "000000", &device("phone"))
            .await,
        Err(MfaError::InvalidCode)
    ));
    w.clock.advance(TimeSpan::seconds(90));
    w.service
        .disable_totp(&me, &code(&w, &secret, 0), &device("phone"))
        .await
        .unwrap();
    assert!(password_step(&w, "phone").await.is_ok(), "one step again");
    assert!(w.audit_kinds().await.contains(&"mfa_disabled"));
}

#[tokio::test]
async fn wrong_codes_count_toward_the_lock_out_and_seeds_are_sealed() {
    let w = World::new();
    let (_, _) = enrolled(&w).await;
    let mut locked = false;
    for _ in 0..12 {
        match password_step(&w, "phone").await {
            Err(LoginError::MfaRequired { mfa_token }) => {
                if let Err(MfaError::Locked { .. }) = w
                    .service
                    .complete_mfa(&mfa_token, "000000", &device("phone"))
                    .await
                {
                    locked = true;
                }
            }
            Err(LoginError::AccountLocked { .. }) => locked = true,
            other => panic!("{other:?}"),
        }
    }
    assert!(
        locked,
        "ten wrong codes lock the account like ten wrong passwords"
    );
    let user = w.users_by_email("a@example.com").await;
    let enrollment = w.mfa.find(user).await.unwrap().unwrap();
    assert!(
        enrollment.encrypted_secret.starts_with(b"sealed:"),
        "never stored in plain"
    );
}
