//! The embedded migrations of `migrations/postgres`, and running them.
//!
//! diesel's migration harness is synchronous. It runs here over diesel-async's
//! `AsyncConnectionWrapper` on the blocking pool (`spawn_blocking`), which works on every
//! runtime flavour — unlike `AsyncMigrationHarness`, which needs `block_in_place` and
//! panics on a current-thread runtime. No libpq is involved.

use anyhow::{Context as _, anyhow};
use diesel::pg::Pg;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness as _, embed_migrations};

/// Every migration of `migrations/postgres`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../../migrations/postgres");

type SyncPg = AsyncConnectionWrapper<AsyncPgConnection>;

/// Runs `job` with a blocking connection to `url` on the blocking pool.
async fn with_blocking_connection<T, F>(url: &str, job: F) -> anyhow::Result<T>
where
    F: FnOnce(&mut SyncPg) -> anyhow::Result<T> + Send + 'static,
    T: Send + 'static,
{
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = <SyncPg as diesel::Connection>::establish(&url)
            .context("connecting to Postgres to migrate")?;
        job(&mut conn)
    })
    .await
    .context("the migration task failed")?
}

/// Applies every pending migration, each in its own transaction, and returns the names
/// of those it applied (empty when the schema was current). The names are the folder
/// names, e.g. `2026-11-25-100000_create_users`.
///
/// # Errors
/// When Postgres is unreachable or a migration fails (that one is rolled back; the
/// earlier ones of this run stay applied).
pub async fn run_migrations(url: &str) -> anyhow::Result<Vec<String>> {
    with_blocking_connection(url, |conn| {
        let pending = conn
            .pending_migrations(MIGRATIONS)
            .map_err(|err| anyhow!(err))
            .context("reading the applied Postgres migrations")?;
        let mut applied = Vec::with_capacity(pending.len());
        for migration in pending {
            let name = migration.name().to_string();
            conn.run_migration(&migration)
                .map_err(|err| anyhow!(err))
                .with_context(|| format!("applying the Postgres migration {name}"))?;
            applied.push(name);
        }
        Ok(applied)
    })
    .await
}

/// The names of the embedded migrations not yet applied to the database at `url`, in
/// the order they would run. `serve` refuses to start while this is not empty (unless
/// it migrates itself). Like every diesel harness call, it creates diesel's bookkeeping
/// table `__diesel_schema_migrations` when it is missing; it changes nothing else.
///
/// # Errors
/// When Postgres is unreachable or the migrations table cannot be read.
pub async fn pending_migrations(url: &str) -> anyhow::Result<Vec<String>> {
    with_blocking_connection(url, |conn| {
        let pending = conn
            .pending_migrations(MIGRATIONS)
            .map_err(|err| anyhow!(err))
            .context("reading the applied Postgres migrations")?;
        Ok(pending.iter().map(|m| m.name().to_string()).collect())
    })
    .await
}

/// The names of every embedded migration, oldest first.
///
/// # Errors
/// Only if the embedded set is malformed (a bug caught by the tests).
pub fn embedded_migrations() -> anyhow::Result<Vec<String>> {
    let all = diesel::migration::MigrationSource::<Pg>::migrations(&MIGRATIONS)
        .map_err(|err| anyhow!(err))?;
    Ok(all.iter().map(|m| m.name().to_string()).collect())
}
