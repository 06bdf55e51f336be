//! `MemoryAuditLog`.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Mutex;

use async_trait::async_trait;
use portcullis_domain::ports::AuditLog;
use portcullis_domain::{AuditEvent, AuditFilter, AuditId, StoreError, Timestamp};

use crate::lock::lock;

/// Audit events in memory, ordered by id (UUID v7, so by time). Keeps only the newest
/// [`MemoryAuditLog::DEFAULT_CAPACITY`] events (or the capacity given), dropping the
/// oldest, so memory stays bounded even when no retention job calls
/// [`AuditLog::purge`].
#[derive(Debug)]
pub struct MemoryAuditLog {
    capacity: usize,
    events: Mutex<BTreeMap<AuditId, AuditEvent>>,
}

impl MemoryAuditLog {
    /// Events kept by [`MemoryAuditLog::new`].
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// An empty log keeping the newest [`MemoryAuditLog::DEFAULT_CAPACITY`] events.
    pub fn new() -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// An empty log keeping the newest `capacity` events (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            events: Mutex::new(BTreeMap::new()),
        }
    }
}

impl Default for MemoryAuditLog {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl AuditLog for MemoryAuditLog {
    async fn record(&self, event: &AuditEvent) -> Result<(), StoreError> {
        let mut events = lock(&self.events)?;
        if events.contains_key(&event.id) {
            return Err(StoreError::unexpected(anyhow::anyhow!(
                "audit event id {} already exists",
                event.id.0
            )));
        }
        events.insert(event.id, event.clone());
        while events.len() > self.capacity {
            events.pop_first();
        }
        Ok(())
    }

    async fn list(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        let limit = usize::try_from(filter.limit.clamp(1, 100)).unwrap_or(100);
        let upper = filter.before.map_or(Bound::Unbounded, Bound::Excluded);
        let events = lock(&self.events)?;
        Ok(events
            .range((Bound::Unbounded, upper))
            .rev()
            .map(|(_, event)| event)
            .filter(|e| filter.user_id.is_none_or(|user| e.user_id == Some(user)))
            .filter(|e| filter.kind.is_none_or(|kind| e.kind == kind))
            .take(limit)
            .cloned()
            .collect())
    }

    async fn purge(&self, before: Timestamp) -> Result<u64, StoreError> {
        let mut events = lock(&self.events)?;
        let kept_before = events.len();
        // By `at`, not by id: the contract is about when an event happened, and ids
        // need not follow the clock.
        events.retain(|_, event| event.at >= before);
        Ok(u64::try_from(kept_before - events.len()).unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use portcullis_domain::AuditEventType;
    use portcullis_testkit::{sample_event, t0};

    use super::*;

    #[tokio::test]
    async fn keeps_only_the_newest_events() {
        let log = MemoryAuditLog::with_capacity(3);
        let mut ids = Vec::new();
        for _ in 0..5 {
            let event = sample_event(AuditEventType::LoginFailed, None, t0());
            ids.push(event.id);
            log.record(&event).await.unwrap();
        }
        let filter = AuditFilter {
            limit: 100,
            ..AuditFilter::default()
        };
        let kept: Vec<AuditId> = log
            .list(&filter)
            .await
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(kept, vec![ids[4], ids[3], ids[2]]);
    }

    #[tokio::test]
    async fn a_duplicate_id_is_refused() {
        let log = MemoryAuditLog::new();
        let event = sample_event(AuditEventType::Logout, None, t0());
        log.record(&event).await.unwrap();
        assert!(log.record(&event).await.is_err());
    }
}
