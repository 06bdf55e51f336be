//! [`BufferedAuditLog`]: audit events leave the request path and are written in
//! batches (issue 5: a refresh paid a second database round trip and commit for its
//! `token_refreshed` event).
//!
//! A request queues its event and goes on; one writer task takes whatever is queued,
//! writes it with one [`AuditLog::record_many`] (one multi-row INSERT, one commit) and
//! repeats (at most 10,000 wait; past that `record` writes synchronously, so a slow
//! database slows requests down instead of filling memory). Idle, an event is written
//! at once; under load batches grow on their own, so
//! there is no timer and no added latency. Reads stay exact: [`AuditLog::list`] first
//! waits until everything queued before it is written. `serve` flushes at shutdown.
//! What a crash (not a shutdown) loses is what was queued in that instant; a failed
//! write is logged, as a failed synchronous record always was (the action happened).

use std::sync::Arc;

use async_trait::async_trait;
use portcullis_domain::audit::{AuditEvent, AuditFilter};
use portcullis_domain::ports::AuditLog;
use portcullis_domain::{StoreError, Timestamp};
use tokio::sync::{mpsc, oneshot};

/// Most events written by one statement.
const MAX_BATCH: usize = 256;
/// Most events waiting; past it `record` writes synchronously (backpressure instead of
/// memory growing while the database is slow).
const MAX_QUEUED: usize = 10_000;

enum Message {
    Event(AuditEvent),
    /// Answered once every event queued before it is written (or failed).
    Flush(oneshot::Sender<()>),
}

/// An [`AuditLog`] that queues `record` and writes in batches (see the module docs).
#[derive(Clone)]
pub struct BufferedAuditLog {
    inner: Arc<dyn AuditLog>,
    queue: mpsc::Sender<Message>,
}

impl std::fmt::Debug for BufferedAuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BufferedAuditLog").finish_non_exhaustive()
    }
}

impl BufferedAuditLog {
    /// Wraps `inner` and starts the writer on the current Tokio runtime; it ends when
    /// the last clone is dropped, after writing what is queued.
    pub fn start(inner: Arc<dyn AuditLog>) -> Self {
        Self::with_capacity(inner, MAX_QUEUED)
    }

    fn with_capacity(inner: Arc<dyn AuditLog>, capacity: usize) -> Self {
        let (queue, received) = mpsc::channel(capacity);
        tokio::spawn(write(Arc::clone(&inner), received));
        Self { inner, queue }
    }

    /// Waits until every event queued so far is written (or its write failed).
    pub async fn flush(&self) {
        let (done, written) = oneshot::channel();
        if self.queue.send(Message::Flush(done)).await.is_ok() {
            let _ = written.await;
        }
    }
}

async fn write(inner: Arc<dyn AuditLog>, mut received: mpsc::Receiver<Message>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut waiting = Vec::new();
    while let Some(first) = received.recv().await {
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Event(event) => batch.push(event),
                Message::Flush(done) => waiting.push(done),
            }
            if batch.len() < MAX_BATCH {
                next = received.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            if let Err(err) = inner.record_many(&batch).await {
                tracing::error!(
                    error = ?err,
                    events = batch.len(),
                    "could not record audit events"
                );
            }
            batch.clear();
        }
        for done in waiting.drain(..) {
            let _ = done.send(());
        }
    }
}

#[async_trait]
impl AuditLog for BufferedAuditLog {
    async fn record(&self, event: &AuditEvent) -> Result<(), StoreError> {
        match self.queue.try_send(Message::Event(event.clone())) {
            Ok(()) => Ok(()),
            // The queue is full (the database is slower than the traffic) or the writer
            // is gone (shutting down): write this one here, in the caller's time.
            Err(_) => self.inner.record(event).await,
        }
    }

    async fn record_many(&self, events: &[AuditEvent]) -> Result<(), StoreError> {
        for event in events {
            self.record(event).await?;
        }
        Ok(())
    }

    async fn list(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        self.flush().await;
        self.inner.list(filter).await
    }

    async fn purge(&self, before: Timestamp) -> Result<u64, StoreError> {
        self.flush().await;
        self.inner.purge(before).await
    }
}

#[cfg(test)]
mod tests {
    use portcullis_domain::AuditEventType;
    use portcullis_memory::MemoryAuditLog;
    use portcullis_testkit::{sample_event, t0};

    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn the_contract_holds_through_the_buffer() {
        portcullis_testkit::audit_log_contract(|| async {
            Arc::new(BufferedAuditLog::start(Arc::new(MemoryAuditLog::new()))) as Arc<dyn AuditLog>
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_full_queue_writes_synchronously_and_loses_nothing() {
        let inner = Arc::new(MemoryAuditLog::new());
        let log = BufferedAuditLog::with_capacity(inner.clone(), 1);
        for _ in 0..200 {
            log.record(&sample_event(AuditEventType::LoginFailed, None, t0()))
                .await
                .unwrap();
        }
        log.flush().await;
        let far = t0() + portcullis_testkit::secs(3600);
        assert_eq!(inner.purge(far).await.unwrap(), 200);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn events_are_written_in_batches_and_flush_waits_for_them() {
        let inner = Arc::new(MemoryAuditLog::new());
        let log = BufferedAuditLog::start(inner.clone());
        for _ in 0..1000 {
            log.record(&sample_event(AuditEventType::TokenRefreshed, None, t0()))
                .await
                .unwrap();
        }
        log.flush().await;
        let filter = AuditFilter {
            user_id: None,
            kind: None,
            before: None,
            limit: 100,
        };
        assert_eq!(inner.list(&filter).await.unwrap().len(), 100);
        let far = t0() + portcullis_testkit::secs(3600);
        assert_eq!(inner.purge(far).await.unwrap(), 1000, "every event, once");
    }
}
