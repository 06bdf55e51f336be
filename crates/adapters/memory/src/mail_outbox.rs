//! `MemoryMailOutbox`.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use portcullis_domain::ports::MailOutbox;
use portcullis_domain::{OutgoingMail, QueuedMail, StoreError, TimeSpan, Timestamp};
use uuid::Uuid;

use crate::lock::lock;

/// A mail queue in memory: survives nothing but a slow SMTP relay. Delivered and
/// abandoned messages are dropped at once.
#[derive(Debug, Default)]
pub struct MemoryMailOutbox {
    state: Mutex<BTreeMap<Uuid, Entry>>,
}

#[derive(Debug)]
struct Entry {
    mail: OutgoingMail,
    attempts: u32,
    due: Timestamp,
}

impl MemoryMailOutbox {
    /// An empty outbox.
    pub fn new() -> Self {
        Self::default()
    }

    /// Messages not yet delivered nor abandoned.
    ///
    /// # Errors
    /// Only a poisoned lock.
    pub fn pending(&self) -> Result<usize, StoreError> {
        Ok(lock(&self.state)?.len())
    }
}

#[async_trait]
impl MailOutbox for MemoryMailOutbox {
    async fn enqueue(&self, mail: &OutgoingMail, now: Timestamp) -> Result<(), StoreError> {
        lock(&self.state)?.insert(
            Uuid::now_v7(),
            Entry {
                mail: mail.clone(),
                attempts: 0,
                due: now,
            },
        );
        Ok(())
    }

    async fn claim(
        &self,
        now: Timestamp,
        limit: u32,
        lease: TimeSpan,
    ) -> Result<Vec<QueuedMail>, StoreError> {
        let mut state = lock(&self.state)?;
        let mut claimed = Vec::new();
        for (id, entry) in state
            .iter_mut()
            .filter(|(_, e)| e.due <= now)
            .take(limit as usize)
        {
            entry.due = now + lease;
            entry.attempts += 1;
            claimed.push(QueuedMail {
                id: *id,
                mail: entry.mail.clone(),
                attempts: entry.attempts,
            });
        }
        Ok(claimed)
    }

    async fn mark_sent(&self, id: Uuid, _now: Timestamp) -> Result<(), StoreError> {
        lock(&self.state)?.remove(&id);
        Ok(())
    }

    async fn mark_failed(
        &self,
        id: Uuid,
        _error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let mut state = lock(&self.state)?;
        match retry_at {
            Some(at) => {
                if let Some(entry) = state.get_mut(&id) {
                    entry.due = at;
                }
            }
            None => {
                state.remove(&id);
            }
        }
        Ok(())
    }
}
