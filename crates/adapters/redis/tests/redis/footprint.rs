//! What one active session costs in Redis memory (`MEMORY USAGE`, all samples).

use portcullis_domain::ports::{NewFamily, RefreshTokenStore, Rotation, RotationVerdict};
use portcullis_domain::{DeviceFingerprint, RefreshToken, SessionId, TimeSpan, UserId};
use portcullis_testkit::{secs, t0};
use uuid::Uuid;

use crate::support::{Namespace, redis_url};

#[expect(clippy::expect_used, reason = "a test fixture")]
fn memory_usage(keys: &[String]) -> Vec<(String, usize)> {
    let mut con = redis::Client::open(redis_url())
        .and_then(|c| c.get_connection())
        .expect("sync connection");
    keys.iter()
        .map(|key| {
            let bytes: Option<usize> = redis::cmd("MEMORY")
                .arg("USAGE")
                .arg(key)
                .arg("SAMPLES")
                .arg(0)
                .query(&mut con)
                .expect("MEMORY USAGE");
            (key.clone(), bytes.unwrap_or(0))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn memory_per_active_session() {
    let ns = Namespace::new();
    let store = ns.stores().await.refresh_tokens;
    let session_id = SessionId::from_uuid(Uuid::now_v7());
    let token = |n: u8| RefreshToken::new(session_id, [n; 32]);
    let device = DeviceFingerprint::from_bytes([7; 32]);
    store
        .issue(&NewFamily {
            session_id,
            user_id: UserId::from_uuid(Uuid::now_v7()),
            token: token(0).hash(),
            fingerprint: device,
            idle_ttl: TimeSpan::days(7),
            absolute_expiry: t0() + TimeSpan::days(30),
            now: t0(),
        })
        .await
        .expect("issue");
    let mut report = Vec::new();
    let mut done = 0u8;
    for rotations in [0u8, 1, 2, 5, 20] {
        while done < rotations {
            let (presented, successor) = (token(done), token(done + 1));
            let verdict = store
                .rotate(&Rotation {
                    session_id,
                    presented: presented.hash(),
                    successor: successor.hash(),
                    sealed_successor: presented.seal(&successor),
                    fingerprint: device,
                    check_device: true,
                    grace: secs(3),
                    idle_ttl: TimeSpan::days(7),
                    now: t0() + secs(900 * i64::from(done + 1)),
                })
                .await
                .expect("rotate");
            assert!(matches!(verdict, RotationVerdict::Rotated { .. }));
            done += 1;
        }
        let usage = memory_usage(&ns.keys());
        let total: usize = usage.iter().map(|(_, bytes)| bytes).sum();
        report.push(format!(
            "after {rotations:>2} rotations: {total:>5} B {usage:?}"
        ));
        // Generous bounds: a regression guard, not a benchmark.
        assert!(
            total < 1024 + 128 * usize::from(rotations),
            "{total} B after {rotations} rotations"
        );
    }
    eprintln!("Redis memory of one session:\n{}", report.join("\n"));
}
