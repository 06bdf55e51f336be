//! `AuditLog`: the security event trail.

use async_trait::async_trait;

use crate::Timestamp;
use crate::audit::{AuditEvent, AuditFilter};
use crate::error::StoreError;

/// Append-only security events: nothing edits an event, and only the retention job
/// ([`AuditLog::purge`]) deletes them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AuditLog: Send + Sync + 'static {
    /// Appends an event.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn record(&self, event: &AuditEvent) -> Result<(), StoreError>;

    /// Appends several events, all or none (one statement where the store allows):
    /// what a buffered writer uses to amortise round trips and commits.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn record_many(&self, events: &[AuditEvent]) -> Result<(), StoreError> {
        for event in events {
            self.record(event).await?;
        }
        Ok(())
    }

    /// Events matching the filter, newest first, at most `filter.limit`.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn list(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError>;

    /// Deletes every event recorded before `before` (the retention job,
    /// `AUDIT_RETENTION_DAYS`). Returns how many were deleted.
    ///
    /// MUST delete exactly the events whose `at` is strictly earlier than `before`: an
    /// event at `before` or later MUST stay, whatever its id, user or kind. Running it
    /// again with the same cut-off MUST delete nothing and return 0.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn purge(&self, before: Timestamp) -> Result<u64, StoreError>;
}
