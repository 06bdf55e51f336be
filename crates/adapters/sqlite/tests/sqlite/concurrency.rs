//! The races the issue names, checked in the table itself, with timings (visible with
//! `--nocapture`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::sql_types::BigInt;
use diesel::{QueryableByName, RunQueryDsl as _};
use portcullis_domain::ports::{UserRepository, UserWriteError};
use portcullis_domain::{SessionId, StoreError};
use portcullis_sqlite::SqliteStores;
use portcullis_testkit::{sample_session, sample_user, secs, t0, username};
use tokio::sync::Barrier;

use crate::support::{TempDb, chain};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Spawns `n` tasks released together by a barrier; returns each output with the time
/// it took from the release, and the wall time of the whole burst.
async fn burst<T, F, Fut>(n: usize, task: F) -> (Vec<(T, Duration)>, Duration)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let barrier = Arc::new(Barrier::new(n + 1));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let fut = task(i);
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                let started = Instant::now();
                let out = fut.await;
                (out, started.elapsed())
            })
        })
        .collect();
    barrier.wait().await;
    let started = Instant::now();
    let mut out = Vec::with_capacity(n);
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    (out, started.elapsed())
}

fn report(what: &str, mut latencies: Vec<Duration>, wall: Duration) {
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    eprintln!(
        "{what}: {} ops in {wall:?}; latency p50 {:?} / p90 {:?} / max {:?}",
        latencies.len(),
        at(0.5),
        at(0.9),
        at(1.0)
    );
}

fn is_locked(err: &StoreError) -> bool {
    chain(err).contains("locked")
}

/// 50 registrations of one email (in different cases), released together on two
/// "instances" (two `SqliteStores` on one file, each with its own writer, as two
/// processes would be): exactly one row, 49 `EmailTaken`, no `database is locked`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_registrations_of_one_email_store_one_row() {
    let db = TempDb::new().await;
    let other = SqliteStores::open(db.path()).await.unwrap();
    let instances: [Arc<dyn UserRepository>; 2] = [Arc::clone(&db.stores.users), other.users];
    let (results, wall) = burst(50, |i| {
        let repo = Arc::clone(&instances[i % 2]);
        let address = if i % 3 == 0 {
            "Race@Example.com"
        } else {
            "race@example.com"
        };
        let mut user = sample_user(address);
        user.username = Some(username(&format!("racer{i}")));
        async move { repo.insert(&user).await }
    })
    .await;
    let (mut ok, mut taken) = (0, 0);
    let mut latencies = Vec::new();
    for (result, took) in results {
        latencies.push(took);
        match result {
            Ok(()) => ok += 1,
            Err(UserWriteError::EmailTaken) => taken += 1,
            Err(UserWriteError::Store(err)) if is_locked(&err) => {
                panic!("database is locked: {}", chain(&err))
            }
            Err(other) => panic!("unexpected outcome: {other:?}"),
        }
    }
    assert_eq!((ok, taken), (1, 49));
    let rows: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM users WHERE lower(email) = 'race@example.com'",
    )
    .get_result(&mut db.raw())
    .unwrap();
    assert_eq!(rows.n, 1);
    report(
        "50 registrations of one email, two instances",
        latencies,
        wall,
    );
}

/// 50 logins of one user at once (session creates with a cap of 3): no error, exactly
/// 3 sessions stay active, the other 47 are reported evicted exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_logins_keep_the_cap_without_locking_errors() {
    const CAP: u32 = 3;
    let db = TempDb::new().await;
    let user = sample_user("busy@example.com");
    db.stores.users.insert(&user).await.unwrap();
    let sessions = Arc::clone(&db.stores.sessions);
    let (results, wall) = burst(50, |i| {
        let sessions = Arc::clone(&sessions);
        let session = sample_session(user.id, t0() + secs(i64::try_from(i).unwrap()));
        async move { sessions.create(&session, CAP).await }
    })
    .await;
    let mut evicted: Vec<SessionId> = Vec::new();
    let mut latencies = Vec::new();
    for (result, took) in results {
        latencies.push(took);
        match result {
            Ok(ids) => evicted.extend(ids),
            Err(err) => panic!(
                "a login failed (locked: {}): {}",
                is_locked(&err),
                chain(&err)
            ),
        }
    }
    let unique: std::collections::HashSet<_> = evicted.iter().collect();
    assert_eq!(
        unique.len(),
        evicted.len(),
        "an eviction was reported twice"
    );
    assert_eq!(evicted.len(), 47);
    let active = db
        .stores
        .sessions
        .list_active(user.id, t0() + secs(3600))
        .await
        .unwrap();
    assert_eq!(active.len(), CAP as usize);
    assert!(active.iter().all(|s| !unique.contains(&s.id)));
    report(
        "50 concurrent logins (session create, cap 3)",
        latencies,
        wall,
    );
}

/// Reads keep flowing while the writer is busy (WAL: readers never wait for it), and
/// a mixed burst of reads and writes sees no error.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reads_and_writes_mix_without_errors() {
    let db = TempDb::new().await;
    let user = sample_user("mixed@example.com");
    db.stores.users.insert(&user).await.unwrap();
    let stores = db.stores.clone();
    let (results, wall) = burst(200, |i| {
        let stores = stores.clone();
        let session = sample_session(user.id, t0() + secs(i64::try_from(i).unwrap()));
        async move {
            if i % 4 == 0 {
                stores.sessions.create(&session, 1000).await.map(|_| ())
            } else {
                stores
                    .users
                    .find_by_id(user.id)
                    .await
                    .map(|found| assert!(found.is_some()))
            }
        }
    })
    .await;
    let mut latencies = Vec::new();
    for (result, took) in results {
        result.unwrap();
        latencies.push(took);
    }
    let active = db.stores.sessions.list_active(user.id, t0()).await.unwrap();
    assert_eq!(active.len(), 50);
    report(
        "200 mixed operations (1/4 session creates, 3/4 user reads)",
        latencies,
        wall,
    );
}
