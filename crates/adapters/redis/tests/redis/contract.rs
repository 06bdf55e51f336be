//! The shared port contracts of `portcullis-testkit`, run against Redis.

use std::sync::Arc;

use portcullis_domain::ports::{
    LockoutStore, RateLimitPolicy, RateLimiter, RefreshTokenStore, SessionDenyList,
};
use portcullis_testkit::{secs, t0};

use crate::support::{Namespace, count_existing};

/// Runs one suite, each `make()` on a fresh prefix, and checks that no key is left.
macro_rules! contract {
    ($name:ident, $suite:path, $field:ident, $port:ty) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let ns = Namespace::new();
            $suite(|| async { Arc::new(ns.stores().await.$field) as Arc<$port> }).await;
            drop(ns);
        }
    };
}

contract!(
    refresh_token_store,
    portcullis_testkit::refresh_token_store_contract,
    refresh_tokens,
    dyn RefreshTokenStore
);
contract!(
    rate_limiter,
    portcullis_testkit::rate_limiter_contract,
    rate_limiter,
    dyn RateLimiter
);
contract!(
    lockout_store,
    portcullis_testkit::lockout_store_contract,
    lockout,
    dyn LockoutStore
);
contract!(
    session_deny_list,
    portcullis_testkit::session_deny_list_contract,
    deny_list,
    dyn SessionDenyList
);

#[tokio::test(flavor = "multi_thread")]
async fn namespaces_delete_their_keys() {
    let ns = Namespace::new();
    let stores = ns.stores().await;
    let policy = RateLimitPolicy {
        limit: 3,
        window: secs(60),
    };
    stores.rate_limiter.check("k", policy, t0()).await.unwrap();
    let keys = ns.keys();
    assert_eq!(keys.len(), 1, "{keys:?}");
    drop(ns);
    assert_eq!(
        count_existing(&keys),
        0,
        "keys left after the drop: {keys:?}"
    );
}
