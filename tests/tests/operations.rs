//! Operator-facing endpoints: metrics, health, the root document, graceful shutdown.

use portcullis_e2e::{PASSWORD, Shared, TestServer, native, register_body, unique_email};
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

/// The value of the sample `name` (with its labels, if any) in a Prometheus text.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_report_the_postgres_pool() {
    let shared = Shared::new().await;
    let server = TestServer::start_shared(&shared, &[]).await;
    let client = native();
    // A request that uses the database, so the pool has opened a connection.
    let res = client
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&unique_email("pool"), Some("body")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let text = client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let idle = sample(&text, "portcullis_db_pool_connections{state=\"idle\"}");
    let in_use = sample(&text, "portcullis_db_pool_connections{state=\"in_use\"}");
    let waiting = sample(&text, "portcullis_db_pool_waiting");
    let max = sample(&text, "portcullis_db_pool_max");
    let (Some(idle), Some(in_use), Some(waiting), Some(max)) = (idle, in_use, waiting, max) else {
        panic!("pool gauges missing from /metrics:\n{text}");
    };
    assert!(max >= 1.0, "max {max}");
    assert!(idle + in_use >= 1.0, "the registration opened a connection");
    assert!(idle + in_use <= max);
    assert_eq!(waiting, 0.0, "nobody waits on an idle server");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_embedded_store_reports_no_pool() {
    let server = TestServer::start(&[]).await;
    let text = native()
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!text.contains("portcullis_db_pool_"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_addr_moves_metrics_to_their_own_listener() {
    let metrics_addr = format!("127.0.0.1:{}", portcullis_e2e::free_port());
    let mut server = TestServer::start(&[
        ("METRICS_ADDR", metrics_addr.as_str()),
        ("METRICS_TOKEN", "scrape-secret-0123456789"),
    ])
    .await;
    let client = native();
    let metrics_url = format!("http://{metrics_addr}/metrics");

    let res = client.get(server.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "not on the main port");
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "not_found");
    let res = client
        .get(server.url("/metrics"))
        .bearer_auth("scrape-secret-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "not even with the token"
    );

    let res = client.get(&metrics_url).send().await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "METRICS_TOKEN applies on METRICS_ADDR"
    );
    let res = client
        .get(&metrics_url)
        .bearer_auth("scrape-secret-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(
        text.contains("portcullis_http_requests_total{"),
        "the main port's requests are counted:\n{text}"
    );
    let res = client
        .get(format!("http://{metrics_addr}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "only /metrics there");

    let status = tokio::task::spawn_blocking(move || server.terminate())
        .await
        .unwrap();
    assert!(status.success(), "exit status {status:?}");
    assert!(
        client.get(&metrics_url).send().await.is_err(),
        "the metrics listener is closed too"
    );
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
async fn sigterm_lets_an_in_flight_request_finish_then_exits_cleanly() {
    // bcrypt at cost 14 makes a registration take a good fraction of a second: long
    // enough to be in flight when SIGTERM arrives.
    let mut server = TestServer::start(&[("BCRYPT_COST", "14")]).await;
    let url = server.url("/api/v1/auth/register");
    let in_flight = tokio::spawn(async move {
        native()
            .post(url)
            .json(&register_body(&unique_email("drain"), None))
            .send()
            .await
            .map(|r| r.status())
    });
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let started = std::time::Instant::now();
    let status = tokio::task::spawn_blocking(move || server.terminate())
        .await
        .unwrap();
    let answered = in_flight.await.unwrap();
    assert_eq!(
        answered.ok(),
        Some(StatusCode::CREATED),
        "the in-flight request finished"
    );
    assert!(status.success(), "exit status {status:?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "bounded by SHUTDOWN_TIMEOUT"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn logs_carry_one_line_per_request_and_never_a_secret() {
    let server = TestServer::start(&[("LOG_LEVEL", "debug"), ("LOG_FORMAT", "json")]).await;
    let client = native();
    let email = unique_email("logs");
    let res = client
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&email, Some("body")))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap().to_owned();
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    client
        .get(server.url("/api/v1/me"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    let res = client
        .post(server.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    let rotated = res.json::<Value>().await.unwrap()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": "wrong password here"}))
        .send()
        .await
        .unwrap();
    client
        .post(server.url("/api/v1/auth/login"))
        .header("cookie", "refresh_token=cookie-secret-value-123")
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    client
        .post(server.url("/api/v1/auth/password/forgot"))
        .json(&json!({"email": email}))
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    let log = server.log();
    for secret in [
        PASSWORD,
        "wrong password here",
        &access,
        &refresh,
        &rotated,
        "cookie-secret-value-123",
        "$2b$",
        "token=",
    ] {
        assert!(
            !log.contains(secret),
            "the log contains a secret ({secret:.12}…)"
        );
    }
    let lines: Vec<Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let me = lines
        .iter()
        .find(|l| l["message"] == "request" && l["route"] == "/api/v1/me")
        .expect("an access-log line for /me");
    for key in [
        "request_id",
        "method",
        "route",
        "status",
        "latency_ms",
        "user_id",
    ] {
        assert!(me.get(key).is_some(), "{key} in {me}");
    }
    assert_ne!(
        me["user_id"], "-",
        "the user is known on an authenticated request"
    );
}

/// Runs `portcullis cleanup` on `db` with `extra` variables; returns its standard error.
#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failed spawn should stop the test loudly"
)]
fn cleanup(db: &portcullis_postgres::test_support::TestDatabase, extra: &[(&str, &str)]) -> String {
    let mut cmd = std::process::Command::new(portcullis_e2e::binary());
    cmd.arg("cleanup")
        .env_clear()
        .env("APP_ENV", "local")
        .env("DATABASE_URL", db.url())
        .env(
            "JWT_SECRET",
            "e2e-test-secret-that-is-long-enough-0123456789",
        )
        .env(
            "DATA_DIR",
            std::env::temp_dir().join(format!("portcullis-cleanup-{}", std::process::id())),
        );
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    stderr
}

#[tokio::test(flavor = "multi_thread")]
async fn cleanup_runs_one_retention_pass_and_exits() {
    use portcullis_domain::{AuditEventType, AuditFilter, TimeSpan};
    use portcullis_testkit::{sample_event, sample_session, sample_user};

    let db = portcullis_postgres::test_support::TestDatabase::new()
        .await
        .unwrap();
    let stderr = cleanup(&db, &[]);
    assert!(
        stderr.contains("cleanup removed 0 session(s) and 0 audit event(s)"),
        "{stderr}"
    );

    // A session expired 31 days ago, audit events 400 and 300 days old.
    let stores = db.stores();
    let now = portcullis_domain::Timestamp::from(std::time::SystemTime::now());
    let user = sample_user("cleanup@example.com");
    stores.users.insert(&user).await.unwrap();
    stores
        .sessions
        .create(&sample_session(user.id, now - TimeSpan::days(61)), 10)
        .await
        .unwrap();
    for age in [400, 300] {
        let at = now - TimeSpan::days(age);
        let event = sample_event(AuditEventType::LoginSucceeded, Some(user.id), at);
        stores.audit.record(&event).await.unwrap();
    }
    let events = || async {
        let filter = AuditFilter {
            limit: 100,
            ..AuditFilter::default()
        };
        stores.audit.list(&filter).await.unwrap().len()
    };

    let stderr = cleanup(&db, &[("AUDIT_RETENTION_DAYS", "0")]);
    assert!(
        stderr.contains("cleanup removed 1 session(s) and 0 audit event(s)"),
        "AUDIT_RETENTION_DAYS=0 keeps audit events: {stderr}"
    );
    assert_eq!(events().await, 2);
    let stderr = cleanup(&db, &[]);
    assert!(
        stderr.contains("cleanup removed 0 session(s) and 1 audit event(s)"),
        "the default (365 days) removes the 400-day-old event: {stderr}"
    );
    assert_eq!(events().await, 1);
    let stderr = cleanup(&db, &[("AUDIT_RETENTION_DAYS", "200")]);
    assert!(
        stderr.contains("cleanup removed 0 session(s) and 1 audit event(s)"),
        "{stderr}"
    );
    assert_eq!(events().await, 0);
    db.close().await.unwrap();
}
