//! `Notifier` and `MailOutbox`: mail that never blocks a request and is never lost.

use async_trait::async_trait;

use crate::error::StoreError;
use crate::mail::{Notice, OutgoingMail, QueuedMail};
use crate::user::Email;
use crate::{TimeSpan, Timestamp};

/// Tells a user something by mail. Implementations render the notice and queue it
/// durably; delivery happens later, off the request.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Notifier: Send + Sync + 'static {
    /// Queues a notice for `to`.
    ///
    /// # Errors
    /// Only [`StoreError`] (the outbox could not take it). MUST NOT wait for delivery.
    async fn notify(&self, to: &Email, notice: &Notice) -> Result<(), StoreError>;
}

/// A durable queue of rendered mail, drained by a delivery worker.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait MailOutbox: Send + Sync + 'static {
    /// Adds a message, due at `now`.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn enqueue(&self, mail: &OutgoingMail, now: Timestamp) -> Result<(), StoreError>;

    /// Takes up to `limit` due, unsent messages and hides them from other workers for
    /// `lease` (so a crashed worker's messages come back). Two concurrent claims never
    /// return the same message.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn claim(
        &self,
        now: Timestamp,
        limit: u32,
        lease: TimeSpan,
    ) -> Result<Vec<QueuedMail>, StoreError>;

    /// Marks a message delivered.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn mark_sent(&self, id: uuid::Uuid, now: Timestamp) -> Result<(), StoreError>;

    /// Records a failed attempt: retry at `retry_at`, or give up when `None`.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn mark_failed(
        &self,
        id: uuid::Uuid,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<(), StoreError>;
}
