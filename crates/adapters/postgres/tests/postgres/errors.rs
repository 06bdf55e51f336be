//! Error mapping against a real server: what is `Unavailable`, what is `Unexpected`,
//! and that neither says anything of the driver in its message.

use std::time::Duration;

use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use portcullis_domain::ports::{AuditLog, SessionRepository, UserRepository, UserWriteError};
use portcullis_domain::{AuditEventType, StoreError, UserId};
use portcullis_postgres::test_support::{TestDatabase, server_url};
use portcullis_postgres::{
    ConnectError, PgAuditLog, PgConfig, PgSessionRepository, PgUserRepository, Recycle, build_pool,
    connect, ping,
};
use portcullis_testkit::{sample_event, sample_session, sample_user, t0};
use uuid::Uuid;

/// A local port nobody listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn assert_unavailable<T: std::fmt::Debug>(outcome: Result<T, StoreError>, what: &str) {
    match outcome {
        Err(err @ StoreError::Unavailable(_)) => {
            assert_eq!(
                err.to_string(),
                "storage unavailable",
                "{what}: the message is ours"
            );
        }
        other => panic!("{what}: expected Unavailable, got {other:?}"),
    }
}

fn assert_unexpected<T: std::fmt::Debug>(outcome: Result<T, StoreError>, cause: &str) {
    match outcome {
        Err(StoreError::Unexpected(inner)) => {
            let chain = format!("{inner:#}");
            assert!(chain.contains(cause), "the chain {chain:?} names {cause:?}");
        }
        other => panic!("expected Unexpected, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_port_is_unavailable_everywhere() {
    let mut config = PgConfig::new(format!("postgres://postgres@127.0.0.1:{}/x", closed_port()));
    config.connect_timeout = Duration::from_secs(1);
    config.wait_timeout = Duration::from_secs(1);
    let pool = build_pool(&config).unwrap();
    let users = PgUserRepository::new(pool.clone());
    assert_unavailable(
        users.find_by_id(UserId::from_uuid(Uuid::now_v7())).await,
        "find",
    );
    match users.insert(&sample_user("a@example.com")).await {
        Err(UserWriteError::Store(err)) => assert_unavailable(Err::<(), _>(err), "insert"),
        other => panic!("insert: expected Store(Unavailable), got {other:?}"),
    }
    let sessions = PgSessionRepository::new(pool.clone());
    let session = sample_session(UserId::from_uuid(Uuid::now_v7()), t0());
    assert_unavailable(sessions.create(&session, 5).await, "create session");
    assert_unavailable(ping(&pool).await, "ping");
    match connect(&config).await {
        Err(ConnectError::Unreachable(StoreError::Unavailable(_))) => {}
        Err(other) => panic!("connect: expected Unreachable(Unavailable), got {other:?}"),
        Ok(_) => panic!("connect: a closed port answered"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exhausted_pool_is_unavailable_after_the_wait_timeout() {
    let db = TestDatabase::new().await.unwrap();
    let mut config = PgConfig::new(db.url());
    config.max_size = 1;
    config.wait_timeout = Duration::from_millis(200);
    let pool = build_pool(&config).unwrap();
    let held = pool.get().await.unwrap();
    let users = PgUserRepository::new(pool.clone());
    assert_unavailable(
        users.count_admins().await,
        "count_admins while the pool is empty",
    );
    drop(held);
    assert_eq!(
        users.count_admins().await.unwrap(),
        0,
        "after the connection came back"
    );
    db.close().await.unwrap();
}

/// Kills every server backend of the database but `spare`, as a restart or a
/// fail-over would.
async fn kill_connections(database: &str, spare: i32) {
    let mut admin = AsyncPgConnection::establish(&server_url()).await.unwrap();
    diesel::sql_query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND pid <> $2",
    )
    .bind::<Text, _>(database)
    .bind::<diesel::sql_types::Integer, _>(spare)
    .execute(&mut admin)
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_connections_killed_by_the_server_are_never_unexpected() {
    let db = TestDatabase::new().await.unwrap();
    for recycle in [Recycle::Fast, Recycle::Verified] {
        let mut config = PgConfig::new(db.url());
        config.max_size = 1;
        config.recycle = recycle;
        let pool = build_pool(&config).unwrap();
        let users = PgUserRepository::new(pool.clone());
        users.count_admins().await.unwrap();
        kill_connections(db.name(), 0).await;
        // Verified probes connections that sat unused past its window.
        tokio::time::sleep(portcullis_postgres::VERIFY_AFTER_IDLE + Duration::from_millis(100))
            .await;
        match users.count_admins().await {
            Ok(0) => {}
            // Fast recycling may hand out the dead connection once.
            Err(StoreError::Unavailable(_)) if recycle == Recycle::Fast => {}
            other => panic!("{recycle:?}: first query after the kill gave {other:?}"),
        }
        assert_eq!(
            users.count_admins().await.unwrap(),
            0,
            "{recycle:?}: recovered"
        );
        pool.close();
    }
    db.close().await.unwrap();
}

#[derive(diesel::QueryableByName)]
struct Waiting {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct Pid {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pid: i32,
}

/// Waits until a backend of `database` waits for a lock.
async fn until_blocked(database: &str, task: &tokio::task::JoinHandle<Result<(), StoreError>>) {
    // Not the locking connection: it is inside a transaction, and pg_stat_activity is a
    // snapshot taken once per transaction.
    let mut observer = AsyncPgConnection::establish(&server_url()).await.unwrap();
    for _ in 0..1000 {
        assert!(
            !task.is_finished(),
            "the statement under test ended without blocking"
        );
        let waiting: Waiting = diesel::sql_query(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 \
             AND wait_event_type = 'Lock'",
        )
        .bind::<Text, _>(database)
        .get_result(&mut observer)
        .await
        .unwrap();
        if waiting.n > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the statement under test never blocked");
}

/// A statement in flight when the server ends its connection gets a FATAL error that
/// diesel cannot classify; the adapter must still call it `Unavailable` (a 503 the
/// client may retry), inside a transaction or not.
#[tokio::test(flavor = "multi_thread")]
async fn a_connection_killed_mid_statement_is_unavailable() {
    let db = TestDatabase::new().await.unwrap();
    let stores = db.stores();
    let owner = sample_user("owner@example.com");
    stores.users.insert(&owner).await.unwrap();
    let mut admin = AsyncPgConnection::establish(db.url()).await.unwrap();
    let admin_pid: Pid = diesel::sql_query("SELECT pg_backend_pid() AS pid")
        .get_result(&mut admin)
        .await
        .unwrap();
    for case in [
        "insert waiting on a unique index",
        "session create waiting on the user lock",
    ] {
        // Hold a lock the statement under test must wait for.
        diesel::sql_query("BEGIN")
            .execute(&mut admin)
            .await
            .unwrap();
        let contested = sample_user("contested@example.com");
        let blocked = if case.starts_with("insert") {
            let mut rival = sample_user("contested@example.com");
            rival.username = None;
            diesel::sql_query(
                "INSERT INTO users (id, email, name, role, created_at, updated_at) \
                 VALUES ($1, 'contested@example.com', 'Rival', 'user', now(), now())",
            )
            .bind::<diesel::sql_types::Uuid, _>(rival.id.as_uuid())
            .execute(&mut admin)
            .await
            .unwrap();
            let users = std::sync::Arc::clone(&stores.users);
            tokio::spawn(async move {
                match users.insert(&contested).await {
                    Err(UserWriteError::Store(err)) => Err(err),
                    other => panic!("insert: expected Store(_), got {other:?}"),
                }
            })
        } else {
            diesel::sql_query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
                .bind::<diesel::sql_types::Uuid, _>(owner.id.as_uuid())
                .execute(&mut admin)
                .await
                .unwrap();
            let sessions = std::sync::Arc::clone(&stores.sessions);
            let session = sample_session(owner.id, t0());
            tokio::spawn(async move { sessions.create(&session, 5).await.map(|_| ()) })
        };
        until_blocked(db.name(), &blocked).await;
        kill_connections(db.name(), admin_pid.pid).await;
        assert_unavailable(blocked.await.unwrap(), case);
        diesel::sql_query("ROLLBACK")
            .execute(&mut admin)
            .await
            .unwrap();
    }
    db.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_and_writes_the_domain_refuses_are_unexpected() {
    let db = TestDatabase::new().await.unwrap();
    let users = PgUserRepository::new(db.pool());
    let mut conn = db.pool().get().await.unwrap();

    // A row written by hand that is no valid account.
    let id = Uuid::now_v7();
    diesel::sql_query(
        "INSERT INTO users (id, email, name, role, created_at, updated_at) \
         VALUES ($1, 'not-an-email', 'X', 'user', now(), now())",
    )
    .bind::<diesel::sql_types::Uuid, _>(id)
    .execute(&mut conn)
    .await
    .unwrap();
    drop(conn);
    assert_unexpected(users.find_by_id(UserId::from_uuid(id)).await, "users.email");

    // A unique violation that is no email or username: the primary key.
    let user = sample_user("dup@example.com");
    users.insert(&user).await.unwrap();
    let again = portcullis_domain::User {
        email: portcullis_testkit::email("other@example.com"),
        ..user
    };
    match users.insert(&again).await {
        Err(UserWriteError::Store(err)) => assert_unexpected(Err::<(), _>(err), "inserting a user"),
        other => panic!("duplicate id: expected Store(Unexpected), got {other:?}"),
    }

    // A session of an account that does not exist: a foreign-key violation.
    let sessions = PgSessionRepository::new(db.pool());
    let orphan = sample_session(UserId::from_uuid(Uuid::now_v7()), t0());
    assert_unexpected(sessions.create(&orphan, 5).await, "creating a session");

    // Audit details must be a JSON object.
    let audit = PgAuditLog::new(db.pool());
    let mut event = sample_event(AuditEventType::Logout, None, t0());
    event.details = "[1, 2]".to_owned();
    assert_unexpected(audit.record(&event).await, "audit_events.details");
    db.close().await.unwrap();
}
