//! Social login: the state rules (single use, TTL, provider, browser), find-or-create
//! by (provider, subject), the linking rule, refusals, and unlinking.

mod fake;

use portcullis_core::{IdentityError, OAuthCallback, OAuthStartError};
use portcullis_domain::TimeSpan;
use portcullis_domain::oauth::ProviderName;
use portcullis_domain::ports::UserRepository;

use self::fake::{APP, Behaviour, invalid_state, profile, refusal, setup};
use crate::support::device;

#[tokio::test]
async fn start_checks_provider_and_redirect() {
    let o = setup();
    let err = o
        .world
        .service
        .start_oauth(ProviderName::Google, None)
        .await;
    assert!(matches!(err, Err(OAuthStartError::ProviderNotConfigured)));
    for bad in [
        "//evil.com",
        "https://app.evil",
        "https://app.example.com@evil.com",
        "javascript:alert(1)",
    ] {
        let err = o.service.start_oauth(ProviderName::Google, Some(bad)).await;
        assert!(
            matches!(err, Err(OAuthStartError::InvalidRedirect)),
            "{bad}"
        );
    }
    let start = o
        .service
        .start_oauth(ProviderName::Github, None)
        .await
        .unwrap();
    assert!(start.authorize_url.contains("code_challenge_method=S256"));
    assert_eq!(start.binding_ttl, TimeSpan::minutes(10));
}

