//! Statements against the test server's maintenance database: build the template,
//! clone it, drop clones, sweep leftovers.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::{SWEEP_AGE, TEMPLATE_PREFIX, TEST_DATABASE_PREFIX, unix_now, with_database};
use crate::migrations::run_migrations;

/// The advisory lock key of the template: exclusive to build or sweep, shared to clone.
/// Any constant works; this one spells "pcl-tpl".
const TEMPLATE_LOCK: i64 = 0x0070_636c_2d74_706c;

#[derive(QueryableByName)]
struct DatabaseRow {
    #[diesel(sql_type = Text)]
    datname: String,
    #[diesel(sql_type = Bool)]
    datistemplate: bool,
    /// `COMMENT ON DATABASE`: a template's is [`BUILT_AT`] and its build time.
    #[diesel(sql_type = Text)]
    comment: String,
}

/// The comment of a finished template, before its unix build time.
const BUILT_AT: &str = "portcullis test template built at ";

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Refuses any name that is not what this module generates: names are interpolated
/// into DDL, which takes no bind parameters.
fn checked(name: &str) -> anyhow::Result<&str> {
    let ok = name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(name)
    } else {
        bail!("refusing the database name {name:?}")
    }
}

async fn maintenance(server_url: &str) -> anyhow::Result<AsyncPgConnection> {
    AsyncPgConnection::establish(server_url)
        .await
        .with_context(|| "connecting to the test server (TEST_DATABASE_URL)".to_owned())
}

async fn exec(conn: &mut AsyncPgConnection, sql: &str) -> anyhow::Result<()> {
    diesel::sql_query(sql)
        .execute(conn)
        .await
        .with_context(|| format!("test server: {sql}"))?;
    Ok(())
}

/// Databases whose name matches the LIKE pattern `like`.
async fn databases(conn: &mut AsyncPgConnection, like: &str) -> anyhow::Result<Vec<DatabaseRow>> {
    diesel::sql_query(
        "SELECT datname, datistemplate, \
         coalesce(shobj_description(oid, 'pg_database'), '') AS comment \
         FROM pg_database WHERE datname LIKE $1",
    )
    .bind::<Text, _>(like)
    .load(conn)
    .await
    .context("listing databases on the test server")
}

