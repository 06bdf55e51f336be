//! What the stores answer when Redis is down, silent, broken or back.

use std::future::Future;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use portcullis_domain::ports::{
    LockoutPolicy, LockoutStore, NewFamily, RateLimitPolicy, RateLimiter, RefreshTokenStore,
    Rotation, SessionDenyList,
};
use portcullis_domain::{
    DeviceFingerprint, RefreshToken, SessionId, StoreError, TimeSpan, Timestamp, UserId,
};
use portcullis_redis::{RedisConfig, RedisStores, connect, ping};
use portcullis_testkit::{secs, t0};
use uuid::Uuid;

use crate::support::{Namespace, OwnServer, free_port};

/// The brief's bound on a failing call, with room for a loaded CI machine.
const BOUND: Duration = Duration::from_millis(2500);

/// Awaits `call`, asserting it fails with `Unavailable` within [`BOUND`].
async fn unavailable<T: std::fmt::Debug>(
    what: &str,
    call: impl Future<Output = Result<T, StoreError>>,
) {
    let started = Instant::now();
    let result = call.await;
    let took = started.elapsed();
    assert!(
        matches!(result, Err(StoreError::Unavailable(_))),
        "{what}: {result:?}, expected Unavailable"
    );
    assert!(took < BOUND, "{what} took {took:?}");
}

fn family(now: Timestamp) -> (NewFamily, RefreshToken) {
    let session_id = SessionId::from_uuid(Uuid::now_v7());
    let token = RefreshToken::new(session_id, [1; 32]);
    let family = NewFamily {
        session_id,
        user_id: UserId::from_uuid(Uuid::now_v7()),
        token: token.hash(),
        fingerprint: DeviceFingerprint::from_bytes([0; 32]),
        idle_ttl: TimeSpan::days(14),
        absolute_expiry: now + TimeSpan::days(30),
        now,
    };
    (family, token)
}

fn rotation(family: &NewFamily, presented: &RefreshToken, now: Timestamp) -> Rotation {
    let successor = RefreshToken::new(family.session_id, [2; 32]);
    Rotation {
        session_id: family.session_id,
        presented: presented.hash(),
        successor: successor.hash(),
        sealed_successor: presented.seal(&successor),
        fingerprint: family.fingerprint,
        check_device: true,
        grace: secs(3),
        idle_ttl: family.idle_ttl,
        now,
    }
}

/// Every method of every store answers `Unavailable` in time.
async fn all_unavailable(stores: &RedisStores) {
    let (f, token) = family(t0());
    let policy = LockoutPolicy {
        threshold: 3,
        window: secs(60),
        duration: secs(60),
    };
    let budget = RateLimitPolicy {
        limit: 5,
        window: secs(60),
    };
    let s = stores;
    unavailable("ping", ping(&s.connection)).await;
    unavailable("issue", s.refresh_tokens.issue(&f)).await;
    let r = rotation(&f, &token, t0());
    unavailable("rotate", s.refresh_tokens.rotate(&r)).await;
    let revoke = s.refresh_tokens.revoke_family(f.session_id);
    unavailable("revoke_family", revoke).await;
    unavailable("revoke_user", s.refresh_tokens.revoke_user(f.user_id)).await;
    unavailable("check", s.rate_limiter.check("k", budget, t0())).await;
    unavailable("locked_until", s.lockout.locked_until("id", t0())).await;
    let failure = s.lockout.record_failure("id", policy, t0());
    unavailable("record_failure", failure).await;
    unavailable("clear", s.lockout.clear("id")).await;
    let deny = s.deny_list.deny(f.session_id, secs(60), t0());
    unavailable("deny", deny).await;
    unavailable("is_denied", s.deny_list.is_denied(f.session_id, t0())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_listening_is_unavailable_in_time() {
    let config = RedisConfig::new(format!("redis://127.0.0.1:{}", free_port()));
    let started = Instant::now();
    let stores = connect(&config)
        .await
        .expect("connect does not need Redis up");
    assert!(
        started.elapsed() < BOUND,
        "connect took {:?}",
        started.elapsed()
    );
    all_unavailable(&stores).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_answers_is_unavailable_in_time() {
    // Accepts connections (the kernel's backlog does) and never says a word.
    let silent = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let config = RedisConfig::new(format!("redis://127.0.0.1:{port}"))
        .with_timeouts(Duration::from_millis(200), Duration::from_millis(200));
    let stores = connect(&config).await.expect("connect");
    all_unavailable(&stores).await;
    drop(silent);
}

#[tokio::test(flavor = "multi_thread")]
async fn script_and_type_errors_are_unexpected() {
    let ns = Namespace::new();
    let stores = ns.stores().await;
    let (f, token) = family(t0());
    stores.refresh_tokens.issue(&f).await.expect("issue");
    // Break the family: a string where the script expects a hash.
    let key = ns
        .keys()
        .into_iter()
        .find(|k| k.contains(":rt:{"))
        .expect("the family key");
    let mut con = redis::Client::open(crate::support::redis_url())
        .and_then(|c| c.get_connection())
        .expect("sync connection");
    let _: () = redis::cmd("SET")
        .arg(&key)
        .arg("x")
        .query(&mut con)
        .expect("SET");
    let result = stores
        .refresh_tokens
        .rotate(&rotation(&f, &token, t0()))
        .await;
    assert!(
        matches!(result, Err(StoreError::Unexpected(_))),
        "{result:?}, expected Unexpected"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reconnects_when_redis_comes_back() {
    let Some(mut server) = OwnServer::start() else {
        eprintln!("SKIPPED reconnects_when_redis_comes_back: no redis-server binary");
        return;
    };
    let stores = connect(&RedisConfig::new(server.url()))
        .await
        .expect("connect");
    let (f, token) = family(t0());
    stores
        .refresh_tokens
        .issue(&f)
        .await
        .expect("issue while up");

    server.kill();
    unavailable(
        "rotate while down",
        stores.refresh_tokens.rotate(&rotation(&f, &token, t0())),
    )
    .await;
    unavailable(
        "is_denied while down",
        stores.deny_list.is_denied(f.session_id, t0()),
    )
    .await;

    assert!(server.restart());
    let started = Instant::now();
    let back = loop {
        match ping(&stores.connection).await {
            Ok(()) => break started.elapsed(),
            Err(StoreError::Unavailable(_)) if started.elapsed() < Duration::from_secs(10) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(err) => panic!("no reconnection after {:?}: {err:?}", started.elapsed()),
        }
    };
    eprintln!("reconnected {back:?} after the restart");
    // The restarted server is empty (no persistence): the store works on it again.
    let (g, token) = family(t0());
    stores
        .refresh_tokens
        .issue(&g)
        .await
        .expect("issue after the restart");
    let verdict = stores
        .refresh_tokens
        .rotate(&rotation(&g, &token, t0()))
        .await;
    assert!(
        matches!(
            verdict,
            Ok(portcullis_domain::ports::RotationVerdict::Rotated { .. })
        ),
        "{verdict:?}"
    );
}
