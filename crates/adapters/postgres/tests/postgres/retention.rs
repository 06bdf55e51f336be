//! The retention pass: one instance at a time, sessions and audit events in one
//! transaction under one advisory lock.

use diesel_async::{AsyncConnection, RunQueryDsl};
use portcullis_domain::ports::{AuditLog, SessionRepository, UserRepository};
use portcullis_domain::{AuditEventType, AuditFilter, RevokeReason, TimeSpan};
use portcullis_postgres::test_support::TestDatabase;
use portcullis_postgres::{
    PgAuditLog, PgSessionRepository, PgUserRepository, Purged, RetentionCutoffs, purge_exclusively,
};
use portcullis_testkit::{sample_event, sample_session, sample_user, t0};

fn cutoffs() -> RetentionCutoffs {
    RetentionCutoffs {
        sessions_expired_before: t0() + TimeSpan::days(2),
        sessions_revoked_before: t0() + TimeSpan::days(5),
        audit_events_before: Some(t0() + TimeSpan::days(3)),
    }
}

/// Two sessions and two audit events past retention, one session and one event not.
async fn seed(db: &TestDatabase) {
    let pool = db.pool();
    let user = sample_user("retention@example.com");
    PgUserRepository::new(pool.clone())
        .insert(&user)
        .await
        .unwrap();
    let sessions = PgSessionRepository::new(pool.clone());
    let mut expired = sample_session(user.id, t0());
    expired.expires_at = t0() + TimeSpan::days(1);
    let revoked = sample_session(user.id, t0());
    let live = sample_session(user.id, t0());
    for session in [&expired, &revoked, &live] {
        sessions.create(session, 10).await.unwrap();
    }
    sessions
        .revoke(revoked.id, RevokeReason::Logout, t0() + TimeSpan::days(1))
        .await
        .unwrap();
    let audit = PgAuditLog::new(pool);
    for days in [0, 1, 3] {
        let at = t0() + TimeSpan::days(days);
        let event = sample_event(AuditEventType::LoginSucceeded, Some(user.id), at);
        audit.record(&event).await.unwrap();
    }
}

async fn audit_events_left(db: &TestDatabase) -> usize {
    let filter = AuditFilter {
        limit: 100,
        ..AuditFilter::default()
    };
    PgAuditLog::new(db.pool())
        .list(&filter)
        .await
        .unwrap()
        .len()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pass_deletes_sessions_and_audit_events_past_retention() {
    let db = TestDatabase::new().await.unwrap();
    seed(&db).await;
    let purged = purge_exclusively(&db.pool(), &cutoffs()).await.unwrap();
    assert_eq!(
        purged,
        Some(Purged {
            sessions: 2,
            audit_events: 2
        })
    );
    assert_eq!(audit_events_left(&db).await, 1, "the event at the cut-off");
    assert_eq!(
        purge_exclusively(&db.pool(), &cutoffs()).await.unwrap(),
        Some(Purged::default()),
        "a second pass finds nothing"
    );
    db.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn without_an_audit_cutoff_every_event_stays() {
    let db = TestDatabase::new().await.unwrap();
    seed(&db).await;
    let keep_events = RetentionCutoffs {
        audit_events_before: None,
        ..cutoffs()
    };
    let purged = purge_exclusively(&db.pool(), &keep_events).await.unwrap();
    assert_eq!(
        purged,
        Some(Purged {
            sessions: 2,
            audit_events: 0
        })
    );
    assert_eq!(audit_events_left(&db).await, 3);
    db.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pass_is_skipped_while_another_instance_holds_the_lock() {
    let db = TestDatabase::new().await.unwrap();
    seed(&db).await;
    let holder = db.pool();
    let mut conn = holder.get().await.unwrap();
    conn.begin_test_transaction().await.unwrap();
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('portcullis:retention'))")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        purge_exclusively(&db.pool(), &cutoffs()).await.unwrap(),
        None
    );
    assert_eq!(audit_events_left(&db).await, 3, "nothing deleted");
    drop(conn);
    db.close().await.unwrap();
}