#[tokio::test]
async fn a_new_user_is_created_without_password_and_signed_in() {
    let o = setup();
    let signed = o.sign_in(ProviderName::Google).await.unwrap();
    assert_eq!(signed.redirect_to, format!("{APP}/after"));
    let user = &signed.issued.user;
    assert_eq!(user.email.as_str(), "ada@example.com");
    assert!(user.email_verified, "verified as the provider says");
    assert!(user.password_hash.is_none());
    assert_eq!(user.name.as_str(), "Ada Lovelace");
    let kinds = o.kinds().await;
    for kind in ["user_created", "oauth_linked", "login_succeeded"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
}

#[tokio::test]
async fn a_returning_user_keeps_the_mapping_when_the_email_changes() {
    let o = setup();
    let first = o.sign_in(ProviderName::Google).await.unwrap().issued.user;
    o.google.set_profile(profile(
        ProviderName::Google,
        "sub-1",
        "new@example.com",
        true,
    ));
    let again = o.sign_in(ProviderName::Google).await.unwrap().issued.user;
    assert_eq!(again.id, first.id);
    let linked = o
        .kinds()
        .await
        .iter()
        .filter(|k| **k == "oauth_linked")
        .count();
    assert_eq!(linked, 1, "no second link");
    // Another subject with the old address is another person: never this account.
    o.google.set_profile(profile(
        ProviderName::Google,
        "sub-2",
        "ada@example.com",
        false,
    ));
    let (code, _) = refusal(o.sign_in(ProviderName::Google).await);
    assert_eq!(code, "account_exists_unverified");
}

#[tokio::test]
async fn linking_needs_both_sides_verified() {
    let o = setup();
    o.world
        .register("ada@example.com", &device("browser"))
        .await;
    // The local account is not verified: even a verified provider address is refused.
    let (code, location) = refusal(o.sign_in(ProviderName::Google).await);
    assert_eq!(code, "account_exists_unverified");
    assert_eq!(
        location,
        format!("{APP}/after?error=account_exists_unverified")
    );
    let id = o.world.users_by_email("ada@example.com").await;
    let mut user = o.world.users.find_by_id(id).await.unwrap().unwrap();
    user.email_verified = true;
    o.world.users.update(&user).await.unwrap();
    // An unverified provider address never links.
    o.github.set_profile(profile(
        ProviderName::Github,
        "gh-1",
        "ada@example.com",
        false,
    ));
    let (code, _) = refusal(o.sign_in(ProviderName::Github).await);
    assert_eq!(code, "account_exists_unverified");
    // Both verified: linked to the existing account.
    let signed = o.sign_in(ProviderName::Google).await.unwrap();
    assert_eq!(signed.issued.user.id, id);
    assert!(
        signed.issued.user.password_hash.is_some(),
        "the password stays"
    );
}

#[tokio::test]
async fn every_state_failure_is_invalid_state_without_a_session() {
    let o = setup();
    let flow = o.start(ProviderName::Google).await;
    let mut call = OAuthCallback {
        code: Some("good-code"),
        state: None,
        error: None,
        binding: Some(&flow.binding),
    };
    let client = device("browser");
    invalid_state(
        o.service
            .finish_oauth(ProviderName::Google, call, &client)
            .await,
    );
    call.state = Some("forged-state-forged-state-forged-state-0000");
    invalid_state(
        o.service
            .finish_oauth(ProviderName::Google, call, &client)
            .await,
    );
    // Another browser (no cookie, another cookie), then the genuine one: spent.
    for binding in [None, Some("other-binding")] {
        let flow = o.start(ProviderName::Google).await;
        let call = OAuthCallback {
            state: Some(&flow.state),
            binding,
            ..call
        };
        invalid_state(
            o.service
                .finish_oauth(ProviderName::Google, call, &client)
                .await,
        );
        invalid_state(o.finish(ProviderName::Google, &flow).await);
    }
    // Mix-up: a Google state on the GitHub callback.
    let flow = o.start(ProviderName::Google).await;
    invalid_state(o.finish(ProviderName::Github, &flow).await);
    // Expired.
    let flow = o.start(ProviderName::Google).await;
    o.world.clock.advance(TimeSpan::minutes(10));
    invalid_state(o.finish(ProviderName::Google, &flow).await);
    // Replayed.
    let flow = o.start(ProviderName::Google).await;
    o.finish(ProviderName::Google, &flow).await.unwrap();
    invalid_state(o.finish(ProviderName::Google, &flow).await);
    let logins = o
        .kinds()
        .await
        .iter()
        .filter(|k| **k == "login_succeeded")
        .count();
    assert_eq!(logins, 1, "only the one genuine callback signed in");
}

#[tokio::test]
async fn provider_failures_go_back_to_the_app() {
    let o = setup();
    let flow = o.start(ProviderName::Google).await;
    let call = OAuthCallback {
        code: None,
        state: Some(&flow.state),
        error: Some("access_denied"),
        binding: Some(&flow.binding),
    };
    let (code, location) = refusal(
        o.service
            .finish_oauth(ProviderName::Google, call, &device("browser"))
            .await,
    );
    assert_eq!(
        (code, location.as_str()),
        (
            "access_denied",
            "https://app.example.com/after?error=access_denied"
        )
    );
    for (behaviour, want) in [
        (Behaviour::Refuse, "provider_error"),
        (Behaviour::Down, "provider_unavailable"),
    ] {
        *o.google.behaviour.lock().unwrap() = behaviour;
        assert_eq!(refusal(o.sign_in(ProviderName::Google).await).0, want);
    }
    *o.google.behaviour.lock().unwrap() = Behaviour::Answer;
    let mut p = profile(ProviderName::Google, "sub-9", "x@example.com", true);
    p.email = None;
    o.google.set_profile(p);
    assert_eq!(
        refusal(o.sign_in(ProviderName::Google).await).0,
        "email_required"
    );
    assert!(!o.kinds().await.contains(&"login_succeeded"));
}

#[tokio::test]
async fn the_last_way_to_sign_in_cannot_be_unlinked() {
    let o = setup();
    let issued = o.sign_in(ProviderName::Google).await.unwrap().issued;
    let me = o.world.principal(&issued).await.unwrap();
    let client = device("browser");
    let err = o
        .service
        .unlink_identity(&me, ProviderName::Google, &client)
        .await;
    assert!(
        matches!(err, Err(IdentityError::LastLoginMethod)),
        "{err:?}"
    );
    let err = o
        .service
        .unlink_identity(&me, ProviderName::Github, &client)
        .await;
    assert!(matches!(err, Err(IdentityError::NotFound)), "{err:?}");
    // With a second identity the first may go.
    o.github.set_profile(profile(
        ProviderName::Github,
        "gh-7",
        "ada@example.com",
        true,
    ));
    o.sign_in(ProviderName::Github).await.unwrap();
    assert_eq!(o.service.list_identities(&me).await.unwrap().len(), 2);
    o.service
        .unlink_identity(&me, ProviderName::Google, &client)
        .await
        .unwrap();
    let left = o.service.list_identities(&me).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].provider, ProviderName::Github);
    assert!(o.kinds().await.contains(&"oauth_unlinked"));
}
