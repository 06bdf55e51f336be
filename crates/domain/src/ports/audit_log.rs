//! `AuditLog`: the security event trail.

use async_trait::async_trait;

use crate::audit::{AuditEvent, AuditFilter};
use crate::error::StoreError;

/// Append-only security events.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AuditLog: Send + Sync + 'static {
    /// Appends an event.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn record(&self, event: &AuditEvent) -> Result<(), StoreError>;

    /// Events matching the filter, newest first, at most `filter.limit`.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn list(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError>;
}
