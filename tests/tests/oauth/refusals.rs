//! Refusals: every state failure, bad redirects, unknown providers, provider errors
//! and timeouts; never a session.

use std::time::Duration;

use portcullis_e2e::unique_email;
use reqwest::{Response, StatusCode};

use crate::provider::Grant;
use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn every_state_failure_is_400_without_a_session() {
    let (server, fake) = setup().await;
    let client = browser();
    let grant = |started: &Started| {
        let code = fresh_code();
        fake.grant(
            &code,
            Grant {
                challenge: started.challenge.clone(),
                profile: profile("g-3", &unique_email("state"), true),
                delay: None,
            },
        );
        code
    };
    let refused = |res: Response| async move {
        assert!(!has_session_cookie(&res));
        assert_eq!(
            res.headers()["content-type"].to_str().unwrap(),
            "application/problem+json"
        );
        assert_eq!(
            problem_code(res).await,
            (StatusCode::BAD_REQUEST, "invalid_oauth_state".to_owned())
        );
    };

    let started = start(&server, &client, "google").await;
    let code = grant(&started);
    // Missing and forged.
    refused(callback(&server, &client, "google", &[("code", &code)]).await).await;
    refused(
        callback(
            &server,
            &client,
            "google",
            &[("code", &code), ("state", "forged")],
        )
        .await,
    )
    .await;
    // Mix-up: this Google state on the GitHub callback (the state is spent too).
    refused(
        callback(
            &server,
            &client,
            "github",
            &[("code", &code), ("state", &started.state)],
        )
        .await,
    )
    .await;
    refused(
        callback(
            &server,
            &client,
            "google",
            &[("code", &code), ("state", &started.state)],
        )
        .await,
    )
    .await;

    // Another browser: without the cookie, and with its own cookie.
    for thief in [
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        browser(),
    ] {
        let _ = start(&server, &thief, "google").await;
        let started = start(&server, &client, "google").await;
        let code = grant(&started);
        refused(
            callback(
                &server,
                &thief,
                "google",
                &[("code", &code), ("state", &started.state)],
            )
            .await,
        )
        .await;
    }

    // Replayed.
    let started = start(&server, &client, "google").await;
    let code = grant(&started);
    let ok = callback(
        &server,
        &client,
        "google",
        &[("code", &code), ("state", &started.state)],
    )
    .await;
    assert_eq!(ok.status(), StatusCode::FOUND);
    assert!(has_session_cookie(&ok));
    refused(
        callback(
            &server,
            &client,
            "google",
            &[("code", &code), ("state", &started.state)],
        )
        .await,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_redirects_and_unknown_providers_are_refused_at_the_start() {
    let (server, _fake) = setup().await;
    let client = browser();
    for bad in [
        "//evil.com/x",
        "https://app.evil",
        "https://app.example.com.evil.com/",
        "https://app.example.com@evil.com/",
        "https://app.example.com\\@evil.com",
        "javascript:alert(1)",
        "http://app.example.com/",
        "/relative",
    ] {
        let res = client
            .get(with_query(
                server.url("/api/v1/auth/oauth/google"),
                &[("redirect_to", bad)],
            ))
            .send()
            .await
            .unwrap();
        assert!(set_cookies(&res).is_empty(), "{bad}: no binding cookie");
        assert_eq!(
            problem_code(res).await,
            (StatusCode::BAD_REQUEST, "invalid_redirect".to_owned()),
            "{bad}"
        );
    }
    for path in [
        "/api/v1/auth/oauth/facebook",
        "/api/v1/auth/oauth/facebook/callback",
    ] {
        let res = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(
            problem_code(res).await,
            (StatusCode::NOT_FOUND, "not_found".to_owned()),
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn provider_failures_come_back_as_clean_errors_without_a_session() {
    let (server, fake) = setup().await;
    let client = browser();
    let after = |code: &str| format!("{APP}/after?error={code}");

    // The user declined at the provider.
    let started = start(&server, &client, "github").await;
    let res = callback(
        &server,
        &client,
        "github",
        &[("error", "access_denied"), ("state", &started.state)],
    )
    .await;
    assert_eq!(
        (res.status(), location(&res)),
        (StatusCode::FOUND, after("access_denied"))
    );
    assert!(!has_session_cookie(&res));

    // A code granted for another challenge: the provider refuses the verifier.
    let started = start(&server, &client, "google").await;
    let code = fresh_code();
    fake.grant(
        &code,
        Grant {
            challenge: "not-the-challenge".to_owned(),
            profile: profile("g-4", &unique_email("pkce"), true),
            delay: None,
        },
    );
    let res = callback(
        &server,
        &client,
        "google",
        &[("code", &code), ("state", &started.state)],
    )
    .await;
    assert_eq!(location(&res), after("provider_error"));
    assert!(!has_session_cookie(&res));

    // The token endpoint does not answer within the 10 s timeout.
    let started = start(&server, &client, "google").await;
    let code = fresh_code();
    fake.grant(
        &code,
        Grant {
            challenge: started.challenge,
            profile: profile("g-5", &unique_email("slow"), true),
            delay: Some(Duration::from_secs(15)),
        },
    );
    let began = std::time::Instant::now();
    let res = callback(
        &server,
        &client,
        "google",
        &[("code", &code), ("state", &started.state)],
    )
    .await;
    assert_eq!(location(&res), after("provider_unavailable"));
    assert!(!has_session_cookie(&res));
    assert!(
        began.elapsed() < Duration::from_secs(14),
        "bounded by the timeout"
    );

    let res = client.get(server.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "no session at all");
}