async fn force_drop(conn: &mut AsyncPgConnection, db: &DatabaseRow) -> anyhow::Result<()> {
    let name = checked(&db.datname)?;
    if db.datistemplate {
        exec(conn, &format!("ALTER DATABASE {name} IS_TEMPLATE false")).await?;
    }
    exec(
        conn,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await
}

/// Seconds since the epoch at which a clone was made, from its name.
fn created_at(name: &str) -> Option<u64> {
    name.strip_prefix(TEST_DATABASE_PREFIX)?
        .split('_')
        .next()?
        .parse()
        .ok()
}

/// When a template was finished, from its comment.
fn built_at(comment: &str) -> Option<u64> {
    comment.strip_prefix(BUILT_AT)?.parse().ok()
}

/// Drops clones and templates of other migration sets older than [`SWEEP_AGE`]. Runs
/// under the exclusive lock, so no clone of a swept template is in progress (and a
/// process still using one rebuilds it). Failures are logged, not fatal: another
/// process may be sweeping the same leftovers.
async fn sweep(conn: &mut AsyncPgConnection, current_template: &str) -> anyhow::Result<()> {
    let cutoff = unix_now().saturating_sub(SWEEP_AGE.as_secs());
    let mut stale = databases(conn, "portcullis\\_test\\_%").await?;
    stale.retain(|db| created_at(&db.datname).is_some_and(|t| t < cutoff));
    let mut templates = databases(conn, "portcullis\\_tpl\\_%").await?;
    templates.retain(|db| {
        db.datname != current_template
            && db.datname.starts_with(TEMPLATE_PREFIX)
            && built_at(&db.comment).is_none_or(|t| t < cutoff)
    });
    for db in stale.iter().chain(&templates) {
        if let Err(err) = force_drop(conn, db).await {
            tracing::warn!(database = %db.datname, error = %format!("{err:#}"), "sweep failed");
        }
    }
    Ok(())
}

/// Waits until nobody is connected to `name` (the migration connection closes
/// asynchronously), terminating stragglers after a few seconds.
async fn wait_unused(conn: &mut AsyncPgConnection, name: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let users: Count =
            diesel::sql_query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1")
                .bind::<Text, _>(name)
                .get_result(conn)
                .await
                .context("counting connections to the template")?;
        if users.n == 0 {
            return Ok(());
        }
        if Instant::now() > deadline {
            diesel::sql_query(
                "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
                 WHERE datname = $1",
            )
            .bind::<Text, _>(name)
            .get_result::<Count>(conn)
            .await
            .context("closing connections to the template")?;
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Sweeps leftovers (see [`sweep`]) under the exclusive template lock.
pub(super) async fn sweep_leftovers(
    server_url: &str,
    current_template: &str,
) -> anyhow::Result<()> {
    let mut conn = maintenance(server_url).await?;
    exec(
        &mut conn,
        &format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"),
    )
    .await?;
    let swept = sweep(&mut conn, current_template).await;
    let unlocked = exec(
        &mut conn,
        &format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"),
    )
    .await;
    swept?;
    unlocked
}

/// Makes sure the template of the current migrations exists, building it if needed,
/// and sweeps leftovers. Returns its name.
pub(super) async fn prepare_template(server_url: &str, template: String) -> anyhow::Result<String> {
    let name = checked(&template)?.to_owned();
    let mut conn = maintenance(server_url).await?;
    exec(
        &mut conn,
        &format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"),
    )
    .await?;
    let built = build_template(&mut conn, server_url, &name).await;
    let unlocked = exec(
        &mut conn,
        &format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"),
    )
    .await;
    built?;
    unlocked?;
    Ok(name)
}

async fn build_template(
    conn: &mut AsyncPgConnection,
    server_url: &str,
    name: &str,
) -> anyhow::Result<()> {
    sweep(conn, name).await?;
    let existing = databases(conn, &name.replace('_', "\\_")).await?;
    // datistemplate is set last: a database without it is a build that died halfway.
    if existing.iter().any(|db| db.datistemplate) {
        return Ok(());
    }
    for db in &existing {
        force_drop(conn, db).await?;
    }
    exec(conn, &format!("CREATE DATABASE {name}")).await?;
    run_migrations(&with_database(server_url, name)?)
        .await
        .context("migrating the test template")?;
    wait_unused(conn, name).await?;
    exec(conn, &format!("ALTER DATABASE {name} IS_TEMPLATE true")).await?;
    let comment = format!("{BUILT_AT}{}", unix_now());
    exec(conn, &format!("COMMENT ON DATABASE {name} IS '{comment}'")).await
}

/// `CREATE DATABASE clone TEMPLATE template` holding the template lock shared, or
/// `TEMPLATE template0` (an empty database) without it.
pub(super) async fn clone_template(
    server_url: &str,
    template: Option<&str>,
    clone: &str,
) -> anyhow::Result<()> {
    let clone = checked(clone)?;
    let mut conn = maintenance(server_url).await?;
    let Some(template) = template else {
        return exec(
            &mut conn,
            &format!("CREATE DATABASE {clone} TEMPLATE template0"),
        )
        .await;
    };
    let template = checked(template)?;
    exec(
        &mut conn,
        &format!("SELECT pg_advisory_lock_shared({TEMPLATE_LOCK})"),
    )
    .await?;
    let created = exec(
        &mut conn,
        &format!("CREATE DATABASE {clone} TEMPLATE {template}"),
    )
    .await;
    let unlocked = exec(
        &mut conn,
        &format!("SELECT pg_advisory_unlock_shared({TEMPLATE_LOCK})"),
    )
    .await;
    created?;
    unlocked
}

/// `DROP DATABASE ... WITH (FORCE)` from a fresh connection.
pub(super) async fn drop_database(server_url: &str, name: &str) -> anyhow::Result<()> {
    let name = checked(name)?;
    let mut conn = maintenance(server_url).await?;
    exec(
        &mut conn,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clone_names_carry_their_age() {
        assert_eq!(
            created_at("portcullis_test_1767225600_abc"),
            Some(1_767_225_600)
        );
        assert_eq!(created_at("portcullis_tpl_0123"), None);
        assert_eq!(created_at("portcullis_test_x_abc"), None);
        assert_eq!(built_at(&format!("{BUILT_AT}42")), Some(42));
        assert_eq!(built_at("hand-made"), None);
    }

    #[test]
    fn only_generated_names_reach_ddl() {
        assert!(checked("portcullis_test_1_ab").is_ok());
        for bad in ["x; DROP DATABASE postgres", "Upper", "a-b", &"a".repeat(64)] {
            assert!(checked(bad).is_err(), "{bad:?}");
        }
    }
}
