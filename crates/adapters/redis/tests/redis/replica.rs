//! The deny-list replica and the user cache: the contract, propagation between
//! instances, recovery of what a broken subscription missed, and fail-closed reads.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use portcullis_domain::ports::{SessionDenyList, UserListQuery, UserRepository, UserWriteError};
use portcullis_domain::{Email, SessionId, StoreError, Timestamp, User, UserId, Username};
use portcullis_redis::{RedisConfig, Replica, TRUSTED_FOR, connect};
use portcullis_testkit::{sample_user, secs};
use uuid::Uuid;

use crate::support::{Namespace, OwnServer, redis_url};

const SYNC: Duration = Duration::from_secs(5);

fn now() -> Timestamp {
    chrono::Utc::now()
}

fn session() -> SessionId {
    SessionId::from_uuid(Uuid::now_v7())
}

/// Two replicas (two "instances") over one prefix of `url`.
async fn pair(url: &str, prefix: &str) -> (Replica, Replica) {
    let config = RedisConfig::new(url).with_prefix(prefix);
    let a = Replica::start(connect(&config).await.unwrap().connection);
    let b = Replica::start(connect(&config).await.unwrap().connection);
    assert!(a.wait_trusted(SYNC).await, "replica A synced");
    assert!(b.wait_trusted(SYNC).await, "replica B synced");
    (a, b)
}

