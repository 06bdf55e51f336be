//! `MemoryOAuthStateStore`.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use portcullis_domain::oauth::OAuthDigest;
use portcullis_domain::ports::{OAuthStateRecord, OAuthStateStore};
use portcullis_domain::{StoreError, Timestamp};

use crate::lock::lock;
use crate::sweep::SweepSchedule;

/// OAuth states in flight, in memory: `take` removes under the lock, so exactly one
/// caller gets a record. Expired records are swept as the map grows.
#[derive(Debug, Default)]
pub struct MemoryOAuthStateStore {
    state: Mutex<States>,
}

#[derive(Debug, Default)]
struct States {
    records: HashMap<OAuthDigest, OAuthStateRecord>,
    sweep: SweepSchedule,
}

impl MemoryOAuthStateStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl OAuthStateStore for MemoryOAuthStateStore {
    async fn put(
        &self,
        state: OAuthDigest,
        record: &OAuthStateRecord,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut states = lock(&self.state)?;
        states.records.insert(state, record.clone());
        if states.sweep.due(states.records.len()) {
            states.records.retain(|_, r| now < r.expires_at);
            let len = states.records.len();
            states.sweep.swept(len);
        }
        Ok(())
    }

    async fn take(
        &self,
        state: OAuthDigest,
        now: Timestamp,
    ) -> Result<Option<OAuthStateRecord>, StoreError> {
        let mut states = lock(&self.state)?;
        Ok(states
            .records
            .remove(&state)
            .filter(|record| now < record.expires_at))
    }
}
