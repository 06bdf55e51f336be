//! The error mapping against real SQLite errors: a locked file is `Unavailable`, a
//! corrupt row or a refused value `Unexpected`, unique violations are answers.

use std::time::Duration;

use diesel::RunQueryDsl as _;
use diesel::connection::SimpleConnection as _;
use portcullis_domain::ports::UserWriteError;
use portcullis_domain::{AuditEventType, StoreError};
use portcullis_sqlite::{SqliteConfig, SqliteStores};
use portcullis_testkit::{sample_event, sample_user, t0, username};

use crate::support::{TempDb, chain};

/// Another process holds the write lock for longer than `busy_timeout`: the write
/// fails as `Unavailable` (a 503, retry later), not as a 500, and works again after.
#[tokio::test(flavor = "multi_thread")]
async fn a_write_lock_held_elsewhere_past_busy_timeout_is_unavailable() {
    let db = TempDb::new().await;
    let mut config = SqliteConfig::new(db.path());
    config.busy_timeout = Duration::from_millis(100);
    let stores = SqliteStores::open_with(&config).await.unwrap();
    let mut holder = db.raw();
    holder.batch_execute("BEGIN EXCLUSIVE").unwrap();
    let err = stores
        .users
        .insert(&sample_user("late@example.com"))
        .await
        .unwrap_err();
    let UserWriteError::Store(err @ StoreError::Unavailable(_)) = err else {
        panic!("expected Unavailable, got {err:?}");
    };
    let chain = chain(&err);
    assert!(chain.contains("database is locked"), "{chain}");
    holder.batch_execute("ROLLBACK").unwrap();
    stores
        .users
        .insert(&sample_user("late@example.com"))
        .await
        .unwrap();
}

/// The real SQLite messages carry the index names the mapping keys on.
#[tokio::test(flavor = "multi_thread")]
async fn unique_violations_of_email_and_username_are_answers() {
    let db = TempDb::new().await;
    let users = &db.stores.users;
    let mut first = sample_user("taken@example.com");
    first.username = Some(username("taken"));
    users.insert(&first).await.unwrap();
    let err = users
        .insert(&sample_user("TAKEN@example.com"))
        .await
        .unwrap_err();
    assert!(matches!(err, UserWriteError::EmailTaken), "{err:?}");
    let mut other = sample_user("other@example.com");
    other.username = Some(username("TAKEN"));
    let err = users.insert(&other).await.unwrap_err();
    assert!(matches!(err, UserWriteError::UsernameTaken), "{err:?}");
    // The same id again violates the primary key: a bug, not an answer.
    let mut same_id = sample_user("third@example.com");
    same_id.id = first.id;
    let err = users.insert(&same_id).await.unwrap_err();
    assert!(
        matches!(err, UserWriteError::Store(StoreError::Unexpected(_))),
        "{err:?}"
    );
}

/// A row edited by hand into something the domain refuses is `Unexpected`, naming the
/// column, not the value.
#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_row_is_unexpected() {
    let db = TempDb::new().await;
    let user = sample_user("fine@example.com");
    db.stores.users.insert(&user).await.unwrap();
    diesel::sql_query("UPDATE users SET email = 'no-at-sign'")
        .execute(&mut db.raw())
        .unwrap();
    let err = db.stores.users.find_by_id(user.id).await.unwrap_err();
    let StoreError::Unexpected(inner) = &err else {
        panic!("expected Unexpected, got {err:?}");
    };
    let chain = format!("{inner:#}");
    assert!(chain.contains("users.email"), "{chain}");
    assert!(
        !chain.contains("no-at-sign"),
        "the value stays out: {chain}"
    );

    diesel::sql_query("UPDATE users SET id = 'not-a-uuid-but-36-characters-long!!!'")
        .execute(&mut db.raw())
        .unwrap();
    let listed = db
        .stores
        .users
        .list(&portcullis_domain::ports::UserListQuery {
            q: None,
            after: None,
            limit: 10,
        });
    assert!(matches!(listed.await, Err(StoreError::Unexpected(_))));
}

/// The table refuses details that are not a JSON object (as Postgres' jsonb check
/// does): `Unexpected`, nothing stored.
#[tokio::test(flavor = "multi_thread")]
async fn audit_details_must_be_a_json_object() {
    let db = TempDb::new().await;
    let mut event = sample_event(AuditEventType::Logout, None, t0());
    event.details = "[1, 2]".into();
    let err = db.stores.audit.record(&event).await.unwrap_err();
    assert!(matches!(err, StoreError::Unexpected(_)), "{err:?}");
    event.details = r#"{ "kept": "as written",  "a": 1 }"#.into();
    db.stores.audit.record(&event).await.unwrap();
    let listed = db
        .stores
        .audit
        .list(&portcullis_domain::AuditFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed, vec![event]);
}

/// After `close`, operations fail as `Unavailable` instead of hanging.
#[tokio::test(flavor = "multi_thread")]
async fn a_closed_database_is_unavailable() {
    let db = TempDb::new().await;
    db.stores.ping().await.unwrap();
    db.stores.db.close();
    assert!(matches!(
        db.stores.ping().await,
        Err(StoreError::Unavailable(_))
    ));
    let err = db
        .stores
        .users
        .find_by_email(&portcullis_testkit::email("a@example.com"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)));
}
