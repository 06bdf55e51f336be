//! Support for the end-to-end tests: start the real `portcullis` binary on a free
//! port with its own data directory, talk to it over HTTP, stop it.
//!
//! The binary is found at `$PORTCULLIS_BIN`, else `target/debug/portcullis` next to
//! this workspace; the README's test command builds it first.

#![expect(
    clippy::expect_used,
    reason = "test support: a failed set-up should stop the test loudly"
)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A running server process, killed on drop.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    child: Child,
    /// The data directory (kept while the server lives).
    pub data_dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    port: u16,
}

/// Path of the server binary.
pub fn binary() -> PathBuf {
    if let Ok(path) = std::env::var("PORTCULLIS_BIN") {
        return PathBuf::from(path);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
        });
    let path = target.join("debug").join("portcullis");
    assert!(
        path.exists(),
        "{} not found: run `cargo build -p portcullis` first (the README's test command does)",
        path.display()
    );
    path
}

/// A port free on 127.0.0.1 right now (bound, then released), for a server to take.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port")
}

/// A fresh Postgres database and a unique Redis key prefix, shared by every server
/// started with [`Shared::env`] (several instances of one deployment).
pub struct Shared {
    /// The database (dropped with this value).
    pub db: portcullis_postgres::test_support::TestDatabase,
    prefix: String,
}

impl Shared {
    /// Creates the database (migrated from the template) and picks a Redis prefix.
    pub async fn new() -> Self {
        let db = portcullis_postgres::test_support::TestDatabase::new()
            .await
            .expect("test database");
        Self {
            db,
            prefix: format!("e2e:{}:", uuid::Uuid::new_v4().simple()),
        }
    }

    /// `DATABASE_URL`, `REDIS_URL` and `REDIS_PREFIX` for a server of this deployment.
    pub fn env(&self) -> Vec<(String, String)> {
        let redis =
            std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
        vec![
            ("DATABASE_URL".to_owned(), self.db.url().to_owned()),
            ("REDIS_URL".to_owned(), redis),
            ("REDIS_PREFIX".to_owned(), self.prefix.clone()),
        ]
    }
}

impl TestServer {
    /// Starts a server of the deployment `shared` (Postgres + Redis), with `overrides`.
    pub async fn start_shared(shared: &Shared, overrides: &[(&str, &str)]) -> Self {
        let env = shared.env();
        let mut all: Vec<(&str, &str)> =
            env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        all.extend_from_slice(overrides);
        Self::start(&all).await
    }

    /// Starts a server in local mode with a fast bcrypt cost, generous rate limits and
    /// a fixed JWT secret; `overrides` replace or add environment variables.
    pub async fn start(overrides: &[(&str, &str)]) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut env: Vec<(String, String)> = [
            ("APP_ENV", "local"),
            ("HOST", "127.0.0.1"),
            ("LOG_LEVEL", "warn"),
            ("LOG_FORMAT", "json"),
            ("BCRYPT_COST", "4"),
            (
                "JWT_SECRET",
                "e2e-test-secret-that-is-long-enough-0123456789",
            ),
            ("RATE_LIMIT_AUTH_PER_MINUTE", "10000"),
            ("RATE_LIMIT_REFRESH_PER_MINUTE", "10000"),
            ("RATE_LIMIT_SESSIONS_PER_MINUTE", "10000"),
            ("RATE_LIMIT_USERS_PER_MINUTE", "10000"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        env.push(("DATA_DIR".to_owned(), data_dir.path().display().to_string()));
        for (k, v) in overrides {
            env.retain(|(key, _)| key != k);
            env.push(((*k).to_owned(), (*v).to_owned()));
        }
        let port = free_port();
        let child = spawn(&env, port, &data_dir.path().join("server.log"));
        let server = Self {
            base_url: format!("http://127.0.0.1:{port}"),
            child,
            data_dir,
            env,
            port,
        };
        server.wait_ready().await;
        server
    }

    async fn wait_ready(&self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(res) = client
                .get(format!("{}/health/live", self.base_url))
                .send()
                .await
                && res.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("server on {} did not become ready", self.base_url);
    }

    /// Stops the process with SIGTERM and waits for it to exit (graceful shutdown).
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        self.child.wait().expect("wait for server")
    }

    /// Starts the same server again (same port, environment and data directory).
    pub async fn restart(&mut self) {
        let _ = self.terminate();
        self.child = spawn(
            &self.env,
            self.port,
            &self.data_dir.path().join("server.log"),
        );
        self.wait_ready().await;
    }

    /// Everything the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.path().join("server.log")).unwrap_or_default()
    }

    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

fn spawn(env: &[(String, String)], port: u16, log: &std::path::Path) -> Child {
    let mut cmd = Command::new(binary());
    cmd.arg("serve")
        .env_clear()
        .env("PORT", port.to_string())
        .stdout(Stdio::null());
    // The server's log goes to DATA_DIR/server.log (read by the log tests), or to the
    // terminal with TEST_LOG set.
    if std::env::var_os("TEST_LOG").is_none() {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("server log file");
        cmd.stderr(file);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("spawn portcullis")
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client with a cookie jar, like a browser.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .user_agent("e2e-browser/1.0")
        .build()
        .expect("client")
}

/// A client without cookies, like a native app.
pub fn native() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent("e2e-native/1.0")
        .build()
        .expect("client")
}

/// A unique email for one test.
pub fn unique_email(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{tag}-{nanos}@example.com")
}

/// A password that passes the policy.
pub const PASSWORD: &str = "correct horse battery staple";

/// The JSON body for registering `email`.
pub fn register_body(email: &str, delivery: Option<&str>) -> Value {
    let mut body = json!({ "email": email, "password": PASSWORD, "name": "E2E User" });
    if let Some(mode) = delivery {
        body["token_delivery"] = json!(mode);
    }
    body
}

/// The current TOTP code of a base32 `secret` (SHA-1, 6 digits, 30 s: what enrolment
/// hands out).
pub fn totp_code(secret: &str) -> String {
    let totp = totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_secret(totp_rs::Secret::try_from_base32(secret).expect("a base32 secret"))
        .with_account_name("e2e")
        .build()
        .expect("a TOTP");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    totp.generate(now).to_string()
}
