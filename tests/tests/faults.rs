//! Dependencies failing: Redis down answers 503 problem+json and recovers by itself;
//! a database whose migrations are behind is refused at start-up.

#![expect(clippy::expect_used, reason = "test helpers fail loudly")]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use portcullis_e2e::{PASSWORD, TestServer, native, register_body, unique_email};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start_on(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (installed by scripts/services.sh)");
        std::thread::sleep(Duration::from_millis(300));
        Self { child, port }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn login(server: &TestServer, email: &str) -> (StatusCode, Value) {
    let res = native()
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_down_is_503_and_service_resumes_when_it_returns() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let mut redis = Redis::start_on(port);
    let db = portcullis_postgres::test_support::TestDatabase::new()
        .await
        .expect("db");
    let url = format!("redis://127.0.0.1:{}", redis.port);
    let server =
        TestServer::start(&[("DATABASE_URL", db.url()), ("REDIS_URL", url.as_str())]).await;
    let email = unique_email("fault");
    let res = native()
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&email, None))
        .send()
        .await
        .expect("register");
    assert_eq!(res.status(), StatusCode::CREATED);

    redis.stop();
    let started = std::time::Instant::now();
    let (status, body) = login(&server, &email).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("service_unavailable")),
        "{body}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "fails fast: {:?}",
        started.elapsed()
    );
    let health = native()
        .get(server.url("/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    let health: Value = health.json().await.expect("json");
    assert_eq!(health["checks"]["redis"], "unavailable");
    assert_eq!(health["checks"]["database"], "ok");

    let _redis = Redis::start_on(port);
    let mut recovered = false;
    for _ in 0..50 {
        if login(&server, &email).await.0 == StatusCode::OK {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(recovered, "logins succeed again without a restart");
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_refuses_a_schema_that_is_behind_until_migrate_runs() {
    let db = portcullis_postgres::test_support::TestDatabase::new_empty()
        .await
        .expect("db");
    let binary = portcullis_e2e::binary();
    let out = Command::new(&binary)
        .arg("serve")
        .env_clear()
        .env("APP_ENV", "local")
        .env("AUTO_MIGRATE", "false")
        .env("DATABASE_URL", db.url())
        .env(
            "JWT_SECRET",
            "e2e-test-secret-that-is-long-enough-0123456789",
        )
        .env("PORT", "0")
        .output()
        .expect("run serve");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("portcullis migrate"), "{stderr}");

    let out = Command::new(&binary)
        .arg("migrate")
        .env_clear()
        .env("DATABASE_URL", db.url())
        .output()
        .expect("migrate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = TestServer::start(&[("AUTO_MIGRATE", "false"), ("DATABASE_URL", db.url())]).await;
    let res = native()
        .get(server.url("/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(res.status(), StatusCode::OK);
}
