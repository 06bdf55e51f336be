//! Micro-benchmarks of the per-request work that sits on every hot path:
//! access-token verification, the refresh-token digest, and the rate-limit check of the
//! in-memory adapter. `cargo bench -p portcullis-bench` (the full `just bench` runs it
//! and puts the medians in its table; ids must match `report::MICRO_BENCHES`).

#![expect(
    clippy::expect_used,
    reason = "a benchmark whose set-up fails must stop loudly"
)]

use std::future::Future;
use std::hint::black_box;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis_crypto::{JwtCodec, JwtConfig, JwtKey};
use portcullis_domain::ports::{AccessTokenCodec, RateLimitPolicy, RateLimiter};
use portcullis_domain::{AccessClaims, RefreshToken, Role, SessionId, TimeSpan, UserId};
use portcullis_memory::MemoryRateLimiter;
use uuid::Uuid;

/// Polls a future that never waits (the in-memory adapter's) to completion.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the in-memory rate limiter never waits"),
    }
}

fn jwt_verify(c: &mut Criterion) {
    let codec = JwtCodec::new(JwtConfig {
        issuer: "https://auth.example.com".to_owned(),
        audience: "portcullis".to_owned(),
        leeway: JwtConfig::DEFAULT_LEEWAY,
        key: JwtKey::Hs256 {
            secret: b"bench-secret-that-is-long-enough-0123456789".to_vec(),
        },
    })
    .expect("codec");
    let now = chrono::Utc::now();
    let claims = AccessClaims {
        user_id: UserId::from_uuid(Uuid::now_v7()),
        session_id: SessionId::from_uuid(Uuid::now_v7()),
        role: Role::User,
        issued_at: now,
        expires_at: now + TimeSpan::minutes(15),
        token_id: Uuid::new_v4(),
    };
    let token = codec.sign(&claims).expect("sign");
    c.bench_function("jwt_verify_hs256", |b| {
        b.iter(|| codec.verify(black_box(token.expose()), now).expect("valid"));
    });
}

fn refresh_hash(c: &mut Criterion) {
    let token = RefreshToken::new(SessionId::from_uuid(Uuid::now_v7()), [7; 32]);
    c.bench_function("refresh_token_hash", |b| {
        b.iter(|| black_box(&token).hash())
    });
}

fn rate_limit(c: &mut Criterion) {
    let limiter = MemoryRateLimiter::new();
    let policy = RateLimitPolicy {
        limit: u32::MAX,
        window: TimeSpan::minutes(1),
    };
    let now = chrono::Utc::now();
    c.bench_function("rate_limit_check_memory", |b| {
        b.iter(|| {
            ready(limiter.check(black_box("users:127.0.0.1"), policy, now)).expect("decision")
        });
    });
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
}

criterion_group! {
    name = micro;
    config = config();
    targets = jwt_verify, refresh_hash, rate_limit
}
criterion_main!(micro);
