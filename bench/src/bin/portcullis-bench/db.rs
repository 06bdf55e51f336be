//! The run's own database, and cleaning up after it.

use anyhow::Context as _;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

/// Bounds the SCAN loop of [`redis_cleanup`] (a cursor walk of a huge keyspace).
const MAX_SCAN_ROUNDS: usize = 100_000;

fn check_name(name: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        !name.is_empty()
            && name.len() <= 63
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "database name {name:?}: use 1 to 63 of a-z, 0-9 and _"
    );
    Ok(())
}

async fn admin(admin_url: &str) -> anyhow::Result<AsyncPgConnection> {
    AsyncPgConnection::establish(admin_url)
        .await
        .context("connecting to the admin database")
}

/// Creates database `name` and returns its URL (`admin_url` with another path).
pub async fn create(admin_url: &str, name: &str) -> anyhow::Result<String> {
    check_name(name)?;
    let mut url = url::Url::parse(admin_url).context("the admin database URL")?;
    url.set_path(&format!("/{name}"));
    let mut conn = admin(admin_url).await?;
    diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await
        .with_context(|| format!("CREATE DATABASE {name}"))?;
    Ok(url.to_string())
}

/// Drops database `name`, closing its connections.
pub async fn drop(admin_url: &str, name: &str) -> anyhow::Result<()> {
    check_name(name)?;
    let mut conn = admin(admin_url).await?;
    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .with_context(|| format!("DROP DATABASE {name}"))?;
    Ok(())
}

/// Deletes every key starting with `prefix`; returns how many.
pub async fn redis_cleanup(redis_url: &str, prefix: &str) -> anyhow::Result<u64> {
    anyhow::ensure!(
        prefix.len() >= 4 && !prefix.contains(['*', '?', '[']),
        "refusing to delete keys under {prefix:?}: too broad"
    );
    let client = redis::Client::open(redis_url).context("REDIS URL")?;
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .context("connecting to Redis")?;
    let pattern = format!("{prefix}*");
    let mut cursor: u64 = 0;
    let mut deleted = 0;
    for _ in 0..MAX_SCAN_ROUNDS {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut conn)
            .await
            .context("SCAN")?;
        if !keys.is_empty() {
            let n: u64 = redis::cmd("UNLINK")
                .arg(&keys)
                .query_async(&mut conn)
                .await
                .context("UNLINK")?;
            deleted += n;
        }
        if next == 0 {
            return Ok(deleted);
        }
        cursor = next;
    }
    anyhow::bail!("gave up after {MAX_SCAN_ROUNDS} SCAN rounds ({deleted} keys deleted)")
}