fn del(url: &str, key: &str) {
    let mut con = redis::Client::open(url).unwrap().get_connection().unwrap();
    let _: i64 = redis::cmd("DEL").arg(key).query(&mut con).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicated_deny_list_contract() {
    let ns = Namespace::new();
    portcullis_testkit::session_deny_list_contract(|| async {
        let replica = Replica::start(ns.stores().await.connection);
        assert!(replica.wait_trusted(SYNC).await, "replica synced");
        Arc::new(replica.deny_list()) as Arc<dyn SessionDenyList>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_denial_reaches_the_other_instance_within_a_second_and_is_then_read_locally() {
    let url = redis_url();
    let prefix = format!("portcullis-test:{}:", Uuid::new_v4().simple());
    let (a, b) = pair(&url, &prefix).await;
    let (on_a, on_b) = (a.deny_list(), b.deny_list());
    let s = session();
    assert!(!on_b.is_denied(s, now()).await.unwrap());

    on_a.deny(s, secs(900), now()).await.unwrap();
    let started = Instant::now();
    // The key is gone from Redis: only B's replica can still know.
    del(&url, &format!("{prefix}deny:{{{s}}}"));
    loop {
        if on_b.is_denied(s, now()).await.unwrap() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "B learnt of the denial within 1 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(b.is_trusted(), "answered from the replica, not from Redis");
    assert!(on_a.is_denied(s, now()).await.unwrap(), "A knew at once");
    assert!(!on_b.is_denied(session(), now()).await.unwrap());
    assert!(
        !on_b.is_denied(s, now() + secs(901)).await.unwrap(),
        "the denial ends with its ttl"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_resubscribed_replica_loads_what_it_missed_and_an_unreachable_one_fails_closed() {
    let Some(mut server) = OwnServer::start() else {
        eprintln!("skipped: no redis-server binary to kill");
        return;
    };
    let url = server.url();
    let prefix = "replica-faults:";
    let (a, b) = pair(&url, prefix).await;
    let on_b = b.deny_list();

    // Cut every subscription, then deny while nobody listens: the message is lost.
    let mut con = redis::Client::open(url.as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    let _: i64 = redis::cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("pubsub")
        .query(&mut con)
        .unwrap();
    let s = session();
    a.deny_list().deny(s, secs(900), now()).await.unwrap();
    // Whatever B answers now comes from Redis or from a fresh snapshot: never "not denied".
    assert!(on_b.is_denied(s, now()).await.unwrap());
    tokio::time::sleep(TRUSTED_FOR).await;
    assert!(b.wait_trusted(SYNC).await, "B subscribed again");
    del(&url, &format!("{prefix}deny:{{{s}}}"));
    assert!(
        on_b.is_denied(s, now()).await.unwrap(),
        "the snapshot taken on resubscribing holds the denial B missed"
    );

    // Redis gone: once trust lapses B neither trusts its copy nor fails open.
    server.kill();
    tokio::time::sleep(TRUSTED_FOR + Duration::from_millis(100)).await;
    assert!(!b.is_trusted());
    assert!(matches!(
        on_b.is_denied(session(), now()).await,
        Err(StoreError::Unavailable(_))
    ));
    assert!(server.restart());
    assert!(b.wait_trusted(SYNC).await, "B recovers without a restart");
}

/// A user store that counts reads and writes.
#[derive(Default)]
struct CountingUsers {
    reads: AtomicUsize,
    user: std::sync::Mutex<Option<User>>,
}

#[async_trait]
impl UserRepository for CountingUsers {
    async fn insert(&self, _: &User) -> Result<(), UserWriteError> {
        Ok(())
    }
    async fn find_by_id(&self, _: UserId) -> Result<Option<User>, StoreError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        Ok(self.user.lock().unwrap().clone())
    }
    async fn find_by_email(&self, _: &Email) -> Result<Option<User>, StoreError> {
        Ok(None)
    }
    async fn find_by_username(&self, _: &Username) -> Result<Option<User>, StoreError> {
        Ok(None)
    }
    async fn update(&self, user: &User) -> Result<(), UserWriteError> {
        *self.user.lock().unwrap() = Some(user.clone());
        Ok(())
    }
    async fn delete(&self, _: UserId) -> Result<bool, UserWriteError> {
        Ok(self.user.lock().unwrap().take().is_some())
    }
    async fn list(&self, _: &UserListQuery) -> Result<Vec<User>, StoreError> {
        Ok(Vec::new())
    }
    async fn count_admins(&self) -> Result<u64, StoreError> {
        Ok(0)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_user_write_on_one_instance_drops_the_cached_copy_on_the_other() {
    let _ns = Namespace::new();
    let prefix = format!("portcullis-test:{}:", Uuid::new_v4().simple());
    let (a, b) = pair(&redis_url(), &prefix).await;
    let user = sample_user("cached@example.com");
    let store = Arc::new(CountingUsers::default());
    *store.user.lock().unwrap() = Some(user.clone());
    let on_a = a.cached_users(store.clone());
    let on_b = b.cached_users(store.clone());

    for _ in 0..5 {
        assert_eq!(on_b.find_by_id(user.id).await.unwrap(), Some(user.clone()));
    }
    assert_eq!(
        store.reads.load(Ordering::SeqCst),
        1,
        "B read the store once"
    );

    let mut renamed = user.clone();
    renamed.name = portcullis_domain::DisplayName::parse("Renamed").unwrap();
    on_a.update(&renamed).await.unwrap();
    let started = Instant::now();
    while on_b.find_by_id(user.id).await.unwrap() != Some(renamed.clone()) {
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "B serves the new version within 1 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    on_a.delete(user.id).await.unwrap();
    let started = Instant::now();
    while on_b.find_by_id(user.id).await.unwrap().is_some() {
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "B forgets a deleted user"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn big(limit: u32) -> portcullis_domain::ports::RateLimitPolicy {
    portcullis_domain::ports::RateLimitPolicy {
        limit,
        window: secs(60),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_large_budget_is_leased_yet_counted_exactly_on_one_instance() {
    use portcullis_domain::ports::RateLimiter;
    let ns = Namespace::new();
    let limiter = ns.stores().await.rate_limiter;
    let at = now();
    let counted = || -> u32 {
        let keys = ns.keys();
        let mut con = redis::Client::open(redis_url())
            .unwrap()
            .get_connection()
            .unwrap();
        redis::cmd("HGET")
            .arg(&keys[0])
            .arg("n")
            .query(&mut con)
            .unwrap()
    };
    for expected in (0..1000).rev() {
        let decision = limiter.check("hot", big(1000), at).await.unwrap();
        assert!(decision.allowed);
        assert_eq!(decision.remaining, expected, "exact remaining");
        if expected == 999 {
            // The first call leased a sixteenth of the budget: 62 requests for one
            // round trip.
            assert_eq!(counted(), 62);
        }
    }
    assert!(!limiter.check("hot", big(1000), at).await.unwrap().allowed);
    assert_eq!(counted(), 1000, "every granted request is counted in Redis");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn leases_on_two_instances_never_exceed_the_limit() {
    use portcullis_domain::ports::RateLimiter;
    let ns = Namespace::new();
    let a = ns.stores().await;
    // The same prefix for both: rebuild B over A's connection settings.
    let b = portcullis_redis::RedisRateLimiter::new(a.connection.clone());
    let at = now();
    let mut allowed = 0;
    for i in 0..1200 {
        let limiter: &dyn RateLimiter = if i % 3 == 0 { &b } else { &a.rate_limiter };
        if limiter
            .check("shared", big(1000), at)
            .await
            .unwrap()
            .allowed
        {
            allowed += 1;
        }
    }
    assert!(allowed <= 1000, "never more than the limit: {allowed}");
    assert!(
        allowed >= 1000 - 2 * 64,
        "at most one lease stranded per instance: {allowed}"
    );
}
