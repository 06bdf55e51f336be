//! `MemoryLockoutStore`.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use portcullis_domain::ports::{LockoutPolicy, LockoutStore};
use portcullis_domain::{StoreError, Timestamp};

use crate::lock::lock;
use crate::sweep::SweepSchedule;

/// Failure counters and locks in memory, keyed by the identifier as given (the caller
/// normalizes it). A failure while locked is not counted and answers the current lock
/// end. An entry lives until both its counting window and its lock are over; spent
/// entries are swept as the map grows.
#[derive(Debug, Default)]
pub struct MemoryLockoutStore {
    state: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    by_identifier: HashMap<String, Entry>,
    sweep: SweepSchedule,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    /// End of the counting window that began with the first counted failure.
    window_ends: Timestamp,
    locked_until: Option<Timestamp>,
}

impl Entry {
    fn lock_at(&self, now: Timestamp) -> Option<Timestamp> {
        self.locked_until.filter(|&end| now < end)
    }

    fn is_spent(&self, now: Timestamp) -> bool {
        now >= self.window_ends && self.lock_at(now).is_none()
    }
}

impl MemoryLockoutStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl LockoutStore for MemoryLockoutStore {
    async fn locked_until(
        &self,
        identifier: &str,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError> {
        let state = lock(&self.state)?;
        Ok(state
            .by_identifier
            .get(identifier)
            .and_then(|entry| entry.lock_at(now)))
    }

    async fn record_failure(
        &self,
        identifier: &str,
        policy: LockoutPolicy,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError> {
        let mut state = lock(&self.state)?;
        let existing = state.by_identifier.get(identifier).copied();
        if let Some(end) = existing.and_then(|entry| entry.lock_at(now)) {
            // Locked: the attempt never reached a password check. Not counted, and the
            // lock is never extended.
            return Ok(Some(end));
        }
        let mut entry = existing
            .filter(|entry| now < entry.window_ends)
            .unwrap_or(Entry {
                failures: 0,
                window_ends: now + policy.window,
                locked_until: None,
            });
        entry.failures += 1;
        let locked = if entry.failures >= policy.threshold {
            let end = now + policy.duration;
            entry.failures = 0;
            entry.locked_until = Some(end);
            Some(end)
        } else {
            None
        };
        if let Some(slot) = state.by_identifier.get_mut(identifier) {
            *slot = entry;
        } else {
            state.by_identifier.insert(identifier.to_owned(), entry);
        }
        if state.sweep.due(state.by_identifier.len()) {
            state.by_identifier.retain(|_, entry| !entry.is_spent(now));
            let len = state.by_identifier.len();
            state.sweep.swept(len);
        }
        Ok(locked)
    }

    async fn clear(&self, identifier: &str) -> Result<(), StoreError> {
        lock(&self.state)?.by_identifier.remove(identifier);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use portcullis_testkit::{secs, t0};

    use super::*;

    #[tokio::test]
    async fn spent_entries_are_swept() {
        let store = MemoryLockoutStore::new();
        let policy = LockoutPolicy {
            threshold: 3,
            window: secs(60),
            duration: secs(60),
        };
        for i in 0..5000 {
            store
                .record_failure(&format!("old-{i}"), policy, t0())
                .await
                .unwrap();
        }
        for i in 0..5000 {
            store
                .record_failure(&format!("new-{i}"), policy, t0() + secs(600))
                .await
                .unwrap();
        }
        let len = store.state.lock().unwrap().by_identifier.len();
        assert!(len <= 5000, "{len} entries kept, only 5000 are live");
    }
}
