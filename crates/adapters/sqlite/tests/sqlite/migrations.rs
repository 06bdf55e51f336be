//! The embedded migrations: names, idempotence, any runtime flavour, down.sql, and a
//! file that keeps its data (and its applied migrations) across reopening.

use diesel::sql_types::{BigInt, Text};
use diesel::{Connection as _, QueryableByName, RunQueryDsl as _, SqliteConnection};
use diesel_migrations::MigrationHarness as _;
use portcullis_sqlite::{
    MIGRATIONS, SqliteConfig, SqliteStores, embedded_migrations, pending_migrations, run_migrations,
};
use portcullis_testkit::{sample_session, sample_user, t0};

use crate::support::TempDb;

const EXPECTED: [&str; 8] = [
    "2026-11-25-100000_create_users",
    "2026-11-25-100100_create_sessions",
    "2026-11-25-100200_create_audit_events",
    "2026-11-25-100300_create_one_time_tokens",
    "2026-11-25-100400_create_oauth_identities",
    "2026-11-25-100500_create_mfa",
    "2026-11-25-100600_create_mail_outbox",
    "2026-11-25-100700_index_audit_events_at",
];

#[derive(QueryableByName, Debug, PartialEq, Eq)]
struct Applied {
    #[diesel(sql_type = Text)]
    version: String,
    #[diesel(sql_type = Text)]
    run_on: String,
}

fn applied(conn: &mut SqliteConnection) -> Vec<Applied> {
    diesel::sql_query("SELECT version, run_on FROM __diesel_schema_migrations ORDER BY version")
        .load(conn)
        .unwrap()
}

/// The same names and order as `migrations/postgres`: one schema, two dialects.
#[test]
fn the_sqlite_migrations_mirror_the_postgres_ones() {
    assert_eq!(embedded_migrations().unwrap(), EXPECTED);
    let postgres: Vec<String> = {
        let mut names: Vec<String> = std::fs::read_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../migrations/postgres"
        ))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
        names.sort();
        names
    };
    assert_eq!(postgres, EXPECTED);
}

/// Deliberately on the default current-thread runtime (what `#[actix_web::test]` and
/// `#[tokio::test]` give).
#[tokio::test]
async fn migrations_run_on_a_current_thread_runtime_and_report_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/portcullis.db");
    assert_eq!(pending_migrations(&path).await.unwrap(), EXPECTED);
    assert_eq!(run_migrations(&path).await.unwrap(), EXPECTED);
    assert!(pending_migrations(&path).await.unwrap().is_empty());
    assert!(
        run_migrations(&path).await.unwrap().is_empty(),
        "a second run applies nothing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reopening_keeps_the_data_and_does_not_migrate_again() {
    let db = TempDb::new().await;
    let user = sample_user("kept@example.com");
    db.stores.users.insert(&user).await.unwrap();
    let session = sample_session(user.id, t0());
    db.stores.sessions.create(&session, 5).await.unwrap();
    let before = applied(&mut db.raw());
    assert_eq!(before.len(), EXPECTED.len());
    db.stores.db.close();

    let reopened = SqliteStores::open(db.path()).await.unwrap();
    assert_eq!(
        reopened.users.find_by_id(user.id).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(
        reopened.sessions.find(session.id).await.unwrap(),
        Some(session)
    );
    assert_eq!(applied(&mut db.raw()), before, "no migration ran again");
    assert!(run_migrations(db.path()).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_file_is_in_wal_mode_and_connections_enforce_foreign_keys() {
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }
    let db = TempDb::new().await;
    let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
        .get_result(&mut db.raw())
        .unwrap();
    assert_eq!(mode.journal_mode, "wal");
    // A session of an account that does not exist is refused by the foreign key.
    let orphan = sample_session(sample_user("nobody@example.com").id, t0());
    assert!(db.stores.sessions.create(&orphan, 5).await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn every_migration_reverts_cleanly_and_applies_again() {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let db = TempDb::new().await;
    let path = db.path();
    let url = path.to_str().unwrap().to_owned();
    let reverted = tokio::task::spawn_blocking(move || {
        let mut conn = SqliteConnection::establish(&url).unwrap();
        conn.revert_all_migrations(MIGRATIONS).unwrap().len()
    })
    .await
    .unwrap();
    assert_eq!(reverted, EXPECTED.len());
    let tables: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE '\\_\\_diesel%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'",
    )
    .get_result(&mut db.raw())
    .unwrap();
    assert_eq!(tables.n, 0, "down.sql drops every table");
    assert_eq!(pending_migrations(&path).await.unwrap(), EXPECTED);
    assert_eq!(run_migrations(&path).await.unwrap(), EXPECTED);
}

#[tokio::test]
async fn an_in_memory_database_is_refused() {
    let err = SqliteStores::open(":memory:").await.unwrap_err();
    assert!(
        matches!(err, portcullis_sqlite::OpenError::InMemory),
        "{err:?}"
    );
    let err = SqliteStores::open_with(&SqliteConfig::new("file:x?mode=memory&cache=shared"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, portcullis_sqlite::OpenError::InMemory),
        "{err:?}"
    );
}
