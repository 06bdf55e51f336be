//! Operator-facing endpoints: metrics, health, the root document, graceful shutdown.

use portcullis_e2e::{PASSWORD, TestServer, native, register_body, unique_email};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_requests_logins_refreshes_and_rate_limits() {
    let server = TestServer::start(&[
        ("RATE_LIMIT_AUTH_PER_MINUTE", "2"),
        ("METRICS_TOKEN", "scrape-secret-0123456789"),
    ])
    .await;
    let client = native();
    let email = unique_email("metrics");
    let res = client
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&email, Some("body")))
        .send()
        .await
        .unwrap();
    let refresh = res.json::<Value>().await.unwrap()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    client
        .post(server.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    for _ in 0..3 {
        client
            .post(server.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
    }

    let res = client.get(server.url("/metrics")).send().await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "METRICS_TOKEN is required"
    );
    let res = client
        .get(server.url("/metrics"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = client
        .get(server.url("/metrics"))
        .bearer_auth("scrape-secret-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text().await.unwrap();
    for needle in [
        "portcullis_http_requests_total{",
        "route=\"/api/v1/auth/login\"",
        "portcullis_http_request_duration_seconds_bucket{",
        "portcullis_logins_total{result=\"success\"}",
        "portcullis_refreshes_total{result=\"success\"}",
        "portcullis_rate_limited_total{",
        "portcullis_bcrypt_in_flight",
    ] {
        assert!(
            text.contains(needle),
            "{needle} missing from /metrics:\n{text}"
        );
    }
    assert!(!text.contains(&email), "no identifiers in metrics");
}

#[tokio::test(flavor = "multi_thread")]
async fn health_root_and_jwks_answer() {
    let server = TestServer::start(&[]).await;
    let client = native();
    let health: Value = client
        .get(server.url("/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        health,
        json!({"status": "ok", "checks": {"database": "ok", "redis": "in_process"}})
    );
    let live = client.get(server.url("/health/live")).send().await.unwrap();
    assert_eq!(live.status(), StatusCode::OK);
    let root: Value = client
        .get(server.url("/"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(root["name"], "portcullis");
    let jwks: Value = client
        .get(server.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks, json!({"keys": []}), "HS256 publishes no key");
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_the_server_gracefully() {
    let mut server = TestServer::start(&[]).await;
    let status = server.terminate();
    assert!(status.success(), "exit status {status:?}");
}
