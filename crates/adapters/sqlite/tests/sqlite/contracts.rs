//! Every shared port contract suite, run against SQLite: each clause on its own file.

use portcullis_testkit::{
    WithUsers, audit_log_contract, mfa_repository_contract, oauth_identity_repository_contract,
    one_time_token_repository_contract, session_repository_contract, user_repository_contract,
};

use crate::support::Databases;

#[tokio::test(flavor = "multi_thread")]
async fn user_repository() {
    let dbs = Databases::default();
    user_repository_contract(|| {
        let dbs = dbs.clone();
        async move { dbs.fresh().await.users }
    })
    .await;
    assert!(dbs.count() > 10, "one database per clause");
}

#[tokio::test(flavor = "multi_thread")]
async fn session_repository() {
    let dbs = Databases::default();
    session_repository_contract(|| {
        let dbs = dbs.clone();
        async move {
            let stores = dbs.fresh().await;
            WithUsers::new(stores.sessions, stores.users)
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_log() {
    let dbs = Databases::default();
    audit_log_contract(|| {
        let dbs = dbs.clone();
        async move { dbs.fresh().await.audit }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_time_token_repository() {
    let dbs = Databases::default();
    one_time_token_repository_contract(|| {
        let dbs = dbs.clone();
        async move {
            let stores = dbs.fresh().await;
            WithUsers::new(stores.one_time_tokens, stores.users)
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn oauth_identity_repository() {
    let dbs = Databases::default();
    oauth_identity_repository_contract(|| {
        let dbs = dbs.clone();
        async move {
            let stores = dbs.fresh().await;
            WithUsers::new(stores.oauth_identities, stores.users)
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mfa_repository() {
    let dbs = Databases::default();
    mfa_repository_contract(|| {
        let dbs = dbs.clone();
        async move {
            let stores = dbs.fresh().await;
            WithUsers::new(stores.mfa, stores.users)
        }
    })
    .await;
}

/// The rows of an account go with it (ON DELETE CASCADE needs `foreign_keys = ON` on
/// every connection); its audit events stay.
#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_user_cascades_to_its_rows_but_not_to_the_audit_trail() {
    use portcullis_domain::AuditEventType;
    use portcullis_domain::oauth::ProviderName;
    use portcullis_testkit::{
        sample_enrollment, sample_event, sample_identity, sample_session, sample_user, t0,
    };

    let db = crate::support::TempDb::new().await;
    let s = &db.stores;
    let user = sample_user("gone@example.com");
    s.users.insert(&user).await.unwrap();
    let session = sample_session(user.id, t0());
    s.sessions.create(&session, 5).await.unwrap();
    s.oauth_identities
        .link(&sample_identity(
            ProviderName::Github,
            "gh-1",
            user.id,
            t0(),
        ))
        .await
        .unwrap();
    assert!(
        s.mfa
            .save_pending(&sample_enrollment(user.id, 1))
            .await
            .unwrap()
    );
    s.audit
        .record(&sample_event(
            AuditEventType::UserDeleted,
            Some(user.id),
            t0(),
        ))
        .await
        .unwrap();

    assert!(s.users.delete(user.id).await.unwrap());
    assert_eq!(s.sessions.find(session.id).await.unwrap(), None);
    assert!(
        s.oauth_identities
            .list_for_user(user.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.mfa.find(user.id).await.unwrap(), None);
    let trail = s
        .audit
        .list(&portcullis_domain::AuditFilter {
            user_id: Some(user.id),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(trail.len(), 1);
}
