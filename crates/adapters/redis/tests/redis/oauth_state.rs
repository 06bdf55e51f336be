//! The `OAuthStateStore` contract against Redis, and its key layout.

use std::sync::Arc;

use portcullis_domain::oauth::{OAuthDigest, PkceVerifier, ProviderName};
use portcullis_domain::ports::{OAuthStateRecord, OAuthStateStore};
use portcullis_redis::RedisOAuthStateStore;
use portcullis_testkit::{secs, t0};

use crate::support::{Namespace, count_existing};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn oauth_state_store() {
    let ns = Namespace::new();
    portcullis_testkit::oauth_state_store_contract(|| async {
        Arc::new(RedisOAuthStateStore::new(ns.stores().await.connection))
            as Arc<dyn OAuthStateStore>
    })
    .await;
    drop(ns);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_taken_state_leaves_no_key() {
    let ns = Namespace::new();
    let store = RedisOAuthStateStore::new(ns.stores().await.connection);
    let state = OAuthDigest::of("s");
    let record = OAuthStateRecord {
        provider: ProviderName::Google,
        pkce_verifier: PkceVerifier::from_random([1; 32]),
        redirect_to: "https://app.example.com/".to_owned(),
        binding: OAuthDigest::of("b"),
        expires_at: t0() + secs(600),
    };
    store.put(state, &record, t0()).await.unwrap();
    let keys = ns.keys();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(
        keys[0].ends_with(&format!("oauth:{{{}}}", state.to_hex())),
        "{keys:?}"
    );
    assert!(store.take(state, t0()).await.unwrap().is_some());
    assert_eq!(count_existing(&keys), 0);
}
