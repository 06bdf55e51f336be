//! The `OAuthStateStore` contract against the memory adapter.

use std::sync::Arc;

use portcullis_domain::ports::OAuthStateStore;
use portcullis_memory::MemoryOAuthStateStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn oauth_state_store() {
    portcullis_testkit::oauth_state_store_contract(|| async {
        Arc::new(MemoryOAuthStateStore::new()) as Arc<dyn OAuthStateStore>
    })
    .await;
}
