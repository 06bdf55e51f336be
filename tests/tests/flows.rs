//! The core flows over real HTTP against the real binary: cookies like a browser,
//! tokens in the body like a native app, rotation, reuse, logout.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use portcullis_e2e::{PASSWORD, TestServer, browser, native, register_body, unique_email};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn cookie_value(cookies: &[String], name: &str) -> Option<String> {
    cookies.iter().find_map(|c| {
        c.strip_prefix(&format!("{name}="))?
            .split(';')
            .next()
            .map(str::to_owned)
    })
}

async fn code(res: reqwest::Response) -> (StatusCode, String) {
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_flow_with_cookies() {
    let server = TestServer::start(&[("REFRESH_REUSE_GRACE", "0s")]).await;
    let client = browser();
    let email = unique_email("browser");

    let res = client
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&email, None))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let cookies = set_cookies(&res);
    let access = cookies
        .iter()
        .find(|c| c.starts_with("access_token="))
        .expect("access cookie");
    let refresh = cookies
        .iter()
        .find(|c| c.starts_with("refresh_token="))
        .expect("refresh cookie");
    for c in [access, refresh] {
        assert!(c.contains("HttpOnly"), "{c}");
        assert!(c.contains("SameSite=Lax"), "{c}");
        assert!(!c.contains("Secure"), "local mode is not Secure: {c}");
    }
    assert!(
        access.contains("Path=/;") || access.ends_with("Path=/"),
        "{access}"
    );
    assert!(refresh.contains("Path=/api/v1/auth"), "{refresh}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"]["email"], email);
    assert!(
        body.get("refresh_token").is_none(),
        "cookie mode never puts the refresh token in the body"
    );
    assert!(body["user"].get("password_hash").is_none());

    // Log in again: a second session, cookies replaced.
    let res = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email.to_uppercase(), "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let old_refresh = cookie_value(&set_cookies(&res), "refresh_token").unwrap();

    let me = client.get(server.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(me.headers()["cache-control"], "no-store");

    let res = client
        .post(server.url("/api/v1/auth/refresh"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let new_refresh = cookie_value(&set_cookies(&res), "refresh_token").unwrap();
    assert_ne!(new_refresh, old_refresh);

    let sessions: Value = client
        .get(server.url("/api/v1/auth/sessions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sessions = sessions["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);

    // A thief replays the old refresh token: the whole session dies.
    let thief = native();
    let res = thief
        .post(server.url("/api/v1/auth/refresh"))
        .header("user-agent", "e2e-browser/1.0")
        .json(&json!({"refresh_token": old_refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(res).await,
        (StatusCode::UNAUTHORIZED, "refresh_token_reused".to_owned())
    );
    let res = client.get(server.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(
        res.headers()["www-authenticate"],
        r#"Bearer error="invalid_token""#
    );
    assert_eq!(
        code(res).await,
        (StatusCode::UNAUTHORIZED, "invalid_token".to_owned())
    );
    let res = client
        .post(server.url("/api/v1/auth/refresh"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(res).await,
        (StatusCode::UNAUTHORIZED, "invalid_token".to_owned())
    );

    // Logout always answers 204 and clears both cookies.
    let res = client
        .post(server.url("/api/v1/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let cleared = set_cookies(&res);
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("access_token=;") && c.contains("Max-Age=0")),
        "{cleared:?}"
    );
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("refresh_token=;") && c.contains("Max-Age=0")),
        "{cleared:?}"
    );
    let res = client
        .post(server.url("/api/v1/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

#[tokio::test(flavor = "multi_thread")]
async fn native_flow_with_body_tokens_and_bearer() {
    let server = TestServer::start(&[("REFRESH_REUSE_GRACE", "0s")]).await;
    let client = native();
    let email = unique_email("native");
    let res = client
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&email, Some("body")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(set_cookies(&res).is_empty(), "body mode sets no cookies");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let access = body["access_token"].as_str().unwrap().to_owned();
    let first_refresh = body["refresh_token"].as_str().unwrap().to_owned();

    let me: Value = client
        .get(server.url("/api/v1/me"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["email"], email);
    assert_eq!(me["user"]["role"], "user");

    let res = client
        .post(server.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": first_refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    let second_refresh = body["refresh_token"].as_str().unwrap().to_owned();
    let second_access = body["access_token"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, first_refresh);

    // Reuse of the first token revokes the family: the second token dies too.
    let res = client
        .post(server.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": first_refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(res).await,
        (StatusCode::UNAUTHORIZED, "refresh_token_reused".to_owned())
    );
    let res = client
        .post(server.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": second_refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(res).await,
        (StatusCode::UNAUTHORIZED, "invalid_token".to_owned())
    );
    let res = client
        .get(server.url("/api/v1/me"))
        .bearer_auth(&second_access)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(res).await,
        (StatusCode::UNAUTHORIZED, "invalid_token".to_owned())
    );

    // Log in by username-less email, then log out with the refresh token in the body.
    let res = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD, "token_delivery": "body"}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap().to_owned();
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    let res = client
        .post(server.url("/api/v1/auth/logout"))
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = client
        .get(server.url("/api/v1/me"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(res).await,
        (StatusCode::UNAUTHORIZED, "invalid_token".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_refreshes_within_grace_converge_on_one_successor() {
    let server = TestServer::start(&[]).await;
    let client = native();
    let res = client
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&unique_email("burst"), Some("body")))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    let token = body["refresh_token"].as_str().unwrap().to_owned();
    let answers = futures_util::future::join_all((0..20).map(|_| {
        let client = client.clone();
        let url = server.url("/api/v1/auth/refresh");
        let token = token.clone();
        async move {
            let res = client
                .post(url)
                .json(&json!({"refresh_token": token}))
                .send()
                .await
                .unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        }
    }))
    .await;
    let successors: std::collections::HashSet<String> = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, StatusCode::OK, "{body}");
            body["refresh_token"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(successors.len(), 1, "the family never forks");
    let successor = successors.into_iter().next().unwrap();
    let res = client
        .post(server.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": successor}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the session stays alive");
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_are_problem_json_with_stable_codes() {
    let server = TestServer::start(&[]).await;
    let client = native();
    let res = client.get(server.url("/nope")).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert_eq!(
        code(res).await,
        (StatusCode::NOT_FOUND, "not_found".to_owned())
    );

    let res = client
        .get(server.url("/api/v1/auth/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "POST");
    assert_eq!(
        code(res).await,
        (
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed".to_owned()
        )
    );

    let res = client
        .post(server.url("/api/v1/auth/login"))
        .body("email=a")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(res).await,
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type".to_owned()
        )
    );

    let big = json!({"email": "a@b.co", "password": "x".repeat(20_000), "name": "n"});
    let res = client
        .post(server.url("/api/v1/auth/register"))
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(res).await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large".to_owned()
        )
    );

    let mut body = register_body(&unique_email("mass"), None);
    body["role"] = json!("admin");
    let res = client
        .post(server.url("/api/v1/auth/register"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(res).await,
        (StatusCode::BAD_REQUEST, "validation_failed".to_owned())
    );

    let res = client
        .post(server.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(res).await,
        (StatusCode::BAD_REQUEST, "malformed_json".to_owned())
    );

    let res = client.get(server.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        code(res).await,
        (StatusCode::UNAUTHORIZED, "unauthenticated".to_owned())
    );

    let res = client
        .get(server.url("/api/v1/me"))
        .bearer_auth("garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(res).await,
        (StatusCode::UNAUTHORIZED, "invalid_token".to_owned())
    );

    let email = unique_email("dup");
    let res = client
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&email, None))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = client
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&email.to_uppercase(), None))
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(res).await,
        (StatusCode::CONFLICT, "email_taken".to_owned())
    );

    let unknown = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": unique_email("ghost"), "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let wrong = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": "wrong password here"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.bytes().await.unwrap(),
        wrong.bytes().await.unwrap(),
        "byte-identical 401s"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn embedded_mode_keeps_accounts_and_sessions_across_a_restart() {
    let mut server = TestServer::start(&[]).await;
    let client = native();
    let email = unique_email("sqlite");
    let res = client
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&email, None))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    server.restart().await;
    assert!(
        server.data_dir.path().join("portcullis.db").exists(),
        "the embedded SQLite file"
    );
    let res = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD, "token_delivery": "body"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the account survived the restart"
    );
    let access = res.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let sessions: Value = client
        .get(server.url("/api/v1/auth/sessions"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        sessions["sessions"].as_array().unwrap().len(),
        2,
        "the session from before the restart is listed"
    );
}
