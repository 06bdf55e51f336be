//! The providers against a fake authorization server (wiremock): the authorize URL,
//! the PKCE verifier at the token endpoint, profile mapping, and every failure mapped
//! to the port's two kinds.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::time::Duration;

use portcullis_domain::oauth::{PkceVerifier, ProviderName};
use portcullis_domain::ports::{OAuthError, OAuthProvider};
use portcullis_oauth::{GithubProvider, GoogleProvider, ProviderConfig};
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn config(server: &MockServer, timeout: Duration) -> ProviderConfig {
    ProviderConfig {
        client_id: "client-1".to_owned(),
        client_secret: "secret-1".to_owned().into(),
        auth_url: format!("{}/authorize", server.uri()),
        token_url: format!("{}/token", server.uri()),
        userinfo_url: format!("{}/userinfo", server.uri()),
        redirect_url: "https://auth.example.com/api/v1/auth/oauth/google/callback".to_owned(),
        timeout,
    }
}

fn verifier() -> PkceVerifier {
    PkceVerifier::from_random([42; 32])
}

/// The token endpoint: answers only for this code and this verifier.
async fn token_ok(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code=the-code"))
        .and(body_string_contains(format!(
            "code_verifier={}",
            verifier().expose()
        )))
        .and(body_string_contains("client_secret=secret-1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "at-1", "token_type": "Bearer"})),
        )
        .mount(server)
        .await;
}

#[tokio::test]
async fn google_authorize_url_carries_state_and_the_s256_challenge() {
    let server = MockServer::start().await;
    let google = GoogleProvider::new(&config(&server, Duration::from_secs(5))).unwrap();
    let url = reqwest::Url::parse(&google.authorize_url("st-1", &verifier())).unwrap();
    assert_eq!(url.path(), "/authorize");
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], "client-1");
    assert_eq!(q["state"], "st-1");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"], verifier().s256_challenge());
    assert_eq!(q["scope"], "openid email profile");
    assert_eq!(
        q["redirect_uri"],
        "https://auth.example.com/api/v1/auth/oauth/google/callback"
    );
    assert!(
        !url.as_str().contains(verifier().expose()),
        "the verifier never leaves"
    );
}

#[tokio::test]
async fn google_exchange_reads_the_userinfo_profile() {
    let server = MockServer::start().await;
    token_ok(&server).await;
    Mock::given(method("GET"))
        .and(path("/userinfo"))
        .and(header("authorization", "Bearer at-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "sub": "1234", "email": "Ada@Example.com", "email_verified": true, "name": "Ada"
        })))
        .mount(&server)
        .await;
    let google = GoogleProvider::new(&config(&server, Duration::from_secs(5))).unwrap();
    let profile = google.exchange("the-code", &verifier()).await.unwrap();
    assert_eq!(profile.provider, ProviderName::Google);
    assert_eq!(profile.subject, "1234");
    assert_eq!(profile.email.unwrap().as_str(), "ada@example.com");
    assert!(profile.email_verified);
    assert_eq!(profile.name.as_deref(), Some("Ada"));
}

#[tokio::test]
async fn a_wrong_verifier_or_code_is_refused() {
    let server = MockServer::start().await;
    token_ok(&server).await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"})))
        .mount(&server)
        .await;
    let google = GoogleProvider::new(&config(&server, Duration::from_secs(5))).unwrap();
    let other = PkceVerifier::from_random([1; 32]);
    let err = google.exchange("the-code", &other).await.unwrap_err();
    assert!(matches!(err, OAuthError::ExchangeRefused), "{err:?}");
}

#[tokio::test]
async fn a_slow_or_broken_provider_is_unavailable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let google = GoogleProvider::new(&config(&server, Duration::from_millis(300))).unwrap();
    let started = std::time::Instant::now();
    let err = google.exchange("the-code", &verifier()).await.unwrap_err();
    assert!(matches!(err, OAuthError::Unavailable(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));

    let server = MockServer::start().await;
    token_ok(&server).await;
    Mock::given(method("GET"))
        .and(path("/userinfo"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let google = GoogleProvider::new(&config(&server, Duration::from_secs(5))).unwrap();
    let err = google.exchange("the-code", &verifier()).await.unwrap_err();
    assert!(matches!(err, OAuthError::Unavailable(_)), "{err:?}");
}

fn github(server: &MockServer) -> GithubProvider {
    let mut config = config(server, Duration::from_secs(5));
    config.userinfo_url = format!("{}/user", server.uri());
    GithubProvider::new(&config, &format!("{}/user/emails", server.uri())).unwrap()
}

#[tokio::test]
async fn github_refusal_with_status_200_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"error": "bad_verification_code", "error_description": "The code is wrong."}),
        ))
        .mount(&server)
        .await;
    let err = github(&server)
        .exchange("x", &verifier())
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::ExchangeRefused), "{err:?}");
}

#[tokio::test]
async fn github_uses_the_numeric_id_and_the_verified_primary_address() {
    let server = MockServer::start().await;
    token_ok(&server).await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": 583231, "login": "octocat", "name": null, "email": "public@example.com"}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/user/emails"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"email": "old@example.com", "primary": false, "verified": true},
            {"email": "octo@example.com", "primary": true, "verified": true},
        ])))
        .mount(&server)
        .await;
    let profile = github(&server)
        .exchange("the-code", &verifier())
        .await
        .unwrap();
    assert_eq!(profile.subject, "583231");
    assert_eq!(profile.email.unwrap().as_str(), "octo@example.com");
    assert!(profile.email_verified);
    assert_eq!(profile.name.as_deref(), Some("octocat"));
}

#[tokio::test]
async fn github_without_the_email_list_has_no_verified_address() {
    let server = MockServer::start().await;
    token_ok(&server).await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": 7, "login": "octocat", "email": "public@example.com"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/user/emails"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    let profile = github(&server)
        .exchange("the-code", &verifier())
        .await
        .unwrap();
    assert_eq!(profile.email.unwrap().as_str(), "public@example.com");
    assert!(!profile.email_verified);
}
