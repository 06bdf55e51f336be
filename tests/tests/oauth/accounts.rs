//! Accounts: created, found again by subject, linked only between verified addresses.

use std::time::Duration;

use portcullis_e2e::{PASSWORD, TestServer, register_body, unique_email};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::provider::FakeProviders;
use crate::support::*;

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
async fn linking_needs_verified_addresses_and_a_totp_account_finishes_with_its_code() {
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

    // With TOTP on, OAuth is the first factor only: no session, an mfa_token in the
    // fragment, and POST /auth/mfa finishes in cookie mode.
    let enrolment: Value = client
        .post(server.url("/api/v1/me/mfa/totp"))
        .json(&json!({ "password": PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = enrolment["secret"].as_str().unwrap();
    let res = client
        .post(server.url("/api/v1/me/mfa/totp/confirm"))
        .json(&json!({ "code": portcullis_e2e::totp_code(secret) }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let recovery = res.json::<Value>().await.unwrap()["recovery_codes"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let fresh = browser();
    let res = sign_in(
        &server,
        &fake,
        &fresh,
        "google",
        profile("g-2", &email, true),
    )
    .await;
    assert!(!has_session_cookie(&res));
    let went = location(&res);
    let (before, mfa_token) = went.split_once("#mfa_token=").expect("an mfa_token");
    assert_eq!(before, format!("{APP}/after?error=mfa_required"));
    let res = fresh
        .post(server.url("/api/v1/auth/mfa"))
        .json(&json!({ "mfa_token": mfa_token, "code": recovery }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        has_session_cookie(&res),
        "cookie mode, like the browser's login"
    );
    assert_eq!(me(&server, &fresh).await["id"], owner_id);

    // It has a password, so the link may go.
    let res = client
        .delete(server.url("/api/v1/me/identities/google"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}
