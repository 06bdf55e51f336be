//! `MemoryDenyList`.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use portcullis_domain::ports::SessionDenyList;
use portcullis_domain::{SessionId, StoreError, TimeSpan, Timestamp};

use crate::lock::lock;
use crate::sweep::SweepSchedule;

/// Denied session ids in memory, each until its deadline. A repeated denial keeps the
/// later deadline, so it never shortens an earlier one. Past deadlines are swept as the
/// map grows.
#[derive(Debug, Default)]
pub struct MemoryDenyList {
    state: Mutex<Denied>,
}

#[derive(Debug, Default)]
struct Denied {
    until: HashMap<SessionId, Timestamp>,
    sweep: SweepSchedule,
}

impl MemoryDenyList {
    /// An empty deny-list.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl SessionDenyList for MemoryDenyList {
    async fn deny(
        &self,
        session: SessionId,
        ttl: TimeSpan,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut state = lock(&self.state)?;
        let until = now + ttl;
        state
            .until
            .entry(session)
            .and_modify(|existing| *existing = (*existing).max(until))
            .or_insert(until);
        if state.sweep.due(state.until.len()) {
            state.until.retain(|_, &mut end| now < end);
            let len = state.until.len();
            state.sweep.swept(len);
        }
        Ok(())
    }

    async fn is_denied(&self, session: SessionId, now: Timestamp) -> Result<bool, StoreError> {
        let state = lock(&self.state)?;
        Ok(state.until.get(&session).is_some_and(|&end| now < end))
    }
}

#[cfg(test)]
mod tests {
    use portcullis_testkit::{secs, t0};
    use uuid::Uuid;

    use super::*;

    #[tokio::test]
    async fn past_deadlines_are_swept() {
        let list = MemoryDenyList::new();
        for _ in 0..5000 {
            let id = SessionId::from_uuid(Uuid::now_v7());
            list.deny(id, secs(60), t0()).await.unwrap();
        }
        for _ in 0..5000 {
            let id = SessionId::from_uuid(Uuid::now_v7());
            list.deny(id, secs(60), t0() + secs(600)).await.unwrap();
        }
        let len = list.state.lock().unwrap().until.len();
        assert!(len <= 5000, "{len} entries kept, only 5000 are live");
    }
}
