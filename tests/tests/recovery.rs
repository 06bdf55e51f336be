//! Password reset and email verification over real SMTP: the server mails a test sink,
//! the test reads the link out of the real message and completes the flow over HTTP.

#![expect(clippy::expect_used, reason = "test helpers fail loudly")]

use std::time::Duration;

use portcullis_e2e::{PASSWORD, TestServer, native, register_body, unique_email};
use portcullis_mail::sink::SmtpSink;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PUBLIC_URL: &str = "https://app.example.com";
const NEW: &str = "an entirely new secret";

fn token_of(link: &str) -> String {
    link.split("token=")
        .nth(1)
        .expect("token in link")
        .to_owned()
}

async fn code(res: reqwest::Response) -> (StatusCode, String) {
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn reset_over_smtp_then_every_session_is_gone() {
    let sink = SmtpSink::start().await.expect("sink");
    let url = sink.url();
    let server = TestServer::start(&[("SMTP_URL", url.as_str()), ("PUBLIC_URL", PUBLIC_URL)]).await;
    let client = native();
    let email = unique_email("reset");
    let res = client
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&email, Some("body")))
        .send()
        .await
        .expect("register");
    let access = res.json::<Value>().await.expect("json")["access_token"]
        .as_str()
        .expect("token")
        .to_owned();

    // Host poisoning changes nothing: links come from PUBLIC_URL only.
    let forgot = |who: String| {
        client
            .post(server.url("/api/v1/auth/password/forgot"))
            .header("host", "evil.example")
            .header("x-forwarded-host", "evil.example")
            .json(&json!({ "email": who }))
            .send()
    };
    let known = forgot(email.clone()).await.expect("forgot");
    let unknown = forgot(unique_email("ghost")).await.expect("forgot");
    assert_eq!(known.status(), StatusCode::ACCEPTED);
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);
    assert_eq!(
        known.bytes().await.expect("body"),
        unknown.bytes().await.expect("body"),
        "same body"
    );

    let mail = sink
        .wait_for(
            |m| m.is_to(&email) && m.link_containing("/reset-password?token=").is_some(),
            Duration::from_secs(10),
        )
        .await
        .expect("reset mail");
    let link = mail
        .link_containing("/reset-password?token=")
        .expect("link");
    assert!(
        link.starts_with(&format!("{PUBLIC_URL}/reset-password?token=")),
        "{link}"
    );
    let token = token_of(&link);

    let res = client
        .post(server.url("/api/v1/auth/password/reset"))
        .json(&json!({"token": token, "new_password": NEW}))
        .send()
        .await
        .expect("reset");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = client
        .get(server.url("/api/v1/me"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("me");
    assert_eq!(
        code(res).await,
        (StatusCode::UNAUTHORIZED, "invalid_token".to_owned()),
        "sessions revoked"
    );
    let res = client
        .post(server.url("/api/v1/auth/password/reset"))
        .json(&json!({"token": token, "new_password": "yet another secret"}))
        .send()
        .await
        .expect("reset again");
    assert_eq!(
        code(res).await,
        (StatusCode::BAD_REQUEST, "invalid_reset_token".to_owned()),
        "single use"
    );
    let res = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": NEW}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::OK);
    sink.wait_for(
        |m| {
            m.is_to(&email)
                && m.subject()
                    .is_some_and(|s| s.to_lowercase().contains("password"))
                && m.link_containing("token=").is_none()
        },
        Duration::from_secs(10),
    )
    .await
    .expect("password changed notice");
}

#[tokio::test(flavor = "multi_thread")]
async fn verification_link_from_the_registration_mail_verifies() {
    let sink = SmtpSink::start().await.expect("sink");
    let url = sink.url();
    let server = TestServer::start(&[
        ("SMTP_URL", url.as_str()),
        ("PUBLIC_URL", PUBLIC_URL),
        ("REQUIRE_EMAIL_VERIFICATION", "true"),
    ])
    .await;
    let client = native();
    let email = unique_email("verify");
    let res = client
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&email, None))
        .send()
        .await
        .expect("register");
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let first: Value = res.json().await.expect("json");
    assert_eq!(first, json!({"status": "verification_sent"}));
    let res = client
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&email, None))
        .send()
        .await
        .expect("register");
    assert_eq!(
        res.status(),
        StatusCode::ACCEPTED,
        "a taken email gets the same answer"
    );
    assert_eq!(res.json::<Value>().await.expect("json"), first);

    let res = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(
        code(res).await,
        (StatusCode::FORBIDDEN, "email_not_verified".to_owned())
    );
    let mail = sink
        .wait_for(
            |m| m.is_to(&email) && m.link_containing("/verify-email?token=").is_some(),
            Duration::from_secs(10),
        )
        .await
        .expect("verification mail");
    let token = token_of(&mail.link_containing("/verify-email?token=").expect("link"));
    let res = client
        .post(server.url("/api/v1/auth/email/verify"))
        .json(&json!({"token": "garbage"}))
        .send()
        .await
        .expect("verify");
    assert_eq!(
        code(res).await,
        (
            StatusCode::BAD_REQUEST,
            "invalid_verification_token".to_owned()
        )
    );
    let res = client
        .post(server.url("/api/v1/auth/email/verify"))
        .json(&json!({"token": token}))
        .send()
        .await
        .expect("verify");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD, "token_delivery": "body"}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::OK);
    let user: Value = res.json().await.expect("json");
    assert_eq!(user["user"]["email_verified"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_down_still_answers_202_and_the_mail_arrives_when_it_returns() {
    let sink = SmtpSink::start().await.expect("sink");
    let url = sink.url();
    let addr = sink.stop().await;
    let server = TestServer::start(&[("SMTP_URL", url.as_str()), ("PUBLIC_URL", PUBLIC_URL)]).await;
    let client = native();
    let email = unique_email("down");
    client
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&email, None))
        .send()
        .await
        .expect("register");
    let res = client
        .post(server.url("/api/v1/auth/password/forgot"))
        .json(&json!({"email": email}))
        .send()
        .await
        .expect("forgot");
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let sink = SmtpSink::start_on(addr).await.expect("sink back");
    // First retry after 5 s of backoff.
    let mail = sink
        .wait_for(
            |m| m.is_to(&email) && m.link_containing("/reset-password").is_some(),
            Duration::from_secs(30),
        )
        .await;
    assert!(
        mail.is_some(),
        "queued mail delivered once the relay is back"
    );
}
