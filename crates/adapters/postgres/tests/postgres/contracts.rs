//! Every shared port contract suite, run against Postgres: each clause on its own
//! database.

use std::sync::Arc;

use portcullis_domain::ports::{
    AuditLog, MfaRepository, OAuthIdentityRepository, OneTimeTokenRepository, SessionRepository,
    UserRepository,
};
use portcullis_postgres::{
    PgAuditLog, PgMfaRepository, PgOAuthIdentities, PgOneTimeTokens, PgSessionRepository,
    PgUserRepository,
};
use portcullis_testkit::{
    WithUsers, audit_log_contract, mfa_repository_contract, oauth_identity_repository_contract,
    one_time_token_repository_contract, session_repository_contract, user_repository_contract,
};

use crate::support::Databases;

fn users_of(pool: &portcullis_postgres::PgPool) -> Arc<dyn UserRepository> {
    Arc::new(PgUserRepository::new(pool.clone()))
}

#[tokio::test(flavor = "multi_thread")]
async fn user_repository() {
    let dbs = Databases::default();
    user_repository_contract(|| {
        let dbs = dbs.clone();
        async move { users_of(&dbs.fresh().await) }
    })
    .await;
    dbs.close("UserRepository").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn session_repository() {
    let dbs = Databases::default();
    session_repository_contract(|| {
        let dbs = dbs.clone();
        async move {
            let pool = dbs.fresh().await;
            let store: Arc<dyn SessionRepository> =
                Arc::new(PgSessionRepository::new(pool.clone()));
            WithUsers::new(store, users_of(&pool))
        }
    })
    .await;
    dbs.close("SessionRepository").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_log() {
    let dbs = Databases::default();
    audit_log_contract(|| {
        let dbs = dbs.clone();
        async move { Arc::new(PgAuditLog::new(dbs.fresh().await)) as Arc<dyn AuditLog> }
    })
    .await;
    dbs.close("AuditLog").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_time_token_repository() {
    let dbs = Databases::default();
    one_time_token_repository_contract(|| {
        let dbs = dbs.clone();
        async move {
            let pool = dbs.fresh().await;
            let store: Arc<dyn OneTimeTokenRepository> =
                Arc::new(PgOneTimeTokens::new(pool.clone()));
            WithUsers::new(store, users_of(&pool))
        }
    })
    .await;
    dbs.close("OneTimeTokenRepository").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn oauth_identity_repository() {
    let dbs = Databases::default();
    oauth_identity_repository_contract(|| {
        let dbs = dbs.clone();
        async move {
            let pool = dbs.fresh().await;
            let store: Arc<dyn OAuthIdentityRepository> =
                Arc::new(PgOAuthIdentities::new(pool.clone()));
            WithUsers::new(store, users_of(&pool))
        }
    })
    .await;
    dbs.close("OAuthIdentityRepository").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mfa_repository() {
    let dbs = Databases::default();
    mfa_repository_contract(|| {
        let dbs = dbs.clone();
        async move {
            let pool = dbs.fresh().await;
            let store: Arc<dyn MfaRepository> = Arc::new(PgMfaRepository::new(pool.clone()));
            WithUsers::new(store, users_of(&pool))
        }
    })
    .await;
    dbs.close("MfaRepository").await;
}
