//! `pool_stats`: what `/metrics` reports about the pool.

use std::time::{Duration, Instant};

use portcullis_postgres::test_support::TestDatabase;
use portcullis_postgres::{PgConfig, PoolStats, build_pool, pool_stats};

#[tokio::test(flavor = "multi_thread")]
async fn pool_stats_count_idle_in_use_and_waiting_connections() {
    let db = TestDatabase::new().await.unwrap();
    let mut config = PgConfig::new(db.url());
    config.max_size = 2;
    config.wait_timeout = Duration::from_secs(10);
    let pool = build_pool(&config).unwrap();
    let stats = |idle, in_use, waiting| PoolStats {
        max_size: 2,
        idle,
        in_use,
        waiting,
    };
    assert_eq!(pool_stats(&pool), stats(0, 0, 0), "nothing opened yet");

    let first = pool.get().await.unwrap();
    assert_eq!(pool_stats(&pool), stats(0, 1, 0));
    drop(first);
    assert_eq!(pool_stats(&pool), stats(1, 0, 0), "back in the pool");

    let held = (pool.get().await.unwrap(), pool.get().await.unwrap());
    assert_eq!(pool_stats(&pool), stats(0, 2, 0));
    let waiter = tokio::spawn({
        let pool = pool.clone();
        async move { pool.get().await.map(drop).is_ok() }
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    while pool_stats(&pool).waiting == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(pool_stats(&pool), stats(0, 2, 1), "a caller waits");
    drop(held);
    assert!(waiter.await.unwrap(), "the waiter got a connection");
    assert_eq!(pool_stats(&pool), stats(2, 0, 0));
    db.close().await.unwrap();
}
