//! Races the issue names explicitly, checked in the table itself.

use std::sync::Arc;

use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use portcullis_domain::ports::{UserRepository, UserWriteError};
use portcullis_postgres::PgStores;
use portcullis_postgres::test_support::TestDatabase;
use portcullis_testkit::{sample_user, username};
use tokio::sync::Barrier;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// 50 registrations of one email (in different cases), released together on two
/// "instances" (two pools on one database): exactly one row, 49 `EmailTaken`.
#[tokio::test(flavor = "multi_thread")]
async fn fifty_concurrent_registrations_of_one_email_store_one_row() {
    let db = TestDatabase::new().await.unwrap();
    let other_instance = PgStores::new(
        portcullis_postgres::build_pool(&{
            let mut config = portcullis_postgres::PgConfig::new(db.url());
            config.max_size = 8;
            config
        })
        .unwrap(),
    );
    let instances: [Arc<dyn UserRepository>; 2] = [db.stores().users, other_instance.users];
    let barrier = Arc::new(Barrier::new(50));
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let repo = Arc::clone(&instances[i % 2]);
            let barrier = Arc::clone(&barrier);
            let address = if i % 3 == 0 {
                "Race@Example.com"
            } else {
                "race@example.com"
            };
            let mut user = sample_user(address);
            user.username = Some(username(&format!("racer{i}")));
            tokio::spawn(async move {
                barrier.wait().await;
                repo.insert(&user).await
            })
        })
        .collect();
    let mut ok = 0;
    let mut taken = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => ok += 1,
            Err(UserWriteError::EmailTaken) => taken += 1,
            Err(other) => panic!("unexpected outcome: {other:?}"),
        }
    }
    assert_eq!((ok, taken), (1, 49));
    let mut conn = db.pool().get().await.unwrap();
    let rows: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM users WHERE lower(email) = 'race@example.com'",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(rows.n, 1);
    drop(conn);
    db.close().await.unwrap();
}
