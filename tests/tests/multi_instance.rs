//! Several server instances of one deployment (one Postgres, one Redis): SPEC §2 rule 5
//! and the shared limits of §6 hold across instances exactly as on one.

#![expect(clippy::expect_used, reason = "test helpers fail loudly")]

use std::collections::HashSet;
use std::time::Duration;

use portcullis_e2e::{PASSWORD, Shared, TestServer, native, register_body, unique_email};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn register_native(server: &TestServer) -> (String, Value) {
    let email = unique_email("multi");
    let res = native()
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&email, Some("body")))
        .send()
        .await
        .expect("register");
    assert_eq!(res.status(), StatusCode::CREATED);
    (email, res.json().await.expect("json"))
}

async fn refresh(server: &TestServer, token: &str) -> (StatusCode, Value) {
    let res = native()
        .post(server.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": token}))
        .send()
        .await
        .expect("refresh");
    let status = res.status();
    (status, res.json().await.expect("json"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_refreshes_over_two_instances_converges_on_one_successor() {
    let shared = Shared::new().await;
    let a = TestServer::start_shared(&shared, &[]).await;
    let b = TestServer::start_shared(&shared, &[]).await;
    let (_, body) = register_native(&a).await;
    let token = body["refresh_token"].as_str().expect("token").to_owned();
    let answers = futures_util::future::join_all((0..50).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        let token = token.clone();
        async move { refresh(server, &token).await }
    }))
    .await;
    let successors: HashSet<String> = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, StatusCode::OK, "{body}");
            body["refresh_token"].as_str().expect("token").to_owned()
        })
        .collect();
    assert_eq!(successors.len(), 1, "one successor across both instances");
    let successor = successors.into_iter().next().expect("one");
    let (status, _) = refresh(&b, &successor).await;
    assert_eq!(status, StatusCode::OK, "the session is alive");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reuse_on_one_instance_revokes_what_the_other_issued() {
    let shared = Shared::new().await;
    let a = TestServer::start_shared(&shared, &[("REFRESH_REUSE_GRACE", "1s")]).await;
    let b = TestServer::start_shared(&shared, &[("REFRESH_REUSE_GRACE", "1s")]).await;
    let (_, body) = register_native(&a).await;
    let first = body["refresh_token"].as_str().expect("token").to_owned();
    let (status, rotated) = refresh(&a, &first).await;
    assert_eq!(status, StatusCode::OK);
    let access = rotated["access_token"].as_str().expect("access").to_owned();
    let second = rotated["refresh_token"].as_str().expect("token").to_owned();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, body) = refresh(&b, &first).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("refresh_token_reused"))
    );
    let (status, body) = refresh(&a, &second).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_token"))
    );
    let res = native()
        .get(a.url("/api/v1/me"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("me");
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "A's access token dies too"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn with_zero_grace_exactly_one_refresh_wins_and_the_rest_are_reuse() {
    let shared = Shared::new().await;
    let a = TestServer::start_shared(&shared, &[("REFRESH_REUSE_GRACE", "0s")]).await;
    let b = TestServer::start_shared(&shared, &[("REFRESH_REUSE_GRACE", "0s")]).await;
    let (_, body) = register_native(&a).await;
    let token = body["refresh_token"].as_str().expect("token").to_owned();
    let answers = futures_util::future::join_all((0..10).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        let token = token.clone();
        async move { refresh(server, &token).await }
    }))
    .await;
    let ok = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    let reused = answers
        .iter()
        .filter(|(_, b)| b["code"] == "refresh_token_reused")
        .count();
    assert_eq!((ok, reused), (1, 9), "{answers:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_limit_of_five_holds_in_total_across_two_instances() {
    let shared = Shared::new().await;
    let a = TestServer::start_shared(&shared, &[("RATE_LIMIT_AUTH_PER_MINUTE", "5")]).await;
    let b = TestServer::start_shared(&shared, &[("RATE_LIMIT_AUTH_PER_MINUTE", "5")]).await;
    let statuses = futures_util::future::join_all((0..20).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        async move {
            native()
                .post(server.url("/api/v1/auth/login"))
                .json(&json!({"email": "nobody@example.com", "password": PASSWORD}))
                .send()
                .await
                .expect("login")
                .status()
        }
    }))
    .await;
    let passed = statuses
        .iter()
        .filter(|s| **s != StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(passed, 5, "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_on_one_instance_kills_the_access_token_on_the_other_within_a_second() {
    let shared = Shared::new().await;
    let a = TestServer::start_shared(&shared, &[]).await;
    let b = TestServer::start_shared(&shared, &[]).await;
    let (_, body) = register_native(&a).await;
    let access = body["access_token"].as_str().expect("access").to_owned();
    let res = native()
        .get(b.url("/api/v1/me"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("me");
    assert_eq!(res.status(), StatusCode::OK);
    let res = native()
        .post(a.url("/api/v1/auth/logout"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("logout");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let res = native()
        .get(b.url("/api/v1/me"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("me");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_core_flows_persist_in_postgres_across_a_restart() {
    let shared = Shared::new().await;
    let mut server = TestServer::start_shared(&shared, &[]).await;
    let (email, _) = register_native(&server).await;
    server.restart().await;
    let res = native()
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD, "token_delivery": "body"}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.expect("json");
    let sessions: Value = native()
        .get(server.url("/api/v1/auth/sessions"))
        .bearer_auth(body["access_token"].as_str().expect("access"))
        .send()
        .await
        .expect("sessions")
        .json()
        .await
        .expect("json");
    assert_eq!(
        sessions["sessions"].as_array().expect("list").len(),
        2,
        "the session from before the restart is listed"
    );
    let health: Value = native()
        .get(server.url("/health"))
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    assert_eq!(
        health,
        json!({"status": "ok", "checks": {"database": "ok", "redis": "ok"}})
    );
}
