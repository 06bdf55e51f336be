//! Per-test key namespaces and a private `redis-server` for the fault tests.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use portcullis_redis::{RedisConfig, RedisStores, connect};
use redis::Commands;
use uuid::Uuid;

/// The Redis the tests use.
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// The keys of one test: each [`Namespace::stores`] call gets a fresh sub-prefix
/// under one random base, and every key under the base is deleted on drop (also when
/// the test fails).
pub struct Namespace {
    base: String,
    made: AtomicUsize,
}

impl Namespace {
    pub fn new() -> Self {
        Self {
            base: format!("portcullis-test:{}:", Uuid::new_v4().simple()),
            made: AtomicUsize::new(0),
        }
    }

    /// Stores over a fresh, empty prefix.
    pub async fn stores(&self) -> RedisStores {
        let n = self.made.fetch_add(1, Ordering::Relaxed);
        let config = RedisConfig::new(redis_url()).with_prefix(format!("{}{n}:", self.base));
        connect(&config).await.expect("connect to the test Redis")
    }

    /// Every key under this namespace.
    pub fn keys(&self) -> Vec<String> {
        let mut con = sync_connection();
        let found: Vec<String> = con
            .scan_match::<_, String>(format!("{}*", self.base))
            .expect("SCAN")
            .filter_map(Result::ok)
            .collect();
        found
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let keys = self.keys();
        if !keys.is_empty() {
            let _: usize = sync_connection().del(keys).expect("DEL the test's keys");
        }
    }
}

/// How many of `keys` exist.
pub fn count_existing(keys: &[String]) -> usize {
    redis::cmd("EXISTS")
        .arg(keys)
        .query(&mut sync_connection())
        .expect("EXISTS")
}

fn sync_connection() -> redis::Connection {
    redis::Client::open(redis_url())
        .and_then(|client| client.get_connection())
        .expect("a sync connection to the test Redis")
}

/// A port on which nothing listens (right now).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    listener.local_addr().expect("local addr").port()
}

/// A `redis-server` child process of this test, killed on drop.
pub struct OwnServer {
    port: u16,
    child: Option<Child>,
}

impl OwnServer {
    /// Starts one on a free port; `None` when no `redis-server` binary is installed.
    pub fn start() -> Option<Self> {
        let mut server = Self {
            port: free_port(),
            child: None,
        };
        server.restart().then_some(server)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (SIGKILL: no goodbye to the clients) and waits for it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// (Re)starts the server on the same port and waits until it answers.
    pub fn restart(&mut self) -> bool {
        self.kill();
        let spawned = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match spawned {
            Ok(child) => self.child = Some(child),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return false,
            Err(err) => panic!("spawn redis-server: {err}"),
        }
        let started = Instant::now();
        let client = redis::Client::open(self.url()).expect("url");
        while started.elapsed() < Duration::from_secs(10) {
            if let Ok(mut con) = client.get_connection()
                && redis::cmd("PING").query::<String>(&mut con).is_ok()
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server on port {} did not answer in 10 s", self.port);
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.kill();
    }
}
