//! The embedded migrations of `migrations/sqlite`, and running them.
//!
//! All pending migrations are applied in ONE `BEGIN IMMEDIATE` transaction: another
//! process migrating the same file at the same moment waits for it (`busy_timeout`) and
//! then finds nothing to do, and a failing migration leaves the file exactly as it was.
//! Runs on the blocking pool, so it works on any tokio runtime flavour.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;
use diesel::{QueryableByName, RunQueryDsl as _, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness as _, embed_migrations};

use crate::config::SqliteConfig;
use crate::connection::{Role, establish};
use crate::db::prepare_file;

/// Every migration of `migrations/sqlite`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../../migrations/sqlite");

/// Switches the file to WAL mode; returns the journal mode now in force (`wal`, or the
/// old mode where the file system cannot share memory between processes).
pub(crate) fn enable_wal(conn: &mut SqliteConnection) -> diesel::QueryResult<String> {
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }
    let mode: Mode = diesel::sql_query("PRAGMA journal_mode = WAL").get_result(conn)?;
    Ok(mode.journal_mode.to_lowercase())
}

/// Runs `job` with a fresh writer connection to `path` on the blocking pool, after
/// preparing the file (directory, WAL).
async fn with_connection<T, F>(path: &Path, job: F) -> anyhow::Result<T>
where
    F: FnOnce(&mut SqliteConnection) -> anyhow::Result<T> + Send + 'static,
    T: Send + 'static,
{
    let busy_timeout = SqliteConfig::DEFAULT_BUSY_TIMEOUT;
    let path = prepare_file(path, busy_timeout)
        .await
        .context("opening the SQLite database to migrate")?;
    on_connection(path, busy_timeout, job).await
}

/// Runs `job` with a fresh writer connection to an already prepared `path`.
async fn on_connection<T, F>(path: String, busy_timeout: Duration, job: F) -> anyhow::Result<T>
where
    F: FnOnce(&mut SqliteConnection) -> anyhow::Result<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let mut conn = establish(&path, Role::Writer, busy_timeout)
            .context("opening the SQLite database to migrate")?;
        job(&mut conn)
    })
    .await
    .context("the migration task failed")?
}

/// Applies the pending migrations in one IMMEDIATE transaction.
fn apply_pending(conn: &mut SqliteConnection) -> anyhow::Result<Vec<String>> {
    conn.immediate_transaction(|conn| {
        let pending = conn
            .pending_migrations(MIGRATIONS)
            .map_err(|err| anyhow!(err))
            .context("reading the applied SQLite migrations")?;
        let mut applied = Vec::with_capacity(pending.len());
        for migration in pending {
            let name = migration.name().to_string();
            conn.run_migration(&migration)
                .map_err(|err| anyhow!(err))
                .with_context(|| format!("applying the SQLite migration {name}"))?;
            applied.push(name);
        }
        Ok(applied)
    })
}

/// [`run_migrations`] on a file [`prepare_file`] already prepared.
pub(crate) async fn migrate_prepared(
    path: String,
    busy_timeout: Duration,
) -> anyhow::Result<Vec<String>> {
    on_connection(path, busy_timeout, apply_pending).await
}

/// Applies every pending migration, all in one transaction, and returns the names of
/// those it applied (empty when the schema was current). The names are the folder
/// names, e.g. `2026-11-25-100000_create_users`. Creates the file when missing.
///
/// # Errors
/// When the file cannot be opened or a migration fails (then none of this run's
/// migrations stay applied).
pub async fn run_migrations(path: impl AsRef<Path>) -> anyhow::Result<Vec<String>> {
    with_connection(path.as_ref(), apply_pending).await
}

/// The names of the embedded migrations not yet applied to the file at `path`, in the
/// order they would run. Like every diesel harness call, it creates diesel's
/// bookkeeping table `__diesel_schema_migrations` (and the file) when missing.
///
/// # Errors
/// When the file cannot be opened or the migrations table cannot be read.
pub async fn pending_migrations(path: impl AsRef<Path>) -> anyhow::Result<Vec<String>> {
    with_connection(path.as_ref(), |conn| {
        let pending = conn
            .pending_migrations(MIGRATIONS)
            .map_err(|err| anyhow!(err))
            .context("reading the applied SQLite migrations")?;
        Ok(pending.iter().map(|m| m.name().to_string()).collect())
    })
    .await
}

/// The names of every embedded migration, oldest first.
///
/// # Errors
/// Only if the embedded set is malformed (a bug caught by the tests).
pub fn embedded_migrations() -> anyhow::Result<Vec<String>> {
    let all = diesel::migration::MigrationSource::<Sqlite>::migrations(&MIGRATIONS)
        .map_err(|err| anyhow!(err))?;
    Ok(all.iter().map(|m| m.name().to_string()).collect())
}
