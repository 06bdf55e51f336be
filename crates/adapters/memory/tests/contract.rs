//! Every port contract suite of `portcullis-testkit`, run against the memory adapters.

use std::sync::Arc;

use portcullis_domain::ports::{
    AuditLog, LockoutStore, MfaRepository, OAuthIdentityRepository, OneTimeTokenRepository,
    RateLimiter, RefreshTokenStore, SessionDenyList, SessionRepository, UserRepository,
};
use portcullis_memory::{
    MemoryAuditLog, MemoryDenyList, MemoryLockoutStore, MemoryMfaRepository, MemoryOAuthIdentities,
    MemoryOneTimeTokens, MemoryRateLimiter, MemoryRefreshTokenStore, MemorySessionRepository,
    MemoryUserRepository,
};
use portcullis_testkit::WithUsers;

/// A store of account-owned rows, paired with a fresh user repository.
fn with_users<P: ?Sized>(store: Arc<P>) -> WithUsers<P> {
    let users: Arc<dyn UserRepository> = Arc::new(MemoryUserRepository::new());
    WithUsers::new(store, users)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn user_repository() {
    portcullis_testkit::user_repository_contract(|| async {
        Arc::new(MemoryUserRepository::new()) as Arc<dyn UserRepository>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn session_repository() {
    portcullis_testkit::session_repository_contract(|| async {
        with_users(Arc::new(MemorySessionRepository::new()) as Arc<dyn SessionRepository>)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refresh_token_store() {
    portcullis_testkit::refresh_token_store_contract(|| async {
        Arc::new(MemoryRefreshTokenStore::new()) as Arc<dyn RefreshTokenStore>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_limiter() {
    portcullis_testkit::rate_limiter_contract(|| async {
        Arc::new(MemoryRateLimiter::new()) as Arc<dyn RateLimiter>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lockout_store() {
    portcullis_testkit::lockout_store_contract(|| async {
        Arc::new(MemoryLockoutStore::new()) as Arc<dyn LockoutStore>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn session_deny_list() {
    portcullis_testkit::session_deny_list_contract(|| async {
        Arc::new(MemoryDenyList::new()) as Arc<dyn SessionDenyList>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn audit_log() {
    portcullis_testkit::audit_log_contract(|| async {
        Arc::new(MemoryAuditLog::new()) as Arc<dyn AuditLog>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_time_token_repository() {
    portcullis_testkit::one_time_token_repository_contract(|| async {
        with_users(Arc::new(MemoryOneTimeTokens::new()) as Arc<dyn OneTimeTokenRepository>)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn oauth_identity_repository() {
    portcullis_testkit::oauth_identity_repository_contract(|| async {
        with_users(Arc::new(MemoryOAuthIdentities::new()) as Arc<dyn OAuthIdentityRepository>)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mfa_repository() {
    portcullis_testkit::mfa_repository_contract(|| async {
        with_users(Arc::new(MemoryMfaRepository::new()) as Arc<dyn MfaRepository>)
    })
    .await;
}
