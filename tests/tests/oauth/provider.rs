//! A fake OAuth provider on wiremock: the test plays the consent step itself (it reads
//! `state` and `code_challenge` from the authorize URL the server redirected to) and
//! grants a code; the token endpoint then answers only when the presented verifier's
//! S256 matches that challenge, and the profile endpoints answer for the token issued.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A granted code: the challenge it was issued for and the profile behind it.
#[derive(Clone)]
pub struct Grant {
    pub challenge: String,
    pub profile: Profile,
    /// The token endpoint answers this late (the server's timeout is 10 s).
    pub delay: Option<Duration>,
}

/// What the provider says about the user.
#[derive(Clone)]
pub struct Profile {
    pub subject: String,
    pub email: String,
    pub verified: bool,
}

#[derive(Clone, Default)]
struct Grants(Arc<Mutex<HashMap<String, Grant>>>);

impl Grants {
    fn by_token(&self, req: &Request) -> Option<Grant> {
        let auth = req.headers.get("authorization")?.to_str().ok()?;
        let code = auth.strip_prefix("Bearer at-")?;
        self.0.lock().ok()?.get(code).cloned()
    }
}

fn form(body: &[u8]) -> HashMap<String, String> {
    let text = String::from_utf8_lossy(body);
    reqwest::Url::parse(&format!("http://x/?{text}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

struct Token(Grants);

impl Respond for Token {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let params = form(&req.body);
        let refused = ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"}));
        let (Some(code), Some(verifier)) = (params.get("code"), params.get("code_verifier")) else {
            return refused;
        };
        let Some(grant) = self.0.0.lock().ok().and_then(|g| g.get(code).cloned()) else {
            return refused;
        };
        let s256 = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        if s256 != grant.challenge
            || params.get("grant_type").map(String::as_str) != Some("authorization_code")
        {
            return refused;
        }
        let ok = ResponseTemplate::new(200)
            .set_body_json(json!({"access_token": format!("at-{code}"), "token_type": "Bearer"}));
        match grant.delay {
            Some(delay) => ok.set_delay(delay),
            None => ok,
        }
    }
}

/// Google's OpenID userinfo.
struct UserInfo(Grants);

impl Respond for UserInfo {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        match self.0.by_token(req) {
            Some(g) => ResponseTemplate::new(200).set_body_json(json!({
                "sub": g.profile.subject,
                "email": g.profile.email,
                "email_verified": g.profile.verified,
                "name": "Ada Lovelace",
            })),
            None => ResponseTemplate::new(401),
        }
    }
}

/// GitHub's `/user` (numeric id) and `/user/emails`.
struct GithubApi(Grants, bool);

impl Respond for GithubApi {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let Some(g) = self.0.by_token(req) else {
            return ResponseTemplate::new(401);
        };
        let id: u64 = g.profile.subject.parse().unwrap_or(1);
        let body: Value = if self.1 {
            json!([{"email": g.profile.email, "primary": true, "verified": g.profile.verified}])
        } else {
            json!({"id": id, "login": "octocat", "name": null, "email": null})
        };
        ResponseTemplate::new(200).set_body_json(body)
    }
}

/// One fake authorization server serving both providers under `/google/...` and
/// `/github/...`.
pub struct FakeProviders {
    pub server: MockServer,
    grants: Grants,
}

impl FakeProviders {
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let grants = Grants::default();
        for p in ["google", "github"] {
            Mock::given(method("POST"))
                .and(path(format!("/{p}/token")))
                .respond_with(Token(grants.clone()))
                .mount(&server)
                .await;
        }
        Mock::given(method("GET"))
            .and(path("/google/userinfo"))
            .respond_with(UserInfo(grants.clone()))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/github/user"))
            .respond_with(GithubApi(grants.clone(), false))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/github/user/emails"))
            .respond_with(GithubApi(grants.clone(), true))
            .mount(&server)
            .await;
        Self { server, grants }
    }

    /// The server's `OAUTH_*` variables pointing here.
    pub fn env(&self) -> Vec<(String, String)> {
        let base = self.server.uri();
        let mut env = Vec::new();
        for (p, userinfo) in [("GOOGLE", "google/userinfo"), ("GITHUB", "github/user")] {
            let lower = p.to_lowercase();
            env.push((format!("OAUTH_{p}_CLIENT_ID"), format!("{lower}-client")));
            env.push((
                format!("OAUTH_{p}_CLIENT_SECRET"),
                format!("{lower}-secret"),
            ));
            env.push((
                format!("OAUTH_{p}_AUTH_URL"),
                format!("{base}/{lower}/authorize"),
            ));
            env.push((
                format!("OAUTH_{p}_TOKEN_URL"),
                format!("{base}/{lower}/token"),
            ));
            env.push((
                format!("OAUTH_{p}_USERINFO_URL"),
                format!("{base}/{userinfo}"),
            ));
        }
        env.push((
            "OAUTH_GITHUB_EMAILS_URL".to_owned(),
            format!("{base}/github/user/emails"),
        ));
        env
    }

    /// Grants `code` for the challenge the server sent.
    pub fn grant(&self, code: &str, grant: Grant) {
        if let Ok(mut grants) = self.grants.0.lock() {
            grants.insert(code.to_owned(), grant);
        }
    }
}
