//! The browser and consent-screen side of the OAuth end-to-end tests.

use std::sync::atomic::{AtomicUsize, Ordering};

use portcullis_e2e::TestServer;
use reqwest::{Response, StatusCode, Url};
use serde_json::Value;

use crate::provider::{FakeProviders, Grant, Profile};

pub const APP: &str = "https://app.example.com";

pub async fn setup() -> (TestServer, FakeProviders) {
    let fake = FakeProviders::start().await;
    let env = fake.env();
    let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    vars.push(("OAUTH_REDIRECT_ALLOWLIST", APP));
    (TestServer::start(&vars).await, fake)
}

/// A browser: cookies kept, redirects not followed.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("e2e-browser/1.0")
        .build()
        .unwrap()
}

pub fn with_query(base: String, query: &[(&str, &str)]) -> Url {
    Url::parse_with_params(&base, query).unwrap()
}

pub fn location(res: &Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

pub fn set_cookies(res: &Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

pub fn has_session_cookie(res: &Response) -> bool {
    set_cookies(res)
        .iter()
        .any(|c| c.starts_with("access_token=") || c.starts_with("refresh_token="))
}

pub async fn problem_code(res: Response) -> (StatusCode, String) {
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}

/// What the server put in the authorize URL.
pub struct Started {
    pub state: String,
    pub challenge: String,
}

pub async fn start(server: &TestServer, client: &reqwest::Client, provider: &str) -> Started {
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

pub async fn callback(
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

pub fn profile(subject: &str, email: &str, verified: bool) -> Profile {
    Profile {
        subject: subject.to_owned(),
        email: email.to_owned(),
        verified,
    }
}

pub fn fresh_code() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("code-{}", N.fetch_add(1, Ordering::Relaxed))
}

/// The whole dance: start, consent (grant a code), callback.
pub async fn sign_in(
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

pub async fn me(server: &TestServer, client: &reqwest::Client) -> Value {
    let res = client.get(server.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap()["user"].clone()
}
