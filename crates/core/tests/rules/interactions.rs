//! Interaction tests with mockall: which ports are called, with what, how often.

use std::sync::Arc;

use mockall::predicate::eq;
use portcullis_core::{AuthPolicy, AuthService, Deps, LoginError, LoginIdentifier, RefreshError};
use portcullis_domain::ports::{
    MockLockoutStore, MockPasswordHasher, MockRefreshTokenStore, MockSessionDenyList,
    MockSessionRepository, RotationVerdict,
};
use portcullis_domain::{
    Email, PlainPassword, RefreshToken, RevokeReason, SessionId, TimeSpan, UserId,
};
use portcullis_memory::{
    MemoryAuditLog, MemoryDenyList, MemoryLockoutStore, MemoryRefreshTokenStore,
    MemorySessionRepository, MemoryUserRepository,
};
use portcullis_testkit::{CounterRandom, ManualClock, SequentialIds};

use crate::support::{FakeCodec, FakeHasher, device};

fn deps() -> Deps {
    Deps {
        users: Arc::new(MemoryUserRepository::new()),
        sessions: Arc::new(MemorySessionRepository::new()),
        refresh_tokens: Arc::new(MemoryRefreshTokenStore::new()),
        deny_list: Arc::new(MemoryDenyList::new()),
        lockout: Arc::new(MemoryLockoutStore::new()),
        limiter: Arc::new(portcullis_memory::MemoryRateLimiter::new()),
        one_time_tokens: Arc::new(portcullis_memory::MemoryOneTimeTokens::new()),
        notifier: Arc::new(NullNotifier),
        mfa: Arc::new(portcullis_memory::MemoryMfaRepository::new()),
        sealer: Arc::new(crate::support::FakeSealer),
        hasher: Arc::new(FakeHasher::default()),
        codec: Arc::new(FakeCodec),
        audit: Arc::new(MemoryAuditLog::new()),
        clock: Arc::new(ManualClock::new(portcullis_testkit::t0())),
        ids: Arc::new(SequentialIds::new()),
        random: Arc::new(CounterRandom::new()),
    }
}

fn ids() -> (SessionId, UserId) {
    (
        SessionId::parse("01900000-0000-7000-8000-000000000001").unwrap(),
        UserId::parse("01900000-0000-7000-8000-000000000002").unwrap(),
    )
}

#[tokio::test]
async fn a_detected_reuse_revokes_that_session_once_and_denies_its_access_tokens() {
    let (sid, uid) = ids();
    let mut store = MockRefreshTokenStore::new();
    store
        .expect_rotate()
        .times(1)
        .returning(move |_| Ok(RotationVerdict::Reused { user_id: uid }));
    store
        .expect_revoke_family()
        .with(eq(sid))
        .times(1)
        .returning(|_| Ok(()));
    let mut sessions = MockSessionRepository::new();
    sessions
        .expect_revoke()
        .withf(move |id, reason, _| *id == sid && *reason == RevokeReason::Reused)
        .times(1)
        .returning(|_, _, _| Ok(true));
    let mut deny = MockSessionDenyList::new();
    let policy = AuthPolicy::default();
    let ttl = policy.deny_ttl();
    deny.expect_deny()
        .withf(move |id, t, _| *id == sid && *t == ttl)
        .times(1)
        .returning(|_, _, _| Ok(()));

    let service = AuthService::new(
        Deps {
            refresh_tokens: Arc::new(store),
            sessions: Arc::new(sessions),
            deny_list: Arc::new(deny),
            ..deps()
        },
        policy,
    );
    let token = RefreshToken::new(sid, [3; 32]);
    let err = service
        .refresh(token.expose(), &device("d"))
        .await
        .unwrap_err();
    assert!(matches!(err, RefreshError::Reused));
}

#[tokio::test]
async fn a_locked_identifier_never_reaches_the_hasher_or_the_user_store() {
    let mut lockout = MockLockoutStore::new();
    lockout
        .expect_locked_until()
        .withf(|key, _| key == "email:a@example.com")
        .times(1)
        .returning(|_, now| Ok(Some(now + TimeSpan::minutes(3))));
    // No expectations: any call to the hasher fails the test.
    let hasher = MockPasswordHasher::new();
    let service = AuthService::new(
        Deps {
            lockout: Arc::new(lockout),
            hasher: Arc::new(hasher),
            ..deps()
        },
        AuthPolicy::default(),
    );
    let err = service
        .login(
            LoginIdentifier::Email(Email::parse("A@Example.com").unwrap()),
            PlainPassword::new_unchecked("whatever it is".into()),
            &device("d"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, LoginError::AccountLocked { retry_after } if retry_after == TimeSpan::minutes(3))
    );
}

#[tokio::test]
async fn an_unavailable_token_store_is_a_failure_not_an_invalid_token() {
    let (sid, _) = ids();
    let mut store = MockRefreshTokenStore::new();
    store.expect_rotate().returning(|_| {
        Err(portcullis_domain::StoreError::unavailable(anyhow::anyhow!(
            "connection refused"
        )))
    });
    let service = AuthService::new(
        Deps {
            refresh_tokens: Arc::new(store),
            ..deps()
        },
        AuthPolicy::default(),
    );
    let err = service
        .refresh(RefreshToken::new(sid, [1; 32]).expose(), &device("d"))
        .await
        .unwrap_err();
    let RefreshError::Failure(failure) = err else {
        panic!("{err:?}")
    };
    assert!(failure.is_unavailable());
}

/// Drops every notice (these tests do not read mail).
struct NullNotifier;

#[async_trait::async_trait]
impl portcullis_domain::ports::Notifier for NullNotifier {
    async fn notify(
        &self,
        _: &portcullis_domain::Email,
        _: &portcullis_domain::Notice,
    ) -> Result<(), portcullis_domain::StoreError> {
        Ok(())
    }
}
