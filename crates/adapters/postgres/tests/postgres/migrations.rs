//! The embedded migrations: names, idempotence, any runtime flavour, and down.sql.

use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::MigrationHarness;
use portcullis_postgres::test_support::TestDatabase;
use portcullis_postgres::{MIGRATIONS, embedded_migrations, pending_migrations, run_migrations};

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

/// Deliberately on the default current-thread runtime (what `#[actix_web::test]` and
/// `#[tokio::test]` give): diesel-async's own harness would panic here.
#[tokio::test]
async fn migrations_run_on_a_current_thread_runtime_and_report_names() {
    let db = TestDatabase::new_empty().await.unwrap();
    assert_eq!(embedded_migrations().unwrap(), EXPECTED);
    assert_eq!(pending_migrations(db.url()).await.unwrap(), EXPECTED);
    assert_eq!(run_migrations(db.url()).await.unwrap(), EXPECTED);
    assert!(pending_migrations(db.url()).await.unwrap().is_empty());
    assert!(
        run_migrations(db.url()).await.unwrap().is_empty(),
        "a second run applies nothing"
    );
    db.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn every_migration_reverts_cleanly_and_applies_again() {
    let db = TestDatabase::new().await.unwrap();
    let url = db.url().to_owned();
    let reverted = tokio::task::spawn_blocking(move || {
        let mut conn =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)
                .unwrap();
        conn.revert_all_migrations(MIGRATIONS)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .count()
    })
    .await
    .unwrap();
    assert_eq!(reverted, EXPECTED.len());
    assert_eq!(pending_migrations(db.url()).await.unwrap(), EXPECTED);
    assert_eq!(run_migrations(db.url()).await.unwrap(), EXPECTED);
    db.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_server_is_an_error_not_a_hang() {
    let url = format!(
        "postgres://postgres@127.0.0.1:{}/postgres",
        crate::errors::closed_port()
    );
    assert!(run_migrations(&url).await.is_err());
    assert!(pending_migrations(&url).await.is_err());
}
