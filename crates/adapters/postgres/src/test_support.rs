//! Isolated Postgres databases for tests (feature `test-support`), in the style of
//! crates.io: migrate a template database once, clone it per test, drop the clone when
//! the test is done.
//!
//! Environment:
//! - `TEST_DATABASE_URL`: a server URL whose user may create databases (default
//!   `postgres://postgres@127.0.0.1:5432/postgres`). Only the database part changes.
//!
//! How it stays isolated and race-free across parallel tests and test binaries:
//! - The template is `portcullis_tpl_<fingerprint of migrations/postgres>`: shared by
//!   every process and run with the same migrations, rebuilt when they change. It is
//!   built, checked and swept under an exclusive Postgres advisory lock; clones take the
//!   same lock shared, so nothing is cloned from a template being built or dropped.
//! - Each [`TestDatabase`] is `portcullis_test_<unix seconds>_<random>`, created with
//!   `CREATE DATABASE ... TEMPLATE` and dropped `WITH (FORCE)` on [`TestDatabase::close`]
//!   or, failing that, on `Drop` from a thread with its own runtime (never blocking the
//!   test's runtime). Clones a process could not drop (it was killed, or exited first)
//!   are swept by the next process once they are an hour old, as are templates of other
//!   migration sets.

mod admin;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use tokio::sync::OnceCell;

use crate::config::PgConfig;
use crate::pool::{PgPool, build_pool};
use crate::stores::PgStores;

/// The variable naming the test server.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";
/// The server used when [`TEST_DATABASE_URL`] is unset.
pub const DEFAULT_TEST_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// Prefix of every per-test database.
pub const TEST_DATABASE_PREFIX: &str = "portcullis_test_";
/// Leftover clones and stale templates older than this are dropped at start.
pub const SWEEP_AGE: Duration = Duration::from_secs(3600);

const TEMPLATE_PREFIX: &str = "portcullis_tpl_";

/// The template of this process, built (or found) once.
static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// The test server's URL: [`TEST_DATABASE_URL`] or [`DEFAULT_TEST_SERVER`].
pub fn server_url() -> String {
    std::env::var(TEST_DATABASE_URL).unwrap_or_else(|_| DEFAULT_TEST_SERVER.to_owned())
}

/// `url` with its database replaced by `database`.
///
/// # Errors
/// When `url` is not of the form `scheme://authority[/database][?options]`.
pub fn with_database(url: &str, database: &str) -> anyhow::Result<String> {
    let (scheme, rest) = url
        .split_once("://")
        .context("the test database URL has no scheme")?;
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let authority = before_query
        .split_once('/')
        .map_or(before_query, |(a, _)| a);
    let mut out = format!("{scheme}://{authority}/{database}");
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    Ok(out)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The template name for the embedded migrations.
pub fn template_name() -> String {
    format!("{TEMPLATE_PREFIX}{}", env!("PORTCULLIS_PG_MIGRATIONS_HASH"))
}

fn fresh_name() -> String {
    format!(
        "{TEST_DATABASE_PREFIX}{}_{}",
        unix_now(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Drops per-test databases older than [`SWEEP_AGE`] and templates of other migration
/// sets, as the first [`TestDatabase`] of every process does.
///
/// # Errors
/// When the test server is unreachable; failures to drop one database are only logged.
pub async fn sweep_leftovers() -> anyhow::Result<()> {
    admin::sweep_leftovers(&server_url(), &template_name()).await
}

/// A fresh database holding the migrated, empty schema, dropped when done.
pub struct TestDatabase {
    name: String,
    url: String,
    server_url: String,
    pool: PgPool,
    dropped: bool,
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabase")
            .field("name", &self.name)
            .finish()
    }
}

impl TestDatabase {
    /// Clones the template (building it first, once per process, if needed) into a new
    /// database with a pool of `max_size` 8.
    ///
    /// # Errors
    /// When the test server is unreachable or refuses to create databases.
    pub async fn new() -> anyhow::Result<Self> {
        let server_url = server_url();
        let template = TEMPLATE
            .get_or_try_init(|| admin::prepare_template(&server_url, template_name()))
            .await?;
        let name = fresh_name();
        if let Err(first) = admin::clone_template(&server_url, Some(template), &name).await {
            // A process with other migrations may have swept an old template: build it
            // again, once.
            admin::prepare_template(&server_url, template_name())
                .await
                .context(format!("{first:#}"))?;
            admin::clone_template(&server_url, Some(template), &name).await?;
        }
        Self::open(server_url, name)
    }

    /// A new database without any table (not even diesel's migrations table): for
    /// testing the migrations themselves.
    ///
    /// # Errors
    /// When the test server is unreachable or refuses to create databases.
    pub async fn new_empty() -> anyhow::Result<Self> {
        let server_url = server_url();
        let name = fresh_name();
        admin::clone_template(&server_url, None, &name).await?;
        Self::open(server_url, name)
    }

    fn open(server_url: String, name: String) -> anyhow::Result<Self> {
        let url = with_database(&server_url, &name)?;
        let mut config = PgConfig::new(url.clone());
        config.max_size = 8;
        config.wait_timeout = Duration::from_secs(10);
        let pool = build_pool(&config)?;
        Ok(Self {
            name,
            url,
            server_url,
            pool,
            dropped: false,
        })
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A URL for this database (for `run_migrations`, or a server under test).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The pool on this database.
    pub fn pool(&self) -> PgPool {
        self.pool.clone()
    }

    /// Every repository on this database.
    pub fn stores(&self) -> PgStores {
        PgStores::new(self.pool.clone())
    }

    /// Drops the database now, on the caller's runtime, and reports failures.
    ///
    /// # Errors
    /// When the server refuses the `DROP` (it is then swept by a later run).
    pub async fn close(mut self) -> anyhow::Result<()> {
        self.dropped = true;
        self.pool.close();
        admin::drop_database(&self.server_url, &self.name).await
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        self.pool.close();
        let (server_url, name) = (self.server_url.clone(), std::mem::take(&mut self.name));
        // Drop can run on a runtime worker: never block it, never re-enter it. A thread
        // with its own runtime does the DROP; if the process exits first, the sweep of a
        // later run removes the database.
        let spawned = std::thread::Builder::new()
            .name("drop-test-db".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(runtime) = runtime
                    && let Err(err) = runtime.block_on(admin::drop_database(&server_url, &name))
                {
                    tracing::warn!(database = %name, error = %format!("{err:#}"), "could not drop a test database");
                }
            });
        if let Err(err) = spawned {
            tracing::warn!(error = %err, "could not spawn the test database dropper");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_only_the_database() {
        let cases = [
            ("postgres://u@h:5432/postgres", "postgres://u@h:5432/x"),
            (
                "postgres://u:p@h/db?sslmode=disable",
                "postgres://u:p@h/x?sslmode=disable",
            ),
            ("postgresql://h", "postgresql://h/x"),
        ];
        for (url, expected) in cases {
            assert_eq!(with_database(url, "x").unwrap(), expected);
        }
        assert!(with_database("no-scheme", "x").is_err());
    }
}
