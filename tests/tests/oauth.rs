//! Social login end to end: the real binary against a fake Google and GitHub
//! (wiremock) that check the PKCE verifier. The test plays the browser (a cookie jar
//! that does not follow redirects) and the consent screen (it reads `state` and the
//! challenge from the authorize URL and grants a code).

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

#[path = "oauth/provider.rs"]
mod provider;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use portcullis_e2e::{PASSWORD, TestServer, register_body, unique_email};
use provider::{FakeProviders, Grant, Profile};
use reqwest::{Response, StatusCode, Url};
use serde_json::{Value, json};

const APP: &str = "https://app.example.com";

async fn setup() -> (TestServer, FakeProviders) {
    let fake = FakeProviders::start().await;
    let env = fake.env();
    let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    vars.push(("OAUTH_REDIRECT_ALLOWLIST", APP));
    (TestServer::start(&vars).await, fake)
}

/// A browser: cookies kept, redirects not followed.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("e2e-browser/1.0")
        .build()
        .unwrap()
}

fn with_query(base: String, query: &[(&str, &str)]) -> Url {
    Url::parse_with_params(&base, query).unwrap()
}

fn location(res: &Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

fn set_cookies(res: &Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn has_session_cookie(res: &Response) -> bool {
    set_cookies(res)
        .iter()
        .any(|c| c.starts_with("access_token=") || c.starts_with("refresh_token="))
}

async fn problem_code(res: Response) -> (StatusCode, String) {
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}

/// What the server put in the authorize URL.
struct Started {
    state: String,
    challenge: String,
}

async fn start(server: &TestServer, client: &reqwest::Client, provider: &str) -> Started {
    let res = client
        .get(with_query(
            server.url(&format!("/api/v1/auth/oauth/{provider}")),
            &[("redirect_to", &format!("{APP}/after"))],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let url = Url::parse(&location(&res)).unwrap();
    assert!(
        url.path().ends_with(&format!("/{provider}/authorize")),
        "{url}"
    );
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["response_type"], "code");
    assert!(
        q["redirect_uri"].ends_with(&format!("/api/v1/auth/oauth/{provider}/callback")),
        "{}",
        q["redirect_uri"]
    );
    Started {
        state: q["state"].clone(),
        challenge: q["code_challenge"].clone(),
    }
}

async fn callback(
    server: &TestServer,
    client: &reqwest::Client,
    provider: &str,
    query: &[(&str, &str)],
) -> Response {
    client
        .get(with_query(
            server.url(&format!("/api/v1/auth/oauth/{provider}/callback")),
            query,
        ))
        .send()
        .await
        .unwrap()
}

fn profile(subject: &str, email: &str, verified: bool) -> Profile {
    Profile {
        subject: subject.to_owned(),
        email: email.to_owned(),
        verified,
    }
}

fn fresh_code() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("code-{}", N.fetch_add(1, Ordering::Relaxed))
}

/// The whole dance: start, consent (grant a code), callback.
async fn sign_in(
    server: &TestServer,
    fake: &FakeProviders,
    client: &reqwest::Client,
    provider: &str,
    who: Profile,
) -> Response {
    let started = start(server, client, provider).await;
    let code = fresh_code();
    fake.grant(
        &code,
        Grant {
            challenge: started.challenge,
            profile: who,
            delay: None,
        },
    );
    callback(
        server,
        client,
        provider,
        &[("code", &code), ("state", &started.state)],
    )
    .await
}

async fn me(server: &TestServer, client: &reqwest::Client) -> Value {
    let res = client.get(server.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap()["user"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn new_user_returning_user_and_an_email_change_keep_one_account() {
    let (server, fake) = setup().await;
    let client = browser();
    let email = unique_email("oauth-new");

    // The binding cookie: HttpOnly, Lax, only the OAuth paths, ten minutes.
    let res = client
        .get(server.url("/api/v1/auth/oauth/google"))
        .send()
        .await
        .unwrap();
    let binding = set_cookies(&res)
        .into_iter()
        .find(|c| c.starts_with("oauth_binding="))
        .expect("binding cookie");
    for attr in [
        "HttpOnly",
        "SameSite=Lax",
        "Path=/api/v1/auth/oauth",
        "Max-Age=600",
    ] {
        assert!(binding.contains(attr), "{attr} in {binding}");
    }

    let res = sign_in(
        &server,
        &fake,
        &client,
        "google",
        profile("g-1", &email, true),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), format!("{APP}/after"));
    assert!(has_session_cookie(&res));
    let user = me(&server, &client).await;
    assert_eq!(user["email"], email);
    assert_eq!(user["email_verified"], true);
    let id = user["id"].clone();

    // No password: password login is the generic 401.
    let res = reqwest::Client::new()
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem_code(res).await,
        (StatusCode::UNAUTHORIZED, "invalid_credentials".to_owned())
    );

    // Returning, from a fresh browser, with a new address at the provider.
    let other = browser();
    let changed = unique_email("oauth-changed");
    let res = sign_in(
        &server,
        &fake,
        &other,
        "google",
        profile("g-1", &changed, true),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(
        me(&server, &other).await["id"],
        id,
        "the mapping is by subject"
    );

    let res = client
        .get(server.url("/api/v1/me/identities"))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["identities"].as_array().unwrap().len(), 1);
    assert_eq!(body["identities"][0]["provider"], "google");

    // The only way in cannot be unlinked.
    let res = client
        .delete(server.url("/api/v1/me/identities/google"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem_code(res).await,
        (StatusCode::CONFLICT, "last_login_method".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn linking_needs_a_verified_address_on_both_sides() {
    let sink = portcullis_mail::sink::SmtpSink::start().await.unwrap();
    let (fake, smtp) = (FakeProviders::start().await, sink.url());
    let env = fake.env();
    let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    vars.extend([
        ("OAUTH_REDIRECT_ALLOWLIST", APP),
        ("SMTP_URL", smtp.as_str()),
    ]);
    let server = TestServer::start(&vars).await;
    let email = unique_email("oauth-link");
    let res = reqwest::Client::new()
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&email, Some("body")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let owner_id = res.json::<Value>().await.unwrap()["user"]["id"].clone();

    // The local address is not verified yet: no link, whatever the provider says.
    let client = browser();
    let res = sign_in(
        &server,
        &fake,
        &client,
        "google",
        profile("g-2", &email, true),
    )
    .await;
    assert_eq!(
        location(&res),
        format!("{APP}/after?error=account_exists_unverified")
    );
    assert!(!has_session_cookie(&res));

    let mail = sink
        .wait_for(
            |m| m.is_to(&email) && m.link_containing("token=").is_some(),
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    let link = mail.link_containing("token=").unwrap();
    let token = link.split("token=").nth(1).unwrap();
    let res = reqwest::Client::new()
        .post(server.url("/api/v1/auth/email/verify"))
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    // An unverified provider address never links.
    let res = sign_in(
        &server,
        &fake,
        &client,
        "github",
        profile("77", &email, false),
    )
    .await;
    assert_eq!(
        location(&res),
        format!("{APP}/after?error=account_exists_unverified")
    );
    assert!(!has_session_cookie(&res));

    // Verified on both sides: linked to the existing account.
    let res = sign_in(
        &server,
        &fake,
        &client,
        "google",
        profile("g-2", &email, true),
    )
    .await;
    assert_eq!(location(&res), format!("{APP}/after"));
    assert_eq!(me(&server, &client).await["id"], owner_id);
    // It has a password, so the link may go.
    let res = client
        .delete(server.url("/api/v1/me/identities/google"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

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
